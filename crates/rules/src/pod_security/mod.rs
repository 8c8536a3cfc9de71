//! Section 3, pod security: items 3.1 to 3.6.
//!
//! Generated from the folder's files by `KCHECK_UPDATE_DOCS=1 cargo test -p kcheck-rules --test sections`:
//! a rule is added by adding its file.

mod apparmor_selinux_profile;
mod cpu_limit_sensitive;
mod host_namespaces;
mod host_path_volume;
mod kubelet_seccomp_default;
mod memory_limit_above_request;
mod memory_limit_missing;
mod namespace_pss_not_enforced;
mod node_lsm_disabled;
mod privileged_container;
mod pss_restricted_readiness;
mod pss_violation;
mod seccomp_profile_missing;
mod workload_write_rbac;

pub static RULES: &[&crate::Rule] = &[
    &apparmor_selinux_profile::RULE,
    &cpu_limit_sensitive::RULE,
    &host_namespaces::RULE,
    &host_path_volume::RULE,
    &kubelet_seccomp_default::RULE,
    &memory_limit_above_request::RULE,
    &memory_limit_missing::RULE,
    &namespace_pss_not_enforced::RULE,
    &node_lsm_disabled::RULE,
    &privileged_container::RULE,
    &pss_restricted_readiness::RULE,
    &pss_violation::RULE,
    &seccomp_profile_missing::RULE,
    &workload_write_rbac::RULE,
];
