//! Section 6, secrets: items 6.1 to 6.5.

pub mod encryption_at_rest;
pub mod etcd_plaintext_secrets;
pub mod external_secret_store;
pub mod legacy_token_secret;
pub mod projected_token_expiry;
pub mod secret_in_configmap;
pub mod secret_in_env;
pub mod service_account_token_flags;
pub mod token_automount;

pub static RULES: &[&crate::Rule] = &[
    &legacy_token_secret::RULE,
    &secret_in_configmap::RULE,
    &secret_in_env::RULE,
    &token_automount::RULE,
    &projected_token_expiry::RULE,
    &service_account_token_flags::RULE,
    &encryption_at_rest::RULE,
    &etcd_plaintext_secrets::RULE,
    &external_secret_store::RULE,
];
