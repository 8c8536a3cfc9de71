//! A run compared with an earlier report of the same input (`--baseline old.json`): which of its
//! findings the earlier report already had (existing), which it did not (new), and which of the
//! earlier findings are gone (fixed). Findings are matched by their fingerprint (rule, object,
//! field; never the line), so an edit that moves a finding down a file does not make it new.

use crate::finding::{Level, Location, Severity};
use crate::object::ObjectRef;
use crate::text::Text;
use serde::Serialize;

/// Whether a finding of this run was in the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    New,
    Existing,
}

impl BaselineState {
    pub fn label(self) -> Text {
        match self {
            BaselineState::New => Text::fixed("new", "新增"),
            BaselineState::Existing => Text::fixed("existing", "已有"),
        }
    }
}

/// A finding of an earlier report, as its JSON gave it (its message and fix in the language that
/// report was written in).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedFinding {
    pub code: String,
    pub rule: String,
    pub item: String,
    pub severity: Severity,
    pub level: Level,
    pub object: Option<ObjectRef>,
    pub path: Option<String>,
    pub location: Option<Location>,
    pub source: Option<String>,
    /// The node, for a finding of a merged node report.
    pub node: Option<String>,
    pub message: String,
    pub fix: String,
    pub waived: bool,
    pub fingerprint: String,
}

/// This run against its baseline. `state` answers for each finding of the report by its index.
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    /// The baseline file as the command line named it.
    pub source: String,
    /// The kcheck version that wrote it.
    pub tool_version: String,
    /// One bit per finding of the report: set when it is new.
    new: Vec<u64>,
    pub new_count: usize,
    pub existing_count: usize,
    /// Findings of the baseline that this run no longer has, in the baseline's order.
    pub fixed: Vec<SavedFinding>,
    /// What the reader should know about the comparison: another version wrote the baseline,
    /// rules it ran that this version does not have, rules this run has that it did not run.
    pub notes: Vec<Text>,
}

impl Baseline {
    /// A comparison of a report of `findings` findings, all existing until marked new.
    pub fn new(source: String, tool_version: String, findings: usize) -> Baseline {
        Baseline {
            source,
            tool_version,
            new: vec![0; findings.div_ceil(64)],
            existing_count: findings,
            ..Default::default()
        }
    }

    /// Marks the report's finding `i` as new.
    pub fn mark_new(&mut self, i: usize) {
        let (word, bit) = (i / 64, 1u64 << (i % 64));
        if let Some(w) = self.new.get_mut(word) {
            if *w & bit == 0 {
                *w |= bit;
                self.new_count += 1;
                self.existing_count -= 1;
            }
        }
    }

    /// The state of the report's finding `i`.
    pub fn state(&self, i: usize) -> BaselineState {
        let set = self
            .new
            .get(i / 64)
            .is_some_and(|w| w & (1u64 << (i % 64)) != 0);
        if set {
            BaselineState::New
        } else {
            BaselineState::Existing
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_count_once() {
        let mut b = Baseline::new("old.json".into(), "0.1.0".into(), 130);
        b.mark_new(0);
        b.mark_new(129);
        b.mark_new(129);
        b.mark_new(500); // out of range: ignored
        assert_eq!((b.new_count, b.existing_count), (2, 128));
        assert_eq!(b.state(0), BaselineState::New);
        assert_eq!(b.state(1), BaselineState::Existing);
        assert_eq!(b.state(129), BaselineState::New);
        assert_eq!(b.state(128), BaselineState::Existing);
    }
}
