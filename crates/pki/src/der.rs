//! A minimal DER reader, enough for key algorithms and sizes: SubjectPublicKeyInfo, PKCS#1,
//! SEC1 and PKCS#8. Malformed input gives "unknown", never a panic.

use kcheck_model::facts::KeyInfo;

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
pub(crate) fn spki_key_info(der: &[u8]) -> KeyInfo {
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

pub(crate) fn private_key_info(label: &str, der: &[u8]) -> Option<KeyInfo> {
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
    fn oids_and_integers() {
        assert_eq!(oid_string(OID_RSA), "1.2.840.113549.1.1.1");
        assert_eq!(oid_string(OID_ED25519), "1.3.101.112");
        assert_eq!(integer_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(integer_bits(&[0x01, 0x00]), 9);
        assert_eq!(integer_bits(&[]), 0);
    }
}
