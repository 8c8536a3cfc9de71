//! Where blobs and documents come from: a directory (an OCI layout, or an unpacked `docker save`)
//! or an archive file (a tar of either, possibly gzip- or zstd-compressed as a whole).
//!
//! An archive is indexed once: one pass over its tar headers records each entry's name, data
//! offset and size; for a plain tar the data is seeked over, never read. A blob is then read by
//! opening the file again at its offset, through a reader bounded by its size. A compressed archive
//! has no random access: its index pass decompresses it once; blob reads share one decoder that
//! goes on forward from the last blob read when the next blob lies ahead (layers are mostly
//! stored in order), and starts again from the top when it lies behind (CPU, not memory, and only
//! for the few blobs an image has). Nothing is ever extracted to disk.
//!
//! Names are normalised (`./blobs/sha256/x` is `blobs/sha256/x`); symbolic and hard links inside
//! the archive (Docker 25 writes `<id>/layer.tar` as a link to `blobs/sha256/<hex>`) are followed,
//! a few levels deep. In a directory, a name with `..` or a leading `/` is refused, so a
//! manifest cannot make the reader open a file outside the layout.

use std::cell::{Cell, RefCell, RefMut};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use kcheck_model::image::{ImageProblem, ImageProblemKind};

use crate::decompress::{limit_hit, Compression, Decoder, Limited};
use crate::tar::{EntryKind, Seeked, Streamed, TarReader};
use crate::Limits;

#[derive(Clone, Debug)]
pub(crate) enum Indexed {
    Data { offset: u64, size: u64 },
    Link(String),
}

pub(crate) enum Store {
    Dir(PathBuf),
    Tar {
        /// The decoder of a compressed archive, kept between blob reads.
        sequential: RefCell<Option<Sequential>>,
        max_window: u64,
        path: PathBuf,
        outer: Compression,
        entries: HashMap<String, Indexed>,
    },
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// A compressed archive's decoder and how far into the archive it is.
pub(crate) struct Sequential {
    decoder: Box<dyn Read>,
    pos: u64,
}

/// A blob read from the shared decoder.
struct SequentialBlob<'a> {
    seq: RefMut<'a, Option<Sequential>>,
    left: u64,
}

impl Read for SequentialBlob<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(state) = self.seq.as_mut() else {
            return Ok(0);
        };
        if self.left == 0 {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = state.decoder.read(&mut buf[..want])?;
        state.pos += n as u64;
        self.left -= n as u64;
        Ok(n)
    }
}

/// Why a store could not be made.
pub(crate) enum OpenError {
    Io(io::Error),
    NotAnArchive(String),
}

impl From<io::Error> for OpenError {
    fn from(e: io::Error) -> Self {
        OpenError::Io(e)
    }
}

/// Normalises an archive-relative name: no leading `./` or `/`, no `.` components; `None` if it
/// climbs out with `..`.
pub(crate) fn normalise_relative(name: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

impl Store {
    /// Opens a directory or indexes an archive file. Problems met while indexing (a truncated
    /// archive, too many entries) are returned to be attached to every image.
    pub fn open(path: &Path, limits: &Limits) -> Result<(Store, Vec<ImageProblem>), OpenError> {
        let meta = std::fs::metadata(path)?;
        if meta.is_dir() {
            return Ok((Store::Dir(path.to_path_buf()), Vec::new()));
        }
        let mut file = File::open(path)?;
        let mut head = [0u8; 512];
        let mut filled = 0;
        while filled < head.len() {
            let n = file.read(&mut head[filled..])?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        file.seek(SeekFrom::Start(0))?;
        let outer = Compression::sniff(&head[..filled]);
        let mut problems = Vec::new();
        let entries = match outer {
            Compression::None => {
                if !crate::tar::looks_like_header(&head[..filled]) {
                    return Err(OpenError::NotAnArchive(
                        "it is neither a tar archive nor a directory".into(),
                    ));
                }
                let reader = Seeked {
                    file: BufReader::with_capacity(8192, file),
                    pos: 0,
                    len: meta.len(),
                };
                index(reader, limits, &mut problems)
            }
            Compression::Gzip | Compression::Zstd => {
                let counting = Counting {
                    inner: file,
                    count: Rc::new(Cell::new(0)),
                };
                let stored = counting.count.clone();
                let decoder = match Decoder::new(BufReader::new(counting), limits.max_zstd_window)?
                {
                    Ok((d, _)) => d,
                    Err(_) => {
                        return Err(OpenError::NotAnArchive("unsupported compression".into()))
                    }
                };
                // The same bounds as a layer's: a compressed archive can be a bomb too.
                let limited = Limited {
                    inner: decoder,
                    count: 0,
                    before: 0,
                    stored,
                    max_layer: u64::MAX,
                    max_total: limits.max_total_bytes,
                    max_ratio: limits.max_ratio,
                };
                let mut decoder = BufReader::new(limited);
                let mut first = [0u8; 512];
                let mut got = 0;
                while got < 512 {
                    let n = match decoder.read(&mut first[got..]) {
                        Ok(n) => n,
                        Err(_) => break,
                    };
                    if n == 0 {
                        break;
                    }
                    got += n;
                }
                if !crate::tar::looks_like_header(&first[..got]) {
                    return Err(OpenError::NotAnArchive(
                        "it is compressed, but not a compressed tar archive".into(),
                    ));
                }
                let chained = io::Cursor::new(first[..got].to_vec()).chain(decoder);
                index(Streamed(chained), limits, &mut problems)
            }
            Compression::Bzip2 | Compression::Xz => {
                return Err(OpenError::NotAnArchive(
                    "bzip2 and xz compressed archives are not supported".into(),
                ));
            }
        };
        Ok((
            Store::Tar {
                sequential: RefCell::new(None),
                max_window: limits.max_zstd_window,
                path: path.to_path_buf(),
                outer,
                entries,
            },
            problems,
        ))
    }

    fn lookup(&self, name: &str) -> Option<(u64, u64)> {
        let Store::Tar { entries, .. } = self else {
            return None;
        };
        let mut name = normalise_relative(name)?;
        for _ in 0..8 {
            match entries.get(&name)? {
                Indexed::Data { offset, size } => return Some((*offset, *size)),
                Indexed::Link(target) => name = target.clone(),
            }
        }
        None
    }

    fn dir_path(root: &Path, name: &str) -> Option<PathBuf> {
        if name.starts_with('/') || name.split('/').any(|p| p == "..") {
            return None;
        }
        Some(root.join(name))
    }

    /// Whether the store holds `name` as a file.
    pub fn has(&self, name: &str) -> bool {
        match self {
            Store::Dir(root) => Self::dir_path(root, name).is_some_and(|p| p.is_file()),
            Store::Tar { .. } => self.lookup(name).is_some(),
        }
    }

    /// Opens `name` for reading; `Ok(None)` when it is not there.
    pub fn open_blob(&self, name: &str) -> io::Result<Option<Box<dyn Read + '_>>> {
        match self {
            Store::Dir(root) => {
                let Some(path) = Self::dir_path(root, name) else {
                    return Ok(None);
                };
                match File::open(&path) {
                    Ok(f) if path.is_file() => Ok(Some(Box::new(f))),
                    Ok(_) => Ok(None),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e),
                }
            }
            Store::Tar {
                path,
                outer,
                max_window,
                ..
            } => {
                let Some((offset, size)) = self.lookup(name) else {
                    return Ok(None);
                };
                let mut file = File::open(path)?;
                match outer {
                    Compression::None => {
                        file.seek(SeekFrom::Start(offset))?;
                        Ok(Some(Box::new(file.take(size))))
                    }
                    _ => {
                        // Go on from where the last blob read left the shared decoder when the
                        // blob lies ahead of it; start again from the top otherwise.
                        let Store::Tar { sequential, .. } = self else {
                            return Ok(None);
                        };
                        let Ok(mut seq) = sequential.try_borrow_mut() else {
                            let mut decoder = match Decoder::new(BufReader::new(file), *max_window)?
                            {
                                Ok((d, _)) => d,
                                Err(_) => return Ok(None),
                            };
                            let skipped =
                                io::copy(&mut (&mut decoder).take(offset), &mut io::sink())?;
                            if skipped < offset {
                                return Ok(Some(Box::new(io::empty())));
                            }
                            return Ok(Some(Box::new(decoder.take(size))));
                        };
                        if seq.as_ref().is_none_or(|s| s.pos > offset) {
                            let decoder = match Decoder::new(BufReader::new(file), *max_window)? {
                                Ok((d, _)) => d,
                                Err(_) => return Ok(None),
                            };
                            *seq = Some(Sequential {
                                decoder: Box::new(decoder),
                                pos: 0,
                            });
                        }
                        let Some(state) = seq.as_mut() else {
                            return Ok(None);
                        };
                        let gap = offset - state.pos;
                        let skipped =
                            io::copy(&mut (&mut state.decoder).take(gap), &mut io::sink())?;
                        state.pos += skipped;
                        if skipped < gap {
                            return Ok(Some(Box::new(io::empty())));
                        }
                        Ok(Some(Box::new(SequentialBlob { seq, left: size })))
                    }
                }
            }
        }
    }

    /// Reads a whole document of at most `max` bytes. `Ok(None)`: not there. `Err` with
    /// `InvalidData`: too large.
    pub fn read_document(&self, name: &str, max: u64) -> io::Result<Option<Vec<u8>>> {
        let Some(reader) = self.open_blob(name)? else {
            return Ok(None);
        };
        let mut data = Vec::new();
        reader.take(max + 1).read_to_end(&mut data)?;
        if data.len() as u64 > max {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("larger than the limit of {max} bytes"),
            ));
        }
        Ok(Some(data))
    }
}

fn index<R: crate::tar::Skip>(
    reader: R,
    limits: &Limits,
    problems: &mut Vec<ImageProblem>,
) -> HashMap<String, Indexed> {
    let mut entries = HashMap::new();
    let mut tar = TarReader::new(reader, limits.max_path_len, limits.max_header_bytes);
    let mut count: u64 = 0;
    loop {
        let entry = match tar.next_entry() {
            Ok(Some(e)) => e,
            Ok(None) => break,
            Err(e) => {
                let (kind, message) = match e.io.as_ref().and_then(limit_hit) {
                    Some(hit) => (ImageProblemKind::DecompressionLimit, hit.to_string()),
                    None => (e.kind, e.message),
                };
                problems.push(ImageProblem {
                    kind,
                    layer: None,
                    path: String::new(),
                    message: format!("the archive: {message}"),
                });
                break;
            }
        };
        count += 1;
        if count > limits.max_entries {
            problems.push(ImageProblem {
                kind: ImageProblemKind::EntryLimit,
                layer: None,
                path: String::new(),
                message: format!(
                    "the archive has more than {} entries; the rest is not read",
                    limits.max_entries
                ),
            });
            break;
        }
        let Some(name) = normalise_relative(&entry.name) else {
            problems.push(ImageProblem {
                kind: ImageProblemKind::UnsafePath,
                layer: None,
                path: entry.name.clone(),
                message: "an archive entry leaves the archive's root; ignored".into(),
            });
            continue;
        };
        match entry.kind {
            EntryKind::Regular => {
                entries.insert(
                    name,
                    Indexed::Data {
                        offset: entry.data_offset,
                        size: entry.size,
                    },
                );
            }
            EntryKind::Symlink => {
                let base = match name.rfind('/') {
                    Some(i) => &name[..i + 1],
                    None => "",
                };
                let target = if entry.link.starts_with('/') {
                    entry.link.clone()
                } else {
                    format!("{base}{}", entry.link)
                };
                if let Some(target) = normalise_relative(&target) {
                    entries.insert(name, Indexed::Link(target));
                }
            }
            EntryKind::HardLink => {
                if let Some(target) = normalise_relative(&entry.link) {
                    entries.insert(name, Indexed::Link(target));
                }
            }
            _ => {}
        }
    }
    for p in tar.problems.drain(..) {
        problems.push(ImageProblem {
            kind: p.kind,
            layer: None,
            path: p.path,
            message: format!("the archive: {}", p.message),
        });
    }
    entries
}
