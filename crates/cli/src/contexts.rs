//! `kcheck cluster --context A --context B ...`: several clusters audited in turn, each by the
//! single-cluster path (`cluster::audit`) with the same options.
//!
//! Where the reports go: with `--output-dir DIR`, each to `DIR/NAME.EXT` (the context's name made
//! safe for a file name and unique, the extension from `--format`), and with `--format json` the
//! `kcheck summary` page of them to `DIR/summary.html`; without it only tables, printed one
//! after the other, each after a header naming its context (`==> context NAME (1 of 3) <==`, as
//! `head` and `tail` name files). Other formats to standard output are refused: concatenated
//! JSON, SARIF or HTML documents are no document at all, and one JSON array of reports would be
//! a format nothing else reads (`kcheck summary`, `--baseline` and `kcheck diff` read one report
//! per file).
//!
//! A cluster that cannot be reached (or that forbids the lists) does not stop the others; each
//! context ends with one line on standard error (its exit code and items by status, or why it
//! was not audited), and the exit code is the worst of them: 3 (a report could not be written)
//! over 2 (a cluster not reached or not fully seen) over 1 (failing findings) over 0.
//!
//! One context at a time: a cluster audit holds its whole inventory (hundreds of MiB at scale),
//! and its standard error lines (inputs, incomplete lists, `--publish`) follow the context's
//! announcement only when audits do not overlap.

use crate::args::{ClusterArgs, FormatArg};
use crate::cluster;
use crate::commands::write_stdout;
use crate::exit;
use anyhow::Context as _;
use kcheck_model::{FleetError, Lang, StatusCounts};
use std::collections::HashSet;
use std::path::PathBuf;

/// What one audit came to (`cluster::audit`).
#[derive(Debug, Default)]
pub struct Outcome {
    pub code: u8,
    /// The report's items by status, when there is a report.
    pub counts: Option<StatusCounts>,
    /// Why there is no report: the cluster could not be reached, or its kubeconfig or context
    /// not read (as printed, in the run's language).
    pub unreachable: Option<String>,
}

impl From<u8> for Outcome {
    fn from(code: u8) -> Outcome {
        Outcome {
            code,
            ..Outcome::default()
        }
    }
}

/// `kcheck cluster`: one context (or none) exactly as before, several in turn.
pub fn run(args: ClusterArgs) -> anyhow::Result<u8> {
    if args.print.is_some() || (args.context.len() <= 1 && args.output_dir.is_none()) {
        return cluster::run(args);
    }
    let lang = args.judge.output.lang.lang();
    if let Err(message) = check(&args, lang) {
        eprintln!("kcheck: {message}");
        return Ok(exit::USAGE);
    }
    // The configuration, the waivers and the baseline are the same for every context: a problem
    // with them is said once, before any cluster is asked.
    if crate::commands::judging_setup(&args.judge).is_none() {
        return Ok(exit::USAGE);
    }
    let format = args.judge.output.format();
    let contexts: Vec<Option<String>> = if args.context.is_empty() {
        vec![None]
    } else {
        args.context.iter().cloned().map(Some).collect()
    };
    let names: Vec<String> = contexts
        .iter()
        .map(|c| match c {
            Some(c) => c.clone(),
            None => kcheck_cluster::collect::context_name(args.kubeconfig.as_deref(), None),
        })
        .collect();
    let files = file_names(&names, extension(format));
    if let Some(dir) = &args.output_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the output directory {}", dir.display()))?;
    }
    let total = contexts.len();
    let mut done = Vec::with_capacity(total);
    for (i, (context, name)) in contexts.into_iter().zip(&names).enumerate() {
        eprintln!("{}", announcement(name, i + 1, total, lang));
        let mut one = args.clone();
        one.context = context.into_iter().collect();
        one.output_dir = None;
        let path = args.output_dir.as_ref().map(|dir| dir.join(&files[i]));
        match &path {
            Some(path) => {
                one.judge.output.output = Some(path.clone());
                one.judge.output.format = Some(format);
            }
            None => {
                let gap = if i > 0 { "\n" } else { "" };
                write_stdout(&format!("{gap}{}\n", header(name, i + 1, total, lang)))?;
            }
        }
        let outcome = match cluster::audit(one, false) {
            Ok(outcome) => outcome,
            Err(e) => {
                eprintln!("kcheck: error: {e:#}");
                Outcome::from(exit::USAGE)
            }
        };
        if let (None, Some(cause)) = (&path, &outcome.unreachable) {
            write_stdout(&format!("{}\n", not_audited(cause, lang)))?;
        }
        let written = path.filter(|_| outcome.counts.is_some());
        done.push((name.clone(), written, outcome));
    }
    let mut code = done
        .iter()
        .map(|(_, _, o)| o.code)
        .max()
        .unwrap_or(exit::OK);
    let mut lines: Vec<String> = done
        .iter()
        .map(|(name, path, o)| context_line(name, path.as_ref(), o, lang))
        .collect();
    if let (Some(dir), FormatArg::Json) = (&args.output_dir, format) {
        let reports: Vec<PathBuf> = done.iter().filter_map(|(_, p, _)| p.clone()).collect();
        let errors = done
            .iter()
            .filter_map(|(name, _, o)| {
                let cause = o.unreachable.as_ref()?;
                Some(FleetError {
                    file: name.clone(),
                    message: kcheck_model::Text::same(format!(
                        "{}: {}",
                        context_word(name, lang),
                        not_audited(cause, lang)
                    )),
                })
            })
            .collect();
        let (summary, unreadable) = crate::summary::summarise(&reports, errors, lang);
        let page = dir.join("summary.html");
        match crate::summary::write_file(&summary, kcheck_report::SummaryFormat::Html, lang, &page)
        {
            Ok(()) => lines.push(summary_line(reports.len(), &page, lang)),
            Err(e) => {
                eprintln!("kcheck: error: {e:#}");
                code = code.max(exit::USAGE);
            }
        }
        if unreadable {
            code = code.max(exit::INPUT);
        }
    }
    for line in lines {
        eprintln!("{line}");
    }
    eprintln!("{}", final_line(total, code, lang));
    Ok(code)
}

/// The combinations that make no sense with several contexts; `Err` with the usage message.
fn check(args: &ClusterArgs, lang: Lang) -> Result<(), String> {
    let mut seen = HashSet::new();
    for c in &args.context {
        if !seen.insert(c.as_str()) {
            return Err(match lang {
                Lang::En => format!("--context {c} is given twice"),
                Lang::Zh => format!("--context {c} 给出了两次"),
            });
        }
    }
    if args.context.len() < 2 {
        return Ok(());
    }
    if args.judge.output.output.is_some() {
        return Err(match lang {
            Lang::En => "--output writes one report: with several contexts, give --output-dir DIR \
                         (one report per context)"
                .into(),
            Lang::Zh => "--output 只写一份报告：有多个上下文时，请改用 --output-dir DIR（每个上下文一份报告）"
                .into(),
        });
    }
    if args.judge.baseline.is_some() {
        return Err(match lang {
            Lang::En => "--baseline is one cluster's earlier report: with several contexts, audit \
                         each context on its own to compare it with its baseline"
                .into(),
            Lang::Zh => "--baseline 是单个集群之前的报告：有多个上下文时，请分别审计每个上下文，再与各自的基线比较"
                .into(),
        });
    }
    let format = args.judge.output.format();
    if args.output_dir.is_none() && !matches!(format, FormatArg::Table) {
        let name = format_name(format);
        return Err(match lang {
            Lang::En => format!(
                "with several contexts, --format {name} needs --output-dir DIR (one report per \
                 context); only tables are printed one after another"
            ),
            Lang::Zh => format!(
                "有多个上下文时，--format {name} 需要 --output-dir DIR（每个上下文一份报告）；只有表格可以依次打印"
            ),
        });
    }
    Ok(())
}

fn format_name(format: FormatArg) -> &'static str {
    match format {
        FormatArg::Table => "table",
        FormatArg::Json => "json",
        FormatArg::Sarif => "sarif",
        FormatArg::Junit => "junit",
        FormatArg::Markdown => "markdown",
        FormatArg::Html => "html",
        FormatArg::Policyreport => "policyreport",
    }
}

/// The extension of a report file in `format`.
pub fn extension(format: FormatArg) -> &'static str {
    match format {
        FormatArg::Table => "txt",
        FormatArg::Json => "json",
        FormatArg::Sarif => "sarif",
        FormatArg::Junit => "xml",
        FormatArg::Markdown => "md",
        FormatArg::Html => "html",
        FormatArg::Policyreport => "yaml",
    }
}

/// A context's name as a file's stem: letters, digits, `-`, `_` and `.` kept, anything else
/// (`/`, `:`, `@`, spaces, ...) made `_`, a leading `.` too (no hidden file, no `..`), at most
/// 200 bytes (file names may have 255), never empty.
pub fn file_stem(name: &str) -> String {
    let mut stem = String::new();
    for c in name.chars() {
        let c = if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
            c
        } else {
            '_'
        };
        if stem.len() + c.len_utf8() > 200 {
            break;
        }
        stem.push(c);
    }
    if stem.starts_with('.') {
        stem.replace_range(0..1, "_");
    }
    if stem.is_empty() {
        stem.push('_');
    }
    stem
}

/// The file name of each context's report, in order: its stem and `ext`, with `-2`, `-3`, ...
/// added to a stem that an earlier context already has (compared without case, as some file
/// systems compare names).
pub fn file_names(names: &[String], ext: &str) -> Vec<String> {
    let mut taken = HashSet::new();
    names
        .iter()
        .map(|name| {
            let stem = file_stem(name);
            let mut file = format!("{stem}.{ext}");
            let mut n = 2;
            while !taken.insert(file.to_lowercase()) {
                file = format!("{stem}-{n}.{ext}");
                n += 1;
            }
            file
        })
        .collect()
}

fn context_word(name: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("context {name}"),
        Lang::Zh => format!("上下文 {name}"),
    }
}

fn position(i: usize, total: usize, lang: Lang) -> String {
    match lang {
        Lang::En => format!(" ({i} of {total})"),
        Lang::Zh => format!("（第 {i} 个，共 {total} 个）"),
    }
}

/// On standard error before each audit, so that its lines are known to be this context's.
fn announcement(name: &str, i: usize, total: usize, lang: Lang) -> String {
    let prefix = prefix(lang);
    format!(
        "{prefix}{}{}",
        context_word(name, lang),
        position(i, total, lang)
    )
}

/// On standard output before each table.
fn header(name: &str, i: usize, total: usize, lang: Lang) -> String {
    let gap = if lang == Lang::En { " " } else { "" };
    format!(
        "==> {}{}{gap}<==",
        context_word(name, lang),
        position(i, total, lang)
    )
}

fn not_audited(cause: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("not audited: {cause}"),
        Lang::Zh => format!("未审计：{cause}"),
    }
}

fn prefix(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "kcheck: ",
        Lang::Zh => "kcheck: ",
    }
}

/// What one context came to, on standard error at the end.
fn context_line(name: &str, path: Option<&PathBuf>, o: &Outcome, lang: Lang) -> String {
    let mut line = format!("{}{}", prefix(lang), context_word(name, lang));
    match lang {
        Lang::En => line.push_str(&format!(": exit {}", o.code)),
        Lang::Zh => line.push_str(&format!("：退出码 {}", o.code)),
    }
    let sep = if lang == Lang::En { "; " } else { "；" };
    match (&o.counts, &o.unreachable) {
        (Some(c), _) => {
            line.push_str(sep);
            line.push_str(&counts(c, lang));
        }
        (None, Some(cause)) => {
            line.push_str(sep);
            line.push_str(&not_audited(cause, lang));
        }
        (None, None) => line.push_str(match lang {
            Lang::En => "; no report (see above)",
            Lang::Zh => "；没有报告（见上文）",
        }),
    }
    if let Some(path) = path {
        line.push_str(sep);
        line.push_str(&path.display().to_string());
    }
    line
}

/// `items: 4 pass, 26 fail, 4 warn, 0 manual, 1 not evaluated, 0 error`.
fn counts(c: &StatusCounts, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "items: {} pass, {} fail, {} warn, {} manual, {} not evaluated, {} error",
            c.pass, c.fail, c.warn, c.manual, c.not_evaluated, c.error
        ),
        Lang::Zh => format!(
            "检查项：通过 {}，不通过 {}，警告 {}，人工 {}，未评估 {}，错误 {}",
            c.pass, c.fail, c.warn, c.manual, c.not_evaluated, c.error
        ),
    }
}

fn summary_line(reports: usize, page: &std::path::Path, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "kcheck: summary of {reports} {}: {}",
            if reports == 1 { "report" } else { "reports" },
            page.display()
        ),
        Lang::Zh => format!("kcheck: {reports} 份报告的汇总：{}", page.display()),
    }
}

fn final_line(total: usize, code: u8, lang: Lang) -> String {
    match (lang, total) {
        (Lang::En, 1) => format!("kcheck: 1 context; exit {code}"),
        (Lang::En, _) => format!("kcheck: {total} contexts; exit {code}, the worst of them"),
        (Lang::Zh, 1) => format!("kcheck: 1 个上下文；退出码 {code}"),
        (Lang::Zh, _) => format!("kcheck: {total} 个上下文；退出码 {code}，取其中最差的"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_names_become_safe_unique_file_names() {
        assert_eq!(file_stem("prod"), "prod");
        assert_eq!(
            file_stem("arn:aws:eks:eu-west-1:123456789012:cluster/prod"),
            "arn_aws_eks_eu-west-1_123456789012_cluster_prod"
        );
        assert_eq!(file_stem("admin@kind-dev"), "admin_kind-dev");
        assert_eq!(file_stem("../../etc/passwd"), "_._.._etc_passwd");
        assert_eq!(file_stem(".hidden"), "_hidden");
        assert_eq!(file_stem(""), "_");
        assert_eq!(file_stem("生产 集群"), "生产_集群");
        assert_eq!(file_stem(&"x".repeat(300)).len(), 200);
        assert_eq!(file_stem(&"集".repeat(100)), "集".repeat(66));
        let names: Vec<String> = ["prod/a", "prod:a", "Prod_A", "dev", "prod_a"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            file_names(&names, "json"),
            [
                "prod_a.json",
                "prod_a-2.json",
                "Prod_A-3.json",
                "dev.json",
                "prod_a-4.json"
            ]
        );
    }

    #[test]
    fn every_format_has_its_extension() {
        assert_eq!(extension(FormatArg::Table), "txt");
        assert_eq!(extension(FormatArg::Junit), "xml");
        assert_eq!(extension(FormatArg::Policyreport), "yaml");
    }

    #[test]
    fn the_lines_say_each_context_in_both_languages() {
        let o = Outcome {
            code: 1,
            counts: Some(StatusCounts {
                pass: 4,
                fail: 26,
                warn: 4,
                manual: 0,
                not_evaluated: 1,
                error: 0,
            }),
            unreachable: None,
        };
        let path = PathBuf::from("reports/prod.json");
        assert_eq!(
            context_line("prod", Some(&path), &o, Lang::En),
            "kcheck: context prod: exit 1; items: 4 pass, 26 fail, 4 warn, 0 manual, 1 not evaluated, 0 error; reports/prod.json"
        );
        assert_eq!(
            context_line("prod", Some(&path), &o, Lang::Zh),
            "kcheck: 上下文 prod：退出码 1；检查项：通过 4，不通过 26，警告 4，人工 0，未评估 1，错误 0；reports/prod.json"
        );
        let down = Outcome {
            code: 2,
            counts: None,
            unreachable: Some("cannot reach https://10.0.0.1:6443: connection refused".into()),
        };
        assert_eq!(
            context_line("down", None, &down, Lang::En),
            "kcheck: context down: exit 2; not audited: cannot reach https://10.0.0.1:6443: connection refused"
        );
        assert_eq!(
            header("prod", 1, 3, Lang::En),
            "==> context prod (1 of 3) <=="
        );
        assert_eq!(
            header("prod", 1, 3, Lang::Zh),
            "==> 上下文 prod（第 1 个，共 3 个）<=="
        );
        assert_eq!(
            announcement("prod", 2, 3, Lang::Zh),
            "kcheck: 上下文 prod（第 2 个，共 3 个）"
        );
        assert_eq!(
            final_line(3, 2, Lang::En),
            "kcheck: 3 contexts; exit 2, the worst of them"
        );
        for text in [
            context_line("prod", Some(&path), &o, Lang::Zh),
            header("prod", 1, 3, Lang::Zh),
            final_line(3, 2, Lang::Zh),
            summary_line(2, &path, Lang::Zh),
        ] {
            assert_eq!(
                kcheck_model::text::ascii_punctuation_in_chinese(&text),
                None,
                "{text}"
            );
        }
    }
}
