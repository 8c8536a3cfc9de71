//! Findings grouped for people to read, shared by the table, Markdown and HTML: per item, by rule
//! (code), then by namespace (objects outside any namespace, and findings about no object, make
//! one group of their own), each group with its counts and the first few findings as examples.
//!
//! A cluster of ten thousand namespaces gives half a million findings, spilled to a file: the
//! grouping reads them once, in report order, and keeps only counts and the indices of the first
//! `examples` findings of each group, so memory grows with the groups, not the findings. The
//! renderers then read the examples back with [`kcheck_model::findings::Findings::pick`].
//!
//! `examples` bounds both the namespaces shown of a rule and the findings shown of the rule: the
//! namespaces shown share them (at least one each).
//!
//! Within an item findings are sorted by rule code, then place: a rule's findings follow one
//! another, its namespaces do not.

use kcheck_model::{ItemResult, Level, Report, Severity};
use std::collections::HashMap;

/// The findings of one namespace (or of none) under one rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NsGroup {
    /// `None`: cluster-scoped objects and findings about no object.
    pub(crate) namespace: Option<String>,
    pub(crate) count: usize,
    pub(crate) waived: usize,
    /// The indices (into the report's findings) of the first findings, in report order.
    pub(crate) examples: Vec<usize>,
    /// Where the group's first finding is: ties in size keep report order.
    first: usize,
    /// Findings a baseline did not have: they come first among the examples, and namespaces
    /// with any come first among the namespaces.
    new: usize,
}

/// What a group of findings adds up to, for the lines that count what is not shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Rest {
    /// Namespace groups not shown.
    pub(crate) groups: usize,
    pub(crate) count: usize,
    pub(crate) waived: usize,
}

/// One rule's findings within its item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RuleGroup {
    pub(crate) code: &'static str,
    pub(crate) rule: &'static str,
    /// The index of the rule's first finding (its fix is the group's).
    pub(crate) first: usize,
    pub(crate) count: usize,
    pub(crate) waived: usize,
    /// The highest severity among the findings.
    pub(crate) severity: Severity,
    /// The strongest level among the findings (fail before warn before info).
    pub(crate) level: Level,
    /// Unwaived failing findings of high or critical severity: what to fix first.
    pub(crate) urgent: usize,
    /// The severities of its findings, one bit each (`1 << severity as u8`).
    pub(crate) severities: u8,
    /// How many namespace groups there are (shown or not).
    pub(crate) namespaces: usize,
    /// The namespace of every finding when they share one (`Some(None)`: none has one).
    pub(crate) sole_namespace: Option<Option<String>>,
    /// The namespace groups shown, most findings first (ties in report order).
    pub(crate) shown: Vec<NsGroup>,
    /// The namespace groups left out.
    pub(crate) rest: Rest,
}

impl RuleGroup {
    /// The severities its findings carry, most severe first.
    pub(crate) fn severities(&self) -> impl Iterator<Item = Severity> + '_ {
        Severity::ALL
            .into_iter()
            .filter(|s| self.severities & (1 << *s as u8) != 0)
    }

    /// Nothing is left out: every finding of the rule is among the examples, and the rule reads
    /// best as a plain list in report order, without group headings.
    pub(crate) fn complete(&self) -> bool {
        self.rest.groups == 0 && self.shown.iter().all(|g| g.examples.len() == g.count)
    }

    /// Every example, in report order (the whole rule when [`RuleGroup::complete`]).
    pub(crate) fn all_examples(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self
            .shown
            .iter()
            .flat_map(|g| g.examples.iter().copied())
            .collect();
        all.sort_unstable();
        all
    }

    /// The one namespace group when there is only one: its heading would repeat the rule's.
    pub(crate) fn single(&self) -> Option<&NsGroup> {
        match (self.namespaces, self.shown.as_slice()) {
            (1, [g]) => Some(g),
            _ => None,
        }
    }
}

/// The groups of every item, in the report's item order, computed in one pass over the findings.
pub(crate) struct Grouped {
    items: HashMap<&'static str, Vec<RuleGroup>>,
}

impl Grouped {
    /// Groups the findings of every item of `report`, keeping `examples` per group (`None`: all).
    pub(crate) fn new(report: &Report, examples: Option<usize>) -> Grouped {
        let items = report
            .items
            .iter()
            .map(|r| (r.item.id, group_item(report, r, examples)))
            .collect();
        Grouped { items }
    }

    /// The rule groups of an item (none when it has no findings).
    pub(crate) fn of(&self, item: &ItemResult) -> &[RuleGroup] {
        self.items.get(item.item.id).map_or(&[], Vec::as_slice)
    }
}

/// A rule group as it is being built: its namespaces by name, in the order first seen.
struct RuleAcc {
    group: RuleGroup,
    by_name: HashMap<String, usize>,
    none: Option<usize>,
    namespaces: Vec<NsGroup>,
}

/// Groups one item's findings. Reads each finding once; keeps at most `examples` indices a
/// group.
pub(crate) fn group_item(
    report: &Report,
    item: &ItemResult,
    examples: Option<usize>,
) -> Vec<RuleGroup> {
    let len = report.findings.len();
    let indices: Vec<usize> = item.findings.iter().copied().filter(|&i| i < len).collect();
    let keep = examples.unwrap_or(usize::MAX);
    let mut rules: Vec<RuleAcc> = Vec::new();
    let mut by_code: HashMap<&'static str, usize> = HashMap::new();
    for (&i, f) in indices.iter().zip(report.findings.pick(&indices)) {
        let r = *by_code.entry(f.code).or_insert_with(|| {
            rules.push(RuleAcc {
                group: RuleGroup {
                    code: f.code,
                    rule: f.rule,
                    first: i,
                    count: 0,
                    waived: 0,
                    severity: f.severity,
                    level: f.level,
                    urgent: 0,
                    severities: 0,
                    namespaces: 0,
                    sole_namespace: None,
                    shown: Vec::new(),
                    rest: Rest::default(),
                },
                by_name: HashMap::new(),
                none: None,
                namespaces: Vec::new(),
            });
            rules.len() - 1
        });
        let acc = &mut rules[r];
        let g = &mut acc.group;
        g.count += 1;
        g.waived += usize::from(f.waived);
        g.severity = g.severity.max(f.severity);
        g.level = g.level.min(f.level);
        g.severities |= 1 << f.severity as u8;
        if !f.waived && f.level == Level::Fail && f.severity >= Severity::High {
            g.urgent += 1;
        }
        let namespace = f.object.as_deref().and_then(|o| o.namespace.as_deref());
        let slot = match namespace {
            Some(ns) => acc.by_name.get(ns).copied(),
            None => acc.none,
        };
        let slot = match slot {
            Some(s) => s,
            None => {
                acc.namespaces.push(NsGroup {
                    namespace: namespace.map(str::to_owned),
                    count: 0,
                    waived: 0,
                    examples: Vec::new(),
                    first: i,
                    new: 0,
                });
                let s = acc.namespaces.len() - 1;
                match namespace {
                    Some(ns) => {
                        acc.by_name.insert(ns.to_owned(), s);
                    }
                    None => acc.none = Some(s),
                }
                s
            }
        };
        let ns = &mut acc.namespaces[slot];
        ns.count += 1;
        ns.waived += usize::from(f.waived);
        let new = crate::labels::is_new(report, i);
        ns.new += usize::from(new);
        if ns.examples.len() < keep {
            ns.examples.push(i);
        } else if new {
            // A new finding takes the place of the last example that is not new (the examples
            // stay in report order: `i` comes after every one of them).
            let old = ns
                .examples
                .iter()
                .rposition(|&e| !crate::labels::is_new(report, e));
            if let Some(at) = old {
                ns.examples.remove(at);
                ns.examples.push(i);
            }
        }
    }
    rules
        .into_iter()
        .map(|acc| finish(acc, keep, report))
        .collect()
}

/// The largest namespace groups first, then the rest counted.
fn finish(acc: RuleAcc, keep: usize, report: &Report) -> RuleGroup {
    let mut group = acc.group;
    let mut namespaces = acc.namespaces;
    group.namespaces = namespaces.len();
    if let [only] = namespaces.as_slice() {
        group.sole_namespace = Some(only.namespace.clone());
    }
    namespaces.sort_by(|a, b| {
        (b.new > 0)
            .cmp(&(a.new > 0))
            .then(b.count.cmp(&a.count))
            .then(a.first.cmp(&b.first))
    });
    let cut = namespaces.len().min(keep);
    for g in namespaces.drain(cut..) {
        group.rest.groups += 1;
        group.rest.count += g.count;
        group.rest.waived += g.waived;
    }
    // The examples are the rule's, shared among the namespaces shown: three namespaces of a
    // rule show one finding each, a rule's only namespace shows three. A report of ten thousand
    // namespaces stays a few screens long.
    if namespaces.len() > 1 {
        let each = (keep / namespaces.len()).max(1);
        for g in &mut namespaces {
            // New findings are kept first, then the earliest; shown in report order.
            let (mut kept, others): (Vec<usize>, Vec<usize>) = g
                .examples
                .iter()
                .partition(|&&e| crate::labels::is_new(report, e));
            kept.truncate(each);
            kept.extend(others.into_iter().take(each - kept.len()));
            kept.sort_unstable();
            g.examples = kept;
        }
    }
    group.shown = namespaces;
    group
}

#[cfg(test)]
mod tests {
    use super::*;
    use kcheck_model::{Finding, ItemResult, ObjectRef, Status, Text};
    use std::sync::Arc;

    fn finding(code: &'static str, ns: Option<&str>, n: usize, waived: bool) -> Finding {
        Finding {
            code,
            rule: "r",
            item: "3.2",
            severity: if n == 0 {
                Severity::Critical
            } else {
                Severity::High
            },
            level: Level::Fail,
            object: Some(Arc::new(ObjectRef {
                api_version: "v1".into(),
                kind: "Pod".into(),
                namespace: ns.map(Into::into),
                name: format!("p{n}"),
            })),
            path: None,
            location: None,
            source: None,
            node: None,
            message: Text::fixed("m", "m"),
            fix: Text::fixed("f", "f"),
            waived,
            waiver: None,
            pods: 0,
        }
    }

    fn report(findings: Vec<Finding>) -> Report {
        let n = findings.len();
        Report {
            tool_name: "kcheck",
            tool_version: "0",
            evidence: Vec::new(),
            items: vec![ItemResult {
                item: kcheck_model::item("3.2").unwrap(),
                status: Status::Fail,
                reason: None,
                findings: (0..n).collect(),
                notes: Vec::new(),
                examined: n,
            }],
            rules: Vec::new(),
            findings: findings.into(),
            notes: Vec::new(),
            inputs: Default::default(),
            waivers: Default::default(),
            baseline: None,
            target: None,
        }
    }

    #[test]
    fn groups_by_rule_then_namespace_largest_first() {
        // KC301: a in 0, 3; b in 1, 2, 4, 5; none in 6. KC302: a in 7.
        let f = vec![
            finding("KC301", Some("a"), 0, false),
            finding("KC301", Some("b"), 1, true),
            finding("KC301", Some("b"), 2, false),
            finding("KC301", Some("a"), 3, false),
            finding("KC301", Some("b"), 4, false),
            finding("KC301", Some("b"), 5, false),
            finding("KC301", None, 6, false),
            finding("KC302", Some("a"), 7, false),
        ];
        let r = report(f);
        let groups = group_item(&r, &r.items[0], Some(2));
        assert_eq!(groups.len(), 2);
        let g = &groups[0];
        assert_eq!(
            (g.code, g.count, g.waived, g.namespaces),
            ("KC301", 7, 1, 3)
        );
        assert_eq!(
            (g.severity, g.level, g.urgent),
            (Severity::Critical, Level::Fail, 6)
        );
        let shown: Vec<(Option<&str>, usize, &[usize])> = g
            .shown
            .iter()
            .map(|n| (n.namespace.as_deref(), n.count, n.examples.as_slice()))
            .collect();
        assert_eq!(
            shown,
            // Two examples shared by the two namespaces shown: one each.
            vec![(Some("b"), 4, &[1][..]), (Some("a"), 2, &[0][..])]
        );
        assert_eq!(
            g.rest,
            Rest {
                groups: 1,
                count: 1,
                waived: 0
            }
        );
        assert!(!g.complete());
        assert!(groups[1].complete() && groups[1].single().is_some());
        // Against a baseline, a new finding is an example before older ones, and its
        // namespace comes first.
        let mut with_new = report(vec![
            finding("KC301", Some("a"), 0, false),
            finding("KC301", Some("b"), 1, false),
            finding("KC301", Some("b"), 2, false),
            finding("KC301", Some("a"), 3, false),
            finding("KC301", Some("b"), 4, false),
            finding("KC301", Some("a"), 5, false),
            finding("KC301", Some("a"), 6, false),
        ]);
        let mut b = kcheck_model::Baseline::new("old.json".into(), "0".into(), 7);
        b.mark_new(4);
        with_new.baseline = Some(Box::new(b));
        let g = &group_item(&with_new, &with_new.items[0], Some(2))[0];
        let shown: Vec<(Option<&str>, &[usize])> = g
            .shown
            .iter()
            .map(|n| (n.namespace.as_deref(), n.examples.as_slice()))
            .collect();
        assert_eq!(shown, vec![(Some("b"), &[4][..]), (Some("a"), &[0][..])]);
        // All: everything is an example, in report order.
        let all = group_item(&r, &r.items[0], None);
        assert!(all.iter().all(RuleGroup::complete));
        assert_eq!(all[0].all_examples(), (0..7).collect::<Vec<_>>());
        // None: only counts.
        let none = group_item(&r, &r.items[0], Some(0));
        assert_eq!(none[0].shown, vec![]);
        assert_eq!(none[0].rest.groups, 3);
        assert_eq!(none[0].rest.count, 7);
    }
}
