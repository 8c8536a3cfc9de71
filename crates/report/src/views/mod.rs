//! Renderers of the report commands' views, each in a terminal table, JSON or Markdown, in
//! English or Chinese: `kcheck who-can` ([`WhoCan`]), `kcheck netpol` ([`NetpolCoverage`]) and
//! `kcheck access-review` ([`AccessReview`]); and the rule catalogue of `kcheck rules` and
//! `kcheck explain` ([`RuleSummary`]).
//!
//! They share the checklist renderers' layout (display-width padding) and Markdown escaping;
//! the words only one view uses live in its file. Names from the input are escaped in Markdown;
//! in a table, control characters (a terminal's escape sequences, bidirectional overrides) are
//! replaced, as in the checklist's table, so a hostile name cannot drive the terminal. The JSON is written from
//! structs whose fields are in the alphabetical order of their keys, the order the JSON has
//! always had, whatever serde_json features the final binary enables. Each view is written one
//! piece (a subject, a namespace) at a time through a [`Spool`](crate::layout::Spool).

mod access_review;
mod diff;
mod netpol;
mod rules;
mod summary;
mod who_can;

use kcheck_model::{AccessReview, FleetSummary, GrantScope, Lang, NetpolCoverage, WhoCan};
use std::io;

pub use diff::{Diff, DiffTotals, ItemDiff};
pub use rules::{explanation, rules_json, rules_table};
pub use summary::fleet_input;

/// The formats of the report commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ViewFormat {
    /// Aligned text for a terminal.
    Table,
    /// Pretty-printed JSON, the same in both languages.
    Json,
    /// Markdown for pull requests and wikis.
    Markdown,
}

/// Writes `kcheck who-can`'s answer in `format` to `out`.
pub fn write_who_can(
    answer: &WhoCan,
    format: ViewFormat,
    lang: Lang,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    match format {
        ViewFormat::Table => who_can::table(answer, lang, &mut Scrubbed(out)),
        ViewFormat::Json => who_can::json(answer, out),
        ViewFormat::Markdown => who_can::markdown(answer, lang, out),
    }
}

/// Writes `kcheck netpol`'s coverage in `format` to `out`.
pub fn write_netpol(
    coverage: &NetpolCoverage,
    format: ViewFormat,
    lang: Lang,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    match format {
        ViewFormat::Table => netpol::table(coverage, lang, &mut Scrubbed(out)),
        ViewFormat::Json => netpol::json(coverage, out),
        ViewFormat::Markdown => netpol::markdown(coverage, lang, out),
    }
}

/// Writes `kcheck access-review`'s subjects and digest in `format` to `out`.
pub fn write_access_review(
    review: &AccessReview,
    format: ViewFormat,
    lang: Lang,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    match format {
        ViewFormat::Table => access_review::table(review, lang, &mut Scrubbed(out)),
        ViewFormat::Json => access_review::json(review, out),
        ViewFormat::Markdown => access_review::markdown(review, lang, out),
    }
}

/// Writes `kcheck diff`'s comparison in `format` to `out`: in a table and Markdown the first
/// `examples` findings of each list (all with `None`), in JSON all of them.
pub fn write_diff(
    diff: &Diff,
    format: ViewFormat,
    examples: Option<usize>,
    lang: Lang,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    match format {
        ViewFormat::Table => diff::table(diff, examples, lang, &mut Scrubbed(out)),
        ViewFormat::Json => diff::json(diff, out),
        ViewFormat::Markdown => diff::markdown(diff, examples, lang, out),
    }
}

/// The formats of `kcheck summary`: those of the report commands, and one HTML page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SummaryFormat {
    Table,
    Json,
    Markdown,
    /// One self-contained page.
    Html,
}

/// Writes `kcheck summary`'s view of several reports in `format` to `out`.
pub fn write_summary(
    summary: &FleetSummary,
    format: SummaryFormat,
    lang: Lang,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    match format {
        SummaryFormat::Table => summary::table(summary, lang, &mut Scrubbed(out)),
        SummaryFormat::Json => summary::json(summary, out),
        SummaryFormat::Markdown => summary::markdown(summary, lang, out),
        SummaryFormat::Html => summary::html(summary, lang, out),
    }
}

/// A table's writer: what is written passes through [`crate::layout::clean`]. The renderers
/// write whole pieces (a line, a subject), so no character is split between two writes.
struct Scrubbed<'w>(&'w mut dyn io::Write);

impl io::Write for Scrubbed<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(text) => self.0.write_all(crate::layout::clean(text).as_bytes())?,
            Err(_) => self.0.write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// `cluster`, `namespace shop` in the reader's language.
fn scope_text(scope: &GrantScope, lang: Lang) -> String {
    match (scope, lang) {
        (_, Lang::En) => scope.to_string(),
        (GrantScope::Cluster, Lang::Zh) => "集群".to_string(),
        (GrantScope::Namespace(ns), Lang::Zh) => format!("名字空间 {ns}"),
    }
}

/// Pretty-printed JSON and a newline.
fn write_json(value: &impl serde::Serialize, out: &mut dyn io::Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// A name from the input in the table: as it is.
fn same(s: &str) -> String {
    s.to_string()
}

/// A name from the input in Markdown: escaped, so that it renders as itself.
fn escaped(s: &str) -> String {
    crate::markdown::esc(s)
}

#[cfg(test)]
mod tests;
