//! `kcheck pss`: every workload's Pod Security Admission verdict at one or two levels.

use crate::args::PssArgs;
use crate::commands::{emit_text, format, render_options};
use crate::exit;
use kcheck_pss::{Level, Version};

pub fn run(args: PssArgs) -> anyhow::Result<u8> {
    if matches!(args.output.format(), crate::args::FormatArg::Policyreport) {
        match args.output.lang.lang() {
            kcheck_model::Lang::En => eprintln!(
                "kcheck: --format policyreport writes the checklist report (scan, cluster, node, image); \
                 kcheck pss writes table, json, sarif, junit, markdown or html"
            ),
            kcheck_model::Lang::Zh => eprintln!(
                "kcheck: --format policyreport 用于检查清单报告（scan、cluster、node、image）；\
                 kcheck pss 支持 table、json、sarif、junit、markdown、html"
            ),
        }
        return Ok(exit::USAGE);
    }
    let version = match Version::parse(&args.version) {
        Ok(v) => v,
        Err(_) => {
            let v = &args.version;
            match args.output.lang.lang() {
                kcheck_model::Lang::En => {
                    eprintln!("kcheck: --version {v}: expected v1.N or latest")
                }
                kcheck_model::Lang::Zh => {
                    eprintln!("kcheck: --version {v}：应为 v1.N 或 latest")
                }
            }
            return Ok(exit::USAGE);
        }
    };
    let mut levels = Vec::new();
    for l in &args.level {
        let level = Level::parse(l).map_err(|e| anyhow::anyhow!("{e}"))?;
        if !levels.contains(&level) {
            levels.push(level);
        }
    }
    let loaded = kcheck_load::load_paths(&args.paths, &args.limits.limits());
    let report = kcheck_pss::report(&loaded.objects, &levels, version, loaded.inputs);
    let text = kcheck_report::render_pss(
        &report,
        format(args.output.format()),
        &render_options(&args.output),
    );
    emit_text(&text, &args.output)?;
    Ok(if report.inputs.has_errors() {
        exit::INPUT
    } else if report.denied() > 0 {
        exit::FINDINGS
    } else {
        exit::OK
    })
}
