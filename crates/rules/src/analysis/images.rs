//! What the image rules share: where a finding about an image is placed, how an image is named
//! and summed up, who its `User` is, and the walk over a workload's containers that finds each
//! one's image under `--images DIR` (or notes that it is not there).

use crate::{Context, NodePlace, Sink};
use kcheck_model::image::{ImageEvidence, ImageFacts, ToolKind};
use kcheck_model::workload::Container;
use kcheck_model::{text, Level, Object, Severity, Text};

/// The name an image goes by in messages: its first recorded reference, else its archive.
pub fn name(facts: &ImageFacts) -> &str {
    facts
        .references
        .first()
        .map_or(facts.source.as_str(), String::as_str)
}

/// A place in an image: the image (by name, and its platform) and, when given, a path inside
/// it. The place has no words of either language; messages say which layer.
pub fn place(facts: &ImageFacts, inside: Option<&str>) -> NodePlace {
    let mut source = name(facts).to_string();
    if let Some(p) = &facts.platform {
        source.push_str(&format!(" [{p}]"));
    }
    NodePlace {
        source,
        path: inside.map(str::to_string),
        ..NodePlace::default()
    }
}

/// `layer 2` / `第 2 层`: the layer (by its index) that put a file there.
pub fn layer(index: usize) -> (String, String) {
    (
        format!("layer {}", index + 1),
        format!("第 {} 层", index + 1),
    )
}

/// `Debian GNU/Linux 12 (bookworm), 1,234 files, 80.3 MB` and its Chinese form: what the image
/// is, for messages.
pub fn summary(facts: &ImageFacts) -> (String, String) {
    let os = facts
        .os_release
        .as_ref()
        .map(|o| {
            if o.pretty_name.is_empty() {
                format!("{} {}", o.id, o.version_id).trim().to_string()
            } else {
                o.pretty_name.clone()
            }
        })
        .filter(|s| !s.is_empty());
    let size = megabytes(facts.size);
    let files = thousands(facts.files);
    match os {
        Some(os) => (
            format!("{os}, {files} files, {size}"),
            format!("{os}，{files} 个文件，{size}"),
        ),
        None => (
            format!("no os-release, {files} files, {size}"),
            format!("无 os-release，{files} 个文件，{size}"),
        ),
    }
}

/// The distinct names of the image's tools of `kind`, in order, at most `max` (then `…`).
pub fn tool_names(facts: &ImageFacts, kind: ToolKind, max: usize) -> Option<String> {
    let mut names: Vec<&str> = Vec::new();
    for t in facts.tools.iter().filter(|t| t.kind == kind) {
        if !names.contains(&t.name.as_str()) {
            names.push(&t.name);
        }
    }
    if names.is_empty() {
        return None;
    }
    let more = names.len() > max;
    names.truncate(max);
    let mut s = names.join(", ");
    if more {
        s.push_str(", …");
    }
    Some(s)
}

/// Who the image's config says it runs as, when that is root: `""` (unset), `root`, `0`,
/// `0:0`, or a name `/etc/passwd` gives uid 0. `None` when it is another user.
pub fn root_user(facts: &ImageFacts) -> Option<RootUser> {
    let user = facts.user.trim();
    let name = user.split(':').next().unwrap_or("");
    if name.is_empty() {
        return Some(RootUser::Unset);
    }
    if name.chars().all(|c| c.is_ascii_digit()) {
        return (name.parse::<u64>() == Ok(0)).then_some(RootUser::Named(user.to_string()));
    }
    if name == "root" || facts.uid0_users.iter().any(|u| u == name) {
        return Some(RootUser::Named(user.to_string()));
    }
    None
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RootUser {
    /// No `User` in the config: the runtime starts the process as uid 0.
    Unset,
    /// `User` names root (as written).
    Named(String),
}

impl RootUser {
    /// `its config sets no User` / `its config's User is "root"`, both languages.
    pub fn describe(&self) -> (String, String) {
        match self {
            RootUser::Unset => (
                "its config sets no User, so it runs as root".to_string(),
                "其配置未设置 User，因此以 root 身份运行".to_string(),
            ),
            RootUser::Named(u) => (
                format!("its config's User is \"{u}\" (uid 0)"),
                format!("其配置的 User 为 \"{u}\"（uid 0）"),
            ),
        }
    }
}

/// A workload's containers with the image each runs, under `--images`: `each` is called for
/// the containers whose image is in the evidence; with `note_missing`, the others are noted as
/// not examined (the item cannot pass on images kcheck has not seen). Nothing happens when no
/// archives were given (`--vuln-report` alone). Returns whether the object is a workload.
pub fn each_container(
    object: &Object,
    ctx: &Context,
    sink: &mut Sink,
    note_missing: bool,
    mut each: impl FnMut(&Container, &str, &ImageFacts, &mut Sink),
) -> bool {
    let (Some(pod), Some(images)) = (object.pod_spec(), ctx.images) else {
        return false;
    };
    if images.dir.is_none() {
        return false;
    }
    sink.examined();
    for c in pod.containers() {
        let Some(reference) = c.get("image").and_then(|i| i.as_str()) else {
            continue;
        };
        match images.find(reference) {
            Some(facts) => each(&c, reference, facts, sink),
            None if note_missing => not_found(object, &c, reference, images, sink),
            None => {}
        }
    }
    true
}

fn not_found(
    object: &Object,
    c: &Container,
    reference: &str,
    images: &ImageEvidence,
    sink: &mut Sink,
) {
    let (en, zh) = (c.label_en(), c.label_zh());
    let dir = images.dir.as_deref().unwrap_or("");
    sink.not_examined(
        object,
        c.path("image"),
        text!(
            "{en}: image {reference} is not among the archives in {dir}",
            "{zh}：{dir} 中没有镜像 {reference} 的归档",
        ),
    );
}

/// One thing an image rule says about an image: how bad, where inside it (a path, a report
/// file) and the sentence after the image's name in each language.
pub struct Verdict {
    pub level: Level,
    pub severity: Severity,
    pub inside: Option<String>,
    pub en: String,
    pub zh: String,
}

/// Reports `verdicts` on the image itself (`kcheck image`): `image NAME <sentence>`.
pub fn report_on_image(facts: &ImageFacts, verdicts: Vec<Verdict>, sink: &mut Sink) {
    let name = name(facts);
    for v in verdicts {
        let mut at = place(facts, None);
        at.path = v.inside;
        let message = Text::new(
            format!("image {name} {}", v.en),
            format!("镜像 {name} {}", v.zh),
        );
        let finding = match v.level {
            Level::Fail => sink.fail_on_node(at, message),
            Level::Warn => sink.warn_on_node(at, message),
            Level::Info => sink.inform_on_node(at, message),
        };
        finding.severity = v.severity;
    }
}

/// `80.3 MB`, `912 kB`.
fn megabytes(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    } else {
        format!("{} kB", bytes.div_ceil(1000))
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_users() {
        let with = |user: &str| ImageFacts {
            user: user.to_string(),
            uid0_users: vec!["root".into(), "toor".into()],
            ..ImageFacts::default()
        };
        assert_eq!(root_user(&with("")), Some(RootUser::Unset));
        assert_eq!(root_user(&with("0")), Some(RootUser::Named("0".into())));
        assert_eq!(root_user(&with("0:0")), Some(RootUser::Named("0:0".into())));
        assert_eq!(
            root_user(&with("toor")),
            Some(RootUser::Named("toor".into()))
        );
        assert_eq!(root_user(&with("65532")), None);
        assert_eq!(root_user(&with("nonroot:nonroot")), None);
        assert_eq!(root_user(&with("00")), Some(RootUser::Named("00".into())));
    }

    #[test]
    fn sizes_and_counts() {
        assert_eq!(megabytes(80_300_000), "80.3 MB");
        assert_eq!(megabytes(911_200), "912 kB");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
