//! Section 4, logging and auditing: items 4.1 and 4.2.

pub mod audit_log_host_mount;
pub mod audit_log_permissions;
pub mod audit_log_rotation;
pub mod audit_policy;
pub mod logs_handler;

pub static RULES: &[&crate::Rule] = &[
    &audit_policy::RULE,
    &audit_log_permissions::RULE,
    &audit_log_rotation::RULE,
    &audit_log_host_mount::RULE,
    &logs_handler::RULE,
];
