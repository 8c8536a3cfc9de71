//! TEMPORARY: dumps a hash of every evaluation of every fixture, mutated fixture and corpus pod.
use kcheck_model::{Entry, Node, Object, Pos, Value};
use kcheck_pss::{evaluate, Level, Version};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

fn load(dir: &Path) -> Vec<Object> {
    let mut files = Vec::new();
    yaml_files(dir, &mut files);
    files.sort();
    let mut objects = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        objects.extend(
            kcheck_load::load_bytes("x.yaml", &bytes, &kcheck_load::Limits::default()).objects,
        );
    }
    objects
}

fn versions(all: bool) -> Vec<Version> {
    let mut v: Vec<Version> = if all {
        (0..=37).map(Version::Minor).collect()
    } else {
        [0, 8, 18, 19, 22, 23, 25, 27, 29, 31, 32, 34, 35, 37]
            .into_iter()
            .map(Version::Minor)
            .collect()
    };
    v.push(Version::Latest);
    v.push(Version::Minor(99));
    v
}

fn eval_all(o: &Object, all: bool, full: bool, out: &mut impl Write) -> u64 {
    let mut h = DefaultHasher::new();
    let Some(pod) = o.pod_spec() else { return 0 };
    for level in [Level::Privileged, Level::Baseline, Level::Restricted] {
        for version in versions(all) {
            let e = evaluate(&pod, level, version);
            let s = format!("{level} {version}: {:?}", e);
            if full {
                writeln!(out, "{s}").unwrap();
            }
            s.hash(&mut h);
            e.forbidden_detail().hash(&mut h);
            for v in &e.violations {
                for f in &v.fields {
                    f.to_string().hash(&mut h);
                }
            }
        }
    }
    h.finish()
}

fn n(value: Value) -> Node {
    Node::new(Pos::NONE, value)
}

fn replacements() -> Vec<Option<Node>> {
    let s = |x: &str| n(Value::String(x.into()));
    vec![
        None,
        Some(n(Value::Null)),
        Some(n(Value::Bool(true))),
        Some(n(Value::Bool(false))),
        Some(n(Value::Int(0))),
        Some(n(Value::Int(5))),
        Some(n(Value::Int(1 << 40))),
        Some(n(Value::Float(1.5))),
        Some(s("")),
        Some(s("x")),
        Some(s("Unconfined")),
        Some(n(Value::Seq(vec![]))),
        Some(n(Value::Seq(vec![s("x")]))),
        Some(n(Value::Seq(vec![n(Value::Null), n(Value::Int(3))]))),
        Some(n(Value::Seq(vec![n(Value::Map(vec![]))]))),
        Some(n(Value::Map(vec![]))),
        Some(n(Value::Map(vec![Entry {
            key: "type".into(),
            key_pos: Pos::NONE,
            value: s("Unconfined"),
        }]))),
    ]
}

/// Every path (as indices into maps/seqs) of the tree.
fn paths(node: &Node, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    match &node.value {
        Value::Map(entries) => {
            for (i, e) in entries.iter().enumerate() {
                prefix.push(i);
                out.push(prefix.clone());
                paths(&e.value, prefix, out);
                prefix.pop();
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                prefix.push(i);
                out.push(prefix.clone());
                paths(item, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn mutate(root: &Node, path: &[usize], with: &Option<Node>) -> Node {
    let mut root = root.clone();
    let mut node = &mut root;
    for (depth, &i) in path.iter().enumerate() {
        let last = depth + 1 == path.len();
        match &mut node.value {
            Value::Map(entries) => {
                if last {
                    match with {
                        None => {
                            entries.remove(i);
                        }
                        Some(w) => entries[i].value = w.clone(),
                    }
                    return root;
                }
                node = &mut entries[i].value;
            }
            Value::Seq(items) => {
                if last {
                    match with {
                        None => {
                            items.remove(i);
                        }
                        Some(w) => items[i] = w.clone(),
                    }
                    return root;
                }
                node = &mut items[i];
            }
            _ => unreachable!(),
        }
    }
    root
}

fn wrap_deployment(o: &Object) -> Object {
    let mut d = o.clone();
    d.kind = "Deployment".into();
    let e = |k: &str, v: Node| Entry {
        key: k.into(),
        key_pos: Pos::NONE,
        value: v,
    };
    let meta = o.root.get("metadata").cloned().unwrap_or(n(Value::Null));
    let spec = o.root.get("spec").cloned().unwrap_or(n(Value::Null));
    let template = n(Value::Map(vec![e("metadata", meta), e("spec", spec)]));
    d.root = n(Value::Map(vec![
        e("kind", n(Value::String("Deployment".into()))),
        e("spec", n(Value::Map(vec![e("template", template)]))),
    ]));
    d
}

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let out_path = std::env::args().nth(2).unwrap();
    let mut out = std::io::BufWriter::new(std::fs::File::create(out_path).unwrap());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata");
    let mut fixtures = load(&root);
    let mut seen = std::collections::HashSet::new();
    fixtures.retain(|o| seen.insert(format!("{:?}", o.root)));
    eprintln!("{} distinct fixtures", fixtures.len());
    let full = mode == "full";
    for (i, o) in fixtures.iter().enumerate() {
        let h = eval_all(o, true, full, &mut out);
        writeln!(out, "fixture {i} {h:x}").unwrap();
        let d = wrap_deployment(o);
        let h = eval_all(&d, true, full, &mut out);
        writeln!(out, "deploy {i} {h:x}").unwrap();
    }
    if mode == "quick" || full {
        return;
    }
    let reps = replacements();
    for (i, o) in fixtures.iter().enumerate() {
        for (base, obj) in [("pod", o.clone()), ("dep", wrap_deployment(o))] {
            let mut ps = Vec::new();
            paths(&obj.root, &mut Vec::new(), &mut ps);
            for p in &ps {
                for (r, with) in reps.iter().enumerate() {
                    let mut m = obj.clone();
                    m.root = mutate(&obj.root, p, with);
                    let h = eval_all(&m, false, false, &mut out);
                    writeln!(out, "mut {base} {i} {p:?} {r} {h:x}").unwrap();
                }
            }
        }
    }
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-corpus");
    let objects = load(&corpus);
    for (i, o) in objects.iter().enumerate() {
        if o.pod_spec().is_some() {
            let h = eval_all(o, true, false, &mut out);
            writeln!(out, "corpus {i} {h:x}").unwrap();
        }
    }
}
