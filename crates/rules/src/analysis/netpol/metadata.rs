//! Whether an egress rule lets traffic reach the cloud metadata API. Shared by KC208 (rules
//! that open it), KC209 (pods not isolated at all) and the `kcheck netpol` matrix.

use super::cidr::Cidr;
use super::policy::{Direction, Peer, Policy};
use kcheck_model::Node;
use std::net::IpAddr;

/// Where cloud metadata APIs listen (AWS, GCP, Azure, and AWS over IPv6).
pub const METADATA_ADDRESSES: &[&str] = &["169.254.169.254", "fd00:ec2::254"];

/// The port they listen on (TCP).
pub const METADATA_PORT: i64 = 80;

pub fn metadata_addresses() -> impl Iterator<Item = IpAddr> {
    METADATA_ADDRESSES.iter().filter_map(|a| a.parse().ok())
}

/// Whether a rule's `ports` let traffic to 80/TCP through. No `ports` (or an empty list) means
/// every port; a port range is `port`..=`endPort`; a named port names a port of the
/// destination pod, never the metadata endpoint.
pub fn reaches_metadata_port(rule: &Node) -> bool {
    let ports = rule.get("ports").map_or(&[][..], Node::as_seq);
    ports.is_empty()
        || ports.iter().any(|p| {
            let tcp = p.str_at("protocol").unwrap_or("TCP") == "TCP";
            let port = match p.get("port").filter(|n| !n.is_null()) {
                None => true,
                Some(n) => match (n.as_i64(), p.get("endPort").and_then(Node::as_i64)) {
                    (Some(first), Some(last)) => (first..=last).contains(&METADATA_PORT),
                    (Some(only), None) => only == METADATA_PORT,
                    (None, _) => false,
                },
            };
            tcp && port
        })
}

/// How an egress rule opens the metadata API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Opening<'a> {
    /// The rule has no `to`: every destination.
    AnyDestination,
    /// `to[peer].ipBlock.cidr` contains `address` and no `except` covers it.
    IpBlock {
        peer: usize,
        cidr: &'a str,
        address: IpAddr,
    },
}

/// The ways one egress rule lets traffic reach the metadata API (empty when it does not).
pub fn openings(rule: &Node) -> Vec<Opening<'_>> {
    if !reaches_metadata_port(rule) {
        return Vec::new();
    }
    let peers = rule.get("to").map_or(&[][..], Node::as_seq);
    if peers.is_empty() {
        return vec![Opening::AnyDestination];
    }
    let mut found = Vec::new();
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
        let excepts = Cidr::excepts(block);
        if let Some(address) = metadata_addresses()
            .find(|a| cidr.contains(*a) && !excepts.iter().any(|e| e.contains(*a)))
        {
            found.push(Opening::IpBlock {
                peer: j,
                cidr: cidr_text,
                address,
            });
        }
    }
    found
}

/// The first egress rule of `policy` that opens the metadata API: its index.
pub fn first_opening_rule(policy: &Policy) -> Option<usize> {
    if !policy.has_type(Direction::Egress) {
        return None;
    }
    policy
        .rules(Direction::Egress)
        .iter()
        .position(|r| !openings(r).is_empty())
}
