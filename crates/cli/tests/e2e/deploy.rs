//! Point 7: what deploy/ ships is accepted by a real API server (server-side dry run), and so is
//! the Helm chart rendered by a real `helm template`, which kcheck's own scan finds no failure in.

use crate::ensure;
use crate::plane::{run, ControlPlane};
use libtest_mimic::Failed;
use std::path::{Path, PathBuf};

fn manifests(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            // The chart's templates are not manifests until helm renders them (below); the krew
            // plugin manifest is for krew's index, not for an API server.
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name != "helm" && name != "krew" {
                manifests(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

pub fn accepted(plane: &ControlPlane) -> Result<(), Failed> {
    let crds = plane.root.join("tests/e2e/crds/cert-manager.yaml");
    plane.kubectl_ok(&["apply", "-f", crds.to_str().unwrap()]);
    plane.kubectl_ok(&[
        "wait",
        "--for=condition=established",
        "--timeout=60s",
        "crd/issuers.cert-manager.io",
        "crd/certificates.cert-manager.io",
    ]);
    // Namespaced objects need their namespace to exist, even in a dry run.
    for ns in ["kcheck", "kcheck-system", "kcheck-node-scan"] {
        let _ = plane.kubectl(&["create", "namespace", ns]);
    }
    let mut files = Vec::new();
    manifests(&plane.root.join("deploy"), &mut files);
    ensure(files.len() >= 10, || {
        format!("only {} manifests under deploy/", files.len())
    })?;
    let mut refused = Vec::new();
    for f in &files {
        let out = plane.kubectl(&["apply", "--dry-run=server", "-f", f.to_str().unwrap()]);
        if !out.status.success() {
            refused.push(format!(
                "{}: {}",
                f.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    ensure(refused.is_empty(), || {
        format!("refused by the API server:\n{}", refused.join("\n"))
    })?;

    let chart = plane.root.join("deploy/helm/kcheck-webhook");
    let helm_home = plane.path("helm-home");
    let rendered = run(
        &plane.bins.helm,
        &[
            "template",
            "kcheck-webhook",
            chart.to_str().unwrap(),
            "--namespace",
            "kcheck-system",
        ],
        &[
            ("HOME", helm_home.as_os_str()),
            ("HELM_CACHE_HOME", helm_home.join("cache").as_os_str()),
            ("HELM_CONFIG_HOME", helm_home.join("config").as_os_str()),
            ("HELM_DATA_HOME", helm_home.join("data").as_os_str()),
        ],
        None,
    );
    ensure(rendered.status.success(), || {
        format!(
            "helm template failed: {}",
            String::from_utf8_lossy(&rendered.stderr)
        )
    })?;
    let yaml = rendered.stdout;
    let kinds = String::from_utf8_lossy(&yaml).matches("\nkind: ").count();
    ensure(kinds >= 10, || format!("helm rendered {kinds} objects"))?;
    let out = plane.kubectl_as(
        &plane.admin,
        &["apply", "--dry-run=server", "-f", "-"],
        Some(&yaml),
    );
    ensure(out.status.success(), || {
        format!(
            "the rendered chart was refused: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let scan = run(
        &plane.bins.kcheck,
        &["scan", "-", "--format", "json"],
        &[],
        Some(&yaml),
    );
    let report: serde_json::Value = serde_json::from_slice(&scan.stdout).unwrap_or_default();
    let failing: Vec<String> = report["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .filter(|f| f["level"] == "fail" && f["waived"] != true)
                .map(|f| format!("{} {}", f["code"], f["message"]))
                .collect()
        })
        .unwrap_or_default();
    ensure(scan.status.code() == Some(0) && failing.is_empty(), || {
        format!(
            "kcheck scan of the rendered chart: exit {:?}, failing: {failing:?}; {}",
            scan.status.code(),
            String::from_utf8_lossy(&scan.stderr)
        )
    })
}
