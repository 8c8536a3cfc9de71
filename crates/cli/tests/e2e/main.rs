//! kcheck against a real Kubernetes control plane: etcd, kube-apiserver and
//! kube-controller-manager on 127.0.0.1 (see tests/e2e/README.md and README's "Testing against a
//! real control plane"). Each check below is a test case; the control plane is started once,
//! loaded with tests/e2e/scenario/, and stopped at the end, also when a check fails.
//!
//! The binaries come from `tests/e2e/build.sh` (target/e2e/bin) and Debian's etcd. Without them
//! the cases are reported as ignored, unless `KCHECK_REQUIRE_E2E` is set (CI sets it), which makes
//! a missing binary a failure.

mod audit;
mod connect;
mod contexts;
mod deploy;
mod encryption;
mod node;
mod node_reports;
mod plane;
mod publish;
mod webhook;

use libtest_mimic::{Arguments, Failed, Trial};
use plane::{Bins, ControlPlane};
use std::path::{Path, PathBuf};
use std::sync::Arc;

type Check = fn(&ControlPlane) -> Result<(), Failed>;

/// Every check, in the order they run (one at a time: the node scan reads the processes that
/// are running, and the encryption check starts a second API server).
const CHECKS: &[(&str, Check)] = &[
    (
        "connection_failures_are_loud",
        connect::connection_failures_are_loud,
    ),
    (
        "a_self_signed_ca_certificate_connects_as_with_kubectl",
        connect::self_signed_ca_connects,
    ),
    (
        "etcd_and_webhook_connection_failures_are_loud",
        connect::etcd_and_webhook_failures,
    ),
    (
        "least_privileged_audit_equals_admin_audit",
        audit::least_privileged_equals_admin,
    ),
    (
        "a_user_without_rights_gets_an_incomplete_audit",
        audit::no_rights_is_incomplete,
    ),
    ("lists_page_through_the_real_server", audit::pagination),
    (
        "an_expired_continue_token_is_never_a_silent_partial_list",
        audit::expired_continue,
    ),
    (
        "the_readme_dump_equals_the_live_audit",
        audit::dump_equals_live,
    ),
    (
        "default_cluster_roles_are_the_servers",
        audit::default_cluster_roles_are_the_servers,
    ),
    (
        "the_webhook_in_the_real_admission_chain",
        webhook::admission_chain,
    ),
    ("encryption_at_rest_seen_in_etcd", encryption::at_rest),
    (
        "node_scan_of_the_running_control_plane",
        node::running_processes,
    ),
    ("deploy_is_accepted_by_the_api_server", deploy::accepted),
    (
        "publish_applies_policy_reports_and_deletes_stale_ones",
        publish::reports_are_applied_and_stale_ones_deleted,
    ),
    (
        "several_contexts_in_one_run",
        contexts::several_contexts_in_one_run,
    ),
    (
        "node_reports_from_every_node_decide_every_item",
        node_reports::every_item_decided_with_node_reports,
    ),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn main() {
    let mut args = Arguments::from_args();
    args.test_threads = Some(1);
    let root = root();
    let bins = match Bins::find(&root) {
        Ok(bins) => bins,
        Err(missing) => {
            let required = std::env::var_os("KCHECK_REQUIRE_E2E").is_some_and(|v| !v.is_empty());
            let why = format!(
                "the e2e control plane needs {missing}: run tests/e2e/build.sh \
                 (and apt-get install etcd-server)"
            );
            if required {
                eprintln!("KCHECK_REQUIRE_E2E is set and {why}");
                std::process::exit(1);
            }
            eprintln!("SKIPPED e2e: {why}; set KCHECK_REQUIRE_E2E=1 to make this a failure");
            let trials = CHECKS
                .iter()
                .map(|(name, _)| Trial::test(*name, || Ok(())).with_ignored_flag(true))
                .collect();
            libtest_mimic::run(&args, trials).exit();
        }
    };
    // Start nothing when a filter leaves no check to run.
    let selected = CHECKS.iter().any(|(name, _)| {
        args.filter.as_deref().is_none_or(|f| {
            if args.exact {
                *name == f
            } else {
                name.contains(f)
            }
        }) && !args.skip.iter().any(|s| name.contains(s.as_str()))
    });
    if !selected || args.list {
        let trials = CHECKS
            .iter()
            .map(|(name, _)| Trial::test(*name, || Ok(())))
            .collect();
        libtest_mimic::run(&args, trials).exit();
    }
    let plane = Arc::new(ControlPlane::start(&root, bins));
    eprintln!(
        "e2e: control plane up in {:.1} s (kube-apiserver {}, etcd {}, pid {})",
        plane.started_in.as_secs_f64(),
        plane.api.url,
        plane.etcd.endpoint,
        plane.api.proc.pid()
    );
    load_scenario(&plane);
    let trials = CHECKS
        .iter()
        .map(|(name, check)| {
            let (plane, check) = (plane.clone(), *check);
            Trial::test(*name, move || check(&plane))
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    // Every process is stopped before the exit.
    drop(plane);
    conclusion.exit();
}

/// The scenario's objects, and 60 ConfigMaps in `bulk` for the pagination checks.
fn load_scenario(plane: &ControlPlane) {
    let scenario = plane.root.join("tests/e2e/scenario");
    plane.kubectl_ok(&["apply", "-f", scenario.to_str().unwrap()]);
    plane.kubectl_ok(&["create", "namespace", "bulk"]);
    let mut list = String::from("apiVersion: v1\nkind: List\nitems:\n");
    for i in 0..60 {
        list.push_str(&format!(
            "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {{name: settings-{i:02}, namespace: bulk}}\n  data: {{index: \"{i}\"}}\n"
        ));
    }
    let file = plane.path("bulk.yaml");
    std::fs::write(&file, list).unwrap();
    plane.kubectl_ok(&["apply", "-f", file.to_str().unwrap()]);
}

/// `Err` with the message unless `cond`.
pub fn ensure(cond: bool, message: impl FnOnce() -> String) -> Result<(), Failed> {
    if cond {
        Ok(())
    } else {
        Err(message().into())
    }
}

/// The item `id` of a JSON report.
pub fn item<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["id"] == id))
        .unwrap_or_else(|| panic!("no item {id} in the report"))
}

/// `(id, status)` of every item.
pub fn statuses(report: &serde_json::Value) -> Vec<(String, String)> {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                i["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}
