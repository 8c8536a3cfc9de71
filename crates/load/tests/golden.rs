//! Golden tests: the loader against kubectl, the oracle for how Kubernetes decodes YAML.
//!
//! Every `tests/golden/NAME.yaml` is loaded with [`kcheck_load::load_bytes`]; each object's
//! `to_json()` must equal what `kubectl create --dry-run=client -o json --validate=false -f
//! NAME.yaml` printed, committed as `tests/golden/NAME.kubectl.json` (kubectl prints one JSON
//! value per object; a `List` is compared item by item). Neither kubectl nor Python is needed
//! here: the committed files are the oracle. To regenerate them, or to check in CI that they are
//! still what kubectl prints (needs kubectl and python3):
//!
//! ```text
//! tools/golden/regen.sh            # rewrite tests/golden/*.kubectl.json
//! tools/golden/regen.sh --check    # exit 1 if kubectl now prints something else
//! ```
//!
//! Numbers compare numerically: two integers that fit in an int64 must be equal, anything else
//! must be the same float64 (kubectl prints 1000 where we hold 1000.0, and holds integers above
//! int64 as float64). Everything else compares exactly. kubectl also writes the context's
//! namespace into namespaced objects that name none: the regeneration script sets it to
//! `golden-default-ns`, which is ignored where our object has no namespace.
//!
//! Where the loader disagrees with kubectl, the difference is listed in [`KNOWN_DIFFERENCES`] (a
//! bug to fix) or [`INTENTIONAL_DIFFERENCES`] (kept on purpose) and printed (run with `--
//! --nocapture` to see them); any other difference fails the test, and so does an entry that no
//! longer differs.

use kcheck_load::{load_bytes, Limits};
use kcheck_model::DiagnosticSeverity;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Fewer inputs than this means the directory was not found or was emptied.
const MIN_INPUTS: usize = 15;

/// The namespace regen.sh puts in the kubeconfig context (see the module documentation).
const KUBECTL_DEFAULT_NAMESPACE: &str = "golden-default-ns";

/// A place where the loader and kubectl disagree today.
struct Known {
    /// The golden input's file name.
    input: &'static str,
    /// `objects`: which objects are loaded at all (`objects/count`) and errors the loader reports
    /// on input kubectl accepts (`objects/errors`); `[i]/json/pointer`: a value of the i-th
    /// object as kubectl prints it, everything below that pointer included.
    at: &'static str,
    /// kubectl's value, ours, and why.
    why: &'static str,
}

/// Disagreements to fix in the loader (found by these goldens). Remove an entry once the loader
/// agrees with kubectl: the test fails on entries that no longer match any difference.
const KNOWN_DIFFERENCES: &[Known] = &[];

/// Disagreements kept on purpose: not bugs, each with its reason. Like [`KNOWN_DIFFERENCES`],
/// an entry that no longer differs fails the test.
const INTENTIONAL_DIFFERENCES: &[Known] = &[Known {
    input: "document-end-marker.yaml",
    at: "objects",
    why: "kubectl drops a document that follows `...` without `---` (it splits streams on `---` \
          lines only); ours loads it, so an auditor sees every object in the file",
}];

// Inputs kubectl refuses, so they cannot be goldens; what the loader does with them instead:
// - `.inf`, `-.inf`, `.nan` as values: kubectl "json: unsupported value: +Inf"; ours null.
// - a null key (`~:`, `null:`): kubectl "unsupported map key of type <nil>"; ours the key "null".
// - an integer key above int64 (`9223372036854775808:`): kubectl "unsupported map key of type
//   uint64"; ours the key "9223372036854775808".
// - `\/` in a double-quoted YAML scalar: kubectl "found unknown escape character"; ours "/".
// - a raw control character (U+0007) in a quoted scalar: kubectl "control characters are not
//   allowed"; ours keeps it.
// - U+2028, U+2029 or U+0085 inside a plain scalar (line breaks in YAML 1.1): kubectl "could not
//   find expected ':'"; ours keeps them as characters.
// - `%YAML 1.1` then `---`: kubectl's stream splitter cuts the directive off its document ("did
//   not find expected <document start>"); ours loads the document.
// - `--- {apiVersion: v1, ...}` (content on the marker line): kubectl "invalid Yaml document
//   separator"; ours loads the document.
// - `?` inside a plain scalar in a flow collection (`[a?b]`, `{k: v?}`): kubectl "did not find
//   expected ',' or ']'"; ours the string "a?b".
// - a file starting with `{` that is YAML but not JSON (`{"a": 0644}`): kubectl decodes it as
//   JSON and fails; ours reads it as YAML.
// - metadata.name or metadata.namespace not a string (`name: 0644`, `namespace: yes`): kubectl
//   "cannot unmarshal number into Go struct field ObjectMeta.metadata.name"; ours reports "has no
//   metadata.name" (name) or loads the object with no namespace (namespace).

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn golden_inputs() -> Vec<PathBuf> {
    let dir = golden_dir();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    inputs.sort();
    inputs
}

/// kubectl's output: a stream of JSON values, lists flattened into their items.
fn kubectl_objects(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (run tools/golden/regen.sh)", path.display()));
    let mut objects = Vec::new();
    for value in serde_json::Deserializer::from_str(&text).into_iter::<Value>() {
        let value = value.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let is_list = value["kind"].as_str().is_some_and(|k| k.ends_with("List"))
            && value["items"].is_array();
        match value {
            Value::Object(mut map) if is_list => match map.remove("items") {
                Some(Value::Array(items)) => objects.extend(items),
                _ => unreachable!(),
            },
            other => objects.push(other),
        }
    }
    objects
}

/// Undoes the namespace kubectl added from its context where our object names none (no
/// `metadata.namespace`, or null, or "").
fn drop_default_namespace(kubectl: &mut Value, ours: &Value) {
    let our_namespace = ours.pointer("/metadata/namespace");
    if our_namespace.is_some_and(|ns| !ns.is_null() && ns != "") {
        return;
    }
    if let Some(Value::Object(metadata)) = kubectl.get_mut("metadata") {
        if metadata.get("namespace").and_then(Value::as_str) == Some(KUBECTL_DEFAULT_NAMESPACE) {
            match our_namespace {
                Some(ns) => metadata.insert("namespace".into(), ns.clone()),
                None => metadata.remove("namespace"),
            };
        }
    }
}

fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) => x == y,
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// One JSON pointer segment (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

struct Difference {
    /// `objects/count`, `objects/errors` or `[i]/pointer`.
    at: String,
    kubectl: String,
    ours: String,
}

fn show(v: Option<&Value>) -> String {
    let Some(v) = v else {
        return "(absent)".to_string();
    };
    let s = serde_json::to_string(v).unwrap();
    if s.chars().count() > 240 {
        format!("{}...", s.chars().take(240).collect::<String>())
    } else {
        s
    }
}

fn push(out: &mut Vec<Difference>, at: &str, pointer: &str, k: Option<&Value>, o: Option<&Value>) {
    out.push(Difference {
        at: format!("{at}{pointer}"),
        kubectl: show(k),
        ours: show(o),
    });
}

/// Every place where `ours` differs from `kubectl`, depth first, keys in sorted order.
fn diff(kubectl: &Value, ours: &Value, pointer: &mut String, at: &str, out: &mut Vec<Difference>) {
    match (kubectl, ours) {
        (Value::Number(a), Value::Number(b)) if numbers_equal(a, b) => {}
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape(key));
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => diff(x, y, pointer, at, out),
                    (x, y) => push(out, at, pointer, x, y),
                }
                pointer.truncate(len);
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                let len = pointer.len();
                write!(pointer, "/{i}").unwrap();
                diff(x, y, pointer, at, out);
                pointer.truncate(len);
            }
        }
        (a, b) if a == b => {}
        (a, b) => push(out, at, pointer, Some(a), Some(b)),
    }
}

fn identity(v: &Value) -> String {
    let s = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string()
    };
    format!("{} {}", s("/kind"), s("/metadata/name"))
}

/// Compares one golden input with kubectl's output.
fn compare(input: &Path) -> Vec<Difference> {
    let name = input.file_name().unwrap().to_str().unwrap();
    let bytes = std::fs::read(input).unwrap();
    let loaded = load_bytes(name, &bytes, &Limits::default());
    let ours: Vec<Value> = loaded.objects.iter().map(|o| o.root.to_json()).collect();
    let mut kubectl = kubectl_objects(&input.with_extension("kubectl.json"));
    let mut out = Vec::new();

    let errors: Vec<String> = loaded
        .inputs
        .diagnostics
        .iter()
        .filter(|d| d.severity == DiagnosticSeverity::Error)
        .map(ToString::to_string)
        .collect();
    if !errors.is_empty() {
        out.push(Difference {
            at: "objects/errors".into(),
            kubectl: "(accepted)".into(),
            ours: errors.join("; "),
        });
    }

    if kubectl.len() != ours.len() {
        out.push(Difference {
            at: "objects/count".into(),
            kubectl: format!("{:?}", kubectl.iter().map(identity).collect::<Vec<_>>()),
            ours: format!("{:?}", ours.iter().map(identity).collect::<Vec<_>>()),
        });
        // Still compare the objects both sides have, matched by kind and name.
        for (i, k) in kubectl.iter_mut().enumerate() {
            if let Some(o) = ours.iter().find(|o| identity(o) == identity(k)) {
                drop_default_namespace(k, o);
                diff(k, o, &mut String::new(), &format!("[{i}]"), &mut out);
            }
        }
        return out;
    }
    for (i, (k, o)) in kubectl.iter_mut().zip(&ours).enumerate() {
        drop_default_namespace(k, o);
        diff(k, o, &mut String::new(), &format!("[{i}]"), &mut out);
    }
    out
}

fn covers(known: &Known, input: &str, at: &str) -> bool {
    known.input == input
        && (at == known.at
            || at
                .strip_prefix(known.at)
                .is_some_and(|rest| rest.starts_with('/')))
}

#[test]
fn loader_matches_kubectl() {
    let inputs = golden_inputs();
    assert!(
        inputs.len() >= MIN_INPUTS,
        "only {} golden inputs in {} (at least {MIN_INPUTS} expected)",
        inputs.len(),
        golden_dir().display()
    );

    let mut failures = String::new();
    let mut known_report = String::new();
    let lists = [
        ("KNOWN_DIFFERENCES", KNOWN_DIFFERENCES),
        ("INTENTIONAL_DIFFERENCES", INTENTIONAL_DIFFERENCES),
    ];
    let entries: Vec<(&str, &Known)> = lists
        .iter()
        .flat_map(|&(list, known)| known.iter().map(move |k| (list, k)))
        .collect();
    let mut used = vec![false; entries.len()];
    for input in &inputs {
        let name = input.file_name().unwrap().to_str().unwrap();
        let differences = compare(input);
        let mut unexpected = Vec::new();
        for d in &differences {
            match entries.iter().position(|(_, k)| covers(k, name, &d.at)) {
                Some(i) => {
                    used[i] = true;
                    writeln!(
                        known_report,
                        "  {name} {}\n      kubectl: {}\n      ours:    {}",
                        d.at, d.kubectl, d.ours
                    )
                    .unwrap();
                }
                None => unexpected.push(d),
            }
        }
        if let Some(first) = unexpected.first() {
            writeln!(
                failures,
                "\n{name}: {} difference(s) from kubectl; first at {}\n    kubectl: {}\n    ours:    {}",
                unexpected.len(),
                first.at,
                first.kubectl,
                first.ours
            )
            .unwrap();
            for d in unexpected.iter().skip(1).take(20) {
                writeln!(
                    failures,
                    "  then at {}\n    kubectl: {}\n    ours:    {}",
                    d.at, d.kubectl, d.ours
                )
                .unwrap();
            }
            if unexpected.len() > 21 {
                writeln!(failures, "  ... and {} more", unexpected.len() - 21).unwrap();
            }
        }
    }

    // Every golden output has its input.
    for entry in std::fs::read_dir(golden_dir()).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_str().unwrap().to_string();
        if let Some(stem) = file.strip_suffix(".kubectl.json") {
            if !golden_dir().join(format!("{stem}.yaml")).exists() {
                writeln!(failures, "\n{file}: no {stem}.yaml beside it").unwrap();
            }
        }
    }

    for ((list, known), used) in entries.iter().zip(&used) {
        if !used {
            writeln!(
                failures,
                "\n{list} entry {} {} no longer differs from kubectl: remove it",
                known.input, known.at
            )
            .unwrap();
        }
    }

    for (list, known) in lists.iter().filter(|(_, k)| !k.is_empty()) {
        println!("{list}: where the loader disagrees with kubectl");
        for k in *known {
            println!("- {} {}: {}", k.input, k.at, k.why);
        }
    }
    if !entries.is_empty() {
        println!("\nThe differences they cover:\n{known_report}");
    }
    println!("{} golden inputs compared with kubectl", inputs.len());
    assert!(
        failures.is_empty(),
        "the loader disagrees with kubectl:{failures}"
    );
}
