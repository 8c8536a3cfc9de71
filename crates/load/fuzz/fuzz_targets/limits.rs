//! The limits every fuzz target loads under: small, so that alias bombs, deep nesting and huge
//! documents are refused quickly.

use kcheck_load::Limits;

pub const LIMITS: Limits = Limits {
    max_file_bytes: 1 << 20,
    max_document_bytes: 64 * 1024,
    max_depth: 32,
    max_alias_nodes: 10_000,
    max_nodes: 50_000,
};
