//! `kcheck access-review PATH...`: every subject with its dangerous rights and a digest of them,
//! for the periodic access review (checklist item 1.5); `--record --reviewer NAME` writes the
//! review record that rule KC106 checks.

use crate::args::{AccessReviewArgs, RulesFormat};
use crate::commands::write_stdout;
use crate::exit;
use crate::who_can::{colon, comma, md_code, md_esc, pad, scope_text};
use anyhow::Context as _;
use kcheck_model::{Inventory, Lang, Text};
use kcheck_rules::analysis::access_review::{
    digest, review, SubjectReview, RECORD_NAME, RECORD_NAMESPACE,
};
use kcheck_rules::analysis::rbac::Rbac;

pub fn run(args: AccessReviewArgs) -> anyhow::Result<u8> {
    let loaded = kcheck_load::load_paths(&args.paths, &args.limits.limits());
    for d in loaded.inputs.diagnostics.iter() {
        eprintln!("kcheck: {d}");
    }
    let inventory = Inventory::new(loaded.objects);
    let rbac = Rbac::new(&inventory);
    let subjects = review(&rbac);
    let digest = digest(&subjects);
    if args.record {
        let reviewer = args.reviewer.as_deref().unwrap_or_default();
        let text = record(reviewer, &digest, subjects.len());
        match &args.output {
            Some(path) => std::fs::write(path, &text)
                .with_context(|| format!("cannot write the record to {}", path.display()))?,
            None => write_stdout(&text)?,
        }
    } else {
        let lang = args.lang.lang();
        let out = match args.format {
            RulesFormat::Json => json(&subjects, &digest),
            RulesFormat::Table => table(&subjects, &digest, lang),
            RulesFormat::Markdown => markdown(&subjects, &digest, lang),
        };
        write_stdout(&out)?;
    }
    Ok(if loaded.inputs.has_errors() {
        exit::INPUT
    } else {
        exit::OK
    })
}

/// A YAML (and JSON) double-quoted string.
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// The review record: a ConfigMap manifest.
fn record(reviewer: &str, digest: &str, subjects: usize) -> String {
    format!(
        "# Access review record (checklist item 1.5), checked by kcheck rule KC106.\n\
         # Keep it with the cluster's manifests, or apply it.\n\
         apiVersion: v1\n\
         kind: ConfigMap\n\
         metadata:\n  name: {RECORD_NAME}\n  namespace: {RECORD_NAMESPACE}\n  \
         labels:\n    app.kubernetes.io/managed-by: kcheck\n\
         data:\n  reviewedAt: \"{today}\"\n  reviewer: {reviewer}\n  digest: {digest}\n  \
         subjects: \"{subjects}\"\n",
        today = crate::commands::run_now().today(),
        reviewer = quote(reviewer),
        digest = quote(digest),
    )
}

fn json(subjects: &[SubjectReview], digest: &str) -> String {
    let list: Vec<_> = subjects
        .iter()
        .map(|s| {
            let grants: Vec<_> = s
                .grants
                .iter()
                .map(|g| {
                    serde_json::json!({
                        "right": g.right, "scope": g.scope, "binding": g.binding,
                        "role": g.role, "location": g.location,
                    })
                })
                .collect();
            serde_json::json!({
                "kind": s.kind, "name": s.name, "namespace": s.namespace,
                "privileged": s.privileged, "grants": grants,
            })
        })
        .collect();
    let doc = serde_json::json!({ "digest": digest, "subjects": list });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

static DIGEST: Text = Text::fixed("digest", "摘要");
static PRIVILEGED: Text = Text::fixed("  [privileged]", "  [特权]");
static NO_DANGEROUS_RIGHTS: Text = Text::fixed("  (no dangerous rights)", "  (无危险权限)");
static MD_TITLE: Text = Text::fixed("Access review", "访问权限审查");
static MD_SUBJECT: Text = Text::fixed("subject", "主体");
static MD_PRIVILEGED: Text = Text::fixed("privileged", "特权");
static MD_RIGHT: Text = Text::fixed("right", "权限");
static MD_SCOPE: Text = Text::fixed("scope", "范围");
static MD_BINDING: Text = Text::fixed("binding", "绑定");
static MD_ROLE: Text = Text::fixed("role", "角色");
static YES: Text = Text::fixed("yes", "是");

/// "access review: 14 subject(s), 9 with dangerous rights".
fn summary(subjects: &[SubjectReview], lang: Lang) -> String {
    let dangerous = subjects.iter().filter(|s| !s.grants.is_empty()).count();
    let n = subjects.len();
    match lang {
        Lang::En => format!("access review: {n} subject(s), {dangerous} with dangerous rights"),
        Lang::Zh => format!(
            "访问权限审查{}{n} 个主体{}其中 {dangerous} 个拥有危险权限",
            colon(lang),
            comma(lang)
        ),
    }
}

fn table(subjects: &[SubjectReview], digest: &str, lang: Lang) -> String {
    let mut out = format!(
        "{}\n{}{}{digest}\n",
        summary(subjects, lang),
        DIGEST.get(lang),
        colon(lang)
    );
    for s in subjects {
        out.push_str(&format!(
            "\n{}{}\n",
            s.describe(),
            if s.privileged {
                PRIVILEGED.get(lang)
            } else {
                ""
            }
        ));
        if s.grants.is_empty() {
            out.push_str(NO_DANGEROUS_RIGHTS.get(lang));
            out.push('\n');
        }
        for g in &s.grants {
            out.push_str(&format!(
                "  {} {} {} -> {}  {}\n",
                pad(&g.right, 40),
                pad(&scope_text(&g.scope, lang), 24),
                g.binding,
                g.role,
                g.location.as_deref().unwrap_or("")
            ));
        }
    }
    out
}

fn markdown(subjects: &[SubjectReview], digest: &str, lang: Lang) -> String {
    let mut out = format!(
        "# {}\n\n{}{}{}\n\n| {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|\n",
        MD_TITLE.get(lang),
        DIGEST.get(lang),
        colon(lang),
        md_code(digest),
        MD_SUBJECT.get(lang),
        MD_PRIVILEGED.get(lang),
        MD_RIGHT.get(lang),
        MD_SCOPE.get(lang),
        MD_BINDING.get(lang),
        MD_ROLE.get(lang),
    );
    for s in subjects {
        let privileged = if s.privileged { YES.get(lang) } else { "" };
        let subject = md_esc(&s.describe());
        if s.grants.is_empty() {
            out.push_str(&format!("| {subject} | {privileged} | - | | | |\n"));
        }
        for g in &s.grants {
            out.push_str(&format!(
                "| {subject} | {privileged} | {} | {} | {} | {} |\n",
                md_code(&g.right),
                md_esc(&scope_text(&g.scope, lang)),
                md_esc(&g.binding),
                md_esc(&g.role)
            ));
        }
    }
    out
}
