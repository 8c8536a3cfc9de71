//! PEM and DER: certificates decoded with x509-parser, private keys described by algorithm and
//! size from a small DER reader. Key material is never kept: only its kind and strength.

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

// --- a minimal DER reader, enough for key algorithms and sizes ---

struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
}

/// One tag-length-value, and what follows it. `None` on anything malformed.
fn tlv(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *input.first()?;
    if tag & 0x1f == 0x1f {
        return None; // multi-byte tags do not occur in keys
    }
    let first = *input.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None; // indefinite or absurd lengths
        }
        let mut len = 0usize;
        for b in input.get(2..2 + n)? {
            len = len.checked_mul(256)?.checked_add(usize::from(*b))?;
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    Some((
        Tlv {
            tag,
            content: input.get(header..end)?,
        },
        input.get(end..)?,
    ))
}

/// The elements of a SEQUENCE's content.
fn elements(mut content: &[u8]) -> Vec<Tlv<'_>> {
    let mut out = Vec::new();
    while let Some((t, rest)) = tlv(content) {
        out.push(t);
        content = rest;
        if out.len() > 64 {
            break;
        }
    }
    out
}

fn sequence(der: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let (t, _) = tlv(der)?;
    (t.tag == 0x30).then(|| elements(t.content))
}

const TAG_INTEGER: u8 = 0x02;
const TAG_BIT_STRING: u8 = 0x03;
const TAG_OCTET_STRING: u8 = 0x04;
const TAG_OID: u8 = 0x06;

const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_RSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const OID_ED448: &[u8] = &[0x2b, 0x65, 0x71];

/// Bits of a named curve.
fn curve_bits(oid: &[u8]) -> u32 {
    match oid {
        [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07] => 256, // P-256
        [0x2b, 0x81, 0x04, 0x00, 0x22] => 384,                   // P-384
        [0x2b, 0x81, 0x04, 0x00, 0x23] => 521,                   // P-521
        [0x2b, 0x81, 0x04, 0x00, 0x21] => 224,                   // P-224
        [0x2b, 0x81, 0x04, 0x00, 0x0a] => 256,                   // secp256k1
        [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x01] => 192, // P-192
        _ => 0,
    }
}

/// Bits of an unsigned big-endian INTEGER's value.
fn integer_bits(content: &[u8]) -> u32 {
    let start = content
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(content.len());
    let Some(&first) = content.get(start) else {
        return 0;
    };
    let bytes = u32::try_from(content.len() - start).unwrap_or(u32::MAX / 8);
    (bytes - 1).saturating_mul(8) + (8 - first.leading_zeros())
}

/// A dotted OID (`1.2.840.113549.1.1.1`) from its DER content.
fn oid_string(oid: &[u8]) -> String {
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    for &b in oid {
        value = value
            .saturating_mul(128)
            .saturating_add(u64::from(b & 0x7f));
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
        }
    }
    arcs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// Algorithm and size from an AlgorithmIdentifier and the key that follows it.
fn algorithm_info(alg: &Tlv, key: Option<&Tlv>, rsa_key: fn(&[u8]) -> u32) -> KeyInfo {
    let parts = elements(alg.content);
    let oid = parts
        .first()
        .filter(|t| t.tag == TAG_OID)
        .map_or(&[][..], |t| t.content);
    let params = parts.get(1);
    let named = |algorithm: &str, bits: u32| KeyInfo {
        algorithm: algorithm.to_string(),
        bits,
    };
    match oid {
        OID_RSA | OID_RSA_PSS => named("RSA", key.map_or(0, |k| rsa_key(k.content))),
        OID_EC => named(
            "ECDSA",
            params
                .filter(|p| p.tag == TAG_OID)
                .map_or(0, |p| curve_bits(p.content)),
        ),
        OID_ED25519 => named("Ed25519", 256),
        OID_ED448 => named("Ed448", 456),
        OID_DSA => named("DSA", 0),
        other => named(&oid_string(other), 0),
    }
}

/// SubjectPublicKeyInfo: SEQUENCE { AlgorithmIdentifier, BIT STRING key }.
pub fn spki_key_info(der: &[u8]) -> KeyInfo {
    let unknown = KeyInfo {
        algorithm: String::new(),
        bits: 0,
    };
    let Some(parts) = sequence(der) else {
        return unknown;
    };
    let (Some(alg), key) = (
        parts.first(),
        parts.get(1).filter(|k| k.tag == TAG_BIT_STRING),
    ) else {
        return unknown;
    };
    algorithm_info(alg, key, |bits| {
        // BIT STRING: one byte of unused bits, then RSAPublicKey ::= SEQUENCE { n, e }.
        bits.get(1..)
            .and_then(sequence)
            .and_then(|p| p.first().map(|n| integer_bits(n.content)))
            .unwrap_or(0)
    })
}

/// RSAPrivateKey (PKCS#1): SEQUENCE { version, modulus, ... }.
fn pkcs1_bits(der: &[u8]) -> u32 {
    sequence(der)
        .and_then(|p| {
            p.get(1)
                .filter(|n| n.tag == TAG_INTEGER)
                .map(|n| integer_bits(n.content))
        })
        .unwrap_or(0)
}

/// ECPrivateKey (SEC1): SEQUENCE { 1, OCTET STRING key, [0] curve OID, [1] public key }.
fn sec1_bits(der: &[u8]) -> Option<u32> {
    let parts = sequence(der)?;
    let curve = parts
        .iter()
        .find(|t| t.tag == 0xa0)
        .and_then(|t| tlv(t.content))
        .filter(|(t, _)| t.tag == TAG_OID)
        .map(|(t, _)| curve_bits(t.content))
        .unwrap_or(0);
    if curve > 0 {
        return Some(curve);
    }
    let key = parts.get(1).filter(|t| t.tag == TAG_OCTET_STRING)?;
    u32::try_from(key.content.len() * 8).ok()
}

fn private_key_info(label: &str, der: &[u8]) -> Option<KeyInfo> {
    match label {
        "RSA PRIVATE KEY" => Some(KeyInfo {
            algorithm: "RSA".into(),
            bits: pkcs1_bits(der),
        })
        .filter(|k| k.bits > 0),
        "EC PRIVATE KEY" => Some(KeyInfo {
            algorithm: "ECDSA".into(),
            bits: sec1_bits(der)?,
        }),
        _ => {
            // PKCS#8: SEQUENCE { version, AlgorithmIdentifier, OCTET STRING privateKey, ... }
            let parts = sequence(der)?;
            let alg = parts.get(1).filter(|t| t.tag == 0x30)?;
            let key = parts.get(2).filter(|t| t.tag == TAG_OCTET_STRING);
            let info = algorithm_info(alg, key, pkcs1_bits);
            if info.algorithm == "ECDSA" && info.bits == 0 {
                let bits = key.and_then(|k| sec1_bits(k.content)).unwrap_or(0);
                return Some(KeyInfo { bits, ..info });
            }
            Some(info)
        }
    }
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
            let _ = spki_key_info(&bytes);
            let _ = private_key_info("PRIVATE KEY", &bytes);
            let _ = private_key_info("RSA PRIVATE KEY", &bytes);
            let _ = private_key_info("EC PRIVATE KEY", &bytes);
        }
    }

    #[test]
    fn oids_and_integers() {
        assert_eq!(oid_string(OID_RSA), "1.2.840.113549.1.1.1");
        assert_eq!(oid_string(OID_ED25519), "1.3.101.112");
        assert_eq!(integer_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(integer_bits(&[0x01, 0x00]), 9);
        assert_eq!(integer_bits(&[]), 0);
    }

    #[test]
    fn encrypted_keys_are_flagged_without_reading_them() {
        let pem = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        let d = decode(pem, "/k", "");
        assert_eq!(d.private_keys.len(), 1);
        assert!(d.private_keys[0].encrypted);
    }
}
