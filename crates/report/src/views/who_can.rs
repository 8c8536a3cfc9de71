//! `kcheck who-can`: the question, then a line (or a Markdown row) per grant with the subject,
//! where it applies, the binding and the role that grant it, and where the binding is.

use super::{escaped, same, scope_text, write_json};
use crate::labels::{colon, LOCATION};
use crate::layout::{pad, Spool};
use crate::markdown::code;
use kcheck_model::{Lang, Text, WhoCan, WhoCanGrant};
use serde::Serialize;
use std::fmt::Write as _;
use std::io;

static DEFAULT_MARK: Text = Text::fixed(" (default)", "（默认）");
static SUBJECT_KIND: Text = Text::fixed("Subject kind", "主体类型");
static SUBJECT: Text = Text::fixed("Subject", "主体");
static SCOPE: Text = Text::fixed("Scope", "范围");
static BINDING: Text = Text::fixed("Binding", "绑定");
static ROLE: Text = Text::fixed("Role", "角色");

/// What was asked, without the count: "who can list deployments (group apps) in namespace
/// shop", "在名字空间 shop 中可以 list deployments(API 组 apps)的主体". `name` is applied to the
/// words from the command line (escaping in Markdown).
fn question(answer: &WhoCan, lang: Lang, name: &dyn Fn(&str) -> String) -> String {
    let (verb, resource, group) = (
        name(&answer.verb),
        name(&answer.resource),
        name(&answer.group),
    );
    let ns = answer.namespace.as_deref().map(name);
    match lang {
        Lang::En => format!(
            "who can {verb} {resource}{}{}",
            if group.is_empty() {
                String::new()
            } else {
                format!(" (group {group})")
            },
            ns.map_or(String::new(), |n| format!(" in namespace {n}"))
        ),
        Lang::Zh => format!(
            "{}可以 {verb} {resource}{}的主体",
            ns.map_or(String::new(), |n| format!("在名字空间 {n} 中")),
            if group.is_empty() {
                " ".to_string()
            } else {
                format!("（API 组 {group}）")
            }
        ),
    }
}

/// "6 grant(s)", "6 项授权".
fn grants_count(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{n} grant(s)"),
        Lang::Zh => format!("{n} 项授权"),
    }
}

/// The role with its marks: " (default)" when Kubernetes defines it, the names a rule is
/// limited to.
fn role_text(g: &WhoCanGrant, lang: Lang, name: &dyn Fn(&str) -> String) -> String {
    let mut role = name(&g.role);
    if g.default_role {
        role.push_str(DEFAULT_MARK.get(lang));
    }
    if !g.resource_names.is_empty() {
        let names: Vec<String> = g.resource_names.iter().map(|n| name(n)).collect();
        match lang {
            Lang::En => role.push_str(&format!(" (only {})", names.join(", "))),
            Lang::Zh => role.push_str(&format!("（仅限 {}）", names.join("、"))),
        }
    }
    role
}

/// The note under the grants when some role is Kubernetes' default.
fn default_note(answer: &WhoCan, lang: Lang) -> String {
    let version = &answer.default_roles_from;
    match lang {
        Lang::En => format!(
            "(default): a ClusterRole the input does not hold, read as Kubernetes {version} defines it"
        ),
        Lang::Zh => format!("（默认）：输入中没有该 ClusterRole，按 Kubernetes {version} 的定义解读"),
    }
}

/// A service account as `namespace/name`; users and groups by name.
fn subject_text(g: &WhoCanGrant) -> String {
    match &g.subject.namespace {
        Some(ns) if g.subject.kind == "ServiceAccount" => format!("{ns}/{}", g.subject.name),
        _ => g.subject.name.clone(),
    }
}

pub(super) fn table(answer: &WhoCan, lang: Lang, out: &mut dyn io::Write) -> io::Result<()> {
    let mut spool = Spool::new(out);
    let _ = writeln!(
        spool.buf,
        "{}{}{}",
        question(answer, lang, &same),
        colon(lang),
        grants_count(answer.grants.len(), lang)
    );
    for g in &answer.grants {
        let _ = writeln!(
            spool.buf,
            "  {} {} {} {} -> {}  {}",
            pad(g.subject.kind, 15),
            pad(&subject_text(g), 40),
            pad(&scope_text(&g.scope, lang), 24),
            g.binding,
            role_text(g, lang, &same),
            g.location
        );
        spool.flush()?;
    }
    if answer.uses_default_roles() {
        spool.buf.push_str(&default_note(answer, lang));
        spool.buf.push('\n');
    }
    spool.finish()
}

pub(super) fn markdown(answer: &WhoCan, lang: Lang, out: &mut dyn io::Write) -> io::Result<()> {
    let mut spool = Spool::new(out);
    let title = question(answer, lang, &escaped);
    // A heading starts with a capital in English.
    let title = match title.strip_prefix("who") {
        Some(rest) => format!("Who{rest}"),
        None => title,
    };
    let _ = writeln!(
        spool.buf,
        "# {title}\n\n{}",
        grants_count(answer.grants.len(), lang)
    );
    if !answer.grants.is_empty() {
        spool.buf.push('\n');
        crate::markdown::table_head(
            &mut spool.buf,
            &[
                SUBJECT_KIND.get(lang),
                SUBJECT.get(lang),
                SCOPE.get(lang),
                BINDING.get(lang),
                ROLE.get(lang),
                LOCATION.get(lang),
            ],
        );
    }
    for g in &answer.grants {
        let _ = writeln!(
            spool.buf,
            "| {} | {} | {} | {} | {} | {} |",
            g.subject.kind,
            escaped(&subject_text(g)),
            escaped(&scope_text(&g.scope, lang)),
            escaped(&g.binding),
            role_text(g, lang, &escaped),
            code(&g.location)
        );
        spool.flush()?;
    }
    if answer.uses_default_roles() {
        spool.buf.push('\n');
        spool.buf.push_str(&escaped(&default_note(answer, lang)));
        spool.buf.push('\n');
    }
    spool.finish()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Answer<'a> {
    default_roles_from: &'a str,
    group: &'a str,
    name: Option<&'a str>,
    namespace: Option<&'a str>,
    resource: &'a str,
    subjects: Vec<Grant<'a>>,
    verb: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Grant<'a> {
    binding: &'a str,
    default_role: bool,
    location: &'a str,
    resource_names: &'a [String],
    role: &'a str,
    scope: String,
    subject: Subject<'a>,
}

#[derive(Serialize)]
struct Subject<'a> {
    kind: &'a str,
    name: &'a str,
    namespace: Option<&'a str>,
}

pub(super) fn json(answer: &WhoCan, out: &mut dyn io::Write) -> io::Result<()> {
    let doc = Answer {
        default_roles_from: &answer.default_roles_from,
        group: &answer.group,
        name: answer.name.as_deref(),
        namespace: answer.namespace.as_deref(),
        resource: &answer.resource,
        subjects: answer
            .grants
            .iter()
            .map(|g| Grant {
                binding: &g.binding,
                default_role: g.default_role,
                location: &g.location,
                resource_names: &g.resource_names,
                role: &g.role,
                scope: g.scope.to_string(),
                subject: Subject {
                    kind: g.subject.kind,
                    name: &g.subject.name,
                    namespace: g.subject.namespace.as_deref(),
                },
            })
            .collect(),
        verb: &answer.verb,
    };
    write_json(&doc, out)
}
