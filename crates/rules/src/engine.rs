//! Runs the rules over the evidence and derives each checklist item's status from the findings.

use crate::registry;
use crate::rule::{Check, Context, Rule, Sink};
use crate::{Config, Waivers};
use kcheck_model::{
    Evidence, Finding, Inputs, Inventory, ItemResult, Level, Report, Status, Text, ITEMS,
};
use std::collections::HashMap;

/// Which rules run, over what.
pub struct Engine {
    rules: Vec<&'static Rule>,
    config: Config,
    waivers: Waivers,
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
        }
    }

    pub fn with_waivers(mut self, waivers: Waivers) -> Engine {
        self.waivers = waivers;
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
        let ctx = Context::new(inventory, &self.config);
        let runnable: Vec<&'static Rule> = self
            .rules
            .iter()
            .copied()
            .filter(|r| evidence.contains(&r.evidence))
            .collect();
        let mut findings = Vec::new();
        let mut examined: HashMap<&'static str, usize> = HashMap::new();

        // Object rules, dispatched by kind in one pass over the inventory.
        let mut by_kind: HashMap<&str, Vec<(usize, &'static Rule)>> = HashMap::new();
        for (i, rule) in runnable.iter().enumerate() {
            if let Check::Object { kinds, .. } = rule.check {
                for kind in kinds {
                    by_kind.entry(kind).or_default().push((i, rule));
                }
            }
        }
        let mut counts = vec![0usize; runnable.len()];
        for object in inventory.objects() {
            let Some(rules) = by_kind.get(object.kind.as_str()) else {
                continue;
            };
            for &(i, rule) in rules {
                if let Check::Object { run, .. } = rule.check {
                    let mut sink = Sink::new(rule, &mut findings, &self.waivers);
                    run(object, &ctx, &mut sink);
                    counts[i] += sink.examined;
                }
            }
        }
        for (i, rule) in runnable.iter().enumerate() {
            if let Check::Inventory(run) = rule.check {
                let mut sink = Sink::new(rule, &mut findings, &self.waivers);
                run(&ctx, &mut sink);
                counts[i] += sink.examined;
            }
            *examined.entry(rule.item).or_default() += counts[i];
        }

        findings.sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        findings.dedup();
        let items = ITEMS
            .iter()
            .map(|item| {
                let of_item: Vec<usize> = findings
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.item == item.id)
                    .map(|(i, _)| i)
                    .collect();
                let ran = runnable.iter().any(|r| r.item == item.id);
                let exists = self.rules.iter().any(|r| r.item == item.id);
                let seen = examined.get(item.id).copied().unwrap_or(0);
                let (status, reason) =
                    item_status(item, &of_item, &findings, ran, exists, seen, evidence);
                ItemResult {
                    item,
                    status,
                    reason,
                    findings: of_item,
                    examined: seen,
                }
            })
            .collect();
        let mut rules: Vec<_> = runnable.iter().map(|r| r.info()).collect();
        rules.sort_by_key(|r| r.code);
        Report {
            tool_name: "kcheck",
            tool_version: env!("CARGO_PKG_VERSION"),
            evidence: evidence.to_vec(),
            items,
            rules,
            findings,
            inputs,
            waivers: self.waivers.summary(),
        }
    }
}

/// The status of one item: failing findings fail it, warnings warn; a clean result passes only
/// when its required evidence was all there, its rules looked at something, and kcheck checks
/// the whole item.
fn item_status(
    item: &kcheck_model::Item,
    of_item: &[usize],
    findings: &[Finding],
    ran: bool,
    exists: bool,
    examined: usize,
    evidence: &[Evidence],
) -> (Status, Option<Text>) {
    let active = || of_item.iter().map(|&i| &findings[i]).filter(|f| !f.waived);
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
    if examined == 0 {
        return (
            Status::NotEvaluated,
            Some(Text::fixed(
                "nothing to check: the input has no objects this item applies to",
                "无可检查对象:输入中没有此项适用的对象",
            )),
        );
    }
    if let Some(e) = missing {
        let need = e.missing_reason();
        return (
            Status::NotEvaluated,
            Some(Text::new(
                format!("no problem in what was checked; {}", need.en),
                format!("已检查部分未发现问题;{}", need.zh),
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
                format!("已检查部分未发现问题;尚未检查:{}", gap.zh),
            )),
        );
    }
    (Status::Pass, None)
}
