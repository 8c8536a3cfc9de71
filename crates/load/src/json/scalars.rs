//! JSON scalars: strings with their escapes (surrogate pairs included), numbers, literals.

use super::Reader;
use crate::yaml::Problem;
use kcheck_model::{Str, Value};

impl Reader<'_> {
    pub(super) fn literal(&mut self, word: &str, value: Value) -> Result<Value, Problem> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(value)
        } else {
            Err(self.unexpected("a value", "一个值"))
        }
    }

    /// A JSON number: an int64 when it is an integer that fits, else a float64 (kubectl's
    /// conversion of `json.Number`); out of float64 range is an error there too.
    pub(super) fn number(&mut self) -> Result<Value, Problem> {
        let start = self.i;
        let digits = |r: &mut Self| {
            let from = r.i;
            while r.peek().is_some_and(|c| c.is_ascii_digit()) {
                r.i += 1;
            }
            r.i - from
        };
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(self.unexpected("a digit", "数字")),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.i += 1;
            integer = false;
            if digits(self) == 0 {
                return Err(self.unexpected("a digit after '.'", "'.' 之后的数字"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            integer = false;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.unexpected("a digit in the exponent", "指数中的数字"));
            }
        }
        let s = &self.text[start..self.i];
        if integer {
            if let Ok(v) = s.parse::<i64>() {
                return Ok(Value::Int(v));
            }
        }
        match s.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => {
                self.i = start;
                Err(self.error(
                    &format!("number {s} is out of range"),
                    &format!("数字 {s} 超出范围"),
                ))
            }
        }
    }

    /// A string, from its opening quote.
    pub(super) fn string(&mut self) -> Result<Str, Problem> {
        self.i += 1;
        let start = self.i;
        self.plain_run();
        if self.peek() == Some(b'"') {
            self.i += 1;
            return Ok(Str::from(&self.text[start..self.i - 1]));
        }
        let mut out = String::with_capacity(self.i - start + 16);
        out.push_str(&self.text[start..self.i]);
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(Str::from(out));
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(0..=0x08 | 0x0A..=0x1F) => {
                    return Err(self.error(
                        "control character in a string (write it as an escape)",
                        "字符串中有控制字符(应写成转义)",
                    ))
                }
                Some(_) => {
                    let from = self.i;
                    self.plain_run();
                    out.push_str(&self.text[from..self.i]);
                }
                None => return Err(self.unexpected("'\"' closing the string", "结束字符串的 '\"'")),
            }
        }
    }

    /// Skips string content up to a quote, a backslash, a control character or the end. A raw
    /// tab is taken as it is: Go's JSON refuses it, but YAML (which read JSON before) keeps it.
    fn plain_run(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if c == b'"' || c == b'\\' || (c < 0x20 && c != b'\t') {
                break;
            }
            self.cont += usize::from(c & 0xC0 == 0x80);
            self.i += 1;
        }
    }

    fn hex4(&self, at: usize) -> Option<u16> {
        let digits = self.text.get(at..at + 4)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u16::from_str_radix(digits, 16).ok()
    }

    /// One escape, from its backslash. A lone surrogate becomes U+FFFD, as in Go.
    fn escape(&mut self, out: &mut String) -> Result<(), Problem> {
        let c = match self.b.get(self.i + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let Some(unit) = self.hex4(self.i + 2) else {
                    return Err(self.error(
                        "\\u must be followed by four hexadecimal digits",
                        "\\u 之后必须是四个十六进制数字",
                    ));
                };
                self.i += 6;
                let c = match unit {
                    0xD800..=0xDBFF => {
                        let low = (self.b.get(self.i..self.i + 2) == Some(b"\\u"))
                            .then(|| self.hex4(self.i + 2))
                            .flatten()
                            .filter(|low| (0xDC00..=0xDFFF).contains(low));
                        match low {
                            Some(low) => {
                                self.i += 6;
                                let c = 0x10000
                                    + ((u32::from(unit) - 0xD800) << 10)
                                    + (u32::from(low) - 0xDC00);
                                char::from_u32(c).unwrap_or('\u{FFFD}')
                            }
                            None => '\u{FFFD}',
                        }
                    }
                    _ => char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'),
                };
                out.push(c);
                return Ok(());
            }
            _ => {
                self.i += 1;
                return Err(self.error("invalid escape in a string", "字符串中的转义无效"));
            }
        };
        out.push(c);
        self.i += 2;
        Ok(())
    }
}
