//! Content the facts need, captured while a layer streams by, each capture bounded.
//!
//! Which files are captured is decided from the entry's path alone ([`classify`]): os-release,
//! `/etc/passwd`, package databases (dpkg `status` and distroless `status.d/*`, apk `installed`,
//! Python `METADATA` / `PKG-INFO`), and secret candidates. Package databases and `/etc/passwd`
//! are parsed line by line as they stream (a line longer than [`MAX_LINE`] is dropped), so only
//! their result is held (names and versions, uid-0 user names), never the file. os-release and
//! secret candidates keep their first bytes, up to a cap and within the image's capture budget.
//!
//! A capture belongs to its file's entry in the union filesystem: when a later layer replaces the
//! path or whites it out, the capture goes with it.

use kcheck_model::image::{Package, CANDIDATE_MAX_BYTES};

/// Longest line the line parsers keep.
pub(crate) const MAX_LINE: usize = 64 * 1024;
/// Most bytes of an os-release kept.
pub(crate) const OS_RELEASE_MAX: usize = 64 * 1024;
/// Most packages one database may list.
pub(crate) const MAX_PACKAGES: usize = 200_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CaptureKind {
    OsRelease,
    Passwd,
    Dpkg,
    Apk,
    Python,
    Secret(&'static str),
}

/// What was captured of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Captured {
    Bytes {
        data: Vec<u8>,
        truncated: bool,
        why: Option<&'static str>,
    },
    Packages(CaptureKind, Vec<Package>),
    Uid0(Vec<String>),
}

pub(crate) fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

pub(crate) fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => "",
    }
}

/// Which capture an absolute, normalised path calls for.
pub(crate) fn classify(path: &str) -> Option<CaptureKind> {
    match path {
        "/etc/os-release" | "/usr/lib/os-release" => return Some(CaptureKind::OsRelease),
        "/etc/passwd" => return Some(CaptureKind::Passwd),
        "/var/lib/dpkg/status" => return Some(CaptureKind::Dpkg),
        "/lib/apk/db/installed" | "/usr/lib/apk/db/installed" => return Some(CaptureKind::Apk),
        _ => {}
    }
    let name = basename(path);
    let dir = parent(path);
    if dir == "/var/lib/dpkg/status.d" && !name.ends_with(".md5sums") {
        return Some(CaptureKind::Dpkg);
    }
    if python_site(path).is_some() {
        return Some(CaptureKind::Python);
    }
    secret_why(path).map(CaptureKind::Secret)
}

/// The site-packages directory a Python metadata file belongs to.
pub(crate) fn python_site(path: &str) -> Option<&str> {
    let name = basename(path);
    let dir = parent(path);
    let site = if (name == "METADATA" && dir.ends_with(".dist-info"))
        || (name == "PKG-INFO" && dir.ends_with(".egg-info"))
    {
        parent(dir)
    } else if name.ends_with(".egg-info") {
        dir
    } else {
        return None;
    };
    let site_name = basename(site);
    (site_name == "site-packages" || site_name == "dist-packages").then_some(site)
}

/// Why a path may hold a secret, if it may.
pub(crate) fn secret_why(path: &str) -> Option<&'static str> {
    let name = basename(path);
    match name {
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk" => {
            return Some("private key name")
        }
        ".npmrc" => return Some(".npmrc"),
        ".pypirc" => return Some(".pypirc"),
        ".netrc" => return Some(".netrc"),
        ".git-credentials" => return Some("git credentials"),
        "kubeconfig" => return Some("kubeconfig"),
        ".env" => return Some(".env file"),
        _ => {}
    }
    if name.starts_with(".env.") {
        return Some(".env file");
    }
    if name.ends_with(".pem") || name.ends_with(".key") {
        return Some("private key name");
    }
    if path.ends_with("/.aws/credentials") {
        return Some("aws credentials");
    }
    if path.contains("/.config/gcloud/") && name.contains("credentials") && name.ends_with(".json")
    {
        return Some("gcloud credentials");
    }
    if path.contains("/.azure/") {
        return Some("azure credentials");
    }
    if path.ends_with("/.docker/config.json") {
        return Some("docker config");
    }
    if path.ends_with("/.kube/config") {
        return Some("kubeconfig");
    }
    None
}

/// Splits pushed chunks into lines, holding at most [`MAX_LINE`] bytes of a partial line.
#[derive(Default)]
pub(crate) struct Lines {
    partial: Vec<u8>,
    overlong: bool,
}

impl Lines {
    pub fn push(&mut self, mut chunk: &[u8], mut f: impl FnMut(&[u8])) {
        while let Some(nl) = chunk.iter().position(|&b| b == b'\n') {
            if !self.overlong {
                if self.partial.is_empty() {
                    f(trim_cr(&chunk[..nl]));
                } else {
                    self.partial.extend_from_slice(&chunk[..nl]);
                    f(trim_cr(&self.partial));
                }
            }
            self.partial.clear();
            self.overlong = false;
            chunk = &chunk[nl + 1..];
        }
        if !self.overlong {
            if self.partial.len() + chunk.len() > MAX_LINE {
                self.overlong = true;
                self.partial.clear();
            } else {
                self.partial.extend_from_slice(chunk);
            }
        }
    }

    pub fn finish(&mut self, mut f: impl FnMut(&[u8])) {
        if !self.overlong && !self.partial.is_empty() {
            f(trim_cr(&self.partial));
        }
        self.partial.clear();
    }
}

fn trim_cr(l: &[u8]) -> &[u8] {
    l.strip_suffix(b"\r").unwrap_or(l)
}

/// A capture in progress.
pub(crate) struct Capturer {
    kind: CaptureKind,
    lines: Lines,
    bytes: Vec<u8>,
    cap: usize,
    truncated: bool,
    // Package paragraph state.
    name: Option<String>,
    version: Option<String>,
    installed: bool,
    headers_done: bool,
    packages: Vec<Package>,
    uid0: Vec<String>,
    /// What is left of the image's capture budget, and what this capture holds of it.
    room: usize,
    held: usize,
    over_budget: bool,
}

/// Bytes a package or name costs against the budget: its strings and their headers.
const ITEM_OVERHEAD: usize = 48;

impl Capturer {
    /// `budget` is what is left of the image's capture budget.
    pub fn new(kind: CaptureKind, budget: usize) -> Self {
        let cap = match kind {
            CaptureKind::OsRelease => OS_RELEASE_MAX.min(budget),
            CaptureKind::Secret(_) => CANDIDATE_MAX_BYTES.min(budget),
            _ => 0,
        };
        Capturer {
            kind,
            lines: Lines::default(),
            bytes: Vec::new(),
            cap,
            truncated: false,
            name: None,
            version: None,
            installed: true,
            headers_done: false,
            packages: Vec::new(),
            uid0: Vec::new(),
            room: budget,
            held: 0,
            over_budget: false,
        }
    }

    /// Charges `n` bytes to the budget; `false` (and noted) when they do not fit.
    fn charge(&mut self, n: usize) -> bool {
        if self.held + n > self.room {
            self.over_budget = true;
            return false;
        }
        self.held += n;
        true
    }

    pub fn push(&mut self, chunk: &[u8]) {
        match self.kind {
            CaptureKind::OsRelease | CaptureKind::Secret(_) => {
                let room = self.cap - self.bytes.len();
                if chunk.len() > room {
                    self.truncated = true;
                }
                self.bytes
                    .extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            _ => {
                let mut lines = std::mem::take(&mut self.lines);
                lines.push(chunk, |l| self.line(l));
                self.lines = lines;
            }
        }
    }

    fn line(&mut self, line: &[u8]) {
        let line = String::from_utf8_lossy(line);
        match self.kind {
            CaptureKind::Passwd => {
                let mut fields = line.split(':');
                let name = fields.next().unwrap_or("");
                if fields.nth(1).and_then(|u| u.trim().parse::<u64>().ok()) == Some(0)
                    && !name.is_empty()
                    && self.uid0.len() < 1000
                    && self.charge(name.len() + ITEM_OVERHEAD)
                {
                    self.uid0.push(name.to_string());
                }
            }
            CaptureKind::Dpkg | CaptureKind::Apk | CaptureKind::Python => {
                if self.headers_done {
                    return;
                }
                if line.trim().is_empty() {
                    self.end_paragraph();
                    if self.kind == CaptureKind::Python {
                        self.headers_done = true;
                    }
                    return;
                }
                let (key, value) = match self.kind {
                    CaptureKind::Apk => match line.split_once(':') {
                        Some((k, v)) if k.len() == 1 => (k, v),
                        _ => return,
                    },
                    _ => match line.split_once(':') {
                        Some((k, v)) if !k.starts_with(' ') && !k.starts_with('\t') => {
                            (k, v.trim())
                        }
                        _ => return,
                    },
                };
                match (self.kind, key) {
                    (CaptureKind::Dpkg, "Package")
                    | (CaptureKind::Apk, "P")
                    | (CaptureKind::Python, "Name") => self.name = Some(value.to_string()),
                    (CaptureKind::Dpkg, "Version")
                    | (CaptureKind::Apk, "V")
                    | (CaptureKind::Python, "Version") => self.version = Some(value.to_string()),
                    (CaptureKind::Dpkg, "Status") => {
                        self.installed = value.split_whitespace().last() == Some("installed")
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn end_paragraph(&mut self) {
        if let (Some(name), Some(version)) = (self.name.take(), self.version.take()) {
            if self.installed
                && self.packages.len() < MAX_PACKAGES
                && self.charge(name.len() + version.len() + ITEM_OVERHEAD)
            {
                self.packages.push(Package { name, version });
            }
        }
        self.name = None;
        self.version = None;
        self.installed = true;
    }

    /// The capture, the bytes of the budget it holds, and whether the budget cut it short;
    /// `size` is the file's size as the header gave it.
    pub fn finish(mut self, size: u64) -> (Captured, usize, bool) {
        let mut lines = std::mem::take(&mut self.lines);
        lines.finish(|l| self.line(l));
        if matches!(self.kind, CaptureKind::OsRelease | CaptureKind::Secret(_)) {
            let max = match self.kind {
                CaptureKind::OsRelease => OS_RELEASE_MAX,
                _ => CANDIDATE_MAX_BYTES,
            };
            // Cut by the budget rather than by its own cap.
            self.over_budget = self.cap < max && (size as usize) > self.cap;
            self.held = self.bytes.len();
        }
        let held = self.held;
        let over = self.over_budget;
        let captured = match self.kind {
            CaptureKind::OsRelease | CaptureKind::Secret(_) => {
                let truncated = self.truncated || size > self.bytes.len() as u64;
                let why = match self.kind {
                    CaptureKind::Secret(w) => Some(w),
                    _ => None,
                };
                Captured::Bytes {
                    data: self.bytes,
                    truncated,
                    why,
                }
            }
            CaptureKind::Passwd => Captured::Uid0(self.uid0),
            kind => {
                if !self.headers_done {
                    self.end_paragraph();
                }
                self.packages.sort();
                self.packages.dedup();
                Captured::Packages(kind, self.packages)
            }
        };
        (captured, held, over)
    }
}

/// Parses os-release `KEY=value` lines (values possibly quoted).
pub(crate) fn parse_os_release(data: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(data);
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim();
        let v = if v.len() >= 2
            && ((v.starts_with('"') && v.ends_with('"'))
                || (v.starts_with('\'') && v.ends_with('\'')))
        {
            let inner = &v[1..v.len() - 1];
            let mut s = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        s.push(n);
                    }
                } else {
                    s.push(c);
                }
            }
            s
        } else {
            v.to_string()
        };
        out.push((k.trim().to_string(), v));
    }
    out
}
