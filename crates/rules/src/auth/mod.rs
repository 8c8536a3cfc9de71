//! Section 1, authentication and authorization: items 1.1 to 1.6, and the RBAC model that
//! item 3.1 (`pod_security/workload_write_rbac.rs`) shares.

pub mod access_review;
pub mod ca_key_in_secret;
pub mod ca_key_protection;
pub mod certificate_lifetime;
pub mod cluster_admin_binding;
pub mod controller_manager_sa_credentials;
pub mod rbac_broad_subject;
pub mod rbac_escalation_verbs;
pub mod rbac_wildcard;
pub mod system_masters_binding;
pub mod system_masters_certificate;
pub mod tls_secret_lifetime;

pub static RULES: &[&crate::Rule] = &[
    &system_masters_binding::RULE,
    &rbac_wildcard::RULE,
    &cluster_admin_binding::RULE,
    &rbac_escalation_verbs::RULE,
    &rbac_broad_subject::RULE,
    &access_review::RULE,
    &system_masters_certificate::RULE,
    &controller_manager_sa_credentials::RULE,
    &ca_key_protection::RULE,
    &certificate_lifetime::RULE,
    &tls_secret_lifetime::RULE,
    &ca_key_in_secret::RULE,
];
