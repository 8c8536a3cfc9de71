//! `kcheck access-review` end to end: the listing, the record, and rule KC106 on the record.

use std::path::Path;
use std::process::Output;

#[path = "support/mod.rs"]
mod support;
use support::{json, stdout, TempDir};

/// The binary with a fixed "today", so that review dates are stable.
fn kcheck(args: &[&str]) -> Output {
    support::command(args)
        .env("KCHECK_TODAY", "2026-06-15")
        .output()
        .expect("run kcheck")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const RBAC: &str = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: app}
rules:
- apiGroups: [\"\"]
  resources: [secrets, pods/exec]
  verbs: [get, create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: User, name: aaron}
- {kind: ServiceAccount, name: bot, namespace: app}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: viewer}
rules:
- apiGroups: [\"\"]
  resources: [configmaps]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: viewers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: viewer}
subjects:
- {kind: Group, name: everyone-here}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: User, name: zoe}
";

#[test]
fn table_lists_cluster_admin_holders_first() {
    let dir = TempDir::new("table");
    let rbac = dir.write("rbac.yaml", RBAC);
    let o = kcheck(&["access-review", s(&rbac)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let table = stdout(&o);
    let pos = |needle: &str| {
        table
            .find(needle)
            .unwrap_or_else(|| panic!("no {needle} in:\n{table}"))
    };
    // zoe sorts last by name but holds cluster-admin.
    assert!(pos("User zoe  [privileged]") < pos("User aaron"), "{table}");
    assert!(pos("User aaron") < pos("Group everyone-here"), "{table}");
    assert!(table.contains("get secrets"), "{table}");
    assert!(table.contains("create pods/exec"), "{table}");
    assert!(table.contains("digest: sha256:"), "{table}");
    // Deterministic.
    assert_eq!(stdout(&kcheck(&["access-review", s(&rbac)])), table);

    let j = json(&kcheck(&["access-review", s(&rbac), "--format", "json"]));
    let subjects = j["subjects"].as_array().unwrap();
    assert_eq!(subjects[0]["name"], "zoe");
    assert_eq!(subjects[0]["privileged"], true);
    assert_eq!(subjects[0]["grants"][0]["right"], "cluster-admin");
    assert_eq!(subjects.last().unwrap()["name"], "everyone-here");
    assert!(subjects.last().unwrap()["grants"]
        .as_array()
        .unwrap()
        .is_empty());

    let md = stdout(&kcheck(&["access-review", s(&rbac), "-f", "markdown"]));
    assert!(
        md.contains("| User zoe | yes | `cluster-admin` | cluster |"),
        "{md}"
    );
}

#[test]
fn record_matches_the_digest_and_kc106_follows_changes() {
    let dir = TempDir::new("record");
    let rbac = dir.write("rbac.yaml", RBAC);
    let digest = json(&kcheck(&["access-review", s(&rbac), "-f", "json"]))["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let record = dir.path("record.yaml");
    let o = kcheck(&[
        "access-review",
        s(&rbac),
        "--record",
        "--reviewer",
        "alice",
        "--output",
        s(&record),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = std::fs::read_to_string(&record).unwrap();
    assert!(text.contains("kind: ConfigMap"), "{text}");
    assert!(text.contains("name: kcheck-access-review"), "{text}");
    assert!(text.contains("namespace: kube-system"), "{text}");
    assert!(text.contains("reviewedAt: \"2026-06-15\""), "{text}");
    assert!(text.contains("reviewer: \"alice\""), "{text}");
    assert!(text.contains(&format!("digest: \"{digest}\"")), "{text}");
    assert!(text.contains("subjects: \"4\""), "{text}");

    // Without --output the record goes to standard output.
    let o = kcheck(&["access-review", s(&rbac), "--record", "--reviewer", "alice"]);
    assert_eq!(stdout(&o), text);

    let kc106 = |paths: &[&str]| -> Vec<serde_json::Value> {
        let mut args = vec!["scan", "--format", "json"];
        args.extend_from_slice(paths);
        let j = json(&kcheck(&args));
        j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "KC106")
            .cloned()
            .collect()
    };

    // RBAC alone, in a scan of manifests: no record, and none expected there; the item is not
    // evaluated and says why (a cluster without one fails: crates/rules/tests/partial_evidence.rs).
    let found = kc106(&[s(&rbac)]);
    assert!(found.is_empty(), "{found:?}");
    let j = json(&kcheck(&["scan", "--format", "json", s(&rbac)]));
    let item = j["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "1.5")
        .unwrap()
        .clone();
    assert_eq!(item["status"], "not_evaluated", "{item}");
    assert_eq!(item["not_examined"][0]["code"], "KC106", "{item}");
    assert!(
        item["reason"]
            .as_str()
            .unwrap()
            .starts_with("not examined: no access-review record in the input"),
        "{item}"
    );

    // RBAC and the record: nothing.
    let found = kc106(&[s(&rbac), s(&record)]);
    assert!(found.is_empty(), "{found:?}");

    // A binding changed: the record is out of date.
    let changed = dir.write(
        "rbac.yaml",
        RBAC.replace(
            "- {kind: User, name: zoe}",
            "- {kind: User, name: zoe}\n- {kind: User, name: mallory}",
        ),
    );
    let found = kc106(&[s(&changed), s(&record)]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["level"], "warn", "{found:?}");
    assert!(
        found[0]["message"]
            .to_string()
            .contains("permissions changed since the review on 2026-06-15"),
        "{found:?}"
    );
}

#[test]
fn record_needs_a_reviewer() {
    let dir = TempDir::new("reviewer");
    let rbac = dir.write("rbac.yaml", RBAC);
    let o = kcheck(&["access-review", s(&rbac), "--record"]);
    assert_eq!(o.status.code(), Some(3));
}
