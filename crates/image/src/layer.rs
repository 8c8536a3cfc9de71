//! Reading one layer blob into the union filesystem, streaming.
//!
//! The blob goes through the chain of [`crate::decompress`] into the tar reader; each entry is
//! normalised, checked and applied to [`UnionFs`]; the data of the few entries [`classify`] picks
//! is pushed to a [`Capturer`], all other data is read and dropped. After the tar ends, what is
//! left of the blob is drained through the hashing reader so its stored size and sha256 can be
//! checked against the descriptor.
//!
//! Limits, each reported once as a problem of the layer, the layer's entries read so far kept:
//! decompressed bytes per layer and per image, the decompression ratio, entries per image, the
//! length of names (in the tar reader), and the image's budget of captured bytes.

use std::io::{self, BufReader, Read};

use kcheck_model::image::{ImageProblem, ImageProblemKind, Layer};

use crate::capture::{classify, Capturer};
use crate::decompress::{limit_hit, Compression, Decoder, Hashing, Limited};
use crate::tar::{EntryKind, Streamed, TarReader};
use crate::union::{normalise_entry, Node, NodeKind, UnionFs};
use crate::Limits;

/// What an image's layers share: running totals against the limits.
#[derive(Default)]
pub(crate) struct Budget {
    pub decompressed: u64,
    pub entries: u64,
    /// Bytes of entry names and link targets, which the union filesystem keeps.
    pub name_bytes: u64,
    pub captured: usize,
    /// A limit that stops every further layer (total bytes, entries) was reached: its kind.
    pub exhausted: Option<ImageProblemKind>,
    pub capture_reported: bool,
    /// Problems not kept, beyond [`MAX_PROBLEMS`].
    pub problems_dropped: u64,
}

/// The most problems kept for one image.
pub(crate) const MAX_PROBLEMS: usize = 1000;

pub(crate) struct LayerInput<'a> {
    pub index: usize,
    /// The blob's name in the store, for messages.
    pub name: &'a str,
    pub media_type: String,
    pub expected_digest: Option<String>,
    pub expected_size: Option<u64>,
}

pub(crate) fn read_layer(
    reader: Box<dyn Read + '_>,
    input: LayerInput<'_>,
    fs: &mut UnionFs,
    budget: &mut Budget,
    limits: &Limits,
    problems: &mut Vec<ImageProblem>,
) -> Layer {
    let idx = input.index;
    let blob = input.name;
    // A problem of no entry in particular names the layer's blob.
    // At most MAX_PROBLEMS are kept for an image (a layer of a million bad names must not make
    // a million problems); the rest are counted in the budget.
    let mut dropped = 0u64;
    let mut problem = |kind: ImageProblemKind, path: &str, message: String| {
        if problems.len() >= MAX_PROBLEMS {
            dropped += 1;
            return;
        }
        problems.push(ImageProblem {
            kind,
            layer: Some(idx),
            path: if path.is_empty() { blob } else { path }.to_string(),
            message,
        });
    };
    let mut hashing = Hashing::new(reader);
    let stored = hashing.count.clone();
    let mut uncompressed = 0u64;
    let mut entries = 0u64;
    let encrypted = input.media_type.contains("+encrypted");
    if encrypted {
        problem(
            ImageProblemKind::Unsupported,
            input.name,
            format!("encrypted layer ({}) not read", input.media_type),
        );
    } else if let Some(kind) = budget.exhausted {
        problem(
            kind,
            input.name,
            "not read: an earlier layer reached an image-wide limit".into(),
        );
    } else {
        let buffered = BufReader::with_capacity(64 * 1024, &mut hashing);
        match Decoder::new(buffered, limits.max_zstd_window) {
            Err(e) => problem(
                ImageProblemKind::Malformed,
                input.name,
                format!("cannot read the layer: {e}"),
            ),
            Ok(Err(c)) => problem(
                ImageProblemKind::Unsupported,
                input.name,
                format!(
                    "{} compression is not supported",
                    if c == Compression::Bzip2 {
                        "bzip2"
                    } else {
                        "xz"
                    }
                ),
            ),
            Ok(Ok((decoder, _))) => {
                let limited = Limited {
                    inner: decoder,
                    count: 0,
                    before: budget.decompressed,
                    stored: stored.clone(),
                    max_layer: limits.max_layer_bytes,
                    max_total: limits.max_total_bytes,
                    max_ratio: limits.max_ratio,
                };
                let mut tar = TarReader::new(
                    Streamed(limited),
                    limits.max_path_len,
                    limits.max_header_bytes,
                );
                let ended_well = stream_entries(
                    &mut tar,
                    idx,
                    fs,
                    budget,
                    limits,
                    &mut entries,
                    &mut problem,
                );
                for p in tar.problems.drain(..) {
                    problem(p.kind, &p.path, p.message);
                }
                let mut limited = tar.into_inner().0;
                if ended_well {
                    // The rest (end blocks, padding) counts in the uncompressed size.
                    if let Err(e) = io::copy(&mut limited, &mut io::sink()) {
                        if let Some(hit) = limit_hit(&e) {
                            problem(
                                ImageProblemKind::DecompressionLimit,
                                input.name,
                                hit.to_string(),
                            );
                        }
                    }
                }
                uncompressed = limited.count;
            }
        }
    }
    budget.decompressed += uncompressed;
    // Drain what is left of the blob, so its size and digest can be checked.
    let _ = io::copy(&mut hashing, &mut io::sink());
    let size = stored.get();
    let digest = hashing.digest();
    if let Some(expected) = input.expected_size {
        if expected != size {
            problem(
                ImageProblemKind::SizeMismatch,
                input.name,
                format!("the layer has {size} bytes, its descriptor says {expected}"),
            );
        }
    }
    let digest = match input.expected_digest {
        Some(expected) => {
            if expected.starts_with("sha256:") && expected != digest {
                problem(
                    ImageProblemKind::SizeMismatch,
                    input.name,
                    format!("the layer's sha256 is {digest}, its descriptor says {expected}"),
                );
            }
            expected
        }
        None => digest,
    };
    budget.problems_dropped += dropped;
    Layer {
        digest,
        media_type: input.media_type,
        size,
        uncompressed,
        entries,
    }
}

/// Streams the entries; `true` when the tar ended normally.
fn stream_entries<R: crate::tar::Skip>(
    tar: &mut TarReader<R>,
    idx: usize,
    fs: &mut UnionFs,
    budget: &mut Budget,
    limits: &Limits,
    entries: &mut u64,
    problem: &mut impl FnMut(ImageProblemKind, &str, String),
) -> bool {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let entry = match tar.next_entry() {
            Ok(Some(e)) => e,
            Ok(None) => return true,
            Err(e) => {
                match e.io.as_ref().and_then(limit_hit) {
                    Some(hit) => {
                        if matches!(hit, crate::decompress::LimitHit::Total(_)) {
                            budget.exhausted = Some(ImageProblemKind::DecompressionLimit);
                        }
                        problem(ImageProblemKind::DecompressionLimit, "", hit.to_string());
                    }
                    None => problem(e.kind, "", format!("the layer's tar: {}", e.message)),
                }
                return false;
            }
        };
        for p in tar.problems.drain(..) {
            problem(p.kind, &p.path, p.message);
        }
        *entries += 1;
        budget.entries += 1;
        budget.name_bytes += (entry.name.len() + entry.link.len()) as u64;
        if budget.name_bytes > limits.max_name_bytes {
            budget.exhausted = Some(ImageProblemKind::EntryLimit);
            problem(
                ImageProblemKind::EntryLimit,
                &entry.name,
                format!(
                    "the image's names and link targets add up to more than {} bytes; the rest is not read",
                    limits.max_name_bytes
                ),
            );
            return false;
        }
        if budget.entries > limits.max_entries {
            budget.exhausted = Some(ImageProblemKind::EntryLimit);
            problem(
                ImageProblemKind::EntryLimit,
                &entry.name,
                format!(
                    "more than {} entries in the image; the rest is not read",
                    limits.max_entries
                ),
            );
            return false;
        }
        if entry.name.contains('\0') {
            problem(
                ImageProblemKind::UnsafePath,
                &entry.name,
                "a name with a NUL byte; skipped".into(),
            );
            continue;
        }
        let Some(path) = normalise_entry(&entry.name) else {
            problem(
                ImageProblemKind::UnsafePath,
                &entry.name,
                "the name leaves the image's root with `..`; skipped".into(),
            );
            continue;
        };
        let name = crate::capture::basename(&path);
        let dir = crate::capture::parent(&path);
        if name == ".wh..wh..opq" {
            fs.remove_below(dir, idx);
            continue;
        }
        if let Some(hidden) = name.strip_prefix(".wh.") {
            if !hidden.starts_with(".wh.") && !hidden.is_empty() {
                let target = if dir == "/" {
                    format!("/{hidden}")
                } else {
                    format!("{dir}/{hidden}")
                };
                fs.whiteout(&target, idx);
            }
            continue;
        }
        let mut node = Node {
            kind: NodeKind::Other,
            mode: entry.mode,
            uid: entry.uid,
            gid: entry.gid,
            size: 0,
            layer: idx,
            link: None,
            hardlink: false,
            captured: None,
        };
        match entry.kind {
            EntryKind::Dir => node.kind = NodeKind::Dir,
            EntryKind::Symlink => {
                node.kind = NodeKind::Symlink;
                node.link = Some(entry.link.clone().into_boxed_str());
            }
            EntryKind::HardLink => {
                let target = normalise_entry(&entry.link);
                let found = target
                    .as_ref()
                    .and_then(|t| fs.nodes.get(t).map(|n| (t, n)));
                match (target.as_ref(), found) {
                    (None, _) => {
                        problem(
                            ImageProblemKind::UnsafePath,
                            &path,
                            format!(
                                "a hard link to {} leaves the image's root; skipped",
                                entry.link
                            ),
                        );
                        continue;
                    }
                    (Some(_), None) => {
                        problem(
                            ImageProblemKind::MissingLinkTarget,
                            &path,
                            format!(
                                "a hard link to {}, which is not in the filesystem; skipped",
                                entry.link
                            ),
                        );
                        continue;
                    }
                    (Some(t), Some((_, target_node))) => {
                        node = target_node.clone();
                        node.layer = idx;
                        node.hardlink = true;
                        // The same inode: the target's mode and owner.
                        node.link = Some(t.clone().into_boxed_str());
                    }
                }
            }
            EntryKind::Regular => {
                node.kind = NodeKind::Regular;
                node.size = entry.size;
                if let Some(kind) = classify(&path) {
                    let room = limits.max_capture_bytes.saturating_sub(budget.captured);
                    let mut cap = Capturer::new(kind, room);
                    loop {
                        match tar.read_data(&mut buf) {
                            Ok(0) => break,
                            Ok(n) => cap.push(&buf[..n]),
                            Err(e) => {
                                report_data_error(e, &path, budget, problem);
                                return false;
                            }
                        }
                    }
                    let (captured, held, over_budget) = cap.finish(entry.size);
                    budget.captured += held;
                    if over_budget && !budget.capture_reported {
                        budget.capture_reported = true;
                        problem(
                            ImageProblemKind::EntryLimit,
                            &path,
                            format!(
                                "the image's budget of {} captured bytes is spent; this file and later ones keep less",
                                limits.max_capture_bytes
                            ),
                        );
                    }
                    node.captured = Some(Box::new(captured));
                } else {
                    loop {
                        match tar.read_data(&mut buf) {
                            Ok(0) => break,
                            Ok(_) => {}
                            Err(e) => {
                                report_data_error(e, &path, budget, problem);
                                return false;
                            }
                        }
                    }
                }
            }
            EntryKind::Other => {}
        }
        fs.insert(path, node);
    }
}

fn report_data_error(
    e: io::Error,
    path: &str,
    budget: &mut Budget,
    problem: &mut impl FnMut(ImageProblemKind, &str, String),
) {
    match limit_hit(&e) {
        Some(hit) => {
            if matches!(hit, crate::decompress::LimitHit::Total(_)) {
                budget.exhausted = Some(ImageProblemKind::DecompressionLimit);
            }
            problem(ImageProblemKind::DecompressionLimit, path, hit.to_string());
        }
        None if e.kind() == io::ErrorKind::UnexpectedEof => problem(
            ImageProblemKind::SizeMismatch,
            path,
            "the entry's data ends before the size its header gives".into(),
        ),
        None => problem(
            ImageProblemKind::Malformed,
            path,
            format!("cannot decompress the layer: {e}"),
        ),
    }
}
