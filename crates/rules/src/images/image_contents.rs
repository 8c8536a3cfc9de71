use crate::analysis::images::{self, summary, tool_names};
use crate::{declare_rule, Check, Context, Sink};
use kcheck_model::image::{ImageFacts, ToolKind};
use kcheck_model::{text, Evidence, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// What an image holds, read from the image itself (`kcheck image ARCHIVE`, or
    /// `kcheck scan|cluster --images DIR` for each container's image): its layers walked as the
    /// container sees them, whiteouts applied.
    /// - a shell **and** a package manager (`sh`, `bash`, busybox; `apt`, `dpkg`, `apk`, `yum`,
    ///   `dnf`, `rpm`, `pip`): **fail**, a full operating system image;
    /// - a shell, a compiler (`gcc`, `make`, `go`), or network and debugging tools (`curl`,
    ///   `wget`, `nc`, `ssh`, `gdb`, `strace`, `tcpdump`) without the above: **warn** (severity
    ///   low), with what was found;
    /// - none of these: passes, and the image is noted as distroless or static.
    ///
    /// Each finding names the distribution and release (`/etc/os-release`), the file count and
    /// size, and the first few tools of each kind with the layer that put them there. Under
    /// `--images`, a container whose image is not among the archives leaves the item not
    /// evaluated, with the image named.
    ///
    /// ## Why
    /// Checklist item 7.1: images contain only what the program needs. A shell and a package
    /// manager are what an attacker who gets code execution uses next: to look around, to fetch
    /// tools, to install what the image lacks. Every extra package is also one more source of
    /// vulnerabilities to patch (item 7.4).
    ///
    /// ## Fix
    /// Build in one stage and copy only the program into a minimal base in the final stage:
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// WORKDIR /src
    /// COPY . .
    /// RUN CGO_ENABLED=0 go build -o /app ./cmd/app
    ///
    /// FROM gcr.io/distroless/static-debian12:nonroot
    /// COPY --from=build /app /app
    /// ENTRYPOINT ["/app"]
    /// ```
    /// For debugging, attach an ephemeral container (`kubectl debug`) instead of shipping tools.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#images
    /// - https://docs.docker.com/build/building/multi-stage/
    /// - https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/#ephemeral-container
    pub static RULE = {
        code: "KC706",
        name: "image-contents",
        item: "7.1",
        severity: Severity::Medium,
        evidence: Evidence::Images,
        title: Text::fixed(
            "Image holds a shell, a package manager or tools the program does not need",
            "镜像中包含程序不需要的 shell、包管理器或工具",
        ),
        fix: Text::fixed(
            "Build a multi-stage image whose final stage is distroless or scratch with only the program; debug with kubectl debug.",
            "使用多阶段构建，最终阶段基于 distroless 或 scratch，只放入程序本身；需要调试时使用 kubectl debug。",
        ),
        severities: &[Severity::Low],
        check: Check::Image { kinds: WORKLOAD_KINDS, object: on_workload, image: on_image },
        doc_zh: r#"
## 检查内容
从镜像本身读取镜像的内容（`kcheck image ARCHIVE`，或用 `kcheck scan|cluster --images DIR` 检查每个容器的镜像）：按容器看到的样子逐层读取，并应用删除标记（whiteout）。
- 同时包含 shell **和**包管理器（`sh`、`bash`、busybox；`apt`、`dpkg`、`apk`、`yum`、`dnf`、`rpm`、`pip`）：**不通过**，这是完整的操作系统镜像；
- 只包含 shell、编译器（`gcc`、`make`、`go`）或网络和调试工具（`curl`、`wget`、`nc`、`ssh`、`gdb`、`strace`、`tcpdump`）：**警告**（严重程度为低），并列出找到的内容；
- 以上都没有：通过，并注明该镜像为 distroless 或静态镜像。

每个问题都给出发行版及版本（取自 `/etc/os-release`）、文件数量和大小，以及每类工具中的前几个及其所在的层。使用 `--images` 时，如果某个容器的镜像不在归档中，该检查项保持未评估，并指出是哪个镜像。

## 原因
检查清单第 7.1 项：容器镜像只包含运行程序所必需的内容。攻击者一旦能执行代码，接下来用的就是 shell 和包管理器：四处查看、下载工具、安装镜像里没有的东西。每多一个软件包，也就多一个需要修补漏洞的来源（第 7.4 项）。

## 修复
在一个阶段中构建，最终阶段只把程序复制到最小的基础镜像中：
```dockerfile
FROM golang:1.23 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /app ./cmd/app

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /app /app
ENTRYPOINT ["/app"]
```
需要调试时，挂载临时容器（`kubectl debug`），而不是在镜像中附带工具。

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#images
- https://docs.docker.com/build/building/multi-stage/
- https://kubernetes.io/zh-cn/docs/tasks/debug/debug-application/debug-running-pod/#ephemeral-container
"#,
    }
}

/// What the image holds beyond the program, in both languages, and whether it is a full OS.
struct Contents {
    full_os: bool,
    en: String,
    zh: String,
}

fn contents(facts: &ImageFacts) -> Option<Contents> {
    let shells = tool_names(facts, ToolKind::Shell, 3);
    let managers = tool_names(facts, ToolKind::PackageManager, 3);
    let mut en: Vec<String> = Vec::new();
    let mut zh: Vec<String> = Vec::new();
    for (names, what_en, what_zh) in [
        (&shells, "a shell", "shell"),
        (&managers, "a package manager", "包管理器"),
        (
            &tool_names(facts, ToolKind::Compiler, 3),
            "build tools",
            "构建工具",
        ),
        (
            &tool_names(facts, ToolKind::Network, 4),
            "network tools",
            "网络工具",
        ),
        (
            &tool_names(facts, ToolKind::Debug, 3),
            "debugging tools",
            "调试工具",
        ),
    ] {
        if let Some(names) = names {
            en.push(format!("{what_en} ({names})"));
            zh.push(format!("{what_zh}（{}）", names.replace(", ", "、")));
        }
    }
    if en.is_empty() {
        return None;
    }
    let mut zh = zh.join("、");
    // Latin after Chinese is set off by a space: `包含 shell（bash）`.
    if zh.starts_with(|c: char| c.is_ascii_alphabetic()) {
        zh.insert(0, ' ');
    }
    Some(Contents {
        full_os: shells.is_some() && managers.is_some(),
        en: en.join(", "),
        zh,
    })
}

fn on_image(facts: &ImageFacts, _: &Context, sink: &mut Sink) {
    let name = images::name(facts);
    let (about_en, about_zh) = summary(facts);
    let place = images::place(facts, None);
    let Some(c) = contents(facts) else {
        sink.evidence_on_node(
            place,
            text!(
                "image {name} ({about_en}) holds no shell, package manager or tools: distroless or static",
                "镜像 {name}（{about_zh}）不包含 shell、包管理器或工具：distroless 或静态镜像",
            ),
        );
        return;
    };
    let (what_en, what_zh) = (&c.en, &c.zh);
    if c.full_os {
        sink.fail_on_node(
            place,
            text!(
                "image {name} ({about_en}) is a full operating system image: it has {what_en}",
                "镜像 {name}（{about_zh}）是完整的操作系统镜像：包含{what_zh}",
            ),
        );
    } else {
        sink.warn_on_node(
            place,
            text!(
                "image {name} ({about_en}) has {what_en}",
                "镜像 {name}（{about_zh}）包含{what_zh}",
            ),
        )
        .severity = Severity::Low;
    }
}

fn on_workload(object: &Object, ctx: &Context, sink: &mut Sink) {
    images::each_container(object, ctx, sink, true, |c, reference, facts, sink| {
        let Some(contents) = contents(facts) else {
            return;
        };
        let (en, zh) = (c.label_en(), c.label_zh());
        let (about_en, about_zh) = summary(facts);
        let (what_en, what_zh) = (&contents.en, &contents.zh);
        if contents.full_os {
            sink.fail(
                object,
                c.path("image"),
                text!(
                    "{en} runs {reference} ({about_en}), a full operating system image: it has {what_en}",
                    "{zh} 运行的 {reference}（{about_zh}）是完整的操作系统镜像：包含{what_zh}",
                ),
            );
        } else {
            sink.warn(
                object,
                c.path("image"),
                text!(
                    "{en} runs {reference} ({about_en}), which has {what_en}",
                    "{zh} 运行的 {reference}（{about_zh}）包含{what_zh}",
                ),
            )
            .severity = Severity::Low;
        }
    });
}
