//! The report of `kcheck pss`: every workload's verdict under one or two Pod Security Standard
//! levels, with the violated checks and where they are.

use crate::finding::Location;
use crate::object::ObjectRef;
use crate::report::Inputs;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct PssReport {
    pub tool_name: &'static str,
    pub tool_version: &'static str,
    /// The level and version of each verdict column, e.g. `baseline` at `v1.37`.
    pub columns: Vec<PssColumn>,
    /// In input order.
    pub workloads: Vec<PssWorkload>,
    pub inputs: Inputs,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PssColumn {
    /// `baseline` or `restricted`.
    pub level: String,
    /// `v1.37`: the version evaluated (`latest` resolved to the newest kcheck knows).
    pub version: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct PssWorkload {
    pub object: ObjectRef,
    /// Where the object starts, for objects from files.
    pub location: Option<Location>,
    /// One verdict per column, in column order.
    pub verdicts: Vec<PssVerdict>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PssVerdict {
    pub allowed: bool,
    pub violations: Vec<PssViolation>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PssViolation {
    /// The Pod Security Admission check id, e.g. `runAsNonRoot`.
    pub check: String,
    /// Short, as Kubernetes words it: `runAsNonRoot != true`.
    pub reason: String,
    /// Which containers or fields: `pod or container "web" must set securityContext.runAsNonRoot=true`.
    pub detail: String,
    pub fields: Vec<PssField>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PssField {
    /// `spec.template.spec.containers[0].securityContext.runAsNonRoot`
    pub path: String,
    /// The field, or its nearest existing parent when it is missing.
    pub location: Option<Location>,
}

impl PssReport {
    /// Workloads denied in at least one column.
    pub fn denied(&self) -> usize {
        self.workloads
            .iter()
            .filter(|w| w.verdicts.iter().any(|v| !v.allowed))
            .count()
    }
}
