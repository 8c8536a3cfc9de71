//! Waivers: accepted findings, from object annotations or a waiver file.
//!
//! - Annotation on the object: `kcheck.io/ignore: "KC301,KC302/sidecar"` (a rule code or name,
//!   optionally `/container`), with a required `kcheck.io/ignore-reason`. `--no-annotation-waivers`
//!   turns these off, so tenants cannot exempt themselves.
//! - A waiver file (`--waivers FILE`):
//!   ```yaml
//!   waivers:
//!   - rule: KC301              # code or name; globs (* ?) allowed
//!     namespace: logging       # optional globs: namespace, kind, name, container
//!     kind: DaemonSet
//!     name: fluent-*
//!     reason: log agent needs host access (SEC-123)
//!     expires: 2027-03-31      # optional; an expired waiver stops applying and is reported
//!   ```
//! A waived finding is kept, marked, and counted in every format; it no longer fails its item.

use kcheck_model::{
    text, Date, Finding, Node, Object, Segment, Text, Value, Waiver, WaiverProblem,
    WaiverProblemKind, WaiverSummary,
};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

pub const IGNORE: &str = "kcheck.io/ignore";
pub const IGNORE_REASON: &str = "kcheck.io/ignore-reason";

/// One entry of a waiver file.
#[derive(Clone, Debug)]
pub struct FileWaiver {
    pub rule: String,
    pub namespace: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub container: Option<String>,
    /// The node of a finding merged from a node report (`kcheck cluster` with node reports): a
    /// waiver that names one applies only to such findings.
    pub node: Option<String>,
    pub reason: String,
    pub expires: Option<Date>,
    /// `waivers.yaml:12`
    pub source: String,
}

/// The waivers of a run and what became of them.
#[derive(Debug, Default)]
pub struct Waivers {
    entries: Vec<FileWaiver>,
    /// Entries that cannot apply (expired), by index.
    expired: Vec<bool>,
    used: Vec<AtomicUsize>,
    annotations: bool,
    applied: AtomicUsize,
    /// Shared by the threads of a streaming scan.
    problems: Mutex<BTreeSet<WaiverProblem>>,
}

impl Waivers {
    /// Annotation waivers on, no file.
    pub fn new() -> Waivers {
        Waivers {
            annotations: true,
            ..Waivers::default()
        }
    }

    pub fn annotations(mut self, on: bool) -> Waivers {
        self.annotations = on;
        self
    }

    /// Adds the entries of a waiver file, judged against `today`.
    pub fn with_entries(mut self, entries: Vec<FileWaiver>, today: Date) -> Waivers {
        for e in entries {
            let expired = e.expires.is_some_and(|d| d < today);
            if expired {
                let (src, date) = (
                    e.source.clone(),
                    e.expires.map(|d| d.to_string()).unwrap_or_default(),
                );
                self.problems
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(WaiverProblem {
                        source: src,
                        kind: WaiverProblemKind::Expired,
                        message: text!(
                            "waiver for {rule} expired on {date}; it no longer applies",
                            "{rule} 的豁免已于 {date} 过期，不再生效",
                            rule = e.rule
                        ),
                    });
            }
            self.expired.push(expired);
            self.used.push(AtomicUsize::new(0));
            self.entries.push(e);
        }
        self
    }

    pub fn problem(&self, p: WaiverProblem) {
        self.problems
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(p);
    }

    /// Marks `finding` waived when a waiver matches it.
    pub(crate) fn apply(&self, finding: &mut Finding, object: &Object) {
        // Most findings have no waiver at all: decide that without reading the path.
        let annotated = object.annotation(IGNORE).is_some();
        if !annotated && self.entries.is_empty() {
            return;
        }
        let container = container_name(object, finding.path.as_deref());
        let waiver = if annotated {
            self.annotation_waiver(finding, object, container)
        } else {
            None
        };
        let ns = object.namespace.as_deref().unwrap_or("");
        let (kind, name) = (object.kind.as_str(), object.name.as_str());
        let file = || self.file_waiver(finding, ns, kind, name, container);
        if let Some(w) = waiver.or_else(file) {
            self.waive(finding, w);
        }
    }

    /// Marks a node finding waived when a waiver file entry matches it: by rule, and by the
    /// namespace, kind and name of the object it is on when the entry names them (a static pod,
    /// a kubeconfig's component); an entry naming a container matches no node finding. Node
    /// facts carry no annotations, so only files waive them.
    pub(crate) fn apply_node(&self, finding: &mut Finding) {
        if self.entries.is_empty() {
            return;
        }
        let object = finding.object.clone();
        let (ns, kind, name) = object.as_deref().map_or(("", "", ""), |o| {
            (
                o.namespace.as_deref().unwrap_or(""),
                o.kind.as_str(),
                o.name.as_str(),
            )
        });
        if let Some(w) = self.file_waiver(finding, ns, kind, name, None) {
            self.waive(finding, w);
        }
    }

    fn waive(&self, finding: &mut Finding, waiver: Waiver) {
        finding.waived = true;
        finding.waiver = Some(Box::new(waiver));
        self.applied.fetch_add(1, Ordering::Relaxed);
    }

    fn annotation_waiver(
        &self,
        f: &Finding,
        object: &Object,
        container: Option<&str>,
    ) -> Option<Waiver> {
        let list = object.annotation(IGNORE)?;
        let matches = list.split(',').map(str::trim).any(|entry| {
            let (rule, only) = match entry.split_once('/') {
                Some((r, c)) => (r, Some(c)),
                None => (entry, None),
            };
            (rule.eq_ignore_ascii_case(f.code) || rule == f.rule)
                && only.is_none_or(|c| container == Some(c))
        });
        if !matches {
            return None;
        }
        let source = object.reference().to_string();
        if !self.annotations {
            self.problem(WaiverProblem {
                source,
                kind: WaiverProblemKind::Ignored,
                message: text!(
                    "annotation waiver {IGNORE} ignored: annotation waivers are turned off",
                    "已忽略注解豁免 {IGNORE}：注解豁免已被关闭",
                ),
            });
            return None;
        }
        match object
            .annotation(IGNORE_REASON)
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            Some(reason) => Some(Waiver {
                source: format!("annotation {IGNORE}"),
                reason: reason.to_string(),
            }),
            None => {
                self.problem(WaiverProblem {
                    source,
                    kind: WaiverProblemKind::NoReason,
                    message: text!(
                        "{IGNORE} without {IGNORE_REASON}: the waiver does not apply",
                        "{IGNORE} 缺少 {IGNORE_REASON}：豁免不生效",
                    ),
                });
                None
            }
        }
    }

    fn file_waiver(
        &self,
        f: &Finding,
        ns: &str,
        kind: &str,
        name: &str,
        container: Option<&str>,
    ) -> Option<Waiver> {
        let hit = self.entries.iter().enumerate().find(|(i, e)| {
            !self.expired[*i]
                && (glob(&e.rule, f.code) || glob(&e.rule, f.rule))
                && e.namespace.as_deref().is_none_or(|g| glob(g, ns))
                && e.kind.as_deref().is_none_or(|g| glob(g, kind))
                && e.name.as_deref().is_none_or(|g| glob(g, name))
                && e.container
                    .as_deref()
                    .is_none_or(|g| container.is_some_and(|c| glob(g, c)))
                && e.node
                    .as_deref()
                    .is_none_or(|g| f.node.as_deref().is_some_and(|n| glob(g, n)))
        })?;
        let (i, e) = hit;
        self.used[i].fetch_add(1, Ordering::Relaxed);
        Some(Waiver {
            source: e.source.clone(),
            reason: e.reason.clone(),
        })
    }

    /// Reports every `kcheck.io/ignore` entry that names no rule of kcheck's (a typo such as
    /// `KC3O1` would otherwise waive nothing, silently), as a file waiver for an unknown rule
    /// is reported for matching no finding.
    pub fn check_annotation_rules(&self, inventory: &kcheck_model::Inventory) {
        if !self.annotations {
            return;
        }
        for object in inventory.objects() {
            self.check_annotation_rules_of(object);
        }
    }

    /// [`Waivers::check_annotation_rules`] for one object (a streaming scan checks each as it
    /// reads it).
    pub fn check_annotation_rules_of(&self, object: &kcheck_model::Object) {
        if !self.annotations {
            return;
        }
        {
            let Some(list) = object.annotation(IGNORE) else {
                return;
            };
            for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
                let rule = entry.split_once('/').map_or(entry, |(r, _)| r).trim();
                let known = crate::registry::all()
                    .iter()
                    .any(|r| r.code.eq_ignore_ascii_case(rule) || r.name == rule);
                if !known {
                    self.problem(WaiverProblem {
                        source: object.reference().to_string(),
                        kind: WaiverProblemKind::Invalid,
                        message: text!(
                            "{IGNORE} names {rule}, which is no rule of kcheck's (kcheck rules lists them): it waives nothing",
                            "{IGNORE} 指定的 {rule} 不是 kcheck 的规则（kcheck rules 可列出全部规则）：该豁免不生效",
                        ),
                    });
                }
            }
        }
    }

    /// The account of the run: findings waived, and waivers that did not apply.
    pub fn summary(&self) -> WaiverSummary {
        let mut problems = self
            .problems
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for (i, e) in self.entries.iter().enumerate() {
            if !self.expired[i] && self.used[i].load(Ordering::Relaxed) == 0 {
                problems.insert(WaiverProblem {
                    source: e.source.clone(),
                    kind: WaiverProblemKind::Unused,
                    message: text!(
                        "waiver for {rule} matched no finding: remove it or fix its selectors",
                        "{rule} 的豁免没有匹配任何问题：请删除或修正其选择条件",
                        rule = e.rule
                    ),
                });
            }
        }
        let mut problems: Vec<WaiverProblem> = problems.into_iter().collect();
        // By kind, then by place, with line numbers compared as numbers.
        problems.sort_by_cached_key(|p| {
            let (file, line) = match p.source.rsplit_once(':') {
                Some((f, l)) => (f.to_string(), l.parse::<u64>().unwrap_or(0)),
                None => (p.source.clone(), 0),
            };
            (p.kind, file, line)
        });
        WaiverSummary {
            applied: self.applied.load(Ordering::Relaxed),
            problems,
        }
    }
}

/// The name of the container a field path points into, if any.
fn container_name<'a>(object: &'a Object, path: Option<&str>) -> Option<&'a str> {
    let path = kcheck_model::FieldPath::parse(path?);
    let mut node = &object.root;
    let mut in_list = false;
    for seg in &path.0 {
        match seg {
            Segment::Key(k) => {
                in_list = matches!(
                    k.as_str(),
                    "containers" | "initContainers" | "ephemeralContainers"
                );
                node = node.get(k)?;
            }
            Segment::Index(i) => {
                node = node.as_seq().get(*i)?;
                if in_list {
                    return node.str_at("name");
                }
            }
        }
    }
    None
}

pub use kcheck_model::glob::glob;

/// Reads a waiver file's parsed document. Problems (a missing reason, a bad date, an unknown
/// key) are returned with their positions; the entries that are sound are kept.
pub fn parse_file(root: &Node, file: &str) -> (Vec<FileWaiver>, Vec<WaiverProblem>) {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut bad = |pos: kcheck_model::Pos, message: Text| {
        problems.push(WaiverProblem {
            source: format!("{file}:{}", pos.line),
            kind: WaiverProblemKind::Invalid,
            message,
        })
    };
    let list = match root.get("waivers") {
        Some(Node {
            value: Value::Seq(items),
            ..
        }) => items.as_slice(),
        _ => {
            bad(
                root.pos,
                Text::fixed(
                    "a waiver file needs a `waivers:` list",
                    "豁免文件需要 `waivers:` 列表",
                ),
            );
            return (entries, problems);
        }
    };
    for item in list {
        let s = |k: &str| item.str_at(k).map(str::to_string);
        let Some(rule) = s("rule") else {
            bad(
                item.pos,
                Text::fixed("waiver without `rule`", "豁免缺少 `rule`"),
            );
            continue;
        };
        let Some(reason) = s("reason").filter(|r| !r.trim().is_empty()) else {
            bad(
                item.pos,
                text!(
                    "waiver for {rule} has no `reason`: not applied",
                    "{rule} 的豁免缺少 `reason`：不生效"
                ),
            );
            continue;
        };
        if let Some(e) = item.as_map().iter().find(|e| {
            !matches!(
                e.key.as_str(),
                "rule"
                    | "namespace"
                    | "kind"
                    | "name"
                    | "container"
                    | "node"
                    | "reason"
                    | "expires"
            )
        }) {
            let key = &e.key;
            bad(
                e.key_pos,
                text!(
                    "unknown waiver key `{key}`: the waiver is not applied",
                    "未知的豁免字段 `{key}`：豁免不生效"
                ),
            );
            continue;
        }
        let expires = match s("expires") {
            None => None,
            Some(d) => match Date::parse(&d) {
                Some(date) => Some(date),
                None => {
                    bad(
                        item.pos,
                        text!(
                            "waiver for {rule}: `expires: {d}` is not a date (YYYY-MM-DD)",
                            "{rule} 的豁免：`expires: {d}` 不是日期（YYYY-MM-DD）"
                        ),
                    );
                    continue;
                }
            },
        };
        entries.push(FileWaiver {
            rule,
            namespace: s("namespace"),
            kind: s("kind"),
            name: s("name"),
            container: s("container"),
            node: s("node"),
            reason,
            expires,
            source: format!("{file}:{}", item.pos.line),
        });
    }
    (entries, problems)
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob("KC3*", "KC301"));
        assert!(glob("fluent-*", "fluent-bit"));
        assert!(glob("*", ""));
        assert!(glob("a?c", "abc"));
        assert!(!glob("KC3*", "KC201"));
        assert!(!glob("web", "web-2"));
        assert!(glob("*-api-*", "shop-api-v2"));
    }
}
