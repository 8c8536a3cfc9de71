//! Each input format, multi-platform indexes, references, digests, and the config's fields.

use std::path::Path;

use kcheck_image::testing::{gzip, Compression, ImageBuilder, IndexBuilder};
use kcheck_image::{read_images, ReadError, ReadOptions};
use kcheck_model::image::{ImageFacts, ImageProblemKind};

fn base() -> ImageBuilder {
    ImageBuilder::new()
        .layer(|l| {
            l.dir("/etc", 0o755)
                .file(
                    "/etc/passwd",
                    0o644,
                    b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
                )
                .file("/bin/sh", 0o755, b"ELF")
        })
        .layer(|l| {
            l.compression(Compression::Zstd)
                .file("/app/server", 0o755, b"server binary")
        })
        .layer(|l| {
            l.compression(Compression::None)
                .file("/app/config.yaml", 0o644, b"port: 8080\n")
        })
        .config(|c| {
            c.user("app")
                .env("PATH", "/usr/bin:/bin")
                .env("EMPTY", "")
                .env("A", "b=c")
                .created("2024-05-01T10:00:00Z")
                .entrypoint(&["/app/server"])
                .cmd(&["--port", "8080"])
        })
        .platform("linux/amd64")
        .reference("registry.example.com/app:1.4")
}

fn read(path: &Path) -> Vec<ImageFacts> {
    read_images(path, &ReadOptions::default()).unwrap()
}

fn read_platform(path: &Path, platform: &str) -> Result<Vec<ImageFacts>, ReadError> {
    read_images(
        path,
        &ReadOptions {
            platform: Some(platform.into()),
            ..ReadOptions::default()
        },
    )
}

/// The facts every format must agree on.
fn assert_base(f: &ImageFacts) {
    assert_eq!(f.platform.as_deref(), Some("linux/amd64"));
    assert_eq!(f.user, "app");
    assert_eq!(
        f.env,
        vec![
            ("PATH".to_string(), "/usr/bin:/bin".to_string()),
            ("EMPTY".to_string(), String::new()),
            ("A".to_string(), "b=c".to_string())
        ]
    );
    assert_eq!(f.created.as_deref(), Some("2024-05-01T10:00:00Z"));
    assert_eq!(f.entrypoint, vec!["/app/server"]);
    assert_eq!(f.cmd, vec!["--port", "8080"]);
    assert_eq!(f.layers.len(), 3);
    assert_eq!(
        f.layers.iter().map(|l| l.entries).collect::<Vec<_>>(),
        vec![3, 1, 1]
    );
    assert_eq!(f.files, 4);
    assert_eq!(f.size, 65 + 3 + 13 + 11);
    assert_eq!(f.uid0_users, vec!["root"]);
    assert!(f.has_passwd);
    assert_eq!(
        f.tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        vec!["sh"]
    );
    assert_eq!(f.problems, vec![]);
    assert!(f
        .config_digest
        .as_deref()
        .is_some_and(|d| d.starts_with("sha256:") && d.len() == 71));
}

#[test]
fn oci_layout_directory() {
    let dir = tempfile::tempdir().unwrap();
    let image = base();
    let layout = image.oci_layout();
    layout.write_dir(dir.path()).unwrap();
    let facts = read(dir.path());
    assert_eq!(facts.len(), 1);
    let f = &facts[0];
    assert_base(f);
    assert_eq!(f.source, dir.path().display().to_string());
    assert_eq!(f.references, vec!["registry.example.com/app:1.4"]);
    assert_eq!(f.index_digest, None);
    let index: serde_json::Value = serde_json::from_slice(&layout.files["index.json"]).unwrap();
    assert_eq!(
        f.manifest_digest.as_deref(),
        index["manifests"][0]["digest"].as_str()
    );
    assert_eq!(
        f.layers[0].media_type,
        "application/vnd.oci.image.layer.v1.tar+gzip"
    );
    assert_eq!(
        f.layers[1].media_type,
        "application/vnd.oci.image.layer.v1.tar+zstd"
    );
    assert_eq!(
        f.layers[2].media_type,
        "application/vnd.oci.image.layer.v1.tar"
    );
    // Stored sizes are the blobs'; uncompressed sizes the tars'.
    for (i, l) in f.layers.iter().enumerate() {
        let tar = image.layers[i].tar();
        assert_eq!(l.uncompressed, tar.len() as u64, "layer {i}");
        assert_eq!(l.size, image.layers[i].blob().len() as u64, "layer {i}");
    }
}

#[test]
fn oci_archive_plain_and_gzipped() {
    let dir = tempfile::tempdir().unwrap();
    let layout = base().oci_layout();
    let plain = dir.path().join("app.tar");
    layout.write_tar(&plain).unwrap();
    let gz = dir.path().join("app.tar.gz");
    layout.write_tar_gz(&gz).unwrap();
    let a = read(&plain);
    let b = read(&gz);
    assert_eq!(a.len(), 1);
    assert_base(&a[0]);
    assert_base(&b[0]);
    assert_eq!(a[0].references, vec!["registry.example.com/app:1.4"]);
    assert_eq!(a[0].manifest_digest, b[0].manifest_digest);
    assert_eq!(
        a[0].layers.iter().map(|l| &l.digest).collect::<Vec<_>>(),
        b[0].layers.iter().map(|l| &l.digest).collect::<Vec<_>>()
    );
    assert_eq!(b[0].source, gz.display().to_string());
}

#[test]
fn docker_archive_old_layout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docker.tar");
    let image = base().reference("app:latest");
    image.write_docker_archive(&path).unwrap();
    let facts = read(&path);
    assert_eq!(facts.len(), 1);
    let f = &facts[0];
    assert_base(f);
    assert_eq!(
        f.references,
        vec!["app:latest", "registry.example.com/app:1.4"]
    );
    assert_eq!(f.manifest_digest, None);
    // Layers are the uncompressed tars; their digests are computed.
    assert_eq!(
        f.layers
            .iter()
            .map(|l| l.media_type.as_str())
            .collect::<Vec<_>>(),
        vec!["tar", "tar", "tar"]
    );
    for (i, l) in f.layers.iter().enumerate() {
        let tar = image.layers[i].tar();
        assert_eq!(l.digest, kcheck_image::testing::sha256(&tar));
        assert_eq!(l.size, tar.len() as u64);
        assert_eq!(l.uncompressed, tar.len() as u64);
    }
    assert_eq!(
        f.config_digest.as_deref(),
        Some(
            kcheck_image::testing::sha256(
                &image.config_json(
                    &image
                        .layers
                        .iter()
                        .map(|l| kcheck_image::testing::sha256(&l.tar()))
                        .collect::<Vec<_>>()
                )
            )
            .as_str()
        )
    );
}

#[test]
fn docker_archive_25_layout_prefers_repo_tags_and_takes_the_manifest_digest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docker25.tar");
    let image = base();
    let layout = image.docker25_layout();
    layout.write_tar(&path).unwrap();
    let facts = read(&path);
    assert_eq!(facts.len(), 1);
    let f = &facts[0];
    assert_base(f);
    assert_eq!(f.references, vec!["registry.example.com/app:1.4"]);
    let index: serde_json::Value = serde_json::from_slice(&layout.files["index.json"]).unwrap();
    assert_eq!(
        f.manifest_digest.as_deref(),
        index["manifests"][0]["digest"].as_str()
    );
    assert_eq!(
        f.layers[1].media_type,
        "application/vnd.oci.image.layer.v1.tar+zstd"
    );
    // Gzipped as a whole, too.
    let gz = dir.path().join("docker25.tar.gz");
    std::fs::write(&gz, gzip(&layout.tar())).unwrap();
    let g = read(&gz);
    assert_base(&g[0]);
    assert_eq!(g[0].manifest_digest, f.manifest_digest);
}

#[test]
fn docker_25_symlinked_legacy_layer_paths_are_followed() {
    // Docker 25 writes `<id>/layer.tar` as links to the blobs; a manifest.json naming those
    // links reads the same.
    let dir = tempfile::tempdir().unwrap();
    let image = base();
    let mut layout = image.docker25_layout();
    let manifest: serde_json::Value =
        serde_json::from_slice(&layout.files["manifest.json"]).unwrap();
    let layers: Vec<String> = manifest[0]["Layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    let mut t = kcheck_image::testing::TarWriter::new();
    let mut legacy = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        let name = format!("legacy{i}/layer.tar");
        t.entry(
            &kcheck_image::testing::Header {
                link: &format!("../{l}"),
                ..kcheck_image::testing::Header::new(&name, b'2', 0o777, 0)
            },
            b"",
        );
        legacy.push(name);
    }
    let mut m = manifest.clone();
    m[0]["Layers"] = serde_json::json!(legacy);
    layout
        .files
        .insert("manifest.json".into(), serde_json::to_vec(&m).unwrap());
    let mut bytes = layout.tar();
    bytes.truncate(bytes.len() - 1024);
    bytes.extend_from_slice(&t.finish());
    let path = dir.path().join("legacy.tar");
    std::fs::write(&path, bytes).unwrap();
    let facts = read(&path);
    assert_base(&facts[0]);
}

fn multi() -> IndexBuilder {
    IndexBuilder::new()
        .image(
            ImageBuilder::new()
                .layer(|l| l.file("/bin/amd", 0o755, b"x"))
                .platform("linux/amd64")
                .config(|c| c.user("1")),
        )
        .image(
            ImageBuilder::new()
                .layer(|l| l.file("/bin/arm", 0o755, b"y"))
                .platform("linux/arm64/v8")
                .config(|c| c.user("2")),
        )
        .image(
            ImageBuilder::new()
                .layer(|l| l.file("/bin/arm7", 0o755, b"z"))
                .platform("linux/arm/v7")
                .config(|c| c.user("3")),
        )
        .attestations()
}

#[test]
fn multi_platform_nested_index_all_and_selected() {
    let dir = tempfile::tempdir().unwrap();
    let (layout, nested) = multi()
        .nested()
        .annotation("org.opencontainers.image.ref.name", "1.0")
        .annotation("io.containerd.image.name", "docker.io/library/app:latest")
        .oci_layout();
    let path = dir.path().join("multi.tar");
    layout.write_tar(&path).unwrap();
    let all = read(&path);
    assert_eq!(
        all.iter()
            .map(|f| f.platform.as_deref().unwrap())
            .collect::<Vec<_>>(),
        vec!["linux/amd64", "linux/arm64/v8", "linux/arm/v7"]
    );
    assert_eq!(
        all.iter().map(|f| f.user.as_str()).collect::<Vec<_>>(),
        vec!["1", "2", "3"]
    );
    for f in &all {
        assert_eq!(f.index_digest, nested);
        assert_eq!(
            f.references,
            vec!["docker.io/library/app:1.0", "docker.io/library/app:latest"]
        );
        assert_eq!(f.problems, vec![]);
        assert_eq!(f.files, 1);
    }
    let arm = read_platform(&path, "linux/arm64").unwrap();
    assert_eq!(arm.len(), 1);
    assert_eq!(arm[0].user, "2");
    let arm = read_platform(&path, "linux/arm64/v8").unwrap();
    assert_eq!(arm[0].user, "2");
    let amd = read_platform(&path, "linux/x86_64").unwrap();
    assert_eq!(amd[0].user, "1");
    let v7 = read_platform(&path, "linux/arm/v7").unwrap();
    assert_eq!(v7[0].user, "3");
    match read_platform(&path, "linux/s390x") {
        Err(e @ ReadError::PlatformNotFound { .. }) => {
            assert_eq!(e.to_string(), format!("{}: no image for platform linux/s390x (there are: linux/amd64, linux/arm/v7, linux/arm64/v8)", path.display()));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn multi_platform_flat_index() {
    let dir = tempfile::tempdir().unwrap();
    let (layout, nested) = multi().oci_layout();
    assert_eq!(nested, None);
    layout.write_dir(dir.path()).unwrap();
    let all = read(dir.path());
    assert_eq!(all.len(), 3);
    assert!(all
        .iter()
        .all(|f| f.index_digest.is_none() && f.references.is_empty()));
    let one = read_platform(dir.path(), "linux/arm/v7").unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].tools.len(), 0);
    assert_eq!(one[0].files, 1);
}

#[test]
fn references_from_annotations() {
    let dir = tempfile::tempdir().unwrap();
    // A bare tag alone stays as written.
    ImageBuilder::new()
        .layer(|l| l)
        .reference("v2")
        .write_oci_layout(&dir.path().join("a"))
        .unwrap();
    assert_eq!(read(&dir.path().join("a"))[0].references, vec!["v2"]);
    // A tag with containerd's name: combined, and the name kept.
    ImageBuilder::new()
        .layer(|l| l)
        .reference("v2")
        .annotation(
            "io.containerd.image.name",
            "reg.example.com:5000/team/app:latest",
        )
        .write_oci_layout(&dir.path().join("b"))
        .unwrap();
    assert_eq!(
        read(&dir.path().join("b"))[0].references,
        vec![
            "reg.example.com:5000/team/app:latest",
            "reg.example.com:5000/team/app:v2"
        ]
    );
    // A full reference.
    ImageBuilder::new()
        .layer(|l| l)
        .reference("reg.example.com/app@sha256:abc")
        .write_oci_layout(&dir.path().join("c"))
        .unwrap();
    assert_eq!(
        read(&dir.path().join("c"))[0].references,
        vec!["reg.example.com/app@sha256:abc"]
    );
}

#[test]
fn errors_for_what_is_not_an_image() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.tar");
    let e = read_images(&missing, &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, ReadError::NotFound { .. }));
    assert_eq!(
        e.to_string(),
        format!("{}: no such file or directory", missing.display())
    );

    let text = dir.path().join("text.tar");
    std::fs::write(&text, b"hello, this is not a tar").unwrap();
    let e = read_images(&text, &ReadOptions::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: not an image archive or OCI layout: it is neither a tar archive nor a directory",
            text.display()
        )
    );

    let empty_dir = dir.path().join("empty");
    std::fs::create_dir(&empty_dir).unwrap();
    let e = read_images(&empty_dir, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.to_string(), format!("{}: not an image archive or OCI layout: a directory without index.json or manifest.json", empty_dir.display()));

    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(bad.join("oci-layout"), b"{}").unwrap();
    std::fs::write(
        bad.join("index.json"),
        b"{\n  \"manifests\": [\n    {,}\n  ]\n}\n",
    )
    .unwrap();
    let e = read_images(&bad, &ReadOptions::default()).unwrap_err();
    match &e {
        ReadError::Json {
            file, line, column, ..
        } => assert_eq!((file.as_str(), *line, *column), ("index.json", 3, 6)),
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string()
            .starts_with("index.json: line 3, column 6: invalid JSON: "),
        "{e}"
    );

    let gz = dir.path().join("text.gz");
    std::fs::write(&gz, gzip(b"just some text, not a tar at all")).unwrap();
    let e = read_images(&gz, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.to_string(), format!("{}: not an image archive or OCI layout: it is compressed, but not a compressed tar archive", gz.display()));
}

#[test]
fn a_blob_whose_size_or_digest_lies_is_a_size_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let image = base();
    let mut layout = image.oci_layout();
    // Change the second layer's bytes, keeping its name: digest and size no longer match.
    let manifest_digest = {
        let index: serde_json::Value = serde_json::from_slice(&layout.files["index.json"]).unwrap();
        index["manifests"][0]["digest"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let manifest: serde_json::Value =
        serde_json::from_slice(&layout.blobs[&manifest_digest]).unwrap();
    let layer1 = manifest["layers"][1]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let mut other = ImageBuilder::new()
        .layer(|l| {
            l.compression(Compression::Zstd)
                .file("/app/server", 0o755, b"server binary, longer")
        })
        .layers[0]
        .blob();
    layout
        .blobs
        .insert(layer1.clone(), std::mem::take(&mut other));
    layout.write_dir(dir.path()).unwrap();
    let f = &read(dir.path())[0];
    let kinds: Vec<_> = f.problems.iter().map(|p| (p.kind, p.layer)).collect();
    assert_eq!(
        kinds,
        vec![
            (ImageProblemKind::SizeMismatch, Some(1)),
            (ImageProblemKind::SizeMismatch, Some(1))
        ]
    );
    assert!(
        f.problems[0].message.contains("bytes, its descriptor says"),
        "{}",
        f.problems[0].message
    );
    assert!(
        f.problems[1].message.contains("sha256"),
        "{}",
        f.problems[1].message
    );
    // The layer was read all the same.
    assert_eq!(f.layers[1].digest, layer1);
    assert_eq!(f.files, 4);
}

#[test]
fn gzipped_archives_with_blobs_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    // docker save | gzip, old layout.
    let image = base().reference("app:latest");
    let gz = dir.path().join("docker.tar.gz");
    std::fs::write(&gz, gzip(&image.docker_layout().tar())).unwrap();
    let f = &read(&gz)[0];
    assert_base(f);
    assert_eq!(
        f.references,
        vec!["app:latest", "registry.example.com/app:1.4"]
    );
    // An OCI archive whose entries run backwards (index.json last, layers reversed): the shared
    // decoder starts again for blobs behind it.
    let layout = base().oci_layout();
    let mut entries = layout.entries();
    entries.reverse();
    let mut t = kcheck_image::testing::TarWriter::new();
    for (name, bytes) in &entries {
        t.entry(
            &kcheck_image::testing::Header::new(name, b'0', 0o644, bytes.len() as u64),
            bytes,
        );
    }
    let path = dir.path().join("reversed.tar.gz");
    std::fs::write(&path, gzip(&t.finish())).unwrap();
    let f = &read(&path)[0];
    assert_base(f);
}

#[test]
fn docker_layout_unpacked_in_a_directory_and_platform_selection() {
    let dir = tempfile::tempdir().unwrap();
    let image = base().reference("app:latest");
    image.docker_layout().write_dir(dir.path()).unwrap();
    let f = &read(dir.path())[0];
    assert_base(f);
    assert_eq!(read_platform(dir.path(), "linux/amd64").unwrap().len(), 1);
    match read_platform(dir.path(), "linux/arm64") {
        Err(e) => assert_eq!(
            e.to_string(),
            format!(
                "{}: no image for platform linux/arm64 (there are: linux/amd64)",
                dir.path().display()
            )
        ),
        Ok(images) => panic!("{images:?}"),
    }
}

#[test]
fn a_docker_manifest_naming_files_outside_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("layout");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(dir.path().join("secret.json"), b"{}").unwrap();
    std::fs::write(root.join("manifest.json"), br#"[{"Config": "../secret.json", "RepoTags": ["x:1"], "Layers": ["/etc/passwd", "../layer.tar"]}]"#).unwrap();
    let f = &read(&root)[0];
    let kinds: Vec<_> = f
        .problems
        .iter()
        .map(|p| (p.kind, p.layer, p.path.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (ImageProblemKind::Malformed, None, "../secret.json"),
            (ImageProblemKind::Malformed, Some(0), "/etc/passwd"),
            (ImageProblemKind::Malformed, Some(1), "../layer.tar"),
        ]
    );
    assert_eq!(f.config_digest, None);
    assert_eq!(f.files, 0);
}
