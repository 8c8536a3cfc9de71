//! The coverage matrix behind `kcheck netpol`: for every namespace and every workload, whether
//! some NetworkPolicy isolates its pods for ingress and for egress, and whether they can reach
//! the cloud metadata API. The same semantics as KC203, KC205, KC206, KC208 and KC209.

use super::metadata::first_opening_rule;
use super::{pod_labels, Direction, Policy};
use crate::analysis::namespace_pss::{is_exempt, namespace_of};
use crate::Context;
use kcheck_model::{Node, Object, WORKLOAD_KINDS};

/// One workload's row.
#[derive(Clone, Debug)]
pub struct WorkloadCoverage<'a> {
    pub workload: &'a Object,
    pub namespace: &'a str,
    /// The policies that isolate its pods for ingress (by name, in inventory order).
    pub ingress: Vec<&'a str>,
    pub egress: Vec<&'a str>,
    pub metadata: MetadataReach<'a>,
    /// On the host network, where most plugins do not apply policies.
    pub host_network: bool,
}

/// Whether pods can reach the cloud metadata API (169.254.169.254:80, fd00:ec2::254:80).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetadataReach<'a> {
    /// Not isolated for egress: everything is reachable.
    NotIsolated,
    /// Isolated, but `spec.egress[rule]` of this policy lets it through.
    AllowedBy { policy: &'a str, rule: usize },
    /// Isolated, and no egress rule that selects it opens the metadata API.
    Blocked,
}

impl MetadataReach<'_> {
    pub fn reachable(&self) -> bool {
        !matches!(self, MetadataReach::Blocked)
    }
}

/// One namespace's row.
#[derive(Clone, Debug)]
pub struct NamespaceCoverage<'a> {
    pub name: &'a str,
    /// A system namespace left out of the checks (`podSecurity.exemptNamespaces`).
    pub exempt: bool,
    pub policies: usize,
    /// The policy that denies all ingress to every pod (empty podSelector, type Ingress, no
    /// ingress rules), if any.
    pub default_deny_ingress: Option<&'a str>,
    pub default_deny_egress: Option<&'a str>,
    pub workloads: Vec<WorkloadCoverage<'a>>,
}

/// Whether `policy` is a default deny for `direction`.
pub fn is_default_deny(policy: &Policy, direction: Direction) -> bool {
    policy.selects_all_pods() && policy.has_type(direction) && policy.rules(direction).is_empty()
}

/// The matrix over every namespace the inventory knows, sorted by namespace, then workload kind
/// and name.
pub fn coverage<'a>(ctx: &Context<'a>) -> Vec<NamespaceCoverage<'a>> {
    let inventory = ctx.inventory;
    let mut rows: Vec<NamespaceCoverage<'a>> = super::known_namespaces(inventory)
        .into_iter()
        .map(|name| {
            let policies = ctx.network_policies(name);
            let deny = |d| {
                policies
                    .iter()
                    .find(|p| is_default_deny(p, d))
                    .map(|p| p.object.name.as_str())
            };
            NamespaceCoverage {
                name,
                exempt: is_exempt(ctx, name),
                policies: policies.len(),
                default_deny_ingress: deny(Direction::Ingress),
                default_deny_egress: deny(Direction::Egress),
                workloads: Vec::new(),
            }
        })
        .collect();
    for kind in WORKLOAD_KINDS {
        for object in inventory.of_kind(kind) {
            let Some(pod) = object.pod_spec() else {
                continue;
            };
            let namespace = namespace_of(object);
            let Ok(i) = rows.binary_search_by(|r| r.name.cmp(namespace)) else {
                continue;
            };
            let ns = rows[i].name;
            let labels = pod_labels(object);
            let selecting: Vec<&Policy<'a>> = ctx
                .network_policies(ns)
                .iter()
                .filter(|p| p.selects(ns, &labels))
                .collect();
            let names = |d| {
                selecting
                    .iter()
                    .filter(|p| p.has_type(d))
                    .map(|p| p.object.name.as_str())
                    .collect::<Vec<_>>()
            };
            let (ingress, egress) = (names(Direction::Ingress), names(Direction::Egress));
            let metadata = if egress.is_empty() {
                MetadataReach::NotIsolated
            } else {
                selecting
                    .iter()
                    .find_map(|p| {
                        first_opening_rule(p).map(|rule| MetadataReach::AllowedBy {
                            policy: p.object.name.as_str(),
                            rule,
                        })
                    })
                    .unwrap_or(MetadataReach::Blocked)
            };
            rows[i].workloads.push(WorkloadCoverage {
                workload: object,
                namespace: ns,
                ingress,
                egress,
                metadata,
                host_network: pod.get("hostNetwork").and_then(Node::as_bool) == Some(true),
            });
        }
    }
    for row in &mut rows {
        row.workloads.sort_by(|a, b| {
            (&a.workload.kind, &a.workload.name).cmp(&(&b.workload.kind, &b.workload.name))
        });
    }
    rows
}
