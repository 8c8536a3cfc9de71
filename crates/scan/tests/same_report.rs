//! The streaming scan makes the report the in-memory scan makes, byte for byte: on the demo
//! cluster, on every rule's fixtures (each case alone, then each rule's directory as one input,
//! so its pass and fail cases meet), on the scenarios, on the owners' file, on the third-party corpus, and on files
//! made to trip pass 1 (kinds written with escapes, directives, broken documents).

use kcheck_load::Limits;
use kcheck_model::{Lang, Now};
use kcheck_report::{render, Format, RenderOptions};
use kcheck_rules::Engine;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn engine() -> Engine {
    Engine::default().at(Now::from_unix(1_796_601_600))
}

/// Both scans of `paths`, rendered as JSON and as the table (with every detail).
fn both(paths: &[PathBuf]) -> (String, String, bool) {
    // One engine each: an engine counts the waivers it applied.
    let limits = Limits::default();
    let reference = kcheck_scan::scan_in_memory(paths, &limits, &[], &engine());
    let (streamed, stages) = kcheck_scan::scan(paths, &limits, &[], &engine());
    // The streaming scan reads its findings back from a file.
    assert_eq!(streamed.findings.spilled(), !stages.in_memory, "{paths:?}");
    let json = |r| {
        render(
            r,
            Format::Json,
            &RenderOptions {
                lang: Lang::En,
                color: false,
                ..Default::default()
            },
        )
    };
    let a = json(&reference) + &render(&reference, Format::Sarif, &RenderOptions::default());
    let b = json(&streamed) + &render(&streamed, Format::Sarif, &RenderOptions::default());
    (a, b, stages.in_memory)
}

fn assert_same(paths: &[PathBuf]) {
    let (a, b, in_memory) = both(paths);
    assert!(!in_memory, "{paths:?}: the scan fell back to memory");
    if a != b {
        let line = a
            .lines()
            .zip(b.lines())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        let show = |s: &str| {
            s.lines()
                .skip(line.saturating_sub(3))
                .take(8)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "{paths:?}: the streaming scan differs at line {}\nin memory:\n{}\nstreamed:\n{}",
            line + 1,
            show(&a),
            show(&b)
        );
    }
}

#[test]
fn the_demo_cluster() {
    assert_same(&[root().join("examples/demo-cluster")]);
}

#[test]
fn every_rules_fixtures_scenarios_and_owners() {
    let tests = root().join("crates/rules/tests");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(tests.join("fixtures"))
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() > 60, "{} fixture directories", dirs.len());
    for dir in dirs {
        // Each case alone, as the fixture tests judge it, then the rule's cases together.
        for case in ["pass", "fail"] {
            let Ok(files) = std::fs::read_dir(dir.join(case)) else {
                continue;
            };
            for file in files {
                assert_same(&[file.expect("entry").path()]);
            }
        }
        assert_same(&[dir]);
    }
    assert_same(&[tests.join("scenarios")]);
    assert_same(&[tests.join("owners")]);
    // The loader's odd and broken inputs: typed lists, anchors, duplicate keys, tabs, errors.
    assert_same(&[root().join("crates/load/tests/golden")]);
}

/// The streaming scan folds as it writes its report's findings out: the Pods each owner's
/// finding covers are counted before the first is written.
#[test]
fn an_owners_finding_counts_its_pods_when_streamed_too() {
    let file = root().join("crates/rules/tests/owners/workloads.yaml");
    assert_same(std::slice::from_ref(&file));
    let (streamed, stages) = kcheck_scan::scan(&[file], &Limits::default(), &[], &engine());
    assert!(streamed.findings.spilled() && !stages.in_memory);
    let counted: Vec<String> = streamed
        .findings
        .iter()
        .filter(|f| f.pods > 0)
        .map(|f| {
            let o = f.object.as_ref().expect("an object");
            format!("{}/{} {} {}", o.kind, o.name, f.code, f.pods)
        })
        .collect();
    assert_eq!(
        counted,
        [
            "Deployment/web KC301 3",
            "StatefulSet/db KC301 2",
            "DaemonSet/agent KC301 2",
            "CronJob/backup KC301 1",
        ]
    );
}

#[test]
fn the_third_party_corpus() {
    let corpus = root().join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipped: {} is absent", corpus.display());
        return;
    }
    assert_same(&[corpus]);
}

#[test]
fn what_pass_one_cannot_read_falls_back_and_stays_the_same() {
    let dir = std::env::temp_dir().join(format!("kcheck-scan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // A NetworkPolicy whose kind is written with a YAML escape: pass 1's text search does not
    // see it, pass 2 does, and the scan starts again in memory.
    std::fs::write(
        dir.join("escaped.yaml"),
        "apiVersion: networking.k8s.io/v1\nkind: \"Network\\x50olicy\"\nmetadata: {name: deny, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx}]\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("directives.yaml"),
        "%YAML 1.1\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("broken.yaml"),
        "kind: [\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: shop}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  serviceAccountName: app\n  containers: [{name: c, image: busybox}]\n",
    )
    .expect("write");
    let (a, b, in_memory) = both(std::slice::from_ref(&dir));
    assert!(
        in_memory,
        "the escaped kind should have sent the scan back to memory"
    );
    assert_eq!(a, b);
    std::fs::remove_file(dir.join("escaped.yaml")).expect("remove");
    let (a, b, in_memory) = both(std::slice::from_ref(&dir));
    assert!(!in_memory, "without the escaped kind the scan streams");
    assert_eq!(a, b);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn owners_the_text_hides_send_the_scan_back_to_memory() {
    let dir = std::env::temp_dir().join(format!("kcheck-scan-owners-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // A ReplicaSet owned by a Deployment; the key `ownerReferences` written with a JSON escape.
    // Pass 1 finds no owners in the text, so pass 2 keeps skeletons of workloads only, until
    // it meets the owned object: then the scan starts again in memory, and folds the same.
    let deployment = r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop","uid":"d-1"},"spec":{"replicas":1,"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx","securityContext":{"privileged":true}}]}}}}"#;
    let replica_set = |key: &str| {
        format!(
            r#"{{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{{"name":"web-1","namespace":"shop","{key}":[{{"apiVersion":"apps/v1","kind":"Deployment","name":"web","uid":"d-1","controller":true}}]}},"spec":{{"replicas":1,"template":{{"metadata":{{"labels":{{"app":"web"}}}},"spec":{{"containers":[{{"name":"web","image":"nginx","securityContext":{{"privileged":true}}}}]}}}}}}}}"#
        )
    };
    std::fs::write(dir.join("a-deploy.json"), deployment).expect("write");
    std::fs::write(dir.join("b-rs.json"), replica_set("owner\\u0052eferences")).expect("write");
    let (a, b, in_memory) = both(std::slice::from_ref(&dir));
    assert!(
        in_memory,
        "the hidden owners should have sent the scan back to memory"
    );
    assert_eq!(a, b);
    // Written plainly, the scan streams with every skeleton, and folds the same.
    std::fs::write(dir.join("b-rs.json"), replica_set("ownerReferences")).expect("write");
    let (c, d, in_memory) = both(std::slice::from_ref(&dir));
    assert!(!in_memory, "owners in plain text stream");
    assert_eq!(c, d);
    // Folded the same way both times (the columns differ: the escape is longer).
    let on_replica_set = |r: &str| r.matches("\"kind\": \"ReplicaSet\"").count();
    assert_eq!(on_replica_set(&a), on_replica_set(&c));
    assert_eq!(
        on_replica_set(&a),
        0,
        "the ReplicaSet's findings fold into the Deployment's"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_waiver_annotation_waives_a_finding_reported_after_its_file_is_gone() {
    let dir = std::env::temp_dir().join(format!("kcheck-scan-waived-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // KC207 reports namespace `shop` (no Namespace object, no NetworkPolicy) on its first
    // workload, once every file is judged: the workload's waiver annotation must still count.
    std::fs::write(
        dir.join("web.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n  annotations:\n    kcheck.io/ignore: KC207\n    kcheck.io/ignore-reason: the mesh denies by default\n    unrelated: x\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx}]\n",
    )
    .expect("write");
    let (a, b, in_memory) = both(std::slice::from_ref(&dir));
    assert!(!in_memory);
    assert_eq!(a, b);
    assert!(
        a.contains("the mesh denies by default"),
        "the KC207 finding is waived with its reason"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
