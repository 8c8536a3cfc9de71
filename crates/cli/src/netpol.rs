//! `kcheck netpol PATH...`: the NetworkPolicy coverage matrix (namespace, workload, ingress and
//! egress isolation, metadata API reachable), computed with the rules' own semantics.

use crate::args::NetpolArgs;
use crate::commands::{view_format, write_view};
use crate::exit;
use kcheck_model::Inventory;
use kcheck_rules::analysis::netpol::coverage;
use kcheck_rules::{Config, Context};

pub fn run(args: NetpolArgs, config: Config) -> anyhow::Result<u8> {
    let loaded = kcheck_load::load_paths(&args.paths, &args.limits.limits());
    for d in loaded.inputs.diagnostics.iter() {
        eprintln!("kcheck: {d}");
    }
    let inventory = Inventory::new(loaded.objects);
    let ctx = Context::new(&inventory, &config);
    let rows = coverage::coverage(&ctx);
    let view = coverage::view(&rows, args.namespace.as_deref(), args.gaps);
    let (format, lang) = (view_format(args.format), args.lang.lang());
    write_view(|out| kcheck_report::write_netpol(&view, format, lang, out))?;
    Ok(if loaded.inputs.has_errors() {
        exit::INPUT
    } else {
        exit::OK
    })
}
