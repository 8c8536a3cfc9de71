//! Section 8, admission controllers: items 8.1 to 8.3.

pub mod webhook_endpoint;
pub mod webhook_fails_open;
pub mod webhook_label_escape;
pub mod webhook_scope;
pub mod webhooks;

pub static RULES: &[&crate::Rule] = &[
    &webhook_fails_open::RULE,
    &webhook_endpoint::RULE,
    &webhook_label_escape::RULE,
    &webhook_scope::RULE,
];
