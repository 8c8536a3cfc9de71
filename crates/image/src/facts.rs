//! Facts derived from the final union filesystem, once every layer is applied: counts, os-release,
//! `/etc/passwd`, tools, package databases, setid and world-writable files, secret candidates.
//!
//! Everything here reads the final state only, so a file a later layer deleted or replaced
//! contributes nothing. Paths are visited in order, so every list comes out sorted by path.
//!
//! Tools: an entry directly in a bin directory (`/bin`, `/sbin`, `/usr/bin`, `/usr/sbin`,
//! `/usr/local/bin`, `/usr/local/sbin`) whose basename is a known tool name, and which is a regular
//! file with an execute bit or a link (symbolic, resolved; or hard) to one. The name reported is the
//! entry's basename, versions stripped (`gcc-12` is `gcc`, `pip3.11` is `pip`), and a link to
//! busybox keeps its applet name (`/bin/sh -> busybox` is the shell `sh`); busybox itself is a
//! shell.

use std::collections::{BTreeMap, BTreeSet};

use kcheck_model::image::{
    ImageFacts, ImageProblem, ImageProblemKind, OsRelease, PackageDb, PackageDbKind,
    SecretCandidate, Tool, ToolKind,
};

use crate::capture::{basename, parent, parse_os_release, python_site, CaptureKind, Captured};
use crate::union::{Node, NodeKind, Resolved, UnionFs};

const BIN_DIRS: &[&str] = &[
    "/bin",
    "/sbin",
    "/usr/bin",
    "/usr/sbin",
    "/usr/local/bin",
    "/usr/local/sbin",
];

const SHELLS: &[&str] = &[
    "sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "pdksh", "csh", "tcsh", "fish", "rbash",
    "hush", "busybox",
];
const PACKAGE_MANAGERS: &[&str] = &[
    "apt",
    "apt-get",
    "apt-cache",
    "aptitude",
    "dpkg",
    "apk",
    "yum",
    "dnf",
    "microdnf",
    "tdnf",
    "rpm",
    "zypper",
    "pacman",
    "opkg",
    "pip",
    "easy_install",
    "pipx",
    "npm",
    "npx",
    "yarn",
    "pnpm",
    "gem",
    "bundle",
    "conda",
    "mamba",
    "cargo",
    "composer",
    "poetry",
    "uv",
];
const COMPILERS: &[&str] = &[
    "gcc", "g++", "cc", "c++", "clang", "clang++", "tcc", "gfortran", "make", "gmake", "cmake",
    "ninja", "go", "rustc", "javac", "as", "ld", "cpp", "gccgo",
];
const NETWORK: &[&str] = &[
    "curl", "wget", "nc", "ncat", "netcat", "socat", "ssh", "scp", "sftp", "telnet", "nmap", "ftp",
    "tftp", "rsync", "aria2c", "lftp",
];
const DEBUG: &[&str] = &[
    "gdb",
    "gdbserver",
    "strace",
    "ltrace",
    "tcpdump",
    "tshark",
    "perf",
    "valgrind",
    "bpftrace",
    "lsof",
];

/// The tool a name is, with the name it is reported under.
pub(crate) fn tool_kind(name: &str) -> Option<(ToolKind, String)> {
    let base = strip_version(name);
    for (list, kind) in [
        (SHELLS, ToolKind::Shell),
        (PACKAGE_MANAGERS, ToolKind::PackageManager),
        (COMPILERS, ToolKind::Compiler),
        (NETWORK, ToolKind::Network),
        (DEBUG, ToolKind::Debug),
    ] {
        if list.contains(&base) {
            return Some((kind, base.to_string()));
        }
    }
    None
}

/// `gcc-12` -> `gcc`, `pip3.11` -> `pip`, `python3` stays (not a tool); `g++-12` -> `g++`.
fn strip_version(name: &str) -> &str {
    let trimmed = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    let trimmed = trimmed.strip_suffix('-').unwrap_or(trimmed);
    if trimmed.len() < name.len()
        && !trimmed.is_empty()
        && (name[trimmed.len()..].starts_with('-')
            || matches!(
                trimmed,
                "pip" | "easy_install" | "gcc" | "g++" | "clang" | "clang++" | "go"
            ))
    {
        trimmed
    } else {
        name
    }
}

fn executable(node: &Node) -> bool {
    node.kind == NodeKind::Regular && node.mode & 0o111 != 0
}

pub(crate) fn derive(fs: &UnionFs, facts: &mut ImageFacts, max_link_depth: usize) {
    let mut problems: Vec<ImageProblem> = Vec::new();
    let mut loop_reported: BTreeSet<String> = BTreeSet::new();
    let mut resolve = |path: &str, problems: &mut Vec<ImageProblem>| -> Option<String> {
        match fs.resolve(path, max_link_depth) {
            Resolved::Path(p) => Some(p),
            Resolved::Loop => {
                if problems.len() < crate::layer::MAX_PROBLEMS
                    && loop_reported.insert(path.to_string())
                {
                    let layer = fs.nodes.get(path).map(|n| n.layer);
                    problems.push(ImageProblem {
                        kind: ImageProblemKind::LinkLoop,
                        layer,
                        path: path.to_string(),
                        message: format!(
                            "symbolic links loop or nest more than {max_link_depth} deep"
                        ),
                    });
                }
                None
            }
        }
    };

    let mut python: BTreeMap<String, (usize, Vec<kcheck_model::image::Package>)> = BTreeMap::new();
    let mut status_d: Option<(usize, Vec<kcheck_model::image::Package>)> = None;
    for (path, node) in &fs.nodes {
        let in_tmp = ["/tmp", "/var/tmp", "/dev/shm"]
            .iter()
            .any(|t| path == t || path.starts_with(&format!("{t}/")));
        match node.kind {
            NodeKind::Regular => {
                facts.files += 1;
                if !node.hardlink {
                    facts.size += node.size;
                }
                if node.mode & 0o6000 != 0 && node.mode & 0o111 != 0 {
                    facts.setid.push(fs.entry(path, node));
                }
                if node.mode & 0o002 != 0 && !in_tmp {
                    facts.world_writable.push(fs.entry(path, node));
                }
            }
            NodeKind::Dir if node.mode & 0o002 != 0 && node.mode & 0o1000 == 0 && !in_tmp => {
                facts.world_writable.push(fs.entry(path, node));
            }
            _ => {}
        }
        // Tools.
        if BIN_DIRS.contains(&parent(path))
            && matches!(node.kind, NodeKind::Regular | NodeKind::Symlink)
        {
            let name = basename(path);
            let real = if node.kind == NodeKind::Symlink {
                resolve(path, &mut problems)
                    .and_then(|p| fs.nodes.get(&p).filter(|n| executable(n)).map(|_| p))
            } else if executable(node) {
                Some(
                    node.link
                        .as_deref()
                        .filter(|_| node.hardlink)
                        .unwrap_or(path)
                        .to_string(),
                )
            } else {
                None
            };
            if let Some(real) = real {
                let tool = if name == "busybox" {
                    Some((ToolKind::Shell, "busybox".to_string()))
                } else if basename(&real) == "busybox" {
                    tool_kind(name)
                        .filter(|(_, n)| n != "busybox")
                        .map(|(k, _)| (k, name.to_string()))
                } else {
                    tool_kind(name)
                };
                if let Some((kind, name)) = tool {
                    facts.tools.push(Tool {
                        kind,
                        name,
                        file: fs.entry(path, node),
                    });
                }
            }
        }
        // rpm databases: found, not read.
        if matches!(
            path.as_str(),
            "/var/lib/rpm/Packages"
                | "/var/lib/rpm/rpmdb.sqlite"
                | "/var/lib/rpm/Packages.db"
                | "/usr/lib/sysimage/rpm/rpmdb.sqlite"
                | "/usr/lib/sysimage/rpm/Packages.db"
        ) && node.kind == NodeKind::Regular
        {
            facts.package_dbs.push(PackageDb {
                kind: PackageDbKind::Rpm,
                path: path.clone(),
                layer: node.layer,
                packages: Vec::new(),
            });
        }
        let Some(captured) = node.captured.as_deref() else {
            continue;
        };
        match captured {
            Captured::Packages(CaptureKind::Dpkg, packages) => {
                if path == "/var/lib/dpkg/status" {
                    facts.package_dbs.push(PackageDb {
                        kind: PackageDbKind::Dpkg,
                        path: path.clone(),
                        layer: node.layer,
                        packages: packages.clone(),
                    });
                } else {
                    let entry = status_d.get_or_insert((node.layer, Vec::new()));
                    entry.0 = entry.0.max(node.layer);
                    entry.1.extend(packages.iter().cloned());
                }
            }
            Captured::Packages(CaptureKind::Apk, packages) => {
                facts.package_dbs.push(PackageDb {
                    kind: PackageDbKind::Apk,
                    path: path.clone(),
                    layer: node.layer,
                    packages: packages.clone(),
                });
            }
            Captured::Packages(_, packages) => {
                if let Some(site) = python_site(path) {
                    let entry = python
                        .entry(site.to_string())
                        .or_insert((node.layer, Vec::new()));
                    entry.0 = entry.0.max(node.layer);
                    entry.1.extend(packages.iter().cloned());
                }
            }
            Captured::Bytes {
                data,
                truncated,
                why: Some(why),
            } => {
                facts.secret_candidates.push(SecretCandidate {
                    file: fs.entry(path, node),
                    why: why.to_string(),
                    content: data.clone(),
                    truncated: *truncated,
                });
            }
            _ => {}
        }
    }
    if let Some((layer, mut packages)) = status_d {
        packages.sort();
        packages.dedup();
        facts.package_dbs.push(PackageDb {
            kind: PackageDbKind::Dpkg,
            path: "/var/lib/dpkg/status.d".into(),
            layer,
            packages,
        });
    }
    for (site, (layer, mut packages)) in python {
        packages.sort();
        packages.dedup();
        facts.package_dbs.push(PackageDb {
            kind: PackageDbKind::Python,
            path: site,
            layer,
            packages,
        });
    }
    facts
        .package_dbs
        .sort_by(|a, b| (a.kind, &a.path).cmp(&(b.kind, &b.path)));

    // os-release: /etc/os-release (following its link), else /usr/lib/os-release.
    for candidate in ["/etc/os-release", "/usr/lib/os-release"] {
        let Some(real) = resolve(candidate, &mut problems) else {
            continue;
        };
        let Some(node) = fs.nodes.get(&real) else {
            continue;
        };
        let Some(Captured::Bytes {
            data, why: None, ..
        }) = node.captured.as_deref()
        else {
            continue;
        };
        let fields = parse_os_release(data);
        let get = |k: &str| {
            fields
                .iter()
                .rev()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        facts.os_release = Some(OsRelease {
            id: get("ID"),
            version_id: get("VERSION_ID"),
            codename: get("VERSION_CODENAME"),
            pretty_name: get("PRETTY_NAME"),
            path: real.clone(),
            layer: node.layer,
        });
        break;
    }

    // /etc/passwd.
    if let Some(real) = resolve("/etc/passwd", &mut problems) {
        if let Some(node) = fs.nodes.get(&real).filter(|n| n.kind == NodeKind::Regular) {
            facts.has_passwd = true;
            if let Some(Captured::Uid0(names)) = node.captured.as_deref() {
                facts.uid0_users = names.clone();
            }
        }
    }
    facts.problems.extend(problems);
}
