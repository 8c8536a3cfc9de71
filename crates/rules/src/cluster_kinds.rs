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
}

/// An API group whose every kind the rules read (Gatekeeper creates one constraint kind per
/// template, so the kinds are known only from discovery).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClusterGroup {
    pub group: &'static str,
    pub versions: &'static [&'static str],
    pub items: &'static [&'static str],
}

const fn custom(
    group: &'static str,
    versions: &'static [&'static str],
    kind: &'static str,
    resource: &'static str,
    namespaced: bool,
) -> CustomKind {
    CustomKind {
        group,
        versions,
        kind,
        resource,
        namespaced,
    }
}

const V1: &[&str] = &["v1"];

/// The built-in kinds are those the rules' declarations read (`reads`, and the kinds object
/// rules run on): where the API serves them is the collector's knowledge
/// (`kcheck_cluster::kinds::BUILTIN`). Notes for the collector:
/// - `Secret`: metadata is enough, but item 6.3 counts Secrets of type `Opaque`: set `type` on
///   those (from a `fieldSelector=type=Opaque` list); an API Secret without `type` is taken to
///   be of another type.
/// - `ConfigMap`: the rules read `kube-system/cilium-config`, `kube-system/amazon-vpc-cni`,
///   `kube-system/antrea-config` and Istio's `istio` ConfigMap (its root namespace).
///
/// Every custom resource the cluster-evidence rules read.
pub const CUSTOM_KINDS: &[CustomKind] = &[
    // 1.4: cert-manager's certificate durations.
    custom("cert-manager.io", V1, "Certificate", "certificates", true),
    // 2.4: Istio and Calico.
    custom(
        "security.istio.io",
        &["v1", "v1beta1"],
        "PeerAuthentication",
        "peerauthentications",
        true,
    ),
    custom(
        "crd.projectcalico.org",
        V1,
        "FelixConfiguration",
        "felixconfigurations",
        false,
    ),
    // 6.3: external secret stores.
    custom(
        "secrets-store.csi.x-k8s.io",
        &["v1", "v1alpha1"],
        "SecretProviderClass",
        "secretproviderclasses",
        true,
    ),
    custom(
        "external-secrets.io",
        &["v1", "v1beta1"],
        "ExternalSecret",
        "externalsecrets",
        true,
    ),
    custom(
        "external-secrets.io",
        &["v1", "v1beta1"],
        "SecretStore",
        "secretstores",
        true,
    ),
    custom(
        "external-secrets.io",
        &["v1", "v1beta1"],
        "ClusterSecretStore",
        "clustersecretstores",
        false,
    ),
    custom(
        "bitnami.com",
        &["v1alpha1"],
        "SealedSecret",
        "sealedsecrets",
        true,
    ),
    custom(
        "secrets.hashicorp.com",
        &["v1beta1"],
        "VaultStaticSecret",
        "vaultstaticsecrets",
        true,
    ),
    custom(
        "secrets.hashicorp.com",
        &["v1beta1"],
        "VaultDynamicSecret",
        "vaultdynamicsecrets",
        true,
    ),
    // 7.3 and 8.2: policy engines.
    custom("kyverno.io", V1, "ClusterPolicy", "clusterpolicies", false),
    custom("kyverno.io", V1, "Policy", "policies", true),
    custom(
        "policies.kyverno.io",
        &["v1", "v1beta1", "v1alpha1"],
        "ImageValidatingPolicy",
        "imagevalidatingpolicies",
        false,
    ),
    custom(
        "policy.sigstore.dev",
        &["v1beta1", "v1alpha1"],
        "ClusterImagePolicy",
        "clusterimagepolicies",
        false,
    ),
    custom(
        "templates.gatekeeper.sh",
        &["v1", "v1beta1"],
        "ConstraintTemplate",
        "constrainttemplates",
        false,
    ),
    // 7.4: trivy-operator.
    custom(
        "aquasecurity.github.io",
        &["v1alpha1"],
        "VulnerabilityReport",
        "vulnerabilityreports",
        true,
    ),
    custom(
        "aquasecurity.github.io",
        &["v1alpha1"],
        "ClusterVulnerabilityReport",
        "clustervulnerabilityreports",
        false,
    ),
];

/// Groups whose every kind the rules read: Gatekeeper constraints (pod security for 8.2, Ratify
/// image verification for 7.3). Custom, like the kinds above.
pub const CLUSTER_GROUPS: &[ClusterGroup] = &[ClusterGroup {
    group: "constraints.gatekeeper.sh",
    versions: &["v1beta1", "v1"],
    items: &["7.3", "8.2"],
}];

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
    fn custom_kinds_are_unique_and_read_by_a_rule() {
        let mut seen = std::collections::HashSet::new();
        for k in CUSTOM_KINDS {
            assert!(seen.insert((k.group, k.kind)), "{} twice", k.kind);
            assert!(!k.versions.is_empty());
            assert!(k.resource.chars().all(|c| c.is_ascii_lowercase()));
            assert!(
                crate::registry::all()
                    .iter()
                    .any(|r| r.kinds_read().any(|read| read == k.kind)),
                "no rule reads {}: drop it or declare the rule's reads",
                k.kind
            );
        }
        for g in CLUSTER_GROUPS {
            for id in g.items {
                assert!(kcheck_model::item(id).is_some(), "{id}");
            }
        }
    }
}
