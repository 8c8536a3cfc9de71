//! What each subcommand does: load, judge, render.

use crate::args::{
    Cli, ColorArg, Command, ConfigArgs, FailOn, FormatArg, JudgeArgs, OutputArgs, RulesFormat,
};
use crate::exit;
use anyhow::Context as _;
use kcheck_model::{Location, Severity};
use kcheck_report::{Format, RenderOptions, ViewFormat};
use kcheck_rules::{registry, Engine};
use std::io::{self, IsTerminal, Write};

pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Scan(args) => {
            let started = std::time::Instant::now();
            let Some((config, waivers)) = judging_setup(&args.judge) else {
                return Ok(exit::USAGE);
            };
            let mut engine = Engine::default()
                .with_config(config)
                .with_waivers(waivers)
                .at(run_now());
            if args.timings {
                engine = engine.with_timings();
            }
            let mut image_inputs = kcheck_model::Inputs::default();
            if let Some(images) = crate::image::evidence(&args.images, &mut image_inputs) {
                engine = engine.with_images(images);
            }
            let (paths, limits) = (&args.paths, &args.limits.limits());
            let (report, stages) = if args.in_memory {
                let report = kcheck_scan::scan_in_memory(paths, limits, &args.exclude, &engine);
                let stages = kcheck_scan::Stages {
                    in_memory: true,
                    ..Default::default()
                };
                (report, stages)
            } else {
                kcheck_scan::scan(paths, limits, &args.exclude, &engine)
            };
            let judged_at = started.elapsed();
            let mut report = report;
            report.inputs.merge(image_inputs);
            report.target = Some(target("scan", paths));
            if let Err(code) = compare_baseline(&mut report, &args.judge) {
                return Ok(code);
            }
            // Manifests read from files: the HTML shows the lines around each finding.
            emit(&report, &args.judge.output, true)?;
            if args.timings {
                let secs = |d: std::time::Duration| d.as_secs_f64();
                eprintln!(
                    "timings: index {:.3}s ({} objects), load and judge {:.3}s, whole-input rules {:.3}s, render {:.3}s{}",
                    secs(stages.index),
                    stages.indexed,
                    secs(stages.judge),
                    secs(stages.finish),
                    secs(started.elapsed() - judged_at),
                    if stages.in_memory { " (fell back to an in-memory scan)" } else { "" }
                );
                let [a, b, c] = stages.peak_kib.map(|k| k / 1024);
                eprintln!(
                    "peak RSS: index {a} MiB, files judged {b} MiB, whole-input rules {c} MiB, rendered {} MiB",
                    kcheck_scan::peak_kib() / 1024
                );
                for (code, d) in engine.timings() {
                    eprintln!("  {code:<6} {:>9.3} ms", secs(d) * 1000.0);
                }
            }
            let code = exit_code(&report, &args.judge);
            // The process ends here: the OS frees the report faster than dropping it.
            std::mem::forget(report);
            Ok(code)
        }
        Command::Pss(args) => crate::pss::run(args),
        Command::WhoCan(args) => crate::who_can::run(args),
        Command::Netpol(args) => {
            let config = match load_config(&args.config, args.lang.lang()) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("kcheck: {e}");
                    return Ok(exit::USAGE);
                }
            };
            crate::netpol::run(args, config)
        }
        Command::AccessReview(args) => crate::access_review::run(args),
        Command::Node(args) => crate::node::run(args),
        Command::Image(args) => crate::image::run(args),
        Command::Cluster(args) => crate::contexts::run(args),
        Command::Webhook(args) => crate::webhook::run(args),
        Command::Diff(args) => crate::diff::run(args),
        Command::Summary(args) => crate::summary::run(args),
        Command::Rules(args) => {
            let (rules, lang) = (registry::summaries(), args.lang.lang());
            write_stdout(&match args.format {
                RulesFormat::Table => kcheck_report::rules_table(&rules, lang),
                RulesFormat::Json => kcheck_report::rules_json(&rules),
                RulesFormat::Markdown => registry::index_table(&rules, lang, false),
            })?;
            Ok(exit::OK)
        }
        Command::Explain(args) => {
            let Some(rule) = registry::by_code(&args.code) else {
                eprintln!("kcheck: no rule {}; `kcheck rules` lists them", args.code);
                return Ok(exit::USAGE);
            };
            let summary = registry::summary(rule);
            let doc = rule.doc_markdown_in(args.lang.lang());
            write_stdout(&kcheck_report::explanation(
                &summary,
                &doc,
                args.lang.lang(),
            ))?;
            Ok(exit::OK)
        }
    }
}

/// The least severity that fails the run; `None` when findings never do.
pub(crate) fn severity(f: FailOn) -> Option<Severity> {
    match f {
        FailOn::Info => Some(Severity::Info),
        FailOn::Low => Some(Severity::Low),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::High => Some(Severity::High),
        FailOn::Critical => Some(Severity::Critical),
        FailOn::None => None,
    }
}

pub(crate) fn format(f: FormatArg) -> Format {
    match f {
        FormatArg::Table => Format::Table,
        FormatArg::Json => Format::Json,
        FormatArg::Sarif => Format::Sarif,
        FormatArg::Junit => Format::Junit,
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Html => Format::Html,
        FormatArg::Policyreport => Format::PolicyReport,
    }
}

/// The moment this run judges at, read once: the start of `KCHECK_TODAY` (YYYY-MM-DD, UTC)
/// when it is set and valid, else the system clock. Every date the run compares (waiver expiry,
/// the access review's age, certificate lifetimes, scan result ages) is compared with it.
pub(crate) fn run_now() -> kcheck_model::Now {
    static NOW: std::sync::OnceLock<kcheck_model::Now> = std::sync::OnceLock::new();
    *NOW.get_or_init(|| {
        std::env::var("KCHECK_TODAY")
            .ok()
            .and_then(|s| kcheck_model::Date::parse(&s))
            .map_or_else(kcheck_model::Now::clock, kcheck_model::Now::start_of)
    })
}

/// The moment now, read afresh (a command that runs again and again, `kcheck node --every`):
/// `KCHECK_TODAY` as [`run_now`] reads it, else the clock.
pub(crate) fn fresh_now() -> kcheck_model::Now {
    std::env::var("KCHECK_TODAY")
        .ok()
        .and_then(|s| kcheck_model::Date::parse(&s))
        .map_or_else(kcheck_model::Now::clock, kcheck_model::Now::start_of)
}

/// `file:line:column: message`, for a problem in a file the command line names.
fn problem_at(
    path: &std::path::Path,
    pos: kcheck_model::Pos,
    message: impl std::fmt::Display,
) -> String {
    format!(
        "{}: {message}",
        Location::new(path.display().to_string(), pos)
    )
}

/// Reads one YAML document (a configuration or waiver file).
fn read_yaml(
    path: &std::path::Path,
    lang: kcheck_model::Lang,
) -> Result<Option<kcheck_model::Node>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let parsed = kcheck_load::parse_documents(&text, &kcheck_load::Limits::default());
    if let Some(e) = parsed.errors.first() {
        return Err(problem_at(path, e.pos, e.message.get(lang)));
    }
    match parsed.documents.into_iter().next() {
        Some(kcheck_load::DocOutcome::Node(node)) => Ok(Some(node)),
        Some(kcheck_load::DocOutcome::Rejected(p)) => {
            Err(problem_at(path, p.pos, p.message.get(lang)))
        }
        _ => Ok(None),
    }
}

pub(crate) fn load_waivers(
    path: Option<&std::path::Path>,
    annotations: bool,
    lang: kcheck_model::Lang,
) -> Result<kcheck_rules::Waivers, String> {
    let waivers = kcheck_rules::Waivers::new().annotations(annotations);
    let Some(path) = path else { return Ok(waivers) };
    let Some(root) = read_yaml(path, lang)? else {
        return Err(match lang {
            kcheck_model::Lang::En => format!("{}: empty waiver file", path.display()),
            kcheck_model::Lang::Zh => format!("{}：豁免文件是空的", path.display()),
        });
    };
    let (entries, problems) = kcheck_rules::waivers::parse_file(&root, &path.display().to_string());
    let waivers = waivers.with_entries(entries, run_now().today());
    for p in problems {
        waivers.problem(p);
    }
    Ok(waivers)
}

/// The exit code of a judging command: input errors first, then failing findings at or above
/// `--fail-on`.
/// The input problems on standard error, one line each, before the report (which may go to a
/// file): an input that failed is never seen only at the report's end, or not at all.
fn announce_inputs(report: &kcheck_model::Report, lang: kcheck_model::Lang) {
    const SHOWN: usize = 20;
    let errors: Vec<_> = report.inputs.errors().collect();
    for d in errors.iter().take(SHOWN) {
        let line = d.line_in(lang).replace(['\n', '\r'], " ");
        eprintln!("kcheck: {line}");
    }
    if errors.len() > SHOWN {
        let more = errors.len() - SHOWN;
        match lang {
            kcheck_model::Lang::En => {
                eprintln!("kcheck: and {more} more input errors (listed in the report)")
            }
            kcheck_model::Lang::Zh => eprintln!("kcheck: 另有 {more} 个输入错误（报告中全部列出）"),
        }
    }
    if no_objects(report) {
        match lang {
            kcheck_model::Lang::En => eprintln!(
                "kcheck: no Kubernetes object was read from the input: nothing was judged"
            ),
            kcheck_model::Lang::Zh => {
                eprintln!("kcheck: 没有从输入中读到任何 Kubernetes 对象：什么都没有判定")
            }
        }
    }
}

/// A run that judges objects and read none: an empty file or standard input, a failed
/// `helm template` piped in, an empty dump. Never a pass.
fn no_objects(report: &kcheck_model::Report) -> bool {
    report.evidence.contains(&kcheck_model::Evidence::Objects) && report.inputs.objects == 0
}

pub(crate) fn exit_code(report: &kcheck_model::Report, args: &JudgeArgs) -> u8 {
    if report.inputs.has_errors()
        || report.inputs.incomplete().next().is_some()
        || no_objects(report)
    {
        exit::INPUT
    } else if severity(args.fail_on).is_some_and(|s| report.failing_new_at(s) > 0) {
        // Without a baseline every finding is new.
        exit::FINDINGS
    } else {
        exit::OK
    }
}

/// The configuration and waivers a judging command runs with; a problem with either is printed
/// and the command ends with a usage error (`None`).
pub(crate) fn judging_setup(
    args: &JudgeArgs,
) -> Option<(kcheck_rules::Config, kcheck_rules::Waivers)> {
    // The report is rendered in one language: findings need not carry the other.
    kcheck_model::text::only(Some(args.output.lang.lang()));
    let (waivers, annotations) = (args.waivers.as_deref(), !args.no_annotation_waivers);
    let lang = args.output.lang.lang();
    let setup = load_config(&args.config, lang)
        .and_then(|c| Ok((c, load_waivers(waivers, annotations, lang)?)));
    // A baseline that cannot be opened is said before the run, not after it.
    let setup = setup.and_then(|s| match &args.baseline {
        Some(path) => std::fs::File::open(path)
            .map(|_| s)
            .map_err(|e| match lang {
                kcheck_model::Lang::En => format!("--baseline {}: {e}", path.display()),
                kcheck_model::Lang::Zh => format!("--baseline {}：{e}", path.display()),
            }),
        None => Ok(s),
    });
    setup.map_err(|message| eprintln!("kcheck: {message}")).ok()
}

/// Compares the run with `--baseline` when one was given, and says the outcome on standard
/// error. The baseline is read after the run, so that it does not sit in memory while the input
/// is judged. `Err` with the exit code when it cannot be read (the message is printed).
pub(crate) fn compare_baseline(
    report: &mut kcheck_model::Report,
    args: &JudgeArgs,
) -> Result<(), u8> {
    let Some(path) = &args.baseline else {
        return Ok(());
    };
    let lang = args.output.lang.lang();
    let baseline = kcheck_report::saved::compare_file(report, path).map_err(|e| {
        eprintln!("kcheck: --baseline {}", e.message(lang));
        exit::INPUT
    })?;
    eprintln!("kcheck: {}", kcheck_report::baseline_line(&baseline, lang));
    for note in &baseline.notes {
        eprintln!("kcheck: {}", note.get(lang));
    }
    report.baseline = Some(Box::new(baseline));
    Ok(())
}

/// The run's configuration: `--config FILE`, then `--kube-version` over it.
pub(crate) fn load_config(
    args: &ConfigArgs,
    lang: kcheck_model::Lang,
) -> Result<kcheck_rules::Config, String> {
    let mut config = match &args.config {
        None => kcheck_rules::Config::default(),
        Some(path) => {
            let Some(root) = read_yaml(path, lang)? else {
                return Ok(kcheck_rules::Config::default());
            };
            kcheck_rules::Config::from_node(&root).map_err(|errors| {
                errors
                    .iter()
                    .map(|e| problem_at(path, e.pos, &e.message))
                    .collect::<Vec<_>>()
                    .join("\n")
            })?
        }
    };
    if let Some(v) = &args.kube_version {
        match kcheck_pss::Version::parse(v) {
            Ok(kcheck_pss::Version::Minor(n)) => config.kube_version = Some(n),
            _ => {
                return Err(match lang {
                    kcheck_model::Lang::En => {
                        format!("--kube-version {v}: expected v1.N, e.g. v1.33")
                    }
                    kcheck_model::Lang::Zh => {
                        format!("--kube-version {v}：应为 v1.N 的形式，例如 v1.33")
                    }
                })
            }
        }
    }
    Ok(config)
}

pub(crate) fn emit_text(text: &str, out: &OutputArgs) -> anyhow::Result<()> {
    match &out.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write the report to {}", path.display())),
        None => write_stdout(text),
    }
}

pub(crate) fn render_options(out: &OutputArgs) -> RenderOptions {
    let color = match out.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            out.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    RenderOptions {
        lang: out.lang.lang(),
        color,
        examples: out.examples.0,
        snippets: false,
        now: Some(run_now()),
    }
}

/// Writes the report as `out` says; `snippets` when its findings' files are the manifests read
/// (a scan), so that the HTML may show the lines around each.
pub(crate) fn emit(
    report: &kcheck_model::Report,
    out: &OutputArgs,
    snippets: bool,
) -> anyhow::Result<()> {
    announce_inputs(report, out.lang.lang());
    let fmt = format(out.format());
    let opts = RenderOptions {
        snippets,
        ..render_options(out)
    };
    let written = match &out.output {
        Some(path) => std::fs::File::create(path).and_then(|file| {
            let mut w = io::BufWriter::with_capacity(1 << 20, file);
            kcheck_report::render_to(report, fmt, &opts, &mut w)?;
            w.flush()
        }),
        None => to_stdout(|w| kcheck_report::render_to(report, fmt, &opts, w)),
    };
    written.with_context(|| match &out.output {
        Some(path) => format!("cannot write the report to {}", path.display()),
        None => "cannot write to standard output".to_string(),
    })
}

/// Runs `write` on standard output through a buffer, as the renderer makes the text. A closed
/// pipe (`kcheck ... | head`) is not an error.
fn to_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 20, io::stdout().lock());
    match write(&mut w).and_then(|()| w.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

pub(crate) fn write_stdout(text: &str) -> anyhow::Result<()> {
    write_view(|w| w.write_all(text.as_bytes()))
}

/// Writes a report command's view (`write` is one of kcheck-report's `write_*`) to standard
/// output.
/// What a run judged, named by its paths (`-` for standard input), as the JSON report's
/// `target` gives it.
pub(crate) fn target(mode: &str, paths: &[std::path::PathBuf]) -> kcheck_model::Target {
    kcheck_model::Target {
        mode: mode.to_string(),
        name: paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" "),
        namespace: None,
        distribution: None,
    }
}

pub(crate) fn write_view(
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    to_stdout(write).context("cannot write to standard output")
}

pub(crate) fn view_format(f: RulesFormat) -> ViewFormat {
    match f {
        RulesFormat::Table => ViewFormat::Table,
        RulesFormat::Json => ViewFormat::Json,
        RulesFormat::Markdown => ViewFormat::Markdown,
    }
}
