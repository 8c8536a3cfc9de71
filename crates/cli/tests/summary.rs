//! `kcheck summary` over three reports made here (a scan of the demo, an audit of its dump, a
//! scan of a one-Deployment directory), in every format and both languages, with an unreadable
//! fourth; `kcheck cluster -n NS`; and the binary as the kubectl plugin `kubectl-kcheck`.

use std::path::Path;
use std::process::Output;

#[path = "support/mod.rs"]
mod support;
use support::{command, json, root, stdout, TempDir};

const APP: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: app
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext:
            privileged: true
";

/// `kcheck summary ARGS` run in `dir`, so that the reports are named as given.
fn summary(dir: &Path, args: &[&str]) -> Output {
    let mut c = command(&["summary"]);
    c.args(args).current_dir(dir);
    c.output().expect("run kcheck")
}

/// The three reports in `dir`: `scan.json` (the demo scanned), `cluster.json` (its dump
/// audited) and `app.json` (the one-Deployment directory `app`, scanned from `dir`).
fn three_reports(dir: &TempDir) {
    let out = |name: &str| dir.path(name).display().to_string();
    for (args, file) in [
        (&["scan", "examples/demo-cluster"][..], "scan.json"),
        (
            &["cluster", "--from-dump", "examples/demo-cluster"][..],
            "cluster.json",
        ),
    ] {
        let mut all = args.to_vec();
        let path = out(file);
        all.extend(["--format", "json", "-o", &path]);
        let o = command(&all).output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(1),
            "{file}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    dir.write("app/web.yaml", APP);
    let o = command(&["scan", "app", "--format", "json", "-o", "app.json"])
        .current_dir(&dir.0)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

const TABLE_HEAD: &str = "\
kcheck summary  3 reports

Report                                Mode     PASS  FAIL  WARN  MANUAL  N/E  ERROR   Pass rate     Coverage
examples/demo-cluster (scan.json)     scan        1    22     3       0    9      0   1/26 (3%)  26/35 (74%)
examples/demo-cluster (cluster.json)  cluster     4    26     4       0    1      0  4/34 (11%)  34/35 (97%)
app                                   scan        3     7     3       0   22      0  3/13 (23%)  13/35 (37%)

By section
  Section                                 PASS  FAIL  WARN  MANUAL  N/E  ERROR   Pass rate    Coverage
  1 Authentication and authorization
    examples/demo-cluster (scan.json)        0     4     0       0    2      0    0/4 (0%)   4/6 (66%)
    examples/demo-cluster (cluster.json)     0     5     0       0    1      0    0/5 (0%)   5/6 (83%)
    app                                      0     0     0       0    6      0           -    0/6 (0%)
  2 Network security
    examples/demo-cluster (scan.json)        0     5     0       0    2      0    0/5 (0%)   5/7 (71%)
    examples/demo-cluster (cluster.json)     2     5     0       0    0      0   2/7 (28%)  7/7 (100%)
    app                                      0     3     0       0    4      0    0/3 (0%)   3/7 (42%)
";

const EVERYWHERE: &str = "
Failing in every report
  2.2  Every workload has ingress and egress network policies  (all)
  2.3  Each namespace has a default policy that selects every pod and denies all traffic  (all)
  2.6  Workload access to the cloud metadata API is filtered  (all)
  3.2  An appropriate Pod Security Standard is enforced on every namespace  (all)
  3.3  Workloads set a memory limit no higher than their request  (all)
  3.5  Workloads run with a suitable seccomp profile  (all)
  7.2  Containers run as an unprivileged user  (all)

Failing in most reports
  1.1  system:masters is not used for authentication after bootstrap  (2 of 3: examples/demo-cluster (scan.json), examples/demo-cluster (cluster.json))
";

#[test]
fn three_reports_in_a_table_markdown_json_and_html() {
    let dir = TempDir::new("summary-three");
    three_reports(&dir);
    let files = ["scan.json", "cluster.json", "app.json"];

    let o = summary(&dir.0, &files);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let table = stdout(&o);
    assert!(table.starts_with(TABLE_HEAD), "{table}");
    assert!(
        table.contains(
            "  7 Images\n    examples/demo-cluster (scan.json)        0     3     1       0    0      0    0/4 (0%)  4/4 (100%)\n"
        ),
        "{table}"
    );
    assert!(table.contains(EVERYWHERE), "{table}");
    // 14 items fail in the two demo reports only.
    let most = table.split("Failing in most reports\n").nth(1).unwrap();
    assert_eq!(most.lines().count(), 14, "{most}");
    assert!(!table.contains("Could not be read"));

    let o = summary(&dir.0, &["-f", "markdown", files[0], files[1], files[2]]);
    let md = stdout(&o);
    assert!(
        md.starts_with(
            "## kcheck summary\n\n3 reports\n\n\
             | Report | Mode | PASS | FAIL | WARN | MANUAL | N/E | ERROR | Pass rate | Coverage |\n\
             |---|---|---|---|---|---|---|---|---|---|\n\
             | examples/demo-cluster (scan.json) | scan | 1 | 22 | 3 | 0 | 9 | 0 | 1/26 (3%) | 26/35 (74%) |\n\
             | examples/demo-cluster (cluster.json) | cluster | 4 | 26 | 4 | 0 | 1 | 0 | 4/34 (11%) | 34/35 (97%) |\n\
             | app | scan | 3 | 7 | 3 | 0 | 22 | 0 | 3/13 (23%) | 13/35 (37%) |\n\n\
             ### By section\n\n"
        ),
        "{md}"
    );
    assert!(
        md.contains(
            "| 1 Authentication and authorization | app | 0 | 0 | 0 | 0 | 6 | 0 | - | 0/6 (0%) |\n"
        ),
        "{md}"
    );
    assert!(
        md.contains(
            "### Failing in every report\n\n\
             - **2.2** Every workload has ingress and egress network policies: all\n"
        ),
        "{md}"
    );
    assert!(
        md.contains("- **1.1** system:masters is not used for authentication after bootstrap: 2 of 3: examples/demo-cluster (scan.json), examples/demo-cluster (cluster.json)\n"),
        "{md}"
    );

    let o = summary(&dir.0, &["-f", "json", files[0], files[1], files[2]]);
    let v = json(&o);
    assert_eq!(v["kind"], "summary");
    let names: Vec<&str> = v["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "examples/demo-cluster (scan.json)",
            "examples/demo-cluster (cluster.json)",
            "app"
        ]
    );
    assert_eq!(
        v["reports"][1]["status"],
        serde_json::json!({"pass": 4, "fail": 26, "warn": 4, "manual": 0, "not_evaluated": 1, "error": 0})
    );
    assert_eq!(
        v["reports"][2]["sections"][2],
        serde_json::json!({
            "section": 3,
            "status": {"pass": 0, "fail": 3, "warn": 1, "manual": 0, "not_evaluated": 2, "error": 0},
            "score": {"items": 6, "evaluated": 4, "passed": 0}
        })
    );
    let everywhere: Vec<&str> = v["failing_everywhere"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        everywhere,
        ["2.2", "2.3", "2.6", "3.2", "3.3", "3.5", "7.2"]
    );
    assert_eq!(v["failing_in_most"].as_array().unwrap().len(), 14);
    assert_eq!(
        v["failing_in_most"][0],
        serde_json::json!({"id": "1.1", "section": 1, "reports": [
            "examples/demo-cluster (scan.json)", "examples/demo-cluster (cluster.json)"
        ]})
    );
    assert_eq!(v["errors"], serde_json::json!([]));

    let o = summary(&dir.0, &["-f", "html", files[0], files[1], files[2]]);
    let html = stdout(&o);
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"),
        "{html}"
    );
    assert!(html.ends_with("</body>\n</html>\n"));
    assert!(
        !html.contains("<script src") && !html.contains("<link"),
        "self-contained"
    );
    assert!(
        html.contains("<tr><td>app</td><td>scan</td><td class=\"n\">3</td><td class=\"n\">7</td>"),
        "{html}"
    );
    assert!(
        html.contains("<li><b class=\"f\">2.2</b> Every workload has ingress and egress network policies: all</li>"),
        "{html}"
    );

    // -o FILE writes the same, its format from the extension unless -f says.
    let o = summary(&dir.0, &["-o", "fleet.html", files[0], files[1], files[2]]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
    assert_eq!(
        std::fs::read_to_string(dir.path("fleet.html")).unwrap(),
        html
    );
    let table = stdout(&summary(&dir.0, &[files[0], files[1], files[2]]));
    let o = summary(
        &dir.0,
        &[
            "-f", "table", "-o", "fleet.md", files[0], files[1], files[2],
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.path("fleet.md")).unwrap(),
        table
    );
    let o = summary(&dir.0, &["-o", "missing/fleet.html", files[0]]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .starts_with("kcheck: error: cannot write the summary to missing/fleet.html"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn the_summary_in_chinese() {
    let dir = TempDir::new("summary-zh");
    three_reports(&dir);
    let o = summary(
        &dir.0,
        &["--lang", "zh", "scan.json", "cluster.json", "app.json"],
    );
    let table = stdout(&o);
    assert!(
        table.starts_with(
            "kcheck 汇总  3 份报告\n\n\
             报告                                  模式     通过  不通过  警告  人工  未评估  错误       通过率        覆盖率\n\
             examples/demo-cluster (scan.json)     scan        1      22     3     0       9     0   1/26（3%）  26/35（74%）\n"
        ),
        "{table}"
    );
    assert!(
        table.contains(
            "\n在所有报告中不通过\n  2.2  所有工作负载都应用了入站和出站网络策略  （全部）\n"
        ),
        "{table}"
    );
    assert!(table.contains("\n在多数报告中不通过\n  1.1  "), "{table}");
    assert!(
        table.contains("（3 份中的 2 份：examples/demo-cluster (scan.json)、"),
        "{table}"
    );
    for format in ["table", "markdown", "html"] {
        let o = summary(
            &dir.0,
            &[
                "--lang",
                "zh",
                "-f",
                format,
                "scan.json",
                "cluster.json",
                "app.json",
            ],
        );
        for line in stdout(&o).lines() {
            assert_eq!(
                kcheck_model::text::ascii_punctuation_in_chinese(line),
                None,
                "{format}: {line}"
            );
        }
    }
}

#[test]
fn an_unreadable_report_is_named_and_the_rest_summarised() {
    let dir = TempDir::new("summary-broken");
    three_reports(&dir);
    dir.write("broken.json", "{\"schema\": 1,\n  \"tool\": ");
    let files = ["scan.json", "broken.json", "cluster.json", "app.json"];
    let o = summary(&dir.0, &files);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "kcheck: broken.json:2:10: not valid JSON: EOF while parsing a value\n"
    );
    let table = stdout(&o);
    assert!(
        table.starts_with("kcheck summary  3 reports; 1 could not be read\n"),
        "{table}"
    );
    assert!(table.contains(EVERYWHERE), "{table}");
    assert!(
        table.ends_with(
            "\nCould not be read\n  broken.json:2:10: not valid JSON: EOF while parsing a value\n"
        ),
        "{table}"
    );

    let mut zh = files.to_vec();
    zh.insert(0, "--lang");
    zh.insert(1, "zh");
    let o = summary(&dir.0, &zh);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "kcheck: broken.json:2:10：不是有效的 JSON：EOF while parsing a value\n"
    );
    assert!(stdout(&o).starts_with("kcheck 汇总  3 份报告；1 份无法读取\n"));

    let o = summary(&dir.0, &["-f", "json", "missing.json", "app.json"]);
    assert_eq!(o.status.code(), Some(2));
    let v = json(&o);
    assert_eq!(v["reports"].as_array().unwrap().len(), 1);
    assert_eq!(v["errors"][0]["file"], "missing.json");
    assert_eq!(
        v["errors"][0]["message"],
        "missing.json: No such file or directory (os error 2)"
    );
}

#[test]
fn a_cluster_audit_scoped_to_a_namespace() {
    let o = command(&[
        "cluster",
        "--from-dump",
        "examples/demo-cluster",
        "-n",
        "shop",
        "--format",
        "json",
    ])
    .output()
    .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json(&o);
    assert_eq!(
        v["target"],
        serde_json::json!({"mode": "cluster", "name": "examples/demo-cluster", "namespace": "shop"})
    );
    assert_eq!(v["evidence"], serde_json::json!(["objects"]));
    let skipped = v["inputs"]["skipped"].as_array().unwrap();
    assert!(
        skipped.contains(&serde_json::json!({
            "path": "-n shop",
            "reason": "audit scoped to namespace shop: 44 objects of other namespaces dropped; items that need the whole cluster are not evaluated"
        })),
        "{skipped:?}"
    );
    let item = |id: &str| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()
            .clone()
    };
    // Items that need the whole cluster: not evaluated, scoped.
    for id in ["1.5", "2.1", "2.4", "3.1", "6.3"] {
        let i = item(id);
        assert_eq!(i["status"], "not_evaluated", "{id}");
        assert_eq!(i["reason"], "scoped to namespace shop", "{id}");
    }
    // What the namespace's own objects show stands.
    assert_eq!(item("3.3")["status"], "fail");
    assert_eq!(item("5.1")["status"], "pass");
    // No finding is about another namespace's object.
    for f in v["findings"].as_array().unwrap() {
        let ns = &f["object"]["namespace"];
        assert!(ns.is_null() || ns == "shop", "{f}");
    }
    // The whole dump, for comparison: the same items judged.
    let whole = command(&[
        "cluster",
        "--from-dump",
        "examples/demo-cluster",
        "-f",
        "json",
    ])
    .output()
    .unwrap();
    let whole = json(&whole);
    assert_eq!(
        whole["target"],
        serde_json::json!({"mode": "cluster", "name": "examples/demo-cluster"})
    );
    assert_eq!(whole["items"][6]["id"], "2.1");
    assert_eq!(whole["items"][6]["status"], "pass");
}

#[test]
fn the_binary_as_a_kubectl_plugin() {
    let dir = TempDir::new("plugin");
    let plugin = dir.path("kubectl-kcheck");
    #[cfg(unix)]
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_kcheck"), &plugin).unwrap();
    #[cfg(not(unix))]
    std::fs::copy(env!("CARGO_BIN_EXE_kcheck"), &plugin).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(&plugin)
            .args(args)
            .current_dir(root())
            .env("KCHECK_LANG", "en")
            .output()
            .unwrap()
    };
    let help = stdout(&run(&["--help"]));
    assert!(
        help.contains("\nUsage: kubectl kcheck <COMMAND>\n"),
        "{help}"
    );
    let help = stdout(&run(&["summary", "--help"]));
    assert!(
        help.contains("\nUsage: kubectl kcheck summary [OPTIONS] <REPORT.json>...\n"),
        "{help}"
    );
    let o = run(&["cluster", "--bogus"]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("Usage: kubectl kcheck cluster [OPTIONS]"),
        "{err}"
    );
    // It works as kcheck does: the demo's dump, scoped, with kubectl's -n.
    let o = run(&[
        "cluster",
        "--from-dump",
        "examples/demo-cluster",
        "-n",
        "shop",
        "-f",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["target"]["namespace"], "shop");
    // As kcheck, the name stays kcheck.
    let help = stdout(&command(&["--help"]).output().unwrap());
    assert!(help.contains("\nUsage: kcheck <COMMAND>\n"), "{help}");
}

#[test]
fn the_fleet_example_passes_kcheck_and_the_krew_manifest_names_the_plugin() {
    let o = command(&["scan", "deploy/fleet", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "deploy/fleet does not pass kcheck's own scan:\n{}",
        stdout(&o)
    );
    let krew = std::fs::read_to_string(root().join("deploy/krew/kcheck.yaml")).unwrap();
    assert!(krew.contains("\napiVersion: krew.googlecontainertools.github.com/v1alpha2\nkind: Plugin\nmetadata:\n  # The plugin's name: `kubectl kcheck`.\n  name: kcheck\n"));
    for platform in ["linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64"] {
        let (os, arch) = platform.split_once('_').unwrap();
        assert!(
            krew.contains(&format!(
                "      matchLabels:\n        os: {os}\n        arch: {arch}\n    uri: https://kcheck.example.invalid/releases/v0.1.0/kubectl-kcheck_{platform}.tar.gz\n    sha256: \"{}\"\n    bin: kubectl-kcheck\n",
                "0".repeat(64)
            )),
            "{platform}"
        );
    }
    assert_eq!(
        krew.matches("    - from: LICENSE\n      to: .\n").count(),
        4
    );
}
