//! `kcheck netpol`: per namespace, its policies and default denies, then a row per workload with
//! its ingress and egress isolation and whether it can reach the cloud metadata API; the totals
//! last in the table, first in Markdown.

use super::{escaped, same, write_json};
use crate::labels::{colon, comma, WORKLOAD as MD_WORKLOAD};
use crate::layout::{pad, width, Spool};
use crate::markdown::code;
use kcheck_model::{
    Lang, MetadataAccess, NetpolCoverage, NetpolNamespace, NetpolTotals, OpenedBy, Text,
};
use serde::Serialize;
use std::fmt::Write as _;
use std::io;

/// Names from the input as they are (table) or escaped (Markdown).
type Name<'a> = &'a dyn Fn(&str) -> String;

static EXEMPT: Text = Text::fixed(" (exempt)", "（已豁免）");
static WORKLOAD: Text = Text::fixed("WORKLOAD", "工作负载");
static INGRESS: Text = Text::fixed("INGRESS", "入站");
static EGRESS: Text = Text::fixed("EGRESS", "出站");
static METADATA: Text = Text::fixed("METADATA API", "云元数据 API");
static MD_TITLE: Text = Text::fixed("NetworkPolicy coverage", "网络策略覆盖情况");
static MD_NAMESPACE: Text = Text::fixed("Namespace", "名字空间");
static MD_INGRESS: Text = Text::fixed("Ingress", "入站");
static MD_EGRESS: Text = Text::fixed("Egress", "出站");
static MD_METADATA: Text = Text::fixed("Metadata API", "云元数据 API");

fn metadata_text(m: &MetadataAccess, lang: Lang, name: Name) -> String {
    match (m, lang) {
        (MetadataAccess::NotIsolated, Lang::En) => "REACHABLE (not isolated for egress)".into(),
        (MetadataAccess::NotIsolated, Lang::Zh) => "可访问（未做出站隔离）".into(),
        (MetadataAccess::AllowedBy { policy, rule }, Lang::En) => {
            format!(
                "REACHABLE (allowed by {} spec.egress[{rule}])",
                name(policy)
            )
        }
        (MetadataAccess::AllowedBy { policy, rule }, Lang::Zh) => {
            format!("可访问（{} 的 spec.egress[{rule}] 允许）", name(policy))
        }
        (MetadataAccess::Blocked, Lang::En) => "blocked".into(),
        (MetadataAccess::Blocked, Lang::Zh) => "已阻断".into(),
    }
}

fn isolation_text(
    policies: &[String],
    open: Option<&OpenedBy>,
    field: &str,
    lang: Lang,
    name: Name,
) -> String {
    if let Some(o) = open {
        let (policy, rule) = (name(&o.policy), o.rule);
        return match lang {
            Lang::En => format!("OPEN TO ALL by {policy} ({field}[{rule}])"),
            Lang::Zh => format!("对所有流量开放（{policy} 的 {field}[{rule}]）"),
        };
    }
    let names: Vec<String> = policies.iter().map(|p| name(p)).collect();
    match (policies.is_empty(), lang) {
        (true, Lang::En) => "OPEN".into(),
        (true, Lang::Zh) => "未隔离".into(),
        (false, Lang::En) => format!("isolated by {}", names.join(", ")),
        (false, Lang::Zh) => format!("已隔离（{}）", names.join("、")),
    }
}

fn summary_line(t: &NetpolTotals, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "{} workload(s) in {} checked namespace(s): {} not isolated for ingress, {} not isolated for egress, {} can reach the metadata API; {} namespace(s) without a default deny in both directions\n",
            t.workloads, t.namespaces, t.ingress_not_isolated, t.egress_not_isolated, t.metadata_reachable, t.without_default_deny
        ),
        Lang::Zh => format!(
            "已检查 {} 个名字空间中的 {} 个工作负载：{} 个未做入站隔离，{} 个未做出站隔离，{} 个可访问云元数据 API；{} 个名字空间未在入站和出站两个方向都配置默认拒绝\n",
            t.namespaces, t.workloads, t.ingress_not_isolated, t.egress_not_isolated, t.metadata_reachable, t.without_default_deny
        ),
    }
}

fn default_deny_text(n: &NetpolNamespace, lang: Lang, name: Name) -> String {
    let ingress = n.default_deny_ingress.as_deref();
    let egress = n.default_deny_egress.as_deref();
    match lang {
        Lang::En => {
            let one =
                |p: Option<&str>| p.map_or("MISSING".to_string(), |p| format!("yes ({})", name(p)));
            format!(
                "default deny ingress {}, egress {}",
                one(ingress),
                one(egress)
            )
        }
        Lang::Zh => {
            let one = |p: Option<&str>| {
                p.map_or("缺失".to_string(), |p| format!("已配置（{}）", name(p)))
            };
            format!(
                "入站默认拒绝：{}，出站默认拒绝：{}",
                one(ingress),
                one(egress)
            )
        }
    }
}

/// "5 NetworkPolicies", "5 个网络策略"; with `singular`, "1 NetworkPolicy" (the English table
/// says it, the Markdown never did).
fn policies_count(n: usize, lang: Lang, singular: bool) -> String {
    match lang {
        Lang::En if singular && n == 1 => format!("{n} NetworkPolicy"),
        Lang::En => format!("{n} NetworkPolicies"),
        Lang::Zh => format!("{n} 个网络策略"),
    }
}

pub(super) fn table(
    coverage: &NetpolCoverage,
    lang: Lang,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let mut spool = Spool::new(out);
    for n in &coverage.namespaces {
        let namespace = match lang {
            Lang::En => format!("namespace {}", n.name),
            Lang::Zh => format!("名字空间 {}", n.name),
        };
        let _ = writeln!(
            spool.buf,
            "{namespace}{}{}{}{}{}",
            if n.exempt { EXEMPT.get(lang) } else { "" },
            colon(lang),
            policies_count(n.policies, lang, true),
            comma(lang),
            default_deny_text(n, lang, &same)
        );
        let names: Vec<String> = n
            .workloads
            .iter()
            .map(|w| format!("{}/{}", w.kind, w.name))
            .collect();
        let ingress: Vec<String> = n
            .workloads
            .iter()
            .map(|w| isolation_text(&w.ingress, w.ingress_open.as_ref(), "ingress", lang, &same))
            .collect();
        let egress: Vec<String> = n
            .workloads
            .iter()
            .map(|w| isolation_text(&w.egress, w.egress_open.as_ref(), "egress", lang, &same))
            .collect();
        // Each column as wide as its widest cell or its heading.
        let width_of = |cells: &[String], heading: &Text| {
            cells
                .iter()
                .map(|c| width(c))
                .max()
                .unwrap_or(0)
                .max(width(heading.get(lang)))
        };
        let (nwidth, iwidth, ewidth) = (
            width_of(&names, &WORKLOAD),
            width_of(&ingress, &INGRESS),
            width_of(&egress, &EGRESS),
        );
        if !n.workloads.is_empty() {
            let _ = writeln!(
                spool.buf,
                "  {}  {}  {}  {}",
                pad(WORKLOAD.get(lang), nwidth),
                pad(INGRESS.get(lang), iwidth),
                pad(EGRESS.get(lang), ewidth),
                METADATA.get(lang)
            );
        }
        for (i, w) in n.workloads.iter().enumerate() {
            let _ = writeln!(
                spool.buf,
                "  {}  {}  {}  {}{}",
                pad(&names[i], nwidth),
                pad(&ingress[i], iwidth),
                pad(&egress[i], ewidth),
                metadata_text(&w.metadata, lang, &same),
                if w.host_network { " [hostNetwork]" } else { "" }
            );
        }
        spool.flush()?;
    }
    spool.buf.push_str(&summary_line(&coverage.totals, lang));
    spool.finish()
}

pub(super) fn markdown(
    coverage: &NetpolCoverage,
    lang: Lang,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let (semicolon, stop) = match lang {
        Lang::En => ("; ", "."),
        Lang::Zh => ("；", "。"),
    };
    let mut spool = Spool::new(out);
    let _ = write!(spool.buf, "# {}\n\n", MD_TITLE.get(lang));
    spool.buf.push_str(&summary_line(&coverage.totals, lang));
    for n in &coverage.namespaces {
        let _ = write!(
            spool.buf,
            "\n## {} {}{}\n\n{}{semicolon}{}{stop}\n",
            MD_NAMESPACE.get(lang),
            code(&n.name),
            if n.exempt { EXEMPT.get(lang) } else { "" },
            policies_count(n.policies, lang, false),
            default_deny_text(n, lang, &escaped)
        );
        if !n.workloads.is_empty() {
            spool.buf.push('\n');
            crate::markdown::table_head(
                &mut spool.buf,
                &[
                    MD_WORKLOAD.get(lang),
                    MD_INGRESS.get(lang),
                    MD_EGRESS.get(lang),
                    MD_METADATA.get(lang),
                ],
            );
        }
        for w in &n.workloads {
            let _ = writeln!(
                spool.buf,
                "| {} {} | {} | {} | {} |",
                escaped(&w.kind),
                code(&w.name),
                isolation_text(
                    &w.ingress,
                    w.ingress_open.as_ref(),
                    "ingress",
                    lang,
                    &escaped
                ),
                isolation_text(&w.egress, w.egress_open.as_ref(), "egress", lang, &escaped),
                metadata_text(&w.metadata, lang, &escaped)
            );
        }
        spool.flush()?;
    }
    spool.finish()
}

#[derive(Serialize)]
struct Document<'a> {
    namespaces: Vec<Namespace<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary {
    egress_not_isolated: usize,
    ingress_not_isolated: usize,
    metadata_reachable: usize,
    namespaces: usize,
    namespaces_without_default_deny: usize,
    workloads: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Namespace<'a> {
    default_deny: DefaultDeny<'a>,
    exempt: bool,
    name: &'a str,
    policies: usize,
    workloads: Vec<Workload<'a>>,
}

#[derive(Serialize)]
struct DefaultDeny<'a> {
    egress: Option<&'a str>,
    ingress: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Workload<'a> {
    egress_isolated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    egress_opened_by: Option<Opened<'a>>,
    egress_policies: &'a [String],
    host_network: bool,
    ingress_isolated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    ingress_opened_by: Option<Opened<'a>>,
    ingress_policies: &'a [String],
    kind: &'a str,
    location: &'a str,
    metadata: Metadata<'a>,
    metadata_reachable: bool,
    name: &'a str,
}

/// The policy and rule that open a workload to all traffic in one direction.
#[derive(Serialize)]
struct Opened<'a> {
    policy: &'a str,
    rule: usize,
}

fn opened(o: Option<&OpenedBy>) -> Option<Opened<'_>> {
    o.map(|o| Opened {
        policy: &o.policy,
        rule: o.rule,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata<'a> {
    egress_rule: Option<usize>,
    policy: Option<&'a str>,
    reason: &'static str,
}

pub(super) fn json(coverage: &NetpolCoverage, out: &mut dyn io::Write) -> io::Result<()> {
    let t = &coverage.totals;
    let doc = Document {
        namespaces: coverage
            .namespaces
            .iter()
            .map(|n| Namespace {
                default_deny: DefaultDeny {
                    egress: n.default_deny_egress.as_deref(),
                    ingress: n.default_deny_ingress.as_deref(),
                },
                exempt: n.exempt,
                name: &n.name,
                policies: n.policies,
                workloads: n
                    .workloads
                    .iter()
                    .map(|w| Workload {
                        egress_isolated: w.egress_isolated(),
                        egress_opened_by: opened(w.egress_open.as_ref()),
                        egress_policies: &w.egress,
                        host_network: w.host_network,
                        ingress_isolated: w.ingress_isolated(),
                        ingress_opened_by: opened(w.ingress_open.as_ref()),
                        ingress_policies: &w.ingress,
                        kind: &w.kind,
                        location: &w.location,
                        metadata: match &w.metadata {
                            MetadataAccess::NotIsolated => Metadata {
                                egress_rule: None,
                                policy: None,
                                reason: "notIsolated",
                            },
                            MetadataAccess::AllowedBy { policy, rule } => Metadata {
                                egress_rule: Some(*rule),
                                policy: Some(policy),
                                reason: "allowedByPolicy",
                            },
                            MetadataAccess::Blocked => Metadata {
                                egress_rule: None,
                                policy: None,
                                reason: "blocked",
                            },
                        },
                        metadata_reachable: w.metadata.reachable(),
                        name: &w.name,
                    })
                    .collect(),
            })
            .collect(),
        summary: Summary {
            egress_not_isolated: t.egress_not_isolated,
            ingress_not_isolated: t.ingress_not_isolated,
            metadata_reachable: t.metadata_reachable,
            namespaces: t.namespaces,
            namespaces_without_default_deny: t.without_default_deny,
            workloads: t.workloads,
        },
    };
    write_json(&doc, out)
}
