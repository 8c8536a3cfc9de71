//! What each subcommand does: load, judge, render.

use crate::args::{Cli, ColorArg, Command, FailOn, FormatArg, LangArg, OutputArgs, RulesFormat};
use crate::exit;
use anyhow::Context as _;
use kcheck_model::{Evidence, Inventory, Lang, Severity};
use kcheck_report::{Format, RenderOptions};
use kcheck_rules::{registry, Engine};
use std::io::{IsTerminal, Write};

pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Scan(args) => {
            let loaded = kcheck_load::load_paths(&args.paths, &args.limits.limits());
            let inventory = Inventory::new(loaded.objects);
            let report = Engine::default().run(&inventory, &[Evidence::Objects], loaded.inputs);
            emit(&report, &args.output)?;
            Ok(if report.inputs.has_errors() {
                exit::INPUT
            } else if report.failing_at(severity(args.fail_on)) > 0 {
                exit::FINDINGS
            } else {
                exit::OK
            })
        }
        Command::Rules(args) => {
            let out = crate::commands::rules_listing(args.format, lang(args.lang));
            write_stdout(&out)?;
            Ok(exit::OK)
        }
        Command::Explain(args) => {
            let Some(rule) = registry::by_code(&args.code) else {
                eprintln!("kcheck: no rule {}; `kcheck rules` lists them", args.code);
                return Ok(exit::USAGE);
            };
            let lang = lang(args.lang);
            let out = format!(
                "{} {} ({}, {} {})\n{}\n\n{}",
                rule.code,
                rule.name,
                rule.severity.label().get(lang),
                match lang {
                    Lang::En => "checklist item",
                    Lang::Zh => "检查清单条目",
                },
                rule.item,
                rule.title.get(lang),
                rule.doc_markdown()
            );
            write_stdout(&out)?;
            Ok(exit::OK)
        }
    }
}

fn lang(l: LangArg) -> Lang {
    match l {
        LangArg::En => Lang::En,
        LangArg::Zh => Lang::Zh,
    }
}

fn severity(f: FailOn) -> Severity {
    match f {
        FailOn::Info => Severity::Info,
        FailOn::Low => Severity::Low,
        FailOn::Medium => Severity::Medium,
        FailOn::High => Severity::High,
        FailOn::Critical => Severity::Critical,
    }
}

fn format(f: FormatArg) -> Format {
    match f {
        FormatArg::Table => Format::Table,
        FormatArg::Json => Format::Json,
        FormatArg::Sarif => Format::Sarif,
        FormatArg::Junit => Format::Junit,
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Html => Format::Html,
    }
}

fn emit(report: &kcheck_model::Report, out: &OutputArgs) -> anyhow::Result<()> {
    let color = match out.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            out.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let opts = RenderOptions {
        lang: lang(out.lang),
        color,
    };
    let text = kcheck_report::render(report, format(out.format), &opts);
    match &out.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write the report to {}", path.display())),
        None => write_stdout(&text),
    }
}

fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // A closed pipe (`kcheck ... | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// `kcheck rules`.
pub fn rules_listing(format: RulesFormat, lang: Lang) -> String {
    let rules = registry::all();
    match format {
        RulesFormat::Json => {
            let list: Vec<_> = rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.code,
                        "name": r.name,
                        "item": r.item,
                        "severity": r.severity.as_str(),
                        "evidence": r.evidence,
                        "title": {"en": r.title.en, "zh": r.title.zh},
                    })
                })
                .collect();
            serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"
        }
        RulesFormat::Markdown => {
            let mut out =
                String::from("| code | name | item | severity | title |\n|---|---|---|---|---|\n");
            for r in rules {
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} |\n",
                    r.code,
                    r.name,
                    r.item,
                    r.severity.label().get(lang),
                    r.title.get(lang)
                ));
            }
            out
        }
        RulesFormat::Table => {
            let mut out = String::new();
            for r in rules {
                out.push_str(&format!(
                    "{:<6} {:<4} {:<9} {:<30} {}\n",
                    r.code,
                    r.item,
                    r.severity.as_str(),
                    r.name,
                    r.title.get(lang)
                ));
            }
            out
        }
    }
}
