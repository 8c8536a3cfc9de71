//! Hand-built scenarios that pin the RBAC and NetworkPolicy semantics, each with its expected
//! answers written out next to the objects (`tests/scenarios/*.yaml`, the `Expectations`
//! document). The questions are the ones kcheck's rules and commands ask:
//!
//! - `whoCan`: `kcheck who-can` (verb, resource as kubectl spells it, namespace, name) and the
//!   exact list of grants, each `"<subject> <- <role> (<scope>)"` plus ` [only a,b]` for a rule
//!   limited to resourceNames;
//! - `subjects`: what one subject may and may not do (`can` / `cannot`, as `verb resource [-n
//!   ns]`), through every binding that names it or a group it belongs to;
//! - `coverage`: for a workload, the policies isolating it in each direction, whether it
//!   reaches the metadata API (`notIsolated`, `blocked`, `allowedBy <policy>[<rule>]`), and the
//!   policy rule that opens it to all traffic in a direction (`ingressOpenedBy`,
//!   `egressOpenedBy`: `<policy>[<rule>]`, absent when none does);
//! - `defaultDeny`: a namespace's default-deny policies;
//! - `connect`: whether a connection between two workloads on a port is allowed.

use kcheck_load::{load_bytes, Limits};
use kcheck_model::{Inventory, Node, Object};
use kcheck_rules::analysis::netpol::connect::{connection, Connection};
use kcheck_rules::analysis::netpol::coverage::{coverage, MetadataReach};
use kcheck_rules::analysis::rbac::{split_resource, Rbac, Scope, Subject, SubjectKind};
use kcheck_rules::{Config, Context};
use std::path::{Path, PathBuf};

fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn strings(node: Option<&Node>) -> Vec<String> {
    node.map_or(&[][..], Node::as_seq)
        .iter()
        .map(|n| {
            n.as_str()
                .unwrap_or_else(|| panic!("not a string: {n:?}"))
                .to_string()
        })
        .collect()
}

fn scope_text(scope: Scope) -> String {
    match scope {
        Scope::Cluster => "cluster".into(),
        Scope::Namespace(ns) => format!("namespace {ns}"),
    }
}

/// `Deployment shop/web`, `Namespace shop`.
fn find<'a>(inventory: &'a Inventory, spec: &str) -> &'a Object {
    let (kind, rest) = spec.split_once(' ').expect("`Kind ns/name`");
    let (ns, name) = match rest.split_once('/') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, rest),
    };
    inventory
        .get(kind, ns, name)
        .unwrap_or_else(|| panic!("no {spec} in the scenario"))
}

fn parse_subject(spec: &str) -> Subject<'_> {
    let (kind, name) = spec.split_once(' ').expect("`Kind name`");
    let (kind, namespace, name) = match kind {
        "User" => (SubjectKind::User, None, name),
        "Group" => (SubjectKind::Group, None, name),
        "ServiceAccount" => {
            let (ns, n) = name.split_once('/').expect("ServiceAccount ns/name");
            (SubjectKind::ServiceAccount, Some(ns), n)
        }
        other => panic!("unknown subject kind {other}"),
    };
    Subject {
        kind,
        name,
        namespace,
        index: 0,
    }
}

/// `get pods -n shop` -> (verb, resource, namespace).
fn parse_request(spec: &str) -> (String, String, Option<String>) {
    let words: Vec<&str> = spec.split_whitespace().collect();
    let namespace = words
        .iter()
        .position(|w| *w == "-n")
        .map(|i| words[i + 1].to_string());
    (words[0].to_string(), words[1].to_string(), namespace)
}

fn check_who_can(rbac: &Rbac, q: &Node, errors: &mut Vec<String>) {
    let verb = q.str_at("verb").unwrap();
    let (resource, group) = split_resource(q.str_at("resource").unwrap());
    let answer: Vec<String> = {
        let mut a: Vec<String> = rbac
            .who_can(
                verb,
                &group,
                &resource,
                q.str_at("name"),
                q.str_at("namespace"),
            )
            .iter()
            .map(|a| {
                let limit = if a.rule.resource_names.is_empty() {
                    String::new()
                } else {
                    format!(" [only {}]", a.rule.resource_names.join(","))
                };
                format!(
                    "{} <- {} {} ({}){limit}",
                    a.subject.describe(),
                    a.role.kind,
                    a.role.name,
                    scope_text(a.scope)
                )
            })
            .collect();
        a.sort();
        a
    };
    let mut expected = strings(q.get("answer"));
    expected.sort();
    if answer != expected {
        errors.push(format!(
            "whoCan {verb} {resource} (group {group:?}, name {:?}, namespace {:?}):\n  expected {expected:#?}\n  got {answer:#?}",
            q.str_at("name"),
            q.str_at("namespace")
        ));
    }
}

fn subject_can(rbac: &Rbac, subject: &Subject, request: &str) -> bool {
    let (verb, spec, namespace) = parse_request(request);
    let (resource, group) = split_resource(&spec);
    rbac.grants(subject).iter().any(|g| {
        let reaches = match (g.scope, namespace.as_deref()) {
            (Scope::Cluster, _) => true,
            (Scope::Namespace(ns), Some(want)) => ns == want,
            (Scope::Namespace(_), None) => false,
        };
        if resource.starts_with('/') {
            g.binding.cluster && g.rule.allows_url(&verb, &resource)
        } else {
            reaches && g.rule.allows_named(&verb, &group, &resource, None)
        }
    })
}

fn check_subject(rbac: &Rbac, q: &Node, errors: &mut Vec<String>) {
    let spec = q.str_at("subject").unwrap();
    let subject = parse_subject(spec);
    for request in strings(q.get("can")) {
        if !subject_can(rbac, &subject, &request) {
            errors.push(format!("{spec} should be able to {request}"));
        }
    }
    for request in strings(q.get("cannot")) {
        if subject_can(rbac, &subject, &request) {
            errors.push(format!("{spec} should not be able to {request}"));
        }
    }
}

fn check_coverage(ctx: &Context, q: &Node, errors: &mut Vec<String>) {
    let spec = q.str_at("workload").unwrap();
    let target = find(ctx.inventory, spec);
    let rows = coverage(ctx);
    let Some(row) = rows
        .iter()
        .flat_map(|n| n.workloads.iter())
        .find(|w| std::ptr::eq(w.workload, target))
    else {
        errors.push(format!("coverage has no row for {spec}"));
        return;
    };
    let got_metadata = match &row.metadata {
        MetadataReach::NotIsolated => "notIsolated".to_string(),
        MetadataReach::Blocked => "blocked".to_string(),
        MetadataReach::AllowedBy { policy, rule } => format!("allowedBy {policy}[{rule}]"),
    };
    let open = |o: Option<(&str, usize)>| o.map(|(p, r)| format!("{p}[{r}]"));
    let got = (
        row.ingress
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
        row.egress.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        got_metadata,
        open(row.ingress_open),
        open(row.egress_open),
    );
    let expected = (
        strings(q.get("ingress")),
        strings(q.get("egress")),
        q.str_at("metadata").unwrap().to_string(),
        q.str_at("ingressOpenedBy").map(str::to_string),
        q.str_at("egressOpenedBy").map(str::to_string),
    );
    if got != expected {
        errors.push(format!(
            "coverage of {spec}: expected (ingress, egress, metadata, ingressOpenedBy, \
             egressOpenedBy) {expected:?}, got {got:?}"
        ));
    }
}

fn check_default_deny(ctx: &Context, q: &Node, errors: &mut Vec<String>) {
    let ns = q.str_at("namespace").unwrap();
    let rows = coverage(ctx);
    let Some(row) = rows.iter().find(|n| n.name == ns) else {
        errors.push(format!("no namespace {ns} in the coverage"));
        return;
    };
    let got = (row.default_deny_ingress, row.default_deny_egress);
    let expected = (q.str_at("ingress"), q.str_at("egress"));
    if got != expected {
        errors.push(format!(
            "default deny of {ns}: expected {expected:?}, got {got:?}"
        ));
    }
}

fn check_connect(ctx: &Context, q: &Node, errors: &mut Vec<String>) {
    let (from, to) = (q.str_at("from").unwrap(), q.str_at("to").unwrap());
    let port = match q.get("port").map(|n| (n.as_str(), n.as_i64())) {
        Some((Some(s), _)) => s.to_string(),
        Some((None, Some(n))) => n.to_string(),
        _ => panic!("connect needs a port"),
    };
    let port = port.as_str();
    let (number, protocol) = port.split_once('/').unwrap_or((port, "TCP"));
    let verdict = connection(
        ctx,
        &Connection {
            source: find(ctx.inventory, from),
            destination: find(ctx.inventory, to),
            port: number.parse().unwrap(),
            protocol,
        },
    );
    let expected = q.get("allowed").and_then(Node::as_bool).unwrap();
    if verdict.allowed != expected {
        errors.push(format!(
            "{from} -> {to} on {port}: expected allowed={expected}, got {verdict:?}"
        ));
    }
    if let Some(why) = q.str_at("egress") {
        if verdict.egress != why {
            errors.push(format!(
                "{from} -> {to} on {port}: egress side {why:?} expected, got {:?}",
                verdict.egress
            ));
        }
    }
    if let Some(why) = q.str_at("ingress") {
        if verdict.ingress != why {
            errors.push(format!(
                "{from} -> {to} on {port}: ingress side {why:?} expected, got {:?}",
                verdict.ingress
            ));
        }
    }
}

#[test]
fn every_scenario_gives_its_written_answers() {
    let files = scenario_files();
    assert!(files.len() >= 8, "scenarios missing: {files:?}");
    let mut errors = Vec::new();
    let mut questions = 0;
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let loaded = load_bytes(&name, &std::fs::read(file).unwrap(), &Limits::default());
        assert!(
            !loaded.inputs.has_errors(),
            "{name}: {:?}",
            loaded.inputs.diagnostics
        );
        let inventory = Inventory::new(loaded.objects);
        let expectations: Vec<&Object> = inventory.of_kind("Expectations").collect();
        assert_eq!(expectations.len(), 1, "{name}: one Expectations document");
        let e = &expectations[0].root;
        let config = Config::default();
        let ctx = Context::new(&inventory, &config);
        let rbac = Rbac::new(&inventory);
        let before = errors.len();
        let mut each = |key: &str, f: &mut dyn FnMut(&Node, &mut Vec<String>)| {
            for q in e.get(key).map_or(&[][..], Node::as_seq) {
                questions += 1;
                f(q, &mut errors);
            }
        };
        each("whoCan", &mut |q, err| check_who_can(&rbac, q, err));
        each("subjects", &mut |q, err| check_subject(&rbac, q, err));
        each("coverage", &mut |q, err| check_coverage(&ctx, q, err));
        each("defaultDeny", &mut |q, err| {
            check_default_deny(&ctx, q, err)
        });
        each("connect", &mut |q, err| check_connect(&ctx, q, err));
        for e in &mut errors[before..] {
            *e = format!("{name}: {e}");
        }
    }
    assert!(
        errors.is_empty(),
        "{} wrong answer(s):\n{}",
        errors.len(),
        errors.join("\n")
    );
    assert!(questions >= 60, "only {questions} questions");
}
