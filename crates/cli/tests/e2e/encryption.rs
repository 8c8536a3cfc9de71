//! Point 5: encryption at rest as etcd holds it. The harness's API server runs without an
//! EncryptionConfiguration, so every Secret it stored is plaintext; a second API server on its
//! own etcd runs with aescbc, so none is. `kcheck node --etcd-endpoint` must say exactly that,
//! by name and by provider and key, and never print a value.

use crate::audit::CANARIES;
use crate::ensure;
use crate::plane::{ApiOptions, ControlPlane, Extra};
use libtest_mimic::Failed;
use std::collections::BTreeSet;

const ENCRYPTION: &str = "\
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - aescbc:
      keys:
      - name: key1
        secret: a2NoZWNrLWUyZS1hZXNjYmMta2V5LTMyLWJ5dGVzISE=
  - identity: {}
";

/// Every Secret's `namespace/name`, through the API server `config` points at.
fn secrets(plane: &ControlPlane, config: &std::path::Path) -> BTreeSet<String> {
    let out = plane.kubectl_as(
        config,
        &[
            "get",
            "secrets",
            "-A",
            "-o",
            "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// `kcheck node --etcd-endpoint` against `endpoint`: its KC608 messages, failing and not.
fn scan(plane: &ControlPlane, endpoint: &str) -> Result<(Vec<String>, Vec<String>), Failed> {
    let run = plane.etcd_scan(endpoint, "etcd-ca.crt", "etcd-client.crt");
    ensure(run.code != 2, || format!("exit 2: {}", run.stderr))?;
    for canary in CANARIES.iter().chain(ENCRYPTED_CANARIES) {
        ensure(
            !run.stdout.contains(canary) && !run.stderr.contains(canary),
            || format!("the value {canary} reached the output"),
        )?;
    }
    let report = run.json();
    let mut failing = Vec::new();
    let mut other = Vec::new();
    for f in report["findings"].as_array().unwrap() {
        if f["code"] != "KC608" {
            continue;
        }
        let message = f["message"].as_str().unwrap_or_default().to_string();
        if f["level"] == "fail" || f["level"].is_null() && f["severity"] != "info" {
            failing.push(message);
        } else {
            other.push(message);
        }
    }
    // What the scan found encrypted is the evidence of item 6.2, and what it could not read is
    // noted there too: neither is a finding.
    let item = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "6.2")
        .cloned()
        .unwrap_or_default();
    for key in ["evidence", "not_examined"] {
        for n in item[key].as_array().into_iter().flatten() {
            if n["code"] == "KC608" {
                other.push(n["message"].as_str().unwrap_or_default().to_string());
            }
        }
    }
    Ok((failing, other))
}

const ENCRYPTED_CANARIES: &[&str] = &[
    "kcheck-canary-enc-a1",
    "kcheck-canary-enc-b2",
    "kcheck-canary-enc-c3",
];

pub fn at_rest(plane: &ControlPlane) -> Result<(), Failed> {
    // Without encryption: every Secret the API holds is named, and only those.
    let stored = secrets(plane, &plane.admin);
    ensure(stored.len() >= 2, || format!("secrets: {stored:?}"))?;
    let (failing, other) = scan(plane, &plane.etcd.endpoint)?;
    let want: Vec<String> = stored
        .iter()
        .map(|s| format!("Secret {s} is stored in etcd without encryption"))
        .collect();
    let mut got = failing.clone();
    got.sort();
    ensure(got == want, || {
        format!("plaintext findings {got:#?}\nwant {want:#?}")
    })?;
    ensure(other.is_empty(), || {
        format!("no Secret is encrypted, yet: {other:?}")
    })?;

    // With aescbc, on a second API server and etcd.
    let dir = plane.path("encrypted");
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("encryption.yaml");
    std::fs::write(&config, ENCRYPTION).unwrap();
    let options = ApiOptions {
        encryption: Some(config),
        extra: Vec::new(),
    };
    let extra = Extra::start(plane, &dir, &options);
    let admin = &extra.admin;
    for (i, canary) in ENCRYPTED_CANARIES.iter().enumerate() {
        let name = format!("enc-{i}");
        let out = plane.kubectl_as(
            admin,
            &[
                "create",
                "secret",
                "generic",
                &name,
                &format!("--from-literal=value={canary}"),
            ],
            None,
        );
        ensure(out.status.success(), || {
            String::from_utf8_lossy(&out.stderr).into_owned()
        })?;
    }
    let stored = secrets(plane, admin);
    let (failing, other) = scan(plane, &extra.etcd.endpoint)?;
    let n = stored.len();
    ensure(n >= 3, || format!("secrets: {stored:?}"))?;
    ensure(failing.is_empty(), || {
        format!("plaintext reported with aescbc: {failing:?}")
    })?;
    let want = format!("{n} of {n} Secrets in etcd are encrypted: k8s:enc:aescbc:v1:key1 ({n})");
    ensure(other == [want.clone()], || {
        format!("got {other:?}\nwant [{want}]")
    })?;
    drop(extra);
    Ok(())
}
