//! The few lines of YAML around a finding, for the HTML report, read from the finding's file at
//! render time and redacted.
//!
//! A finding never carries a secret (its message holds at most a keyed fingerprint); the lines
//! around it may. So a snippet shows a value only when nothing says it could be one, and errs
//! towards hiding: every value under a document's `data`, `stringData` or `binaryData` (a
//! Secret's or a ConfigMap's), every annotation value but short plain ones of Kubernetes' own
//! annotations, every `value:` (environment variables), every value under a key whose name
//! speaks of a password, token, secret, credential or key, the lines of a block scalar under any
//! of those, and anywhere a value shaped like a secret (a key block, a URL with a password, a
//! long random token). What is hidden reads `‹redacted›`; booleans and numbers are shown.
//!
//! Reading is bounded: files over [`MAX_FILE`] bytes, JSON and files that cannot be read give
//! no snippet, at most [`MAX_FILES`] files are read per report, and the last few stay cached
//! (a rule's findings are sorted by file).

use kcheck_model::Location;
use std::sync::Arc;

/// Largest file read for snippets.
pub(crate) const MAX_FILE: u64 = 1 << 20;
/// Most files read for one report.
pub(crate) const MAX_FILES: usize = 1000;
/// Files kept in memory at once.
const CACHED: usize = 8;
/// Lines shown before and after the finding's line.
const AROUND: u32 = 2;
/// Longest line shown, in characters.
const MAX_LINE: usize = 160;

pub(crate) const REDACTED: &str = "‹redacted›";

/// Lines of a file, around a line of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Snippet {
    /// The number of the first line (1-based).
    pub(crate) first: u32,
    /// The finding's line (1-based).
    pub(crate) at: u32,
    /// The finding's column on it (1-based, in characters; 0 when unknown).
    pub(crate) column: u32,
    pub(crate) lines: Vec<String>,
}

/// A file's lines, redacted; `None` when it cannot be shown.
type Lines = Option<Arc<Vec<String>>>;

/// Reads snippets, a file at a time, redacted once when read.
#[derive(Default)]
pub(crate) struct Snippets {
    cache: Vec<(Arc<str>, Lines)>,
    read: usize,
}

impl Snippets {
    pub(crate) fn new() -> Snippets {
        Snippets::default()
    }

    /// The lines around `loc`, or `None` when its file cannot be read or shown.
    pub(crate) fn around(&mut self, loc: &Location) -> Option<Snippet> {
        if loc.line == 0 {
            return None;
        }
        let lines = self.lines(&loc.file)?;
        let at = loc.line as usize;
        if at > lines.len() {
            return None;
        }
        let first = at.saturating_sub(AROUND as usize).max(1);
        let last = (at + AROUND as usize).min(lines.len());
        Some(Snippet {
            first: first as u32,
            at: loc.line,
            column: loc.column,
            lines: lines[first - 1..last].to_vec(),
        })
    }

    fn lines(&mut self, file: &Arc<str>) -> Lines {
        if let Some(i) = self.cache.iter().position(|(f, _)| f == file) {
            let hit = self.cache.remove(i);
            let lines = hit.1.clone();
            self.cache.push(hit);
            return lines;
        }
        let lines = if self.read < MAX_FILES {
            self.read += 1;
            read(file).map(|text| Arc::new(redact(&text)))
        } else {
            None
        };
        if self.cache.len() == CACHED {
            self.cache.remove(0);
        }
        self.cache.push((file.clone(), lines.clone()));
        lines
    }
}

/// A YAML file's text, when it is one and small enough.
fn read(file: &str) -> Option<String> {
    use std::io::Read;
    let f = std::fs::File::open(file).ok()?;
    let meta = f.metadata().ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE {
        return None;
    }
    let mut text = String::new();
    f.take(MAX_FILE).read_to_string(&mut text).ok()?;
    // JSON (and a JSON list): its nesting is not by indentation; no snippet.
    if text.trim_start().starts_with(['{', '[']) {
        return None;
    }
    Some(text)
}

/// Where a line is in its document: the keys above it, by indentation.
struct Frame {
    indent: usize,
    key: String,
    /// Values under this key are hidden.
    hidden: bool,
}

/// Every line of a YAML text, its values redacted (see the module's documentation).
pub(crate) fn redact(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    // An open block scalar: the indentation of its key's line, and whether its lines are hidden.
    let mut block: Option<(usize, bool)> = None;
    for raw in text.lines() {
        let line = raw.trim_end_matches('\r');
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = &line[indent..];
        if let Some((key_indent, hidden)) = block {
            if content.is_empty() || indent > key_indent {
                out.push(if content.is_empty() {
                    String::new()
                } else if hidden || looks_secret(content) {
                    format!("{}{REDACTED}", &line[..indent])
                } else {
                    shorten(line)
                });
                continue;
            }
            block = None;
        }
        if content.is_empty() {
            out.push(String::new());
            continue;
        }
        if indent == 0 && (content.starts_with("---") || content.starts_with("...")) {
            stack.clear();
            out.push(shorten(line));
            continue;
        }
        if content.starts_with('#') {
            out.push(comment(line, indent));
            continue;
        }
        // `- - key: v`: each dash is a level of indentation.
        let mut at = indent;
        let mut rest = content;
        while rest == "-" || rest.starts_with("- ") {
            let skip = if rest == "-" { 1 } else { 2 };
            let spaces = rest[skip..].len() - rest[skip..].trim_start_matches(' ').len();
            at += skip + spaces;
            rest = &rest[skip + spaces..];
        }
        while stack.last().is_some_and(|f| f.indent >= at) {
            stack.pop();
        }
        let parent_hidden = stack.last().is_some_and(|f| f.hidden);
        let prefix_len = line.len() - rest.len();
        let (key, value, value_at) = match split_key(rest) {
            Some((k, v, off)) => (Some(k), v, prefix_len + off),
            None => (None, rest, prefix_len),
        };
        let value = strip_comment(value);
        // A Pod's `secret:` volume and `imagePullSecrets` hold names, not secrets.
        let names_secrets =
            |k: &str| value.is_empty() && matches!(k, "secret" | "secrets" | "imagePullSecrets");
        let hide_under = parent_hidden
            || key.as_deref().is_some_and(|k| {
                hides_below(k, &stack)
                    || (sensitive_name(k) && !names_secrets(k))
                    || k == "value"
                    || under_annotations(&stack)
            });
        let show_value = !value_hidden(key.as_deref(), value, &stack, parent_hidden);
        let mut shown = if show_value || value.is_empty() || is_block_start(value) {
            line[..value_at + value.len()].to_owned()
        } else {
            format!("{}{REDACTED}", &line[..value_at])
        };
        if show_value && shown.len() < line.len() {
            // The comment after the value.
            let tail = &line[value_at + value.len()..];
            shown.push_str(if looks_secret(tail) { "" } else { tail });
        }
        out.push(shorten(&shown));
        if let Some(k) = key {
            if is_block_start(value) {
                block = Some((at, hide_under));
            }
            stack.push(Frame {
                indent: at,
                key: k,
                hidden: hide_under,
            });
        } else if is_block_start(value) {
            block = Some((at, parent_hidden));
        }
    }
    out
}

/// Whether a value is hidden: it or the keys above it could hold a secret.
fn value_hidden(key: Option<&str>, value: &str, stack: &[Frame], parent_hidden: bool) -> bool {
    if value.is_empty() || is_block_start(value) {
        return false;
    }
    if is_plain_literal(value) {
        return false;
    }
    if parent_hidden || looks_secret(value) {
        return true;
    }
    match key {
        Some(k) => {
            if under_annotations(stack) {
                return !(kubernetes_annotation(k) && is_plain_word(value));
            }
            sensitive_name(k) || k == "value" || hides_below(k, stack)
        }
        // A list item or the rest of a plain scalar: what holds it says. A flow mapping with a
        // `value` is an environment variable's.
        None => {
            sensitive_text(value)
                || (value.starts_with('{') && value.contains("value"))
                || stack.last().is_some_and(|f| f.key == "env")
        }
    }
}

/// `data`, `stringData` and `binaryData`: a Secret's and a ConfigMap's values, at the top of a
/// document or in a `List`'s items (and wherever else they are: hiding more is safe).
fn hides_below(key: &str, _stack: &[Frame]) -> bool {
    matches!(key, "data" | "stringData" | "binaryData")
}

fn under_annotations(stack: &[Frame]) -> bool {
    stack.last().is_some_and(|f| f.key == "annotations")
}

/// Annotations of Kubernetes itself (`container.apparmor.security.beta.kubernetes.io/app`),
/// whose values say how a workload runs; other annotations may hold anything.
fn kubernetes_annotation(key: &str) -> bool {
    let name = key.trim_matches(['"', '\'']);
    let prefix = name.split_once('/').map_or("", |(p, _)| p);
    (prefix.ends_with("kubernetes.io") || prefix.ends_with("k8s.io"))
        && !name.contains("last-applied-configuration")
}

/// A key name that says secret.
fn sensitive_name(key: &str) -> bool {
    let k = key.trim_matches(['"', '\'']).to_ascii_lowercase();
    // What names or points at a secret holds none: a toleration's or a reference's `key`,
    // `secretName`, `secretKeyRef`.
    if k == "key" || k.ends_with("name") || k.ends_with("ref") {
        return false;
    }
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "credential",
        "apikey",
        "api_key",
        "api-key",
        "private",
        "passphrase",
        "auth",
        "cert",
        "dsn",
        "connection",
    ];
    WORDS.iter().any(|w| k.contains(w)) || k.ends_with("key") || k.ends_with("url")
}

/// A list item or flag that names a secret (`--token=...`, `password: x`).
fn sensitive_text(value: &str) -> bool {
    let v = value.to_ascii_lowercase();
    ["password", "passwd", "secret", "token", "credential", "key"]
        .iter()
        .any(|w| v.contains(w))
}

/// `true`, `false`, `null`, a number: no secret.
fn is_plain_literal(value: &str) -> bool {
    let v = value.trim_matches(['"', '\'']);
    matches!(
        v,
        "true" | "false" | "True" | "False" | "null" | "~" | "yes" | "no"
    ) || (!v.is_empty()
        && v.len() <= 12
        && v.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-'))
}

/// A short word of the kind an annotation of Kubernetes' holds (`runtime/default`,
/// `unconfined`).
fn is_plain_word(value: &str) -> bool {
    let v = value.trim_matches(['"', '\'']);
    v.len() <= 64
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '-' | '_' | ':'))
        && !looks_secret(v)
}

fn is_block_start(value: &str) -> bool {
    value.starts_with('|') || value.starts_with('>')
}

/// Text shaped like a secret wherever it is: a key block, a URL with a password, a long random
/// token (letters and digits, 20 or more, not a hex digest).
pub(crate) fn looks_secret(text: &str) -> bool {
    if text.contains("-----BEGIN") || text.contains("PRIVATE KEY") {
        return true;
    }
    if let Some(i) = text.find("://") {
        let rest = &text[i + 3..];
        let authority = rest.split(['/', ' ', '"', '\'']).next().unwrap_or("");
        if authority.contains('@') {
            return true;
        }
    }
    let token = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_');
    text.split(|c: char| !token(c)).any(|run| {
        let run = run.trim_matches('/');
        run.len() >= 20
            && run.chars().any(|c| c.is_ascii_digit())
            && run.chars().any(|c| c.is_ascii_alphabetic())
            && !(matches!(run.len(), 40 | 64) && run.chars().all(|c| c.is_ascii_hexdigit()))
    }) || text.split(|c: char| !token(c)).any(|run| run.len() >= 40)
}

/// A comment line: kept when it shows nothing secret.
fn comment(line: &str, indent: usize) -> String {
    let text = &line[indent..];
    if looks_secret(text) || sensitive_text(text) {
        format!("{}# {REDACTED}", &line[..indent])
    } else {
        shorten(line)
    }
}

/// `key: value` split at the colon that ends the key (outside quotes), with where the value
/// starts in `s`; `None` when `s` is no mapping entry.
fn split_key(s: &str) -> Option<(String, &str, usize)> {
    let bytes = s.as_bytes();
    let end = match bytes.first() {
        Some(q @ (b'"' | b'\'')) => {
            let close = s[1..].find(*q as char)? + 1;
            if bytes.get(close + 1) != Some(&b':') {
                return None;
            }
            close + 1
        }
        Some(b'{' | b'[') => return None,
        _ => {
            let mut at = None;
            for (i, c) in s.char_indices() {
                if c == ':' && matches!(bytes.get(i + 1), None | Some(b' ')) {
                    at = Some(i);
                    break;
                }
                if c == ' ' && bytes.get(i + 1) == Some(&b'#') {
                    return None;
                }
            }
            at?
        }
    };
    let key = s[..end].trim_matches(['"', '\'']).to_owned();
    let after = &s[end + 1..];
    let value = after.trim_start();
    Some((key, value.trim_end(), end + 1 + (after.len() - value.len())))
}

/// A value without its trailing comment (` # ...`).
fn strip_comment(value: &str) -> &str {
    if value.starts_with(['"', '\'']) {
        return value;
    }
    match value.find(" #") {
        Some(i) => value[..i].trim_end(),
        None => value,
    }
}

/// At most [`MAX_LINE`] characters.
fn shorten(line: &str) -> String {
    match line.char_indices().nth(MAX_LINE) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn red(text: &str) -> String {
        redact(text).join("\n")
    }

    #[test]
    fn secrets_in_a_list_show_no_value() {
        let list = "kind: List\nitems:\n- kind: Secret\n  stringData:\n    token: abc\n";
        assert_eq!(
            red(list),
            "kind: List\nitems:\n- kind: Secret\n  stringData:\n    token: ‹redacted›"
        );
    }

    #[test]
    fn secrets_and_config_maps_show_no_value() {
        let secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  annotations:\n    example.com/token: abc\n    container.apparmor.security.beta.kubernetes.io/app: runtime/default\ntype: Opaque\ndata:\n  password: aHVudGVyMg==\n  tls.key: |\n    -----BEGIN PRIVATE KEY-----\n    MIIE\nstringData:\n  user: admin\n---\nkind: ConfigMap\ndata:\n  LOG: info\n";
        assert_eq!(
            red(secret),
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  annotations:\n    example.com/token: ‹redacted›\n    container.apparmor.security.beta.kubernetes.io/app: runtime/default\ntype: Opaque\ndata:\n  password: ‹redacted›\n  tls.key: |\n    ‹redacted›\n    ‹redacted›\nstringData:\n  user: ‹redacted›\n---\nkind: ConfigMap\ndata:\n  LOG: ‹redacted›"
        );
    }

    #[test]
    fn env_values_and_secret_shapes_are_hidden_the_rest_shown() {
        let pod = "spec:\n  containers:\n  - name: app\n    image: registry.example/app:1.0.0\n    securityContext:\n      privileged: true\n    env:\n    - name: DB_PASSWORD\n      value: \"hunter2\"\n    - {name: X, val: y}\n    args:\n    - --token=abc\n    - --v=2\n    - postgres://u:pw@db/app\n    - Zq4RtY8uWm2Np6Lk0Hs3Dv9Fb1\n    automountServiceAccountToken: false  # no\n";
        assert_eq!(
            red(pod),
            "spec:\n  containers:\n  - name: app\n    image: registry.example/app:1.0.0\n    securityContext:\n      privileged: true\n    env:\n    - name: DB_PASSWORD\n      value: ‹redacted›\n    - ‹redacted›\n    args:\n    - ‹redacted›\n    - --v=2\n    - ‹redacted›\n    - ‹redacted›\n    automountServiceAccountToken: false  # no"
        );
    }

    #[test]
    fn references_to_secrets_are_shown() {
        let pod = "tolerations:\n- key: node-role.kubernetes.io/control-plane\nenv:\n- name: P\n  valueFrom:\n    secretKeyRef:\n      name: db\n      key: password\nvolumes:\n- secret:\n    secretName: tls\n";
        assert_eq!(red(pod), pod.trim_end());
    }

    #[test]
    fn flow_values_with_secrets_are_hidden() {
        assert_eq!(
            red("env:\n- {name: T, value: ghp_Zq4RtY8uWm2Np6Lk0Hs3Dv9Fb1Xc7Ja5Ge2T}\n"),
            "env:\n- ‹redacted›"
        );
    }
}
