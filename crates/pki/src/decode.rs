//! PEM and DER: certificates decoded with x509-parser, private keys described by algorithm and
//! size from a small DER reader. Key material is never kept: only its kind and strength.

use crate::der::{private_key_info, spki_key_info};
use kcheck_model::facts::{Certificate, KeyInfo, PrivateKey};
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, ParsedExtension, X509Certificate};

/// Most PEM blocks read from one file (a CA bundle has a few hundred at most).
const MAX_BLOCKS: usize = 4096;

/// What one file (or one embedded value) holds.
#[derive(Debug, Default)]
pub struct Decoded {
    pub certificates: Vec<Certificate>,
    pub private_keys: Vec<PrivateKey>,
    /// `PUBLIC KEY` blocks (the service-account verification key): counted, nothing more.
    pub public_keys: usize,
    /// PEM blocks labelled as a private key, whether or not their content could be read.
    pub private_key_blocks: usize,
    /// Blocks that could not be decoded, with why (no content in the message).
    pub errors: Vec<String>,
}

impl Decoded {
    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty() && self.private_keys.is_empty() && self.public_keys == 0
    }
}

struct PemBlock {
    label: String,
    encrypted_header: bool,
    der: Result<Vec<u8>, String>,
}

/// Decodes every PEM block of `bytes` (or the whole as one DER certificate when there is no
/// PEM). `path` and `within` say where, for the facts.
pub fn decode(bytes: &[u8], path: &str, within: &str) -> Decoded {
    let mut out = Decoded::default();
    let text = String::from_utf8_lossy(bytes);
    let blocks = pem_blocks(&text);
    if blocks.is_empty() {
        if bytes.first() == Some(&0x30) {
            match certificate(bytes, path, within.to_string()) {
                Ok(c) => out.certificates.push(c),
                Err(e) => out.errors.push(e),
            }
        }
        return out;
    }
    let mut cert_index = 0;
    for block in blocks {
        let der = match block.der {
            Ok(der) => der,
            Err(e) => {
                out.errors.push(format!("{}: {e}", block.label));
                continue;
            }
        };
        match block.label.as_str() {
            "CERTIFICATE" | "TRUSTED CERTIFICATE" | "X509 CERTIFICATE" => {
                let place = match (within.is_empty(), cert_index) {
                    (_, 0) => within.to_string(),
                    (true, i) => format!("#{i}"),
                    (false, i) => format!("{within}#{i}"),
                };
                cert_index += 1;
                match certificate(&der, path, place) {
                    Ok(c) => out.certificates.push(c),
                    Err(e) => out.errors.push(e),
                }
            }
            "PUBLIC KEY" | "RSA PUBLIC KEY" => out.public_keys += 1,
            label if label.ends_with("PRIVATE KEY") => {
                out.private_key_blocks += 1;
                let encrypted = block.encrypted_header || label == "ENCRYPTED PRIVATE KEY";
                let key = if encrypted {
                    KeyInfo {
                        algorithm: String::new(),
                        bits: 0,
                    }
                } else {
                    match private_key_info(label, &der) {
                        Some(k) => k,
                        None => {
                            out.errors
                                .push(format!("{label}: not a key kcheck can read"));
                            continue;
                        }
                    }
                };
                out.private_keys.push(PrivateKey {
                    path: path.to_string(),
                    key,
                    encrypted,
                });
            }
            _ => {}
        }
    }
    out
}

fn pem_blocks(text: &str) -> Vec<PemBlock> {
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(label) = line
            .trim()
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        if blocks.len() >= MAX_BLOCKS {
            break;
        }
        let label = label.to_string();
        let end = format!("-----END {label}-----");
        let mut body = String::new();
        let mut encrypted_header = false;
        let mut closed = false;
        for line in lines.by_ref() {
            let line = line.trim();
            if line == end {
                closed = true;
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                // RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`) before the body.
                if name.eq_ignore_ascii_case("Proc-Type") && value.contains("ENCRYPTED") {
                    encrypted_header = true;
                }
                continue;
            }
            body.push_str(line);
        }
        let der = if closed {
            data_encoding::BASE64
                .decode(body.as_bytes())
                .map_err(|_| "invalid base64".to_string())
        } else {
            Err("no END line".to_string())
        };
        blocks.push(PemBlock {
            label,
            encrypted_header,
            der,
        });
    }
    blocks
}

/// One DER certificate to its facts.
pub fn certificate(der: &[u8], path: &str, within: String) -> Result<Certificate, String> {
    let (_, cert) =
        X509Certificate::from_der(der).map_err(|e| format!("not an X.509 certificate: {e}"))?;
    let subject = cert.subject();
    let text = |a: &x509_parser::x509::AttributeTypeAndValue| a.as_str().ok().map(str::to_string);
    let mut ski = None;
    let mut aki = None;
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => ski = Some(k.0),
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                aki = a.key_identifier.as_ref().map(|k| k.0);
            }
            _ => {}
        }
    }
    let same_name = subject.as_raw() == cert.issuer().as_raw();
    let self_signed = same_name
        && match (aki, ski) {
            (Some(a), Some(s)) => a == s,
            _ => true,
        };
    let mut eku = Vec::new();
    if let Ok(Some(ext)) = cert.extended_key_usage() {
        let u = ext.value;
        for (on, name) in [
            (u.any, "any"),
            (u.server_auth, "serverAuth"),
            (u.client_auth, "clientAuth"),
            (u.code_signing, "codeSigning"),
            (u.email_protection, "emailProtection"),
            (u.time_stamping, "timeStamping"),
            (u.ocsp_signing, "OCSPSigning"),
        ] {
            if on {
                eku.push(name.to_string());
            }
        }
        eku.extend(u.other.iter().map(|o| o.to_id_string()));
    }
    let common_name = subject
        .iter_common_name()
        .find_map(text)
        .unwrap_or_default();
    let organizations = subject.iter_organization().filter_map(text).collect();
    let facts = Certificate {
        path: path.to_string(),
        within,
        subject: subject.to_string(),
        common_name,
        organizations,
        issuer: cert.issuer().to_string(),
        serial: hex(cert.raw_serial()),
        is_ca: cert
            .basic_constraints()
            .ok()
            .flatten()
            .is_some_and(|b| b.value.ca),
        self_signed,
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        key: spki_key_info(cert.public_key().raw),
        extended_key_usage: eku,
        fingerprint: hex(&Sha256::digest(der)),
    };
    Ok(facts)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_never_panics() {
        for input in [
            &b""[..],
            b"\x30",
            b"\x30\x84\xff\xff\xff\xff",
            b"\x30\x80\x00\x00",
            b"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
            b"-----BEGIN CERTIFICATE-----\nMIIB\n",
            b"-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n",
            b"-----BEGIN RSA PRIVATE KEY-----\nMAMCAQA=\n-----END RSA PRIVATE KEY-----\n",
            b"-----BEGIN EC PRIVATE KEY-----\nMAA=\n-----END EC PRIVATE KEY-----\n",
        ] {
            let d = decode(input, "/x", "");
            assert!(d.certificates.is_empty());
        }
        for len in 0..64 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 0x30) as u8).collect();
            let _ = crate::der::spki_key_info(&bytes);
            let _ = crate::der::private_key_info("PRIVATE KEY", &bytes);
            let _ = crate::der::private_key_info("RSA PRIVATE KEY", &bytes);
            let _ = crate::der::private_key_info("EC PRIVATE KEY", &bytes);
        }
    }

    #[test]
    fn encrypted_keys_are_flagged_without_reading_them() {
        let pem = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        let d = decode(pem, "/k", "");
        assert_eq!(d.private_keys.len(), 1);
        assert!(d.private_keys[0].encrypted);
    }
}
