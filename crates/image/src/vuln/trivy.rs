//! Trivy's JSON reports: `trivy image -f json` (one image) and `trivy k8s -f json` (a cluster).
//!
//! Facts relied on, from Trivy's own types (`pkg/types/report.go`, `pkg/types/vulnerability.go`,
//! `pkg/k8s/report/report.go` and `pkg/k8s/scanner/scanner.go` in
//! <https://github.com/aquasecurity/trivy>) and its reporting docs
//! (<https://trivy.dev/latest/docs/configuration/reporting/>):
//! - a report: `SchemaVersion` (2), `ArtifactName`, `ArtifactType` (`container_image` for an
//!   image; `filesystem`, `repository`, `vm`... otherwise), `Metadata` with `ImageID` (the config
//!   digest), `RepoTags` and `RepoDigests` (`name@sha256:...`), and `Results[]`, each with
//!   `Target`, `Class` (`os-pkgs`, `lang-pkgs`...), `Type` and `Vulnerabilities[]`;
//! - a vulnerability: `VulnerabilityID`, `PkgName`, `InstalledVersion`, `FixedVersion` (empty
//!   when there is none; several versions are joined by `", "`, e.g. `"1.5.13, 1.3.15"`),
//!   `Status` (trivy-db's `unknown`, `not_affected`, `affected`, `fixed`,
//!   `under_investigation`, `will_not_fix`, `fix_deferred`, `end_of_life`), `Severity`
//!   (`UNKNOWN`, `LOW`, `MEDIUM`, `HIGH`, `CRITICAL`) and `Title`; empty fields are omitted;
//! - the Kubernetes report: `ClusterName` and `Resources[]` (the `summary` form says
//!   `Findings[]`), each resource with `Namespace`, `Kind`, `Name`, the image's `Metadata` (as
//!   above) and `Results`; `SchemaVersion` is 0 and so omitted. Each image of each workload is
//!   one resource: the same image in several workloads is several resources.
//!
//! `CreatedAt` (when the scan ran) is read when present: it appears in third-party type
//! definitions of Trivy's report next to `SchemaVersion`, but was not found in the versions of
//! Trivy's own source consulted, so it is optional.
//!
//! A vulnerability whose `Status` is `affected`, `will_not_fix`, `fix_deferred` or
//! `end_of_life` has no fix, whatever `FixedVersion` says; otherwise the fix is picked from
//! `FixedVersion`'s list (see the parent module).

use std::collections::BTreeMap;

use kcheck_model::image::{VulnFormat, VulnReport, Vulnerability};
use serde::Deserialize;

use super::{finish, json_error, non_empty, pick_fix, push_digest, severity, VulnError};

const FORMAT: &str = "Trivy";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Report {
    created_at: Option<String>,
    artifact_name: Option<String>,
    artifact_type: Option<String>,
    metadata: Option<Metadata>,
    results: Option<Vec<TrivyResult>>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Metadata {
    #[serde(rename = "ImageID")]
    image_id: Option<String>,
    repo_tags: Option<Vec<String>>,
    repo_digests: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrivyResult {
    target: Option<String>,
    class: Option<String>,
    vulnerabilities: Option<Vec<Vuln>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Vuln {
    #[serde(rename = "VulnerabilityID")]
    vulnerability_id: Option<String>,
    pkg_name: Option<String>,
    installed_version: Option<String>,
    fixed_version: Option<String>,
    status: Option<String>,
    severity: Option<String>,
    title: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct K8sReport {
    created_at: Option<String>,
    resources: Option<Vec<Resource>>,
    findings: Option<Vec<Resource>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Resource {
    metadata: Option<Metadata>,
    results: Option<Vec<TrivyResult>>,
}

pub(super) fn parse(file: &str, bytes: &[u8]) -> Result<Vec<VulnReport>, VulnError> {
    let report: Report = serde_json::from_slice(bytes).map_err(|e| json_error(file, FORMAT, &e))?;
    let metadata = report.metadata.unwrap_or_default();
    match report.artifact_type.as_deref().map(str::trim) {
        Some("container_image") => {}
        Some(other) => {
            return Err(VulnError::NotImage {
                file: file.to_string(),
                format: FORMAT,
                what: format!("an artifact of type `{other}`"),
            })
        }
        // Older reports have no ArtifactType: the image metadata tells.
        None if metadata.is_image() => {}
        None => {
            return Err(VulnError::NotImage {
                file: file.to_string(),
                format: FORMAT,
                what: "an artifact without ArtifactType or image metadata".to_string(),
            })
        }
    }
    let results = report.results.unwrap_or_default();
    let image =
        non_empty(report.artifact_name.as_deref()).unwrap_or_else(|| metadata.image_name(&results));
    Ok(vec![VulnReport {
        file: file.to_string(),
        format: VulnFormat::Trivy,
        image,
        digests: metadata.digests(),
        created: non_empty(report.created_at.as_deref()),
        vulnerabilities: finish(vulnerabilities(&results)),
    }])
}

/// One report per distinct image of the cluster (by image ID, else by name), the findings of
/// every workload running it merged. Resources that name no image (misconfiguration results,
/// the cluster's own components) are skipped.
///
/// In the `Resources` form each resource is one image's scan with that image's `Metadata`. The
/// summary form (`Findings`) merges a workload's image scans into one entry carrying the
/// metadata of one image or none: there, each OS result (`Class` `os-pkgs`, `Target`
/// `NAME (FAMILY VERSION)`) starts an image named by its target, with the results after it;
/// results before the first OS result name no image and are skipped.
pub(super) fn parse_k8s(file: &str, bytes: &[u8]) -> Result<Vec<VulnReport>, VulnError> {
    let report: K8sReport =
        serde_json::from_slice(bytes).map_err(|e| json_error(file, FORMAT, &e))?;
    let created = non_empty(report.created_at.as_deref());
    let resources = report
        .resources
        .into_iter()
        .chain(report.findings)
        .flatten();

    let mut found: Vec<Found> = Vec::new();
    for resource in resources {
        let metadata = resource.metadata.unwrap_or_default();
        let results = resource.results.unwrap_or_default();
        if metadata.is_image() && results.iter().filter(|r| is_os(r)).count() <= 1 {
            found.push(Found {
                image: metadata.image_name(&results),
                id: non_empty(metadata.image_id.as_deref()),
                digests: metadata.digests(),
                results,
            });
            continue;
        }
        let mut current: Option<Found> = None;
        for result in results {
            if is_os(&result) {
                found.extend(current.take());
                current = os_target_name(&result).map(|image| Found {
                    image,
                    id: None,
                    digests: Vec::new(),
                    results: Vec::new(),
                });
            }
            if let Some(c) = current.as_mut() {
                c.results.push(result);
            }
        }
        found.extend(current);
    }

    // Images with an ID first, so that an image found only by name joins its namesake.
    found.sort_by_key(|f| f.id.is_none());
    let mut images: BTreeMap<String, VulnReport> = BTreeMap::new();
    let mut key_of_name: BTreeMap<String, String> = BTreeMap::new();
    for f in found {
        let key = match &f.id {
            Some(id) => format!("id {id}"),
            None => key_of_name
                .get(&f.image)
                .cloned()
                .unwrap_or_else(|| format!("name {}", f.image)),
        };
        key_of_name
            .entry(f.image.clone())
            .or_insert_with(|| key.clone());
        let entry = images.entry(key).or_insert_with(|| VulnReport {
            file: file.to_string(),
            format: VulnFormat::Trivy,
            image: f.image.clone(),
            digests: Vec::new(),
            created: created.clone(),
            vulnerabilities: Vec::new(),
        });
        for digest in &f.digests {
            push_digest(&mut entry.digests, digest);
        }
        entry.vulnerabilities.extend(vulnerabilities(&f.results));
    }
    let mut out: Vec<VulnReport> = images
        .into_values()
        .map(|mut r| {
            r.vulnerabilities = finish(std::mem::take(&mut r.vulnerabilities));
            r
        })
        .collect();
    out.sort_by(|a, b| {
        a.image
            .cmp(&b.image)
            .then_with(|| a.digests.cmp(&b.digests))
    });
    Ok(out)
}

/// An image found in a Kubernetes report, and the results that are its.
struct Found {
    image: String,
    id: Option<String>,
    digests: Vec<String>,
    results: Vec<TrivyResult>,
}

fn is_os(result: &TrivyResult) -> bool {
    result.class.as_deref() == Some("os-pkgs")
}

/// `registry.example.com/api:1.4 (debian 12.7)` names `registry.example.com/api:1.4`.
fn os_target_name(result: &TrivyResult) -> Option<String> {
    let target = result.target.as_deref()?.trim();
    let name = match target.rfind(" (") {
        Some(i) if target.ends_with(')') => &target[..i],
        _ => target,
    };
    non_empty(Some(name))
}

impl Metadata {
    fn is_image(&self) -> bool {
        non_empty(self.image_id.as_deref()).is_some()
            || self.repo_tags.as_ref().is_some_and(|t| !t.is_empty())
            || self.repo_digests.as_ref().is_some_and(|d| !d.is_empty())
    }

    /// Repo digests first, then the image ID.
    fn digests(&self) -> Vec<String> {
        let mut digests = Vec::new();
        for d in self.repo_digests.iter().flatten() {
            push_digest(&mut digests, d);
        }
        if let Some(id) = &self.image_id {
            push_digest(&mut digests, id);
        }
        digests
    }

    /// The image as the scan named it (its OS result's target without ` (debian 12.7)`), else
    /// the first tag, else the first repo digest (`name@sha256:...`), else the image ID.
    fn image_name(&self, results: &[TrivyResult]) -> String {
        let first = |v: &Option<Vec<String>>| v.iter().flatten().find_map(|s| non_empty(Some(s)));
        results
            .iter()
            .filter(|r| is_os(r))
            .find_map(os_target_name)
            .or_else(|| first(&self.repo_tags))
            .or_else(|| first(&self.repo_digests))
            .or_else(|| non_empty(self.image_id.as_deref()))
            .unwrap_or_default()
    }
}

fn vulnerabilities(results: &[TrivyResult]) -> Vec<Vulnerability> {
    results
        .iter()
        .flat_map(|r| r.vulnerabilities.iter().flatten())
        .filter_map(|v| {
            let id = non_empty(v.vulnerability_id.as_deref())?;
            let no_fix = matches!(
                v.status.as_deref().map(str::trim),
                Some("affected" | "will_not_fix" | "fix_deferred" | "end_of_life")
            );
            let installed = v
                .installed_version
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_string();
            let fixed = match (no_fix, v.fixed_version.as_deref()) {
                (false, Some(list)) => pick_fix(list.split(','), &installed),
                _ => None,
            };
            Some(Vulnerability {
                id,
                package: v.pkg_name.as_deref().unwrap_or_default().trim().to_string(),
                installed,
                fixed,
                severity: severity(v.severity.as_deref().unwrap_or_default()),
                title: non_empty(v.title.as_deref()),
            })
        })
        .collect()
}
