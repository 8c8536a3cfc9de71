//! Whether NetworkPolicies let one workload's pods open a connection to another's, as a
//! conforming plugin decides it: the source must be allowed out (not isolated for egress, or
//! some egress rule of a policy that selects it admits the destination and port) and the
//! destination must allow it in (the same for ingress). Policies of every namespace count
//! where they select; peers with a namespaceSelector reach across namespaces.

use super::{namespace_labels, pod_labels, Direction, Labels, Peer, Policy};
use crate::analysis::namespace_pss::namespace_of;
use crate::Context;
use kcheck_model::{Node, Object};

/// A connection attempt: from `source`'s pods to `destination`'s pods on `port`/`protocol`.
pub struct Connection<'o> {
    pub source: &'o Object,
    pub destination: &'o Object,
    pub port: u16,
    /// `TCP`, `UDP` or `SCTP`.
    pub protocol: &'o str,
}

/// The verdict, with the policies that decided each side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    /// Why the source side allows or denies: `not isolated`, `allowed by <policy>`, `denied`.
    pub egress: String,
    pub ingress: String,
}

/// One side of a connection as a pod sees it.
struct Side<'o> {
    namespace: &'o str,
    labels: Labels,
    namespace_labels: Labels,
    object: &'o Object,
}

fn side<'o>(ctx: &Context, object: &'o Object) -> Side<'o> {
    let namespace = namespace_of(object);
    Side {
        namespace,
        labels: pod_labels(object),
        namespace_labels: namespace_labels(
            ctx.inventory.get("Namespace", None, namespace),
            namespace,
        ),
        object,
    }
}

/// Whether a rule's `ports` admit `port`/`protocol` on `destination` (named ports are looked up
/// among the destination's container ports).
fn port_matches(rule: &Node, port: u16, protocol: &str, destination: &Object) -> bool {
    let ports = rule.get("ports").map_or(&[][..], Node::as_seq);
    ports.is_empty()
        || ports.iter().any(|p| {
            if p.str_at("protocol").unwrap_or("TCP") != protocol {
                return false;
            }
            match p.get("port").filter(|n| !n.is_null()) {
                None => true,
                Some(n) => match (n.as_i64(), n.as_str()) {
                    (Some(first), _) => {
                        let last = p.get("endPort").and_then(Node::as_i64).unwrap_or(first);
                        (first..=last).contains(&i64::from(port))
                    }
                    (None, Some(name)) => named_port(destination, name, protocol) == Some(port),
                    (None, None) => false,
                },
            }
        })
}

fn named_port(object: &Object, name: &str, protocol: &str) -> Option<u16> {
    let pod = object.pod_spec()?;
    pod.containers().find_map(|c| {
        c.get("ports")?.as_seq().iter().find_map(|p| {
            (p.str_at("name") == Some(name) && p.str_at("protocol").unwrap_or("TCP") == protocol)
                .then(|| p.get("containerPort")?.as_i64()?.try_into().ok())
                .flatten()
        })
    })
}

/// One direction: whether the pods on `this` side let the traffic through, and why.
fn direction_allows(
    policies: &[Policy],
    this: &Side,
    other: &Side,
    direction: Direction,
    port: u16,
    protocol: &str,
    destination: &Object,
) -> (bool, String) {
    let selecting: Vec<&Policy> = policies
        .iter()
        .filter(|p| p.has_type(direction) && p.selects(this.namespace, &this.labels))
        .collect();
    if selecting.is_empty() {
        return (true, "not isolated".into());
    }
    for policy in selecting {
        for rule in policy.rules(direction) {
            if !port_matches(rule, port, protocol, destination) {
                continue;
            }
            let peers = rule
                .get(direction.peers_field())
                .map_or(&[][..], Node::as_seq);
            let admitted = peers.is_empty()
                || peers.iter().filter_map(Peer::parse).any(|peer| {
                    peer.selects_pod(
                        policy.namespace,
                        other.namespace,
                        &other.namespace_labels,
                        &other.labels,
                    )
                });
            if admitted {
                return (true, format!("allowed by {}", policy.object.name));
            }
        }
    }
    (false, "denied".into())
}

/// Judges one connection. Pod IPs are not known, so `ipBlock` peers never match a pod (a
/// plugin would match them only for traffic that is not pod-to-pod, or by the pod's IP).
pub fn connection(ctx: &Context, c: &Connection) -> Verdict {
    let (src, dst) = (side(ctx, c.source), side(ctx, c.destination));
    let (out_ok, egress) = direction_allows(
        ctx.network_policies(src.namespace),
        &src,
        &dst,
        Direction::Egress,
        c.port,
        c.protocol,
        dst.object,
    );
    let (in_ok, ingress) = direction_allows(
        ctx.network_policies(dst.namespace),
        &dst,
        &src,
        Direction::Ingress,
        c.port,
        c.protocol,
        dst.object,
    );
    Verdict {
        allowed: out_ok && in_ok,
        egress,
        ingress,
    }
}
