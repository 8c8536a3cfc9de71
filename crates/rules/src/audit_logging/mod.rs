//! Section 4, logging and auditing: items 4.1 and 4.2.

pub static RULES: &[&crate::Rule] = &[];
