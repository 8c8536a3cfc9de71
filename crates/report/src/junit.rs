//! JUnit XML for CI test reports: a `<testsuite>` per checklist section, a `<testcase>` per item.
//! A failed item is a failure listing its findings; a warned item passes with the findings in
//! `<system-out>`; not evaluated and manual items are skipped with the reason; an item in error
//! is an error.

use crate::labels::{self, FIX, WAIVED};
use crate::RenderOptions;
use kcheck_model::{Finding, ItemResult, Lang, Report, Status};
use std::fmt::Write;

pub(crate) fn render(report: &Report, opts: &RenderOptions) -> String {
    let lang = opts.lang;
    let sections = labels::by_section(report);
    let mut suites = String::new();
    let mut total = Counts::default();
    for (section, results) in &sections {
        let mut counts = Counts::default();
        let mut cases = String::new();
        for r in results {
            counts.add(r.status);
            testcase(&mut cases, report, r, lang);
        }
        total.merge(&counts);
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" {}>",
            attr(&labels::section_heading(section, lang)),
            counts.attrs()
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
            labels::REPORT.get(lang)
        )),
        total.attrs()
    );
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    out
}

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        self.tests += 1;
        match status {
            Status::Fail => self.failures += 1,
            Status::Error => self.errors += 1,
            Status::Manual | Status::NotEvaluated => self.skipped += 1,
            Status::Pass | Status::Warn => {}
        }
    }

    fn merge(&mut self, other: &Counts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.errors += other.errors;
        self.skipped += other.skipped;
    }

    fn attrs(&self) -> String {
        format!(
            "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            self.tests, self.failures, self.errors, self.skipped
        )
    }
}

fn testcase(out: &mut String, report: &Report, r: &ItemResult, lang: Lang) {
    let name = format!("{} {}", r.item.id, r.item.title.get(lang));
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"kcheck.section{}\"",
        attr(&name),
        r.item.section
    );
    let findings = labels::findings_of(report, r);
    let reason = labels::reason(r, lang).unwrap_or_default();
    match r.status {
        Status::Pass if findings.is_empty() => out.push_str("/>\n"),
        Status::Pass | Status::Warn => {
            out.push_str(">\n");
            let _ = writeln!(
                out,
                "      <system-out>{}</system-out>",
                text(&finding_list(&findings, lang))
            );
            out.push_str("    </testcase>\n");
        }
        Status::Fail => {
            out.push_str(">\n");
            let ty = labels::highest(&findings).map_or("fail", |s| s.as_str());
            let mut message = labels::findings_count(findings.len(), lang);
            if findings.is_empty() && !reason.is_empty() {
                message = reason;
            }
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                attr(&message),
                ty,
                text(&finding_list(&findings, lang))
            );
            out.push_str("    </testcase>\n");
        }
        Status::Manual | Status::NotEvaluated => {
            let _ = write!(
                out,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                attr(&reason)
            );
        }
        Status::Error => {
            let _ = write!(
                out,
                ">\n      <error message=\"{}\" type=\"error\">{}</error>\n    </testcase>\n",
                attr(&reason),
                text(&finding_list(&findings, lang))
            );
        }
    }
}

/// One block per finding: `[severity] CODE place object`, the message, the fix.
fn finding_list(findings: &[&Finding], lang: Lang) -> String {
    let mut s = String::new();
    for f in findings {
        let _ = write!(s, "\n[{}] {}", f.severity.label().get(lang), f.code);
        if let Some(place) = labels::place(f) {
            let _ = write!(s, " {place}");
        }
        if let Some(o) = &f.object {
            let _ = write!(s, " {o}");
        }
        if let Some(p) = f.path.as_deref().filter(|_| f.location.is_none()) {
            let _ = write!(s, " {p}");
        }
        if f.waived {
            let _ = write!(s, " ({})", WAIVED.get(lang));
        }
        let _ = write!(s, "\n  {}", f.message.get(lang));
        let fix = f.fix.get(lang);
        if !fix.trim().is_empty() {
            let sep = labels::colon(lang);
            let _ = write!(s, "\n  {}{sep}{fix}", FIX.get(lang));
        }
        s.push('\n');
    }
    s
}

/// Characters XML 1.0 cannot hold at all, even escaped.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escaped for element content; forbidden characters dropped.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| allowed(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A lone CR would be read back as a newline.
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Escaped for a double-quoted attribute; whitespace kept as references, since parsers turn
/// literal newlines and tabs in attributes into spaces.
pub(crate) fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| allowed(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_drops_forbidden_characters() {
        assert_eq!(text("a<b>&c\u{1}\u{FFFE}d"), "a&lt;b&gt;&amp;cd");
        assert_eq!(attr("\"x'\ny\""), "&quot;x&apos;&#10;y&quot;");
        assert_eq!(text("中文 ok"), "中文 ok");
    }
}

/// Writes the report to `out` (for now the whole rendered text at once).
pub(crate) fn write(
    report: &Report,
    opts: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    out.write_all(render(report, opts).as_bytes())
}
