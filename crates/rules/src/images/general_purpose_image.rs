use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, ContainerKind, Evidence, Node, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// The image of every regular container, by its repository name (registry, tag and digest
    /// set aside):
    /// - a general-purpose operating system image run as the workload itself (`ubuntu`,
    ///   `debian`, `alpine`, `busybox`, `centos`, `fedora`, `amazonlinux`, `rockylinux`,
    ///   `almalinux`, `oraclelinux`, `opensuse/leap`, `archlinux`): **warn**;
    /// - an official language or build image (`python`, `node`, `ruby`, `php`, `openjdk`,
    ///   `golang`, `maven`, ..., `-slim` and `-alpine` tags included): **warn**, it is a full
    ///   distribution with a shell and a package manager around the interpreter;
    /// - a troubleshooting toolbox (`nicolaka/netshoot`, `network-multitool`): **warn**;
    /// - a `debug` variant (`gcr.io/distroless/static:debug`, `…:nonroot-debug`): **warn**, it adds
    ///   a shell to an image built not to have one.
    ///
    /// Init containers with such images are noted only (copying a file with `busybox` is common
    /// and short-lived); ephemeral containers are left alone, since debugging is what they are
    /// for. What an image really contains can only be read from the image or a scanner's
    /// report, which is why item 7.1 needs image evidence to pass: this rule finds the cases a
    /// manifest gives away. A container whose image was read (`--images DIR`) is left to
    /// [KC706](KC706.md), which judges what the image holds rather than its name.
    ///
    /// ## Why
    /// Checklist item 7.1: a shell, a package manager and network tools in a running container
    /// are what an attacker who got code execution reaches for next, and every extra package is
    /// more vulnerabilities to patch. Images built for one program (distroless, scratch,
    /// Chainguard, a multi-stage build's last stage) carry only what it needs.
    ///
    /// ## Fix
    /// Build the program into a minimal base in a multi-stage build:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// WORKDIR /src
    /// COPY . .
    /// RUN CGO_ENABLED=0 go build -o /app ./cmd/app
    ///
    /// FROM gcr.io/distroless/static:nonroot
    /// COPY --from=build /app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    /// and debug with `kubectl debug` (an ephemeral container) instead of shipping the tools.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#images
    /// - https://github.com/GoogleContainerTools/distroless
    /// - https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/#ephemeral-container
    pub static RULE = {
        code: "KC705",
        name: "general-purpose-image",
        item: "7.1",
        severity: Severity::Low,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed(
            "Container runs a general-purpose OS, toolbox or debug image",
            "容器运行通用操作系统、工具箱或调试镜像",
        ),
        fix: Text::fixed(
            "Build the program into a minimal base (distroless, scratch, a multi-stage build's last stage) and debug with kubectl debug instead.",
            "把程序构建到最小化基础镜像中（distroless、scratch、多阶段构建的最后阶段），调试时改用 kubectl debug。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        doc_zh: r#"
## 检查内容
每个普通容器的镜像，按仓库名判断（不看镜像仓库地址、标签和摘要）：
- 直接作为工作负载运行的通用操作系统镜像（`ubuntu`、`debian`、`alpine`、`busybox`、`centos`、`fedora`、`amazonlinux`、`rockylinux`、`almalinux`、`oraclelinux`、`opensuse/leap`、`archlinux`）：**警告**；
- 官方的编程语言或构建镜像（`python`、`node`、`ruby`、`php`、`openjdk`、`golang`、`maven` 等，包括 `-slim` 和 `-alpine` 标签）：**警告**，这类镜像在解释器之外是一个完整的发行版，带有 Shell 和包管理器；
- 排障工具箱镜像（`nicolaka/netshoot`、`network-multitool`）：**警告**；
- `debug` 变体（`gcr.io/distroless/static:debug`、`…:nonroot-debug`）：**警告**，它给一个本来特意不带 Shell 的镜像加上了 Shell。

使用这类镜像的 Init 容器只作记录（用 `busybox` 复制一个文件很常见，而且运行时间很短）；临时容器（Ephemeral Container）不检查，因为它们本来就是用于调试的。镜像里到底有什么，只能从镜像本身或扫描器的报告中读出，所以第 7.1 项需要镜像方面的证据才能判定为通过：本规则只找出清单文件本身就暴露出来的情况。已读取镜像本身（`--images DIR`）的容器交给 [KC706](KC706.md)，由它按镜像的实际内容而不是名字来判断。

## 原因
检查清单第 7.1 项：运行中的容器里的 Shell、包管理器和网络工具，正是攻击者拿到代码执行权限后下一步要用的东西；而且每多一个软件包，就多一批需要修补的漏洞。专为单个程序构建的镜像（distroless、scratch、Chainguard、多阶段构建的最后阶段）只包含该程序需要的内容。

## 修复
用多阶段构建把程序构建到最小化的基础镜像中：
```dockerfile
FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /app ./cmd/app

FROM gcr.io/distroless/static:nonroot
COPY --from=build /app /app
ENTRYPOINT ["/app"]
```
调试时使用 `kubectl debug`（临时容器），而不是把工具打包进镜像。

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#images
- https://github.com/GoogleContainerTools/distroless
- https://kubernetes.io/zh-cn/docs/tasks/debug/debug-application/debug-running-pod/#ephemeral-container
"#,
    }
}

/// Repositories of general-purpose distributions (the last path element, or the whole path).
const OPERATING_SYSTEMS: &[&str] = &[
    "ubuntu",
    "debian",
    "alpine",
    "busybox",
    "centos",
    "fedora",
    "amazonlinux",
    "rockylinux",
    "almalinux",
    "oraclelinux",
    "opensuse/leap",
    "opensuse/tumbleweed",
    "archlinux",
];

/// Official language and build images: a full distribution (Debian, or Alpine) with a shell and a
/// package manager around the interpreter or toolchain, `-slim` variants included. Minimal
/// runtimes are other repositories (`gcr.io/distroless/python3`, `cgr.dev/chainguard/python`).
const LANGUAGE_IMAGES: &[&str] = &[
    "python",
    "node",
    "ruby",
    "perl",
    "php",
    "openjdk",
    "eclipse-temurin",
    "amazoncorretto",
    "golang",
    "rust",
    "gcc",
    "maven",
    "gradle",
];

/// Troubleshooting images full of network tools.
const TOOLBOXES: &[&str] = &["nicolaka/netshoot", "netshoot", "network-multitool"];

/// What is wrong with an image reference, if anything: (English, Chinese).
fn verdict(image: &str) -> Option<(String, String)> {
    // `registry:5000/team/app:1.0@sha256:…` -> path `team/app`, tag `1.0`.
    let no_digest = image.split('@').next().unwrap_or(image);
    let (path, tag) = match no_digest.rsplit_once(':') {
        Some((p, t)) if !t.contains('/') => (p, t),
        _ => (no_digest, ""),
    };
    let mut parts: Vec<&str> = path.split('/').collect();
    // A first element with a dot, a colon or `localhost` is a registry.
    if parts.len() > 1
        && (parts[0].contains('.') || parts[0].contains(':') || parts[0] == "localhost")
    {
        parts.remove(0);
    }
    if parts.first() == Some(&"library") {
        parts.remove(0);
    }
    let repo = parts.join("/").to_ascii_lowercase();
    let last = parts.last().map_or("", |s| s);
    if OPERATING_SYSTEMS.contains(&repo.as_str()) {
        return Some((
            format!("a general-purpose operating system image ({repo})"),
            format!("通用操作系统镜像（{repo}）"),
        ));
    }
    if LANGUAGE_IMAGES.contains(&repo.as_str()) {
        return Some((
            format!("a language image built on a full distribution ({repo})"),
            format!("基于完整发行版的语言镜像（{repo}）"),
        ));
    }
    if TOOLBOXES.contains(&repo.as_str()) || TOOLBOXES.contains(&last) {
        return Some((
            format!("a troubleshooting toolbox image ({repo})"),
            format!("排障工具箱镜像（{repo}）"),
        ));
    }
    let debug_tag = tag == "debug" || tag.ends_with("-debug") || tag.starts_with("debug-");
    debug_tag.then(|| {
        (
            format!("the debug variant of {repo} (tag {tag})"),
            format!("调试变体镜像 {repo}（标签 {tag}）"),
        )
    })
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    sink.examined();
    for c in pod.containers() {
        if c.kind == ContainerKind::Ephemeral {
            continue;
        }
        let Some(image) = c.get("image").and_then(Node::as_str) else {
            continue;
        };
        // The image itself was read (`--images`): KC706 judges what it holds, not its name.
        if ctx.images.and_then(|i| i.find(image)).is_some() {
            continue;
        }
        let Some((what_en, what_zh)) = verdict(image) else {
            continue;
        };
        let (en, zh) = (c.label_en(), c.label_zh());
        let message = text!(
            "{en} runs {what_en}, with a shell and tools the program does not need",
            "{zh} 运行{what_zh}，其中带有程序并不需要的 shell 和工具",
        );
        let path = c.path("image");
        if c.kind == ContainerKind::Init {
            sink.inform(object, path, message);
        } else {
            sink.warn(object, path, message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::verdict;

    #[test]
    fn images_by_repository() {
        let flagged = |i: &str| verdict(i).map(|(en, _)| en);
        assert!(flagged("ubuntu:22.04").unwrap().contains("(ubuntu)"));
        assert!(flagged("docker.io/library/alpine@sha256:abc")
            .unwrap()
            .contains("(alpine)"));
        assert!(flagged("registry.local:5000/busybox")
            .unwrap()
            .contains("(busybox)"));
        assert!(flagged("nicolaka/netshoot:v0.13")
            .unwrap()
            .contains("toolbox"));
        assert!(flagged("ghcr.io/x/network-multitool")
            .unwrap()
            .contains("toolbox"));
        assert!(flagged("gcr.io/distroless/static:debug")
            .unwrap()
            .contains("debug variant"));
        assert!(flagged("gcr.io/distroless/base:nonroot-debug").is_some());
        assert!(flagged("opensuse/leap:15.6").is_some());
        assert_eq!(flagged("gcr.io/distroless/static:nonroot"), None);
        assert_eq!(flagged("registry.example.com/shop/web:1.4.2"), None);
        assert_eq!(flagged("myorg/ubuntu-tools-exporter:1.0"), None);
        assert_eq!(flagged("localhost/debian-builder"), None);
        assert_eq!(flagged("postgres:16"), None);
        assert!(flagged("python:3.12-slim")
            .unwrap()
            .contains("language image"));
        assert!(flagged("docker.io/library/node:22-alpine").is_some());
        assert!(flagged("eclipse-temurin:21-jre").is_some());
        assert_eq!(flagged("gcr.io/distroless/python3-debian12"), None);
        assert_eq!(flagged("cgr.dev/chainguard/python:latest"), None);
        assert_eq!(flagged("bitnami/node-exporter:1.8"), None);
    }
}
