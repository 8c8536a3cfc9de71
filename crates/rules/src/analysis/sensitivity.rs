//! Which workloads are sensitive: marked by a configurable label or annotation (default
//! `kcheck.io/sensitivity: high`) on the workload, its pod template, or its namespace.

use crate::Context;
use kcheck_model::{Node, Object};

fn marked(meta: Option<&Node>, key: &str, values: &[String]) -> bool {
    let Some(meta) = meta else { return false };
    ["labels", "annotations"].iter().any(|field| {
        meta.get(field)
            .and_then(|m| m.str_at(key))
            .is_some_and(|v| values.iter().any(|want| want == v))
    })
}

/// Whether `object` is a sensitive workload.
pub fn is_sensitive(object: &Object, ctx: &Context) -> bool {
    let s = &ctx.config.sensitivity;
    if marked(object.metadata(), &s.key, &s.values) {
        return true;
    }
    if object
        .pod_spec()
        .is_some_and(|pod| marked(pod.metadata, &s.key, &s.values))
    {
        return true;
    }
    let ns = object.namespace.as_deref().unwrap_or("default");
    ctx.inventory
        .get("Namespace", None, ns)
        .is_some_and(|n| marked(n.metadata(), &s.key, &s.values))
}
