//! Evaluating one pod spec at a level and version.

use crate::checks;
use crate::msg;
use crate::pod::View;
use crate::policy::{Level, Version};
use crate::read::{Ctx, Mistyped};
use kcheck_model::{FieldPath, Object, PodSpec};

/// The check id of the finding for fields of the wrong JSON type, which the API server would
/// refuse to decode (so the pod could never be admitted, whatever its level).
pub const INVALID: &str = "invalid";

/// One failed check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The upstream check id, or [`INVALID`].
    pub check: &'static str,
    /// Short and upstream-like: `privileged`, `host namespaces`, `runAsNonRoot != true`.
    pub reason: String,
    /// What exactly, in upstream's words: `container "x" must not set securityContext.privileged=true`.
    pub detail: String,
    /// The fields at fault, in the order the pod lists them. A field the pod must set but does not
    /// is listed too (its position resolves to the nearest parent that exists).
    pub fields: Vec<FieldPath>,
}

impl Violation {
    pub(crate) fn new(
        check: &'static str,
        reason: impl Into<String>,
        detail: String,
        fields: Vec<FieldPath>,
    ) -> Violation {
        Violation {
            check,
            reason: reason.into(),
            detail,
            fields,
        }
    }
}

/// The outcome of one evaluation: allowed when nothing was violated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// Type errors first (check [`INVALID`]), then the failed checks in upstream's order.
    pub violations: Vec<Violation>,
}

impl Evaluation {
    pub fn allowed(&self) -> bool {
        self.violations.is_empty()
    }

    /// The violation of one check, if it failed.
    pub fn violation(&self, check: &str) -> Option<&Violation> {
        self.violations.iter().find(|v| v.check == check)
    }

    /// Upstream's aggregate message: `reason (detail), reason (detail)`, as in
    /// `violates PodSecurity "restricted:latest": <this>`.
    pub fn forbidden_detail(&self) -> String {
        let mut out = String::new();
        for (i, v) in self.violations.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&v.reason);
            if !v.detail.is_empty() {
                out.push_str(" (");
                out.push_str(&v.detail);
                out.push(')');
            }
        }
        out
    }
}

/// Evaluates a pod spec (of any workload kind) as Pod Security Admission would at `level` and
/// `version`. `Privileged` runs no checks and reads nothing, as upstream.
pub fn evaluate(pod: &PodSpec<'_>, level: Level, version: Version) -> Evaluation {
    if level == Level::Privileged {
        return Evaluation::default();
    }
    let minor = version.effective_minor();
    let mut ctx = Ctx::new(*pod);
    View::resolve(&mut ctx);
    let mut violations = Vec::new();
    for &(check, since) in checks::active(level, minor) {
        if let Some(v) = (check.run)(&ctx, since) {
            violations.push(v);
        }
    }
    let mistyped = ctx.take_mistyped();
    if !mistyped.is_empty() {
        violations.insert(0, invalid(mistyped));
    }
    Evaluation { violations }
}

/// Evaluates an object's pod spec; `None` for kinds that carry none.
pub fn evaluate_object(object: &Object, level: Level, version: Version) -> Option<Evaluation> {
    object.pod_spec().map(|pod| evaluate(&pod, level, version))
}

/// One violation for every field of the wrong type, sorted by path, each path once.
fn invalid(mut mistyped: Vec<Mistyped>) -> Violation {
    mistyped.sort_by(|a, b| a.path.cmp(&b.path));
    mistyped.dedup_by(|a, b| a.path == b.path);
    let detail = mistyped
        .iter()
        .map(|m| format!("{} must be {}, not {}", m.path, m.expected, m.found))
        .collect::<Vec<_>>()
        .join("; ");
    let reason = msg::plural(mistyped.len(), "invalid field type", "invalid field types");
    Violation::new(
        INVALID,
        reason,
        detail,
        mistyped.into_iter().map(|m| m.path).collect(),
    )
}
