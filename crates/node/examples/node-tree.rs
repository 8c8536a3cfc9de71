//! Writes a generated node tree to a directory and prints its path, to try `kcheck node --root`
//! without a cluster: `kubeadm` (what kubeadm sets up: several items fail), `secure` (the
//! hardened node the tests start from), or `worker` and `secure-worker` (the same joined as
//! worker nodes).
//!
//! ```sh
//! dir=$(cargo run -q -p kcheck-node --features testing --example node-tree -- kubeadm)
//! cargo run --release -- node --root "$dir"
//! ```

use kcheck_node::testing::NodeTree;
use std::process::ExitCode;

fn main() -> ExitCode {
    let tree = match std::env::args().nth(1).as_deref() {
        Some("kubeadm") | None => NodeTree::kubeadm_default(),
        Some("secure") => NodeTree::secure(),
        Some("worker") => NodeTree::kubeadm_default().worker(),
        Some("secure-worker") => NodeTree::secure().worker(),
        Some(other) => {
            eprintln!(
                "node-tree: unknown tree {other:?}; use kubeadm, secure, worker or secure-worker"
            );
            return ExitCode::from(2);
        }
    };
    println!("{}", tree.build().keep().display());
    ExitCode::SUCCESS
}
