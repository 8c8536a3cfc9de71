//! kcheck's rules, one file each under the checklist section they serve, and the engine that
//! turns evidence into a report.
//!
//! - `auth/` section 1, `network/` 2, `pod_security/` 3, `audit_logging/` 4, `placement/` 5,
//!   `secrets/` 6, `images/` 7, `admission/` 8.
//! - [`registry`] lists them; [`Engine`] runs them and derives each item's status.
//! - [`analysis`] holds the models rules and commands share (RBAC, NetworkPolicy, Pod Security
//!   per namespace, ...). Sections are private: other crates reach rules through the registry.
//!   `docs/ARCHITECTURE.md` has the layers and the anatomy of a rule.

mod admission;
pub mod analysis;
mod audit_logging;
mod auth;
pub mod cluster_kinds;
mod config;
mod engine;
mod images;
mod network;
pub mod node_reports;
pub mod owners;
mod placement;
mod pod_security;
pub mod registry;
mod rule;
mod secrets;
mod spill;
pub mod stream;
pub mod waivers;

/// The rules of each section folder, for the registry: the one place outside a section that
/// names the sections.
static SECTION_RULES: &[&[&Rule]] = &[
    auth::RULES,
    network::RULES,
    pod_security::RULES,
    audit_logging::RULES,
    placement::RULES,
    secrets::RULES,
    images::RULES,
    admission::RULES,
];

pub use config::{Config, ConfigError, PodSecurityConfig, SensitivityConfig};
pub use engine::{Engine, FileOrder, Judged};
pub use rule::{
    Admission, Analyses, Check, Context, Gathered, NodePlace, Nodes, Rule, Sink,
    MAX_FINDINGS_PER_OBJECT, MAX_MESSAGE_BYTES,
};
pub use stream::Stream;
pub use waivers::{FileWaiver, Waivers};
