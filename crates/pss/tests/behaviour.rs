//! Behaviour the fixtures do not pin down: upstream's message shapes with several offenders,
//! version boundaries, Windows and user-namespace exemptions, template paths, and input of the
//! wrong type.

use kcheck_pss::{
    check, checks, checks_at, evaluate_object, Evaluation, Level, Version, INVALID, NEWEST_MINOR,
};

const B: Level = Level::Baseline;
const R: Level = Level::Restricted;

fn v(n: u32) -> Version {
    Version::Minor(n)
}

fn load(yaml: &str) -> kcheck_model::Object {
    let loaded =
        kcheck_load::load_bytes("t.yaml", yaml.as_bytes(), &kcheck_load::Limits::default());
    assert!(
        !loaded.inputs.has_errors(),
        "{:?}",
        loaded.inputs.diagnostics
    );
    loaded.objects.into_iter().next().expect("one object")
}

/// A Pod whose spec is `spec` (YAML indented by two spaces).
fn eval(spec: &str, level: Level, version: Version) -> Evaluation {
    let yaml = format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n{spec}");
    evaluate_object(&load(&yaml), level, version).expect("pod spec")
}

fn detail(e: &Evaluation, id: &str) -> String {
    let v = e
        .violation(id)
        .unwrap_or_else(|| panic!("no {id} in {:?}", e.forbidden_detail()));
    v.detail.clone()
}

fn ids(e: &Evaluation) -> Vec<&'static str> {
    e.violations.iter().map(|v| v.check).collect()
}

/// Restricted-clean containers named `a`, `b` plus the pod settings restricted requires.
const CLEAN: &str = "  securityContext:\n    runAsNonRoot: true\n    seccompProfile: {type: RuntimeDefault}\n  containers:\n  - name: a\n    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n";

#[test]
fn messages_with_several_offenders_read_like_upstream() {
    let e = eval(
        "  containers:\n  - name: a\n    securityContext: {privileged: true}\n    ports: [{containerPort: 1, hostPort: 10}, {containerPort: 2, hostPort: 9}]\n  - name: b\n    securityContext: {privileged: true}\n    ports: [{containerPort: 3, hostPort: 20}]\n",
        B,
        Version::Latest,
    );
    assert_eq!(
        detail(&e, "privileged"),
        r#"containers "a", "b" must not set securityContext.privileged=true"#
    );
    assert_eq!(
        detail(&e, "hostPorts"),
        r#"containers "a", "b" use hostPorts 10, 20, 9"#
    );
    assert_eq!(ids(&e), ["hostPorts", "privileged"]);
    assert_eq!(
        e.forbidden_detail(),
        r#"hostPort (containers "a", "b" use hostPorts 10, 20, 9), privileged (containers "a", "b" must not set securityContext.privileged=true)"#
    );
    let fields: Vec<String> = e.violations[0]
        .fields
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        fields,
        [
            "spec.containers[0].ports[0].hostPort",
            "spec.containers[0].ports[1].hostPort",
            "spec.containers[1].ports[0].hostPort"
        ]
    );
}

#[test]
fn se_linux_lists_types_user_and_role_and_learns_container_engine_t_at_v1_31() {
    let spec = "  securityContext:\n    seLinuxOptions: {type: foo, user: bar, role: baz}\n  containers:\n  - {name: d, securityContext: {seLinuxOptions: {type: container_engine_t}}}\n  - {name: e, securityContext: {seLinuxOptions: {type: bar}}}\n  - {name: f, securityContext: {seLinuxOptions: {user: bar}}}\n  - {name: g, securityContext: {seLinuxOptions: {role: baz}}}\n";
    assert_eq!(
        detail(&eval(spec, B, v(31)), "seLinuxOptions"),
        r#"pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set"#
    );
    assert_eq!(
        detail(&eval(spec, B, v(30)), "seLinuxOptions"),
        r#"pod and containers "d", "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "container_engine_t", "foo"; user may not be set; role may not be set"#
    );
    let user_only =
        "  securityContext:\n    seLinuxOptions: {user: bad}\n  containers: [{name: a}]\n";
    assert_eq!(
        detail(&eval(user_only, B, v(0)), "seLinuxOptions"),
        "pod set forbidden securityContext.seLinuxOptions: user may not be set"
    );
}

#[test]
fn app_armor_checks_fields_and_annotations_at_every_version() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/: bogus\n    container.apparmor.security.beta.kubernetes.io/a: ''\n    container.apparmor.security.beta.kubernetes.io/b: runtime/default\n    container.apparmor.security.beta.kubernetes.io/d: localhost/foo\n    container.apparmor.security.beta.kubernetes.io/e: unconfined\nspec:\n  securityContext:\n    appArmorProfile: {type: Unconfined}\n  containers:\n  - {name: a, securityContext: {appArmorProfile: {type: Unconfined}}}\n";
    let obj = load(yaml);
    for version in [v(0), v(29), Version::Latest] {
        let e = evaluate_object(&obj, B, version).expect("pod");
        let v = e.violation("appArmorProfile").expect("apparmor");
        assert_eq!(v.reason, "forbidden AppArmor profiles");
        assert_eq!(
            v.detail,
            r#"pod and container "a" and annotations must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/="bogus"", "container.apparmor.security.beta.kubernetes.io/e="unconfined"""#
        );
        assert_eq!(
            v.fields[2].to_string(),
            "metadata.annotations.container.apparmor.security.beta.kubernetes.io/"
        );
        // The annotation key is one segment: the finding points at its line.
        assert_eq!(obj.position(&v.fields[3]).line, 10);
    }
}

#[test]
fn seccomp_uses_annotations_before_v1_19_and_fields_after() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: unconfined\n    container.seccomp.security.alpha.kubernetes.io/a: docker/default\n    container.seccomp.security.alpha.kubernetes.io/b: ''\nspec:\n  containers: [{name: a}, {name: b}]\n";
    let obj = load(yaml);
    let old = evaluate_object(&obj, B, v(18)).expect("pod");
    assert_eq!(
        detail(&old, "seccompProfile_baseline"),
        r#"forbidden annotations container.seccomp.security.alpha.kubernetes.io/b="", seccomp.security.alpha.kubernetes.io/pod="unconfined""#
    );
    assert!(evaluate_object(&obj, B, v(19)).expect("pod").allowed());
    // Restricted before v1.19 still runs the baseline (annotation) check: nothing overrides it yet.
    assert!(evaluate_object(&obj, R, v(18))
        .expect("pod")
        .violation("seccompProfile_baseline")
        .is_some());
}

#[test]
fn restricted_seccomp_requires_a_profile_and_exempts_windows_from_v1_25() {
    let spec = "  securityContext: {runAsNonRoot: true}\n  containers:\n  - {name: a, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}\n  - {name: b, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: Localhost}}}\n";
    assert_eq!(
        detail(&eval(spec, R, Version::Latest), "seccompProfile_restricted"),
        r#"pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#
    );
    let windows = format!("  os: {{name: windows}}\n{spec}");
    assert!(eval(&windows, R, v(25)).allowed());
    let e = eval(&windows, R, v(24));
    assert_eq!(ids(&e), ["seccompProfile_restricted"]);
    // Windows still needs runAsNonRoot and the baseline checks.
    let bare = "  os: {name: windows}\n  containers: [{name: a}]\n";
    assert_eq!(ids(&eval(bare, R, Version::Latest)), ["runAsNonRoot"]);
}

#[test]
fn capabilities_restricted_joins_both_complaints() {
    let spec = "  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n  containers:\n  - {name: a, securityContext: {allowPrivilegeEscalation: false}}\n  - {name: b, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [NET_BIND_SERVICE, SYS_ADMIN, CHOWN]}}}\n";
    let e = eval(spec, R, Version::Latest);
    assert_eq!(
        detail(&e, "capabilities_restricted"),
        r#"container "a" must set securityContext.capabilities.drop=["ALL"]; container "b" must not include "CHOWN", "SYS_ADMIN" in securityContext.capabilities.add"#
    );
    assert!(
        e.violation("capabilities_baseline").is_none(),
        "overridden at v1.22+"
    );
    // Before v1.22 restricted runs the baseline check, which allows CHOWN.
    let old = eval(spec, R, v(21));
    assert_eq!(
        detail(&old, "capabilities_baseline"),
        r#"container "b" must not include "SYS_ADMIN" in securityContext.capabilities.add"#
    );
}

#[test]
fn restricted_volumes_name_types_and_default_sourceless_volumes_to_empty_dir() {
    let spec = format!("{CLEAN}  volumes:\n  - {{name: a, nfs: {{server: s, path: /}}}}\n  - {{name: b, gitRepo: {{repository: r}}}}\n  - {{name: c}}\n  - {{name: d, image: {{reference: x}}}}\n");
    let e = eval(&spec, R, v(0));
    assert_eq!(ids(&e), ["restrictedVolumes"]);
    assert_eq!(
        detail(&e, "restrictedVolumes"),
        r#"volumes "a", "b" use restricted volume types "gitRepo", "nfs""#
    );
    let host_path = "  volumes: [{name: h, hostPath: {path: /}}]\n  containers: [{name: a}]\n";
    assert_eq!(
        detail(&eval(host_path, B, Version::Latest), "hostPathVolumes"),
        r#"volume "h""#
    );
}

#[test]
fn user_namespaces_relax_from_v1_35_only() {
    let spec = "  hostUsers: false\n  securityContext: {seccompProfile: {type: RuntimeDefault}, runAsUser: 0}\n  containers:\n  - {name: a, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, procMount: Unmasked}}\n";
    assert_eq!(
        ids(&eval(spec, R, v(34))),
        ["procMount", "runAsNonRoot", "runAsUser"]
    );
    assert_eq!(ids(&eval(spec, R, v(35))), ["procMount_restricted"]);
    assert!(eval(spec, B, v(35)).allowed());
    assert_eq!(ids(&eval(spec, B, v(34))), ["procMount"]);
}

#[test]
fn version_boundaries_of_sysctls_and_host_probes() {
    let sysctl = |name: &str| {
        format!("  securityContext:\n    sysctls: [{{name: {name}, value: '1'}}]\n  containers: [{{name: a}}]\n")
    };
    for (name, first) in [
        ("net.ipv4.ip_local_reserved_ports", 27),
        ("net.ipv4.tcp_keepalive_time", 29),
        ("net.ipv4.tcp_rmem", 32),
        ("net.ipv4.tcp_notsent_lowat", 37),
    ] {
        assert!(!eval(&sysctl(name), B, v(first - 1)).allowed(), "{name}");
        assert!(eval(&sysctl(name), B, v(first)).allowed(), "{name}");
    }
    assert_eq!(
        detail(
            &eval(&sysctl("kernel.msgmax"), B, Version::Latest),
            "sysctls"
        ),
        "kernel.msgmax"
    );
    let probe = "  containers:\n  - name: a\n    livenessProbe: {httpGet: {host: 10.0.0.1, port: 80}}\n    lifecycle: {preStop: {tcpSocket: {host: example.com, port: 1}}}\n";
    assert!(eval(probe, B, v(33)).allowed());
    assert_eq!(
        detail(&eval(probe, B, v(34)), "hostProbesAndHostLifecycle"),
        r#"container "a" uses probe or lifecycle hosts "10.0.0.1", "example.com""#
    );
}

#[test]
fn latest_and_future_versions_mean_the_newest_rules() {
    let newest = checks()
        .iter()
        .flat_map(|c| c.revisions)
        .map(|r| r.since)
        .max();
    assert_eq!(newest, Some(NEWEST_MINOR));
    let spec = "  securityContext:\n    sysctls: [{name: net.ipv4.tcp_notsent_lowat, value: '1'}]\n  containers: [{name: a}]\n";
    assert!(eval(spec, B, Version::Latest).allowed());
    assert!(eval(spec, B, v(99)).allowed());
    assert_eq!(check("runAsUser").map(|c| c.min_version()), Some(v(23)));
}

#[test]
fn privileged_level_checks_nothing() {
    let spec = "  hostNetwork: true\n  containers: [{name: a, securityContext: {privileged: 'yes please'}}]\n";
    assert!(eval(spec, Level::Privileged, Version::Latest).allowed());
}

#[test]
fn wrong_types_are_invalid_and_never_panic() {
    let spec = "  hostPID: 'true'\n  securityContext: {sysctls: {name: x}}\n  containers:\n  - name: a\n    securityContext: {privileged: 'true', runAsUser: 1.5}\n    ports: [{containerPort: 80, hostPort: 3000000000}]\n  - name: b\n    securityContext: [privileged]\n  - just-a-string\n  initContainers: {name: c}\n";
    let e = eval(spec, R, Version::Latest);
    let invalid = e.violation(INVALID).expect("invalid");
    assert_eq!(e.violations[0].check, INVALID, "type errors come first");
    let fields: Vec<String> = invalid.fields.iter().map(ToString::to_string).collect();
    assert_eq!(
        fields,
        [
            "spec.containers[0].ports[0].hostPort",
            "spec.containers[0].securityContext.privileged",
            "spec.containers[0].securityContext.runAsUser",
            "spec.containers[1].securityContext",
            "spec.containers[2]",
            "spec.hostPID",
            "spec.initContainers",
            "spec.securityContext.sysctls",
        ]
    );
    assert!(
        invalid.detail.contains(
            "spec.containers[0].securityContext.privileged must be a boolean, not a string"
        ),
        "{}",
        invalid.detail
    );
    assert!(
        invalid
            .detail
            .contains("hostPort must be a 32-bit integer, not an integer"),
        "{}",
        invalid.detail
    );
    assert!(
        e.violation("privileged").is_none() && e.violation("hostNamespaces").is_none(),
        "mistyped reads as absent"
    );
    // Every level and version reads the same input without panicking.
    for level in Level::ALL {
        for n in 0..=NEWEST_MINOR + 1 {
            let _ = eval(spec, level, v(n));
        }
    }
}

#[test]
fn templates_report_paths_inside_the_template() {
    let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    metadata:\n      annotations:\n        container.apparmor.security.beta.kubernetes.io/a: unconfined\n    spec:\n      containers:\n      - name: a\n        securityContext:\n          privileged: true\n";
    let obj = load(yaml);
    let e = evaluate_object(&obj, B, Version::Latest).expect("deployment");
    let paths: Vec<String> = e
        .violations
        .iter()
        .flat_map(|v| &v.fields)
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        paths,
        [
            "spec.template.metadata.annotations.container.apparmor.security.beta.kubernetes.io/a",
            "spec.template.spec.containers[0].securityContext.privileged",
        ]
    );
    let privileged = &e.violation("privileged").expect("privileged").fields[0];
    assert_eq!(obj.position(privileged).line, 13);
}

#[test]
fn a_spec_that_is_not_an_object_is_invalid() {
    let obj = load("apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: [x]}\nspec: 5\n");
    let e = evaluate_object(&obj, R, Version::Latest).expect("pod");
    let fields: Vec<String> = e.violations[0]
        .fields
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(fields, ["metadata.annotations", "spec"]);
    assert_eq!(ids(&e), [INVALID]);
}

#[test]
fn restricted_runs_baseline_minus_overridden_checks() {
    let at = |level, n| {
        checks_at(level, v(n))
            .map(|(c, r)| (c.id, r.since))
            .collect::<Vec<_>>()
    };
    let restricted = at(R, 37);
    assert!(!restricted.iter().any(|(id, _)| [
        "hostPathVolumes",
        "capabilities_baseline",
        "seccompProfile_baseline",
        "procMount"
    ]
    .contains(id)));
    assert_eq!(restricted.len(), 19 - 4);
    assert!(at(R, 34).contains(&("procMount", 0)));
    assert!(at(R, 18).contains(&("seccompProfile_baseline", 0)));
    assert_eq!(at(B, 0).len(), 11);
    assert_eq!(at(B, 37).len(), 12);
    assert_eq!(checks_at(Level::Privileged, Version::Latest).count(), 0);
}
