//! Renders a hand-built `kcheck pss` report in every format and language and checks what matters
//! in each.

mod fixture;
mod html;
mod json;
mod junit;
mod markdown;
mod sarif;
#[path = "../support/mod.rs"]
mod support;
mod table;

use kcheck_model::{Inputs, Lang, PssReport};
use kcheck_report::{render_pss, Format, RenderOptions};

pub fn out(format: Format, lang: Lang) -> String {
    render_pss(
        &fixture::report(),
        format,
        &RenderOptions {
            lang,
            color: false,
            ..Default::default()
        },
    )
}

pub fn empty() -> PssReport {
    PssReport {
        tool_name: "kcheck",
        tool_version: "0.1.0",
        columns: vec![],
        workloads: vec![],
        inputs: Inputs::default(),
    }
}

#[test]
fn every_format_is_deterministic_and_ends_with_one_newline() {
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
fn chinese_labels_in_a_chinese_run() {
    let zh = |f| out(f, Lang::Zh);
    let en = |f| out(f, Lang::En);
    for format in [Format::Table, Format::Markdown, Format::Html] {
        for word in ["Pod 安全标准报告", "允许", "拒绝", "工作负载", "汇总"] {
            assert!(zh(format).contains(word), "{format}: {word}");
            assert!(!en(format).contains(word), "{format}: {word}");
        }
        for word in ["ALLOWED", "DENIED", "Summary", "Workload"] {
            assert!(en(format).contains(word), "{format}: {word}");
            assert!(!zh(format).contains(word), "{format}: {word}");
        }
        // Upstream's words stay as they are.
        assert!(zh(format).contains("runAsNonRoot != true"), "{format}");
    }
    assert!(zh(Format::Junit).contains("<testsuites name=\"kcheck Pod 安全标准报告\""));
    assert!(zh(Format::Junit).contains("<failure message=\"2 项违规\" type=\"restricted\">"));
}

#[test]
fn an_empty_report_renders_in_every_format() {
    let report = empty();
    for name in Format::NAMES {
        for lang in [Lang::En, Lang::Zh] {
            let opts = RenderOptions {
                lang,
                color: true,
                ..Default::default()
            };
            let text = render_pss(&report, Format::parse(name).unwrap(), &opts);
            assert!(text.ends_with('\n') && !text.ends_with("\n\n"), "{name}");
        }
    }
    let opts = RenderOptions::default();
    let table = render_pss(&report, Format::Table, &opts);
    assert!(table.contains("Pod Security Standards: none\n"), "{table}");
    assert!(table.contains("\n  No workloads.\n"), "{table}");
    assert!(table.ends_with("\nSummary  none\n"), "{table}");
    let md = render_pss(&report, Format::Markdown, &opts);
    assert!(md.contains("## Workloads\n\nNo workloads.\n\n## Violations\n\nNo violations.\n"));
    let json: serde_json::Value =
        serde_json::from_str(&render_pss(&report, Format::Json, &opts)).unwrap();
    assert_eq!(json["workloads"], serde_json::json!([]));
    assert_eq!(json["summary"], serde_json::json!([]));
    let junit = render_pss(&report, Format::Junit, &opts);
    assert!(junit.ends_with(
        "<testsuites name=\"kcheck Pod Security Standards report\" \
         tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\">\n</testsuites>\n"
    ));
}

#[test]
#[ignore = "writes every rendering to $KCHECK_DUMP for a look"]
fn dump() {
    let dir = std::env::var("KCHECK_DUMP").unwrap();
    for name in Format::NAMES {
        for (lang, l) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
            let f = Format::parse(name).unwrap();
            std::fs::write(format!("{dir}/pss-{name}.{l}"), out(f, lang)).unwrap();
        }
    }
}
