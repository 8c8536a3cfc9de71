//! A streaming tar reader of our own, for hostile input.
//!
//! It reads one 512-byte header at a time and hands out the entry's metadata; the entry's data is
//! then read through [`TarReader::read_data`] (bounded by the header's size) or skipped. Skipping
//! goes through [`Skip`]: a seekable file seeks over the data (the outer archive's index pass never
//! reads a blob), a decompressed stream reads and drops it.
//!
//! Handled: ustar (with its `prefix` field), GNU long names and long link names (`L`, `K`), PAX
//! extended headers (`x`: `path`, `linkpath`, `size`, `uid`, `gid`; global `g` headers are
//! skipped), octal and base-256 numbers. Every length read from the input is checked before it is
//! used: a long name beyond `max_path_len` or a PAX header beyond `max_header_bytes` is skipped
//! (and reported) instead of allocated. A bad header checksum, a truncated header or truncated
//! data ends the stream with a [`TarError`]; what was read before stays read.

use std::io::{self, Read};

use kcheck_model::image::ImageProblemKind;

pub(crate) const BLOCK: u64 = 512;

/// The kinds of entries the readers care about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntryKind {
    Regular,
    HardLink,
    Symlink,
    Dir,
    /// Devices, fifos, and types the reader does not know.
    Other,
}

#[derive(Clone, Debug)]
pub(crate) struct TarEntry {
    /// The name as written (after long-name and PAX substitution), not normalised.
    pub name: String,
    pub link: String,
    pub kind: EntryKind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// Bytes of data the header announces.
    pub size: u64,
    /// Offset of the data from the start of the stream.
    pub data_offset: u64,
}

/// What ended a tar stream early.
#[derive(Debug)]
pub(crate) struct TarError {
    pub kind: ImageProblemKind,
    pub message: String,
    /// The underlying I/O error, when the stream failed (a limit reader's marker is one).
    pub io: Option<io::Error>,
}

impl TarError {
    fn new(kind: ImageProblemKind, message: impl Into<String>) -> Self {
        TarError {
            kind,
            message: message.into(),
            io: None,
        }
    }
}

/// How the reader gets past bytes it does not want.
pub(crate) trait Skip: Read {
    /// Skips up to `n` bytes, returning how many were skipped (fewer only at the end).
    fn skip(&mut self, n: u64) -> io::Result<u64>;
}

/// Skips by reading into a scratch buffer: for decompressed streams.
pub(crate) struct Streamed<R>(pub R);

impl<R: Read> Read for Streamed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Read> Skip for Streamed<R> {
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        io::copy(&mut (&mut self.0).take(n), &mut io::sink())
    }
}

/// Skips by seeking: for a plain archive file, whose length is known.
pub(crate) struct Seeked<F> {
    pub file: F,
    pub pos: u64,
    pub len: u64,
}

impl<F: Read> Read for Seeked<F> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<F: Read + io::Seek> Skip for Seeked<F> {
    fn skip(&mut self, n: u64) -> io::Result<u64> {
        let n = n.min(self.len.saturating_sub(self.pos));
        self.file.seek(io::SeekFrom::Current(n as i64))?;
        self.pos += n;
        Ok(n)
    }
}

/// Non-fatal findings about single entries: the entry is skipped and reading goes on.
#[derive(Debug)]
pub(crate) struct EntryProblem {
    pub kind: ImageProblemKind,
    pub path: String,
    pub message: String,
}

pub(crate) struct TarReader<R> {
    inner: R,
    pos: u64,
    /// Data bytes of the current entry not read yet, and its padding.
    remaining: u64,
    padding: u64,
    max_path_len: usize,
    max_header_bytes: u64,
    pub problems: Vec<EntryProblem>,
    done: bool,
}

#[derive(Default)]
struct Pending {
    name: Option<String>,
    link: Option<String>,
    size: Option<u64>,
    uid: Option<u64>,
    gid: Option<u64>,
    /// A long name or PAX path was refused: skip the entry it applies to.
    refused: bool,
}

impl<R: Skip> TarReader<R> {
    pub fn new(inner: R, max_path_len: usize, max_header_bytes: u64) -> Self {
        TarReader {
            inner,
            pos: 0,
            remaining: 0,
            padding: 0,
            max_path_len,
            max_header_bytes,
            problems: Vec::new(),
            done: false,
        }
    }

    fn skip_exact(&mut self, n: u64, what: &str) -> Result<(), TarError> {
        if n == 0 {
            return Ok(());
        }
        let skipped = self.inner.skip(n).map_err(|e| io_error(e, what))?;
        self.pos += skipped;
        if skipped < n {
            return Err(TarError::new(
                ImageProblemKind::SizeMismatch,
                format!("{what}: the data ends {} bytes early", n - skipped),
            ));
        }
        Ok(())
    }

    /// Reads up to `buf.len()` bytes of the current entry's data; 0 at its end. Data shorter than
    /// the header said is an `UnexpectedEof` error.
    pub fn read_data(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "entry data truncated",
            ));
        }
        self.remaining -= n as u64;
        self.pos += n as u64;
        Ok(n)
    }

    fn read_block(&mut self, block: &mut [u8; 512]) -> Result<bool, TarError> {
        let mut filled = 0;
        while filled < 512 {
            let n = match self.inner.read(&mut block[filled..]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_error(e, "reading a tar header")),
            };
            if n == 0 {
                break;
            }
            filled += n;
        }
        self.pos += filled as u64;
        if filled == 0 {
            return Ok(false);
        }
        if filled < 512 {
            return Err(TarError::new(
                ImageProblemKind::SizeMismatch,
                "the archive ends inside a tar header",
            ));
        }
        Ok(true)
    }

    /// Reads the data of a meta entry (long name, PAX) of `size` bytes, at most `max`.
    fn read_meta(&mut self, size: u64, max: u64) -> Result<Option<Vec<u8>>, TarError> {
        let padding = pad(size);
        if size > max {
            self.skip_exact(
                size.saturating_add(padding),
                "skipping an oversized extended header",
            )?;
            return Ok(None);
        }
        let mut data = vec![0u8; size as usize];
        let mut filled = 0;
        while filled < data.len() {
            let n = self
                .inner
                .read(&mut data[filled..])
                .map_err(|e| io_error(e, "reading an extended header"))?;
            if n == 0 {
                return Err(TarError::new(
                    ImageProblemKind::SizeMismatch,
                    "the archive ends inside an extended header",
                ));
            }
            filled += n;
        }
        self.pos += size;
        self.skip_exact(padding, "extended header padding")?;
        Ok(Some(data))
    }

    /// The next entry, `None` at the end of the archive (two zero blocks, or the end of the
    /// stream at a block boundary).
    pub fn next_entry(&mut self) -> Result<Option<TarEntry>, TarError> {
        if self.done {
            return Ok(None);
        }
        let rest = self.remaining.saturating_add(self.padding);
        self.remaining = 0;
        self.padding = 0;
        if let Err(e) = self.skip_exact(rest, "entry data") {
            self.done = true;
            return Err(e);
        }
        let result = self.next_inner();
        if !matches!(result, Ok(Some(_))) {
            self.done = true;
        }
        result
    }

    fn next_inner(&mut self) -> Result<Option<TarEntry>, TarError> {
        let mut pending = Pending::default();
        let mut block = [0u8; 512];
        loop {
            if !self.read_block(&mut block)? {
                return Ok(None);
            }
            if block.iter().all(|&b| b == 0) {
                return Ok(None);
            }
            check_checksum(&block)?;
            let typeflag = block[156];
            let header_size = parse_number(&block[124..136]).ok_or_else(|| {
                TarError::new(
                    ImageProblemKind::Malformed,
                    "a tar header's size field is not a number",
                )
            })?;
            match typeflag {
                b'L' | b'K' => {
                    let max = self.max_path_len as u64 + 1;
                    match self.read_meta(header_size, max)? {
                        Some(data) => {
                            let s = cstr(&data);
                            if typeflag == b'L' {
                                pending.name = Some(s);
                            } else {
                                pending.link = Some(s);
                            }
                        }
                        None => {
                            pending.refused = true;
                            self.problems.push(EntryProblem {
                                kind: ImageProblemKind::UnsafePath,
                                path: String::new(),
                                message: format!("a GNU long name of {header_size} bytes, beyond the limit of {} bytes; entry skipped", self.max_path_len),
                            });
                        }
                    }
                    continue;
                }
                b'x' | b'g' => {
                    let data = self.read_meta(header_size, self.max_header_bytes)?;
                    if typeflag == b'g' {
                        continue;
                    }
                    match data {
                        Some(data) => self.apply_pax(&data, &mut pending),
                        None => {
                            pending.refused = true;
                            self.problems.push(EntryProblem {
                                kind: ImageProblemKind::UnsafePath,
                                path: String::new(),
                                message: format!("a PAX header of {header_size} bytes, beyond the limit of {} bytes; entry skipped", self.max_header_bytes),
                            });
                        }
                    }
                    continue;
                }
                _ => {}
            }
            let size = pending.size.unwrap_or(header_size);
            let mut name = match pending.name.take() {
                Some(n) => n,
                None => {
                    let mut n = cstr(&block[0..100]);
                    if &block[257..263] == b"ustar\0" && block[345] != 0 {
                        n = format!("{}/{}", cstr(&block[345..500]), n);
                    }
                    n
                }
            };
            let link = pending
                .link
                .take()
                .unwrap_or_else(|| cstr(&block[157..257]));
            let mut kind = match typeflag {
                b'0' | 0 | b'7' => EntryKind::Regular,
                b'1' => EntryKind::HardLink,
                b'2' => EntryKind::Symlink,
                b'5' => EntryKind::Dir,
                _ => EntryKind::Other,
            };
            // Old tars mark directories with a trailing slash only.
            if kind == EntryKind::Regular && name.ends_with('/') {
                name.truncate(name.len() - 1);
                kind = EntryKind::Dir;
            }
            let mode = parse_number(&block[100..108]).unwrap_or(0) as u32 & 0o7777;
            let uid = pending
                .uid
                .or_else(|| parse_number(&block[108..116]))
                .unwrap_or(0);
            let gid = pending
                .gid
                .or_else(|| parse_number(&block[116..124]))
                .unwrap_or(0);
            // Links and directories carry no data whatever the size field says, except hard
            // links, which may (pax); we honour the size for all but directories.
            let data_size = if kind == EntryKind::Dir || kind == EntryKind::Symlink {
                0
            } else {
                size
            };
            self.remaining = data_size;
            self.padding = pad(data_size);
            let entry = TarEntry {
                name,
                link,
                kind,
                mode,
                uid,
                gid,
                size: data_size,
                data_offset: self.pos,
            };
            if pending.refused {
                // The long name was refused: skip this entry, go on with the next.
                let rest = self.remaining.saturating_add(self.padding);
                self.remaining = 0;
                self.padding = 0;
                self.skip_exact(rest, "entry data")?;
                pending = Pending::default();
                continue;
            }
            return Ok(Some(entry));
        }
    }

    fn apply_pax(&mut self, data: &[u8], pending: &mut Pending) {
        let mut rest = data;
        while !rest.is_empty() {
            let Some(space) = rest.iter().position(|&b| b == b' ') else {
                break;
            };
            let Some(len) = std::str::from_utf8(&rest[..space])
                .ok()
                .and_then(|s| s.parse::<usize>().ok())
            else {
                break;
            };
            if len <= space + 1 || len > rest.len() {
                break;
            }
            let record = &rest[space + 1..len];
            let record = record.strip_suffix(b"\n").unwrap_or(record);
            rest = &rest[len..];
            let Some(eq) = record.iter().position(|&b| b == b'=') else {
                continue;
            };
            let key = &record[..eq];
            let value = String::from_utf8_lossy(&record[eq + 1..]).into_owned();
            match key {
                b"path" => {
                    if value.len() > self.max_path_len {
                        pending.refused = true;
                        self.problems.push(EntryProblem {
                            kind: ImageProblemKind::UnsafePath,
                            path: String::new(),
                            message: format!("a PAX path of {} bytes, beyond the limit of {} bytes; entry skipped", value.len(), self.max_path_len),
                        });
                    } else {
                        pending.name = Some(value);
                    }
                }
                b"linkpath" => {
                    if value.len() > self.max_path_len {
                        pending.refused = true;
                        self.problems.push(EntryProblem {
                            kind: ImageProblemKind::UnsafePath,
                            path: String::new(),
                            message: format!(
                                "a PAX link path of {} bytes, beyond the limit of {} bytes; entry skipped",
                                value.len(),
                                self.max_path_len
                            ),
                        });
                    } else {
                        pending.link = Some(value);
                    }
                }
                b"size" => pending.size = value.parse().ok(),
                b"uid" => pending.uid = value.parse().ok(),
                b"gid" => pending.gid = value.parse().ok(),
                _ => {}
            }
        }
    }

    pub fn into_inner(self) -> R {
        self.inner
    }
}

fn io_error(e: io::Error, what: &str) -> TarError {
    let kind = if e.kind() == io::ErrorKind::UnexpectedEof {
        ImageProblemKind::SizeMismatch
    } else {
        ImageProblemKind::Malformed
    };
    TarError {
        kind,
        message: format!("{what}: {e}"),
        io: Some(e),
    }
}

/// Bytes of padding after `size` bytes of data, up to the next block.
fn pad(size: u64) -> u64 {
    (BLOCK - size % BLOCK) % BLOCK
}

fn cstr(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// An octal number (spaces and NULs around it), or GNU base-256 when the high bit is set.
pub(crate) fn parse_number(field: &[u8]) -> Option<u64> {
    if field.first().is_some_and(|&b| b & 0x80 != 0) {
        if field[0] == 0xff {
            return None; // negative
        }
        let mut n: u64 = u64::from(field[0] & 0x7f);
        for &b in &field[1..] {
            n = n.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(n);
    }
    let s: Vec<u8> = field.iter().copied().filter(|&b| b != 0).collect();
    let s = std::str::from_utf8(&s).ok()?.trim();
    if s.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(s, 8).ok()
}

fn check_checksum(block: &[u8; 512]) -> Result<(), TarError> {
    let Some(want) = parse_number(&block[148..156]) else {
        return Err(TarError::new(
            ImageProblemKind::Malformed,
            "a tar header's checksum field is not a number",
        ));
    };
    let mut unsigned: u64 = 0;
    let mut signed: i64 = 0;
    for (i, &b) in block.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += u64::from(b);
        signed += i64::from(b as i8);
    }
    if unsigned == want || signed == want as i64 {
        Ok(())
    } else {
        Err(TarError::new(
            ImageProblemKind::Malformed,
            "a tar header's checksum does not match (not a tar, or corrupt)",
        ))
    }
}

/// Whether `block` looks like a tar header (for sniffing a file).
pub(crate) fn looks_like_header(block: &[u8]) -> bool {
    let Ok(block) = <&[u8; 512]>::try_from(block) else {
        return false;
    };
    !block.iter().all(|&b| b == 0) && check_checksum(block).is_ok()
}
