//! The manifest scan (`kcheck scan`): files, directories and standard input judged file by
//! file, in memory bounded by the index and the findings rather than by the input.
//!
//! Two passes over the files (see [`kcheck_rules::stream`]): the first parses only the
//! documents that name a kind rules look up and keeps those objects; the second loads each file
//! whole, judges it over that index, keeps its objects' skeletons and drops its trees. Files
//! are read in parallel, a batch at a time, and their results merged in input order, so the
//! report is the one [`scan_in_memory`] makes of the same input, byte for byte.

use kcheck_load::{load_bytes, load_indexed, plan_paths, KindPatterns, Limits, Loaded, Work};
use kcheck_model::{Backing, Evidence, Inventory, Object, Report};
use kcheck_rules::{Analyses, Engine, FileOrder};
use rayon::prelude::*;
use std::path::Path;

/// Files judged at once in pass 2: enough to keep both cores busy, few enough that their
/// trees are a small part of the memory.
const BATCH: usize = 32;

/// How a scan went, for `--timings`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stages {
    /// Pass 1: the index.
    pub index: std::time::Duration,
    /// Pass 2: loading and judging each file.
    pub judge: std::time::Duration,
    /// The whole-input rules, ordering, statuses.
    pub finish: std::time::Duration,
    /// Objects the index held.
    pub indexed: usize,
    /// Bytes of input pass 1 read.
    pub bytes: u64,
    /// Whether the scan fell back to loading everything at once (see [`scan`]).
    pub in_memory: bool,
    /// The process's peak resident memory after pass 1, after pass 2 and at the end, in KiB
    /// (0 where `/proc/self/status` does not say).
    pub peak_kib: [u64; 3],
}

/// The process's peak resident memory so far (`VmHWM`), in KiB; 0 where unknown.
pub fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().strip_suffix(" kB")?.trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Scans `paths` (files, directories, `-` for standard input), passing over what `exclude`
/// and `.kcheckignore` name, and judges them with `engine`.
///
/// Should the second pass find an object the index ought to hold and does not (a kind name
/// written with escapes, which pass 1's text search cannot see), the scan starts again and
/// loads everything at once: slower, never different.
pub fn scan<P: AsRef<Path>>(
    paths: &[P],
    limits: &Limits,
    exclude: &[String],
    engine: &Engine,
) -> (Report, Stages) {
    let plan = plan_paths(paths, exclude);
    let inputs: Vec<Input> = read_stdin_once(plan.work, limits);
    let mut stages = Stages::default();
    let walked = Loaded {
        objects: Vec::new(),
        inputs: plan.walked.inputs.clone(),
    };
    match streamed(&inputs, walked, limits, engine, &mut stages) {
        Some(report) => (report, stages),
        None => {
            stages.in_memory = true;
            let mut loaded = plan.walked;
            for input in &inputs {
                loaded.merge(input.load(limits));
            }
            let inventory = Inventory::new(loaded.objects);
            let report = engine.run(&inventory, &[Evidence::Objects], loaded.inputs);
            std::mem::forget(inventory);
            (report, stages)
        }
    }
}

/// The reference: every object loaded, then judged at once ([`Engine::run`]).
pub fn scan_in_memory<P: AsRef<Path>>(
    paths: &[P],
    limits: &Limits,
    exclude: &[String],
    engine: &Engine,
) -> Report {
    let loaded = kcheck_load::load_paths_excluding(paths, limits, exclude);
    let inventory = Inventory::new(loaded.objects);
    engine.run(&inventory, &[Evidence::Objects], loaded.inputs)
}

/// One input of the scan. Standard input can be read once only: its bytes are kept.
enum Input {
    Path(Work),
    Read(String, Result<Vec<u8>, Box<Loaded>>),
}

fn read_stdin_once(work: Vec<Work>, limits: &Limits) -> Vec<Input> {
    work.into_iter()
        .map(|w| match w {
            Work::Stdin => Input::Read(w.name(), w.read(limits)),
            w => Input::Path(w),
        })
        .collect()
}

impl Input {
    fn name(&self) -> String {
        match self {
            Input::Path(w) => w.name(),
            Input::Read(name, _) => name.clone(),
        }
    }

    fn with_bytes<T>(&self, limits: &Limits, f: impl FnOnce(&[u8]) -> T) -> Result<T, Box<Loaded>> {
        match self {
            Input::Path(w) => w.read(limits).map(|b| f(&b)),
            Input::Read(_, Ok(b)) => Ok(f(b)),
            // A copy of the failed read's account (it holds no objects).
            Input::Read(_, Err(failed)) => Err(Box::new(Loaded {
                objects: Vec::new(),
                inputs: failed.inputs.clone(),
            })),
        }
    }

    fn load(&self, limits: &Limits) -> Loaded {
        let name = self.name();
        self.with_bytes(limits, |b| load_bytes(&name, b, limits))
            .unwrap_or_else(|failed| *failed)
    }
}

/// The two passes; `None` when pass 2 found an object pass 1 missed.
fn streamed(
    inputs: &[Input],
    walked: Loaded,
    limits: &Limits,
    engine: &Engine,
    stages: &mut Stages,
) -> Option<Report> {
    let stream = engine.stream();
    let started = std::time::Instant::now();
    let patterns = KindPatterns::new(stream.index_kinds());
    let keep = |o: &Object| stream.indexes(o);
    let read = std::sync::atomic::AtomicU64::new(0);
    let owners = std::sync::atomic::AtomicBool::new(false);
    let owners_word = memchr::memmem::Finder::new(b"ownerReferences");
    let indexed: Vec<Vec<Object>> = inputs
        .par_iter()
        .map(|input| {
            let name = input.name();
            // Copied out of the parse's allocations: the copies are exactly sized and packed
            // together, while the parsed trees lie among the freed ones of the documents
            // passed over (measured on the 100k corpus: 141 MiB after pass 1 instead of 185).
            input
                .with_bytes(limits, |b| {
                    read.fetch_add(b.len() as u64, std::sync::atomic::Ordering::Relaxed);
                    if owners_word.find(b).is_some() {
                        owners.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    let parsed = load_indexed(&name, b, limits, &patterns, &keep);
                    parsed.to_vec()
                })
                .unwrap_or_default()
        })
        .collect();
    stream.mind_owners(owners.into_inner());
    let counts: Vec<usize> = indexed.iter().map(Vec::len).collect();
    let index = Inventory::new(indexed.into_iter().flatten().collect());
    stages.indexed = index.len();
    stages.bytes = read.into_inner();
    stages.index = started.elapsed();
    stages.peak_kib[0] = peak_kib();

    let started = std::time::Instant::now();
    let mut judged = stream.judged();
    judged.spill_to(temporary(), temporary());
    let mut order = FileOrder::default();
    let mut all_inputs = walked.inputs;
    let mut skeletons: Vec<Vec<Object>> = Vec::with_capacity(inputs.len());
    {
        let analyses = Analyses::default();
        for (batch, expected) in inputs.chunks(BATCH).zip(counts.chunks(BATCH)) {
            let results: Vec<_> = batch
                .par_iter()
                .map(|input| {
                    let loaded = input.load(limits);
                    let indexed = loaded.objects.iter().filter(|o| keep(o)).count();
                    let judged = stream.judge(&loaded.objects, &index, &analyses);
                    let file = loaded.objects.first().and_then(|o| o.file().cloned());
                    // The trees go here, on the worker, file by file.
                    (loaded.inputs, judged, indexed, file)
                })
                .collect();
            for ((inputs, judged_file, indexed, file), &expected) in
                results.into_iter().zip(expected)
            {
                let Ok((j, s)) = judged_file else {
                    return None;
                };
                if indexed != expected {
                    return None;
                }
                if let Some(f) = file {
                    order.push(&f);
                }
                all_inputs.merge(inputs);
                judged.merge(j);
                skeletons.push(s);
            }
            judged.spill(&order);
        }
    }
    stages.judge = started.elapsed();
    stages.peak_kib[1] = peak_kib();

    let started = std::time::Instant::now();
    // The index and the skeletons, file by file in input order, each file's in document order.
    let mut indexed = index.into_objects().into_iter().peekable();
    let mut objects =
        Vec::with_capacity(indexed.len() + skeletons.iter().map(Vec::len).sum::<usize>());
    for (file_skeletons, &n) in skeletons.into_iter().zip(&counts) {
        let mut from_index: Vec<Object> = indexed.by_ref().take(n).collect();
        let mut merged = Vec::with_capacity(from_index.len() + file_skeletons.len());
        let mut sk = file_skeletons.into_iter().peekable();
        let mut ix = from_index.drain(..).peekable();
        loop {
            let take_index = match (ix.peek(), sk.peek()) {
                (Some(a), Some(b)) => place(a) <= place(b),
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            merged.extend(if take_index { ix.next() } else { sk.next() });
        }
        objects.extend(merged);
    }
    let inventory = Inventory::new(objects);
    let report = stream.finish(judged, &inventory, all_inputs, &order);
    // The process ends soon after: the OS frees the objects faster than dropping them.
    std::mem::forget(inventory);
    stages.finish = started.elapsed();
    stages.peak_kib[2] = peak_kib();
    Some(report)
}

/// A temporary file for findings (deleted as soon as it is made: it goes when the scan closes
/// it), or memory where none can be made.
fn temporary() -> Backing {
    match tempfile::tempfile() {
        Ok(f) => Backing::file(f),
        Err(_) => Backing::memory(),
    }
}

/// Where an object starts in its file, which orders a file's objects as a load does.
fn place(o: &Object) -> (u32, u32) {
    (o.root.pos.line, o.root.pos.column)
}
