//! Pass 1 of a streaming scan (`load_indexed`) keeps exactly the objects a whole load keeps,
//! at the same positions and with the same content, on every manifest of the repository and of
//! the third-party corpus, and on the loader's own hostile and odd inputs.

use kcheck_load::{load_bytes, load_indexed, KindPatterns, Limits};
use kcheck_model::Object;
use std::path::{Path, PathBuf};

const KINDS: &[&str] = &[
    "ClusterRole",
    "ClusterRoleBinding",
    "ConfigMap",
    "LimitRange",
    "Namespace",
    "NetworkPolicy",
    "Pod",
    "Role",
    "RoleBinding",
    "Secret",
    "ServiceAccount",
];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if !path.ends_with("target") && !path.ends_with(".git") {
                files(&path, out);
            }
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(path);
        }
    }
}

#[test]
fn pass_one_keeps_what_a_whole_load_keeps() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut all = Vec::new();
    for dir in ["examples", "crates", "deploy", "../shared/corpus"] {
        files(&root.join(dir), &mut all);
    }
    all.sort();
    assert!(all.len() > 500, "{} files", all.len());
    let patterns = KindPatterns::new(KINDS);
    let keep = |o: &Object| KINDS.contains(&o.kind.as_str());
    let at = |o: &Object| (o.kind.clone(), o.name.clone(), o.root.pos, o.root.to_json());
    let (mut compared, mut kept) = (0, 0);
    for path in &all {
        let bytes = std::fs::read(path).expect("readable");
        let name = path.display().to_string();
        let limits = Limits::default();
        let indexed: Vec<_> = load_indexed(&name, &bytes, &limits, &patterns, &keep)
            .iter()
            .map(at)
            .collect();
        let whole: Vec<_> = load_bytes(&name, &bytes, &limits)
            .objects
            .iter()
            .filter(|o| keep(o))
            .map(at)
            .collect();
        assert_eq!(indexed, whole, "{name}");
        compared += 1;
        kept += indexed.len();
    }
    assert!(kept > 1000, "{compared} files, {kept} objects kept");
}
