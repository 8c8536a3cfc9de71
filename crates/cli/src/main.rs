//! The kcheck binary: argument parsing and wiring only.

mod access_review;
mod args;
mod cluster;
mod commands;
mod contexts;
mod diff;
mod image;
mod netpol;
mod node;
mod node_reports;
mod pss;
mod publish;
mod summary;
mod webhook;
mod who_can;

use std::process::ExitCode;

/// `--features system-alloc` builds with the system allocator, for heap profilers such as
/// heaptrack that hook malloc.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes (DESIGN §5).
pub mod exit {
    /// Nothing at or above `--fail-on`.
    pub const OK: u8 = 0;
    /// Findings at or above `--fail-on`.
    pub const FINDINGS: u8 = 1;
    /// Some input could not be read or parsed, or a cluster audit could not list some kinds
    /// (forbidden, timed out, failed): the report covers the rest and says what is missing. Also
    /// a cluster or etcd that cannot be reached at all, with no report.
    pub const INPUT: u8 = 2;
    /// Usage error.
    pub const USAGE: u8 = 3;
}

/// The run's key for secret fingerprints: from `KCHECK_FINGERPRINT_KEY` when set (fingerprints
/// that stay the same across runs and machines that share it), else 32 random bytes that live
/// only in this process. Either way the key is never printed, so a report alone cannot confirm a
/// guessed value.
fn fingerprint_key() {
    use kcheck_rules::analysis::secret_detect::redact::{key_from, set_key};
    match std::env::var("KCHECK_FINGERPRINT_KEY") {
        Ok(passphrase) if !passphrase.is_empty() => set_key(key_from(&passphrase)),
        _ => set_key(random_key()),
    }
}

/// 32 bytes from the kernel's random source; std's randomly seeded hasher if it cannot be read.
fn random_key() -> [u8; 32] {
    use std::io::Read;
    let mut key = [0u8; 32];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut key));
    if read.is_err() {
        use std::hash::{BuildHasher, Hasher};
        for (i, chunk) in key.chunks_mut(8).enumerate() {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(i);
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
            chunk.copy_from_slice(&h.finish().to_le_bytes());
        }
    }
    key
}

/// Never hand freed memory back to the OS during a batch run (scan, node, cluster: runs are
/// short), where mimalloc's default purge made the kernel zero the same pages again
/// and again: 42% of a 200k-object analysis in `clear_page`, load 3.9 s against 1.2 s without
/// purging (`kcheck-analysis-bench`, same machine, same minute).
#[cfg(not(feature = "system-alloc"))]
pub fn keep_freed_memory() {
    /// `mi_option_purge_delay` in mimalloc.h (v2 and v3); -1 means never purge.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: setting an option is a plain store mimalloc allows at any time.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) }
}

/// Hand freed memory back to the OS soon after it is freed, as mimalloc does by default (the
/// streaming scan): each file's trees are freed once it is judged, and memory kept for later
/// allocations only raises the peak (100k-object corpus, same minute: 281 MiB against
/// 322 MiB, wall time the same within noise).
#[cfg(not(feature = "system-alloc"))]
pub fn purge_freed_memory() {
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: as above; 10 ms is mimalloc's default.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 10) }
}

/// Hand freed memory back to the OS at once (the webhook): a large review must not leave its
/// peak behind, and a server's allocation rate is low enough for the page clearing not to show.
#[cfg(not(feature = "system-alloc"))]
pub fn return_freed_memory() {
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: as above.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
}

#[cfg(feature = "system-alloc")]
pub fn keep_freed_memory() {}
#[cfg(feature = "system-alloc")]
pub fn purge_freed_memory() {}

#[cfg(feature = "system-alloc")]
pub fn return_freed_memory() {}

fn main() -> ExitCode {
    let cli = match args::parse() {
        Ok(cli) => cli,
        Err(code) => return ExitCode::from(code),
    };
    fingerprint_key();
    // The batch commands keep what they free; the webhook runs for months and gives memory
    // back as soon as a review is done with it.
    match &cli.command {
        args::Command::Webhook(_) => return_freed_memory(),
        args::Command::Scan(a) if !a.in_memory => purge_freed_memory(),
        _ => keep_freed_memory(),
    }
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("kcheck: error: {e:#}");
            ExitCode::from(exit::USAGE)
        }
    }
}
