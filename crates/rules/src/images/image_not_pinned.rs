use crate::analysis::image_verification::blocking_verifier;
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// The `image` of every container (init, regular, ephemeral) of every workload:
    /// - no tag at all (which means `:latest`) or the `:latest` tag: **fail**;
    /// - a malformed digest (not `sha256:` and 64 hex digits): **fail**;
    /// - a tag without a digest: **warn**, since a tag can be moved to other content;
    /// - `name@sha256:<64 hex>` (with or without a tag): pass.
    ///
    /// Registry ports (`registry:5000/app`) are not mistaken for tags.
    ///
    /// When the input holds an admission policy that verifies the image's signature and blocks
    /// unverified images for every pod of the workload's namespace (see KC703: Kyverno
    /// `verifyImages` in Enforce mode, a sigstore ClusterImagePolicy with the namespace opted
    /// in, Connaisseur, Ratify), the item is met by signature: a tag is then only noted
    /// (**info**), and `:latest` or no tag is a **warning** (the verified image can still
    /// change under the tag).
    ///
    /// ## Why
    /// Checklist item 7.3: a tag can be re-pointed in the registry at any time, so the image that
    /// runs is not the image that was reviewed and scanned. A digest names exactly one image
    /// manifest. Admission-time signature verification is the other way to meet the item, and
    /// a live-cluster scan recognises it.
    ///
    /// ## Fix
    /// Reference the image by digest (`crane digest`, `docker buildx imagetools inspect` or
    /// your registry shows it); keeping the tag alongside is allowed and readable:
    /// ```yaml
    /// image: registry.example.com/shop/web:1.4.2@sha256:3b1f...e9a0
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/containers/images/#image-names
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#images
    pub static RULE = {
        code: "KC701",
        name: "image-not-pinned",
        item: "7.3",
        severity: Severity::High,
        evidence: Evidence::Objects,
        admission: Admission::JudgedDespite(
            "a tag is acceptable where an image-verification policy (Kyverno verifyImages, sigstore \
         policy-controller) checks signatures; a review carries no policies, so a tag is judged \
         as if none existed. Set KC701 to warn in a cluster that verifies signatures at admission",
        ),
        title: Text::fixed("Image is not referenced by digest", "镜像未通过摘要引用"),
        fix: Text::fixed(
            "Reference the image by its sha256 digest: name:tag@sha256:<digest>.",
            "通过 sha256 摘要引用镜像：name:tag@sha256:<摘要>。",
        ),
        reads: &[
            "Namespace",
            "ClusterPolicy",
            "Policy",
            "ImageValidatingPolicy",
            "ClusterImagePolicy",
            "MutatingWebhookConfiguration",
            "ConstraintTemplate",
        ],
        severities: &[Severity::Medium],
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        doc_zh: r#"
## 检查内容
每个工作负载中每个容器（Init 容器、普通容器、临时容器）的 `image`：
- 完全没有标签（即 `:latest`）或使用 `:latest` 标签：**不通过**；
- 摘要格式错误（不是 `sha256:` 加 64 位十六进制数字）：**不通过**；
- 有标签但没有摘要：**警告**，因为标签可以被移到别的内容上；
- `name@sha256:<64 位十六进制>`（带不带标签均可）：通过。

镜像仓库的端口（`registry:5000/app`）不会被误认为标签。

如果输入中有一个准入策略，会验证镜像签名，并对该工作负载所在名字空间的所有 Pod 阻止未经验证的镜像（见 KC703：Enforce 模式下的 Kyverno `verifyImages`、已纳入该名字空间的 sigstore ClusterImagePolicy、Connaisseur、Ratify），那么这一项由签名验证满足：此时带标签只作**提示**，而 `:latest` 或无标签为**警告**（同一标签下经过验证的镜像仍然可能变化）。

## 原因
检查清单第 7.3 项：镜像仓库中的标签随时可以被重新指向，所以实际运行的镜像未必是经过审查和扫描的那个镜像。摘要则唯一对应一个镜像清单（Manifest）。在准入时验证签名是满足这一项的另一种方式，对在线集群的扫描能识别出这种做法。

## 修复
通过镜像摘要引用镜像（`crane digest`、`docker buildx imagetools inspect` 或镜像仓库都能给出摘要）；可以同时保留标签，便于阅读：
```yaml
image: registry.example.com/shop/web:1.4.2@sha256:3b1f...e9a0
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/containers/images/#image-names
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#images
"#,
    }
}

/// How an image reference names its content.
#[derive(Debug, PartialEq, Eq)]
pub enum Reference<'a> {
    Digest,
    BadDigest(&'a str),
    Tag(&'a str),
    Latest,
    NoTag,
}

pub fn classify(image: &str) -> Reference<'_> {
    if let Some((_, digest)) = image.split_once('@') {
        let ok = match digest.split_once(':') {
            Some(("sha256", hex)) => hex.len() == 64,
            Some(("sha512", hex)) => hex.len() == 128,
            _ => false,
        } && digest.split_once(':').is_some_and(|(_, h)| {
            h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
        return if ok {
            Reference::Digest
        } else {
            Reference::BadDigest(digest)
        };
    }
    // A tag is a ':' after the last '/'; an earlier ':' is a registry port.
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        None => Reference::NoTag,
        Some((_, "latest")) => Reference::Latest,
        Some((_, tag)) => Reference::Tag(tag),
    }
}

/// The admission verifier that blocks `image` unsigned in the workload's namespace, described.
fn verified_by(object: &Object, ctx: &Context, image: &str) -> Option<String> {
    let all = ctx.image_verifiers();
    if all.is_empty() {
        return None;
    }
    let namespace = object.namespace.as_deref().unwrap_or("default");
    let v = blocking_verifier(all, ctx.inventory, namespace, image)?;
    Some(format!(
        "{} ({} {})",
        v.engine.name(),
        v.object.kind,
        v.object.name
    ))
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    sink.examined();
    for c in pod.containers() {
        let Some(image) = c.get("image").and_then(|i| i.as_str()) else {
            continue;
        };
        let (en, zh) = (c.label_en(), c.label_zh());
        let path = c.path("image");
        let reference = classify(image);
        if matches!(
            reference,
            Reference::Tag(_) | Reference::Latest | Reference::NoTag
        ) {
            if let Some(by) = verified_by(object, ctx, image) {
                signed(object, sink, path, (&en, &zh), image, &reference, &by);
                continue;
            }
        }
        match reference {
            Reference::Digest => {}
            Reference::BadDigest(d) => {
                sink.fail(
                    object,
                    path,
                    text!(
                        "{en} image {image} has a malformed digest \"{d}\"",
                        "{zh} 的镜像 {image} 摘要格式错误 \"{d}\"",
                    ),
                );
            }
            Reference::Latest => {
                sink.fail(
                    object,
                    path,
                    text!(
                        "{en} uses the mutable :latest tag ({image})",
                        "{zh} 使用可变的 :latest 标签（{image}）",
                    ),
                );
            }
            Reference::NoTag => {
                sink.fail(
                    object,
                    path,
                    text!(
                        "{en} image {image} has no tag or digest, so it means :latest",
                        "{zh} 的镜像 {image} 没有标签或摘要，等同于 :latest",
                    ),
                );
            }
            Reference::Tag(tag) => {
                sink.warn(
                    object,
                    path,
                    text!(
                        "{en} image {image} is pinned by tag \"{tag}\" only; a tag can be moved",
                        "{zh} 的镜像 {image} 只用标签 \"{tag}\" 固定；标签可被改指",
                    ),
                )
                .severity = Severity::Medium;
            }
        }
    }
}

/// An image not pinned by digest whose signature an admission policy verifies.
fn signed(
    object: &Object,
    sink: &mut Sink,
    path: kcheck_model::FieldPath,
    (en, zh): (&str, &str),
    image: &str,
    reference: &Reference,
    by: &str,
) {
    if let Reference::Tag(tag) = reference {
        sink.evidence(
            object,
            path,
            text!(
                "{en} image {image} is pinned by tag \"{tag}\" only, but its signature is verified at admission by {by}",
                "{zh} 的镜像 {image} 只用标签 \"{tag}\" 固定，但准入时由 {by} 验证其签名",
            ),
        );
        return;
    }
    sink.warn(
        object,
        path,
        text!(
            "{en} image {image} has no fixed tag (:latest or none); its signature is verified at admission by {by}, but what runs can change under the tag",
            "{zh} 的镜像 {image} 没有固定标签（:latest 或无标签）；准入时由 {by} 验证签名，但标签下运行的内容仍可能改变",
        ),
    )
    .severity = Severity::Medium;
}

#[cfg(test)]
mod tests {
    use super::{classify, Reference::*};

    #[test]
    fn references() {
        let d = "sha256:".to_string() + &"a".repeat(64);
        assert_eq!(classify(&format!("nginx@{d}")), Digest);
        assert_eq!(classify(&format!("reg:5000/x/nginx:1.2@{d}")), Digest);
        assert_eq!(classify("nginx@sha256:abc"), BadDigest("sha256:abc"));
        assert_eq!(classify("nginx"), NoTag);
        assert_eq!(classify("reg:5000/nginx"), NoTag);
        assert_eq!(classify("nginx:latest"), Latest);
        assert_eq!(classify("reg:5000/nginx:1.27"), Tag("1.27"));
    }
}
