//! CNI configuration (`/etc/cni/net.d`) and the Linux security modules the kernel reports.

use super::host::join;
use super::Collector;
use kcheck_model::facts::{CniConfig, FileRole, Lsm};
use kcheck_model::{DiagnosticSeverity, Text};

const APPARMOR_ENABLED: &str = "/sys/module/apparmor/parameters/enabled";
const SELINUX_ENFORCE: &str = "/sys/fs/selinux/enforce";
const ACTIVE_LSMS: &str = "/sys/kernel/security/lsm";

impl Collector<'_> {
    pub(super) fn cni(&mut self) {
        // The first directory of the layout that exists (k3s's own before /etc/cni/net.d).
        let dirs = self.layout.cni_dirs.clone();
        let found = dirs
            .iter()
            .find(|d| self.host.list_dir(d).is_ok())
            .or(dirs.first())
            .cloned()
            .unwrap_or_default();
        self.cni_dir(&found);
    }

    fn cni_dir(&mut self, cni_dir: &str) {
        let names = match self.host.list_dir(cni_dir) {
            Ok(n) => n,
            Err(e) => {
                self.missing("cni", Some(cni_dir), Text::same(e.to_string()));
                return;
            }
        };
        self.file(cni_dir, FileRole::Other, "CNI configuration directory");
        for name in names {
            let ext = name.rsplit_once('.').map(|(_, e)| e);
            if !matches!(ext, Some("conf" | "conflist" | "json")) || name.starts_with('.') {
                continue;
            }
            let path = join(cni_dir, &name);
            self.file(&path, FileRole::CniConfig, "CNI configuration");
            let Ok(bytes) = self.read(&path) else {
                continue;
            };
            let mut config = CniConfig {
                path: path.clone(),
                name: None,
                plugins: Vec::new(),
            };
            match serde_json::from_slice::<serde_json::Value>(&bytes) {
                Ok(json) => {
                    config.name = json
                        .get("name")
                        .and_then(|n| n.as_str())
                        .map(str::to_string);
                    let plugins = match json.get("plugins").and_then(|p| p.as_array()) {
                        Some(list) => list.iter().collect(),
                        None => vec![&json],
                    };
                    config.plugins = plugins
                        .into_iter()
                        .filter_map(|p| p.get("type").and_then(|t| t.as_str()))
                        .map(str::to_string)
                        .collect();
                }
                Err(e) => {
                    let message = format!("not a CNI configuration (JSON): {e}");
                    self.diagnostic(&path, DiagnosticSeverity::Error, message);
                }
            }
            self.facts.cni.push(config);
        }
        if self.facts.cni.is_empty() {
            let reason = Text::fixed(
                "no .conf, .conflist or .json file",
                "没有 .conf、.conflist 或 .json 文件",
            );
            self.missing("cni", Some(cni_dir), reason);
        }
    }

    pub(super) fn lsm(&mut self) {
        let apparmor = self
            .host
            .read_text(APPARMOR_ENABLED)
            .map(|v| v.eq_ignore_ascii_case("y") || v == "1");
        let selinux = self.host.read_text(SELINUX_ENFORCE).map(|v| {
            match v.as_str() {
                "1" => "enforcing",
                "0" => "permissive",
                _ => "unknown",
            }
            .to_string()
        });
        let active_text = self.host.read_text(ACTIVE_LSMS);
        let active: Vec<String> = active_text
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if apparmor.is_none() && selinux.is_none() && active_text.is_none() {
            let reason = Text::new(
                format!("none of {APPARMOR_ENABLED}, {SELINUX_ENFORCE}, {ACTIVE_LSMS}"),
                format!("{APPARMOR_ENABLED}、{SELINUX_ENFORCE}、{ACTIVE_LSMS} 都不存在"),
            );
            self.missing("lsm", None, reason);
        }
        self.facts.lsm = Lsm {
            apparmor,
            selinux,
            active,
        };
    }
}
