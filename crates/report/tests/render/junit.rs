use crate::out;
use crate::support::check_well_formed;
use kcheck_model::Lang;
use kcheck_report::Format;

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
