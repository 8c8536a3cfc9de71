//! `kcheck netpol PATH...`: the NetworkPolicy coverage matrix (namespace, workload, ingress and
//! egress isolation, metadata API reachable), computed with the rules' own semantics.

use crate::args::{NetpolArgs, RulesFormat};
use crate::commands::write_stdout;
use crate::exit;
use crate::who_can::{comma, display_width, md_code, md_esc, pad};
use kcheck_model::{Inventory, Lang, Source, Text};
use kcheck_rules::analysis::netpol::coverage::{
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

/// Names from the input as they are (table) or escaped (Markdown).
type Name<'a> = &'a dyn Fn(&str) -> String;

fn metadata_text(m: &MetadataReach, lang: Lang, name: Name) -> String {
    match (m, lang) {
        (MetadataReach::NotIsolated, Lang::En) => "REACHABLE (not isolated for egress)".into(),
        (MetadataReach::NotIsolated, Lang::Zh) => "可访问(未做出站隔离)".into(),
        (MetadataReach::AllowedBy { policy, rule }, Lang::En) => {
            format!(
                "REACHABLE (allowed by {} spec.egress[{rule}])",
                name(policy)
            )
        }
        (MetadataReach::AllowedBy { policy, rule }, Lang::Zh) => {
            format!("可访问({} 的 spec.egress[{rule}] 允许)", name(policy))
        }
        (MetadataReach::Blocked, Lang::En) => "blocked".into(),
        (MetadataReach::Blocked, Lang::Zh) => "已阻断".into(),
    }
}

fn isolation_text(policies: &[&str], lang: Lang, name: Name) -> String {
    let names: Vec<String> = policies.iter().map(|p| name(p)).collect();
    match (policies.is_empty(), lang) {
        (true, Lang::En) => "OPEN".into(),
        (true, Lang::Zh) => "未隔离".into(),
        (false, Lang::En) => format!("isolated by {}", names.join(", ")),
        (false, Lang::Zh) => format!("已隔离({})", names.join("、")),
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
    let lang = args.lang.lang();
    let out = match args.format {
        RulesFormat::Json => json(&rows, &t),
        RulesFormat::Table => table(&rows, &t, lang),
        RulesFormat::Markdown => markdown(&rows, &t, lang),
    };
    write_stdout(&out)?;
    Ok(if loaded.inputs.has_errors() {
        exit::INPUT
    } else {
        exit::OK
    })
}

fn summary_line(t: &Totals, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "{} workload(s) in {} checked namespace(s): {} not isolated for ingress, {} not isolated for egress, {} can reach the metadata API; {} namespace(s) without a default deny in both directions\n",
            t.workloads, t.namespaces, t.ingress_open, t.egress_open, t.metadata, t.without_default_deny
        ),
        Lang::Zh => format!(
            "已检查 {} 个名字空间中的 {} 个工作负载:{} 个未做入站隔离,{} 个未做出站隔离,{} 个可访问云元数据 API;{} 个名字空间未在入站和出站两个方向都配置默认拒绝\n",
            t.namespaces, t.workloads, t.ingress_open, t.egress_open, t.metadata, t.without_default_deny
        ),
    }
}

fn default_deny_text(n: &NamespaceCoverage, lang: Lang, name: Name) -> String {
    match lang {
        Lang::En => {
            let one =
                |p: Option<&str>| p.map_or("MISSING".to_string(), |p| format!("yes ({})", name(p)));
            format!(
                "default deny ingress {}, egress {}",
                one(n.default_deny_ingress),
                one(n.default_deny_egress)
            )
        }
        Lang::Zh => {
            let one = |p: Option<&str>| {
                p.map_or("缺失".to_string(), |p| format!("已配置({})", name(p)))
            };
            format!(
                "入站默认拒绝:{},出站默认拒绝:{}",
                one(n.default_deny_ingress),
                one(n.default_deny_egress)
            )
        }
    }
}

static EXEMPT: Text = Text::fixed(" (exempt)", "(已豁免)");
static WORKLOAD: Text = Text::fixed("WORKLOAD", "工作负载");
static INGRESS: Text = Text::fixed("INGRESS", "入站");
static EGRESS: Text = Text::fixed("EGRESS", "出站");
static METADATA: Text = Text::fixed("METADATA API", "云元数据 API");

/// "5 NetworkPolicies", "5 个网络策略"; with `singular`, "1 NetworkPolicy" (the English table
/// says it, the Markdown never did).
fn policies_count(n: usize, lang: Lang, singular: bool) -> String {
    match lang {
        Lang::En if singular && n == 1 => format!("{n} NetworkPolicy"),
        Lang::En => format!("{n} NetworkPolicies"),
        Lang::Zh => format!("{n} 个网络策略"),
    }
}

fn table(rows: &[NamespaceCoverage], t: &Totals, lang: Lang) -> String {
    let same = |s: &str| s.to_string();
    let mut out = String::new();
    for n in rows {
        let namespace = match lang {
            Lang::En => format!("namespace {}", n.name),
            Lang::Zh => format!("名字空间 {}", n.name),
        };
        out.push_str(&format!(
            "{namespace}{}{}{}{}{}\n",
            if n.exempt { EXEMPT.get(lang) } else { "" },
            crate::who_can::colon(lang),
            policies_count(n.policies, lang, true),
            comma(lang),
            default_deny_text(n, lang, &same)
        ));
        let names: Vec<String> = n
            .workloads
            .iter()
            .map(|w| format!("{}/{}", w.workload.kind, w.workload.name))
            .collect();
        let ingress: Vec<String> = n
            .workloads
            .iter()
            .map(|w| isolation_text(&w.ingress, lang, &same))
            .collect();
        let egress: Vec<String> = n
            .workloads
            .iter()
            .map(|w| isolation_text(&w.egress, lang, &same))
            .collect();
        let width_of = |cells: &[String], heading: &Text| {
            cells
                .iter()
                .map(|c| display_width(c))
                .max()
                .unwrap_or(0)
                .max(display_width(heading.get(lang)))
        };
        let width = width_of(&names, &WORKLOAD);
        let iwidth = width_of(&ingress, &INGRESS);
        let ewidth = width_of(&egress, &EGRESS);
        if !n.workloads.is_empty() {
            out.push_str(&format!(
                "  {}  {}  {}  {}\n",
                pad(WORKLOAD.get(lang), width),
                pad(INGRESS.get(lang), iwidth),
                pad(EGRESS.get(lang), ewidth),
                METADATA.get(lang)
            ));
        }
        for (i, w) in n.workloads.iter().enumerate() {
            out.push_str(&format!(
                "  {}  {}  {}  {}{}\n",
                pad(&names[i], width),
                pad(&ingress[i], iwidth),
                pad(&egress[i], ewidth),
                metadata_text(&w.metadata, lang, &same),
                if w.host_network { " [hostNetwork]" } else { "" }
            ));
        }
    }
    out.push_str(&summary_line(t, lang));
    out
}

static MD_TITLE: Text = Text::fixed("NetworkPolicy coverage", "网络策略覆盖情况");
static MD_NAMESPACE: Text = Text::fixed("Namespace", "名字空间");
static MD_WORKLOAD: Text = Text::fixed("Workload", "工作负载");
static MD_INGRESS: Text = Text::fixed("Ingress", "入站");
static MD_EGRESS: Text = Text::fixed("Egress", "出站");
static MD_METADATA: Text = Text::fixed("Metadata API", "云元数据 API");

fn markdown(rows: &[NamespaceCoverage], t: &Totals, lang: Lang) -> String {
    let esc = |s: &str| md_esc(s);
    let (semicolon, stop) = match lang {
        Lang::En => ("; ", "."),
        Lang::Zh => (";", "。"),
    };
    let mut out = format!("# {}\n\n", MD_TITLE.get(lang));
    out.push_str(&summary_line(t, lang));
    for n in rows {
        out.push_str(&format!(
            "\n## {} {}{}\n\n{}{semicolon}{}{stop}\n",
            MD_NAMESPACE.get(lang),
            md_code(n.name),
            if n.exempt { EXEMPT.get(lang) } else { "" },
            policies_count(n.policies, lang, false),
            default_deny_text(n, lang, &esc)
        ));
        if n.workloads.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n| {} | {} | {} | {} |\n|---|---|---|---|\n",
            MD_WORKLOAD.get(lang),
            MD_INGRESS.get(lang),
            MD_EGRESS.get(lang),
            MD_METADATA.get(lang)
        ));
        for w in &n.workloads {
            out.push_str(&format!(
                "| {} {} | {} | {} | {} |\n",
                md_esc(&w.workload.kind),
                md_code(&w.workload.name),
                isolation_text(&w.ingress, lang, &esc),
                isolation_text(&w.egress, lang, &esc),
                metadata_text(&w.metadata, lang, &esc)
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
