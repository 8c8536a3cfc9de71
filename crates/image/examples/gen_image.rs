//! Writes a synthetic OCI archive for benchmarks, streaming (never the whole archive in memory);
//! see `kcheck_image::testing::synthetic`.
//!
//! ```text
//! cargo run --release -p kcheck-image --example gen_image -- OUT.tar [CONTENT_BYTES] [FILES] [LAYERS]
//! ```
//!
//! Defaults: 1.6 GB of file content asked (the size mix lands near 1.66 GB), 50,000 files, 6 gzip
//! layers: an archive of about 1.1 GB.

use std::path::Path;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let Some(out_path) = args.get(1) else {
        eprintln!("usage: gen_image OUT.tar [CONTENT_BYTES] [FILES] [LAYERS]");
        std::process::exit(2);
    };
    let content_bytes: u64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_600_000_000);
    let files: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(50_000);
    let layers: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(6).max(1);
    let summary = kcheck_image::testing::synthetic::write_archive(
        Path::new(out_path),
        content_bytes,
        files,
        layers,
    )?;
    for (i, size) in summary.layer_sizes.iter().enumerate() {
        eprintln!("layer {i}: {size} bytes stored");
    }
    eprintln!(
        "{out_path}: {} files, {} bytes of content, {layers} layers",
        summary.files, summary.content_bytes
    );
    Ok(())
}
