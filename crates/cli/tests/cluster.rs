//! `kcheck cluster` end to end against the in-process API server, and its dumps.

use kcheck_cluster::testing::{ApiServer, Fixture};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn kcheck(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kcheck"))
        .args(args)
        .env("KUBECONFIG", "/nonexistent")
        .env("KCHECK_FINGERPRINT_KEY", "kcheck tests")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("kcheck-cli-cluster-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Serves `fixture`, runs `kcheck cluster` against it, and also writes its dump.
fn live_and_dump(fixture: Fixture, name: &str, format: &str) -> ((i32, String), (i32, String)) {
    let dir = temp(name);
    let dump = dir.join("dump");
    std::fs::create_dir_all(&dump).unwrap();
    std::fs::write(dump.join("objects.json"), fixture.kubectl_dump()).unwrap();
    std::fs::write(dump.join("version.json"), fixture.kubectl_version()).unwrap();
    let server = ApiServer::start(fixture).unwrap();
    let kubeconfig = server.write_kubeconfig(&dir).unwrap();
    let (live_code, live, err) = kcheck(&[
        "cluster",
        "--kubeconfig",
        kubeconfig.to_str().unwrap(),
        "--format",
        format,
        "--page-size",
        "3",
    ]);
    assert!(err.is_empty(), "{err}");
    let (dump_code, dumped, err) = kcheck(&[
        "cluster",
        "--from-dump",
        dump.to_str().unwrap(),
        "--format",
        format,
    ]);
    assert!(err.is_empty(), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
    ((live_code, live), (dump_code, dumped))
}

/// A report without what says how many files were read, after checking that it says `files`.
fn without_files_read(format: &str, report: &str, files: u64) -> String {
    match format {
        "json" => {
            let mut v: Value = serde_json::from_str(report).unwrap();
            assert_eq!(v["inputs"]["files_read"], files);
            assert_eq!(v["summary"]["files_read"], files);
            for key in ["files_read", "bytes_read", "documents"] {
                v["inputs"].as_object_mut().unwrap().remove(key);
            }
            v["summary"].as_object_mut().unwrap().remove("files_read");
            // What was judged: the context of a live run (the kubeconfig's current context,
            // `test`), the dump's path.
            assert_eq!(v["target"]["mode"], "cluster");
            if files == 0 {
                assert_eq!(v["target"]["name"], "test");
            } else {
                assert!(v["target"]["name"].as_str().unwrap().ends_with("dump"));
            }
            v.as_object_mut().unwrap().remove("target");
            serde_json::to_string_pretty(&v).unwrap()
        }
        "table" => {
            let line = report.lines().nth(1).unwrap();
            if files == 0 {
                assert!(!line.contains("files read"), "{line}");
            } else {
                assert!(line.starts_with(&format!("{files} files read, ")), "{line}");
            }
            report
                .lines()
                .enumerate()
                .filter(|(i, _)| *i != 1)
                .map(|(_, l)| l)
                .collect::<Vec<_>>()
                .join("\n")
        }
        _ => report.to_string(),
    }
}

fn item<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()
}

#[test]
fn a_live_run_and_a_dump_of_the_same_objects_give_the_same_report() {
    for format in ["json", "table", "sarif"] {
        let ((live_code, live), (dump_code, dumped)) =
            live_and_dump(Fixture::sample(), format, format);
        assert_eq!(live_code, 1, "the sample has failing findings");
        assert_eq!(live_code, dump_code);
        // The same report, except what was read: the dump's two files.
        assert_eq!(
            without_files_read(format, &live, 0),
            without_files_read(format, &dumped, 2),
            "{format}"
        );
    }
    let ((_, live), _) = live_and_dump(Fixture::sample(), "judged", "json");
    let report: Value = serde_json::from_str(&live).unwrap();
    assert_eq!(
        report["evidence"],
        serde_json::json!(["objects", "cluster", "node"])
    );
    // The controller manager's flag came from its pod.
    assert_eq!(item(&report, "1.2")["status"], "pass");
    // No encryption at rest configured on the API server's command line.
    assert_eq!(item(&report, "6.2")["status"], "fail");
    // The PKI is on the node only.
    assert_eq!(item(&report, "1.3")["status"], "not_evaluated");
    let finding_sources: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["source"].as_str())
        .collect();
    assert!(finding_sources.contains(&"/api/v1/namespaces/legacy/pods/debug"));
    assert!(
        !live.contains("hunter2")
            || live.contains("redacted")
            || !live.contains("hunter2-but-longer")
    );
    for secret_value in [
        "c3VwZXItc2VjcmV0",
        "ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNklpSjk=",
    ] {
        assert!(
            !live.contains(secret_value),
            "a Secret value reached the report"
        );
    }
}

#[test]
fn forbidden_kinds_make_the_items_that_read_them_not_evaluated_with_the_reason() {
    let mut fixture = Fixture::sample();
    fixture.forbidden.insert("secrets".into());
    fixture
        .forbidden
        .insert("networkpolicies.networking.k8s.io".into());
    let dir = temp("forbidden");
    let server = ApiServer::start(fixture).unwrap();
    let kubeconfig = server.write_kubeconfig(&dir).unwrap();
    let (code, out, err) = kcheck(&[
        "cluster",
        "--kubeconfig",
        kubeconfig.to_str().unwrap(),
        "--format",
        "json",
    ]);
    // The same, said in Chinese.
    let (_, _, zh) = kcheck(&[
        "cluster",
        "--kubeconfig",
        kubeconfig.to_str().unwrap(),
        "--format",
        "json",
        "--lang",
        "zh",
    ]);
    assert!(
        zh.starts_with("kcheck: 审计不完整：有 2 种对象无法列出（")
            && zh.ends_with("）；读取它们的检查项未作评估\n"),
        "{zh}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    // An incomplete audit is exit 2 (not 1, though the sample has failures), and says so once.
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "kcheck: incomplete audit: 2 kinds could not be listed (forbidden: list \
         networkpolicies.networking.k8s.io; forbidden: list secrets); the items that read them \
         are not evaluated\n"
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    let unseen: Vec<(&str, &str)> = report["inputs"]["unavailable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["kind"].as_str().unwrap(), u["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        unseen,
        [
            (
                "NetworkPolicy",
                "forbidden: list networkpolicies.networking.k8s.io"
            ),
            ("Secret", "forbidden: list secrets")
        ]
    );
    let r = item(&report, "2.3");
    assert_eq!(r["status"], "not_evaluated");
    assert!(r["reason"]
        .as_str()
        .unwrap()
        .contains("forbidden: list networkpolicies"));
    let r = item(&report, "6.5");
    assert_ne!(r["status"], "pass");
    assert!(
        r["reason"]
            .as_str()
            .unwrap()
            .contains("forbidden: list secrets"),
        "{r}"
    );
    let (_, table, _) = {
        let server = ApiServer::start({
            let mut f = Fixture::sample();
            f.forbidden.insert("secrets".into());
            f
        })
        .unwrap();
        let dir = temp("forbidden-table");
        let kc = server.write_kubeconfig(&dir).unwrap();
        let r = kcheck(&[
            "cluster",
            "--kubeconfig",
            kc.to_str().unwrap(),
            "--color",
            "never",
        ]);
        let _ = std::fs::remove_dir_all(&dir);
        r
    };
    assert!(table.contains("Kinds not seen"), "{table}");
    assert!(table.contains("forbidden: list secrets"));
}

#[test]
fn no_cluster_is_an_input_error_and_a_bad_dump_is_reported() {
    let (code, _, err) = kcheck(&["cluster", "--kubeconfig", "/nonexistent/kubeconfig"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("kubeconfig"), "{err}");
    let dir = temp("bad-dump");
    std::fs::write(dir.join("objects.json"), "{ not json").unwrap();
    let (code, out, _) = kcheck(&[
        "cluster",
        "--from-dump",
        dir.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 2);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["summary"]["errors"], 1);
}

#[test]
fn the_readme_dump_command_and_the_deployed_role_follow_the_kinds_kcheck_reads() {
    let (_, command, _) = kcheck(&["cluster", "--print", "dump-command"]);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains(&command),
        "README.md has an outdated dump command:\n{command}"
    );
    // Every kind any rule reads is in the command.
    let mut names: Vec<String> = kcheck_rules::cluster_kinds::CUSTOM_KINDS
        .iter()
        .map(|k| {
            format!("{}.{}", k.resource, k.group)
                .trim_end_matches('.')
                .to_string()
        })
        .collect();
    for rule in kcheck_rules::registry::all() {
        for kind in rule.kinds_read() {
            let spec = kcheck_cluster::kinds::BUILTIN
                .iter()
                .find(|k| k.kind == kind);
            let known = spec.is_some()
                || kcheck_rules::cluster_kinds::CUSTOM_KINDS
                    .iter()
                    .any(|k| k.kind == kind);
            assert!(
                known,
                "{}: the collector does not know kind {kind}",
                rule.code
            );
            if let Some(s) = spec {
                names.push(s.qualified());
            }
        }
    }
    for name in names {
        let escaped = name.replace('.', "\\.");
        assert!(
            command.contains(&format!("'{escaped}|")) || command.contains(&format!("|{escaped}|")),
            "{name} is missing from the dump command"
        );
    }
    let (_, rules, _) = kcheck(&["cluster", "--print", "cluster-role-rules"]);
    let rbac = std::fs::read_to_string(root().join("deploy/cluster-audit/rbac.yaml")).unwrap();
    assert!(
        rbac.contains(&format!("rules:\n{rules}")),
        "deploy/cluster-audit/rbac.yaml does not grant exactly what kcheck lists:\n{rules}"
    );
    let verbs: Vec<&str> = rbac
        .lines()
        .filter(|l| l.trim_start().starts_with("verbs:"))
        .collect();
    assert!(
        verbs.iter().all(|l| l.trim() == "verbs: [list]"),
        "{verbs:?}"
    );
    let (code, out, _) = kcheck(&[
        "scan",
        root().join("deploy/cluster-audit").to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert_eq!(
        code, 0,
        "deploy/cluster-audit does not pass kcheck's own scan:\n{out}"
    );
}

/// A dump says what it read: its files and bytes, like a scan of manifests; a live run reads
/// no file and its inputs line does not pretend to.
#[test]
fn a_dump_reports_the_files_it_read() {
    let demo = root().join("examples/demo-cluster");
    let (_, out, _) = kcheck(&[
        "cluster",
        "--from-dump",
        demo.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&out).unwrap();
    let yaml_files = walkdir(&demo)
        .into_iter()
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "json")
            )
        })
        .count();
    assert_eq!(report["inputs"]["files_read"], yaml_files);
    assert!(report["inputs"]["bytes_read"].as_u64().unwrap() > 10_000);
    let (_, table, _) = kcheck(&["cluster", "--from-dump", demo.to_str().unwrap()]);
    assert!(
        table
            .lines()
            .nth(1)
            .unwrap()
            .starts_with(&format!("{yaml_files} files read, 96 objects")),
        "{table}"
    );
}

fn walkdir(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walkdir(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A dump of Deployments, StatefulSets, DaemonSets and CronJobs with their Pods: a finding of
/// a Pod's template is reported once, on the top owner, with the Pods it covers; a Pod keeps
/// what differs from its template (an injected container) and an orphan Pod its own. With
/// `--per-pod`, every object's findings, as before.
#[test]
fn a_dump_reports_a_workloads_finding_once_with_its_pods_unless_per_pod() {
    let dump = root().join("crates/rules/tests/owners/workloads.yaml");
    let dump = dump.to_str().unwrap();
    let findings = |extra: &[&str]| {
        let mut args = vec!["cluster", "--from-dump", dump, "--format", "json"];
        args.extend_from_slice(extra);
        let (code, out, err) = kcheck(&args);
        assert_eq!(code, 1, "{err}");
        let report: Value = serde_json::from_str(&out).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let pods = match f.get("pods") {
                    Some(n) => format!(" pods={n}"),
                    None => String::new(),
                };
                format!(
                    "{} {}/{}{pods}",
                    f["code"].as_str().unwrap(),
                    f["object"]["kind"].as_str().unwrap(),
                    f["object"]["name"].as_str().unwrap()
                )
            })
            .collect::<Vec<String>>()
    };
    assert_eq!(
        findings(&[]),
        [
            "KC214 Namespace/store",
            "KC301 CronJob/backup pods=1",
            "KC301 DaemonSet/agent pods=2",
            "KC301 Deployment/web pods=3",
            "KC301 Pod/debug",
            "KC301 StatefulSet/db pods=2",
            "KC306 Namespace/store",
            "KC307 Pod/web-5d8f7-ccccc",
            "KC308 Namespace/store",
            "KC808 Namespace/store",
        ]
    );
    assert_eq!(
        findings(&["--per-pod"]),
        [
            "KC214 Namespace/store",
            "KC301 CronJob/backup",
            "KC301 DaemonSet/agent",
            "KC301 Deployment/web",
            "KC301 Job/backup-29000000",
            "KC301 Pod/agent-x1",
            "KC301 Pod/agent-x2",
            "KC301 Pod/backup-29000000-q7x2z",
            "KC301 Pod/db-0",
            "KC301 Pod/db-1",
            "KC301 Pod/debug",
            "KC301 Pod/web-5d8f7-aaaaa",
            "KC301 Pod/web-5d8f7-bbbbb",
            "KC301 Pod/web-5d8f7-ccccc",
            "KC301 ReplicaSet/web-5d8f7",
            "KC301 StatefulSet/db",
            "KC306 Namespace/store",
            "KC307 Pod/web-5d8f7-ccccc",
            "KC308 Namespace/store",
            "KC808 Namespace/store",
        ]
    );

    // JSON: `pods` just before the fingerprint, which stays last.
    let (_, out, _) = kcheck(&["cluster", "--from-dump", dump, "--format", "json"]);
    assert!(
        out.contains(
            "      \"waiver\": null,\n      \"pods\": 3,\n      \"fingerprint\": \"KC301|Deployment/store/web|"
        ),
        "{out}"
    );
    assert_eq!(out.matches("\"pods\"").count(), 4, "{out}");
    // SARIF: in the result's properties.
    let (_, out, _) = kcheck(&["cluster", "--from-dump", dump, "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&out).unwrap();
    let pods: Vec<Option<u64>> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "KC301")
        .map(|r| r["properties"]["pods"].as_u64())
        .collect();
    assert_eq!(pods, [Some(1), Some(2), Some(3), None, Some(2)]);
    // The human formats, after the object's name.
    for (format, lang, want) in [
        ("table", "en", "Deployment store/web (3 pods)"),
        ("table", "zh", "Deployment store/web（3 个 Pod）"),
        ("markdown", "en", "`KC301` Deployment store/web (3 pods)"),
        ("markdown", "zh", "`KC301` Deployment store/web（3 个 Pod）"),
        (
            "html",
            "en",
            "<code>KC301</code> Deployment store/web (3 pods)",
        ),
        ("html", "en", "CronJob store/backup (1 pod)"),
    ] {
        let (_, out, _) = kcheck(&[
            "cluster",
            "--from-dump",
            dump,
            "--format",
            format,
            "--lang",
            lang,
            "--color",
            "never",
        ]);
        assert!(out.contains(want), "{format} {lang}: no {want:?} in\n{out}");
        let (_, out, _) = kcheck(&[
            "cluster",
            "--from-dump",
            dump,
            "--format",
            format,
            "--lang",
            lang,
            "--color",
            "never",
            "--per-pod",
        ]);
        // (Rule documentation in the HTML may say "pods)": look at the objects.)
        for counted in [
            "store/web (",
            "store/web（",
            "store/backup (",
            "store/backup（",
        ] {
            assert!(
                !out.contains(counted),
                "{format} {lang}: {counted:?} in\n{out}"
            );
        }
    }
    let (_, help, _) = kcheck(&["cluster", "--help"]);
    assert!(help.contains("--per-pod"), "{help}");
}

#[test]
fn a_dump_with_images_judges_its_workloads_with_their_images() {
    let demo = root().join("examples/demo-cluster");
    let images = root().join("examples/demo-images");
    let report = root().join("examples/demo-images/trivy-shop-web.json");
    let (code, out, err) = kcheck(&[
        "cluster",
        "--from-dump",
        demo.to_str().unwrap(),
        "--images",
        images.to_str().unwrap(),
        "--vuln-report",
        report.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let on_web: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["object"]["name"] == "web" && f["object"]["kind"] == "Deployment")
        .filter(|f| {
            ["KC706", "KC707", "KC610", "KC709", "KC710"].contains(&f["code"].as_str().unwrap())
        })
        .map(|f| {
            format!(
                "{} {}",
                f["code"].as_str().unwrap(),
                f["level"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        on_web,
        // The web container's image (KC706, KC707, KC610, KC709, KC710 from the report: fixable,
        // unfixed, stale), and the init container's busybox and the proxy's nginx, which no
        // report covers (KC710 warns).
        [
            "KC610 fail",
            "KC610 fail",
            "KC706 fail",
            "KC707 fail",
            "KC707 warn",
            "KC709 warn",
            "KC709 fail",
            "KC710 warn",
            "KC710 fail",
            "KC710 warn",
            "KC710 warn",
            "KC710 warn",
        ]
    );
    assert_eq!(item(&report, "7.4")["status"], "fail");
    assert!(report["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e == "images"));
}
