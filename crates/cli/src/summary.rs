//! `kcheck summary REPORT.json...`: saved reports of several clusters (or runs) in one view.

use crate::args::{SummaryArgs, SummaryFormatArg};
use crate::commands::write_view;
use crate::exit;
use anyhow::Context as _;
use kcheck_model::{FleetError, FleetSummary, Lang};
use kcheck_report::saved::read_report;
use kcheck_report::SummaryFormat;
use std::path::{Path, PathBuf};

pub fn run(args: SummaryArgs) -> anyhow::Result<u8> {
    let lang = args.lang.lang();
    let (summary, failed) = summarise(&args.reports, Vec::new(), lang);
    let format = match args.format() {
        SummaryFormatArg::Table => SummaryFormat::Table,
        SummaryFormatArg::Json => SummaryFormat::Json,
        SummaryFormatArg::Markdown => SummaryFormat::Markdown,
        SummaryFormatArg::Html => SummaryFormat::Html,
    };
    match &args.output {
        Some(path) => write_file(&summary, format, lang, path)?,
        None => write_view(|out| kcheck_report::write_summary(&summary, format, lang, out))?,
    }
    Ok(if failed { exit::INPUT } else { exit::OK })
}

/// The summary of the reports at `paths`, with `errors` (problems already said) listed among
/// the reports that could not be read; whether some report could not be read. Each problem
/// reading a report is said on standard error too, and the rest still summarised.
pub fn summarise(
    paths: &[PathBuf],
    mut errors: Vec<FleetError>,
    lang: Lang,
) -> (FleetSummary, bool) {
    let mut inputs = Vec::with_capacity(paths.len());
    let mut failed = false;
    for path in paths {
        match read_report(path) {
            Ok(saved) => inputs.push(kcheck_report::fleet_input(&saved)),
            Err(e) => {
                failed = true;
                eprintln!("kcheck: {}", e.message(lang));
                errors.push(FleetError {
                    file: path.display().to_string(),
                    message: kcheck_model::Text::new(
                        e.message(Lang::En).to_string(),
                        e.message(Lang::Zh).to_string(),
                    ),
                });
            }
        }
    }
    (FleetSummary::of(inputs, errors), failed)
}

/// Writes `summary` to the file at `path`.
pub fn write_file(
    summary: &FleetSummary,
    format: SummaryFormat,
    lang: Lang,
    path: &Path,
) -> anyhow::Result<()> {
    let what = || format!("cannot write the summary to {}", path.display());
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).with_context(what)?);
    kcheck_report::write_summary(summary, format, lang, &mut file)
        .and_then(|()| std::io::Write::flush(&mut file))
        .with_context(what)
}
