use crate::analysis::images;
use crate::analysis::secret_detect as detect;
use crate::{declare_rule, Check, Context, Sink};
use kcheck_model::image::ImageFacts;
use kcheck_model::{text, Evidence, Object, Severity, Text, WORKLOAD_KINDS};

/// How many secrets one file may report before the rest are counted.
const PER_FILE: usize = 3;

declare_rule! {
    /// ## What it checks
    /// Secrets baked into an image, read from the image itself (`kcheck image ARCHIVE`, or
    /// `--images DIR` for each container's image), with the same detectors and redaction as
    /// [KC602](KC602.md):
    /// - files whose name or place says they hold credentials, as the final filesystem has
    ///   them (a file deleted by a later layer is gone; one that only an earlier layer had is
    ///   still in that layer's blob, but not in the container): private keys (`id_rsa`,
    ///   `*.pem`, `*.key`), `.env` files, cloud credentials (`.aws/credentials`, gcloud and
    ///   Azure files), `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`, `.docker/config.json`,
    ///   kubeconfigs: **fail** for each secret found (severity critical for private keys and
    ///   cloud credentials, high otherwise), at most three per file;
    /// - the config's `Env` (`ENV` in a Dockerfile): **fail** for each variable whose value is a
    ///   secret.
    ///
    /// Messages never show a value: what it looks like and a fingerprint keyed per run.
    ///
    /// ## Why
    /// Checklist item 6.1 keeps confidential data out of configuration; an image is
    /// configuration that is copied to every registry, node and laptop that pulls it, and
    /// anyone who can pull it can read every layer. A secret in an image cannot be rotated by
    /// redeploying: every copy must be found.
    ///
    /// ## Fix
    /// Rotate the secret first. Then pass it at run time from a Secret (or an external secret
    /// store), and use build secrets for credentials the build needs:
    /// ```dockerfile
    /// RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/secrets-good-practices/
    /// - https://docs.docker.com/build/building/secrets/
    pub static RULE = {
        code: "KC610",
        name: "image-secrets",
        item: "6.1",
        severity: Severity::High,
        evidence: Evidence::Images,
        title: Text::fixed("Image holds secrets", "镜像中保存了机密数据"),
        fix: Text::fixed(
            "Rotate the secret, remove it from the image, and pass it at run time from a Secret; use build secrets during builds.",
            "轮换该机密，将其从镜像中删除，并在运行时通过 Secret 提供；构建过程中使用构建机密（build secret）。",
        ),
        severities: &[Severity::Critical],
        check: Check::Image { kinds: WORKLOAD_KINDS, object: on_workload, image: on_image },
        doc_zh: r#"
## 检查内容
从镜像本身读取打包进镜像的机密数据（`kcheck image ARCHIVE`，或用 `--images DIR` 检查每个容器的镜像），使用与 [KC602](KC602.md) 相同的检测器和脱敏方式：
- 按最终文件系统中的样子，检查名字或位置表明其中保存了凭据的文件（被后面的层删除的文件已不存在；只在前面的层中存在的文件仍在该层的数据中，但不在容器里）：私钥（`id_rsa`、`*.pem`、`*.key`）、`.env` 文件、云凭据（`.aws/credentials`、gcloud 和 Azure 的文件）、`.npmrc`、`.pypirc`、`.netrc`、`.git-credentials`、`.docker/config.json`、kubeconfig：每发现一个机密即**不通过**（私钥和云凭据的严重程度为严重，其他为高），每个文件最多报告三个；
- 配置中的 `Env`（Dockerfile 中的 `ENV`）：值为机密的每个变量都**不通过**。

问题消息从不显示值，只显示它看起来像什么，以及一个每次运行各不相同的指纹。

## 原因
检查清单第 6.1 项要求配置中不保存机密数据；镜像也是配置，它会被复制到每个拉取它的镜像仓库、节点和笔记本电脑上，任何能拉取它的人都能读取每一层。镜像中的机密无法通过重新部署来轮换：每一份副本都必须找出来。

## 修复
先轮换该机密。然后在运行时通过 Secret（或外部机密存储）提供，构建过程需要的凭据使用构建机密：
```dockerfile
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/secrets-good-practices/
- https://docs.docker.com/build/building/secrets/
"#,
    }
}

/// One secret found in an image: where (a file, or an `Env` variable) and what.
struct Found {
    path: String,
    critical: bool,
    en: String,
    zh: String,
}

fn found(facts: &ImageFacts) -> Vec<Found> {
    let mut out = Vec::new();
    for c in &facts.secret_candidates {
        let text = String::from_utf8_lossy(&c.content);
        let file_name = c.file.path.rsplit('/').next().unwrap_or(&c.file.path);
        let hits = detect::scan(file_name, &text);
        let n = hits.len();
        for hit in hits.iter().take(PER_FILE) {
            let (what_en, what_zh) = hit.summary();
            let (at_en, at_zh) = hit.place();
            let path = &c.file.path;
            let (layer_en, layer_zh) = images::layer(c.file.layer);
            out.push(Found {
                path: path.clone(),
                critical: hit.kind.is_critical(),
                en: format!("{path} ({layer_en}){at_en} holds a secret {what_en}"),
                zh: format!("{path}（{layer_zh}）{at_zh} 保存了机密数据{what_zh}"),
            });
        }
        if n > PER_FILE {
            let more = n - PER_FILE;
            if let Some(last) = out.last_mut() {
                last.en
                    .push_str(&format!(" (and {more} more in this file)"));
                last.zh.push_str(&format!("（该文件中另有 {more} 个）"));
            }
        }
    }
    for (name, value) in &facts.env {
        if let Some(hit) = detect::scan(name, value).into_iter().next() {
            let (what_en, what_zh) = hit.summary();
            out.push(Found {
                path: format!("config.Env[{name}]"),
                critical: hit.kind.is_critical(),
                en: format!("the config's environment variable {name} holds a secret {what_en}"),
                zh: format!("配置中的环境变量 {name} 保存了机密数据{what_zh}"),
            });
        }
    }
    out
}

fn on_image(facts: &ImageFacts, _: &Context, sink: &mut Sink) {
    let name = images::name(facts);
    for f in found(facts) {
        let place = images::place(facts, Some(&f.path));
        let (en, zh) = (&f.en, &f.zh);
        let finding = sink.fail_on_node(place, text!("image {name}: {en}", "镜像 {name}：{zh}"));
        if f.critical {
            finding.severity = Severity::Critical;
        }
    }
}

fn on_workload(object: &Object, ctx: &Context, sink: &mut Sink) {
    images::each_container(object, ctx, sink, false, |c, reference, facts, sink| {
        let (label_en, label_zh) = (c.label_en(), c.label_zh());
        for f in found(facts) {
            let (en, zh) = (&f.en, &f.zh);
            let finding = sink.fail(
                object,
                c.path("image"),
                text!(
                    "{label_en} runs image {reference}: {en}",
                    "{label_zh} 运行的镜像 {reference} 中，{zh}",
                ),
            );
            if f.critical {
                finding.severity = Severity::Critical;
            }
        }
    });
}
