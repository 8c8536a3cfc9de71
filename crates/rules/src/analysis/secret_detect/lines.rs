//! Reading one line of a configuration file kept as a single value: `.properties`, `.env`, YAML,
//! TOML, INI, JSON, simple XML elements and command-line flags.

/// Whether a line is a comment in one of the formats above.
pub fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#') || t.starts_with("//") || t.starts_with(';') || t.starts_with("<!--")
}

/// Splits `key = value`, `key: value`, `"key": "value",`, `export KEY='value'`,
/// `--flag=value` and `<key>value</key>` into the key and its unquoted value. `None` when the
/// line is not an assignment.
pub fn split_assignment(line: &str) -> Option<(&str, &str)> {
    let mut t = line.trim();
    t = t.strip_prefix("- ").unwrap_or(t).trim_start();
    t = t.strip_prefix("export ").unwrap_or(t).trim_start();
    if let Some(xml) = xml_element(t) {
        return Some(xml);
    }
    // The first `=`, or the first `:` that ends a key (followed by a space, a quote or nothing,
    // so that `http://` is not a key).
    let b = t.as_bytes();
    let sep = (0..b.len()).find(|&i| {
        b[i] == b'='
            || (b[i] == b':'
                && b.get(i + 1)
                    .is_none_or(|&n| n == b' ' || n == b'\t' || n == b'"'))
    })?;
    let key = t[..sep]
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .trim_start_matches('-');
    let key_ok = !key.is_empty()
        && key.len() <= 128
        && key
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"_.-/[]".contains(&c));
    if !key_ok {
        return None;
    }
    Some((key, unquote(&t[sep + 1..])))
}

/// The value part of an assignment, without quotes, a trailing comma or semicolon, or a
/// trailing ` # comment`.
fn unquote(raw: &str) -> &str {
    let v = raw.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(quote) {
            let mut escaped = false;
            for (i, c) in inner.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    c if c == quote && !escaped => return &inner[..i],
                    _ => escaped = false,
                }
            }
            return inner;
        }
    }
    let v = match v.find(" #") {
        Some(i) => &v[..i],
        None => v,
    };
    v.trim_end_matches([',', ';']).trim()
}

/// `<password>value</password>`.
fn xml_element(t: &str) -> Option<(&str, &str)> {
    let rest = t.strip_prefix('<')?;
    let close = rest.find('>')?;
    let tag = &rest[..close];
    if tag.is_empty()
        || !tag
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"_.-".contains(&c))
    {
        return None;
    }
    let body = &rest[close + 1..];
    let end = body.find("</")?;
    body[end + 2..]
        .strip_prefix(tag)
        .filter(|r| r.starts_with('>'))?;
    Some((tag, body[..end].trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_in_many_formats() {
        for (line, key, value) in [
            ("db.password=s3cret", "db.password", "s3cret"),
            ("db.password = s3cret", "db.password", "s3cret"),
            ("db.password: s3cret", "db.password", "s3cret"),
            ("  PASSWORD: \"s3cret\"  # prod", "PASSWORD", "s3cret"),
            ("PASSWORD: s3cret # prod", "PASSWORD", "s3cret"),
            ("export DB_PASS='s3cret'", "DB_PASS", "s3cret"),
            ("  \"password\": \"s3cret\",", "password", "s3cret"),
            ("password = \"s3cret\"", "password", "s3cret"),
            ("- token: abc", "token", "abc"),
            ("--db-password=s3cret", "db-password", "s3cret"),
            ("<password>s3cret</password>", "password", "s3cret"),
            ("password:", "password", ""),
            ("url: postgres://u:p@h/db", "url", "postgres://u:p@h/db"),
        ] {
            assert_eq!(split_assignment(line), Some((key, value)), "{line}");
        }
    }

    #[test]
    fn not_assignments() {
        for line in [
            "postgres://u:p@h/db",
            "just some words here",
            "",
            "-----BEGIN RSA PRIVATE KEY-----",
            "some sentence: with a colon = and more",
            "<a href=x>link</a>",
        ] {
            assert_eq!(split_assignment(line), None, "{line}");
        }
    }

    #[test]
    fn comments() {
        assert!(is_comment("  # password=x"));
        assert!(is_comment("// x"));
        assert!(is_comment("; ini comment"));
        assert!(!is_comment("password=x"));
    }
}
