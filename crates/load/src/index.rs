//! Pass 1 of a streaming scan: the few objects rules look up, read without parsing the rest.
//!
//! A document whose text does not contain the name of a kind the index holds cannot hold an
//! object of that kind (a kind is written out in full, in YAML and in JSON alike), so only the
//! documents that name one are parsed. The objects are exactly what [`crate::load_bytes`] gives
//! for them, positions included: a document is parsed alone with the lines before it counted,
//! and a file where that might differ (directives, document end markers, byte order marks in
//! the middle, JSON, a document that needed a second try or failed) is parsed whole.

use crate::files::load_bytes;
use crate::limits::Limits;
use crate::objects::document_objects;
use crate::text::{decode, looks_like_json};
use crate::yaml::{parse_documents_from, DocOutcome};
use aho_corasick::AhoCorasick;
use kcheck_model::Object;
use std::sync::Arc;

/// The kind names pass 1 looks for.
pub struct KindPatterns {
    finder: Option<AhoCorasick>,
}

impl KindPatterns {
    pub fn new(kinds: &[&str]) -> KindPatterns {
        KindPatterns {
            finder: (!kinds.is_empty())
                .then(|| AhoCorasick::new(kinds).ok())
                .flatten(),
        }
    }

    /// Whether `text` contains one of the kind names as a word: not inside a longer name
    /// (`Policy` in `imagePullPolicy` or `NetworkPolicy`), which is how a kind is written as a
    /// value, quoted or not, in YAML and JSON; or as the kind of a typed list (`RoleList`),
    /// whose items may leave theirs out.
    pub fn in_text(&self, text: &str) -> bool {
        self.words(text).next().is_some()
    }

    /// Where the kind names occur in `text` as words, in order.
    fn words<'t>(&'t self, text: &'t str) -> impl Iterator<Item = usize> + 't {
        let bytes = text.as_bytes();
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        self.finder
            .iter()
            .flat_map(move |f| f.find_overlapping_iter(text))
            .filter(move |m| {
                let before = m.start().checked_sub(1).map(|i| bytes[i]);
                // `RoleList` is a list of Roles whose items may leave their kind out.
                let end = if bytes[m.end()..].starts_with(b"List") {
                    m.end() + 4
                } else {
                    m.end()
                };
                let ends_word = |at: usize| !bytes.get(at).copied().is_some_and(word);
                !before.is_some_and(word) && (ends_word(m.end()) || ends_word(end))
            })
            .map(|m| m.start())
    }
}

/// The objects of one file's bytes that `keep` selects, parsing only the documents that name a
/// kind of `patterns` (see the module documentation). Problems are not reported here: the
/// second pass loads the file whole and reports them.
pub fn load_indexed(
    name: &str,
    bytes: &[u8],
    limits: &Limits,
    patterns: &KindPatterns,
    keep: &(dyn Fn(&Object) -> bool + Sync),
) -> Vec<Object> {
    let Ok(text) = decode(bytes) else {
        return Vec::new();
    };
    let mut words = patterns.words(&text).peekable();
    if words.peek().is_none() {
        return Vec::new();
    }
    let whole = || {
        let mut objects = load_bytes(name, bytes, limits).objects;
        objects.retain(|o| keep(o));
        objects
    };
    let Some(documents) = documents(&text) else {
        return whole();
    };
    let file: Arc<str> = name.into();
    let mut objects = Vec::new();
    let (mut problems, mut passed_over) = (Vec::new(), Vec::new());
    for (document, chunk) in documents.iter().enumerate() {
        // The kind names that occur before this document's end, and whether one is in it.
        let mut named = false;
        while let Some(&at) = words.peek() {
            if at >= chunk.end {
                break;
            }
            named |= at >= chunk.start;
            words.next();
        }
        if !named {
            continue;
        }
        let parsed =
            parse_documents_from(&text[chunk.start..chunk.end], chunk.lines_before, limits);
        if parsed.retried || !parsed.errors.is_empty() {
            return whole();
        }
        let document = u32::try_from(document).unwrap_or(u32::MAX);
        for doc in parsed.documents {
            if let DocOutcome::Node(node) = doc {
                let mut of_document = Vec::new();
                document_objects(
                    node,
                    &file,
                    document,
                    &mut of_document,
                    &mut problems,
                    &mut passed_over,
                );
                objects.extend(of_document.into_iter().filter(|o| keep(o)));
            }
        }
    }
    objects
}

/// One document of a YAML stream: its bytes, and the lines of the file before it.
struct Chunk {
    start: usize,
    end: usize,
    lines_before: usize,
}

/// The documents of a YAML stream, split before each line that starts with `---` followed by
/// whitespace or the end of the line (a document start marker, which YAML allows nowhere else
/// at the start of a line), in one pass over its lines. `None` when a document-by-document
/// parse might read the stream differently from a parse of the whole: JSON, a directive
/// (`%YAML`, `%TAG`), a document end marker (`...`) or a byte order mark past the start.
fn documents(text: &str) -> Option<Vec<Chunk>> {
    if looks_like_json(text)
        || memchr::memmem::find(text.as_bytes(), "\u{feff}".as_bytes()).is_some()
    {
        return None;
    }
    let bytes = text.as_bytes();
    let marker_end =
        |at: usize| matches!(bytes.get(at + 3), None | Some(b' ' | b'\t' | b'\r' | b'\n'));
    let mut chunks = vec![Chunk {
        start: 0,
        end: text.len(),
        lines_before: 0,
    }];
    let line_starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
    for (line, at) in line_starts.enumerate() {
        match bytes.get(at) {
            Some(b'%') => return None,
            Some(b'.') if bytes[at..].starts_with(b"...") && marker_end(at) => return None,
            Some(b'-') if at > 0 && bytes[at..].starts_with(b"---") && marker_end(at) => {
                if let Some(last) = chunks.last_mut() {
                    last.end = at;
                }
                chunks.push(Chunk {
                    start: at,
                    end: text.len(),
                    lines_before: line,
                });
            }
            _ => {}
        }
    }
    Some(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(text: &str, kinds: &[&str]) -> Vec<(String, String, u32, u32)> {
        let patterns = KindPatterns::new(kinds);
        let keep = |o: &Object| kinds.contains(&o.kind.as_str());
        load_indexed(
            "f.yaml",
            text.as_bytes(),
            &Limits::default(),
            &patterns,
            &keep,
        )
        .iter()
        .map(at)
        .collect()
    }

    fn whole(text: &str, kinds: &[&str]) -> Vec<(String, String, u32, u32)> {
        load_bytes("f.yaml", text.as_bytes(), &Limits::default())
            .objects
            .iter()
            .filter(|o| kinds.contains(&o.kind.as_str()))
            .map(at)
            .collect()
    }

    /// An object's kind, name and position.
    fn at(o: &Object) -> (String, String, u32, u32) {
        let pos = o.root.pos;
        (o.kind.clone(), o.name.clone(), pos.line, pos.column)
    }

    const STREAM: &str = "\
# leading comment
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny
spec:
  podSelector: {}
--- # a comment after the marker
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: shop}
- apiVersion: v1
  kind: Service
  metadata: {name: s}
---
---
apiVersion: v1
kind: Namespace
metadata:
  name: \"quoted\"
";

    #[test]
    fn only_named_documents_and_the_same_objects_as_a_whole_load() {
        let kinds = ["NetworkPolicy", "Namespace"];
        assert_eq!(kept(STREAM, &kinds), whole(STREAM, &kinds));
        assert_eq!(
            kept(STREAM, &kinds)
                .iter()
                .map(|k| (k.0.as_str(), k.2))
                .collect::<Vec<_>>(),
            [("NetworkPolicy", 6), ("Namespace", 16), ("Namespace", 24)]
        );
    }

    #[test]
    fn files_a_document_parse_could_misread_are_loaded_whole() {
        let kinds = ["Namespace"];
        for text in [
            "%YAML 1.1\n---\nkind: Namespace\napiVersion: v1\nmetadata: {name: a}\n",
            "kind: Namespace\napiVersion: v1\nmetadata: {name: a}\n...\n---\nkind: Namespace\napiVersion: v1\nmetadata: {name: b}\n",
            "{\"kind\": \"Namespace\", \"apiVersion\": \"v1\", \"metadata\": {\"name\": \"j\"}}",
            // A tab after a colon: go-yaml reads it, saphyr needs a second try.
            "kind: Namespace\napiVersion:\tv1\nmetadata: {name: t}\n",
            // A broken document before a good one.
            "kind: [\n---\nkind: Namespace\napiVersion: v1\nmetadata: {name: after}\n",
        ] {
            assert_eq!(kept(text, &kinds), whole(text, &kinds), "{text}");
            assert!(!kept(text, &kinds).is_empty(), "{text}");
        }
    }

    #[test]
    fn kind_names_count_as_words_only() {
        let p = KindPatterns::new(&["Policy", "Pod", "Role"]);
        assert!(!p.in_text("imagePullPolicy: Always\nkind: NetworkPolicy\n"));
        assert!(!p.in_text("kind: PodDisruptionBudget\nkind: ClusterRole"));
        for text in [
            "kind: Policy",
            "{\"kind\":\"Pod\"}",
            "kind: 'Role'",
            "- {kind: Role, name: x}",
            "kind:\tPod\r\n",
            "kind: RoleList\nitems: []",
        ] {
            assert!(p.in_text(text), "{text}");
        }
    }

    #[test]
    fn nothing_is_parsed_without_a_kind_name() {
        assert!(kept("kind: [broken\n", &["Namespace"]).is_empty());
        assert!(kept(STREAM, &[]).is_empty());
    }
}
