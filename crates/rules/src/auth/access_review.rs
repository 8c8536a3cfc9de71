//! Periodic access review (checklist item 1.5): every subject with its dangerous rights, a
//! digest of them, and the rule that checks the review record (KC106).
//!
//! `kcheck access-review` lists the subjects and records a review as the ConfigMap
//! `kube-system/kcheck-access-review`; KC106 finds that record and compares its date and digest
//! with the RBAC of the input. Both use [`review`] and [`digest`], so the same permissions always
//! give the same digest.

use super::rbac::{PolicyRule, Rbac, Scope, Subject, SubjectKind};
use crate::{declare_rule, Check, Context, Sink};
use kcheck_model::{text, Date, Evidence, FieldPath, Object, Severity, Text};
use sha2::{Digest as _, Sha256};

/// The name of the review record.
pub const RECORD_NAME: &str = "kcheck-access-review";
/// The namespace `kcheck access-review --record` writes it to (KC106 finds it in any).
pub const RECORD_NAMESPACE: &str = "kube-system";
/// The longest time between two reviews, in months.
pub const MAX_AGE_MONTHS: i32 = 24;

declare_rule! {
    /// ## What it checks
    /// The access-review record: the ConfigMap `kcheck-access-review` (in any namespace) that
    /// `kcheck access-review --record --reviewer NAME` writes, with the keys `reviewedAt`
    /// (YYYY-MM-DD), `reviewer`, `digest` and `subjects`.
    ///
    /// - no record while a cluster (`kcheck cluster`, live or from a dump) has RoleBindings or
    ///   ClusterRoleBindings: **fail**, reported on the first binding; in a scan of manifests,
    ///   where the record is not expected to be, the item is **not evaluated** with that reason
    ///   unless the record is part of the input;
    /// - `reviewedAt` missing, malformed, or more than 24 months before today: **fail**;
    /// - `digest` differs from the digest of the dangerous rights the RBAC of the input grants
    ///   (the same digest `kcheck access-review` prints): **warn**, permissions changed since
    ///   the review;
    /// - otherwise pass. A date in the future counts as recent.
    ///
    /// Today is the run's date (UTC): the system clock, or `KCHECK_TODAY` (YYYY-MM-DD) when it
    /// is set. An input without bindings and without a record is not evaluated.
    ///
    /// ## Why
    /// Checklist item 1.5: access should be reviewed at least every 24 months. Rights pile up:
    /// people change teams, service accounts outlive their applications, and temporary
    /// grants stay. A review that records what it saw makes the next one a diff.
    ///
    /// ## Fix
    /// Review the subjects and their rights, then record the review and keep the manifest with
    /// the cluster's (or apply it):
    /// ```sh
    /// kcheck access-review manifests/
    /// kcheck access-review manifests/ --record --reviewer alice --output manifests/access-review.yaml
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#authentication-authorization
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#periodic-review
    pub static RULE = {
        code: "KC106",
        name: "access-review-overdue",
        item: "1.5",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        title: Text::fixed("Access review is missing, overdue or out of date", "访问权限审查缺失、逾期或已过时"),
        fix: Text::fixed(
            "Review access with `kcheck access-review`, then record it with `kcheck access-review --record --reviewer NAME`.",
            "使用 `kcheck access-review` 审查访问权限,然后使用 `kcheck access-review --record --reviewer NAME` 记录审查。",
        ),
        check: Check::Inventory(check),
        reads: &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap"],
    }
}

/// One dangerous right reaching a subject.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DangerousGrant {
    /// `cluster-admin`, `* *` (a wildcard rule: its verbs, then its resources or, without
    /// resources, `URLs` and its non-resource URLs), or verbs and a resource: `get,list secrets`,
    /// `create pods/exec`.
    pub right: String,
    /// `cluster` or `namespace NS`.
    pub scope: String,
    /// `ClusterRoleBinding ops`, `RoleBinding ci/deployer`.
    pub binding: String,
    /// `ClusterRole cluster-admin`, `Role ci/deployer`.
    pub role: String,
    /// `file:line` of the binding, when it came from a file.
    pub location: Option<String>,
}

/// A subject and its dangerous rights.
#[derive(Debug, Clone)]
pub struct SubjectReview {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: &'static str,
    pub name: String,
    /// A service account's namespace.
    pub namespace: Option<String>,
    /// Holds cluster-admin or a rule with `*` verbs on `*` resources.
    pub privileged: bool,
    /// Sorted, without duplicates.
    pub grants: Vec<DangerousGrant>,
}

impl SubjectReview {
    /// `User alice`, `ServiceAccount ci/deployer`.
    pub fn describe(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

/// A family of dangerous rights: the verbs, the API group and the resources.
struct Family {
    verbs: &'static [&'static str],
    group: &'static str,
    resources: &'static [&'static str],
}

const fn f(
    verbs: &'static [&'static str],
    group: &'static str,
    resources: &'static [&'static str],
) -> Family {
    Family {
        verbs,
        group,
        resources,
    }
}

const RBAC: &str = "rbac.authorization.k8s.io";
const WRITE: &[&str] = &["create", "update", "patch", "delete"];

const FAMILIES: &[Family] = &[
    f(&["escalate", "bind"], RBAC, &["roles", "clusterroles"]),
    f(
        &["impersonate"],
        "",
        &["users", "groups", "serviceaccounts"],
    ),
    f(&["get", "list", "watch"], "", &["secrets"]),
    f(&["get", "create"], "", &["pods/exec", "pods/attach"]),
    f(&["get", "create"], "", &["nodes/proxy"]),
    f(&["create"], "", &["serviceaccounts/token"]),
    f(WRITE, "", &["pods", "replicationcontrollers"]),
    f(
        WRITE,
        "apps",
        &["deployments", "statefulsets", "daemonsets", "replicasets"],
    ),
    f(WRITE, "batch", &["jobs", "cronjobs"]),
    f(
        WRITE,
        "admissionregistration.k8s.io",
        &[
            "validatingwebhookconfigurations",
            "mutatingwebhookconfigurations",
        ],
    ),
    f(
        &["update", "patch"],
        "certificates.k8s.io",
        &["certificatesigningrequests/approval"],
    ),
    f(&["approve"], "certificates.k8s.io", &["signers"]),
];

fn kind_name(kind: SubjectKind) -> &'static str {
    match kind {
        SubjectKind::User => "User",
        SubjectKind::Group => "Group",
        SubjectKind::ServiceAccount => "ServiceAccount",
    }
}

fn scope_text(scope: Scope) -> String {
    match scope {
        Scope::Cluster => "cluster".to_string(),
        Scope::Namespace(ns) => format!("namespace {ns}"),
    }
}

fn is_full_wildcard(rule: &PolicyRule) -> bool {
    rule.verbs.contains(&"*") && rule.resources.contains(&"*")
}

/// The dangerous rights one rule gives, as `right` strings.
fn rights(rule: &PolicyRule) -> Vec<String> {
    if rule.verbs.contains(&"*") || rule.resources.contains(&"*") {
        let on = if rule.resources.is_empty() {
            format!("URLs {}", rule.non_resource_urls.join(","))
        } else {
            rule.resources.join(",")
        };
        return vec![format!("{} {on}", rule.verbs.join(","))];
    }
    let mut out = Vec::new();
    for family in FAMILIES {
        for resource in family.resources {
            let verbs: Vec<&str> = family
                .verbs
                .iter()
                .copied()
                .filter(|v| rule.allows(v, family.group, resource))
                .collect();
            if !verbs.is_empty() {
                out.push(format!("{} {resource}", verbs.join(",")));
            }
        }
    }
    out
}

/// Every subject of the RBAC (each listed once), with its dangerous rights: privileged
/// subjects first, then by number of dangerous rights, then by kind, name and namespace.
pub fn review(rbac: &Rbac) -> Vec<SubjectReview> {
    let mut subjects: Vec<&Subject> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for binding in &rbac.bindings {
        for s in &binding.subjects {
            if seen.insert((s.kind, s.name, s.namespace)) {
                subjects.push(s);
            }
        }
    }
    // The dangerous rights of a rule are the same for every subject it reaches.
    let mut rights_of: std::collections::HashMap<*const PolicyRule, Vec<String>> =
        std::collections::HashMap::new();
    let mut out: Vec<SubjectReview> = subjects
        .into_iter()
        .map(|subject| {
            let mut privileged = false;
            let mut grants = Vec::new();
            for grant in rbac.grants(subject) {
                let admin = grant.role.kind == "ClusterRole" && grant.role.name == "cluster-admin";
                privileged |= admin || is_full_wildcard(grant.rule);
                let b = grant.binding.object;
                let rights =
                    if grant.role.kind == "ClusterRole" && grant.role.name == "cluster-admin" {
                        vec!["cluster-admin".to_string()]
                    } else {
                        rights_of
                            .entry(grant.rule as *const PolicyRule)
                            .or_insert_with(|| rights(grant.rule))
                            .clone()
                    };
                if rights.is_empty() {
                    continue;
                }
                for right in rights {
                    grants.push(DangerousGrant {
                        right,
                        scope: scope_text(grant.scope),
                        binding: b.reference().to_string(),
                        role: match grant.role.namespace {
                            Some(ns) => format!("{} {ns}/{}", grant.role.kind, grant.role.name),
                            None => format!("{} {}", grant.role.kind, grant.role.name),
                        },
                        location: match &b.source {
                            kcheck_model::Source::File { path, .. } => {
                                Some(format!("{path}:{}", b.root.pos.line.max(1)))
                            }
                            kcheck_model::Source::Api { path } => Some(path.to_string()),
                        },
                    });
                }
            }
            grants.sort();
            grants.dedup();
            SubjectReview {
                kind: kind_name(subject.kind),
                name: subject.name.to_string(),
                namespace: subject.namespace.map(str::to_string),
                privileged,
                grants,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.privileged
            .cmp(&a.privileged)
            .then(b.grants.len().cmp(&a.grants.len()))
            .then_with(|| (a.kind, &a.name, &a.namespace).cmp(&(b.kind, &b.name, &b.namespace)))
    });
    out
}

/// The canonical text the digest is taken over: one line per (subject, right, scope), tab
/// separated, sorted, without duplicates. Bindings, roles and file positions are left out, so
/// moving a grant from one binding to another does not change it.
pub fn canonical(reviews: &[SubjectReview]) -> String {
    let mut lines: Vec<String> = reviews
        .iter()
        .flat_map(|s| {
            let who = s.describe();
            s.grants
                .iter()
                .map(move |g| format!("{who}\t{}\t{}", g.right, g.scope))
        })
        .collect();
    lines.sort();
    lines.dedup();
    lines.into_iter().map(|l| l + "\n").collect()
}

/// `sha256:` and the hex SHA-256 of [`canonical`].
pub fn digest(reviews: &[SubjectReview]) -> String {
    let hash = Sha256::digest(canonical(reviews).as_bytes());
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Whether a review on `reviewed` is more than 24 months before `today`.
pub fn overdue(reviewed: Date, today: Date) -> bool {
    today > due(reviewed)
}

/// The last day the next review is due: 24 months after `reviewed`.
pub fn due(reviewed: Date) -> Date {
    Date {
        year: reviewed.year + MAX_AGE_MONTHS / 12,
        ..reviewed
    }
}

fn check(ctx: &Context, sink: &mut Sink) {
    let inventory = ctx.inventory;
    let first_binding = inventory
        .objects()
        .iter()
        .find(|o| o.kind == "RoleBinding" || o.kind == "ClusterRoleBinding");
    // The latest record, when there are several.
    let record = inventory
        .of_kind("ConfigMap")
        .filter(|o| o.name == RECORD_NAME)
        .max_by_key(|o| reviewed_at(o));
    let Some(record) = record else {
        // Manifests of an application are not where a cluster's review record lives: without
        // it a scan cannot tell whether access was reviewed, and says so.
        if let (Some(_), false) = (first_binding, ctx.whole_cluster) {
            sink.not_examined_in_input(text!(
                "no access-review record in the input: add it (kcheck access-review --record writes it) or audit the cluster with kcheck cluster",
                "输入中没有访问权限审查记录:请加入该记录(由 kcheck access-review --record 生成),或使用 kcheck cluster 审计集群",
            ));
            return;
        }
        if let Some(binding) = first_binding {
            sink.examined();
            sink.fail(
                binding,
                FieldPath::root(),
                text!(
                    "no access-review record: run kcheck access-review --record",
                    "没有访问权限审查记录:请运行 kcheck access-review --record",
                ),
            );
        }
        return;
    };
    sink.examined();
    let today = ctx.now.today();
    let Some(reviewed) = reviewed_at(record) else {
        sink.fail(
            record,
            FieldPath::root().key("data"),
            text!(
                "access-review record has no valid reviewedAt (YYYY-MM-DD)",
                "访问权限审查记录没有有效的 reviewedAt(YYYY-MM-DD)",
            ),
        );
        return;
    };
    if overdue(reviewed, today) {
        let due = due(reviewed);
        sink.fail(
            record,
            FieldPath::root().key("data").key("reviewedAt"),
            text!(
                "the last access review was on {reviewed}, more than {MAX_AGE_MONTHS} months ago (the next was due by {due})",
                "上次访问权限审查在 {reviewed},已超过 {MAX_AGE_MONTHS} 个月(下次审查应在 {due} 之前完成)",
            ),
        );
        return;
    }
    if first_binding.is_none() {
        return;
    }
    let current = digest(&review(ctx.rbac()));
    let recorded = record
        .root
        .path(&["data", "digest"])
        .and_then(|n| n.as_str());
    if recorded.map(str::trim) != Some(current.as_str()) {
        sink.warn(
            record,
            FieldPath::root().key("data").key("digest"),
            text!(
                "permissions changed since the review on {reviewed}: run kcheck access-review and record a new review",
                "自 {reviewed} 的审查以来权限已变更:请运行 kcheck access-review 并记录新的审查",
            ),
        );
    }
}

fn reviewed_at(record: &Object) -> Option<Date> {
    record
        .root
        .path(&["data", "reviewedAt"])
        .and_then(|n| n.as_str())
        .and_then(Date::parse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overdue_after_24_months() {
        let d = |s| Date::parse(s).unwrap();
        assert!(!overdue(d("2024-03-01"), d("2026-03-01")));
        assert!(overdue(d("2024-03-01"), d("2026-03-02")));
        assert!(!overdue(d("2099-01-01"), d("2026-03-02")));
    }
}
