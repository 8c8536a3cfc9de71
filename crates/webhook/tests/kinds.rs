//! Every kind the webhook judges, allowed and denied, over real TLS on 127.0.0.1.

mod support;

use serde_json::{json, Value};
use support::*;

fn controllers(spec: Value) -> Vec<Value> {
    let template = json!({"metadata": {"labels": {"app": "x"}}, "spec": spec});
    let mut job_template = template.clone();
    job_template["spec"]["restartPolicy"] = json!("Never");
    let meta = |kind: &str| json!({"name": kind.to_lowercase(), "namespace": "shop"});
    vec![
        deployment("shop", "web", spec.clone()),
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta("StatefulSet"),
               "spec": {"serviceName": "db", "selector": {"matchLabels": {"app": "x"}}, "template": template}}),
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta("DaemonSet"),
               "spec": {"selector": {"matchLabels": {"app": "x"}}, "template": template}}),
        json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta("ReplicaSet"),
               "spec": {"selector": {"matchLabels": {"app": "x"}}, "template": template}}),
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": meta("Job"),
               "spec": {"template": job_template}}),
        json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta("CronJob"),
               "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": job_template}}}}),
        json!({"apiVersion": "v1", "kind": "ReplicationController", "metadata": meta("ReplicationController"),
               "spec": {"selector": {"app": "x"}, "template": template}}),
        pod("shop", "solo", spec),
    ]
}

#[tokio::test]
async fn pods_and_every_pod_controller() {
    let server = TestServer::start("").await;
    for object in controllers(clean_pod_spec()) {
        let (status, answer) = server.review(&create(&object)).await;
        assert_eq!(status, 200);
        assert!(allowed(&answer), "{} should pass: {answer}", object["kind"]);
        assert!(warnings(&answer).is_empty(), "{}: {answer}", object["kind"]);
        assert_eq!(answer["apiVersion"], "admission.k8s.io/v1");
        assert_eq!(answer["kind"], "AdmissionReview");
        assert_eq!(
            answer["response"]["uid"],
            "705ab4f5-6393-11e8-b7cc-42010a800002"
        );
    }
    for object in controllers(privileged_pod_spec()) {
        let kind = object["kind"].as_str().unwrap().to_string();
        let (status, answer) = server.review(&create(&object)).await;
        assert_eq!(status, 200);
        assert!(!allowed(&answer), "{kind} should be denied: {answer}");
        let message = denial(&answer);
        assert!(
            message.starts_with(&format!("kcheck denied {kind} shop/")),
            "{message}"
        );
        assert!(message.contains("KC301"), "{message}");
        assert_eq!(answer["response"]["status"]["code"], 403);
    }
}

#[tokio::test]
async fn medium_findings_warn_and_are_admitted() {
    let server = TestServer::start("").await;
    let mut spec = clean_pod_spec();
    // No seccomp profile (KC310, medium) and a memory limit above the request (KC305, medium).
    spec["securityContext"]
        .as_object_mut()
        .unwrap()
        .remove("seccompProfile");
    spec["containers"][0]["resources"]["limits"]["memory"] = json!("1Gi");
    let (_, answer) = server
        .review(&create(&deployment("shop", "web", spec)))
        .await;
    assert!(allowed(&answer), "{answer}");
    let w = warnings(&answer);
    assert!(w.iter().any(|w| w.starts_with("KC310 ")), "{w:?}");
    assert!(w.iter().any(|w| w.starts_with("KC305 ")), "{w:?}");
    assert!(w.iter().all(|w| w.chars().count() <= 120));
}

#[tokio::test]
async fn namespaces() {
    let server = TestServer::start("").await;
    let ns = |labels: Value| json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": labels}});
    let (_, answer) = server
        .review(&create(&ns(json!({"kubernetes.io/metadata.name": "shop"}))))
        .await;
    assert!(!allowed(&answer));
    assert!(
        denial(&answer).starts_with("kcheck denied Namespace shop: KC306"),
        "{answer}"
    );
    let (_, answer) = server
        .review(&create(&ns(json!({
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest"
        }))))
        .await;
    assert!(allowed(&answer), "{answer}");
}

#[tokio::test]
async fn services() {
    let server = TestServer::start("").await;
    let svc = |spec: Value| json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}, "spec": spec});
    let (_, answer) = server
        .review(&create(&svc(
            json!({"type": "ClusterIP", "ports": [{"port": 80}]}),
        )))
        .await;
    assert!(allowed(&answer), "{answer}");
    let (_, answer) = server
        .review(&create(&svc(
            json!({"ports": [{"port": 80}], "externalIPs": ["203.0.113.7"]}),
        )))
        .await;
    assert!(!allowed(&answer), "{answer}");
    assert!(denial(&answer).contains("KC202"), "{answer}");
    // A LoadBalancer is medium: admitted with a warning.
    let (_, answer) = server
        .review(&create(&svc(
            json!({"type": "LoadBalancer", "ports": [{"port": 80}]}),
        )))
        .await;
    assert!(allowed(&answer), "{answer}");
    assert!(
        warnings(&answer).iter().any(|w| w.starts_with("KC201")),
        "{answer}"
    );
}

#[tokio::test]
async fn configmaps_are_judged_and_their_values_never_echoed() {
    let server = TestServer::start("").await;
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8vR3kL9tQ";
    let cm = |data: Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "shop"}, "data": data});
    let (_, answer) = server
        .review(&create(&cm(json!({"LOG_LEVEL": "info"}))))
        .await;
    assert!(allowed(&answer), "{answer}");
    let (_, answer) = server
        .review(&create(&cm(json!({"AWS_SECRET_ACCESS_KEY": secret}))))
        .await;
    assert!(!allowed(&answer), "{answer}");
    assert!(denial(&answer).contains("KC602"), "{answer}");
    assert!(!answer.to_string().contains("wJalrXUtnFEMI"), "{answer}");
}

#[tokio::test]
async fn credential_placeholders_warn_and_key_blocks_deny() {
    let server = TestServer::start("").await;
    let cm = |data: Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "shop"}, "data": data});
    // A credential's key over a placeholder: allowed, with a warning that says why.
    let (_, answer) = server
        .review(&create(&cm(json!({"DB_PASSWORD": "changeme"}))))
        .await;
    assert!(allowed(&answer), "{answer}");
    assert!(
        warnings(&answer).iter().any(|w| w.starts_with("KC602")),
        "{answer}"
    );
    // A private key block, whatever its body: denied, and nothing of the body is echoed.
    let (_, answer) = server
        .review(&create(&cm(json!({"id_rsa": "-----BEGIN RSA PRIVATE KEY-----\nWm9vQmFyQmF6\n-----END RSA PRIVATE KEY-----\n"}))))
        .await;
    assert!(!allowed(&answer), "{answer}");
    assert!(denial(&answer).contains("KC602"), "{answer}");
    assert!(!answer.to_string().contains("Wm9v"), "{answer}");
    // A credential-named variable read from a ConfigMap, which a review never carries: judged
    // by its name, a warning; from a Secret, nothing.
    let mut spec = clean_pod_spec();
    spec["containers"][0]["env"] = json!([
        {"name": "DB_PASSWORD", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "db-password"}}},
        {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "api", "key": "token"}}}
    ]);
    let (_, answer) = server.review(&create(&pod("shop", "web", spec))).await;
    assert!(allowed(&answer), "{answer}");
    let found: Vec<String> = warnings(&answer)
        .into_iter()
        .filter(|w| w.starts_with("KC603"))
        .collect();
    assert_eq!(found.len(), 1, "{answer}");
    assert!(found[0].contains("DB_PASSWORD"), "{answer}");
}

#[tokio::test]
async fn rbac_roles_and_bindings() {
    let server = TestServer::start("").await;
    let rbac = |kind: &str, namespaced: bool, rest: Value| {
        let mut o = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind,
                           "metadata": {"name": "x"}});
        if namespaced {
            o["metadata"]["namespace"] = json!("shop");
        }
        for (k, v) in rest.as_object().unwrap() {
            o[k] = v.clone();
        }
        o
    };
    let reader = json!({"rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]});
    let wildcard = json!({"rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]});
    let to_user = json!({
        "subjects": [{"kind": "User", "name": "alice", "apiGroup": "rbac.authorization.k8s.io"}],
        "roleRef": {"kind": "ClusterRole", "name": "view", "apiGroup": "rbac.authorization.k8s.io"}
    });
    let to_masters = json!({
        "subjects": [{"kind": "Group", "name": "system:masters", "apiGroup": "rbac.authorization.k8s.io"}],
        "roleRef": {"kind": "ClusterRole", "name": "view", "apiGroup": "rbac.authorization.k8s.io"}
    });
    let admin_to_user = json!({
        "subjects": [{"kind": "User", "name": "alice", "apiGroup": "rbac.authorization.k8s.io"}],
        "roleRef": {"kind": "ClusterRole", "name": "cluster-admin", "apiGroup": "rbac.authorization.k8s.io"}
    });
    let everyone = json!({
        "subjects": [{"kind": "Group", "name": "system:unauthenticated", "apiGroup": "rbac.authorization.k8s.io"}],
        "roleRef": {"kind": "ClusterRole", "name": "view", "apiGroup": "rbac.authorization.k8s.io"}
    });
    let cases = [
        (rbac("Role", true, reader.clone()), None),
        (rbac("ClusterRole", false, reader), None),
        (rbac("Role", true, wildcard.clone()), Some("KC102")),
        (rbac("ClusterRole", false, wildcard), Some("KC102")),
        (rbac("RoleBinding", true, to_user.clone()), None),
        (rbac("ClusterRoleBinding", false, to_user), None),
        (rbac("ClusterRoleBinding", false, to_masters), Some("KC101")),
        (
            rbac("ClusterRoleBinding", false, admin_to_user),
            Some("KC103"),
        ),
        (rbac("RoleBinding", true, everyone), Some("KC105")),
    ];
    for (object, denied_by) in cases {
        let (_, answer) = server.review(&create(&object)).await;
        match denied_by {
            None => assert!(allowed(&answer), "{object}: {answer}"),
            Some(code) => {
                assert!(!allowed(&answer), "{object}: {answer}");
                assert!(denial(&answer).contains(code), "{code}: {answer}");
            }
        }
    }
}

#[tokio::test]
async fn webhook_configurations() {
    let server = TestServer::start("").await;
    let webhook = |failure: &str| {
        json!({
            "name": "validate.policy.example.com",
            "failurePolicy": failure,
            "sideEffects": "None",
            "timeoutSeconds": 5,
            "admissionReviewVersions": ["v1"],
            "namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system", "policy"]}]},
            "clientConfig": {"service": {"namespace": "policy", "name": "policy", "path": "/validate"}, "caBundle": "LS0tLS1CRUdJTg=="},
            "rules": [{"operations": ["CREATE", "UPDATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}]
        })
    };
    for kind in [
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    ] {
        let config = |failure: &str| {
            json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind,
                   "metadata": {"name": "policy"}, "webhooks": [webhook(failure)]})
        };
        let (_, answer) = server.review(&create(&config("Fail"))).await;
        assert!(allowed(&answer), "{kind}: {answer}");
        assert!(warnings(&answer).is_empty(), "{kind}: {answer}");
        let (_, answer) = server.review(&create(&config("Ignore"))).await;
        assert!(!allowed(&answer), "{kind}: {answer}");
        assert!(denial(&answer).contains("KC801"), "{answer}");
    }
}

#[test]
fn the_readme_counts_the_rules_the_webhook_runs() {
    let n = kcheck_webhook::rules::admission_rules().len();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("alone run ({n} of them;")),
        "README.md must say the webhook runs {n} rules"
    );
}
