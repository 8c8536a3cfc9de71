//! The answer's text: the denial message, warnings and audit annotations, each within what
//! the API server passes on.
//!
//! Kubernetes asks webhooks to keep a warning within 120 characters, may truncate one longer
//! than 256, and drops warnings once 4096 characters of them (from every source of one request)
//! have been added. kcheck keeps each warning within 120 characters and all of its warnings
//! within half the total, so that other webhooks and deprecation notices still get through.

use crate::config::Mode;
use crate::review::{Response, Status};
use kcheck_model::{Finding, Lang, ObjectRef};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Longest warning, in characters.
pub const MAX_WARNING_CHARS: usize = 120;
/// All of kcheck's warnings on one request together, in characters.
pub const MAX_WARNINGS_TOTAL_CHARS: usize = 2048;
/// Findings listed in a denial message; the rest are counted.
pub const MAX_DENIAL_FINDINGS: usize = 8;
/// Longest audit annotation value, in characters.
pub const MAX_ANNOTATION_CHARS: usize = 1024;

/// A finding and the mode it was given.
#[derive(Debug)]
pub struct Classified {
    pub finding: Finding,
    pub mode: Mode,
}

/// Replaces control characters (a warning travels in an HTTP header) and cuts to `max`
/// characters, marking the cut with an ellipsis.
pub fn clip(s: &str, max: usize) -> String {
    let clean = s.chars().map(|c| if c.is_control() { ' ' } else { c });
    if s.chars().count() <= max {
        return clean.collect();
    }
    let mut out: String = clean.take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// One finding in a line: code, message, and the field when there is room for it.
fn line(f: &Finding, lang: Lang, max: usize) -> String {
    let message = f.message.get(lang);
    let mut s = format!("{} {}", f.code, message);
    if let Some(path) = &f.path {
        let with_path = format!("{s} ({path})");
        if with_path.chars().count() <= max {
            s = with_path;
        }
    }
    clip(&s, max)
}

fn subject(object: &ObjectRef) -> String {
    match &object.namespace {
        Some(ns) => format!("{} {}/{}", object.kind, ns, object.name),
        None => format!("{} {}", object.kind, object.name),
    }
}

/// The answer for the classified findings of one request.
pub fn build(uid: String, object: &ObjectRef, findings: &[Classified], lang: Lang) -> Response {
    let of = |mode: Mode| findings.iter().filter(move |c| c.mode == mode);
    let mut response = Response::allow(uid);

    let enforced: Vec<&Finding> = of(Mode::Enforce).map(|c| &c.finding).collect();
    if !enforced.is_empty() {
        let mut message = match lang {
            Lang::En => format!("kcheck denied {}: ", subject(object)),
            Lang::Zh => format!("kcheck 拒绝了 {}:", subject(object)),
        };
        for (i, f) in enforced.iter().take(MAX_DENIAL_FINDINGS).enumerate() {
            if i > 0 {
                message.push_str("; ");
            }
            message.push_str(&line(f, lang, 240));
        }
        let more = enforced.len().saturating_sub(MAX_DENIAL_FINDINGS);
        if more > 0 {
            let _ = match lang {
                Lang::En => write!(message, "; and {more} more"),
                Lang::Zh => write!(message, "；另有 {more} 项"),
            };
        }
        response.allowed = false;
        response.status = Some(Status {
            code: 403,
            reason: "Forbidden",
            message,
        });
    }

    let warned: Vec<&Finding> = of(Mode::Warn).map(|c| &c.finding).collect();
    let mut used = 0;
    for (i, f) in warned.iter().enumerate() {
        let w = line(f, lang, MAX_WARNING_CHARS);
        let left = warned.len() - i - 1;
        // Keep room for the closing "N more" line while there are findings after this one.
        let reserve = if left > 0 { 64 } else { 0 };
        if used + w.chars().count() + reserve > MAX_WARNINGS_TOTAL_CHARS {
            let rest = warned.len() - i;
            response.warnings.push(match lang {
                Lang::En => format!("kcheck: {rest} more findings not shown"),
                Lang::Zh => format!("kcheck：另有 {rest} 项发现未显示"),
            });
            break;
        }
        used += w.chars().count();
        response.warnings.push(w);
    }

    let mut annotations: BTreeMap<String, String> = BTreeMap::new();
    for c in of(Mode::Audit) {
        let f = &c.finding;
        let value = annotations.entry(f.code.to_ascii_lowercase()).or_default();
        if !value.is_empty() {
            value.push_str("; ");
        }
        value.push_str(&line(f, lang, MAX_ANNOTATION_CHARS));
    }
    for value in annotations.values_mut() {
        if value.chars().count() > MAX_ANNOTATION_CHARS {
            *value = clip(value, MAX_ANNOTATION_CHARS);
        }
    }
    response.audit_annotations = annotations;
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use kcheck_model::{Level, Severity, Text};

    fn finding(code: &'static str, message: String) -> Finding {
        Finding {
            code,
            rule: "r",
            item: "3.2",
            severity: Severity::High,
            level: Level::Fail,
            object: None,
            path: Some("spec.containers[0].image".into()),
            location: None,
            source: None,
            node: None,
            message: Text::new(message.clone(), message),
            fix: Text::fixed("", ""),
            waived: false,
            waiver: None,
            pods: 0,
        }
    }

    fn obj() -> ObjectRef {
        ObjectRef {
            api_version: "v1".into(),
            kind: "Pod".into(),
            namespace: Some("shop".into()),
            name: "p".into(),
        }
    }

    #[test]
    fn warnings_stay_within_kubernetes_limits() {
        let many: Vec<Classified> = (0..200)
            .map(|i| Classified {
                finding: finding("KC310", format!("{i} {}\nline two", "x".repeat(300))),
                mode: Mode::Warn,
            })
            .collect();
        let r = build("u".into(), &obj(), &many, Lang::En);
        assert!(r.allowed);
        let total: usize = r.warnings.iter().map(|w| w.chars().count()).sum();
        assert!(total <= MAX_WARNINGS_TOTAL_CHARS, "{total}");
        assert!(r
            .warnings
            .iter()
            .all(|w| w.chars().count() <= MAX_WARNING_CHARS));
        assert!(r.warnings.iter().all(|w| !w.chars().any(char::is_control)));
        let last = r.warnings.last().unwrap();
        assert!(last.contains("more findings not shown"), "{last}");
    }

    #[test]
    fn short_warnings_keep_their_field() {
        let r = build(
            "u".into(),
            &obj(),
            &[Classified {
                finding: finding("KC701", "image is not pinned".into()),
                mode: Mode::Warn,
            }],
            Lang::En,
        );
        assert_eq!(
            r.warnings,
            ["KC701 image is not pinned (spec.containers[0].image)"]
        );
    }

    #[test]
    fn denial_lists_findings_and_counts_the_rest() {
        let many: Vec<Classified> = (0..12)
            .map(|i| Classified {
                finding: finding("KC301", format!("problem {i}")),
                mode: Mode::Enforce,
            })
            .collect();
        let r = build("u".into(), &obj(), &many, Lang::Zh);
        assert!(!r.allowed);
        let s = r.status.unwrap();
        assert_eq!(s.code, 403);
        assert!(s
            .message
            .starts_with("kcheck 拒绝了 Pod shop/p:KC301 problem 0"));
        assert!(s.message.ends_with("；另有 4 项"), "{}", s.message);
    }

    #[test]
    fn audit_findings_become_annotations_per_rule() {
        let r = build(
            "u".into(),
            &obj(),
            &[
                Classified {
                    finding: finding("KC310", "a".into()),
                    mode: Mode::Audit,
                },
                Classified {
                    finding: finding("KC310", "b".into()),
                    mode: Mode::Audit,
                },
            ],
            Lang::En,
        );
        assert!(r.allowed && r.warnings.is_empty());
        assert_eq!(
            r.audit_annotations.get("kc310").map(String::as_str),
            Some("KC310 a (spec.containers[0].image); KC310 b (spec.containers[0].image)")
        );
    }
}
