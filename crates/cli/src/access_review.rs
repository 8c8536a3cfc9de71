//! `kcheck access-review PATH...`: every subject with its dangerous rights and a digest of them,
//! for the periodic access review (checklist item 1.5); `--record --reviewer NAME` writes the
//! review record that rule KC106 checks.

use crate::args::AccessReviewArgs;
use crate::commands::{run_now, view_format, write_stdout, write_view};
use crate::exit;
use anyhow::Context as _;
use kcheck_model::Inventory;
use kcheck_rules::analysis::access_review;
use kcheck_rules::analysis::rbac::Rbac;

pub fn run(args: AccessReviewArgs) -> anyhow::Result<u8> {
    let loaded = kcheck_load::load_paths(&args.paths, &args.limits.limits());
    for d in loaded.inputs.diagnostics.iter() {
        eprintln!("kcheck: {d}");
    }
    let inventory = Inventory::new(loaded.objects);
    let review = access_review::view(&Rbac::new(&inventory));
    if args.record {
        let reviewer = args.reviewer.as_deref().unwrap_or_default();
        let today = run_now().today();
        let text = access_review::record(reviewer, today, &review.digest, review.subjects.len());
        match &args.output {
            Some(path) => std::fs::write(path, &text)
                .with_context(|| format!("cannot write the record to {}", path.display()))?,
            None => write_stdout(&text)?,
        }
    } else {
        let (format, lang) = (view_format(args.format), args.lang.lang());
        write_view(|out| kcheck_report::write_access_review(&review, format, lang, out))?;
    }
    Ok(if loaded.inputs.has_errors() {
        exit::INPUT
    } else {
        exit::OK
    })
}
