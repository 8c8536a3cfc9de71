//! `kcheck-analysis-bench DIR`: the RBAC and NetworkPolicy analysis over a large inventory
//! (issue 5: 10k namespaces, 100k pods, 20k policies, 50k bindings from `tools/gen_scale.py`).
//!
//! Loads the directory once (rayon, as `kcheck scan` does), then times each part of the
//! analysis in the same process, so the ratios to the load are comparable across noisy runs:
//! the RBAC model, the access review of every subject, the coverage matrix of every workload,
//! a batch of who-can questions and connection verdicts, and the engine with the rules of the
//! items the analysis serves (1.1, 1.5, 1.6, 2.2, 2.3, 2.6, 3.1, 6.4). Peak memory is the
//! process high-water mark (VmHWM).

use kcheck_model::{Evidence, Inputs, Inventory};
use kcheck_rules::analysis::access_review::review;
use kcheck_rules::analysis::netpol::connect::{connection, Connection};
use kcheck_rules::analysis::netpol::coverage::coverage;
use kcheck_rules::analysis::rbac::Rbac;
use kcheck_rules::{registry, Config, Context, Engine};
use kcheck_scan::peak_kib;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The target for the whole analysis, load included.
const TARGET: Duration = Duration::from_secs(5);
/// ... and for the peak memory, in KiB.
const TARGET_KIB: u64 = 2 * 1024 * 1024;

const ITEMS: &[&str] = &["1.1", "1.5", "1.6", "2.2", "2.3", "2.6", "3.1", "6.4"];

fn timed<T>(label: &str, load: Duration, f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    println!(
        "{label:<44} {:>9.3} s  {:>6.2}x load",
        took.as_secs_f64(),
        took.as_secs_f64() / load.as_secs_f64()
    );
    (out, took)
}

fn main() -> ExitCode {
    // As the kcheck binary does (see its main.rs): never purge freed memory during a run.
    // SAFETY: setting an option is a plain store mimalloc allows at any time.
    unsafe { libmimalloc_sys::mi_option_set(15, -1) }
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: kcheck-analysis-bench DIR   (generate DIR with tools/gen_scale.py)");
        return ExitCode::from(2);
    };
    let start = Instant::now();
    let loaded = kcheck_load::load_paths(&[dir], &kcheck_load::Limits::default());
    let inventory = Inventory::new(loaded.objects);
    let load = start.elapsed();
    let count = |k: &str| inventory.count_kind(k);
    println!(
        "inventory: {} objects ({} namespaces, {} pods, {} network policies, {} bindings), {:.1} MB",
        inventory.len(),
        count("Namespace"),
        count("Pod"),
        count("NetworkPolicy"),
        count("RoleBinding") + count("ClusterRoleBinding"),
        loaded.inputs.bytes_read as f64 / 1e6
    );
    println!(
        "{:<44} {:>9.3} s",
        "load (parse + inventory)",
        load.as_secs_f64()
    );

    let config = Config::default();
    let mut total = load;
    let (rbac, t) = timed("RBAC model (roles, aggregation, bindings)", load, || {
        Rbac::new(&inventory)
    });
    total += t;
    let (subjects, t) = timed("access review (every subject)", load, || {
        review(&rbac).len()
    });
    total += t;
    let (namespaces, t) = timed("NetworkPolicy coverage (every workload)", load, || {
        let ctx = Context::new(&inventory, &config);
        let rows = coverage(&ctx);
        rows.iter().map(|n| n.workloads.len()).sum::<usize>()
    });
    total += t;
    let (_, t) = timed("1,000 who-can questions", load, || {
        let mut n = 0;
        for i in 0..1000 {
            let ns = format!("ns-{:05}", i * 7 % count("Namespace").max(1));
            n += rbac.who_can("get", "", "configmaps", None, Some(&ns)).len();
            black_box(n);
        }
        n
    });
    total += t;
    let (_, t) = timed("10,000 connection verdicts", load, || {
        let ctx = Context::new(&inventory, &config);
        let pods: Vec<_> = inventory.of_kind("Pod").collect();
        let mut allowed = 0;
        for i in 0..10_000.min(pods.len()) {
            let v = connection(
                &ctx,
                &Connection {
                    source: pods[i],
                    destination: pods[(i * 7919) % pods.len()],
                    port: 8080,
                    protocol: "TCP",
                },
            );
            allowed += usize::from(v.allowed);
        }
        allowed
    });
    total += t;
    let rules: Vec<_> = registry::all()
        .iter()
        .copied()
        .filter(|r| ITEMS.contains(&r.item))
        .collect();
    let codes: Vec<&str> = rules.iter().map(|r| r.code).collect();
    let engine = Engine::new(rules)
        .with_config(Config::default())
        .with_timings();
    let (report, t) = timed(
        &format!("engine, {} rules of the items", engine.rules().len()),
        load,
        || {
            engine.run(
                &inventory,
                &[Evidence::Objects, Evidence::Record],
                Inputs::default(),
            )
        },
    );
    total += t;
    let slowest: Vec<String> = engine
        .timings()
        .iter()
        .take(6)
        .map(|(code, d)| format!("{code} {:.0} ms", d.as_secs_f64() * 1e3))
        .collect();
    println!("  slowest: {}", slowest.join(", "));
    let peak = peak_kib();
    println!("rules: {}", codes.join(","));
    println!(
        "subjects reviewed: {subjects}; workloads in the matrix: {namespaces}; findings: {}",
        report.findings.len()
    );
    println!(
        "total {:.3} s (target < {} s), peak memory {} MiB (target < {} MiB)",
        total.as_secs_f64(),
        TARGET.as_secs(),
        peak / 1024,
        TARGET_KIB / 1024
    );
    // The process ends here; the OS frees the trees.
    std::mem::forget(report);
    std::mem::forget(rbac);
    std::mem::forget(inventory);
    if total < TARGET && peak < TARGET_KIB {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
