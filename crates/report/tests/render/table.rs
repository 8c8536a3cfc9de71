use crate::fixture;
use kcheck_model::Lang;
use kcheck_report::{render, Format, RenderOptions};
use unicode_width::UnicodeWidthStr;

fn table(lang: Lang, color: bool) -> String {
    render(
        &fixture::report(),
        Format::Table,
        &RenderOptions {
            lang,
            color,
            ..Default::default()
        },
    )
}

#[test]
fn colour_only_on_request() {
    for lang in [Lang::En, Lang::Zh] {
        let plain = table(lang, false);
        assert!(!plain.contains('\u{1b}'), "{plain}");
        let coloured = table(lang, true);
        assert!(coloured.contains("\u{1b}[31m"), "fail is red");
        assert!(coloured.contains("\u{1b}[32m"), "pass is green");
        assert!(coloured.contains("\u{1b}[33m"), "warn is yellow");
        assert!(coloured.contains("\u{1b}[2m"), "not evaluated is dim");
        // The input's own escape sequence is neutralised, even in colour.
        assert!(!coloured.contains("\u{1b}[31m\u{1}"));
    }
}

#[test]
fn lines_fit_in_100_columns() {
    for lang in [Lang::En, Lang::Zh] {
        let t = table(lang, false);
        for line in t.lines() {
            assert!(line.width() <= 100, "{} columns: {line}", line.width());
        }
    }
}

#[test]
fn content_in_english() {
    let t = table(Lang::En, false);
    assert!(
        t.starts_with("kcheck 0.1.0  Kubernetes Security Checklist report\n"),
        "{t}"
    );
    assert!(
        t.contains("3 files read, 4 objects, 1 input error, 2 files skipped; evidence: objects")
    );
    assert!(t.contains("\n1 Authentication and authorization   0/2 pass, 2/6 evaluated\n"));
    assert!(
        t.contains("\n         Score: 15 of 19 evaluated items pass (78%); 19 of 35 items evaluated (54% coverage)\n"),
        "{t}"
    );
    let line_11 = t.lines().find(|l| l.starts_with("  1.1  ")).unwrap();
    assert!(
        line_11.starts_with("  1.1  FAIL    system:masters is not used"),
        "{line_11}"
    );
    assert!(line_11.ends_with("2 findings, 1 waived"), "{line_11}");
    // A reason too long for the tail column goes below the title.
    let i = t.lines().position(|l| l.starts_with("  1.2  N/E")).unwrap();
    let next = t.lines().nth(i + 1).unwrap();
    assert_eq!(next.trim(), "needs a node scan: kcheck node");
    assert!(t
        .lines()
        .any(|l| l.starts_with("  3.2  PASS") && l.ends_with("4 checked")));
    // Findings: level and severity, code, place, object; message; fix.
    assert!(t.contains("  fail high      KC101  rbac.yaml:12:5  ClusterRoleBinding admins\n                 ClusterRoleBinding admins binds group system:masters\n  "), "{t}");
    // The two KC101 findings share their fix: it is printed once, after the second.
    assert_eq!(
        t.matches("fix: fix KC101 by doing the right thing\n")
            .count(),
        1,
        "{t}"
    );
    assert!(t.contains("KC101  rbac.yaml:30:9  ClusterRoleBinding bootstrap-admins  [waived]"));
    assert!(
        t.contains("                 waived: bootstrap only (SEC-1) (waivers.yaml:3)\n"),
        "{t}"
    );
    assert!(
        t.contains("\nWaivers\n  expired  waivers.yaml:9  waiver for KC3* expired on 2020-01-31\n"),
        "{t}"
    );
    assert!(
        t.contains("KC221  /apis/apps/v1/namespaces/prod/deployments/web  Deployment prod/web\n")
    );
    assert!(t.contains("  error    bad.yaml:3:7  mapping values are not allowed here\n"));
    assert!(t.contains("  warning  dup.yaml  duplicate key image\n"));
    assert!(
        t.contains("3 files read, 4 objects, 1 input error, 2 files skipped; evidence: objects\n")
    );
    assert!(t.contains("Skipped files\n  chart/templates/x.yaml  Helm template source\n"));
    assert!(
        t.contains("Summary  Items: 3 FAIL, 1 WARN, 15 PASS, 1 MANUAL, 14 N/E, 1 ERROR\n"),
        "{t}"
    );
    let summary = t
        .lines()
        .skip_while(|l| !l.starts_with("Summary"))
        .collect::<Vec<_>>()
        .join("\n");
    // Failing findings by severity, then warnings and information apart.
    assert!(
        summary.contains("Findings: failing: 1 critical, 1 high, 0 medium, 0 low, 1 info; 1 warning; 0 information;\n         1 waived"),
        "{summary}"
    );
}

#[test]
fn the_chinese_score() {
    let t = table(Lang::Zh, false);
    assert!(t.contains("\n1 认证和鉴权   通过 0/2，已评估 2/6\n"), "{t}");
    assert!(t.contains("\n4 日志和审计   已评估 0/2\n"), "{t}");
    assert!(
        t.contains("得分：已评估的 19 项中通过 15 项（78%）；35 项中已评估 19 项（覆盖率 54%）\n"),
        "{t}"
    );
}

#[test]
fn chinese_columns_line_up() {
    let t = table(Lang::Zh, false);
    assert!(t.contains("汇总"));
    // The title column starts at the same display column on every item line.
    let starts: Vec<usize> = t
        .lines()
        .filter(|l| {
            l.len() > 7
                && l.starts_with("  ")
                && l.as_bytes()[2].is_ascii_digit()
                && l.as_bytes()[3] == b'.'
        })
        .map(|l| {
            let after_status = l[7..].trim_start_matches(|c: char| !c.is_whitespace());
            let title_at = l.len() - after_status.trim_start().len();
            l[..title_at].width()
        })
        .collect();
    assert_eq!(starts.len(), 35, "{t}");
    assert!(starts.iter().all(|s| *s == starts[0]), "{starts:?}\n{t}");
    let title = kcheck_model::item("1.1").unwrap().title.zh.as_ref();
    assert!(t.contains(&title[..title.len().min(30)]) || t.contains("引导完成后"));
}
