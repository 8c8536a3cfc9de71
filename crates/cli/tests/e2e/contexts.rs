//! Issue 19: `kcheck cluster --context A --context B --context C` against the real API server:
//! one kubeconfig with a context as `system:masters`, one as a user without rights (every list
//! forbidden) and one at a closed port. Both clusters that answer get their report and the
//! summary page; the closed one is named with its cause; the exit code is 2, the worst.

use crate::plane::{free_port, ControlPlane};
use crate::{ensure, statuses};
use libtest_mimic::Failed;
use serde_json::Value;

/// One kubeconfig: `admin` and `nobody` at the harness's API server (certificates of the
/// harness's PKI), `closed` at a port nothing listens on.
fn kubeconfig(plane: &ControlPlane, closed: &str) -> std::path::PathBuf {
    let p = |n: &str| plane.pki.join(n).display().to_string();
    let text = format!(
        "apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster: {{server: {api}, certificate-authority: {ca}}}
- name: closed
  cluster: {{server: {closed}, certificate-authority: {ca}}}
users:
- name: admin
  user: {{client-certificate: {admin_crt}, client-key: {admin_key}}}
- name: nobody
  user: {{client-certificate: {nobody_crt}, client-key: {nobody_key}}}
contexts:
- name: e2e-admin
  context: {{cluster: e2e, user: admin}}
- name: e2e/nobody
  context: {{cluster: e2e, user: nobody}}
- name: closed
  context: {{cluster: closed, user: admin}}
current-context: e2e-admin
",
        api = plane.api.url,
        ca = p("ca.crt"),
        admin_crt = p("admin.crt"),
        admin_key = p("admin.key"),
        nobody_crt = p("nobody.crt"),
        nobody_key = p("nobody.key"),
    );
    let path = plane.path("contexts.kubeconfig");
    std::fs::write(&path, text).unwrap();
    path
}

fn read_json(path: &std::path::Path) -> Result<Value, Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()).into())
}

pub fn several_contexts_in_one_run(plane: &ControlPlane) -> Result<(), Failed> {
    let closed = format!("https://127.0.0.1:{}", free_port());
    let config = kubeconfig(plane, &closed);
    let config = config.to_str().unwrap();
    let dir = plane.path("contexts-reports");
    let _ = std::fs::remove_dir_all(&dir);
    let run = plane.kcheck(&[
        "cluster",
        "--kubeconfig",
        config,
        "--context",
        "e2e-admin",
        "--context",
        "e2e/nobody",
        "--context",
        "closed",
        "--timeout",
        "3",
        "--format",
        "json",
        "--output-dir",
        dir.to_str().unwrap(),
    ]);
    ensure(run.code == 2, || {
        format!("exit {} (want 2); stderr: {}", run.code, run.stderr)
    })?;
    ensure(run.stdout.is_empty(), || {
        format!("standard output: {}", run.stdout)
    })?;
    let d = dir.display();
    let cause = format!("cannot reach {closed}: connection refused");
    let lines: Vec<&str> = run.stderr.lines().collect();
    // The announcements, the nobody's incomplete audit, the closed port, then one line each.
    for want in [
        "kcheck: context e2e-admin (1 of 3)".to_string(),
        "kcheck: context e2e/nobody (2 of 3)".to_string(),
        "kcheck: context closed (3 of 3)".to_string(),
        format!("kcheck: {cause}"),
        format!("kcheck: context closed: exit 2; not audited: {cause}"),
        format!("kcheck: summary of 2 reports: {d}/summary.html"),
        "kcheck: 3 contexts; exit 2, the worst of them".to_string(),
    ] {
        ensure(lines.contains(&want.as_str()), || {
            format!("no line `{want}` in:\n{}", run.stderr)
        })?;
    }
    let line = |prefix: &str, code: u8, file: &str| -> Result<(), Failed> {
        let found = lines.iter().find(|l| l.starts_with(prefix));
        ensure(
            found.is_some_and(|l| {
                l.starts_with(&format!("{prefix} exit {code}; items: "))
                    && l.ends_with(&format!("; {d}/{file}"))
            }),
            || format!("the line of {prefix} is {found:?}"),
        )
    };
    line("kcheck: context e2e-admin:", 1, "e2e-admin.json")?;
    line("kcheck: context e2e/nobody:", 2, "e2e_nobody.json")?;
    ensure(
        run.stderr.contains("kcheck: incomplete audit:") && run.stderr.contains("forbidden: list"),
        || format!("the forbidden audit is not said: {}", run.stderr),
    )?;
    let mut files: Vec<String> = std::fs::read_dir(&dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    files.sort();
    ensure(
        files == ["e2e-admin.json", "e2e_nobody.json", "summary.html"],
        || format!("files written: {files:?}"),
    )?;
    // The admin's report is the one a run of that context alone writes.
    let admin = read_json(&dir.join("e2e-admin.json"))?;
    let alone = plane.kcheck(&[
        "cluster",
        "--kubeconfig",
        config,
        "--context",
        "e2e-admin",
        "--format",
        "json",
    ]);
    ensure(alone.code == 1, || format!("alone: exit {}", alone.code))?;
    ensure(statuses(&admin) == statuses(&alone.json()), || {
        "the admin's statuses differ from a run of its context alone".into()
    })?;
    ensure(admin["target"]["name"] == "e2e-admin", || {
        format!("target {}", admin["target"])
    })?;
    // The user without rights passes nothing.
    let nobody = read_json(&dir.join("e2e_nobody.json"))?;
    ensure(nobody["target"]["name"] == "e2e/nobody", || {
        format!("target {}", nobody["target"])
    })?;
    let passed: Vec<_> = statuses(&nobody)
        .into_iter()
        .filter(|(_, s)| s == "pass")
        .collect();
    ensure(passed.is_empty(), || {
        format!("passed without rights: {passed:?}")
    })?;
    // The page names both reports and the context not audited.
    let page = std::fs::read_to_string(dir.join("summary.html"))?;
    for want in [
        "<td>e2e-admin</td>",
        "<td>e2e/nobody</td>",
        &format!("context closed: not audited: {cause}"),
    ] {
        ensure(page.contains(want), || format!("`{want}` not in the page"))?;
    }
    Ok(())
}
