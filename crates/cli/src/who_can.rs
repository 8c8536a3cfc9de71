//! `kcheck who-can VERB RESOURCE [-n NS] PATH...`: the subjects an RBAC inventory lets do
//! something, with the binding and role that grant it.

use crate::args::{RulesFormat, WhoCanArgs};
use crate::commands::write_stdout;
use crate::exit;
use kcheck_model::{Inventory, Source};
use kcheck_rules::auth::rbac::{Rbac, Scope, SubjectKind};

struct Row {
    subject_kind: &'static str,
    subject: String,
    namespace: Option<String>,
    scope: String,
    binding: String,
    role: String,
    /// The rule's `resourceNames` when it only allows named objects.
    only_names: Vec<String>,
    location: Option<String>,
    /// The role is Kubernetes' default, not in the input.
    default_role: bool,
}

pub fn run(args: WhoCanArgs) -> anyhow::Result<u8> {
    let loaded = kcheck_load::load_paths(&args.paths, &args.limits.limits());
    for d in loaded.inputs.diagnostics.iter() {
        eprintln!("kcheck: {d}");
    }
    let inventory = Inventory::new(loaded.objects);
    let rbac = Rbac::new(&inventory);
    let (resource, group, builtin) = kcheck_rules::auth::rbac::resolve_resource(&args.resource);
    // A question about something that exists nowhere gets an answer that says so, never a
    // silent "0 grants".
    let named_by_a_role = |pred: &dyn Fn(&kcheck_rules::auth::rbac::PolicyRule) -> bool| {
        rbac.roles.iter().any(|r| r.rules.iter().any(pred))
    };
    let base = resource.split('/').next().unwrap_or(&resource).to_string();
    if !builtin
        && !named_by_a_role(&|p| {
            p.resources
                .iter()
                .any(|r| r.split('/').next() == Some(base.as_str()))
        })
    {
        eprintln!(
            "kcheck: unknown resource {}: not a built-in resource, and no role in the input \
             names it (a custom resource is RESOURCE.GROUP, e.g. certificates.cert-manager.io)",
            args.resource
        );
        return Ok(exit::USAGE);
    }
    let verb = args.verb.as_str();
    if !kcheck_rules::auth::rbac::KNOWN_VERBS.contains(&verb)
        && !named_by_a_role(&|p| p.verbs.contains(&verb))
    {
        eprintln!(
            "kcheck: unknown verb {verb}: not one Kubernetes authorizes ({}), and no role in \
             the input names it",
            kcheck_rules::auth::rbac::KNOWN_VERBS.join(", ")
        );
        return Ok(exit::USAGE);
    }
    if let Some(ns) = args.namespace.as_deref() {
        let seen = inventory
            .objects()
            .iter()
            .any(|o| o.namespace.as_deref() == Some(ns) || (o.kind == "Namespace" && o.name == ns));
        if !seen {
            eprintln!(
                "kcheck: namespace {ns} appears nowhere in the input: only cluster-wide grants \
                 can reach it"
            );
        }
    }
    let mut rows: Vec<Row> = rbac
        .who_can(
            &args.verb,
            &group,
            &resource,
            args.name.as_deref(),
            args.namespace.as_deref(),
        )
        .into_iter()
        .map(|a| {
            let b = a.binding.object;
            Row {
                subject_kind: match a.subject.kind {
                    SubjectKind::User => "User",
                    SubjectKind::Group => "Group",
                    SubjectKind::ServiceAccount => "ServiceAccount",
                },
                subject: a.subject.name.to_string(),
                namespace: a.subject.namespace.map(str::to_string),
                scope: match a.scope {
                    Scope::Cluster => "cluster".to_string(),
                    Scope::Namespace(ns) => format!("namespace {ns}"),
                },
                binding: b.reference().to_string(),
                role: match a.role.namespace {
                    Some(ns) => format!("{} {ns}/{}", a.role.kind, a.role.name),
                    None => format!("{} {}", a.role.kind, a.role.name),
                },
                default_role: a.role.object.is_none(),
                only_names: a
                    .rule
                    .resource_names
                    .iter()
                    .map(|n| n.to_string())
                    .collect(),
                location: match &b.source {
                    Source::File { path, .. } => Some(format!("{path}:{}", b.root.pos.line.max(1))),
                    Source::Api { path } => Some(path.to_string()),
                },
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        (
            a.subject_kind,
            &a.subject,
            &a.namespace,
            &a.scope,
            &a.binding,
        )
            .cmp(&(
                b.subject_kind,
                &b.subject,
                &b.namespace,
                &b.scope,
                &b.binding,
            ))
    });
    let out = match args.format {
        RulesFormat::Json => {
            let list: Vec<_> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "subject": {"kind": r.subject_kind, "name": r.subject, "namespace": r.namespace},
                        "scope": r.scope,
                        "binding": r.binding,
                        "role": r.role,
                        "resourceNames": r.only_names,
                        "location": r.location,
                        "defaultRole": r.default_role,
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "verb": args.verb, "resource": resource, "group": group,
                "name": args.name, "namespace": args.namespace, "subjects": list,
                "defaultRolesFrom": kcheck_rules::auth::builtin::version(),
            });
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
        RulesFormat::Table | RulesFormat::Markdown => {
            let mut out = format!(
                "who can {} {}{}{}: {} grant(s)\n",
                args.verb,
                resource,
                if group.is_empty() {
                    String::new()
                } else {
                    format!(" (group {group})")
                },
                args.namespace
                    .as_ref()
                    .map_or(String::new(), |n| format!(" in namespace {n}")),
                rows.len()
            );
            for r in &rows {
                let who = match &r.namespace {
                    Some(ns) if r.subject_kind == "ServiceAccount" => format!("{ns}/{}", r.subject),
                    _ => r.subject.clone(),
                };
                let limit = if r.only_names.is_empty() {
                    String::new()
                } else {
                    format!(" (only {})", r.only_names.join(", "))
                };
                let role = if r.default_role {
                    format!("{} (default)", r.role)
                } else {
                    r.role.clone()
                };
                out.push_str(&format!(
                    "  {:<15} {:<40} {:<24} {} -> {}{}  {}\n",
                    r.subject_kind,
                    who,
                    r.scope,
                    r.binding,
                    role,
                    limit,
                    r.location.as_deref().unwrap_or("")
                ));
            }
            if rows.iter().any(|r| r.default_role) {
                out.push_str(&format!(
                    "(default): a ClusterRole the input does not hold, read as Kubernetes {} defines it\n",
                    kcheck_rules::auth::builtin::version()
                ));
            }
            out
        }
    };
    write_stdout(&out)?;
    Ok(if loaded.inputs.has_errors() {
        exit::INPUT
    } else {
        exit::OK
    })
}
