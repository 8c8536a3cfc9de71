use crate::out;
use kcheck_model::Lang;
use kcheck_report::Format;

#[test]
fn self_contained_and_escaped() {
    let html = out(Format::Html, Lang::En);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.ends_with("</body>\n</html>\n"));
    assert!(!html.contains("<script"), "user text must be escaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; a|b<br>second line"));
    for external in ["src=", "href=", "http://", "https://", "@import"] {
        assert!(!html.contains(external), "{external}");
    }
    assert_eq!(
        html.matches("<tr><td>").count(),
        35 + 6 + 5 + 2 + 1 + 2,
        "items, statuses, failing by severity, warnings and information, waived, diagnostics"
    );
    assert!(html.contains("<span class=\"st s-fail\">FAIL</span>"));
    assert!(html.contains("<code>deploy/my app/role.yaml:7:12</code>"));
}

#[test]
fn chinese_page() {
    let html = out(Format::Html, Lang::Zh);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains(kcheck_model::item("1.1").unwrap().title.zh.as_ref()));
    assert!(html.contains("修复:修复 KC101:按正确方式配置"));
    assert!(html.contains(
        "<p class=\"score\"><b>得分</b>:已评估的 19 项中通过 15 项（78%）；35 项中已评估 19 项（覆盖率 54%）</p>"
    ));
    assert!(html.contains("<h2>1 认证和鉴权</h2>\n<p class=\"muted\">通过 0/2，已评估 2/6</p>"));
}

#[test]
fn the_score_beside_the_coverage() {
    let html = out(Format::Html, Lang::En);
    assert!(html.contains(
        "<p class=\"score\"><b>Score</b>: 15 of 19 evaluated items pass (78%); 19 of 35 items evaluated (54% coverage)</p>"
    ));
    assert!(html.contains("<h2>4 Logging and auditing</h2>\n<p class=\"muted\">0/2 evaluated</p>"));
}
