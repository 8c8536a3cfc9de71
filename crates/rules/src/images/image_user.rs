use crate::analysis::images::{self, root_user, RootUser};
use crate::{declare_rule, Check, Context, Sink};
use kcheck_model::image::{FileEntry, ImageFacts};
use kcheck_model::workload::Container;
use kcheck_model::{text, Evidence, Node, Object, Severity, Text, WORKLOAD_KINDS};

/// How many setid or world-writable files a message names before "and N more".
const SHOWN: usize = 3;

declare_rule! {
    /// ## What it checks
    /// The user an image runs as and the files that let a process gain privileges, read from
    /// the image itself (`kcheck image ARCHIVE`, or `--images DIR` for each container's image):
    /// - the config's `User` is empty, `root`, `0` or a name `/etc/passwd` gives uid 0:
    ///   **fail** for an image judged on its own. For a container (`--images`), it fails only
    ///   when the pod does not override it: neither `runAsNonRoot: true` nor a non-zero
    ///   `runAsUser`; the finding states both facts. A container that sets `runAsNonRoot: true`
    ///   without `runAsUser` over such an image is consistent for this item, but the kubelet
    ///   refuses to start it (`CreateContainerConfigError`): reported as information;
    /// - setuid or setgid executables: **warn** (severity medium), with the first few. Under
    ///   `--images` only for containers that do not set `allowPrivilegeEscalation: false`
    ///   (which makes the kernel ignore those bits);
    /// - world-writable files or directories outside `/tmp`, `/var/tmp` and `/dev/shm`
    ///   (sticky directories excepted): **warn** (severity low).
    ///
    /// KC702 judges what the manifest states; this rule adds what the image would do where the
    /// manifest says nothing.
    ///
    /// ## Why
    /// Checklist item 7.2: containers run as an unprivileged user. An image without `USER`
    /// runs as root wherever a manifest forgets to say otherwise; setuid binaries such as `su`
    /// and `passwd` are the classic way from an unprivileged user back to root, and files
    /// everyone may write let one process change what another runs.
    ///
    /// ## Fix
    /// Create a user and switch to it in the image, drop the setid bits, and say the same in
    /// the pod:
    /// ```dockerfile
    /// RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + \
    ///  && useradd --uid 10001 --no-create-home app
    /// USER 10001
    /// ```
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: true
    ///   runAsUser: 10001
    ///   allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#images
    /// - https://docs.docker.com/reference/dockerfile/#user
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
    pub static RULE = {
        code: "KC707",
        name: "image-user",
        item: "7.2",
        severity: Severity::High,
        evidence: Evidence::Images,
        title: Text::fixed(
            "Image runs as root, or holds setuid or world-writable files",
            "镜像以 root 身份运行，或包含 setuid 文件、所有人可写的文件",
        ),
        fix: Text::fixed(
            "Set USER to a non-root uid in the image and runAsNonRoot/runAsUser in the pod; remove setuid/setgid bits; set allowPrivilegeEscalation: false.",
            "在镜像中用 USER 指定非 root 的 uid，并在 Pod 中设置 runAsNonRoot/runAsUser；去掉 setuid/setgid 位；设置 allowPrivilegeEscalation: false。",
        ),
        severities: &[Severity::Medium, Severity::Low, Severity::Info],
        check: Check::Image { kinds: WORKLOAD_KINDS, object: on_workload, image: on_image },
        doc_zh: r#"
## 检查内容
从镜像本身读取镜像运行时使用的用户，以及能让进程获得特权的文件（`kcheck image ARCHIVE`，或用 `--images DIR` 检查每个容器的镜像）：
- 配置中的 `User` 为空、`root`、`0`，或是 `/etc/passwd` 中 uid 为 0 的用户名：单独检查镜像时**不通过**。检查容器时（`--images`），只有当 Pod 没有覆盖它时才不通过，即既没有 `runAsNonRoot: true`，也没有非零的 `runAsUser`；问题中同时给出这两方面的事实。如果容器在这样的镜像上设置了 `runAsNonRoot: true` 却没有设置 `runAsUser`，对本检查项而言是一致的，但 kubelet 会拒绝启动它（`CreateContainerConfigError`），作为提示报告；
- 设置了 setuid 或 setgid 位的可执行文件：**警告**（严重程度为中），列出前几个。使用 `--images` 时，只针对没有设置 `allowPrivilegeEscalation: false` 的容器（设置后内核会忽略这些位）；
- `/tmp`、`/var/tmp` 和 `/dev/shm` 之外所有人可写的文件或目录（设置了粘滞位的目录除外）：**警告**（严重程度为低）。

KC702 检查清单文件中写明的内容；本规则补充清单文件没有写明时镜像的实际行为。

## 原因
检查清单第 7.2 项：容器以非特权用户身份运行。没有 `USER` 的镜像，只要清单文件忘了另行指定，就会以 root 身份运行；`su`、`passwd` 这类 setuid 程序是从非特权用户回到 root 的经典途径；所有人都能写的文件则让一个进程可以改变另一个进程运行的内容。

## 修复
在镜像中创建用户并切换到该用户，去掉 setid 位，并在 Pod 中写明同样的设置：
```dockerfile
RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + \
 && useradd --uid 10001 --no-create-home app
USER 10001
```
```yaml
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  allowPrivilegeEscalation: false
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#images
- https://docs.docker.com/reference/dockerfile/#user
- https://kubernetes.io/zh-cn/docs/tasks/configure-pod-container/security-context/
"#,
    }
}

/// `/usr/bin/su (4755, layer 1), /usr/bin/passwd (4755, layer 1) and 3 more`, both languages.
fn listed(files: &[FileEntry]) -> (String, String) {
    let shown = files.iter().take(SHOWN);
    let en: Vec<String> = shown
        .clone()
        .map(|f| format!("{} ({:o}, layer {})", f.path, f.mode & 0o7777, f.layer + 1))
        .collect();
    let zh: Vec<String> = shown
        .map(|f| format!("{}（{:o}，第 {} 层）", f.path, f.mode & 0o7777, f.layer + 1))
        .collect();
    let (en, zh) = (en.join(", "), zh.join("、"));
    match files.len().saturating_sub(SHOWN) {
        0 => (en, zh),
        more => (
            format!("{en} and {more} more"),
            format!("{zh} 等，另有 {more} 个"),
        ),
    }
}

fn on_image(facts: &ImageFacts, _: &Context, sink: &mut Sink) {
    let name = images::name(facts);
    if let Some(root) = root_user(facts) {
        let (why_en, why_zh) = root.describe();
        sink.fail_on_node(
            images::place(facts, None).at("config.User"),
            text!("image {name}: {why_en}", "镜像 {name}：{why_zh}"),
        );
    }
    setid(facts, sink, None);
    world_writable(facts, sink, None);
}

/// Files that let a process gain privileges or change what others run, as the rule reports them.
struct Risky<'a> {
    files: &'a [FileEntry],
    /// `setuid or setgid executable(s)`.
    one: &'static str,
    many: &'static str,
    /// `设置了 setuid 或 setgid 位的可执行文件`.
    zh: &'static str,
    severity: Severity,
    /// On a workload: the field that would make the files harmless, and whether the message says
    /// the container may escalate through them (setid) or only that its image has them.
    field: &'static str,
    escalates: bool,
}

fn setid(facts: &ImageFacts, sink: &mut Sink, on: Option<(&Object, &Container)>) {
    risky(
        facts,
        sink,
        on,
        &Risky {
            files: &facts.setid,
            one: "setuid or setgid executable",
            many: "setuid or setgid executables",
            zh: "设置了 setuid 或 setgid 位的可执行文件",
            severity: Severity::Medium,
            field: "securityContext.allowPrivilegeEscalation",
            escalates: true,
        },
    );
}

fn world_writable(facts: &ImageFacts, sink: &mut Sink, on: Option<(&Object, &Container)>) {
    risky(
        facts,
        sink,
        on,
        &Risky {
            files: &facts.world_writable,
            one: "world-writable file or directory",
            many: "world-writable files or directories",
            zh: "所有人可写的文件或目录",
            severity: Severity::Low,
            field: "image",
            escalates: false,
        },
    );
}

fn risky(facts: &ImageFacts, sink: &mut Sink, on: Option<(&Object, &Container)>, r: &Risky) {
    let Some(first) = r.files.first() else {
        return;
    };
    let n = r.files.len();
    let what_en = if n == 1 { r.one } else { r.many };
    let what_zh = r.zh;
    let (list_en, list_zh) = listed(r.files);
    let name = images::name(facts);
    let finding = match on {
        None => sink.warn_on_node(
            images::place(facts, Some(&first.path)),
            text!(
                "image {name} has {n} {what_en}: {list_en}",
                "镜像 {name} 中有 {n} 个{what_zh}：{list_zh}",
            ),
        ),
        Some((object, c)) => {
            let (en, zh) = (c.label_en(), c.label_zh());
            let message = if r.escalates {
                text!(
                    "{en} may escalate privileges through the {n} {what_en} of its image {name}: {list_en}",
                    "{zh} 可能借助其镜像 {name} 中 {n} 个{what_zh}提升权限：{list_zh}",
                )
            } else {
                text!(
                    "{en} runs image {name}, which has {n} {what_en}: {list_en}",
                    "{zh} 运行的镜像 {name} 中有 {n} 个{what_zh}：{list_zh}",
                )
            };
            sink.warn(object, c.path(r.field), message)
        }
    };
    finding.severity = r.severity;
}

fn on_workload(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    if pod.spec.path(&["os", "name"]).and_then(Node::as_str) == Some("windows")
        || pod.get("hostUsers").and_then(Node::as_bool) == Some(false)
    {
        return;
    }
    let pod_sc = pod.get("securityContext");
    let pod_user = pod_sc
        .and_then(|s| s.get("runAsUser"))
        .and_then(Node::as_i64);
    let pod_non_root = pod_sc
        .and_then(|s| s.get("runAsNonRoot"))
        .and_then(Node::as_bool);
    images::each_container(object, ctx, sink, true, |c, reference, facts, sink| {
        let sc = c.get("securityContext");
        let user = sc
            .and_then(|s| s.get("runAsUser"))
            .and_then(Node::as_i64)
            .or(pod_user);
        let non_root = sc
            .and_then(|s| s.get("runAsNonRoot"))
            .and_then(Node::as_bool)
            .or(pod_non_root);
        let (en, zh) = (c.label_en(), c.label_zh());
        if let Some(root) = root_user(facts) {
            let (why_en, why_zh) = match &root {
                RootUser::Unset => ("sets no User".to_string(), "未设置 User".to_string()),
                RootUser::Named(u) => (
                    format!("runs as User \"{u}\" (uid 0)"),
                    format!("以 User \"{u}\"（uid 0）运行"),
                ),
            };
            match (user, non_root) {
                (Some(u), _) if u != 0 => {}
                (Some(_), _) => {} // runAsUser: 0 is KC702's finding.
                (None, Some(true)) => {
                    sink.inform(
                        object,
                        c.path("securityContext.runAsNonRoot"),
                        text!(
                            "{en} sets runAsNonRoot: true but no runAsUser, and its image {reference} {why_en}: the kubelet will refuse to start it (CreateContainerConfigError)",
                            "{zh} 设置了 runAsNonRoot: true 但没有设置 runAsUser，而其镜像 {reference} {why_zh}：kubelet 将拒绝启动它（CreateContainerConfigError）",
                        ),
                    )
                    .severity = Severity::Info;
                }
                (None, _) => {
                    sink.fail(
                        object,
                        c.path("securityContext.runAsNonRoot"),
                        text!(
                            "{en} runs as root: its image {reference} {why_en}, and the pod sets neither runAsNonRoot: true nor a non-zero runAsUser",
                            "{zh} 以 root 身份运行：其镜像 {reference} {why_zh}，而 Pod 既未设置 runAsNonRoot: true，也未设置非零的 runAsUser",
                        ),
                    );
                }
            }
        }
        let no_escalation = sc
            .and_then(|s| s.get("allowPrivilegeEscalation"))
            .and_then(Node::as_bool)
            == Some(false);
        if !no_escalation {
            setid(facts, sink, Some((object, c)));
        }
        world_writable(facts, sink, Some((object, c)));
    });
}
