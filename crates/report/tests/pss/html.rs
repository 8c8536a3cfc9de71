use crate::{fixture, out};
use kcheck_model::Lang;
use kcheck_report::{render_pss, Format, RenderOptions};

#[test]
fn self_contained_page() {
    let html = out(Format::Html, Lang::En);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.ends_with("</body>\n</html>\n"));
    assert!(html.contains("<title>kcheck 0.1.0 Pod Security Standards report</title>"));
    for external in ["src=", "href=", "http://", "https://", "@import", "<script"] {
        assert!(!html.contains(external), "{external}");
    }
    assert!(html.contains(
        "<tr><th>Workload</th><th>Location</th><th>baseline v1.37</th><th>restricted v1.37</th></tr>\n"
    ));
    assert!(html.contains(
        "<tr><td>Deployment prod/web</td><td><code>deploy/my app/web.yaml:3</code></td>\
         <td><span class=\"st s-pass\">ALLOWED</span></td><td><span class=\"st s-fail\">DENIED</span></td></tr>\n"
    ));
    assert!(html.contains(
        "<tr><td>DaemonSet kube-system/agent</td><td></td>\
         <td><span class=\"st s-fail\">DENIED</span></td><td><span class=\"st s-fail\">DENIED</span></td></tr>\n"
    ));
    assert!(html.contains(
        "<tr><td>baseline v1.37</td><td class=\"n\">2</td><td class=\"n\">1</td></tr>\n"
    ));
    // Violations of denied workloads only.
    assert_eq!(html.matches("<h3>").count(), 2);
    assert_eq!(html.matches("<li>").count(), 5);
    assert!(html.contains(
        "<li><span class=\"st s-fail\">restricted v1.37</span> <code>runAsNonRoot</code>: runAsNonRoot != true\
         <br>Detail: pod or container &quot;web&quot; must set securityContext.runAsNonRoot=true\
         <br>Field: <code>spec.template.spec.securityContext.runAsNonRoot</code> <code>deploy/my app/web.yaml:20:7</code>"
    ));
    assert!(html.contains("<tr><td>error</td><td><code>bad.yaml:3:7</code></td><td>mapping values are not allowed here</td></tr>"));
}

#[test]
fn hostile_names_are_escaped() {
    let html = render_pss(&fixture::hostile(), Format::Html, &RenderOptions::default());
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains('\u{1b}') && !html.contains('\u{7}'));
    let escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;q&quot;|*b*";
    assert!(
        html.contains(&format!("<tr><td>DaemonSet kube-system/{escaped}[31m</td>")),
        "{html}"
    );
    assert!(
        html.contains(&format!("<h3>DaemonSet kube-system/{escaped}[31m</h3>")),
        "{html}"
    );
    assert!(
        html.contains(&format!("Detail: {escaped} detail]0;x<br>")),
        "{html}"
    );
}

#[test]
fn chinese_page() {
    let html = out(Format::Html, Lang::Zh);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    assert!(html.contains("<h1>kcheck 0.1.0 Pod 安全标准报告</h1>"));
    assert!(html.contains("<p>Pod 安全标准：baseline v1.37，restricted v1.37</p>"));
    assert!(html.contains("<span class=\"st s-pass\">允许</span>"));
    assert!(html.contains("<span class=\"st s-fail\">拒绝</span>"));
    assert!(html.contains("<h2>违规</h2>"));
    assert!(html.contains("<br>详情：pod or container &quot;web&quot;"));
}
