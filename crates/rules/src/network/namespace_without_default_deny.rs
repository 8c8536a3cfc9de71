use crate::analysis::namespace_pss::{is_exempt, namespace_of};
use crate::analysis::netpol::{Cidr, Direction, Peer, Policy};
use crate::{declare_rule, Check, Context, Gathered, Sink};
use kcheck_model::{text, Evidence, FieldPath, Node, Object, Severity, Text, WORKLOAD_KINDS};
use std::collections::BTreeMap;

declare_rule! {
    /// ## What it checks
    /// Every namespace that holds workloads or is declared by a Namespace object, except the
    /// exempt namespaces of `podSecurity.exemptNamespaces` (default `kube-system`), must have a
    /// default deny: a `networking.k8s.io` NetworkPolicy with an empty `podSelector: {}` (it
    /// selects every pod), of type `Ingress` with no ingress rules, and of type `Egress` with
    /// no egress rules. The two directions may come from one policy or from two; the finding
    /// says which is missing. A policy that selects every pod but has allow rules is not a
    /// default deny (it is named in the finding); rules whose every peer is an `ipBlock` whose
    /// `except` list covers all of its `cidr` allow nothing and are accepted. Note that
    /// without `policyTypes`, a policy with no `egress` rules is of type `Ingress` only.
    ///
    /// A default deny is cancelled when another policy that selects every pod has a rule that
    /// allows everything in that direction (no ports, and no peers or every pod of every
    /// namespace with `0.0.0.0/0` and `::/0`): policies add up, so no pod of the namespace is
    /// restricted. The finding then names the cancelling policy and rule.
    ///
    /// The finding is on the Namespace object, or on the first workload of the namespace when
    /// the input has no Namespace object for it.
    ///
    /// ## Why
    /// Checklist item 2.3: default network policies within each namespace, selecting all pods
    /// and denying everything, are in place. With a default deny, a new workload starts
    /// isolated and each flow must be allowed on purpose; without it, every pod that no other
    /// policy happens to select is open in both directions.
    ///
    /// ## Fix
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: default-deny
    ///   namespace: shop
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress, Egress]
    /// ```
    /// Then allow the flows each workload needs (DNS egress first) in separate policies.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#network-security
    pub static RULE = {
        code: "KC207",
        name: "namespace-without-default-deny",
        item: "2.3",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        title: Text::fixed("Namespace has no default-deny NetworkPolicy", "名字空间没有默认拒绝的网络策略"),
        fix: Text::fixed(
            "Add a NetworkPolicy with podSelector: {}, policyTypes [Ingress, Egress] and no rules to the namespace, then allow the needed flows in separate policies.",
            "在名字空间中添加 podSelector: {}、policyTypes 为 [Ingress, Egress] 且没有规则的 NetworkPolicy，再用单独的策略放行所需流量。",
        ),
        check: Check::Gather { kinds: WORKLOAD_KINDS, gather, report },
        reads: &["Namespace", "NetworkPolicy"],
        doc_zh: r#"
## 检查内容
每个含有工作负载或由 Namespace 对象声明的名字空间（`podSecurity.exemptNamespaces` 中的豁免名字空间除外，默认为 `kube-system`）都必须有默认拒绝策略：一个 `networking.k8s.io` 的 NetworkPolicy，其 `podSelector: {}` 为空（选中所有 Pod），类型为 `Ingress` 且没有入站规则，类型为 `Egress` 且没有出站规则。两个方向可以来自同一个策略，也可以来自两个策略；问题中会说明缺少哪个方向。选中所有 Pod 但带有放行规则的策略不算默认拒绝策略（问题中会给出它的名称）；如果某条规则的每个对端都是 `ipBlock`，且其 `except` 列表覆盖了整个 `cidr`，这条规则什么也不放行，可以接受。注意：没有 `policyTypes` 时，没有 `egress` 规则的策略只属于 `Ingress` 类型。

如果另一个选中所有 Pod 的策略中有一条规则放行了某个方向上的一切流量（没有端口，并且没有对端，或者对端为所有名字空间的所有 Pod 再加上 `0.0.0.0/0` 和 `::/0`），该方向的默认拒绝就被抵消了：策略是叠加的，所以该名字空间中没有任何 Pod 受到限制。此时问题中会指出起抵消作用的策略和规则。

问题报告在 Namespace 对象上；如果输入中没有该名字空间的 Namespace 对象，则报告在该名字空间的第一个工作负载上。

## 原因
检查清单第 2.3 项：落实每个名字空间内的默认网络策略，覆盖所有 Pod，拒绝一切访问。有了默认拒绝，新的工作负载一开始就是隔离的，每条流量都必须有意放行；没有默认拒绝，凡是碰巧没有被其他策略选中的 Pod，入站和出站两个方向都是开放的。

## 修复
```yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
```
然后在单独的策略中放行每个工作负载所需的流量（首先放行 DNS 出站流量）。

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/services-networking/network-policies/#default-policies
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#network-security
"#,
    }
}

/// What a namespace has for one direction.
enum Baseline<'a> {
    Deny,
    /// A policy selects every pod but allows some traffic.
    Allows(&'a str),
    /// A policy selects every pod and allows everything (rule `rule` of policy `by`): whatever
    /// default deny there is (`deny`) is cancelled for every pod.
    Cancelled {
        by: &'a str,
        rule: usize,
        deny: Option<&'a str>,
    },
    Missing,
}

fn default_for<'a>(policies: &[Policy<'a>], direction: Direction) -> Baseline<'a> {
    let everyone = || {
        policies
            .iter()
            .filter(|p| p.selects_all_pods() && p.has_type(direction))
    };
    if let Some((by, rule)) = everyone().find_map(|p| p.opens_everything(direction).map(|r| (p, r)))
    {
        let deny = everyone()
            .find(|p| {
                p.rules(direction)
                    .iter()
                    .all(|r| allows_nothing(r, direction))
            })
            .map(|p| p.object.name.as_str());
        return Baseline::Cancelled {
            by: &by.object.name,
            rule,
            deny,
        };
    }
    let mut found = Baseline::Missing;
    for p in policies
        .iter()
        .filter(|p| p.selects_all_pods() && p.has_type(direction))
    {
        if p.rules(direction)
            .iter()
            .all(|r| allows_nothing(r, direction))
        {
            return Baseline::Deny;
        }
        if matches!(found, Baseline::Missing) {
            found = Baseline::Allows(&p.object.name);
        }
    }
    found
}

/// A rule allows nothing when it names peers and each is an ipBlock excepted in full. (No
/// peers at all means every peer.)
fn allows_nothing(rule: &Node, direction: Direction) -> bool {
    let peers = rule
        .get(direction.peers_field())
        .map_or(&[][..], Node::as_seq);
    !peers.is_empty()
        && peers.iter().all(|peer| match Peer::parse(peer) {
            Some(Peer::IpBlock(block)) => {
                let excepts = Cidr::excepts(block);
                block
                    .str_at("cidr")
                    .and_then(Cidr::parse)
                    .is_some_and(|c| c.covered_by(&excepts))
            }
            _ => false,
        })
}

/// The first workload of each namespace (in input order): a namespace no Namespace object
/// declares is reported on it.
fn gather(object: &Object, _: &Context) -> Option<Gathered> {
    object.pod_spec()?;
    Some(Gathered {
        key: namespace_of(object).to_string(),
        keep_object: true,
        first_of_key: true,
        ..Gathered::default()
    })
}

fn report(gathered: &[Gathered], ctx: &Context, sink: &mut Sink) {
    let inventory = ctx.inventory;
    // Each namespace and the object its finding goes on: the Namespace, else its first workload.
    let mut namespaces: BTreeMap<&str, &Object> = BTreeMap::new();
    for ns in inventory.of_kind("Namespace") {
        namespaces.entry(ns.name.as_str()).or_insert(ns);
    }
    for g in gathered {
        if let Some(o) = &g.object {
            namespaces.entry(g.key.as_str()).or_insert(o);
        }
    }
    for (namespace, subject) in namespaces {
        if is_exempt(ctx, namespace) {
            continue;
        }
        sink.examined();
        let policies = ctx.network_policies(namespace);
        let ingress = default_for(policies, Direction::Ingress);
        let egress = default_for(policies, Direction::Egress);
        let (what, what_zh) = match (&ingress, &egress) {
            (Baseline::Deny, Baseline::Deny) => continue,
            (Baseline::Deny, _) => ("egress", "出站"),
            (_, Baseline::Deny) => ("ingress", "入站"),
            _ => ("ingress and egress", "入站和出站"),
        };
        let mut also_en = String::new();
        let mut also_zh = String::new();
        let mut cancelled = false;
        for (default, direction) in [(&ingress, Direction::Ingress), (&egress, Direction::Egress)] {
            let (field, zh) = (direction.field(), direction.zh());
            match default {
                Baseline::Allows(name) => {
                    also_en.push_str(&format!(
                        "; NetworkPolicy \"{name}\" selects every pod for {field} but allows traffic"
                    ));
                    also_zh.push_str(&format!(
                        ";NetworkPolicy \"{name}\" 为{zh}选中了所有 Pod，但放行了流量"
                    ));
                }
                Baseline::Cancelled { by, rule, deny } => {
                    cancelled = true;
                    let (deny_en, deny_zh) = match deny {
                        Some(d) => (
                            format!("the default deny \"{d}\""),
                            format!("默认拒绝策略 \"{d}\""),
                        ),
                        None => (
                            "any default deny".to_string(),
                            "任何默认拒绝策略".to_string(),
                        ),
                    };
                    also_en.push_str(&format!(
                        "; NetworkPolicy \"{by}\" selects every pod and its rule {field}[{rule}] allows all {field} traffic on every port, which cancels {deny_en}: policies add up"
                    ));
                    also_zh.push_str(&format!(
                        ";NetworkPolicy \"{by}\" 选中了所有 Pod，其规则 {field}[{rule}] 在所有端口上放行全部{zh}流量，使{deny_zh}失效：网络策略是叠加生效的"
                    ));
                }
                _ => {}
            }
        }
        let path = if subject.kind == "Namespace" {
            FieldPath::parse("metadata.name")
        } else {
            FieldPath::parse("metadata.namespace")
        };
        let (effective, effective_zh) = if cancelled {
            ("effective ", "有效的")
        } else {
            ("", "")
        };
        sink.fail(
            subject,
            path,
            text!(
                "Namespace \"{namespace}\" has no {effective}default-deny NetworkPolicy for {what} (a policy with podSelector: {{}}, policyTypes [Ingress, Egress] and no rules){also_en}",
                "名字空间 \"{namespace}\" 没有针对{what_zh}的{effective_zh}默认拒绝 NetworkPolicy（即 podSelector: {{}}、policyTypes 为 [Ingress, Egress] 且没有规则的策略）{also_zh}",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::netpol::test_node;

    #[test]
    fn only_rules_with_fully_excepted_blocks_allow_nothing() {
        let nothing = |rule: &str| allows_nothing(&test_node(rule), Direction::Egress);
        assert!(!nothing("{}"));
        assert!(!nothing("{to: []}"));
        assert!(!nothing("{to: [{podSelector: {}}]}"));
        assert!(!nothing(
            "{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/9]}}]}"
        ));
        assert!(nothing(
            "{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/9, 10.128.0.0/9]}}]}"
        ));
        assert!(!nothing(
            "{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/9, 10.128.0.0/9]}}, {namespaceSelector: {}}]}"
        ));
        // Ingress rules read `from`, not `to`.
        assert!(!allows_nothing(
            &test_node("{to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/9, 10.128.0.0/9]}}]}"),
            Direction::Ingress
        ));
    }
}
