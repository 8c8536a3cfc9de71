//! `kcheck who-can VERB RESOURCE [-n NS] PATH...`: the subjects an RBAC inventory lets do
//! something, with the binding and role that grant it.

use crate::args::{RulesFormat, WhoCanArgs};
use crate::commands::write_stdout;
use crate::exit;
use kcheck_model::{Inventory, Lang, Source, Text};
use kcheck_rules::analysis::rbac::{Rbac, Scope, SubjectKind};

struct Row {
    subject_kind: &'static str,
    subject: String,
    namespace: Option<String>,
    scope: String,
    binding: String,
    role: String,
    /// The rule's `resourceNames` when it only allows named objects.
    only_names: Vec<String>,
    location: Option<String>,
    /// The role is Kubernetes' default, not in the input.
    default_role: bool,
}

pub fn run(args: WhoCanArgs) -> anyhow::Result<u8> {
    let loaded = kcheck_load::load_paths(&args.paths, &args.limits.limits());
    for d in loaded.inputs.diagnostics.iter() {
        eprintln!("kcheck: {d}");
    }
    let inventory = Inventory::new(loaded.objects);
    let rbac = Rbac::new(&inventory);
    let (resource, group, builtin) = kcheck_rules::analysis::rbac::resolve_resource(&args.resource);
    // A question about something that exists nowhere gets an answer that says so, never a
    // silent "0 grants".
    let named_by_a_role = |pred: &dyn Fn(&kcheck_rules::analysis::rbac::PolicyRule) -> bool| {
        rbac.roles.iter().any(|r| r.rules.iter().any(pred))
    };
    let base = resource.split('/').next().unwrap_or(&resource).to_string();
    if !builtin
        && !named_by_a_role(&|p| {
            p.resources
                .iter()
                .any(|r| r.split('/').next() == Some(base.as_str()))
        })
    {
        eprintln!(
            "kcheck: unknown resource {}: not a built-in resource, and no role in the input \
             names it (a custom resource is RESOURCE.GROUP, e.g. certificates.cert-manager.io)",
            args.resource
        );
        return Ok(exit::USAGE);
    }
    let verb = args.verb.as_str();
    if !kcheck_rules::analysis::rbac::KNOWN_VERBS.contains(&verb)
        && !named_by_a_role(&|p| p.verbs.contains(&verb))
    {
        eprintln!(
            "kcheck: unknown verb {verb}: not one Kubernetes authorizes ({}), and no role in \
             the input names it",
            kcheck_rules::analysis::rbac::KNOWN_VERBS.join(", ")
        );
        return Ok(exit::USAGE);
    }
    if let Some(ns) = args.namespace.as_deref() {
        let seen = inventory
            .objects()
            .iter()
            .any(|o| o.namespace.as_deref() == Some(ns) || (o.kind == "Namespace" && o.name == ns));
        if !seen {
            eprintln!(
                "kcheck: namespace {ns} appears nowhere in the input: only cluster-wide grants \
                 can reach it"
            );
        }
    }
    let mut rows: Vec<Row> = rbac
        .who_can(
            &args.verb,
            &group,
            &resource,
            args.name.as_deref(),
            args.namespace.as_deref(),
        )
        .into_iter()
        .map(|a| {
            let b = a.binding.object;
            Row {
                subject_kind: match a.subject.kind {
                    SubjectKind::User => "User",
                    SubjectKind::Group => "Group",
                    SubjectKind::ServiceAccount => "ServiceAccount",
                },
                subject: a.subject.name.to_string(),
                namespace: a.subject.namespace.map(str::to_string),
                scope: match a.scope {
                    Scope::Cluster => "cluster".to_string(),
                    Scope::Namespace(ns) => format!("namespace {ns}"),
                },
                binding: b.reference().to_string(),
                role: match a.role.namespace {
                    Some(ns) => format!("{} {ns}/{}", a.role.kind, a.role.name),
                    None => format!("{} {}", a.role.kind, a.role.name),
                },
                default_role: a.role.object.is_none(),
                only_names: a
                    .rule
                    .resource_names
                    .iter()
                    .map(|n| n.to_string())
                    .collect(),
                location: match &b.source {
                    Source::File { path, .. } => Some(format!("{path}:{}", b.root.pos.line.max(1))),
                    Source::Api { path } => Some(path.to_string()),
                },
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (
            a.subject_kind,
            &a.subject,
            &a.namespace,
            &a.scope,
            &a.binding,
        )
            .cmp(&(
                b.subject_kind,
                &b.subject,
                &b.namespace,
                &b.scope,
                &b.binding,
            ))
    });
    let out = match args.format {
        RulesFormat::Json => {
            let list: Vec<_> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "subject": {"kind": r.subject_kind, "name": r.subject, "namespace": r.namespace},
                        "scope": r.scope,
                        "binding": r.binding,
                        "role": r.role,
                        "resourceNames": r.only_names,
                        "location": r.location,
                        "defaultRole": r.default_role,
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "verb": args.verb, "resource": resource, "group": group,
                "name": args.name, "namespace": args.namespace, "subjects": list,
                "defaultRolesFrom": kcheck_rules::analysis::rbac::builtin::version(),
            });
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
        RulesFormat::Table => table(&args, &resource, &group, &rows),
        RulesFormat::Markdown => markdown(&args, &resource, &group, &rows),
    };
    write_stdout(&out)?;
    Ok(if loaded.inputs.has_errors() {
        exit::INPUT
    } else {
        exit::OK
    })
}

static DEFAULT_MARK: Text = Text::fixed(" (default)", "(默认)");
static SUBJECT_KIND: Text = Text::fixed("Subject kind", "主体类型");
static SUBJECT: Text = Text::fixed("Subject", "主体");
static SCOPE: Text = Text::fixed("Scope", "范围");
static BINDING: Text = Text::fixed("Binding", "绑定");
static ROLE: Text = Text::fixed("Role", "角色");
static LOCATION: Text = Text::fixed("Location", "位置");

/// What was asked, without the count: "who can list deployments (group apps) in namespace
/// shop", "在名字空间 shop 中可以 list deployments(API 组 apps)的主体". `name` is applied to the
/// words from the command line (escaping in Markdown).
fn question(
    args: &WhoCanArgs,
    resource: &str,
    group: &str,
    lang: Lang,
    name: &dyn Fn(&str) -> String,
) -> String {
    let (verb, resource, group) = (name(&args.verb), name(resource), name(group));
    let ns = args.namespace.as_deref().map(name);
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
                format!("(API 组 {group})")
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

/// `cluster`, `namespace NS` in the reader's language.
pub(crate) fn scope_text(scope: &str, lang: Lang) -> String {
    match lang {
        Lang::En => scope.to_string(),
        Lang::Zh => match scope.strip_prefix("namespace ") {
            Some(ns) => format!("名字空间 {ns}"),
            None if scope == "cluster" => "集群".to_string(),
            None => scope.to_string(),
        },
    }
}

/// The role with its marks: " (default)" when Kubernetes defines it, the names a rule is
/// limited to.
fn role_text(r: &Row, lang: Lang, name: &dyn Fn(&str) -> String) -> String {
    let mut role = name(&r.role);
    if r.default_role {
        role.push_str(DEFAULT_MARK.get(lang));
    }
    if !r.only_names.is_empty() {
        let names: Vec<String> = r.only_names.iter().map(|n| name(n)).collect();
        match lang {
            Lang::En => role.push_str(&format!(" (only {})", names.join(", "))),
            Lang::Zh => role.push_str(&format!("(仅限 {})", names.join("、"))),
        }
    }
    role
}

/// The note under the grants when some role is Kubernetes' default.
fn default_note(lang: Lang) -> String {
    let version = kcheck_rules::analysis::rbac::builtin::version();
    match lang {
        Lang::En => format!(
            "(default): a ClusterRole the input does not hold, read as Kubernetes {version} defines it"
        ),
        Lang::Zh => format!("(默认):输入中没有该 ClusterRole,按 Kubernetes {version} 的定义解读"),
    }
}

fn subject_text(r: &Row) -> String {
    match &r.namespace {
        Some(ns) if r.subject_kind == "ServiceAccount" => format!("{ns}/{}", r.subject),
        _ => r.subject.clone(),
    }
}

fn table(args: &WhoCanArgs, resource: &str, group: &str, rows: &[Row]) -> String {
    let lang = args.lang.lang();
    let same = |s: &str| s.to_string();
    let mut out = format!(
        "{}{}{}\n",
        question(args, resource, group, lang, &same),
        colon(lang),
        grants_count(rows.len(), lang)
    );
    for r in rows {
        out.push_str(&format!(
            "  {} {} {} {} -> {}  {}\n",
            pad(r.subject_kind, 15),
            pad(&subject_text(r), 40),
            pad(&scope_text(&r.scope, lang), 24),
            r.binding,
            role_text(r, lang, &same),
            r.location.as_deref().unwrap_or("")
        ));
    }
    if rows.iter().any(|r| r.default_role) {
        out.push_str(&default_note(lang));
        out.push('\n');
    }
    out
}

fn markdown(args: &WhoCanArgs, resource: &str, group: &str, rows: &[Row]) -> String {
    let lang = args.lang.lang();
    let title = question(args, resource, group, lang, &|s| md_esc(s));
    // A heading starts with a capital in English.
    let title = match title.strip_prefix("who") {
        Some(rest) => format!("Who{rest}"),
        None => title,
    };
    let mut out = format!("# {title}\n\n{}\n", grants_count(rows.len(), lang));
    if !rows.is_empty() {
        out.push_str(&format!(
            "\n| {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|\n",
            SUBJECT_KIND.get(lang),
            SUBJECT.get(lang),
            SCOPE.get(lang),
            BINDING.get(lang),
            ROLE.get(lang),
            LOCATION.get(lang)
        ));
    }
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.subject_kind,
            md_esc(&subject_text(r)),
            md_esc(&scope_text(&r.scope, lang)),
            md_esc(&r.binding),
            role_text(r, lang, &|s| md_esc(s)),
            r.location.as_deref().map(md_code).unwrap_or_default()
        ));
    }
    if rows.iter().any(|r| r.default_role) {
        out.push('\n');
        out.push_str(&md_esc(&default_note(lang)));
        out.push('\n');
    }
    out
}

// Text helpers shared by the report-like subcommands (who-can, netpol, access-review).

/// `: ` in English; Chinese text in kcheck uses ASCII punctuation without a following space (as
/// kcheck-report's labels do).
pub(crate) fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ": ",
        Lang::Zh => ":",
    }
}

/// `, ` in English, `,` in Chinese (as kcheck-report's labels do).
pub(crate) fn comma(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ", ",
        Lang::Zh => ",",
    }
}

/// `s` padded with spaces to `width` terminal columns: CJK characters take two, so `{:<15}`
/// (which counts characters) would misalign a Chinese table. Longer text is left as it is.
pub(crate) fn pad(s: &str, width: usize) -> String {
    let w = unicode_width::UnicodeWidthStr::width(s);
    let mut out = String::with_capacity(s.len() + width.saturating_sub(w));
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// The display width of `s` in terminal columns.
pub(crate) fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// Text from the input in Markdown that renders as itself, as kcheck-report escapes it:
/// punctuation and HTML escaped, newlines as `<br>` (table cells stay one row).
pub(crate) fn md_esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Inline code holding any text, as kcheck-report writes it: a fence longer than any backtick
/// run inside, `|` escaped (tables split on it even inside code), control characters as spaces.
pub(crate) fn md_code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let body = s.replace('|', "\\|");
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}
