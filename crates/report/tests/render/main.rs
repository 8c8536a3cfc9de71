//! Renders a hand-built report in every format and language and checks what matters in each.

mod fixture;
mod html;
mod json;
mod junit;
mod markdown;
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
        &RenderOptions { lang, color: false },
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
            let opts = RenderOptions { lang, color: true };
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
