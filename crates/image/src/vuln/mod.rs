//! Vulnerability scanner reports: Trivy JSON (`trivy image -f json`, and `trivy k8s -f json`),
//! Grype JSON (`grype -o json`) and CycloneDX JSON with a `vulnerabilities` array (Trivy's
//! `-f cyclonedx`, or any other scanner's), read into [`VulnReport`]s, one per image.
//!
//! The format is told from the content, never from the file name:
//! - CycloneDX: `bomFormat` is `"CycloneDX"`;
//! - Trivy's Kubernetes report: `ClusterName` with `Resources` (or `Findings`, its summary form);
//!   its `SchemaVersion` is zero and so omitted;
//! - Trivy: `SchemaVersion` with `Results` or `ArtifactName`;
//! - Grype: `matches` with `source`, or with `descriptor.name` `"grype"`.
//!
//! Anything else is an error naming the file; so is malformed JSON, with its line and column.
//! Reports are bounded by [`MAX_REPORT_BYTES`]; a UTF-8 byte order mark is skipped. Within one
//! report the same (id, package, installed version) is kept once (the highest severity, a known
//! fixed version and a title win) and vulnerabilities are sorted by severity (highest first),
//! then id, package and installed version. Where a scanner lists several fixed versions (one per
//! release line), the fixed version kept is the first on the installed version's line, else the
//! first listed.
//!
//! Each format's module names the facts it relies on and where they come from.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use kcheck_model::image::{VulnReport, VulnSeverity, Vulnerability};
use serde::de::IgnoredAny;
use serde::Deserialize;

mod cyclonedx;
mod grype;
mod trivy;

/// The largest report read (1 GiB): a bigger file is refused before it is read.
pub const MAX_REPORT_BYTES: u64 = 1 << 30;

/// Why a report could not be read. Every message starts with the file.
#[derive(Debug, thiserror::Error)]
pub enum VulnError {
    #[error("{file}: cannot read the report: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: {size} bytes, more than the {limit} bytes a scanner report may have")]
    TooLarge { file: String, size: u64, limit: u64 },
    /// Not JSON: a syntax error or the end of the file where a value was expected.
    #[error("{file}:{line}:{column}: malformed JSON: {message}")]
    Json {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// JSON whose structure does not fit the format it was recognised as (a string where an
    /// array belongs, a duplicated field).
    #[error("{file}:{line}:{column}: not a valid {format} report: {message}")]
    Structure {
        file: String,
        format: &'static str,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{file}: not a vulnerability report kcheck reads (Trivy JSON, Grype JSON, or CycloneDX \
         JSON with vulnerabilities)"
    )]
    Unrecognized { file: String },
    /// A report of something other than a container image (a filesystem, a repository).
    #[error("{file}: a {format} report of {what}, not of a container image")]
    NotImage {
        file: String,
        format: &'static str,
        what: String,
    },
    /// A CycloneDX document without a `vulnerabilities` array: an inventory, not a scan.
    #[error(
        "{file}: a CycloneDX SBOM without vulnerabilities: an inventory of the image, not the \
         result of a vulnerability scan"
    )]
    SbomWithoutVulnerabilities { file: String },
}

/// Reads one report file, its format told from its content.
pub fn read_vuln_report(path: &Path) -> Result<Vec<VulnReport>, VulnError> {
    read_with_limit(path, MAX_REPORT_BYTES)
}

/// Parses one report's bytes; `file` names it in the reports and in errors.
pub fn parse_vuln_report(file: &str, bytes: &[u8]) -> Result<Vec<VulnReport>, VulnError> {
    parse_with_limit(file, bytes, MAX_REPORT_BYTES)
}

fn read_with_limit(path: &Path, limit: u64) -> Result<Vec<VulnReport>, VulnError> {
    let file = path.display().to_string();
    let io = |source| VulnError::Io {
        file: file.clone(),
        source,
    };
    let handle = File::open(path).map_err(io)?;
    let size = handle.metadata().map_err(io)?.len();
    if size > limit {
        return Err(VulnError::TooLarge { file, size, limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // The file may grow between the look and the read: read one byte past the limit at most.
    handle
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    parse_with_limit(&file, &bytes, limit)
}

fn parse_with_limit(file: &str, bytes: &[u8], limit: u64) -> Result<Vec<VulnReport>, VulnError> {
    let size = bytes.len() as u64;
    if size > limit {
        return Err(VulnError::TooLarge {
            file: file.to_string(),
            size,
            limit,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match detect(file, bytes)? {
        Format::Trivy => trivy::parse(file, bytes),
        Format::TrivyK8s => trivy::parse_k8s(file, bytes),
        Format::Grype => grype::parse(file, bytes),
        Format::CycloneDx => cyclonedx::parse(file, bytes),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Trivy,
    TrivyK8s,
    Grype,
    CycloneDx,
}

/// The top-level keys that tell the formats apart; everything else is skipped unread.
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "SchemaVersion")]
    schema_version: Option<IgnoredAny>,
    #[serde(rename = "ArtifactName")]
    artifact_name: Option<IgnoredAny>,
    #[serde(rename = "Results")]
    results: Option<IgnoredAny>,
    #[serde(rename = "ClusterName")]
    cluster_name: Option<IgnoredAny>,
    #[serde(rename = "Resources")]
    resources: Option<IgnoredAny>,
    #[serde(rename = "Findings")]
    findings: Option<IgnoredAny>,
    matches: Option<IgnoredAny>,
    source: Option<IgnoredAny>,
    descriptor: Option<serde_json::Value>,
    #[serde(rename = "bomFormat")]
    bom_format: Option<serde_json::Value>,
}

fn detect(file: &str, bytes: &[u8]) -> Result<Format, VulnError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        // Not an object: malformed JSON says where, valid JSON is simply not a report.
        return match serde_json::from_slice::<IgnoredAny>(bytes) {
            Err(e) => Err(json_error(file, "scanner", &e)),
            Ok(_) => Err(VulnError::Unrecognized {
                file: file.to_string(),
            }),
        };
    }
    let probe: Probe =
        serde_json::from_slice(bytes).map_err(|e| json_error(file, "scanner", &e))?;
    let grype_descriptor = probe
        .descriptor
        .as_ref()
        .and_then(|d| d.get("name"))
        .and_then(|n| n.as_str())
        == Some("grype");
    let format = if probe.bom_format.as_ref().and_then(|v| v.as_str()) == Some("CycloneDX") {
        Format::CycloneDx
    } else if probe.cluster_name.is_some()
        && (probe.resources.is_some() || probe.findings.is_some())
    {
        Format::TrivyK8s
    } else if probe.schema_version.is_some()
        && (probe.results.is_some() || probe.artifact_name.is_some())
    {
        Format::Trivy
    } else if probe.matches.is_some() && (probe.source.is_some() || grype_descriptor) {
        Format::Grype
    } else {
        return Err(VulnError::Unrecognized {
            file: file.to_string(),
        });
    };
    Ok(format)
}

/// A serde_json error located in the file: syntax errors are malformed JSON, data errors a
/// structure that does not fit `format`.
fn json_error(file: &str, format: &'static str, e: &serde_json::Error) -> VulnError {
    let (line, column) = (e.line(), e.column());
    let full = e.to_string();
    let suffix = format!(" at line {line} column {column}");
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
    match e.classify() {
        serde_json::error::Category::Data => VulnError::Structure {
            file: file.to_string(),
            format,
            line,
            column,
            message,
        },
        _ => VulnError::Json {
            file: file.to_string(),
            line,
            column,
            message,
        },
    }
}

/// A scanner's severity name, in any case: Trivy's `CRITICAL`, Grype's `Negligible`,
/// CycloneDX's `info` and `none` (both kept as negligible), GitHub's `moderate`.
fn severity(name: &str) -> VulnSeverity {
    match name.trim().to_ascii_lowercase().as_str() {
        "critical" => VulnSeverity::Critical,
        "high" => VulnSeverity::High,
        "medium" | "moderate" => VulnSeverity::Medium,
        "low" => VulnSeverity::Low,
        "negligible" | "info" | "informational" | "none" => VulnSeverity::Negligible,
        _ => VulnSeverity::Unknown,
    }
}

/// Adds a digest once: `sha256:...` as is, `name@sha256:...` as its `sha256:...`. Anything
/// without an `algorithm:hex` form is skipped.
fn push_digest(digests: &mut Vec<String>, raw: &str) {
    let raw = raw.trim();
    let digest = raw.rsplit_once('@').map_or(raw, |(_, d)| d);
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return;
    };
    if algorithm.is_empty() || hex.is_empty() || digest.contains(char::is_whitespace) {
        return;
    }
    if !digests.iter().any(|d| d == digest) {
        digests.push(digest.to_string());
    }
}

/// `Some(s)` when `s` has something besides spaces.
fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The fixed version to report among a scanner's candidates, in the scanner's order: the first
/// on the installed version's release line (the same first two numbers: `1.22.4` for
/// `go1.22.1` among `1.21.11, 1.22.4`), else the first. A fix on another line is no upgrade
/// path for what is installed, when the line has its own.
fn pick_fix<'a>(candidates: impl IntoIterator<Item = &'a str>, installed: &str) -> Option<String> {
    let candidates: Vec<String> = candidates
        .into_iter()
        .filter_map(|c| non_empty(Some(c)))
        .collect();
    release_line(installed)
        .and_then(|line| candidates.iter().find(|c| release_line(c) == Some(line)))
        .or(candidates.first())
        .cloned()
}

/// The first two numbers of a version (`1.22` of `go1.22.1`, `2.36` of `2.36-9+deb12u4`), when
/// it starts with them (an epoch, `1:1.2.13`, does not).
fn release_line(version: &str) -> Option<(&str, &str)> {
    let start = version.find(|c: char| c.is_ascii_digit())?;
    let rest = &version[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let mut parts = rest[..end].split('.');
    let major = parts.next().filter(|p| !p.is_empty())?;
    let minor = parts.next().filter(|p| !p.is_empty())?;
    Some((major, minor))
}

/// Keeps one entry per (id, package, installed) and sorts: severity (highest first), id,
/// package, installed.
fn finish(vulnerabilities: Vec<Vulnerability>) -> Vec<Vulnerability> {
    let mut unique: BTreeMap<(String, String, String), Vulnerability> = BTreeMap::new();
    for v in vulnerabilities {
        let key = (v.id.clone(), v.package.clone(), v.installed.clone());
        match unique.get_mut(&key) {
            None => {
                unique.insert(key, v);
            }
            Some(kept) => {
                kept.severity = kept.severity.max(v.severity);
                if kept.fixed.is_none() {
                    kept.fixed = v.fixed;
                }
                if kept.title.is_none() {
                    kept.title = v.title;
                }
            }
        }
    }
    let mut out: Vec<Vulnerability> = unique.into_values().collect();
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.package.cmp(&b.package))
            .then_with(|| a.installed.cmp(&b.installed))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_above_the_limit_are_refused_before_parsing() {
        let err = parse_with_limit("big.json", b"{\"matches\": []}", 8).unwrap_err();
        assert_eq!(
            err.to_string(),
            "big.json: 15 bytes, more than the 8 bytes a scanner report may have"
        );
        let dir = std::env::temp_dir().join(format!("kcheck-vuln-limit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("report.json");
        std::fs::write(&path, b"{\"matches\": [], \"source\": null}").unwrap();
        let err = read_with_limit(&path, 10).unwrap_err();
        assert!(
            matches!(
                err,
                VulnError::TooLarge {
                    size: 31,
                    limit: 10,
                    ..
                }
            ),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn digests_keep_the_algorithm_and_drop_the_repository() {
        let mut d = Vec::new();
        push_digest(&mut d, "registry.example.com/api@sha256:aa");
        push_digest(&mut d, "sha256:aa");
        push_digest(&mut d, " sha256:bb ");
        push_digest(&mut d, "latest");
        push_digest(&mut d, "repo@");
        push_digest(&mut d, "sha256:");
        assert_eq!(d, ["sha256:aa", "sha256:bb"]);
    }

    #[test]
    fn fixes_on_the_installed_release_line_come_first() {
        assert_eq!(
            pick_fix(["1.21.11", "1.22.4"], "go1.22.1").as_deref(),
            Some("1.22.4")
        );
        assert_eq!(
            pick_fix([" 2.32.0", "2.32.2"], "2.31.0").as_deref(),
            Some("2.32.0")
        );
        assert_eq!(
            pick_fix(["", "6.0.3.1", "5.2.4.3"], "5.2.1").as_deref(),
            Some("5.2.4.3")
        );
        assert_eq!(
            pick_fix(["1:1.2.13.dfsg-1+deb12u1"], "1:1.2.13.dfsg-1").as_deref(),
            Some("1:1.2.13.dfsg-1+deb12u1")
        );
        assert_eq!(pick_fix([" "], "1.0"), None);
        assert_eq!(release_line("v0.21.0"), Some(("0", "21")));
        assert_eq!(release_line("2.36-9+deb12u4"), Some(("2", "36")));
        assert_eq!(release_line("1:1.2.13"), None);
        assert_eq!(release_line("latest"), None);
    }

    #[test]
    fn severities_of_every_scanner() {
        for (name, want) in [
            ("CRITICAL", VulnSeverity::Critical),
            ("High", VulnSeverity::High),
            ("medium", VulnSeverity::Medium),
            ("moderate", VulnSeverity::Medium),
            ("LOW", VulnSeverity::Low),
            ("Negligible", VulnSeverity::Negligible),
            ("info", VulnSeverity::Negligible),
            ("none", VulnSeverity::Negligible),
            ("UNKNOWN", VulnSeverity::Unknown),
            ("", VulnSeverity::Unknown),
            ("severe", VulnSeverity::Unknown),
        ] {
            assert_eq!(severity(name), want, "{name}");
        }
    }
}
