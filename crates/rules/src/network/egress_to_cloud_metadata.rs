use crate::analysis::namespace_pss::is_exempt;
use crate::analysis::netpol::metadata::{openings, Opening};
use crate::analysis::netpol::{Direction, Policy};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Object, Severity, Text};

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
        admission: Admission::Judged,
        title: Text::fixed("Egress rule allows the cloud metadata API", "出站规则允许访问云元数据 API"),
        fix: Text::fixed(
            "Add 169.254.169.254/32 (and fd00:ec2::254/128 for IPv6) to the except list of the ipBlock, or give the rule explicit destinations.",
            "在 ipBlock 的 except 列表中加入 169.254.169.254/32(IPv6 为 fd00:ec2::254/128),或为该规则指定明确的目的地。",
        ),
        check: Check::Object { kinds: &["NetworkPolicy"], run: check },
        reads: &["Namespace"],
    }
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
        let path = policy.rule_path(Direction::Egress, i);
        for opening in openings(rule) {
            match opening {
                Opening::AnyDestination => {
                    sink.fail(
                        object,
                        path.clone(),
                        text!(
                            "spec.egress[{i}] of NetworkPolicy \"{name}\" has no destinations (`to`), so it allows every address, the cloud metadata API 169.254.169.254 included",
                            "NetworkPolicy \"{name}\" 的出站规则 spec.egress[{i}] 没有目的地(`to`),因此允许所有地址,包括云元数据 API 169.254.169.254",
                        ),
                    );
                }
                Opening::IpBlock {
                    peer: j,
                    cidr: cidr_text,
                    address,
                } => {
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
}

#[cfg(test)]
mod tests {
    use crate::analysis::netpol::metadata::reaches_metadata_port;
    use kcheck_model::Node;

    fn rule(json: &str) -> Node {
        crate::analysis::netpol::test_node(json)
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
