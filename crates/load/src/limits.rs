//! Hard limits against hostile input. Each has a default and a command-line flag.

use kcheck_model::Text;

/// Bounds on what one file or document may cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest file (or standard input) read, in bytes.
    pub max_file_bytes: u64,
    /// Largest single YAML document, in characters.
    pub max_document_bytes: usize,
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most nodes one document may gain by expanding aliases (the "billion laughs" attack).
    pub max_alias_nodes: usize,
    /// Most nodes in one document, aliases expanded.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 256 * 1024 * 1024,
            max_document_bytes: 32 * 1024 * 1024,
            max_depth: 128,
            max_alias_nodes: 100_000,
            max_nodes: 2_000_000,
        }
    }
}

pub fn too_many_nodes(max: usize) -> Text {
    Text::new(
        format!("document has more than {max} nodes (limit: --max-nodes)"),
        format!("文档节点数超过 {max}(限制:--max-nodes)"),
    )
}

pub fn too_deep(max: usize) -> Text {
    Text::new(
        format!("nesting deeper than {max} levels (limit: --max-depth)"),
        format!("嵌套层级超过 {max}(限制:--max-depth)"),
    )
}

pub fn too_large(max: usize) -> Text {
    Text::new(
        format!("document larger than {max} characters (limit: --max-document-size)"),
        format!("文档超过 {max} 个字符(限制:--max-document-size)"),
    )
}
