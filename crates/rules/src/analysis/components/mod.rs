//! Readings of a node scan's facts shared by the node rules (the rules themselves live under
//! their checklist section, like every rule): effective kubelet settings (flags over the config
//! file), effective admission plugins per Kubernetes version.

pub mod admission;
pub mod apiserver;
pub mod evidence;
pub mod kubelet;
