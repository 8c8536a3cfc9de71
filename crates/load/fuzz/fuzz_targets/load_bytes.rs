//! Any bytes through `kcheck_load::load_bytes`, under small limits so that alias bombs, deep
//! nesting and huge documents are refused quickly: nothing may panic, hang or overflow the
//! stack, and every loaded object must convert to JSON and back.

#![no_main]

use kcheck_load::load_bytes;
use kcheck_model::Node;
use libfuzzer_sys::fuzz_target;

#[path = "limits.rs"]
mod limits;
use limits::LIMITS;

fuzz_target!(|data: &[u8]| {
    let loaded = load_bytes("fuzz.yaml", data, &LIMITS);
    assert_eq!(loaded.inputs.objects, loaded.objects.len());
    for object in &loaded.objects {
        let json = object.root.to_json();
        // The JSON a rule or a report would see survives a round trip through the model.
        assert_eq!(Node::from_json(&json).to_json(), json);
        let text = serde_json::to_string(&json).expect("JSON is serialisable");
        let _: serde_json::Value = serde_json::from_str(&text).expect("JSON reads back");
    }
    for diagnostic in &loaded.inputs.diagnostics {
        let _ = diagnostic.to_string();
    }
});
