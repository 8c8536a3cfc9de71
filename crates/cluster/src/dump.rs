//! Offline dumps: what `kubectl get -o json|yaml` wrote (one file, or a directory of them, with
//! `kubectl version -o json` as `version.json`), read into the same objects a live run lists.

use crate::kinds::Plan;
use crate::objects::{self, object_from_item, Target};
use crate::ServerVersion;
use kcheck_model::{
    is_cluster_scoped, Diagnostic, DiagnosticSeverity, Inputs, Object, Skipped, Text,
};
use std::path::{Path, PathBuf};

/// What a dump held.
#[derive(Debug, Default)]
pub struct Dumped {
    /// Sorted by kind, namespace, name, as a live run's.
    pub objects: Vec<Object>,
    pub inputs: Inputs,
    pub version: Option<ServerVersion>,
}

/// Reads a dump file or directory. Objects of kinds the plan does not list are left out (a live
/// run would not have listed them either); Secrets keep their values only with
/// `read_secret_data`.
pub fn load(
    path: &Path,
    plan: &Plan,
    read_secret_data: bool,
    limits: &kcheck_load::Limits,
) -> Dumped {
    let mut out = Dumped::default();
    // `kubectl get -A -o json` writes one List for the whole cluster: a document as large as
    // its file, with as many nodes as that many bytes can hold.
    let limits = &kcheck_load::Limits {
        max_document_bytes: usize::try_from(limits.max_file_bytes).unwrap_or(usize::MAX),
        max_nodes: usize::MAX,
        ..*limits
    };
    let files = match files(path) {
        Ok(f) => f,
        Err(e) => {
            out.inputs
                .diagnostics
                .push(diagnostic(path, &e.to_string()));
            return out;
        }
    };
    let mut left_out = 0usize;
    for file in files {
        let name = file.display().to_string();
        let bytes = match std::fs::metadata(&file) {
            Ok(m) if m.len() > limits.max_file_bytes => {
                out.inputs.diagnostics.push(diagnostic(
                    &file,
                    &format!(
                        "larger than {} bytes (limit: --max-file-size)",
                        limits.max_file_bytes
                    ),
                ));
                continue;
            }
            _ => match std::fs::read(&file) {
                Ok(b) => b,
                Err(e) => {
                    out.inputs
                        .diagnostics
                        .push(diagnostic(&file, &e.to_string()));
                    continue;
                }
            },
        };
        out.inputs.files_read += 1;
        out.inputs.bytes_read += bytes.len() as u64;
        if let Some(v) = version_file(&file, &bytes) {
            out.version = Some(v);
            continue;
        }
        let loaded = kcheck_load::load_bytes(&name, &bytes, limits);
        out.inputs.documents += loaded.inputs.documents;
        out.inputs.diagnostics.extend(loaded.inputs.diagnostics);
        for object in loaded.objects {
            let Some(target) = target_of(&object, plan) else {
                left_out += 1;
                continue;
            };
            if let Ok(o) = object_from_item(object.root, &target, read_secret_data) {
                out.objects.push(o);
            }
        }
    }
    if left_out > 0 {
        out.inputs.skipped.push(Skipped {
            path: path.display().to_string(),
            reason: Text::new(
                format!("{left_out} objects of kinds kcheck cluster does not read"),
                format!("{left_out} 个对象属于 kcheck cluster 不读取的类型"),
            ),
        });
    }
    objects::sort(&mut out.objects);
    out.inputs.objects = out.objects.len();
    out
}

/// Where a dumped object would have been listed from, if the plan lists its kind.
fn target_of(object: &Object, plan: &Plan) -> Option<Target> {
    let group = object.group().to_string();
    let version = object
        .api_version
        .rsplit('/')
        .next()
        .unwrap_or(&object.api_version)
        .to_string();
    if let Some(spec) = plan
        .kinds
        .iter()
        .find(|k| k.kind == object.kind && k.group == group)
    {
        return Some(Target {
            group,
            version,
            kind: spec.kind.to_string(),
            resource: spec.resource.to_string(),
            namespaced: spec.namespaced,
        });
    }
    // Whole groups: Gatekeeper's constraint resources are the kind in lower case.
    plan.groups
        .iter()
        .any(|g| g.group == group)
        .then(|| Target {
            resource: object.kind.to_ascii_lowercase(),
            namespaced: object.namespace.is_some() && !is_cluster_scoped(&object.kind),
            group,
            version,
            kind: object.kind.clone(),
        })
}

/// The files of a dump: the path itself, or a directory's JSON and YAML files (recursively),
/// sorted.
fn files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        std::fs::metadata(path)?;
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let p = entry?.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "json" | "yaml" | "yml"))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `kubectl version -o json` output (or `/version` itself).
fn version_file(path: &Path, bytes: &[u8]) -> Option<ServerVersion> {
    if path.file_name().and_then(|n| n.to_str()) != Some("version.json") {
        return None;
    }
    ServerVersion::from_json(bytes)
}

fn diagnostic(path: &Path, message: &str) -> Diagnostic {
    Diagnostic {
        file: path.display().to_string().into(),
        line: 0,
        column: 0,
        severity: DiagnosticSeverity::Error,
        message: Text::new(message.to_string(), message.to_string()),
    }
}
