//! Point 6: `kcheck node --root / --probe` on the machine the harness runs the control plane on.
//! The harness knows every flag it gave kube-apiserver and kube-controller-manager, so the
//! findings about them are exact; the probes hit the real ports, and the API server's version
//! comes from its own `/version`.

use crate::plane::ControlPlane;
use crate::{ensure, item};
use libtest_mimic::Failed;
use serde_json::Value;

/// `(code, level, path, message)` of every finding whose rule is about the API server's and the
/// controller manager's flags, files and ports.
fn findings(report: &Value, codes: &[&str]) -> Vec<(String, String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| codes.contains(&f["code"].as_str().unwrap_or_default()))
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("code"), s("level"), s("path"), s("message"))
        })
        .collect()
}

pub fn running_processes(plane: &ControlPlane) -> Result<(), Failed> {
    let api_dir = plane.api.audit_log.parent().unwrap();
    // The audit log's directory, as an administrator might leave it: readable by all.
    std::fs::set_permissions(api_dir, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    // Anonymous API discovery, as some clusters grant it: the probe must see the server answer.
    plane.kubectl_ok(&[
        "create",
        "clusterrolebinding",
        "e2e-anonymous-discovery",
        "--clusterrole=system:discovery",
        "--group=system:unauthenticated",
    ]);
    let run = plane.kcheck(&["node", "--root", "/", "--probe", "--format", "json"]);
    plane.kubectl_ok(&["delete", "clusterrolebinding", "e2e-anonymous-discovery"]);
    ensure(run.code == 1, || {
        format!("exit {}: {}", run.code, run.stderr)
    })?;
    let report = run.json();
    let pid = plane.api.proc.pid();
    let cmdline = format!("/proc/{pid}/cmdline");
    let port = plane.api.url.rsplit(':').next().unwrap();
    let codes = [
        "KC210", "KC213", "KC401", "KC402", "KC404", "KC607", "KC805",
    ];
    // Ports where nothing listens are evidence of item 2.5, not findings: the kubelet's, on
    // this machine.
    let got = findings(&report, &codes);
    let evidence = item(&report, "2.5")["evidence"].to_string();
    ensure(
        evidence.contains("nothing listens at https://127.0.0.1:10250/pods (connection refused)"),
        || format!("the closed kubelet port is not noted: {evidence}"),
    )?;
    let f = |code: &str, level: &str, path: &str, message: String| {
        (
            code.to_string(),
            level.to_string(),
            path.to_string(),
            message,
        )
    };
    let want = vec![
        f(
            "KC210",
            "warn",
            "--anonymous-auth",
            format!(
                "kube-apiserver ({cmdline}) accepts anonymous requests (--anonymous-auth unset, default true): health and version endpoints answer anyone who reaches the port, and any RBAC grant to system:anonymous or system:unauthenticated is open to them"
            ),
        ),
        f(
            "KC213",
            "warn",
            "",
            format!(
                "kube-apiserver answered an anonymous request to https://127.0.0.1:{port}/api with 200 OK: API discovery is open to anonymous clients while anonymous authentication is on"
            ),
        ),
        f(
            "KC401",
            "warn",
            "rules[0].level",
            "the audit rule rules[0] records Secrets at level RequestResponse: their values are copied into the audit log".into(),
        ),
        f(
            "KC402",
            "fail",
            "",
            format!(
                "the audit log directory {} has mode 0755; it should be 0750 or stricter",
                api_dir.display()
            ),
        ),
        f(
            "KC607",
            "fail",
            "--encryption-provider-config",
            "kube-apiserver has no --encryption-provider-config: Secrets are stored in etcd in plaintext".into(),
        ),
        f(
            "KC805",
            "warn",
            "--enable-admission-plugins",
            "admission plugin DenyServiceExternalIPs is off: new Services may set externalIPs, the man-in-the-middle path of CVE-2020-8554".into(),
        ),
        f(
            "KC805",
            "info",
            "--enable-admission-plugins",
            "admission plugin AlwaysPullImages is off; consider it on multi-tenant nodes: it makes every pod prove it may pull its image".into(),
        ),
        f(
            "KC805",
            "info",
            "--enable-admission-plugins",
            "admission plugin ImagePolicyWebhook is off; consider it to have an external service approve images".into(),
        ),
    ];
    ensure(got == want, || {
        format!("findings:\n{got:#?}\nwant:\n{want:#?}")
    })?;
    // v1.37 (read from /version) serves no /logs by default; the controller manager uses
    // per-controller service accounts (--use-service-account-credentials=true).
    for (id, status) in [("4.2", "pass"), ("1.2", "pass"), ("6.2", "fail")] {
        let i = item(&report, id);
        ensure(i["status"] == status, || format!("item {id}: {i}"))?;
    }
    // The audit policy finding points at the policy file's line and column.
    let location = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "KC401")
        .map(|f| f["location"].clone())
        .unwrap_or_default();
    ensure(
        location["file"]
            .as_str()
            .is_some_and(|p| p.ends_with("apiserver/audit-policy.yaml"))
            && location["line"] == 7
            && location["column"] == 3,
        || format!("KC401 location: {location}"),
    )
}
