//! The node collector: reads a node (or a mounted node image with `--root`) and returns
//! [`kcheck_model::NodeFacts`]. It gathers facts only; the rules judge them.
//!
//! - [`collect()`]: static pod manifests, `/proc/*/cmdline`, kubelet configuration, kubeconfigs,
//!   PKI, audit, encryption and admission configuration, CNI, LSM, file modes. The module
//!   [`collect`] lists the `Missing::what` keys it records.
//! - `etcd`: raw Secret values in etcd, to verify encryption at rest (names only, never values).
//! - `probe`: anonymous HTTPS requests to the local control-plane ports.
//! - `testing` (feature `testing`): kubeadm-like node trees for tests.

pub mod collect;
pub mod etcd;
// The HTTP(S) client behind `etcd` and `probe`.
mod http;
pub mod probe;
#[cfg(feature = "testing")]
pub mod testing;

pub use collect::{collect, collect_with_inputs, Collected, Options};
