//! Node reports: what `kcheck node` publishes about a node ([`write`]), and how a cluster audit
//! takes each node's report back ([`import`]) and merges all of them into its own judgement
//! ([`NodeReports`], given to [`Engine::with_node_reports`](crate::Engine::with_node_reports)).
//!
//! A node rule judged over the cluster's nodes sees, for each node:
//! - a usable report: the rule's findings and notes there, named after the node, and what it
//!   examined. A worker has nothing to show a control-plane rule ([`Nodes::ControlPlane`]):
//!   that rule's "could not examine" notes from workers are dropped, its findings kept;
//! - no usable report (none published, too old, from another kcheck, unreadable): when the rule
//!   applies to the node (every rule on a control-plane node, [`Nodes::Every`] rules on all),
//!   a note that it could not be examined there, naming the node and why. The item cannot pass.
//!
//! Failures and warnings from any node fail or warn the item, as findings always do.

use crate::{registry, Nodes, Rule, Sink};
use kcheck_model::node_report::{
    NodeFinding, NodeItem, NodeNote, NodeObject, NodePlace, NodeReport, NodeRule, NodeWaiver,
    Words, API_VERSION, KIND,
};
use kcheck_model::{
    Evidence, Finding, Location, Note, NoteKind, Now, ObjectRef, Report, Text, Waiver,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The kcheck version that writes and judges node reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// At most this many findings and notes are taken from one node's report: a report is written
/// by a node, and a node is not trusted to stay small.
pub const MAX_ENTRIES_PER_NODE: usize = 5_000;

/// The rules that judge a node's facts.
fn node_rules() -> impl Iterator<Item = &'static Rule> {
    registry::all()
        .iter()
        .copied()
        .filter(|r| r.evidence == Evidence::Node)
}

/// The items node scans judge, in checklist order.
pub fn node_items() -> Vec<&'static str> {
    kcheck_model::ITEMS
        .iter()
        .map(|i| i.id)
        .filter(|id| node_rules().any(|r| r.item == *id))
        .collect()
}

/// The node report of `report`, a node scan of `node` at `now` that found `components`.
pub fn write(report: &Report, node: &str, components: Vec<String>, now: Now) -> NodeReport {
    let examined: BTreeMap<&str, usize> =
        report.rules.iter().map(|r| (r.code, r.examined)).collect();
    let is_node_rule = |code: &str| node_rules().any(|r| r.code == code);
    let items = report
        .items
        .iter()
        .filter(|r| node_rules().any(|rule| rule.item == r.item.id))
        .map(|r| {
            let rules: Vec<NodeRule> = node_rules()
                .filter(|rule| rule.item == r.item.id)
                .filter_map(|rule| {
                    examined.get(rule.code).map(|&n| NodeRule {
                        code: rule.code.to_string(),
                        examined: n,
                    })
                })
                .collect();
            NodeItem {
                id: r.item.id.to_string(),
                status: r.status,
                reason: r.reason.as_ref().map(Words::from),
                examined: rules.iter().map(|n| n.examined).sum(),
                rules,
                findings: report
                    .findings
                    .pick(&r.findings)
                    .filter(|f| is_node_rule(f.code))
                    .map(|f| NodeFinding {
                        code: f.code.to_string(),
                        severity: f.severity,
                        level: f.level,
                        place: place(
                            f.location.as_ref(),
                            f.source.as_deref(),
                            f.path.as_deref(),
                            f.object.as_deref(),
                        ),
                        message: Words::from(&f.message),
                        fix: Words::from(&f.fix),
                        waiver: f.waiver.as_deref().map(|w| NodeWaiver {
                            source: w.source.clone(),
                            reason: w.reason.clone(),
                        }),
                    })
                    .collect(),
                notes: r
                    .notes
                    .iter()
                    .map(|&i| &report.notes[i])
                    .filter(|n| is_node_rule(n.code))
                    .map(|n| NodeNote {
                        // The engine makes an item manual only when all it could not examine
                        // is someone else's to configure.
                        managed: r.status == kcheck_model::Status::Manual
                            && n.kind == NoteKind::NotExamined,
                        code: n.code.to_string(),
                        kind: n.kind,
                        place: place(
                            n.location.as_ref(),
                            n.source.as_deref(),
                            n.path.as_deref(),
                            n.object.as_deref(),
                        ),
                        message: Words::from(&n.message),
                    })
                    .collect(),
            }
        })
        .collect();
    NodeReport {
        api_version: API_VERSION.to_string(),
        kind: KIND.to_string(),
        node: node.to_string(),
        kcheck_version: VERSION.to_string(),
        generated_at: now.rfc3339(),
        components,
        distribution: report
            .target
            .as_ref()
            .and_then(|t| t.distribution.as_ref())
            .map(|d| Words::from(&d.short())),
        items,
    }
}

fn place(
    location: Option<&Location>,
    source: Option<&str>,
    path: Option<&str>,
    object: Option<&ObjectRef>,
) -> NodePlace {
    NodePlace {
        file: location.map(|l| l.file.to_string()),
        line: location.map_or(0, |l| l.line),
        column: location.map_or(0, |l| l.column),
        source: source.map(str::to_string),
        path: path.map(str::to_string),
        object: object.map(|o| NodeObject {
            api_version: o.api_version.clone(),
            kind: o.kind.clone(),
            namespace: o.namespace.clone(),
            name: o.name.clone(),
        }),
    }
}

/// What a cluster audit accepts of a node report.
#[derive(Clone, Copy, Debug)]
pub struct Freshness {
    /// The audit's moment.
    pub now: Now,
    /// A report older than this many seconds is stale (`--max-node-report-age`).
    pub max_age: i64,
}

/// Reports may come from clocks a little ahead of the auditor's.
const CLOCK_SKEW: i64 = 300;

/// One node's report, taken back: per node rule, what it examined, found and noted.
#[derive(Clone, Debug)]
pub struct Imported {
    pub generated: Now,
    pub kcheck_version: String,
    /// Components the node scan found (`kube-apiserver`, `kubelet`, ...).
    pub components: Vec<String>,
    /// The node's distribution and role, as its scan detected them.
    pub distribution: Option<Text>,
    rules: BTreeMap<&'static str, RuleResult>,
}

#[derive(Clone, Debug, Default)]
struct RuleResult {
    examined: usize,
    findings: Vec<Finding>,
    /// With whether each says someone else configures what it could not examine.
    notes: Vec<(Note, bool)>,
}

impl Imported {
    /// Whether the node runs a control-plane component.
    pub fn runs_control_plane(&self) -> bool {
        self.components.iter().any(|c| {
            matches!(
                c.as_str(),
                "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "etcd"
            )
        })
    }

    /// Failing and warning findings, waived ones left out.
    pub fn problems(&self) -> usize {
        self.rules
            .values()
            .flat_map(|r| &r.findings)
            .filter(|f| !f.waived && f.level != kcheck_model::Level::Info)
            .count()
    }
}

/// Whether this kcheck accepts the verdicts of kcheck `version`: the same minor version (the
/// rules and the document's meaning change only between minor versions).
pub fn accepts_version(version: &str) -> Result<(), Text> {
    let minor = |v: &str| {
        let mut parts = v.trim_start_matches('v').split('.');
        Some((parts.next()?.to_string(), parts.next()?.to_string()))
    };
    match (minor(version), minor(VERSION)) {
        (Some(theirs), Some(ours)) if theirs == ours => Ok(()),
        _ => Err(kcheck_model::text!(
            "written by kcheck {version}, and this is kcheck {VERSION}: rerun the node scan with the same minor version",
            "由 kcheck {version} 写出，而当前是 kcheck {VERSION}：请用相同的次版本重新扫描节点",
        )),
    }
}

/// Takes `doc`, the report of node `node`, back for an audit at `freshness`: the report's
/// findings and notes named after the node, or why it cannot be used.
pub fn import(doc: &NodeReport, node: &str, freshness: Freshness) -> Result<Imported, Text> {
    if doc.api_version != API_VERSION || doc.kind != KIND {
        let (v, k) = (&doc.api_version, &doc.kind);
        return Err(kcheck_model::text!(
            "not a node report this kcheck reads (apiVersion {v}, kind {k}; expected {API_VERSION} {KIND})",
            "不是当前 kcheck 可读取的节点报告（apiVersion {v}，kind {k}；应为 {API_VERSION} {KIND}）",
        ));
    }
    if doc.node != node {
        let other = &doc.node;
        return Err(kcheck_model::text!(
            "the report names node {other}, not {node}",
            "报告所述节点为 {other}，而非 {node}",
        ));
    }
    accepts_version(&doc.kcheck_version)?;
    let Some(generated) = doc.generated() else {
        let at = &doc.generated_at;
        return Err(kcheck_model::text!(
            "its time generatedAt {at:?} is not RFC 3339",
            "其时间 generatedAt {at:?} 不是 RFC 3339 格式",
        ));
    };
    let age = freshness.now.unix() - generated.unix();
    if age > freshness.max_age {
        let (age, max) = (
            kcheck_model::duration::human_seconds(age),
            kcheck_model::duration::human_seconds(freshness.max_age),
        );
        return Err(kcheck_model::text!(
            "its report is {age} old, older than --max-node-report-age {max}",
            "其报告已有 {age}，超过 --max-node-report-age {max}",
        ));
    }
    if age < -CLOCK_SKEW {
        let at = &doc.generated_at;
        return Err(kcheck_model::text!(
            "its report is dated {at}, in the future: check the node's clock",
            "其报告日期为 {at}，晚于当前时间：请检查该节点的时钟",
        ));
    }
    let node_name: Arc<str> = Arc::from(node);
    let mut rules: BTreeMap<&'static str, RuleResult> = BTreeMap::new();
    let mut entries = 0usize;
    for item in &doc.items {
        for counted in &item.rules {
            let rule = node_rule(&counted.code, &item.id)?;
            rules.entry(rule.code).or_default().examined += counted.examined;
        }
        for f in &item.findings {
            entries += 1;
            if entries > MAX_ENTRIES_PER_NODE {
                return Err(too_many());
            }
            let rule = node_rule(&f.code, &item.id)?;
            if !rule.all_severities().contains(&f.severity) {
                let (code, severity) = (rule.code, f.severity);
                return Err(kcheck_model::text!(
                    "it gives {code} severity {severity}, which the rule does not have",
                    "其中 {code} 的严重程度为 {severity}，该规则没有这一级别",
                ));
            }
            let (location, source, path, object) = placed(&f.place);
            rules.entry(rule.code).or_default().findings.push(Finding {
                code: rule.code,
                rule: rule.name,
                item: rule.item,
                severity: f.severity,
                level: f.level,
                object,
                path,
                location,
                source,
                node: Some(node_name.clone()),
                message: crate::rule::bounded(Text::from(&f.message)),
                fix: crate::rule::bounded(Text::from(&f.fix)),
                waived: f.waiver.is_some(),
                waiver: f.waiver.as_ref().map(|w| {
                    Box::new(Waiver {
                        source: format!("{} ({node})", w.source),
                        reason: w.reason.clone(),
                    })
                }),
                pods: 0,
            });
        }
        for n in &item.notes {
            entries += 1;
            if entries > MAX_ENTRIES_PER_NODE {
                return Err(too_many());
            }
            let rule = node_rule(&n.code, &item.id)?;
            let (location, source, path, object) = placed(&n.place);
            let note = Note {
                kind: n.kind,
                code: rule.code,
                item: rule.item,
                object,
                path,
                location,
                source,
                node: Some(node_name.clone()),
                message: crate::rule::bounded(Text::from(&n.message)),
            };
            let managed = n.managed && n.kind == NoteKind::NotExamined;
            rules
                .entry(rule.code)
                .or_default()
                .notes
                .push((note, managed));
        }
    }
    Ok(Imported {
        generated,
        kcheck_version: doc.kcheck_version.clone(),
        components: doc.components.clone(),
        distribution: doc.distribution.as_ref().map(Text::from),
        rules,
    })
}

fn too_many() -> Text {
    kcheck_model::text!(
        "it holds more than {MAX_ENTRIES_PER_NODE} findings and notes",
        "其发现与备注超过 {MAX_ENTRIES_PER_NODE} 条",
    )
}

/// The node rule `code` of item `item`, or why the report is refused.
fn node_rule(code: &str, item: &str) -> Result<&'static Rule, Text> {
    match node_rules().find(|r| r.code == code) {
        Some(r) if r.item == item => Ok(r),
        _ => {
            let code: String = code.chars().take(16).collect();
            let item: String = item.chars().take(8).collect();
            Err(kcheck_model::text!(
                "it gives {code} under item {item}, which is not a node rule of that item in kcheck {VERSION}",
                "其中 {code} 位于检查项 {item} 之下，而在 kcheck {VERSION} 中它不是该项的节点规则",
            ))
        }
    }
}

type Placed = (
    Option<Location>,
    Option<Arc<str>>,
    Option<String>,
    Option<Arc<ObjectRef>>,
);

fn placed(p: &NodePlace) -> Placed {
    let location = p.file.as_ref().map(|file| Location {
        file: Arc::from(file.as_str()),
        line: p.line,
        column: p.column,
    });
    let object = p.object.as_ref().map(|o| {
        Arc::new(ObjectRef {
            api_version: o.api_version.clone(),
            kind: o.kind.clone(),
            namespace: o.namespace.clone(),
            name: o.name.clone(),
        })
    });
    (
        location,
        p.source.as_deref().map(Arc::from),
        p.path.clone(),
        object,
    )
}

/// One of the cluster's nodes, as the audit sees it.
#[derive(Clone, Debug)]
pub struct NodeInput {
    pub name: String,
    /// A control-plane node: by its Node's role labels, or because its report found a
    /// control-plane component on it.
    pub control_plane: bool,
    /// Its report, or why there is none that can be used.
    pub report: Result<Imported, Text>,
}

/// The cluster's nodes and their reports, for a cluster audit to merge.
#[derive(Clone, Debug, Default)]
pub struct NodeReports {
    pub nodes: Vec<NodeInput>,
}

/// At most this many nodes are named in one note; the rest are counted.
const NAMED: usize = 10;

impl NodeReports {
    /// Whether every control-plane node has a usable report (and there is one): the control
    /// plane as the API shows it adds nothing then.
    pub fn cover_control_plane(&self) -> bool {
        let mut planes = self.nodes.iter().filter(|n| n.control_plane).peekable();
        planes.peek().is_some() && planes.all(|n| n.report.is_ok())
    }

    /// Whether a node's report says someone else configures the control plane (a managed
    /// cluster's worker).
    fn control_plane_managed(&self) -> bool {
        self.nodes.iter().any(|n| {
            n.report.as_ref().is_ok_and(|r| {
                r.rules
                    .values()
                    .any(|rule| rule.notes.iter().any(|(_, managed)| *managed))
            })
        })
    }

    /// Gives `rule` what each node's report says of it, and notes the nodes it applies to that
    /// have no usable report. `api_facts` says whether the control plane as the API shows it
    /// was judged too.
    pub(crate) fn feed(&self, rule: &'static Rule, sink: &mut Sink, api_facts: bool) {
        let applies = |n: &NodeInput| rule.nodes == Nodes::Every || n.control_plane;
        let mut gaps: Vec<(&str, Text)> = Vec::new();
        // What workers say of a control plane someone else configures (EKS, GKE, AKS).
        let mut managed: Option<Note> = None;
        for node in &self.nodes {
            let imported = match &node.report {
                Ok(imported) => imported,
                Err(why) => {
                    if applies(node) {
                        gaps.push((&node.name, why.clone()));
                    }
                    continue;
                }
            };
            let Some(result) = imported.rules.get(rule.code) else {
                if applies(node) {
                    let (code, version) = (rule.code, &imported.kcheck_version);
                    gaps.push((
                        &node.name,
                        kcheck_model::text!(
                            "its kcheck {version} did not run {code}",
                            "其 kcheck {version} 未运行 {code}",
                        ),
                    ));
                }
                continue;
            };
            sink.examined += result.examined;
            for f in &result.findings {
                sink.import_finding(f.clone());
            }
            for (n, is_managed) in &result.notes {
                if n.kind == NoteKind::NotExamined && !applies(node) {
                    if *is_managed && managed.is_none() {
                        managed = Some(Note {
                            node: None,
                            ..n.clone()
                        });
                    }
                    continue;
                }
                if *is_managed {
                    sink.import_managed_note(n.clone());
                } else {
                    sink.import_note(n.clone());
                }
            }
        }
        if !gaps.is_empty() {
            sink.not_examined_in_input(missing_reports(&gaps));
        }
        let planes = self.nodes.iter().any(|n| n.control_plane);
        if rule.nodes == Nodes::ControlPlane && !planes && !api_facts {
            // A managed control plane, as the workers' reports say: what to check there.
            if let Some(note) = managed {
                sink.import_managed_note(note);
                return;
            }
            // Another rule of the item says so for it.
            if self.control_plane_managed() {
                return;
            }
            sink.not_examined_in_input(Text::fixed(
                "no control-plane node among the cluster's nodes and no control-plane pod in the API: the control plane is not where kcheck can read it (a managed control plane is configured through its provider)",
                "集群节点中没有控制平面节点，API 中也没有控制平面 Pod：kcheck 无法读取控制平面（托管控制平面需在其提供商处配置）",
            ));
        }
    }
}

/// `no usable node report from 2 nodes: worker-1 (none published); worker-2 (...)`.
fn missing_reports(gaps: &[(&str, Text)]) -> Text {
    let n = gaps.len();
    let list = |lang: kcheck_model::Lang| {
        let (open, close, sep) = match lang {
            kcheck_model::Lang::En => (" (", ")", "; "),
            kcheck_model::Lang::Zh => ("（", "）", "；"),
        };
        let mut s = gaps
            .iter()
            .take(NAMED)
            .map(|(name, why)| format!("{name}{open}{}{close}", why.get(lang)))
            .collect::<Vec<_>>()
            .join(sep);
        if n > NAMED {
            let more = n - NAMED;
            s.push_str(&match lang {
                kcheck_model::Lang::En => format!("; and {more} more"),
                kcheck_model::Lang::Zh => format!("；另有 {more} 个"),
            });
        }
        s
    };
    let (en, zh) = (list(kcheck_model::Lang::En), list(kcheck_model::Lang::Zh));
    let nodes_en = if n == 1 { "node" } else { "nodes" };
    Text::new(
        format!("no usable node report from {n} {nodes_en}: {en}"),
        format!("{n} 个节点没有可用的节点报告：{zh}"),
    )
}
