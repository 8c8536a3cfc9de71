//! Section 5, pod placement: items 5.1 and 5.2.
//!
//! Generated from the folder's files by `KCHECK_UPDATE_DOCS=1 cargo test -p kcheck-rules --test sections`:
//! a rule is added by adding its file.

mod control_plane_toleration;
mod placement_admission_plugins;
mod sensitive_workload_not_isolated;
mod sensitive_workload_not_sandboxed;

pub static RULES: &[&crate::Rule] = &[
    &control_plane_toleration::RULE,
    &placement_admission_plugins::RULE,
    &sensitive_workload_not_isolated::RULE,
    &sensitive_workload_not_sandboxed::RULE,
];
