//! Reads raw Secret values under `/registry/secrets/` from etcd (v3 JSON gateway), to verify
//! encryption at rest (item 6.2).
//!
//! The kube-apiserver writes an encrypted Secret as `k8s:enc:<provider>:<version>:<key name>:`
//! followed by ciphertext; the `identity` provider writes the plain protobuf (`k8s\0...`). So the
//! first bytes of a stored value tell whether it is encrypted and by which provider and key.
//!
//! Values are never kept, printed or logged: each response is parsed as a stream and every value is
//! cut to its first few hundred bytes while it is read, then classified and dropped. Keys are read
//! in pages (`limit`, then on from the last key), all at the revision of the first page, so memory
//! stays bounded however many Secrets the cluster has.

mod page;

use crate::http;
pub use crate::http::{Failure, HttpError};
use data_encoding::BASE64;
use kcheck_model::facts::EtcdScan;
use page::RangePage;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

/// The key prefix the kube-apiserver stores Secrets under (with the default `--etcd-prefix`).
pub const SECRETS_PREFIX: &str = "/registry/secrets/";

/// What marks an encrypted value.
pub const ENCRYPTED_PREFIX: &[u8] = b"k8s:enc:";

/// How to reach etcd.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EtcdOptions {
    /// `https://127.0.0.1:2379` or `http://...`; a trailing `/` is ignored.
    pub endpoint: String,
    /// Client certificate (PEM), for etcd's `--client-cert-auth`.
    pub cert: Option<PathBuf>,
    /// The client certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub key: Option<PathBuf>,
    /// CA bundle (PEM) that signed etcd's serving certificate; the public web roots otherwise.
    pub ca: Option<PathBuf>,
    /// For each request (one page), from connecting to the last byte.
    pub timeout: Duration,
    /// Keys per page.
    pub page_size: u32,
    /// The key prefix to read (`/registry/secrets/`; another one if the apiserver runs with a
    /// different `--etcd-prefix`).
    pub prefix: String,
}

impl EtcdOptions {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
    /// Small enough that etcd and its gateway never build a large response (Helm keeps releases
    /// of up to 1 MiB in Secrets), large enough that a big cluster needs few round trips.
    pub const DEFAULT_PAGE_SIZE: u32 = 100;

    pub fn new(endpoint: impl Into<String>) -> EtcdOptions {
        EtcdOptions {
            endpoint: endpoint.into(),
            cert: None,
            key: None,
            ca: None,
            timeout: EtcdOptions::DEFAULT_TIMEOUT,
            page_size: EtcdOptions::DEFAULT_PAGE_SIZE,
            prefix: SECRETS_PREFIX.to_string(),
        }
    }
}

/// Why a scan stopped.
#[derive(Debug, thiserror::Error)]
pub enum EtcdError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("{url}: HTTP {status}{}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Status {
        url: String,
        status: u16,
        detail: Option<String>,
    },
    #[error("{url}: unexpected response: {reason}")]
    BadResponse { url: String, reason: String },
    #[error("{url}: etcd returned a page that does not move past key {key} (page {page})")]
    Stuck {
        url: String,
        key: String,
        page: usize,
    },
}

/// Reads every key under the Secrets prefix and sorts the values into encrypted (by provider
/// prefix) and plaintext (by key). Whatever goes wrong is returned in `error`; the counts then
/// cover the pages read before it.
pub fn scan(opts: &EtcdOptions) -> EtcdScan {
    let mut tally = Tally::default();
    let error = scan_into(opts, &mut tally).err().map(|e| e.to_string());
    EtcdScan {
        endpoint: opts.endpoint.clone(),
        total: tally.total,
        plaintext: tally.plaintext,
        providers: tally.providers.into_iter().collect(),
        error,
    }
}

/// Like [`scan`], but an endpoint that could not be reached at all (refused, unknown host, a
/// TLS failure, a client certificate it refused, 401/403) is `Err` with the cause: nothing was
/// read, and a report without it must not look like a scan of etcd.
pub fn scan_reachable(opts: &EtcdOptions) -> Result<EtcdScan, String> {
    let mut tally = Tally::default();
    let outcome = scan_into(opts, &mut tally);
    if tally.total == 0 {
        match &outcome {
            Err(EtcdError::Http(HttpError::Request { failure, .. })) => {
                let words = failure.to_string();
                return Err(match failure {
                    crate::http::Failure::Tls(_) | crate::http::Failure::TlsClosed => {
                        format!(
                            "TLS: {}",
                            words.trim_start_matches("TLS handshake failed: ")
                        )
                    }
                    _ => words,
                });
            }
            Err(EtcdError::Status {
                status: status @ (401 | 403),
                ..
            }) => {
                return Err(format!(
                    "HTTP {status}: etcd refused the client's credentials"
                ))
            }
            _ => {}
        }
    }
    Ok(EtcdScan {
        endpoint: opts.endpoint.clone(),
        total: tally.total,
        plaintext: tally.plaintext,
        providers: tally.providers.into_iter().collect(),
        error: outcome.err().map(|e| e.to_string()),
    })
}

#[derive(Default)]
struct Tally {
    total: usize,
    plaintext: Vec<String>,
    providers: BTreeMap<String, usize>,
}

impl Tally {
    fn add(&mut self, key: String, class: ValueClass) {
        self.total += 1;
        match class {
            ValueClass::Encrypted(provider) => *self.providers.entry(provider).or_default() += 1,
            ValueClass::Plain => self.plaintext.push(key),
        }
    }
}

fn scan_into(opts: &EtcdOptions, tally: &mut Tally) -> Result<(), EtcdError> {
    let client = http::Client::new(&http::ClientOptions {
        timeout: opts.timeout,
        verify: match &opts.ca {
            Some(ca) => http::Verify::Ca(ca.clone()),
            None => http::Verify::WebRoots,
        },
        client_cert: match (&opts.cert, &opts.key) {
            (Some(cert), Some(key)) => Some((cert.clone(), key.clone())),
            (None, None) => None,
            (Some(_), None) => {
                return Err(HttpError::Config("a client certificate needs its key".into()).into())
            }
            (None, Some(_)) => {
                return Err(HttpError::Config("a client key needs its certificate".into()).into())
            }
        },
    })?;
    let url = format!("{}/v3/kv/range", opts.endpoint.trim_end_matches('/'));
    let prefix = opts.prefix.as_bytes();
    let range_end = prefix_end(prefix);
    let mut start = prefix.to_vec();
    let mut revision: Option<i64> = None;
    let limit = opts.page_size.max(1);
    for page in 1.. {
        let mut body = serde_json::json!({
            "key": BASE64.encode(&start),
            "range_end": BASE64.encode(&range_end),
            "limit": limit,
        });
        // Every page at the first page's revision: one consistent snapshot, as kube's lists do.
        if let Some(rev) = revision {
            body["revision"] = rev.to_string().into();
        }
        let response = client.post_json(&url, &body)?;
        let status = response.status;
        if !(200..300).contains(&status) {
            let detail = response
                .read_limited(4096)
                .ok()
                .and_then(|text| gateway_message(&text));
            return Err(EtcdError::Status {
                url,
                status,
                detail,
            });
        }
        let bad = |reason: String| EtcdError::BadResponse {
            url: url.clone(),
            reason,
        };
        let mut reader = response.into_reader();
        let parsed: RangePage = serde_json::from_reader(&mut reader)
            .map_err(|e| bad(format!("not a range response: {e}")))?;
        // Read what follows the JSON (a newline) so the connection can serve the next page.
        let _ = std::io::copy(&mut reader.take(4096), &mut std::io::sink());
        if revision.is_none() {
            revision = parsed.revision;
        }
        let count = parsed.kvs.len();
        let mut last: Option<Vec<u8>> = None;
        for kv in parsed.kvs {
            let key = BASE64
                .decode(kv.key.as_bytes())
                .map_err(|e| bad(format!("a key is not base64: {e}")))?;
            // In order and inside the range asked for, or the pages cannot be trusted to cover it.
            let in_order = last.as_ref().is_none_or(|l| *l < key);
            let past_end = range_end != [0] && key >= range_end;
            if key < start || past_end || !in_order {
                return Err(bad(format!(
                    "key {} is outside the range asked for or out of order",
                    String::from_utf8_lossy(&key)
                )));
            }
            let class = classify(&kv.value_head);
            tally.add(String::from_utf8_lossy(&key).into_owned(), class);
            last = Some(key);
        }
        if !parsed.more || count == 0 {
            return Ok(());
        }
        let Some(mut next) = last else {
            return Ok(());
        };
        // The next page starts just after the last key read.
        next.push(0);
        if next <= start {
            return Err(EtcdError::Stuck {
                url,
                key: String::from_utf8_lossy(&start).into_owned(),
                page,
            });
        }
        start = next;
    }
    Ok(())
}

/// The end of the range of keys that start with `prefix` (etcd's `clientv3.GetPrefixRangeEnd`).
pub(crate) fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    // Only 0xff bytes (or empty): every key from `prefix` on.
    vec![0]
}

/// The `message` (or `error`) of a gRPC gateway error body, when it has one.
fn gateway_message(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let message = value
        .get("message")
        .or_else(|| value.get("error"))?
        .as_str()?;
    Some(message.chars().take(200).collect())
}

/// What a stored value is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueClass {
    /// `k8s:enc:aescbc:v1:key1`: provider, version and key name.
    Encrypted(String),
    Plain,
}

/// Classifies a value from its first bytes.
pub fn classify(head: &[u8]) -> ValueClass {
    let Some(rest) = head.strip_prefix(ENCRYPTED_PREFIX) else {
        return ValueClass::Plain;
    };
    // `<provider>:<version>:<key name>:` then ciphertext.
    let mut fields = rest.splitn(4, |b| *b == b':');
    let provider = fields.next().unwrap_or_default();
    let version = fields.next();
    let name = fields.next();
    let ciphertext = fields.next();
    let word =
        |f: &[u8]| !f.is_empty() && f.len() <= 16 && f.iter().all(|b| b.is_ascii_alphanumeric());
    let label = match (version, name, ciphertext) {
        (Some(version), Some(name), Some(_))
            if word(provider)
                && word(version)
                && !name.is_empty()
                && name.iter().all(|b| b.is_ascii_graphic()) =>
        {
            format!(
                "k8s:enc:{}:{}:{}",
                ascii(provider),
                ascii(version),
                ascii(name)
            )
        }
        // Marked encrypted but not in the form above: say which provider when that much is
        // readable, and never echo the bytes that follow.
        _ if word(provider) => format!("k8s:enc:{}:(unrecognised)", ascii(provider)),
        _ => "k8s:enc:(unrecognised)".to_string(),
    };
    ValueClass::Encrypted(label)
}

fn ascii(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_provider_and_key_name() {
        assert_eq!(
            classify(b"k8s:enc:aescbc:v1:key1:\x00\x01\xff"),
            ValueClass::Encrypted("k8s:enc:aescbc:v1:key1".into())
        );
        assert_eq!(
            classify(b"k8s:enc:kms:v2:vault-kms:\n\x12proto"),
            ValueClass::Encrypted("k8s:enc:kms:v2:vault-kms".into())
        );
        assert_eq!(classify(b"k8s\x00\n\x0c\n\x02v1"), ValueClass::Plain);
        assert_eq!(classify(b""), ValueClass::Plain);
        assert_eq!(classify(b"k8s:enc"), ValueClass::Plain);
        // Marked but malformed: the provider at most, never the bytes after it.
        assert_eq!(
            classify(b"k8s:enc:aesgcm:v1:secret\x00bytes"),
            ValueClass::Encrypted("k8s:enc:aesgcm:(unrecognised)".into())
        );
        assert_eq!(
            classify(b"k8s:enc:\xff\xfe:"),
            ValueClass::Encrypted("k8s:enc:(unrecognised)".into())
        );
    }

    #[test]
    fn prefix_ends() {
        assert_eq!(prefix_end(b"/registry/secrets/"), b"/registry/secrets0");
        assert_eq!(prefix_end(b"a\xff"), b"b");
        assert_eq!(prefix_end(b"\xff"), b"\x00");
    }
}
