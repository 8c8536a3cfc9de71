//! The cluster collector: the Kubernetes API (or an offline `kubectl get` dump of it) to an
//! inventory, the control plane's flags as node facts, and the list of what could not be seen.
//! It judges nothing.
//!
//! - [`kinds`]: which kinds to list ([`Plan`]), the dump command and the RBAC that follow;
//! - [`collect`]: a live run through kube's client: discovery, paginated lists within a bound
//!   on concurrent requests, retries, metadata-only Secrets, anonymous probes;
//! - [`dump`]: the same objects from a dump;
//! - [`control_plane`]: kube-system's control-plane pods as [`kcheck_model::NodeFacts`];
//! - [`progress`]: objects listed per kind, on a terminal.

pub mod client;
pub mod collect;
pub mod connect;
pub mod control_plane;
mod discovery;
pub mod dump;
pub mod kinds;
pub mod list;
pub mod node_reports;
pub mod objects;
pub mod progress;
pub mod publish;
#[cfg(feature = "testing")]
pub mod testing;
mod unseen;

pub use collect::{Collected, ConnectError, Options};
pub use kinds::{GroupSpec, KindSpec, Plan};

/// The API server's version, from `/version`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerVersion {
    pub major: u32,
    pub minor: u32,
    /// `v1.31.2`
    pub git_version: String,
}

impl ServerVersion {
    /// Reads `/version`'s body, or `kubectl version -o json` (its `serverVersion`). Minor
    /// versions such as `31+` (some managed clusters) keep their digits.
    pub fn from_json(bytes: &[u8]) -> Option<ServerVersion> {
        let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        let v = v.get("serverVersion").unwrap_or(&v);
        let number = |k: &str| -> Option<u32> {
            let s = v.get(k)?.as_str()?;
            let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        };
        Some(ServerVersion {
            major: number("major")?,
            minor: number("minor")?,
            git_version: v
                .get("gitVersion")
                .and_then(|g| g.as_str())
                .unwrap_or_default()
                .to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_the_server_and_from_kubectl() {
        let v =
            ServerVersion::from_json(br#"{"major":"1","minor":"31+","gitVersion":"v1.31.4-eks"}"#)
                .unwrap();
        assert_eq!((v.major, v.minor), (1, 31));
        let k = ServerVersion::from_json(
            br#"{"clientVersion":{"major":"1","minor":"32"},"serverVersion":{"major":"1","minor":"30","gitVersion":"v1.30.0"}}"#,
        )
        .unwrap();
        assert_eq!(k.minor, 30);
        assert!(ServerVersion::from_json(b"{}").is_none());
        assert!(ServerVersion::from_json(b"garbage").is_none());
    }
}
