//! Throughput of the JSON parser against the YAML path, on a kubectl-style `List` of generated
//! Deployments (one document, as `kubectl get deploy -A -o json` prints it):
//!
//! ```text
//! cargo run --release -p kcheck-load --example json_vs_yaml [-- OBJECTS]
//! ```
//!
//! Prints MB/s for the JSON parser on the JSON text, the YAML path on the same JSON text (what
//! read JSON before the JSON parser existed), and the YAML path on the same list written as
//! block YAML.

use kcheck_load::{parse_documents, parse_json, DocOutcome, Limits, Parsed};
use serde_json::{json, Value};
use std::time::Instant;

fn object(i: usize) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": format!("web-{i}"),
            "namespace": format!("team-{}", i % 37),
            "labels": {"app": "web", "tier": "frontend", "release": format!("r{}", i % 11)},
            "annotations": {"deployment.kubernetes.io/revision": "3", "note": "généré — ünïcode ✓"},
            "uid": format!("6f1c2d3e-{i:04x}-4b5a-9c8d-7e6f5a4b3c2d"),
            "resourceVersion": format!("{}", 100_000 + i),
        },
        "spec": {
            "replicas": i % 5 + 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web", "tier": "frontend"}},
                "spec": {
                    "serviceAccountName": "web",
                    "containers": [{
                        "name": "app",
                        "image": format!("registry.example.com/web:{}.{}.{}", i % 3, i % 7, i % 13),
                        "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                        "env": [{"name": "MODE", "value": "production"}, {"name": "WORKERS", "value": "4"}],
                        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": 0.25, "memory": "128Mi"}},
                        "securityContext": {"runAsNonRoot": true, "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}},
                    }],
                },
            },
        },
        "status": {"replicas": 3, "readyReplicas": 3, "observedGeneration": 7},
    })
}

/// Block YAML for a JSON value (strings double-quoted, which YAML reads as JSON does).
fn yaml(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                out.push_str(&format!("{pad}{k:?}:"));
                child(v, indent, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                out.push_str(&format!("{pad}-"));
                child(item, indent, out);
            }
        }
        scalar => out.push_str(&format!("{pad}{scalar}\n")),
    }
}

fn child(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            yaml(v, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            yaml(v, indent + 2, out);
        }
        scalar => out.push_str(&format!(" {scalar}\n")),
    }
}

fn measure(name: &str, text: &str, parse: impl Fn(&str) -> Parsed) -> Value {
    let mut best = f64::MAX;
    let mut result = Value::Null;
    for _ in 0..5 {
        let start = Instant::now();
        let parsed = parse(text);
        best = best.min(start.elapsed().as_secs_f64());
        assert!(
            parsed.errors.is_empty(),
            "{name}: {:?}",
            &parsed.errors[..1]
        );
        result = match parsed.documents.into_iter().next() {
            Some(DocOutcome::Node(n)) => n.to_json(),
            other => panic!("{name}: {other:?}"),
        };
    }
    let mb = text.len() as f64 / 1e6;
    println!(
        "{name:<28} {mb:7.1} MB  {:8.1} ms  {:7.1} MB/s",
        best * 1e3,
        mb / best
    );
    result
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let items: Vec<Value> = (0..n).map(object).collect();
    let list = json!({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items});
    let json_text = serde_json::to_string_pretty(&list).unwrap();
    let mut yaml_text = String::new();
    yaml(&list, 0, &mut yaml_text);
    let limits = Limits {
        max_document_bytes: usize::MAX,
        max_nodes: usize::MAX,
        ..Limits::default()
    };
    println!("a List of {n} Deployments");
    let a = measure("JSON parser, JSON text", &json_text, |t| {
        parse_json(t, &limits)
    });
    let b = measure("YAML path, same JSON text", &json_text, |t| {
        parse_documents(t, &limits)
    });
    let c = measure("YAML path, block YAML", &yaml_text, |t| {
        parse_documents(t, &limits)
    });
    assert_eq!(a, list, "the JSON parser reads back what was written");
    assert_eq!(b, list);
    assert_eq!(c, list);
}
