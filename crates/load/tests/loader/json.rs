//! The JSON parser: positions of keys and values, streams, escapes, errors and recovery,
//! limits, duplicate keys.

use super::{errors, load};
use kcheck_load::{load_bytes, parse_json, DocOutcome, Limits};
use kcheck_model::{DiagnosticSeverity, Pos, Source, Value};

fn json_docs(text: &str) -> kcheck_load::Parsed {
    parse_json(text, &Limits::default())
}

fn json_root(parsed: &kcheck_load::Parsed, i: usize) -> &kcheck_model::Node {
    match &parsed.documents[i] {
        DocOutcome::Node(n) => n,
        other => panic!("document {i}: {other:?}"),
    }
}

#[test]
fn json_keys_and_values_have_positions() {
    let text = concat!(
        r#"{"metadata": {"name": "\u00e9t\u00e9", "note": "été", "ns": "x"},"#,
        "\n\t",
        r#""data": {"k": [1, -2.5e3, true, null, 9223372036854775808]}}"#
    );
    let p = json_docs(text);
    assert!(p.errors.is_empty() && p.warnings.is_empty(), "{p:?}");
    let root = json_root(&p, 0);
    assert_eq!(root.pos, Pos::new(1, 1));
    let meta = root.entry("metadata").unwrap();
    assert_eq!(
        (meta.key_pos, meta.value.pos),
        (Pos::new(1, 2), Pos::new(1, 14))
    );
    let name = meta.value.entry("name").unwrap();
    assert_eq!(
        (name.key_pos, name.value.pos),
        (Pos::new(1, 15), Pos::new(1, 23))
    );
    assert_eq!(name.value.as_str(), Some("été"));
    // Columns count characters: "été" is three.
    let ns = meta.value.entry("ns").unwrap();
    assert_eq!(
        (ns.key_pos, ns.value.pos),
        (Pos::new(1, 55), Pos::new(1, 61))
    );
    let data = root.entry("data").unwrap();
    assert_eq!(data.key_pos, Pos::new(2, 2), "a tab is one column");
    let k = data.value.get("k").unwrap();
    let got: Vec<_> = k
        .as_seq()
        .iter()
        .map(|n| (n.pos.column, n.value.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (17, Value::Int(1)),
            (20, Value::Float(-2500.0)),
            (28, Value::Bool(true)),
            (34, Value::Null),
            // kubectl holds integers above int64 as float64.
            (40, Value::Float(9_223_372_036_854_775_808.0)),
        ]
    );
}

#[test]
fn json_streams_load_every_object() {
    let cm = |n: &str| {
        format!(
            "{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{n}\"}}}}"
        )
    };
    let text = format!("{}\n{}{}\n", cm("a"), cm("b"), cm("c"));
    let l = load_bytes("s.json", text.as_bytes(), &Limits::default());
    assert_eq!(errors(&l), Vec::<String>::new());
    let got: Vec<_> = l
        .objects
        .iter()
        .map(|o| match &o.source {
            Source::File { document, .. } => (o.name.as_str(), *document, o.root.pos),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        got,
        [
            ("a", 0, Pos::new(1, 1)),
            ("b", 1, Pos::new(2, 1)),
            ("c", 2, Pos::new(2, 63))
        ]
    );
}

#[test]
fn json_surrogate_pairs_and_escapes() {
    let p =
        json_docs(r#"["\ud83d\ude00", "\ud83d", "\ude00x", "\ud83d\u0041", "\"\\\/\b\f\n\r\t"]"#);
    let got: Vec<_> = json_root(&p, 0)
        .as_seq()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    // A lone surrogate is U+FFFD, as in Go.
    assert_eq!(
        got,
        [
            "😀",
            "\u{FFFD}",
            "\u{FFFD}x",
            "\u{FFFD}A",
            "\"\\/\u{8}\u{c}\n\r\t"
        ]
    );
    // A raw tab in a string is kept (Go refuses it; YAML, which read these files before, not).
    let p = json_docs("[\"a\tb\", \"\u{e9}\u{1F600}\"]");
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(json_root(&p, 0).as_seq()[0].as_str(), Some("a\tb"));
    assert_eq!(json_root(&p, 0).as_seq()[1].pos, Pos::new(1, 9));
    let p = json_docs("[\"a\u{1}b\"]");
    assert_eq!(p.errors[0].pos, Pos::new(1, 4));
}

#[test]
fn json_syntax_error_is_placed_and_the_next_object_still_loads() {
    let text = "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"a\"}}\n{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\",\n  \"metadata\": {\"name\": \"b\",}}\n{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\"}}\n";
    let p = json_docs(text);
    assert_eq!(p.errors.len(), 1, "{p:?}");
    assert_eq!(p.errors[0].pos, Pos::new(3, 28));
    assert!(p.errors[0]
        .message
        .en
        .starts_with("JSON syntax error: unexpected '}', expected a string"));
    let l = load_bytes("e.json", text.as_bytes(), &Limits::default());
    let names: Vec<_> = l.objects.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["a", "c"]);
    assert_eq!(errors(&l).len(), 1);
    assert!(
        errors(&l)[0].starts_with("e.json:3:28: JSON syntax error"),
        "{:?}",
        errors(&l)
    );
    match &l.objects[1].source {
        Source::File { document, .. } => assert_eq!(*document, 2),
        other => panic!("{other:?}"),
    }
    // Not JSON but flow YAML: read as YAML, as before.
    let l = load("{apiVersion: v1, kind: ConfigMap, metadata: {name: cm}, data: {mode: 0644}}");
    assert_eq!(errors(&l), Vec::<String>::new());
    assert_eq!(
        l.objects[0].root.path(&["data", "mode"]).unwrap().value,
        Value::Int(420)
    );
}

#[test]
fn json_depth_bomb_is_refused_without_overflowing_the_stack() {
    for bomb in [
        "[".repeat(100_000),
        "{\"a\":".repeat(100_000),
        format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000)),
    ] {
        let p = json_docs(&bomb);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        match &p.documents[..] {
            [DocOutcome::Rejected(problem)] => {
                assert!(
                    problem
                        .message
                        .en
                        .contains("nesting deeper than 128 levels"),
                    "{problem:?}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(errors(&load(&bomb)).len(), 1);
    }
    let limits = Limits {
        max_nodes: 10,
        ..Limits::default()
    };
    let p = parse_json("[1,2,3,4,5,6,7,8,9,10,11,12] {\"after\": 1}", &limits);
    assert!(
        matches!(&p.documents[0], DocOutcome::Rejected(e) if e.message.en.contains("more than 10 nodes"))
    );
    assert!(matches!(&p.documents[1], DocOutcome::Node(n) if n.get("after").is_some()));
    let limits = Limits {
        max_document_bytes: 20,
        ..Limits::default()
    };
    let p = parse_json(
        "{\"a\": \"0123456789012345678901234567890\"}\n{\"b\": 1}",
        &limits,
    );
    assert!(
        matches!(&p.documents[0], DocOutcome::Rejected(e) if e.message.en.contains("larger than 20"))
    );
    assert!(matches!(&p.documents[1], DocOutcome::Node(n) if n.pos == Pos::new(2, 1)));
}

#[test]
fn json_duplicate_keys_keep_the_last_value_with_a_warning() {
    let text = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"first\",\n \"name\":\"second\"}}";
    let l = load_bytes("d.json", text.as_bytes(), &Limits::default());
    assert_eq!(l.objects[0].name, "second");
    let all: Vec<_> = l
        .inputs
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        all,
        ["d.json:2:2: duplicate key \"name\": the last value is used"]
    );
    assert_eq!(
        l.inputs.diagnostics[0].severity,
        DiagnosticSeverity::Warning
    );
}

/// Every mapping and sequence holds exactly its members: no room left over from growing, which
/// for a large cluster's lists was a third of the tree.
#[test]
fn json_containers_hold_no_spare_room() {
    fn check(node: &kcheck_model::Node, spare: &mut Vec<String>) {
        match &node.value {
            Value::Map(entries) => {
                if entries.capacity() != entries.len() {
                    spare.push(format!(
                        "map at {}: {}/{}",
                        node.pos,
                        entries.len(),
                        entries.capacity()
                    ));
                }
                entries.iter().for_each(|e| check(&e.value, spare));
            }
            Value::Seq(items) => {
                if items.capacity() != items.len() {
                    spare.push(format!(
                        "seq at {}: {}/{}",
                        node.pos,
                        items.len(),
                        items.capacity()
                    ));
                }
                items.iter().for_each(|n| check(n, spare));
            }
            _ => {}
        }
    }
    let text = r#"{"kind": "List", "items": [
        {"metadata": {"name": "a", "labels": {"x": "1", "y": "2", "z": "3"}}, "spec": {"containers": [{"name": "c", "args": ["1", "2", "3", "4", "5"]}]}},
        {"metadata": {"name": "b"}, "spec": {"a": [[], {}, [1, [2, [3]]]], "b": 1, "c": 2, "d": 3, "e": 4}}
    ]}"#;
    let p = json_docs(text);
    let mut spare = Vec::new();
    check(json_root(&p, 0), &mut spare);
    assert!(spare.is_empty(), "{spare:?}");
}

/// Keys and strings of up to 24 bytes live inside the tree's nodes, with no allocation of their
/// own; longer ones (annotations, images with digests) are allocated.
#[test]
fn json_short_keys_and_strings_are_inline() {
    let p = json_docs(
        r#"{"metadata": {"name": "web", "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}}, "image": "registry.example.com/team/web@sha256:0123456789abcdef"}"#,
    );
    let root = json_root(&p, 0);
    let meta = root.entry("metadata").unwrap();
    assert!(!meta.key.is_heap_allocated());
    let name = meta.value.get("name").unwrap();
    let Value::String(name) = &name.value else {
        panic!("{name:?}")
    };
    assert!(!name.is_heap_allocated());
    let annotation = &meta.value.get("annotations").unwrap().as_map()[0];
    assert!(annotation.key.is_heap_allocated());
    let Value::String(image) = &root.get("image").unwrap().value else {
        panic!()
    };
    assert!(image.is_heap_allocated());
}
