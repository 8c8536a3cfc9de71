//! JUnit XML of `kcheck pss`: a `<testsuite>` per column (`baseline v1.37`), a `<testcase>` per
//! workload (`Deployment prod/web`); a denied workload is a failure listing its violations.

use super::{column_label, field_place};
use crate::junit::{attr, text};
use crate::labels;
use crate::RenderOptions;
use kcheck_model::{PssColumn, PssReport, PssVerdict};
use std::fmt::Write;

pub(crate) fn render(report: &PssReport, opts: &RenderOptions) -> String {
    let lang = opts.lang;
    let mut suites = String::new();
    let (mut tests, mut failures) = (0, 0);
    for (i, c) in report.columns.iter().enumerate() {
        let mut cases = String::new();
        let (mut suite_tests, mut suite_failures) = (0, 0);
        for w in &report.workloads {
            let Some(v) = w.verdicts.get(i) else {
                continue;
            };
            suite_tests += 1;
            let _ = write!(
                cases,
                "    <testcase name=\"{}\" classname=\"{}\"",
                attr(&w.object.to_string()),
                attr(&classname(c))
            );
            if v.allowed {
                cases.push_str("/>\n");
                continue;
            }
            suite_failures += 1;
            let _ = write!(
                cases,
                ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
                attr(&labels::violations_count(v.violations.len(), lang)),
                attr(&c.level),
                text(&violation_list(c, v))
            );
        }
        tests += suite_tests;
        failures += suite_failures;
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" {}>",
            attr(&column_label(c)),
            counts(suite_tests, suite_failures)
        );
        suites.push_str(&cases);
        suites.push_str("  </testsuite>\n");
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" {}>",
        attr(&format!(
            "{} {}",
            report.tool_name,
            labels::PSS_REPORT.get(lang)
        )),
        counts(tests, failures)
    );
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    out
}

fn counts(tests: usize, failures: usize) -> String {
    format!("tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\"")
}

/// `kcheck.pss.baseline_v1_37`: dots separate packages in JUnit viewers, so the column's own
/// punctuation becomes `_`.
fn classname(c: &PssColumn) -> String {
    let column: String = column_label(c)
        .chars()
        .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
        .collect();
    format!("kcheck.pss.{column}")
}

/// One block per violation: `[check] reason`, the detail, each field and where it is.
fn violation_list(c: &PssColumn, v: &PssVerdict) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "\n{}", column_label(c));
    for violation in &v.violations {
        let _ = write!(s, "\n[{}] {}", violation.check, violation.reason);
        if !violation.detail.trim().is_empty() {
            let _ = write!(s, "\n  {}", violation.detail);
        }
        for f in &violation.fields {
            let place = field_place(f);
            if place == f.path {
                let _ = write!(s, "\n  {}", f.path);
            } else {
                let _ = write!(s, "\n  {}  {place}", f.path);
            }
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classnames_have_no_stray_dots() {
        let c = PssColumn {
            level: "baseline".into(),
            version: "v1.37".into(),
        };
        assert_eq!(classname(&c), "kcheck.pss.baseline_v1_37");
    }
}
