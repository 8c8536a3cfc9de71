//! `kcheck cluster --publish`: the report's PolicyReports and ClusterPolicyReports (as
//! `--format policyreport` renders them) applied into the audited cluster, kcheck's stale ones
//! deleted, one line on standard error saying what was done.

use kcheck_model::{Lang, Report};
use kcheck_report::RenderOptions;

/// The report's PolicyReport and ClusterPolicyReport objects, as JSON, in the order
/// `--format policyreport` writes them.
pub fn documents(report: &Report, opts: &RenderOptions) -> Vec<serde_json::Value> {
    let mut yaml = Vec::new();
    kcheck_report::write_policy_reports_split_at(
        report,
        opts,
        kcheck_report::MAX_POLICY_REPORT_RESULTS_BYTES,
        &mut yaml,
    )
    .expect("writing to memory");
    let text = String::from_utf8(yaml).expect("the renderer writes UTF-8");
    let limits = kcheck_load::Limits {
        max_document_bytes: usize::MAX,
        max_nodes: usize::MAX,
        ..Default::default()
    };
    let parsed = kcheck_load::parse_documents(&text, &limits);
    assert!(
        parsed.errors.is_empty(),
        "the policy reports do not parse: {:?}",
        parsed.errors
    );
    parsed
        .documents
        .iter()
        .filter_map(|d| match d {
            kcheck_load::DocOutcome::Node(n) => Some(n.to_json()),
            kcheck_load::DocOutcome::Empty => None,
            kcheck_load::DocOutcome::Rejected(p) => {
                panic!("a policy report was rejected: {p:?}")
            }
        })
        .collect()
}

/// The one line that says what was published.
pub fn summary(published: &kcheck_cluster::publish::Published, lang: Lang) -> String {
    let deleted = match (published.deleted.is_empty(), lang) {
        (true, _) => String::new(),
        (false, Lang::En) => format!(" ({})", published.deleted.join(", ")),
        (false, Lang::Zh) => format!("（{}）", published.deleted.join("，")),
    };
    match lang {
        Lang::En => format!(
            "kcheck: published {} policy reports ({}); deleted {} stale{deleted}",
            published.applied.len(),
            published.applied.join(", "),
            published.deleted.len()
        ),
        Lang::Zh => format!(
            "kcheck: 已发布 {} 个策略报告（{}）；删除了 {} 个过期报告{deleted}",
            published.applied.len(),
            published.applied.join("，"),
            published.deleted.len()
        ),
    }
}

/// Publishes `report` into the cluster of `options`; the error's message in `lang`.
pub fn run(
    report: &Report,
    opts: &RenderOptions,
    options: &kcheck_cluster::Options,
    namespace: Option<&str>,
    lang: Lang,
) -> Result<(), String> {
    let docs = documents(report, opts);
    match kcheck_cluster::publish::run(options, &docs, namespace) {
        Ok(published) => {
            eprintln!("{}", summary(&published, lang));
            Ok(())
        }
        Err(e) => Err(e.message(lang)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kcheck_cluster::publish::Published;

    #[test]
    fn the_summary_names_what_was_applied_and_deleted() {
        let p = Published {
            applied: vec!["kcheck-cluster".into(), "apps/kcheck-apps".into()],
            deleted: vec!["old/kcheck-old".into()],
        };
        assert_eq!(
            summary(&p, Lang::En),
            "kcheck: published 2 policy reports (kcheck-cluster, apps/kcheck-apps); deleted 1 stale (old/kcheck-old)"
        );
        assert_eq!(
            summary(&p, Lang::Zh),
            "kcheck: 已发布 2 个策略报告（kcheck-cluster，apps/kcheck-apps）；删除了 1 个过期报告（old/kcheck-old）"
        );
    }

    #[test]
    fn documents_are_the_rendered_reports_as_json() {
        let report = kcheck_rules::Engine::default().run(
            &kcheck_model::Inventory::new(Vec::new()),
            &[kcheck_model::Evidence::Objects],
            kcheck_model::Inputs::default(),
        );
        let docs = documents(&report, &RenderOptions::default());
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0]["results"].as_array().map(Vec::len), Some(35));
        assert_eq!(docs[0]["summary"]["fail"], 0);
        assert_eq!(docs[0]["kind"], "ClusterPolicyReport");
        assert_eq!(docs[0]["apiVersion"], "wgpolicyk8s.io/v1alpha2");
        assert_eq!(docs[0]["metadata"]["name"], "kcheck-cluster");
        assert_eq!(
            docs[0]["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "kcheck"
        );
    }
}
