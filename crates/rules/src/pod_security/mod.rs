//! Section 3, pod security: items 3.1 to 3.6.

pub mod cpu_limit_sensitive;
pub mod host_namespaces;
pub mod host_path_volume;
pub mod kubelet_seccomp_default;
pub mod mac_profile;
pub mod memory_limit_above_request;
pub mod memory_limit_missing;
pub mod namespace_pss_enforce;
pub mod node_lsm;
pub mod privileged_container;
pub mod pss_restricted_readiness;
pub mod pss_violation;
pub mod seccomp_profile;
pub mod workload_write_rbac;

pub static RULES: &[&crate::Rule] = &[
    &privileged_container::RULE,
    &host_namespaces::RULE,
    &host_path_volume::RULE,
    &memory_limit_missing::RULE,
    &memory_limit_above_request::RULE,
    &namespace_pss_enforce::RULE,
    &pss_violation::RULE,
    &pss_restricted_readiness::RULE,
    &cpu_limit_sensitive::RULE,
    &seccomp_profile::RULE,
    &mac_profile::RULE,
    &workload_write_rbac::RULE,
    &kubelet_seccomp_default::RULE,
    &node_lsm::RULE,
];
