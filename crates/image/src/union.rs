//! The union filesystem: the layers applied in order, metadata only.
//!
//! The state is one ordered map from absolute path (`/usr/bin/sh`) to [`Node`]: mode, owner,
//! size, link target, the layer that put it there, and what was captured of its content (see
//! [`crate::capture`]). No file data is kept. Applying a layer's entries, with `cur` its index:
//!
//! * an entry replaces the path's node; if it replaces a directory of a lower layer by a
//!   non-directory, the lower directory's subtree goes too (as in overlayfs);
//! * `.wh.<name>` removes `<name>` and its subtree, but only nodes of lower layers: whiteouts
//!   apply to the layers beneath, whatever their order among the layer's own entries;
//! * `.wh..wh..opq` in a directory removes everything under it from lower layers (the directory
//!   itself stays);
//! * a hard link copies its target's node as it is at that point (a missing target is a
//!   `MissingLinkTarget` problem and the link is dropped).
//!
//! The ordered map makes a subtree a key range (`/a/` up to `/a0`), so whiteouts cost the size
//! of the subtree. A node is about a hundred bytes with its path: 50,000 files hold a few MiB.
//! Symbolic links are resolved on demand ([`UnionFs::resolve`]) component by component like the
//! kernel does inside a chroot (`..` at the root stays at the root), at most `max_link_depth`
//! links deep, so loops end as [`Resolved::Loop`].

use std::collections::{BTreeMap, VecDeque};

use kcheck_model::image::FileEntry;

use crate::capture::Captured;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeKind {
    Regular,
    Dir,
    Symlink,
    Other,
}

#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub kind: NodeKind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    pub layer: usize,
    /// The symlink's target, or the hard link's target path for a regular file that came as one.
    pub link: Option<Box<str>>,
    pub hardlink: bool,
    pub captured: Option<Box<Captured>>,
}

#[derive(Default)]
pub(crate) struct UnionFs {
    pub nodes: BTreeMap<String, Node>,
}

pub(crate) enum Resolved {
    Path(String),
    Loop,
}

/// The key just past every path under `dir` (`/a` -> `/a0`, as `'0'` follows `'/'`).
fn subtree_bounds(dir: &str) -> (String, String) {
    if dir == "/" {
        return ("/".to_string(), "0".to_string());
    }
    (format!("{dir}/"), format!("{dir}0"))
}

impl UnionFs {
    /// Removes the subtree under `dir` (not `dir` itself) of layers below `cur`.
    pub fn remove_below(&mut self, dir: &str, cur: usize) {
        let (lo, hi) = subtree_bounds(dir);
        let doomed: Vec<String> = self
            .nodes
            .range(lo..hi)
            .filter(|(_, n)| n.layer < cur)
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.nodes.remove(&k);
        }
    }

    pub fn whiteout(&mut self, path: &str, cur: usize) {
        if self.nodes.get(path).is_some_and(|n| n.layer < cur) {
            self.nodes.remove(path);
        }
        self.remove_below(path, cur);
    }

    pub fn insert(&mut self, path: String, node: Node) {
        let cur = node.layer;
        if node.kind != NodeKind::Dir
            && self
                .nodes
                .get(&path)
                .is_some_and(|old| old.kind == NodeKind::Dir)
        {
            self.remove_below(&path, cur);
        }
        self.nodes.insert(path, node);
    }

    /// Resolves symbolic links in `path` (all components, the last one too).
    pub fn resolve(&self, path: &str, max_depth: usize) -> Resolved {
        let mut queue: VecDeque<String> = path
            .split('/')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        let mut done: Vec<String> = Vec::new();
        let mut links = 0usize;
        while let Some(part) = queue.pop_front() {
            match part.as_str() {
                "." => continue,
                ".." => {
                    done.pop();
                    continue;
                }
                _ => {}
            }
            let candidate = format!(
                "/{}",
                done.iter()
                    .map(String::as_str)
                    .chain(std::iter::once(part.as_str()))
                    .collect::<Vec<_>>()
                    .join("/")
            );
            match self.nodes.get(&candidate) {
                Some(node) if node.kind == NodeKind::Symlink => {
                    links += 1;
                    if links > max_depth {
                        return Resolved::Loop;
                    }
                    let target = node.link.as_deref().unwrap_or("");
                    if target.starts_with('/') {
                        done.clear();
                    }
                    for p in target.split('/').filter(|p| !p.is_empty()).rev() {
                        queue.push_front(p.to_string());
                    }
                }
                _ => done.push(part),
            }
        }
        Resolved::Path(format!("/{}", done.join("/")))
    }

    pub fn entry(&self, path: &str, node: &Node) -> FileEntry {
        FileEntry {
            path: path.to_string(),
            layer: node.layer,
            mode: node.mode,
            uid: node.uid,
            gid: node.gid,
            size: node.size,
            link: node.link.as_deref().map(str::to_string),
        }
    }
}

/// Normalises an entry name to an absolute path inside the root; `None` if `..` climbs out.
pub(crate) fn normalise_entry(name: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(format!("/{}", parts.join("/")))
}
