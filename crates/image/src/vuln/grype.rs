//! Grype's JSON report (`grype IMAGE -o json`).
//!
//! Facts relied on, from Grype's presenter models (`grype/presenter/models/document.go`,
//! `match.go`, `vulnerability.go`, `vulnerability_metadata.go`, `package.go`, `source.go`,
//! `descriptor.go`, and `grype/vulnerability/fix.go` in <https://github.com/anchore/grype>) and
//! Syft's image metadata (`syft/source/image_metadata.go` in <https://github.com/anchore/syft>):
//! - the document: `matches[]`, `ignoredMatches[]` (matches the user's ignore rules removed;
//!   not read), `source`, `distro`, `descriptor` (`name` `"grype"`, `version`, `timestamp`: an
//!   RFC 3339 time, or empty when timestamps are turned off);
//! - a match: `vulnerability` with `id`, `severity` (`Unknown`, `Negligible`, `Low`, `Medium`,
//!   `High`, `Critical`) and `fix` with `versions` (sorted, lowest first) and `state` (`fixed`,
//!   `not-fixed`, `wont-fix`, `unknown`); `artifact` with `name`, `version`, `type`, `purl`.
//!   Grype has no title, only a long `description`: titles are left empty;
//! - `source`: `type` `image` with `target` an object (`userInput`, `imageID`, the config
//!   digest; `manifestDigest`; `tags`; `repoDigests`, `name@sha256:...`); other types
//!   (`directory`, `file`, `sbom-file`, `purl`, `cpe`, `snap`, `unknown`) have a string target
//!   and are not image reports (an `image` source with a string target is read as naming it).

use kcheck_model::image::{VulnFormat, VulnReport, Vulnerability};
use serde::Deserialize;

use super::{finish, json_error, non_empty, pick_fix, push_digest, severity, VulnError};

const FORMAT: &str = "Grype";

#[derive(Deserialize)]
struct Document {
    matches: Option<Vec<Match>>,
    source: Option<Source>,
    descriptor: Option<Descriptor>,
}

#[derive(Deserialize)]
struct Match {
    vulnerability: Option<GrypeVulnerability>,
    artifact: Option<Artifact>,
}

#[derive(Deserialize)]
struct GrypeVulnerability {
    id: Option<String>,
    severity: Option<String>,
    fix: Option<Fix>,
}

#[derive(Deserialize)]
struct Fix {
    versions: Option<Vec<String>>,
    state: Option<String>,
}

#[derive(Deserialize)]
struct Artifact {
    name: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize)]
struct Source {
    #[serde(rename = "type")]
    kind: Option<String>,
    target: Option<Target>,
}

/// An image's target is an object; other sources' a string. A string names the image; any
/// other value that does not fit names nothing.
#[derive(Deserialize)]
#[serde(untagged)]
enum Target {
    Image(ImageTarget),
    Other(serde_json::Value),
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImageTarget {
    user_input: Option<String>,
    #[serde(rename = "imageID")]
    image_id: Option<String>,
    manifest_digest: Option<String>,
    tags: Option<Vec<String>>,
    repo_digests: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Descriptor {
    timestamp: Option<String>,
}

pub(super) fn parse(file: &str, bytes: &[u8]) -> Result<Vec<VulnReport>, VulnError> {
    let doc: Document = serde_json::from_slice(bytes).map_err(|e| json_error(file, FORMAT, &e))?;
    let not_image = |what: String| VulnError::NotImage {
        file: file.to_string(),
        format: FORMAT,
        what,
    };
    let source = doc
        .source
        .ok_or_else(|| not_image("a source it does not name".to_string()))?;
    let kind = source.kind.as_deref().unwrap_or_default().trim();
    if kind != "image" {
        return Err(not_image(format!("a source of type `{kind}`")));
    }
    let target = match source.target {
        Some(Target::Image(target)) => target,
        Some(Target::Other(serde_json::Value::String(name))) => ImageTarget {
            user_input: Some(name),
            ..ImageTarget::default()
        },
        _ => ImageTarget::default(),
    };

    let first = |v: &Option<Vec<String>>| v.iter().flatten().find_map(|s| non_empty(Some(s)));
    let image = non_empty(target.user_input.as_deref())
        .or_else(|| first(&target.tags))
        .or_else(|| first(&target.repo_digests))
        .or_else(|| non_empty(target.image_id.as_deref()))
        .unwrap_or_default();
    let mut digests = Vec::new();
    for d in target.repo_digests.iter().flatten() {
        push_digest(&mut digests, d);
    }
    for d in [&target.manifest_digest, &target.image_id]
        .into_iter()
        .flatten()
    {
        push_digest(&mut digests, d);
    }

    let vulnerabilities = doc
        .matches
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let v = m.vulnerability?;
            let id = non_empty(v.id.as_deref())?;
            let artifact = m.artifact;
            let field = |f: fn(&Artifact) -> &Option<String>| {
                artifact
                    .as_ref()
                    .and_then(|a| f(a).as_deref())
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            };
            let installed = field(|a| &a.version);
            let fixed = v.fix.as_ref().and_then(|fix| {
                if fix.state.as_deref().map(str::trim) != Some("fixed") {
                    return None;
                }
                pick_fix(
                    fix.versions.iter().flatten().map(String::as_str),
                    &installed,
                )
            });
            Some(Vulnerability {
                id,
                package: field(|a| &a.name),
                installed,
                fixed,
                severity: severity(v.severity.as_deref().unwrap_or_default()),
                title: None,
            })
        })
        .collect();

    Ok(vec![VulnReport {
        file: file.to_string(),
        format: VulnFormat::Grype,
        image,
        digests,
        created: doc
            .descriptor
            .and_then(|d| non_empty(d.timestamp.as_deref())),
        vulnerabilities: finish(vulnerabilities),
    }])
}
