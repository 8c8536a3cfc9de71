//! Renders a hand-built report in every format and language and checks what matters in each.

mod fixture;
mod group;
mod html;
mod json;
mod junit;
mod markdown;
mod policyreport;
mod sarif;
#[path = "../support/mod.rs"]
mod support;
mod table;

use kcheck_model::Lang;
use kcheck_report::{render, Format, RenderOptions};

pub fn out(format: Format, lang: Lang) -> String {
    render(
        &fixture::report(),
        format,
        &RenderOptions {
            lang,
            color: false,
            ..Default::default()
        },
    )
}

#[test]
fn every_format_is_deterministic_and_ends_with_a_newline() {
    for name in Format::NAMES {
        let format = Format::parse(name).unwrap();
        for lang in [Lang::En, Lang::Zh] {
            let a = out(format, lang);
            assert_eq!(a, out(format, lang), "{name} {lang:?}");
            assert!(a.ends_with('\n') && !a.ends_with("\n\n"), "{name} {lang:?}");
        }
    }
}

#[test]
fn chinese_output_has_the_chinese_titles() {
    let title = kcheck_model::item("2.3").unwrap().title.zh.as_ref();
    for format in [Format::Table, Format::Junit, Format::Markdown, Format::Html] {
        let zh = out(format, Lang::Zh);
        assert!(zh.contains(title), "{format}");
        if format != Format::Junit {
            assert!(zh.contains("不通过"), "{format}");
        }
        let en = out(format, Lang::En);
        assert!(!en.contains(title), "{format}");
    }
}

#[test]
#[ignore = "writes every rendering to $KCHECK_DUMP for a look"]
fn dump() {
    let dir = std::env::var("KCHECK_DUMP").unwrap();
    for name in Format::NAMES {
        for (lang, l) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
            let f = Format::parse(name).unwrap();
            std::fs::write(format!("{dir}/{name}.{l}"), out(f, lang)).unwrap();
        }
    }
}

#[test]
fn a_quiet_report_renders_in_every_format() {
    let report = fixture::quiet_report();
    for name in Format::NAMES {
        for lang in [Lang::En, Lang::Zh] {
            let opts = RenderOptions {
                lang,
                color: true,
                ..Default::default()
            };
            let text = render(&report, Format::parse(name).unwrap(), &opts);
            assert!(text.ends_with('\n'), "{name}");
        }
    }
    let md = render(&report, Format::Markdown, &RenderOptions::default());
    assert!(md.contains("## Findings\n\nNo findings.\n"), "{md}");
    let json: serde_json::Value =
        serde_json::from_str(&render(&report, Format::Json, &RenderOptions::default())).unwrap();
    assert_eq!(json["items"].as_array().unwrap().len(), 35);
    assert_eq!(json["items"][0]["finding_count"], 0);
    assert_eq!(json["summary"]["status"]["pass"], 21);
    let junit = render(&report, Format::Junit, &RenderOptions::default());
    assert!(junit.contains("tests=\"35\" failures=\"0\" errors=\"0\" skipped=\"14\">"));
}

/// What could not be examined and the evidence found are shown with their item in every format,
/// as notes, never as findings: no severity, no fix, no SARIF result.
#[test]
fn notes_are_shown_with_their_items_and_are_not_findings() {
    let table = out(Format::Table, Lang::En);
    // Beside the failing item, the first gap and how many more follow.
    assert!(
        table.contains(
            "not examined: kubeconfig is not available (on the control-plane node only) (and 1\n"
        ) && table.contains(" more below)\n"),
        "{table}"
    );
    assert!(
        table.contains("  not examined   KC107  /etc/kubernetes/admin.conf\n                 kubeconfig is not available (on the control-plane node only)\n"),
        "{table}"
    );
    assert!(
        table.contains("  evidence       KC214  kube-system/cilium.yaml:12:3  DaemonSet kube-system/cilium\n                 network plugin Cilium enforces NetworkPolicy\n"),
        "{table}"
    );
    let zh = out(Format::Table, Lang::Zh);
    assert!(zh.contains("未检查：无法获得 kubeconfig"), "{zh}");
    assert!(zh.contains("  证据"), "{zh}");

    let md = out(Format::Markdown, Lang::En);
    assert!(md.contains("| 1.1 | **FAIL** | system:masters is not used for authentication after bootstrap | 2 findings, 1 waived; not examined: kubeconfig is not available (on the control-plane node only) (and 1 more below) |"), "{md}");
    assert!(md.contains("- _evidence_ `KC214` DaemonSet kube-system/cilium\n  - Location: `kube-system/cilium.yaml:12:3`\n  - Message: network plugin Cilium enforces NetworkPolicy\n"), "{md}");
    assert!(
        md.contains("&lt;script&gt;alert(1)&lt;/script&gt; a\\|b"),
        "{md}"
    );

    let html = out(Format::Html, Lang::En);
    assert!(
        html.contains("<li class=\"n-evidence\"><em>evidence</em> <code>KC214</code>"),
        "{html}"
    );
    assert!(
        html.contains(
            "<li class=\"n-not_examined muted\"><em>not examined</em> <code>KC107</code>"
        ),
        "{html}"
    );
    assert_eq!(html.matches("<script>").count(), 1, "only ours: {html}");

    let json: serde_json::Value = serde_json::from_str(&out(Format::Json, Lang::En)).unwrap();
    let items = json["items"].as_array().unwrap();
    let item = |id: &str| items.iter().find(|i| i["id"] == id).unwrap();
    assert_eq!(item("1.1")["not_examined"].as_array().unwrap().len(), 2);
    assert_eq!(
        item("1.1")["not_examined"][0]["source"],
        "/etc/kubernetes/admin.conf"
    );
    assert_eq!(item("2.2")["evidence"][0]["code"], "KC214");
    assert_eq!(item("2.2")["evidence"][0]["location"]["line"], 12);
    // Notes are not findings.
    assert_eq!(json["summary"]["findings"], 5);

    let sarif: serde_json::Value = serde_json::from_str(&out(Format::Sarif, Lang::En)).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().all(|r| r["ruleId"] != "KC214"));
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notes.iter().any(|n| n["message"]["text"]
            == "KC107 (1.1) not examined: kubeconfig is not available (on the control-plane node only)"),
        "{notes:#?}"
    );
}
