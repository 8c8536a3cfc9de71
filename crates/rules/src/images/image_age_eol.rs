use crate::analysis::distro_eol;
use crate::analysis::images::{report_on_image, Verdict};
use crate::{declare_rule, Check, Context, Sink};
use kcheck_model::image::ImageFacts;
use kcheck_model::{text, Date, Evidence, Level, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// Each container image read (`kcheck image PATH...`, or the images of the workloads'
    /// containers with `--images DIR`):
    /// - its configuration's `created` date is more than `imageScanning.maxImageAgeDays` days
    ///   ago (default 90): **warn**, with the age and the date;
    /// - no `created` date, one that cannot be read, or a placeholder date (1970-01-01, which
    ///   reproducible builds write, or earlier): **info**, the age is unknown; this neither
    ///   passes nor fails the image;
    /// - its `/etc/os-release` names a distribution release whose security support has ended:
    ///   **fail** (high), naming the release and the day support ended.
    ///
    /// End of support is the end of free security updates, long-term support included and paid
    /// extensions (Ubuntu Pro, RHEL ELS, Debian ELTS) excluded. kcheck knows Debian 9 to 13,
    /// Ubuntu from 16.04 (LTS and interim releases), Alpine 3.12 to 3.23 (compared by the
    /// major.minor of `VERSION_ID`: 3.19.1 is 3.19), Red Hat Enterprise Linux and UBI 7 to 9,
    /// CentOS Linux 7 and 8, CentOS Stream 8 and 9, Amazon Linux 2 and 2023. An image without
    /// `os-release`, another distribution, or a release kcheck does not know (newer than its
    /// table, or Debian testing) is not judged on this point.
    ///
    /// With `--images DIR`, each workload container whose image was found is judged the same
    /// way, at the container's `image` field. A container whose image is not among the archives
    /// is noted as not examined: the item is then not evaluated rather than passed.
    ///
    /// ## Why
    /// Checklist item 7.4: images are scanned regularly and known vulnerabilities are patched.
    /// An image that has not been rebuilt for months still holds every package as it was on
    /// that day, whatever has been fixed since. A distribution release past its end of life
    /// gets no fixes at all: scanning it finds vulnerabilities that nobody will ever patch.
    ///
    /// ## Fix
    /// Rebuild images on a schedule, on a supported base, so that fixes land without waiting
    /// for a code change:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*
    /// ```
    /// Move off end-of-life releases (Debian 10 to 12, CentOS 7 to a supported RHEL-compatible
    /// release or UBI, Alpine to a branch that is still supported).
    ///
    /// ## References
    /// - https://endoflife.date/debian
    /// - https://alpinelinux.org/releases/
    /// - https://ubuntu.com/about/release-cycle
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#images
    pub static RULE = {
        code: "KC709",
        name: "image-age-eol",
        item: "7.4",
        severity: Severity::Medium,
        evidence: Evidence::Images,
        title: Text::fixed(
            "Image is old or built on a distribution release past its end of life",
            "镜像过旧，或基于已停止支持的发行版版本构建",
        ),
        fix: Text::fixed(
            "Rebuild the image regularly on a supported base image release.",
            "定期基于仍受支持的基础镜像版本重新构建镜像。",
        ),
        severities: &[Severity::High],
        check: Check::Image { kinds: WORKLOAD_KINDS, object: check_workload, image: check_image },
        doc_zh: r#"
## 检查内容
读取到的每个容器镜像（`kcheck image PATH...`，或使用 `--images DIR` 时各工作负载容器的镜像）：
- 镜像配置中的 `created` 日期距今超过 `imageScanning.maxImageAgeDays` 天（默认 90 天）：**警告**，给出构建时长和日期；
- 没有 `created` 日期、日期无法解析，或是占位日期（可复现构建写入的 1970-01-01，或更早的日期）：**提示**，构建时长未知；既不算通过，也不算不通过；
- 镜像的 `/etc/os-release` 表明其发行版版本的安全支持已经结束：**不通过**（高），给出版本名称和停止支持的日期。

停止支持指免费安全更新的结束，包括长期支持（LTS），不包括付费延长支持（Ubuntu Pro、RHEL ELS、Debian ELTS）。kcheck 知道 Debian 9 至 13、Ubuntu 16.04 起的各版本（LTS 版和过渡版）、Alpine 3.12 至 3.23（按 `VERSION_ID` 的主版本号.次版本号比较：3.19.1 即 3.19）、Red Hat Enterprise Linux 及 UBI 7 至 9、CentOS Linux 7 和 8、CentOS Stream 8 和 9、Amazon Linux 2 和 2023。没有 `os-release` 的镜像、其他发行版，或 kcheck 不认识的版本（比对照表更新的版本，或 Debian testing），在这一点上不作判断。

使用 `--images DIR` 时，镜像被找到的每个工作负载容器按同样的方式判定，问题位于容器的 `image` 字段。镜像不在归档中的容器记为未检查：此时这一项不评估，而不是判为通过。

## 原因
检查清单第 7.4 项：应定期扫描镜像，并修补已知漏洞。几个月没有重新构建的镜像，其中的软件包仍停留在构建当天的状态，之后发布的修复一概没有。已停止支持的发行版版本则完全得不到修复：扫描它发现的漏洞永远不会有人修补。

## 修复
按计划、基于仍受支持的基础镜像重新构建镜像，这样无需等待代码变更，修复也能进入镜像：
```dockerfile
FROM debian:12-slim
RUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*
```
迁移出已停止支持的版本（Debian 10 升级到 12，CentOS 7 迁移到仍受支持的 RHEL 兼容发行版或 UBI，Alpine 升级到仍受支持的分支）。

## 参考
- https://endoflife.date/debian
- https://alpinelinux.org/releases/
- https://ubuntu.com/about/release-cycle
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#images
"#,
    }
}

fn judge(facts: &ImageFacts, ctx: &Context) -> Vec<Verdict> {
    let mut out = Vec::new();
    let today = ctx.now.today();
    let max = ctx.config.max_image_age_days;
    let created = facts.created.as_deref().map(str::trim);
    let unknown = |en: String, zh: String| Verdict {
        level: Level::Info,
        severity: Severity::Medium,
        inside: Some("created".to_string()),
        en,
        zh,
    };
    match created.map(|c| (c, Date::parse(c))) {
        None | Some(("", _)) => out.push(unknown(
            "records no build date (the configuration's created): its age is unknown".into(),
            "没有记录构建日期（镜像配置的 created）：构建时长未知".into(),
        )),
        Some((c, None)) => out.push(unknown(
            format!("has a build date that cannot be read (created \"{c}\"): its age is unknown"),
            format!("的构建日期无法解析（created 为 \"{c}\"）：构建时长未知"),
        )),
        Some((c, Some(d))) if d.days() <= 0 => out.push(unknown(
            format!("is dated {c}, a placeholder (reproducible builds write 1970-01-01): its age is unknown"),
            format!("的创建时间为 {c}，是占位日期（可复现构建会写入 1970-01-01）：构建时长未知"),
        )),
        Some((c, Some(d))) => {
            let days = today.days() - d.days();
            if days > max {
                out.push(Verdict {
                    level: Level::Warn,
                    severity: Severity::Medium,
                    inside: Some("created".to_string()),
                    en: format!(
                        "was built {days} days ago (created {c}), more than {max}: it has not picked up the fixes released since"
                    ),
                    zh: format!(
                        "构建于 {days} 天前（创建时间 {c}），超过 {max} 天：此后发布的修复都不在镜像中"
                    ),
                });
            }
        }
    }
    if let Some(os) = &facts.os_release {
        if let Some(s) = distro_eol::support(os).filter(|s| s.ended(today)) {
            let (en, zh, ends) = (s.label_en(), s.label_zh(), s.ends);
            out.push(Verdict {
                level: Level::Fail,
                severity: Severity::High,
                inside: Some(os.path.clone()),
                en: format!(
                    "runs on {en}, which reached end of life on {ends}: no more security fixes"
                ),
                zh: format!("基于 {zh}，该版本已于 {ends} 停止支持：不再有安全修复"),
            });
        }
    }
    out
}

/// An image judged on its own (`kcheck image`).
fn check_image(facts: &ImageFacts, ctx: &Context, sink: &mut Sink) {
    report_on_image(facts, judge(facts, ctx), sink);
}

/// A workload's containers judged with their images (`--images DIR`).
fn check_workload(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(images) = ctx.images else { return };
    let Some(pod) = object.pod_spec() else { return };
    let dir = images.dir.as_deref().unwrap_or("?");
    for c in pod.containers() {
        let Some(image) = c.get("image").and_then(|i| i.as_str()) else {
            continue;
        };
        let (en, zh) = (c.label_en(), c.label_zh());
        let path = c.path("image");
        let Some(facts) = images.find(image) else {
            sink.not_examined(
                object,
                path,
                text!(
                    "{en} image {image} is not among the images read from {dir}: its age and distribution release were not examined",
                    "{zh} 的镜像 {image} 不在从 {dir} 读取的镜像中：未检查其构建时长和发行版版本",
                ),
            );
            continue;
        };
        sink.examined();
        for v in judge(facts, ctx) {
            let message = Text::new(
                format!("{en} image {image} {}", v.en),
                format!("{zh} 的镜像 {image} {}", v.zh),
            );
            let finding = match v.level {
                Level::Fail => sink.fail(object, path.clone(), message),
                Level::Warn => sink.warn(object, path.clone(), message),
                Level::Info => sink.inform(object, path.clone(), message),
            };
            finding.severity = v.severity;
        }
    }
}
