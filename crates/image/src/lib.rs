//! The image collector: reads container image archives (OCI layouts, OCI and Docker archives,
//! multi-platform indexes) into [`kcheck_model::image::ImageFacts`], walking the layers as one
//! union filesystem without extracting anything, and reads vulnerability scanner reports
//! (Trivy, Grype, CycloneDX) into [`kcheck_model::image::VulnReport`]. It judges nothing: the
//! rules of items 6.1, 7.1, 7.2 and 7.4 do.

pub mod vuln;
