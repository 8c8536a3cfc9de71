//! The archive formats: which images an archive holds, and where their config and layers are.
//!
//! * OCI layout (directory or tar): `index.json` lists descriptors; an image index (OCI index or
//!   Docker manifest list) is followed, nested ones too (a few levels), and each image manifest
//!   found is one candidate image with the platform its descriptor gives (or, failing that, its
//!   config). Attestation manifests (`vnd.docker.reference.type: attestation-manifest`, platform
//!   `unknown/unknown`) are skipped. References come from the annotations of the descriptors on
//!   the way down.
//! * Docker archive (`docker save`): `manifest.json` lists images with `Config`, `RepoTags` and
//!   `Layers` (old layout `<id>/layer.tar`, or Docker 25's `blobs/sha256/<hex>`). When an
//!   `index.json` is there too (Docker 25), it supplies each image's manifest digest and layer
//!   media types, matched by config digest; `RepoTags` stay the references.
//!
//! Every blob name comes from a validated digest (`sha256:` and 64 hex digits, or another
//! algorithm with hex digits), so a descriptor cannot name a path. A config or manifest is read
//! whole but at most `max_json_bytes`, and its size and sha256 are checked against its descriptor.

use serde_json::Value;

use kcheck_model::image::{ImageFacts, ImageProblem, ImageProblemKind};

use crate::decompress::sha256_digest;
use crate::layer::{read_layer, Budget, LayerInput};
use crate::store::Store;
use crate::union::UnionFs;
use crate::{ReadError, ReadOptions};

const INDEX_TYPES: &[&str] = &[
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];
const MAX_INDEX_DEPTH: usize = 4;

/// A descriptor as an index or manifest gives it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Descriptor {
    pub media_type: String,
    pub digest: String,
    pub size: Option<u64>,
    pub platform: Option<Platform>,
    pub annotations: Vec<(String, String)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Platform {
    pub os: String,
    pub arch: String,
    pub variant: String,
}

impl Platform {
    pub fn parse(s: &str) -> Platform {
        let mut parts = s.split('/');
        let os = parts.next().unwrap_or("").to_ascii_lowercase();
        let arch = parts.next().unwrap_or("").to_ascii_lowercase();
        let variant = parts.next().unwrap_or("").to_ascii_lowercase();
        Platform {
            os,
            arch: normalise_arch(&arch).to_string(),
            variant,
        }
    }

    pub fn display(&self) -> String {
        if self.variant.is_empty() {
            format!("{}/{}", self.os, self.arch)
        } else {
            format!("{}/{}/{}", self.os, self.arch, self.variant)
        }
    }

    /// Whether this image's platform is what `wanted` asks for; variants match loosely (a side
    /// without one matches any, and arm64's default is v8).
    pub fn matches(&self, wanted: &Platform) -> bool {
        if !wanted.os.is_empty() && self.os != wanted.os {
            return false;
        }
        if normalise_arch(&self.arch) != normalise_arch(&wanted.arch) {
            return false;
        }
        let norm = |v: &str| {
            if v.is_empty() && normalise_arch(&self.arch) == "arm64" {
                "v8".to_string()
            } else {
                v.to_string()
            }
        };
        let (a, b) = (norm(&self.variant), norm(&wanted.variant));
        a.is_empty() || b.is_empty() || a == b
    }

    fn from_json(v: &Value) -> Option<Platform> {
        let os = v.get("os")?.as_str()?.to_string();
        let arch = v.get("architecture")?.as_str()?.to_string();
        let variant = v
            .get("variant")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        Some(Platform { os, arch, variant })
    }
}

fn normalise_arch(a: &str) -> &str {
    match a {
        "x86_64" | "x86-64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// `blobs/<alg>/<hex>` for a well-formed digest.
pub(crate) fn blob_path(digest: &str) -> Option<String> {
    let (alg, hex) = digest.split_once(':')?;
    let alg_ok = !alg.is_empty()
        && alg.bytes().all(|b| {
            b.is_ascii_lowercase()
                || b.is_ascii_digit()
                || b == b'+'
                || b == b'.'
                || b == b'_'
                || b == b'-'
        });
    let hex_ok = hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    if alg == "sha256" && hex.len() != 64 {
        return None;
    }
    (alg_ok && hex_ok).then(|| format!("blobs/{alg}/{hex}"))
}

fn descriptor(v: &Value) -> Descriptor {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let annotations = v
        .get("annotations")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default();
    Descriptor {
        media_type: s("mediaType"),
        digest: s("digest"),
        size: v.get("size").and_then(Value::as_u64),
        platform: v.get("platform").and_then(Platform::from_json),
        annotations,
    }
}

fn annotation<'a>(d: &'a Descriptor, key: &str) -> Option<&'a str> {
    d.annotations
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// References an index descriptor's annotations give.
fn references(d: &Descriptor) -> Vec<String> {
    let mut out = Vec::new();
    let containerd = annotation(d, "io.containerd.image.name");
    if let Some(name) = containerd {
        out.push(name.to_string());
    }
    if let Some(r) = annotation(d, "org.opencontainers.image.ref.name") {
        let only_tag = !r.contains('/') && !r.contains(':') && !r.contains('@');
        match (only_tag, containerd) {
            (true, Some(name)) => out.push(format!("{}:{r}", repository(name))),
            _ => out.push(r.to_string()),
        }
    }
    out
}

/// `registry/repo:tag@digest` -> `registry/repo`.
fn repository(name: &str) -> &str {
    let name = name.split('@').next().unwrap_or(name);
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    match name[last_slash..].rfind(':') {
        Some(i) => &name[..last_slash + i],
        None => name,
    }
}

fn json_error(file: &str, e: &serde_json::Error) -> ReadError {
    ReadError::Json {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    }
}

/// A problem at the archive level, for the image at hand.
fn problem(kind: ImageProblemKind, path: &str, message: String) -> ImageProblem {
    ImageProblem {
        kind,
        layer: None,
        path: path.to_string(),
        message,
    }
}

/// Reads a JSON blob named by a descriptor: bounded, size and digest checked. `Err` is the
/// problem that stops its use.
fn read_json_blob(
    store: &Store,
    d: &Descriptor,
    what: &str,
    options: &ReadOptions,
    problems: &mut Vec<ImageProblem>,
) -> Result<(Value, String), ImageProblem> {
    let Some(path) = blob_path(&d.digest) else {
        return Err(problem(
            ImageProblemKind::Malformed,
            &d.digest,
            format!("the {what}'s digest `{}` is not a valid digest", d.digest),
        ));
    };
    let bytes = match store.read_document(&path, options.limits.max_json_bytes) {
        Ok(Some(b)) => b,
        Ok(None) => {
            return Err(problem(
                ImageProblemKind::Malformed,
                &path,
                format!("the {what} blob {} is not in the archive", d.digest),
            ))
        }
        Err(e) => {
            return Err(problem(
                ImageProblemKind::Malformed,
                &path,
                format!("cannot read the {what} blob: {e}"),
            ))
        }
    };
    check_blob(&bytes, d, &path, what, problems);
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(v) => Ok((v, path)),
        Err(e) => Err(problem(
            ImageProblemKind::Malformed,
            &path,
            format!(
                "the {what} is not valid JSON: line {}, column {}: {e}",
                e.line(),
                e.column()
            ),
        )),
    }
}

fn check_blob(
    bytes: &[u8],
    d: &Descriptor,
    path: &str,
    what: &str,
    problems: &mut Vec<ImageProblem>,
) {
    if let Some(size) = d.size {
        if size != bytes.len() as u64 {
            problems.push(problem(
                ImageProblemKind::SizeMismatch,
                path,
                format!(
                    "the {what} has {} bytes, its descriptor says {size}",
                    bytes.len()
                ),
            ));
        }
    }
    if d.digest.starts_with("sha256:") {
        let actual = sha256_digest(bytes);
        if actual != d.digest {
            problems.push(problem(
                ImageProblemKind::SizeMismatch,
                path,
                format!(
                    "the {what}'s sha256 is {actual}, its descriptor says {}",
                    d.digest
                ),
            ));
        }
    }
}

/// A layer to read: its name in the store (`None`: the digest is not valid), media type,
/// expected digest and size.
type LayerRef = (Option<String>, String, Option<String>, Option<u64>);

/// One image to read: everything known before its layers.
struct Candidate {
    facts: ImageFacts,
    layers: Vec<LayerRef>,
    platform: Option<Platform>,
}

/// The document at the top of a layout or archive (`index.json`, `manifest.json`): without it
/// the input is not an image; a document over the JSON limit is refused.
fn top_document(
    store: &Store,
    source: &str,
    name: &str,
    options: &ReadOptions,
) -> Result<Vec<u8>, ReadError> {
    match store.read_document(name, options.limits.max_json_bytes) {
        Ok(Some(b)) => Ok(b),
        Ok(None) => Err(ReadError::NotAnImage {
            path: source.to_string(),
            reason: format!("it has no {name}"),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Err(ReadError::TooLarge {
            file: name.into(),
            limit: options.limits.max_json_bytes,
        }),
        Err(e) => Err(ReadError::Io {
            path: format!("{source}: {name}"),
            source: e,
        }),
    }
}

/// Reads an OCI layout (directory or archive).
pub(crate) fn read_oci(
    store: &Store,
    source: &str,
    options: &ReadOptions,
    archive_problems: &[ImageProblem],
) -> Result<Vec<ImageFacts>, ReadError> {
    let bytes = top_document(store, source, "index.json", options)?;
    let index: Value = serde_json::from_slice(&bytes).map_err(|e| json_error("index.json", &e))?;
    let Some(manifests) = index.get("manifests").and_then(Value::as_array) else {
        return Err(ReadError::NotAnImage {
            path: source.to_string(),
            reason: "index.json has no `manifests` list".into(),
        });
    };
    let mut w = Walk::default();
    for m in manifests {
        walk(
            store,
            source,
            &descriptor(m),
            Vec::new(),
            None,
            0,
            options,
            &mut w,
        );
    }
    let mut archive_problems = archive_problems.to_vec();
    if w.truncated {
        archive_problems.push(images_limit(options));
    }
    finish(store, source, w.out, options, &archive_problems)
}

/// The images found so far, and whether [`Limits::max_images`](crate::Limits::max_images) cut
/// the walk short (it also bounds the descriptors visited, at eight times as many: an index can
/// name the same nested index over and over).
#[derive(Default)]
struct Walk {
    out: Vec<Candidate>,
    visits: usize,
    truncated: bool,
}

fn images_limit(options: &ReadOptions) -> ImageProblem {
    problem(
        ImageProblemKind::EntryLimit,
        "",
        format!(
            "the archive names more than {} images (or descriptors); the rest is not read",
            options.limits.max_images
        ),
    )
}

#[allow(clippy::too_many_arguments)]
fn walk(
    store: &Store,
    source: &str,
    d: &Descriptor,
    mut refs: Vec<String>,
    index_digest: Option<String>,
    depth: usize,
    options: &ReadOptions,
    w: &mut Walk,
) {
    w.visits += 1;
    let max = options.limits.max_images;
    if w.out.len() >= max || w.visits > max.saturating_mul(8) {
        w.truncated = true;
        return;
    }
    refs.extend(references(d));
    if annotation(d, "vnd.docker.reference.type") == Some("attestation-manifest") {
        return;
    }
    if d.platform
        .as_ref()
        .is_some_and(|p| p.os == "unknown" && p.arch == "unknown")
    {
        return;
    }
    let mut facts = ImageFacts {
        source: source.to_string(),
        ..ImageFacts::default()
    };
    if INDEX_TYPES.contains(&d.media_type.as_str())
        || (d.media_type.is_empty() && is_index_blob(store, d, options))
    {
        if depth >= MAX_INDEX_DEPTH {
            facts.references = refs;
            facts.problems.push(problem(
                ImageProblemKind::Malformed,
                &d.digest,
                format!("indexes nested more than {MAX_INDEX_DEPTH} deep"),
            ));
            w.out.push(Candidate {
                facts,
                layers: Vec::new(),
                platform: None,
            });
            return;
        }
        let mut problems = Vec::new();
        match read_json_blob(store, d, "index", options, &mut problems) {
            Ok((v, _)) => {
                let children: Vec<Descriptor> = v
                    .get("manifests")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(descriptor).collect())
                    .unwrap_or_default();
                let before = w.out.len();
                for child in &children {
                    walk(
                        store,
                        source,
                        child,
                        refs.clone(),
                        Some(d.digest.clone()),
                        depth + 1,
                        options,
                        w,
                    );
                }
                // Problems of the index itself go to every image under it.
                for c in &mut w.out[before..] {
                    c.facts.problems.splice(0..0, problems.iter().cloned());
                }
                if w.out.len() == before && !problems.is_empty() {
                    facts.references = refs;
                    facts.index_digest = Some(d.digest.clone());
                    facts.problems = problems;
                    w.out.push(Candidate {
                        facts,
                        layers: Vec::new(),
                        platform: None,
                    });
                }
            }
            Err(p) => {
                facts.references = refs;
                facts.index_digest = Some(d.digest.clone());
                facts.problems = problems;
                facts.problems.push(p);
                w.out.push(Candidate {
                    facts,
                    layers: Vec::new(),
                    platform: None,
                });
            }
        }
        return;
    }
    facts.references = refs;
    facts.index_digest = index_digest;
    facts.manifest_digest = Some(d.digest.clone());
    let mut platform = d.platform.clone();
    let mut layers = Vec::new();
    match read_json_blob(store, d, "manifest", options, &mut facts.problems) {
        Err(p) => facts.problems.push(p),
        Ok((manifest, _)) => {
            if let Some(config) = manifest.get("config").map(descriptor) {
                facts.config_digest = Some(config.digest.clone());
                match read_json_blob(store, &config, "config", options, &mut facts.problems) {
                    Ok((v, _)) => {
                        let from_config = apply_config(&v, &mut facts);
                        if platform.is_none() {
                            platform = from_config;
                        }
                    }
                    Err(p) => facts.problems.push(p),
                }
            } else {
                facts.problems.push(problem(
                    ImageProblemKind::Malformed,
                    &d.digest,
                    "the manifest has no config".into(),
                ));
            }
            for l in manifest
                .get("layers")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                let l = descriptor(l);
                layers.push((
                    blob_path(&l.digest),
                    l.media_type.clone(),
                    Some(l.digest.clone()),
                    l.size,
                ));
            }
        }
    }
    w.out.push(Candidate {
        facts,
        layers,
        platform,
    });
}

/// Whether a descriptor without a media type points to an index (a `manifests` list, no
/// `config`).
fn is_index_blob(store: &Store, d: &Descriptor, options: &ReadOptions) -> bool {
    let mut ignored = Vec::new();
    match read_json_blob(store, d, "manifest", options, &mut ignored) {
        Ok((v, _)) => v.get("manifests").is_some_and(Value::is_array) && v.get("config").is_none(),
        Err(_) => false,
    }
}

/// Fills user, env, entrypoint, cmd, created from a config; returns its platform.
fn apply_config(v: &Value, facts: &mut ImageFacts) -> Option<Platform> {
    facts.created = v.get("created").and_then(Value::as_str).map(str::to_string);
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    if let Some(c) = v.get("config").filter(|c| c.is_object()) {
        facts.user = c
            .get("User")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        facts.env = strings(c.get("Env"))
            .into_iter()
            .map(|e| match e.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (e, String::new()),
            })
            .collect();
        facts.entrypoint = strings(c.get("Entrypoint"));
        facts.cmd = strings(c.get("Cmd"));
    }
    Platform::from_json(v)
}

/// Applies the platform choice, reads the layers of what is left.
fn finish(
    store: &Store,
    source: &str,
    candidates: Vec<Candidate>,
    options: &ReadOptions,
    archive_problems: &[ImageProblem],
) -> Result<Vec<ImageFacts>, ReadError> {
    let wanted = options.platform.as_deref().map(Platform::parse);
    let mut available = Vec::new();
    let mut out = Vec::new();
    for c in candidates {
        if let Some(p) = &c.platform {
            available.push(p.display());
        }
        if let Some(w) = &wanted {
            match &c.platform {
                Some(p) if p.matches(w) => {}
                // An image whose platform could not be read is kept: its problems say why.
                None if c.layers.is_empty() && !c.facts.problems.is_empty() => {}
                _ => continue,
            }
        }
        out.push(read_candidate(store, c, options, archive_problems));
    }
    if let (Some(w), true) = (&options.platform, out.is_empty()) {
        available.sort();
        available.dedup();
        return Err(ReadError::PlatformNotFound {
            path: source.to_string(),
            platform: w.clone(),
            available,
        });
    }
    Ok(out)
}

fn read_candidate(
    store: &Store,
    c: Candidate,
    options: &ReadOptions,
    archive_problems: &[ImageProblem],
) -> ImageFacts {
    let mut facts = c.facts;
    let mut problems: Vec<ImageProblem> = archive_problems.to_vec();
    problems.append(&mut facts.problems);
    facts.platform = c.platform.as_ref().map(Platform::display);
    let mut fs = UnionFs::default();
    let mut budget = Budget::default();
    for (index, (path, media_type, digest, size)) in c.layers.into_iter().enumerate() {
        let name = path.clone().or_else(|| digest.clone()).unwrap_or_default();
        let reader = match path.as_deref().map(|p| store.open_blob(p)) {
            Some(Ok(Some(r))) => Some(r),
            Some(Ok(None)) => {
                problems.push(ImageProblem {
                    kind: ImageProblemKind::Malformed,
                    layer: Some(index),
                    path: name.clone(),
                    message: "the layer blob is not in the archive".into(),
                });
                None
            }
            Some(Err(e)) => {
                problems.push(ImageProblem {
                    kind: ImageProblemKind::Malformed,
                    layer: Some(index),
                    path: name.clone(),
                    message: format!("cannot open the layer blob: {e}"),
                });
                None
            }
            None => {
                problems.push(ImageProblem {
                    kind: ImageProblemKind::Malformed,
                    layer: Some(index),
                    path: name.clone(),
                    message: format!(
                        "the layer's digest `{}` is not a valid digest",
                        digest.as_deref().unwrap_or("")
                    ),
                });
                None
            }
        };
        let layer = match reader {
            Some(reader) => read_layer(
                reader,
                LayerInput {
                    index,
                    name: &name,
                    media_type,
                    expected_digest: digest,
                    expected_size: size,
                },
                &mut fs,
                &mut budget,
                &options.limits,
                &mut problems,
            ),
            None => kcheck_model::image::Layer {
                digest: digest.unwrap_or_default(),
                media_type,
                size: 0,
                uncompressed: 0,
                entries: 0,
            },
        };
        facts.layers.push(layer);
    }
    crate::facts::derive(&fs, &mut facts, options.limits.max_link_depth);
    problems.append(&mut facts.problems);
    let max = crate::layer::MAX_PROBLEMS;
    let dropped = budget.problems_dropped + problems.len().saturating_sub(max) as u64;
    problems.truncate(max);
    if dropped > 0 {
        problems.push(ImageProblem {
            kind: ImageProblemKind::EntryLimit,
            layer: None,
            path: String::new(),
            message: format!("{dropped} more problems, not listed (at most {max} are)"),
        });
    }
    facts.problems = problems;
    facts.references.sort();
    facts.references.dedup();
    facts
}

/// Reads a Docker archive (`manifest.json`).
pub(crate) fn read_docker(
    store: &Store,
    source: &str,
    options: &ReadOptions,
    archive_problems: &[ImageProblem],
) -> Result<Vec<ImageFacts>, ReadError> {
    let bytes = top_document(store, source, "manifest.json", options)?;
    let manifest: Value =
        serde_json::from_slice(&bytes).map_err(|e| json_error("manifest.json", &e))?;
    let Some(images) = manifest.as_array() else {
        return Err(ReadError::NotAnImage {
            path: source.to_string(),
            reason: "manifest.json is not a list of images".into(),
        });
    };
    // Docker 25: index.json's manifests, by config digest.
    let mut oci: Vec<(String, String, Vec<String>)> = Vec::new();
    if let Ok(Some(index)) = store.read_document("index.json", options.limits.max_json_bytes) {
        if let Ok(index) = serde_json::from_slice::<Value>(&index) {
            let mut stack: Vec<(Descriptor, usize)> = index
                .get("manifests")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(|d| (descriptor(d), 0)).collect())
                .unwrap_or_default();
            let mut visits = 0usize;
            while let Some((d, depth)) = stack.pop() {
                visits += 1;
                if visits > options.limits.max_images.saturating_mul(8) {
                    break;
                }
                let mut ignored = Vec::new();
                let Ok((v, _)) = read_json_blob(store, &d, "manifest", options, &mut ignored)
                else {
                    continue;
                };
                if INDEX_TYPES.contains(&d.media_type.as_str()) {
                    if depth < MAX_INDEX_DEPTH {
                        for c in v
                            .get("manifests")
                            .and_then(Value::as_array)
                            .map(Vec::as_slice)
                            .unwrap_or(&[])
                        {
                            stack.push((descriptor(c), depth + 1));
                        }
                    }
                    continue;
                }
                let config = v
                    .get("config")
                    .map(descriptor)
                    .map(|c| c.digest)
                    .unwrap_or_default();
                let types = v
                    .get("layers")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(|l| descriptor(l).media_type).collect())
                    .unwrap_or_default();
                oci.push((config, d.digest.clone(), types));
            }
        }
    }
    let wanted = options.platform.as_deref().map(Platform::parse);
    let mut available = Vec::new();
    let mut out = Vec::new();
    let mut archive_problems = archive_problems.to_vec();
    if images.len() > options.limits.max_images {
        archive_problems.push(images_limit(options));
    }
    let archive_problems = &archive_problems[..];
    for image in images.iter().take(options.limits.max_images) {
        let mut facts = ImageFacts {
            source: source.to_string(),
            ..ImageFacts::default()
        };
        facts.references = image
            .get("RepoTags")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let mut platform = None;
        let config_name = image.get("Config").and_then(Value::as_str).unwrap_or("");
        match store.read_document(config_name, options.limits.max_json_bytes) {
            Ok(Some(bytes)) => {
                let digest = sha256_digest(&bytes);
                // The name holds the digest (`<hex>.json`, `blobs/sha256/<hex>`): check it.
                let stem = crate::capture::basename(config_name).trim_end_matches(".json");
                if stem.len() == 64
                    && stem.bytes().all(|b| b.is_ascii_hexdigit())
                    && format!("sha256:{stem}") != digest
                {
                    facts.problems.push(problem(
                        ImageProblemKind::SizeMismatch,
                        config_name,
                        format!("the config's sha256 is {digest}, its name says {stem}"),
                    ));
                }
                facts.config_digest = Some(digest);
                match serde_json::from_slice::<Value>(&bytes) {
                    Ok(v) => platform = apply_config(&v, &mut facts),
                    Err(e) => facts.problems.push(problem(
                        ImageProblemKind::Malformed,
                        config_name,
                        format!(
                            "the config is not valid JSON: line {}, column {}: {e}",
                            e.line(),
                            e.column()
                        ),
                    )),
                }
            }
            Ok(None) => facts.problems.push(problem(
                ImageProblemKind::Malformed,
                config_name,
                "the config is not in the archive".into(),
            )),
            Err(e) => facts.problems.push(problem(
                ImageProblemKind::Malformed,
                config_name,
                format!("cannot read the config: {e}"),
            )),
        }
        let matched = facts
            .config_digest
            .as_ref()
            .and_then(|c| oci.iter().find(|(cfg, _, _)| cfg == c));
        if let Some((_, manifest, _)) = matched {
            facts.manifest_digest = Some(manifest.clone());
        }
        let layer_names: Vec<String> = image
            .get("Layers")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let layers = layer_names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let media_type = matched
                    .and_then(|(_, _, t)| t.get(i).cloned())
                    .unwrap_or_else(|| "tar".to_string());
                // `blobs/sha256/<hex>` names the digest; the old `<id>/layer.tar` does not.
                let digest = name
                    .strip_prefix("blobs/sha256/")
                    .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
                    .map(|h| format!("sha256:{h}"));
                (Some(name.clone()), media_type, digest, None)
            })
            .collect();
        if let Some(p) = &platform {
            available.push(p.display());
        }
        if let Some(w) = &wanted {
            if !platform.as_ref().is_some_and(|p| p.matches(w)) {
                continue;
            }
        }
        out.push(read_candidate(
            store,
            Candidate {
                facts,
                layers,
                platform,
            },
            options,
            archive_problems,
        ));
    }
    if let (Some(w), true) = (&options.platform, out.is_empty()) {
        available.sort();
        available.dedup();
        return Err(ReadError::PlatformNotFound {
            path: source.to_string(),
            platform: w.clone(),
            available,
        });
    }
    Ok(out)
}
