//! The image collector: reads container image archives (OCI layouts, OCI and Docker archives,
//! multi-platform indexes) into [`kcheck_model::image::ImageFacts`], walking the layers as one
//! union filesystem without extracting anything, and reads vulnerability scanner reports
//! (Trivy, Grype, CycloneDX) into [`kcheck_model::image::VulnReport`]. It judges nothing: the
//! rules of items 6.1, 7.1, 7.2 and 7.4 do.
//!
//! # Reading images
//!
//! ```no_run
//! use kcheck_image::{read_images, ReadOptions};
//! let images = read_images(std::path::Path::new("app.tar"), &ReadOptions::default())?;
//! for image in &images {
//!     println!("{:?} {} files, {} problems", image.references, image.files, image.problems.len());
//! }
//! # Ok::<(), kcheck_image::ReadError>(())
//! ```
//!
//! [`read_images`] takes an OCI image layout directory, an OCI archive (a tar of one, as
//! `skopeo copy ... oci-archive:` writes), a Docker archive (`docker save`, old layout or Docker
//! 25's), or either archive gzip- or zstd-compressed as a whole (sniffed from the magic bytes). It
//! returns one [`ImageFacts`] per image and platform, or only the
//! platform [`ReadOptions::platform`] selects. Attestation manifests are skipped.
//!
//! How it reads, module by module:
//! * `store`: one pass over the archive's tar headers records where each blob is; blobs are then
//!   read by offset through bounded readers. Never extracted, never held whole (JSON documents
//!   excepted, bounded by [`Limits::max_json_bytes`]).
//! * `formats`: OCI index walking (nested indexes, platforms, references from annotations) and
//!   Docker's `manifest.json`; sizes and sha256 digests checked against descriptors.
//! * `decompress` and `tar`: each layer streams through a hashing reader, a sniffed decompressor
//!   (gzip, zstd, none) and a limit counter into our own tar reader (GNU long names, PAX).
//! * `union` and `layer`: entries applied in layer order to a map of path to metadata, whiteouts
//!   and opaque directories honoured; `capture` keeps the few contents the facts need, bounded.
//! * `facts`: tools, packages, setid, world-writable, os-release, passwd and secret candidates,
//!   from the final state.
//! * [`testing`]: builders of images and archives (honest and hostile) for tests, and the
//!   benchmark's synthetic archive.
//!
//! # Conventions of the facts
//!
//! * `files` counts regular files, hard links included; `size` adds up their sizes, each inode
//!   once (hard links not added again).
//! * A hard link has its target's mode, owner and captured content (it is the same inode), and
//!   `link` names the target.
//! * Tools are named by the entry's basename, versions stripped (`gcc-12` is `gcc`, `pip3.11` is
//!   `pip`); busybox applets by the applet's name.
//! * Package databases: dpkg `status` is one database, distroless `status.d/*` together another
//!   (path `/var/lib/dpkg/status.d`); Python metadata is grouped by site-packages (or
//!   dist-packages) directory, whose layer is the latest of its files'. Packages are sorted and
//!   deduplicated; dpkg entries whose `Status` is not `installed` are left out.
//! * Lists come sorted by path; `references` sorted and deduplicated.
//!
//! # Errors and problems
//!
//! [`ReadError`] is for an input that cannot be read as an image archive at all (missing, not an
//! archive, no `index.json` / `manifest.json`, those malformed: with line and column; no image of
//! the requested platform). Anything wrong inside an otherwise readable archive is an
//! [`ImageProblem`](kcheck_model::image::ImageProblem) in the image's `problems`, and reading goes
//! on with what is left:
//!
//! | kind | for |
//! | --- | --- |
//! | `UnsafePath` | a name climbing out with `..`, a NUL byte, a name or link target beyond [`Limits::max_path_len`] (entry skipped) |
//! | `MissingLinkTarget` | a hard link to a path not in the filesystem (entry skipped) |
//! | `LinkLoop` | symbolic links looping or nesting beyond [`Limits::max_link_depth`] while resolving a path |
//! | `SizeMismatch` | truncated data or archive, a blob's size or sha256 unlike its descriptor |
//! | `DecompressionLimit` | [`Limits::max_layer_bytes`], [`Limits::max_total_bytes`], [`Limits::max_ratio`], [`Limits::max_zstd_window`] |
//! | `EntryLimit` | [`Limits::max_images`], [`Limits::max_entries`], [`Limits::max_name_bytes`], [`Limits::max_capture_bytes`] spent |
//! | `Malformed` | a blob named but absent, an invalid digest, malformed or oversized JSON, a corrupt tar header or stream |
//! | `Unsupported` | bzip2, xz or encrypted layers |
//!
//! A problem's `layer` is `None` for the archive, its index, manifest or config; its `path` is
//! the entry, or the blob when no entry in particular is concerned. Problems of the outer archive
//! (a truncated tar) are repeated on every image. At most 1,000 problems are kept for an image;
//! a last `EntryLimit` problem counts the others. Nothing is written anywhere.

use std::fmt;
use std::path::Path;

use kcheck_model::image::ImageFacts;

mod capture;
mod decompress;
mod facts;
mod formats;
mod layer;
mod store;
mod tar;
pub mod testing;
mod union;
pub mod vuln;

/// How to read an archive.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// `linux/amd64`, `linux/arm64/v8`: only the image of this platform (variants match loosely:
    /// a missing variant on either side matches). `None`: every platform.
    pub platform: Option<String>,
    pub limits: Limits,
}

/// Bounds on what a hostile archive can make the reader do. Each reached limit is reported as a
/// problem of the image; the defaults hold for any real image.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Decompressed bytes of one layer.
    pub max_layer_bytes: u64,
    /// Decompressed bytes of all the layers of one image.
    pub max_total_bytes: u64,
    /// Decompressed bytes per stored byte of a layer, checked past the first MiB.
    pub max_ratio: u64,
    /// Tar entries of one image (all its layers), and of the outer archive.
    pub max_entries: u64,
    /// Bytes of one entry name or link target (GNU long names and PAX paths beyond it are
    /// refused).
    pub max_path_len: usize,
    /// Bytes of all the entry names and link targets of one image's layers: what the union
    /// filesystem's map holds at most (with `max_entries`, its memory bound).
    pub max_name_bytes: u64,
    /// Bytes of one PAX extended header.
    pub max_header_bytes: u64,
    /// Symbolic links followed while resolving one path.
    pub max_link_depth: usize,
    /// Images one archive may hold (per platform; descriptors visited in indexes: eight times
    /// as many).
    pub max_images: usize,
    /// Bytes of one JSON document (index, manifest, config, `manifest.json`).
    pub max_json_bytes: u64,
    /// Bytes of content captured for one image: os-release and secret candidates' first bytes,
    /// parsed packages and uid-0 user names (each at its strings' size plus 48).
    pub max_capture_bytes: usize,
    /// Bytes of history a zstd frame may make the decoder keep (its window). zstd's levels up
    /// to 19 use at most 8 MiB; `--long` and `--ultra` go up to 128 MiB.
    pub max_zstd_window: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_layer_bytes: 8 << 30,
            max_total_bytes: 8 << 30,
            max_ratio: 250,
            max_entries: 1_000_000,
            max_path_len: 4096,
            max_name_bytes: 256 << 20,
            max_header_bytes: 1 << 20,
            max_link_depth: 40,
            max_images: 1024,
            max_json_bytes: 8 << 20,
            max_capture_bytes: 16 << 20,
            max_zstd_window: 32 << 20,
        }
    }
}

/// Why an input could not be read as an image archive at all.
#[derive(Debug)]
pub enum ReadError {
    /// The path does not exist.
    NotFound { path: String },
    /// Reading failed.
    Io {
        path: String,
        source: std::io::Error,
    },
    /// It is not an OCI layout, an OCI archive or a Docker archive.
    NotAnImage { path: String, reason: String },
    /// `index.json` or `manifest.json` is not valid JSON.
    Json {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// `index.json` or `manifest.json` is larger than [`Limits::max_json_bytes`].
    TooLarge { file: String, limit: u64 },
    /// [`ReadOptions::platform`] matches no image; `available` lists the platforms there are.
    PlatformNotFound {
        path: String,
        platform: String,
        available: Vec<String>,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound { path } => write!(f, "{path}: no such file or directory"),
            ReadError::Io { path, source } => write!(f, "{path}: cannot read: {source}"),
            ReadError::NotAnImage { path, reason } => {
                write!(f, "{path}: not an image archive or OCI layout: {reason}")
            }
            ReadError::Json {
                file,
                line,
                column,
                message,
            } => write!(
                f,
                "{file}: line {line}, column {column}: invalid JSON: {message}"
            ),
            ReadError::TooLarge { file, limit } => {
                write!(f, "{file}: larger than the limit of {limit} bytes")
            }
            ReadError::PlatformNotFound {
                path,
                platform,
                available,
            } => {
                write!(f, "{path}: no image for platform {platform}")?;
                if available.is_empty() {
                    write!(f, " (no platform is recorded)")
                } else {
                    write!(f, " (there are: {})", available.join(", "))
                }
            }
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Reads every image (or the selected platform's) of the archive or layout at `path`.
pub fn read_images(path: &Path, options: &ReadOptions) -> Result<Vec<ImageFacts>, ReadError> {
    let source = path.display().to_string();
    if !path.exists() {
        return Err(ReadError::NotFound { path: source });
    }
    let (store, archive_problems) = match store::Store::open(path, &options.limits) {
        Ok(s) => s,
        Err(store::OpenError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ReadError::NotFound { path: source })
        }
        Err(store::OpenError::Io(e)) => {
            return Err(ReadError::Io {
                path: source,
                source: e,
            })
        }
        Err(store::OpenError::NotAnArchive(reason)) => {
            return Err(ReadError::NotAnImage {
                path: source,
                reason,
            })
        }
    };
    if store.has("manifest.json") {
        formats::read_docker(&store, &source, options, &archive_problems)
    } else if store.has("index.json") {
        formats::read_oci(&store, &source, options, &archive_problems)
    } else if store.has("oci-layout") {
        Err(ReadError::NotAnImage {
            path: source,
            reason: "it has an oci-layout file but no index.json".into(),
        })
    } else {
        let reason = match &store {
            store::Store::Dir(_) => "a directory without index.json or manifest.json",
            store::Store::Tar { .. } => "a tar archive without index.json or manifest.json",
        };
        Err(ReadError::NotAnImage {
            path: source,
            reason: reason.into(),
        })
    }
}
