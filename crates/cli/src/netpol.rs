//! `kcheck netpol PATH...`: the NetworkPolicy coverage matrix (namespace, workload, ingress and
//! egress isolation, metadata API reachable), computed with the rules' own semantics.

use crate::args::{NetpolArgs, RulesFormat};
use crate::commands::write_stdout;
use crate::exit;
use kcheck_model::{Inventory, Source};
use kcheck_rules::network::netpol::coverage::{
    coverage, MetadataReach, NamespaceCoverage, WorkloadCoverage,
};
use kcheck_rules::{Config, Context};

fn location(w: &WorkloadCoverage) -> String {
    match &w.workload.source {
        Source::File { path, .. } => format!("{path}:{}", w.workload.root.pos.line.max(1)),
        Source::Api { path } => path.to_string(),
    }
}

fn has_gap(w: &WorkloadCoverage) -> bool {
    w.ingress.is_empty() || w.egress.is_empty() || w.metadata.reachable()
}

fn namespace_gap(n: &NamespaceCoverage) -> bool {
    !n.exempt
        && (n.default_deny_ingress.is_none()
            || n.default_deny_egress.is_none()
            || n.workloads.iter().any(has_gap))
}

fn metadata_text(m: &MetadataReach) -> String {
    match m {
        MetadataReach::NotIsolated => "REACHABLE (not isolated for egress)".into(),
        MetadataReach::AllowedBy { policy, rule } => {
            format!("REACHABLE (allowed by {policy} spec.egress[{rule}])")
        }
        MetadataReach::Blocked => "blocked".into(),
    }
}

fn isolation_text(policies: &[&str]) -> String {
    if policies.is_empty() {
        "OPEN".into()
    } else {
        format!("isolated by {}", policies.join(", "))
    }
}

struct Totals {
    workloads: usize,
    ingress_open: usize,
    egress_open: usize,
    metadata: usize,
    namespaces: usize,
    without_default_deny: usize,
}

fn totals(rows: &[NamespaceCoverage]) -> Totals {
    let checked: Vec<&NamespaceCoverage> = rows.iter().filter(|n| !n.exempt).collect();
    let workloads = || checked.iter().flat_map(|n| n.workloads.iter());
    Totals {
        workloads: workloads().count(),
        ingress_open: workloads().filter(|w| w.ingress.is_empty()).count(),
        egress_open: workloads().filter(|w| w.egress.is_empty()).count(),
        metadata: workloads().filter(|w| w.metadata.reachable()).count(),
        namespaces: checked.len(),
        without_default_deny: checked
            .iter()
            .filter(|n| n.default_deny_ingress.is_none() || n.default_deny_egress.is_none())
            .count(),
    }
}

pub fn run(args: NetpolArgs, config: Config) -> anyhow::Result<u8> {
    let loaded = kcheck_load::load_paths(&args.paths, &args.limits.limits());
    for d in loaded.inputs.diagnostics.iter() {
        eprintln!("kcheck: {d}");
    }
    let inventory = Inventory::new(loaded.objects);
    let ctx = Context::new(&inventory, &config);
    let mut rows = coverage(&ctx);
    if let Some(ns) = &args.namespace {
        rows.retain(|n| n.name == ns.as_str());
    }
    let t = totals(&rows);
    if args.gaps {
        rows.retain(namespace_gap);
        for n in &mut rows {
            n.workloads.retain(has_gap);
        }
    }
    let out = match args.format {
        RulesFormat::Json => json(&rows, &t),
        RulesFormat::Table => table(&rows, &t),
        RulesFormat::Markdown => markdown(&rows, &t),
    };
    write_stdout(&out)?;
    Ok(if loaded.inputs.has_errors() {
        exit::INPUT
    } else {
        exit::OK
    })
}

fn summary_line(t: &Totals) -> String {
    format!(
        "{} workload(s) in {} checked namespace(s): {} not isolated for ingress, {} not isolated for egress, {} can reach the metadata API; {} namespace(s) without a default deny in both directions\n",
        t.workloads, t.namespaces, t.ingress_open, t.egress_open, t.metadata, t.without_default_deny
    )
}

fn default_deny_text(n: &NamespaceCoverage) -> String {
    let one = |p: Option<&str>| p.map_or("MISSING".to_string(), |p| format!("yes ({p})"));
    format!(
        "default deny ingress {}, egress {}",
        one(n.default_deny_ingress),
        one(n.default_deny_egress)
    )
}

fn table(rows: &[NamespaceCoverage], t: &Totals) -> String {
    let mut out = String::new();
    for n in rows {
        out.push_str(&format!(
            "namespace {}{}: {} NetworkPolic{}, {}\n",
            n.name,
            if n.exempt { " (exempt)" } else { "" },
            n.policies,
            if n.policies == 1 { "y" } else { "ies" },
            default_deny_text(n)
        ));
        let names: Vec<String> = n
            .workloads
            .iter()
            .map(|w| format!("{}/{}", w.workload.kind, w.workload.name))
            .collect();
        let width = names.iter().map(String::len).max().unwrap_or(0).max(8);
        let ingress: Vec<String> = n
            .workloads
            .iter()
            .map(|w| isolation_text(&w.ingress))
            .collect();
        let iwidth = ingress.iter().map(String::len).max().unwrap_or(0).max(7);
        let egress: Vec<String> = n
            .workloads
            .iter()
            .map(|w| isolation_text(&w.egress))
            .collect();
        let ewidth = egress.iter().map(String::len).max().unwrap_or(0).max(6);
        if !n.workloads.is_empty() {
            out.push_str(&format!(
                "  {:<width$}  {:<iwidth$}  {:<ewidth$}  METADATA API\n",
                "WORKLOAD", "INGRESS", "EGRESS"
            ));
        }
        for (i, w) in n.workloads.iter().enumerate() {
            out.push_str(&format!(
                "  {:<width$}  {:<iwidth$}  {:<ewidth$}  {}{}\n",
                names[i],
                ingress[i],
                egress[i],
                metadata_text(&w.metadata),
                if w.host_network { " [hostNetwork]" } else { "" }
            ));
        }
    }
    out.push_str(&summary_line(t));
    out
}

fn markdown(rows: &[NamespaceCoverage], t: &Totals) -> String {
    let mut out = String::from("# NetworkPolicy coverage\n\n");
    out.push_str(&summary_line(t));
    for n in rows {
        out.push_str(&format!(
            "\n## Namespace `{}`{}\n\n{} NetworkPolicies; {}.\n",
            n.name,
            if n.exempt { " (exempt)" } else { "" },
            n.policies,
            default_deny_text(n)
        ));
        if n.workloads.is_empty() {
            continue;
        }
        out.push_str("\n| Workload | Ingress | Egress | Metadata API |\n|---|---|---|---|\n");
        for w in &n.workloads {
            out.push_str(&format!(
                "| {} `{}` | {} | {} | {} |\n",
                w.workload.kind,
                w.workload.name,
                isolation_text(&w.ingress),
                isolation_text(&w.egress),
                metadata_text(&w.metadata)
            ));
        }
    }
    out
}

fn json(rows: &[NamespaceCoverage], t: &Totals) -> String {
    let namespaces: Vec<serde_json::Value> = rows
        .iter()
        .map(|n| {
            let workloads: Vec<serde_json::Value> = n
                .workloads
                .iter()
                .map(|w| {
                    let (reason, policy, rule) = match &w.metadata {
                        MetadataReach::NotIsolated => ("notIsolated", None, None),
                        MetadataReach::AllowedBy { policy, rule } => {
                            ("allowedByPolicy", Some(*policy), Some(*rule))
                        }
                        MetadataReach::Blocked => ("blocked", None, None),
                    };
                    serde_json::json!({
                        "kind": w.workload.kind,
                        "name": w.workload.name,
                        "ingressIsolated": !w.ingress.is_empty(),
                        "ingressPolicies": w.ingress,
                        "egressIsolated": !w.egress.is_empty(),
                        "egressPolicies": w.egress,
                        "metadataReachable": w.metadata.reachable(),
                        "metadata": {"reason": reason, "policy": policy, "egressRule": rule},
                        "hostNetwork": w.host_network,
                        "location": location(w),
                    })
                })
                .collect();
            serde_json::json!({
                "name": n.name,
                "exempt": n.exempt,
                "policies": n.policies,
                "defaultDeny": {"ingress": n.default_deny_ingress, "egress": n.default_deny_egress},
                "workloads": workloads,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "summary": {
            "workloads": t.workloads,
            "namespaces": t.namespaces,
            "ingressNotIsolated": t.ingress_open,
            "egressNotIsolated": t.egress_open,
            "metadataReachable": t.metadata,
            "namespacesWithoutDefaultDeny": t.without_default_deny,
        },
        "namespaces": namespaces,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
