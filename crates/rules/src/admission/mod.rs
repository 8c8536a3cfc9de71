//! Section 8, admission controllers: items 8.1 to 8.3.

pub static RULES: &[&crate::Rule] = &[];
