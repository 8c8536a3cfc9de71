//! A synthetic OCI archive of any size, written streaming (never the whole archive in memory):
//! what the benchmark reads (`examples/gen_image.rs`, `tools/bench_image.sh`), and what a test can
//! make tiny.
//!
//! File sizes are a realistic mix (70% up to 8 KiB, 25% up to 256 KiB, 5% up to 4 MiB, scaled to
//! the content asked for); contents are half incompressible (binaries) and half text. A few files
//! matter to the reader: os-release (a link in `/etc`), passwd, a dpkg status of 300 packages,
//! shells and tools, a setuid binary; the last layer whites out `/usr/bin/curl` and adds a `.env`.
//! Deterministic: the same arguments give the same archive.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A tar header block (ustar; GNU base-256 is not needed for these sizes).
fn header(name: &str, typeflag: u8, mode: u32, size: u64, link: &str) -> [u8; 512] {
    let mut b = [0u8; 512];
    let n = name.as_bytes();
    let n = &n[..n.len().min(100)];
    b[..n.len()].copy_from_slice(n);
    let put = |b: &mut [u8; 512], at: usize, width: usize, v: u64| {
        let s = format!("{v:0w$o}", w = width - 1);
        b[at..at + width - 1].copy_from_slice(s.as_bytes());
    };
    put(&mut b, 100, 8, u64::from(mode));
    put(&mut b, 108, 8, 0);
    put(&mut b, 116, 8, 0);
    put(&mut b, 124, 12, size);
    put(&mut b, 136, 12, 1_700_000_000);
    b[156] = typeflag;
    let l = link.as_bytes();
    let l = &l[..l.len().min(100)];
    b[157..157 + l.len()].copy_from_slice(l);
    b[257..263].copy_from_slice(b"ustar\0");
    b[263..265].copy_from_slice(b"00");
    b[148..156].fill(b' ');
    let sum: u64 = b.iter().map(|&x| u64::from(x)).sum();
    b[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    b
}

/// Counts and hashes what goes through.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    count: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

const WORDS: &[&str] = &[
    "kubernetes",
    "container",
    "image",
    "layer",
    "the",
    "of",
    "and",
    "config",
    "value",
    "return",
    "function",
    "error",
    "string",
    "int",
    "void",
    "static",
    "import",
    "package",
    "module",
    "self",
];

fn content(rng: &mut Rng, size: u64, text: bool, out: &mut impl Write) -> io::Result<()> {
    let mut buf = Vec::with_capacity(64 * 1024);
    let mut left = size;
    while left > 0 {
        buf.clear();
        let chunk = left.min(64 * 1024) as usize;
        if text {
            while buf.len() < chunk {
                let w = WORDS[rng.below(WORDS.len() as u64) as usize];
                buf.extend_from_slice(w.as_bytes());
                buf.push(if rng.below(12) == 0 { b'\n' } else { b' ' });
            }
            buf.truncate(chunk);
        } else {
            while buf.len() < chunk {
                buf.extend_from_slice(&rng.next().to_le_bytes());
            }
            buf.truncate(chunk);
        }
        out.write_all(&buf)?;
        left -= chunk as u64;
    }
    Ok(())
}

fn pad(out: &mut impl Write, size: u64) -> io::Result<()> {
    let p = (512 - size % 512) % 512;
    out.write_all(&vec![0u8; p as usize])
}

fn file(out: &mut impl Write, name: &str, mode: u32, data: &[u8]) -> io::Result<()> {
    out.write_all(&header(name, b'0', mode, data.len() as u64, ""))?;
    out.write_all(data)?;
    pad(out, data.len() as u64)
}

/// One layer's tar, written into `out` (a gzip encoder).
fn layer(
    out: &mut impl Write,
    rng: &mut Rng,
    index: usize,
    layers: usize,
    files: u64,
    bytes: u64,
) -> io::Result<u64> {
    let mut written = 0u64;
    let mut entries = 0u64;
    if index == 0 {
        for d in [
            "etc/",
            "bin/",
            "usr/",
            "usr/bin/",
            "usr/lib/",
            "var/",
            "var/lib/",
            "var/lib/dpkg/",
            "tmp/",
        ] {
            out.write_all(&header(
                d,
                b'5',
                if d == "tmp/" { 0o1777 } else { 0o755 },
                0,
                "",
            ))?;
        }
        file(out, "usr/lib/os-release", 0o644, b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n")?;
        out.write_all(&header(
            "etc/os-release",
            b'2',
            0o777,
            0,
            "../usr/lib/os-release",
        ))?;
        file(
            out,
            "etc/passwd",
            0o644,
            b"root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/usr/sbin/nologin\n",
        )?;
        let mut status = String::new();
        for i in 0..300 {
            status.push_str(&format!("Package: pkg{i}\nStatus: install ok installed\nVersion: 1.{i}-1\nDescription: package {i}\n\n"));
        }
        file(out, "var/lib/dpkg/status", 0o644, status.as_bytes())?;
        for t in ["bash", "dash", "apt", "dpkg", "curl", "gcc", "su"] {
            file(
                out,
                &format!("usr/bin/{t}"),
                if t == "su" { 0o4755 } else { 0o755 },
                t.as_bytes(),
            )?;
        }
        out.write_all(&header("bin/sh", b'2', 0o777, 0, "../usr/bin/dash"))?;
        entries += 20;
    }
    if index == layers - 1 && layers > 1 {
        file(out, "usr/bin/.wh.curl", 0o644, b"")?;
        file(
            out,
            "app/.env",
            0o644,
            b"DATABASE_URL=postgres://app:secret@db/app\n",
        )?;
        entries += 2;
    }
    let mut dir = 0u64;
    let mut i = 0u64;
    let budget = bytes;
    while i < files.saturating_sub(entries) {
        if i.is_multiple_of(200) {
            dir += 1;
            out.write_all(&header(
                &format!("usr/share/l{index}/d{dir:05}/"),
                b'5',
                0o755,
                0,
                "",
            ))?;
        }
        // Sizes: 70% small (up to 8 KiB), 25% medium (up to 256 KiB), 5% large (up to 4 MiB),
        // scaled so the layer's files add up to about its share.
        let r = rng.below(100);
        let raw = if r < 70 {
            rng.below(8 << 10)
        } else if r < 95 {
            rng.below(256 << 10)
        } else {
            rng.below(4 << 20)
        };
        let mean = (70.0 * 4096.0 + 25.0 * 131_072.0 + 5.0 * 2_097_152.0) / 100.0;
        let per_file = budget as f64 / files.max(1) as f64;
        let size = (raw as f64 * per_file / mean) as u64;
        let name = format!("usr/share/l{index}/d{dir:05}/f{i:06}.dat");
        out.write_all(&header(&name, b'0', 0o644, size, ""))?;
        content(rng, size, i.is_multiple_of(2), out)?;
        pad(out, size)?;
        written += size;
        i += 1;
    }
    out.write_all(&[0u8; 1024])?;
    Ok(written)
}

/// What [`write_archive`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Regular files in the final filesystem (the whited-out one not counted).
    pub files: u64,
    /// Bytes of content of the generated `.dat` files.
    pub content_bytes: u64,
    /// Stored (compressed) size of each layer.
    pub layer_sizes: Vec<u64>,
}

/// Writes an OCI archive at `path` with about `content_bytes` of file content in `files` files
/// over `layers` gzip layers (at least one).
pub fn write_archive(
    path: &Path,
    content_bytes: u64,
    files: u64,
    layers: usize,
) -> io::Result<Summary> {
    let layers = layers.max(1);
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut descriptors = Vec::new();
    let mut pos: u64 = 0;
    for d in ["blobs/", "blobs/sha256/"] {
        out.write_all(&header(d, b'5', 0o755, 0, ""))?;
        pos += 512;
    }
    let mut total = 0u64;
    let mut layer_sizes = Vec::new();
    for index in 0..layers {
        // Placeholder header, patched once the blob's size and digest are known.
        let header_at = pos;
        out.write_all(&[0u8; 512])?;
        pos += 512;
        let hashing = Hashing {
            inner: &mut out,
            hasher: Sha256::new(),
            count: 0,
        };
        let mut gz = flate2::write::GzEncoder::new(hashing, flate2::Compression::fast());
        let layer_files = files / layers as u64;
        total += layer(
            &mut gz,
            &mut rng,
            index,
            layers,
            layer_files,
            content_bytes / layers as u64,
        )?;
        let hashing = gz.finish()?;
        let size = hashing.count;
        let hex = format!("{:x}", hashing.hasher.finalize());
        pad(&mut out, size)?;
        pos += size.div_ceil(512) * 512;
        out.flush()?;
        let f = out.get_mut();
        f.seek(SeekFrom::Start(header_at))?;
        f.write_all(&header(
            &format!("blobs/sha256/{hex}"),
            b'0',
            0o644,
            size,
            "",
        ))?;
        f.seek(SeekFrom::End(0))?;
        descriptors.push(serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": format!("sha256:{hex}"), "size": size}));
        layer_sizes.push(size);
    }
    let config = serde_json::to_vec(
        &serde_json::json!({"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z", "config": {"User": "", "Env": ["PATH=/usr/bin:/bin"], "Cmd": ["/bin/sh"]}, "rootfs": {"type": "layers", "diff_ids": []}}),
    )?;
    let config_hex = format!("{:x}", Sha256::digest(&config));
    let manifest = serde_json::to_vec(
        &serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": format!("sha256:{config_hex}"), "size": config.len()}, "layers": descriptors}),
    )?;
    let manifest_hex = format!("{:x}", Sha256::digest(&manifest));
    let index = serde_json::to_vec(
        &serde_json::json!({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": format!("sha256:{manifest_hex}"), "size": manifest.len(),
        "annotations": {"org.opencontainers.image.ref.name": "bench.example.com/image:1"}}]}),
    )?;
    file(
        &mut out,
        &format!("blobs/sha256/{config_hex}"),
        0o644,
        &config,
    )?;
    file(
        &mut out,
        &format!("blobs/sha256/{manifest_hex}"),
        0o644,
        &manifest,
    )?;
    file(
        &mut out,
        "oci-layout",
        0o644,
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )?;
    file(&mut out, "index.json", 0o644, &index)?;
    out.write_all(&[0u8; 1024])?;
    out.flush()?;
    // Per layer: `files / layers` entries; the first layer's 20 fixed entries (8 regular files
    // and the dpkg status among them, the rest directories and links) and the last layer's 2
    // come out of its share. /usr/bin/curl is whited out.
    let per_layer = files / layers as u64;
    let mut regular = 0;
    for index in 0..layers {
        let fixed = if index == 0 { 20 } else { 0 }
            + if index == layers - 1 && layers > 1 {
                2
            } else {
                0
            };
        regular += per_layer.saturating_sub(fixed);
    }
    regular += 10; // os-release, passwd, status, 7 tools
    regular -= 1; // curl, whited out
    if layers > 1 {
        regular += 1; // app/.env
    }
    Ok(Summary {
        files: regular,
        content_bytes: total,
        layer_sizes,
    })
}
