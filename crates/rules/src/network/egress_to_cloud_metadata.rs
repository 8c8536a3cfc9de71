use super::netpol::{Cidr, Direction, Peer, Policy};
use crate::pod_security::namespace_policy::is_exempt;
use crate::{declare_rule, Check, Context, Sink};
use kcheck_model::{text, Evidence, Node, Object, Severity, Text};
use std::net::IpAddr;

declare_rule! {
    /// ## What it checks
    /// Egress rules of `networking.k8s.io` NetworkPolicies that let pods reach a cloud metadata
    /// API, `169.254.169.254` (AWS, GCP, Azure, OpenStack and most others) or `fd00:ec2::254`
    /// (AWS over IPv6):
    /// - an `ipBlock` whose `cidr` contains the address (`0.0.0.0/0`, `169.254.0.0/16`,
    ///   `::/0`, ...) and whose `except` list does not;
    /// - a rule with no `to` (or an empty one), which allows every destination.
    ///
    /// Only rules that can reach the metadata port are reported: no `ports`, or a port entry
    /// that covers 80/TCP (a number, a range with `endPort`, or no `port`); named ports resolve
    /// against pods only and cannot reach the metadata server. Egress rules of a policy whose
    /// `policyTypes` lacks `Egress` are ignored, as Kubernetes ignores them. Policies in the
    /// exempt namespaces of `podSecurity.exemptNamespaces` (default `kube-system`) are skipped.
    ///
    /// Workloads that no egress policy selects at all can reach the metadata API too; KC206
    /// (`workload-without-egress-policy`) reports those.
    ///
    /// ## Why
    /// Checklist item 2.6: access from pods to the cloud metadata API is filtered. The metadata
    /// API hands out the node's cloud credentials and bootstrap data (often a kubelet
    /// credential); a pod that can reach it can act as the node in the cloud account.
    ///
    /// ## Fix
    /// Except the metadata addresses wherever an egress rule opens a wide range:
    /// ```yaml
    /// egress:
    ///   - to:
    ///       - ipBlock:
    ///           cidr: 0.0.0.0/0
    ///           except: [169.254.169.254/32]
    ///       - ipBlock:
    ///           cidr: ::/0
    ///           except: [fd00:ec2::254/128]
    /// ```
    /// On clouds that support it, also block the metadata API for pods at the node (IMDSv2 with
    /// a hop limit of 1 on AWS, Workload Identity / the metadata concealment on GKE).
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#network-security
    /// - https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
    /// - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
    pub static RULE = {
        code: "KC208",
        name: "egress-to-cloud-metadata",
        item: "2.6",
        severity: Severity::High,
        evidence: Evidence::Objects,
        title: Text::fixed("Egress rule allows the cloud metadata API", "出站规则允许访问云元数据 API"),
        fix: Text::fixed(
            "Add 169.254.169.254/32 (and fd00:ec2::254/128 for IPv6) to the except list of the ipBlock, or give the rule explicit destinations.",
            "在 ipBlock 的 except 列表中加入 169.254.169.254/32(IPv6 为 fd00:ec2::254/128),或为该规则指定明确的目的地。",
        ),
        check: Check::Object { kinds: &["NetworkPolicy"], run: check },
    }
}

/// Where cloud metadata APIs listen.
const METADATA_ADDRESSES: &[&str] = &["169.254.169.254", "fd00:ec2::254"];

/// The port they listen on (TCP).
const METADATA_PORT: i64 = 80;

fn metadata_addresses() -> impl Iterator<Item = IpAddr> {
    METADATA_ADDRESSES.iter().filter_map(|a| a.parse().ok())
}

/// Whether a rule's `ports` let traffic to 80/TCP through.
fn reaches_metadata_port(rule: &Node) -> bool {
    let ports = rule.get("ports").map_or(&[][..], Node::as_seq);
    ports.is_empty()
        || ports.iter().any(|p| {
            let tcp = p.str_at("protocol").unwrap_or("TCP") == "TCP";
            let port = match p.get("port").filter(|n| !n.is_null()) {
                None => true,
                Some(n) => match (n.as_i64(), p.get("endPort").and_then(Node::as_i64)) {
                    (Some(first), Some(last)) => (first..=last).contains(&METADATA_PORT),
                    (Some(only), None) => only == METADATA_PORT,
                    // A named port.
                    (None, _) => false,
                },
            };
            tcp && port
        })
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(policy) = Policy::from_object(object) else {
        return;
    };
    if is_exempt(ctx, policy.namespace) {
        return;
    }
    sink.examined();
    if !policy.has_type(Direction::Egress) {
        return;
    }
    let name = &object.name;
    for (i, rule) in policy.rules(Direction::Egress).iter().enumerate() {
        if !reaches_metadata_port(rule) {
            continue;
        }
        let path = policy.rule_path(Direction::Egress, i);
        let peers = rule.get("to").map_or(&[][..], Node::as_seq);
        if peers.is_empty() {
            sink.fail(
                object,
                path,
                text!(
                    "spec.egress[{i}] of NetworkPolicy \"{name}\" has no destinations (`to`), so it allows every address, the cloud metadata API 169.254.169.254 included",
                    "NetworkPolicy \"{name}\" 的出站规则 spec.egress[{i}] 没有目的地(`to`),因此允许所有地址,包括云元数据 API 169.254.169.254",
                ),
            );
            continue;
        }
        for (j, peer) in peers.iter().enumerate() {
            let Some(Peer::IpBlock(block)) = Peer::parse(peer) else {
                continue;
            };
            let Some(cidr_text) = block.str_at("cidr") else {
                continue;
            };
            let Some(cidr) = Cidr::parse(cidr_text) else {
                continue;
            };
            let excepts: Vec<Cidr> = block
                .get("except")
                .map_or(&[][..], Node::as_seq)
                .iter()
                .filter_map(|e| Cidr::parse(e.as_str()?))
                .collect();
            let open = metadata_addresses()
                .find(|a| cidr.contains(*a) && !excepts.iter().any(|e| e.contains(*a)));
            if let Some(address) = open {
                sink.fail(
                    object,
                    path.key("to").index(j).key("ipBlock").key("cidr"),
                    text!(
                        "spec.egress[{i}] of NetworkPolicy \"{name}\" allows {cidr_text}, which contains the cloud metadata address {address}, and does not except it",
                        "NetworkPolicy \"{name}\" 的出站规则 spec.egress[{i}] 允许 {cidr_text},其中包含云元数据地址 {address},且未将其排除",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: &str) -> Node {
        crate::network::netpol::test_node(json)
    }

    #[test]
    fn metadata_port_filter() {
        assert!(reaches_metadata_port(&rule("{}")));
        assert!(reaches_metadata_port(&rule(r#"{"ports": []}"#)));
        assert!(reaches_metadata_port(&rule(r#"{"ports": [{"port": 80}]}"#)));
        assert!(reaches_metadata_port(&rule(
            r#"{"ports": [{"protocol": "TCP"}]}"#
        )));
        assert!(reaches_metadata_port(&rule(
            r#"{"ports": [{"port": 1, "endPort": 1024}]}"#
        )));
        assert!(!reaches_metadata_port(&rule(
            r#"{"ports": [{"port": 443}]}"#
        )));
        assert!(!reaches_metadata_port(&rule(
            r#"{"ports": [{"port": 80, "protocol": "UDP"}]}"#
        )));
        assert!(!reaches_metadata_port(&rule(
            r#"{"ports": [{"port": 53, "protocol": "UDP"}, {"port": "http"}]}"#
        )));
    }
}
