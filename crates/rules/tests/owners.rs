//! One problem, reported once: the findings of a ReplicaSet and its Pods that their Deployment
//! in the same input also has are folded into the Deployment's; what a Pod has of its own stays.

use kcheck_load::{load_bytes, Limits};
use kcheck_model::{Evidence, Inputs, Inventory, Report};
use kcheck_rules::Engine;

const GET: &str = include_str!("owners/kubectl-get.yaml");

fn run(yaml: &str) -> Report {
    let loaded = load_bytes("get.yaml", yaml.as_bytes(), &Limits::default());
    assert!(
        !loaded.inputs.has_errors(),
        "{:?}",
        loaded.inputs.diagnostics
    );
    Engine::default().run(
        &Inventory::new(loaded.objects),
        &[Evidence::Objects],
        Inputs::default(),
    )
}

/// `KIND/NAME CODE PATH` of every finding of a workload rule (KC3xx, KC6xx, KC7xx), sorted.
fn lines(r: &Report, kinds: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = r
        .findings
        .iter()
        .filter_map(|f| {
            let o = f.object.as_ref()?;
            kinds.contains(&o.kind.as_str()).then(|| {
                format!(
                    "{}/{} {} {}",
                    o.kind,
                    o.name,
                    f.code,
                    f.path.as_deref().unwrap_or("-")
                )
            })
        })
        .collect();
    out.sort();
    out
}

#[test]
fn pods_and_replicasets_fold_into_their_deployment() {
    let r = run(GET);
    // Nothing is reported on the ReplicaSet; the Pods keep only the injected container's.
    assert_eq!(lines(&r, &["ReplicaSet"]), Vec::<String>::new());
    assert_eq!(
        lines(&r, &["Pod"]),
        [
            "Pod/web-7f9c6d5b8-fghij KC304 spec.containers[1].resources.limits.memory",
            "Pod/web-7f9c6d5b8-fghij KC307 spec.containers[1].securityContext.capabilities.add[0]",
            "Pod/web-7f9c6d5b8-fghij KC311 spec.containers[1].securityContext.appArmorProfile",
            "Pod/web-7f9c6d5b8-fghij KC701 spec.containers[1].image",
            "Pod/web-7f9c6d5b8-fghij KC702 spec.containers[1].securityContext.runAsNonRoot",
            "Pod/web-7f9c6d5b8-fghij KC705 spec.containers[1].image",
        ]
    );
    // The Deployment keeps its own, privileged container included.
    let deployment = lines(&r, &["Deployment"]);
    assert!(
        deployment.contains(
            &"Deployment/web KC301 spec.template.spec.containers[0].securityContext.privileged"
                .to_string()
        ),
        "{deployment:#?}"
    );
    assert_eq!(
        r.findings.len(),
        17,
        "{:#?}",
        lines(&r, &["Deployment", "ReplicaSet", "Pod"])
    );
}

#[test]
fn without_the_owner_or_with_another_uid_nothing_is_folded() {
    // Manifests without ownerReferences: every object is its own owner.
    let bare: String = GET
        .lines()
        .filter(|l| !l.contains("ownerReferences"))
        .collect::<Vec<_>>()
        .join("\n");
    let r = run(&bare);
    assert_eq!(
        lines(&r, &["Pod"])
            .iter()
            .filter(|l| l.contains(" KC301 "))
            .count(),
        2
    );
    assert!(lines(&r, &["ReplicaSet"])
        .iter()
        .any(|l| l.contains(" KC301 ")));
    // An owner reference to another object of the same name (a uid that does not match): the
    // owner is not in the input, so nothing folds into it.
    let other = GET.replace("uid: rs-1, controller", "uid: rs-0, controller");
    let r = run(&other);
    assert_eq!(
        lines(&r, &["Pod"])
            .iter()
            .filter(|l| l.contains(" KC301 "))
            .count(),
        2
    );
}
