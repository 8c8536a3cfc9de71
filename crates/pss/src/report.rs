//! The report of `kcheck pss` ([`PssReport`]): every workload of the input evaluated at each
//! level asked for, with the violated checks and where their fields are.

use crate::{evaluate, Evaluation, Level, Version};
use kcheck_model::{
    FieldPath, Inputs, Object, PssColumn, PssField, PssReport, PssVerdict, PssViolation,
    PssWorkload,
};

/// Evaluates every object with a pod spec, in input order, at each of `levels` (one verdict
/// column each) at `version`. Objects without a pod spec are left out; `inputs` is what was
/// read, for the report's input section.
pub fn report(objects: &[Object], levels: &[Level], version: Version, inputs: Inputs) -> PssReport {
    PssReport {
        tool_name: "kcheck",
        tool_version: env!("CARGO_PKG_VERSION"),
        columns: levels
            .iter()
            .map(|level| PssColumn {
                level: level.to_string(),
                version: format!("v1.{}", version.effective_minor()),
            })
            .collect(),
        workloads: objects
            .iter()
            .filter_map(|o| workload(o, levels, version))
            .collect(),
        inputs,
    }
}

fn workload(object: &Object, levels: &[Level], version: Version) -> Option<PssWorkload> {
    let pod = object.pod_spec()?;
    let verdicts = levels
        .iter()
        .map(|&level| verdict(object, &evaluate(&pod, level, version)))
        .collect();
    Some(PssWorkload {
        object: object.reference(),
        location: object.location(&FieldPath::root()),
        verdicts,
    })
}

fn verdict(object: &Object, eval: &Evaluation) -> PssVerdict {
    PssVerdict {
        allowed: eval.allowed(),
        violations: eval
            .violations
            .iter()
            .map(|v| PssViolation {
                check: v.check.to_string(),
                reason: v.reason.clone(),
                detail: v.detail.clone(),
                fields: v
                    .fields
                    .iter()
                    .map(|f| PssField {
                        path: f.to_string(),
                        location: object.location(f),
                    })
                    .collect(),
            })
            .collect(),
    }
}
