//! Where components are found: static pod manifests, running processes, and the kubelet's
//! systemd unit when the kubelet is not running.

use super::flags::{image_version, parse, split_words, Word};
use super::host;
use super::Collector;
use kcheck_model::facts::{Component, ComponentKind, FileRole, Origin};
use kcheck_model::{Location, Node, Object, Text};
use std::collections::HashMap;

/// The longest command line read from `/proc` (Linux allows 2 MiB of arguments and environment).
const MAX_CMDLINE: u64 = 4 * 1024 * 1024;

/// Where systemd finds the kubelet's drop-ins, most specific first.
const DROP_IN_DIRS: [&str; 4] = [
    "/etc/systemd/system/kubelet.service.d",
    "/run/systemd/system/kubelet.service.d",
    "/usr/lib/systemd/system/kubelet.service.d",
    "/lib/systemd/system/kubelet.service.d",
];

/// kubeadm writes the kubelet's flags here when there is no drop-in to read them from.
const KUBEADM_FLAGS_ENV: &str = "/var/lib/kubelet/kubeadm-flags.env";

impl Collector<'_> {
    pub(super) fn static_pods(&mut self) {
        let dir = self.layout.manifests_dir.clone();
        // OpenShift's operators write its static pods: their command lines are shell scripts
        // around a generated configuration, not flags to read.
        let operator_managed = self
            .facts
            .distro
            .as_ref()
            .is_some_and(|d| d.distro == kcheck_model::Distro::OpenShift);
        self.file(&dir, FileRole::Other, "static pod directory");
        let names = match self.host.list_dir(&dir) {
            Ok(names) => names,
            Err(e) => {
                self.missing("manifests", Some(&dir), Text::same(e.to_string()));
                return;
            }
        };
        let limits = kcheck_load::Limits {
            max_file_bytes: self.opts.max_file_bytes,
            ..kcheck_load::Limits::default()
        };
        for name in names {
            // The kubelet skips hidden files in the static pod directory; so do we.
            let path = host::join(&dir, &name);
            if name.starts_with('.') || self.host.is_dir(&path) {
                continue;
            }
            self.file(&path, FileRole::StaticPodManifest, "static pod manifest");
            let Ok(bytes) = self.read(&path) else {
                continue;
            };
            let loaded = kcheck_load::load_bytes(&path, &bytes, &limits);
            self.inputs.documents += loaded.inputs.documents;
            self.inputs.objects += loaded.inputs.objects;
            self.inputs.diagnostics.extend(loaded.inputs.diagnostics);
            for object in loaded.objects {
                if object.kind == "Pod" && !operator_managed {
                    if let Some(component) = static_pod_component(object, &path) {
                        self.facts.components.push(component);
                    }
                }
            }
        }
    }

    pub(super) fn processes(&mut self) {
        let proc_dir = self.opts.proc_dir.clone();
        let entries = match std::fs::read_dir(&proc_dir) {
            Ok(entries) => entries,
            Err(e) => {
                let shown = proc_dir.display().to_string();
                self.missing("processes", Some(&shown), Text::same(e.to_string()));
                return;
            }
        };
        let mut pids: Vec<u32> = entries
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse().ok()))
            .collect();
        pids.sort_unstable();
        for pid in pids {
            let Ok(bytes) = super::host::read_cmdline(&proc_dir, pid, MAX_CMDLINE) else {
                // The process ended, is not ours to read, or its entry is not a process (a
                // symlink, a FIFO): nothing is read from it.
                continue;
            };
            let mut args: Vec<String> = bytes
                .split(|&b| b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            if args.last().is_some_and(String::is_empty) {
                args.pop();
            }
            let Some(kind) = args.first().and_then(|a| ComponentKind::from_binary(a)) else {
                if let Some(p) = super::distro::distro_process(pid, &args) {
                    self.distro_procs.push(p);
                }
                continue;
            };
            let words: Vec<Word> = args.into_iter().skip(1).map(Word::plain).collect();
            self.facts.components.push(Component {
                kind,
                origin: Origin::Process { pid },
                flags: parse(&words, kind),
                version: None,
                manifest: None,
            });
        }
    }

    /// The kubelet as its systemd unit would start it, when no kubelet process was found.
    pub(super) fn kubelet_service(&mut self) {
        if self.facts.component(ComponentKind::Kubelet).is_some() {
            return;
        }
        // The unit's files in systemd's order: the unit, then its drop-ins by name.
        let mut texts: Vec<(String, String)> = Vec::new();
        let mut main_unit: Option<String> = None;
        for path in self.layout.kubelet_units.clone() {
            let Ok(bytes) = self.read(path) else {
                continue;
            };
            self.file(path, FileRole::Config, "kubelet systemd unit");
            texts.push((
                path.to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
            main_unit = Some(path.to_string());
            break;
        }
        let mut drop_ins: Vec<(String, String)> = Vec::new();
        for dir in DROP_IN_DIRS {
            let Ok(names) = self.host.list_dir(dir) else {
                continue;
            };
            for name in names.into_iter().filter(|n| n.ends_with(".conf")) {
                // The same name in a more specific directory hides the others.
                if !drop_ins.iter().any(|(n, _)| *n == name) {
                    drop_ins.push((name.clone(), host::join(dir, &name)));
                }
            }
        }
        drop_ins.sort();
        for (_, path) in &drop_ins {
            self.file(path, FileRole::Config, "kubelet systemd drop-in");
            if let Ok(bytes) = self.read(path) {
                texts.push((path.clone(), String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
        // systemd sets every file's environment before it starts the command, whichever file
        // the command is in.
        let mut unit = Unit::default();
        for pass in [UnitPass::Environment, UnitPass::Exec] {
            for (path, text) in &texts {
                self.unit_file(&mut unit, path, text, pass);
            }
        }
        let first = main_unit.or_else(|| drop_ins.first().map(|(_, p)| p.clone()));
        let (origin_path, words) = match (first, unit.exec_start) {
            (Some(first), Some(words)) => (first, words),
            _ => {
                // No unit to read: kubeadm's flags file alone, if it is there.
                if self.layout.kubelet_flags_env.is_none() {
                    return;
                }
                let Ok(bytes) = self.read(KUBEADM_FLAGS_ENV) else {
                    return;
                };
                self.file(KUBEADM_FLAGS_ENV, FileRole::Config, "kubeadm kubelet flags");
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let env = environment_file(KUBEADM_FLAGS_ENV, &text);
                let words = env.get("KUBELET_KUBEADM_ARGS").cloned().unwrap_or_default();
                (KUBEADM_FLAGS_ENV.to_string(), words)
            }
        };
        self.facts.components.push(Component {
            kind: ComponentKind::Kubelet,
            origin: Origin::Systemd { unit: origin_path },
            flags: parse(&words, ComponentKind::Kubelet),
            version: None,
            manifest: None,
        });
    }

    /// Reads `Environment=`, `EnvironmentFile=` and `ExecStart=` lines of one unit file.
    fn unit_file(&mut self, unit: &mut Unit, path: &str, text: &str, pass: UnitPass) {
        for (i, line) in text.lines().enumerate() {
            let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let trimmed = line.trim_start();
            let indent = line.chars().count() - trimmed.chars().count();
            let Some((key, value)) = trimmed.split_once('=') else {
                continue;
            };
            // Column (1-based) where the value starts.
            let value_col = indent + key.chars().count() + 2;
            match key.trim() {
                "Environment" if pass == UnitPass::Environment => {
                    for (word, col) in split_words(value) {
                        let Some((name, val)) = word.split_once('=') else {
                            continue;
                        };
                        let quoted = value
                            .chars()
                            .nth(col as usize - 1)
                            .is_some_and(|c| c == '"' || c == '\'');
                        let start = value_col + col as usize - 1 + usize::from(quoted);
                        let val_col = start + name.chars().count() + 1;
                        let words = located_words(path, line_no, val_col, val);
                        unit.env.insert(name.to_string(), words);
                    }
                }
                "EnvironmentFile" if pass == UnitPass::Environment => {
                    let file = value.trim().trim_start_matches('-');
                    self.file(file, FileRole::Config, "kubelet systemd environment file");
                    if let Ok(bytes) = self.read(file) {
                        let text = String::from_utf8_lossy(&bytes).into_owned();
                        unit.env.extend(environment_file(file, &text));
                    }
                }
                "ExecStart" if pass == UnitPass::Exec && value.trim().is_empty() => {
                    unit.exec_start = None;
                }
                "ExecStart" if pass == UnitPass::Exec => {
                    let mut words = Vec::new();
                    let parts = split_words(value);
                    let binary = parts
                        .first()
                        .map(|(w, _)| w.trim_start_matches(['-', '@', '+', '!', ':']).to_string());
                    if !binary.is_some_and(|b| {
                        ComponentKind::from_binary(&b) == Some(ComponentKind::Kubelet)
                    }) {
                        continue;
                    }
                    for (word, col) in parts.into_iter().skip(1) {
                        let name = word
                            .strip_prefix("${")
                            .and_then(|w| w.strip_suffix('}'))
                            .or_else(|| word.strip_prefix('$'));
                        match name {
                            Some(name) => {
                                words.extend(unit.env.get(name).cloned().unwrap_or_default());
                            }
                            None => words.push(Word {
                                text: word,
                                location: Some(location(
                                    path,
                                    line_no,
                                    value_col + col as usize - 1,
                                )),
                            }),
                        }
                    }
                    unit.exec_start = Some(words);
                }
                _ => {}
            }
        }
    }

    pub(super) fn missing_components(&mut self) {
        self.facts
            .components
            .sort_by_key(|c| (c.kind, origin_rank(&c.origin)));
        for kind in ComponentKind::ALL {
            if self.facts.component(kind).is_none() {
                let proc_dir = self.opts.proc_dir.display();
                let manifests = &self.layout.manifests_dir;
                if self.facts.missing(&format!("component:{kind}")).is_some() {
                    continue;
                }
                let reason = match kind {
                    _ if self.distro_missing_reason(kind).is_some() => {
                        let Some(reason) = self.distro_missing_reason(kind) else {
                            continue;
                        };
                        reason
                    }
                    ComponentKind::Kubelet => Text::new(
                        format!("no kubelet process in {proc_dir}, no kubelet systemd drop-in or {KUBEADM_FLAGS_ENV}"),
                        format!("{proc_dir} 中没有 kubelet 进程，也没有 kubelet 的 systemd 配置片段或 {KUBEADM_FLAGS_ENV}"),
                    ),
                    _ => Text::new(
                        format!("no static pod in {manifests} and no process in {proc_dir}"),
                        format!("{manifests} 中没有静态 Pod，{proc_dir} 中也没有进程"),
                    ),
                };
                self.missing(&format!("component:{kind}"), None, reason);
            }
        }
    }
}

/// What a reading of a unit's files takes: first every environment, then the command.
#[derive(Clone, Copy, PartialEq, Eq)]
enum UnitPass {
    Environment,
    Exec,
}

#[derive(Default)]
struct Unit {
    env: HashMap<String, Vec<Word>>,
    exec_start: Option<Vec<Word>>,
}

fn origin_rank(origin: &Origin) -> u8 {
    match origin {
        Origin::StaticPod { .. } => 0,
        Origin::Process { .. } => 1,
        Origin::Systemd { .. } => 2,
        Origin::ApiPod { .. } => 3,
        Origin::Embedded { .. } => 4,
    }
}

fn location(path: &str, line: u32, column: usize) -> Location {
    Location {
        file: path.into(),
        line,
        column: u32::try_from(column).unwrap_or(u32::MAX),
    }
}

/// The words of a value that starts at `column` of `line`.
fn located_words(path: &str, line: u32, column: usize, value: &str) -> Vec<Word> {
    split_words(value)
        .into_iter()
        .map(|(text, col)| Word {
            text,
            location: Some(location(path, line, column + col as usize - 1)),
        })
        .collect()
}

/// `NAME=value` lines (quotes allowed, `#` comments), as systemd's `EnvironmentFile=` reads them.
fn environment_file(path: &str, text: &str) -> HashMap<String, Vec<Word>> {
    let mut env = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let Some((name, value)) = trimmed.split_once('=') else {
            continue;
        };
        let indent = line.chars().count() - trimmed.chars().count();
        let column = indent + name.chars().count() + 2;
        let (value, column) = match value.trim_end().strip_prefix('"') {
            Some(v) => (v.strip_suffix('"').unwrap_or(v), column + 1),
            None => match value.trim_end().strip_prefix('\'') {
                Some(v) => (v.strip_suffix('\'').unwrap_or(v), column + 1),
                None => (value, column),
            },
        };
        env.insert(
            name.trim().to_string(),
            located_words(path, line_no, column, value),
        );
    }
    env
}

/// A static pod's component: the container whose command or name is a component binary, or the
/// first container of a pod named after one.
fn static_pod_component(object: Object, path: &str) -> Option<Component> {
    let containers = object.root.path(&["spec", "containers"])?.as_seq();
    let command_of = |c: &Node| {
        c.get("command")
            .map(Node::as_seq)
            .unwrap_or_default()
            .to_vec()
    };
    let by_container = containers.iter().find_map(|c| {
        let command = command_of(c);
        let from_command = command
            .first()
            .and_then(Node::as_str)
            .and_then(ComponentKind::from_binary);
        from_command
            .or_else(|| c.str_at("name").and_then(ComponentKind::from_binary))
            .map(|k| (k, c))
    });
    let (kind, container) = by_container.or_else(|| {
        let kind = ComponentKind::ALL.into_iter().find(|k| {
            object.name == k.binary() || object.name.starts_with(&format!("{}-", k.binary()))
        })?;
        Some((kind, containers.first()?))
    })?;
    let command = command_of(container);
    let skip = usize::from(
        command
            .first()
            .and_then(Node::as_str)
            .and_then(ComponentKind::from_binary)
            .is_some(),
    );
    let args = container.get("args").map(Node::as_seq).unwrap_or_default();
    let words: Vec<Word> = command
        .iter()
        .skip(skip)
        .chain(args.iter())
        .map(|n| Word {
            text: n
                .as_str()
                .map_or_else(|| n.to_json().to_string(), str::to_string),
            location: n
                .pos
                .is_known()
                .then(|| location(path, n.pos.line, n.pos.column as usize)),
        })
        .collect();
    let version = container.str_at("image").and_then(image_version);
    Some(Component {
        kind,
        origin: Origin::StaticPod {
            path: path.to_string(),
        },
        flags: parse(&words, kind),
        version,
        manifest: Some(object),
    })
}
