use crate::out;
use kcheck_model::Lang;
use kcheck_report::Format;

/// A small well-formedness check: tags nest and close, attributes are quoted, `&` only starts an
/// entity, `<` only starts markup, and no character XML 1.0 forbids. Returns the opened tags.
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
        assert!(!t.contains('>') || !t.contains('<'), "markup in text: {t}");
        for (i, _) in t.match_indices('&') {
            let rest = &t[i..];
            let end = rest.find(';').expect("entity ends");
            let name = &rest[1..end];
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
            // attrs: name="value" pairs, values without < or raw quotes.
            let mut a = attrs.trim();
            while !a.is_empty() {
                let eq = a.find("=\"").expect("attribute is quoted");
                let close = a[eq + 2..].find('"').expect("attribute closes") + eq + 2;
                let value = &a[eq + 2..close];
                assert!(!value.contains('<'), "< in attribute");
                check_text(value);
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

fn count(tags: &[String], name: &str) -> usize {
    tags.iter().filter(|t| *t == name).count()
}

#[test]
fn well_formed_with_the_right_counts() {
    for lang in [Lang::En, Lang::Zh] {
        let xml = out(Format::Junit, lang);
        let tags = check_well_formed(&xml);
        assert_eq!(count(&tags, "testsuites"), 1);
        assert_eq!(count(&tags, "testsuite"), 8);
        assert_eq!(count(&tags, "testcase"), 35);
        assert_eq!(count(&tags, "failure"), 3);
        assert_eq!(count(&tags, "skipped"), 15);
        assert_eq!(count(&tags, "error"), 1);
        assert_eq!(count(&tags, "system-out"), 1);
        assert!(
            xml.contains("tests=\"35\" failures=\"3\" errors=\"1\" skipped=\"15\">"),
            "{xml}"
        );
    }
}

#[test]
fn cases_carry_findings_and_reasons() {
    let xml = out(Format::Junit, Lang::En);
    assert!(xml.contains(
        "<testsuite name=\"1 Authentication and authorization\" tests=\"6\" failures=\"2\" errors=\"0\" skipped=\"4\">"
    ));
    assert!(xml.contains(
        "<testcase name=\"1.1 system:masters is not used for authentication after bootstrap\" classname=\"kcheck.section1\">"
    ));
    assert!(xml.contains("<failure message=\"2 findings\" type=\"high\">"));
    assert!(xml.contains("[high] KC101 rbac.yaml:12:5 ClusterRoleBinding admins\n  ClusterRoleBinding admins binds group system:masters\n  fix: fix KC101 by doing the right thing\n"));
    assert!(xml.contains("rbac.yaml:30:9 ClusterRoleBinding bootstrap-admins (waived)"));
    assert!(xml.contains("<skipped message=\"needs a node scan: kcheck node\"/>"));
    assert!(xml.contains("<skipped message=\"record the access review\"/>"));
    assert!(xml.contains("<error message=\"a rule panicked\" type=\"error\">"));
    assert!(xml.contains("<system-out>\n[medium] KC221 /apis/apps/v1/namespaces/prod/deployments/web Deployment prod/web\n"));
    // Hostile text is escaped; control characters are gone.
    assert!(xml.contains("&lt;script&gt;alert(1)&lt;/script&gt; a|b"));
    assert!(!xml.contains("<script"));
    assert!(!xml.contains('\u{1b}') && !xml.contains('\u{1}'));
    assert!(xml.contains("<testcase name=\"3.2 An appropriate Pod Security Standard is enforced on every namespace\" classname=\"kcheck.section3\"/>"));
}
