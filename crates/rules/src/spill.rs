//! A streaming scan's findings, written to a file as files are judged and read back in the
//! report's order: memory does not grow with them.
//!
//! The report orders findings by item, rule, then place (file in input order, line, column),
//! ties in the order rules found them, with repeats dropped ([`crate::engine`]). The files come
//! in input order, so each rule's findings of a batch of files follow its findings of the
//! batches before. A [`Spiller`] keeps, per item and rule, where its findings lie in a run file
//! (those with a place, then those without one); at the end each rule's findings are read in
//! that order, merged with those the whole-input rules found, folded into owners and written,
//! in the report's order, to the file the report reads ([`kcheck_model::Findings`]). When a
//! batch's findings would go before ones already written (a place in a file read earlier), the
//! spiller reads everything back and orders it in memory: slower, never different.

use crate::engine::FileOrder;
use crate::owners::Fold;
use kcheck_model::{Backing, Finding, FindingRef, Findings, Inventory, Spill};
use std::collections::BTreeMap;
use std::ops::Range;

/// Where a finding goes in the report: item, rule, then file, line and column.
type Group = ((u32, u32), &'static str);
type Place = (u32, u32, u32);

fn group(f: &Finding) -> Group {
    (kcheck_model::item_order(f.item), f.code)
}

fn place(f: &Finding, order: &FileOrder) -> Place {
    f.location.as_ref().map_or((u32::MAX, 0, 0), |l| {
        (order.rank(&l.file), l.line, l.column)
    })
}

/// The findings of one item and rule written so far.
#[derive(Default)]
struct Runs {
    /// Those with a place, in order, as ranges of the run file.
    placed: Vec<Range<usize>>,
    /// Those without, in the order found.
    unplaced: Vec<Range<usize>>,
    /// The place of the last one with a place.
    last: Option<Place>,
}

/// Findings written to a file a batch at a time (see the module's documentation).
pub struct Spiller {
    runs: Spill,
    written: usize,
    groups: BTreeMap<Group, Runs>,
    /// A batch's findings went before some written earlier: order them in memory at the end.
    unordered: bool,
    /// Where the report's findings go at the end.
    report: Backing,
}

impl Spiller {
    /// Writes the findings to `runs`, and the report's, in order, to `report`.
    pub fn new(runs: Backing, report: Backing) -> Spiller {
        Spiller {
            runs: Spill::new(runs),
            written: 0,
            groups: BTreeMap::new(),
            unordered: false,
            report,
        }
    }

    /// Writes `findings` (the next files' in the order rules found them; `order` knows their
    /// files).
    pub fn write(&mut self, mut findings: Vec<Finding>, order: &FileOrder) {
        findings.sort_by_cached_key(|f| (group(f), place(f, order)));
        let mut i = 0;
        while i < findings.len() {
            let g = group(&findings[i]);
            let end = i + findings[i..].iter().take_while(|f| group(f) == g).count();
            let runs = self.groups.entry(g).or_default();
            let placed = findings[i..end]
                .iter()
                .take_while(|f| place(f, order).0 != u32::MAX)
                .count();
            if placed > 0 {
                let first = place(&findings[i], order);
                if runs.last.is_some_and(|last| first < last) {
                    self.unordered = true;
                }
                runs.last = Some(place(&findings[i + placed - 1], order));
                runs.placed.push(self.written..self.written + placed);
            }
            // A finding with a file the order does not know yet would take a rank later.
            if findings[i + placed..end]
                .iter()
                .any(|f| f.location.is_some())
            {
                self.unordered = true;
            }
            if placed < end - i {
                runs.unplaced
                    .push(self.written + placed..self.written + (end - i));
            }
            for f in &findings[i..end] {
                self.runs.push(f);
            }
            self.written += end - i;
            i = end;
        }
    }

    /// The report's findings: those written and `last` (found by the whole-input rules), in
    /// the report's order, folded into owners in `owners` (none without it), without repeats.
    pub fn finish(
        self,
        last: Vec<Finding>,
        owners: Option<&Inventory>,
        order: &FileOrder,
    ) -> Findings {
        let Spiller {
            runs,
            groups,
            unordered,
            report,
            ..
        } = self;
        let runs = runs.finish();
        if unordered {
            let mut all = runs.into_vec();
            all.extend(last);
            if let Some(inventory) = owners {
                crate::owners::fold_owned(&mut all, inventory);
            }
            crate::engine::sort_findings(&mut all, order);
            return Findings::from(all);
        }
        let mut last = last;
        last.sort_by_cached_key(|f| (group(f), place(f, order)));
        let fold = owners.and_then(|inventory| {
            Fold::plan(
                inventory,
                runs.iter().chain(last.iter().map(FindingRef::Borrowed)),
            )
        });
        let mut out = Spill::new(report);
        let mut previous: Option<FindingRef> = None;
        let mut emit = |f: FindingRef<'_>| {
            let mut f = f;
            if let Some(fold) = &fold {
                if fold.folds(&f) {
                    return;
                }
                // An owner's finding that Pods' folded into says how many.
                let pods = fold.pods(&f);
                if pods > 0 {
                    let mut owned = into_owned(f);
                    owned.pods = pods;
                    f = FindingRef::Owned(Box::new(owned));
                }
            }
            if previous.as_deref() == Some(&*f) {
                return;
            }
            out.push(&f);
            previous = Some(FindingRef::Owned(Box::new(into_owned(f))));
        };
        let mut later = last.iter().peekable();
        for (g, r) in &groups {
            // The whole-input rules' findings of groups before this one.
            while let Some(f) = later.next_if(|f| group(f) < *g) {
                emit(FindingRef::Borrowed(f));
            }
            let written = r
                .placed
                .iter()
                .chain(&r.unplaced)
                .flat_map(|range| runs.range(range.clone()));
            for f in written {
                // Theirs of this group that go before (a tie keeps the earlier found first).
                while let Some(l) =
                    later.next_if(|l| group(l) == *g && place(l, order) < place(&f, order))
                {
                    emit(FindingRef::Borrowed(l));
                }
                emit(f);
            }
        }
        for f in later {
            emit(FindingRef::Borrowed(f));
        }
        out.finish()
    }
}

fn into_owned(f: FindingRef<'_>) -> Finding {
    match f {
        FindingRef::Borrowed(f) => f.clone(),
        FindingRef::Owned(f) => *f,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kcheck_model::{Level, Location, Severity, Text};
    use std::sync::Arc;

    fn at(
        code: &'static str,
        item: &'static str,
        file: Option<&str>,
        line: u32,
        msg: &str,
    ) -> Finding {
        Finding {
            code,
            rule: "rule",
            item,
            severity: Severity::High,
            level: Level::Fail,
            object: None,
            path: None,
            location: file.map(|f| Location {
                file: Arc::from(f),
                line,
                column: 1,
            }),
            source: None,
            node: None,
            message: Text::new(msg.to_string(), String::new()),
            fix: Text::fixed("fix", "修复"),
            waived: false,
            waiver: None,
            pods: 0,
        }
    }

    /// What the in-memory path makes of the same findings, found in the same order.
    fn reference(batches: &[Vec<Finding>], last: &[Finding], order: &FileOrder) -> Vec<Finding> {
        let mut all: Vec<Finding> = batches.iter().flatten().cloned().collect();
        all.extend(last.iter().cloned());
        crate::engine::sort_findings(&mut all, order);
        all
    }

    fn spilled(batches: &[Vec<Finding>], last: &[Finding], order: &FileOrder) -> (Findings, bool) {
        let mut s = Spiller::new(Backing::memory(), Backing::memory());
        for b in batches {
            s.write(b.clone(), order);
        }
        let unordered = s.unordered;
        let inventory = Inventory::new(Vec::new());
        (s.finish(last.to_vec(), Some(&inventory), order), unordered)
    }

    #[test]
    fn batches_and_whole_input_findings_merge_in_the_report_order() {
        let mut order = FileOrder::default();
        order.push("a.yaml");
        order.push("b.yaml");
        let batches = vec![
            vec![
                at("KC301", "3.2", Some("a.yaml"), 9, "later line first"),
                at("KC301", "3.2", Some("a.yaml"), 1, "dup"),
                at("KC301", "3.2", Some("a.yaml"), 1, "dup"),
                at("KC101", "1.1", None, 0, "no place"),
                at("KC301", "3.2", Some("a.yaml"), 1, "same place, found after"),
            ],
            vec![
                at("KC301", "3.2", Some("b.yaml"), 2, "second file"),
                at("KC101", "1.1", None, 0, "no place, second batch"),
                at("KC101", "1.1", Some("b.yaml"), 4, "placed after unplaced"),
            ],
        ];
        let last = vec![
            at("KC301", "3.2", Some("a.yaml"), 1, "whole input, tie"),
            at("KC301", "3.2", Some("a.yaml"), 5, "whole input, between"),
            at("KC207", "2.3", Some("b.yaml"), 1, "another rule"),
            at("KC301", "3.2", None, 0, "whole input, no place"),
            at("KC999", "8.9", None, 0, "a group no batch has"),
        ];
        let (got, unordered) = spilled(&batches, &last, &order);
        assert!(!unordered);
        assert!(got.spilled());
        let want = reference(&batches, &last, &order);
        assert_eq!(got.into_vec(), want);
        // The ties and the repeat: the dup once, then the one found after, then the whole
        // input's.
        let msgs: Vec<String> = want.iter().map(|f| f.message.en.to_string()).collect();
        let from = msgs.iter().position(|m| m == "dup").unwrap();
        assert_eq!(
            msgs[from..from + 4],
            [
                "dup",
                "same place, found after",
                "whole input, tie",
                "whole input, between"
            ]
        );
    }

    #[test]
    fn a_batch_that_goes_before_one_written_is_ordered_in_memory() {
        let mut order = FileOrder::default();
        order.push("a.yaml");
        order.push("b.yaml");
        let batches = vec![
            vec![at("KC301", "3.2", Some("b.yaml"), 3, "b")],
            vec![
                at("KC301", "3.2", Some("a.yaml"), 7, "a"),
                // A file the order does not know.
                at("KC302", "3.2", Some("c.yaml"), 1, "c"),
            ],
        ];
        let (got, unordered) = spilled(&batches, &[], &order);
        assert!(unordered);
        assert!(!got.spilled());
        assert_eq!(got.into_vec(), reference(&batches, &[], &order));
    }
}
