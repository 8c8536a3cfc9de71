//! `kcheck diff OLD.json NEW.json`: two JSON reports compared item by item.

use crate::args::DiffArgs;
use crate::commands::{severity, view_format, write_view};
use crate::exit;
use anyhow::Context as _;
use kcheck_report::saved::read_report;

pub fn run(args: DiffArgs) -> anyhow::Result<u8> {
    let (old, new) = match (read_report(&args.old), read_report(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (old, new) => {
            // Both problems, when both are wrong.
            for e in [old.err(), new.err()].into_iter().flatten() {
                eprintln!("kcheck: {}", e.message(args.lang.lang()));
            }
            return Ok(exit::INPUT);
        }
    };
    let diff = kcheck_report::Diff::of(old, new);
    let (format, lang) = (view_format(args.format), args.lang.lang());
    let write = |out: &mut dyn std::io::Write| {
        kcheck_report::write_diff(&diff, format, args.examples.0, lang, out)
    };
    match &args.output {
        Some(path) => {
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(path)
                    .with_context(|| format!("cannot write the diff to {}", path.display()))?,
            );
            write(&mut file)
                .and_then(|()| std::io::Write::flush(&mut file))
                .with_context(|| format!("cannot write the diff to {}", path.display()))?;
        }
        None => write_view(write)?,
    }
    let failing = severity(args.fail_on).is_some_and(|s| diff.failing_new_at(s) > 0);
    Ok(if failing { exit::FINDINGS } else { exit::OK })
}
