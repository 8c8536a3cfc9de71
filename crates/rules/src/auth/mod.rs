//! Section 1, authentication and authorization: items 1.1 to 1.6.
//!
//! Generated from the folder's files by `KCHECK_UPDATE_DOCS=1 cargo test -p kcheck-rules --test sections`:
//! a rule is added by adding its file.

mod access_review_overdue;
mod binding_to_missing_role;
mod ca_key_exposed;
mod ca_key_in_secret;
mod certificate_lifetime;
mod cluster_admin_binding;
mod controller_manager_shared_credentials;
mod rbac_broad_subject;
mod rbac_escalation_verbs;
mod rbac_wildcard;
mod system_masters_binding;
mod system_masters_certificate;
mod tls_secret_certificate_lifetime;

pub static RULES: &[&crate::Rule] = &[
    &access_review_overdue::RULE,
    &binding_to_missing_role::RULE,
    &ca_key_exposed::RULE,
    &ca_key_in_secret::RULE,
    &certificate_lifetime::RULE,
    &cluster_admin_binding::RULE,
    &controller_manager_shared_credentials::RULE,
    &rbac_broad_subject::RULE,
    &rbac_escalation_verbs::RULE,
    &rbac_wildcard::RULE,
    &system_masters_binding::RULE,
    &system_masters_certificate::RULE,
    &tls_secret_certificate_lifetime::RULE,
];
