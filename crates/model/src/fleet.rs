//! `kcheck summary`: several saved reports (one per cluster, usually) seen side by side. Plain
//! data: what each report's items counted per status and section, its score, and the items that
//! fail in every report or in most of them. Built from what the reports say, nothing judged again.

use crate::checklist::{Item, ITEMS, SECTIONS};
use crate::finding::Status;
use crate::report::{Score, Target};
use crate::text::Text;
use serde::Serialize;

/// One saved report, as the summary reads it.
#[derive(Clone, Debug, Default)]
pub struct FleetInput {
    /// The file as the command line named it.
    pub file: String,
    /// What the report says it is about, when it says.
    pub target: Option<Target>,
    /// Each item's status, by checklist id (`3.2`).
    pub items: Vec<(String, Status)>,
}

/// Items of each status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub pass: usize,
    pub fail: usize,
    pub warn: usize,
    pub manual: usize,
    pub not_evaluated: usize,
    pub error: usize,
}

impl StatusCounts {
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Warn => self.warn += 1,
            Status::Manual => self.manual += 1,
            Status::NotEvaluated => self.not_evaluated += 1,
            Status::Error => self.error += 1,
        }
    }

    /// The counts in the order of [`FleetSummary::STATUSES`].
    pub fn in_order(&self) -> [usize; 6] {
        [
            self.pass,
            self.fail,
            self.warn,
            self.manual,
            self.not_evaluated,
            self.error,
        ]
    }
}

/// How one report's items fared, overall and per section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FleetReport {
    /// The name the summary shows: the report's target (its context, dump, node or inputs,
    /// with ` -n NS` when a cluster audit was scoped), else the file's name; the file's name
    /// (or path) is added in parentheses when two reports would have the same name.
    pub name: String,
    pub file: String,
    /// `scan`, `cluster`, `node`, `image`; empty when the report does not say.
    pub mode: String,
    pub counts: StatusCounts,
    pub score: Score,
    pub sections: Vec<FleetSection>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FleetSection {
    pub section: u8,
    pub counts: StatusCounts,
    pub score: Score,
}

/// An item failing in several reports.
#[derive(Clone, Debug)]
pub struct FleetItem {
    pub item: &'static Item,
    /// The names of the reports it fails in, in the summary's order.
    pub failing_in: Vec<String>,
}

/// A report that could not be read: the rest are still summarised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FleetError {
    pub file: String,
    /// `file:line:column: why`.
    pub message: Text,
}

/// The view of `kcheck summary`.
#[derive(Clone, Debug, Default)]
pub struct FleetSummary {
    pub reports: Vec<FleetReport>,
    /// Items that fail in every report (checklist order); none with fewer than two reports.
    pub failing_everywhere: Vec<FleetItem>,
    /// Items that fail in more than half of the reports but not in all (most reports first,
    /// then checklist order).
    pub failing_in_most: Vec<FleetItem>,
    pub errors: Vec<FleetError>,
}

impl FleetSummary {
    /// The statuses in the order the counts are shown.
    pub const STATUSES: [Status; 6] = [
        Status::Pass,
        Status::Fail,
        Status::Warn,
        Status::Manual,
        Status::NotEvaluated,
        Status::Error,
    ];

    /// The summary of `inputs`, in their order, and the reports that could not be read. An item
    /// a report does not list counts as not evaluated in it.
    pub fn of(inputs: Vec<FleetInput>, errors: Vec<FleetError>) -> FleetSummary {
        let names = names(&inputs);
        let mut reports = Vec::with_capacity(inputs.len());
        // Per item, the reports it fails in.
        let mut failing: Vec<Vec<String>> = vec![Vec::new(); ITEMS.len()];
        for (input, name) in inputs.iter().zip(names) {
            let status_of = |id: &str| {
                input
                    .items
                    .iter()
                    .find(|(i, _)| i == id)
                    .map_or(Status::NotEvaluated, |(_, s)| *s)
            };
            let statuses: Vec<Status> = ITEMS.iter().map(|i| status_of(i.id)).collect();
            let tally = |filter: &dyn Fn(&Item) -> bool| {
                let mut counts = StatusCounts::default();
                let mut score = Score::default();
                for (item, &status) in ITEMS.iter().zip(&statuses) {
                    if !filter(item) {
                        continue;
                    }
                    counts.add(status);
                    score.items += 1;
                    if matches!(status, Status::Pass | Status::Fail | Status::Warn) {
                        score.evaluated += 1;
                        score.passed += usize::from(status == Status::Pass);
                    }
                }
                (counts, score)
            };
            let (counts, score) = tally(&|_| true);
            let sections = SECTIONS
                .iter()
                .map(|s| {
                    let (counts, score) = tally(&|i: &Item| i.section == s.number);
                    FleetSection {
                        section: s.number,
                        counts,
                        score,
                    }
                })
                .collect();
            for (slot, &status) in failing.iter_mut().zip(&statuses) {
                if status == Status::Fail {
                    slot.push(name.clone());
                }
            }
            reports.push(FleetReport {
                name,
                file: input.file.clone(),
                mode: input
                    .target
                    .as_ref()
                    .map(|t| t.mode.clone())
                    .unwrap_or_default(),
                counts,
                score,
                sections,
            });
        }
        let n = reports.len();
        let mut failing_everywhere = Vec::new();
        let mut failing_in_most = Vec::new();
        for (item, failing_in) in ITEMS.iter().zip(failing) {
            let k = failing_in.len();
            if n >= 2 && k == n {
                failing_everywhere.push(FleetItem { item, failing_in });
            } else if n >= 2 && k * 2 > n {
                failing_in_most.push(FleetItem { item, failing_in });
            }
        }
        // Most reports first; the sort is stable, so checklist order within.
        failing_in_most.sort_by_key(|i| std::cmp::Reverse(i.failing_in.len()));
        FleetSummary {
            reports,
            failing_everywhere,
            failing_in_most,
            errors,
        }
    }
}

/// Each input's name: its target (` -n NS` added when scoped), else (no target, or a live audit
/// from inside a cluster, `in-cluster`) its file's name; a name two
/// inputs share gets ` (FILE NAME)` added, or ` (PATH)` when the file names are the same too.
fn names(inputs: &[FleetInput]) -> Vec<String> {
    let base: Vec<String> = inputs
        .iter()
        .map(|i| match &i.target {
            // `in-cluster` (a CronJob's service account) names no cluster in particular.
            Some(t) if !t.name.is_empty() && t.name != "in-cluster" => match &t.namespace {
                Some(ns) => format!("{} -n {ns}", t.name),
                None => t.name.clone(),
            },
            _ => file_name(&i.file),
        })
        .collect();
    // A shared name gets the file's name, or its whole path when that is shared too.
    let shared = |names: &[String], name: &String| names.iter().filter(|b| *b == name).count() > 1;
    let by_file: Vec<String> = base
        .iter()
        .zip(inputs)
        .map(|(name, input)| {
            if shared(&base, name) {
                format!("{name} ({})", file_name(&input.file))
            } else {
                name.clone()
            }
        })
        .collect();
    by_file
        .iter()
        .zip(&base)
        .zip(inputs)
        .map(|((name, first), input)| {
            if shared(&by_file, name) {
                format!("{first} ({})", input.file)
            } else {
                name.clone()
            }
        })
        .collect()
}

/// The last component of a path (`/reports/prod.json` is `prod.json`).
fn file_name(path: &str) -> String {
    path.rsplit(['/', '\\'])
        .find(|p| !p.is_empty())
        .unwrap_or(path)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(file: &str, target: Option<&str>, fail: &[&str]) -> FleetInput {
        FleetInput {
            file: file.to_string(),
            target: target.map(|t| Target {
                mode: "cluster".into(),
                name: t.into(),
                namespace: None,
                distribution: None,
            }),
            items: ITEMS
                .iter()
                .map(|i| {
                    let s = if fail.contains(&i.id) {
                        Status::Fail
                    } else {
                        Status::Pass
                    };
                    (i.id.to_string(), s)
                })
                .collect(),
        }
    }

    #[test]
    fn items_failing_everywhere_and_in_most_reports() {
        let s = FleetSummary::of(
            vec![
                input("a/prod.json", Some("prod"), &["1.1", "3.2", "7.1"]),
                input("b/stage.json", None, &["1.1", "3.2"]),
                input("c/prod.json", Some("prod"), &["1.1", "7.1", "2.1"]),
                input("d/x.json", Some("dev"), &["1.1", "3.2", "7.1"]),
                input("e/y.json", Some("dev"), &["1.1"]),
                input("reports/prod-eu.json", Some("in-cluster"), &[]),
            ],
            Vec::new(),
        );
        let names: Vec<&str> = s.reports.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "prod (a/prod.json)",
                "stage.json",
                "prod (c/prod.json)",
                "dev (x.json)",
                "dev (y.json)",
                "prod-eu.json"
            ]
        );
        let ids = |l: &[FleetItem]| l.iter().map(|i| i.item.id).collect::<Vec<_>>();
        assert_eq!(ids(&s.failing_everywhere), Vec::<&str>::new());
        // 1.1 fails in 5 of 6; 3.2 and 7.1 in 3 of 6, not more than half.
        assert_eq!(ids(&s.failing_in_most), ["1.1"]);
        assert_eq!(s.failing_in_most[0].failing_in.len(), 5);
        let three = FleetSummary::of(
            vec![
                input("a.json", None, &["1.1", "3.2", "7.1"]),
                input("b.json", None, &["1.1", "7.1"]),
                input("c.json", None, &["1.1", "3.2", "7.1"]),
            ],
            Vec::new(),
        );
        assert_eq!(ids(&three.failing_everywhere), ["1.1", "7.1"]);
        assert_eq!(ids(&three.failing_in_most), ["3.2"]);
        assert_eq!(three.failing_in_most[0].failing_in, ["a.json", "c.json"]);
        assert_eq!(s.reports[0].counts.fail, 3);
        assert_eq!(s.reports[0].counts.pass, 32);
        assert_eq!(s.reports[0].sections[0].counts.fail, 1);
        assert_eq!(
            s.reports[2].score,
            Score {
                items: 35,
                evaluated: 35,
                passed: 32
            }
        );
    }

    #[test]
    fn an_item_a_report_does_not_list_is_not_evaluated() {
        let mut one = input("x.json", None, &[]);
        one.items.retain(|(id, _)| id != "4.1");
        let s = FleetSummary::of(vec![one], Vec::new());
        assert_eq!(s.reports[0].counts.not_evaluated, 1);
        assert_eq!(s.reports[0].score.evaluated, 34);
        assert!(s.failing_everywhere.is_empty(), "one report is no fleet");
    }
}
