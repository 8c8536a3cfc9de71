//! Any bytes as an image archive: read_images must return, never panic, within the limits.
#![no_main]

use kcheck_image::{read_images, Limits, ReadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // read_images takes a path: the input goes to a per-process temporary file.
    let path = std::env::temp_dir().join(format!("kcheck-image-fuzz-{}.tar", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let limits = Limits {
        max_total_bytes: 256 << 20,
        max_layer_bytes: 128 << 20,
        ..Limits::default()
    };
    let _ = read_images(
        &path,
        &ReadOptions {
            platform: None,
            limits,
        },
    );
});
