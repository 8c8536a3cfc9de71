//! Secrets recognised by their shape alone: key blocks, cloud keys, vendor tokens, JWTs, URLs
//! with a password. Each finder returns the byte range of the secret in the text it was given.

use super::placeholders::is_placeholder;
use super::redact::decode_base64;
use super::Kind;
use std::ops::Range;

/// A PEM private key block found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PemKey {
    /// The label of its BEGIN line (`RSA PRIVATE KEY`).
    pub label: String,
    /// From the BEGIN line to the END line (or to the end of the text when there is none).
    pub range: Range<usize>,
    /// Whether the body holds key material; `false` for a placeholder (`...`, `<your key>`), a
    /// truncated or a malformed body.
    pub whole: bool,
}

/// Every PEM private key block in `text`, whatever its body holds: a key block in the wrong
/// place is a mistake even when the key in it is a placeholder or cut short. A BEGIN line that
/// a sentence mentions (`paste it after -----BEGIN PRIVATE KEY----- and ...`) is not a block: a
/// block without key material must start a line (or a quoted or assigned value) and end with
/// its END line, or stand at the end of the text, or be followed by base64.
pub fn pem_private_keys(text: &str) -> Vec<PemKey> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = text[from..].find("-----BEGIN ") {
        let start = from + offset;
        let label_start = start + "-----BEGIN ".len();
        let Some(label_len) = text[label_start..].find("-----") else {
            break;
        };
        let label = &text[label_start..label_start + label_len];
        let header_end = label_start + label_len + "-----".len();
        from = header_end;
        let is_private = label.len() <= 40
            && label
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ' ')
            && (label.ends_with("PRIVATE KEY") || label.ends_with("PRIVATE KEY BLOCK"));
        if !is_private {
            continue;
        }
        let end_marker = format!("-----END {label}-----");
        let (body, end, closed) = match text[header_end..].find(&end_marker) {
            Some(e) => (
                &text[header_end..header_end + e],
                header_end + e + end_marker.len(),
                true,
            ),
            None => (&text[header_end..], text.len(), false),
        };
        let whole = has_key_material(body);
        let block = whole || (starts_value(&text[..start]) && (closed || truncated_key(body)));
        if block {
            found.push(PemKey {
                label: label.to_string(),
                range: start..end,
                whole,
            });
            from = end;
        }
    }
    found
}

/// Whether what precedes a BEGIN line on its line leaves it the start of a value: nothing, or
/// a quote, `=`, `:`, `>` (`<key>`), `|` or an opening bracket, not a word of a sentence.
fn starts_value(before: &str) -> bool {
    let line_start = [
        before.rfind('\n').map(|i| i + 1),
        before.rfind("\\n").map(|i| i + 2),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(0);
    before[line_start..]
        .trim_end()
        .chars()
        .next_back()
        .is_none_or(|c| "\"'`=:>|[({,".contains(c))
}

/// The body of a block without an END line: nothing (the BEGIN line ends the text), or base64
/// right after the optional `Proc-Type:` header lines, in one run or in runs of 16 characters or
/// more separated by spaces (a key folded onto one line).
fn truncated_key(body: &str) -> bool {
    let first = body
        .split('\n')
        .flat_map(|l| l.split("\\n"))
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.contains(':'));
    let Some(line) = first else {
        return body.trim().is_empty();
    };
    let base64 = |t: &str| {
        t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
    };
    let runs: Vec<&str> = line.split_whitespace().collect();
    runs.iter().all(|t| base64(t))
        && match runs.as_slice() {
            [one] => one.len() >= 8,
            more => more.iter().all(|t| t.len() >= 16),
        }
}

/// A key block's body holds key material, not `...` or prose: at least 64 base64 characters
/// once the optional `Proc-Type:` header lines are set aside, and starting right after them.
fn has_key_material(body: &str) -> bool {
    let mut run = 0;
    // Newlines may be real or JSON-escaped (`\n`).
    for line in body.split('\n').flat_map(|l| l.split("\\n")) {
        let line = line.trim();
        if line.is_empty() || line.contains(':') {
            continue;
        }
        if !line
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
        {
            break;
        }
        run += line.len();
        if run >= 64 {
            return true;
        }
    }
    false
}

/// A GCP service account key file (`"type": "service_account"` and a `"private_key"`): the range
/// of the private key's JSON string.
pub fn gcp_service_account(text: &str) -> Option<Range<usize>> {
    let type_at = text.find("\"service_account\"")?;
    let before = text[..type_at].trim_end().strip_suffix(':')?.trim_end();
    if !before.ends_with("\"type\"") {
        return None;
    }
    let mut from = 0;
    while let Some(offset) = text[from..].find("\"private_key\"") {
        let after = from + offset + "\"private_key\"".len();
        from = after;
        let rest = text[after..].trim_start();
        let Some(rest) = rest.strip_prefix(':').map(str::trim_start) else {
            continue;
        };
        let Some(value) = rest.strip_prefix('"') else {
            continue;
        };
        let start = text.len() - value.len();
        let mut len = value.len();
        let mut escaped = false;
        for (i, c) in value.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    len = i;
                    break;
                }
                _ => escaped = false,
            }
        }
        let key = &value[..len];
        if key.contains("PRIVATE KEY") && key.len() >= 100 {
            return Some(start..start + len);
        }
    }
    None
}

/// The strongest token in `text` recognised by its shape.
pub fn find_token(text: &str) -> Option<(Kind, Range<usize>)> {
    type Finder = fn(&str) -> Option<Range<usize>>;
    const FINDERS: &[(Finder, Kind)] = &[
        (aws_access_key_id, Kind::AwsAccessKeyId),
        (azure_connection_string, Kind::AzureAccountKey),
        (azure_client_secret, Kind::AzureClientSecret),
        (github_token, Kind::GitHubToken),
        (gitlab_token, Kind::GitLabToken),
        (slack_token, Kind::SlackToken),
        (stripe_key, Kind::StripeKey),
        (jwt, Kind::Jwt),
        (url_password, Kind::UrlPassword),
    ];
    if let Some((key, range)) = base64_pem_private_key(text) {
        return Some((Kind::private_key(key), range));
    }
    FINDERS
        .iter()
        .find_map(|(find, kind)| find(text).map(|r| (kind.clone(), r)))
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The end of the run of bytes from `start` that satisfy `pred`.
fn run_end(text: &str, start: usize, pred: impl Fn(u8) -> bool) -> usize {
    start
        + text.as_bytes()[start..]
            .iter()
            .take_while(|&&b| pred(b))
            .count()
}

/// Occurrences of `prefix` that start a word.
fn starts<'a>(text: &'a str, prefix: &'a str) -> impl Iterator<Item = usize> + 'a {
    text.match_indices(prefix)
        .map(|(i, _)| i)
        .filter(move |&i| i == 0 || !is_word(text.as_bytes()[i - 1]))
}

/// Random-looking: not a placeholder, and at least `distinct` different characters.
fn random_enough(s: &str, distinct: usize) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    seen.extend(s.bytes());
    seen.len() >= distinct && !is_placeholder(s)
}

/// `AKIA`/`ASIA` and 16 base32 characters; AWS's documentation keys (`…EXAMPLE`) are skipped.
pub fn aws_access_key_id(text: &str) -> Option<Range<usize>> {
    ["AKIA", "ASIA"].into_iter().find_map(|prefix| {
        starts(text, prefix).find_map(|i| {
            let end = run_end(text, i + 4, |b| b.is_ascii_alphanumeric());
            let body = &text[i + 4..end];
            let base32 = body
                .bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b));
            (body.len() == 16 && base32 && !body.contains("EXAMPLE") && random_enough(body, 6))
                .then_some(i..end)
        })
    })
}

/// `AccountKey=` or `SharedAccessKey=` in an Azure connection string. The storage emulator's
/// published key (account `devstoreaccount1`) is skipped.
pub fn azure_connection_string(text: &str) -> Option<Range<usize>> {
    if text.contains("devstoreaccount1") || text.contains("UseDevelopmentStorage=true") {
        return None;
    }
    ["AccountKey=", "SharedAccessKey="]
        .into_iter()
        .find_map(|field| {
            text.match_indices(field).find_map(|(i, _)| {
                let start = i + field.len();
                let end = run_end(text, start, |b| {
                    b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='
                });
                (end - start >= 20 && random_enough(&text[start..end], 10)).then_some(start..end)
            })
        })
}

/// Microsoft Entra (Azure AD) client secrets: three characters, a digit, `Q~`, and 31 to 34 more.
pub fn azure_client_secret(text: &str) -> Option<Range<usize>> {
    let secret_char = |b: u8| b.is_ascii_alphanumeric() || b"_~.-".contains(&b);
    text.match_indices("Q~").find_map(|(i, _)| {
        let start = i.checked_sub(4)?;
        let b = text.as_bytes();
        let head_ok = b[start..i - 1].iter().all(|&c| secret_char(c)) && b[i - 1].is_ascii_digit();
        let bounded = start == 0 || !secret_char(b[start - 1]);
        let end = run_end(text, i + 2, secret_char);
        let tail = end - (i + 2);
        (head_ok && bounded && (31..=34).contains(&tail) && random_enough(&text[i + 2..end], 10))
            .then_some(start..end)
    })
}

/// A vendor token: `prefix` followed by at least `min` characters of its alphabet.
fn prefixed(
    text: &str,
    prefix: &str,
    min: usize,
    alphabet: fn(u8) -> bool,
) -> Option<Range<usize>> {
    starts(text, prefix).find_map(|i| {
        let end = run_end(text, i + prefix.len(), alphabet);
        let body = &text[i + prefix.len()..end];
        (body.len() >= min && random_enough(body, 8)).then_some(i..end)
    })
}

/// GitHub personal, OAuth, app and refresh tokens, and fine-grained personal access tokens.
pub fn github_token(text: &str) -> Option<Range<usize>> {
    ["ghp_", "gho_", "ghs_", "ghu_", "ghr_"]
        .into_iter()
        .find_map(|p| prefixed(text, p, 30, |b| b.is_ascii_alphanumeric()))
        .or_else(|| prefixed(text, "github_pat_", 40, is_word))
}

/// GitLab personal access tokens.
pub fn gitlab_token(text: &str) -> Option<Range<usize>> {
    prefixed(text, "glpat-", 20, |b| is_word(b) || b == b'-')
}

/// Slack bot, user, app, refresh and legacy tokens (`xoxb-` ...), which always hold digits.
pub fn slack_token(text: &str) -> Option<Range<usize>> {
    ["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"]
        .into_iter()
        .find_map(|p| {
            prefixed(text, p, 10, |b| b.is_ascii_alphanumeric() || b == b'-')
                .filter(|r| text[r.clone()].bytes().any(|b| b.is_ascii_digit()))
        })
}

/// Stripe live secret and restricted keys.
pub fn stripe_key(text: &str) -> Option<Range<usize>> {
    ["sk_live_", "rk_live_"]
        .into_iter()
        .find_map(|p| prefixed(text, p, 16, |b| b.is_ascii_alphanumeric()))
}

/// A signed JSON Web Token: three base64url parts whose header decodes to JSON with `alg`.
pub fn jwt(text: &str) -> Option<Range<usize>> {
    let url_char = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    text.match_indices("eyJ").find_map(|(i, _)| {
        if i > 0 && url_char(text.as_bytes()[i - 1]) {
            return None;
        }
        let mut parts = [0..0, 0..0, 0..0];
        let mut at = i;
        for (n, part) in parts.iter_mut().enumerate() {
            let end = run_end(text, at, url_char);
            *part = at..end;
            at = end + 1;
            if n < 2 && text.as_bytes().get(end) != Some(&b'.') {
                return None;
            }
        }
        let [header, payload, signature] = parts;
        let header_json = decode_base64(&text[header.clone()])?;
        let header_json = String::from_utf8(header_json).ok()?;
        let payload_json = decode_base64(&text[payload.clone()])?;
        let ok = header_json.trim_start().starts_with('{')
            && header_json.contains("\"alg\"")
            && payload_json.first() == Some(&b'{')
            && signature.len() >= 16;
        ok.then_some(i..signature.end)
    })
}

/// `scheme://user:password@host`: the password's range. Variables and placeholders are skipped.
pub fn url_password(text: &str) -> Option<Range<usize>> {
    text.match_indices("://").find_map(|(i, _)| {
        let scheme_start = text[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || "+.-".contains(c)))
            .map_or(0, |p| p + 1);
        if i - scheme_start < 2 {
            return None;
        }
        let start = i + 3;
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || "/?#\"'<>`,;".contains(c))
            .map_or(text.len(), |e| start + e);
        let authority = &text[start..end];
        let at = authority.rfind('@')?;
        let colon = authority[..at].find(':')?;
        let password = start + colon + 1..start + at;
        let value = &text[password.clone()];
        (!value.is_empty() && !is_placeholder(value) && !value.starts_with('$')).then_some(password)
    })
}

/// A base64-encoded PEM private key, as in a kubeconfig's `client-key-data`, and where its
/// base64 is in `text`.
pub fn base64_pem_private_key(text: &str) -> Option<(PemKey, Range<usize>)> {
    text.match_indices("LS0tLS1CRUdJTi").find_map(|(i, _)| {
        let end = run_end(text, i, |b| {
            b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='
        });
        let decoded = decode_base64(&text[i..end])?;
        let decoded = String::from_utf8_lossy(&decoded);
        let key = pem_private_keys(&decoded).into_iter().next()?;
        Some((key, i..end))
    })
}
