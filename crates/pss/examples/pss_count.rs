//! TEMPORARY: fixed-iteration evaluation for callgrind, and a timed run over the bench corpus.
//! `pss_count (fixtures|corpus) (baseline|restricted) ROUNDS [time]`
use kcheck_pss::{evaluate, Level, Version};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

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

#[inline(never)]
fn run_all(pods: &[kcheck_model::PodSpec<'_>], level: Level, rounds: usize) -> usize {
    let mut denied = 0;
    for _ in 0..rounds {
        for pod in pods {
            denied += usize::from(!evaluate(black_box(pod), level, Version::Latest).allowed());
        }
    }
    denied
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = match args[1].as_str() {
        "fixtures" => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata"),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-corpus"),
    };
    let level = Level::parse(&args[2]).unwrap();
    let rounds: usize = args[3].parse().unwrap();
    let mut files = Vec::new();
    yaml_files(&dir, &mut files);
    files.sort();
    let mut objects = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        objects.extend(
            kcheck_load::load_bytes("x.yaml", &bytes, &kcheck_load::Limits::default()).objects,
        );
    }
    let pods: Vec<_> = objects.iter().filter_map(|o| o.pod_spec()).collect();
    if args.get(4).is_some_and(|a| a == "time") {
        let mut best = f64::MAX;
        for _ in 0..7 {
            let start = Instant::now();
            black_box(run_all(&pods, level, rounds));
            best = best.min(start.elapsed().as_secs_f64());
        }
        let n = (pods.len() * rounds) as f64;
        println!(
            "{} {} pods, {}: best {:.0} evals/s ({:.0} ns each)",
            args[1],
            pods.len(),
            level,
            n / best,
            best * 1e9 / n
        );
    } else {
        let d = run_all(&pods, level, rounds);
        println!("{} pods x {rounds}, {d} denied", pods.len());
    }
}
