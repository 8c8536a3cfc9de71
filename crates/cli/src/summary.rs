//! `kcheck summary REPORT.json...`: saved reports of several clusters (or runs) in one view.

use crate::args::{SummaryArgs, SummaryFormatArg};
use crate::commands::write_view;
use crate::exit;
use kcheck_model::{FleetError, FleetSummary};
use kcheck_report::saved::read_report;
use kcheck_report::SummaryFormat;

pub fn run(args: SummaryArgs) -> anyhow::Result<u8> {
    let lang = args.lang.lang();
    let mut inputs = Vec::with_capacity(args.reports.len());
    let mut errors = Vec::new();
    for path in &args.reports {
        match read_report(path) {
            Ok(saved) => inputs.push(kcheck_report::fleet_input(&saved)),
            Err(e) => {
                // Said on standard error too, and the rest still summarised.
                eprintln!("kcheck: {}", e.message(lang));
                errors.push(FleetError {
                    file: path.display().to_string(),
                    message: kcheck_model::Text::new(
                        e.message(kcheck_model::Lang::En).to_string(),
                        e.message(kcheck_model::Lang::Zh).to_string(),
                    ),
                });
            }
        }
    }
    let failed = !errors.is_empty();
    let summary = FleetSummary::of(inputs, errors);
    let format = match args.format {
        SummaryFormatArg::Table => SummaryFormat::Table,
        SummaryFormatArg::Json => SummaryFormat::Json,
        SummaryFormatArg::Markdown => SummaryFormat::Markdown,
        SummaryFormatArg::Html => SummaryFormat::Html,
    };
    write_view(|out| kcheck_report::write_summary(&summary, format, lang, out))?;
    Ok(if failed { exit::INPUT } else { exit::OK })
}
