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
    // It covers both Pods, the one with the injected container too.
    let pods: Vec<(String, u32)> = r
        .findings
        .iter()
        .filter(|f| f.pods > 0)
        .map(|f| {
            (
                format!("{} {}", f.object.as_ref().unwrap().name, f.code),
                f.pods,
            )
        })
        .collect();
    assert!(pods.contains(&("web KC301".to_string(), 2)), "{pods:?}");
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

const WORKLOADS: &str = include_str!("owners/workloads.yaml");

/// Judges `yaml` as `kcheck cluster` does (a whole cluster), folding owned objects' findings
/// into their owners' unless `per_pod`.
fn cluster(yaml: &str, per_pod: bool) -> Report {
    let loaded = load_bytes("workloads.yaml", yaml.as_bytes(), &Limits::default());
    assert!(
        !loaded.inputs.has_errors(),
        "{:?}",
        loaded.inputs.diagnostics
    );
    Engine::default().per_pod(per_pod).run(
        &Inventory::new(loaded.objects),
        &[Evidence::Objects, Evidence::Cluster],
        Inputs::default(),
    )
}

/// `KIND/NAME CODE PATH pods=N` of every finding, in the report's order.
fn with_pods(r: &Report) -> Vec<String> {
    r.findings
        .iter()
        .map(|f| {
            let o = f
                .object
                .as_ref()
                .map_or("-".to_string(), |o| format!("{}/{}", o.kind, o.name));
            format!(
                "{o} {} {} pods={}",
                f.code,
                f.path.as_deref().unwrap_or("-"),
                f.pods
            )
        })
        .collect()
}

#[test]
fn a_workloads_finding_is_reported_once_with_the_pods_it_covers() {
    let r = cluster(WORKLOADS, false);
    assert_eq!(
        with_pods(&r),
        [
            "Namespace/store KC214 - pods=0",
            // Deployment -> ReplicaSet -> 3 Pods: the ReplicaSet is not counted.
            "Deployment/web KC301 spec.template.spec.containers[0].securityContext.privileged pods=3",
            "StatefulSet/db KC301 spec.template.spec.containers[0].securityContext.privileged pods=2",
            "DaemonSet/agent KC301 spec.template.spec.containers[0].securityContext.privileged pods=2",
            // CronJob -> Job -> Pod: the Job is not a Pod and is not counted.
            "CronJob/backup KC301 spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged pods=1",
            // Nothing owns it: reported on its own.
            "Pod/debug KC301 spec.containers[0].securityContext.privileged pods=0",
            "Namespace/store KC306 metadata pods=0",
            // The container injected at admission is not in the template: the Pod keeps it.
            "Pod/web-5d8f7-ccccc KC307 spec.containers[1].securityContext.capabilities.add[0] pods=0",
            "Namespace/store KC308 metadata pods=0",
            "Namespace/store KC808 metadata pods=0",
        ]
    );
}

#[test]
fn per_pod_lists_every_pods_findings() {
    let r = cluster(WORKLOADS, true);
    let privileged = |o: &str, template: &str| {
        format!("{o} KC301 {template}containers[0].securityContext.privileged pods=0")
    };
    let mut want = vec!["Namespace/store KC214 - pods=0".to_string()];
    // In the order of the input.
    for o in [
        ("Deployment/web", "spec.template.spec."),
        ("ReplicaSet/web-5d8f7", "spec.template.spec."),
        ("Pod/web-5d8f7-aaaaa", "spec."),
        ("Pod/web-5d8f7-bbbbb", "spec."),
        ("Pod/web-5d8f7-ccccc", "spec."),
        ("StatefulSet/db", "spec.template.spec."),
        ("Pod/db-0", "spec."),
        ("Pod/db-1", "spec."),
        ("DaemonSet/agent", "spec.template.spec."),
        ("Pod/agent-x1", "spec."),
        ("Pod/agent-x2", "spec."),
        ("CronJob/backup", "spec.jobTemplate.spec.template.spec."),
        ("Job/backup-29000000", "spec.template.spec."),
        ("Pod/backup-29000000-q7x2z", "spec."),
        ("Pod/debug", "spec."),
    ] {
        want.push(privileged(o.0, o.1));
    }
    want.extend(
        [
            "Namespace/store KC306 metadata pods=0",
            "Pod/web-5d8f7-ccccc KC307 spec.containers[1].securityContext.capabilities.add[0] pods=0",
            "Namespace/store KC308 metadata pods=0",
            "Namespace/store KC808 metadata pods=0",
        ]
        .map(String::from),
    );
    assert_eq!(with_pods(&r), want);
}

#[test]
fn the_pods_are_counted_per_finding() {
    // One Pod of the Deployment was changed since: it no longer runs privileged, and adds a
    // capability to the container its template has. The Deployment's finding covers the other
    // two; the Pod's own stays on it (one finding, at the first container that adds one).
    let changed = WORKLOADS.replacen(
        "    - {name: web, image: \"nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\", resources: {limits: {cpu: 500m, memory: 256Mi}, requests: {cpu: 100m, memory: 256Mi}}, securityContext: {privileged: true}}\n    - {name: proxy",
        "    - {name: web, image: \"nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\", resources: {limits: {cpu: 500m, memory: 256Mi}, requests: {cpu: 100m, memory: 256Mi}}, securityContext: {capabilities: {add: [SYS_TIME]}}}\n    - {name: proxy",
        1,
    );
    assert_ne!(changed, WORKLOADS);
    let got: Vec<String> = with_pods(&cluster(&changed, false))
        .into_iter()
        .filter(|l| l.contains("web"))
        .collect();
    assert_eq!(
        got,
        [
            "Deployment/web KC301 spec.template.spec.containers[0].securityContext.privileged pods=2",
            "Pod/web-5d8f7-ccccc KC307 spec.containers[0].securityContext.capabilities.add[0] pods=0",
        ]
    );
}
