//! Writes a generated node tree to a directory and prints its path, to try `kcheck node --root`
//! without a cluster: `kubeadm` (what kubeadm sets up: several items fail), `secure` (the
//! hardened node the tests start from), `worker` and `secure-worker` (the same joined as worker
//! nodes), or another layout: `k3s-server`, `k3s-agent`, `rke2-server`, `rke2-agent`,
//! `microk8s`, `kind`, `openshift`, `eks`, `gke`, `aks`.
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
        Some("k3s-server") => NodeTree::k3s_server(),
        Some("k3s-agent") => NodeTree::k3s_agent(),
        Some("rke2-server") => NodeTree::rke2_server(),
        Some("rke2-agent") => NodeTree::rke2_agent(),
        Some("microk8s") => NodeTree::microk8s(),
        Some("kind") => NodeTree::kind(),
        Some("openshift") => NodeTree::openshift(),
        Some(managed @ ("eks" | "gke" | "aks")) => NodeTree::managed_worker(managed),
        Some(other) => {
            eprintln!("node-tree: unknown tree {other:?}; use kubeadm, secure, worker, secure-worker, k3s-server, k3s-agent, rke2-server, rke2-agent, microk8s, kind, openshift, eks, gke or aks");
            return ExitCode::from(2);
        }
    };
    println!("{}", tree.build().keep().display());
    ExitCode::SUCCESS
}
