use crate::{declare_rule, Check, Context, Sink};
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
        title: Text::fixed("Image is not referenced by digest", "镜像未通过摘要引用"),
        fix: Text::fixed(
            "Reference the image by its sha256 digest: name:tag@sha256:<digest>.",
            "通过 sha256 摘要引用镜像:name:tag@sha256:<摘要>。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
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

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    sink.examined();
    for c in pod.containers() {
        let Some(image) = c.get("image").and_then(|i| i.as_str()) else {
            continue;
        };
        let (en, zh) = (c.label_en(), c.label_zh());
        let path = c.path("image");
        match classify(image) {
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
                        "{zh} 使用可变的 :latest 标签({image})",
                    ),
                );
            }
            Reference::NoTag => {
                sink.fail(
                    object,
                    path,
                    text!(
                        "{en} image {image} has no tag or digest, so it means :latest",
                        "{zh} 的镜像 {image} 没有标签或摘要,等同于 :latest",
                    ),
                );
            }
            Reference::Tag(tag) => {
                sink.warn(
                    object,
                    path,
                    text!(
                        "{en} image {image} is pinned by tag \"{tag}\" only; a tag can be moved",
                        "{zh} 的镜像 {image} 只用标签 \"{tag}\" 固定;标签可被改指",
                    ),
                )
                .severity = Severity::Medium;
            }
        }
    }
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
