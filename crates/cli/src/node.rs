//! `kcheck node`: collect a node's facts (optionally with manifests) and judge them; with
//! `--node-report`/`--publish`, also write or publish the node's report for a cluster audit to
//! merge, once or `--every` so often (the DaemonSet of `deploy/node-scan/`).

use crate::args::NodeArgs;
use crate::commands::{emit, exit_code, judging_setup};
use crate::exit;
use kcheck_model::facts::ComponentKind;
use kcheck_model::{Evidence, Inventory, Lang};
use kcheck_rules::Engine;

pub fn run(args: NodeArgs) -> anyhow::Result<u8> {
    let lang = args.judge.output.lang.lang();
    if !args.root.is_dir() {
        let root = args.root.display();
        match lang {
            Lang::En => eprintln!("kcheck: --root {root}: not a directory"),
            Lang::Zh => eprintln!("kcheck: --root {root}：不是目录"),
        }
        return Ok(exit::USAGE);
    }
    let reporting = args.node_report.is_some() || args.publish.is_some();
    if reporting && !args.paths.is_empty() {
        match lang {
            Lang::En => eprintln!(
                "kcheck: --node-report and --publish write the node's own report: judge manifests in a separate run"
            ),
            Lang::Zh => eprintln!(
                "kcheck: --node-report 与 --publish 只写出节点自身的报告：请另行运行一次以检查清单文件"
            ),
        }
        return Ok(exit::USAGE);
    }
    let every = match &args.every {
        None => None,
        Some(text) => match kcheck_model::go_duration_seconds(text).filter(|s| *s >= 1.0) {
            Some(secs) => Some(std::time::Duration::from_secs_f64(secs)),
            None => {
                match lang {
                    Lang::En => eprintln!(
                        "kcheck: --every {text}: not a duration of a second or more (such as 6h or 30m)"
                    ),
                    Lang::Zh => eprintln!(
                        "kcheck: --every {text}：不是不短于一秒的时长（例如 6h 或 30m）"
                    ),
                }
                return Ok(exit::USAGE);
            }
        },
    };
    let setup = || {
        let setup = judging_setup(&args.judge)?;
        if reporting {
            // The node report carries every sentence in both languages.
            kcheck_model::text::only(None);
        }
        Some(setup)
    };
    let Some(every) = every else {
        let Some((config, waivers)) = setup() else {
            return Ok(exit::USAGE);
        };
        return scan(&args, config, waivers, crate::commands::run_now());
    };
    loop {
        let now = crate::commands::fresh_now();
        // Read again each time: an edited configuration or waivers file applies at the next scan.
        let Some((config, waivers)) = setup() else {
            return Ok(exit::USAGE);
        };
        let code = scan(&args, config, waivers, now)?;
        if code == exit::USAGE {
            return Ok(code);
        }
        // A failed publication is tried again sooner than the next scan.
        let wait = if code == exit::INPUT {
            every.min(std::time::Duration::from_secs(300))
        } else {
            every
        };
        std::thread::sleep(wait);
    }
}

/// One scan of the node at `now`: the report emitted, and the node report written or published
/// when asked for.
fn scan(
    args: &NodeArgs,
    config: kcheck_rules::Config,
    waivers: kcheck_rules::Waivers,
    now: kcheck_model::Now,
) -> anyhow::Result<u8> {
    let mut options = kcheck_node::Options::new(&args.root).with_now(now.unix());
    if let Some(dir) = &args.manifests {
        options = options.with_manifests_dir(dir.clone());
    }
    if let Some(distro) = args.distro {
        options = options.with_distro(distro);
    }
    if let Some(proc_dir) = &args.proc_dir {
        options = options.with_proc_dir(proc_dir);
    }
    options.max_file_bytes = args.limits.max_file_size.min(options.max_file_bytes);
    let mut collected = kcheck_node::collect_with_inputs(&options);
    if let Some(endpoint) = &args.etcd.etcd_endpoint {
        let etcd = kcheck_node::etcd::EtcdOptions {
            cert: args.etcd.etcd_cert.clone(),
            key: args.etcd.etcd_key.clone(),
            ca: args.etcd.etcd_ca.clone(),
            ..kcheck_node::etcd::EtcdOptions::new(endpoint.clone())
        };
        match kcheck_node::etcd::scan_reachable(&etcd) {
            Ok(scan) => collected.facts.etcd = Some(scan),
            Err(cause) => {
                let lang = args.judge.output.lang.lang();
                let cause = kcheck_cluster::collect::cause_in(&cause.to_string(), lang);
                match lang {
                    kcheck_model::Lang::En => eprintln!("kcheck: cannot reach {endpoint}: {cause}"),
                    kcheck_model::Lang::Zh => eprintln!("kcheck: 无法连接 {endpoint}：{cause}"),
                }
                return Ok(exit::INPUT);
            }
        }
    }
    if args.probe {
        let ports = kcheck_node::probe::ProbePorts::from_facts(&collected.facts);
        collected.facts.probes = kcheck_node::probe::probe_local(&ports);
        // A kube-apiserver read from /proc has no image tag to tell its version: ask it.
        let unknown = collected
            .facts
            .components
            .iter_mut()
            .filter(|c| c.kind == ComponentKind::ApiServer && c.version.is_none());
        for api in unknown {
            api.version = kcheck_node::probe::api_server_version(
                ports.apiserver,
                std::time::Duration::from_secs(3),
            );
        }
    }
    let mut inputs = collected.inputs;
    let mut evidence = vec![Evidence::Node];
    let inventory = if args.paths.is_empty() {
        Inventory::new(Vec::new())
    } else {
        let loaded = kcheck_load::load_paths(&args.paths, &args.limits.limits());
        inputs.merge(loaded.inputs);
        evidence.push(Evidence::Objects);
        Inventory::new(loaded.objects)
    };
    let mut engine = Engine::default()
        .with_config(config)
        .with_waivers(waivers)
        .at(now);
    if let Some(images) = crate::image::evidence(&args.images, &mut inputs) {
        engine = engine.with_images(images);
    }
    let mut report = engine.run_with_node(&inventory, Some(&collected.facts), &evidence, inputs);
    report.target = Some(kcheck_model::Target {
        distribution: collected.facts.distro.clone(),
        ..node_target(&args.root)
    });
    if let Err(code) = crate::commands::compare_baseline(&mut report, &args.judge) {
        return Ok(code);
    }
    emit(&report, &args.judge.output, false)?;
    let mut code = exit_code(&report, &args.judge);
    if args.node_report.is_some() || args.publish.is_some() {
        let lang = args.judge.output.lang.lang();
        if let Err((message, failed)) = node_report(args, &report, &collected.facts, now) {
            eprintln!("kcheck: {}", message.get(lang));
            code = failed;
        }
    }
    Ok(code)
}

/// Writes (`--node-report FILE`) and publishes (`--publish NS`) the node's report; on failure,
/// why and the exit code.
fn node_report(
    args: &NodeArgs,
    report: &kcheck_model::Report,
    facts: &kcheck_model::NodeFacts,
    now: kcheck_model::Now,
) -> Result<(), (kcheck_model::Text, u8)> {
    let from_env = std::env::var("NODE_NAME").ok().filter(|n| !n.is_empty());
    let target = report.target.as_ref().map(|t| t.name.clone());
    let name = args
        .node_name
        .clone()
        .or(from_env)
        .or(target)
        .filter(|n| valid_node_name(n));
    let Some(name) = name else {
        return Err((
            kcheck_model::Text::fixed(
                "the node has no name to report under: give --node-name or set NODE_NAME",
                "节点没有可用于报告的名称：请给出 --node-name 或设置 NODE_NAME",
            ),
            exit::USAGE,
        ));
    };
    let components = facts
        .components
        .iter()
        .map(|c| c.kind.binary().to_string())
        .collect();
    let doc = kcheck_rules::node_reports::write(report, &name, components, now);
    if let Some(path) = &args.node_report {
        let json = serde_json::to_vec_pretty(&doc).expect("a node report serializes");
        if let Err(e) = std::fs::write(path, json) {
            let (path, e) = (path.display(), e.to_string());
            return Err((
                kcheck_model::text!("--node-report {path}: {e}", "--node-report {path}：{e}",),
                exit::INPUT,
            ));
        }
    }
    let Some(namespace) = &args.publish else {
        return Ok(());
    };
    let cm = kcheck_cluster::node_reports::to_config_map(&doc, namespace)
        .map_err(|why| (why, exit::INPUT))?;
    let options = kcheck_cluster::Options {
        kubeconfig: args.kubeconfig.clone(),
        context: None,
        concurrency: 1,
        limits: kcheck_cluster::client::Limits::default(),
        page_size: 500,
        read_secret_data: false,
        probe: false,
    };
    let lang = args.judge.output.lang.lang();
    kcheck_cluster::node_reports::publish(&options, &cm)
        .map_err(|e| (kcheck_model::Text::same(e.message(lang)), exit::INPUT))?;
    let cm_name = kcheck_cluster::node_reports::config_map_name(&name);
    let problems: usize = doc
        .items
        .iter()
        .flat_map(|i| &i.findings)
        .filter(|f| f.waiver.is_none() && f.level != kcheck_model::Level::Info)
        .count();
    match lang {
        Lang::En => eprintln!(
            "kcheck: published the report of node {name} as configmap {namespace}/{cm_name} ({problems} problems)"
        ),
        Lang::Zh => eprintln!(
            "kcheck: 已将节点 {name} 的报告发布为 configmap {namespace}/{cm_name}（{problems} 个问题）"
        ),
    }
    Ok(())
}

/// A Node's name: a DNS subdomain (lower-case letters, digits, `-` and `.`, at most 253).
fn valid_node_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !name.starts_with(['-', '.'])
        && !name.ends_with(['-', '.'])
}

/// The node a report is about: its host name (`ROOT/etc/hostname`, else the kernel's when the
/// root is this machine's `/`), else the root directory.
fn node_target(root: &std::path::Path) -> kcheck_model::Target {
    let read = |p: std::path::PathBuf| {
        std::fs::read_to_string(p)
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty() && s.len() <= 253 && !s.chars().any(char::is_control))
    };
    let mut name = read(root.join("etc/hostname"));
    if name.is_none() && root == std::path::Path::new("/") {
        name = read("/proc/sys/kernel/hostname".into());
    }
    kcheck_model::Target {
        mode: "node".to_string(),
        name: name.unwrap_or_else(|| root.display().to_string()),
        namespace: None,
        distribution: None,
    }
}
