//! `kcheck who-can VERB RESOURCE [-n NS] PATH...`: the subjects an RBAC inventory lets do
//! something, with the binding and role that grant it.

use crate::args::WhoCanArgs;
use crate::commands::{view_format, write_view};
use crate::exit;
use kcheck_model::Inventory;
use kcheck_rules::analysis::rbac::{self, Rbac};

pub fn run(args: WhoCanArgs) -> anyhow::Result<u8> {
    let loaded = kcheck_load::load_paths(&args.paths, &args.limits.limits());
    for d in loaded.inputs.diagnostics.iter() {
        eprintln!("kcheck: {d}");
    }
    let inventory = Inventory::new(loaded.objects);
    let rbac = Rbac::new(&inventory);
    let (resource, group, builtin) = rbac::resolve_resource(&args.resource);
    // A question about something that exists nowhere gets an answer that says so, never a
    // silent "0 grants".
    if !builtin && !rbac.names_resource(&resource) {
        eprintln!(
            "kcheck: unknown resource {}: not a built-in resource, and no role in the input \
             names it (a custom resource is RESOURCE.GROUP, e.g. certificates.cert-manager.io)",
            args.resource
        );
        return Ok(exit::USAGE);
    }
    let verb = args.verb.as_str();
    if !rbac::KNOWN_VERBS.contains(&verb) && !rbac.names_verb(verb) {
        eprintln!(
            "kcheck: unknown verb {verb}: not one Kubernetes authorizes ({}), and no role in \
             the input names it",
            rbac::KNOWN_VERBS.join(", ")
        );
        return Ok(exit::USAGE);
    }
    let namespace = args.namespace.as_deref();
    if let Some(ns) = namespace.filter(|ns| !inventory.mentions_namespace(ns)) {
        eprintln!(
            "kcheck: namespace {ns} appears nowhere in the input: only cluster-wide grants \
             can reach it"
        );
    }
    let name = args.name.as_deref();
    let answer = rbac::who_can_view(&rbac, verb, &group, &resource, name, namespace);
    let (format, lang) = (view_format(args.format), args.lang.lang());
    write_view(|out| kcheck_report::write_who_can(&answer, format, lang, out))?;
    Ok(if loaded.inputs.has_errors() {
        exit::INPUT
    } else {
        exit::OK
    })
}
