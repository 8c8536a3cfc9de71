//! `kcheck access-review`: how many subjects and how many hold dangerous rights, the digest a
//! review record keeps, then each subject with its dangerous rights, where they apply and the
//! binding and role that grant them.

use super::{escaped, scope_text, write_json};
use crate::labels::{colon, comma};
use crate::layout::{pad, Spool};
use crate::markdown::code;
use kcheck_model::{AccessReview, Lang, Text};
use serde::Serialize;
use std::fmt::Write as _;
use std::io;

static DIGEST: Text = Text::fixed("digest", "摘要");
static PRIVILEGED: Text = Text::fixed("  [privileged]", "  [特权]");
static NO_DANGEROUS_RIGHTS: Text = Text::fixed("  (no dangerous rights)", "  （无危险权限）");
static MD_TITLE: Text = Text::fixed("Access review", "访问权限审查");
static MD_SUBJECT: Text = Text::fixed("subject", "主体");
static MD_PRIVILEGED: Text = Text::fixed("privileged", "特权");
static MD_RIGHT: Text = Text::fixed("right", "权限");
static MD_SCOPE: Text = Text::fixed("scope", "范围");
static MD_BINDING: Text = Text::fixed("binding", "绑定");
static MD_ROLE: Text = Text::fixed("role", "角色");
static YES: Text = Text::fixed("yes", "是");

/// "access review: 14 subject(s), 9 with dangerous rights".
fn summary(review: &AccessReview, lang: Lang) -> String {
    let dangerous = review.with_dangerous_rights();
    let n = review.subjects.len();
    match lang {
        Lang::En => format!("access review: {n} subject(s), {dangerous} with dangerous rights"),
        Lang::Zh => format!(
            "访问权限审查{}{n} 个主体{}其中 {dangerous} 个拥有危险权限",
            colon(lang),
            comma(lang)
        ),
    }
}

pub(super) fn table(review: &AccessReview, lang: Lang, out: &mut dyn io::Write) -> io::Result<()> {
    let mut spool = Spool::new(out);
    let _ = writeln!(
        spool.buf,
        "{}\n{}{}{}",
        summary(review, lang),
        DIGEST.get(lang),
        colon(lang),
        review.digest
    );
    for s in &review.subjects {
        let _ = writeln!(
            spool.buf,
            "\n{}{}",
            s.subject,
            if s.privileged {
                PRIVILEGED.get(lang)
            } else {
                ""
            }
        );
        if s.grants.is_empty() {
            spool.buf.push_str(NO_DANGEROUS_RIGHTS.get(lang));
            spool.buf.push('\n');
        }
        for g in &s.grants {
            let _ = writeln!(
                spool.buf,
                "  {} {} {} -> {}  {}",
                pad(&g.right, 40),
                pad(&scope_text(&g.scope, lang), 24),
                g.binding,
                g.role,
                g.location.as_deref().unwrap_or("")
            );
        }
        spool.flush()?;
    }
    spool.finish()
}

pub(super) fn markdown(
    review: &AccessReview,
    lang: Lang,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let mut spool = Spool::new(out);
    let _ = write!(
        spool.buf,
        "# {}\n\n{}{}{}\n\n| {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|\n",
        MD_TITLE.get(lang),
        DIGEST.get(lang),
        colon(lang),
        code(&review.digest),
        MD_SUBJECT.get(lang),
        MD_PRIVILEGED.get(lang),
        MD_RIGHT.get(lang),
        MD_SCOPE.get(lang),
        MD_BINDING.get(lang),
        MD_ROLE.get(lang),
    );
    for s in &review.subjects {
        let privileged = if s.privileged { YES.get(lang) } else { "" };
        let subject = escaped(&s.subject.to_string());
        if s.grants.is_empty() {
            let _ = writeln!(spool.buf, "| {subject} | {privileged} | - | | | |");
        }
        for g in &s.grants {
            let _ = writeln!(
                spool.buf,
                "| {subject} | {privileged} | {} | {} | {} | {} |",
                code(&g.right),
                escaped(&scope_text(&g.scope, lang)),
                escaped(&g.binding),
                escaped(&g.role)
            );
        }
        spool.flush()?;
    }
    spool.finish()
}

#[derive(Serialize)]
struct Document<'a> {
    digest: &'a str,
    subjects: Vec<Subject<'a>>,
}

#[derive(Serialize)]
struct Subject<'a> {
    grants: Vec<Grant<'a>>,
    kind: &'a str,
    name: &'a str,
    namespace: Option<&'a str>,
    privileged: bool,
}

#[derive(Serialize)]
struct Grant<'a> {
    binding: &'a str,
    location: Option<&'a str>,
    right: &'a str,
    role: &'a str,
    scope: String,
}

pub(super) fn json(review: &AccessReview, out: &mut dyn io::Write) -> io::Result<()> {
    let doc = Document {
        digest: &review.digest,
        subjects: review
            .subjects
            .iter()
            .map(|s| Subject {
                grants: s
                    .grants
                    .iter()
                    .map(|g| Grant {
                        binding: &g.binding,
                        location: g.location.as_deref(),
                        right: &g.right,
                        role: &g.role,
                        scope: g.scope.to_string(),
                    })
                    .collect(),
                kind: s.subject.kind,
                name: &s.subject.name,
                namespace: s.subject.namespace.as_deref(),
                privileged: s.privileged,
            })
            .collect(),
    };
    write_json(&doc, out)
}
