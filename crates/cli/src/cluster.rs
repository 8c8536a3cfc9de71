//! `kcheck cluster`: list the cluster (or read a dump of it), then judge it like a scan, with
//! the cluster evidence, the control plane's flags when its pods are visible, and the kinds it
//! could not see.

use crate::args::{ClusterArgs, ClusterPrint};
use crate::commands::{emit, exit_code, judging_setup, write_stdout};
use crate::contexts::Outcome;
use crate::exit;
use kcheck_cluster::progress::{Bar, Progress, Quiet};
use kcheck_cluster::{GroupSpec, KindSpec, Plan};
use kcheck_model::{Evidence, Inventory};
use kcheck_rules::{cluster_kinds, registry, Engine};
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Every kind the rules read, by name from each rule's declaration (the collector knows where
/// built-in kinds live), custom resources and whole groups with their locations from the
/// cluster-evidence tables.
pub fn plan() -> Plan {
    // The Nodes, besides what the rules read: node reports are merged node by node.
    let names = registry::all()
        .iter()
        .flat_map(|r| r.kinds_read())
        .chain(["Node"]);
    let custom: Vec<KindSpec> = cluster_kinds::CUSTOM_KINDS
        .iter()
        .map(|k| KindSpec {
            group: k.group,
            versions: k.versions,
            kind: k.kind,
            resource: k.resource,
            namespaced: k.namespaced,
            custom: true,
        })
        .collect();
    let groups: Vec<GroupSpec> = cluster_kinds::CLUSTER_GROUPS
        .iter()
        .map(|g| GroupSpec {
            group: g.group,
            versions: g.versions,
        })
        .collect();
    Plan::new(names, &custom, &groups)
}

pub fn run(args: ClusterArgs) -> anyhow::Result<u8> {
    audit(args, true).map(|o| o.code)
}

/// One audit; `last` when the process ends after it, so that the OS frees the report.
pub fn audit(args: ClusterArgs, last: bool) -> anyhow::Result<Outcome> {
    let Some((mut config, waivers)) = judging_setup(&args.judge) else {
        return Ok(exit::USAGE.into());
    };
    let plan = plan();
    match args.print {
        Some(ClusterPrint::DumpCommand) => {
            write_stdout(&plan.dump_command())?;
            return Ok(exit::OK.into());
        }
        Some(ClusterPrint::ClusterRoleRules) => {
            write_stdout(&plan.cluster_role_rules())?;
            return Ok(exit::OK.into());
        }
        None => {}
    }
    let Some(max_age) = kcheck_model::go_duration_seconds(&args.max_node_report_age) else {
        let age = &args.max_node_report_age;
        match args.judge.output.lang.lang() {
            kcheck_model::Lang::En => {
                eprintln!("kcheck: --max-node-report-age {age}: not a duration (such as 24h)")
            }
            kcheck_model::Lang::Zh => {
                eprintln!("kcheck: --max-node-report-age {age}：不是时长（例如 24h）")
            }
        }
        return Ok(exit::USAGE.into());
    };
    let started = Instant::now();
    let options = kcheck_cluster::Options {
        kubeconfig: args.kubeconfig.clone(),
        context: args.context().map(str::to_string),
        concurrency: args.concurrency as usize,
        limits: kcheck_cluster::client::Limits {
            timeout: Duration::from_secs(args.timeout),
            ..Default::default()
        },
        page_size: args.page_size,
        read_secret_data: args.read_secret_data,
        probe: args.probe,
    };
    let (objects, inputs, version, probes) = match &args.from_dump {
        Some(path) => {
            let d = kcheck_cluster::dump::load(
                path,
                &plan,
                args.read_secret_data,
                &args.limits.limits(),
            );
            (d.objects, d.inputs, d.version, Vec::new())
        }
        None => {
            let progress: Arc<dyn Progress> = if std::io::stderr().is_terminal() {
                Arc::new(Bar::stderr())
            } else {
                Arc::new(Quiet)
            };
            match kcheck_cluster::collect::run(&options, &plan, progress) {
                Ok(c) => (c.objects, c.inputs, c.version, c.probes),
                Err(e) => {
                    let message = e.message(args.judge.output.lang.lang());
                    eprintln!("kcheck: {message}");
                    return Ok(Outcome {
                        code: exit::INPUT,
                        counts: None,
                        unreachable: Some(message),
                    });
                }
            }
        }
    };
    // Node reports first: a scoped audit still merges them (they live in kcheck's namespace).
    let (mut objects, mut inputs) = (objects, inputs);
    let now = crate::commands::run_now();
    let node_reports = crate::node_reports::gather(
        &mut objects,
        &args.node_report_namespace,
        args.node_reports.as_deref(),
        kcheck_rules::node_reports::Freshness {
            now,
            max_age: max_age as i64,
        },
        &mut inputs,
    );
    let (objects, mut inputs) = match &args.namespace {
        Some(ns) => scope(objects, inputs, ns),
        None => (objects, inputs),
    };
    let target = kcheck_model::Target {
        mode: "cluster".to_string(),
        name: match &args.from_dump {
            Some(path) => path.display().to_string(),
            None => {
                kcheck_cluster::collect::context_name(args.kubeconfig.as_deref(), args.context())
            }
        },
        namespace: args.namespace.clone(),
        distribution: None,
    };
    let collected_at = started.elapsed();
    let rss_collected = kcheck_scan::peak_kib() / 1024;
    // The server's version, unless the user said otherwise.
    if config.kube_version.is_none() {
        config.kube_version = version.as_ref().filter(|v| v.major == 1).map(|v| v.minor);
    }
    let inventory = Inventory::new(objects);
    let node = kcheck_cluster::control_plane::facts(&inventory, probes, now.unix());
    let mut evidence = vec![Evidence::Objects, Evidence::Cluster];
    if node.is_some() || node_reports.is_some() {
        evidence.push(Evidence::Node);
    }
    let mut engine = Engine::default()
        .with_config(config)
        .with_waivers(waivers)
        .per_pod(args.per_pod)
        .scoped_to(args.namespace.clone())
        .at(now);
    if let Some(images) = crate::image::evidence(&args.images, &mut inputs) {
        engine = engine.with_images(images);
    }
    if let Some(reports) = node_reports {
        engine = engine.with_node_reports(reports);
    }
    let judged_from = started.elapsed();
    let mut report = engine.run_with_node(&inventory, node.as_ref(), &evidence, inputs);
    report.target = Some(target);
    if let Err(code) = crate::commands::compare_baseline(&mut report, &args.judge) {
        return Ok(code.into());
    }
    let judged_at = started.elapsed();
    let rss_judged = kcheck_scan::peak_kib() / 1024;
    emit(&report, &args.judge.output, false)?;
    if args.timings {
        let secs = |d: Duration| d.as_secs_f64();
        eprintln!(
            "timings: collect {:.3}s ({} objects), judge {:.3}s, render {:.3}s; \
             peak memory after collect {} MiB, judge {} MiB, render {} MiB",
            secs(collected_at),
            inventory.len(),
            secs(judged_at - judged_from),
            secs(started.elapsed() - judged_at),
            rss_collected,
            rss_judged,
            kcheck_scan::peak_kib() / 1024
        );
    }
    let lang = args.judge.output.lang.lang();
    let incomplete: Vec<String> = report
        .inputs
        .incomplete()
        .map(|u| u.reason.get(lang).to_string())
        .collect();
    if !incomplete.is_empty() {
        let n = incomplete.len();
        let more = n.saturating_sub(3);
        match lang {
            kcheck_model::Lang::En => {
                let shown = incomplete[..n.min(3)].join("; ");
                let kinds = if n == 1 { "kind" } else { "kinds" };
                let more = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                eprintln!(
                    "kcheck: incomplete audit: {n} {kinds} could not be listed ({shown}{more}); \
                     the items that read them are not evaluated"
                );
            }
            kcheck_model::Lang::Zh => {
                let shown = incomplete[..n.min(3)].join("；");
                let more = if more > 0 {
                    format!("，另有 {more} 种")
                } else {
                    String::new()
                };
                eprintln!(
                    "kcheck: 审计不完整：有 {n} 种对象无法列出（{shown}{more}）；读取它们的检查项未作评估"
                );
            }
        }
    }
    let mut code = exit_code(&report, &args.judge);
    if args.publish {
        let lang = args.judge.output.lang.lang();
        let opts = crate::commands::render_options(&args.judge.output);
        if let Err(message) =
            crate::publish::run(&report, &opts, &options, args.namespace.as_deref(), lang)
        {
            eprintln!("kcheck: --publish: {message}");
            code = exit::INPUT;
        }
    }
    let mut counts = kcheck_model::StatusCounts::default();
    report.items.iter().for_each(|i| counts.add(i.status));
    if last {
        // As for scan: the OS frees the trees faster than dropping them one by one.
        std::mem::forget(report);
        std::mem::forget(inventory);
    }
    Ok(Outcome {
        code,
        counts: Some(counts),
        unreachable: None,
    })
}

/// The objects of namespace `ns`, the Namespace itself and the cluster-scoped objects; the rest
/// dropped and counted in the inputs' skipped list, which says the audit was scoped.
fn scope(
    objects: Vec<kcheck_model::Object>,
    mut inputs: kcheck_model::Inputs,
    ns: &str,
) -> (Vec<kcheck_model::Object>, kcheck_model::Inputs) {
    let before = objects.len();
    let kept: Vec<kcheck_model::Object> = objects
        .into_iter()
        .filter(|o| match &o.namespace {
            Some(n) => n == ns,
            None => o.kind != "Namespace" || o.name == ns,
        })
        .collect();
    let dropped = before - kept.len();
    inputs.skipped.push(kcheck_model::Skipped {
        path: format!("-n {ns}"),
        reason: kcheck_model::Text::new(
            format!(
                "audit scoped to namespace {ns}: {dropped} objects of other namespaces dropped; items that need the whole cluster are not evaluated"
            ),
            format!(
                "审计范围限于名字空间 {ns}：丢弃了其他名字空间的 {dropped} 个对象；需要整个集群的检查项不作评估"
            ),
        ),
    });
    (kept, inputs)
}
