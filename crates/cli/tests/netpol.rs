//! `kcheck netpol` and `kcheck who-can` over the bundled demo cluster and small inputs: the
//! coverage matrix in each format, the gaps filter, names and non-resource URLs in who-can.

#[path = "support/mod.rs"]
mod support;

use support::{command, json, stdout, TempDir};

fn kcheck(args: &[&str]) -> std::process::Output {
    command(args).output().unwrap()
}

#[test]
fn netpol_matrix_of_the_demo() {
    let out = kcheck(&["netpol", "examples/demo-cluster", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let j = json(&out);
    assert_eq!(
        j["summary"],
        serde_json::json!({
            "workloads": 13, "namespaces": 6, "ingressNotIsolated": 6, "egressNotIsolated": 8,
            "metadataReachable": 10, "namespacesWithoutDefaultDeny": 5
        })
    );
    let shop = j["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "shop")
        .unwrap();
    assert_eq!(
        shop["defaultDeny"],
        serde_json::json!({"ingress": "default-deny-ingress", "egress": null})
    );
    // redis is selected for ingress, but redis-debug-temporary opens it to all.
    let redis = shop["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "redis")
        .unwrap();
    assert_eq!(redis["ingressIsolated"], false);
    assert_eq!(
        redis["ingressOpenedBy"],
        serde_json::json!({"policy": "redis-debug-temporary", "rule": 0})
    );
    let web = shop["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "web" && w["kind"] == "Deployment")
        .unwrap();
    assert_eq!(
        web["ingressPolicies"],
        serde_json::json!(["default-deny-ingress", "web-ingress"])
    );
    assert_eq!(web["egressPolicies"], serde_json::json!(["web-egress"]));
    assert_eq!(
        web["metadata"],
        serde_json::json!({"reason": "allowedByPolicy", "policy": "web-egress", "egressRule": 0})
    );
    assert_eq!(web["location"], "examples/demo-cluster/shop/web.yaml:11");

    let table = stdout(&kcheck(&[
        "netpol",
        "examples/demo-cluster",
        "-n",
        "payments",
    ]));
    assert!(
        table.starts_with("namespace payments: 5 NetworkPolicies, default deny ingress yes (default-deny-all), egress yes (default-deny-all)\n"),
        "{table}"
    );
    assert!(table.contains("  Deployment/payments-api "), "{table}");
    assert!(table.ends_with("3 workload(s) in 1 checked namespace(s): 0 not isolated for ingress, 0 not isolated for egress, 0 can reach the metadata API; 0 namespace(s) without a default deny in both directions\n"), "{table}");

    // --gaps keeps only rows with something open: payments has none.
    let gaps = stdout(&kcheck(&["netpol", "examples/demo-cluster", "--gaps"]));
    assert!(!gaps.contains("namespace payments"), "{gaps}");
    assert!(gaps.contains("namespace shop"), "{gaps}");
    assert!(!gaps.contains("Deployment/payments-api"), "{gaps}");

    let md = stdout(&kcheck(&[
        "netpol",
        "examples/demo-cluster",
        "-f",
        "markdown",
    ]));
    assert!(md.starts_with("# NetworkPolicy coverage\n"), "{md}");
    assert!(md.contains("| Deployment `web` | isolated by default-deny-ingress, web-ingress | isolated by web-egress | REACHABLE (allowed by web-egress spec.egress[0]) |"), "{md}");
}

#[test]
fn who_can_names_and_urls() {
    let dir = TempDir::new("whocan-names");
    let rbac = dir.write(
        "rbac.yaml",
        b"apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: app-config, namespace: shop}
rules:
- {apiGroups: [\"\"], resources: [configmaps], resourceNames: [app-config], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: app, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: app-config}
subjects:
- {kind: ServiceAccount, name: app}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: scraper}
rules:
- {nonResourceURLs: [/metrics], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: prometheus}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: scraper}
subjects:
- {kind: ServiceAccount, name: prometheus, namespace: monitoring}
",
    );
    let rbac = rbac.to_str().unwrap();
    let rows = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["who-can"];
        all.extend_from_slice(args);
        all.extend_from_slice(&[rbac, "--format", "json"]);
        json(&kcheck(&all))["subjects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                format!(
                    "{} {}",
                    s["subject"]["name"].as_str().unwrap(),
                    s["resourceNames"]
                )
            })
            .collect()
    };
    assert_eq!(
        rows(&["get", "configmaps", "-n", "shop"]),
        ["app [\"app-config\"]"]
    );
    assert_eq!(
        rows(&["get", "configmaps", "-n", "shop", "--name", "app-config"]),
        ["app [\"app-config\"]"]
    );
    assert!(rows(&["get", "configmaps", "-n", "shop", "--name", "other"]).is_empty());
    assert_eq!(rows(&["get", "/metrics"]), ["prometheus []"]);
    assert!(rows(&["get", "/healthz"]).is_empty());
    let table = stdout(&kcheck(&[
        "who-can",
        "get",
        "configmaps",
        "-n",
        "shop",
        rbac,
    ]));
    assert!(
        table.contains("-> Role shop/app-config (only app-config)"),
        "{table}"
    );
}

#[test]
fn who_can_reads_the_default_cluster_roles_a_binding_names() {
    // `view` is not in the input: Kubernetes' own definition applies (it lists pods, and does
    // not read Secrets), and the answer says so.
    let dir = TempDir::new("who-can-defaults");
    let file = dir.write(
        "view.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: all-view}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects:\n- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: system:authenticated}\n",
    );
    let out = command(&["who-can", "list", "pods", file.to_str().unwrap()])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.starts_with("who can list pods: 1 grant(s)\n"),
        "{text}"
    );
    assert!(text.contains("ClusterRole view (default)"), "{text}");
    assert!(text.contains("read as Kubernetes v1."), "{text}");
    let out = command(&["who-can", "get", "secrets", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        stdout(&out).starts_with("who can get secrets: 0 grant(s)\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn who_can_takes_kubectl_names_and_refuses_what_exists_nowhere() {
    let dir = TempDir::new("who-can-names");
    let file = dir.write(
        "edit.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: shop-edit, namespace: shop}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}\nsubjects:\n- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: shop-devs}\n",
    );
    let f = file.to_str().unwrap();
    // `deployments` and `deploy` mean deployments.apps, as for kubectl.
    for name in ["deployments", "deploy", "deployments.apps"] {
        let out = command(&["who-can", "list", name, "-n", "shop", f])
            .output()
            .unwrap();
        let text = stdout(&out);
        assert!(
            text.starts_with("who can list deployments (group apps) in namespace shop: 1 grant(s)"),
            "{name}: {text}"
        );
    }
    // A resource or verb that exists nowhere is a usage error with the reason.
    let out = command(&["who-can", "get", "podz", f]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("kcheck: unknown resource podz"));
    let out = command(&["who-can", "lsit", "pods", f]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("kcheck: unknown verb lsit"));
    // A namespace that appears nowhere is answered, and said.
    let out = command(&["who-can", "list", "pods", "-n", "nowhere", f])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("namespace nowhere appears nowhere"));
}
