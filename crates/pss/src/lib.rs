//! The Pod Security Standards, at every policy version from v1.0 to v1.37, giving the verdicts
//! Pod Security Admission gives.
//!
//! Checklist item 3.2 asks that every namespace enforce a standard; to say whether a pod would be
//! admitted we must evaluate it exactly as the admission controller would at the namespace's
//! level and pinned version, not by our own reading of the standard. So the checks here follow
//! upstream's (`policy/check_*.go` in kubernetes/pod-security-admission) check by check: the same
//! ids, fields, allowed values, revisions, Windows and user-namespace exemptions, and the same
//! reason strings; `tests/conformance.rs` runs upstream's 4,537 fixtures.
//!
//! ```
//! # use kcheck_pss::{evaluate_object, Level, Version};
//! let loaded = kcheck_load::load_bytes(
//!     "pod.yaml",
//!     b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    securityContext: {privileged: true}\n",
//!     &kcheck_load::Limits::default(),
//! );
//! let eval = evaluate_object(&loaded.objects[0], Level::Baseline, Version::Latest).unwrap();
//! assert!(!eval.allowed());
//! assert_eq!(eval.violations[0].reason, "privileged");
//! assert_eq!(eval.violations[0].fields[0].to_string(), "spec.containers[0].securityContext.privileged");
//! ```
//!
//! What this crate evaluates is the object as written, the way upstream's policy library does,
//! with one piece of API-server defaulting that changes verdicts and applies to every workload
//! kind: a volume with no known source is an `emptyDir`. Fields of the wrong JSON type, which the
//! API server would refuse to decode, are reported under the check id [`INVALID`] and otherwise
//! read as absent.

mod checks;
mod eval;
mod fields;
mod msg;
mod pod;
mod policy;
mod read;
mod report;

pub use checks::{CheckInfo, Revision};
pub use eval::{evaluate, evaluate_object, Evaluation, Violation, INVALID};
pub use policy::{Level, ParseError, Version, NEWEST_MINOR};
pub use report::report;

/// Every check, baseline first, in the order violations are reported.
pub fn checks() -> &'static [CheckInfo] {
    checks::CHECKS
}

/// One check by its upstream id.
pub fn check(id: &str) -> Option<&'static CheckInfo> {
    checks::CHECKS.iter().find(|c| c.id == id)
}

/// The checks that run at a level and version (restricted drops the baseline checks it
/// overrides), in report order, each with the revision in force.
pub fn checks_at(
    level: Level,
    version: Version,
) -> impl Iterator<Item = (&'static CheckInfo, &'static Revision)> {
    let minor = version.effective_minor();
    checks::active(level, minor)
        .iter()
        .filter_map(move |(check, _)| check.revision_at(minor).map(|r| (*check, r)))
}
