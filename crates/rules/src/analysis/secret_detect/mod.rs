//! Recognising secrets in a name and its value (a ConfigMap entry, an environment variable),
//! shared by the rules of checklist item 6.1.
//!
//! Low false positives come first: a value is a secret when its shape says so (a key block, a
//! cloud key, a vendor token, a JWT, a URL with a password), or when its key's name says so and
//! the value is not a placeholder; a random-looking value needs a key-like name. Values that
//! hold a whole configuration file are read line by line. A [`Hit`] never holds the secret: only
//! what kind it is, where, and a redacted fingerprint.
//!
//! A PEM private key block is a hit whatever its body holds. A name that says credential over a
//! placeholder (`DB_PASSWORD: changeme`) is no secret but a [`Slot`]: one is meant to be put
//! there.

pub mod lines;
pub mod names;
pub mod patterns;
pub mod placeholders;
pub mod redact;

#[cfg(test)]
mod tests;

use names::{classify, is_aws_secret_name, is_azure_name, NameHint};
pub use placeholders::Placeholder;
use placeholders::{is_placeholder, placeholder};
use std::ops::Range;

/// What kind of secret a value looks like.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A PEM private key, with the label of its BEGIN line (`RSA PRIVATE KEY`).
    PrivateKey(String),
    /// A PEM private key block whose body is no key: a placeholder (`...`, `<your key>`), cut
    /// short or malformed.
    PrivateKeyStub(String),
    /// A Java or PKCS#12 keystore file.
    Keystore,
    AwsAccessKeyId,
    AwsSecretAccessKey,
    GcpServiceAccountKey,
    /// An account key in an Azure connection string.
    AzureAccountKey,
    AzureClientSecret,
    GitHubToken,
    GitLabToken,
    SlackToken,
    StripeKey,
    Jwt,
    UrlPassword,
    /// A literal value under a password-like name.
    Password,
    Token,
    ApiKey,
    Secret,
    /// A random-looking value under a key-like name.
    HighEntropy,
}

impl Kind {
    /// The start of a value of this kind that says only what it is, never anything secret:
    /// GitHub's `ghp_`, AWS's `AKIA`, Slack's `xoxb-`; empty for passwords and other kinds.
    pub fn public_prefix<'v>(&self, value: &'v str) -> &'v str {
        let upto = |end: Option<usize>| end.map_or("", |e| &value[..e]);
        match self {
            Kind::GitHubToken if value.starts_with("github_pat_") => &value[..11],
            Kind::GitHubToken => upto(value.find('_').filter(|&i| i <= 3).map(|i| i + 1)),
            Kind::GitLabToken if value.starts_with("glpat-") => &value[..6],
            Kind::SlackToken => upto(value.find('-').filter(|&i| i <= 4).map(|i| i + 1)),
            Kind::StripeKey => upto(
                value
                    .match_indices('_')
                    .nth(1)
                    .map(|(i, _)| i + 1)
                    .filter(|&i| i <= 8),
            ),
            Kind::AwsAccessKeyId if value.len() >= 4 && value.is_char_boundary(4) => &value[..4],
            Kind::Jwt if value.starts_with("eyJ") => &value[..3],
            _ => "",
        }
    }

    /// What it looks like, in English and Chinese.
    pub fn describe(&self) -> (String, String) {
        let (en, zh) = match self {
            Kind::PrivateKey(label) => {
                return (format!("private key, {label}"), format!("私钥，{label}"));
            }
            Kind::PrivateKeyStub(label) => {
                return (
                    format!("private key, {label}, placeholder or truncated body"),
                    format!("私钥，{label}，内容为占位符或不完整"),
                );
            }
            Kind::Keystore => ("keystore file", "密钥库文件"),
            Kind::AwsAccessKeyId => ("AWS access key id", "AWS 访问密钥 ID"),
            Kind::AwsSecretAccessKey => ("AWS secret access key", "AWS 秘密访问密钥"),
            Kind::GcpServiceAccountKey => ("GCP service account key", "GCP 服务账号密钥"),
            Kind::AzureAccountKey => (
                "Azure account key in a connection string",
                "连接字符串中的 Azure 账户密钥",
            ),
            Kind::AzureClientSecret => ("Azure client secret", "Azure 客户端密钥"),
            Kind::GitHubToken => ("GitHub token", "GitHub 令牌"),
            Kind::GitLabToken => ("GitLab access token", "GitLab 访问令牌"),
            Kind::SlackToken => ("Slack token", "Slack 令牌"),
            Kind::StripeKey => ("Stripe live secret key", "Stripe 生产环境密钥"),
            Kind::Jwt => ("JSON Web Token", "JSON Web 令牌"),
            Kind::UrlPassword => ("password in a URL", "URL 中的密码"),
            Kind::Password => ("password", "密码"),
            Kind::Token => ("token", "令牌"),
            Kind::ApiKey => ("secret key", "密钥"),
            Kind::Secret => ("secret", "机密"),
            Kind::HighEntropy => (
                "random-looking value under a key-like name",
                "键名像密钥的随机值",
            ),
        };
        (en.to_string(), zh.to_string())
    }

    /// The kind of a PEM block found: a key, or a block without a whole key in it.
    pub fn private_key(key: patterns::PemKey) -> Kind {
        if key.whole {
            Kind::PrivateKey(key.label)
        } else {
            Kind::PrivateKeyStub(key.label)
        }
    }

    /// Private keys and cloud credentials: whoever reads them owns the key or the account. A
    /// key block without a whole key is a mistake, not a key anyone can use.
    pub fn is_critical(&self) -> bool {
        matches!(
            self,
            Kind::PrivateKey(_)
                | Kind::Keystore
                | Kind::AwsAccessKeyId
                | Kind::AwsSecretAccessKey
                | Kind::GcpServiceAccountKey
                | Kind::AzureAccountKey
                | Kind::AzureClientSecret
        )
    }
}

/// One secret found in a value. It never holds the secret itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub kind: Kind,
    /// The 1-based line inside a multi-line value.
    pub line: Option<usize>,
    /// The key on that line (`db.password`), when the line is an assignment.
    pub inner_key: Option<String>,
    /// A redacted fingerprint ([`redact::fingerprint`]); none for PEM keys, whose label says it.
    pub fingerprint: Option<String>,
}

impl Hit {
    /// `(AWS access key id, AKIA…1a2b3c4d)`, in English and Chinese.
    pub fn summary(&self) -> (String, String) {
        let (en, zh) = self.kind.describe();
        match &self.fingerprint {
            Some(fp) => (format!("({en}, {fp})"), format!("（{zh}，{fp}）")),
            None => (format!("({en})"), format!("（{zh}）")),
        }
    }

    /// `, line 3 (db.password),` / ` 第 3 行（db.password）`, or nothing for a one-line value.
    pub fn place(&self) -> (String, String) {
        match (self.line, &self.inner_key) {
            (Some(n), Some(k)) => (format!(", line {n} ({k}),"), format!(" 第 {n} 行（{k}）")),
            (Some(n), None) => (format!(", line {n},"), format!(" 第 {n} 行")),
            (None, Some(k)) => (format!(" ({k})"), format!("（{k}）")),
            _ => (String::new(), String::new()),
        }
    }

    fn new(kind: Kind, secret: &str) -> Hit {
        let fingerprint = match &kind {
            Kind::PrivateKey(_) | Kind::PrivateKeyStub(_) => None,
            Kind::GcpServiceAccountKey | Kind::Keystore => {
                Some(redact::hash_only(secret.as_bytes()))
            }
            kind => Some(redact::fingerprint(kind.public_prefix(secret), secret)),
        };
        Hit {
            kind,
            line: None,
            inner_key: None,
            fingerprint,
        }
    }
}

/// The secrets in `value`, kept under `name` (a ConfigMap key or an environment variable).
pub fn scan(name: &str, value: &str) -> Vec<Hit> {
    // A block scalar (`password: |`) ends with a newline but is one line.
    let value = value.trim_end_matches(['\n', '\r']);
    let multiline = value.contains('\n');
    // A key block or key file that is the whole value needs no line number.
    let line_of = |at: usize| {
        (multiline && !value[..at].trim().is_empty()).then(|| value[..at].matches('\n').count() + 1)
    };
    let mut hits = Vec::new();
    let mut taken: Vec<Range<usize>> = Vec::new();
    if let Some(range) = patterns::gcp_service_account(value) {
        let mut hit = Hit::new(Kind::GcpServiceAccountKey, &value[range.clone()]);
        hit.line = line_of(range.start);
        hits.push(hit);
        taken.push(range);
    }
    for key in patterns::pem_private_keys(value) {
        let range = key.range.clone();
        if taken.iter().any(|t| overlaps(t, &range)) {
            continue;
        }
        let mut hit = Hit::new(Kind::private_key(key), "");
        hit.line = line_of(range.start);
        hits.push(hit);
        taken.push(range);
    }
    if !multiline {
        if taken.is_empty() {
            // A one-line value may itself be an assignment (`password=...`).
            hits.extend(scan_pair(name, value).or_else(|| scan_line(value)));
        }
        return hits;
    }
    let mut offset = 0;
    for (n, line) in value.split('\n').enumerate() {
        let span = offset..offset + line.len();
        offset = span.end + 1;
        if taken.iter().any(|t| overlaps(t, &span)) {
            continue;
        }
        if let Some(mut hit) = scan_line(line) {
            hit.line = Some(n + 1);
            hits.push(hit);
        }
    }
    hits.sort_by_key(|h| h.line);
    hits
}

/// A key or variable named like a credential whose value stands for one still to come: empty, a
/// value to fill in or a variable to substitute. No secret is there, but one is meant to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    /// What the name says the value is: a password, token, secret key, secret or AWS secret
    /// access key.
    pub kind: Kind,
    pub placeholder: Placeholder,
}

impl Slot {
    /// `a password`, `(empty)`: what the name says, with its article, and what the value is, in
    /// English and Chinese (the Chinese name starts with a space when it starts with Latin).
    pub fn describe(&self) -> ((String, String), (String, String)) {
        let (what_en, what_zh) = self.placeholder.describe();
        let (kind_en, kind_zh) = self.kind.describe();
        let article = if kind_en.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
            "an"
        } else {
            "a"
        };
        // Latin after Chinese is set off by a space: `存放 AWS 秘密访问密钥`.
        let kind_zh = if kind_zh.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            format!(" {kind_zh}")
        } else {
            kind_zh
        };
        (
            (format!("{article} {kind_en}"), kind_zh),
            (format!("({what_en})"), format!("（{what_zh}）")),
        )
    }
}

/// What a name says its value is, when it says credential: a password, token, API or private
/// key, secret or AWS secret access key. Weak hints (`key`, `salt`, `session`) and names of a
/// Secret object (`existingSecret`, `TLS_SECRET`) or of a credentials file
/// (`GOOGLE_APPLICATION_CREDENTIALS`) are not enough.
pub fn credential_name(name: &str) -> Option<Kind> {
    if is_aws_secret_name(name) {
        return Some(Kind::AwsSecretAccessKey);
    }
    match classify(name) {
        NameHint::Password => Some(Kind::Password),
        NameHint::Token => Some(Kind::Token),
        NameHint::ApiKey => Some(Kind::ApiKey),
        NameHint::Secret if !names::names_a_secret_object(name) => Some(Kind::Secret),
        _ => None,
    }
}

/// `name` says credential and `value`, a single line, is a placeholder for one (see [`Slot`]).
/// Paths, references to a secret store, booleans and numbers are not.
pub fn credential_slot(name: &str, value: &str) -> Option<Slot> {
    let value = value.trim_end_matches(['\n', '\r']);
    if value.contains('\n') {
        return None;
    }
    let placeholder = placeholder(value).filter(|p| p.awaits_secret())?;
    let kind = credential_name(name)?;
    Some(Slot { kind, placeholder })
}

/// The secrets in a `binaryData` value (base64): a keystore by its file name, otherwise the
/// decoded text as for [`scan`].
pub fn scan_binary(name: &str, base64: &str) -> Vec<Hit> {
    let Some(bytes) = redact::decode_base64(base64) else {
        return Vec::new();
    };
    let lower = name.to_ascii_lowercase();
    let keystore = [".p12", ".pfx", ".jks", ".keystore", ".bcfks"]
        .iter()
        .any(|e| lower.ends_with(e));
    let trust = lower.contains("trust") || lower.contains("cacerts") || lower.starts_with("ca.");
    if keystore && !trust && !bytes.is_empty() {
        let mut hit = Hit::new(Kind::Keystore, "");
        hit.fingerprint = Some(redact::hash_only(&bytes));
        return vec![hit];
    }
    scan(name, &String::from_utf8_lossy(&bytes))
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// One line of a configuration file. Comment lines are searched only for tokens recognised by
/// their shape, since they often document a setting with a made-up value.
fn scan_line(line: &str) -> Option<Hit> {
    if lines::is_comment(line) {
        return find_token(line);
    }
    match lines::split_assignment(line) {
        Some((key, value)) => {
            let mut hit = scan_pair(key, value).or_else(|| find_token(line))?;
            // The key is shown to say where the secret is, unless it could be one itself.
            let shown =
                find_token(key).is_none() && !high_entropy(key) && !key.contains(['/', '[']);
            hit.inner_key = shown.then(|| key.to_string());
            Some(hit)
        }
        None => find_token(line),
    }
}

fn find_token(text: &str) -> Option<Hit> {
    patterns::find_token(text).map(|(kind, range)| Hit::new(kind, &text[range]))
}

/// One name and its single-line value.
fn scan_pair(name: &str, value: &str) -> Option<Hit> {
    if let Some(hit) = find_token(value) {
        return Some(hit);
    }
    let v = value.trim();
    if is_placeholder(v) || v.contains(char::is_whitespace) || v.contains("://") {
        return None;
    }
    if is_aws_secret_name(name) && looks_like_aws_secret(v) {
        return Some(Hit::new(Kind::AwsSecretAccessKey, v));
    }
    let kind = match classify(name) {
        NameHint::Password if v.chars().count() >= 4 => Kind::Password,
        NameHint::Secret if is_azure_name(name) && credential_like(v) => Kind::AzureClientSecret,
        NameHint::ApiKey | NameHint::KeyLike if is_azure_name(name) && high_entropy(v) => {
            Kind::AzureAccountKey
        }
        NameHint::Token if credential_like(v) => Kind::Token,
        NameHint::ApiKey if credential_like(v) => Kind::ApiKey,
        NameHint::Secret if credential_like(v) => Kind::Secret,
        NameHint::Token | NameHint::ApiKey | NameHint::Secret | NameHint::KeyLike
            if high_entropy(v) =>
        {
            Kind::HighEntropy
        }
        _ => return None,
    };
    Some(Hit::new(kind, v))
}

/// 40 characters of base64, mixed case and digits.
fn looks_like_aws_secret(v: &str) -> bool {
    v.len() == 40
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        && classes(v) >= 3
        && !v.contains("EXAMPLE")
}

/// How many of lowercase, uppercase, digits and other characters `v` uses.
fn classes(v: &str) -> usize {
    let has = |f: fn(&char) -> bool| usize::from(v.chars().any(|c| f(&c)));
    has(char::is_ascii_lowercase)
        + has(char::is_ascii_uppercase)
        + has(char::is_ascii_digit)
        + has(|c| !c.is_ascii_alphanumeric())
}

/// A value that could be a generated credential rather than the name of a Secret object or a
/// host: 8 characters or more, two character classes, and not a lowercase DNS-style name
/// (`my-app-secret`, `db.internal`) unless it is a UUID.
fn credential_like(v: &str) -> bool {
    if is_uuid(v) {
        return true;
    }
    let dns_like = v
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && v.contains(['-', '.']);
    v.len() >= 8 && classes(v) >= 2 && !dns_like
}

fn is_uuid(v: &str) -> bool {
    let groups: Vec<&str> = v.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Shannon entropy of at least 3.5 bits a character over 16 characters or more, with letters
/// and digits: what generated keys look like.
fn high_entropy(v: &str) -> bool {
    if v.len() < 16 || classes(v) < 2 || !v.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut counts = [0usize; 256];
    for b in v.bytes() {
        counts[usize::from(b)] += 1;
    }
    let n = v.len() as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum();
    entropy >= 3.5 && credential_like(v)
}
