//! What the cluster-evidence rules (items 2.1, 2.4, 6.3, 7.3, 7.4, 8.2) read from a live cluster,
//! so that the cluster collector lists exactly these kinds, and knows which items a kind it
//! cannot list leaves unjudged.
//!
//! Two sorts of kinds:
//! - built-in kinds: a 403 or a timeout on one makes the items that need it not evaluated;
//! - custom resources (`custom: true`): their API group is absent when the product is not
//!   installed, and that absence is itself the answer the rules judge ("no Kyverno"). Only a
//!   403 or a timeout on a group that discovery shows is a gap.

use kcheck_model::{Inventory, Object};

/// A built-in kind the rules read. Where the API serves it is the collector's knowledge
/// (`kcheck_cluster::kinds::BUILTIN`), not repeated here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinKind {
    pub kind: &'static str,
    /// Checklist items whose rules read it.
    pub items: &'static [&'static str],
}

/// A custom resource the rules read, with where its product serves it: the group is absent when
/// the product is not installed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustomKind {
    pub group: &'static str,
    /// Versions the rules understand, preferred first: list the first one discovery serves.
    pub versions: &'static [&'static str],
    pub kind: &'static str,
    /// The plural resource name, as in the API path.
    pub resource: &'static str,
    pub namespaced: bool,
    /// Checklist items whose rules read it.
    pub items: &'static [&'static str],
}

/// An API group whose every kind the rules read (Gatekeeper creates one constraint kind per
/// template, so the kinds are known only from discovery).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClusterGroup {
    pub group: &'static str,
    pub versions: &'static [&'static str],
    pub items: &'static [&'static str],
}

const fn builtin(kind: &'static str, items: &'static [&'static str]) -> BuiltinKind {
    BuiltinKind { kind, items }
}

const fn custom(
    group: &'static str,
    versions: &'static [&'static str],
    kind: &'static str,
    resource: &'static str,
    namespaced: bool,
    items: &'static [&'static str],
) -> CustomKind {
    CustomKind {
        group,
        versions,
        kind,
        resource,
        namespaced,
        items,
    }
}

const V1: &[&str] = &["v1"];

/// The built-in kinds the cluster-evidence rules read, and the items they serve.
///
/// Notes for the collector:
/// - `Secret`: metadata is enough, but item 6.3 counts Secrets of type `Opaque`: set `type` on
///   those (from a `fieldSelector=type=Opaque` list); an API Secret without `type` is taken to
///   be of another type.
/// - `ConfigMap`: the rules read `kube-system/cilium-config`, `kube-system/amazon-vpc-cni`,
///   `kube-system/antrea-config` and Istio's `istio` ConfigMap (its root namespace).
pub const BUILTIN_KINDS: &[BuiltinKind] = &[
    builtin("Namespace", &["2.4", "6.3", "7.3", "8.2"]),
    builtin("Pod", &["2.4", "6.3", "7.4"]),
    builtin("ConfigMap", &["2.1", "2.4"]),
    builtin("Secret", &["6.3"]),
    builtin("DaemonSet", &["2.1", "2.4", "6.3", "7.3", "7.4"]),
    builtin("Deployment", &["2.4", "6.3", "7.3", "7.4"]),
    builtin("ReplicaSet", &["7.4"]),
    builtin("StatefulSet", &["7.4"]),
    builtin("Job", &["7.4"]),
    builtin("CronJob", &["7.4"]),
    builtin("NetworkPolicy", &["2.1"]),
    builtin("ClusterRole", &["2.1"]),
    builtin(
        "CustomResourceDefinition",
        &["2.1", "2.4", "6.3", "7.3", "7.4", "8.2"],
    ),
    builtin("CSIDriver", &["6.3"]),
    builtin("MutatingWebhookConfiguration", &["6.3", "7.3"]),
    builtin("ValidatingWebhookConfiguration", &["7.3", "8.2"]),
    builtin("ValidatingAdmissionPolicy", &["8.2"]),
    builtin("ValidatingAdmissionPolicyBinding", &["8.2"]),
];

/// Every custom resource the cluster-evidence rules read.
pub const CUSTOM_KINDS: &[CustomKind] = &[
    // 1.4: cert-manager's certificate durations.
    custom(
        "cert-manager.io",
        V1,
        "Certificate",
        "certificates",
        true,
        &["1.4"],
    ),
    // 2.4: Istio and Calico.
    custom(
        "security.istio.io",
        &["v1", "v1beta1"],
        "PeerAuthentication",
        "peerauthentications",
        true,
        &["2.4"],
    ),
    custom(
        "crd.projectcalico.org",
        V1,
        "FelixConfiguration",
        "felixconfigurations",
        false,
        &["2.4"],
    ),
    // 6.3: external secret stores.
    custom(
        "secrets-store.csi.x-k8s.io",
        &["v1", "v1alpha1"],
        "SecretProviderClass",
        "secretproviderclasses",
        true,
        &["6.3"],
    ),
    custom(
        "external-secrets.io",
        &["v1", "v1beta1"],
        "ExternalSecret",
        "externalsecrets",
        true,
        &["6.3"],
    ),
    custom(
        "external-secrets.io",
        &["v1", "v1beta1"],
        "SecretStore",
        "secretstores",
        true,
        &["6.3"],
    ),
    custom(
        "external-secrets.io",
        &["v1", "v1beta1"],
        "ClusterSecretStore",
        "clustersecretstores",
        false,
        &["6.3"],
    ),
    custom(
        "bitnami.com",
        &["v1alpha1"],
        "SealedSecret",
        "sealedsecrets",
        true,
        &["6.3"],
    ),
    custom(
        "secrets.hashicorp.com",
        &["v1beta1"],
        "VaultStaticSecret",
        "vaultstaticsecrets",
        true,
        &["6.3"],
    ),
    custom(
        "secrets.hashicorp.com",
        &["v1beta1"],
        "VaultDynamicSecret",
        "vaultdynamicsecrets",
        true,
        &["6.3"],
    ),
    // 7.3 and 8.2: policy engines.
    custom(
        "kyverno.io",
        V1,
        "ClusterPolicy",
        "clusterpolicies",
        false,
        &["7.3", "8.2"],
    ),
    custom(
        "kyverno.io",
        V1,
        "Policy",
        "policies",
        true,
        &["7.3", "8.2"],
    ),
    custom(
        "policies.kyverno.io",
        &["v1", "v1beta1", "v1alpha1"],
        "ImageValidatingPolicy",
        "imagevalidatingpolicies",
        false,
        &["7.3"],
    ),
    custom(
        "policy.sigstore.dev",
        &["v1beta1", "v1alpha1"],
        "ClusterImagePolicy",
        "clusterimagepolicies",
        false,
        &["7.3"],
    ),
    custom(
        "templates.gatekeeper.sh",
        &["v1", "v1beta1"],
        "ConstraintTemplate",
        "constrainttemplates",
        false,
        &["7.3", "8.2"],
    ),
    // 7.4: trivy-operator.
    custom(
        "aquasecurity.github.io",
        &["v1alpha1"],
        "VulnerabilityReport",
        "vulnerabilityreports",
        true,
        &["7.4"],
    ),
    custom(
        "aquasecurity.github.io",
        &["v1alpha1"],
        "ClusterVulnerabilityReport",
        "clustervulnerabilityreports",
        false,
        &["7.4"],
    ),
];

/// Groups whose every kind the rules read: Gatekeeper constraints (pod security for 8.2, Ratify
/// image verification for 7.3). Custom, like the kinds above.
pub const CLUSTER_GROUPS: &[ClusterGroup] = &[ClusterGroup {
    group: "constraints.gatekeeper.sh",
    versions: &["v1beta1", "v1"],
    items: &["7.3", "8.2"],
}];

/// What each cluster-evidence rule reads (its `reads`): a kind here that the run could not list
/// keeps the rule's item from passing.
pub mod reads;

/// The object a cluster-wide finding is attached to when no object is to blame ("no CNI
/// recognised", "no secret store"): the `kube-system` Namespace, else the first Namespace,
/// else the first `kube-system` DaemonSet or Deployment.
pub fn anchor(inventory: &Inventory) -> Option<&Object> {
    inventory
        .get("Namespace", None, "kube-system")
        .or_else(|| inventory.of_kind("Namespace").next())
        .or_else(|| {
            ["DaemonSet", "Deployment"].iter().find_map(|k| {
                inventory
                    .of_kind(k)
                    .find(|o| o.namespace.as_deref() == Some("kube-system"))
            })
        })
}

/// Whether the inventory shows the cluster's system workloads (DaemonSets or Deployments in
/// `kube-system`): the sign that a cluster was listed, so that the absence of a product in it
/// is an answer rather than missing evidence.
pub fn system_workloads_seen(inventory: &Inventory) -> bool {
    ["DaemonSet", "Deployment"].iter().any(|k| {
        inventory
            .of_kind(k)
            .any(|o| o.namespace.as_deref() == Some("kube-system"))
    })
}

/// Whether a CustomResourceDefinition for `plural.group` is in the inventory.
pub fn has_crd(inventory: &Inventory, name: &str) -> bool {
    inventory
        .get("CustomResourceDefinition", None, name)
        .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_rules_read_only_listed_kinds() {
        for code in [
            "KC214", "KC215", "KC609", "KC701", "KC703", "KC704", "KC808",
        ] {
            let rule = crate::registry::by_code(code).expect(code);
            for kind in rule.kinds_read() {
                assert!(
                    BUILTIN_KINDS.iter().any(|k| k.kind == kind)
                        || CUSTOM_KINDS.iter().any(|k| k.kind == kind)
                        || kcheck_model::WORKLOAD_KINDS.contains(&kind),
                    "{code} reads {kind}, which neither table lists"
                );
            }
        }
    }

    #[test]
    fn kinds_are_unique_and_serve_known_items() {
        let mut seen = std::collections::HashSet::new();
        for k in BUILTIN_KINDS {
            assert!(seen.insert(("", k.kind)), "{} twice", k.kind);
        }
        for k in CUSTOM_KINDS {
            assert!(seen.insert((k.group, k.kind)), "{} twice", k.kind);
            assert!(!k.versions.is_empty());
            assert!(k.resource.chars().all(|c| c.is_ascii_lowercase()));
        }
        let items = BUILTIN_KINDS.iter().map(|k| k.items);
        for item in items.chain(CUSTOM_KINDS.iter().map(|k| k.items)) {
            assert!(!item.is_empty());
            for id in item {
                assert!(kcheck_model::item(id).is_some(), "{id}");
            }
        }
    }
}
