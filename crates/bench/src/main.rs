//! `kcheck-bench`: end-to-end `kcheck scan` throughput against parsing the same bytes alone.
//!
//! Every file of the corpus is read into memory once, so the disk is out of the measurement.
//! Each round then runs every stage once, in order, so that all stages share the machine's
//! noise; the best of the rounds is kept per stage. Everything is single-threaded (one
//! `load_bytes` per file in a loop), except the extra information line for the real
//! `load_paths`, which reads the directory with rayon.
//!
//! Stages, each including the drop of what it built:
//! - (a) raw YAML events: saphyr-parser events only, no tree;
//! - (b) parse-only: `kcheck_load::parse_documents` (positioned trees, Kubernetes resolver);
//! - (b') for information: the same, but every tree is kept until the end, as a scan keeps its
//!   objects (what holding the trees in memory costs: heap growth, page faults, a cold drop);
//! - (c) load: `kcheck_load::load_bytes` per file (trees, objects, diagnostics);
//! - (d) load + `Inventory::new` + `Engine::run` (all rules);
//! - (e) end-to-end scan: (d) + the JSON report (`kcheck_report::render`).

use kcheck_load::{load_bytes, load_paths, parse_documents, DocOutcome, Limits, Loaded};
use kcheck_model::{Evidence, Inventory, Lang};
use kcheck_report::{render, Format, RenderOptions};
use kcheck_rules::Engine;
use saphyr_parser::{Event, Parser};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

/// The targets: the whole scan within this factor of parse-only...
/// The allocator and settings of the kcheck binary, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MAX_RATIO: f64 = 1.5;
/// ... and at least this many MB/s (10^6 bytes) end to end.
const MIN_MB_PER_S: f64 = 30.0;

const USAGE: &str = "\
kcheck-bench: end-to-end `kcheck scan` throughput against parse-only, on a generated corpus

usage: kcheck-bench [--corpus DIR] [--objects N] [--seed S] [--rounds R] [--json] [--check]
                    [--only STAGE]

  --corpus DIR   corpus directory; generated with ../shared/tools/gen_corpus.py when it is
                 absent or empty (default: <workspace>/target/bench-corpus-<N>-s<S>)
  --objects N    objects to generate (default 20000)
  --seed S       generator seed (default 1)
  --rounds R     rounds; the best round of each stage is kept (default 5)
  --json         also print the results as one JSON line (the last line of output)
  --check        exit with status 1 when a target is missed
  --only STAGE   for profilers: run only STAGE, R times, and print its times (STAGE: raw_events,
                 parse_only, parse_kept, load, load_engine, e2e, stream, load_paths)
  --rules CODES  run only these rules (comma-separated codes), e.g. the foundation set
                 KC201,KC202,KC301,KC302,KC303,KC304,KC305,KC601,KC701
";

struct Args {
    corpus: Option<PathBuf>,
    objects: usize,
    seed: u64,
    rounds: usize,
    json: bool,
    check: bool,
    only: Option<String>,
    /// Rule codes to run (comma-separated); all when absent.
    rules: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        corpus: None,
        objects: 20_000,
        seed: 1,
        rounds: 5,
        json: false,
        check: false,
        only: None,
        rules: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--corpus" => args.corpus = Some(PathBuf::from(value("--corpus")?)),
            "--objects" => args.objects = number(&value("--objects")?, "--objects")?,
            "--seed" => args.seed = number(&value("--seed")?, "--seed")?,
            "--rounds" => args.rounds = number::<usize>(&value("--rounds")?, "--rounds")?.max(1),
            "--json" => args.json = true,
            "--check" => args.check = true,
            "--only" => args.only = Some(value("--only")?),
            "--rules" => args.rules = Some(value("--rules")?),
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if args.objects == 0 {
        return Err("--objects must be at least 1".into());
    }
    Ok(args)
}

fn number<T: std::str::FromStr>(s: &str, name: &str) -> Result<T, String> {
    s.parse()
        .map_err(|_| format!("{name}: not a number: {s:?}"))
}

/// The workspace root: this crate is `<workspace>/crates/bench`.
fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = here.parent().and_then(Path::parent).unwrap_or(here);
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|mut d| d.next().is_none())
        .unwrap_or(true)
}

/// Runs `python3 <workspace>/../shared/tools/gen_corpus.py` when `dir` is absent or empty.
fn ensure_corpus(dir: &Path, objects: usize, seed: u64) -> Result<(), String> {
    if dir.is_dir() && !is_empty_dir(dir) {
        return Ok(());
    }
    let root = workspace_root();
    let script = root
        .parent()
        .unwrap_or(&root)
        .join("shared/tools/gen_corpus.py");
    if !script.is_file() {
        return Err(format!(
            "no corpus at {} and no generator at {} (expected <workspace>/../shared/tools/gen_corpus.py); \
             pass --corpus DIR with an existing corpus",
            dir.display(),
            script.display()
        ));
    }
    if dir.is_dir() {
        // gen_corpus.py wants its output directory empty or absent.
        std::fs::remove_dir(dir)
            .map_err(|e| format!("cannot remove empty {}: {e}", dir.display()))?;
    }
    eprintln!(
        "kcheck-bench: generating {objects} objects (seed {seed}) into {} ...",
        dir.display()
    );
    let status = Command::new("python3")
        .arg(&script)
        .arg("--objects")
        .arg(objects.to_string())
        .arg("--out")
        .arg(dir)
        .arg("--seed")
        .arg(seed.to_string())
        .status()
        .map_err(|e| format!("cannot run python3 {}: {e}", script.display()))?;
    if !status.success() {
        return Err(format!("{} failed ({status})", script.display()));
    }
    Ok(())
}

/// The manifest files under `dir`, as `load_paths` finds them: sorted, recursive, hidden
/// entries skipped, `.yaml` / `.yml` / `.json` only.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(&path, out)?;
        } else if matches!(
            path.extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

struct File {
    name: String,
    bytes: Vec<u8>,
}

impl File {
    /// The text as `load_bytes` hands it to the parser (UTF-8, no BOM); checked once up front.
    fn text(&self) -> &str {
        let b = self
            .bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&self.bytes);
        std::str::from_utf8(b).unwrap_or("")
    }
}

/// What a stage saw, to check that the stages did the same work.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Counts {
    events: usize,
    documents: usize,
    objects: usize,
    diagnostics: usize,
    findings: usize,
    output_bytes: usize,
}

/// The parts of one end-to-end run.
#[derive(Clone, Copy, Debug, Default)]
struct Split {
    load: Duration,
    inventory: Duration,
    engine: Duration,
    render: Duration,
    drop: Duration,
}

fn stage_raw_events(files: &[File]) -> Counts {
    let mut c = Counts::default();
    for f in files {
        let mut parser = Parser::new_from_str(f.text());
        while let Some(ev) = parser.next_event() {
            match ev {
                Ok((Event::StreamEnd, _)) => break,
                Ok((Event::DocumentStart(_), _)) => {
                    c.documents += 1;
                    c.events += 1;
                }
                Ok((ev, span)) => {
                    black_box((&ev, &span));
                    c.events += 1;
                }
                Err(_) => {
                    c.diagnostics += 1;
                    break;
                }
            }
        }
    }
    c
}

fn stage_parse_only(files: &[File], limits: &Limits) -> Counts {
    let mut c = Counts::default();
    for f in files {
        let parsed = parse_documents(f.text(), limits);
        c.documents += parsed
            .documents
            .iter()
            .filter(|d| !matches!(d, DocOutcome::Empty))
            .count();
        c.diagnostics += parsed.errors.len() + parsed.warnings.len();
        drop(black_box(parsed));
    }
    c
}

/// Parse-only, but every tree is kept until the end (as a scan keeps its objects): the cost of
/// holding the trees in memory (allocator growth, page faults, a cold drop), apart from loading.
fn stage_parse_kept(files: &[File], limits: &Limits) -> Counts {
    let mut c = Counts::default();
    let mut kept = Vec::with_capacity(files.len());
    for f in files {
        let parsed = parse_documents(f.text(), limits);
        c.documents += parsed
            .documents
            .iter()
            .filter(|d| !matches!(d, DocOutcome::Empty))
            .count();
        c.diagnostics += parsed.errors.len() + parsed.warnings.len();
        kept.push(parsed);
    }
    drop(black_box(kept));
    c
}

fn load_all(files: &[File], limits: &Limits) -> Loaded {
    let mut all = Loaded::default();
    for f in files {
        let l = load_bytes(&f.name, &f.bytes, limits);
        all.objects.extend(l.objects);
        all.inputs.merge(l.inputs);
    }
    all
}

fn loaded_counts(l: &Loaded) -> Counts {
    Counts {
        documents: l.inputs.documents,
        objects: l.objects.len(),
        diagnostics: l.inputs.diagnostics.len(),
        ..Counts::default()
    }
}

fn stage_load(files: &[File], limits: &Limits) -> Counts {
    let loaded = load_all(files, limits);
    let c = loaded_counts(&loaded);
    drop(black_box(loaded));
    c
}

fn stage_engine(files: &[File], limits: &Limits, engine: &Engine) -> Counts {
    let loaded = load_all(files, limits);
    let mut c = loaded_counts(&loaded);
    let inventory = Inventory::new(loaded.objects);
    let report = engine.run(&inventory, &[Evidence::Objects], loaded.inputs);
    c.findings = report.findings.len();
    drop(black_box(report));
    drop(black_box(inventory));
    c
}

fn stage_e2e(files: &[File], limits: &Limits, engine: &Engine) -> (Counts, Split) {
    let mut s = Split::default();
    let t = Instant::now();
    let loaded = load_all(files, limits);
    s.load = t.elapsed();
    let mut c = loaded_counts(&loaded);
    let t = Instant::now();
    let inventory = Inventory::new(loaded.objects);
    s.inventory = t.elapsed();
    let t = Instant::now();
    let report = engine.run(&inventory, &[Evidence::Objects], loaded.inputs);
    s.engine = t.elapsed();
    c.findings = report.findings.len();
    let t = Instant::now();
    let out = json(&report);
    s.render = t.elapsed();
    c.output_bytes = out.len();
    let t = Instant::now();
    drop(black_box(out));
    drop(black_box(report));
    drop(black_box(inventory));
    s.drop = t.elapsed();
    (c, s)
}

/// The real `kcheck scan` path: `load_paths` (rayon, reads the files) + engine + JSON.
fn stage_load_paths(dir: &Path, limits: &Limits, engine: &Engine) -> Counts {
    let loaded = load_paths(&[dir], limits);
    let mut c = loaded_counts(&loaded);
    let inventory = Inventory::new(loaded.objects);
    let report = engine.run(&inventory, &[Evidence::Objects], loaded.inputs);
    c.findings = report.findings.len();
    let out = render(&report, Format::Json, &RenderOptions::default());
    c.output_bytes = out.len();
    drop(black_box(out));
    drop(black_box(report));
    drop(black_box(inventory));
    c
}

/// The JSON report, in English, as the e2e stages write it.
fn json(report: &kcheck_model::Report) -> String {
    render(
        report,
        Format::Json,
        &RenderOptions {
            lang: Lang::En,
            color: false,
            ..Default::default()
        },
    )
}

/// `kcheck scan`'s path, in a pool of one thread: the streaming scan of the directory (two
/// passes, files read from the page cache) + JSON.
fn stage_stream(dir: &Path, limits: &Limits, engine: &Engine) -> Counts {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool of one");
    pool.install(|| {
        let (report, _) = kcheck_scan::scan(&[dir], limits, &[], engine);
        let mut c = Counts {
            objects: report.inputs.objects,
            documents: report.inputs.documents,
            findings: report.findings.len(),
            ..Counts::default()
        };
        let out = json(&report);
        c.output_bytes = out.len();
        drop(black_box(out));
        drop(black_box(report));
        c
    })
}

/// The stages of a round, in the order they run and are printed.
const STAGES: usize = 7;
const RAW: usize = 0;
const PARSE: usize = 1;
const KEPT: usize = 2;
const LOAD: usize = 3;
const ENGINE: usize = 4;
const E2E: usize = 5;
const STREAM: usize = 6;

struct Stage {
    key: &'static str,
    label: &'static str,
    best: Duration,
    counts: Counts,
}

fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn per_s(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

fn main() -> ExitCode {
    // As kcheck's main.rs: never purge freed memory during a run.
    // SAFETY: setting an option is a plain store mimalloc allows at any time.
    unsafe { libmimalloc_sys::mi_option_set(15, -1) }
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("kcheck-bench: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("kcheck-bench: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs the benchmark; `Ok(false)` when `--check` is given and a target is missed.
fn run(args: &Args) -> Result<bool, String> {
    let dir = args.corpus.clone().unwrap_or_else(|| {
        workspace_root()
            .join("target")
            .join(format!("bench-corpus-{}-s{}", args.objects, args.seed))
    });
    ensure_corpus(&dir, args.objects, args.seed)?;

    let mut paths = Vec::new();
    collect(&dir, &mut paths)?;
    if paths.is_empty() {
        return Err(format!("no .yaml/.yml/.json files under {}", dir.display()));
    }
    let files: Vec<File> = paths
        .iter()
        .map(|p| {
            std::fs::read(p)
                .map(|bytes| File {
                    name: p.display().to_string(),
                    bytes,
                })
                .map_err(|e| format!("cannot read {}: {e}", p.display()))
        })
        .collect::<Result<_, _>>()?;
    let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
    let not_utf8 = files
        .iter()
        .filter(|f| {
            let b = f.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&f.bytes);
            std::str::from_utf8(b).is_err()
        })
        .count();
    if not_utf8 > 0 {
        eprintln!("kcheck-bench: warning: {not_utf8} files are not UTF-8; stages (a) and (b) see them empty");
    }

    let limits = Limits::default();
    let engine = match &args.rules {
        None => Engine::default(),
        Some(list) => {
            let wanted: Vec<&str> = list.split(',').map(str::trim).collect();
            let picked: Vec<_> = kcheck_rules::registry::all()
                .iter()
                .copied()
                .filter(|r| wanted.iter().any(|w| w.eq_ignore_ascii_case(r.code)))
                .collect();
            if picked.len() != wanted.len() {
                return Err(format!("--rules {list}: unknown rule code among them"));
            }
            Engine::new(picked)
        }
    };
    let rules = engine.rules().len();

    if let Some(only) = &args.only {
        return run_only(only, args.rounds, &dir, &files, bytes, &limits, &engine);
    }

    // Warm-up (page faults, allocator arenas, the rule registry), not measured.
    let warm = stage_e2e(&files, &limits, &engine).0;

    let mut stages = [
        ("raw_events", "(a) raw YAML events (saphyr-parser)"),
        ("parse_only", "(b) parse-only: parse_documents"),
        ("parse_kept", "(b') parse-only, all trees kept [info]"),
        ("load", "(c) load: load_bytes per file"),
        ("load_engine", "(d) load + engine (all rules)"),
        ("e2e", "(e) end-to-end: load+engine+JSON"),
        ("stream", "(f) kcheck scan's streaming path+JSON"),
    ]
    .map(|(key, label)| Stage {
        key,
        label,
        best: Duration::MAX,
        counts: Counts::default(),
    });
    let mut best_split = Split::default();
    for round in 0..args.rounds {
        let mut times = [Duration::ZERO; STAGES];
        for (i, stage) in stages.iter_mut().enumerate() {
            let t = Instant::now();
            let (counts, split) = match i {
                RAW => (stage_raw_events(&files), None),
                PARSE => (stage_parse_only(&files, &limits), None),
                KEPT => (stage_parse_kept(&files, &limits), None),
                LOAD => (stage_load(&files, &limits), None),
                ENGINE => (stage_engine(&files, &limits, &engine), None),
                STREAM => (stage_stream(&dir, &limits, &engine), None),
                _ => {
                    let (c, s) = stage_e2e(&files, &limits, &engine);
                    (c, Some(s))
                }
            };
            let d = t.elapsed();
            times[i] = d;
            if d < stage.best {
                stage.best = d;
                if let Some(s) = split {
                    best_split = s;
                }
            }
            stage.counts = counts;
        }
        eprintln!(
            "kcheck-bench: round {}/{}: {}",
            round + 1,
            args.rounds,
            times
                .iter()
                .zip(&stages)
                .map(|(t, s)| format!("{} {:.3}s", s.key, t.as_secs_f64()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    // The information line: the real, parallel `load_paths` on the directory.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut lp_best = Duration::MAX;
    let mut lp_counts = Counts::default();
    for _ in 0..args.rounds {
        let t = Instant::now();
        lp_counts = stage_load_paths(&dir, &limits, &engine);
        lp_best = lp_best.min(t.elapsed());
    }

    let objects = stages[E2E].counts.objects;
    let documents = stages[E2E].counts.documents;
    let parse_only = stages[PARSE].best;
    let raw = stages[RAW].best;
    let e2e = stages[E2E].best;
    let ratio_parse = e2e.as_secs_f64() / parse_only.as_secs_f64();
    let ratio_raw = e2e.as_secs_f64() / raw.as_secs_f64();
    let e2e_mb = mb_per_s(bytes, e2e);
    let ratio_ok = ratio_parse <= MAX_RATIO;
    let mb_ok = e2e_mb >= MIN_MB_PER_S;

    // Consistency: every stage saw the same corpus.
    let mut notes = Vec::new();
    if stages[RAW].counts.documents < documents {
        notes.push(format!(
            "raw events saw {} documents, load {documents}",
            stages[RAW].counts.documents
        ));
    }
    if stages[PARSE].counts.documents != documents {
        notes.push(format!(
            "parse_documents kept {} documents, load {documents}",
            stages[PARSE].counts.documents
        ));
    }
    if lp_counts.objects != objects || warm.objects != objects {
        notes.push(format!(
            "load_paths found {} objects, load_bytes {objects}",
            lp_counts.objects
        ));
    }
    if objects != args.objects && args.corpus.is_none() {
        notes.push(format!(
            "corpus has {objects} objects, --objects asked for {}",
            args.objects
        ));
    }
    if stages[STREAM].counts.findings != stages[E2E].counts.findings
        || stages[STREAM].counts.output_bytes != stages[E2E].counts.output_bytes
    {
        notes.push(format!(
            "the streaming scan made {} findings and {} bytes of JSON, the in-memory one {} and {}",
            stages[STREAM].counts.findings,
            stages[STREAM].counts.output_bytes,
            stages[E2E].counts.findings,
            stages[E2E].counts.output_bytes
        ));
    }
    if stages[E2E].counts.diagnostics > 0 {
        notes.push(format!(
            "{} diagnostics while loading",
            stages[E2E].counts.diagnostics
        ));
    }
    if stages[RAW].counts.diagnostics > 0 {
        notes.push(format!(
            "{} files with YAML syntax errors",
            stages[RAW].counts.diagnostics
        ));
    }

    println!(
        "corpus {}: {} files, {:.2} MB ({bytes} bytes), {objects} objects in {documents} documents, {} YAML events",
        dir.display(),
        files.len(),
        bytes as f64 / 1e6,
        stages[RAW].counts.events
    );
    println!(
        "best of {} rounds, stages alternated in each round, one thread, files in memory; MB = 10^6 bytes",
        args.rounds
    );
    println!();
    println!(
        "{:<38} {:>9} {:>8} {:>11} {:>9} {:>9}",
        "stage", "seconds", "MB/s", "objects/s", "x parse", "x events"
    );
    for s in &stages {
        println!(
            "{:<38} {:>9.4} {:>8.1} {:>11.0} {:>9.3} {:>9.3}",
            s.label,
            s.best.as_secs_f64(),
            mb_per_s(bytes, s.best),
            per_s(objects, s.best),
            s.best.as_secs_f64() / parse_only.as_secs_f64(),
            s.best.as_secs_f64() / raw.as_secs_f64()
        );
    }
    let split = best_split;
    println!(
        "    (e) split: load {:.4}s, Inventory::new {:.4}s, engine {:.4}s ({rules} rules, {} findings), \
         JSON render {:.4}s ({:.2} MB out), drop {:.4}s",
        split.load.as_secs_f64(),
        split.inventory.as_secs_f64(),
        split.engine.as_secs_f64(),
        stages[E2E].counts.findings,
        split.render.as_secs_f64(),
        stages[E2E].counts.output_bytes as f64 / 1e6,
        split.drop.as_secs_f64()
    );
    println!();
    println!(
        "e2e / parse-only = {ratio_parse:.3}x   (target <= {MAX_RATIO}x): {}",
        if ratio_ok { "PASS" } else { "FAIL" }
    );
    println!("e2e / raw events = {ratio_raw:.3}x");
    let ratio_stream = stages[STREAM].best.as_secs_f64() / parse_only.as_secs_f64();
    println!(
        "stream / parse-only = {ratio_stream:.3}x   (kcheck scan's own path, one thread, reading the files; target <= {MAX_RATIO}x): {}",
        if ratio_stream <= MAX_RATIO { "PASS" } else { "FAIL" }
    );
    println!(
        "e2e throughput   = {e2e_mb:.1} MB/s, {:.0} objects/s   (target >= {MIN_MB_PER_S} MB/s): {}",
        per_s(objects, e2e),
        if mb_ok { "PASS" } else { "FAIL" }
    );
    println!(
        "info: real load_paths (rayon, {threads} CPUs, reads the files) + engine + JSON: {:.4}s, {:.1} MB/s, {:.0} objects/s ({:.2}x the single-threaded e2e)",
        lp_best.as_secs_f64(),
        mb_per_s(bytes, lp_best),
        per_s(objects, lp_best),
        e2e.as_secs_f64() / lp_best.as_secs_f64()
    );
    for n in &notes {
        println!("note: {n}");
    }

    if args.json {
        let stage_json = |s: &Stage| {
            serde_json::json!({
                "seconds": round6(s.best.as_secs_f64()),
                "mb_per_s": round2(mb_per_s(bytes, s.best)),
                "objects_per_s": per_s(objects, s.best).round(),
            })
        };
        let mut st = serde_json::Map::new();
        for s in &stages {
            st.insert(s.key.into(), stage_json(s));
        }
        let line = serde_json::json!({
            "bench": "kcheck-bench",
            "version": env!("CARGO_PKG_VERSION"),
            "corpus": dir.display().to_string(),
            "files": files.len(),
            "bytes": bytes,
            "objects": objects,
            "documents": documents,
            "events": stages[RAW].counts.events,
            "rounds": args.rounds,
            "threads": 1,
            "rules": rules,
            "findings": stages[E2E].counts.findings,
            "json_output_bytes": stages[E2E].counts.output_bytes,
            "stages": st,
            "e2e_split_seconds": {
                "load": round6(split.load.as_secs_f64()),
                "inventory": round6(split.inventory.as_secs_f64()),
                "engine": round6(split.engine.as_secs_f64()),
                "render": round6(split.render.as_secs_f64()),
                "drop": round6(split.drop.as_secs_f64()),
            },
            "ratio_e2e_parse_only": round6(ratio_parse),
            "ratio_e2e_raw_events": round6(ratio_raw),
            "ratio_stream_parse_only": round6(ratio_stream),
            "targets": {
                "max_ratio_parse_only": MAX_RATIO,
                "min_mb_per_s": MIN_MB_PER_S,
                "ratio_pass": ratio_ok,
                "mb_per_s_pass": mb_ok,
            },
            "load_paths_rayon": {
                "cpus": threads,
                "seconds": round6(lp_best.as_secs_f64()),
                "mb_per_s": round2(mb_per_s(bytes, lp_best)),
                "objects_per_s": per_s(objects, lp_best).round(),
            },
            "notes": notes,
        });
        println!("{line}");
    }
    Ok(!args.check || (ratio_ok && mb_ok))
}

/// `--only STAGE`: one stage, `rounds` times, for a profiler to attribute the time.
fn run_only(
    only: &str,
    rounds: usize,
    dir: &Path,
    files: &[File],
    bytes: usize,
    limits: &Limits,
    engine: &Engine,
) -> Result<bool, String> {
    for round in 0..rounds {
        let t = Instant::now();
        let c = match only {
            "raw_events" => stage_raw_events(files),
            "parse_only" => stage_parse_only(files, limits),
            "parse_kept" => stage_parse_kept(files, limits),
            "load" => stage_load(files, limits),
            "load_engine" => stage_engine(files, limits, engine),
            "e2e" => stage_e2e(files, limits, engine).0,
            "stream" => stage_stream(dir, limits, engine),
            "load_paths" => stage_load_paths(dir, limits, engine),
            other => return Err(format!("--only: unknown stage {other:?}")),
        };
        let d = t.elapsed();
        println!(
            "{only} round {}/{rounds}: {:.4}s, {:.1} MB/s ({c:?})",
            round + 1,
            d.as_secs_f64(),
            mb_per_s(bytes, d)
        );
    }
    Ok(true)
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
