//! Section 4, logging and auditing: items 4.1 and 4.2.
//!
//! Generated from the folder's files by `KCHECK_UPDATE_DOCS=1 cargo test -p kcheck-rules --test sections`:
//! a rule is added by adding its file.

mod audit_log_host_mount;
mod audit_log_permissions;
mod audit_log_rotation;
mod audit_policy;
mod logs_handler_enabled;

pub static RULES: &[&crate::Rule] = &[
    &audit_log_host_mount::RULE,
    &audit_log_permissions::RULE,
    &audit_log_rotation::RULE,
    &audit_policy::RULE,
    &logs_handler_enabled::RULE,
];
