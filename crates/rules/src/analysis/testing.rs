//! Helpers for the auth unit tests: YAML in, model out.

use kcheck_load::{load_bytes, parse_documents, DocOutcome, Limits};
use kcheck_model::{Inventory, Node};

/// The first document of `yaml` as a node.
pub fn node(yaml: &str) -> Node {
    match parse_documents(yaml, &Limits::default())
        .documents
        .into_iter()
        .next()
    {
        Some(DocOutcome::Node(n)) => n,
        _ => panic!("not a document: {yaml}"),
    }
}

/// The objects of a multi-document `yaml`.
pub fn inventory(yaml: &str) -> Inventory {
    let loaded = load_bytes("test.yaml", yaml.as_bytes(), &Limits::default());
    assert!(
        !loaded.inputs.has_errors(),
        "{:?}",
        loaded.inputs.diagnostics
    );
    Inventory::new(loaded.objects)
}
