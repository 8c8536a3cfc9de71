//! PEM and DER as kcheck reads them wherever certificates and keys turn up: node files and
//! kubeconfigs (`kcheck-node`), and the values of TLS Secrets (`kcheck-rules`). A certificate
//! becomes its facts; a key only its algorithm and size.

mod decode;
mod der;

pub use decode::{certificate, decode, hex, Decoded};
