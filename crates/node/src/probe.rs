//! Anonymous HTTPS requests to local control-plane ports (`--probe`, item 2.5 and 4.2).
//!
//! Each probe asks one of this node's own ports, on 127.0.0.1 only, for something an anonymous
//! caller must not get (`/api`, `/logs/`, the kubelet's `/pods`, etcd's keys), without a client
//! certificate, and records what answered: an HTTP status, or what happened instead ("connection
//! refused", "TLS handshake failed: ..."). Response bodies are never read, so nothing a port
//! leaks ends up in a report.

use crate::etcd::prefix_end;
use crate::http::{Client, ClientOptions, Failure, Verify};
use data_encoding::BASE64;
use kcheck_model::facts::{ComponentKind, Probe};
use kcheck_model::NodeFacts;
use std::time::Duration;

/// The only host probed: the scan reads the node it runs on and never reaches out.
pub const HOST: &str = "127.0.0.1";

/// Per request; a local port answers in milliseconds or not at all.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    Https,
    Http,
}

impl Scheme {
    fn as_str(self) -> &'static str {
        match self {
            Scheme::Https => "https",
            Scheme::Http => "http",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ProbeRequest {
    Get,
    /// `POST` a count-only etcd range over `/registry/secrets/`: asks whether an anonymous client
    /// may read keys, and reads none.
    EtcdCountSecrets,
}

/// One request to make.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProbeTarget {
    pub component: ComponentKind,
    pub scheme: Scheme,
    pub port: u16,
    /// `/api`, `/logs/`, `/pods`.
    pub path: String,
    pub request: ProbeRequest,
}

impl ProbeTarget {
    pub fn get(component: ComponentKind, scheme: Scheme, port: u16, path: &str) -> ProbeTarget {
        ProbeTarget {
            component,
            scheme,
            port,
            path: path.to_string(),
            request: ProbeRequest::Get,
        }
    }

    pub fn url(&self) -> String {
        url(self.scheme, self.port, &self.path)
    }
}

fn url(scheme: Scheme, port: u16, path: &str) -> String {
    format!("{}://{HOST}:{port}{path}", scheme.as_str())
}

/// The local ports to probe (tests use free ports).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbePorts {
    pub apiserver: u16,
    pub kubelet: u16,
    pub kubelet_read_only: u16,
    pub etcd: u16,
}

impl Default for ProbePorts {
    /// kubeadm's: apiserver 6443, kubelet 10250 and read-only 10255, etcd client 2379.
    fn default() -> ProbePorts {
        ProbePorts {
            apiserver: 6443,
            kubelet: 10250,
            kubelet_read_only: 10255,
            etcd: 2379,
        }
    }
}

impl ProbePorts {
    /// The standard probes: apiserver `/api` and `/logs/`, kubelet `/pods` (HTTPS and the
    /// read-only HTTP port), etcd `/version` and an anonymous key range.
    pub fn targets(&self) -> Vec<ProbeTarget> {
        use ComponentKind::{ApiServer, Etcd, Kubelet};
        vec![
            ProbeTarget::get(ApiServer, Scheme::Https, self.apiserver, "/api"),
            ProbeTarget::get(ApiServer, Scheme::Https, self.apiserver, "/logs/"),
            ProbeTarget::get(Kubelet, Scheme::Https, self.kubelet, "/pods"),
            ProbeTarget::get(Kubelet, Scheme::Http, self.kubelet_read_only, "/pods"),
            ProbeTarget::get(Etcd, Scheme::Https, self.etcd, "/version"),
            ProbeTarget {
                component: Etcd,
                scheme: Scheme::Https,
                port: self.etcd,
                path: "/v3/kv/range".into(),
                request: ProbeRequest::EtcdCountSecrets,
            },
        ]
    }
}

impl ProbePorts {
    /// The ports the node's components are configured with, where their flags say
    /// (`--secure-port`, the kubelet's `--port` and `--read-only-port`, etcd's
    /// `--listen-client-urls`, preferring a loopback URL), kubeadm's defaults otherwise. Ports
    /// set only in the kubelet's configuration file are not read here.
    pub fn from_facts(facts: &NodeFacts) -> ProbePorts {
        let mut ports = ProbePorts::default();
        let flag = |kind: ComponentKind, name: &str| -> Option<u16> {
            facts.component(kind)?.flags.get(name)?.trim().parse().ok()
        };
        if let Some(p) = flag(ComponentKind::ApiServer, "secure-port").filter(|p| *p != 0) {
            ports.apiserver = p;
        }
        if let Some(p) = flag(ComponentKind::Kubelet, "port").filter(|p| *p != 0) {
            ports.kubelet = p;
        }
        if let Some(p) = flag(ComponentKind::Kubelet, "read-only-port").filter(|p| *p != 0) {
            ports.kubelet_read_only = p;
        }
        let etcd_urls = facts
            .component(ComponentKind::Etcd)
            .map(|c| c.flags.list("listen-client-urls"))
            .unwrap_or_default();
        let loopback = |u: &&str| u.contains("://127.0.0.1:") || u.contains("://localhost:");
        let chosen = etcd_urls
            .iter()
            .copied()
            .find(loopback)
            .or_else(|| etcd_urls.first().copied());
        if let Some(port) = chosen.and_then(url_port) {
            ports.etcd = port;
        }
        ports
    }
}

/// The port of `https://10.0.0.1:2379` (or `https://[::1]:2379/`).
fn url_port(url: &str) -> Option<u16> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    let (_, port) = authority.rsplit_once(':')?;
    port.parse().ok().filter(|p| *p != 0)
}

/// Probes the standard local ports with the default timeout.
pub fn probe_local(ports: &ProbePorts) -> Vec<Probe> {
    probe(&ports.targets(), DEFAULT_TIMEOUT)
}

/// The API server's version (`v1.37.2`) from an anonymous `GET /version` on this node's port:
/// Kubernetes lets anyone read it (system:public-info-viewer). A running kube-apiserver's
/// command line does not say its version, and the defaults of several flags depend on it.
pub fn api_server_version(port: u16, timeout: Duration) -> Option<String> {
    let client = Client::new(&ClientOptions {
        timeout,
        verify: Verify::Off,
        client_cert: None,
    })
    .ok()?;
    let response = client.get(&url(Scheme::Https, port, "/version")).ok()?;
    if response.status != 200 {
        return None;
    }
    let body = response.read_limited(64 * 1024).ok()?;
    let value: serde_json::Value = serde_json::from_str(&body).ok()?;
    let version = value.get("gitVersion")?.as_str()?;
    let well_formed = version.starts_with('v')
        && version.len() <= 64
        && version[1..]
            .split('.')
            .next()
            .is_some_and(|m| m.parse::<u32>().is_ok());
    well_formed.then(|| version.to_string())
}

/// Makes each request (in parallel; results in the order of `targets`).
pub fn probe(targets: &[ProbeTarget], timeout: Duration) -> Vec<Probe> {
    // Certificate verification is off on purpose: these are this node's own ports, often with
    // certificates for names other than 127.0.0.1, and a probe only records whether an anonymous
    // caller is answered. No credential is sent and no response body is read.
    let client = Client::new(&ClientOptions {
        timeout,
        verify: Verify::Off,
        client_cert: None,
    });
    let client = match client {
        Ok(client) => client,
        Err(e) => {
            let outcome = format!("could not set up the client: {e}");
            return targets
                .iter()
                .map(|t| Probe {
                    component: t.component,
                    url: t.url(),
                    status: None,
                    outcome: outcome.clone(),
                })
                .collect();
        }
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = targets
            .iter()
            .map(|target| {
                let client = &client;
                (target, scope.spawn(move || probe_one(client, target)))
            })
            .collect();
        handles
            .into_iter()
            .map(|(target, handle)| {
                handle.join().unwrap_or_else(|_| Probe {
                    component: target.component,
                    url: target.url(),
                    status: None,
                    outcome: "the probe failed unexpectedly".into(),
                })
            })
            .collect()
    })
}

fn probe_one(client: &Client, target: &ProbeTarget) -> Probe {
    let mut scheme = target.scheme;
    let mut result = attempt(client, target, scheme);
    // A TLS hello refused or answered with something that is not TLS: ask again in plain HTTP.
    // If that is answered, the port serves without TLS, which is the finding; otherwise the
    // first failure is the one to report.
    if let Err(failure) = &result {
        if scheme == Scheme::Https && failure.maybe_plain_http() {
            if let Ok(status) = attempt(client, target, Scheme::Http) {
                scheme = Scheme::Http;
                result = Ok(status);
            }
        }
    }
    let plain_note = if scheme != target.scheme {
        "plain HTTP, no TLS: "
    } else {
        ""
    };
    let (status, outcome) = match result {
        Ok(status) => (Some(status), format!("{plain_note}{}", status_text(status))),
        Err(failure) => (None, failure.to_string()),
    };
    Probe {
        component: target.component,
        url: url(scheme, target.port, &target.path),
        status,
        outcome,
    }
}

/// The status of one request, or why there was none.
fn attempt(client: &Client, target: &ProbeTarget, scheme: Scheme) -> Result<u16, Failure> {
    let url = url(scheme, target.port, &target.path);
    let response = match target.request {
        ProbeRequest::Get => client.get(&url),
        ProbeRequest::EtcdCountSecrets => {
            let prefix = crate::etcd::SECRETS_PREFIX.as_bytes();
            let body = serde_json::json!({
                "key": BASE64.encode(prefix),
                "range_end": BASE64.encode(&prefix_end(prefix)),
                "count_only": true,
            });
            client.post_json(&url, &body)
        }
    };
    match response {
        Ok(response) => Ok(response.status),
        Err(crate::http::HttpError::Request { failure, .. }) => Err(failure),
        Err(other) => Err(Failure::Other(other.to_string())),
    }
}

/// `403 Forbidden`.
fn status_text(status: u16) -> String {
    let reason = ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    match reason {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_targets_are_local() {
        let targets = ProbePorts::default().targets();
        assert_eq!(targets.len(), 6);
        assert!(targets
            .iter()
            .all(|t| t.url().starts_with("https://127.0.0.1:")
                || t.url() == "http://127.0.0.1:10255/pods"));
        assert_eq!(targets[1].url(), "https://127.0.0.1:6443/logs/");
        assert_eq!(status_text(403), "403 Forbidden");
        assert_eq!(status_text(299), "299");
    }

    #[test]
    fn ports_from_component_flags() {
        use kcheck_model::facts::{Component, Flags, Origin};
        let component = |kind: ComponentKind, args: &[&str]| Component {
            kind,
            origin: Origin::Process { pid: 1 },
            flags: Flags::parse(args, kind.bool_flags()),
            version: None,
            manifest: None,
        };
        let mut facts = NodeFacts::default();
        assert_eq!(ProbePorts::from_facts(&facts), ProbePorts::default());
        facts.components = vec![
            component(ComponentKind::ApiServer, &["--secure-port=8443"]),
            component(
                ComponentKind::Kubelet,
                &["--port", "11250", "--read-only-port=0"],
            ),
            component(
                ComponentKind::Etcd,
                &["--listen-client-urls=https://10.0.0.5:2379,https://127.0.0.1:12379"],
            ),
        ];
        let ports = ProbePorts::from_facts(&facts);
        assert_eq!(
            ports,
            ProbePorts {
                apiserver: 8443,
                kubelet: 11250,
                kubelet_read_only: 10255,
                etcd: 12379,
            }
        );
        assert_eq!(url_port("https://[::1]:2379/"), Some(2379));
        assert_eq!(url_port("https://10.0.0.1"), None);
        assert_eq!(url_port("unix:///x"), None);
    }
}
