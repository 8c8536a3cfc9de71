//! Section 5, pod placement: items 5.1 and 5.2.

pub mod control_plane_toleration;
pub mod placement_admission;
pub mod sandbox_runtime;
pub mod sensitive_not_isolated;

pub static RULES: &[&crate::Rule] = &[
    &sensitive_not_isolated::RULE,
    &control_plane_toleration::RULE,
    &sandbox_runtime::RULE,
    &placement_admission::RULE,
];
