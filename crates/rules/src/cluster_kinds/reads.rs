//! What each cluster-evidence rule reads (its `reads`): a kind here that the run could not
//! list keeps the rule's item from passing.

/// KC214, item 2.1.
pub const CNI: &[&str] = &[
    "DaemonSet",
    "ConfigMap",
    "NetworkPolicy",
    "ClusterRole",
    "CustomResourceDefinition",
    "Namespace",
];
/// KC215, item 2.4.
pub const TRAFFIC_ENCRYPTION: &[&str] = &[
    "Namespace",
    "DaemonSet",
    "Deployment",
    "ConfigMap",
    "CustomResourceDefinition",
    "PeerAuthentication",
    "FelixConfiguration",
    "Pod",
    "ReplicaSet",
    "StatefulSet",
    "Job",
    "CronJob",
];
/// KC609, item 6.3.
pub const SECRET_STORES: &[&str] = &[
    "Namespace",
    "Secret",
    "CSIDriver",
    "MutatingWebhookConfiguration",
    "Deployment",
    "DaemonSet",
    "StatefulSet",
    "Pod",
    "SecretProviderClass",
    "ExternalSecret",
    "SecretStore",
    "ClusterSecretStore",
    "SealedSecret",
    "VaultStaticSecret",
    "VaultDynamicSecret",
];
/// KC701 and KC703, item 7.3: the policies that verify image signatures.
pub const IMAGE_VERIFIERS: &[&str] = &[
    "Namespace",
    "ClusterPolicy",
    "Policy",
    "ImageValidatingPolicy",
    "ClusterImagePolicy",
    "MutatingWebhookConfiguration",
    "ConstraintTemplate",
];
/// KC703, item 7.3.
pub const SIGNATURES: &[&str] = &[
    "Namespace",
    "DaemonSet",
    "Deployment",
    "ClusterPolicy",
    "Policy",
    "ImageValidatingPolicy",
    "ClusterImagePolicy",
    "MutatingWebhookConfiguration",
    "ConstraintTemplate",
];
/// KC704, item 7.4.
pub const VULNERABILITIES: &[&str] = &[
    "VulnerabilityReport",
    "ClusterVulnerabilityReport",
    "CustomResourceDefinition",
    "Namespace",
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
];
/// KC808, item 8.2.
pub const POD_SECURITY_ENGINES: &[&str] = &[
    "Namespace",
    "ClusterPolicy",
    "Policy",
    "ConstraintTemplate",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
];
