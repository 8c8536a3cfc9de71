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
            "在 ipBlock 的 except 列表中加入 169.254.169.254/32（IPv6 为 fd00:ec2::254/128），或为该规则指定明确的目的地。",
        ),
        check: Check::Object { kinds: &["NetworkPolicy"], run: check },
        reads: &["Namespace"],
        doc_zh: r#"
## 检查内容
`networking.k8s.io` NetworkPolicy 中允许 Pod 访问云元数据 API 的出站规则，云元数据 API 即 `169.254.169.254`（AWS、GCP、Azure、OpenStack 及大多数其他云）或 `fd00:ec2::254`（AWS 的 IPv6 地址）：
- `ipBlock` 的 `cidr` 包含该地址（`0.0.0.0/0`、`169.254.0.0/16`、`::/0` 等），而其 `except` 列表不包含；
- 规则没有 `to`（或 `to` 为空），即允许所有目的地。

只报告能访问到元数据端口的规则：没有 `ports`，或者某个端口条目覆盖 80/TCP（一个端口号、带 `endPort` 的端口范围，或没有 `port`）；命名端口只针对 Pod 解析，访问不到元数据服务器。如果策略的 `policyTypes` 中没有 `Egress`，其出站规则会被忽略，与 Kubernetes 的做法一致。`podSecurity.exemptNamespaces` 中豁免的名字空间（默认为 `kube-system`）里的策略会被跳过。

完全没有被任何出站策略选中的工作负载同样能访问元数据 API；这类工作负载由 KC206（`workload-without-egress-policy`）报告。

## 原因
检查清单第 2.6 项：应过滤 Pod 对云元数据 API 的访问。元数据 API 会发放节点的云凭据和引导数据（通常包括 kubelet 的凭据）；能访问它的 Pod 就能在云账号中冒充该节点。

## 修复
凡是出站规则放开了大段地址范围的地方，都把元数据地址排除在外：
```yaml
egress:
  - to:
      - ipBlock:
          cidr: 0.0.0.0/0
          except: [169.254.169.254/32]
      - ipBlock:
          cidr: ::/0
          except: [fd00:ec2::254/128]
```
在支持的云上，还应在节点层面阻止 Pod 访问元数据 API（AWS 上使用 IMDSv2 并把跳数限制设为 1，GKE 上使用 Workload Identity 或元数据隐藏功能）。

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#network-security
- https://kubernetes.io/zh-cn/docs/concepts/services-networking/network-policies/#networkpolicy-resource
- https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
"#,
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
                            "NetworkPolicy \"{name}\" 的出站规则 spec.egress[{i}] 没有目的地（`to`），因此允许所有地址，包括云元数据 API 169.254.169.254",
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
                            "NetworkPolicy \"{name}\" 的出站规则 spec.egress[{i}] 允许 {cidr_text}，其中包含云元数据地址 {address}，且未将其排除",
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
