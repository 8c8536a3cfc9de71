//! Runs the rules over the evidence and derives each checklist item's status from the findings.

use crate::rule::{Check, Collected, Context, Gathered, Rule, Sink};
use crate::{cluster_kinds, registry};
use crate::{Config, Waivers};
use kcheck_model::{
    Evidence, Finding, Inputs, Inventory, ItemResult, Level, NodeFacts, NoteKind, Now, Object,
    Report, Status, Text, Unavailable, ITEMS,
};
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

/// Which rules run, over what.
pub struct Engine {
    rules: Vec<&'static Rule>,
    pub(crate) config: Config,
    pub(crate) waivers: Waivers,
    /// The moment the run judges at (see [`kcheck_model::Now`]).
    pub(crate) now: Now,
    /// Time spent in each rule, when asked for (`--timings`).
    timings: Option<std::sync::Mutex<Vec<(&'static str, std::time::Duration)>>>,
    /// Every object keeps its findings: none is folded into its owner's (`--per-pod`).
    per_pod: bool,
    /// The run's images and scanner reports (`kcheck image`, `--images`, `--vuln-report`).
    pub(crate) images: Option<Arc<kcheck_model::image::ImageEvidence>>,
    /// The namespace a cluster audit is scoped to (`kcheck cluster -n NS`), see
    /// [`Engine::scoped_to`].
    scope: Option<String>,
    /// The cluster's nodes and their node reports, merged into the node rules' verdicts (see
    /// [`crate::node_reports`]).
    node_reports: Option<Arc<crate::node_reports::NodeReports>>,
}

/// The rules a run's evidence lets run, and the object and gather rules by kind.
pub(crate) struct Plan {
    evidence: Vec<Evidence>,
    pub(crate) runnable: Vec<&'static Rule>,
    by_kind: HashMap<&'static str, Vec<(usize, &'static Rule)>>,
}

impl Plan {
    pub(crate) fn new(engine: &Engine, evidence: &[Evidence]) -> Plan {
        // An engine given images has their evidence, whichever path runs it.
        let mut evidence = evidence.to_vec();
        if engine.images.is_some() && !evidence.contains(&Evidence::Images) {
            evidence.push(Evidence::Images);
        }
        let evidence = evidence.as_slice();
        let runnable: Vec<&'static Rule> = engine
            .rules
            .iter()
            .copied()
            .filter(|r| evidence.contains(&r.evidence))
            // A scoped audit's inventory is not the whole cluster: the rules that judge the
            // inventory as a whole would take what lies outside the namespace for absent.
            .filter(|r| engine.scope.is_none() || !matches!(r.check, Check::Inventory(_)))
            .collect();
        let mut by_kind: HashMap<&'static str, Vec<(usize, &'static Rule)>> = HashMap::default();
        for (i, rule) in runnable.iter().enumerate() {
            if let Check::Object { kinds, .. }
            | Check::Gather { kinds, .. }
            | Check::Image { kinds, .. } = rule.check
            {
                for kind in kinds {
                    by_kind.entry(kind).or_default().push((i, rule));
                }
            }
        }
        Plan {
            evidence: evidence.to_vec(),
            runnable,
            by_kind,
        }
    }
}

/// What judging objects produced so far: findings and notes, the objects each rule examined,
/// what the gather rules gathered, and the time each rule took. A streaming scan makes one per
/// file and merges them in file order.
pub struct Judged {
    out: Collected,
    /// Where a streaming scan writes its findings (see [`crate::spill`]).
    spill: Option<Box<crate::spill::Spiller>>,
    counts: Vec<usize>,
    gathered: Vec<Vec<Gathered>>,
    /// The keys gathered so far of each rule's [`Gathered::first_of_key`] values.
    first_keys: Vec<rustc_hash::FxHashSet<String>>,
    spent: Vec<std::time::Duration>,
}

impl Judged {
    pub(crate) fn new(rules: usize) -> Judged {
        Judged {
            out: Collected::default(),
            spill: None,
            counts: vec![0; rules],
            gathered: vec![Vec::new(); rules],
            first_keys: vec![Default::default(); rules],
            spent: vec![std::time::Duration::ZERO; rules],
        }
    }

    /// Appends what `later` found (judged on objects read after these).
    pub fn merge(&mut self, later: Judged) {
        self.out.findings.extend(later.out.findings);
        self.out.notes.extend(later.out.notes);
        self.out.managed.extend(later.out.managed);
        for (a, b) in self.counts.iter_mut().zip(later.counts) {
            *a += b;
        }
        for (i, b) in later.gathered.into_iter().enumerate() {
            for g in b {
                self.gather(i, g);
            }
        }
        for (a, b) in self.spent.iter_mut().zip(later.spent) {
            *a += b;
        }
    }

    /// Whether rule `i` keeps `g` (a first of its key, or any when the rule keeps all).
    fn keeps(&self, i: usize, g: &Gathered) -> bool {
        !g.first_of_key || !self.first_keys[i].contains(&g.key)
    }

    /// Keeps what rule `i` gathered (the first of its key only, when it asks for that).
    fn gather(&mut self, i: usize, g: Gathered) {
        if g.first_of_key && !self.first_keys[i].insert(g.key.clone()) {
            return;
        }
        self.gathered[i].push(g);
    }

    /// Writes the findings to `runs` as [`Judged::spill`] is called, and the report's to
    /// `report` at the end: the report's findings are read back from the file, and memory does
    /// not grow with them.
    pub fn spill_to(&mut self, runs: kcheck_model::Backing, report: kcheck_model::Backing) {
        self.spill = Some(Box::new(crate::spill::Spiller::new(runs, report)));
    }

    /// Writes the findings merged so far to the spill (when there is one); `order` knows the
    /// files they were found in.
    pub fn spill(&mut self, order: &FileOrder) {
        if let Some(s) = &mut self.spill {
            s.write(std::mem::take(&mut self.out.findings), order);
        }
    }
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new(registry::all().to_vec())
    }
}

impl Engine {
    pub fn new(rules: Vec<&'static Rule>) -> Engine {
        Engine {
            rules,
            config: Config::default(),
            waivers: Waivers::new(),
            now: Now::clock(),
            timings: None,
            per_pod: false,
            images: None,
            scope: None,
            node_reports: None,
        }
    }

    /// Judges with these images and scanner reports (`Evidence::Images` should be in the
    /// run's evidence).
    pub fn with_images(mut self, images: kcheck_model::image::ImageEvidence) -> Engine {
        self.images = Some(Arc::new(images));
        self
    }

    /// Merges the cluster's node reports into the node rules' verdicts (`kcheck cluster` with
    /// node reports): see [`crate::node_reports`].
    pub fn with_node_reports(mut self, reports: crate::node_reports::NodeReports) -> Engine {
        self.node_reports = Some(Arc::new(reports));
        self
    }

    /// Measures the time each rule takes (read it with [`Engine::timings`] after a run).
    pub fn with_timings(mut self) -> Engine {
        self.timings = Some(std::sync::Mutex::new(Vec::new()));
        self
    }

    /// Time per rule of the last run, slowest first, plus `sort` for ordering the findings.
    pub fn timings(&self) -> Vec<(&'static str, std::time::Duration)> {
        let mut t = self
            .timings
            .as_ref()
            .map(|t| t.lock().unwrap_or_else(|e| e.into_inner()).clone())
            .unwrap_or_default();
        t.sort_by_key(|e| std::cmp::Reverse(e.1));
        t
    }

    pub fn with_waivers(mut self, waivers: Waivers) -> Engine {
        self.waivers = waivers;
        self
    }

    /// Judges at `now` instead of the clock read when the engine was made: dates in the input
    /// (access reviews, certificates, scan results) are compared with it.
    pub fn at(mut self, now: Now) -> Engine {
        self.now = now;
        self
    }

    /// Judges the next runs at `now` (a long-lived engine, such as one of the webhook's, is
    /// moved to each review's moment).
    pub fn set_now(&mut self, now: Now) {
        self.now = now;
    }

    /// The moment this engine judges at.
    pub fn now(&self) -> Now {
        self.now
    }

    /// With `true`, every object keeps its own findings: those of a Pod, a ReplicaSet or a Job
    /// are not folded into their top owner's (see [`crate::owners`]), and no finding counts
    /// Pods.
    pub fn per_pod(mut self, per_pod: bool) -> Engine {
        self.per_pod = per_pod;
        self
    }

    /// Judges an inventory limited to namespace `ns` and the cluster-scoped objects (a cluster
    /// audit with `-n NS`): the run has no whole-cluster evidence (`Evidence::Cluster` is dropped
    /// and `Context::whole_cluster` is false), the rules that judge the whole inventory do not
    /// run, and an item that needs the whole cluster (one of whose rules reads cluster evidence
    /// or the whole inventory) never passes: unless it fails or warns on what was seen, it is
    /// not evaluated, "scoped to namespace NS".
    pub fn scoped_to(mut self, ns: Option<String>) -> Engine {
        self.scope = ns;
        self
    }

    pub fn with_config(mut self, config: Config) -> Engine {
        self.config = config;
        self
    }

    pub fn rules(&self) -> &[&'static Rule] {
        &self.rules
    }

    /// Judges `inventory` with every rule whose evidence this run has.
    pub fn run(&self, inventory: &Inventory, evidence: &[Evidence], inputs: Inputs) -> Report {
        self.run_with_node(inventory, None, evidence, inputs)
    }

    /// Judges `inventory` and a node scan's facts (`Evidence::Node` should be in `evidence`
    /// when `node` is given).
    pub fn run_with_node(
        &self,
        inventory: &Inventory,
        node: Option<&NodeFacts>,
        evidence: &[Evidence],
        inputs: Inputs,
    ) -> Report {
        let scoped: Vec<Evidence>;
        let evidence = if self.scope.is_some() {
            scoped = evidence
                .iter()
                .copied()
                .filter(|e| *e != Evidence::Cluster)
                .collect();
            scoped.as_slice()
        } else {
            evidence
        };
        let plan = Plan::new(self, evidence);
        let mut ctx = Context::new(inventory, &self.config)
            .with_node(node)
            .with_images(self.images.as_deref())
            .at(self.now);
        ctx.whole_cluster = evidence.contains(&Evidence::Cluster);
        // Room for a few findings per object, reserved once: growing a vector of half a million
        // findings copies it (120 MB held twice at that moment), while room that is never used
        // is address space the kernel does not back.
        let mut judged = Judged::new(plan.runnable.len());
        judged.out.findings = Vec::with_capacity(inventory.len().saturating_mul(4));
        self.judge_objects(&plan, inventory.objects(), &ctx, &mut judged);
        let order = FileOrder::of(inventory);
        self.conclude(&plan, judged, &ctx, node, inputs, &order)
    }

    /// Runs the object and gather rules of `plan` on `objects`, in order.
    pub(crate) fn judge_objects<'o>(
        &self,
        plan: &Plan,
        objects: impl IntoIterator<Item = &'o Object>,
        ctx: &Context,
        judged: &mut Judged,
    ) {
        let timed = self.timings.is_some();
        for object in objects {
            let Some(rules) = plan.by_kind.get(object.kind.as_str()) else {
                continue;
            };
            for &(i, rule) in rules {
                let start = timed.then(std::time::Instant::now);
                match rule.check {
                    Check::Object { run, .. } => {
                        let mut sink = Sink::for_object(rule, &mut judged.out, &self.waivers);
                        run(object, ctx, &mut sink);
                        judged.counts[i] += sink.finish(object);
                    }
                    Check::Image { object: run, .. } if ctx.images.is_some_and(|i| i.linked()) => {
                        let mut sink = Sink::for_object(rule, &mut judged.out, &self.waivers);
                        run(object, ctx, &mut sink);
                        judged.counts[i] += sink.finish(object);
                    }
                    Check::Gather { gather, .. } => {
                        if let Some(mut g) = gather(object, ctx) {
                            if g.keep_object && judged.keeps(i, &g) {
                                g.object = Some(Box::new(crate::stream::skeleton(object)));
                            }
                            judged.gather(i, g);
                        }
                    }
                    _ => {}
                }
                if let Some(s) = start {
                    judged.spent[i] += s.elapsed();
                }
            }
        }
    }

    /// Runs the rules over the whole inventory and the node, then orders the findings and
    /// derives every item's status.
    pub(crate) fn conclude(
        &self,
        plan: &Plan,
        mut judged: Judged,
        ctx: &Context,
        node: Option<&NodeFacts>,
        inputs: Inputs,
        order: &FileOrder,
    ) -> Report {
        let inventory = ctx.inventory;
        let evidence = plan.evidence.as_slice();
        let runnable = &plan.runnable;
        let timed = self.timings.is_some();
        let mut examined: HashMap<&'static str, usize> = HashMap::default();
        for (i, rule) in runnable.iter().enumerate() {
            let start = timed.then(std::time::Instant::now);
            let mut sink = Sink::new(rule, &mut judged.out, &self.waivers);
            match rule.check {
                Check::Inventory(run) => run(ctx, &mut sink),
                Check::Gather { report, .. } => report(&judged.gathered[i], ctx, &mut sink),
                Check::Node(run) => match self.node_reports.as_deref() {
                    None => {
                        if let Some(facts) = node {
                            run(facts, ctx, &mut sink);
                        }
                    }
                    Some(reports) => {
                        // The control plane as the API shows it, unless every control-plane
                        // node's report says more; what it cannot show is for the reports
                        // (or their absence) to say.
                        let api = node.filter(|_| !reports.cover_control_plane());
                        if let Some(facts) = api {
                            let mark = sink.note_mark();
                            run(facts, ctx, &mut sink);
                            sink.drop_not_examined_since(mark);
                        }
                        reports.feed(rule, &mut sink, api.is_some());
                    }
                },
                Check::Image { image, .. } => {
                    if let Some(images) = ctx.images.filter(|i| !i.linked()) {
                        for facts in &images.images {
                            run_image(image, facts, ctx, &mut sink);
                        }
                    }
                }
                Check::Object { .. } => {}
            }
            judged.counts[i] += sink.examined;
            if let Some(s) = start {
                judged.spent[i] += s.elapsed();
            }
            *examined.entry(rule.item).or_default() += judged.counts[i];
        }

        let start = timed.then(std::time::Instant::now);
        let crate::rule::Collected {
            mut findings,
            mut notes,
            managed,
            ..
        } = judged.out;
        let findings = match judged.spill {
            Some(spill) => spill.finish(findings, (!self.per_pod).then_some(inventory), order),
            None => {
                if !self.per_pod {
                    crate::owners::fold_owned(&mut findings, inventory);
                }
                sort_findings(&mut findings, order);
                kcheck_model::Findings::from(findings)
            }
        };
        // Every finding carries a severity its rule declares (`kcheck rules` lists them).
        debug_assert!(
            findings.iter().all(|f| registry::by_code(f.code)
                .is_none_or(|r| r.all_severities().contains(&f.severity))),
            "a finding carries a severity its rule does not declare"
        );
        sort_notes(&mut notes, order);
        if let (Some(t), Some(s)) = (&self.timings, start) {
            let mut t = t.lock().unwrap_or_else(|e| e.into_inner());
            t.clear();
            t.extend(
                runnable
                    .iter()
                    .zip(&judged.spent)
                    .map(|(r, d)| (r.code, *d)),
            );
            t.push(("sort", s.elapsed()));
        }
        let items = ITEMS
            .iter()
            .map(|item| {
                let of_item: Vec<usize> = findings
                    .briefs()
                    .enumerate()
                    .filter(|(_, f)| f.item == item.id)
                    .map(|(i, _)| i)
                    .collect();
                let of_item_notes: Vec<usize> = notes
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| n.item == item.id)
                    .map(|(i, _)| i)
                    .collect();
                let ran = runnable.iter().any(|r| r.item == item.id);
                let exists = self.rules.iter().any(|r| r.item == item.id);
                let seen = examined.get(item.id).copied().unwrap_or(0);
                // What the item's rules could not examine keeps a clean item from passing.
                let could_not_look = of_item_notes
                    .iter()
                    .map(|&i| &notes[i])
                    .find(|n| n.kind == NoteKind::NotExamined)
                    .map(|n| n.message.clone());
                // Every note of what could not be examined says someone else configures it.
                let mut gaps = of_item_notes
                    .iter()
                    .map(|&i| &notes[i])
                    .filter(|n| n.kind == NoteKind::NotExamined)
                    .peekable();
                let managed_only = gaps.peek().is_some()
                    && gaps.all(|n| {
                        managed
                            .iter()
                            .any(|(i, m)| *i == item.id && *m == n.message.en)
                    });
                let managed = managed_only.then(|| could_not_look.clone()).flatten();
                let (status, reason) = item_status(
                    item,
                    &of_item,
                    &findings,
                    ItemEvidence {
                        ran,
                        exists,
                        examined: seen,
                        could_not_look,
                        managed,
                    },
                    evidence,
                );
                let blind = blind_spots(item.id, runnable, &inputs);
                // A failure stands when a rule that saw all it looks up found it; a rule that
                // could not list what it looks up (the NetworkPolicies of a workload) may
                // fail for what it did not see.
                let table_blind = inputs
                    .unavailable
                    .iter()
                    .any(|u| cluster_items(&u.kind).contains(&item.id));
                let solid = !blind.is_empty()
                    && !table_blind
                    && findings.briefs_of(&of_item).any(|f| {
                        !f.waived
                            && f.level != Level::Info
                            && runnable.iter().any(|r| {
                                r.code == f.code
                                    && !r.reads.iter().any(|k| inputs.unavailable(k).is_some())
                            })
                    });
                let (status, reason) = unseen(status, reason, &blind, solid);
                let (status, reason) = match &self.scope {
                    Some(ns) if self.needs_whole_cluster(item.id) => scoped(status, reason, ns),
                    _ => (status, reason),
                };
                ItemResult {
                    item,
                    status,
                    reason,
                    findings: of_item,
                    notes: of_item_notes,
                    examined: seen,
                }
            })
            .collect();
        let mut rules: Vec<_> = runnable
            .iter()
            .zip(&judged.counts)
            .map(|(r, &examined)| kcheck_model::RuleInfo {
                examined,
                ..r.info()
            })
            .collect();
        rules.sort_by_key(|r| r.code);
        Report {
            tool_name: "kcheck",
            tool_version: env!("CARGO_PKG_VERSION"),
            evidence: evidence.to_vec(),
            items,
            rules,
            findings,
            notes,
            inputs,
            waivers: {
                self.waivers.check_annotation_rules(inventory);
                self.waivers.summary()
            },
            baseline: None,
            target: None,
        }
    }
}

impl Engine {
    /// Whether a pass of `item` is a claim about the whole cluster: one of its rules reads cluster
    /// evidence or judges the whole inventory.
    fn needs_whole_cluster(&self, item: &str) -> bool {
        self.rules.iter().any(|r| {
            r.item == item
                && (r.evidence == Evidence::Cluster || matches!(r.check, Check::Inventory(_)))
        })
    }
}

/// An item that needs the whole cluster on an audit scoped to `ns`: failures and warnings on
/// what was seen stand; otherwise not evaluated, saying why first.
fn scoped(status: Status, reason: Option<Text>, ns: &str) -> (Status, Option<Text>) {
    let why = Text::new(
        format!("scoped to namespace {ns}"),
        format!("审计范围限于名字空间 {ns}"),
    );
    match status {
        Status::Pass => (Status::NotEvaluated, Some(why)),
        Status::NotEvaluated => {
            // What the run could not list still matters; "needs a live cluster" or "no rule
            // runs" only repeats that the scope left the cluster evidence out.
            let reason = match reason {
                Some(r) if r.en.starts_with("could not see") => Text::new(
                    format!("{}; {}", why.en, r.en),
                    format!("{}；{}", why.zh, r.zh),
                ),
                _ => why,
            };
            (Status::NotEvaluated, Some(reason))
        }
        other => (other, reason),
    }
}

/// The kinds an item's rules read that the run could not list.
fn blind_spots<'i>(
    item: &str,
    runnable: &[&'static Rule],
    inputs: &'i Inputs,
) -> Vec<&'i Unavailable> {
    if inputs.unavailable.is_empty() {
        return Vec::new();
    }
    inputs
        .unavailable
        .iter()
        .filter(|u| {
            runnable
                .iter()
                .filter(|r| r.item == item)
                .any(|r| r.kinds_read().any(|k| k == u.kind))
                || cluster_items(&u.kind).contains(&item)
        })
        .collect()
}

/// Items that read a whole API group (`*.<group>`): their kinds are known only from discovery,
/// so no rule names them.
fn cluster_items(kind: &str) -> Vec<&'static str> {
    cluster_kinds::CLUSTER_GROUPS
        .iter()
        .filter(|g| kind.strip_prefix("*.") == Some(g.group))
        .flat_map(|g| g.items.iter().copied())
        .collect()
}

/// An item whose rules could not see every kind they read never passes: a clean result becomes
/// "not evaluated" naming what was missing. Failures and warnings found by a rule that saw what
/// it looks up stand (what was seen is enough to fail) and say that the picture is incomplete;
/// the others may come from what was not seen, and become "not evaluated" too.
fn unseen(
    status: Status,
    reason: Option<Text>,
    blind: &[&Unavailable],
    solid_failure: bool,
) -> (Status, Option<Text>) {
    if blind.is_empty() {
        return (status, reason);
    }
    let join = |lang: kcheck_model::Lang| {
        blind
            .iter()
            .map(|u| u.reason.get(lang))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let (en, zh) = (join(kcheck_model::Lang::En), join(kcheck_model::Lang::Zh));
    let status = match status {
        Status::Fail | Status::Warn if !solid_failure => Status::Pass,
        other => other,
    };
    match status {
        Status::Pass => (
            Status::NotEvaluated,
            Some(Text::new(
                format!("could not see: {en}"),
                format!("无法查看：{zh}"),
            )),
        ),
        Status::NotEvaluated => {
            let text = match reason {
                Some(r) => Text::new(
                    format!("could not see: {en}; {}", r.en),
                    format!("无法查看：{zh};{}", r.zh),
                ),
                None => Text::new(format!("could not see: {en}"), format!("无法查看：{zh}")),
            };
            (Status::NotEvaluated, Some(text))
        }
        other => (
            other,
            Some(Text::new(
                format!("incomplete, could not see: {en}"),
                format!("结果不完整，无法查看：{zh}"),
            )),
        ),
    }
}

/// The status of one item: failing findings fail it, warnings warn; a clean result passes only
/// when its required evidence was all there, its rules looked at something, and kcheck checks
/// the whole item.
/// What the run saw of one item.
struct ItemEvidence {
    /// Some rule of the item ran.
    ran: bool,
    /// kcheck has a rule for the item.
    exists: bool,
    /// Objects or facts the item's rules looked at.
    examined: usize,
    /// Why one of its rules could not look at all, when one could not.
    could_not_look: Option<Text>,
    /// Every such reason says the evidence is configured by a provider or an operator (a
    /// managed control plane): the first of them.
    managed: Option<Text>,
}

fn item_status(
    item: &kcheck_model::Item,
    of_item: &[usize],
    findings: &kcheck_model::Findings,
    seen: ItemEvidence,
    evidence: &[Evidence],
) -> (Status, Option<Text>) {
    let ItemEvidence {
        ran,
        exists,
        examined,
        could_not_look,
        managed,
    } = seen;
    let active = || findings.briefs_of(of_item).filter(|f| !f.waived);
    if active().any(|f| f.level == Level::Fail) {
        return (Status::Fail, None);
    }
    if active().any(|f| f.level == Level::Warn) {
        return (Status::Warn, None);
    }
    let missing = item.required.iter().find(|e| !evidence.contains(e));
    if !ran {
        let reason = match missing {
            Some(e) => e.missing_reason(),
            None if !exists => Text::fixed(
                "kcheck has no rule for this item yet",
                "kcheck 尚无检查此项的规则",
            ),
            None => Text::fixed(
                "no rule for this item runs on this evidence",
                "没有适用于当前证据的规则",
            ),
        };
        return (Status::NotEvaluated, Some(reason));
    }
    if let Some(why) = managed {
        // The control plane is the provider's (or its operators'): what to check there, never
        // a pass or a failure.
        return if examined == 0 {
            (Status::Manual, Some(why))
        } else {
            (
                Status::Manual,
                Some(Text::new(
                    format!("no problem in what was checked; {}", why.en),
                    format!("已检查部分未发现问题；{}", why.zh),
                )),
            )
        };
    }
    if examined == 0 {
        // A rule that could not look (a node scan without the component it needs) says why in
        // a note: that is the item's reason; otherwise the evidence the run lacked is.
        return (
            Status::NotEvaluated,
            Some(
                could_not_look
                    .map(not_examined)
                    .or_else(|| missing.map(|e| e.missing_reason()))
                    .unwrap_or_else(|| {
                        Text::fixed(
                            "nothing to check: the input has no objects this item applies to",
                            "无可检查对象：输入中没有此项适用的对象",
                        )
                    }),
            ),
        );
    }
    if let Some(why) = could_not_look.map(not_examined) {
        return (
            Status::NotEvaluated,
            Some(Text::new(
                format!("no problem in what was checked; {}", why.en),
                format!("已检查部分未发现问题；{}", why.zh),
            )),
        );
    }
    if let Some(e) = missing {
        let need = e.missing_reason();
        return (
            Status::NotEvaluated,
            Some(Text::new(
                format!("no problem in what was checked; {}", need.en),
                format!("已检查部分未发现问题；{}", need.zh),
            )),
        );
    }
    if let Some(gap) = registry::not_yet_checked(item.id) {
        return (
            Status::NotEvaluated,
            Some(Text::new(
                format!(
                    "no problem in what was checked; not yet checked: {}",
                    gap.en
                ),
                format!("已检查部分未发现问题；尚未检查：{}", gap.zh),
            )),
        );
    }
    (Status::Pass, None)
}

/// A note of what could not be examined, as an item's reason.
fn not_examined(why: Text) -> Text {
    Text::new(
        format!("not examined: {}", why.en),
        format!("未检查：{}", why.zh),
    )
}

/// The rank of each file in the order the input was read (which is deterministic): findings
/// and notes are ordered by it.
#[derive(Debug, Default)]
pub struct FileOrder {
    rank: HashMap<Arc<str>, u32>,
}

impl FileOrder {
    /// The files of `inventory`'s objects, in their order.
    pub fn of(inventory: &Inventory) -> FileOrder {
        let mut order = FileOrder::default();
        for o in inventory.objects() {
            if let Some(f) = o.file() {
                order.push(f);
            }
        }
        order
    }

    /// Adds `file` after those known (a file known already keeps its rank).
    pub fn push(&mut self, file: &str) {
        if !self.rank.contains_key(file) {
            let next = u32::try_from(self.rank.len()).unwrap_or(u32::MAX);
            self.rank.insert(file.into(), next);
        }
    }

    pub fn rank(&self, file: &str) -> u32 {
        self.rank.get(file).copied().unwrap_or(u32::MAX)
    }
}

/// Orders notes like findings: by item, rule, place, then message.
fn sort_notes(notes: &mut Vec<kcheck_model::Note>, order: &FileOrder) {
    notes.sort_by_cached_key(|n| {
        (
            kcheck_model::item_order(n.item),
            n.code,
            n.node.clone(),
            n.location.as_ref().map_or((u32::MAX, 0, 0), |l| {
                (order.rank(&l.file), l.line, l.column)
            }),
            n.source.clone(),
            n.message.en.clone(),
        )
    });
    notes.dedup();
}

/// Orders findings by item, rule, then place: the node (for merged node reports), files in the order the input was read, line,
/// column; ties keep the order the rules found them in. Comparing small integer keys instead
/// of strings matters with tens of thousands of findings.
pub(crate) fn sort_findings(findings: &mut Vec<Finding>, order: &FileOrder) {
    findings.sort_by_cached_key(|f| {
        let (file, line, column) = f.location.as_ref().map_or((u32::MAX, 0, 0), |l| {
            (order.rank(&l.file), l.line, l.column)
        });
        // A merged node report's findings come node by node.
        (
            kcheck_model::item_order(f.item),
            f.code,
            f.node.clone(),
            file,
            line,
            column,
        )
    });
    findings.dedup();
}

/// Runs an image check on one image, counting the image as examined.
fn run_image(
    check: fn(&kcheck_model::image::ImageFacts, &Context, &mut Sink),
    facts: &kcheck_model::image::ImageFacts,
    ctx: &Context,
    sink: &mut Sink,
) {
    sink.examined();
    check(facts, ctx, sink);
}
