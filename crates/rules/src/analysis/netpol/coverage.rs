//! The coverage matrix behind `kcheck netpol`: for every namespace and every workload, whether
//! some NetworkPolicy isolates its pods for ingress and for egress, and whether they can reach
//! the cloud metadata API. The same semantics as KC203, KC205, KC206, KC208 and KC209.
//! [`view`] gives the matrix as `kcheck netpol` shows it.

use super::metadata::first_opening_rule;
use super::{pod_labels, Direction, Policy};
use crate::analysis::namespace_pss::{is_exempt, namespace_of};
use crate::Context;
use kcheck_model::{
    MetadataAccess, NetpolCoverage, NetpolNamespace, NetpolTotals, NetpolWorkload, Node, Object,
    OpenedBy, WORKLOAD_KINDS,
};

/// One workload's row.
#[derive(Clone, Debug)]
pub struct WorkloadCoverage<'a> {
    pub workload: &'a Object,
    pub namespace: &'a str,
    /// The policies that isolate its pods for ingress (by name, in inventory order).
    pub ingress: Vec<&'a str>,
    pub egress: Vec<&'a str>,
    /// A selecting policy and its rule that open the pods to all ingress.
    pub ingress_open: Option<(&'a str, usize)>,
    /// The same for egress.
    pub egress_open: Option<(&'a str, usize)>,
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
            let open = |d| {
                selecting
                    .iter()
                    .find_map(|p| p.opens_everything(d).map(|r| (p.object.name.as_str(), r)))
            };
            let (ingress_open, egress_open) = (open(Direction::Ingress), open(Direction::Egress));
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
                ingress_open,
                egress_open,
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

impl WorkloadCoverage<'_> {
    /// Not isolated in some direction, or able to reach the metadata API.
    pub fn has_gap(&self) -> bool {
        self.ingress.is_empty()
            || self.egress.is_empty()
            || self.ingress_open.is_some()
            || self.egress_open.is_some()
            || self.metadata.reachable()
    }
}

impl NamespaceCoverage<'_> {
    /// Checked, and without a default deny in some direction or with a workload that has a gap.
    pub fn has_gap(&self) -> bool {
        !self.exempt
            && (self.default_deny_ingress.is_none()
                || self.default_deny_egress.is_none()
                || self.workloads.iter().any(WorkloadCoverage::has_gap))
    }
}

/// The counts over the namespaces that are not exempt.
fn totals(rows: &[&NamespaceCoverage]) -> NetpolTotals {
    let checked: Vec<&NamespaceCoverage> = rows.iter().copied().filter(|n| !n.exempt).collect();
    let workloads = || checked.iter().flat_map(|n| n.workloads.iter());
    NetpolTotals {
        namespaces: checked.len(),
        workloads: workloads().count(),
        ingress_not_isolated: workloads()
            .filter(|w| w.ingress.is_empty() || w.ingress_open.is_some())
            .count(),
        egress_not_isolated: workloads()
            .filter(|w| w.egress.is_empty() || w.egress_open.is_some())
            .count(),
        metadata_reachable: workloads().filter(|w| w.metadata.reachable()).count(),
        without_default_deny: checked
            .iter()
            .filter(|n| n.default_deny_ingress.is_none() || n.default_deny_egress.is_none())
            .count(),
    }
}

/// `kcheck netpol`'s view of the matrix: only `namespace` when one is given, and with
/// `gaps_only`, only the namespaces and workloads that have a gap. The totals count every
/// workload of the namespaces asked about, before the gaps are picked out.
pub fn view(
    rows: &[NamespaceCoverage],
    namespace: Option<&str>,
    gaps_only: bool,
) -> NetpolCoverage {
    let asked: Vec<&NamespaceCoverage> = rows
        .iter()
        .filter(|n| namespace.is_none_or(|ns| n.name == ns))
        .collect();
    let totals = totals(&asked);
    let namespaces = asked
        .into_iter()
        .filter(|n| !gaps_only || n.has_gap())
        .map(|n| NetpolNamespace {
            name: n.name.to_string(),
            exempt: n.exempt,
            policies: n.policies,
            default_deny_ingress: n.default_deny_ingress.map(str::to_string),
            default_deny_egress: n.default_deny_egress.map(str::to_string),
            workloads: n
                .workloads
                .iter()
                .filter(|w| !gaps_only || w.has_gap())
                .map(workload_view)
                .collect(),
        })
        .collect();
    NetpolCoverage { namespaces, totals }
}

fn workload_view(w: &WorkloadCoverage) -> NetpolWorkload {
    let names = |policies: &[&str]| policies.iter().map(|p| p.to_string()).collect();
    NetpolWorkload {
        kind: w.workload.kind.clone(),
        name: w.workload.name.clone(),
        ingress: names(&w.ingress),
        egress: names(&w.egress),
        ingress_open: w.ingress_open.map(|(policy, rule)| OpenedBy {
            policy: policy.to_string(),
            rule,
        }),
        egress_open: w.egress_open.map(|(policy, rule)| OpenedBy {
            policy: policy.to_string(),
            rule,
        }),
        metadata: match &w.metadata {
            MetadataReach::NotIsolated => MetadataAccess::NotIsolated,
            MetadataReach::AllowedBy { policy, rule } => MetadataAccess::AllowedBy {
                policy: policy.to_string(),
                rule: *rule,
            },
            MetadataReach::Blocked => MetadataAccess::Blocked,
        },
        host_network: w.host_network,
        location: w.workload.place(),
    }
}
