//! JUnit XML for CI test reports: a `<testsuite>` per checklist section, a `<testcase>` per item.
//! A failed item is a failure listing its findings; a warned item passes with the findings in
//! `<system-out>`; not evaluated and manual items are skipped with the reason; an item in error
//! is an error.

use crate::labels::{self, FIX, WAIVED};
use crate::layout::Spool;
use crate::RenderOptions;
use kcheck_model::{ItemResult, Lang, Report, Status};
use std::fmt::Write;
use std::io;

/// Writes the XML to `out` as it is formatted, one finding at a time.
pub(crate) fn write(
    report: &Report,
    opts: &RenderOptions,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let lang = opts.lang;
    let sections = labels::by_section(report);
    // `<testsuites>` and each `<testsuite>` carry their counts before their test cases. The
    // counts come from the items' statuses alone, so a first pass over the 35 items gives them
    // and the test cases can then be written as they are made.
    let counts: Vec<Counts> = sections
        .iter()
        .map(|(_, results)| {
            let mut counts = Counts::default();
            for r in results {
                counts.add(r.status);
            }
            counts
        })
        .collect();
    let mut total = Counts::default();
    for c in &counts {
        total.merge(c);
    }
    let mut spool = Spool::new(out);
    spool
        .buf
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        spool.buf,
        "<testsuites name=\"{}\" {}>",
        attr(&format!(
            "{} {}",
            report.tool_name,
            labels::REPORT.get(lang)
        )),
        total.attrs()
    );
    let distribution = labels::distribution_line(report, lang);
    for ((section, results), counts) in sections.iter().zip(&counts) {
        let _ = writeln!(
            spool.buf,
            "  <testsuite name=\"{}\" {}>",
            attr(&labels::section_heading(section, lang)),
            counts.attrs()
        );
        if let (Some(line), Some(d)) = (
            &distribution,
            report.target.as_ref().and_then(|t| t.distribution.as_ref()),
        ) {
            let _ = writeln!(
                spool.buf,
                "    <properties>\n      <property name=\"distribution\" value=\"{}\"/>\n      <property name=\"node-role\" value=\"{}\"/>\n      <property name=\"distribution-detail\" value=\"{}\"/>\n    </properties>",
                d.distro.name(),
                d.role.name(),
                attr(line)
            );
        }
        for r in results {
            testcase(&mut spool, report, r, lang)?;
        }
        spool.buf.push_str("  </testsuite>\n");
    }
    spool.buf.push_str("</testsuites>\n");
    spool.finish()
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

fn testcase(spool: &mut Spool, report: &Report, r: &ItemResult, lang: Lang) -> io::Result<()> {
    let out = &mut spool.buf;
    let name = format!("{} {}", r.item.id, r.item.title.get(lang));
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"kcheck.section{}\"",
        attr(&name),
        r.item.section
    );
    let findings = labels::item_findings(report, r);
    let reason = labels::reason(r, lang).unwrap_or_default();
    match r.status {
        Status::Pass if findings.clone().next().is_none() => out.push_str("/>\n"),
        Status::Pass | Status::Warn => {
            out.push_str(">\n      <system-out>");
            finding_list(spool, findings, lang)?;
            spool.buf.push_str("</system-out>\n    </testcase>\n");
        }
        Status::Fail => {
            out.push_str(">\n");
            // The failure's type and message sum the item's findings up.
            let briefs = || report.findings.briefs_of(&r.findings);
            let ty = labels::highest(briefs()).map_or("fail", |s| s.as_str());
            let n = briefs().count();
            let mut message = labels::findings_count(n, lang);
            if n == 0 && !reason.is_empty() {
                message = reason;
            }
            let _ = write!(
                out,
                "      <failure message=\"{}\" type=\"{}\">",
                attr(&message),
                ty
            );
            finding_list(spool, findings, lang)?;
            spool.buf.push_str("</failure>\n    </testcase>\n");
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
                ">\n      <error message=\"{}\" type=\"error\">",
                attr(&reason)
            );
            finding_list(spool, findings, lang)?;
            spool.buf.push_str("</error>\n    </testcase>\n");
        }
    }
    Ok(())
}

/// One block per finding: `[severity] CODE place object`, the message, the fix; escaped as
/// element content and written out one finding at a time (escaping works character by character,
/// so escaping each block is escaping the whole list).
fn finding_list<'r>(
    spool: &mut Spool,
    findings: impl Iterator<Item = kcheck_model::FindingRef<'r>>,
    lang: Lang,
) -> io::Result<()> {
    // The raw block, reused: it is escaped into the spool's buffer.
    let mut s = String::new();
    for f in findings {
        s.clear();
        let _ = write!(s, "\n[{}] {}", f.severity.label().get(lang), f.code);
        if let Some(place) = labels::place(&f) {
            let _ = write!(s, " {place}");
        }
        if let Some(o) = labels::finding_object(&f, lang) {
            let _ = write!(s, " {o}");
        }
        if let Some(p) = f.path.as_deref().filter(|_| f.location.is_none()) {
            let _ = write!(s, " {p}");
        }
        if f.waived {
            s.push_str(&labels::paren(WAIVED.get(lang), lang));
        }
        let _ = write!(s, "\n  {}", f.message.get(lang));
        let fix = f.fix.get(lang);
        if !fix.trim().is_empty() {
            let sep = labels::colon(lang);
            let _ = write!(s, "\n  {}{sep}{fix}", FIX.get(lang));
        }
        s.push('\n');
        push_text(&mut spool.buf, &s);
        spool.flush()?;
    }
    Ok(())
}

/// Characters XML 1.0 cannot hold at all, even escaped.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escaped for element content; forbidden characters dropped.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_text(&mut out, s);
    out
}

/// [`text`] appended to `out`, without a string of its own.
fn push_text(out: &mut String, s: &str) {
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
