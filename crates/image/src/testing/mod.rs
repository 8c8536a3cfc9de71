//! Builders of image archives for tests (this crate's and others'): layers of files, links,
//! whiteouts and hand-made hostile entries; configs; OCI layouts and archives, Docker archives
//! (old and Docker 25 layouts), multi-platform indexes.
//!
//! ```
//! use kcheck_image::testing::{ImageBuilder, Compression};
//! let dir = tempfile::tempdir().unwrap();
//! ImageBuilder::new()
//!     .layer(|l| l.file("/bin/sh", 0o755, b"#!").symlink("/bin/ash", "sh"))
//!     .layer(|l| l.compression(Compression::Zstd).whiteout("/bin/ash"))
//!     .config(|c| c.user("app").env("PATH", "/bin"))
//!     .platform("linux/amd64")
//!     .reference("example.com/app:1")
//!     .write_oci_layout(dir.path())
//!     .unwrap();
//! ```
//!
//! Everything is built in memory (test images are small) and written with plain file writes. The
//! tar writer is this module's own, so tests can write what no honest tool would: a header whose
//! size lies, a name with `..`, a GNU long name of any length.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use serde_json::{json, Value};

use crate::decompress::sha256_digest;

pub mod demo;
pub mod synthetic;

/// How a layer blob is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Compression {
    None,
    #[default]
    Gzip,
    Zstd,
}

impl Compression {
    fn media_type(self) -> &'static str {
        match self {
            Compression::None => "application/vnd.oci.image.layer.v1.tar",
            Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }

    /// Compresses `data`.
    pub fn apply(self, data: &[u8]) -> Vec<u8> {
        match self {
            Compression::None => data.to_vec(),
            Compression::Gzip => gzip(data),
            Compression::Zstd => {
                ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
            }
        }
    }
}

/// gzip, default level.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

/// A tar writer: ustar headers, GNU long names (`L`/`K`) or PAX for long ones.
#[derive(Default, Clone)]
pub struct TarWriter {
    pub bytes: Vec<u8>,
}

/// A header's fields, for [`TarWriter::header`].
#[derive(Clone, Debug)]
pub struct Header<'a> {
    pub name: &'a str,
    pub typeflag: u8,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// The size written in the header.
    pub size: u64,
    pub link: &'a str,
}

impl<'a> Header<'a> {
    pub fn new(name: &'a str, typeflag: u8, mode: u32, size: u64) -> Self {
        Header {
            name,
            typeflag,
            mode,
            uid: 0,
            gid: 0,
            size,
            link: "",
        }
    }
}

fn octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    let s = format!("{value:0width$o}");
    let s = s.as_bytes();
    if s.len() > width {
        // Base-256 for big numbers.
        field.fill(0);
        let bytes = value.to_be_bytes();
        let n = field.len();
        field[n - 8..].copy_from_slice(&bytes);
        field[0] |= 0x80;
        return;
    }
    field[..width].copy_from_slice(s);
    field[width] = 0;
}

impl TarWriter {
    pub fn new() -> Self {
        TarWriter::default()
    }

    /// Writes one raw header block (names cut at 100 bytes).
    pub fn header(&mut self, h: &Header<'_>) {
        let mut b = [0u8; 512];
        let name = h.name.as_bytes();
        b[..name.len().min(100)].copy_from_slice(&name[..name.len().min(100)]);
        octal(&mut b[100..108], u64::from(h.mode));
        octal(&mut b[108..116], h.uid);
        octal(&mut b[116..124], h.gid);
        octal(&mut b[124..136], h.size);
        octal(&mut b[136..148], 0);
        b[156] = h.typeflag;
        let link = h.link.as_bytes();
        b[157..157 + link.len().min(100)].copy_from_slice(&link[..link.len().min(100)]);
        b[257..263].copy_from_slice(b"ustar\0");
        b[263..265].copy_from_slice(b"00");
        b[148..156].fill(b' ');
        let sum: u64 = b.iter().map(|&x| u64::from(x)).sum();
        let s = format!("{sum:06o}\0 ");
        b[148..156].copy_from_slice(s.as_bytes());
        self.bytes.extend_from_slice(&b);
    }

    /// Writes data and its padding.
    pub fn data(&mut self, data: &[u8]) {
        self.bytes.extend_from_slice(data);
        let pad = (512 - data.len() % 512) % 512;
        self.bytes.extend(std::iter::repeat_n(0u8, pad));
    }

    fn long(&mut self, typeflag: u8, value: &str) {
        let mut v = value.as_bytes().to_vec();
        v.push(0);
        self.header(&Header::new(
            "././@LongLink",
            typeflag,
            0o644,
            v.len() as u64,
        ));
        self.data(&v);
    }

    /// An entry, with GNU long-name headers when the name or link is over 100 bytes.
    pub fn entry(&mut self, h: &Header<'_>, data: &[u8]) {
        if h.name.len() > 100 {
            self.long(b'L', h.name);
        }
        if h.link.len() > 100 {
            self.long(b'K', h.link);
        }
        self.header(h);
        self.data(data);
    }

    /// An entry whose name and link come in a PAX header.
    pub fn pax_entry(&mut self, h: &Header<'_>, data: &[u8]) {
        let mut records = Vec::new();
        for (k, v) in [("path", h.name), ("linkpath", h.link)] {
            if v.is_empty() {
                continue;
            }
            let body = format!(" {k}={v}\n");
            let mut len = body.len() + 1;
            while format!("{len}").len() + body.len() != len {
                len += 1;
            }
            records.extend_from_slice(format!("{len}{body}").as_bytes());
        }
        self.header(&Header::new(
            "PaxHeaders/x",
            b'x',
            0o644,
            records.len() as u64,
        ));
        self.data(&records);
        let short = Header {
            name: "pax-short-name",
            link: "pax-short-link",
            ..h.clone()
        };
        self.header(&short);
        self.data(data);
    }

    /// Two zero blocks.
    pub fn finish(mut self) -> Vec<u8> {
        self.bytes.extend(std::iter::repeat_n(0u8, 1024));
        self.bytes
    }
}

#[derive(Clone, Debug)]
enum Item {
    File {
        path: String,
        mode: u32,
        uid: u64,
        gid: u64,
        data: Vec<u8>,
        pax: bool,
    },
    Dir {
        path: String,
        mode: u32,
    },
    Symlink {
        path: String,
        target: String,
    },
    HardLink {
        path: String,
        target: String,
    },
    Raw(Vec<u8>),
}

/// One layer's entries, in order.
#[derive(Clone, Debug, Default)]
pub struct LayerBuilder {
    items: Vec<Item>,
    compression: Compression,
    truncate: Option<usize>,
    no_end: bool,
}

fn rel(path: &str) -> String {
    path.trim_start_matches('/').to_string()
}

impl LayerBuilder {
    pub fn new() -> Self {
        LayerBuilder::default()
    }

    pub fn compression(mut self, c: Compression) -> Self {
        self.compression = c;
        self
    }

    /// A regular file owned by root.
    pub fn file(self, path: &str, mode: u32, data: &[u8]) -> Self {
        self.file_owned(path, mode, 0, 0, data)
    }

    pub fn file_owned(mut self, path: &str, mode: u32, uid: u64, gid: u64, data: &[u8]) -> Self {
        self.items.push(Item::File {
            path: rel(path),
            mode,
            uid,
            gid,
            data: data.to_vec(),
            pax: false,
        });
        self
    }

    /// A regular file whose name comes in a PAX header.
    pub fn pax_file(mut self, path: &str, mode: u32, data: &[u8]) -> Self {
        self.items.push(Item::File {
            path: rel(path),
            mode,
            uid: 0,
            gid: 0,
            data: data.to_vec(),
            pax: true,
        });
        self
    }

    /// A file written with its name exactly as given (no leading `/` stripped).
    pub fn file_named(mut self, name: &str, mode: u32, data: &[u8]) -> Self {
        self.items.push(Item::File {
            path: name.to_string(),
            mode,
            uid: 0,
            gid: 0,
            data: data.to_vec(),
            pax: false,
        });
        self
    }

    pub fn dir(mut self, path: &str, mode: u32) -> Self {
        self.items.push(Item::Dir {
            path: format!("{}/", rel(path)),
            mode,
        });
        self
    }

    pub fn symlink(mut self, path: &str, target: &str) -> Self {
        self.items.push(Item::Symlink {
            path: rel(path),
            target: target.to_string(),
        });
        self
    }

    /// A hard link to `target` (an absolute image path).
    pub fn hardlink(mut self, path: &str, target: &str) -> Self {
        self.items.push(Item::HardLink {
            path: rel(path),
            target: rel(target),
        });
        self
    }

    /// Deletes `path` (and its subtree) of lower layers: `.wh.<name>`.
    pub fn whiteout(self, path: &str) -> Self {
        let p = rel(path);
        let (dir, name) = match p.rfind('/') {
            Some(i) => (format!("{}/", &p[..i]), &p[i + 1..]),
            None => (String::new(), p.as_str()),
        };
        let wh = format!("{dir}.wh.{name}");
        self.file_named(&wh, 0o644, b"")
    }

    /// Hides everything under `dir` of lower layers: `.wh..wh..opq`.
    pub fn opaque(self, dir: &str) -> Self {
        let p = rel(dir);
        self.file_named(&format!("{p}/.wh..wh..opq"), 0o644, b"")
    }

    /// Raw tar bytes, at this point of the layer (for hostile entries; see [`TarWriter`]).
    pub fn raw(mut self, bytes: Vec<u8>) -> Self {
        self.items.push(Item::Raw(bytes));
        self
    }

    /// A regular file whose header says `declared` bytes while `data` is what follows.
    pub fn lying_file(self, path: &str, declared: u64, data: &[u8]) -> Self {
        let mut t = TarWriter::new();
        t.header(&Header::new(&rel(path), b'0', 0o644, declared));
        t.bytes.extend_from_slice(data);
        self.raw(t.bytes)
    }

    /// Cuts the layer's tar (before compression) at `bytes`.
    pub fn truncate(mut self, bytes: usize) -> Self {
        self.truncate = Some(bytes);
        self
    }

    /// Leaves out the end-of-archive blocks.
    pub fn no_end(mut self) -> Self {
        self.no_end = true;
        self
    }

    /// The layer's uncompressed tar.
    pub fn tar(&self) -> Vec<u8> {
        let mut t = TarWriter::new();
        for item in &self.items {
            match item {
                Item::File {
                    path,
                    mode,
                    uid,
                    gid,
                    data,
                    pax,
                } => {
                    let h = Header {
                        uid: *uid,
                        gid: *gid,
                        ..Header::new(path, b'0', *mode, data.len() as u64)
                    };
                    if *pax {
                        t.pax_entry(&h, data);
                    } else {
                        t.entry(&h, data);
                    }
                }
                Item::Dir { path, mode } => t.entry(&Header::new(path, b'5', *mode, 0), b""),
                Item::Symlink { path, target } => t.entry(
                    &Header {
                        link: target,
                        ..Header::new(path, b'2', 0o777, 0)
                    },
                    b"",
                ),
                Item::HardLink { path, target } => t.entry(
                    &Header {
                        link: target,
                        ..Header::new(path, b'1', 0o644, 0)
                    },
                    b"",
                ),
                Item::Raw(bytes) => t.bytes.extend_from_slice(bytes),
            }
        }
        let mut bytes = if self.no_end { t.bytes } else { t.finish() };
        if let Some(n) = self.truncate {
            bytes.truncate(n);
        }
        bytes
    }

    /// The layer blob: the tar, compressed.
    pub fn blob(&self) -> Vec<u8> {
        self.compression.apply(&self.tar())
    }
}

/// An image config's fields.
#[derive(Clone, Debug, Default)]
pub struct ConfigBuilder {
    user: String,
    env: Vec<String>,
    created: Option<String>,
    entrypoint: Vec<String>,
    cmd: Vec<String>,
}

impl ConfigBuilder {
    pub fn user(mut self, user: &str) -> Self {
        self.user = user.into();
        self
    }
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push(format!("{key}={value}"));
        self
    }
    pub fn created(mut self, created: &str) -> Self {
        self.created = Some(created.into());
        self
    }
    pub fn entrypoint(mut self, args: &[&str]) -> Self {
        self.entrypoint = args.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn cmd(mut self, args: &[&str]) -> Self {
        self.cmd = args.iter().map(|s| s.to_string()).collect();
        self
    }
}

/// The blobs of an OCI layout, by digest, and the extra files (`index.json`, `manifest.json`...).
/// Tests may change any of it before writing.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub blobs: BTreeMap<String, Vec<u8>>,
    pub files: BTreeMap<String, Vec<u8>>,
}

/// A descriptor for `bytes` of `media_type`.
pub fn descriptor(media_type: &str, bytes: &[u8]) -> Value {
    json!({"mediaType": media_type, "digest": sha256_digest(bytes), "size": bytes.len()})
}

impl Layout {
    /// Adds a blob, returns its descriptor.
    pub fn add_blob(&mut self, media_type: &str, bytes: Vec<u8>) -> Value {
        let d = descriptor(media_type, &bytes);
        self.blobs.insert(sha256_digest(&bytes), bytes);
        d
    }

    /// Sets `index.json` (and `oci-layout`).
    pub fn set_index(&mut self, manifests: Vec<Value>) {
        let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests});
        self.files.insert(
            "index.json".into(),
            serde_json::to_vec_pretty(&index).unwrap_or_default(),
        );
        self.files.insert(
            "oci-layout".into(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        );
    }

    /// Every file of the layout: `blobs/sha256/<hex>` and the extra files.
    pub fn entries(&self) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = self
            .files
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (digest, bytes) in &self.blobs {
            let (alg, hex) = digest.split_once(':').unwrap_or(("sha256", digest));
            out.push((format!("blobs/{alg}/{hex}"), bytes.clone()));
        }
        out
    }

    pub fn write_dir(&self, dir: &Path) -> io::Result<()> {
        for (name, bytes) in self.entries() {
            let path = dir.join(&name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, bytes)?;
        }
        Ok(())
    }

    /// The layout as a tar (directories first, as skopeo writes them).
    pub fn tar(&self) -> Vec<u8> {
        let mut t = TarWriter::new();
        let entries = self.entries();
        let mut dirs: Vec<String> = Vec::new();
        for (name, _) in &entries {
            let mut acc = String::new();
            let parts: Vec<&str> = name.split('/').collect();
            for p in &parts[..parts.len() - 1] {
                acc.push_str(p);
                acc.push('/');
                if !dirs.contains(&acc) {
                    dirs.push(acc.clone());
                }
            }
        }
        for d in &dirs {
            t.entry(&Header::new(d, b'5', 0o755, 0), b"");
        }
        for (name, bytes) in &entries {
            t.entry(&Header::new(name, b'0', 0o644, bytes.len() as u64), bytes);
        }
        t.finish()
    }

    pub fn write_tar(&self, path: &Path) -> io::Result<()> {
        std::fs::write(path, self.tar())
    }

    pub fn write_tar_gz(&self, path: &Path) -> io::Result<()> {
        std::fs::write(path, gzip(&self.tar()))
    }
}

/// One image: layers, config, platform, references.
#[derive(Clone, Debug, Default)]
pub struct ImageBuilder {
    pub layers: Vec<LayerBuilder>,
    config: ConfigBuilder,
    platform: Option<String>,
    references: Vec<String>,
    annotations: Vec<(String, String)>,
}

/// What [`ImageBuilder::add_to`] put in a layout.
#[derive(Clone, Debug)]
pub struct Built {
    /// The manifest's descriptor (with platform, without annotations).
    pub descriptor: Value,
    pub config_digest: String,
    pub layer_digests: Vec<String>,
}

impl ImageBuilder {
    pub fn new() -> Self {
        ImageBuilder::default()
    }

    pub fn layer(mut self, f: impl FnOnce(LayerBuilder) -> LayerBuilder) -> Self {
        self.layers.push(f(LayerBuilder::new()));
        self
    }

    pub fn config(mut self, f: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Self {
        self.config = f(self.config);
        self
    }

    /// `linux/amd64`, `linux/arm64/v8`: written in the config and the index descriptor.
    pub fn platform(mut self, p: &str) -> Self {
        self.platform = Some(p.into());
        self
    }

    /// A reference: the `org.opencontainers.image.ref.name` annotation (OCI) or a `RepoTags`
    /// entry (Docker).
    pub fn reference(mut self, r: &str) -> Self {
        self.references.push(r.into());
        self
    }

    /// An annotation on the image's index descriptor.
    pub fn annotation(mut self, key: &str, value: &str) -> Self {
        self.annotations.push((key.into(), value.into()));
        self
    }

    fn platform_json(&self) -> Option<Value> {
        let p = self.platform.as_deref()?;
        let mut parts = p.split('/');
        let mut v =
            json!({"os": parts.next().unwrap_or(""), "architecture": parts.next().unwrap_or("")});
        if let Some(variant) = parts.next() {
            v["variant"] = json!(variant);
        }
        Some(v)
    }

    /// The config JSON.
    pub fn config_json(&self, diff_ids: &[String]) -> Vec<u8> {
        let c = &self.config;
        let mut v = json!({
            "architecture": "amd64", "os": "linux",
            "config": {"User": c.user, "Env": c.env, "Entrypoint": if c.entrypoint.is_empty() { Value::Null } else { json!(c.entrypoint) }, "Cmd": if c.cmd.is_empty() { Value::Null } else { json!(c.cmd) }},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        });
        if let Some(created) = &c.created {
            v["created"] = json!(created);
        }
        if let Some(p) = self.platform_json() {
            for (k, val) in p.as_object().into_iter().flatten() {
                v[k] = val.clone();
            }
        }
        serde_json::to_vec(&v).unwrap_or_default()
    }

    /// Adds the image's blobs (layers, config, manifest) to `layout`.
    pub fn add_to(&self, layout: &mut Layout) -> Built {
        let mut layers = Vec::new();
        let mut diff_ids = Vec::new();
        let mut layer_digests = Vec::new();
        for l in &self.layers {
            let tar = l.tar();
            diff_ids.push(sha256_digest(&tar));
            let blob = l.compression.apply(&tar);
            layer_digests.push(sha256_digest(&blob));
            layers.push(layout.add_blob(l.compression.media_type(), blob));
        }
        let config = self.config_json(&diff_ids);
        let config_digest = sha256_digest(&config);
        let config_d = layout.add_blob("application/vnd.oci.image.config.v1+json", config);
        let manifest = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": config_d, "layers": layers});
        let mut d = layout.add_blob(
            "application/vnd.oci.image.manifest.v1+json",
            serde_json::to_vec(&manifest).unwrap_or_default(),
        );
        if let Some(p) = self.platform_json() {
            d["platform"] = p;
        }
        Built {
            descriptor: d,
            config_digest,
            layer_digests,
        }
    }

    /// The index descriptor: the manifest's, with the references and annotations.
    fn index_descriptor(&self, built: &Built) -> Value {
        let mut d = built.descriptor.clone();
        let mut annotations = serde_json::Map::new();
        if let Some(r) = self.references.first() {
            annotations.insert("org.opencontainers.image.ref.name".into(), json!(r));
        }
        for (k, v) in &self.annotations {
            annotations.insert(k.clone(), json!(v));
        }
        if !annotations.is_empty() {
            d["annotations"] = Value::Object(annotations);
        }
        d
    }

    /// The image as an OCI layout.
    pub fn oci_layout(&self) -> Layout {
        let mut layout = Layout::default();
        let built = self.add_to(&mut layout);
        layout.set_index(vec![self.index_descriptor(&built)]);
        layout
    }

    pub fn write_oci_layout(&self, dir: &Path) -> io::Result<()> {
        self.oci_layout().write_dir(dir)
    }

    pub fn write_oci_archive(&self, path: &Path) -> io::Result<()> {
        self.oci_layout().write_tar(path)
    }

    /// The image as `docker save` before Docker 25 writes it: `<id>/layer.tar` (uncompressed),
    /// `<config hex>.json`, `manifest.json`, `repositories`.
    pub fn docker_layout(&self) -> Layout {
        let mut layout = Layout::default();
        let mut names = Vec::new();
        let mut diff_ids = Vec::new();
        for l in &self.layers {
            let tar = l.tar();
            let digest = sha256_digest(&tar);
            let id = digest.trim_start_matches("sha256:").to_string();
            names.push(format!("{id}/layer.tar"));
            layout.files.insert(format!("{id}/layer.tar"), tar);
            layout
                .files
                .insert(format!("{id}/VERSION"), b"1.0".to_vec());
            diff_ids.push(digest);
        }
        let config = self.config_json(&diff_ids);
        let config_name = format!(
            "{}.json",
            sha256_digest(&config).trim_start_matches("sha256:")
        );
        layout.files.insert(config_name.clone(), config);
        let manifest =
            json!([{"Config": config_name, "RepoTags": self.references, "Layers": names}]);
        layout.files.insert(
            "manifest.json".into(),
            serde_json::to_vec(&manifest).unwrap_or_default(),
        );
        layout.files.insert("repositories".into(), b"{}".to_vec());
        layout
    }

    pub fn write_docker_archive(&self, path: &Path) -> io::Result<()> {
        self.docker_layout().write_tar(path)
    }

    /// The image as Docker 25 and later save it: an OCI layout (`index.json` with
    /// `io.containerd.image.name` annotations) plus `manifest.json` naming `blobs/sha256/<hex>`.
    pub fn docker25_layout(&self) -> Layout {
        let mut layout = Layout::default();
        let built = self.add_to(&mut layout);
        let mut d = built.descriptor.clone();
        if let Some(r) = self.references.first() {
            let tag = r.rsplit(':').next().unwrap_or("latest");
            d["annotations"] =
                json!({"io.containerd.image.name": r, "org.opencontainers.image.ref.name": tag});
        }
        layout.set_index(vec![d]);
        let layers: Vec<String> = built
            .layer_digests
            .iter()
            .map(|d| format!("blobs/sha256/{}", d.trim_start_matches("sha256:")))
            .collect();
        let manifest = json!([{"Config": format!("blobs/sha256/{}", built.config_digest.trim_start_matches("sha256:")), "RepoTags": self.references, "Layers": layers}]);
        layout.files.insert(
            "manifest.json".into(),
            serde_json::to_vec(&manifest).unwrap_or_default(),
        );
        layout
    }

    pub fn write_docker25_archive(&self, path: &Path) -> io::Result<()> {
        self.docker25_layout().write_tar(path)
    }
}

/// A multi-platform image: an index of per-platform images, in `index.json` directly or behind
/// a nested index blob (as `skopeo copy --all` writes), with optional attestation manifests.
#[derive(Clone, Debug, Default)]
pub struct IndexBuilder {
    images: Vec<ImageBuilder>,
    nested: bool,
    attestations: bool,
    annotations: Vec<(String, String)>,
}

impl IndexBuilder {
    pub fn new() -> Self {
        IndexBuilder::default()
    }

    pub fn image(mut self, image: ImageBuilder) -> Self {
        self.images.push(image);
        self
    }

    /// Put the per-platform manifests in an index blob that `index.json` points to.
    pub fn nested(mut self) -> Self {
        self.nested = true;
        self
    }

    /// Add a BuildKit attestation manifest for each image.
    pub fn attestations(mut self) -> Self {
        self.attestations = true;
        self
    }

    /// An annotation on the top descriptor (nested) or on every image's (flat).
    pub fn annotation(mut self, key: &str, value: &str) -> Self {
        self.annotations.push((key.into(), value.into()));
        self
    }

    /// The layout, and the nested index's digest when there is one.
    pub fn oci_layout(&self) -> (Layout, Option<String>) {
        let mut layout = Layout::default();
        let mut manifests = Vec::new();
        for image in &self.images {
            let built = image.add_to(&mut layout);
            let manifest_digest = built.descriptor["digest"].clone();
            manifests.push(if self.nested {
                built.descriptor.clone()
            } else {
                image.index_descriptor(&built)
            });
            if self.attestations {
                let empty =
                    layout.add_blob("application/vnd.oci.image.config.v1+json", b"{}".to_vec());
                let att = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": empty, "layers": []});
                let mut d = layout.add_blob(
                    "application/vnd.oci.image.manifest.v1+json",
                    serde_json::to_vec(&att).unwrap_or_default(),
                );
                d["platform"] = json!({"os": "unknown", "architecture": "unknown"});
                d["annotations"] = json!({"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": manifest_digest});
                manifests.push(d);
            }
        }
        let annotate = |d: &mut Value, extra: &[(String, String)]| {
            if extra.is_empty() {
                return;
            }
            let mut a = d
                .get("annotations")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            for (k, v) in extra {
                a.insert(k.clone(), json!(v));
            }
            d["annotations"] = Value::Object(a);
        };
        if self.nested {
            let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests});
            let mut d = layout.add_blob(
                "application/vnd.oci.image.index.v1+json",
                serde_json::to_vec(&index).unwrap_or_default(),
            );
            let digest = d["digest"].as_str().map(str::to_string);
            annotate(&mut d, &self.annotations);
            layout.set_index(vec![d]);
            (layout, digest)
        } else {
            for d in &mut manifests {
                annotate(d, &self.annotations);
            }
            layout.set_index(manifests);
            (layout, None)
        }
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    sha256_digest(bytes)
}
