//! Reading admission webhook configurations.

use kcheck_model::{Node, Object};

pub const KINDS: &[&str] = &[
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
];

/// One webhook of a configuration, with its index in `webhooks`.
pub struct Webhook<'a> {
    pub index: usize,
    pub node: &'a Node,
    pub name: &'a str,
}

pub fn webhooks(object: &Object) -> impl Iterator<Item = Webhook<'_>> {
    object
        .root
        .get("webhooks")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .enumerate()
        .map(|(index, node)| Webhook {
            index,
            node,
            name: node.str_at("name").unwrap_or(""),
        })
}

impl<'a> Webhook<'a> {
    pub fn path(&self, rest: &str) -> kcheck_model::FieldPath {
        kcheck_model::FieldPath::parse(&format!("webhooks[{}].{rest}", self.index))
    }

    /// `Fail` unless set: the default of admissionregistration.k8s.io/v1.
    pub fn failure_policy(&self) -> &'a str {
        self.node.str_at("failurePolicy").unwrap_or("Fail")
    }

    /// The namespace of the webhook's own service, when it is one.
    pub fn service_namespace(&self) -> Option<&'a str> {
        self.node
            .path(&["clientConfig", "service", "namespace"])?
            .as_str()
    }

    /// Whether the webhook's words suggest it enforces security policy (so failing open
    /// lets violations through).
    pub fn enforces_security(&self, config_name: &str) -> bool {
        const WORDS: &[&str] = &[
            "kyverno",
            "gatekeeper",
            "opa",
            "policy",
            "polic",
            "security",
            "pod-security",
            "psa",
            "pss",
            "kcheck",
            "sigstore",
            "cosign",
            "image",
            "kubewarden",
            "validat",
            "admission",
            "jspolicy",
            "falco",
            "neuvector",
            "kubearmor",
        ];
        let text = format!("{} {}", config_name, self.name).to_ascii_lowercase();
        WORDS.iter().any(|w| text.contains(w))
    }
}
