//! `kcheck access-review PATH...`: every subject with its dangerous rights and a digest of them,
//! for the periodic access review (checklist item 1.5); `--record --reviewer NAME` writes the
//! review record that rule KC106 checks.

use crate::args::{AccessReviewArgs, RulesFormat};
use crate::commands::write_stdout;
use crate::exit;
use anyhow::Context as _;
use kcheck_model::Inventory;
use kcheck_rules::auth::access_review::{
    digest, review, today, SubjectReview, RECORD_NAME, RECORD_NAMESPACE,
};
use kcheck_rules::auth::rbac::Rbac;

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
        let out = match args.format {
            RulesFormat::Json => json(&subjects, &digest),
            RulesFormat::Table => table(&subjects, &digest),
            RulesFormat::Markdown => markdown(&subjects, &digest),
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
        today = today(),
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

fn table(subjects: &[SubjectReview], digest: &str) -> String {
    let dangerous = subjects.iter().filter(|s| !s.grants.is_empty()).count();
    let mut out = format!(
        "access review: {} subject(s), {dangerous} with dangerous rights\ndigest: {digest}\n",
        subjects.len()
    );
    for s in subjects {
        out.push_str(&format!(
            "\n{}{}\n",
            s.describe(),
            if s.privileged { "  [privileged]" } else { "" }
        ));
        if s.grants.is_empty() {
            out.push_str("  (no dangerous rights)\n");
        }
        for g in &s.grants {
            out.push_str(&format!(
                "  {:<40} {:<24} {} -> {}  {}\n",
                g.right,
                g.scope,
                g.binding,
                g.role,
                g.location.as_deref().unwrap_or("")
            ));
        }
    }
    out
}

fn markdown(subjects: &[SubjectReview], digest: &str) -> String {
    let mut out = format!(
        "# Access review\n\ndigest: `{digest}`\n\n| subject | privileged | right | scope | binding | role |\n|---|---|---|---|---|---|\n"
    );
    let cell = |s: &str| s.replace('|', "\\|");
    for s in subjects {
        let privileged = if s.privileged { "yes" } else { "" };
        if s.grants.is_empty() {
            out.push_str(&format!(
                "| {} | {privileged} | - | | | |\n",
                cell(&s.describe())
            ));
        }
        for g in &s.grants {
            out.push_str(&format!(
                "| {} | {privileged} | `{}` | {} | {} | {} |\n",
                cell(&s.describe()),
                cell(&g.right),
                cell(&g.scope),
                cell(&g.binding),
                cell(&g.role)
            ));
        }
    }
    out
}
