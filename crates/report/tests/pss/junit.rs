use crate::{fixture, out};
use kcheck_model::Lang;
use kcheck_report::{render_pss, Format, RenderOptions};

/// A small well-formedness check: tags nest and close, attributes are quoted, `&` only starts an
/// entity, `<` only starts markup, no character XML 1.0 forbids. Returns the opened tags.
fn check_well_formed(xml: &str) -> Vec<String> {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("XML declaration");
    for c in body.chars() {
        assert!(
            matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..),
            "forbidden character {c:?}"
        );
    }
    let check_text = |t: &str| {
        assert!(!t.contains('<') && !t.contains('>'), "markup in text: {t}");
        for (i, _) in t.match_indices('&') {
            let rest = &t[i..];
            let name = &rest[1..rest.find(';').expect("entity ends")];
            assert!(
                ["amp", "lt", "gt", "quot", "apos"].contains(&name)
                    || (name.starts_with('#') && name[1..].chars().all(|c| c.is_ascii_digit())),
                "bad entity &{name};"
            );
        }
    };
    let mut stack: Vec<String> = Vec::new();
    let mut opened = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find('<') {
        check_text(&rest[..start]);
        let end = rest[start..].find('>').expect("tag ends") + start;
        let tag = &rest[start + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "closing {name}");
        } else {
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let (name, attrs) = tag.split_once(' ').unwrap_or((tag, ""));
            let mut a = attrs.trim();
            while !a.is_empty() {
                let eq = a.find("=\"").expect("attribute is quoted");
                let close = a[eq + 2..].find('"').expect("attribute closes") + eq + 2;
                check_text(&a[eq + 2..close]);
                a = a[close + 1..].trim_start();
            }
            opened.push(name.to_owned());
            if !self_closing {
                stack.push(name.to_owned());
            }
        }
        rest = &rest[end + 1..];
    }
    check_text(rest);
    assert!(stack.is_empty(), "unclosed {stack:?}");
    opened
}

#[test]
fn a_suite_per_column_a_case_per_workload() {
    let xml = out(Format::Junit, Lang::En);
    let tags = check_well_formed(&xml);
    let count = |t: &str| tags.iter().filter(|x| *x == t).count();
    assert_eq!(count("testsuites"), 1);
    assert_eq!(count("testsuite"), 2);
    assert_eq!(count("testcase"), 6);
    assert_eq!(count("failure"), 3);
    assert!(xml.contains(
        "<testsuites name=\"kcheck Pod Security Standards report\" tests=\"6\" failures=\"3\" errors=\"0\" skipped=\"0\">\n"
    ));
    assert!(xml.contains(
        "  <testsuite name=\"baseline v1.37\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"0\">\n"
    ));
    assert!(xml.contains(
        "  <testsuite name=\"restricted v1.37\" tests=\"3\" failures=\"2\" errors=\"0\" skipped=\"0\">\n"
    ));
    assert!(xml.contains(
        "    <testcase name=\"Pod prod/ok\" classname=\"kcheck.pss.baseline_v1_37\"/>\n"
    ));
    assert_eq!(
        xml.matches("<testcase name=\"Deployment prod/web\"")
            .count(),
        2
    );
    assert_eq!(
        xml.matches("<testcase name=\"DaemonSet kube-system/agent\"")
            .count(),
        2
    );
    // The restricted failure of the Deployment lists both violations, fields and places.
    assert!(xml.contains(
        "    <testcase name=\"Deployment prod/web\" classname=\"kcheck.pss.restricted_v1_37\">\n      \
         <failure message=\"2 violations\" type=\"restricted\">\nrestricted v1.37\n\n\
         [runAsNonRoot] runAsNonRoot != true\n  \
         pod or container \"web\" must set securityContext.runAsNonRoot=true\n  \
         spec.template.spec.securityContext.runAsNonRoot  deploy/my app/web.yaml:20:7\n  \
         spec.template.spec.containers[0].securityContext.runAsNonRoot  deploy/my app/web.yaml:20:7\n\n\
         [allowPrivilegeEscalation] allowPrivilegeEscalation != false\n"
    ), "{xml}");
    assert!(xml.contains("<failure message=\"1 violation\" type=\"baseline\">"));
}

#[test]
fn hostile_names_stay_well_formed() {
    let opts = RenderOptions::default();
    let xml = render_pss(&fixture::hostile(), Format::Junit, &opts);
    check_well_formed(&xml);
    assert!(xml.contains("name=\"DaemonSet kube-system/&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;&amp;&quot;q&quot;|*b*"), "{xml}");
    assert!(
        xml.contains("&lt;script&gt;alert('x')&lt;/script&gt;&amp;\"q\"|*b* detail"),
        "{xml}"
    );
}
