//! Reading files, directories and standard input.

use crate::limits::Limits;
use crate::objects::document_objects;
use crate::text::{decode, parse_text};
use crate::yaml::{DocOutcome, Problem};
use kcheck_model::{Diagnostic, DiagnosticSeverity, Inputs, Object, Skipped, Text};
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What loading produced: the objects in input order, and an account of the input.
#[derive(Debug, Default)]
pub struct Loaded {
    pub objects: Vec<Object>,
    pub inputs: Inputs,
}

impl Loaded {
    /// Appends what `other` loaded (read after this).
    pub fn merge(&mut self, other: Loaded) {
        self.objects.extend(other.objects);
        self.inputs.merge(other.inputs);
    }

    fn error(file: &str, line: u32, column: u32, message: Text) -> Loaded {
        let mut l = Loaded::default();
        l.inputs.diagnostics.push(diag(
            file.into(),
            line,
            column,
            DiagnosticSeverity::Error,
            message,
        ));
        l
    }
}

fn diag(
    file: Arc<str>,
    line: u32,
    column: u32,
    severity: DiagnosticSeverity,
    message: Text,
) -> Diagnostic {
    Diagnostic {
        file,
        line,
        column,
        severity,
        message,
    }
}

const STDIN: &str = "-";
const STDIN_NAME: &str = "<stdin>";

/// One input to read: a file, or standard input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Work {
    File(PathBuf),
    Stdin,
}

impl Work {
    /// The name diagnostics and findings give it.
    pub fn name(&self) -> String {
        match self {
            Work::File(path) => path.display().to_string(),
            Work::Stdin => STDIN_NAME.to_string(),
        }
    }

    /// Its bytes, or what stopped reading them (as the diagnostic a load reports).
    pub fn read(&self, limits: &Limits) -> Result<Vec<u8>, Box<Loaded>> {
        let name = self.name();
        let read = match self {
            Work::File(path) => match std::fs::File::open(path) {
                Ok(file) => read_limited(file, limits.max_file_bytes),
                Err(e) => return Err(Box::new(Loaded::error(&name, 0, 0, io_text(&e)))),
            },
            Work::Stdin => read_limited(std::io::stdin().lock(), limits.max_file_bytes),
        };
        match read {
            Ok(Some(bytes)) => Ok(bytes),
            Ok(None) => Err(Box::new(Loaded::error(&name, 0, 0, too_large(limits)))),
            Err(e) => Err(Box::new(Loaded::error(&name, 0, 0, io_text(&e)))),
        }
    }
}

/// What a scan of `paths` reads, in order, and what the walk itself found: paths that do not
/// exist, directories without manifests, files passed over.
pub struct Plan {
    pub work: Vec<Work>,
    pub walked: Loaded,
}

/// Loads every path: files, directories (recursively: `.yaml`, `.yml`, `.json`; other files are
/// counted as skipped) and `-` for standard input. Files are parsed in parallel; the result is
/// in the order of the arguments, then of sorted directory entries.
pub fn load_paths<P: AsRef<Path>>(paths: &[P], limits: &Limits) -> Loaded {
    load_paths_excluding(paths, limits, &[])
}

/// Paths a scan passes over: `--exclude` globs, and the lines of a `.kcheckignore` in a directory
/// given on the command line. A pattern matches a path relative to that directory, or a file or
/// directory name alone (`vendor/*`, `*.values.yaml`, `docker-compose.yml`).
const IGNORE_FILE: &str = ".kcheckignore";

/// [`load_paths`], passing over what `exclude` (globs) and each directory's `.kcheckignore` name;
/// every path passed over is listed in `inputs.skipped` with the pattern that matched.
pub fn load_paths_excluding<P: AsRef<Path>>(
    paths: &[P],
    limits: &Limits,
    exclude: &[String],
) -> Loaded {
    let Plan {
        work,
        walked: mut result,
    } = plan_paths(paths, exclude);
    let loaded: Vec<Loaded> = work
        .into_par_iter()
        .map(|w| match w.read(limits) {
            Ok(bytes) => load_bytes(&w.name(), &bytes, limits),
            Err(failed) => *failed,
        })
        .collect();
    for l in loaded {
        result.merge(l);
    }
    result
}

/// The files `paths` name, in the order a load reads them (arguments, then sorted directory
/// entries), passing over what `exclude` and `.kcheckignore` name.
pub fn plan_paths<P: AsRef<Path>>(paths: &[P], exclude: &[String]) -> Plan {
    let mut result = Loaded::default();
    let mut work = Vec::new();
    for p in paths {
        let p = p.as_ref();
        if p.as_os_str() == STDIN {
            work.push(Work::Stdin);
            continue;
        }
        match std::fs::metadata(p) {
            Err(e) => result.merge(Loaded::error(&p.display().to_string(), 0, 0, io_text(&e))),
            Ok(m) if m.is_dir() => {
                let passed_over = |i: &Inputs| {
                    i.skipped
                        .iter()
                        .filter(|s| s.reason != NOT_MANIFEST)
                        .count()
                };
                let before = (work.len(), passed_over(&result.inputs));
                let mut patterns: Vec<(String, &'static str)> =
                    exclude.iter().map(|g| (g.clone(), "--exclude")).collect();
                if let Ok(text) = std::fs::read_to_string(p.join(IGNORE_FILE)) {
                    patterns.extend(
                        text.lines()
                            .map(str::trim)
                            .filter(|l| !l.is_empty() && !l.starts_with('#'))
                            .map(|l| (l.trim_end_matches('/').to_string(), IGNORE_FILE)),
                    );
                }
                let walker = Walker {
                    root: p,
                    patterns: &patterns,
                };
                walker.walk(p, &mut work, &mut result.inputs, &mut Vec::new());
                // Only files that are not manifests: nothing to scan here, which is an error.
                if (work.len(), passed_over(&result.inputs)) == before {
                    result.merge(Loaded::error(
                        &p.display().to_string(),
                        0,
                        0,
                        Text::fixed(
                            "no YAML or JSON files in this directory",
                            "该目录中没有 YAML 或 JSON 文件",
                        ),
                    ));
                }
            }
            Ok(_) => work.push(Work::File(p.to_path_buf())),
        }
    }
    Plan {
        work,
        walked: result,
    }
}

fn is_manifest(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("yaml" | "yml" | "json")
    )
}

/// Why a file in a scanned directory was passed over when it is not a manifest.
const NOT_MANIFEST: Text = Text::fixed("not YAML or JSON", "不是 YAML 或 JSON 文件");

struct Walker<'a> {
    root: &'a Path,
    patterns: &'a [(String, &'static str)],
}

impl Walker<'_> {
    /// The pattern that passes over `path`, and where it came from.
    fn excluded(&self, path: &Path) -> Option<&(String, &'static str)> {
        let relative = path
            .strip_prefix(self.root)
            .unwrap_or(path)
            .to_string_lossy();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        self.patterns.iter().find(|(glob, _)| {
            kcheck_model::glob::glob(glob, &relative) || kcheck_model::glob::glob(glob, &name)
        })
    }

    fn walk(&self, dir: &Path, work: &mut Vec<Work>, inputs: &mut Inputs, seen: &mut Vec<PathBuf>) {
        // A directory reached twice through links is read once.
        if let Ok(real) = std::fs::canonicalize(dir) {
            if seen.contains(&real) {
                return;
            }
            seen.push(real);
        }
        if dir.join("Chart.yaml").is_file() {
            inputs.files_skipped += 1;
            inputs.skipped.push(Skipped {
                path: dir.display().to_string(),
                reason: Text::fixed(
                    "Helm chart source: render it first (helm template ... | kcheck scan -)",
                    "Helm chart 源码:请先渲染(helm template ... | kcheck scan -)",
                ),
            });
            return;
        }
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                inputs.diagnostics.push(diag(
                    dir.display().to_string().into(),
                    0,
                    0,
                    DiagnosticSeverity::Error,
                    io_text(&e),
                ));
                return;
            }
        };
        entries.sort();
        for path in entries {
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            if let Some((glob, from)) = self.excluded(&path) {
                inputs.files_skipped += 1;
                inputs.skipped.push(Skipped {
                    path: path.display().to_string(),
                    reason: Text::new(
                        format!("excluded by {from} {glob}"),
                        format!("被 {from} {glob} 排除"),
                    ),
                });
                continue;
            }
            match std::fs::metadata(&path) {
                Ok(m) if m.is_dir() => self.walk(&path, work, inputs, seen),
                Ok(_) if is_manifest(&path) => {
                    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    if matches!(name, "kustomization.yaml" | "kustomization.yml") {
                        inputs.files_skipped += 1;
                        inputs.skipped.push(Skipped {
                            path: path.display().to_string(),
                            reason: Text::fixed(
                                "Kustomize configuration: scan the output of kubectl kustomize",
                                "Kustomize 配置:请扫描 kubectl kustomize 的输出",
                            ),
                        });
                    } else {
                        work.push(Work::File(path));
                    }
                }
                Ok(_) => {
                    inputs.files_skipped += 1;
                    inputs.skipped.push(Skipped {
                        path: path.display().to_string(),
                        reason: NOT_MANIFEST,
                    });
                }
                Err(e) => inputs.diagnostics.push(diag(
                    path.display().to_string().into(),
                    0,
                    0,
                    DiagnosticSeverity::Error,
                    io_text(&e),
                )),
            }
        }
    }
}

fn io_text(e: &std::io::Error) -> Text {
    match e.kind() {
        std::io::ErrorKind::NotFound => {
            Text::fixed("no such file or directory", "文件或目录不存在")
        }
        std::io::ErrorKind::PermissionDenied => Text::fixed("permission denied", "没有读取权限"),
        _ => Text::new(format!("cannot be read: {e}"), format!("无法读取:{e}")),
    }
}

fn too_large(limits: &Limits) -> Text {
    let max = limits.max_file_bytes;
    Text::new(
        format!("larger than {max} bytes (limit: --max-file-size); not scanned"),
        format!("超过 {max} 字节(限制:--max-file-size),未扫描"),
    )
}

/// Reads at most `max` bytes; `None` when there is more.
fn read_limited(reader: impl Read, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

/// Loads one file's bytes (also what standard input and the fuzzer use).
pub fn load_bytes(name: &str, bytes: &[u8], limits: &Limits) -> Loaded {
    let file: Arc<str> = name.into();
    let mut out = Loaded::default();
    out.inputs.files_read = 1;
    out.inputs.bytes_read = bytes.len() as u64;
    let text = match decode(bytes) {
        Ok(text) => text,
        Err((pos, message)) => {
            let severity = DiagnosticSeverity::Error;
            let d = diag(file, pos.line, pos.column, severity, message);
            out.inputs.diagnostics.push(d);
            return out;
        }
    };
    let parsed = parse_text(&text, limits);
    let push = |out: &mut Loaded, p: Problem, sev| {
        out.inputs
            .diagnostics
            .push(diag(file.clone(), p.pos.line, p.pos.column, sev, p.message));
    };
    for p in parsed.errors {
        push(&mut out, p, DiagnosticSeverity::Error);
    }
    for p in parsed.warnings {
        push(&mut out, p, DiagnosticSeverity::Warning);
    }
    let mut problems = Vec::new();
    let mut passed_over = Vec::new();
    for (i, doc) in parsed.documents.into_iter().enumerate() {
        let index = u32::try_from(i).unwrap_or(u32::MAX);
        match doc {
            DocOutcome::Empty => {}
            DocOutcome::Rejected(p) => {
                out.inputs.documents += 1;
                problems.push(p);
            }
            DocOutcome::Node(node) => {
                out.inputs.documents += 1;
                document_objects(
                    node,
                    &file,
                    index,
                    &mut out.objects,
                    &mut problems,
                    &mut passed_over,
                );
            }
        }
    }
    for p in problems {
        push(&mut out, p, DiagnosticSeverity::Error);
    }
    if !passed_over.is_empty() {
        let lines: Vec<String> = passed_over.iter().map(|n| n.pos.line.to_string()).collect();
        let (n, lines) = (passed_over.len(), lines.join(", "));
        out.inputs.skipped.push(Skipped {
            path: name.to_string(),
            reason: Text::new(
                format!(
                    "{n} document(s) (line {lines}) with neither apiVersion nor kind: not Kubernetes objects, passed over"
                ),
                format!("{n} 个文档（第 {lines} 行）既无 apiVersion 也无 kind：不是 Kubernetes 对象，已跳过"),
            ),
        });
    }
    out.inputs.diagnostics.sort();
    out.inputs.objects = out.objects.len();
    out
}
