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
            "在名字空间中添加 podSelector: {}、policyTypes 为 [Ingress, Egress] 且没有规则的 NetworkPolicy,再用单独的策略放行所需流量。",
        ),
        check: Check::Gather { kinds: WORKLOAD_KINDS, gather, report },
        reads: &["Namespace", "NetworkPolicy"],
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
                        ";NetworkPolicy \"{name}\" 为{zh}选中了所有 Pod,但放行了流量"
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
                        ";NetworkPolicy \"{by}\" 选中了所有 Pod,其规则 {field}[{rule}] 在所有端口上放行全部{zh}流量,使{deny_zh}失效:网络策略是叠加生效的"
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
                "名字空间 \"{namespace}\" 没有针对{what_zh}的{effective_zh}默认拒绝 NetworkPolicy(即 podSelector: {{}}、policyTypes 为 [Ingress, Egress] 且没有规则的策略){also_zh}",
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
