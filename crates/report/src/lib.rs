//! Renderers of a kcheck [`Report`]: a terminal table, the versioned JSON report, SARIF 2.1.0,
//! JUnit XML, Markdown and a self-contained HTML page, each in English or Chinese; and of a
//! `kcheck pss` report ([`kcheck_model::PssReport`]) in the same formats, with [`render_pss`];
//! and the views of the other report commands (`who-can`, `netpol`, `access-review`, `rules`,
//! `explain`) as a table, JSON or Markdown.
//!
//! Renderers never decide anything: statuses, reasons and the order of findings come from the
//! report. Output is deterministic: the same report gives the same bytes.

mod fingerprint;
mod group;
mod html;
mod json;
mod junit;
mod labels;
mod layout;
mod markdown;
mod policyreport;
mod pss;
mod sarif;
pub mod saved;
mod snippet;
mod table;
mod views;

use kcheck_model::{Lang, Report};

/// A string written from its `Display` straight into the output (serde_json escapes the pieces
/// as they come): SARIF's names and messages and both formats' fingerprints are never built as
/// `String`s.
pub(crate) struct Formatted<T>(pub T);

impl<T: std::fmt::Display> serde::Serialize for Formatted<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

pub use pss::render_pss;

/// The policy reports' writer with the size at which a report is split chosen (for tests; the
/// format splits at [`MAX_POLICY_REPORT_RESULTS_BYTES`]).
#[doc(hidden)]
pub use policyreport::write_split_at as write_policy_reports_split_at;
pub use policyreport::MAX_RESULTS_BYTES as MAX_POLICY_REPORT_RESULTS_BYTES;

/// The one-line outcome of `--baseline` (`baseline old.json: 2 new, 40 existing, 1 fixed`), as
/// the human formats give it and the CLI says it on standard error.
pub fn baseline_line(b: &kcheck_model::Baseline, lang: Lang) -> String {
    labels::baseline_line(b, lang)
}
pub use views::{
    explanation, fleet_input, rules_json, rules_table, write_access_review, write_diff,
    write_netpol, write_summary, write_who_can, Diff, DiffTotals, ItemDiff, SummaryFormat,
    ViewFormat,
};

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Aligned text for a terminal, coloured on request.
    Table,
    /// The versioned JSON report (`"schema": 1`).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML: a test suite per section, a test case per item.
    Junit,
    Markdown,
    /// One self-contained page: inline CSS and script, no external assets.
    Html,
    /// `wgpolicyk8s.io/v1alpha2` `PolicyReport`s (one per namespace) and a
    /// `ClusterPolicyReport`, as multi-document YAML for `kubectl apply -f -`.
    PolicyReport,
}

impl Format {
    /// The names `parse` accepts, in the order to show them.
    pub const NAMES: &'static [&'static str] = &[
        "table",
        "json",
        "sarif",
        "junit",
        "markdown",
        "html",
        "policyreport",
    ];

    /// A format by name, ignoring case (`md` is short for `markdown`).
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s.to_ascii_lowercase().as_str() {
            "table" => Format::Table,
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            "junit" => Format::Junit,
            "markdown" | "md" => Format::Markdown,
            "html" => Format::Html,
            "policyreport" => Format::PolicyReport,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::PolicyReport => "policyreport",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How to render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenderOptions {
    /// The language of every human-facing string (machine fields stay as they are).
    pub lang: Lang,
    /// ANSI colours in the table format; the other formats ignore it.
    pub color: bool,
    /// The table, Markdown and HTML group each item's findings by rule, then namespace, and
    /// show this many namespaces of a rule and findings of a namespace, counting the rest;
    /// `None` shows every finding. JSON, SARIF and JUnit are complete whatever it says.
    pub examples: Option<usize>,
    /// The HTML shows the lines of YAML around each finding, read from its file at render time:
    /// for manifests read from files (`kcheck scan`), not for files a node scan read under
    /// another root nor for a cluster's objects.
    pub snippets: bool,
    /// The run's moment, the policy reports' result `timestamp` (left out without one). The
    /// other formats do not show it.
    pub now: Option<kcheck_model::Now>,
}

/// Examples per group unless told otherwise.
pub const DEFAULT_EXAMPLES: usize = 3;

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            lang: Lang::default(),
            color: false,
            examples: Some(DEFAULT_EXAMPLES),
            snippets: false,
            now: None,
        }
    }
}

/// Renders a report. Every format ends with a newline.
pub fn render(report: &Report, format: Format, opts: &RenderOptions) -> String {
    // One path for both: the string is what the writer writes.
    layout::to_string(|out| render_to(report, format, opts, out))
}

/// Writes the report in `format` to `out`, the same bytes as [`render`] makes, as they are made:
/// a cluster's half a million findings need not be held as one string first.
pub fn render_to(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Table => table::write(report, opts, out),
        Format::Json => json::write(report, opts, out),
        Format::Sarif => sarif::write(report, opts, out),
        Format::Junit => junit::write(report, opts, out),
        Format::Markdown => markdown::write(report, opts, out),
        Format::Html => html::write(report, opts, out),
        Format::PolicyReport => policyreport::write(report, opts, out),
    }
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn every_name_parses_back() {
        for name in Format::NAMES {
            let f = Format::parse(name).unwrap();
            assert_eq!(f.name(), *name);
        }
        assert_eq!(Format::parse("MD"), Some(Format::Markdown));
        assert_eq!(Format::parse("xml"), None);
    }
}
