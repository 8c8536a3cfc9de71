//! Section 7, images: items 7.1 to 7.4.

pub mod general_purpose_image;
pub mod image_not_pinned;
pub mod image_vulnerabilities;
pub mod runs_as_root;
pub mod signature_not_verified;

pub static RULES: &[&crate::Rule] = &[
    &image_not_pinned::RULE,
    &runs_as_root::RULE,
    &signature_not_verified::RULE,
    &image_vulnerabilities::RULE,
    &general_purpose_image::RULE,
];
