//! Section 8, admission controllers: items 8.1 to 8.3.
//!
//! Generated from the folder's files by `KCHECK_UPDATE_DOCS=1 cargo test -p kcheck-rules --test sections`:
//! a rule is added by adding its file.

mod admission_config_files;
mod admission_plugins;
mod pod_security_admission;
mod pod_security_not_enforced;
mod webhook_endpoint;
mod webhook_fails_open;
mod webhook_label_escape;
mod webhook_scope;

pub static RULES: &[&crate::Rule] = &[
    &admission_config_files::RULE,
    &admission_plugins::RULE,
    &pod_security_admission::RULE,
    &pod_security_not_enforced::RULE,
    &webhook_endpoint::RULE,
    &webhook_fails_open::RULE,
    &webhook_label_escape::RULE,
    &webhook_scope::RULE,
];
