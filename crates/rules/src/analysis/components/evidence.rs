//! What a node rule says when the evidence it needs is not there. A component the scan did not
//! find (no static pod, no process) is a "not examined" note with the collector's reason, and
//! the rule examines nothing for it, so that the item ends up "not evaluated" instead of
//! passing on nothing.

use crate::{NodePlace, Sink};
use kcheck_model::facts::{Component, ComponentKind, Missing};
use kcheck_model::{text, NodeFacts};

/// The key under which the collector records a component it could not find.
pub fn component_key(kind: ComponentKind) -> String {
    format!("component:{}", kind.binary())
}

/// The component, or `None` after informing why it could not be examined: the collector's
/// reason when it recorded one, otherwise that the node runs no such component (a worker node
/// has no control plane; an external etcd runs elsewhere).
pub fn component<'f>(
    facts: &'f NodeFacts,
    kind: ComponentKind,
    sink: &mut Sink,
) -> Option<&'f Component> {
    if let Some(c) = facts.component(kind) {
        return Some(c);
    }
    match facts.missing(&component_key(kind)) {
        Some(m) => note_missing(m, sink),
        None => {
            let name = kind.binary();
            sink.not_examined_on_node(
                NodePlace::file(name),
                text!(
                    "no {name} static pod or process on this node",
                    "此节点上没有 {name} 的静态 Pod 或进程",
                ),
            );
        }
    }
    None
}

/// Reports evidence the collector recorded as missing, with its reason.
pub fn note_missing(missing: &Missing, sink: &mut Sink) {
    let place = NodePlace::file(missing.path.as_deref().unwrap_or(&missing.what));
    let what = missing
        .what
        .strip_prefix("component:")
        .unwrap_or(&missing.what);
    let (en, zh) = (&missing.reason.en, &missing.reason.zh);
    sink.not_examined_on_node(
        place,
        text!("{what} is not available ({en})", "无法获得 {what}（{zh}）",),
    );
}

/// Notes every missing entry whose key satisfies `wanted`; returns how many there were.
pub fn note_missing_where(
    facts: &NodeFacts,
    wanted: impl Fn(&str) -> bool,
    sink: &mut Sink,
) -> usize {
    let mut n = 0;
    for m in facts.missing.iter().filter(|m| wanted(&m.what)) {
        note_missing(m, sink);
        n += 1;
    }
    n
}
