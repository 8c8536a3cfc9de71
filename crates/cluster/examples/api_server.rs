//! Serves a fixture over HTTPS like an API server, for trying `kcheck cluster` and for the scale
//! benchmark:
//!
//!     cargo run -p kcheck-cluster --features testing --example api_server -- OUT [LIST_DIR] [SECONDS]
//!
//! Serves the sample cluster (`-`), or the List JSON files of LIST_DIR (what tools/gen_scale.py
//! writes; the directory is then the dump), writes OUT/kubeconfig (and for the sample an offline
//! dump of the same objects, OUT/dump/objects.json and version.json), prints the kubeconfig's
//! path, and serves for SECONDS (default 600).

use kcheck_cluster::testing::{ApiServer, Fixture};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = PathBuf::from(
        args.first()
            .ok_or("usage: api_server OUT [LIST_DIR] [SECONDS]")?,
    );
    let lists = args.get(1).filter(|a| a.as_str() != "-");
    let fixture = match lists {
        Some(dir) => Fixture::from_list_dir(std::path::Path::new(dir))?,
        None => Fixture::sample(),
    };
    let seconds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(600);
    // LIST_DIR is itself a dump of what is served.
    if lists.is_none() {
        let dump = out.join("dump");
        std::fs::create_dir_all(&dump)?;
        std::fs::write(dump.join("objects.json"), fixture.kubectl_dump())?;
        std::fs::write(dump.join("version.json"), fixture.kubectl_version())?;
    } else {
        std::fs::create_dir_all(&out)?;
    }
    let objects: usize = fixture.resources.iter().map(|r| r.items.len()).sum();
    let server = ApiServer::start(fixture)?;
    let kubeconfig = server.write_kubeconfig(&out)?;
    println!("{}", kubeconfig.display());
    eprintln!(
        "serving {objects} objects at {} for {seconds} s",
        server.url()
    );
    std::thread::sleep(std::time::Duration::from_secs(seconds));
    Ok(())
}
