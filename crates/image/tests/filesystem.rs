//! The union filesystem and the facts derived from it: whiteouts, opaque directories, links,
//! tools (busybox applets), setid, world-writable, os-release, passwd, packages, secrets.

use kcheck_image::testing::{Compression, ImageBuilder};
use kcheck_image::{read_images, ReadOptions};
use kcheck_model::image::{FileEntry, ImageFacts, Package, PackageDb, PackageDbKind, ToolKind};

fn read(image: ImageBuilder) -> ImageFacts {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.tar");
    image.write_oci_archive(&path).unwrap();
    let mut facts = read_images(&path, &ReadOptions::default()).unwrap();
    assert_eq!(facts.len(), 1);
    facts.remove(0)
}

fn paths(entries: &[FileEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.path.as_str()).collect()
}

fn pkg(name: &str, version: &str) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
    }
}

#[test]
fn whiteouts_remove_files_and_their_facts() {
    let f = read(
        ImageBuilder::new()
            .layer(|l| {
                l.file("/usr/bin/curl", 0o755, b"curl")
                    .file(
                        "/root/.ssh/id_rsa",
                        0o600,
                        b"-----BEGIN OPENSSH PRIVATE KEY-----",
                    )
                    .file(
                        "/etc/passwd",
                        0o644,
                        b"root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\n",
                    )
                    .file("/opt/data/a", 0o644, b"a")
                    .file("/opt/data/sub/b", 0o644, b"bb")
                    .file("/usr/bin/passwd", 0o4755, b"p")
            })
            .layer(|l| {
                l.whiteout("/usr/bin/curl")
                    .whiteout("/root/.ssh/id_rsa")
                    .whiteout("/opt/data")
                    // A whiteout applies to lower layers only, even after a same-layer entry.
                    .file("/usr/bin/wget", 0o755, b"wget")
                    .whiteout("/usr/bin/wget")
                    .file("/etc/passwd", 0o644, b"root:x:0:0::/root:/bin/sh\n")
                    .file("/usr/bin/passwd", 0o755, b"p")
            }),
    );
    assert_eq!(
        f.tools
            .iter()
            .map(|t| (t.kind, t.name.as_str()))
            .collect::<Vec<_>>(),
        vec![(ToolKind::Network, "wget")]
    );
    assert_eq!(f.secret_candidates, vec![]);
    assert_eq!(f.uid0_users, vec!["root"]);
    assert_eq!(f.setid, vec![]);
    assert_eq!(f.files, 3);
    assert_eq!(f.size, 4 + 26 + 1);
    assert_eq!(
        f.layers.iter().map(|l| l.entries).collect::<Vec<_>>(),
        vec![6, 7]
    );
    assert_eq!(f.problems, vec![]);
}

#[test]
fn opaque_directories_hide_lower_content() {
    let f = read(
        ImageBuilder::new()
            .layer(|l| {
                l.dir("/app", 0o755)
                    .file("/app/old", 0o644, b"old")
                    .file("/app/lib/x.key", 0o600, b"key")
                    .file("/apple", 0o644, b"not under /app")
            })
            .layer(|l| {
                l.compression(Compression::Zstd)
                    .dir("/app", 0o755)
                    .file("/app/new", 0o644, b"new")
                    .opaque("/app")
            })
            .layer(|l| {
                l.compression(Compression::None)
                    .file("/app/newer", 0o644, b"newer")
            }),
    );
    assert_eq!(f.files, 3);
    assert_eq!(f.secret_candidates, vec![]);
    assert_eq!(f.size, 14 + 3 + 5);
    assert_eq!(f.problems, vec![]);
}

#[test]
fn a_file_replacing_a_directory_hides_its_subtree() {
    let f = read(
        ImageBuilder::new()
            .layer(|l| {
                l.dir("/etc/conf", 0o755)
                    .file("/etc/conf/a.pem", 0o600, b"pem")
            })
            .layer(|l| l.file("/etc/conf", 0o644, b"now a file")),
    );
    assert_eq!(f.files, 1);
    assert_eq!(f.secret_candidates, vec![]);
}

#[test]
fn busybox_and_applets() {
    let f = read(ImageBuilder::new().layer(|l| {
        l.file("/bin/busybox", 0o755, b"busybox")
            .symlink("/bin/sh", "busybox")
            .symlink("/bin/ash", "/bin/busybox")
            .hardlink("/usr/bin/wget", "/bin/busybox")
            .symlink("/usr/bin/nc", "../../bin/busybox")
            .symlink("/bin/ls", "busybox")
            .symlink("/usr/bin/gdb", "/nonexistent")
            .file("/usr/local/bin/pip3.11", 0o755, b"pip")
            .file("/usr/bin/gcc-12", 0o755, b"gcc")
            .symlink("/usr/bin/cc", "gcc-12")
            .file("/usr/bin/strace", 0o644, b"not executable")
            .file("/opt/bin/curl", 0o755, b"not in a bin dir")
            .file("/usr/sbin/tcpdump", 0o750, b"t")
            .file("/sbin/apk", 0o755, b"apk")
    }));
    let tools: Vec<(ToolKind, &str, &str)> = f
        .tools
        .iter()
        .map(|t| (t.kind, t.name.as_str(), t.file.path.as_str()))
        .collect();
    assert_eq!(
        tools,
        vec![
            (ToolKind::Shell, "ash", "/bin/ash"),
            (ToolKind::Shell, "busybox", "/bin/busybox"),
            (ToolKind::Shell, "sh", "/bin/sh"),
            (ToolKind::PackageManager, "apk", "/sbin/apk"),
            (ToolKind::Compiler, "cc", "/usr/bin/cc"),
            (ToolKind::Compiler, "gcc", "/usr/bin/gcc-12"),
            (ToolKind::Network, "nc", "/usr/bin/nc"),
            (ToolKind::Network, "wget", "/usr/bin/wget"),
            (ToolKind::PackageManager, "pip", "/usr/local/bin/pip3.11"),
            (ToolKind::Debug, "tcpdump", "/usr/sbin/tcpdump"),
        ]
    );
    let sh = &f.tools[2].file;
    assert_eq!((sh.mode, sh.link.as_deref()), (0o777, Some("busybox")));
    let wget = &f.tools[7].file;
    // A hard link is the same inode: the target's mode, whatever its header says.
    assert_eq!(
        (wget.mode, wget.size, wget.link.as_deref()),
        (0o755, 7, Some("/bin/busybox"))
    );
    assert_eq!(f.problems, vec![]);
}

#[test]
fn merged_usr_links_resolve() {
    let f = read(
        ImageBuilder::new()
            .layer(|l| {
                l.symlink("/bin", "usr/bin")
                    .file("/usr/bin/dash", 0o755, b"dash")
            })
            .layer(|l| l.symlink("/usr/bin/sh", "/bin/dash")),
    );
    assert_eq!(
        f.tools
            .iter()
            .map(|t| (t.name.as_str(), t.file.path.as_str(), t.file.layer))
            .collect::<Vec<_>>(),
        vec![("dash", "/usr/bin/dash", 0), ("sh", "/usr/bin/sh", 1)]
    );
}

#[test]
fn setid_and_world_writable() {
    let f = read(ImageBuilder::new().layer(|l| {
        l.file_owned("/usr/bin/su", 0o4755, 0, 0, b"su")
            .file_owned("/usr/bin/wall", 0o2755, 0, 5, b"wall")
            .file("/usr/bin/notexec", 0o4644, b"x")
            .file("/usr/bin/plain", 0o755, b"x")
            .dir("/tmp", 0o1777)
            .file("/tmp/ww", 0o666, b"tmp files are fine")
            .dir("/var/tmp/cache", 0o777)
            .dir("/dev/shm", 0o777)
            .dir("/data", 0o777)
            .dir("/shared", 0o1777)
            .file("/etc/app.conf", 0o646, b"conf")
            .symlink("/etc/link", "app.conf")
    }));
    assert_eq!(paths(&f.setid), vec!["/usr/bin/su", "/usr/bin/wall"]);
    assert_eq!(
        f.setid[1],
        FileEntry {
            path: "/usr/bin/wall".into(),
            layer: 0,
            mode: 0o2755,
            uid: 0,
            gid: 5,
            size: 4,
            link: None
        }
    );
    assert_eq!(paths(&f.world_writable), vec!["/data", "/etc/app.conf"]);
    assert_eq!(f.world_writable[0].mode, 0o777);
}

#[test]
fn os_release_follows_the_etc_link_and_later_layers_win() {
    let debian = b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n";
    let f = read(ImageBuilder::new().layer(|l| {
        l.file("/usr/lib/os-release", 0o644, debian)
            .symlink("/etc/os-release", "../usr/lib/os-release")
    }));
    let os = f.os_release.unwrap();
    assert_eq!(
        (
            os.id.as_str(),
            os.version_id.as_str(),
            os.codename.as_str(),
            os.pretty_name.as_str()
        ),
        ("debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)")
    );
    assert_eq!((os.path.as_str(), os.layer), ("/usr/lib/os-release", 0));

    let f = read(
        ImageBuilder::new()
            .layer(|l| l.file("/etc/os-release", 0o644, debian))
            .layer(|l| l.file("/etc/os-release", 0o644, b"NAME='Alpine Linux'\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine Linux v3.19\"\n")),
    );
    let os = f.os_release.unwrap();
    assert_eq!(
        (
            os.id.as_str(),
            os.version_id.as_str(),
            os.codename.as_str(),
            os.layer
        ),
        ("alpine", "3.19.1", "", 1)
    );

    // Deleted in a later layer: gone.
    let f = read(
        ImageBuilder::new()
            .layer(|l| l.file("/etc/os-release", 0o644, debian))
            .layer(|l| l.whiteout("/etc/os-release")),
    );
    assert_eq!(f.os_release, None);
}

#[test]
fn passwd_uid0_users() {
    let f = read(ImageBuilder::new().layer(|l| l.file("/etc/passwd", 0o644, b"root:x:0:0:root:/root:/bin/bash\r\ndaemon:x:1:1::/:/usr/sbin/nologin\n# comment\nbackdoor:x:0:100::/:/bin/sh\nbroken\nodd:x:00:0::/:/bin/sh")));
    // `00` is uid 0 as the system reads it.
    assert_eq!(f.uid0_users, vec!["root", "backdoor", "odd"]);
    assert!(f.has_passwd);
    let f = read(ImageBuilder::new().layer(|l| l.file("/bin/app", 0o755, b"static")));
    assert!(!f.has_passwd);
    assert_eq!(f.uid0_users, Vec::<String>::new());
}

#[test]
fn package_databases() {
    let status = b"Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u4\nDescription: GNU C Library\n long description line\n\nPackage: removed\nStatus: deinstall ok config-files\nVersion: 1.0\n\nPackage: base-files\nStatus: install ok installed\nVersion: 12.4+deb12u5\n";
    let installed = b"C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\n\nP:busybox\nV:1.36.1-r15\n\n";
    let f = read(
        ImageBuilder::new()
            .layer(|l| {
                l.file("/var/lib/dpkg/status", 0o644, status)
                    .file("/var/lib/dpkg/status.d/tzdata", 0o644, b"Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n")
                    .file("/var/lib/dpkg/status.d/tzdata.md5sums", 0o644, b"abc  usr/share/zoneinfo/UTC\n")
                    .file("/var/lib/dpkg/status.d/base", 0o644, b"Package: netbase\nVersion: 6.4\n")
                    .file("/lib/apk/db/installed", 0o644, installed)
                    .file("/var/lib/rpm/rpmdb.sqlite", 0o644, b"SQLite format 3\0")
                    .file("/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA", 0o644, b"Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n\nName: not-a-header\n")
                    .file("/usr/lib/python3/dist-packages/six-1.16.0.egg-info", 0o644, b"Metadata-Version: 1.1\nName: six\nVersion: 1.16.0\n")
                    .file("/app/venv/lib/python3.11/site-packages/flask-3.0.0.dist-info/METADATA", 0o644, b"Name: Flask\nVersion: 3.0.0\n")
                    .file("/app/venv/lib/python3.11/site-packages/old.egg-info/PKG-INFO", 0o644, b"Name: old\nVersion: 0.1\n")
            })
            .layer(|l| l.file("/app/venv/lib/python3.11/site-packages/flask-3.0.0.dist-info/METADATA", 0o644, b"Name: Flask\nVersion: 3.0.1\n").whiteout("/app/venv/lib/python3.11/site-packages/old.egg-info")),
    );
    assert_eq!(
        f.package_dbs,
        vec![
            PackageDb {
                kind: PackageDbKind::Dpkg,
                path: "/var/lib/dpkg/status".into(),
                layer: 0,
                packages: vec![
                    pkg("base-files", "12.4+deb12u5"),
                    pkg("libc6", "2.36-9+deb12u4")
                ]
            },
            PackageDb {
                kind: PackageDbKind::Dpkg,
                path: "/var/lib/dpkg/status.d".into(),
                layer: 0,
                packages: vec![pkg("netbase", "6.4"), pkg("tzdata", "2024a-0+deb12u1")]
            },
            PackageDb {
                kind: PackageDbKind::Apk,
                path: "/lib/apk/db/installed".into(),
                layer: 0,
                packages: vec![pkg("busybox", "1.36.1-r15"), pkg("musl", "1.2.4-r2")]
            },
            PackageDb {
                kind: PackageDbKind::Rpm,
                path: "/var/lib/rpm/rpmdb.sqlite".into(),
                layer: 0,
                packages: vec![]
            },
            PackageDb {
                kind: PackageDbKind::Python,
                path: "/app/venv/lib/python3.11/site-packages".into(),
                layer: 1,
                packages: vec![pkg("Flask", "3.0.1")]
            },
            PackageDb {
                kind: PackageDbKind::Python,
                path: "/usr/lib/python3/dist-packages".into(),
                layer: 0,
                packages: vec![pkg("requests", "2.31.0"), pkg("six", "1.16.0")]
            },
        ]
    );
}

#[test]
fn secret_candidates_with_bounded_content() {
    let big = vec![b'k'; kcheck_model::image::CANDIDATE_MAX_BYTES + 10];
    let f = read(
        ImageBuilder::new()
            .layer(|l| {
                l.file(
                    "/root/.ssh/id_ed25519",
                    0o600,
                    b"-----BEGIN OPENSSH PRIVATE KEY-----\n",
                )
                .file("/app/.env", 0o644, b"DB_PASSWORD=hunter2\n")
                .file("/app/.env.production", 0o644, b"X=1")
                .file("/app/environment", 0o644, b"not a candidate")
                .file(
                    "/root/.aws/credentials",
                    0o600,
                    b"[default]\naws_secret_access_key=abc\n",
                )
                .file(
                    "/root/.config/gcloud/application_default_credentials.json",
                    0o600,
                    b"{}",
                )
                .file("/root/.azure/accessTokens.json", 0o600, b"[]")
                .file(
                    "/home/app/.npmrc",
                    0o600,
                    b"//registry.npmjs.org/:_authToken=abc",
                )
                .file("/home/app/.pypirc", 0o600, b"[pypi]")
                .file("/home/app/.netrc", 0o600, b"machine x login y password z")
                .file(
                    "/home/app/.git-credentials",
                    0o600,
                    b"https://u:p@example.com",
                )
                .file("/root/.docker/config.json", 0o600, b"{\"auths\":{}}")
                .file("/root/.kube/config", 0o600, b"apiVersion: v1")
                .file("/etc/kubeconfig", 0o600, b"apiVersion: v1")
                .file("/etc/ssl/private/server.key", 0o600, &big)
                .file(
                    "/etc/ssl/certs/ca.pem",
                    0o644,
                    b"-----BEGIN CERTIFICATE-----",
                )
                .symlink("/etc/ssl/certs/link.pem", "ca.pem")
            })
            .layer(|l| l.file("/app/.env", 0o644, b"DB_PASSWORD=\n")),
    );
    let got: Vec<(&str, &str, usize, bool, usize)> = f
        .secret_candidates
        .iter()
        .map(|c| {
            (
                c.file.path.as_str(),
                c.why.as_str(),
                c.content.len(),
                c.truncated,
                c.file.layer,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("/app/.env", ".env file", 13, false, 1),
            ("/app/.env.production", ".env file", 3, false, 0),
            ("/etc/kubeconfig", "kubeconfig", 14, false, 0),
            ("/etc/ssl/certs/ca.pem", "private key name", 27, false, 0),
            (
                "/etc/ssl/private/server.key",
                "private key name",
                kcheck_model::image::CANDIDATE_MAX_BYTES,
                true,
                0
            ),
            (
                "/home/app/.git-credentials",
                "git credentials",
                23,
                false,
                0
            ),
            ("/home/app/.netrc", ".netrc", 28, false, 0),
            ("/home/app/.npmrc", ".npmrc", 36, false, 0),
            ("/home/app/.pypirc", ".pypirc", 6, false, 0),
            ("/root/.aws/credentials", "aws credentials", 36, false, 0),
            (
                "/root/.azure/accessTokens.json",
                "azure credentials",
                2,
                false,
                0
            ),
            (
                "/root/.config/gcloud/application_default_credentials.json",
                "gcloud credentials",
                2,
                false,
                0
            ),
            ("/root/.docker/config.json", "docker config", 12, false, 0),
            ("/root/.kube/config", "kubeconfig", 14, false, 0),
            ("/root/.ssh/id_ed25519", "private key name", 36, false, 0),
        ]
    );
    assert_eq!(f.secret_candidates[0].content, b"DB_PASSWORD=\n");
    assert_eq!(f.problems, vec![]);
}

#[test]
fn long_names_gnu_and_pax() {
    let long_dir = format!("/opt/{}", "d".repeat(150));
    let f = read(ImageBuilder::new().layer(|l| {
        l.file(&format!("{long_dir}/.env"), 0o644, b"A=1")
            .pax_file(&format!("{long_dir}/usr/bin/../../.npmrc"), 0o644, b"t")
            .symlink("/usr/bin/bash", &format!("{long_dir}/bash"))
            .file(&format!("{long_dir}/bash"), 0o755, b"bash")
    }));
    assert_eq!(
        f.secret_candidates
            .iter()
            .map(|c| c.file.path.clone())
            .collect::<Vec<_>>(),
        vec![format!("{long_dir}/.env"), format!("{long_dir}/.npmrc")]
    );
    assert_eq!(f.tools.len(), 1);
    assert_eq!(
        f.tools[0].file.link.as_deref(),
        Some(format!("{long_dir}/bash").as_str())
    );
}

#[test]
fn hard_links_copy_their_target_and_survive_its_deletion() {
    let f = read(
        ImageBuilder::new()
            .layer(|l| {
                l.file("/etc/os-release.orig", 0o644, b"ID=alpine\n")
                    .file(
                        "/usr/lib/os-release",
                        0o644,
                        b"ID=alpine\nVERSION_ID=3.20.0\n",
                    )
                    .hardlink("/etc/os-release", "/usr/lib/os-release")
            })
            .layer(|l| l.whiteout("/usr/lib/os-release")),
    );
    let os = f.os_release.unwrap();
    assert_eq!(
        (os.id.as_str(), os.version_id.as_str(), os.path.as_str()),
        ("alpine", "3.20.0", "/etc/os-release")
    );
    assert_eq!(f.files, 2);
}
