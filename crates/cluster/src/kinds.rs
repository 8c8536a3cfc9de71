//! Which kinds a cluster run lists, where the API serves them, and what follows from that list:
//! the `kubectl get` command for an offline dump and the ClusterRole rules kcheck needs.
//!
//! The rules say which kinds they read (by kind name, and custom resources with their API group
//! and versions); this module knows where the built-in kinds live. [`Plan`] puts the two
//! together, and everything else (the collector, the dump reader, the README's command, the
//! RBAC in `deploy/`) derives from a plan.

use std::collections::BTreeMap;

/// One kind to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindSpec {
    /// `""` for the core group.
    pub group: &'static str,
    /// Versions kcheck understands, preferred first: the first one discovery serves is listed.
    pub versions: &'static [&'static str],
    pub kind: &'static str,
    /// The plural resource name, as in the API path.
    pub resource: &'static str,
    pub namespaced: bool,
    /// A custom resource: its group is absent when the product is not installed, and that
    /// absence is an answer (no objects), not a gap.
    pub custom: bool,
}

impl KindSpec {
    /// `secrets`, `networkpolicies.networking.k8s.io`: the name `kubectl api-resources -o name`
    /// prints.
    pub fn qualified(&self) -> String {
        qualified(self.group, self.resource)
    }
}

/// An API group whose every kind is listed (Gatekeeper makes one kind per constraint template).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupSpec {
    pub group: &'static str,
    pub versions: &'static [&'static str],
}

pub(crate) fn qualified(group: &str, resource: &str) -> String {
    if group.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}.{group}")
    }
}

const V1: &[&str] = &["v1"];

const fn core(kind: &'static str, resource: &'static str, namespaced: bool) -> KindSpec {
    builtin("", V1, kind, resource, namespaced)
}

const fn builtin(
    group: &'static str,
    versions: &'static [&'static str],
    kind: &'static str,
    resource: &'static str,
    namespaced: bool,
) -> KindSpec {
    KindSpec {
        group,
        versions,
        kind,
        resource,
        namespaced,
        custom: false,
    }
}

/// Where the API serves the built-in kinds a rule may read.
pub const BUILTIN: &[KindSpec] = &[
    core("Namespace", "namespaces", false),
    core("Pod", "pods", true),
    core("PodTemplate", "podtemplates", true),
    core("ReplicationController", "replicationcontrollers", true),
    core("Service", "services", true),
    core("ServiceAccount", "serviceaccounts", true),
    core("ConfigMap", "configmaps", true),
    core("Secret", "secrets", true),
    core("LimitRange", "limitranges", true),
    core("ResourceQuota", "resourcequotas", true),
    core("Node", "nodes", false),
    core("PersistentVolume", "persistentvolumes", false),
    builtin("apps", V1, "Deployment", "deployments", true),
    builtin("apps", V1, "ReplicaSet", "replicasets", true),
    builtin("apps", V1, "StatefulSet", "statefulsets", true),
    builtin("apps", V1, "DaemonSet", "daemonsets", true),
    builtin("batch", V1, "Job", "jobs", true),
    builtin("batch", V1, "CronJob", "cronjobs", true),
    builtin(
        "networking.k8s.io",
        V1,
        "NetworkPolicy",
        "networkpolicies",
        true,
    ),
    builtin("networking.k8s.io", V1, "Ingress", "ingresses", true),
    builtin(
        "networking.k8s.io",
        V1,
        "IngressClass",
        "ingressclasses",
        false,
    ),
    builtin("rbac.authorization.k8s.io", V1, "Role", "roles", true),
    builtin(
        "rbac.authorization.k8s.io",
        V1,
        "ClusterRole",
        "clusterroles",
        false,
    ),
    builtin(
        "rbac.authorization.k8s.io",
        V1,
        "RoleBinding",
        "rolebindings",
        true,
    ),
    builtin(
        "rbac.authorization.k8s.io",
        V1,
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
    ),
    builtin("node.k8s.io", V1, "RuntimeClass", "runtimeclasses", false),
    builtin(
        "policy",
        V1,
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        true,
    ),
    builtin("storage.k8s.io", V1, "CSIDriver", "csidrivers", false),
    builtin(
        "apiextensions.k8s.io",
        V1,
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
    ),
    builtin(
        "admissionregistration.k8s.io",
        V1,
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
        false,
    ),
    builtin(
        "admissionregistration.k8s.io",
        V1,
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
        false,
    ),
    builtin(
        "admissionregistration.k8s.io",
        &["v1", "v1beta1"],
        "ValidatingAdmissionPolicy",
        "validatingadmissionpolicies",
        false,
    ),
    builtin(
        "admissionregistration.k8s.io",
        &["v1", "v1beta1"],
        "ValidatingAdmissionPolicyBinding",
        "validatingadmissionpolicybindings",
        false,
    ),
    builtin(
        "apiregistration.k8s.io",
        V1,
        "APIService",
        "apiservices",
        false,
    ),
    builtin(
        "certificates.k8s.io",
        V1,
        "CertificateSigningRequest",
        "certificatesigningrequests",
        false,
    ),
];

/// The kinds and groups one run lists, in a fixed order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub kinds: Vec<KindSpec>,
    pub groups: Vec<GroupSpec>,
    /// Kind names asked for that are neither built in nor given as custom kinds (a rule that
    /// reads a kind the collector does not know: a test keeps this empty).
    pub unknown: Vec<String>,
}

impl Plan {
    /// The kinds named (built-in ones are looked up in [`BUILTIN`]), the custom kinds given in
    /// full, and whole groups. A kind named twice is listed once; the order is the built-in
    /// table's, then the custom kinds' as given.
    pub fn new<'a>(
        names: impl IntoIterator<Item = &'a str>,
        custom: &[KindSpec],
        groups: &[GroupSpec],
    ) -> Plan {
        let mut wanted: Vec<&str> = names.into_iter().collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut plan = Plan::default();
        for spec in BUILTIN {
            let named = wanted.binary_search(&spec.kind).is_ok();
            let also_custom = custom
                .iter()
                .any(|c| c.kind == spec.kind && c.group == spec.group);
            if named || also_custom {
                plan.kinds.push(*spec);
            }
        }
        for spec in custom {
            if !plan
                .kinds
                .iter()
                .any(|k| k.kind == spec.kind && k.group == spec.group)
            {
                plan.kinds.push(*spec);
            }
        }
        for name in wanted {
            if !plan.kinds.iter().any(|k| k.kind == name) {
                plan.unknown.push(name.to_string());
            }
        }
        plan.groups = groups.to_vec();
        plan
    }

    /// The spec of a kind, by kind name (and group, when two groups have the kind).
    pub fn spec(&self, group: &str, kind: &str) -> Option<&KindSpec> {
        self.kinds
            .iter()
            .find(|k| k.kind == kind && k.group == group)
            .or_else(|| self.kinds.iter().find(|k| k.kind == kind))
    }

    /// The shell commands that write an offline dump of everything this plan lists (README).
    /// Custom resources are asked for only when the cluster serves them, so the command works
    /// on any cluster; Secrets lose their values before they reach the disk.
    pub fn dump_command(&self) -> String {
        let mut names: Vec<String> = self
            .kinds
            .iter()
            .map(|k| regex_escape(&k.qualified()))
            .collect();
        names.extend(
            self.groups
                .iter()
                .map(|g| format!("[a-z0-9-]+\\.{}", regex_escape(g.group))),
        );
        format!(
            "mkdir -p dump\n\
             kubectl version -o json > dump/version.json\n\
             kubectl get \"$(kubectl api-resources --verbs=list -o name \\\n    \
             | grep -xE '{}' \\\n    \
             | paste -sd, -)\" \\\n  \
             --all-namespaces --chunk-size=500 -o json \\\n  \
             | jq '.items |= map(if .kind == \"Secret\" then del(.data, .stringData, .metadata.annotations[\"kubectl.kubernetes.io/last-applied-configuration\"]) else . end)' \\\n  \
             > dump/objects.json\n",
            names.join("|")
        )
    }

    /// The ClusterRole rules kcheck needs for this plan, as YAML list items (two-space indent):
    /// `list` on every kind and nothing else. kcheck reads only lists (Secrets as metadata,
    /// which is the client's choice: RBAC cannot grant metadata alone), never gets single
    /// objects, never watches. Whole groups are left out: they need a wildcard, which
    /// `deploy/` grants separately.
    pub fn cluster_role_rules(&self) -> String {
        let mut by_group: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for k in &self.kinds {
            by_group.entry(k.group).or_default().push(k.resource);
        }
        let mut out = String::new();
        for (group, resources) in &mut by_group {
            resources.sort_unstable();
            resources.dedup();
            out.push_str(&format!(
                "- apiGroups: [\"{group}\"]\n  resources: [{}]\n  verbs: [list]\n",
                resources.join(", ")
            ));
        }
        out
    }
}

fn regex_escape(s: &str) -> String {
    s.replace('.', "\\.")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISTIO: KindSpec = KindSpec {
        group: "security.istio.io",
        versions: &["v1", "v1beta1"],
        kind: "PeerAuthentication",
        resource: "peerauthentications",
        namespaced: true,
        custom: true,
    };

    #[test]
    fn a_plan_takes_built_in_kinds_by_name_and_custom_kinds_whole() {
        let plan = Plan::new(
            ["Pod", "Secret", "Pod", "NoSuchKind"],
            &[ISTIO],
            &[GroupSpec {
                group: "constraints.gatekeeper.sh",
                versions: &["v1beta1"],
            }],
        );
        let kinds: Vec<&str> = plan.kinds.iter().map(|k| k.kind).collect();
        assert_eq!(kinds, ["Pod", "Secret", "PeerAuthentication"]);
        assert_eq!(plan.unknown, ["NoSuchKind"]);
        assert_eq!(
            plan.kinds[2].qualified(),
            "peerauthentications.security.istio.io"
        );
        let cmd = plan.dump_command();
        assert!(cmd.contains("'pods|secrets|peerauthentications\\.security\\.istio\\.io|[a-z0-9-]+\\.constraints\\.gatekeeper\\.sh'"), "{cmd}");
        assert_eq!(
            plan.cluster_role_rules(),
            "- apiGroups: [\"\"]\n  resources: [pods, secrets]\n  verbs: [list]\n\
             - apiGroups: [\"security.istio.io\"]\n  resources: [peerauthentications]\n  verbs: [list]\n"
        );
    }

    #[test]
    fn built_in_kinds_are_unique() {
        for (i, a) in BUILTIN.iter().enumerate() {
            assert!(
                !BUILTIN[i + 1..].iter().any(|b| b.kind == a.kind),
                "{} twice",
                a.kind
            );
            assert!(a.resource.chars().all(|c| c.is_ascii_lowercase()));
        }
    }
}
