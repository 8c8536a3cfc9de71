//! A `networking.k8s.io` NetworkPolicy read as the API server defaults it.

use super::cidr::Cidr;
use super::selector::{labels_of, Labels, Selector};
use crate::analysis::namespace_pss::namespace_of;
use kcheck_model::{FieldPath, Node, Object};

/// The label every namespace carries, set by the API server to the namespace's name.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// A direction of traffic, as NetworkPolicy `policyTypes` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    /// `Ingress`, `Egress`: the `policyTypes` value.
    pub fn policy_type(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }

    /// `ingress`, `egress`: the spec field holding the rules.
    pub fn field(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }

    /// `from`, `to`: the rule field holding the peers.
    pub fn peers_field(self) -> &'static str {
        match self {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Direction::Ingress => "入站",
            Direction::Egress => "出站",
        }
    }
}

/// One NetworkPolicy.
#[derive(Clone, Debug)]
pub struct Policy<'a> {
    pub object: &'a Object,
    pub namespace: &'a str,
    /// `spec.podSelector`; absent or null is `{}` (the field is not a pointer).
    pub pod_selector: Selector,
    pub ingress: bool,
    pub egress: bool,
    spec: Option<&'a Node>,
}

impl<'a> Policy<'a> {
    /// `None` for objects that are not Kubernetes NetworkPolicies (Calico's and Cilium's own
    /// kinds have other schemas).
    pub fn from_object(object: &'a Object) -> Option<Policy<'a>> {
        if object.kind != "NetworkPolicy"
            || !matches!(object.group(), "networking.k8s.io" | "extensions")
        {
            return None;
        }
        let spec = object.root.get("spec");
        let pod_selector = spec
            .and_then(|s| Selector::optional(s.get("podSelector")))
            .unwrap_or_else(Selector::everything);
        let types: Vec<&str> = spec
            .and_then(|s| s.get("policyTypes"))
            .map_or(&[][..], Node::as_seq)
            .iter()
            .filter_map(Node::as_str)
            .collect();
        let given = spec
            .and_then(|s| s.get("policyTypes"))
            .is_some_and(|t| !t.as_seq().is_empty());
        // As SetDefaults_NetworkPolicy: without policyTypes, Ingress always, Egress when there
        // are egress rules.
        let (ingress, egress) = if given {
            (types.contains(&"Ingress"), types.contains(&"Egress"))
        } else {
            let egress_rules = spec
                .and_then(|s| s.get("egress"))
                .is_some_and(|e| !e.as_seq().is_empty());
            (true, egress_rules)
        };
        Some(Policy {
            object,
            namespace: namespace_of(object),
            pod_selector,
            ingress,
            egress,
            spec,
        })
    }

    /// Whether the policy isolates the pods it selects in `direction`.
    pub fn has_type(&self, direction: Direction) -> bool {
        match direction {
            Direction::Ingress => self.ingress,
            Direction::Egress => self.egress,
        }
    }

    /// The allow rules of `direction` (each allows traffic; none means deny all).
    pub fn rules(&self, direction: Direction) -> &'a [Node] {
        self.spec
            .and_then(|s| s.get(direction.field()))
            .map_or(&[][..], Node::as_seq)
    }

    /// `spec.egress[i]`.
    pub fn rule_path(&self, direction: Direction, index: usize) -> FieldPath {
        FieldPath::parse("spec").key(direction.field()).index(index)
    }

    /// The first rule of `direction` that allows everything, by index: on every port, from or to
    /// every peer. Every peer is no `from`/`to` at all, or a list that holds every pod of every
    /// namespace (`namespaceSelector: {}`, with no or an empty `podSelector`) and both whole
    /// address families (`0.0.0.0/0` and `::/0`, without `except`). Every port is no `ports`
    /// at all. Policies are additive: such a rule leaves the pods the policy selects open in
    /// that direction, whatever other policies select them.
    pub fn opens_everything(&self, direction: Direction) -> Option<usize> {
        if !self.has_type(direction) {
            return None;
        }
        self.rules(direction).iter().position(|rule| {
            let ports = rule.get("ports").map_or(&[][..], Node::as_seq);
            let peers = rule
                .get(direction.peers_field())
                .map_or(&[][..], Node::as_seq);
            ports.is_empty() && (peers.is_empty() || every_peer(peers))
        })
    }

    /// Whether the policy selects every pod of its namespace.
    pub fn selects_all_pods(&self) -> bool {
        self.pod_selector.is_everything()
    }

    /// Whether it selects a pod with `labels` in `namespace`.
    pub fn selects(&self, namespace: &str, labels: &Labels) -> bool {
        self.namespace == namespace && self.pod_selector.matches(labels)
    }
}

/// Whether `peers` hold every pod of every namespace and every IPv4 and IPv6 address.
fn every_peer(peers: &[Node]) -> bool {
    let (mut pods, mut v4, mut v6) = (false, false, false);
    for peer in peers.iter().filter_map(Peer::parse) {
        match peer {
            Peer::Pods {
                pods: p,
                namespaces: Some(n),
            } if n.is_everything() && p.as_ref().is_none_or(Selector::is_everything) => {
                pods = true;
            }
            Peer::IpBlock(block) if Cidr::excepts(block).is_empty() => {
                match block
                    .str_at("cidr")
                    .and_then(Cidr::parse)
                    .and_then(|c| c.whole_family())
                {
                    Some(true) => v6 = true,
                    Some(false) => v4 = true,
                    None => {}
                }
            }
            _ => {}
        }
    }
    pods && v4 && v6
}

/// One entry of a rule's `from`/`to`.
#[derive(Clone, Debug)]
pub enum Peer<'a> {
    /// `podSelector` and/or `namespaceSelector`.
    Pods {
        pods: Option<Selector>,
        namespaces: Option<Selector>,
    },
    IpBlock(&'a Node),
}

impl<'a> Peer<'a> {
    pub fn parse(node: &'a Node) -> Option<Peer<'a>> {
        if let Some(block) = node.get("ipBlock").filter(|b| !b.is_null()) {
            return Some(Peer::IpBlock(block));
        }
        let pods = Selector::optional(node.get("podSelector"));
        let namespaces = Selector::optional(node.get("namespaceSelector"));
        (pods.is_some() || namespaces.is_some()).then_some(Peer::Pods { pods, namespaces })
    }

    /// Whether the peer selects a pod (labels `pod`) in namespace `pod_namespace` (labels
    /// `namespace`, which include [`NAMESPACE_NAME_LABEL`]), for a policy in
    /// `policy_namespace`. A peer with only a podSelector stays in the policy's namespace; one
    /// with only a namespaceSelector selects every pod of the selected namespaces.
    pub fn selects_pod(
        &self,
        policy_namespace: &str,
        pod_namespace: &str,
        namespace: &Labels,
        pod: &Labels,
    ) -> bool {
        match self {
            Peer::IpBlock(_) => false,
            Peer::Pods { pods, namespaces } => {
                let in_namespace = match namespaces {
                    Some(s) => s.matches(namespace),
                    None => pod_namespace == policy_namespace,
                };
                in_namespace && pods.as_ref().is_none_or(|s| s.matches(pod))
            }
        }
    }
}

/// The labels of a namespace: its Namespace object's, plus the name label the API server sets.
pub fn namespace_labels(namespace: Option<&Object>, name: &str) -> Labels {
    let mut labels = labels_of(
        namespace
            .and_then(|n| n.metadata())
            .and_then(|m| m.get("labels")),
    );
    labels.insert(NAMESPACE_NAME_LABEL.to_string(), name.to_string());
    labels
}

#[cfg(test)]
mod tests {
    use super::*;
    use kcheck_model::Source;

    pub(crate) fn policy_object(spec: &str) -> Object {
        let json = format!(
            r#"{{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {{"name": "p", "namespace": "shop"}}, "spec": {spec}}}"#
        );
        Object {
            api_version: "networking.k8s.io/v1".into(),
            kind: "NetworkPolicy".into(),
            namespace: Some("shop".into()),
            name: "p".into(),
            root: crate::analysis::netpol::test_node(&json),
            source: Source::Api { path: "/p".into() },
        }
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn policy_types_default_from_egress_rules() {
        let types = |spec: &str| {
            let o = policy_object(spec);
            let p = Policy::from_object(&o).unwrap();
            (p.ingress, p.egress)
        };
        assert_eq!(types(r#"{"podSelector": {}}"#), (true, false));
        assert_eq!(
            types(r#"{"podSelector": {}, "egress": [{}]}"#),
            (true, true)
        );
        assert_eq!(types(r#"{"podSelector": {}, "egress": []}"#), (true, false));
        assert_eq!(
            types(r#"{"policyTypes": [], "egress": [{}]}"#),
            (true, true)
        );
        assert_eq!(types(r#"{"policyTypes": ["Egress"]}"#), (false, true));
        assert_eq!(
            types(r#"{"policyTypes": ["Ingress"], "egress": [{}]}"#),
            (true, false)
        );
    }

    #[test]
    fn absent_pod_selector_selects_all_pods() {
        let o = policy_object(r#"{"policyTypes": ["Ingress"]}"#);
        let p = Policy::from_object(&o).unwrap();
        assert!(p.selects_all_pods());
        assert!(p.selects("shop", &Labels::new()));
        assert!(!p.selects("other", &Labels::new()));
        let o = policy_object(r#"{"podSelector": {"matchLabels": {"app": "web"}}}"#);
        let p = Policy::from_object(&o).unwrap();
        assert!(!p.selects_all_pods());
        assert!(p.selects("shop", &labels(&[("app", "web")])));
        assert!(!p.selects("shop", &labels(&[("app", "db")])));
    }

    #[test]
    fn other_network_policy_kinds_are_ignored() {
        let mut o = policy_object("{}");
        o.api_version = "projectcalico.org/v3".into();
        assert!(Policy::from_object(&o).is_none());
    }

    #[test]
    fn peers_follow_namespace_semantics() {
        let peer = |json: &str| {
            let node = crate::analysis::netpol::test_node(json);
            Box::leak(Box::new(node))
        };
        let web = labels(&[("app", "web")]);
        let shop = namespace_labels(None, "shop");
        let mut mon = namespace_labels(None, "mon");
        mon.insert("team".into(), "ops".into());

        let pods_only =
            Peer::parse(peer(r#"{"podSelector": {"matchLabels": {"app": "web"}}}"#)).unwrap();
        assert!(pods_only.selects_pod("shop", "shop", &shop, &web));
        assert!(!pods_only.selects_pod("shop", "mon", &mon, &web));

        let ns_only = Peer::parse(peer(
            r#"{"namespaceSelector": {"matchLabels": {"team": "ops"}}}"#,
        ))
        .unwrap();
        assert!(ns_only.selects_pod("shop", "mon", &mon, &Labels::new()));
        assert!(!ns_only.selects_pod("shop", "shop", &shop, &web));

        let by_name = Peer::parse(peer(
            r#"{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "shop"}},
                "podSelector": {"matchLabels": {"app": "web"}}}"#,
        ))
        .unwrap();
        assert!(by_name.selects_pod("mon", "shop", &shop, &web));
        assert!(!by_name.selects_pod("mon", "shop", &shop, &Labels::new()));

        let all_ns = Peer::parse(peer(r#"{"namespaceSelector": {}}"#)).unwrap();
        assert!(all_ns.selects_pod("shop", "mon", &mon, &Labels::new()));

        assert!(Peer::parse(peer(r#"{"ipBlock": {"cidr": "10.0.0.0/8"}}"#))
            .is_some_and(|p| matches!(p, Peer::IpBlock(_))));
        assert!(Peer::parse(peer("{}")).is_none());
    }
}
