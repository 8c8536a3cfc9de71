//! A finding's identity across runs: rule, object and field, never the line (which moves when a
//! file is edited). SARIF carries it as `partialFingerprints["kcheck/v1"]`, JSON as
//! `fingerprint`; a baseline compares runs by it.

use kcheck_model::{Finding, ObjectRef};
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, Hasher};

/// What a fingerprint is made of: the rule, the object (`Kind/namespace/name`) and the place
/// (the field path; the file without one; the source without either). Made from a finding of
/// this run, or from the fields of a saved report whose findings lack fingerprints.
#[derive(Clone, Copy)]
pub(crate) struct Parts<'a> {
    pub(crate) code: &'a str,
    /// Kind, namespace, name.
    pub(crate) object: Option<(&'a str, Option<&'a str>, &'a str)>,
    pub(crate) place: &'a str,
    /// The node, for a finding of a merged node report (`@node` after the place).
    pub(crate) node: Option<&'a str>,
}

impl<'a> Parts<'a> {
    pub(crate) fn of(finding: &'a Finding) -> Parts<'a> {
        let place = match (&finding.path, &finding.location, &finding.source) {
            (Some(p), _, _) => p.as_str(),
            (None, Some(l), _) => &l.file,
            (None, None, Some(s)) => s,
            (None, None, None) => "",
        };
        Parts {
            code: finding.code,
            object: finding
                .object
                .as_deref()
                .map(|o| (o.kind.as_str(), o.namespace.as_deref(), o.name.as_str())),
            place,
            node: finding.node.as_deref(),
        }
    }
}

/// `KC301|Deployment/shop/web|spec.template.spec.containers[0].securityContext.privileged`; the
/// `n`th repeat of the same in a run (two findings of one rule on one field) gets `|n`, so that
/// no two findings of a run share one.
pub(crate) struct Fingerprint<'a>(pub Parts<'a>, pub u32);

impl fmt::Display for Fingerprint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Parts {
            code,
            object,
            place,
            node,
        } = self.0;
        write!(f, "{code}|")?;
        match object {
            Some((kind, Some(ns), name)) => write!(f, "{kind}/{ns}/{name}")?,
            Some((kind, None, name)) => write!(f, "{kind}/{name}")?,
            None => {}
        }
        write!(f, "|{place}")?;
        if let Some(node) = node {
            write!(f, "@{node}")?;
        }
        if self.1 > 0 {
            write!(f, "|{}", self.1)?;
        }
        Ok(())
    }
}

/// `Kind/namespace/name`, or `Kind/name` for a cluster-scoped object.
pub(crate) struct ObjectName<'a>(pub &'a ObjectRef);

impl fmt::Display for ObjectName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = self.0;
        match &o.namespace {
            Some(ns) => write!(f, "{}/{}/{}", o.kind, ns, o.name),
            None => write!(f, "{}/{}", o.kind, o.name),
        }
    }
}

/// Numbers the repeats of a run's findings, read in report order: how many before each share
/// its fingerprint. Keeps a hash per distinct fingerprint, not the strings.
#[derive(Default)]
pub(crate) struct Repeats {
    seen: HashMap<u64, u32>,
}

impl Repeats {
    /// The fingerprint of `f`, the next finding of the run.
    pub(crate) fn next<'f>(&mut self, f: &'f Finding) -> Fingerprint<'f> {
        self.next_of(Parts::of(f))
    }

    /// The fingerprint of the next finding, made of `parts`.
    pub(crate) fn next_of<'f>(&mut self, parts: Parts<'f>) -> Fingerprint<'f> {
        let mut h =
            std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
                .build_hasher();
        let _ = fmt::Write::write_fmt(
            &mut HashWriter(&mut h),
            format_args!("{}", Fingerprint(parts, 0)),
        );
        let n = self.seen.entry(h.finish()).or_insert(0);
        let repeat = *n;
        *n += 1;
        Fingerprint(parts, repeat)
    }
}

/// Feeds formatted text to a hasher without building the string.
struct HashWriter<'h, H: Hasher>(&'h mut H);

impl<H: Hasher> fmt::Write for HashWriter<'_, H> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kcheck_model::{Level, Location, Severity, Text};
    use std::sync::Arc;

    fn finding(line: u32, path: Option<&str>) -> Finding {
        Finding {
            code: "KC301",
            rule: "privileged-container",
            item: "3.2",
            severity: Severity::High,
            level: Level::Fail,
            object: Some(Arc::new(ObjectRef {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                namespace: Some("shop".into()),
                name: "web".into(),
            })),
            path: path.map(str::to_string),
            location: Some(Location {
                file: Arc::from("app.yaml"),
                line,
                column: 3,
            }),
            source: None,
            node: None,
            message: Text::fixed("m", "m"),
            fix: Text::fixed("f", "f"),
            waived: false,
            waiver: None,
            pods: 0,
        }
    }

    #[test]
    fn lines_do_not_count_and_repeats_are_numbered() {
        let path = Some("spec.template.spec.containers[0].securityContext.privileged");
        let mut repeats = Repeats::default();
        let a = repeats.next(&finding(10, path)).to_string();
        assert_eq!(
            a,
            "KC301|Deployment/shop/web|spec.template.spec.containers[0].securityContext.privileged"
        );
        // The same rule on the same field, at another line: a repeat, numbered.
        let b = repeats.next(&finding(40, path)).to_string();
        assert_eq!(b, format!("{a}|1"));
        // The file moved the finding: a new run gives it the same fingerprint as before.
        let mut next_run = Repeats::default();
        assert_eq!(next_run.next(&finding(12, path)).to_string(), a);
        // No field: the file stands for it.
        assert_eq!(
            Repeats::default().next(&finding(1, None)).to_string(),
            "KC301|Deployment/shop/web|app.yaml"
        );
    }
}
