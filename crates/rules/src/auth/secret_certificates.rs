//! Certificates and private keys in Secret values (`tls.crt`, `ca.crt`, `tls.key`), decoded for
//! KC111 and KC112. Values are decoded in memory and described (subject, dates, key kind);
//! nothing of a key is kept or shown.

use crate::{Context, Sink};
use kcheck_model::facts::Certificate;
use kcheck_model::{FieldPath, Node, Object, Text};

/// What one value of a Secret holds.
pub struct Value {
    /// The key in `data` or `stringData`.
    pub key: String,
    /// `data.tls.crt` (a key with dots is one path segment: `data[tls.crt]` in the path).
    pub path: FieldPath,
    pub certificates: Vec<Certificate>,
    /// PEM blocks labelled as a private key (readable or not).
    pub private_keys: usize,
}

/// The Secret's values that hold PEM (certificates or keys), decoded. Values that are not
/// valid base64 or hold no PEM are left out.
pub fn pem_values(secret: &Object) -> Vec<Value> {
    let mut out = Vec::new();
    for (field, encoded) in [("data", true), ("stringData", false)] {
        let Some(map) = secret.root.get(field).map(Node::as_map) else {
            continue;
        };
        for entry in map {
            let Some(text) = entry.value.as_str() else {
                continue;
            };
            let bytes = if encoded {
                match kcheck_pki::base64(text) {
                    Some(b) => b,
                    None => continue,
                }
            } else {
                text.as_bytes().to_vec()
            };
            if !bytes.windows(11).any(|w| w == b"-----BEGIN ") {
                continue;
            }
            let key = entry.key.to_string();
            let decoded = kcheck_pki::decode(&bytes, &secret.name, &key);
            if decoded.certificates.is_empty() && decoded.private_key_blocks == 0 {
                continue;
            }
            let mut path = FieldPath::parse(field);
            path.0.push(kcheck_model::Segment::Key(key.clone()));
            out.push(Value {
                key,
                path,
                certificates: decoded.certificates,
                private_keys: decoded.private_key_blocks,
            });
        }
    }
    out
}

/// In an audit of a cluster that did not read Secret values (no `--read-secret-data`), says
/// that the certificates in Secrets were not examined. Returns whether it said so.
pub fn values_not_read(ctx: &Context, sink: &mut Sink) -> bool {
    if !ctx.whole_cluster {
        return false;
    }
    let mut secrets = ctx.inventory.of_kind("Secret").peekable();
    if secrets.peek().is_none() {
        return false;
    }
    let read = secrets.any(|s| s.root.get("data").is_some() || s.root.get("stringData").is_some());
    if read {
        return false;
    }
    sink.not_examined_in_input(Text::fixed(
        "the values of Secrets were not read, so the certificates and keys in TLS Secrets were not examined (kcheck cluster --read-secret-data reads them)",
        "未读取 Secret 的值,因此未检查 TLS Secret 中的证书与私钥(kcheck cluster --read-secret-data 会读取)",
    ));
    true
}
