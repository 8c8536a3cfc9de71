//! What the test API server serves, and how it misbehaves.

use crate::kinds::BUILTIN;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// One resource and its objects (whole, with apiVersion and kind, as kubectl would dump them).
#[derive(Clone, Debug)]
pub struct Resource {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub resource: String,
    pub namespaced: bool,
    pub items: Vec<Value>,
}

impl Resource {
    /// `pods`, `networkpolicies.networking.k8s.io`.
    pub fn qualified(&self) -> String {
        crate::kinds::qualified(&self.group, &self.resource)
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// How list requests of one resource fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failing {
    /// The first `times` page requests answer `status` (429 or a 5xx), with a Retry-After in
    /// seconds when given; then the pages come.
    Transient {
        status: u16,
        times: u32,
        retry_after: Option<u64>,
    },
    /// Every page request after the first `after` answers `status`.
    Always { status: u16, after: u32 },
}

/// The server's contents.
#[derive(Clone, Debug, Default)]
pub struct Fixture {
    pub resources: Vec<Resource>,
    /// `(major, minor)` for `/version`.
    pub version: (u32, u32),
    /// Resources (`secrets`, `roles.rbac.authorization.k8s.io`) whose lists answer 403.
    pub forbidden: BTreeSet<String>,
    pub failing: BTreeMap<String, Failing>,
    /// Resources whose every page takes this long.
    pub slow: BTreeMap<String, Duration>,
    /// Group versions (`metrics.k8s.io/v1beta1`) whose discovery answers 503.
    pub broken_discovery: BTreeSet<String>,
    /// Serve Secrets whole (`--read-secret-data`); otherwise only as metadata.
    pub allow_secret_data: bool,
    /// Resources whose continue token never advances: a page asked for with a token answers
    /// the same page and the same token again.
    pub repeating_continue: BTreeSet<String>,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture {
            version: (1, 31),
            ..Fixture::default()
        }
    }

    /// Adds objects (each with apiVersion and kind). Built-in kinds find their resource in
    /// [`BUILTIN`]; other kinds need [`Fixture::custom`] first. Unknown kinds are ignored.
    pub fn add(&mut self, object: Value) {
        let kind = object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let api_version = object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let (group, version) = match api_version.rsplit_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        if let Some(r) = self
            .resources
            .iter_mut()
            .find(|r| r.kind == kind && r.group == group && r.version == version)
        {
            r.items.push(object);
            return;
        }
        if let Some(spec) = BUILTIN.iter().find(|k| k.kind == kind && k.group == group) {
            self.resources.push(Resource {
                group,
                version,
                kind: kind.to_string(),
                resource: spec.resource.to_string(),
                namespaced: spec.namespaced,
                items: vec![object],
            });
        }
    }

    /// Declares a custom resource (so that discovery shows it even with no objects).
    pub fn custom(&mut self, api_version: &str, kind: &str, resource: &str, namespaced: bool) {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        self.resources.push(Resource {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
            resource: resource.to_string(),
            namespaced,
            items: Vec::new(),
        });
    }

    /// Declares every built-in kind, so that discovery shows them even with no objects.
    pub fn with_builtin_kinds(mut self) -> Fixture {
        for spec in BUILTIN {
            let version = spec.versions[0];
            if !self
                .resources
                .iter()
                .any(|r| r.kind == spec.kind && r.group == spec.group)
            {
                self.resources.push(Resource {
                    group: spec.group.to_string(),
                    version: version.to_string(),
                    kind: spec.kind.to_string(),
                    resource: spec.resource.to_string(),
                    namespaced: spec.namespaced,
                    items: Vec::new(),
                });
            }
        }
        self
    }

    /// Reads `kubectl get -o json` List files (what tools/gen_scale.py writes) from a directory.
    pub fn from_list_dir(dir: &std::path::Path) -> std::io::Result<Fixture> {
        let mut fixture = Fixture::new();
        let mut files: Vec<_> = std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for file in files {
            let value: Value = serde_json::from_slice(&std::fs::read(&file)?)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
            match value.get("items").and_then(Value::as_array) {
                Some(items) => items.iter().cloned().for_each(|i| fixture.add(i)),
                None => fixture.add(value),
            }
        }
        Ok(fixture.with_builtin_kinds())
    }

    /// Every object as `kubectl get -o json` would print them together: one List.
    pub fn kubectl_dump(&self) -> String {
        let items: Vec<&Value> = self.resources.iter().flat_map(|r| &r.items).collect();
        let list = json!({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items});
        serde_json::to_string_pretty(&list).unwrap_or_default()
    }

    /// `kubectl version -o json` for this server.
    pub fn kubectl_version(&self) -> String {
        let (major, minor) = self.version;
        json!({
            "clientVersion": {"major": "1", "minor": "32", "gitVersion": "v1.32.4"},
            "serverVersion": {"major": major.to_string(), "minor": minor.to_string(), "gitVersion": format!("v{major}.{minor}.2")}
        })
        .to_string()
    }

    /// A small cluster with something for most items: a kubeadm control plane in kube-system,
    /// workloads good and bad, policies, RBAC, Secrets of several types (with values, which the
    /// collector must never ask for), a CRD and a custom resource.
    pub fn sample() -> Fixture {
        let mut f = Fixture::new();
        let ns = |name: &str, enforce: Option<&str>| {
            let mut labels = json!({"kubernetes.io/metadata.name": name});
            if let Some(level) = enforce {
                labels["pod-security.kubernetes.io/enforce"] = json!(level);
            }
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}})
        };
        for o in [
            ns("kube-system", None),
            ns("shop", Some("restricted")),
            ns("legacy", None),
        ] {
            f.add(o);
        }
        let static_pod = |component: &str, image: &str, command: Value| {
            json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("{component}-cp1"), "namespace": "kube-system",
                    "labels": {"component": component, "tier": "control-plane"}},
                "spec": {"hostNetwork": true, "priorityClassName": "system-node-critical",
                    "containers": [{"name": component, "image": image, "command": command}]}})
        };
        f.add(static_pod(
            "kube-apiserver",
            "registry.k8s.io/kube-apiserver:v1.31.2",
            json!([
                "kube-apiserver",
                "--advertise-address=10.0.0.1",
                "--allow-privileged=true",
                "--authorization-mode=Node,RBAC",
                "--client-ca-file=/etc/kubernetes/pki/ca.crt",
                "--enable-admission-plugins=NodeRestriction",
                "--etcd-servers=https://127.0.0.1:2379",
                "--secure-port=6443",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt"
            ]),
        ));
        f.add(static_pod(
            "kube-controller-manager",
            "registry.k8s.io/kube-controller-manager:v1.31.2",
            json!([
                "kube-controller-manager",
                "--bind-address=127.0.0.1",
                "--use-service-account-credentials=true",
                "--kubeconfig=/etc/kubernetes/controller-manager.conf"
            ]),
        ));
        f.add(static_pod(
            "kube-scheduler",
            "registry.k8s.io/kube-scheduler:v1.31.2",
            json!([
                "kube-scheduler",
                "--bind-address=127.0.0.1",
                "--kubeconfig=/etc/kubernetes/scheduler.conf"
            ]),
        ));
        f.add(static_pod(
            "etcd",
            "registry.k8s.io/etcd:3.5.15-0",
            json!([
                "etcd",
                "--client-cert-auth=true",
                "--listen-client-urls=https://127.0.0.1:2379,https://10.0.0.1:2379",
                "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
                "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt"
            ]),
        ));
        f.add(json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "calico-node", "namespace": "kube-system"},
            "spec": {"selector": {"matchLabels": {"k8s-app": "calico-node"}}, "template": {
                "metadata": {"labels": {"k8s-app": "calico-node"}},
                "spec": {"hostNetwork": true, "containers": [{"name": "calico-node", "image": "docker.io/calico/node:v3.28.0",
                    "securityContext": {"privileged": true}}]}}}}));
        f.add(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"automountServiceAccountToken": false,
                    "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [{"name": "web", "image": "registry.example.com/web@sha256:4b825dc642cb6eb9a060e54bf8d69288fbee4904b825dc642cb6eb9a060e54bf",
                        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "200m", "memory": "64Mi"}},
                        "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}}}}));
        f.add(json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "debug", "namespace": "legacy"},
            "spec": {"containers": [{"name": "shell", "image": "busybox:latest",
                "env": [{"name": "DB_PASSWORD", "value": "hunter2-but-longer-9f8e7d"}],
                "securityContext": {"privileged": true}}]}}));
        f.add(
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny", "namespace": "shop"},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}),
        );
        f.add(json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 80}]}}));
        f.add(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "shop"}}));
        f.add(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": "legacy"},
            "data": {"log_level": "debug", "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}}));
        for (name, ns, ty, data) in [
            (
                "builder-token",
                "legacy",
                "kubernetes.io/service-account-token",
                json!({"token": "ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNklpSjk="}),
            ),
            (
                "db",
                "shop",
                "Opaque",
                json!({"password": "c3VwZXItc2VjcmV0"}),
            ),
            (
                "web-tls",
                "shop",
                "kubernetes.io/tls",
                json!({"tls.crt": "LS0tLS1CRUdJTg==", "tls.key": "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t"}),
            ),
        ] {
            let mut secret = json!({"apiVersion": "v1", "kind": "Secret", "type": ty, "data": data,
                "metadata": {"name": name, "namespace": ns}});
            if ty == "kubernetes.io/service-account-token" {
                secret["metadata"]["annotations"] =
                    json!({"kubernetes.io/service-account.name": "builder"});
            }
            f.add(secret);
        }
        f.add(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "cluster-admin"},
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}]}));
        f.add(json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": "ci-admin"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": "legacy"}]}));
        f.add(
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "reader", "namespace": "shop"},
            "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]}),
        );
        f.add(
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "reader", "namespace": "shop"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
            "subjects": [{"kind": "User", "name": "ana"}]}),
        );
        f.add(json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "peerauthentications.security.istio.io"},
            "spec": {"group": "security.istio.io", "names": {"kind": "PeerAuthentication", "plural": "peerauthentications"}, "scope": "Namespaced"}}));
        f.custom(
            "security.istio.io/v1",
            "PeerAuthentication",
            "peerauthentications",
            true,
        );
        f.add(json!({"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
            "metadata": {"name": "default", "namespace": "istio-system"}, "spec": {"mtls": {"mode": "STRICT"}}}));
        f.add(json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
            "metadata": {"name": "policy"},
            "webhooks": [{"name": "policy.example.com", "failurePolicy": "Ignore", "sideEffects": "None",
                "admissionReviewVersions": ["v1"], "clientConfig": {"service": {"name": "policy", "namespace": "policy"}},
                "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}]}]}));
        f.with_builtin_kinds()
    }
}
