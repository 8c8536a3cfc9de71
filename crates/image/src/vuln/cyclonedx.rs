//! CycloneDX JSON (1.4 to 1.6) with vulnerabilities: a vulnerability disclosure report (VDR) or
//! a BOM with `vulnerabilities`, as Trivy writes with `-f cyclonedx` when it scans for
//! vulnerabilities.
//!
//! Facts relied on, from the CycloneDX JSON reference (<https://cyclonedx.org/docs/1.6/json/>,
//! `vulnerabilities` being part of the core schema since 1.4), the CycloneDX libraries' enums
//! (`ImpactAnalysisState`, `ImpactAnalysisAffectedStatus` in
//! <https://github.com/CycloneDX/cyclonedx-python-lib>) and Trivy's CycloneDX writer
//! (`pkg/sbom/cyclonedx/core/cyclonedx.go`, `pkg/sbom/cyclonedx/marshal.go`, `pkg/purl/purl.go`
//! and the golden file `integration/testdata/fluentd-multiple-lockfiles-short.cdx.json.golden`
//! in <https://github.com/aquasecurity/trivy>):
//! - `bomFormat` `"CycloneDX"`, `specVersion`, `metadata.timestamp`, `metadata.component` (the
//!   image: `type` `container`, `name`, `version`, `bom-ref`, `purl`, `properties[]` of `name` and
//!   `value`), `components[]` (nested `components[]` allowed) with `bom-ref`, `group`, `name`,
//!   `version`, `purl`;
//! - `vulnerabilities[]` with `id`, `ratings[]` (`severity`: `critical`, `high`, `medium`, `low`,
//!   `info`, `none`, `unknown`; one rating per source and method, so the highest is kept),
//!   `affects[]` (`ref`, a component's `bom-ref` or a BOM-link `urn:cdx:...#bom-ref`, and
//!   `versions[]` of `version` or `range` with `status` `affected`, `unaffected` or `unknown`),
//!   `recommendation`, `analysis.state` (`resolved`, `resolved_with_pedigree`, `exploitable`,
//!   `in_triage`, `false_positive`, `not_affected`);
//! - Trivy names the image `metadata.component.name` (the artifact name) with properties
//!   `aquasecurity:trivy:ImageID`, `aquasecurity:trivy:RepoDigest` (`name@sha256:...`, one per
//!   repo digest) and `aquasecurity:trivy:RepoTag`, and its `purl` is
//!   `pkg:oci/NAME@sha256%3A...?arch=...&repository_url=...` built from the first repo digest;
//! - Trivy records no fixed-version property: a fix is written only as `recommendation`,
//!   `"Upgrade PKG to version FIXED"` (FIXED as in its JSON, `"6.0.3.1, 5.2.4.3"`), the
//!   recommendations of several packages joined by `"; "`; each affected package is one
//!   `affects[]` entry whose `versions` hold the installed version with status `affected`.
//!
//! A fixed version is picked (see the parent module) from the `affects[].versions[]` entries
//! with status `unaffected` and a `version`, else from the versions Trivy's recommendation gives
//! for that package (or the only recommendation, when one package is affected). The installed
//! version is the `affected` entry's `version`, else the component's version.
//! Vulnerabilities whose `analysis.state` says they do not apply (`not_affected`,
//! `false_positive`, `resolved`, `resolved_with_pedigree`) are left out. CycloneDX has no title:
//! titles are left empty.
//!
//! A document without `vulnerabilities` is an SBOM, not a scan, and an error: read as an empty
//! report it would pass for an image scanned clean. An empty `vulnerabilities` array is a scan
//! that found nothing.

use std::collections::HashMap;

use kcheck_model::image::{VulnFormat, VulnReport, VulnSeverity, Vulnerability};
use serde::Deserialize;

use super::{finish, json_error, non_empty, pick_fix, push_digest, severity, VulnError};

const FORMAT: &str = "CycloneDX";
const TRIVY_IMAGE_ID: &str = "aquasecurity:trivy:ImageID";
const TRIVY_REPO_DIGEST: &str = "aquasecurity:trivy:RepoDigest";

#[derive(Deserialize)]
struct Bom {
    metadata: Option<Metadata>,
    components: Option<Vec<Component>>,
    vulnerabilities: Option<Vec<CdxVulnerability>>,
}

#[derive(Deserialize)]
struct Metadata {
    timestamp: Option<String>,
    component: Option<Component>,
}

#[derive(Deserialize)]
struct Component {
    #[serde(rename = "bom-ref")]
    bom_ref: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    group: Option<String>,
    name: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    properties: Option<Vec<Property>>,
    components: Option<Vec<Component>>,
}

#[derive(Deserialize)]
struct Property {
    name: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize)]
struct CdxVulnerability {
    id: Option<String>,
    ratings: Option<Vec<Rating>>,
    affects: Option<Vec<Affects>>,
    recommendation: Option<String>,
    analysis: Option<Analysis>,
}

#[derive(Deserialize)]
struct Rating {
    severity: Option<String>,
}

#[derive(Deserialize)]
struct Affects {
    #[serde(rename = "ref")]
    reference: Option<String>,
    versions: Option<Vec<AffectedVersion>>,
}

#[derive(Deserialize)]
struct AffectedVersion {
    version: Option<String>,
    status: Option<String>,
}

#[derive(Deserialize)]
struct Analysis {
    state: Option<String>,
}

pub(super) fn parse(file: &str, bytes: &[u8]) -> Result<Vec<VulnReport>, VulnError> {
    let bom: Bom = serde_json::from_slice(bytes).map_err(|e| json_error(file, FORMAT, &e))?;
    let Some(vulns) = bom.vulnerabilities else {
        return Err(VulnError::SbomWithoutVulnerabilities {
            file: file.to_string(),
        });
    };
    let (timestamp, root) = match bom.metadata {
        Some(m) => (m.timestamp, m.component),
        None => (None, None),
    };
    let not_image = |what: String| VulnError::NotImage {
        file: file.to_string(),
        format: FORMAT,
        what,
    };
    let root = root.ok_or_else(|| not_image("no metadata.component".to_string()))?;
    if let Some(kind) = non_empty(root.kind.as_deref()) {
        if kind != "container" {
            return Err(not_image(format!("a component of type `{kind}`")));
        }
    }

    let mut components: HashMap<&str, &Component> = HashMap::new();
    index(std::slice::from_ref(&root), &mut components);
    index(
        bom.components.as_deref().unwrap_or_default(),
        &mut components,
    );

    let vulnerabilities = vulns
        .iter()
        .filter(|v| {
            !matches!(
                v.analysis.as_ref().and_then(|a| a.state.as_deref()),
                Some("not_affected" | "false_positive" | "resolved" | "resolved_with_pedigree")
            )
        })
        .flat_map(|v| vulnerabilities(v, &components))
        .collect();

    Ok(vec![VulnReport {
        file: file.to_string(),
        format: VulnFormat::CycloneDx,
        image: image_name(&root),
        digests: image_digests(&root),
        created: non_empty(timestamp.as_deref()),
        vulnerabilities: finish(vulnerabilities),
    }])
}

fn index<'a>(components: &'a [Component], out: &mut HashMap<&'a str, &'a Component>) {
    for c in components {
        if let Some(r) = c.bom_ref.as_deref() {
            out.entry(r).or_insert(c);
        }
        index(c.components.as_deref().unwrap_or_default(), out);
    }
}

/// One entry per affected component.
fn vulnerabilities(
    v: &CdxVulnerability,
    components: &HashMap<&str, &Component>,
) -> Vec<Vulnerability> {
    let Some(id) = non_empty(v.id.as_deref()) else {
        return Vec::new();
    };
    let severity = v
        .ratings
        .iter()
        .flatten()
        .filter_map(|r| r.severity.as_deref())
        .map(severity)
        .max()
        .unwrap_or(VulnSeverity::Unknown);
    let recommendations = trivy_recommendations(v.recommendation.as_deref().unwrap_or_default());
    let affects: Vec<&Affects> = v.affects.iter().flatten().collect();
    if affects.is_empty() {
        return vec![Vulnerability {
            id,
            package: String::new(),
            installed: String::new(),
            fixed: None,
            severity,
            title: None,
        }];
    }
    let only_one = affects.len() == 1 && recommendations.len() == 1;
    affects
        .into_iter()
        .map(|a| {
            let package = affected_package(a.reference.as_deref().unwrap_or_default(), components);
            let with_status = |status: &'static str| {
                a.versions
                    .iter()
                    .flatten()
                    .filter(move |av| av.status.as_deref() == Some(status))
                    .filter_map(|av| av.version.as_deref())
            };
            let installed = with_status("affected")
                .find_map(|v| non_empty(Some(v)))
                .or(package.version)
                .unwrap_or_default();
            let fixed = pick_fix(with_status("unaffected"), &installed).or_else(|| {
                let (_, versions) = recommendations
                    .iter()
                    .find(|(name, _)| package.names.iter().any(|n| n == name))
                    .or(if only_one {
                        recommendations.first()
                    } else {
                        None
                    })?;
                pick_fix(versions.split(','), &installed)
            });
            Vulnerability {
                id: id.clone(),
                package: package.name,
                installed,
                fixed,
                severity,
                title: None,
            }
        })
        .collect()
}

struct Package {
    /// The name reported.
    name: String,
    /// Names a recommendation may use: the name, and with its group (`group:name`, Maven's
    /// form in Trivy, and `group/name`, npm's scoped form).
    names: Vec<String>,
    version: Option<String>,
}

/// The component an `affects[].ref` names: by `bom-ref`, by the fragment of a BOM-link, else
/// read from the ref itself when it is a package URL; the ref as the name at worst.
fn affected_package(reference: &str, components: &HashMap<&str, &Component>) -> Package {
    let reference = reference.trim();
    let fragment = reference
        .strip_prefix("urn:cdx:")
        .and_then(|r| r.split_once('#'))
        .map(|(_, f)| f);
    let found = components
        .get(reference)
        .or_else(|| fragment.and_then(|f| components.get(f)));
    if let Some(c) = found {
        let purl = c.purl.as_deref().and_then(parse_purl);
        let group = non_empty(c.group.as_deref());
        // A grouped name (Maven's group, npm's scope, a Go module path) reads whole from the
        // package URL, as the scanners' own reports print it.
        let grouped = group.as_ref().and(purl.as_ref()).map(|p| p.name.clone());
        let name = grouped
            .or_else(|| non_empty(c.name.as_deref()))
            .or_else(|| purl.as_ref().map(|p| p.name.clone()))
            .unwrap_or_default();
        let mut names = vec![name.clone()];
        if let (Some(group), Some(short)) = (group, non_empty(c.name.as_deref())) {
            names.push(short.clone());
            names.push(format!("{group}:{short}"));
            names.push(format!("{group}/{short}"));
        }
        let version = non_empty(c.version.as_deref()).or_else(|| purl.and_then(|p| p.version));
        return Package {
            name,
            names,
            version,
        };
    }
    match parse_purl(fragment.unwrap_or(reference)) {
        Some(p) => Package {
            names: vec![p.name.clone()],
            name: p.name,
            version: p.version,
        },
        None => Package {
            name: reference.to_string(),
            names: vec![reference.to_string()],
            version: None,
        },
    }
}

/// Trivy's `"Upgrade PKG to version V1, V2; Upgrade PKG2 to version V3"`: each package with its
/// versions as written (`"V1, V2"`).
fn trivy_recommendations(text: &str) -> Vec<(&str, &str)> {
    text.split("; ")
        .filter_map(|part| {
            let rest = part.trim().strip_prefix("Upgrade ")?;
            let (name, versions) = rest.split_once(" to version ")?;
            Some((name.trim(), versions))
        })
        .collect()
}

/// The image as named: `name`, with `@version` when the version is a digest, or `:version`
/// when the name has no tag yet.
fn image_name(root: &Component) -> String {
    let name = non_empty(root.name.as_deref()).unwrap_or_default();
    let version = non_empty(root.version.as_deref()).unwrap_or_default();
    if name.is_empty() || version.is_empty() || name.contains('@') {
        return name;
    }
    if is_digest(&version) {
        return format!("{name}@{version}");
    }
    let last = name.rsplit('/').next().unwrap_or_default();
    if last.contains(':') {
        name
    } else {
        format!("{name}:{version}")
    }
}

/// Repo digests (Trivy's properties, the `pkg:oci` purl's version, a digest version), then the
/// image ID.
fn image_digests(root: &Component) -> Vec<String> {
    let mut digests = Vec::new();
    let property = |wanted: &'static str| {
        root.properties
            .iter()
            .flatten()
            .filter(move |p| p.name.as_deref() == Some(wanted))
            .filter_map(|p| p.value.as_deref())
    };
    for d in property(TRIVY_REPO_DIGEST) {
        push_digest(&mut digests, d);
    }
    if let Some(purl) = root.purl.as_deref().and_then(parse_purl) {
        if purl.kind == "oci" {
            if let Some(v) = purl.version.filter(|v| is_digest(v)) {
                push_digest(&mut digests, &v);
            }
        }
    }
    if let Some(v) = root
        .version
        .as_deref()
        .map(str::trim)
        .filter(|v| is_digest(v))
    {
        push_digest(&mut digests, v);
    }
    for d in property(TRIVY_IMAGE_ID) {
        push_digest(&mut digests, d);
    }
    digests
}

fn is_digest(s: &str) -> bool {
    ["sha256:", "sha384:", "sha512:"]
        .iter()
        .any(|p| s.starts_with(p) && s.len() > p.len())
}

struct Purl {
    kind: String,
    name: String,
    version: Option<String>,
}

/// `pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS#SUBPATH`, name and version percent-decoded.
fn parse_purl(s: &str) -> Option<Purl> {
    let rest = s.trim().strip_prefix("pkg:")?;
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let rest = rest.split_once('?').map_or(rest, |(r, _)| r);
    let (path, version) = match rest.rsplit_once('@') {
        Some((p, v)) => (p, Some(percent_decode(v))),
        None => (rest, None),
    };
    let (kind, path) = path.trim_start_matches('/').split_once('/')?;
    let kind = kind.to_ascii_lowercase();
    let (namespace, name) = match path.rsplit_once('/') {
        Some((ns, n)) => (percent_decode(ns), percent_decode(n)),
        None => (String::new(), percent_decode(path)),
    };
    if kind.is_empty() || name.is_empty() {
        return None;
    }
    // Where the ecosystem's own name includes the namespace, keep it (as scanners print it).
    let name = match kind.as_str() {
        "golang" | "npm" if !namespace.is_empty() => format!("{namespace}/{name}"),
        "maven" if !namespace.is_empty() => format!("{namespace}:{name}"),
        _ => name,
    };
    Some(Purl {
        kind,
        name,
        version: version.filter(|v| !v.is_empty()),
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_urls() {
        let p = parse_purl("pkg:oci/api@sha256%3Aab12?arch=amd64&repository_url=r.example%2Fapi")
            .unwrap();
        assert_eq!((p.kind.as_str(), p.name.as_str()), ("oci", "api"));
        assert_eq!(p.version.as_deref(), Some("sha256:ab12"));
        let p = parse_purl("pkg:npm/%40scope/left-pad@1.3.0#lib").unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_deref()),
            ("@scope/left-pad", Some("1.3.0"))
        );
        let p = parse_purl("pkg:golang/golang.org/x/net@v0.21.0").unwrap();
        assert_eq!(p.name, "golang.org/x/net");
        let p = parse_purl("pkg:maven/ch.qos.logback/logback-core@1.2.13").unwrap();
        assert_eq!(p.name, "ch.qos.logback:logback-core");
        let p = parse_purl("pkg:deb/debian/openssl").unwrap();
        assert_eq!((p.name.as_str(), p.version), ("openssl", None));
        assert!(parse_purl("pkg:deb").is_none());
        assert!(parse_purl("urn:uuid:1").is_none());
        assert_eq!(percent_decode("a%3Ab%zz%4"), "a:b%zz%4");
        assert_eq!(percent_decode("%e2%82%ac%"), "€%");
    }

    #[test]
    fn trivy_recommendation_lists() {
        assert_eq!(
            trivy_recommendations(
                "Upgrade libssl3 to version 3.0.15-1~deb12u1; Upgrade openssl to version 3.0.15-1~deb12u1, 3.0.16"
            ),
            [
                ("libssl3", "3.0.15-1~deb12u1"),
                ("openssl", "3.0.15-1~deb12u1, 3.0.16")
            ]
        );
        assert!(trivy_recommendations("Apply the vendor's patch").is_empty());
    }

    #[test]
    fn image_names() {
        let c = |name: &str, version: &str| Component {
            bom_ref: None,
            kind: None,
            group: None,
            name: Some(name.to_string()),
            version: Some(version.to_string()),
            purl: None,
            properties: None,
            components: None,
        };
        assert_eq!(
            image_name(&c("r.example:5000/api", "1.4")),
            "r.example:5000/api:1.4"
        );
        assert_eq!(image_name(&c("api:1.4", "1.4")), "api:1.4");
        assert_eq!(image_name(&c("api", "sha256:ab")), "api@sha256:ab");
        assert_eq!(image_name(&c("api", "")), "api");
    }
}
