//! An in-process Kubernetes API server for tests and benchmarks: HTTPS with a CA made on the
//! spot, bearer-token authentication, and the real wire format (`/version`, discovery documents,
//! lists paginated with `limit` and `continue`, PartialObjectMetadataList, Status objects for
//! errors). A [`Fixture`] says what it serves and how it misbehaves: forbidden resources, groups
//! whose discovery fails, pages that fail for a while (429 with Retry-After, 5xx) or always,
//! slow pages. It refuses to list Secrets whole unless the fixture allows it, so a test proves
//! that the client asked for metadata only.

mod fixture;
mod server;

pub use fixture::{Failing, Fixture, Resource};
pub use server::{ApiServer, Request};

/// Standard base64 (for the kubeconfig's CA data).
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_pads() {
        assert_eq!(super::base64(b"a"), "YQ==");
        assert_eq!(super::base64(b"ab"), "YWI=");
        assert_eq!(super::base64(b"abc"), "YWJj");
    }
}
