//! Where saphyr and go-yaml differ and the loader follows go-yaml (as kubectl reads YAML):
//! positions and diagnostics that the goldens (tests/golden.rs) do not look at.

use kcheck_load::{load_bytes, Limits};
use kcheck_model::{DiagnosticSeverity, FieldPath, Pos, Value};

fn load(text: &str) -> kcheck_load::Loaded {
    load_bytes("t.yaml", text.as_bytes(), &Limits::default())
}

fn diagnostics(l: &kcheck_load::Loaded) -> Vec<String> {
    l.inputs
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect()
}

const HEAD: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";

#[test]
fn lenient_whitespace_keeps_positions_in_the_file() {
    let text = format!("{HEAD}data:\n  mode:\t0644\n  conf: {{\n\tk: yes,\n\t  list: [1,\n 2]\n  }}\n  env: [\n  ]\n");
    let l = load(&text);
    assert_eq!(diagnostics(&l), Vec::<String>::new());
    let o = &l.objects[0];
    let at = |p: &str| o.position(&FieldPath::parse(p));
    assert_eq!(at("data.mode"), Pos::new(6, 3));
    assert_eq!(o.root.path(&["data", "mode"]).unwrap().pos, Pos::new(6, 9));
    // Lines re-indented for saphyr still point at the columns in the file.
    assert_eq!(at("data.conf.k"), Pos::new(8, 2));
    assert_eq!(at("data.conf.list"), Pos::new(9, 4));
    assert_eq!(at("data.conf.list[1]"), Pos::new(10, 2));
    assert_eq!(
        o.root.path(&["data", "env"]).unwrap().value,
        Value::Seq(vec![])
    );
}

#[test]
fn tabs_go_yaml_refuses_stay_errors() {
    // A tab as block indentation is an error for go-yaml too.
    let l = load(&format!("{HEAD}data:\n\tk: v\n"));
    let d = diagnostics(&l);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].contains("YAML syntax error"), "{d:?}");
    assert!(l.objects.is_empty());
}

#[test]
fn byte_order_marks_and_utf16() {
    let text =
        format!("{HEAD}---\n\u{FEFF}apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: d}}\n");
    let l = load(&text);
    assert_eq!(diagnostics(&l), Vec::<String>::new());
    assert_eq!(
        l.objects[1].position(&FieldPath::parse("metadata")),
        Pos::new(8, 1)
    );

    let text = format!("{HEAD}data: {{text: \"中文 😀\"}}\n");
    for le in [true, false] {
        let mut bytes = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            bytes.extend(if le {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        let l = load_bytes("w.yaml", &bytes, &Limits::default());
        assert_eq!(diagnostics(&l), Vec::<String>::new());
        let o = &l.objects[0];
        assert_eq!(
            o.root.path(&["data", "text"]).unwrap().as_str(),
            Some("中文 😀")
        );
        assert_eq!(o.position(&FieldPath::parse("data.text")), Pos::new(5, 8));
    }
}

#[test]
fn question_mark_in_flow_collections_is_a_key() {
    let l = load(&format!(
        "{HEAD}data:\n  q: [?a, {{?b: 1}}, ?c: 2, x?y]\n  plain: ?z\n"
    ));
    let data = l.objects[0].root.get("data").unwrap();
    assert_eq!(
        data.to_json(),
        serde_json::json!({"q": [{"a": null}, {"b": 1}, {"c": 2}, "x?y"], "plain": "?z"})
    );
    let b = &data.get("q").unwrap().as_seq()[1].as_map()[0];
    assert_eq!(b.key_pos, Pos::new(6, 13));
}

#[test]
fn tags_and_binary() {
    let l = load(&format!(
        "{HEAD}data:\n  a: !!binary aGk=\n  b: !!binary not*base64\n  c: !!binary /w==\n  d: !local 0644\n  e: !<tag:yaml.org,2002:int> \"0x10\"\n"
    ));
    let data = l.objects[0].root.get("data").unwrap();
    assert_eq!(
        data.to_json(),
        serde_json::json!({"a": "hi", "b": "not*base64", "c": "\u{FFFD}", "d": "0644", "e": 16})
    );
    let d = diagnostics(&l);
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(
        d[0].starts_with("t.yaml:7:6: !!binary value is not valid base64"),
        "{d:?}"
    );
    assert!(
        d[1].starts_with("t.yaml:8:6: !!binary data is not UTF-8 text"),
        "{d:?}"
    );
    assert!(l
        .inputs
        .diagnostics
        .iter()
        .all(|d| d.severity == DiagnosticSeverity::Warning));
}
