//! Section 2, network security: items 2.1 to 2.7.

pub mod ingress_without_tls;
pub mod load_balancer_service;
pub mod node_port_service;
pub mod service_external_ips;

pub static RULES: &[&crate::Rule] = &[
    &load_balancer_service::RULE,
    &service_external_ips::RULE,
    &ingress_without_tls::RULE,
    &node_port_service::RULE,
];
