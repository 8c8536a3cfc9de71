//! Section 2, network security: items 2.1 to 2.7.

pub mod anonymous_probe;
pub mod apiserver_access;
pub mod cni_network_policy;
pub mod control_plane_service;
pub mod egress_to_cloud_metadata;
pub mod etcd_access;
pub mod ingress_without_tls;
pub mod kubelet_access;
pub mod load_balancer_service;
pub mod metadata_api_unfiltered;
pub mod namespace_without_default_deny;
pub mod node_port_service;
pub mod service_external_ips;
pub mod traffic_unencrypted;
pub mod workload_without_egress_policy;
pub mod workload_without_ingress_policy;

pub static RULES: &[&crate::Rule] = &[
    &load_balancer_service::RULE,
    &service_external_ips::RULE,
    &ingress_without_tls::RULE,
    &node_port_service::RULE,
    &workload_without_ingress_policy::RULE,
    &workload_without_egress_policy::RULE,
    &namespace_without_default_deny::RULE,
    &egress_to_cloud_metadata::RULE,
    &metadata_api_unfiltered::RULE,
    &apiserver_access::RULE,
    &control_plane_service::RULE,
    &kubelet_access::RULE,
    &etcd_access::RULE,
    &anonymous_probe::RULE,
    &cni_network_policy::RULE,
    &traffic_unencrypted::RULE,
];
