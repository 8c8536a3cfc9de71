//! Redacted fingerprints and the small base64 decoder the detectors need.
//!
//! A finding never carries a secret: only a fingerprint made of at most a quarter of the value's
//! first characters (four at most) and the first 8 hex digits of the SHA-256 of the whole value,
//! enough to tell two findings apart or to match a value the user holds
//! (`printf %s "$value" | sha256sum | cut -c1-8`).

use sha2::{Digest, Sha256};

/// `ghp_…1a2b3c4d`: a quarter of the value's characters (at most 4), an ellipsis and a short hash.
pub fn fingerprint(value: &str) -> String {
    let shown = (value.chars().count() / 4).min(4);
    let prefix: String = value.chars().take(shown).collect();
    format!("{prefix}…{}", short_hash(value.as_bytes()))
}

/// `…1a2b3c4d`: the short hash alone, for values whose start says nothing useful (key material).
pub fn hash_only(value: &[u8]) -> String {
    format!("…{}", short_hash(value))
}

/// The first 8 hex digits of the SHA-256 of `bytes`.
pub fn short_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
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
    fn fingerprint_shows_at_most_a_quarter_and_four_characters() {
        let fp = fingerprint("ghp_Zq4RtY8uWm2Np6Lk0Hs3Dv9Fb1Xc7Ja5Ge2T");
        assert!(fp.starts_with("ghp_…"), "{fp}");
        assert_eq!(fp.chars().count(), 4 + 1 + 8);
        assert!(fingerprint("hunter22").starts_with("hu…"));
        assert!(fingerprint("abc").starts_with('…'));
        assert_eq!(fingerprint(""), format!("…{}", short_hash(b"")));
    }

    #[test]
    fn short_hash_is_sha256() {
        // printf %s abc | sha256sum
        assert_eq!(short_hash(b"abc"), "ba7816bf");
        assert_eq!(hash_only(b"abc"), "…ba7816bf");
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
