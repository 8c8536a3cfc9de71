//! Redacted fingerprints and the small base64 decoder the detectors need.
//!
//! A finding never carries a secret: only a fingerprint made of the well-known prefix of its
//! kind, if it has one (`ghp_`, `AKIA`, `glpat-`, `xoxb-`, `sk_live_`, `eyJ`), and the first 8 hex
//! digits of an HMAC-SHA256 of the whole value. The key of that HMAC is the run's own, never
//! printed: random for each process, or derived from `KCHECK_FINGERPRINT_KEY` when fingerprints
//! must stay the same across runs (baselines, comparing a live audit with a dump). Without the
//! key nobody can confirm a guessed value from a report; with it, the same value has the same
//! fingerprint. No character of a password, token or key beyond its kind's public prefix is shown.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::sync::RwLock;

/// The HMAC key fingerprints are made with. Library users and tests that never set one get a
/// fixed key (so that their output is reproducible); the kcheck binary always sets the run's own
/// ([`set_key`]).
static KEY: RwLock<[u8; 32]> = RwLock::new(*b"kcheck fingerprint key: unset...");

/// Sets the run's fingerprint key (from `KCHECK_FINGERPRINT_KEY`, or random bytes).
pub fn set_key(key: [u8; 32]) {
    if let Ok(mut k) = KEY.write() {
        *k = key;
    }
}

/// A 32-byte key from a passphrase: its SHA-256.
pub fn key_from(passphrase: &str) -> [u8; 32] {
    Sha256::digest(passphrase.as_bytes()).into()
}

/// `ghp_…1a2b3c4d` for a GitHub token, `…1a2b3c4d` for a password: the public `prefix` of the
/// value's kind (empty for most kinds) and its keyed short hash.
pub fn fingerprint(prefix: &str, value: &str) -> String {
    let prefix = if value.starts_with(prefix) {
        prefix
    } else {
        ""
    };
    format!("{prefix}…{}", short_hash(value.as_bytes()))
}

/// `…1a2b3c4d`: the keyed short hash alone, for key material.
pub fn hash_only(value: &[u8]) -> String {
    format!("…{}", short_hash(value))
}

/// The first 8 hex digits of the HMAC-SHA256 of `bytes` under the run's key.
pub fn short_hash(bytes: &[u8]) -> String {
    let key = KEY.read().map(|k| *k).unwrap_or([0; 32]);
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
        return "00000000".into();
    };
    mac.update(bytes);
    let digest = mac.finalize().into_bytes();
    digest[..4].iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes standard or URL-safe base64, with or without padding, ignoring whitespace. `None` when
/// the text is not base64.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut padding = 0usize;
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => {
                padding += 1;
                continue;
            }
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        if padding > 0 {
            // Data after padding.
            return None;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (padding <= 2 && bits < 6).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_show_only_a_public_prefix_and_a_keyed_hash() {
        let fp = fingerprint("ghp_", "ghp_Zq4RtY8uWm2Np6Lk0Hs3Dv9Fb1Xc7Ja5Ge2T");
        assert!(fp.starts_with("ghp_…"), "{fp}");
        assert_eq!(fp.chars().count(), 4 + 1 + 8);
        // A password shows none of its characters.
        assert!(fingerprint("", "Winter2023!").starts_with('…'));
        // A prefix the value does not have is not shown.
        assert!(fingerprint("ghp_", "hunter22").starts_with('…'));
        assert_eq!(fingerprint("", ""), format!("…{}", short_hash(b"")));
    }

    #[test]
    fn short_hash_is_an_hmac_under_the_runs_key() {
        // Not the plain SHA-256 anyone could compute (printf %s abc | sha256sum: ba7816bf...).
        let unset = short_hash(b"abc");
        assert_ne!(unset, "ba7816bf");
        assert_eq!(hash_only(b"abc"), format!("…{unset}"));
        // HMAC-SHA256 with the key "key" over "The quick brown fox jumps over the lazy dog"
        // (RFC 4231-style known answer): f7bc83f4...
        let mut mac = Hmac::<Sha256>::new_from_slice(b"key").unwrap();
        mac.update(b"The quick brown fox jumps over the lazy dog");
        assert_eq!(&mac.finalize().into_bytes()[..4], &[0xf7, 0xbc, 0x83, 0xf4]);
    }

    #[test]
    fn base64_both_alphabets() {
        assert_eq!(decode_base64("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("aGVsbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("aGVs\nbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode_base64("-_8").as_deref(), Some(&[0xfb, 0xff][..]));
        assert_eq!(decode_base64("a*b"), None);
        assert_eq!(decode_base64("aG=Vs"), None);
    }
}
