//! Periodic access review (checklist item 1.5): every subject with its dangerous rights, and a
//! digest of them.
//!
//! `kcheck access-review` lists the subjects ([`view`]) and records a review as the ConfigMap
//! `kube-system/kcheck-access-review` ([`record`]); rule KC106 (`auth/access_review_overdue.rs`)
//! finds that record and compares its date and digest with the RBAC of the input. Both use
//! [`review`] and [`digest`], so the same permissions always give the same digest, and the record
//! is written here, next to the constants its reader looks for.
//!
//! The subjects and their rights are plain data of `kcheck-model` ([`SubjectReview`],
//! [`DangerousGrant`]) that `kcheck-report` renders.

use super::rbac::{PolicyRule, Rbac, Subject};
use kcheck_model::{AccessReview, Date};
pub use kcheck_model::{DangerousGrant, SubjectReview};
use sha2::{Digest as _, Sha256};

/// The name of the review record.
pub const RECORD_NAME: &str = "kcheck-access-review";
/// The namespace `kcheck access-review --record` writes it to (KC106 finds it in any).
pub const RECORD_NAMESPACE: &str = "kube-system";
/// The longest time between two reviews, in months.
pub const MAX_AGE_MONTHS: i32 = 24;

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
                        scope: grant.scope.into(),
                        binding: b.reference().to_string(),
                        role: grant.role.describe(),
                        location: Some(b.place()),
                    });
                }
            }
            grants.sort();
            grants.dedup();
            SubjectReview {
                subject: subject.into(),
                privileged,
                grants,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.privileged
            .cmp(&a.privileged)
            .then(b.grants.len().cmp(&a.grants.len()))
            .then_with(|| a.subject.cmp(&b.subject))
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
            let who = s.subject.to_string();
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

/// What `kcheck access-review` shows: every subject of [`review`] and their [`digest`].
pub fn view(rbac: &Rbac) -> AccessReview {
    let subjects = review(rbac);
    AccessReview {
        digest: digest(&subjects),
        subjects,
    }
}

/// The review record `kcheck access-review --record` writes: a ConfigMap manifest with the day
/// of the review, who made it, the digest of what was reviewed and how many subjects it covered,
/// in the keys KC106 reads.
pub fn record(reviewer: &str, today: Date, digest: &str, subjects: usize) -> String {
    format!(
        "# Access review record (checklist item 1.5), checked by kcheck rule KC106.\n\
         # Keep it with the cluster's manifests, or apply it.\n\
         apiVersion: v1\n\
         kind: ConfigMap\n\
         metadata:\n  name: {RECORD_NAME}\n  namespace: {RECORD_NAMESPACE}\n  \
         labels:\n    app.kubernetes.io/managed-by: kcheck\n\
         data:\n  reviewedAt: \"{today}\"\n  reviewer: {reviewer}\n  digest: {digest}\n  \
         subjects: \"{subjects}\"\n",
        reviewer = quote(reviewer),
        digest = quote(digest),
    )
}

/// A YAML (and JSON) double-quoted string.
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
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
