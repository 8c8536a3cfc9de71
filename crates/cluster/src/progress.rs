//! Progress of a collection: objects listed per kind. A bar on a terminal, nothing otherwise.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::sync::Mutex;

/// Told as lists advance. Implementations must be cheap: they are called once per page.
pub trait Progress: Send + Sync {
    /// A kind's list started.
    fn started(&self, _kind: &str) {}
    /// `count` more objects of `kind` arrived.
    fn listed(&self, _kind: &str, _count: usize) {}
    /// A kind's list ended (`ok` false when it failed).
    fn finished(&self, _kind: &str, _ok: bool) {}
}

/// Says nothing.
pub struct Quiet;

impl Progress for Quiet {}

/// One spinner line per kind being listed, with its count, on standard error.
pub struct Bar {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
    style: ProgressStyle,
}

impl Bar {
    /// A bar drawn on standard error (call it only when standard error is a terminal).
    pub fn stderr() -> Bar {
        let style = ProgressStyle::with_template("{spinner} {prefix:>28} {pos:>8} objects")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        Bar {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            bars: Mutex::new(HashMap::new()),
            style,
        }
    }
}

impl Progress for Bar {
    fn started(&self, kind: &str) {
        let bar = self.multi.add(ProgressBar::new_spinner());
        bar.set_style(self.style.clone());
        bar.set_prefix(kind.to_string());
        if let Ok(mut bars) = self.bars.lock() {
            bars.insert(kind.to_string(), bar);
        }
    }

    fn listed(&self, kind: &str, count: usize) {
        if let Ok(bars) = self.bars.lock() {
            if let Some(bar) = bars.get(kind) {
                bar.inc(count as u64);
            }
        }
    }

    fn finished(&self, kind: &str, _ok: bool) {
        if let Ok(mut bars) = self.bars.lock() {
            if let Some(bar) = bars.remove(kind) {
                bar.finish_and_clear();
            }
        }
    }
}
