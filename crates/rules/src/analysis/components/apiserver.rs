//! The kube-apiserver of a node scan and the files its flags name, as the node rules read them.

use crate::{NodePlace, Sink};
use kcheck_model::facts::{Component, ComponentKind, ConfigDoc, ConfigRole, FileStat};
use kcheck_model::{text, NodeFacts, Text};

/// The node's kube-apiserver. When there is none (a worker node, or a control plane the scan
/// could not see), notes the reason once and returns `None`: the rule then examines
/// nothing, so its item is not evaluated rather than passed.
pub fn apiserver_or_note<'a>(facts: &'a NodeFacts, sink: &mut Sink) -> Option<&'a Component> {
    if let Some(c) = facts.component(ComponentKind::ApiServer) {
        return Some(c);
    }
    if super::evidence::managed(facts, ComponentKind::ApiServer, sink) {
        return None;
    }
    let missing = facts.missing("component:kube-apiserver");
    let place = missing
        .and_then(|m| m.path.as_deref())
        .map_or_else(|| NodePlace::file("kube-apiserver"), NodePlace::file);
    let message = match missing {
        Some(m) => {
            let (en, zh) = (&m.reason.en, &m.reason.zh);
            text!(
                "kube-apiserver was not found ({en}); its settings were not checked: run kcheck node on a control-plane node",
                "未找到 kube-apiserver（{zh}）；未检查其设置：请在控制平面节点上运行 kcheck node",
            )
        }
        None => Text::fixed(
            "no kube-apiserver static pod or process on this node (a worker node?); run kcheck node on a control-plane node",
            "此节点上没有 kube-apiserver 静态 Pod 或进程（是工作节点?）；请在控制平面节点上运行 kcheck node",
        ),
    };
    sink.not_examined_on_node(place, message);
    None
}

/// The configuration document a flag names, when the collector parsed it.
pub fn config_named<'a>(
    facts: &'a NodeFacts,
    role: ConfigRole,
    path: &str,
) -> Option<&'a ConfigDoc> {
    facts
        .configs
        .iter()
        .find(|c| c.role == role && c.path == path)
        .or_else(|| facts.configs.iter().find(|c| c.role == role))
}

/// What the scan knows of a file a flag or a configuration names.
pub enum FileState<'a> {
    Present {
        uid: u32,
        owner: Option<&'a str>,
        mode: u32,
    },
    Missing,
    /// Unreadable or not collected, with why.
    Unknown(Text),
}

/// The state of a host file: its fact, or a missing-evidence note that names it.
pub fn file_state<'a>(facts: &'a NodeFacts, path: &str) -> FileState<'a> {
    if let Some(f) = facts.file(path) {
        return match &f.stat {
            FileStat::Present {
                uid, owner, mode, ..
            } => FileState::Present {
                uid: *uid,
                owner: owner.as_deref(),
                mode: *mode,
            },
            FileStat::Missing => FileState::Missing,
            FileStat::Unreadable { error } => FileState::Unknown(Text::same(error.clone())),
        };
    }
    if let Some(m) = facts
        .missing
        .iter()
        .find(|m| m.path.as_deref() == Some(path))
    {
        return FileState::Unknown(m.reason.clone());
    }
    FileState::Unknown(Text::fixed("not collected", "未收集"))
}

/// `0644`.
pub fn octal(mode: u32) -> String {
    format!("{:04o}", mode & 0o7777)
}

/// `uid 1000 (alice)` or `uid 1000`.
pub fn owner_text(uid: u32, owner: Option<&str>) -> String {
    match owner {
        Some(name) => format!("uid {uid} ({name})"),
        None => format!("uid {uid}"),
    }
}

/// What [`judge_file_protection`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    /// Present and judged (counted as examined).
    Judged,
    Missing,
    /// Unreadable or not collected, with why.
    Unknown(Text),
}

/// Fails when a present file's mode has any of the `forbidden` bits or its owner is not root,
/// and counts it as examined. `advice` is the mode the message recommends; `what` names the file
/// in messages (`audit log`, `审计日志`). A missing or unknown file is left to the caller.
pub fn judge_file_protection(
    sink: &mut Sink,
    facts: &NodeFacts,
    path: &str,
    forbidden: u32,
    advice: u32,
    what: (&str, &str),
) -> Seen {
    let (en, zh) = what;
    match file_state(facts, path) {
        FileState::Present { uid, owner, mode } => {
            sink.examined();
            if mode & forbidden != 0 {
                let (have, want) = (octal(mode), octal(advice));
                sink.fail_on_node(
                    NodePlace::file(path),
                    text!(
                        "{en} {path} has mode {have}; it should be {want} or stricter",
                        "{zh} {path} 的权限为 {have}；应为 {want} 或更严格",
                    ),
                );
            }
            if uid != 0 {
                let who = owner_text(uid, owner);
                sink.fail_on_node(
                    NodePlace::file(path),
                    text!(
                        "{en} {path} is owned by {who}, not root",
                        "{zh} {path} 的属主是 {who}，而不是 root",
                    ),
                );
            }
            Seen::Judged
        }
        FileState::Missing => Seen::Missing,
        FileState::Unknown(why) => Seen::Unknown(why),
    }
}
