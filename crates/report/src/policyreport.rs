//! The report as Kubernetes Policy working group reports (`wgpolicyk8s.io/v1alpha2`): the
//! `PolicyReport` and `ClusterPolicyReport` objects that Kyverno, Trivy Operator, kube-bench
//! adapters and Policy Reporter share results through. Multi-document YAML, one `---` per
//! object, that `kubectl apply -f -` accepts.
//!
//! - One `PolicyReport` named `kcheck-<namespace>` per namespace with findings on its objects.
//! - One `ClusterPolicyReport` named `kcheck-cluster` with the findings on cluster-scoped
//!   objects, on namespaced objects whose namespace the input does not say (where they land is
//!   up to whoever applies them), the findings with no object (node files, images, cluster-wide
//!   facts), and one result per checklist item without findings, so that all 35 items appear.
//!
//! Every report is labelled `app.kubernetes.io/managed-by: kcheck` and
//! `app.kubernetes.io/part-of: kcheck`.
//!
//! Each result says `source: kcheck`, `policy`: the item id (`3.2`, its title in
//! `properties.title`), `rule`: the rule code (`KC301`; `item` for an item's own verdict),
//! `category`: the section's title, `severity` (kcheck's five levels are the CRD's five) and
//! `result`:
//!
//! | kcheck | result |
//! |---|---|
//! | a failing finding | `fail` |
//! | a warning | `warn` |
//! | an informational finding (never changes its item) | `pass` (`properties.level: info`) |
//! | a waived finding | `skip`, the waiver's reason and source in `properties` |
//! | an item without findings that passes | `pass` |
//! | ... not evaluated, or to check by hand | `skip`, the reason as `message` |
//! | ... in error | `error` |
//!
//! `message` is in the report's language; `resources` names the object (apiVersion, kind,
//! name, namespace: kcheck does not keep uids); `properties` holds `location`
//! (`file:line:column`), `fieldPath`, `fix`, `source` (the API path or node file), `title`,
//! and, where they apply, `pods`, `level`, `waiver` and `waiverSource`. `timestamp` is the run's
//! moment ([`RenderOptions::now`](crate::RenderOptions)), left out without one. `summary` counts
//! each report's results.
//!
//! **Size.** An object has to fit in etcd (1.5 MiB by default). A report whose results would
//! pass 1 MiB of YAML is split: its results go on in `kcheck-<namespace>-2`, `-3`, ... (and
//! `kcheck-cluster-2`, ...), each with its own summary.
//!
//! Output is deterministic: reports come cluster first, then namespaces by name; results in the
//! report's order (item, rule, place).

use crate::RenderOptions;
use kcheck_model::{FindingRef, ItemResult, Lang, Level, Report, Status, Text};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

/// The results of one report object are split when their YAML would pass this.
pub const MAX_RESULTS_BYTES: usize = 1 << 20;

const API_VERSION: &str = "wgpolicyk8s.io/v1alpha2";

/// Writes the reports, splitting at [`MAX_RESULTS_BYTES`].
pub(crate) fn write(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    write_split_at(report, opts, MAX_RESULTS_BYTES, out)
}

/// [`write`] with the results of one report kept under `limit` bytes of YAML (a single result
/// larger than that still goes in a report of its own).
pub fn write_split_at(
    report: &Report,
    opts: &RenderOptions,
    limit: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    // Where each finding goes: by namespace, or the cluster report by item.
    let mut namespaces: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut cluster: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
    for (i, f) in report.findings.iter().enumerate() {
        // A node's finding is about the node, whatever static pod or file it names.
        let namespaced = f.node.is_none().then_some(()).and(f.object.as_ref());
        match namespaced.and_then(|o| o.namespace.as_deref()) {
            Some(ns) => namespaces.entry(ns.to_string()).or_default().push(i),
            None => cluster.entry(f.item).or_default().push(i),
        }
    }

    let ctx = Context {
        lang: opts.lang,
        now: opts.now.map(|n| n.unix()),
    };
    let mut doc = Doc::new(None, limit);
    if let Some(d) = report.target.as_ref().and_then(|t| t.distribution.as_ref()) {
        // The node's distribution and role, on the node's own (cluster-scoped) report.
        let mut a = String::from("  annotations:\n    kcheck.dev/distribution: ");
        quote(&mut a, d.distro.name());
        a.push_str("\n    kcheck.dev/node-role: ");
        quote(&mut a, d.role.name());
        a.push('\n');
        doc.annotations = a;
    }
    for item in &report.items {
        if item.findings.is_empty() {
            doc.push(out, &item_result(report, item, &ctx))?;
        }
        if let Some(indices) = cluster.get(item.item.id) {
            for f in report.findings.pick(indices) {
                doc.push(out, &finding_result(&f, &ctx))?;
            }
        }
    }
    doc.finish(out)?;
    for (ns, indices) in &namespaces {
        let mut doc = Doc::new(Some(ns), limit);
        for f in report.findings.pick(indices) {
            doc.push(out, &finding_result(&f, &ctx))?;
        }
        doc.finish(out)?;
    }
    Ok(())
}

struct Context {
    lang: Lang,
    now: Option<i64>,
}

/// One result, as YAML list entry text, and what it counts as.
struct Entry {
    yaml: String,
    result: Outcome,
}

#[derive(Clone, Copy)]
enum Outcome {
    Pass,
    Fail,
    Warn,
    Error,
    Skip,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Warn => "warn",
            Outcome::Error => "error",
            Outcome::Skip => "skip",
        }
    }
}

/// The report being filled: its results so far, written out when full or finished.
struct Doc<'a> {
    namespace: Option<&'a str>,
    limit: usize,
    /// 1 for the first report of its scope, 2 for the next, ...
    part: usize,
    results: String,
    count: usize,
    /// pass, fail, warn, error, skip
    summary: [usize; 5],
    /// `metadata.annotations` lines, when there are any.
    annotations: String,
}

impl<'a> Doc<'a> {
    fn new(namespace: Option<&'a str>, limit: usize) -> Doc<'a> {
        Doc {
            namespace,
            limit,
            part: 1,
            results: String::new(),
            count: 0,
            summary: [0; 5],
            annotations: String::new(),
        }
    }

    fn push(&mut self, out: &mut dyn Write, entry: &Entry) -> io::Result<()> {
        if self.count > 0 && self.results.len() + entry.yaml.len() > self.limit {
            self.flush(out)?;
            self.part += 1;
        }
        self.results.push_str(&entry.yaml);
        self.count += 1;
        self.summary[entry.result as usize] += 1;
        Ok(())
    }

    /// Writes the last report of this scope (the cluster report even when it has no results).
    fn finish(mut self, out: &mut dyn Write) -> io::Result<()> {
        if self.count > 0 || self.part == 1 {
            self.flush(out)?;
        }
        Ok(())
    }

    fn flush(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let mut head = String::new();
        head.push_str("---\n");
        let _ = writeln!(head, "apiVersion: {API_VERSION}");
        let kind = match self.namespace {
            Some(_) => "PolicyReport",
            None => "ClusterPolicyReport",
        };
        let _ = writeln!(head, "kind: {kind}");
        head.push_str("metadata:\n  name: ");
        quote(&mut head, &report_name(self.namespace, self.part));
        head.push('\n');
        if let Some(ns) = self.namespace {
            head.push_str("  namespace: ");
            quote(&mut head, ns);
            head.push('\n');
        }
        head.push_str(&self.annotations);
        head.push_str(
            "  labels:\n    app.kubernetes.io/managed-by: kcheck\n    app.kubernetes.io/part-of: kcheck\n",
        );
        if self.count == 0 {
            head.push_str("results: []\n");
        } else {
            head.push_str("results:\n");
        }
        out.write_all(head.as_bytes())?;
        out.write_all(self.results.as_bytes())?;
        let [pass, fail, warn, error, skip] = self.summary;
        write!(
            out,
            "summary:\n  pass: {pass}\n  fail: {fail}\n  warn: {warn}\n  error: {error}\n  skip: {skip}\n"
        )?;
        self.results.clear();
        self.count = 0;
        self.summary = [0; 5];
        Ok(())
    }
}

/// `kcheck-<namespace>`, `kcheck-<namespace>-2`, `kcheck-cluster`: within the 253 characters of
/// an object name (a namespace has at most 63; a longer one from a manifest is cut).
fn report_name(namespace: Option<&str>, part: usize) -> String {
    let scope = namespace.unwrap_or("cluster");
    let suffix = if part > 1 {
        format!("-{part}")
    } else {
        String::new()
    };
    let room = 253 - "kcheck-".len() - suffix.len();
    let mut end = scope.len().min(room);
    while !scope.is_char_boundary(end) {
        end -= 1;
    }
    let scope = scope[..end].trim_end_matches(['-', '.']);
    format!("kcheck-{scope}{suffix}")
}

fn finding_result(f: &FindingRef<'_>, ctx: &Context) -> Entry {
    let lang = ctx.lang;
    let item = kcheck_model::item(f.item);
    let outcome = if f.waived {
        Outcome::Skip
    } else {
        match f.level {
            Level::Fail => Outcome::Fail,
            Level::Warn => Outcome::Warn,
            Level::Info => Outcome::Pass,
        }
    };
    let mut props: Vec<(&str, String)> = Vec::new();
    if let Some(path) = &f.path {
        props.push(("fieldPath", path.clone()));
    }
    props.push(("fix", f.fix.get(lang).to_string()));
    if f.level == Level::Info {
        props.push(("level", "info".to_string()));
    }
    if let Some(loc) = &f.location {
        props.push(("location", loc.to_string()));
    }
    if let Some(node) = &f.node {
        props.push(("node", node.to_string()));
    }
    if f.pods > 0 {
        props.push(("pods", f.pods.to_string()));
    }
    if let Some(source) = &f.source {
        props.push(("source", source.to_string()));
    }
    if let Some(item) = item {
        props.push(("title", item.title.get(lang).to_string()));
    }
    if let Some(w) = &f.waiver {
        props.push(("waiver", w.reason.clone()));
        props.push(("waiverSource", w.source.clone()));
    }
    let mut y = String::new();
    head(
        &mut y,
        f.item,
        f.code,
        item.map(|i| &i.section().title),
        lang,
    );
    let _ = writeln!(y, "  severity: {}", f.severity.as_str());
    let _ = writeln!(y, "  result: {}", outcome.as_str());
    y.push_str("  scored: true\n  source: kcheck\n  message: ");
    quote(&mut y, f.message.get(lang));
    y.push('\n');
    let node = f.node.as_ref().map(|name| kcheck_model::ObjectRef {
        api_version: "v1".to_string(),
        kind: "Node".to_string(),
        namespace: None,
        name: name.to_string(),
    });
    if let Some(o) = node.as_ref().or(f.object.as_deref()) {
        y.push_str("  resources:\n  - apiVersion: ");
        quote(&mut y, &o.api_version);
        y.push_str("\n    kind: ");
        quote(&mut y, &o.kind);
        y.push_str("\n    name: ");
        quote(&mut y, &o.name);
        y.push('\n');
        if let Some(ns) = &o.namespace {
            y.push_str("    namespace: ");
            quote(&mut y, ns);
            y.push('\n');
        }
    }
    properties(&mut y, &props);
    timestamp(&mut y, ctx);
    Entry {
        yaml: y,
        result: outcome,
    }
}

/// An item's own verdict, for an item without findings.
fn item_result(report: &Report, r: &ItemResult, ctx: &Context) -> Entry {
    let lang = ctx.lang;
    let outcome = match r.status {
        Status::Pass => Outcome::Pass,
        Status::Fail => Outcome::Fail,
        Status::Warn => Outcome::Warn,
        Status::Error => Outcome::Error,
        Status::Manual | Status::NotEvaluated => Outcome::Skip,
    };
    let nothing = Text::fixed("No findings.", "未发现问题。");
    let message = r.reason.as_ref().unwrap_or(&nothing);
    let rules: Vec<&str> = report
        .rules
        .iter()
        .filter(|rule| rule.item == r.item.id)
        .map(|rule| rule.code)
        .collect();
    let mut props: Vec<(&str, String)> = vec![("examined", r.examined.to_string())];
    if !rules.is_empty() {
        props.push(("rules", rules.join(",")));
    }
    props.push(("status", r.status.as_str().to_string()));
    props.push(("title", r.item.title.get(lang).to_string()));
    let mut y = String::new();
    head(
        &mut y,
        r.item.id,
        "item",
        Some(&r.item.section().title),
        lang,
    );
    let _ = writeln!(y, "  result: {}", outcome.as_str());
    y.push_str("  scored: true\n  source: kcheck\n  message: ");
    quote(&mut y, message.get(lang));
    y.push('\n');
    properties(&mut y, &props);
    timestamp(&mut y, ctx);
    Entry {
        yaml: y,
        result: outcome,
    }
}

fn head(y: &mut String, policy: &str, rule: &str, category: Option<&Text>, lang: Lang) {
    y.push_str("- policy: ");
    quote(y, policy);
    y.push_str("\n  rule: ");
    quote(y, rule);
    y.push('\n');
    if let Some(c) = category {
        y.push_str("  category: ");
        quote(y, c.get(lang));
        y.push('\n');
    }
}

/// `properties`, a string map, keys in the order given (sorted by the callers).
fn properties(y: &mut String, props: &[(&str, String)]) {
    if props.is_empty() {
        return;
    }
    y.push_str("  properties:\n");
    for (k, v) in props {
        let _ = write!(y, "    {k}: ");
        quote(y, v);
        y.push('\n');
    }
}

fn timestamp(y: &mut String, ctx: &Context) {
    if let Some(secs) = ctx.now {
        let _ = writeln!(y, "  timestamp:\n    seconds: {secs}\n    nanos: 0");
    }
}

/// `s` as a YAML double-quoted scalar: every string is quoted, so that none reads as a number,
/// a boolean or null, and characters YAML does not allow raw are escaped.
fn quote(y: &mut String, s: &str) {
    y.push('"');
    for c in s.chars() {
        match c {
            '"' => y.push_str("\\\""),
            '\\' => y.push_str("\\\\"),
            '\n' => y.push_str("\\n"),
            '\t' => y.push_str("\\t"),
            '\r' => y.push_str("\\r"),
            c if needs_escape(c) => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(y, "\\u{unit:04X}");
                }
            }
            c => y.push(c),
        }
    }
    y.push('"');
}

/// Characters outside YAML's printable set, and the line and byte order marks.
fn needs_escape(c: char) -> bool {
    matches!(c, '\0'..='\x1f' | '\x7f'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> String {
        let mut y = String::new();
        quote(&mut y, s);
        y
    }

    #[test]
    fn strings_are_quoted_and_escaped() {
        assert_eq!(q("3.2"), "\"3.2\"");
        assert_eq!(q("a \"b\" \\ c\nd\te"), "\"a \\\"b\\\" \\\\ c\\nd\\te\"");
        assert_eq!(q("\u{7f}\u{85}\u{2028}x"), "\"\\u007F\\u0085\\u2028x\"");
        assert_eq!(q("特权容器"), "\"特权容器\"");
    }

    #[test]
    fn names_fit_an_object_name() {
        assert_eq!(report_name(None, 1), "kcheck-cluster");
        assert_eq!(report_name(Some("demo"), 1), "kcheck-demo");
        assert_eq!(report_name(Some("demo"), 12), "kcheck-demo-12");
        let long = "a".repeat(300);
        let name = report_name(Some(&long), 3);
        assert_eq!(name.len(), 253);
        assert!(name.ends_with("a-3"));
    }
}
