//! Writes the demo's image archives (`examples/demo-images/`, see
//! `kcheck_image::testing::demo`):
//!
//! ```sh
//! cargo run -p kcheck-image --example demo_images -- examples/demo-images
//! ```

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| "examples/demo-images".into(), std::path::PathBuf::from);
    kcheck_image::testing::demo::write(&dir)
}
