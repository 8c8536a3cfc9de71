//! Section 6, secrets: items 6.1 to 6.5.

pub mod legacy_token_secret;

pub static RULES: &[&crate::Rule] = &[&legacy_token_secret::RULE];
