use crate::out;
use kcheck_model::Lang;
use kcheck_report::Format;

#[test]
fn self_contained_and_escaped() {
    let html = out(Format::Html, Lang::En);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.ends_with("</script>\n</body>\n</html>\n"));
    // One script, ours; the input's is text.
    assert_eq!(
        html.matches("<script").count(),
        1,
        "user text must be escaped"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; a|b<br>second line"));
    for external in ["src=", "http://", "https://", "@import", "url("] {
        assert!(!html.contains(external), "{external}");
    }
    // Links stay in the page.
    for (i, _) in html.match_indices("href=\"") {
        assert_eq!(&html[i + 6..i + 7], "#", "{}", &html[i..i + 40]);
    }
    assert_eq!(
        html.matches("<tr><td>").count(),
        6 + 5 + 2 + 1 + 2,
        "statuses, failing by severity, warnings and information, waived, diagnostics"
    );
    assert!(html.contains("<span class=\"st s-fail\">FAIL</span>"));
    assert!(html.contains("<code>deploy/my app/role.yaml:7:12</code>"));
}

#[test]
fn a_grid_of_the_35_items_linking_to_them() {
    let html = out(Format::Html, Lang::En);
    assert_eq!(html.matches("<a class=\"cell c-").count(), 35);
    assert_eq!(
        html.matches("<section class=\"item\" id=\"item-").count(),
        35
    );
    // 1.6 fails with one critical finding: red, its count by severity, linking to its item.
    assert!(html.contains(
        "<a class=\"cell c-fail\" href=\"#item-1.6\" title=\"1.6 RBAC follows the good-practice guidance\"><b>1.6</b> <span class=\"st s-fail\">FAIL</span><span class=\"t\">RBAC follows the good-practice guidance</span><span class=\"b b-critical\" title=\"critical\">1</span></a>"
    ), "{html}");
    assert!(html.contains("<section class=\"item\" id=\"item-1.6\" data-status=\"fail\">"));
    // The waived finding is not counted in its cell.
    assert!(html.contains("<b>1.1</b> <span class=\"st s-fail\">FAIL</span><span class=\"t\">system:masters is not used for authentication after bootstrap</span><span class=\"b b-high\" title=\"high\">1</span></a>"), "{html}");
}

#[test]
fn fix_first_lists_failing_critical_and_high_rules_most_first() {
    let html = out(Format::Html, Lang::En);
    let start = html.find("<ol class=\"first\">").unwrap();
    let list = &html[start..start + html[start..].find("</ol>").unwrap()];
    assert_eq!(list.matches("<li>").count(), 2, "{list}");
    // KC101's waived finding does not count; the rest tie at one, by code.
    assert!(
        list.find("KC101").unwrap() < list.find("KC161").unwrap(),
        "{list}"
    );
    assert!(list.contains(
        "<li><span class=\"b b-critical\" title=\"Failing critical and high findings, by rule, most first.\">1</span> <a href=\"#KC161\"><code>KC161</code> Wildcard RBAC rule</a> <span class=\"v-critical\">critical</span> — 1 finding in namespace prod <span class=\"muted\">(item <a href=\"#item-1.6\">1.6</a>)</span></li>"
    ), "{list}");
    // KC101 has a waived finding besides: its badge counts one of two, and the text says so.
    assert!(
        list.contains("— 2 findings, 1 waived (1 failing at high or critical) <span"),
        "{list}"
    );
}

#[test]
fn rules_are_collapsible_groups_with_anchors_fix_and_documentation() {
    let html = out(Format::Html, Lang::En);
    assert!(html.contains(
        "<details class=\"rule\" id=\"KC101\" data-rule=\"KC101\" data-sevs=\"high\" open>\n<summary><code>KC101</code> fail <span class=\"v-high\">high</span> Binding to system:masters <span class=\"n\">— 2 findings, 1 waived</span></summary>\n<div class=\"fix\"><b>Fix</b>: fix KC101 by doing the right thing</div>\n<details class=\"doc\"><summary>Rule documentation KC101</summary><div class=\"md\"><h4>What it checks</h4><p>Bindings of the system:masters group.</p><h4>Why</h4><p>It bypasses RBAC.</p></div></details>\n<ul class=\"f\">\n<li class=\"finding\" data-sev=\"high\" data-ns=\"\">"
    ), "{html}");
    // Each finding carries what the filters read.
    assert!(html.contains("<li class=\"finding\" data-sev=\"critical\" data-ns=\"prod\"><span class=\"l-fail\">fail</span> <span class=\"v-critical\">critical</span> <code>KC161</code> Role prod/everything"), "{html}");
    assert!(html.contains("<li class=\"finding waived\" data-sev=\"high\" data-ns=\"\">"));
    for id in ["f-sev-critical", "f-status", "f-ns", "f-rule", "f-q"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(html.contains("@media print{"));
}

#[test]
fn chinese_page() {
    let html = out(Format::Html, Lang::Zh);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains(kcheck_model::item("1.1").unwrap().title.zh.as_ref()));
    assert!(html.contains("<div class=\"fix\"><b>修复</b>：修复 KC101：按正确方式配置</div>"));
    assert!(html.contains(
        "<p class=\"score\"><b>得分</b>：已评估的 19 项中通过 15 项（78%）；35 项中已评估 19 项（覆盖率 54%）</p>"
    ));
    assert!(html.contains(
        "<h2 class=\"sec\">1 认证和鉴权</h2>\n<p class=\"muted\">通过 0/2，已评估 2/6</p>"
    ));
    assert!(html.contains("<h2 id=\"fix-first\">优先修复</h2>"));
    assert!(
        html.contains("— 2 个问题，1 个已豁免</span></summary>"),
        "{html}"
    );
}

#[test]
fn the_score_beside_the_coverage() {
    let html = out(Format::Html, Lang::En);
    assert!(html.contains(
        "<p class=\"score\"><b>Score</b>: 15 of 19 evaluated items pass (78%); 19 of 35 items evaluated (54% coverage)</p>"
    ));
    assert!(html.contains(
        "<h2 class=\"sec\">4 Logging and auditing</h2>\n<p class=\"muted\">0/2 evaluated</p>"
    ));
    assert!(html.contains("<h3>4 Logging and auditing<small>0/2 evaluated</small></h3>"));
}

/// With snippets, each finding shows the lines around it from its file, its line marked and the
/// values that could be secrets redacted; without, none.
#[test]
fn snippets_show_the_lines_around_a_finding_redacted() {
    let dir = std::env::temp_dir().join(format!("kcheck-snippet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("pod.yaml");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: app\n    env:\n    - name: DB_PASSWORD\n      value: <hunter2>\n    securityContext:\n      privileged: true\n",
    )
    .unwrap();
    let mut report = crate::fixture::report();
    let mut findings = report.findings.clone().into_vec();
    findings[2].location = Some(kcheck_model::Location {
        file: std::sync::Arc::from(file.to_str().unwrap()),
        line: 10,
        column: 7,
    });
    report.findings = findings.into();
    let render = |snippets| {
        let opts = kcheck_report::RenderOptions {
            snippets,
            ..Default::default()
        };
        kcheck_report::render(&report, Format::Html, &opts)
    };
    let html = render(true);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(html.contains(
        "<pre class=\"snip\"><span class=\"ln\">8</span>    env:\n<span class=\"ln\">9</span>    - name: DB_PASSWORD\n<mark><span class=\"ln\">10</span>      <b>value: ‹redacted›</b></mark>\n<span class=\"ln\">11</span>    securityContext:\n<span class=\"ln\">12</span>      privileged: true</pre>"
    ), "{html}");
    assert!(!html.contains("hunter2"));
    // Files that are not there give none.
    assert_eq!(html.matches("<pre class=\"snip\">").count(), 1);
    assert!(!render(false).contains("<pre class=\"snip\">"));
}
