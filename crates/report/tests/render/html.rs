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
}
