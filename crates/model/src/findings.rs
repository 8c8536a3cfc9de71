//! A report's findings: in memory, or spilled to a file in a compact encoding and read back one
//! at a time.
//!
//! A scan of a large repository finds hundreds of thousands of problems; held as [`Finding`]s
//! they are the largest part of its memory (about 540 bytes each). A streaming scan writes
//! them to a file as it goes (the caller hands the file over, see [`Spill`]) and the renderers
//! read them back in order, so memory does not grow with them. Both forms give the same
//! findings through the same methods: [`Findings::iter`], [`Findings::pick`] (an item's
//! findings), [`Findings::briefs`] (what counts and statuses need, without decoding messages).

use crate::finding::{Finding, Level, Location, Severity};
use crate::object::ObjectRef;
use crate::text::Text;
use crate::waiver::Waiver;
use rustc_hash::FxHashMap as HashMap;
use serde::ser::SerializeSeq;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};
use std::ops::Deref;
use std::sync::Arc;

/// A report's findings, sorted as the report orders them.
#[derive(Clone, Default)]
pub struct Findings {
    store: Store,
}

#[derive(Clone)]
enum Store {
    Memory(Vec<Finding>),
    Spilled(Arc<Spilled>),
}

impl Default for Store {
    fn default() -> Store {
        Store::Memory(Vec::new())
    }
}

/// A finding read from a report: borrowed from memory, or decoded from a spill.
pub enum FindingRef<'a> {
    Borrowed(&'a Finding),
    Owned(Box<Finding>),
}

impl Deref for FindingRef<'_> {
    type Target = Finding;
    fn deref(&self) -> &Finding {
        match self {
            FindingRef::Borrowed(f) => f,
            FindingRef::Owned(f) => f,
        }
    }
}

impl fmt::Debug for FindingRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

impl Serialize for FindingRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

/// What counts, statuses and summaries read of a finding: everything but its texts and place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Brief {
    pub code: &'static str,
    pub rule: &'static str,
    pub item: &'static str,
    pub severity: Severity,
    pub level: Level,
    pub waived: bool,
}

impl Brief {
    pub fn of(f: &Finding) -> Brief {
        Brief {
            code: f.code,
            rule: f.rule,
            item: f.item,
            severity: f.severity,
            level: f.level,
            waived: f.waived,
        }
    }
}

impl From<Vec<Finding>> for Findings {
    fn from(v: Vec<Finding>) -> Findings {
        Findings {
            store: Store::Memory(v),
        }
    }
}

impl Findings {
    pub fn len(&self) -> usize {
        match &self.store {
            Store::Memory(v) => v.len(),
            Store::Spilled(s) => s.offsets.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the findings were spilled to a file.
    pub fn spilled(&self) -> bool {
        matches!(self.store, Store::Spilled(_))
    }

    /// The findings held in memory, or `None` when they were spilled.
    pub fn in_memory(&self) -> Option<&[Finding]> {
        match &self.store {
            Store::Memory(v) => Some(v),
            Store::Spilled(_) => None,
        }
    }

    pub fn into_vec(self) -> Vec<Finding> {
        match self.store {
            Store::Memory(v) => v,
            Store::Spilled(_) => self.iter().map(|f| (*f).clone()).collect(),
        }
    }

    pub fn clear(&mut self) {
        self.store = Store::Memory(Vec::new());
    }

    /// The `i`th finding.
    pub fn get(&self, i: usize) -> Option<FindingRef<'_>> {
        match &self.store {
            Store::Memory(v) => v.get(i).map(FindingRef::Borrowed),
            Store::Spilled(s) => {
                let at = *s.offsets.get(i)?;
                let mut r = s.reader(at);
                Some(FindingRef::Owned(Box::new(r.finding())))
            }
        }
    }

    /// Every finding, in order.
    pub fn iter(&self) -> Iter<'_> {
        self.pick_from(Pick::All(0..self.len()))
    }

    /// The findings in `range`, in order.
    pub fn range(&self, range: std::ops::Range<usize>) -> Iter<'_> {
        let end = range.end.min(self.len());
        self.pick_from(Pick::All(range.start.min(end)..end))
    }

    /// The findings at `indices` (ascending, as an item's are; those out of range are left
    /// out), read in one sweep.
    pub fn pick<'a>(&'a self, indices: &'a [usize]) -> Iter<'a> {
        self.pick_from(Pick::Some(indices.iter()))
    }

    fn pick_from<'a>(&'a self, pick: Pick<'a>) -> Iter<'a> {
        Iter {
            findings: self,
            pick,
            reader: None,
        }
    }

    /// What counts need of every finding, without decoding texts.
    pub fn briefs(&self) -> impl Iterator<Item = Brief> + '_ {
        self.briefs_of_range(0..self.len())
    }

    /// What counts need of the findings at `indices` (ascending; those out of range are left
    /// out).
    pub fn briefs_of<'a>(&'a self, indices: &'a [usize]) -> impl Iterator<Item = Brief> + 'a {
        let len = self.len();
        indices
            .iter()
            .filter(move |&&i| i < len)
            .map(move |&i| self.brief(i))
    }

    fn briefs_of_range(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = Brief> + '_ {
        range.map(move |i| self.brief(i))
    }

    fn brief(&self, i: usize) -> Brief {
        match &self.store {
            Store::Memory(v) => Brief::of(&v[i]),
            Store::Spilled(s) => s.brief(i),
        }
    }

    /// How many findings a waiver accepted.
    pub fn waived(&self) -> usize {
        self.briefs().filter(|b| b.waived).count()
    }
}

#[derive(Clone)]
enum Pick<'a> {
    All(std::ops::Range<usize>),
    Some(std::slice::Iter<'a, usize>),
}

impl Iterator for Pick<'_> {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        match self {
            Pick::All(r) => r.next(),
            Pick::Some(i) => i.next().copied(),
        }
    }
}

/// Findings read in order (see [`Findings::iter`] and [`Findings::pick`]).
pub struct Iter<'a> {
    findings: &'a Findings,
    pick: Pick<'a>,
    /// For spilled findings: where the last one read ended, and the buffered reader.
    reader: Option<(usize, Reader<'a>)>,
}

/// A copy reads on from the same finding, through a buffer of its own.
impl Clone for Iter<'_> {
    fn clone(&self) -> Self {
        Iter {
            findings: self.findings,
            pick: self.pick.clone(),
            reader: None,
        }
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = FindingRef<'a>;

    fn next(&mut self) -> Option<FindingRef<'a>> {
        loop {
            let i = self.pick.next()?;
            match &self.findings.store {
                Store::Memory(v) => match v.get(i) {
                    Some(f) => return Some(FindingRef::Borrowed(f)),
                    None => continue,
                },
                Store::Spilled(s) => {
                    let Some(&at) = s.offsets.get(i) else {
                        continue;
                    };
                    // The next finding of the file is read where the last ended; any other
                    // starts a new sweep.
                    let reader = match &mut self.reader {
                        Some((next, r)) if *next == i => r,
                        slot => &mut slot.insert((i, s.reader(at))).1,
                    };
                    let f = reader.finding();
                    self.reader.as_mut().expect("set above").0 = i + 1;
                    return Some(FindingRef::Owned(Box::new(f)));
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.pick {
            Pick::All(r) => r.size_hint(),
            Pick::Some(i) => (0, i.size_hint().1),
        }
    }
}

impl fmt::Debug for Findings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Findings {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for f in self.iter() {
            seq.serialize_element(&*f)?;
        }
        seq.end()
    }
}

impl<'a> IntoIterator for &'a Findings {
    type Item = FindingRef<'a>;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// Where spilled findings are written: a file the caller made (a temporary file, deleted when
/// it is closed), or memory. Should the file fail (a full disk), what follows goes to memory:
/// nothing is lost.
pub struct Backing {
    file: Option<std::fs::File>,
    /// Bytes written to the file; those after are in `memory`.
    file_len: u64,
    memory: Vec<u8>,
}

impl Backing {
    /// A file, empty, open for reading and writing.
    pub fn file(file: std::fs::File) -> Backing {
        Backing {
            file: cfg!(unix).then_some(file),
            file_len: 0,
            memory: Vec::new(),
        }
    }

    pub fn memory() -> Backing {
        Backing {
            file: None,
            file_len: 0,
            memory: Vec::new(),
        }
    }

    fn read_at(&self, at: u64, buf: &mut [u8]) -> io::Result<usize> {
        if at < self.file_len {
            let room = usize::try_from(self.file_len - at).unwrap_or(usize::MAX);
            let n = buf.len().min(room);
            #[cfg(unix)]
            if let Some(f) = &self.file {
                return std::os::unix::fs::FileExt::read_at(f, &mut buf[..n], at);
            }
            let _ = n;
            return Err(io::Error::other("the findings' file is gone"));
        }
        let start = usize::try_from(at - self.file_len)
            .unwrap_or(usize::MAX)
            .min(self.memory.len());
        let n = buf.len().min(self.memory.len() - start);
        buf[..n].copy_from_slice(&self.memory[start..start + n]);
        Ok(n)
    }

    fn append(&mut self, bytes: &[u8]) {
        if self.memory.is_empty() {
            if let Some(f) = &mut self.file {
                match f.write_all(bytes) {
                    Ok(()) => {
                        self.file_len += bytes.len() as u64;
                        return;
                    }
                    // Part may have been written: what follows `file_len` is not read.
                    Err(_) => {
                        let _ = f.set_len(self.file_len);
                    }
                }
            }
        }
        self.memory.extend_from_slice(bytes);
    }
}

/// The strings and shared values the encoding refers to by number: the rules' static texts,
/// file names and sources, waivers.
#[derive(Default)]
struct Tables {
    statics: Vec<&'static str>,
    static_ids: HashMap<(usize, usize), u32>,
    shared: Vec<Arc<str>>,
    shared_ids: HashMap<Arc<str>, u32>,
    waivers: Vec<Waiver>,
}

impl Tables {
    fn static_id(&mut self, s: &'static str) -> u32 {
        let key = (s.as_ptr() as usize, s.len());
        *self.static_ids.entry(key).or_insert_with(|| {
            self.statics.push(s);
            (self.statics.len() - 1) as u32
        })
    }

    fn shared_id(&mut self, s: &Arc<str>) -> u32 {
        if let Some(&id) = self.shared_ids.get(s) {
            return id;
        }
        self.shared.push(s.clone());
        let id = (self.shared.len() - 1) as u32;
        self.shared_ids.insert(s.clone(), id);
        id
    }

    fn waiver_id(&mut self, w: &Waiver) -> u32 {
        match self.waivers.iter().position(|x| x == w) {
            Some(i) => i as u32,
            None => {
                self.waivers.push(w.clone());
                (self.waivers.len() - 1) as u32
            }
        }
    }
}

/// Writes findings, in the order they are to be read, to a [`Backing`]; [`Spill::finish`]
/// makes them a report's [`Findings`].
pub struct Spill {
    backing: Backing,
    tables: Tables,
    offsets: Vec<u64>,
    briefs: Vec<PackedBrief>,
    len: u64,
    buf: Vec<u8>,
}

/// Bytes encoded before they are written out.
const WRITE_AT: usize = 1 << 20;

impl Spill {
    pub fn new(backing: Backing) -> Spill {
        Spill {
            backing,
            tables: Tables::default(),
            offsets: Vec::new(),
            briefs: Vec::new(),
            len: 0,
            buf: Vec::with_capacity(WRITE_AT + 4096),
        }
    }

    /// Appends `f`.
    pub fn push(&mut self, f: &Finding) {
        self.offsets.push(self.len + self.buf.len() as u64);
        let id = |t: &mut Tables, s| t.static_id(s);
        self.briefs.push(PackedBrief {
            code: id(&mut self.tables, f.code),
            rule: id(&mut self.tables, f.rule),
            item: id(&mut self.tables, f.item),
            severity: f.severity as u8,
            flags: f.level as u8 | (u8::from(f.waived) << 2),
        });
        encode(f, &mut self.tables, &mut self.buf);
        if self.buf.len() >= WRITE_AT {
            self.flush();
        }
    }

    fn flush(&mut self) {
        self.backing.append(&self.buf);
        self.len += self.buf.len() as u64;
        self.buf.clear();
    }

    /// The findings written, to read back.
    pub fn finish(mut self) -> Findings {
        self.flush();
        let spilled = Spilled {
            backing: self.backing,
            tables: self.tables,
            offsets: self.offsets,
            briefs: self.briefs,
        };
        Findings {
            store: Store::Spilled(Arc::new(spilled)),
        }
    }
}

/// Findings in a file: where each starts, and the tables their encoding refers to.
struct Spilled {
    backing: Backing,
    tables: Tables,
    offsets: Vec<u64>,
    /// Each finding's [`Brief`], packed.
    briefs: Vec<PackedBrief>,
}

/// A [`Brief`] in sixteen bytes: its static texts by number, severity, level and waiver.
#[derive(Clone, Copy)]
struct PackedBrief {
    code: u32,
    rule: u32,
    item: u32,
    severity: u8,
    flags: u8,
}

impl Spilled {
    fn reader(&self, at: u64) -> Reader<'_> {
        Reader {
            spilled: self,
            at,
            buf: Vec::new(),
            pos: 0,
        }
    }

    fn brief(&self, i: usize) -> Brief {
        let p = self.briefs[i];
        let s = |id: u32| self.tables.statics[id as usize];
        Brief {
            code: s(p.code),
            rule: s(p.rule),
            item: s(p.item),
            severity: severity_of(p.severity),
            level: level_of(p.flags & 3),
            waived: p.flags & 4 != 0,
        }
    }
}

// The encoding of a finding: little-endian numbers, strings as a length and bytes, static texts
// and shared strings by their number in the tables.
//
//   u32 code, u32 rule, u32 item, u8 severity, u8 level | waived << 2
//   object:   u8 0 | 1 api_version kind namespace? name
//   path:     string?
//   location: u8 0 | 1 u32 file u32 line u32 column
//   source:   u8 0 | 1 u32 shared
//   message, fix: text (each language: u8 0 u32 static | 1 string)
//   waiver:   u8 0 | 1 u32 waiver
//   pods:     u32

fn encode(f: &Finding, t: &mut Tables, out: &mut Vec<u8>) {
    put_u32(out, t.static_id(f.code));
    put_u32(out, t.static_id(f.rule));
    put_u32(out, t.static_id(f.item));
    out.push(f.severity as u8);
    out.push(f.level as u8 | (u8::from(f.waived) << 2));
    match f.object.as_deref() {
        None => out.push(0),
        Some(o) => {
            out.push(1);
            put_str(out, &o.api_version);
            put_str(out, &o.kind);
            put_opt_str(out, o.namespace.as_deref());
            put_str(out, &o.name);
        }
    }
    put_opt_str(out, f.path.as_deref());
    match &f.location {
        None => out.push(0),
        Some(l) => {
            out.push(1);
            put_u32(out, t.shared_id(&l.file));
            put_u32(out, l.line);
            put_u32(out, l.column);
        }
    }
    for shared in [&f.source, &f.node] {
        match shared {
            None => out.push(0),
            Some(s) => {
                out.push(1);
                put_u32(out, t.shared_id(s));
            }
        }
    }
    put_text(out, t, &f.message);
    put_text(out, t, &f.fix);
    match &f.waiver {
        None => out.push(0),
        Some(w) => {
            out.push(1);
            put_u32(out, t.waiver_id(w));
        }
    }
    put_u32(out, f.pods);
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u32(out, u32::try_from(s.len()).unwrap_or(u32::MAX));
    out.extend_from_slice(&s.as_bytes()[..s.len().min(u32::MAX as usize)]);
}

fn put_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
    }
}

fn put_text(out: &mut Vec<u8>, t: &mut Tables, text: &Text) {
    for s in [&text.en, &text.zh] {
        match s {
            Cow::Borrowed(s) => {
                out.push(0);
                put_u32(out, t.static_id(s));
            }
            Cow::Owned(s) => {
                out.push(1);
                put_str(out, s);
            }
        }
    }
}

fn severity_of(b: u8) -> Severity {
    match b {
        0 => Severity::Info,
        1 => Severity::Low,
        2 => Severity::Medium,
        3 => Severity::High,
        _ => Severity::Critical,
    }
}

fn level_of(b: u8) -> Level {
    match b {
        0 => Level::Fail,
        1 => Level::Warn,
        _ => Level::Info,
    }
}

/// Reads findings one after another from a place in a spill, through a buffer.
struct Reader<'a> {
    spilled: &'a Spilled,
    /// Where `buf` starts in the backing.
    at: u64,
    buf: Vec<u8>,
    pos: usize,
}

/// Bytes read from the backing at a time.
const READ_AT: usize = 64 << 10;

impl Reader<'_> {
    /// Makes sure `n` bytes are buffered from `pos`. The spill wrote them: a shorter read means
    /// the file was changed under us, which is not recoverable.
    fn fill(&mut self, n: usize) {
        if self.pos + n <= self.buf.len() {
            return;
        }
        self.at += self.pos as u64;
        self.buf.drain(..self.pos);
        self.pos = 0;
        let have = self.buf.len();
        let want = n.max(READ_AT);
        self.buf.resize(want, 0);
        let mut filled = have;
        while filled < n {
            match self
                .spilled
                .backing
                .read_at(self.at + filled as u64, &mut self.buf[filled..])
            {
                Ok(0) => break,
                Ok(k) => filled += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => panic!("kcheck: the findings' spill file could not be read: {e}"),
            }
        }
        assert!(
            filled >= n,
            "kcheck: the findings' spill file is shorter than what was written"
        );
        self.buf.truncate(filled);
    }

    fn u8(&mut self) -> u8 {
        self.fill(1);
        self.pos += 1;
        self.buf[self.pos - 1]
    }

    fn u32(&mut self) -> u32 {
        self.fill(4);
        let b = &self.buf[self.pos..self.pos + 4];
        self.pos += 4;
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    fn string(&mut self) -> String {
        let n = self.u32() as usize;
        self.fill(n);
        let s = String::from_utf8_lossy(&self.buf[self.pos..self.pos + n]).into_owned();
        self.pos += n;
        s
    }

    fn opt_string(&mut self) -> Option<String> {
        (self.u8() == 1).then(|| self.string())
    }

    fn static_str(&mut self) -> &'static str {
        let id = self.u32() as usize;
        self.spilled.tables.statics[id]
    }

    fn text_part(&mut self) -> Cow<'static, str> {
        match self.u8() {
            0 => Cow::Borrowed(self.static_str()),
            _ => Cow::Owned(self.string()),
        }
    }

    fn text(&mut self) -> Text {
        let en = self.text_part();
        let zh = self.text_part();
        Text { en, zh }
    }

    fn finding(&mut self) -> Finding {
        let code = self.static_str();
        let rule = self.static_str();
        let item = self.static_str();
        let severity = severity_of(self.u8());
        let flags = self.u8();
        let object = (self.u8() == 1).then(|| {
            Arc::new(ObjectRef {
                api_version: self.string(),
                kind: self.string(),
                namespace: self.opt_string(),
                name: self.string(),
            })
        });
        let path = self.opt_string();
        let location = (self.u8() == 1).then(|| {
            let file = self.spilled.tables.shared[self.u32() as usize].clone();
            Location {
                file,
                line: self.u32(),
                column: self.u32(),
            }
        });
        let source =
            (self.u8() == 1).then(|| self.spilled.tables.shared[self.u32() as usize].clone());
        let node =
            (self.u8() == 1).then(|| self.spilled.tables.shared[self.u32() as usize].clone());
        let message = self.text();
        let fix = self.text();
        let waiver = (self.u8() == 1)
            .then(|| Box::new(self.spilled.tables.waivers[self.u32() as usize].clone()));
        let pods = self.u32();
        Finding {
            code,
            rule,
            item,
            severity,
            level: level_of(flags & 3),
            object,
            path,
            location,
            source,
            node,
            message,
            fix,
            waived: flags & 4 != 0,
            waiver,
            pods,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Text;

    fn finding(i: u32) -> Finding {
        Finding {
            code: "KC301",
            rule: "privileged-container",
            item: "3.2",
            severity: if i.is_multiple_of(2) {
                Severity::High
            } else {
                Severity::Critical
            },
            level: if i.is_multiple_of(3) {
                Level::Warn
            } else {
                Level::Fail
            },
            object: (!i.is_multiple_of(5)).then(|| {
                Arc::new(ObjectRef {
                    api_version: "apps/v1".into(),
                    kind: "Deployment".into(),
                    namespace: (!i.is_multiple_of(7)).then(|| format!("ns-{i}")),
                    name: format!("web-{i}"),
                })
            }),
            path: (!i.is_multiple_of(4)).then(|| format!("spec.template.spec.containers[{i}]")),
            location: (!i.is_multiple_of(6)).then(|| Location {
                file: Arc::from(format!("dir/file-{}.yaml", i % 3)),
                line: i,
                column: i + 1,
            }),
            source: (i.is_multiple_of(6)).then(|| Arc::from("api:/apis/apps/v1")),
            node: (i.is_multiple_of(9)).then(|| Arc::from(format!("node-{}", i % 4))),
            message: if i.is_multiple_of(2) {
                Text::fixed("static", "静态")
            } else {
                // Some longer than the read buffer.
                let n = if i % 1001 == 7 {
                    100_000
                } else {
                    (i % 50) as usize * 37
                };
                Text::new(format!("owned {i} {}", "x".repeat(n)), "")
            },
            fix: Text::fixed("fix it", "修复"),
            waived: i.is_multiple_of(8),
            waiver: (i.is_multiple_of(8)).then(|| {
                Box::new(Waiver {
                    source: "waivers.yaml:3".into(),
                    reason: format!("accepted {}", i % 16),
                })
            }),
            pods: if i.is_multiple_of(9) { i } else { 0 },
        }
    }

    fn spill(backing: Backing, all: &[Finding]) -> Findings {
        let mut s = Spill::new(backing);
        for f in all {
            s.push(f);
        }
        s.finish()
    }

    #[test]
    fn spilled_findings_read_back_as_written() {
        // Enough bytes to cross the write and read buffers several times.
        let all: Vec<Finding> = (0..3000).map(finding).collect();
        let file = Backing::file(temporary());
        for spilled in [spill(file, &all), spill(Backing::memory(), &all)] {
            assert!(spilled.spilled());
            assert_eq!(spilled.len(), all.len());
            let back: Vec<Finding> = spilled.iter().map(|f| (*f).clone()).collect();
            assert_eq!(back, all);
            let picked: Vec<usize> = vec![1, 2, 3, 10, 2999, 5000];
            let got: Vec<Finding> = spilled.pick(&picked).map(|f| (*f).clone()).collect();
            let want: Vec<Finding> = [1, 2, 3, 10, 2999]
                .iter()
                .map(|&i| all[i].clone())
                .collect();
            assert_eq!(got, want);
            assert_eq!(*spilled.get(1234).unwrap(), all[1234]);
            assert!(spilled.get(3000).is_none());
            let briefs: Vec<Brief> = spilled.briefs().collect();
            assert_eq!(briefs, all.iter().map(Brief::of).collect::<Vec<_>>());
            assert_eq!(spilled.waived(), all.iter().filter(|f| f.waived).count());
            assert_eq!(
                serde_json::to_string(&spilled).unwrap(),
                serde_json::to_string(&all).unwrap()
            );
            assert_eq!(spilled.clone().into_vec(), all);
        }
    }

    #[test]
    fn a_file_that_cannot_be_written_leaves_the_findings_in_memory() {
        let all: Vec<Finding> = (0..2000).map(finding).collect();
        let path = std::env::temp_dir().join(format!("kcheck-findings-ro-{}", std::process::id()));
        std::fs::write(&path, b"").unwrap();
        let read_only = std::fs::File::open(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        let spilled = spill(Backing::file(read_only), &all);
        assert_eq!(spilled.into_vec(), all);
    }

    #[test]
    fn findings_in_memory_answer_the_same() {
        let all: Vec<Finding> = (0..50).map(finding).collect();
        let m = Findings::from(all.clone());
        assert!(!m.spilled());
        assert_eq!(m.pick(&[0, 49, 50]).count(), 2);
        assert_eq!(m.briefs_of(&[3, 99]).count(), 1);
        assert_eq!(m.range(45..60).count(), 5);
        let s = spill(Backing::memory(), &all);
        assert_eq!(s.range(45..60).count(), 5);
        assert_eq!(s.into_vec(), m.into_vec());
    }

    fn temporary() -> std::fs::File {
        let dir = std::env::temp_dir();
        let path = dir.join(format!("kcheck-findings-test-{}", std::process::id()));
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .expect("temporary file");
        let _ = std::fs::remove_file(&path);
        f
    }
}
