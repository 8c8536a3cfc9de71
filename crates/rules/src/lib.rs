//! kcheck's rules, one file each under the checklist section they serve, and the engine that
//! turns evidence into a report.
//!
//! - `auth/` section 1, `network/` 2, `pod_security/` 3, `audit_logging/` 4, `placement/` 5,
//!   `secrets/` 6, `images/` 7, `admission/` 8.
//! - [`registry`] lists them; [`Engine`] runs them and derives each item's status.

pub mod admission;
pub mod audit_logging;
pub mod auth;
pub mod cluster_kinds;
mod config;
mod engine;
pub mod images;
pub mod network;
pub mod node;
pub mod owners;
pub mod placement;
pub mod pod_security;
pub mod registry;
mod rule;
pub mod secrets;
mod sensitivity;
pub mod waivers;

pub use config::{Config, ConfigError, PodSecurityConfig, SensitivityConfig};
pub use engine::Engine;
pub use rule::{Check, Context, NodePlace, Rule, Sink, MAX_FINDINGS_PER_OBJECT, MAX_MESSAGE_BYTES};
pub use waivers::{FileWaiver, Waivers};
