//! `kcheck pss`: every workload's Pod Security Admission verdict at one or two levels.

use crate::args::PssArgs;
use crate::commands::{emit_text, format, render_options};
use crate::exit;
use kcheck_model::{
    Location, Object, PssColumn, PssField, PssReport, PssVerdict, PssViolation, PssWorkload, Source,
};
use kcheck_pss::{evaluate, Level, Version};

pub fn run(args: PssArgs) -> anyhow::Result<u8> {
    let version = match Version::parse(&args.version) {
        Ok(v) => v,
        Err(_) => {
            eprintln!(
                "kcheck: --version {}: expected v1.N or latest",
                args.version
            );
            return Ok(exit::USAGE);
        }
    };
    let mut levels = Vec::new();
    for l in &args.level {
        let level = Level::parse(l).map_err(|e| anyhow::anyhow!("{e}"))?;
        if !levels.contains(&level) {
            levels.push(level);
        }
    }
    let loaded = kcheck_load::load_paths(&args.paths, &args.limits.limits());
    let columns: Vec<PssColumn> = levels
        .iter()
        .map(|l| PssColumn {
            level: l.to_string(),
            version: format!("v1.{}", version.effective_minor()),
        })
        .collect();
    let workloads = loaded
        .objects
        .iter()
        .filter_map(|o| judge(o, &levels, version))
        .collect();
    let report = PssReport {
        tool_name: "kcheck",
        tool_version: env!("CARGO_PKG_VERSION"),
        columns,
        workloads,
        inputs: loaded.inputs,
    };
    let text = kcheck_report::render_pss(
        &report,
        format(args.output.format()),
        &render_options(&args.output),
    );
    emit_text(&text, &args.output)?;
    Ok(if report.inputs.has_errors() {
        exit::INPUT
    } else if report.denied() > 0 {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

fn location(object: &Object, path: &kcheck_model::FieldPath) -> Option<Location> {
    match &object.source {
        Source::File { path: file, .. } => {
            let pos = object.position(path);
            Some(Location {
                file: file.clone(),
                line: pos.line,
                column: pos.column,
            })
        }
        Source::Api { .. } => None,
    }
}

fn judge(object: &Object, levels: &[Level], version: Version) -> Option<PssWorkload> {
    let pod = object.pod_spec()?;
    let verdicts = levels
        .iter()
        .map(|&level| {
            let eval = evaluate(&pod, level, version);
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
                                location: location(object, f),
                            })
                            .collect(),
                    })
                    .collect(),
            }
        })
        .collect();
    Some(PssWorkload {
        object: object.reference(),
        location: location(object, &kcheck_model::FieldPath::root()),
        verdicts,
    })
}
