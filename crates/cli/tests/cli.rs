//! The binary end to end: exit codes, formats, languages, bad input.

use std::process::{Command, Output, Stdio};

#[path = "support/mod.rs"]
mod support;
use support::{command, json, root, stdout, TempDir};

fn kcheck(args: &[&str]) -> Output {
    support::command(args).output().expect("run kcheck")
}

const PRIVILEGED: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  containers:\n  - name: c\n    image: nginx@sha256:0f3c5a7e9b1d2c4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e\n    resources: {limits: {memory: 64Mi}}\n    securityContext: {privileged: true, runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}, appArmorProfile: {type: RuntimeDefault}}\n";

#[test]
fn demo_cluster_report_has_all_35_items_and_fails() {
    let o = kcheck(&["scan", "examples/demo-cluster", "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let j = json(&o);
    assert_eq!(j["schema"], 1);
    let items = j["items"].as_array().unwrap();
    assert_eq!(items.len(), 35);
    assert_eq!(items[0]["id"], "1.1");
    assert_eq!(items[34]["id"], "8.3");
    let status = |id: &str| {
        items.iter().find(|i| i["id"] == id).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(status("3.3"), "fail");
    assert_eq!(status("7.3"), "fail");
    assert_eq!(status("1.2"), "not_evaluated");
    let reason = items.iter().find(|i| i["id"] == "1.2").unwrap()["reason"]
        .as_str()
        .unwrap();
    assert_eq!(reason, "needs a node scan: kcheck node");
    assert!(j["inputs"]["diagnostics"].as_array().unwrap().is_empty());
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = TempDir::new("failon");
    let f = dir.write("pod.yaml", PRIVILEGED.as_bytes());
    let f = f.to_str().unwrap();
    assert_eq!(
        kcheck(&["scan", f, "--format", "json"]).status.code(),
        Some(1)
    );
    assert_eq!(
        kcheck(&["scan", f, "--fail-on", "critical", "--format", "json"])
            .status
            .code(),
        Some(1)
    );
    let clean = dir.write(
        "clean.yaml",
        PRIVILEGED
            .replace("privileged: true", "privileged: false")
            .as_bytes(),
    );
    // A lone pod has no network policy (high and medium findings): clean at --fail-on critical.
    let clean = clean.to_str().unwrap();
    let o = kcheck(&["scan", clean, "--format", "json", "--fail-on", "critical"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(
        kcheck(&["scan", clean, "--format", "json"]).status.code(),
        Some(1)
    );
}

#[test]
fn usage_errors_exit_3_and_help_exits_0() {
    assert_eq!(kcheck(&["scan"]).status.code(), Some(3));
    assert_eq!(
        kcheck(&["scan", "x.yaml", "--format", "pdf"]).status.code(),
        Some(3)
    );
    assert_eq!(kcheck(&["frobnicate"]).status.code(), Some(3));
    assert_eq!(kcheck(&["explain", "KC999"]).status.code(), Some(3));
    assert_eq!(kcheck(&["--help"]).status.code(), Some(0));
    assert_eq!(kcheck(&["--version"]).status.code(), Some(0));
}

#[test]
fn bad_input_is_reported_with_positions_and_the_rest_is_scanned() {
    let dir = TempDir::new("bad");
    dir.write("good.yaml", PRIVILEGED.as_bytes());
    dir.write(
        "broken.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok1}\n---\nkey: [unclosed\n---\napiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: a}\nspec: {type: LoadBalancer}\n",
    );
    dir.write("list.yaml", b"- not\n- an object\n");
    dir.write(
        "noname.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata: {namespace: a}\n",
    );
    dir.write("binary.json", b"\x7fELF\x00\x00\x01");
    dir.write(
        "latin1.yml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: caf\xe9}\n",
    );
    dir.write("README.txt", b"not scanned");
    std::fs::create_dir_all(dir.0.join("empty")).unwrap();
    let d = dir.0.to_str().unwrap().to_string();
    let empty = format!("{d}/empty");
    let missing = format!("{d}/missing.yaml");
    let o = kcheck(&["scan", &d, &empty, &missing, "--format", "json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let j = json(&o);
    let diags: Vec<String> = j["inputs"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap();
            let file = file
                .strip_prefix(&format!("{d}/", d = dir.0.display()))
                .unwrap_or(file);
            format!(
                "{}:{}:{} {}",
                file,
                d["line"],
                d["column"],
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    let expected = [
        "binary.json:1:5 binary data (a NUL byte), not a YAML or JSON manifest",
        "broken.yaml:6:1 YAML syntax error: ",
        "latin1.yml:3:21 not valid UTF-8 text",
        "list.yaml:1:1 document is not a Kubernetes object (it is a sequence)",
        "noname.yaml:3:11 Pod has no metadata.name",
        "empty:0:0 no YAML or JSON files in this directory",
        "missing.yaml:0:0 no such file or directory",
    ];
    for e in expected {
        assert!(
            diags.iter().any(|d| d.starts_with(e)),
            "missing {e:?} in {diags:#?}"
        );
    }
    assert_eq!(diags.len(), expected.len(), "{diags:#?}");
    // The good parts were still judged: the privileged pod and the LoadBalancer after the error.
    let codes: Vec<&str> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    // Only rules about pods and services fire on these few objects.
    let judged: Vec<&str> = codes
        .iter()
        .copied()
        .filter(|c| ["KC201", "KC301", "KC604"].contains(c))
        .collect();
    assert_eq!(judged, ["KC201", "KC301", "KC604"], "{codes:?}");
    assert_eq!(j["inputs"]["files_read"], 6);
    assert_eq!(j["inputs"]["objects"], 3);
    // The table names the errors too.
    let table = stdout(&kcheck(&["scan", &d, "--color", "never"]));
    assert!(table.contains("noname.yaml:3:11"), "{table}");
}

#[test]
fn stdin_and_output_file() {
    let dir = TempDir::new("stdin");
    let out = dir.0.join("report.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kcheck"))
        .args([
            "scan",
            "-",
            "--format",
            "json",
            "--output",
            out.to_str().unwrap(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(PRIVILEGED.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let f = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "KC301")
        .unwrap();
    assert_eq!(f["location"]["file"], "<stdin>");
    assert_eq!(f["location"]["line"], 9);
    assert_eq!(f["location"]["column"], 23);
    assert_eq!(f["path"], "spec.containers[0].securityContext.privileged");
}

#[test]
fn chinese_output() {
    let o = kcheck(&[
        "scan",
        "examples/demo-cluster",
        "--lang",
        "zh",
        "--color",
        "never",
    ]);
    let t = stdout(&o);
    assert!(t.contains("认证和鉴权"), "{t}");
    assert!(
        t.contains("容器以特权模式运行") || t.contains("以特权模式运行"),
        "{t}"
    );
    assert!(!t.contains("Authentication and authorization"));
    let j = json(&kcheck(&[
        "scan",
        "examples/demo-cluster",
        "--lang",
        "zh",
        "--format",
        "json",
    ]));
    let reason = j["items"][1]["reason"].as_str().unwrap();
    assert_eq!(reason, "需要节点扫描：kcheck node");
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let plain = stdout(&kcheck(&["scan", "examples/demo-cluster"]));
    assert!(
        !plain.contains('\u{1b}'),
        "piped output must have no ANSI escapes"
    );
    let coloured = stdout(&kcheck(&[
        "scan",
        "examples/demo-cluster",
        "--color",
        "always",
    ]));
    assert!(coloured.contains("\u{1b}["));
}

#[test]
fn rules_and_explain() {
    let o = kcheck(&["rules", "--format", "json"]);
    let j = json(&o);
    let codes: Vec<&str> = j
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"KC301") && codes.contains(&"KC701"),
        "{codes:?}"
    );
    // The severities `kcheck rules` lists are the ones findings carry: every finding of the
    // demo (as manifests and as a dump) has one of its rule's.
    let severities = |code: &str| -> Vec<String> {
        j.as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .unwrap()["severities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(severities("KC311"), ["medium", "low"]);
    for args in [
        &["scan", "--format", "json", "examples/demo-cluster"][..],
        &[
            "cluster",
            "--from-dump",
            "examples/demo-cluster",
            "--format",
            "json",
        ][..],
    ] {
        let report = json(&kcheck(args));
        for f in report["findings"].as_array().unwrap() {
            let code = f["code"].as_str().unwrap();
            let severity = f["severity"].as_str().unwrap().to_string();
            assert!(
                severities(code).contains(&severity),
                "{code}: {severity} not in {:?}",
                severities(code)
            );
        }
    }
    let e = stdout(&kcheck(&["explain", "kc301"]));
    assert!(e.starts_with("KC301 privileged-container"), "{e}");
    assert!(e.contains("## Fix"));
    let by_name = stdout(&kcheck(&["explain", "image-not-pinned"]));
    assert!(by_name.starts_with("KC701"));
}

#[test]
fn every_format_renders_the_demo() {
    for format in ["table", "json", "sarif", "junit", "markdown", "html"] {
        let o = kcheck(&["scan", "examples/demo-cluster", "--format", format]);
        assert_eq!(o.status.code(), Some(1), "{format}");
        assert!(o.stdout.len() > 1000, "{format}: {}", stdout(&o));
    }
}

#[test]
fn same_input_same_bytes() {
    let a = kcheck(&["scan", "examples/demo-cluster", "--format", "sarif"]);
    let b = kcheck(&["scan", "examples/demo-cluster", "--format", "sarif"]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn demo_sarif_validates_against_the_sarif_schema() {
    let schema_path = root().join("schemas/sarif-2.1.0.json");
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&schema_path).unwrap_or_else(|e| panic!("{}: {e}", schema_path.display())),
    )
    .unwrap();
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    // Image findings have no file position: they must validate too.
    let images = kcheck(&[
        "image",
        "examples/demo-images/shop-web.tar",
        "--vuln-report",
        "examples/demo-images/trivy-shop-web.json",
        "--format",
        "sarif",
    ]);
    let doc = json(&images);
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "image: {errors:#?}");
    assert!(doc["runs"][0]["results"].as_array().unwrap().len() >= 10);
    for lang in ["en", "zh"] {
        let o = kcheck(&[
            "scan",
            "examples/demo-cluster",
            "--format",
            "sarif",
            "--lang",
            lang,
        ]);
        let doc = json(&o);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{lang}: {errors:#?}");
        let results = doc["runs"][0]["results"].as_array().unwrap();
        assert!(results.len() > 20);
        let first = &results[0]["locations"][0]["physicalLocation"];
        assert!(first["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("examples/demo-cluster/"));
        assert!(first["region"]["startLine"].as_u64().unwrap() > 0);
    }
}

const RESTRICTED_OK: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: good, namespace: a}\nspec:\n  securityContext:\n    runAsNonRoot: true\n    seccompProfile: {type: RuntimeDefault}\n  containers:\n  - name: c\n    image: app:1.0\n    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities: {drop: [ALL]}\n";

#[test]
fn pss_command_gives_both_columns_and_exit_codes() {
    let dir = TempDir::new("pss");
    let good = dir.write("good.yaml", RESTRICTED_OK.as_bytes());
    let bad = dir.write("bad.yaml", PRIVILEGED.as_bytes());
    let (good, bad) = (good.to_str().unwrap(), bad.to_str().unwrap());
    let o = kcheck(&[
        "pss",
        "--level",
        "baseline",
        "--level",
        "restricted",
        "--version",
        "v1.30",
        good,
        bad,
        "--format",
        "json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let j = json(&o);
    let columns: Vec<String> = j["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}:{}",
                c["level"].as_str().unwrap(),
                c["version"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(columns, ["baseline:v1.30", "restricted:v1.30"]);
    let w = j["workloads"].as_array().unwrap();
    assert_eq!(w.len(), 2);
    assert_eq!(w[0]["object"]["name"], "good");
    assert_eq!(w[0]["verdicts"][0]["allowed"], true);
    assert_eq!(w[0]["verdicts"][1]["allowed"], true);
    let privileged = &w[1]["verdicts"][0]["violations"][0];
    assert_eq!(privileged["check"], "privileged");
    assert_eq!(
        privileged["fields"][0]["path"],
        "spec.containers[0].securityContext.privileged"
    );
    assert_eq!(privileged["fields"][0]["location"]["line"], 9);
    assert_eq!(
        kcheck(&["pss", "--level", "restricted", good])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        kcheck(&["pss", "--level", "strict", good]).status.code(),
        Some(3)
    );
    assert_eq!(
        kcheck(&["pss", "--level", "baseline", "--version", "1.30", good])
            .status
            .code(),
        Some(3)
    );
    for format in ["table", "sarif", "junit", "markdown", "html"] {
        let o = kcheck(&["pss", "--level", "restricted", bad, "--format", format]);
        assert_eq!(o.status.code(), Some(1), "{format}");
        assert!(stdout(&o).contains("privileged"), "{format}");
    }
}

#[test]
fn config_file_and_kube_version() {
    let dir = TempDir::new("config");
    let ns = dir.write(
        "ns.yaml",
        b"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: old\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n    pod-security.kubernetes.io/enforce-version: v1.24\n",
    );
    let ns = ns.to_str().unwrap();
    let codes = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["scan", ns, "--format", "json"];
        args.extend_from_slice(extra);
        let j = json(&kcheck(&args));
        j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "KC306")
            .map(|f| {
                format!(
                    "{} {}",
                    f["code"].as_str().unwrap(),
                    f["level"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(codes(&[]), Vec::<String>::new());
    assert_eq!(codes(&["--kube-version", "v1.33"]), ["KC306 warn"]);
    let cfg = dir.write(
        "kcheck.yaml",
        b"kubeVersion: v1.30\npodSecurity:\n  exemptNamespaces: [kube-system, old]\n",
    );
    assert_eq!(codes(&["--config", cfg.to_str().unwrap()]), ["KC306 warn"]);
    let bad = dir.write("bad.yaml", b"kubeVersion: v1.30\npodSecurty: {}\n");
    let o = kcheck(&["scan", ns, "--config", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("bad.yaml:2:1: unknown key podSecurty"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        kcheck(&["scan", ns, "--kube-version", "1.30"])
            .status
            .code(),
        Some(3)
    );
}

#[test]
fn waivers_file_and_annotation_switch() {
    let dir = TempDir::new("waivers");
    let annotated = PRIVILEGED.replace(
        "metadata: {name: p, namespace: a}",
        "metadata:\n  name: p\n  namespace: a\n  annotations:\n    kcheck.io/ignore: KC301\n    kcheck.io/ignore-reason: break-glass debugging pod",
    );
    let pod = dir.write("pod.yaml", annotated.as_bytes());
    let pod = pod.to_str().unwrap();
    // Waived by its annotation: nothing fails (KC307 leaves privileged to KC301, which is waived).
    // Critical is the privileged container's severity; the lone pod's missing network policy is high.
    let o = kcheck(&["scan", pod, "--format", "json", "--fail-on", "critical"]);
    let j = json(&o);
    let kc301 = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "KC301")
        .unwrap()
        .clone();
    assert_eq!(kc301["waived"], true);
    assert_eq!(kc301["waiver"]["reason"], "break-glass debugging pod");
    assert_eq!(
        o.status.code(),
        Some(0),
        "the only failing finding is waived: {}",
        stdout(&o)
    );
    // Tenants cannot exempt themselves when annotation waivers are off.
    let j = json(&kcheck(&[
        "scan",
        pod,
        "--format",
        "json",
        "--no-annotation-waivers",
    ]));
    let kc301 = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "KC301")
        .unwrap()
        .clone();
    assert_eq!(kc301["waived"], false);
    assert_eq!(j["waivers"]["problems"][0]["kind"], "ignored");
    // A waiver file: an expired entry and an unused one are reported.
    let w = dir.write(
        "waivers.yaml",
        b"waivers:\n- rule: KC7*\n  namespace: a\n  reason: images are pinned by the registry (REG-1)\n- rule: KC201\n  reason: unused on purpose\n- rule: KC302\n  reason: old\n  expires: 2001-01-01\n",
    );
    let j = json(&kcheck(&[
        "scan",
        pod,
        "--format",
        "json",
        "--waivers",
        w.to_str().unwrap(),
    ]));
    let kinds: Vec<String> = j["waivers"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["kind"].as_str().unwrap(),
                p["source"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        kinds
            .iter()
            .any(|k| k.starts_with("expired ") && k.ends_with("waivers.yaml:7")),
        "{kinds:?}"
    );
    assert!(
        kinds
            .iter()
            .any(|k| k.starts_with("unused ") && k.ends_with("waivers.yaml:5")),
        "{kinds:?}"
    );
    let missing = dir.0.join("nope.yaml");
    assert_eq!(
        kcheck(&["scan", pod, "--waivers", missing.to_str().unwrap()])
            .status
            .code(),
        Some(3)
    );
}

#[test]
fn who_can_lists_subjects_with_their_bindings() {
    let dir = TempDir::new("whocan");
    let rbac = dir.write(
        "rbac.yaml",
        b"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: deployer}
rules:
- {apiGroups: [apps], resources: [deployments, deployments/scale], verbs: [create, update]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deployer}
subjects:
- {kind: ServiceAccount, name: ci, namespace: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deployer}
subjects:
- {kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}
",
    );
    let rbac = rbac.to_str().unwrap();
    let names = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["who-can"];
        all.extend_from_slice(args);
        all.extend_from_slice(&[rbac, "--format", "json"]);
        let j = json(&kcheck(&all));
        j["subjects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                format!(
                    "{} {} {}",
                    s["subject"]["kind"].as_str().unwrap(),
                    s["subject"]["name"].as_str().unwrap(),
                    s["scope"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(
        names(&["create", "deployments.apps"]),
        ["Group ops cluster", "ServiceAccount ci namespace shop"]
    );
    assert_eq!(
        names(&["update", "deployments.apps/scale", "-n", "payments"]),
        ["Group ops cluster"]
    );
    // As for kubectl, `deployments` is deployments.apps.
    assert_eq!(
        names(&["create", "deployments"]),
        ["Group ops cluster", "ServiceAccount ci namespace shop"]
    );
    assert_eq!(names(&["delete", "deployments.apps"]), Vec::<String>::new());
    let table = stdout(&kcheck(&["who-can", "create", "deployments.apps", rbac]));
    assert!(
        table.starts_with("who can create deployments (group apps): 2 grant(s)\n"),
        "{table}"
    );
}

#[test]
fn secret_fingerprints_are_keyed_per_run_and_show_no_characters_of_a_password() {
    let dir = TempDir::new("fingerprints");
    let file = dir.write(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: default}\ndata:\n  DB_PASSWORD: Winter2023!\n  GITHUB_TOKEN: ghp_Zq4RtY8uWm2Np6Lk0Hs3Dv9Fb1Xc7Ja5Ge2T\n",
    );
    let messages = |key: Option<&str>| -> Vec<String> {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kcheck"));
        c.args(["scan", file.to_str().unwrap(), "--format", "json"]);
        match key {
            Some(k) => c.env("KCHECK_FINGERPRINT_KEY", k),
            None => c.env_remove("KCHECK_FINGERPRINT_KEY"),
        };
        let report: serde_json::Value =
            serde_json::from_slice(&c.output().unwrap().stdout).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "KC602")
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect()
    };
    let (a, b) = (messages(None), messages(None));
    assert_eq!(a.len(), 2, "{a:?}");
    assert_ne!(a, b, "two runs without a key gave the same fingerprints");
    assert_eq!(messages(Some("k1")), messages(Some("k1")));
    assert_ne!(messages(Some("k1")), messages(Some("k2")));
    let all = a.join("\n");
    // The password shows none of its characters; the token only its public prefix.
    assert!(!all.contains("Wi") && !all.contains("2023"), "{all}");
    assert!(all.contains("ghp_…") && !all.contains("ghp_Z"), "{all}");
}

#[test]
fn no_object_read_is_exit_2_with_a_message_never_a_pass() {
    // An empty standard input (a failed `helm template ... | kcheck scan -`), an empty file and a
    // file of non-Kubernetes YAML: nothing judged, so the run cannot pass.
    let dir = TempDir::new("no-objects");
    let empty = dir.write("empty.yaml", "");
    let compose = dir.write(
        "docker-compose.yml",
        "services:\n  web:\n    image: nginx\n",
    );
    for args in [
        vec!["scan", "-"],
        vec!["scan", empty.to_str().unwrap()],
        vec!["scan", compose.to_str().unwrap(), "--fail-on", "none"],
    ] {
        let out = command(&args).stdin(Stdio::null()).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(
                "kcheck: no Kubernetes object was read from the input: nothing was judged"
            ),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn input_errors_go_to_stderr_one_line_each_before_the_report() {
    let dir = TempDir::new("input-errors");
    let bad = dir.write(
        "bad.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n",
    );
    let good = dir.write(
        "good.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok, namespace: default}\n",
    );
    let report = dir.path("report.json");
    let out = command(&[
        "scan",
        bad.to_str().unwrap(),
        good.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        report.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with(&format!("kcheck: {}:4:1: YAML syntax error", bad.display())),
        "{err}"
    );
    assert!(std::fs::metadata(&report).unwrap().len() > 0);
}

#[test]
fn fail_on_none_reports_without_failing() {
    let out = command(&["scan", "examples/demo-cluster", "--fail-on", "none"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = command(&["scan", "examples/demo-cluster"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_output_file_extension_picks_the_format_unless_one_is_given() {
    let dir = TempDir::new("output-ext");
    for (name, starts) in [
        ("r.html", "<!DOCTYPE html>"),
        ("r.json", "{"),
        ("r.sarif", "{"),
        ("r.xml", "<?xml"),
        ("r.md", "# kcheck"),
        ("r.txt", "kcheck "),
    ] {
        let path = dir.path(name);
        command(&[
            "scan",
            "examples/demo-cluster",
            "-o",
            path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with(starts),
            "{name}: {}",
            &text[..text.len().min(80)]
        );
        if name == "r.sarif" {
            assert!(text.contains("\"$schema\""), "{name}");
        }
    }
    // --format wins over the extension.
    let path = dir.path("forced.html");
    command(&[
        "scan",
        "examples/demo-cluster",
        "-f",
        "json",
        "-o",
        path.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(std::fs::read_to_string(&path).unwrap().starts_with('{'));
}

#[test]
fn the_rules_table_keeps_its_columns_apart() {
    let out = command(&["rules"]).output().unwrap();
    let text = stdout(&out);
    // Every name is followed by at least two spaces, the longest one too.
    let longest = text
        .lines()
        .map(|l| l.split_whitespace().nth(3).unwrap_or("").len())
        .max()
        .unwrap();
    assert!(longest > 30, "{longest}");
    for line in text.lines() {
        let name = line.split_whitespace().nth(3).unwrap();
        let after = line.find(name).unwrap() + name.len();
        assert!(line[after..].starts_with("  "), "{line}");
    }
}

/// The table's "N files skipped" is what JSON lists in `skipped`; past five of one reason the
/// human formats count the rest, JSON lists them all. A directory of nothing but other files
/// is still an input error.
#[test]
fn skipped_files_are_counted_and_listed_alike() {
    let dir = std::env::temp_dir().join(format!("kcheck-skipped-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    std::fs::write(
        dir.join("ns.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n",
    )
    .unwrap();
    for i in 0..7 {
        std::fs::write(dir.join(format!("notes-{i}.md")), "# notes").unwrap();
        std::fs::write(dir.join("docs").join(format!("page-{i}.md")), "# page").unwrap();
    }
    let d = dir.to_str().unwrap();
    let j = json(&kcheck(&[
        "scan",
        "--format",
        "json",
        "--fail-on",
        "none",
        d,
    ]));
    assert_eq!(j["inputs"]["files_skipped"], 14);
    assert_eq!(j["inputs"]["skipped"].as_array().unwrap().len(), 14);
    let table = stdout(&kcheck(&["scan", "--fail-on", "none", d]));
    assert!(table.contains("14 files skipped"), "{table}");
    assert_eq!(table.matches("  not YAML or JSON").count(), 5, "{table}");
    assert!(
        table.contains("  and 9 more: not YAML or JSON\n"),
        "{table}"
    );
    let o = kcheck(&["scan", dir.join("docs").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no YAML or JSON files in this directory"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// "Now" enters a run once: `KCHECK_TODAY` moves waiver expiry with the rules' dates (the
/// waiver code read the clock on its own before, whatever the run's day was).
#[test]
fn waiver_expiry_follows_the_runs_day() {
    let dir = TempDir::new("waiver-day");
    let pod = dir.write("pod.yaml", PRIVILEGED.as_bytes());
    let waivers = dir.write(
        "waivers.yaml",
        b"waivers:\n- rule: KC301\n  reason: break-glass pod, until the migration (OPS-7)\n  expires: 2027-06-30\n",
    );
    let waived_on = |day: &str| {
        let o = support::command(&[
            "scan",
            pod.to_str().unwrap(),
            "--format",
            "json",
            "--waivers",
            waivers.to_str().unwrap(),
        ])
        .env("KCHECK_TODAY", day)
        .output()
        .unwrap();
        let j = json(&o);
        let kc301 = j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "KC301")
            .unwrap()
            .clone();
        let problems: Vec<String> = j["waivers"]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["kind"].as_str().unwrap().to_string())
            .collect();
        (kc301["waived"].as_bool().unwrap(), problems)
    };
    assert_eq!(waived_on("2027-06-30"), (true, vec![]));
    assert_eq!(
        waived_on("2027-07-01"),
        (false, vec!["expired".to_string()])
    );
}

/// `--examples`: how many findings of a group the human formats show; JSON stays complete.
#[test]
fn examples_bound_the_human_formats_only() {
    let table = |examples: &str| {
        let o = kcheck(&[
            "scan",
            "examples/demo-cluster",
            "--format",
            "table",
            "--examples",
            examples,
        ]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        stdout(&o)
    };
    let (one, three, all) = (table("1"), table("3"), table("all"));
    assert!(one.lines().count() < three.lines().count());
    assert!(three.lines().count() < all.lines().count());
    assert!(one.contains("\n    and 5 more\n"), "{one}");
    assert!(
        !all.contains(" more\n") && !all.contains(" more in this namespace"),
        "{all}"
    );
    // Every finding of the JSON is in the whole listing, whatever --examples says of the JSON.
    let j = |examples: &str| {
        json(&kcheck(&[
            "scan",
            "examples/demo-cluster",
            "--format",
            "json",
            "--examples",
            examples,
        ]))
    };
    let findings = j("0")["findings"].as_array().unwrap().clone();
    assert_eq!(findings, *j("all")["findings"].as_array().unwrap());
    for f in &findings {
        let place = format!(
            "{}:{}:{}",
            f["location"]["file"].as_str().unwrap(),
            f["location"]["line"],
            f["location"]["column"]
        );
        assert!(all.contains(&place), "{place}");
    }
    let o = kcheck(&["scan", "examples/demo-cluster", "--examples", "some"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected a number or `all`"));
}

#[test]
fn the_language_follows_kcheck_lang_then_the_locale() {
    let explain = |vars: &[(&str, &str)], args: &[&str]| {
        let mut c = command(&["explain", "KC302"]);
        c.args(args).env_remove("KCHECK_LANG");
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            c.env_remove(name);
        }
        for (k, v) in vars {
            c.env(k, v);
        }
        let o = c.output().unwrap();
        stdout(&o).lines().nth(1).unwrap_or_default().to_string()
    };
    let zh = "Pod 共享主机的网络、PID 或 IPC 名字空间";
    let en = "Pod shares the host's network, PID or IPC namespace";
    assert_eq!(explain(&[], &[]), en);
    assert_eq!(explain(&[("LANG", "zh_CN.UTF-8")], &[]), zh);
    assert_eq!(
        explain(&[("LC_ALL", "zh_CN.UTF-8"), ("LANG", "en_US.UTF-8")], &[]),
        zh
    );
    assert_eq!(
        explain(&[("KCHECK_LANG", "en"), ("LANG", "zh_CN.UTF-8")], &[]),
        en
    );
    assert_eq!(explain(&[("KCHECK_LANG", "zh")], &[]), zh);
    // The flag wins over both.
    assert_eq!(explain(&[("KCHECK_LANG", "zh")], &["--lang", "en"]), en);
    // KC302 has its Chinese documentation: explain prints it, not the English.
    let mut c = command(&["explain", "KC302", "--lang", "zh"]);
    let doc = stdout(&c.output().unwrap());
    assert!(
        doc.contains("## 检查内容\n") && doc.contains("## 原因\n"),
        "{doc}"
    );
    assert!(!doc.contains("## Why"), "{doc}");
}

#[test]
fn input_problems_on_standard_error_follow_the_language() {
    let dir = TempDir::new("stderr-lang");
    let bad = dir.write("bad.yaml", "a: [\n");
    let bad = bad.to_str().unwrap();
    let err = |lang: &str| {
        let o = kcheck(&["scan", bad, "--lang", lang]);
        assert_eq!(o.status.code(), Some(2));
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let zh = err("zh");
    assert!(
        zh.starts_with(&format!("kcheck: {bad}:2:1: YAML 语法错误")),
        "{zh}"
    );
    assert!(
        zh.contains("\nkcheck: 没有从输入中读到任何 Kubernetes 对象：什么都没有判定\n"),
        "{zh}"
    );
    let en = err("en");
    assert!(
        en.contains("\nkcheck: no Kubernetes object was read from the input: nothing was judged\n"),
        "{en}"
    );
    // Problems with the configuration and waiver files and with flags, too (usage errors).
    let empty = dir.write("empty.yaml", "");
    let empty = empty.to_str().unwrap();
    let usage = |args: &[&str]| {
        let o = kcheck(args);
        assert_eq!(o.status.code(), Some(3), "{args:?}");
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let demo = "examples/demo-cluster";
    assert_eq!(
        usage(&["scan", demo, "--waivers", empty, "--lang", "zh"]),
        format!("kcheck: {empty}：豁免文件是空的\n")
    );
    assert_eq!(
        usage(&["scan", demo, "--waivers", empty]),
        format!("kcheck: {empty}: empty waiver file\n")
    );
    assert_eq!(
        usage(&["scan", demo, "--kube-version", "1.x", "--lang", "zh"]),
        "kcheck: --kube-version 1.x：应为 v1.N 的形式，例如 v1.33\n"
    );
    let config = usage(&["scan", demo, "--config", bad, "--lang", "zh"]);
    assert!(
        config.starts_with(&format!("kcheck: {bad}:2:1: YAML 语法错误")),
        "{config}"
    );
    assert_eq!(
        usage(&["node", "--root", "no/such/dir", "--lang", "zh"]),
        "kcheck: --root no/such/dir：不是目录\n"
    );
    assert_eq!(
        usage(&[
            "pss",
            "--level",
            "baseline",
            "--version",
            "x",
            demo,
            "--lang",
            "zh"
        ]),
        "kcheck: --version x：应为 v1.N 或 latest\n"
    );
}

/// The demo's report in Chinese, table and Markdown, every finding shown, with `explain` of
/// every rule: no English sentence outside code (backticks, fences) and links. Names from the
/// input and identifiers are not sentences.
#[test]
fn chinese_output_holds_no_english_sentence() {
    let mut texts = Vec::new();
    for format in ["table", "markdown"] {
        let o = kcheck(&[
            "scan",
            "examples/demo-cluster",
            "--lang",
            "zh",
            "--format",
            format,
            "--examples",
            "all",
            "--color",
            "never",
        ]);
        texts.push((format.to_string(), stdout(&o)));
    }
    // Node scans: the kubeadm defaults leave findings on flags, files and certificates; the
    // other layouts add the distribution line, k3s's datastore, an agent's missing control
    // plane, the provider's and the operators' manual items.
    use kcheck_node::testing::NodeTree;
    let trees = [
        ("kubeadm", NodeTree::kubeadm_default()),
        ("k3s", NodeTree::k3s_server()),
        ("k3s-agent", NodeTree::k3s_agent()),
        ("eks", NodeTree::managed_worker("eks")),
        ("openshift", NodeTree::openshift()),
        ("microk8s", NodeTree::microk8s()),
    ];
    for (name, tree) in trees {
        let tree = tree.build();
        let node_root = tree.root().display().to_string();
        let proc_dir = format!("{node_root}/proc");
        for format in ["table", "markdown"] {
            let o = kcheck(&[
                "node",
                "--root",
                &node_root,
                "--proc",
                &proc_dir,
                "--lang",
                "zh",
                "--format",
                format,
                "--examples",
                "all",
                "--color",
                "never",
            ]);
            let text = stdout(&o);
            assert!(text.contains("KC"), "no node findings in {format}:\n{text}");
            texts.push((format!("node {name} {format}"), text));
        }
    }
    // A cluster audit that merged node reports: the nodes' findings, the node list, a node
    // without a report, a stale one.
    let merged = std::env::temp_dir().join(format!("kcheck-zh-merged-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&merged);
    std::fs::create_dir_all(merged.join("reports")).unwrap();
    std::fs::create_dir_all(merged.join("dump")).unwrap();
    for (name, tree) in [
        ("cp-1", NodeTree::kubeadm_default()),
        ("worker-1", NodeTree::kubeadm_default().worker()),
        ("worker-2", NodeTree::k3s_agent()),
    ] {
        let tree = tree.build();
        let node_root = tree.root().display().to_string();
        let proc_dir = format!("{node_root}/proc");
        let file = merged.join("reports").join(format!("{name}.json"));
        kcheck(&[
            "node",
            "--root",
            &node_root,
            "--proc",
            &proc_dir,
            "--node-name",
            name,
            "--node-report",
            file.to_str().unwrap(),
            "-o",
            "/dev/null",
        ]);
    }
    let mut stale: serde_json::Value =
        serde_json::from_slice(&std::fs::read(merged.join("reports/worker-2.json")).unwrap())
            .unwrap();
    stale["generatedAt"] = "2020-01-01T00:00:00Z".into();
    std::fs::write(merged.join("reports/worker-2.json"), stale.to_string()).unwrap();
    let nodes: Vec<serde_json::Value> = ["cp-1", "worker-1", "worker-2", "worker-3"]
        .iter()
        .map(|n| serde_json::json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": n}}))
        .collect();
    std::fs::write(
        merged.join("dump/nodes.json"),
        serde_json::json!({"apiVersion": "v1", "kind": "List", "items": nodes}).to_string(),
    )
    .unwrap();
    for format in ["table", "markdown"] {
        let o = kcheck(&[
            "cluster",
            "--from-dump",
            merged.join("dump").to_str().unwrap(),
            "--node-reports",
            merged.join("reports").to_str().unwrap(),
            "--lang",
            "zh",
            "--format",
            format,
            "--examples",
            "all",
            "--color",
            "never",
        ]);
        let text = stdout(&o);
        assert!(
            text.contains("节点报告"),
            "no node list in {format}:\n{text}"
        );
        texts.push((format!("merged cluster {format}"), text));
    }
    let _ = std::fs::remove_dir_all(&merged);
    // HTML: the text a reader sees (tags, scripts, styles and code taken out) and the
    // tooltips and placeholders.
    let page = stdout(&kcheck(&[
        "scan",
        "examples/demo-cluster",
        "--lang",
        "zh",
        "--format",
        "html",
    ]));
    texts.push(("html".to_string(), html_text(&page)));
    // The extraction keeps prose: the English page's text has English sentences.
    let english = stdout(&kcheck(&[
        "scan",
        "examples/demo-cluster",
        "--lang",
        "en",
        "--format",
        "html",
    ]));
    assert!(
        html_text(&english)
            .lines()
            .filter(|l| kcheck_model::text::has_english_sentence(l))
            .count()
            > 20,
        "the HTML text extraction lost the prose"
    );
    // SARIF: every message, description and help text, Markdown included.
    let sarif = json(&kcheck(&[
        "scan",
        "examples/demo-cluster",
        "--lang",
        "zh",
        "--format",
        "sarif",
    ]));
    let mut shown = String::new();
    sarif_texts(&sarif, "", &mut shown);
    assert!(shown.lines().count() > 500, "SARIF texts not found");
    texts.push(("sarif".to_string(), shown));
    let rules = json(&kcheck(&["rules", "--format", "json"]));
    for r in rules.as_array().unwrap() {
        let code = r["code"].as_str().unwrap();
        let o = kcheck(&["explain", code, "--lang", "zh"]);
        texts.push((format!("explain {code}"), stdout(&o)));
    }
    let mut found = Vec::new();
    let mut punctuation = Vec::new();
    for (what, text) in &texts {
        let mut fenced = false;
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                continue;
            }
            if fenced || line.contains("://") {
                continue;
            }
            let mut prose = String::new();
            let mut code = false;
            // A Markdown link's target is not prose: `[KC602](KC602.md)` reads as `[KC602]`.
            let line = markdown_link_targets_removed(line)
                .replace("&lt;", "<")
                .replace("&gt;", ">");
            for c in line.chars() {
                if c == '`' {
                    code = !code;
                } else if !code {
                    prose.push(c);
                }
            }
            if kcheck_model::text::has_english_sentence(&prose) {
                found.push(format!("{what}: {line}"));
            }
            if let Some(at) = kcheck_model::text::ascii_punctuation_in_chinese(&prose) {
                punctuation.push(format!("{what}: …{at}…  in  {line}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "English in Chinese output:\n{}",
        found.join("\n")
    );
    punctuation.sort();
    punctuation.dedup();
    assert!(
        punctuation.is_empty(),
        "ASCII punctuation in Chinese output ({}):\n{}",
        punctuation.len(),
        punctuation.join("\n")
    );
}

/// The text of an HTML page as a reader sees it, one text node per line: scripts, styles,
/// `<pre>` and `<code>` removed, entities decoded; `title`, `placeholder` and `aria-label`
/// attributes added as lines of their own.
fn html_text(page: &str) -> String {
    let mut rest = page;
    let mut out = String::new();
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push('\n');
        let tag = &rest[open + 1..];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let end = tag.find('>').map_or(tag.len(), |e| e + 1);
        for attr in ["title=\"", "placeholder=\"", "aria-label=\""] {
            if let Some(at) = tag[..end].find(attr) {
                let value = &tag[at + attr.len()..end];
                out.push_str(&value[..value.find('"').unwrap_or(value.len())]);
                out.push('\n');
            }
        }
        rest = &tag[end..];
        if ["script", "style", "pre", "code"].contains(&name.as_str()) {
            let close = format!("</{name}>");
            rest = rest.find(&close).map_or("", |c| &rest[c + close.len()..]);
        }
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Every `text` and `markdown` string of a SARIF log, one after another.
fn sarif_texts(v: &serde_json::Value, key: &str, out: &mut String) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                sarif_texts(v, k, out);
            }
        }
        serde_json::Value::Array(list) => {
            for v in list {
                sarif_texts(v, key, out);
            }
        }
        serde_json::Value::String(s) if key == "text" || key == "markdown" => {
            out.push_str(s);
            out.push('\n');
        }
        _ => {}
    }
}

/// `line` with each Markdown link's `(target)` taken out.
fn markdown_link_targets_removed(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("](") {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 2..];
        rest = rest.find(')').map_or("", |end| &rest[end + 1..]);
    }
    out.push_str(rest);
    out
}

#[test]
fn webhook_start_up_errors_follow_the_language() {
    let run = |lang: &str| {
        let o = kcheck(&[
            "webhook",
            "--tls-cert",
            "/nonexistent/tls.crt",
            "--tls-key",
            "/nonexistent/tls.key",
            "--lang",
            lang,
        ]);
        assert_eq!(o.status.code(), Some(3));
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let en = run("en");
    assert!(
        en.starts_with("kcheck webhook: /nonexistent/tls.crt: "),
        "{en}"
    );
    let zh = run("zh");
    assert!(
        zh.starts_with("kcheck webhook: /nonexistent/tls.crt：无法加载 TLS 证书或私钥："),
        "{zh}"
    );
}
