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

/// The image evidence of a run: the images read (`kcheck image PATH...` or `--images DIR`), the
/// scanner reports read (`--vuln-report`), and whether workloads are matched to images.
#[derive(Clone, Debug, Default)]
pub struct ImageEvidence {
    pub images: Vec<ImageFacts>,
    pub reports: Vec<VulnReport>,
    /// `--images DIR`: where the archives for the run's workloads were looked for; `None` when
    /// no archives were given (`kcheck image`, or `--vuln-report` alone).
    pub dir: Option<String>,
    /// Workloads are matched to images (`scan` and `cluster` with `--images` or
    /// `--vuln-report`), rather than each image judged on its own (`kcheck image`).
    pub linked: bool,
}

impl ImageEvidence {
    /// Whether the run judges workloads with their images (`--images`) rather than images on
    /// their own (`kcheck image`).
    pub fn linked(&self) -> bool {
        self.linked
    }

    /// The image a container's `image:` reference names: by digest when it has one (the
    /// manifest's, the index's, or the config's: a runtime pulls that and nothing else, whatever
    /// the tag says), else by name and tag as the archives record them. Docker Hub names are
    /// compared in full (`nginx` is `docker.io/library/nginx:latest`).
    pub fn find(&self, reference: &str) -> Option<&ImageFacts> {
        let wanted = Reference::parse(reference);
        if let Some(digest) = &wanted.digest {
            return self.images.iter().find(|i| {
                [&i.manifest_digest, &i.index_digest, &i.config_digest]
                    .into_iter()
                    .any(|d| d.as_deref() == Some(digest.as_str()))
            });
        }
        self.images.iter().find(|i| {
            i.references.iter().any(|r| {
                let have = Reference::parse(r);
                have.name == wanted.name && have.tag == wanted.tag
            })
        })
    }

    /// The scanner reports about `image`: tied by digest (a repo digest equal to the manifest
    /// or index digest, or the image ID equal to the config digest), else by name and tag.
    pub fn reports_for(&self, image: &ImageFacts) -> Vec<&VulnReport> {
        let digests: Vec<&str> = [
            &image.manifest_digest,
            &image.index_digest,
            &image.config_digest,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
        let by_digest: Vec<&VulnReport> = self
            .reports
            .iter()
            .filter(|r| r.digests.iter().any(|d| digests.contains(&d.as_str())))
            .collect();
        if !by_digest.is_empty() {
            return by_digest;
        }
        self.reports
            .iter()
            .filter(|r| {
                let named = Reference::parse(&r.image);
                image.references.iter().any(|x| {
                    let have = Reference::parse(x);
                    have.name == named.name && have.tag == named.tag
                })
            })
            .collect()
    }

    /// The scanner reports about an image reference no archive holds (`--vuln-report` without
    /// `--images` for that image): by digest, then by name and tag.
    pub fn reports_for_reference(&self, reference: &str) -> Vec<&VulnReport> {
        let wanted = Reference::parse(reference);
        self.reports
            .iter()
            .filter(|r| {
                if let Some(d) = &wanted.digest {
                    if r.digests.iter().any(|x| x == d) {
                        return true;
                    }
                }
                let named = Reference::parse(&r.image);
                named.name == wanted.name && named.tag == wanted.tag && wanted.digest.is_none()
            })
            .collect()
    }
}

/// An image reference split as container runtimes read it: `registry/repo` (Docker Hub names
/// completed), tag (`latest` when neither tag nor digest is given) and digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl Reference {
    pub fn parse(reference: &str) -> Reference {
        let reference = reference.trim();
        let (rest, digest) = match reference.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (reference, None),
        };
        // A tag is after the last ':' that comes after the last '/' (a registry port is not).
        let slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[slash..].rfind(':') {
            Some(i) => (&rest[..slash + i], Some(rest[slash + i + 1..].to_string())),
            None => (rest, None),
        };
        let tag = tag.or_else(|| digest.is_none().then(|| "latest".to_string()));
        let first = name.split('/').next().unwrap_or("");
        let has_registry = name.contains('/')
            && (first.contains('.') || first.contains(':') || first == "localhost");
        let name = if has_registry {
            name.to_string()
        } else if name.contains('/') {
            format!("docker.io/{name}")
        } else {
            format!("docker.io/library/{name}")
        };
        let name = name.replacen("index.docker.io/", "docker.io/", 1);
        Reference { name, tag, digest }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_as_runtimes_read_them() {
        let r = Reference::parse("nginx");
        assert_eq!(r.name, "docker.io/library/nginx");
        assert_eq!(r.tag.as_deref(), Some("latest"));
        let r = Reference::parse("registry.example.com:5000/team/api:1.4@sha256:abc");
        assert_eq!(r.name, "registry.example.com:5000/team/api");
        assert_eq!(r.tag.as_deref(), Some("1.4"));
        assert_eq!(r.digest.as_deref(), Some("sha256:abc"));
        let r = Reference::parse("bitnami/redis@sha256:def");
        assert_eq!(r.name, "docker.io/bitnami/redis");
        assert_eq!(r.tag, None);
        assert_eq!(
            Reference::parse("index.docker.io/library/nginx:1.27").name,
            "docker.io/library/nginx"
        );
    }

    #[test]
    fn a_container_finds_its_image_by_digest_then_by_name() {
        let image = |refs: &[&str], manifest: &str| ImageFacts {
            references: refs.iter().map(|s| s.to_string()).collect(),
            manifest_digest: Some(manifest.to_string()),
            ..ImageFacts::default()
        };
        let evidence = ImageEvidence {
            images: vec![
                image(&["docker.io/library/nginx:1.27"], "sha256:aaa"),
                image(&["registry.example.com/api:1.4"], "sha256:bbb"),
            ],
            reports: Vec::new(),
            dir: Some("images".into()),
            linked: true,
        };
        let found = |r: &str| evidence.find(r).and_then(|i| i.manifest_digest.clone());
        assert_eq!(found("nginx:1.27").as_deref(), Some("sha256:aaa"));
        assert_eq!(
            found("registry.example.com/api@sha256:bbb").as_deref(),
            Some("sha256:bbb")
        );
        // The digest decides: a tag that names another image does not.
        assert_eq!(
            found("nginx:1.27@sha256:bbb").as_deref(),
            Some("sha256:bbb")
        );
        assert_eq!(found("nginx:1.26"), None);
        assert_eq!(found("nginx:1.27@sha256:ccc"), None);
        assert_eq!(found("nginx"), None);
    }
}
