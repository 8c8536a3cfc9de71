//! The loader on good and bad input: positions, streams, lists, errors, limits.

// The JSON parser's tests, in their own file to keep this one short.
#[path = "loader/json.rs"]
mod json;

use kcheck_load::{load_bytes, load_paths, Limits};
use kcheck_model::{DiagnosticSeverity, FieldPath, Pos, Source, Value};

fn load(text: &str) -> kcheck_load::Loaded {
    load_bytes("t.yaml", text.as_bytes(), &Limits::default())
}

fn errors(l: &kcheck_load::Loaded) -> Vec<String> {
    l.inputs
        .diagnostics
        .iter()
        .filter(|d| d.severity == DiagnosticSeverity::Error)
        .map(ToString::to_string)
        .collect()
}

const DEPLOY: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
      - name: a
        image: nginx
      - name: b
        securityContext:
          privileged: true
";

#[test]
fn every_field_has_a_position() {
    let l = load(DEPLOY);
    assert!(
        l.inputs.diagnostics.is_empty(),
        "{:?}",
        l.inputs.diagnostics
    );
    let o = &l.objects[0];
    assert_eq!(
        (o.kind.as_str(), o.namespace.as_deref(), o.name.as_str()),
        ("Deployment", Some("shop"), "web")
    );
    let p = FieldPath::parse("spec.template.spec.containers[1].securityContext.privileged");
    assert_eq!(o.position(&p), Pos::new(14, 11));
    assert_eq!(
        o.position(&FieldPath::parse("spec.template.spec.containers[1]")),
        Pos::new(12, 9)
    );
    // A missing field points at its nearest parent.
    let missing = FieldPath::parse("spec.template.spec.containers[0].resources.limits");
    assert_eq!(o.position(&missing), Pos::new(10, 9));
}

#[test]
fn multi_document_streams_and_empty_documents() {
    let text = format!("---\n# only a comment\n---\n{DEPLOY}---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: shop}}\n...\n");
    let l = load(&text);
    assert_eq!(errors(&l), Vec::<String>::new());
    let kinds: Vec<_> = l.objects.iter().map(|o| o.kind.as_str()).collect();
    assert_eq!(kinds, ["Deployment", "Namespace"]);
    match &l.objects[1].source {
        Source::File { document, item, .. } => assert_eq!((*document, *item), (3, None)),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        l.objects[1].position(&FieldPath::parse("metadata.name")),
        Pos::new(22, 12)
    );
}

#[test]
fn lists_are_flattened_and_typed_list_items_get_their_kind() {
    let json = r#"{"apiVersion":"v1","kind":"PodList","items":[
      {"metadata":{"name":"a","namespace":"x"},"spec":{}},
      {"metadata":{"name":"b","namespace":"x"},"spec":{}}]}"#;
    let l = load_bytes("pods.json", json.as_bytes(), &Limits::default());
    assert_eq!(errors(&l), Vec::<String>::new());
    let got: Vec<_> = l
        .objects
        .iter()
        .map(|o| (o.api_version.as_str(), o.kind.as_str(), o.name.as_str()))
        .collect();
    assert_eq!(got, [("v1", "Pod", "a"), ("v1", "Pod", "b")]);
    assert_eq!(
        l.objects[1].position(&FieldPath::parse("metadata.name")),
        Pos::new(3, 20)
    );

    let yaml = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\n- apiVersion: v1\n  metadata: {name: d}\n";
    let l = load(yaml);
    assert_eq!(l.objects.len(), 1);
    assert_eq!(errors(&l), ["t.yaml:7:3: not a Kubernetes object: no kind"]);
}

#[test]
fn yaml_1_1_as_kubernetes_reads_it() {
    let l = load("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: yes\n  mode: 0644\n  on: off\n  quoted: \"0644\"\n  tagged: !!str 10\n");
    let spec = l.objects[0].root.get("spec").unwrap();
    assert_eq!(spec.get("hostNetwork").unwrap().value, Value::Bool(true));
    assert_eq!(spec.get("mode").unwrap().value, Value::Int(420));
    assert_eq!(spec.get("true").unwrap().value, Value::Bool(false));
    assert_eq!(
        spec.get("quoted").unwrap().value,
        Value::String("0644".into())
    );
    assert_eq!(
        spec.get("tagged").unwrap().value,
        Value::String("10".into())
    );
}

#[test]
fn duplicate_keys_keep_the_last_value_with_a_warning() {
    let l = load("apiVersion: v1\nkind: Pod\nmetadata:\n  name: first\n  name: second\n");
    assert_eq!(l.objects[0].name, "second");
    let warnings: Vec<_> = l
        .inputs
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        warnings,
        ["t.yaml:5:3: duplicate key \"name\": the last value is used"]
    );
    assert_eq!(
        l.inputs.diagnostics[0].severity,
        DiagnosticSeverity::Warning
    );
}

#[test]
fn anchors_aliases_and_merge_keys() {
    let l = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nbase: &b {p: 1, q: 2}\ndata:\n  <<: *b\n  q: 3\n  z: *b\n  y: n\n");
    assert_eq!(errors(&l), Vec::<String>::new());
    let data = l.objects[0].root.get("data").unwrap().to_json();
    assert_eq!(
        data,
        serde_json::json!({"p": 1, "q": 3, "z": {"p": 1, "q": 2}, "true": false})
    );
}

#[test]
fn a_syntax_error_loses_only_its_own_document() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkey: [unclosed\nother: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
    let l = load(text);
    let names: Vec<_> = l.objects.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["a", "c"]);
    let errs = errors(&l);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].starts_with("t.yaml:6:"), "{errs:?}");
    assert!(errs[0].contains("YAML syntax error"), "{errs:?}");
    // Later documents keep their numbers.
    match &l.objects[1].source {
        Source::File { document, .. } => assert_eq!(*document, 2),
        other => panic!("{other:?}"),
    }
}

#[test]
fn documents_that_are_not_objects() {
    let l = load("- a\n- b\n---\napiVersion: v1\nmetadata: {name: x}\n---\napiVersion: v1\nkind: Pod\nmetadata: {labels: {}}\n---\njust a string\n");
    assert_eq!(
        errors(&l),
        [
            "t.yaml:1:1: document is not a Kubernetes object (it is a sequence)",
            "t.yaml:4:1: not a Kubernetes object: no kind",
            "t.yaml:9:11: Pod has no metadata.name",
            "t.yaml:11:1: document is not a Kubernetes object (it is a string)",
        ]
    );
}

#[test]
fn binary_and_non_utf8_input() {
    let l = load_bytes(
        "b.yaml",
        b"apiVersion: v1\n\x00\x01\x02",
        &Limits::default(),
    );
    assert_eq!(
        errors(&l),
        ["b.yaml:2:1: binary data (a NUL byte), not a YAML or JSON manifest"]
    );
    let l = load_bytes("u.yaml", b"kind: Pod\nname: caf\xe9\n", &Limits::default());
    assert_eq!(errors(&l), ["u.yaml:2:10: not valid UTF-8 text"]);
    assert!(l.objects.is_empty());
}

#[test]
fn alias_bombs_are_refused() {
    let mut bomb = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\na0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = i - 1;
        bomb.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
    }
    bomb.push_str("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: after}\n");
    let l = load(&bomb);
    let errs = errors(&l);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("aliases expand to more than 100000 nodes"),
        "{errs:?}"
    );
    assert_eq!(l.objects.len(), 1);
    assert_eq!(l.objects[0].name, "after");
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let depth = 100_000;
    let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let l = load(&text);
    assert_eq!(l.objects.len(), 0);
    assert_eq!(errors(&l).len(), 1, "{:?}", errors(&l));
    let block: String = (0..5_000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    let l = load(&block);
    let errs = errors(&l);
    assert!(
        errs[0].contains("nesting deeper than 128 levels"),
        "{errs:?}"
    );
}

#[test]
fn size_limits() {
    let limits = Limits {
        max_document_bytes: 1000,
        ..Limits::default()
    };
    let big = format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata:\n  x: {}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: small}}\n", "a".repeat(5000));
    let l = load_bytes("big.yaml", big.as_bytes(), &limits);
    let errs = errors(&l);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("document larger than 1000 characters"),
        "{errs:?}"
    );
    assert_eq!(l.objects[0].name, "small");

    let dir = std::env::temp_dir().join(format!("kcheck-size-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("big.yaml");
    std::fs::write(&f, &big).unwrap();
    let l = load_paths(
        &[&f],
        &Limits {
            max_file_bytes: 100,
            ..Limits::default()
        },
    );
    assert!(errors(&l)[0].ends_with("larger than 100 bytes (limit: --max-file-size); not scanned"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn paths_directories_and_what_is_skipped() {
    let dir = std::env::temp_dir().join(format!("kcheck-walk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("apps/.git")).unwrap();
    std::fs::create_dir_all(dir.join("chart/templates")).unwrap();
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    std::fs::write(dir.join("apps/a.yaml"), DEPLOY).unwrap();
    std::fs::write(
        dir.join("apps/b.json"),
        r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}"#,
    )
    .unwrap();
    std::fs::write(dir.join("apps/notes.txt"), "hello").unwrap();
    std::fs::write(dir.join("apps/.git/x.yaml"), "not: scanned").unwrap();
    std::fs::write(dir.join("chart/Chart.yaml"), "name: c").unwrap();
    std::fs::write(dir.join("chart/templates/d.yaml"), "{{ .Values }}").unwrap();
    let missing = dir.join("missing.yaml");
    let l = load_paths(
        &[
            dir.join("apps"),
            dir.join("chart"),
            dir.join("empty"),
            missing,
        ],
        &Limits::default(),
    );
    let kinds: Vec<_> = l.objects.iter().map(|o| o.kind.as_str()).collect();
    assert_eq!(kinds, ["Deployment", "Namespace"]);
    assert_eq!(l.inputs.files_read, 2);
    // Every file or directory passed over is counted and listed with why.
    assert_eq!(l.inputs.files_skipped, 2);
    assert_eq!(l.inputs.skipped.len(), 2);
    assert!(l.inputs.skipped[0].path.ends_with("apps/notes.txt"));
    assert_eq!(l.inputs.skipped[0].reason.en, "not YAML or JSON");
    assert!(l.inputs.skipped[1]
        .reason
        .en
        .starts_with("Helm chart source"));
    let errs = errors(&l);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs
        .iter()
        .any(|e| e.ends_with("empty: no YAML or JSON files in this directory")));
    assert!(errs
        .iter()
        .any(|e| e.contains("missing.yaml: no such file or directory")));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn yaml_that_is_not_kubernetes_is_passed_over_with_a_note() {
    // A docker-compose file, Helm values: neither apiVersion nor kind.
    let l = load("services:\n  web:\n    image: nginx\n---\nreplicaCount: 2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
    assert!(errors(&l).is_empty(), "{:?}", errors(&l));
    assert_eq!(l.objects.len(), 1);
    assert_eq!(l.inputs.skipped.len(), 1);
    assert_eq!(
        l.inputs.skipped[0].reason.en,
        "2 document(s) (line 1, 5) with neither apiVersion nor kind: not Kubernetes objects, passed over"
    );
    // Half an object is still an error.
    let l = load("kind: ConfigMap\nmetadata: {name: c}\n");
    assert_eq!(
        errors(&l),
        ["t.yaml:1:1: not a Kubernetes object: no apiVersion"]
    );
}

#[test]
fn exclude_globs_and_kcheckignore_pass_over_paths_and_say_so() {
    let dir = std::env::temp_dir().join(format!("kcheck-exclude-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["apps", "vendor/lib", "charts"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let cm = |name: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n");
    std::fs::write(dir.join("apps/a.yaml"), cm("a")).unwrap();
    std::fs::write(dir.join("apps/prod.values.yaml"), cm("values")).unwrap();
    std::fs::write(dir.join("vendor/lib/v.yaml"), cm("v")).unwrap();
    std::fs::write(dir.join("charts/c.yaml"), cm("c")).unwrap();
    std::fs::write(dir.join(".kcheckignore"), "# third-party code\nvendor/\n\n").unwrap();
    let l = kcheck_load::load_paths_excluding(
        &[&dir],
        &Limits::default(),
        &["*.values.yaml".to_string(), "charts".to_string()],
    );
    let names: Vec<&str> = l.objects.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["a"]);
    let skipped: Vec<(String, String)> = l
        .inputs
        .skipped
        .iter()
        .map(|s| {
            let rel = s
                .path
                .strip_prefix(dir.to_str().unwrap())
                .unwrap_or(&s.path)
                .to_string();
            (rel, s.reason.en.to_string())
        })
        .collect();
    assert_eq!(
        skipped,
        [
            (
                "/apps/prod.values.yaml".to_string(),
                "excluded by --exclude *.values.yaml".to_string()
            ),
            (
                "/charts".to_string(),
                "excluded by --exclude charts".to_string()
            ),
            (
                "/vendor".to_string(),
                "excluded by .kcheckignore vendor".to_string()
            ),
        ]
    );
    // Without --exclude the ignore file still applies; without it everything is read.
    assert_eq!(load_paths(&[&dir], &Limits::default()).objects.len(), 3);
    std::fs::remove_file(dir.join(".kcheckignore")).unwrap();
    assert_eq!(load_paths(&[&dir], &Limits::default()).objects.len(), 4);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `kubectl apply` keeps a Secret's values in clear text in an annotation; a Secret is read
/// without it, whatever the mode (other kinds keep theirs).
#[test]
fn a_secrets_last_applied_configuration_is_dropped() {
    let yaml = r#"
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"data":{"password":"czNjcjN0LWNhbmFyeQ=="},"kind":"Secret"}'
    team: shop
data: {}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"kind":"ConfigMap"}'
"#;
    let l = load_bytes("get.yaml", yaml.as_bytes(), &Limits::default());
    let annotations = |i: usize| {
        l.objects[i]
            .root
            .path(&["metadata", "annotations"])
            .unwrap()
            .as_map()
            .iter()
            .map(|e| e.key.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(annotations(0), ["team"]);
    assert_eq!(
        annotations(1),
        ["kubectl.kubernetes.io/last-applied-configuration"]
    );
}
