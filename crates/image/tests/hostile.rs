//! Hostile input: each case is refused or bounded, reported as the exact problem, and the rest of
//! the image is still read.

use kcheck_image::testing::{gzip, Compression, Header, ImageBuilder, Layout, TarWriter};
use kcheck_image::{read_images, Limits, ReadError, ReadOptions};
use kcheck_model::image::{ImageFacts, ImageProblemKind};

fn read_with(image: &ImageBuilder, limits: Limits) -> ImageFacts {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.tar");
    image.write_oci_archive(&path).unwrap();
    let mut facts = read_images(
        &path,
        &ReadOptions {
            platform: None,
            limits,
        },
    )
    .unwrap();
    assert_eq!(facts.len(), 1);
    facts.remove(0)
}

fn read(image: &ImageBuilder) -> ImageFacts {
    read_with(image, Limits::default())
}

fn kinds(f: &ImageFacts) -> Vec<(ImageProblemKind, Option<usize>, &str)> {
    f.problems
        .iter()
        .map(|p| (p.kind, p.layer, p.path.as_str()))
        .collect()
}

fn file_paths(f: &ImageFacts) -> Vec<String> {
    let mut v: Vec<String> = f
        .secret_candidates
        .iter()
        .map(|c| c.file.path.clone())
        .collect();
    v.extend(f.tools.iter().map(|t| t.file.path.clone()));
    v.sort();
    v
}

/// `blobs/sha256/<hex>` of an image's layer `i`.
fn blob_name(image: &ImageBuilder, i: usize) -> String {
    format!(
        "blobs/sha256/{}",
        kcheck_image::testing::sha256(&image.layers[i].blob()).trim_start_matches("sha256:")
    )
}

/// The layer after the hostile one, to show reading goes on.
fn after(image: ImageBuilder) -> ImageBuilder {
    image.layer(|l| l.file("/usr/bin/curl", 0o755, b"curl"))
}

#[test]
fn names_leaving_the_root_are_refused() {
    let f = read(&after(ImageBuilder::new().layer(|l| {
        l.file_named("../../etc/cron.d/evil", 0o644, b"x")
            .file_named("./a/../b/.env", 0o644, b"ok")
            .file_named("/etc/abs.key", 0o600, b"absolute names stay inside")
            .file_named("a/../../escape", 0o644, b"x")
            .hardlink("/etc/hl", "../../etc/shadow")
    })));
    assert_eq!(
        kinds(&f),
        vec![
            (
                ImageProblemKind::UnsafePath,
                Some(0),
                "../../etc/cron.d/evil"
            ),
            (ImageProblemKind::UnsafePath, Some(0), "a/../../escape"),
            (ImageProblemKind::UnsafePath, Some(0), "/etc/hl")
        ]
    );
    assert_eq!(
        file_paths(&f),
        vec!["/b/.env", "/etc/abs.key", "/usr/bin/curl"]
    );
    assert_eq!(f.files, 3);
}

#[test]
fn symlink_loops_are_bounded() {
    let f = read(&ImageBuilder::new().layer(|l| {
        l.symlink("/usr/bin/a", "b")
            .symlink("/usr/bin/b", "/usr/bin/a")
            .symlink("/etc/os-release", "os-release")
            .symlink("/usr/bin/sh", "/usr/bin/../bin/./dash")
            .file("/usr/bin/dash", 0o755, b"dash")
    }));
    assert_eq!(
        kinds(&f),
        vec![
            (ImageProblemKind::LinkLoop, Some(0), "/usr/bin/a"),
            (ImageProblemKind::LinkLoop, Some(0), "/usr/bin/b"),
            (ImageProblemKind::LinkLoop, Some(0), "/etc/os-release")
        ]
    );
    assert_eq!(
        f.tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        vec!["dash", "sh"]
    );
    assert_eq!(f.os_release, None);
}

#[test]
fn hard_links_to_missing_targets() {
    let f = read(&after(ImageBuilder::new().layer(|l| {
        l.hardlink("/bin/sh", "/bin/busybox")
            .file("/bin/busybox", 0o755, b"bb")
    })));
    assert_eq!(
        kinds(&f),
        vec![(ImageProblemKind::MissingLinkTarget, Some(0), "/bin/sh")]
    );
    assert_eq!(
        f.tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        vec!["busybox", "curl"]
    );
}

#[test]
fn a_header_announcing_more_data_than_there_is() {
    let f = read(&after(ImageBuilder::new().layer(|l| {
        l.file("/.env.first", 0o644, b"A=1")
            .lying_file("/liar", 10_000, b"short")
            .no_end()
    })));
    assert_eq!(
        kinds(&f),
        vec![(ImageProblemKind::SizeMismatch, Some(0), "/liar")]
    );
    assert_eq!(file_paths(&f), vec!["/.env.first", "/usr/bin/curl"]);
}

#[test]
fn a_header_announcing_less_data_than_there_is() {
    // The rest of the data is read as the next header: its checksum fails.
    let image = after(ImageBuilder::new().layer(|l| {
        l.file("/.env.first", 0o644, b"A=1")
            .lying_file("/liar", 3, &[b'z'; 1500])
            .file("/.env.second", 0o644, b"B=2")
    }));
    let f = read(&image);
    let blob = blob_name(&image, 0);
    assert_eq!(
        kinds(&f),
        vec![(ImageProblemKind::Malformed, Some(0), blob.as_str())]
    );
    assert!(
        f.problems[0].message.contains("checksum"),
        "{}",
        f.problems[0].message
    );
    assert_eq!(file_paths(&f), vec!["/.env.first", "/usr/bin/curl"]);
}

#[test]
fn truncated_layers() {
    // Cut inside the second file's data, for each compression.
    for c in [Compression::None, Compression::Gzip, Compression::Zstd] {
        let f = read(&after(ImageBuilder::new().layer(|l| {
            l.compression(c)
                .file("/.env.first", 0o644, b"A=1")
                .file("/.env.second", 0o644, &[b'x'; 2000])
                .truncate(1024 + 512 + 700)
        })));
        assert_eq!(
            kinds(&f),
            vec![(ImageProblemKind::SizeMismatch, Some(0), "/.env.second")],
            "{c:?}"
        );
        assert_eq!(
            file_paths(&f),
            vec!["/.env.first", "/usr/bin/curl"],
            "{c:?}"
        );
    }
    // Cut inside a header.
    let image = after(ImageBuilder::new().layer(|l| {
        l.file("/.env.first", 0o644, b"A=1")
            .file("/.env.second", 0o644, b"B")
            .truncate(1024 + 100)
    }));
    let f = read(&image);
    let blob = blob_name(&image, 0);
    assert_eq!(
        kinds(&f),
        vec![(ImageProblemKind::SizeMismatch, Some(0), blob.as_str())]
    );
    assert!(
        f.problems[0].message.contains("ends inside a tar header"),
        "{}",
        f.problems[0].message
    );
}

#[test]
fn decompression_bombs_by_ratio() {
    let zeros = vec![0u8; 8 << 20];
    let f = read(&after(ImageBuilder::new().layer(|l| {
        l.file("/.env.a", 0o644, b"A")
            .file("/bomb", 0o644, &zeros)
            .file("/.env.b", 0o644, b"B")
    })));
    assert_eq!(
        kinds(&f),
        vec![(ImageProblemKind::DecompressionLimit, Some(0), "/bomb")]
    );
    assert!(
        f.problems[0].message.contains("times its stored size"),
        "{}",
        f.problems[0].message
    );
    assert_eq!(file_paths(&f), vec!["/.env.a", "/usr/bin/curl"]);
}

#[test]
fn decompression_limits_per_layer_and_in_total() {
    let data = vec![7u8; 100_000];
    let image = after(ImageBuilder::new().layer(|l| {
        l.compression(Compression::None)
            .file("/.env.a", 0o644, b"A")
            .file("/big", 0o644, &data)
    }));
    let f = read_with(
        &image,
        Limits {
            max_layer_bytes: 50_000,
            ..Limits::default()
        },
    );
    assert_eq!(
        kinds(&f),
        vec![(ImageProblemKind::DecompressionLimit, Some(0), "/big")]
    );
    assert!(
        f.problems[0].message.contains("per-layer limit"),
        "{}",
        f.problems[0].message
    );
    assert_eq!(file_paths(&f), vec!["/.env.a", "/usr/bin/curl"]);

    // The total stops this layer and every later one.
    let f = read_with(
        &image,
        Limits {
            max_total_bytes: 50_000,
            ..Limits::default()
        },
    );
    assert_eq!(
        kinds(&f).iter().map(|k| (k.0, k.1)).collect::<Vec<_>>(),
        vec![
            (ImageProblemKind::DecompressionLimit, Some(0)),
            (ImageProblemKind::DecompressionLimit, Some(1))
        ]
    );
    assert!(
        f.problems[0].message.contains("total limit"),
        "{}",
        f.problems[0].message
    );
    assert_eq!(file_paths(&f), vec!["/.env.a"]);
    assert_eq!(f.layers[1].uncompressed, 0);
}

#[test]
fn too_many_entries() {
    let image = after(
        ImageBuilder::new()
            .layer(|l| (0..20).fold(l, |l, i| l.file(&format!("/f{i:02}.env"), 0o644, b"x"))),
    );
    let f = read_with(
        &image,
        Limits {
            max_entries: 10,
            ..Limits::default()
        },
    );
    assert_eq!(
        kinds(&f).iter().map(|k| (k.0, k.1)).collect::<Vec<_>>(),
        vec![
            (ImageProblemKind::EntryLimit, Some(0)),
            (ImageProblemKind::EntryLimit, Some(1))
        ]
    );
    assert_eq!(f.files, 10);
    assert_eq!(f.layers[0].entries, 11);
}

#[test]
fn gigantic_names_are_skipped() {
    let huge = format!("/{}", "n".repeat(10_000));
    let image = after(ImageBuilder::new().layer(|l| {
        l.file(&format!("{huge}.env"), 0o644, b"x")
            .file("/.env.ok", 0o644, b"ok")
            .pax_file(&format!("{huge}.key"), 0o644, b"k")
            .file("/.env.ok2", 0o644, b"ok")
    }));
    let f = read(&image);
    let blob = blob_name(&image, 0);
    assert_eq!(
        kinds(&f),
        vec![
            (ImageProblemKind::UnsafePath, Some(0), blob.as_str()),
            (ImageProblemKind::UnsafePath, Some(0), blob.as_str())
        ]
    );
    assert!(
        f.problems[0]
            .message
            .contains("GNU long name of 10005 bytes"),
        "{}",
        f.problems[0].message
    );
    assert!(
        f.problems[1].message.contains("PAX path of 10004 bytes"),
        "{}",
        f.problems[1].message
    );
    assert_eq!(
        file_paths(&f),
        vec!["/.env.ok", "/.env.ok2", "/usr/bin/curl"]
    );
}

#[test]
fn huge_and_malformed_json() {
    let dir = tempfile::tempdir().unwrap();
    let image = ImageBuilder::new()
        .layer(|l| l.file("/bin/sh", 0o755, b"sh"))
        .config(|c| c.env("BIG", &"v".repeat(2000)));
    let path = dir.path().join("image.tar");
    image.write_oci_archive(&path).unwrap();
    // A config over the limit: a problem, the layers are read.
    let limits = Limits {
        max_json_bytes: 1000,
        ..Limits::default()
    };
    let f = &read_images(
        &path,
        &ReadOptions {
            platform: None,
            limits: limits.clone(),
        },
    )
    .unwrap()[0];
    assert_eq!(
        kinds(f).iter().map(|k| (k.0, k.1)).collect::<Vec<_>>(),
        vec![(ImageProblemKind::Malformed, None)]
    );
    assert!(
        f.problems[0]
            .message
            .contains("larger than the limit of 1000 bytes"),
        "{}",
        f.problems[0].message
    );
    assert_eq!(f.env, vec![]);
    assert_eq!(f.tools.len(), 1);
    // index.json over the limit: the archive cannot be read.
    let limits = Limits {
        max_json_bytes: 100,
        ..Limits::default()
    };
    let e = read_images(
        &path,
        &ReadOptions {
            platform: None,
            limits,
        },
    )
    .unwrap_err();
    assert!(matches!(e, ReadError::TooLarge { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "index.json: larger than the limit of 100 bytes"
    );

    // A malformed config: a problem with line and column.
    let mut layout = image.oci_layout();
    let config_digest = kcheck_image::testing::sha256(
        &image.config_json(&[kcheck_image::testing::sha256(&image.layers[0].tar())]),
    );
    layout
        .blobs
        .insert(config_digest, b"{\"config\": [}".to_vec());
    let cdir = dir.path().join("badconfig");
    layout.write_dir(&cdir).unwrap();
    let f = &read_images(&cdir, &ReadOptions::default()).unwrap()[0];
    assert_eq!(
        kinds(f).iter().map(|k| (k.0, k.1)).collect::<Vec<_>>(),
        vec![
            (ImageProblemKind::SizeMismatch, None),
            (ImageProblemKind::SizeMismatch, None),
            (ImageProblemKind::Malformed, None)
        ]
    );
    assert!(
        f.problems[2].message.contains("line 1, column 13"),
        "{}",
        f.problems[2].message
    );
    assert_eq!(f.tools.len(), 1);
}

#[test]
fn blobs_named_but_missing() {
    let dir = tempfile::tempdir().unwrap();
    let image = after(ImageBuilder::new().layer(|l| l.file("/bin/sh", 0o755, b"sh")));
    let mut layout = image.oci_layout();
    let first_layer = kcheck_image::testing::sha256(&image.layers[0].blob());
    layout.blobs.remove(&first_layer);
    layout.write_dir(dir.path()).unwrap();
    let f = &read_images(dir.path(), &ReadOptions::default()).unwrap()[0];
    let expected_path = format!("blobs/sha256/{}", first_layer.trim_start_matches("sha256:"));
    assert_eq!(
        kinds(f),
        vec![(ImageProblemKind::Malformed, Some(0), expected_path.as_str())]
    );
    assert_eq!(f.layers[0].digest, first_layer);
    assert_eq!(
        f.tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        vec!["curl"]
    );

    // A missing manifest: an image with the problem, and nothing else.
    let mut layout = image.oci_layout();
    let index: serde_json::Value = serde_json::from_slice(&layout.files["index.json"]).unwrap();
    let manifest = index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    layout.blobs.remove(&manifest);
    let mdir = dir.path().join("nomanifest");
    layout.write_dir(&mdir).unwrap();
    let f = &read_images(&mdir, &ReadOptions::default()).unwrap()[0];
    assert_eq!(
        kinds(f).iter().map(|k| (k.0, k.1)).collect::<Vec<_>>(),
        vec![(ImageProblemKind::Malformed, None)]
    );
    assert_eq!(f.manifest_digest.as_deref(), Some(manifest.as_str()));
    assert_eq!(f.layers.len(), 0);
}

#[test]
fn digests_that_would_name_paths_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut layout = Layout::default();
    layout.set_index(vec![serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:../../../etc/passwd", "size": 10})]);
    layout.write_dir(dir.path()).unwrap();
    let f = &read_images(dir.path(), &ReadOptions::default()).unwrap()[0];
    assert_eq!(
        kinds(f),
        vec![(
            ImageProblemKind::Malformed,
            None,
            "sha256:../../../etc/passwd"
        )]
    );
}

#[test]
fn unsupported_layer_compression() {
    let dir = tempfile::tempdir().unwrap();
    let image = after(ImageBuilder::new().layer(|l| l.file("/bin/sh", 0o755, b"sh")));
    let mut layout = Layout::default();
    let mut bz = b"BZh91AY&SY".to_vec();
    bz.extend_from_slice(&[0u8; 100]);
    let bz_d = layout.add_blob("application/vnd.oci.image.layer.v1.tar+bzip2", bz);
    let curl = layout.add_blob(
        "application/vnd.oci.image.layer.v1.tar+gzip",
        image.layers[1].blob(),
    );
    let config = layout.add_blob(
        "application/vnd.oci.image.config.v1+json",
        image.config_json(&[]),
    );
    let manifest =
        serde_json::json!({"schemaVersion": 2, "config": config, "layers": [bz_d, curl]});
    let m = layout.add_blob(
        "application/vnd.oci.image.manifest.v1+json",
        serde_json::to_vec(&manifest).unwrap(),
    );
    layout.set_index(vec![m]);
    layout.write_dir(dir.path()).unwrap();
    let f = &read_images(dir.path(), &ReadOptions::default()).unwrap()[0];
    assert_eq!(
        kinds(f).iter().map(|k| (k.0, k.1)).collect::<Vec<_>>(),
        vec![(ImageProblemKind::Unsupported, Some(0))]
    );
    assert_eq!(
        f.tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        vec!["curl"]
    );
    assert_eq!(f.layers[0].size, 110);
}

#[test]
fn a_truncated_archive_keeps_what_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let image = after(ImageBuilder::new().layer(|l| {
        l.file("/bin/sh", 0o755, b"sh")
            .file("/pad", 0o644, &[b'p'; 3000])
            .compression(Compression::None)
    }));
    let layout = image.oci_layout();
    // Write the layout with the first layer last, then cut inside it.
    let first_layer = kcheck_image::testing::sha256(&image.layers[0].blob());
    let first_name = format!("blobs/sha256/{}", first_layer.trim_start_matches("sha256:"));
    let mut entries = layout.entries();
    entries.sort_by_key(|(name, _)| name == &first_name);
    let mut t = TarWriter::new();
    for (name, bytes) in &entries {
        t.entry(&Header::new(name, b'0', 0o644, bytes.len() as u64), bytes);
    }
    let mut bytes = t.finish();
    bytes.truncate(bytes.len() - 1024 - 2000);
    for (name, data) in [("cut.tar", bytes.clone()), ("cut.tar.gz", gzip(&bytes))] {
        let path = dir.path().join(name);
        std::fs::write(&path, data).unwrap();
        let f = &read_images(&path, &ReadOptions::default()).unwrap()[0];
        let k: Vec<_> = f.problems.iter().map(|p| (p.kind, p.layer)).collect();
        assert_eq!(
            k[0],
            (ImageProblemKind::SizeMismatch, None),
            "{name}: {:?}",
            f.problems
        );
        assert!(
            f.problems[0].message.starts_with("the archive: "),
            "{}",
            f.problems[0].message
        );
        assert!(
            k[1..].contains(&(ImageProblemKind::SizeMismatch, Some(0))),
            "{name}: {:?}",
            f.problems
        );
        assert_eq!(
            f.tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            vec!["sh", "curl"],
            "{name}"
        );
    }
}

#[test]
fn outer_archive_entries_leaving_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let layout = ImageBuilder::new()
        .layer(|l| l.file("/bin/sh", 0o755, b"sh"))
        .oci_layout();
    let mut t = TarWriter::new();
    t.entry(&Header::new("../../evil", b'0', 0o644, 4), b"evil");
    for (name, bytes) in layout.entries() {
        t.entry(
            &Header::new(&format!("./{name}"), b'0', 0o644, bytes.len() as u64),
            &bytes,
        );
    }
    let path = dir.path().join("a.tar");
    std::fs::write(&path, t.finish()).unwrap();
    let f = &read_images(&path, &ReadOptions::default()).unwrap()[0];
    assert_eq!(
        kinds(f),
        vec![(ImageProblemKind::UnsafePath, None, "../../evil")]
    );
    assert_eq!(f.tools.len(), 1);
}

#[test]
fn too_deep_indexes_and_attestations_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut layout = Layout::default();
    let mut d = serde_json::json!({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "sha256:0000000000000000000000000000000000000000000000000000000000000000", "size": 1});
    for _ in 0..6 {
        let index = serde_json::json!({"schemaVersion": 2, "manifests": [d]});
        d = layout.add_blob(
            "application/vnd.oci.image.index.v1+json",
            serde_json::to_vec(&index).unwrap(),
        );
    }
    layout.set_index(vec![d]);
    layout.write_dir(dir.path()).unwrap();
    let facts = read_images(dir.path(), &ReadOptions::default()).unwrap();
    assert_eq!(facts.len(), 1);
    assert_eq!(
        kinds(&facts[0])
            .iter()
            .map(|k| (k.0, k.1))
            .collect::<Vec<_>>(),
        vec![(ImageProblemKind::Malformed, None)]
    );
    assert!(
        facts[0].problems[0].message.contains("nested more than"),
        "{}",
        facts[0].problems[0].message
    );
}

#[test]
fn zstd_frames_asking_for_a_huge_window() {
    let dir = tempfile::tempdir().unwrap();
    let image = after(ImageBuilder::new().layer(|l| l.file("/bin/sh", 0o755, b"sh")));
    let mut layout = Layout::default();
    // A frame header asking for a 1 GiB window (window log 30), then anything.
    let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, 20 << 3];
    frame.extend_from_slice(&[0x55; 64]);
    let big = layout.add_blob("application/vnd.oci.image.layer.v1.tar+zstd", frame);
    let curl = layout.add_blob(
        "application/vnd.oci.image.layer.v1.tar+gzip",
        image.layers[1].blob(),
    );
    let config = layout.add_blob(
        "application/vnd.oci.image.config.v1+json",
        image.config_json(&[]),
    );
    let manifest = serde_json::json!({"schemaVersion": 2, "config": config, "layers": [big, curl]});
    let m = layout.add_blob(
        "application/vnd.oci.image.manifest.v1+json",
        serde_json::to_vec(&manifest).unwrap(),
    );
    layout.set_index(vec![m]);
    layout.write_dir(dir.path()).unwrap();
    let f = &read_images(dir.path(), &ReadOptions::default()).unwrap()[0];
    let blob = format!(
        "blobs/sha256/{}",
        big["digest"]
            .as_str()
            .unwrap()
            .trim_start_matches("sha256:")
    );
    assert_eq!(
        kinds(f),
        vec![(ImageProblemKind::DecompressionLimit, Some(0), blob.as_str())]
    );
    assert!(
        f.problems[0].message.contains("window"),
        "{}",
        f.problems[0].message
    );
    assert_eq!(
        f.tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        vec!["curl"]
    );
}

#[test]
fn a_compressed_archive_that_is_a_bomb() {
    let dir = tempfile::tempdir().unwrap();
    let layout = ImageBuilder::new()
        .layer(|l| l.file("/bin/sh", 0o755, b"sh"))
        .oci_layout();
    let mut t = TarWriter::new();
    for (name, bytes) in layout.entries() {
        t.entry(&Header::new(&name, b'0', 0o644, bytes.len() as u64), &bytes);
    }
    t.entry(
        &Header::new("zeros", b'0', 0o644, 8 << 20),
        &vec![0u8; 8 << 20],
    );
    let path = dir.path().join("bomb.tar.gz");
    std::fs::write(&path, gzip(&t.finish())).unwrap();
    let f = &read_images(&path, &ReadOptions::default()).unwrap()[0];
    assert_eq!(
        kinds(f),
        vec![(ImageProblemKind::DecompressionLimit, None, "")]
    );
    assert!(
        f.problems[0]
            .message
            .starts_with("the archive: the layer decompresses to more than 250 times"),
        "{}",
        f.problems[0].message
    );
    assert_eq!(f.tools.len(), 1);
}

#[test]
fn names_beyond_the_image_budget() {
    let image = after(ImageBuilder::new().layer(|l| {
        (0..20).fold(l, |l, i| {
            l.file(&format!("/{}/f{i:02}", "n".repeat(90)), 0o644, b"x")
        })
    }));
    let f = read_with(
        &image,
        Limits {
            max_name_bytes: 1000,
            ..Limits::default()
        },
    );
    assert_eq!(
        kinds(&f).iter().map(|k| (k.0, k.1)).collect::<Vec<_>>(),
        vec![
            (ImageProblemKind::EntryLimit, Some(0)),
            (ImageProblemKind::EntryLimit, Some(1))
        ]
    );
    assert!(
        f.problems[0]
            .message
            .contains("names and link targets add up to more than 1000 bytes"),
        "{}",
        f.problems[0].message
    );
    // 94 bytes a name: ten fit.
    assert_eq!(f.files, 10);
}

#[test]
fn indexes_fanning_out_to_many_images() {
    let dir = tempfile::tempdir().unwrap();
    let image = ImageBuilder::new().layer(|l| l.file("/bin/sh", 0o755, b"sh"));
    let mut layout = Layout::default();
    let built = image.add_to(&mut layout);
    let inner =
        serde_json::json!({"schemaVersion": 2, "manifests": vec![built.descriptor.clone(); 100]});
    let inner_d = layout.add_blob(
        "application/vnd.oci.image.index.v1+json",
        serde_json::to_vec(&inner).unwrap(),
    );
    layout.set_index(vec![inner_d; 100]);
    layout.write_dir(dir.path()).unwrap();
    let limits = Limits {
        max_images: 5,
        ..Limits::default()
    };
    let facts = read_images(
        dir.path(),
        &ReadOptions {
            platform: None,
            limits,
        },
    )
    .unwrap();
    assert_eq!(facts.len(), 5);
    for f in &facts {
        assert_eq!(kinds(f), vec![(ImageProblemKind::EntryLimit, None, "")]);
        assert_eq!(f.tools.len(), 1);
    }

    // A Docker archive listing more images than the limit.
    let docker = image.reference("a:1").docker_layout();
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&docker.files["manifest.json"]).unwrap();
    let one = manifest[0].clone();
    manifest = serde_json::json!([one.clone(), one.clone(), one]);
    let mut docker = docker;
    docker.files.insert(
        "manifest.json".into(),
        serde_json::to_vec(&manifest).unwrap(),
    );
    let path = dir.path().join("docker.tar");
    docker.write_tar(&path).unwrap();
    let limits = Limits {
        max_images: 2,
        ..Limits::default()
    };
    let facts = read_images(
        &path,
        &ReadOptions {
            platform: None,
            limits,
        },
    )
    .unwrap();
    assert_eq!(facts.len(), 2);
    assert_eq!(
        kinds(&facts[1]),
        vec![(ImageProblemKind::EntryLimit, None, "")]
    );
}

#[test]
fn problems_are_bounded() {
    let image = after(
        ImageBuilder::new()
            .layer(|l| (0..1500).fold(l, |l, i| l.file_named(&format!("../x{i}"), 0o644, b""))),
    );
    let f = read(&image);
    assert_eq!(f.problems.len(), 1001);
    assert!(f.problems[..1000]
        .iter()
        .all(|p| p.kind == ImageProblemKind::UnsafePath));
    assert_eq!(kinds(&f)[1000], (ImageProblemKind::EntryLimit, None, ""));
    assert_eq!(
        f.problems[1000].message,
        "500 more problems, not listed (at most 1000 are)"
    );
    assert_eq!(f.tools.len(), 1);
}

#[test]
fn the_capture_budget_bounds_contents_and_packages() {
    let status: String = (0..50)
        .map(|i| format!("Package: p{i:02}\nVersion: 1.0\n\n"))
        .collect();
    let image = after(ImageBuilder::new().layer(|l| {
        l.file("/app/.env", 0o644, &[b'e'; 200])
            .file("/var/lib/dpkg/status", 0o644, status.as_bytes())
            .file("/root/.netrc", 0o600, &[b'n'; 30])
    }));
    let f = read_with(
        &image,
        Limits {
            max_capture_bytes: 600,
            ..Limits::default()
        },
    );
    assert_eq!(
        kinds(&f),
        vec![(
            ImageProblemKind::EntryLimit,
            Some(0),
            "/var/lib/dpkg/status"
        )]
    );
    let got: Vec<(&str, usize, bool)> = f
        .secret_candidates
        .iter()
        .map(|c| (c.file.path.as_str(), c.content.len(), c.truncated))
        .collect();
    // 200 bytes of .env, then packages of 3 + 3 + 48 bytes while they fit (7: 378 bytes), then
    // the 22 bytes left for .netrc.
    assert_eq!(
        got,
        vec![("/app/.env", 200, false), ("/root/.netrc", 22, true)]
    );
    assert_eq!(f.package_dbs[0].packages.len(), 7);
}
