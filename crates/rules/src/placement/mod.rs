//! Section 5, pod placement: items 5.1 and 5.2.

pub static RULES: &[&crate::Rule] = &[];
