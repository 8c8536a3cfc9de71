//! Kubeconfigs: kubeadm's and the ones the flags name. Users and clusters are described (which
//! kind of credential, which certificate), never copied.

use super::host::{join, normalize, parent, ReadError};
use super::Collector;
use kcheck_model::facts::{ComponentKind, FileRole, Kubeconfig, KubeconfigCluster, KubeconfigUser};
use kcheck_model::Node;
use kcheck_pki::decode;

/// Flags that name a kubeconfig, by component.
fn kubeconfig_flags(kind: ComponentKind) -> &'static [&'static str] {
    match kind {
        ComponentKind::ApiServer => &[
            "authentication-token-webhook-config-file",
            "authorization-webhook-config-file",
        ],
        ComponentKind::ControllerManager | ComponentKind::Scheduler => &[
            "kubeconfig",
            "authentication-kubeconfig",
            "authorization-kubeconfig",
        ],
        ComponentKind::Kubelet => &["kubeconfig", "bootstrap-kubeconfig"],
        ComponentKind::Etcd => &[],
    }
}

impl Collector<'_> {
    pub(super) fn kubeconfigs(&mut self) {
        // (path, reasons) in a stable order: kubeadm's, then the flags', then admission's.
        let mut wanted: Vec<(String, Vec<String>)> = Vec::new();
        let mut want = |path: &str, reason: String| {
            let path = normalize(path);
            match wanted.iter_mut().find(|(p, _)| *p == path) {
                Some((_, reasons)) if !reasons.contains(&reason) => reasons.push(reason),
                Some(_) => {}
                None => wanted.push((path, vec![reason])),
            }
        };
        // The distribution's own (kubeadm's: `super-admin.conf` since v1.29).
        let default_reason = self.layout.default_reason;
        for path in &self.layout.kubeconfigs {
            want(path, default_reason.to_string());
        }
        for kind in ComponentKind::ALL {
            for flags in self.flags_of(kind) {
                for flag in kubeconfig_flags(kind) {
                    for f in flags.args.iter().filter(|f| f.name == *flag) {
                        if let Some(v) = f.value.as_deref().filter(|v| !v.is_empty()) {
                            want(v, format!("{kind} --{flag}"));
                        }
                    }
                }
            }
        }
        for (path, reason) in std::mem::take(&mut self.extra_kubeconfigs) {
            want(&path, reason);
        }
        for (path, reasons) in wanted {
            let named: Vec<&String> = reasons.iter().filter(|r| *r != default_reason).collect();
            let used_by = if named.is_empty() {
                default_reason.to_string()
            } else {
                named
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            for reason in &reasons {
                self.file(&path, FileRole::Kubeconfig, reason);
            }
            // kubeadm deletes the bootstrap kubeconfig once the kubelet has its certificate.
            let expected = !named.is_empty() && !used_by.ends_with("--bootstrap-kubeconfig");
            let bytes = match self.read(&path) {
                Ok(b) => b,
                Err(ReadError::NotFound) => {
                    if expected {
                        self.missing("kubeconfig", Some(&path), super::no_such_file(&used_by));
                    }
                    continue;
                }
                Err(e) => {
                    self.missing("kubeconfig", Some(&path), super::error_of(&used_by, &e));
                    continue;
                }
            };
            let Some(root) = self.parse_document(&path, &bytes) else {
                self.missing("kubeconfig", Some(&path), super::not_a_mapping(&used_by));
                continue;
            };
            let kubeconfig = self.kubeconfig(&path, used_by, &root);
            self.facts.kubeconfigs.push(kubeconfig);
        }
    }

    fn kubeconfig(&mut self, path: &str, used_by: String, root: &Node) -> Kubeconfig {
        let dir = parent(path);
        let mut users = Vec::new();
        for entry in root.get("users").map(Node::as_seq).unwrap_or_default() {
            let name = entry.str_at("name").unwrap_or("").to_string();
            let user = entry.get("user");
            let text = |key: &str| user.and_then(|u| u.str_at(key)).filter(|v| !v.is_empty());
            let present = |key: &str| user.and_then(|u| u.get(key)).is_some_and(|v| !v.is_null());
            let reason = format!("{path} users[{name}]");
            let client_certificate = if let Some(data) = text("client-certificate-data") {
                let within = format!("users[{name}].client-certificate-data");
                self.embedded_certificates(path, &within, data)
            } else if let Some(file) = text("client-certificate") {
                let file = join(&dir, file);
                self.cert_file(&file, FileRole::Certificate, &reason, true)
            } else {
                None
            };
            if let Some(file) = text("client-key") {
                let file = join(&dir, file);
                self.cert_file(&file, FileRole::PrivateKey, &reason, true);
            }
            users.push(KubeconfigUser {
                name,
                client_certificate,
                has_token: text("token").is_some() || text("tokenFile").is_some(),
                has_password: text("password").is_some(),
                exec: present("exec"),
                auth_provider: present("auth-provider"),
            });
        }
        let mut clusters = Vec::new();
        for entry in root.get("clusters").map(Node::as_seq).unwrap_or_default() {
            let name = entry.str_at("name").unwrap_or("").to_string();
            let cluster = entry.get("cluster");
            let text = |key: &str| {
                cluster
                    .and_then(|c| c.str_at(key))
                    .filter(|v| !v.is_empty())
            };
            let mut has_ca = false;
            if let Some(data) = text("certificate-authority-data") {
                let within = format!("clusters[{name}].certificate-authority-data");
                self.embedded_certificates(path, &within, data);
                has_ca = true;
            }
            if let Some(file) = text("certificate-authority") {
                let reason = format!("{path} clusters[{name}]");
                self.cert_file(&join(&dir, file), FileRole::Certificate, &reason, true);
                has_ca = true;
            }
            clusters.push(KubeconfigCluster {
                server: text("server").unwrap_or("").to_string(),
                insecure_skip_tls_verify: cluster
                    .and_then(|c| c.get("insecure-skip-tls-verify"))
                    .and_then(Node::as_bool)
                    .unwrap_or(false),
                has_ca,
                name,
            });
        }
        Kubeconfig {
            path: path.to_string(),
            used_by,
            users,
            clusters,
        }
    }

    /// Certificates in a kubeconfig's base64 field; the index of the first.
    fn embedded_certificates(&mut self, path: &str, within: &str, data: &str) -> Option<usize> {
        let clean: String = data.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = data_encoding::BASE64
            .decode(clean.as_bytes())
            .or_else(|_| data_encoding::BASE64_NOPAD.decode(clean.as_bytes()));
        let Ok(bytes) = bytes else {
            let message = format!("{within}: invalid base64");
            self.diagnostic(path, kcheck_model::DiagnosticSeverity::Error, message);
            return None;
        };
        let decoded = decode(&bytes, path, within);
        for e in &decoded.errors {
            let message = format!("{within}: {e}");
            self.diagnostic(path, kcheck_model::DiagnosticSeverity::Error, message);
        }
        let first = (!decoded.certificates.is_empty()).then_some(self.facts.certificates.len());
        self.facts.certificates.extend(decoded.certificates);
        first
    }
}
