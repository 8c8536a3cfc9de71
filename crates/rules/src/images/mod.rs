//! Section 7, images: items 7.1 to 7.4.
//!
//! Generated from the folder's files by `KCHECK_UPDATE_DOCS=1 cargo test -p kcheck-rules --test sections`:
//! a rule is added by adding its file.

mod general_purpose_image;
mod image_age_eol;
mod image_contents;
mod image_not_pinned;
mod image_signatures_not_enforced;
mod image_user;
mod image_vulnerabilities;
mod image_vulnerabilities_reported;
mod runs_as_root;

pub static RULES: &[&crate::Rule] = &[
    &general_purpose_image::RULE,
    &image_age_eol::RULE,
    &image_contents::RULE,
    &image_not_pinned::RULE,
    &image_signatures_not_enforced::RULE,
    &image_user::RULE,
    &image_vulnerabilities::RULE,
    &image_vulnerabilities_reported::RULE,
    &runs_as_root::RULE,
];
