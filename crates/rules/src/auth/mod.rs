//! Section 1, authentication and authorization: items 1.1 to 1.6.

pub static RULES: &[&crate::Rule] = &[];
