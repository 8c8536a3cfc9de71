//! A cluster audit's node reports: the ConfigMaps nodes published in `--node-report-namespace`
//! (taken out of the objects the audit judges: they are kcheck's, not the cluster's
//! configuration) and the files of `--node-reports DIR`, matched to the cluster's Nodes.

use kcheck_cluster::node_reports as store;
use kcheck_model::node_report::NodeReport;
use kcheck_model::{Diagnostic, DiagnosticSeverity, Inputs, NodeSeen, Object, Text};
use kcheck_rules::node_reports::{self, Freshness, NodeInput, NodeReports};
use std::collections::BTreeMap;
use std::path::Path;

/// The role labels of a control-plane Node (kubeadm's, and the older one).
const CONTROL_PLANE_LABELS: [&str; 2] = [
    "node-role.kubernetes.io/control-plane",
    "node-role.kubernetes.io/master",
];

/// A report found, where, or why it could not be read.
struct Found {
    source: String,
    report: Result<NodeReport, Text>,
}

/// Takes the node report ConfigMaps of `namespace` out of `objects`, reads `dir`, and matches
/// the reports to the Nodes among `objects`. `None` when there is no node report anywhere and
/// no directory was given: the audit then judges what the API shows, as without node reports.
pub fn gather(
    objects: &mut Vec<Object>,
    namespace: &str,
    dir: Option<&Path>,
    freshness: Freshness,
    inputs: &mut Inputs,
) -> Option<NodeReports> {
    let mut by_node: BTreeMap<String, Vec<Found>> = BTreeMap::new();
    let mut taken = 0;
    objects.retain(|o| {
        if !store::is_node_report(o, namespace) {
            return true;
        }
        taken += 1;
        let report = store::from_config_map(o);
        let node = store::node_of(o)
            .map(str::to_string)
            .or_else(|| report.as_ref().ok().map(|r| r.node.clone()));
        let source = format!("configmap {namespace}/{}", o.name);
        match node {
            Some(node) => by_node
                .entry(node)
                .or_default()
                .push(Found { source, report }),
            None => inputs.diagnostics.push(Diagnostic {
                file: source.into(),
                line: 0,
                column: 0,
                severity: DiagnosticSeverity::Error,
                message: unreadable(report.err()),
            }),
        }
        false
    });
    // kcheck's own reports are not among the objects judged.
    inputs.objects = inputs.objects.saturating_sub(taken);
    if let Some(dir) = dir {
        read_dir(dir, &mut by_node, inputs);
    }
    if by_node.is_empty() && dir.is_none() {
        return None;
    }

    let nodes: Vec<(&str, bool)> = objects
        .iter()
        .filter(|o| o.kind == "Node")
        .map(|o| {
            let plane = CONTROL_PLANE_LABELS.iter().any(|l| o.label(l).is_some());
            (o.name.as_str(), plane)
        })
        .collect();
    // Without the Nodes (a dump without them, or forbidden), the reports say which nodes
    // there are.
    let names: Vec<(String, bool)> = if nodes.is_empty() {
        by_node.keys().map(|n| (n.clone(), false)).collect()
    } else {
        for (node, found) in &by_node {
            if !nodes.iter().any(|(n, _)| n == node) {
                let source = &found[0].source;
                inputs.skipped.push(kcheck_model::Skipped {
                    path: source.clone(),
                    reason: kcheck_model::text!(
                        "node report of {node}, which is not a Node of the cluster",
                        "节点 {node} 的节点报告，而集群中没有这个 Node",
                    ),
                });
            }
        }
        nodes.iter().map(|(n, p)| (n.to_string(), *p)).collect()
    };

    let whence = match dir {
        Some(dir) => {
            let dir = dir.display().to_string();
            kcheck_model::text!(
                "none published in namespace {namespace} or found in {dir}",
                "名字空间 {namespace} 中没有发布，{dir} 中也没有",
            )
        }
        None => kcheck_model::text!(
            "none published in namespace {namespace}",
            "名字空间 {namespace} 中没有发布",
        ),
    };
    let mut merged = NodeReports::default();
    for (name, labelled) in names {
        let found = by_node.remove(&name).unwrap_or_default();
        let report = best(&name, found, freshness).ok_or_else(|| whence.clone());
        let report = report.and_then(|r| r);
        let control_plane = labelled || report.as_ref().is_ok_and(|r| r.runs_control_plane());
        inputs.nodes.push(NodeSeen {
            name: name.clone(),
            control_plane,
            merged: report.is_ok(),
            detail: match &report {
                Ok(r) => {
                    let (at, version, problems) =
                        (r.generated.rfc3339(), &r.kcheck_version, r.problems());
                    let noun = if problems == 1 { "problem" } else { "problems" };
                    let scanned = kcheck_model::text!(
                        "scanned {at} by kcheck {version}: {problems} {noun}",
                        "由 kcheck {version} 于 {at} 扫描：{problems} 个问题",
                    );
                    match &r.distribution {
                        Some(d) => Text::new(
                            format!("{}; {}", scanned.en, d.en),
                            format!("{}；{}", scanned.zh, d.zh),
                        ),
                        None => scanned,
                    }
                }
                Err(why) => why.clone(),
            },
        });
        merged.nodes.push(NodeInput {
            name,
            control_plane,
            report,
        });
    }
    Some(merged)
}

/// The newest usable of a node's reports, else why the newest could not be used; `None` when
/// it has none.
fn best(
    node: &str,
    found: Vec<Found>,
    freshness: Freshness,
) -> Option<Result<node_reports::Imported, Text>> {
    let mut usable: Option<node_reports::Imported> = None;
    let mut refused: Option<Text> = None;
    for f in found {
        let imported = f
            .report
            .and_then(|doc| node_reports::import(&doc, node, freshness))
            .map_err(|why| {
                let source = f.source;
                Text::new(
                    format!("{source}: {}", why.en),
                    format!("{source}：{}", why.zh),
                )
            });
        match imported {
            Ok(i) if usable.as_ref().is_none_or(|u| u.generated < i.generated) => {
                usable = Some(i);
            }
            Ok(_) => {}
            Err(why) => refused = refused.or(Some(why)),
        }
    }
    match (usable, refused) {
        (Some(u), _) => Some(Ok(u)),
        (None, Some(why)) => Some(Err(why)),
        (None, None) => None,
    }
}

/// The node reports in `dir`: `*.json` and `*.json.gz` files, in name order.
fn read_dir(dir: &Path, by_node: &mut BTreeMap<String, Vec<Found>>, inputs: &mut Inputs) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            inputs.diagnostics.push(Diagnostic {
                file: dir.display().to_string().into(),
                line: 0,
                column: 0,
                severity: DiagnosticSeverity::Error,
                message: Text::same(e.to_string()),
            });
            return;
        }
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.ends_with(".json") || name.ends_with(".json.gz")
        })
        .collect();
    paths.sort();
    for path in paths {
        let source = path.display().to_string();
        inputs.files_read += 1;
        match store::read_file(&path) {
            Ok(report) => by_node.entry(report.node.clone()).or_default().push(Found {
                source,
                report: Ok(report),
            }),
            Err(why) => inputs.diagnostics.push(Diagnostic {
                file: source.into(),
                line: why.line,
                column: why.column,
                severity: DiagnosticSeverity::Error,
                message: why.message,
            }),
        }
    }
}

fn unreadable(why: Option<Text>) -> Text {
    let why = why.unwrap_or_else(|| Text::fixed("no node named", "未指明节点"));
    Text::new(
        format!("a node report that names no node: {}", why.en),
        format!("未指明节点的节点报告：{}", why.zh),
    )
}
