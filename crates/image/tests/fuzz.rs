//! Deterministic mutation fuzzing: generated archives (OCI tar with plain, gzip and zstd layers,
//! gzipped OCI archive, Docker archive) are mutated with a fixed-seed PRNG (byte flips,
//! truncations, inserted garbage, overwritten tar size fields) and read. Every case must end in
//! `Ok` (with problems) or `Err`, never a panic or a hang; the whole run stays within seconds.

use std::time::{Duration, Instant};

use kcheck_image::testing::{gzip, Compression, ImageBuilder};
use kcheck_image::{read_images, Limits, ReadOptions};

/// xorshift64*: small, fixed, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn image(c: Compression) -> ImageBuilder {
    ImageBuilder::new()
        .layer(|l| {
            l.compression(c)
                .dir("/etc", 0o755)
                .file("/etc/passwd", 0o644, b"root:x:0:0::/root:/bin/sh\n")
                .file("/etc/os-release", 0o644, b"ID=alpine\nVERSION_ID=3.19.1\n")
                .file("/bin/busybox", 0o755, b"bb")
                .symlink("/bin/sh", "busybox")
                .hardlink("/usr/bin/wget", "/bin/busybox")
                .file("/lib/apk/db/installed", 0o644, b"P:musl\nV:1.2.4\n\n")
                .file(&format!("/opt/{}/.env", "x".repeat(120)), 0o644, b"A=1")
                .pax_file("/root/.ssh/id_rsa", 0o600, b"KEY")
        })
        .layer(|l| {
            l.compression(c)
                .whiteout("/bin/sh")
                .opaque("/etc")
                .file("/usr/bin/su", 0o4755, b"su")
        })
        .platform("linux/amd64")
        .reference("example.com/fuzz:1")
}

fn corpus() -> Vec<Vec<u8>> {
    vec![
        image(Compression::None).oci_layout().tar(),
        image(Compression::Gzip).oci_layout().tar(),
        image(Compression::Zstd).oci_layout().tar(),
        gzip(&image(Compression::None).oci_layout().tar()),
        image(Compression::None).docker_layout().tar(),
        image(Compression::Gzip).docker25_layout().tar(),
    ]
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut data = input.to_vec();
    let rounds = 1 + rng.below(3);
    for _ in 0..rounds {
        if data.is_empty() {
            break;
        }
        match rng.below(6) {
            0 | 1 => {
                // Byte flips.
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(data.len());
                    data[i] ^= 1 << rng.below(8);
                }
            }
            2 => {
                let cut = rng.below(data.len());
                data.truncate(cut);
            }
            3 => {
                let at = rng.below(data.len());
                let len = 1 + rng.below(600);
                let garbage: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                data.splice(at..at, garbage);
            }
            4 => {
                // A tar size field (at a header boundary) set to something large or odd.
                let blocks = data.len() / 512;
                if blocks > 0 {
                    let b = rng.below(blocks) * 512;
                    let v = match rng.below(3) {
                        0 => b"77777777777\0".to_vec(),
                        1 => b"00000001000\0".to_vec(),
                        _ => vec![
                            0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                        ],
                    };
                    if b + 512 <= data.len() {
                        data[b + 124..b + 136].copy_from_slice(&v);
                        // Fix the checksum up, so the lie gets past it.
                        data[b + 148..b + 156].fill(b' ');
                        let sum: u64 = data[b..b + 512].iter().map(|&x| u64::from(x)).sum();
                        data[b + 148..b + 156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
                    }
                }
            }
            _ => {
                // Overwrite a run with one byte value.
                let at = rng.below(data.len());
                let len = (1 + rng.below(64)).min(data.len() - at);
                let v = rng.next() as u8;
                data[at..at + len].fill(v);
            }
        }
    }
    data
}

#[test]
fn mutated_archives_never_panic() {
    let corpus = corpus();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.tar");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let limits = Limits {
        max_total_bytes: 64 << 20,
        max_layer_bytes: 32 << 20,
        ..Limits::default()
    };
    let options = ReadOptions {
        platform: None,
        limits,
    };
    let started = Instant::now();
    let cases = 4000;
    let (mut ok, mut err, mut with_problems) = (0, 0, 0);
    for case in 0..cases {
        let input = &corpus[case % corpus.len()];
        let data = mutate(&mut rng, input);
        std::fs::write(&path, &data).unwrap();
        match read_images(&path, &options) {
            Ok(images) => {
                ok += 1;
                if images.iter().any(|i| !i.problems.is_empty()) {
                    with_problems += 1;
                }
                for i in &images {
                    assert!(i.files <= 64, "case {case}: {} files", i.files);
                }
            }
            Err(e) => {
                err += 1;
                assert!(!e.to_string().is_empty());
            }
        }
    }
    let elapsed = started.elapsed();
    eprintln!(
        "{cases} cases: {ok} read ({with_problems} with problems), {err} refused, in {elapsed:?}"
    );
    assert_eq!(ok + err, cases);
    assert!(ok > 0 && err > 0 && with_problems > 0);
    assert!(elapsed < Duration::from_secs(120), "{elapsed:?}");
}

#[test]
fn unmutated_corpus_reads_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    for (i, data) in corpus().iter().enumerate() {
        let path = dir.path().join(format!("{i}.tar"));
        std::fs::write(&path, data).unwrap();
        let images = read_images(&path, &ReadOptions::default()).unwrap();
        assert_eq!(images.len(), 1, "{i}");
        let f = &images[0];
        assert_eq!(f.problems, vec![], "{i}");
        // /etc went opaque: passwd and os-release are gone; /bin/sh whited out.
        assert!(!f.has_passwd, "{i}");
        assert_eq!(f.os_release, None, "{i}");
        assert_eq!(
            f.tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            vec!["busybox", "wget"],
            "{i}"
        );
        assert_eq!(f.setid.len(), 1, "{i}");
        assert_eq!(f.secret_candidates.len(), 2, "{i}");
        assert_eq!(f.package_dbs.len(), 1, "{i}");
    }
}

#[test]
fn mutated_layer_tars_behind_compression_never_panic() {
    // Mutate the layer's tar before compressing it, so the mutations reach the tar reader
    // through gzip and zstd intact.
    let layer_tar = image(Compression::None).layers[0].tar();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case");
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let started = Instant::now();
    let mut with_problems = 0;
    for case in 0..1500 {
        let mutated = mutate(&mut rng, &layer_tar);
        let c = [Compression::Gzip, Compression::Zstd, Compression::None][case % 3];
        let image = ImageBuilder::new()
            .layer(|l| l.compression(c).raw(mutated).no_end())
            .layer(|l| l.file("/usr/bin/curl", 0o755, b"c"));
        image
            .oci_layout()
            .write_dir(&path.join(case.to_string()))
            .unwrap();
        let images = read_images(&path.join(case.to_string()), &ReadOptions::default()).unwrap();
        assert_eq!(images.len(), 1);
        let f = &images[0];
        if !f.problems.is_empty() {
            with_problems += 1;
        }
        // The second layer is always read.
        assert!(
            f.tools.iter().any(|t| t.name == "curl"),
            "case {case}: {:?}",
            f.problems
        );
        std::fs::remove_dir_all(path.join(case.to_string())).unwrap();
    }
    eprintln!(
        "1500 layer cases, {with_problems} with problems, in {:?}",
        started.elapsed()
    );
    assert!(with_problems > 100);
}
