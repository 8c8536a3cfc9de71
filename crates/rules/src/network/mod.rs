//! Section 2, network security: items 2.1 to 2.7.
//!
//! Generated from the folder's files by `KCHECK_UPDATE_DOCS=1 cargo test -p kcheck-rules --test sections`:
//! a rule is added by adding its file.

mod anonymous_probe_answered;
mod apiserver_open_access;
mod cni_without_network_policy;
mod control_plane_service_exposed;
mod egress_to_cloud_metadata;
mod etcd_open_access;
mod in_cluster_traffic_unencrypted;
mod ingress_without_tls;
mod kubelet_open_access;
mod load_balancer_service;
mod metadata_api_unfiltered;
mod namespace_without_default_deny;
mod node_port_service;
mod service_external_ips;
mod workload_without_egress_policy;
mod workload_without_ingress_policy;

pub static RULES: &[&crate::Rule] = &[
    &anonymous_probe_answered::RULE,
    &apiserver_open_access::RULE,
    &cni_without_network_policy::RULE,
    &control_plane_service_exposed::RULE,
    &egress_to_cloud_metadata::RULE,
    &etcd_open_access::RULE,
    &in_cluster_traffic_unencrypted::RULE,
    &ingress_without_tls::RULE,
    &kubelet_open_access::RULE,
    &load_balancer_service::RULE,
    &metadata_api_unfiltered::RULE,
    &namespace_without_default_deny::RULE,
    &node_port_service::RULE,
    &service_external_ips::RULE,
    &workload_without_egress_policy::RULE,
    &workload_without_ingress_policy::RULE,
];
