//! Section 6, secrets: items 6.1 to 6.5.
//!
//! Generated from the folder's files by `KCHECK_UPDATE_DOCS=1 cargo test -p kcheck-rules --test sections`:
//! a rule is added by adding its file.

mod etcd_plaintext_secrets;
mod image_secrets;
mod legacy_service_account_token;
mod no_external_secret_store;
mod projected_token_expiry;
mod secret_in_configmap;
mod secret_in_env;
mod secrets_encryption_at_rest;
mod service_account_token_expiration;
mod token_automounted;

pub static RULES: &[&crate::Rule] = &[
    &etcd_plaintext_secrets::RULE,
    &image_secrets::RULE,
    &legacy_service_account_token::RULE,
    &no_external_secret_store::RULE,
    &projected_token_expiry::RULE,
    &secret_in_configmap::RULE,
    &secret_in_env::RULE,
    &secrets_encryption_at_rest::RULE,
    &service_account_token_expiration::RULE,
    &token_automounted::RULE,
];
