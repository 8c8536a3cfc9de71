//! `kcheck image` and `--images`/`--vuln-report` over archives the tests generate (and the demo's,
//! which the generator must reproduce byte for byte).

#[path = "support/mod.rs"]
mod support;

use kcheck_image::testing::{demo, ImageBuilder};
use support::{command, json, stdout, TempDir};

fn kcheck(args: &[&str]) -> std::process::Output {
    command(args).output().expect("run kcheck")
}

/// `CODE LEVEL SEVERITY` of each finding of the image rules, in report order.
fn image_findings(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            ["KC706", "KC707", "KC610", "KC709", "KC710"].contains(&f["code"].as_str().unwrap())
        })
        .map(|f| {
            let on = f["object"]["name"]
                .as_str()
                .map(|n| format!("{}/{n}", f["object"]["kind"].as_str().unwrap()))
                .or_else(|| f["source"].as_str().map(str::to_string))
                .unwrap_or_default();
            format!(
                "{} {} {} {on}",
                f["code"].as_str().unwrap(),
                f["level"].as_str().unwrap(),
                f["severity"].as_str().unwrap()
            )
        })
        .collect()
}

fn item_status<'a>(report: &'a serde_json::Value, id: &str) -> &'a str {
    report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .and_then(|i| i["status"].as_str())
        .unwrap()
}

#[test]
fn the_committed_demo_images_are_what_the_generator_writes() {
    let dir = TempDir::new("demo-images");
    demo::write(&dir.path("")).unwrap();
    for name in ["shop-web.tar", "payments-api.tar"] {
        let written = std::fs::read(dir.path(name)).unwrap();
        let committed =
            std::fs::read(support::root().join("examples/demo-images").join(name)).unwrap();
        assert!(
            written == committed,
            "{name} differs: run cargo run -p kcheck-image --example demo_images -- examples/demo-images"
        );
    }
}

#[test]
fn image_judges_archives_on_their_own() {
    let out = kcheck(&[
        "image",
        "examples/demo-images/shop-web.tar",
        "examples/demo-images/payments-api.tar",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let web = "registry.example.com/shop/web:1.4.2 [linux/amd64]";
    assert_eq!(
        image_findings(&report)
            .iter()
            .filter(|l| !l.starts_with("KC709"))
            .cloned()
            .collect::<Vec<_>>(),
        [
            format!("KC610 fail high {web}"),
            format!("KC610 fail high {web}"),
            format!("KC706 fail medium {web}"),
            format!("KC707 fail high {web}"),
            format!("KC707 warn medium {web}"),
            format!("KC707 warn low {web}"),
        ]
    );
    assert_eq!(item_status(&report, "7.1"), "fail");
    assert_eq!(item_status(&report, "7.2"), "fail");
    assert_eq!(item_status(&report, "6.1"), "fail");
    assert_eq!(report["inputs"]["files_read"], 2);
    // The distroless image passes on its own.
    let out = kcheck(&[
        "image",
        "examples/demo-images/payments-api.tar",
        "--format",
        "json",
    ]);
    let report = json(&out);
    assert_eq!(item_status(&report, "7.1"), "pass");
    assert_eq!(item_status(&report, "7.2"), "not_evaluated");
}

#[test]
fn scan_with_images_judges_each_workload_with_its_image() {
    let out = kcheck(&[
        "scan",
        "examples/demo-cluster",
        "--images",
        "examples/demo-images",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let found: Vec<String> = image_findings(&report)
        .into_iter()
        .filter(|l| !l.starts_with("KC709"))
        .collect();
    assert_eq!(
        found,
        [
            "KC610 fail high Deployment/web",
            "KC610 fail high Deployment/web",
            "KC706 fail medium Deployment/web",
            "KC707 warn low Deployment/web",
            "KC707 fail high Deployment/web",
        ]
    );
    // The README and the scanner report in the directory are passed over, and said to be.
    let skipped: Vec<&str> = report["inputs"]["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["path"].as_str())
        .filter(|p| p.starts_with("examples/demo-images"))
        .collect();
    assert_eq!(
        skipped,
        [
            "examples/demo-images/README.md",
            "examples/demo-images/trivy-shop-web.json"
        ]
    );
    // Images not in the directory (cilium, grafana, ...) are noted as not examined on 7.1.
    let item = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "7.1")
        .unwrap();
    let unseen = item["not_examined"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["code"] == "KC706")
        .count();
    assert!(unseen > 10, "{unseen}");
}

#[test]
fn an_archive_that_cannot_be_read_is_an_input_error_and_the_rest_is_judged() {
    let dir = TempDir::new("broken-images");
    let good = dir.path("good.tar");
    ImageBuilder::new()
        .reference("registry.example.com/ok:1")
        .layer(|l| l.file("/app", 0o755, b"x"))
        .config(|c| c.user("1000"))
        .write_oci_archive(&good)
        .unwrap();
    // A tar archive whose index.json is broken JSON: the error names file, line and column.
    let layout = dir.path("layout");
    std::fs::create_dir_all(&layout).unwrap();
    std::fs::write(
        layout.join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    std::fs::write(
        layout.join("index.json"),
        b"{\n  \"manifests\": [\n    {,\n",
    )
    .unwrap();
    let out = kcheck(&[
        "image",
        good.to_str().unwrap(),
        layout.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let diagnostics = report["inputs"]["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["line"], 3);
    assert_eq!(diagnostics[0]["column"], 6);
    assert!(
        diagnostics[0]["file"].as_str().unwrap().ends_with("layout"),
        "{diagnostics:#?}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("index.json"), "{stderr}");
    // The good archive was judged.
    assert_eq!(item_status(&report, "7.1"), "pass");
}

#[test]
fn image_reports_in_chinese() {
    let out = kcheck(&[
        "image",
        "examples/demo-images/shop-web.tar",
        "--lang",
        "zh",
        "--format",
        "json",
    ]);
    let report = json(&out);
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "KC706")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert_eq!(
        messages,
        ["镜像 registry.example.com/shop/web:1.4.2（Debian GNU/Linux 11 (bullseye)，11 个文件，1 kB）是完整的操作系统镜像：包含 shell（bash、sh）、包管理器（apt、dpkg）、网络工具（curl）"]
    );
    let table = stdout(&kcheck(&[
        "image",
        "examples/demo-images/shop-web.tar",
        "--lang",
        "zh",
        "--color",
        "never",
        "--examples",
        "all",
    ]));
    for line in table.lines() {
        assert!(
            !kcheck_model::text::has_english_sentence(line),
            "English in Chinese output: {line}"
        );
        assert_eq!(
            kcheck_model::text::ascii_punctuation_in_chinese(line),
            None,
            "{line}"
        );
    }
}
