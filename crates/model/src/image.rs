//! Facts about container images: what `kcheck-image` read from an image archive (its config and
//! its layers walked as one union filesystem), and what vulnerability scanners reported about
//! images. Collectors fill these in without judging; the rules of items 6.1, 7.1, 7.2 and 7.4
//! read them.
//!
//! Paths inside an image are absolute (`/usr/bin/curl`). A file is attributed to the layer whose
//! entry is the one visible in the final filesystem (later layers hide earlier ones, whiteouts
//! remove them).

use serde::Serialize;

/// One image (one platform of it): where it was read from and what it holds.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImageFacts {
    /// The archive or layout directory, as given on the command line or found under `--images`.
    pub source: String,
    /// Names the archive records for this image (`registry.example.com/api:1.4`), from an OCI
    /// index's `org.opencontainers.image.ref.name` / `io.containerd.image.name` annotations or a
    /// Docker archive's `RepoTags`. Sorted, deduplicated.
    pub references: Vec<String>,
    /// `sha256:...` of the image manifest, when the archive holds one (OCI); a Docker archive
    /// has none.
    pub manifest_digest: Option<String>,
    /// `sha256:...` of the index (manifest list) this image was chosen from, if any.
    pub index_digest: Option<String>,
    /// `sha256:...` of the config blob (the image ID Docker shows).
    pub config_digest: Option<String>,
    /// `linux/amd64`, `linux/arm64/v8`.
    pub platform: Option<String>,
    /// The config's `created`, as written (RFC 3339).
    pub created: Option<String>,
    /// The config's `config.User`, as written (`""` when unset).
    pub user: String,
    /// The config's `config.Env`, split at the first `=`. Values may be secrets: never print them.
    pub env: Vec<(String, String)>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    /// The layers in order, base first.
    pub layers: Vec<Layer>,
    /// Regular files in the final filesystem, and their total size in bytes.
    pub files: u64,
    pub size: u64,
    /// `/etc/os-release` (or `/usr/lib/os-release`), when present.
    pub os_release: Option<OsRelease>,
    /// Users `/etc/passwd` gives uid 0, in file order (`root`, and any other).
    pub uid0_users: Vec<String>,
    /// Whether `/etc/passwd` exists in the final filesystem.
    pub has_passwd: bool,
    /// Executables of interest found on the filesystem, by what they are.
    pub tools: Vec<Tool>,
    /// Package databases and the packages they list.
    pub package_dbs: Vec<PackageDb>,
    /// Regular files with the setuid or setgid bit and some execute bit.
    pub setid: Vec<FileEntry>,
    /// World-writable regular files and directories outside `/tmp` and `/var/tmp` (directories
    /// with the sticky bit are not counted).
    pub world_writable: Vec<FileEntry>,
    /// Files whose name or place says they may hold a secret (private keys, `.env`, cloud
    /// credentials, `.npmrc`, `.pypirc`, kubeconfigs, `.docker/config.json`, `.git-credentials`,
    /// `.netrc`), with their content up to [`CANDIDATE_MAX_BYTES`]. Never print the content.
    pub secret_candidates: Vec<SecretCandidate>,
    /// What the reader refused or bounded: hostile paths, link loops, size lies, limits reached.
    pub problems: Vec<ImageProblem>,
}

/// The most bytes of a secret candidate's content kept for the detectors.
pub const CANDIDATE_MAX_BYTES: usize = 64 * 1024;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Layer {
    /// `sha256:...` of the layer as stored (compressed, for OCI and recent Docker archives).
    pub digest: String,
    /// `application/vnd.oci.image.layer.v1.tar+gzip` and the like, or `tar` for a Docker archive.
    pub media_type: String,
    /// Stored size in bytes, and the uncompressed tar's size.
    pub size: u64,
    pub uncompressed: u64,
    /// Entries in the layer's tar (files, directories, links, whiteouts).
    pub entries: u64,
}

/// One file of the final filesystem.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FileEntry {
    /// Absolute path in the image (`/usr/bin/su`).
    pub path: String,
    /// Index into [`ImageFacts::layers`] of the layer that put it there.
    pub layer: usize,
    /// Permission bits with setuid/setgid/sticky (`0o4755`).
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    /// The target, when the entry is a symbolic or hard link.
    pub link: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolKind {
    /// `sh`, `bash`, `ash`, `dash`, `zsh`, `ksh`, busybox (and its applet links).
    Shell,
    /// `apt`, `apt-get`, `dpkg`, `apk`, `yum`, `dnf`, `microdnf`, `rpm`, `pip`, `pip3`, `npm`...
    PackageManager,
    /// `gcc`, `cc`, `g++`, `clang`, `make`, `go`, `rustc`...
    Compiler,
    /// `curl`, `wget`, `nc`, `ncat`, `netcat`, `socat`, `ssh`, `scp`, `telnet`, `nmap`...
    Network,
    /// `gdb`, `strace`, `ltrace`, `tcpdump`, `perf`...
    Debug,
}

/// An executable of interest: a regular file with an execute bit, or a link to one, whose name is
/// known (busybox applets are links to busybox, or busybox itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tool {
    pub kind: ToolKind,
    /// The name that identifies it (`bash`, `apk`, `curl`).
    pub name: String,
    pub file: FileEntry,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OsRelease {
    /// `ID` (`debian`, `alpine`, `ubuntu`, `rhel`, `distroless` is not an ID: Google's distroless
    /// images carry Debian's `os-release`).
    pub id: String,
    /// `VERSION_ID` (`12`, `3.19.1`), empty when absent (Debian testing, Arch).
    pub version_id: String,
    /// `VERSION_CODENAME`, when present.
    pub codename: String,
    pub pretty_name: String,
    /// The file it came from and its layer.
    pub path: String,
    pub layer: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PackageDbKind {
    /// `/var/lib/dpkg/status`, and distroless's `/var/lib/dpkg/status.d/*`.
    Dpkg,
    /// `/lib/apk/db/installed`.
    Apk,
    /// `/var/lib/rpm/` (Packages, rpmdb.sqlite): found, packages not read.
    Rpm,
    /// Python `*.dist-info/METADATA` and `*.egg-info/PKG-INFO` under site-packages.
    Python,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackageDb {
    pub kind: PackageDbKind,
    /// The database file (for Python, the site-packages directory).
    pub path: String,
    pub layer: usize,
    /// Installed packages, sorted by name; empty for rpm (the database is found, not read).
    pub packages: Vec<Package>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Package {
    pub name: String,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecretCandidate {
    pub file: FileEntry,
    /// Why the reader kept it: `private key name`, `.env file`, `aws credentials`...
    pub why: String,
    /// The first [`CANDIDATE_MAX_BYTES`] bytes. Never printed; skipped when serialised.
    #[serde(skip)]
    pub content: Vec<u8>,
    /// Whether the file was longer than what `content` holds.
    pub truncated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageProblemKind {
    /// An entry whose name has `..` components or is absolute and would leave the root.
    UnsafePath,
    /// A hard link whose target is not in the filesystem.
    MissingLinkTarget,
    /// Symbolic links that loop or go too deep while resolving a path.
    LinkLoop,
    /// A header's size disagrees with the data, or a blob's size or digest with its descriptor.
    SizeMismatch,
    /// Decompressed bytes beyond the limit (a decompression bomb), or a ratio beyond it.
    DecompressionLimit,
    /// More entries than the limit.
    EntryLimit,
    /// A blob the manifest names is not in the archive, or a JSON document is malformed.
    Malformed,
    /// A media type or compression the reader does not support.
    Unsupported,
}

/// What the reader refused or bounded, located in the archive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageProblem {
    pub kind: ImageProblemKind,
    /// The layer (index) or `None` for the archive itself.
    pub layer: Option<usize>,
    /// The entry path or blob name concerned.
    pub path: String,
    pub message: String,
}

/// One vulnerability a scanner reported for a package of an image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Vulnerability {
    /// `CVE-2024-1234`, `GHSA-...`.
    pub id: String,
    pub package: String,
    pub installed: String,
    /// The first fixed version, when the scanner knows one.
    pub fixed: Option<String>,
    pub severity: VulnSeverity,
    pub title: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VulnSeverity {
    Unknown,
    Negligible,
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VulnFormat {
    Trivy,
    Grype,
    CycloneDx,
}

/// One image's results in one scanner report file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VulnReport {
    /// The report file, and the format it was read as.
    pub file: String,
    pub format: VulnFormat,
    /// The image as the report names it (`registry.example.com/api:1.4`, possibly with
    /// `@sha256:...`).
    pub image: String,
    /// Digests the report ties the image to: repo digests (`sha256:...` of the manifest) and the
    /// image ID (config digest). Without `sha256:` prefixes stripped.
    pub digests: Vec<String>,
    /// When the scan ran (RFC 3339), when the report says.
    pub created: Option<String>,
    pub vulnerabilities: Vec<Vulnerability>,
}
