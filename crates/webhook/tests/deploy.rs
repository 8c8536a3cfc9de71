//! kcheck passes its own checklist: `kcheck scan deploy/` finds nothing at fail level in any
//! manifest kcheck ships (webhook, cluster audit, node scan).

use kcheck_model::{Evidence, Inventory, Level};
use kcheck_rules::Engine;
use std::path::Path;

#[test]
fn deploy_has_no_failures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy");
    let loaded = kcheck_load::load_paths(&[&root], &kcheck_load::Limits::default());
    let errors: Vec<String> = loaded.inputs.errors().map(ToString::to_string).collect();
    assert!(errors.is_empty(), "deploy/ does not load: {errors:?}");
    let ours = root.join("webhook");
    assert!(
        loaded
            .objects
            .iter()
            .any(|o| o.file().is_some_and(|f| Path::new(&**f).starts_with(&ours))),
        "no manifests under deploy/webhook"
    );
    // The whole directory, as `kcheck scan deploy/` sees it: namespace-wide rules (default
    // deny, Pod Security labels) read objects across files.
    let report = Engine::default().run(
        &Inventory::new(loaded.objects),
        &[Evidence::Objects],
        loaded.inputs,
    );
    let failures: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.level == Level::Fail && !f.waived)
        .map(|f| {
            let at = f
                .location
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            format!("{at} {} {}", f.code, f.message.en)
        })
        .collect();
    // Everything kcheck ships to run in a cluster: the webhook, the cluster audit CronJob and
    // the node scan Job (what a node scanner needs by nature is waived there, with a reason).
    assert!(
        failures.is_empty(),
        "kcheck fails its own deploy/ manifests:\n{failures:#?}"
    );
    // Waivers are decisions: a rule accepted on an object (ten host paths of the node scanner
    // are one decision). Keep them rare.
    let mut decisions: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.waived)
        .map(|f| {
            let object = f
                .object
                .as_deref()
                .map(ToString::to_string)
                .unwrap_or_default();
            format!("{object} {}", f.code)
        })
        .collect();
    decisions.sort();
    decisions.dedup();
    assert!(
        decisions.len() <= 12,
        "{} waivers: keep them rare: {decisions:#?}",
        decisions.len()
    );
}
