//! PEM and DER as kcheck reads them wherever certificates and keys turn up: node files and
//! kubeconfigs (`kcheck-node`), and the values of TLS Secrets (`kcheck-rules`). A certificate
//! becomes its facts; a key only its algorithm and size.

mod decode;
mod der;

pub use decode::{certificate, decode, hex, Decoded};

/// Standard base64 (a Secret's `data` value), line breaks and spaces ignored; `None` when it is
/// not valid.
pub fn base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    data_encoding::BASE64.decode(compact.as_bytes()).ok()
}
