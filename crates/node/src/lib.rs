//! The node collector: reads a node (or a mounted node image with `--root`) and returns
//! [`kcheck_model::NodeFacts`]. It gathers facts only; the rules judge them.
//!
//! - `collect`: static pod manifests, `/proc/*/cmdline`, kubelet configuration, kubeconfigs, PKI,
//!   audit, encryption and admission configuration, CNI, LSM, file modes.
//! - `etcd`: raw Secret values in etcd, to verify encryption at rest (names only, never values).
//! - `probe`: anonymous HTTPS requests to the local control-plane ports.

pub mod etcd;
mod http;
pub mod probe;
