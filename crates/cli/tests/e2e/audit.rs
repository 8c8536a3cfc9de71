//! Points 2, 3 and 8: the cluster audit as the least-privileged account (proved with the API
//! server's own audit log), as a user without rights, across pages and an expired continue
//! token, and from the README's dump.

use crate::plane::{kubeconfig, ApiOptions, ControlPlane, Extra, User};
use crate::{ensure, item, statuses};
use libtest_mimic::Failed;
use serde_json::Value;
use std::collections::BTreeSet;

const AUDITOR: &str = "system:serviceaccount:kcheck:kcheck";

fn cluster_json(
    plane: &ControlPlane,
    config: &std::path::Path,
    extra: &[&str],
) -> crate::plane::Run {
    let mut args = vec![
        "cluster",
        "--kubeconfig",
        config.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    plane.kcheck(&args)
}

/// The audit log's events of `user`.
fn audit_events(plane: &ControlPlane, user: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(&plane.api.audit_log).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["user"]["username"] == user)
        .collect()
}

/// deploy/cluster-audit's ServiceAccount and ClusterRole, and a token for it.
fn auditor_kubeconfig(plane: &ControlPlane) -> std::path::PathBuf {
    let rbac = plane.root.join("deploy/cluster-audit/rbac.yaml");
    plane.kubectl_ok(&["apply", "-f", rbac.to_str().unwrap()]);
    plane.service_account_kubeconfig("kcheck", "kcheck", "auditor.kubeconfig", &[])
}

pub fn least_privileged_equals_admin(plane: &ControlPlane) -> Result<(), Failed> {
    let config = auditor_kubeconfig(plane);
    let auditor = cluster_json(plane, &config, &[]);
    let admin = cluster_json(plane, &plane.admin, &[]);
    let (a, b) = (auditor.json(), admin.json());
    ensure(
        a["inputs"]["unavailable"]
            .as_array()
            .is_none_or(Vec::is_empty),
        || {
            format!(
                "the audit role could not see: {}",
                a["inputs"]["unavailable"]
            )
        },
    )?;
    ensure(auditor.code == admin.code && auditor.code == 1, || {
        format!(
            "exit {} as the auditor, {} as admin; stderr: {}",
            auditor.code, admin.code, auditor.stderr
        )
    })?;
    ensure(statuses(&a) == statuses(&b), || {
        format!(
            "item statuses differ:\n auditor {:?}\n admin   {:?}",
            statuses(&a),
            statuses(&b)
        )
    })?;
    ensure(a["findings"] == b["findings"], || {
        "the findings differ between the auditor and admin".into()
    })?;
    // The scenario is seen: the privileged debug pod and the cluster-admin binding.
    let codes: BTreeSet<&str> = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    for code in ["KC103", "KC301"] {
        ensure(codes.contains(code), || {
            format!("no {code} finding; codes: {codes:?}")
        })?;
    }
    // The server's own record of what the auditor did.
    let events = audit_events(plane, AUDITOR);
    ensure(events.len() > 40, || {
        format!("only {} audit events for the auditor", events.len())
    })?;
    let mut secret_lists = 0;
    for e in &events {
        let verb = e["verb"].as_str().unwrap_or_default();
        let uri = e["requestURI"].as_str().unwrap_or_default();
        let resource = e["objectRef"]["resource"].as_str();
        ensure(matches!(verb, "get" | "list"), || {
            format!("the auditor used verb {verb} on {uri}")
        })?;
        if resource.is_some() {
            ensure(verb == "list", || format!("the auditor did {verb} {uri}"))?;
        }
        if resource == Some("secrets") {
            secret_lists += 1;
            let kind = e["responseObject"]["kind"].as_str().unwrap_or_default();
            ensure(kind == "PartialObjectMetadataList", || {
                format!("a Secret list answered with {kind}: {uri}")
            })?;
            ensure(
                !e["responseObject"].to_string().contains("\"data\""),
                || format!("Secret data in a response to the auditor: {uri}"),
            )?;
        }
        let code = e["responseStatus"]["code"].as_i64().unwrap_or(0);
        ensure(code != 403, || format!("403 for the auditor: {uri}"))?;
    }
    ensure(secret_lists >= 3, || {
        format!("{secret_lists} Secret lists (want the list and two by type)")
    })?;
    for canary in CANARIES {
        ensure(
            !auditor.stdout.contains(canary) && !auditor.stderr.contains(canary),
            || format!("the canary {canary} reached kcheck's output"),
        )?;
    }
    Ok(())
}

pub const CANARIES: &[&str] = &["kcheck-canary-db-3f9c1e7a", "kcheck-canary-token-8b2d4f60"];

pub fn no_rights_is_incomplete(plane: &ControlPlane) -> Result<(), Failed> {
    let config = plane.path("nobody.kubeconfig");
    kubeconfig(
        &config,
        &plane.api.url,
        &plane.pki.join("ca.crt"),
        User::Cert("nobody"),
        None,
    );
    let run = cluster_json(plane, &config, &[]);
    ensure(run.code == 2, || {
        format!(
            "exit {} (want 2: incomplete); stderr: {}",
            run.code, run.stderr
        )
    })?;
    ensure(
        run.stderr.contains("kcheck: incomplete audit:") && run.stderr.contains("forbidden: list"),
        || {
            format!(
                "stderr does not say the audit is incomplete: {}",
                run.stderr
            )
        },
    )?;
    let report = run.json();
    let unavailable = report["inputs"]["unavailable"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    ensure(
        unavailable.len() >= 20 && unavailable.iter().all(|u| u["cause"] == "forbidden"),
        || format!("unavailable: {unavailable:?}"),
    )?;
    let passed: Vec<(String, String)> = statuses(&report)
        .into_iter()
        .filter(|(_, s)| s == "pass")
        .collect();
    ensure(passed.is_empty(), || {
        format!("items passed without rights: {passed:?}")
    })?;
    // Items that read Pods, RBAC and NetworkPolicies say why they were not evaluated.
    for id in ["1.6", "2.2", "3.2"] {
        let i = item(&report, id);
        ensure(i["status"] == "not_evaluated", || {
            format!("{id}: {}", i["status"])
        })?;
        ensure(i["reason"].to_string().contains("forbidden"), || {
            format!("{id}'s reason: {}", i["reason"])
        })?;
    }
    Ok(())
}

pub fn pagination(plane: &ControlPlane) -> Result<(), Failed> {
    let small = cluster_json(plane, &plane.admin, &["--page-size", "7"]);
    let large = cluster_json(plane, &plane.admin, &["--page-size", "500"]);
    ensure(small.stdout == large.stdout, || {
        "pages of 7 and of 500 gave different reports".into()
    })?;
    let report = small.json();
    let listed = report["inputs"]["objects"].as_u64().unwrap_or(0);
    ensure(listed > 60, || format!("{listed} objects"))?;
    // The real server paginated the 60 ConfigMaps of `bulk` (and the rest) in pages of 7.
    let continued = audit_events(plane, "kcheck-admin")
        .iter()
        .filter(|e| {
            let uri = e["requestURI"].as_str().unwrap_or_default();
            uri.starts_with("/api/v1/configmaps?limit=7") && uri.contains("continue=")
        })
        .count();
    ensure(continued >= 8, || {
        format!("{continued} continued ConfigMap pages (want at least 8)")
    })
}

/// A continue token that expires mid-list (etcd compacted past its revision: the real server
/// answers 410 Gone) restarts the list once, and a list that cannot finish is a kind not seen,
/// never a partial list. The watch cache would serve continuations from its snapshots, so this
/// API server runs with `--watch-cache=false`, as some clusters do, and every page comes from
/// etcd while a loop compacts it.
pub fn expired_continue(plane: &ControlPlane) -> Result<(), Failed> {
    let dir = plane.path("expiry");
    let options = ApiOptions {
        encryption: None,
        extra: vec!["--watch-cache=false".into()],
    };
    let extra = Extra::start(plane, &dir, &options);
    let (api, admin) = (&extra.api, &extra.admin);
    let mut list = String::from("apiVersion: v1\nkind: List\nitems:\n");
    for i in 0..80 {
        list.push_str(&format!(
            "- {{apiVersion: v1, kind: ConfigMap, metadata: {{name: c-{i:02}, namespace: default}}}}\n"
        ));
    }
    let out = plane.kubectl_as(admin, &["apply", "-f", "-"], Some(list.as_bytes()));
    ensure(out.status.success(), || {
        String::from_utf8_lossy(&out.stderr).into_owned()
    })?;
    let reference = plane.kcheck(&[
        "cluster",
        "--kubeconfig",
        admin.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let etcdctl = Etcdctl::new(plane, &extra.etcd.endpoint);
    let mut outcome = None;
    for _attempt in 0..3 {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let compactor = {
            let (stop, etcdctl) = (stop.clone(), etcdctl.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    etcdctl.compact_now();
                    n += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                n
            })
        };
        let run = plane.kcheck(&[
            "cluster",
            "--kubeconfig",
            admin.to_str().unwrap(),
            "--format",
            "json",
            "--page-size",
            "1",
            "--concurrency",
            "1",
        ]);
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let compactions = compactor.join().unwrap();
        let gone = std::fs::read_to_string(&api.audit_log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|e| {
                e["user"]["username"] == "kcheck-admin" && e["responseStatus"]["code"] == 410
            })
            .count();
        if gone > 0 {
            outcome = Some((run, gone, compactions));
            break;
        }
    }
    drop(extra);
    let Some((run, gone, compactions)) = outcome else {
        return Err("no continue token expired in three runs: the check proved nothing".into());
    };
    let report = run.json();
    let configmaps_unseen = report["inputs"]["unavailable"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|u| u["kind"] == "ConfigMap")
        .cloned();
    match configmaps_unseen {
        // Restarted, and still expired: the kind is not seen, with the reason, and the run says so.
        Some(u) => {
            ensure(u["reason"].to_string().contains("410"), || {
                format!("reason: {u}")
            })?;
            ensure(run.code == 2, || {
                format!("exit {} for an incomplete list", run.code)
            })?;
        }
        // Restarted and finished: the same objects as the reference run.
        None => {
            let r = reference.json();
            ensure(
                report["inputs"]["objects"] == r["inputs"]["objects"],
                || {
                    format!(
                        "{} objects after a 410, {} without",
                        report["inputs"]["objects"], r["inputs"]["objects"]
                    )
                },
            )?;
        }
    }
    eprintln!("e2e: {gone} continue requests answered 410 Gone across {compactions} compactions");
    Ok(())
}

/// etcdctl (Debian's etcd-client) against the harness's etcd.
#[derive(Clone)]
struct Etcdctl {
    args: Vec<String>,
}

impl Etcdctl {
    fn new(plane: &ControlPlane, endpoint: &str) -> Etcdctl {
        let p = |n: &str| plane.pki.join(n).display().to_string();
        Etcdctl {
            args: vec![
                format!("--endpoints={endpoint}"),
                format!("--cacert={}", p("etcd-ca.crt")),
                format!("--cert={}", p("etcd-client.crt")),
                format!("--key={}", p("etcd-client.key")),
            ],
        }
    }

    fn run(&self, args: &[&str]) -> String {
        let out = std::process::Command::new("etcdctl")
            .env("ETCDCTL_API", "3")
            .args(&self.args)
            .args(args)
            .output()
            .expect("etcdctl (apt-get install etcd-client)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A write, then a compaction up to it: every older revision is gone.
    fn compact_now(&self) {
        let put = self.run(&["put", "/kcheck-e2e/tick", "x", "-w", "json"]);
        let revision = serde_json::from_str::<Value>(&put)
            .ok()
            .and_then(|v| v["header"]["revision"].as_i64());
        if let Some(r) = revision {
            self.run(&["compact", &r.to_string()]);
        }
    }
}

pub fn dump_equals_live(plane: &ControlPlane) -> Result<(), Failed> {
    let command = plane.kcheck(&["cluster", "--print", "dump-command"]).stdout;
    let dir = plane.path("dump-run");
    std::fs::create_dir_all(&dir).unwrap();
    let path = format!(
        "{}:{}",
        plane.bins.kubectl.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // README's commands, as printed, with kcheck's last line left out (it is run below).
    let script: String = command
        .lines()
        .filter(|l| !l.starts_with("kcheck "))
        .collect::<Vec<_>>()
        .join("\n");
    let out = std::process::Command::new("bash")
        .arg("-euo")
        .arg("pipefail")
        .arg("-c")
        .arg(&script)
        .current_dir(&dir)
        .env("PATH", path)
        .env("KUBECONFIG", &plane.admin)
        .output()
        .unwrap();
    ensure(out.status.success(), || {
        format!(
            "the dump command failed: {}\n{script}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    let dumped = std::fs::read_to_string(dir.join("dump/objects.json")).unwrap_or_default();
    for canary in CANARIES {
        ensure(!dumped.contains(canary), || {
            format!("the dump kept the Secret value {canary}")
        })?;
    }
    for format in ["json", "sarif", "table"] {
        let live = plane.kcheck(&[
            "cluster",
            "--kubeconfig",
            plane.admin.to_str().unwrap(),
            "--format",
            format,
        ]);
        let offline = plane.kcheck(&[
            "cluster",
            "--from-dump",
            dir.join("dump").to_str().unwrap(),
            "--format",
            format,
        ]);
        ensure(live.code == offline.code, || {
            format!(
                "{format}: exit {} live, {} from the dump",
                live.code, offline.code
            )
        })?;
        // The same report, except what was read: the dump's files (2: version.json and
        // objects.json), where the live run read none.
        let (live_out, dump_out) = (
            without_files_read(format, &live.stdout, 0),
            without_files_read(format, &offline.stdout, 2),
        );
        let (live_out, dump_out) = (live_out?, dump_out?);
        ensure(live_out == dump_out, || {
            let diff = live_out
                .lines()
                .zip(dump_out.lines())
                .find(|(a, b)| a != b)
                .map(|(a, b)| format!("live:  {a}\ndump:  {b}"))
                .unwrap_or_else(|| format!("lengths {} and {}", live_out.len(), dump_out.len()));
            format!(
                "{format}: the dump's report differs from the live one; first difference:\n{diff}"
            )
        })?;
    }
    Ok(())
}

/// A report without what says how many files were read, after checking that it says `files`:
/// JSON's `files_read`, `bytes_read` and `documents`, the table's inputs line. SARIF has none.
fn without_files_read(format: &str, report: &str, files: u64) -> Result<String, Failed> {
    match format {
        "json" => {
            let mut v: serde_json::Value = serde_json::from_str(report).unwrap();
            ensure(v["inputs"]["files_read"] == files, || {
                format!(
                    "files_read {} where {files} were read",
                    v["inputs"]["files_read"]
                )
            })?;
            ensure(v["summary"]["files_read"] == files, || {
                format!("summary.files_read {}", v["summary"]["files_read"])
            })?;
            for key in ["files_read", "bytes_read", "documents"] {
                v["inputs"].as_object_mut().unwrap().remove(key);
            }
            // What the report is about differs by design: the live run names its context, the
            // dump its path.
            ensure(v["target"]["mode"] == "cluster", || {
                format!("target {}", v["target"])
            })?;
            v.as_object_mut().unwrap().remove("target");
            v["summary"].as_object_mut().unwrap().remove("files_read");
            Ok(serde_json::to_string_pretty(&v).unwrap())
        }
        "table" => {
            let line = report.lines().nth(1).unwrap_or_default();
            let says = if files == 0 {
                !line.contains("files read")
            } else {
                line.starts_with(&format!("{files} files read, "))
            };
            ensure(says, || format!("the inputs line says: {line}"))?;
            Ok(report
                .lines()
                .enumerate()
                .filter(|(i, _)| *i != 1)
                .map(|(_, l)| l)
                .collect::<Vec<_>>()
                .join("\n"))
        }
        _ => Ok(report.to_string()),
    }
}

/// The default ClusterRoles kcheck assumes when a binding names one the input does not hold
/// (`crates/rules/src/analysis/rbac/default_cluster_roles.json`) are the real server's, aggregation
/// included. `KCHECK_E2E_WRITE_ROLES=1` rewrites the file from the server.
pub fn default_cluster_roles_are_the_servers(plane: &ControlPlane) -> Result<(), Failed> {
    // The aggregation controller fills admin, edit and view; wait until view has rules.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let view = plane.kubectl_ok(&["get", "clusterrole", "view", "-o", "jsonpath={.rules}"]);
        if view.len() > 10 {
            break;
        }
        ensure(std::time::Instant::now() < deadline, || {
            "view was never aggregated".into()
        })?;
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let listed: Value = serde_json::from_str(&plane.kubectl_ok(&[
        "get",
        "clusterroles",
        "-l",
        "kubernetes.io/bootstrapping=rbac-defaults",
        "-o",
        "json",
    ]))
    .unwrap();
    let mut roles: Vec<Value> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let rules: Vec<Value> = r["rules"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|rule| {
                    let mut out = serde_json::Map::new();
                    for key in [
                        "verbs",
                        "apiGroups",
                        "resources",
                        "resourceNames",
                        "nonResourceURLs",
                    ] {
                        if let Some(v) = rule.get(key) {
                            out.insert(key.to_string(), v.clone());
                        }
                    }
                    Value::Object(out)
                })
                .collect();
            serde_json::json!({"name": r["metadata"]["name"], "rules": rules})
        })
        .collect();
    roles.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let version = plane.kubectl_ok(&["version", "-o", "json"]);
    let version: Value = serde_json::from_str(&version).unwrap();
    let data = serde_json::json!({
        "kubernetes": version["serverVersion"]["gitVersion"],
        "roles": roles,
    });
    let text = format!("{}\n", serde_json::to_string_pretty(&data).unwrap());
    let path = plane
        .root
        .join("crates/rules/src/analysis/rbac/default_cluster_roles.json");
    if std::env::var_os("KCHECK_E2E_WRITE_ROLES").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    ensure(committed == text, || {
        format!(
            "{} differs from the server's default ClusterRoles; rerun with KCHECK_E2E_WRITE_ROLES=1",
            path.display()
        )
    })
}
