//! The benchmark's synthetic archive, tiny: what it writes is what the reader finds.

use kcheck_image::testing::synthetic::write_archive;
use kcheck_image::{read_images, ReadOptions};
use kcheck_model::image::{PackageDbKind, ToolKind};

#[test]
fn a_tiny_synthetic_archive_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.tar");
    let summary = write_archive(&path, 300_000, 600, 3).unwrap();
    let images = read_images(&path, &ReadOptions::default()).unwrap();
    assert_eq!(images.len(), 1);
    let f = &images[0];
    assert_eq!(f.problems, vec![]);
    assert_eq!(f.files, summary.files);
    assert_eq!(summary.files, 3 * 200 - 22 + 10 - 1 + 1);
    assert_eq!(
        f.layers.iter().map(|l| l.size).collect::<Vec<_>>(),
        summary.layer_sizes
    );
    assert_eq!(f.references, vec!["bench.example.com/image:1"]);
    let tools: Vec<(ToolKind, &str)> = f.tools.iter().map(|t| (t.kind, t.name.as_str())).collect();
    assert_eq!(
        tools,
        vec![
            (ToolKind::Shell, "sh"),
            (ToolKind::PackageManager, "apt"),
            (ToolKind::Shell, "bash"),
            (ToolKind::Shell, "dash"),
            (ToolKind::PackageManager, "dpkg"),
            (ToolKind::Compiler, "gcc")
        ]
    );
    assert_eq!(f.package_dbs.len(), 1);
    assert_eq!(
        (f.package_dbs[0].kind, f.package_dbs[0].packages.len()),
        (PackageDbKind::Dpkg, 300)
    );
    assert_eq!(
        f.setid.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(),
        vec!["/usr/bin/su"]
    );
    assert_eq!(
        f.secret_candidates
            .iter()
            .map(|c| c.file.path.as_str())
            .collect::<Vec<_>>(),
        vec!["/app/.env"]
    );
    assert_eq!(
        f.os_release
            .as_ref()
            .map(|o| (o.id.as_str(), o.path.as_str())),
        Some(("debian", "/usr/lib/os-release"))
    );
    assert_eq!(f.uid0_users, vec!["root"]);
    // Same arguments, same bytes.
    let again = dir.path().join("again.tar");
    write_archive(&again, 300_000, 600, 3).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(&again).unwrap()
    );
}
