//! Section 8, admission controllers: items 8.1 to 8.3.

pub mod admission_config_files;
pub mod admission_plugins;
pub mod pod_security_admission;
pub mod pod_security_enforcement;
pub mod webhook_endpoint;
pub mod webhook_fails_open;
pub mod webhook_label_escape;
pub mod webhook_scope;

pub static RULES: &[&crate::Rule] = &[
    &webhook_fails_open::RULE,
    &webhook_endpoint::RULE,
    &webhook_label_escape::RULE,
    &webhook_scope::RULE,
    &admission_plugins::RULE,
    &pod_security_admission::RULE,
    &admission_config_files::RULE,
    &pod_security_enforcement::RULE,
];
