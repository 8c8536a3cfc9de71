//! The reader chain a layer blob goes through, all streaming:
//!
//! ```text
//! blob bytes -> Hashing (sha256 + count of stored bytes) -> sniffed decompressor
//!            -> Limited (count of decompressed bytes; layer, total and ratio limits) -> tar
//! ```
//!
//! The compression is sniffed from the magic bytes (gzip `1f 8b`, zstd `28 b5 2f fd`, bzip2 and
//! xz recognised to be refused), never taken from the media type alone: archives in the wild
//! label gzip layers `tar` and the reverse. When a limit is reached [`Limited`] fails with an
//! error carrying [`LimitHit`], which the layer reader turns into a `DecompressionLimit` problem.

use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use sha2::{Digest, Sha256};

/// Reads through, hashing and counting every byte.
pub(crate) struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    pub count: Rc<Cell<u64>>,
}

impl<R: Read> Hashing<R> {
    pub fn new(inner: R) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
            count: Rc::new(Cell::new(0)),
        }
    }

    /// `sha256:<hex>` of what was read.
    pub fn digest(self) -> String {
        format!("sha256:{}", hex(&self.hasher.finalize()))
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

pub(crate) fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compression {
    None,
    Gzip,
    Zstd,
    Bzip2,
    Xz,
}

impl Compression {
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else if head.starts_with(b"BZh") {
            Compression::Bzip2
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Compression::Xz
        } else {
            Compression::None
        }
    }
}

/// A decompressor picked by sniffing.
pub(crate) enum Decoder<R: BufRead> {
    Plain(R),
    Gzip(Box<flate2::bufread::MultiGzDecoder<R>>),
    Zstd(Box<ZstdReader<R>>),
}

impl<R: BufRead> Decoder<R> {
    /// Sniffs `inner` and wraps it; `Err` names a compression the reader does not support.
    /// `max_window` bounds a zstd frame's window (the history the decoder keeps in memory).
    pub fn new(
        mut inner: R,
        max_window: u64,
    ) -> io::Result<Result<(Decoder<R>, Compression), Compression>> {
        let head = inner.fill_buf()?;
        let compression = Compression::sniff(head);
        Ok(match compression {
            Compression::None => Ok((Decoder::Plain(inner), compression)),
            Compression::Gzip => Ok((
                Decoder::Gzip(Box::new(flate2::bufread::MultiGzDecoder::new(inner))),
                compression,
            )),
            Compression::Zstd => Ok((
                Decoder::Zstd(Box::new(ZstdReader::new(inner, max_window))),
                compression,
            )),
            other => Err(other),
        })
    }
}

impl<R: BufRead> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Plain(r) => r.read(buf),
            Decoder::Gzip(r) => r.read(buf),
            Decoder::Zstd(r) => r.read(buf),
        }
    }
}

/// zstd, frame after frame (skippable frames skipped), on ruzstd's frame decoder.
pub(crate) struct ZstdReader<R> {
    source: R,
    decoder: ruzstd::decoding::FrameDecoder,
    in_frame: bool,
    max_window: u64,
}

impl<R: BufRead> ZstdReader<R> {
    fn new(source: R, max_window: u64) -> Self {
        ZstdReader {
            source,
            decoder: ruzstd::decoding::FrameDecoder::new(),
            in_frame: false,
            max_window,
        }
    }
}

/// The window a zstd frame header asks for (its content size for a single-segment frame), when
/// `head` holds the header.
fn zstd_window(head: &[u8]) -> Option<u64> {
    if head.len() < 6 || head[..4] != [0x28, 0xb5, 0x2f, 0xfd] {
        return None;
    }
    let fhd = head[4];
    if fhd & 0x20 == 0 {
        let wd = head[5];
        let base = 1u64 << (10 + u32::from(wd >> 3));
        return Some(base + (base / 8) * u64::from(wd & 7));
    }
    let at = 5 + [0usize, 1, 2, 4][usize::from(fhd & 3)];
    let width = [1usize, 2, 4, 8][usize::from(fhd >> 6)];
    let bytes = head.get(at..at + width)?;
    let mut v = 0u64;
    for (i, b) in bytes.iter().enumerate() {
        v |= u64::from(*b) << (8 * i);
    }
    Some(if width == 2 { v + 256 } else { v })
}

impl<R: BufRead> Read for ZstdReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use ruzstd::decoding::BlockDecodingStrategy;
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.in_frame || (self.decoder.is_finished() && self.decoder.can_collect() == 0) {
                self.in_frame = false;
                let head = self.source.fill_buf()?;
                if head.is_empty() {
                    return Ok(0);
                }
                // Skippable frames: magic 0x184D2A5?, then a 4-byte length.
                if head.len() >= 4 && head[1..4] == [0x2a, 0x4d, 0x18] && head[0] & 0xf0 == 0x50 {
                    let mut hdr = [0u8; 8];
                    self.source.read_exact(&mut hdr)?;
                    let len = u32::from_le_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]);
                    let skipped = io::copy(
                        &mut (&mut self.source).take(u64::from(len)),
                        &mut io::sink(),
                    )?;
                    if skipped < u64::from(len) {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "zstd skippable frame truncated",
                        ));
                    }
                    continue;
                }
                if let Some(window) = zstd_window(head) {
                    if window > self.max_window {
                        return Err(io::Error::other(LimitHit::Window(self.max_window)));
                    }
                }
                self.decoder
                    .reset(&mut self.source)
                    .map_err(io::Error::other)?;
                self.in_frame = true;
            }
            while self.decoder.can_collect() < buf.len() && !self.decoder.is_finished() {
                let need = buf.len() - self.decoder.can_collect();
                self.decoder
                    .decode_blocks(&mut self.source, BlockDecodingStrategy::UptoBytes(need))
                    .map_err(io::Error::other)?;
            }
            let n = self.decoder.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            if !self.decoder.is_finished() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "zstd frame produced nothing",
                ));
            }
        }
    }
}

/// Which limit stopped a decompression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LimitHit {
    Layer(u64),
    Total(u64),
    Ratio(u64),
    Window(u64),
}

impl fmt::Display for LimitHit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitHit::Layer(n) => write!(
                f,
                "the layer decompresses to more than {n} bytes (the per-layer limit)"
            ),
            LimitHit::Total(n) => write!(
                f,
                "the image's layers decompress to more than {n} bytes in all (the total limit)"
            ),
            LimitHit::Window(n) => write!(
                f,
                "a zstd frame asks for a window beyond {n} bytes (the window limit)"
            ),
            LimitHit::Ratio(n) => write!(
                f,
                "the layer decompresses to more than {n} times its stored size (the ratio limit)"
            ),
        }
    }
}

impl std::error::Error for LimitHit {}

/// The limit an I/O error carries, if it came from [`Limited`].
pub(crate) fn limit_hit(e: &io::Error) -> Option<LimitHit> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<LimitHit>())
        .cloned()
}

/// Decompressed bytes below which the ratio is not checked (headers and small files compress
/// well and would trip it on their own).
pub(crate) const RATIO_GRACE: u64 = 1 << 20;

/// Counts decompressed bytes and enforces the limits.
pub(crate) struct Limited<R> {
    pub inner: R,
    /// Decompressed bytes of this layer.
    pub count: u64,
    /// Decompressed bytes of the image's earlier layers.
    pub before: u64,
    pub stored: Rc<Cell<u64>>,
    pub max_layer: u64,
    pub max_total: u64,
    pub max_ratio: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        let hit = if self.count > self.max_layer {
            Some(LimitHit::Layer(self.max_layer))
        } else if self.before.saturating_add(self.count) > self.max_total {
            Some(LimitHit::Total(self.max_total))
        } else if self.count > RATIO_GRACE && self.count / self.stored.get().max(1) > self.max_ratio
        {
            Some(LimitHit::Ratio(self.max_ratio))
        } else {
            None
        };
        match hit {
            Some(hit) => Err(io::Error::other(hit)),
            None => Ok(n),
        }
    }
}
