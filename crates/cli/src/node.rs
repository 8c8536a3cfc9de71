//! `kcheck node`: collect a node's facts (optionally with manifests) and judge them.

use crate::args::NodeArgs;
use crate::commands::{emit, exit_code, judging_setup};
use crate::exit;
use kcheck_model::facts::ComponentKind;
use kcheck_model::{Evidence, Inventory};
use kcheck_rules::Engine;

pub fn run(args: NodeArgs) -> anyhow::Result<u8> {
    if !args.root.is_dir() {
        let root = args.root.display();
        match args.judge.output.lang.lang() {
            kcheck_model::Lang::En => eprintln!("kcheck: --root {root}: not a directory"),
            kcheck_model::Lang::Zh => eprintln!("kcheck: --root {root}：不是目录"),
        }
        return Ok(exit::USAGE);
    }
    let Some((config, waivers)) = judging_setup(&args.judge) else {
        return Ok(exit::USAGE);
    };
    let now = crate::commands::run_now();
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
    Ok(exit_code(&report, &args.judge))
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
