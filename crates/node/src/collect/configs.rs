//! Configuration files the flags name: the kubelet's configuration, encryption, admission (and
//! the files its plugins name), audit policy; the audit log and etcd's data directory.

use super::host::{join, normalize, parent, ReadError};
use super::{error_of, no_such_file, not_a_mapping, Collector};
use kcheck_model::facts::{ComponentKind, ConfigDoc, ConfigRole, FileRole, Flags};
use kcheck_model::{DiagnosticSeverity, Node, Object, Source, Value};

/// The `Missing::what` key for a configuration that could not be had.
pub fn missing_key(role: ConfigRole) -> &'static str {
    match role {
        ConfigRole::Kubelet => "config:kubelet",
        ConfigRole::Encryption => "config:encryption",
        ConfigRole::Admission => "config:admission",
        ConfigRole::AdmissionPlugin => "config:admission-plugin",
        ConfigRole::AuditPolicy => "config:audit-policy",
        ConfigRole::AdmissionWebhookKubeconfig => "config:admission-webhook-kubeconfig",
    }
}

impl Collector<'_> {
    /// Flags of every component of a kind (a static pod and a process may both be there).
    pub(super) fn flags_of(&self, kind: ComponentKind) -> Vec<Flags> {
        self.facts
            .components
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| c.flags.clone())
            .collect()
    }

    pub(super) fn component_files(&mut self) {
        for flags in self.flags_of(ComponentKind::ApiServer) {
            let named = |flag: &str| {
                flags
                    .get(flag)
                    .filter(|v| !v.is_empty())
                    .map(str::to_string)
            };
            if let Some(path) = named("encryption-provider-config") {
                let reason = "kube-apiserver --encryption-provider-config";
                self.config(&path, ConfigRole::Encryption, reason);
            }
            if let Some(path) = named("admission-control-config-file") {
                let reason = "kube-apiserver --admission-control-config-file";
                if let Some(root) = self.config(&path, ConfigRole::Admission, reason) {
                    self.admission_plugins(&normalize(&path), &root);
                }
            }
            if let Some(path) = named("audit-policy-file") {
                self.config(
                    &path,
                    ConfigRole::AuditPolicy,
                    "kube-apiserver --audit-policy-file",
                );
            }
            // `-` sends the audit log to standard output: no file to look at.
            if let Some(path) = named("audit-log-path").filter(|p| p != "-") {
                let path = normalize(&path);
                self.file(&path, FileRole::AuditLog, "kube-apiserver --audit-log-path");
                let dir = parent(&path);
                let reason = "directory of kube-apiserver --audit-log-path";
                self.file(&dir, FileRole::AuditLogDirectory, reason);
            }
        }
        for flags in self.flags_of(ComponentKind::Etcd) {
            let (dir, reason) = match flags.get("data-dir").filter(|v| !v.is_empty()) {
                Some(dir) => (dir.to_string(), "etcd --data-dir"),
                None => (self.layout.etcd_data_dir.clone(), "etcd default --data-dir"),
            };
            self.file(&dir, FileRole::EtcdDataDirectory, reason);
        }
    }

    pub(super) fn kubelet_config(&mut self) {
        let flagged = self.flags_of(ComponentKind::Kubelet).iter().find_map(|f| {
            f.get("config")
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        });
        let (path, reason) = match (flagged, &self.layout.kubelet_config) {
            (Some(p), _) => (p, "kubelet --config"),
            (None, Some(default)) => (default.clone(), "kubelet default --config"),
            (None, None) => return,
        };
        let Some(root) = self.config(&path, ConfigRole::Kubelet, reason) else {
            return;
        };
        // Files the configuration names, as the kubelet resolves them: relative to its directory.
        let dir = parent(&normalize(&path));
        let fields: [(&[&str], FileRole); 3] = [
            (
                &["authentication", "x509", "clientCAFile"],
                FileRole::Certificate,
            ),
            (&["tlsCertFile"], FileRole::Certificate),
            (&["tlsPrivateKeyFile"], FileRole::PrivateKey),
        ];
        for (keys, role) in fields {
            if let Some(file) = root
                .path(keys)
                .and_then(Node::as_str)
                .filter(|v| !v.is_empty())
            {
                let reason = format!("kubelet config {}", keys.join("."));
                self.named_files.push((join(&dir, file), role, reason));
            }
        }
        if let Some(dir) = root.str_at("staticPodPath").filter(|v| !v.is_empty()) {
            self.file(dir, FileRole::Other, "kubelet config staticPodPath");
        }
    }

    /// Plugins of an AdmissionConfiguration: the files they name (relative to the admission
    /// configuration's directory, as the apiserver reads them) and webhook kubeconfigs.
    fn admission_plugins(&mut self, admission_path: &str, root: &Node) {
        let dir = parent(admission_path);
        let plugins = root.get("plugins").map(Node::as_seq).unwrap_or_default();
        for plugin in plugins {
            let name = plugin.str_at("name").unwrap_or("").to_string();
            if let Some(path) = plugin.str_at("path").filter(|p| !p.is_empty()) {
                let path = normalize(&join(&dir, path));
                let reason = format!("admission plugin {name} path");
                if let Some(doc) = self.config(&path, ConfigRole::AdmissionPlugin, &reason) {
                    self.webhook_kubeconfig(&path, &name, &doc);
                }
            }
            if let Some(inline) = plugin.get("configuration") {
                self.webhook_kubeconfig(admission_path, &name, inline);
            }
        }
    }

    /// The kubeconfig a WebhookAdmissionConfiguration (`kubeConfigFile`) or an ImagePolicyWebhook
    /// configuration (`imagePolicy.kubeConfigFile`) names.
    fn webhook_kubeconfig(&mut self, containing: &str, plugin: &str, doc: &Node) {
        let file = doc.str_at("kubeConfigFile").or_else(|| {
            doc.get("imagePolicy")
                .and_then(|p| p.str_at("kubeConfigFile"))
        });
        let Some(file) = file.filter(|f| !f.is_empty()) else {
            return;
        };
        let path = normalize(&join(&parent(containing), file));
        let reason = format!("admission plugin {plugin} kubeConfigFile");
        self.config(&path, ConfigRole::AdmissionWebhookKubeconfig, &reason);
        self.extra_kubeconfigs.push((path, reason));
    }

    /// Reads and parses a configuration file into a [`ConfigDoc`]; records the file and, when it
    /// cannot be had, a [`Missing`](kcheck_model::facts::Missing) entry. Returns the document.
    pub(super) fn config(&mut self, path: &str, role: ConfigRole, reason: &str) -> Option<Node> {
        let path = normalize(path);
        let file_role = match role {
            ConfigRole::AdmissionWebhookKubeconfig => FileRole::Kubeconfig,
            _ => FileRole::Config,
        };
        self.file(&path, file_role, reason);
        if let Some(done) = self
            .facts
            .configs
            .iter()
            .find(|c| c.role == role && c.path == path)
        {
            return Some(done.object.root.clone());
        }
        let key = missing_key(role);
        let root = match self.read(&path) {
            Ok(bytes) => self.parse_document(&path, &bytes),
            Err(ReadError::NotFound) => {
                self.missing(key, Some(&path), no_such_file(reason));
                return None;
            }
            Err(e) => {
                self.missing(key, Some(&path), error_of(reason, &e));
                return None;
            }
        };
        let Some(root) = root else {
            self.missing(key, Some(&path), not_a_mapping(reason));
            return None;
        };
        self.facts.configs.push(ConfigDoc {
            role,
            path: path.clone(),
            object: config_object(root.clone(), &path),
        });
        Some(root)
    }

    /// The first document of a YAML or JSON file, when it is a mapping; problems become
    /// diagnostics at their positions.
    pub(super) fn parse_document(&mut self, path: &str, bytes: &[u8]) -> Option<Node> {
        self.parse_document_with(path, bytes, false)
    }

    /// [`Collector::parse_document`]; with `report_rejected`, a document the parser rejected
    /// (a limit, a complex key) is also a diagnostic at its position.
    pub(super) fn parse_document_with(
        &mut self,
        path: &str,
        bytes: &[u8],
        report_rejected: bool,
    ) -> Option<Node> {
        let Ok(text) = std::str::from_utf8(bytes) else {
            let message = "not UTF-8 text".to_string();
            self.diagnostic(path, DiagnosticSeverity::Error, message);
            return None;
        };
        let limits = kcheck_load::Limits {
            max_file_bytes: self.opts.max_file_bytes,
            ..kcheck_load::Limits::default()
        };
        let parsed = kcheck_load::parse_text(text, &limits);
        let problems = parsed
            .errors
            .into_iter()
            .map(|p| (p, DiagnosticSeverity::Error))
            .chain(
                parsed
                    .warnings
                    .into_iter()
                    .map(|p| (p, DiagnosticSeverity::Warning)),
            );
        for (p, severity) in problems {
            self.inputs.diagnostics.push(kcheck_model::Diagnostic {
                file: path.into(),
                line: p.pos.line,
                column: p.pos.column,
                severity,
                message: p.message,
            });
        }
        self.inputs.documents += parsed.documents.len();
        if report_rejected {
            for d in &parsed.documents {
                if let kcheck_load::DocOutcome::Rejected(p) = d {
                    self.inputs.diagnostics.push(kcheck_model::Diagnostic {
                        file: path.into(),
                        line: p.pos.line,
                        column: p.pos.column,
                        severity: DiagnosticSeverity::Error,
                        message: p.message.clone(),
                    });
                }
            }
        }
        parsed.documents.into_iter().find_map(|d| match d {
            kcheck_load::DocOutcome::Node(n) if matches!(n.value, Value::Map(_)) => Some(n),
            _ => None,
        })
    }
}

/// A configuration document as an [`Object`]: named by `metadata.name` or the file name.
fn config_object(root: Node, path: &str) -> Object {
    let field = |k: &str| root.str_at(k).unwrap_or("").to_string();
    let name = root
        .path(&["metadata", "name"])
        .and_then(Node::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| path.rsplit('/').next().unwrap_or(path).to_string());
    Object {
        api_version: field("apiVersion"),
        kind: field("kind"),
        namespace: None,
        name,
        source: Source::File {
            path: path.into(),
            document: 0,
            item: None,
        },
        root,
    }
}
