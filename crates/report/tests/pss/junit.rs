use crate::support::check_well_formed;
use crate::{fixture, out};
use kcheck_model::Lang;
use kcheck_report::{render_pss, Format, RenderOptions};

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
