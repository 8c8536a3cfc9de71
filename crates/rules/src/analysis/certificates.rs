//! Certificates and private keys in Secret values (`tls.crt`, `ca.crt`, `tls.key`), decoded for
//! KC111 and KC112. Values are decoded in memory and described (subject, dates, key kind);
//! nothing of a key is kept or shown.

use crate::{Context, Sink};
use kcheck_model::facts::Certificate;
use kcheck_model::{text, FieldPath, Node, Object, Text};

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
    if !ctx.secret_values_unread() {
        return false;
    }
    sink.not_examined_in_input(Text::fixed(
        "the values of Secrets were not read, so the certificates and keys in TLS Secrets were not examined (kcheck cluster --read-secret-data reads them)",
        "未读取 Secret 的值，因此未检查 TLS Secret 中的证书与私钥（kcheck cluster --read-secret-data 会读取）",
    ));
    true
}

/// Seconds in a day.
pub const DAY: i64 = 86_400;
/// Three years: 3 x 365 days and one leap day.
pub const MAX_LIFETIME_DAYS: i64 = 3 * 365 + 1;
/// Certificates expiring sooner than this are reported.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// What is wrong with an intermediate or leaf certificate's dates at `now`, as (fails the item,
/// message): valid for more than 3 years, or until more than 3 years ahead; expired; expiring
/// within 30 days (a warning). `what` names where the certificate is.
pub fn lifetime_problems(cert: &Certificate, what: &str, now: i64) -> Vec<(bool, Text)> {
    let mut out = Vec::new();
    let cn = &cert.common_name;
    let until = date(cert.not_after);
    let left = (cert.not_after - now).div_euclid(DAY);
    let lifetime = cert.not_after - cert.not_before;
    if lifetime > MAX_LIFETIME_DAYS * DAY {
        let (days, from) = (lifetime.div_euclid(DAY), date(cert.not_before));
        out.push((
            true,
            text!(
                "{what} (CN={cn}) is valid for {days} days, from {from} to {until}: more than 3 years",
                "{what}（CN={cn}）的有效期为 {days} 天（{from} 至 {until}）：超过 3 年",
            ),
        ));
    } else if cert.not_after - now > MAX_LIFETIME_DAYS * DAY {
        out.push((
            true,
            text!(
                "{what} (CN={cn}) is valid until {until}, {left} days from now: more than 3 years ahead",
                "{what}（CN={cn}）有效期至 {until}，距今 {left} 天：超过未来 3 年",
            ),
        ));
    }
    if cert.not_after < now {
        out.push((
            true,
            text!(
                "{what} (CN={cn}) expired on {until}",
                "{what}（CN={cn}）已于 {until} 过期",
            ),
        ));
    } else if cert.not_after - now < EXPIRY_WARNING_DAYS * DAY {
        out.push((
            false,
            text!(
                "{what} (CN={cn}) expires on {until}, in {left} days",
                "{what}（CN={cn}）将于 {until} 过期（剩余 {left} 天）",
            ),
        ));
    }
    out
}

/// `YYYY-MM-DD` (UTC) of a Unix time.
pub fn date(unix: i64) -> String {
    kcheck_model::Now::from_unix(unix).today().to_string()
}

#[cfg(test)]
mod date_tests {
    use super::date;

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(1_709_164_800), "2024-02-29");
        assert_eq!(date(1_735_689_599), "2024-12-31");
        assert_eq!(date(-86_400), "1969-12-31");
    }
}
