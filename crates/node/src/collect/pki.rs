//! Certificates and keys: the PKI directory (recursively), the kubelet's, and every file a flag
//! names.

use super::host::{join, normalize, ReadError};
use super::Collector;
use kcheck_model::facts::{ComponentKind, FileRole};
use kcheck_model::{DiagnosticSeverity, Text};
use kcheck_pki::decode;

/// How deep and how many entries a PKI walk goes (a link loop or a hostile tree stops here).
const MAX_DEPTH: usize = 8;
const MAX_ENTRIES: usize = 10_000;

/// What a flag's file is, from the flag's name: `--tls-cert-file`, `--etcd-keyfile`,
/// `--client-ca-file`, `--kubelet-certificate-authority`, ...
pub fn flag_file_role(name: &str) -> Option<FileRole> {
    match name {
        "cluster-signing-key-file" => return Some(FileRole::CaKey),
        "kubelet-certificate-authority" | "kubelet-client-certificate" => {
            return Some(FileRole::Certificate)
        }
        "kubelet-client-key" => return Some(FileRole::PrivateKey),
        _ => {}
    }
    if !name.ends_with("file") {
        return None;
    }
    let words: Vec<&str> = name.split('-').collect();
    if words.iter().any(|w| matches!(*w, "key" | "keyfile")) {
        Some(FileRole::PrivateKey)
    } else if words
        .iter()
        .any(|w| matches!(*w, "cert" | "certfile" | "ca" | "cafile" | "certificate"))
    {
        Some(FileRole::Certificate)
    } else {
        None
    }
}

impl Collector<'_> {
    pub(super) fn pki_dir(&mut self) {
        for dir in self.layout.pki_dirs.clone() {
            let path = dir.path.as_str();
            if !self.host.is_dir(path) {
                if dir.required {
                    self.file(path, FileRole::PkiDirectory, dir.reason);
                    let reason = match self.host.stat(path) {
                        kcheck_model::facts::FileStat::Unreadable { error } => Text::same(error),
                        _ => Text::fixed("no such directory", "目录不存在"),
                    };
                    self.missing("pki", Some(path), reason);
                }
                continue;
            }
            let role = if dir.required {
                FileRole::PkiDirectory
            } else {
                FileRole::Other
            };
            self.walk(path, role, dir.reason, dir.depth, dir.required);
        }
    }

    fn walk(&mut self, dir: &str, dir_role: FileRole, reason: &str, depth: usize, main: bool) {
        self.file(dir, dir_role, reason);
        let names = match self.host.list_dir(dir) {
            Ok(n) => n,
            Err(e) => {
                if main {
                    self.missing("pki", Some(dir), Text::same(e.to_string()));
                }
                let message = format!("cannot be listed: {e}");
                self.diagnostic(dir, DiagnosticSeverity::Error, message);
                return;
            }
        };
        for name in names {
            if self.files.len() >= MAX_ENTRIES {
                return;
            }
            let path = join(dir, &name);
            if self.host.is_dir(&path) {
                if depth > 0 && depth <= MAX_DEPTH {
                    self.walk(&path, dir_role, reason, depth - 1, false);
                }
                continue;
            }
            let guess = match name.rsplit_once('.').map(|(_, ext)| ext) {
                Some("key") if self.layout.ca_keys.contains(&path) => FileRole::CaKey,
                Some("key") => FileRole::PrivateKey,
                Some("crt" | "pem") => FileRole::Certificate,
                _ => continue,
            };
            self.cert_file(&path, guess, reason, false);
        }
    }

    /// Every certificate and key file a component flag or the kubelet's configuration names.
    pub(super) fn named_pki_files(&mut self) {
        let mut named = std::mem::take(&mut self.named_files);
        for kind in ComponentKind::ALL {
            for flags in self.flags_of(kind) {
                for flag in &flags.args {
                    let (Some(role), Some(value)) = (flag_file_role(&flag.name), &flag.value)
                    else {
                        continue;
                    };
                    if !value.is_empty() {
                        named.push((value.clone(), role, format!("{kind} --{}", flag.name)));
                    }
                }
            }
        }
        for (path, role, reason) in named {
            self.cert_file(&path, role, &reason, true);
        }
    }

    /// Decodes a certificate or key file once, records its facts and its role by content (a
    /// key, a certificate, or neither: the service-account public key). Returns the index of
    /// its first certificate. `expected`: a flag or kubeconfig names it, so its absence is
    /// missing evidence.
    pub(super) fn cert_file(
        &mut self,
        path: &str,
        guess: FileRole,
        reason: &str,
        expected: bool,
    ) -> Option<usize> {
        let path = normalize(path);
        self.file(&path, guess, reason);
        // One file reached by two names (the kubelet's `-current.pem` link) is decoded once.
        let real = self.host.resolve(&path).ok();
        let key = real.map_or_else(|| path.clone(), |r| r.display().to_string());
        if let Some(first_name) = self.decoded.get(&key) {
            let first_name = first_name.clone();
            let role = self.files.get(&first_name).map(|e| e.role);
            if let (Some(role), Some(entry)) = (role, self.files.get_mut(&path)) {
                entry.role = role;
            }
            return self
                .facts
                .certificates
                .iter()
                .position(|cert| cert.path == first_name && cert.within.is_empty());
        }
        self.decoded.insert(key, path.clone());
        let bytes = match self.read(&path) {
            Ok(b) => b,
            Err(ReadError::NotFound) => {
                if expected {
                    self.missing("certificate", Some(&path), super::no_such_file(reason));
                }
                return None;
            }
            Err(e) => {
                self.missing("certificate", Some(&path), super::error_of(reason, &e));
                return None;
            }
        };
        let decoded = decode(&bytes, &path, "");
        for e in &decoded.errors {
            self.diagnostic(&path, DiagnosticSeverity::Error, e.clone());
        }
        if decoded.is_empty() && decoded.errors.is_empty() {
            let message = "no PEM certificate or key in this file".to_string();
            self.diagnostic(&path, DiagnosticSeverity::Error, message);
        }
        let by_content = if !decoded.private_keys.is_empty() {
            Some(FileRole::PrivateKey)
        } else if !decoded.certificates.is_empty() {
            Some(FileRole::Certificate)
        } else if decoded.public_keys > 0 {
            Some(FileRole::Other)
        } else {
            None
        };
        if let (Some(role), Some(entry)) = (by_content, self.files.get_mut(&path)) {
            if entry.role != FileRole::CaKey || role != FileRole::PrivateKey {
                entry.role = role;
            }
        }
        self.facts.private_keys.extend(decoded.private_keys);
        let index = (!decoded.certificates.is_empty()).then_some(self.facts.certificates.len());
        self.facts.certificates.extend(decoded.certificates);
        index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_roles() {
        for (flag, role) in [
            ("tls-cert-file", Some(FileRole::Certificate)),
            ("tls-private-key-file", Some(FileRole::PrivateKey)),
            ("client-ca-file", Some(FileRole::Certificate)),
            ("etcd-cafile", Some(FileRole::Certificate)),
            ("etcd-keyfile", Some(FileRole::PrivateKey)),
            ("peer-trusted-ca-file", Some(FileRole::Certificate)),
            ("service-account-key-file", Some(FileRole::PrivateKey)),
            ("cluster-signing-key-file", Some(FileRole::CaKey)),
            ("cluster-signing-cert-file", Some(FileRole::Certificate)),
            ("kubelet-client-certificate", Some(FileRole::Certificate)),
            ("audit-policy-file", None),
            ("token-auth-file", None),
            ("admission-control-config-file", None),
            ("cluster-signing-duration", None),
        ] {
            assert_eq!(flag_file_role(flag), role, "{flag}");
        }
    }
}
