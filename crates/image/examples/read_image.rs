//! Reads an image archive or layout and prints one line per image:
//!
//! ```text
//! cargo run --release -p kcheck-image --example read_image -- PATH [--platform linux/amd64] [--layers]
//! ```
//!
//! `--layers` prints the layer digests instead, one a line (the benchmark lists those blobs).

use std::path::Path;

use kcheck_image::{read_images, ReadOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut options = ReadOptions::default();
    let mut path = None;
    let mut layers = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--platform" => {
                i += 1;
                options.platform = args.get(i).cloned();
            }
            "--layers" => layers = true,
            p => path = Some(p.to_string()),
        }
        i += 1;
    }
    let Some(path) = path else {
        eprintln!("usage: read_image PATH [--platform P] [--layers]");
        std::process::exit(2);
    };
    let images = match read_images(Path::new(&path), &options) {
        Ok(images) => images,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    for image in &images {
        if layers {
            for l in &image.layers {
                println!("{}", l.digest);
            }
            continue;
        }
        println!(
            "{} {}: {} files, {} bytes, {} layers, {} tools, {} package dbs ({} packages), {} setid, {} world-writable, {} secret candidates, {} problems",
            image.references.join(","),
            image.platform.as_deref().unwrap_or("-"),
            image.files,
            image.size,
            image.layers.len(),
            image.tools.len(),
            image.package_dbs.len(),
            image.package_dbs.iter().map(|d| d.packages.len()).sum::<usize>(),
            image.setid.len(),
            image.world_writable.len(),
            image.secret_candidates.len(),
            image.problems.len(),
        );
        for p in &image.problems {
            println!(
                "  problem: {:?} layer {:?} {}: {}",
                p.kind, p.layer, p.path, p.message
            );
        }
    }
}
