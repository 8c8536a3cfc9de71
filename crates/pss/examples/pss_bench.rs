//! Pod evaluations per second over upstream's fixture pods, at baseline and restricted (latest).
//!
//! `cargo run --release -p kcheck-pss --example pss_bench [SECONDS_PER_LEVEL]`
//!
//! The pods are loaded once; only evaluation is timed. Most fixtures are denied, which is the
//! slow path (messages and field paths are built), so the figures are a floor for clean pods;
//! the allowed-only line times the pods that pass restricted.

use kcheck_pss::{evaluate, Level, Version};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

/// Runs `evaluate` over `pods` round after round for at least `budget`; evaluations per second.
fn measure(pods: &[kcheck_model::PodSpec<'_>], level: Level, budget: Duration) -> (f64, usize) {
    let start = Instant::now();
    let mut evals = 0usize;
    let mut denied = 0usize;
    while start.elapsed() < budget {
        denied = 0;
        for pod in pods {
            let e = evaluate(black_box(pod), level, Version::Latest);
            denied += usize::from(!e.allowed());
            evals += 1;
        }
    }
    (evals as f64 / start.elapsed().as_secs_f64(), denied)
}

fn main() {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0);
    let budget = Duration::from_secs_f64(seconds);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata");
    let mut files = Vec::new();
    yaml_files(&root, &mut files);
    files.sort();
    let mut objects = Vec::new();
    for file in &files {
        let Ok(bytes) = std::fs::read(file) else {
            continue;
        };
        let name = file.to_string_lossy();
        objects.extend(
            kcheck_load::load_bytes(&name, &bytes, &kcheck_load::Limits::default()).objects,
        );
    }
    let pods: Vec<_> = objects.iter().filter_map(|o| o.pod_spec()).collect();
    println!(
        "pss_bench: {} fixture pods from {}, {seconds}s per line",
        pods.len(),
        root.display()
    );
    for level in [Level::Baseline, Level::Restricted] {
        let (rate, denied) = measure(&pods, level, budget);
        println!(
            "  {:<10} latest: {:>10.0} evaluations/s ({:>6.0} ns each; {denied} of {} denied)",
            level.as_str(),
            rate,
            1e9 / rate,
            pods.len()
        );
    }
    let clean: Vec<_> = pods
        .iter()
        .copied()
        .filter(|p| evaluate(p, Level::Restricted, Version::Latest).allowed())
        .collect();
    let (rate, _) = measure(&clean, Level::Restricted, budget);
    println!(
        "  restricted latest, allowed pods only ({}): {:>10.0} evaluations/s ({:>6.0} ns each)",
        clean.len(),
        rate,
        1e9 / rate
    );
}
