//! Text layout for the terminal: display width (CJK characters take two columns), padding,
//! word wrapping that may break between CJK characters, and removal of control characters that
//! a hostile manifest could use to drive the terminal. Also the [`Spool`] the text renderers
//! write through.

use std::borrow::Cow;
use std::io;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns a string takes in a terminal.
pub(crate) fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

fn char_width(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// `s` followed by spaces up to `w` columns.
pub(crate) fn pad(s: &str, w: usize) -> String {
    let mut out = String::with_capacity(s.len() + w);
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(s))));
    out
}

/// Control characters (ESC, C1, DEL...) replaced with U+FFFD, tabs with a space; newlines kept.
pub(crate) fn clean(s: &str) -> Cow<'_, str> {
    let bad = |c: char| c != '\n' && (c.is_control() || is_bidi_control(c));
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\t' => ' ',
                c if bad(c) => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

/// Bidirectional overrides can make a terminal show text in another order than it is.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Punctuation that must not start a line (it sticks to the word before it): ASCII and the
/// full-width forms Chinese text uses.
fn no_break_before(c: char) -> bool {
    matches!(
        c,
        ',' | '.' | ';' | ':' | '!' | '?' | ')' | ']'
            | '\u{3001}' // ideographic comma
            | '\u{3002}' // ideographic full stop
            | '\u{FF0C}' // full-width comma
            | '\u{FF1A}' // full-width colon
            | '\u{FF1B}' // full-width semicolon
            | '\u{FF01}' // full-width exclamation mark
            | '\u{FF1F}' // full-width question mark
            | '\u{FF09}' // full-width right parenthesis
            | '\u{300D}' // right corner bracket
            | '\u{300B}' // right double angle bracket
            | '\u{201D}' // right double quotation mark
    )
}

/// Words to pack: runs of narrow characters, or single wide characters (CJK can break anywhere),
/// each with whether a space came before it. Closing punctuation joins the token before it.
fn tokens(line: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut cur = String::new();
    let mut cur_space = false;
    let mut space_before = false;
    for c in line.chars() {
        if c == ' ' {
            if !cur.is_empty() {
                out.push((std::mem::take(&mut cur), cur_space));
            }
            space_before = true;
            continue;
        }
        let wide = char_width(c) > 1;
        if no_break_before(c) && !space_before && cur.is_empty() {
            if let Some(last) = out.last_mut() {
                last.0.push(c);
                continue;
            }
        }
        if wide && !no_break_before(c) {
            // A break is allowed before and after a wide character.
            if !cur.is_empty() {
                out.push((std::mem::take(&mut cur), cur_space));
            }
            out.push((c.to_string(), space_before));
        } else {
            if cur.is_empty() {
                cur_space = space_before;
            }
            cur.push(c);
            if wide {
                // Wide closing punctuation inside a narrow word: a break may follow it.
                out.push((std::mem::take(&mut cur), cur_space));
            }
        }
        space_before = false;
    }
    if !cur.is_empty() {
        out.push((cur, cur_space));
    }
    out
}

/// Lines of at most `w` columns (a word wider than `w` is cut). Always at least one line.
pub(crate) fn wrap(s: &str, w: usize) -> Vec<String> {
    let w = w.max(8);
    let mut lines = Vec::new();
    for paragraph in s.split('\n') {
        let mut line = String::new();
        let mut line_w = 0;
        for (word, space) in tokens(paragraph) {
            let ww = width(&word);
            let sep = usize::from(space && !line.is_empty());
            if line_w + sep + ww <= w {
                if sep == 1 {
                    line.push(' ');
                }
                line.push_str(&word);
                line_w += sep + ww;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_w = 0;
            }
            // The word alone may still be too wide: cut it.
            for c in word.chars() {
                let cw = char_width(c);
                if line_w + cw > w && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0;
                }
                line.push(c);
                line_w += cw;
            }
        }
        lines.push(line);
    }
    lines
}

/// Unbreakable parts joined by two spaces, packed into lines of at most `w` columns (a part wider
/// than a line gets a line of its own).
pub(crate) fn pack(parts: &[String], w: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for part in parts.iter().filter(|p| !p.is_empty()) {
        if !line.is_empty() && width(&line) + 2 + width(part) > w {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push_str("  ");
        }
        line.push_str(part);
    }
    lines.push(line);
    lines
}

/// A small text buffer in front of a writer: a renderer formats one piece of the report into
/// `buf` (a section, an item, a finding) with the same `&mut String` helpers the PSS renderers
/// share, then [`Spool::flush`]es it. Memory stays at the size of the largest piece instead of
/// the whole report (half a million findings make hundreds of megabytes of text), and an
/// unbuffered writer still gets one `write_all` per piece rather than one per fragment.
pub(crate) struct Spool<'w> {
    pub(crate) buf: String,
    out: &'w mut dyn io::Write,
    /// In [`Spool::trimming_end`] mode, the whitespace at the end of what was flushed so far,
    /// not yet written: it is written when more text follows, dropped by [`Spool::finish`].
    held: Option<String>,
}

impl<'w> Spool<'w> {
    pub(crate) fn new(out: &'w mut dyn io::Write) -> Self {
        Spool {
            // Enough for a typical finding, so the buffer rarely grows.
            buf: String::with_capacity(4096),
            out,
            held: None,
        }
    }

    /// A spool whose output, once [`Spool::finish`]ed, ends with exactly one newline whatever
    /// whitespace the last piece left: what `trim_end()` and a `'\n'` did on the whole string,
    /// without the whole string.
    pub(crate) fn trimming_end(out: &'w mut dyn io::Write) -> Self {
        Spool {
            held: Some(String::new()),
            ..Spool::new(out)
        }
    }

    /// Writes what was formatted since the last flush; the buffer keeps its capacity for the
    /// next piece.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        match &mut self.held {
            None => self.out.write_all(self.buf.as_bytes())?,
            Some(held) => {
                // Whitespace is only known to be trailing once the document ends, so it waits
                // until something else is written after it. `trim_end` works by `char`, and
                // `buf` holds whole characters, so trimming piece by piece trims the same
                // whitespace as trimming the whole text at once.
                let body = self.buf.trim_end();
                if !body.is_empty() {
                    self.out.write_all(held.as_bytes())?;
                    held.clear();
                    self.out.write_all(body.as_bytes())?;
                }
                held.push_str(&self.buf[body.len()..]);
            }
        }
        self.buf.clear();
        Ok(())
    }

    /// Flushes the last piece; in [`Spool::trimming_end`] mode, drops the trailing whitespace and
    /// ends with one newline.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.flush()?;
        if self.held.is_some() {
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// Renders into a `String` through a streaming writer: the bytes are the same either way, so
/// `render` and `render_to` cannot drift apart.
/// Writing to a vector does not fail and renderers write only UTF-8; were either ever untrue, the
/// text written so far is returned rather than a panic.
pub(crate) fn to_string(write: impl FnOnce(&mut dyn io::Write) -> io::Result<()>) -> String {
    let mut bytes = Vec::new();
    let _ = write(&mut bytes);
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_takes_two_columns() {
        assert_eq!(width("不通过"), 6);
        assert_eq!(pad("通过", 6), "通过  ");
        assert_eq!(pad("PASS", 6), "PASS  ");
    }

    #[test]
    fn wraps_words_and_cjk() {
        assert_eq!(
            wrap("the quick brown fox jumps over", 10),
            vec!["the quick", "brown fox", "jumps over"]
        );
        let zh = wrap("对所有名字空间强制执行适当的 Pod 安全标准", 10);
        assert!(zh.iter().all(|l| width(l) <= 10), "{zh:?}");
        assert_eq!(
            zh.concat().replace(' ', ""),
            "对所有名字空间强制执行适当的Pod安全标准"
        );
        // Chinese punctuation stays with the character before it.
        for comma in [",", "\u{FF0C}"] {
            let p = wrap(&format!("需要节点扫描{comma}然后重试"), 12);
            assert!(p.iter().all(|l| !l.starts_with(comma)), "{p:?}");
            assert_eq!(p.concat(), format!("需要节点扫描{comma}然后重试"));
        }
        assert_eq!(wrap("", 10), vec![String::new()]);
        assert_eq!(wrap("abcdefghijkl", 8), vec!["abcdefgh", "ijkl"]);
    }

    #[test]
    fn control_characters_are_neutralised() {
        assert_eq!(clean("a\x1b[31mb\tc\nd"), "a\u{FFFD}[31mb c\nd");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
    }

    /// What a spool writes when `pieces` are formatted and flushed one after the other.
    fn spooled(trim: bool, pieces: &[&str]) -> String {
        let mut bytes = Vec::new();
        let mut spool = if trim {
            Spool::trimming_end(&mut bytes)
        } else {
            Spool::new(&mut bytes)
        };
        for p in pieces {
            spool.buf.push_str(p);
            spool.flush().unwrap();
        }
        spool.finish().unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn a_spool_writes_its_pieces_in_order() {
        assert_eq!(spooled(false, &["a\n", "", "b  \n\n"]), "a\nb  \n\n");
    }

    #[test]
    fn a_trimming_spool_ends_as_trim_end_and_a_newline() {
        // Whitespace inside the text is kept, even when a piece ends with it or is nothing else;
        // only the end of the whole text is trimmed, Unicode whitespace included.
        let cases: &[&[&str]] = &[
            &["# t\n\n", "- a  \n", "  \n\n", "- b\u{3000}", "\n\n"],
            &["x", " ", "\u{3000}\n", "y \n\n"],
            &["only\n", "\n", " \t", ""],
            &["  ", "\n"],
        ];
        for pieces in cases {
            let whole = pieces.concat();
            assert_eq!(
                spooled(true, pieces),
                format!("{}\n", whole.trim_end()),
                "{pieces:?}"
            );
        }
    }

    #[test]
    fn packs_parts() {
        let parts = vec!["aaaa".to_owned(), "bbbb".to_owned(), "cccc".to_owned()];
        assert_eq!(pack(&parts, 10), vec!["aaaa  bbbb", "cccc"]);
    }
}
