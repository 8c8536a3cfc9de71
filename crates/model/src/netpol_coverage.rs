//! The NetworkPolicy coverage of `kcheck netpol`: for every namespace and workload, whether some
//! policy isolates its pods for ingress and for egress, and whether they can reach the cloud
//! metadata API. Plain data, built by the NetworkPolicy analysis of `kcheck-rules` and rendered
//! by `kcheck-report`.

/// The namespaces shown, and the totals over the namespaces asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetpolCoverage {
    /// Sorted by name; each namespace's workloads by kind and name.
    pub namespaces: Vec<NetpolNamespace>,
    /// Counted before gaps-only filtering, so that `--gaps` shows fewer rows, never other totals.
    pub totals: NetpolTotals,
}

/// One namespace's coverage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetpolNamespace {
    pub name: String,
    /// A system namespace left out of the checks (`podSecurity.exemptNamespaces`).
    pub exempt: bool,
    /// How many NetworkPolicies it has.
    pub policies: usize,
    /// The policy that denies all ingress to every pod of the namespace, if any.
    pub default_deny_ingress: Option<String>,
    /// The policy that denies all egress from every pod of the namespace, if any.
    pub default_deny_egress: Option<String>,
    pub workloads: Vec<NetpolWorkload>,
}

/// One workload's coverage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetpolWorkload {
    pub kind: String,
    pub name: String,
    /// The policies that isolate its pods for ingress, in input order; none: not isolated.
    pub ingress: Vec<String>,
    /// The policies that isolate its pods for egress, in input order; none: not isolated.
    pub egress: Vec<String>,
    /// A policy selecting its pods whose rule allows all ingress: the pods are open to all,
    /// whatever the other policies say (policies add up).
    pub ingress_open: Option<OpenedBy>,
    /// The same for egress.
    pub egress_open: Option<OpenedBy>,
    pub metadata: MetadataAccess,
    /// On the host network, where most network plugins do not apply policies.
    pub host_network: bool,
    /// Where the workload is: `file:line`, or its API path.
    pub location: String,
}

/// The policy and rule (`spec.ingress[rule]` or `spec.egress[rule]`) that allow everything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedBy {
    pub policy: String,
    pub rule: usize,
}

impl NetpolWorkload {
    /// Some policy isolates its pods for ingress and none opens them to all.
    pub fn ingress_isolated(&self) -> bool {
        !self.ingress.is_empty() && self.ingress_open.is_none()
    }

    /// Some policy isolates its pods for egress and none opens them to all.
    pub fn egress_isolated(&self) -> bool {
        !self.egress.is_empty() && self.egress_open.is_none()
    }
}

/// Whether a workload's pods can reach the cloud metadata API (169.254.169.254:80,
/// fd00:ec2::254:80).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetadataAccess {
    /// Not isolated for egress: everything is reachable.
    NotIsolated,
    /// Isolated, but `spec.egress[rule]` of this policy lets it through.
    AllowedBy { policy: String, rule: usize },
    /// Isolated, and no egress rule that selects the pods opens the metadata API.
    Blocked,
}

impl MetadataAccess {
    pub fn reachable(&self) -> bool {
        !matches!(self, MetadataAccess::Blocked)
    }
}

/// The counts of `kcheck netpol`'s summary line, over the namespaces that are not exempt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetpolTotals {
    pub namespaces: usize,
    pub workloads: usize,
    pub ingress_not_isolated: usize,
    pub egress_not_isolated: usize,
    pub metadata_reachable: usize,
    /// Namespaces without a default deny in one direction or both.
    pub without_default_deny: usize,
}
