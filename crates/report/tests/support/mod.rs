//! Helpers shared by the report test binaries (included with `#[path]`).
#![allow(dead_code)]

use serde_json::Value;
use std::path::PathBuf;

/// The SARIF 2.1.0 schema vendored in `schemas/`.
pub fn schema() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas/sarif-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the SARIF 2.1.0 schema is needed at {} to validate the SARIF output: {e}",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap()
}

/// Every artifact URI, for the `uri-reference` check that draft-04 validators do not make.
pub fn uris(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(u)) = m.get("artifactLocation").and_then(|a| a.get("uri")) {
                out.push(u.clone());
            }
            m.values().for_each(|v| uris(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| uris(v, out)),
        _ => {}
    }
}

/// A small well-formedness check: tags nest and close, attributes are quoted, `&` only starts an
/// entity, `<` only starts markup, no character XML 1.0 forbids. Returns the opened tags.
pub fn check_well_formed(xml: &str) -> Vec<String> {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("XML declaration");
    for c in body.chars() {
        assert!(
            matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..),
            "forbidden character {c:?}"
        );
    }
    let check_text = |t: &str| {
        assert!(!t.contains('<') && !t.contains('>'), "markup in text: {t}");
        for (i, _) in t.match_indices('&') {
            let rest = &t[i..];
            let name = &rest[1..rest.find(';').expect("entity ends")];
            assert!(
                ["amp", "lt", "gt", "quot", "apos"].contains(&name)
                    || (name.starts_with('#') && name[1..].chars().all(|c| c.is_ascii_digit())),
                "bad entity &{name};"
            );
        }
    };
    let mut stack: Vec<String> = Vec::new();
    let mut opened = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find('<') {
        check_text(&rest[..start]);
        let end = rest[start..].find('>').expect("tag ends") + start;
        let tag = &rest[start + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "closing {name}");
        } else {
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let (name, attrs) = tag.split_once(' ').unwrap_or((tag, ""));
            let mut a = attrs.trim();
            while !a.is_empty() {
                let eq = a.find("=\"").expect("attribute is quoted");
                let close = a[eq + 2..].find('"').expect("attribute closes") + eq + 2;
                let value = &a[eq + 2..close];
                assert!(!value.contains('<'), "< in attribute");
                check_text(value);
                a = a[close + 1..].trim_start();
            }
            opened.push(name.to_owned());
            if !self_closing {
                stack.push(name.to_owned());
            }
        }
        rest = &rest[end + 1..];
    }
    check_text(rest);
    assert!(stack.is_empty(), "unclosed {stack:?}");
    opened
}
