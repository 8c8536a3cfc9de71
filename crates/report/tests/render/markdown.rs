use crate::out;
use kcheck_model::Lang;
use kcheck_report::Format;

#[test]
fn tables_and_findings() {
    let md = out(Format::Markdown, Lang::En);
    assert!(
        md.starts_with("# kcheck 0.1.0 Kubernetes Security Checklist report\n"),
        "{md}"
    );
    assert!(md.contains("## 1 Authentication and authorization\n\n_0/2 pass, 2/6 evaluated_\n\n| Item | Status | Title | Findings / reason |\n|---|---|---|---|\n"), "{md}");
    assert!(
        md.contains("## 4 Logging and auditing\n\n_0/2 evaluated_\n\n"),
        "{md}"
    );
    assert!(
        md.contains("**Score**: 15 of 19 evaluated items pass (78%); 19 of 35 items evaluated (54% coverage)\n"),
        "{md}"
    );
    assert!(md.contains("| 1.1 | **FAIL** | system:masters is not used for authentication after bootstrap | 2 findings, 1 waived; not examined: "), "{md}");
    assert!(md.contains("| 1.2 | **N/E** | kube-controller"), "{md}");
    // 35 item rows, each with 4 cells: escaped pipes do not split cells.
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| ") && l.as_bytes().get(3) == Some(&b'.'))
        .collect();
    assert_eq!(rows.len(), 35);
    for r in &rows {
        assert_eq!(r.replace("\\|", "").matches('|').count(), 5, "{r}");
    }
    assert!(md.contains("| FAIL | 3 |"));
    assert!(
        md.contains("### 1.6 RBAC follows the good-practice guidance\n"),
        "{md}"
    );
    assert!(md.contains("- **fail critical** `KC161` Role prod/everything\n  - Location: `deploy/my app/role.yaml:7:12`\n  - Field: `rules[0].verbs`\n"), "{md}");
    assert!(md.contains("  - Fix: fix KC101 by doing the right thing\n"));
    // Hostile text renders as text.
    assert!(
        md.contains("&lt;script&gt;alert(1)&lt;/script&gt; a\\|b<br>second line"),
        "{md}"
    );
    assert!(!md.contains("<script"));
    assert!(md.contains("| error | `bad.yaml:3:7` | mapping values are not allowed here |"));
}
