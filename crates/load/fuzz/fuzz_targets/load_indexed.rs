//! Any bytes through `kcheck_load::load_indexed` (pass 1 of a streaming scan): nothing may
//! panic, and every object it keeps is one a whole load keeps, at the same position (it may keep
//! fewer: a kind written with escapes is invisible to it, and the scan then starts again in
//! memory).

#![no_main]

use kcheck_load::{load_bytes, load_indexed, KindPatterns};
use kcheck_model::Object;
use libfuzzer_sys::fuzz_target;

#[path = "limits.rs"]
mod limits;
use limits::LIMITS;

const KINDS: &[&str] = &["Namespace", "NetworkPolicy", "ConfigMap", "Role"];

fuzz_target!(|data: &[u8]| {
    let keep = |o: &Object| KINDS.contains(&o.kind.as_str());
    let indexed = load_indexed("fuzz.yaml", data, &LIMITS, &KindPatterns::new(KINDS), &keep);
    let whole: Vec<Object> = load_bytes("fuzz.yaml", data, &LIMITS)
        .objects
        .into_iter()
        .filter(|o| keep(o))
        .collect();
    // A kind written with escapes is invisible to pass 1 (the scan then starts again in
    // memory): pass 1 may keep fewer objects, never others.
    let at = |o: &Object| (o.kind.clone(), o.name.clone(), o.root.pos, o.root.to_json());
    let whole: Vec<_> = whole.iter().map(at).collect();
    for o in &indexed {
        assert!(whole.contains(&at(o)), "pass 1 kept an object a whole load does not");
    }
});
