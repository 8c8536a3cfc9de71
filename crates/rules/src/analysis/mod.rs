//! The analyses that rules and commands share: models of the cluster that several checklist
//! items, `kcheck who-can`, `kcheck netpol`, `kcheck access-review` and the webhook read.
//!
//! An analysis answers a question about the evidence ("which subjects may create pods in
//! `shop`?", "is this pod isolated for egress?", "which engines enforce Pod Security here?");
//! a rule turns answers into findings. Analyses never import a section folder (`auth/`,
//! `network/`, ...): rules depend on analyses, not the other way round
//! (`tests/layering.rs` keeps it so).
//!
//! | module | what it models | used by |
//! |---|---|---|
//! | [`rbac`] | roles, bindings, aggregation, the default ClusterRoles; who may do what | 1.1, 1.6, 3.1, 6.4, `who-can`, `access-review` |
//! | [`access_review`] | dangerous rights per subject and their digest | 1.5, `access-review` |
//! | [`netpol`] | NetworkPolicy semantics: selection, isolation, connections, coverage | 2.2, 2.3, 2.6, `netpol` |
//! | [`cni`], [`mesh`] | the CNI plugin and service mesh a cluster runs | 2.1, 2.4 |
//! | [`namespace_pss`] | the Pod Security level each namespace enforces | 2.x exemptions, 3.2, 5.1, 8.x |
//! | [`pod_security_engines`], [`kyverno`], [`webhooks`] | admission engines and their reach | 7.3, 8.x |
//! | [`image_verification`] | policies that verify image signatures | 7.2, 7.3 |
//! | [`certificates`] | certificate lifetimes, PEM values in Secrets | 1.3, 1.4 |
//! | [`secret_detect`] | secret-looking values and their redacted fingerprints | 6.1, 6.2 |
//! | [`audit_policy`], [`encryption_config`] | the API server's audit policy and encryption configuration | 4.1, 6.2 |
//! | [`control_plane`] | the control plane's own pods | 2.5 |
//! | [`components`] | a node's effective kubelet and API server settings, admission plugins | node rules of every section |
//! | [`scheduling`], [`sensitivity`] | where pods may run; which workloads are sensitive | 3.4, 5.x, 6.3 |
//! | [`limit_ranges`] | the container defaults LimitRanges give | 3.3, 3.4 |
//! | [`services`] | how Services are exposed (internal load balancers) | 2.5, 2.7 |
//! | [`label_selector`] | label selectors as RBAC aggregation and policies use them | rbac, kyverno |

pub mod access_review;
pub mod audit_policy;
pub mod certificates;
pub mod cni;
pub mod components;
pub mod control_plane;
pub mod distro_eol;
pub mod encryption_config;
pub mod image_verification;
pub mod images;
pub mod kyverno;
pub mod label_selector;
pub mod limit_ranges;
pub mod mesh;
pub mod namespace_pss;
pub mod netpol;
pub mod pod_security_engines;
pub mod rbac;
pub mod scheduling;
pub mod secret_detect;
pub mod sensitivity;
pub mod services;
#[cfg(test)]
mod testing;
pub mod webhooks;
