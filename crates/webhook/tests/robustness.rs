//! No input makes the handler panic: reviews cut short, bytes flipped, fields of the wrong
//! type, deep nesting, every kind with nonsense inside. Each either parses and is judged or is
//! a `ReviewError` (a 400).

mod support;

use kcheck_webhook::{review, Judge, NoNamespaces};
use serde_json::{json, Value};
use std::sync::Arc;

fn judge() -> Judge {
    let settings = kcheck_webhook::parse_settings("webhook:\n  onlyNew: true\n").unwrap();
    Judge::new(Arc::new(settings), Arc::new(NoNamespaces))
}

fn try_one(judge: &Judge, body: &[u8]) {
    if let Ok(request) = review::parse(body) {
        if let Ok(verdict) = judge.review(&request) {
            let _ = review::to_json(request.version, &verdict.response);
        }
    }
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn mutated_reviews_never_panic() {
    let judge = judge();
    let old = support::pod("shop", "p", support::privileged_pod_spec());
    let seeds: Vec<Vec<u8>> = [
        support::create(&support::deployment("shop", "web", support::clean_pod_spec())),
        support::review("UPDATE", &old, Some(&old)),
        support::create(&json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}})),
    ]
    .iter()
    .map(|v| serde_json::to_vec(v).unwrap())
    .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..3_000 {
        let mut body = seeds[round % seeds.len()].clone();
        match rng.below(4) {
            0 => body.truncate(rng.below(body.len())),
            1 => {
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(body.len());
                    body[i] = rng.next() as u8;
                }
            }
            2 => {
                let i = rng.below(body.len());
                let j = rng.below(body.len());
                let (a, b) = (i.min(j), i.max(j));
                body.drain(a..b);
            }
            _ => {
                let i = rng.below(body.len());
                let insert: &[u8] =
                    [&b"{"[..], b"[", b"\"", b"null", b"\\u0000", b"1e999"][rng.below(6)];
                body.splice(i..i, insert.iter().copied());
            }
        }
        try_one(&judge, &body);
    }
}

/// Every field the webhook reads, given a value of the wrong type.
#[test]
fn wrong_types_are_400_or_judged() {
    let judge = judge();
    let base = support::create(&support::pod("shop", "p", support::clean_pod_spec()));
    let paths: &[&[&str]] = &[
        &["request", "uid"],
        &["request", "kind"],
        &["request", "kind", "kind"],
        &["request", "namespace"],
        &["request", "name"],
        &["request", "operation"],
        &["request", "dryRun"],
        &["request", "object"],
        &["request", "object", "metadata"],
        &["request", "object", "metadata", "name"],
        &["request", "object", "spec"],
        &["request", "object", "spec", "containers"],
        &["request", "object", "spec", "containers", "0"],
        &[
            "request",
            "object",
            "spec",
            "containers",
            "0",
            "securityContext",
        ],
        &["request", "object", "spec", "containers", "0", "image"],
        &["request", "object", "spec", "securityContext"],
    ];
    let odd = [
        json!(null),
        json!(7),
        json!(-1.5),
        json!("x"),
        json!([]),
        json!({}),
        json!(true),
    ];
    for path in paths {
        for value in &odd {
            let mut r = base.clone();
            let mut at: &mut Value = &mut r;
            for key in &path[..path.len() - 1] {
                at = match key.parse::<usize>() {
                    Ok(i) => &mut at[i],
                    Err(_) => &mut at[*key],
                };
            }
            let last = path[path.len() - 1];
            match last.parse::<usize>() {
                Ok(i) => at[i] = value.clone(),
                Err(_) => at[last] = value.clone(),
            }
            try_one(&judge, &serde_json::to_vec(&r).unwrap());
        }
    }
}

/// Every judged kind with a body of nonsense.
#[test]
fn every_kind_with_nonsense_inside() {
    let judge = judge();
    let kinds = kcheck_webhook::rules::judged_kinds();
    let fillings = [
        json!({"spec": "x", "data": 7, "rules": {}, "subjects": "all", "webhooks": [1, null]}),
        json!({"spec": {"template": {"spec": {"containers": {"a": 1}, "volumes": "v"}}}, "roleRef": []}),
        json!({"spec": {"jobTemplate": {"spec": {"template": []}}}, "webhooks": [{"rules": "r", "clientConfig": 3}]}),
    ];
    for kind in kinds {
        for filling in &fillings {
            let mut object = json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": "x", "namespace": "shop"}});
            for (k, v) in filling.as_object().unwrap() {
                object[k] = v.clone();
            }
            let body = serde_json::to_vec(&support::create(&object)).unwrap();
            let request = review::parse(&body).unwrap();
            assert!(judge.review(&request).is_ok(), "{kind}");
        }
    }
    // Nesting at the loader's limit and beyond it.
    let mut deep = json!("leaf");
    for _ in 0..120 {
        deep = json!({ "a": deep });
    }
    let mut object = support::pod("shop", "p", support::clean_pod_spec());
    object["metadata"]["annotations"] = json!({ "x": "y" });
    object["spec"]["extra"] = deep;
    let body = serde_json::to_vec(&support::create(&object)).unwrap();
    try_one(&judge, &body);
}
