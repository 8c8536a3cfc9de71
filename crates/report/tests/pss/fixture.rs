//! A hand-built `kcheck pss` report: two columns (baseline and restricted at v1.37), three
//! workloads (allowed in both; denied in restricted only, with two violations; denied in both and
//! read from the API, so without any location), and an input diagnostic.

use kcheck_model::{
    Diagnostic, DiagnosticSeverity, Inputs, Location, ObjectRef, PssColumn, PssField, PssReport,
    PssVerdict, PssViolation, PssWorkload, Text,
};
use std::sync::Arc;

pub const HOSTILE: &str = "<script>alert('x')</script>&\"q\"|*b*";

fn at(file: &str, line: u32, column: u32) -> Option<Location> {
    Some(Location {
        file: Arc::from(file),
        line,
        column,
    })
}

fn object(api_version: &str, kind: &str, ns: &str, name: &str) -> ObjectRef {
    ObjectRef {
        api_version: api_version.into(),
        kind: kind.into(),
        namespace: Some(ns.into()),
        name: name.into(),
    }
}

fn field(path: &str, location: Option<Location>) -> PssField {
    PssField {
        path: path.into(),
        location,
    }
}

fn violation(check: &str, reason: &str, detail: &str, fields: Vec<PssField>) -> PssViolation {
    PssViolation {
        check: check.into(),
        reason: reason.into(),
        detail: detail.into(),
        fields,
    }
}

fn allowed() -> PssVerdict {
    PssVerdict {
        allowed: true,
        violations: vec![],
    }
}

fn denied(violations: Vec<PssViolation>) -> PssVerdict {
    PssVerdict {
        allowed: false,
        violations,
    }
}

pub const WEB: &str = "deploy/my app/web.yaml";

fn privileged() -> PssViolation {
    violation(
        "privileged",
        "privileged",
        "container \"agent\" must not set securityContext.privileged=true",
        vec![field(
            "spec.template.spec.containers[0].securityContext.privileged",
            None,
        )],
    )
}

pub fn report() -> PssReport {
    PssReport {
        tool_name: "kcheck",
        tool_version: "0.1.0",
        columns: vec![
            PssColumn {
                level: "baseline".into(),
                version: "v1.37".into(),
            },
            PssColumn {
                level: "restricted".into(),
                version: "v1.37".into(),
            },
        ],
        workloads: vec![
            // Allowed in both columns.
            PssWorkload {
                object: object("v1", "Pod", "prod", "ok"),
                location: at("pods.yaml", 1, 1),
                verdicts: vec![allowed(), allowed()],
            },
            // Denied in restricted only, two violations. runAsNonRoot is missing from the pod and
            // the container: both fields resolve to the same parent (the table lists it once).
            PssWorkload {
                object: object("apps/v1", "Deployment", "prod", "web"),
                location: at(WEB, 3, 1),
                verdicts: vec![
                    allowed(),
                    denied(vec![
                        violation(
                            "runAsNonRoot",
                            "runAsNonRoot != true",
                            "pod or container \"web\" must set securityContext.runAsNonRoot=true",
                            vec![
                                field(
                                    "spec.template.spec.securityContext.runAsNonRoot",
                                    at(WEB, 20, 7),
                                ),
                                field(
                                    "spec.template.spec.containers[0].securityContext.runAsNonRoot",
                                    at(WEB, 20, 7),
                                ),
                            ],
                        ),
                        violation(
                            "allowPrivilegeEscalation",
                            "allowPrivilegeEscalation != false",
                            "container \"web\" must set securityContext.allowPrivilegeEscalation=false",
                            vec![field(
                                "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation",
                                at(WEB, 25, 11),
                            )],
                        ),
                    ]),
                ],
            },
            // From the API: no location anywhere. Denied in both.
            PssWorkload {
                object: object("apps/v1", "DaemonSet", "kube-system", "agent"),
                location: None,
                verdicts: vec![
                    denied(vec![privileged()]),
                    denied(vec![
                        privileged(),
                        violation(
                            "runAsNonRoot",
                            "runAsNonRoot != true",
                            "pod or container \"agent\" must set securityContext.runAsNonRoot=true",
                            vec![field("spec.template.spec.securityContext.runAsNonRoot", None)],
                        ),
                    ]),
                ],
            },
        ],
        inputs: Inputs {
            nodes: Vec::new(),
            unavailable: Vec::new(),
            files_read: 2,
            bytes_read: 2048,
            documents: 3,
            objects: 3,
            files_skipped: 0,
            skipped: vec![],
            diagnostics: vec![Diagnostic {
                file: Arc::from("bad.yaml"),
                line: 3,
                column: 7,
                severity: DiagnosticSeverity::Error,
                message: Text::fixed("mapping values are not allowed here", "此处不允许映射值"),
            }],
        },
    }
}

/// The report with a workload whose name and field path would inject markup and escape codes.
pub fn hostile() -> PssReport {
    let mut r = report();
    let w = &mut r.workloads[2];
    w.object.name = format!("{HOSTILE}\u{1b}[31m");
    w.verdicts[0].violations[0].detail = format!("{HOSTILE} detail\u{1b}]0;x\u{7}");
    r
}
