use crate::analysis::image_verification::{Engine, Verifier, SIGSTORE_INCLUDE};
use crate::analysis::kyverno::Reach;
use crate::cluster_kinds::{anchor, system_workloads_seen};
use crate::{declare_rule, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Inventory, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// Admission-time verification of image signatures in a cluster:
    /// - Kyverno `verifyImages` rules (ClusterPolicy, Policy) and ImageValidatingPolicies: in
    ///   `Enforce` mode (the entry's `failureAction`, else the policy's
    ///   `validationFailureAction`; `Deny` for ImageValidatingPolicy): pass, with
    ///   evidence naming the images and how many namespaces it reaches; in
    ///   `Audit` mode (Kyverno's default) or with namespaces overridden back to Audit: **warn**,
    ///   unsigned images are only reported;
    /// - sigstore policy-controller ClusterImagePolicies: they apply only in namespaces labelled
    ///   `policy.sigstore.dev/include: "true"`; with such namespaces, pass for those; with none,
    ///   or in `mode: warn`: **warn**;
    /// - Connaisseur (its webhook) and Ratify (Gatekeeper constraints from its templates, with
    ///   `enforcementAction: deny`): pass, noted;
    /// - nothing: an informational finding; the item then rests on digest pinning, which KC701
    ///   checks in every workload.
    ///
    /// KC701 accepts an image pinned by tag only when a blocking verifier here reaches every pod
    /// of its namespace and matches the image.
    ///
    /// ## Why
    /// Checklist item 7.3: images are referenced by digest, or their signatures are verified at
    /// admission so that only images from a trusted build are run. A policy in audit mode
    /// verifies nothing that stops a pod.
    ///
    /// ## Fix
    /// Put verification rules in Enforce mode once their reports are clean:
    /// ```yaml
    /// verifyImages:
    /// - imageReferences: ["registry.example.com/*"]
    ///   failureAction: Enforce
    ///   attestors:
    ///   - entries:
    ///     - keyless: {subject: "https://github.com/acme/*", issuer: "https://token.actions.githubusercontent.com"}
    /// ```
    /// For the sigstore policy-controller, label the namespaces:
    /// `kubectl label namespace shop policy.sigstore.dev/include=true`.
    ///
    /// ## References
    /// - https://kyverno.io/docs/policy-types/cluster-policy/verify-images/
    /// - https://docs.sigstore.dev/policy-controller/overview/
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#images
    pub static RULE = {
        code: "KC703",
        name: "image-signatures-not-enforced",
        item: "7.3",
        severity: Severity::Medium,
        evidence: Evidence::Cluster,
        title: Text::fixed(
            "Image signatures are not verified at admission",
            "准入时未强制验证镜像签名",
        ),
        fix: Text::fixed(
            "Verify image signatures at admission in Enforce mode (Kyverno verifyImages, sigstore policy-controller), or pin every image by digest.",
            "在准入时以强制模式验证镜像签名（Kyverno verifyImages、sigstore policy-controller），或通过摘要固定所有镜像。",
        ),
        reads: &[
            "Namespace",
            "DaemonSet",
            "Deployment",
            "ClusterPolicy",
            "Policy",
            "ImageValidatingPolicy",
            "ClusterImagePolicy",
            "MutatingWebhookConfiguration",
            "ConstraintTemplate",
        ],
        check: Check::Inventory(check),
        doc_zh: r#"
## 检查内容
集群在准入时对镜像签名的验证：
- Kyverno 的 `verifyImages` 规则（ClusterPolicy、Policy）和 ImageValidatingPolicy：处于 `Enforce` 模式（取该条目的 `failureAction`，没有时取策略的 `validationFailureAction`；ImageValidatingPolicy 为 `Deny`）时通过，证据中列出所涉及的镜像以及策略覆盖多少个名字空间；处于 `Audit` 模式（Kyverno 的默认值），或有名字空间被覆盖回 Audit 模式时为**警告**，未签名的镜像只会被报告；
- sigstore policy-controller 的 ClusterImagePolicy：只在带有 `policy.sigstore.dev/include: "true"` 标签的名字空间中生效；有这样的名字空间时，对这些名字空间判定为通过；一个也没有，或处于 `mode: warn` 时为**警告**；
- Connaisseur（它的 Webhook）和 Ratify（由其模板生成、带 `enforcementAction: deny` 的 Gatekeeper 约束）：通过，并作记录；
- 什么都没有：给出一条提示性的问题；此时这一项就取决于摘要固定，由 KC701 在每个工作负载中检查。

只有当这里的某个阻断型验证器覆盖了镜像所在名字空间的所有 Pod 并且匹配该镜像时，KC701 才接受仅用标签固定的镜像。

## 原因
检查清单第 7.3 项：镜像应通过摘要引用，或者在准入时验证其签名，从而只运行来自可信构建的镜像。处于审计模式的策略不会阻止任何 Pod，等于什么都没验证。

## 修复
验证规则的报告没有问题之后，把它们切换到 Enforce 模式：
```yaml
verifyImages:
- imageReferences: ["registry.example.com/*"]
  failureAction: Enforce
  attestors:
  - entries:
    - keyless: {subject: "https://github.com/acme/*", issuer: "https://token.actions.githubusercontent.com"}
```
对于 sigstore policy-controller，给名字空间加上标签：
`kubectl label namespace shop policy.sigstore.dev/include=true`。

## 参考
- https://kyverno.io/docs/policy-types/cluster-policy/verify-images/
- https://docs.sigstore.dev/policy-controller/overview/
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#images
"#,
    }
}

fn check(ctx: &Context, sink: &mut Sink) {
    let inventory = ctx.inventory;
    let found = ctx.image_verifiers();
    if found.is_empty() {
        if !system_workloads_seen(inventory) {
            return;
        }
        sink.examined();
        if let Some(at) = anchor(inventory) {
            sink.inform(
                at,
                FieldPath::root(),
                Text::fixed(
                    "no admission-time image signature verification (Kyverno verifyImages, sigstore policy-controller, Connaisseur, Ratify) was seen: item 7.3 rests on digest pinning (KC701)",
                    "未发现准入时的镜像签名验证（Kyverno verifyImages、sigstore policy-controller、Connaisseur、Ratify）：第 7.3 项依赖摘要固定（KC701）",
                ),
            );
        }
        return;
    }
    sink.examined();
    let namespaces: Vec<&str> = inventory
        .of_kind("Namespace")
        .map(|n| n.name.as_str())
        .collect();
    for v in found {
        judge(inventory, v, &namespaces, sink);
    }
}

/// "images matching a, b" or "every image".
fn images(v: &Verifier) -> (String, String) {
    match &v.images {
        Some(p) if !p.is_empty() => {
            let p = p.join(", ");
            (format!("images matching {p}"), format!("匹配 {p} 的镜像"))
        }
        Some(_) => (
            "no image (no pattern)".into(),
            "任何镜像都不（无匹配模式）".into(),
        ),
        None => ("every image".into(), "所有镜像".into()),
    }
}

fn judge(inventory: &Inventory, v: &Verifier, namespaces: &[&str], sink: &mut Sink) {
    let engine = v.engine.name();
    let what = describe(v.object);
    let (img_en, img_zh) = images(v);
    let reached: Vec<&str> = namespaces
        .iter()
        .copied()
        .filter(|ns| v.reach(inventory, ns) == Reach::Full)
        .collect();
    let blocking = reached
        .iter()
        .filter(|ns| v.blocks_in(inventory, ns))
        .count();
    let total = namespaces.len();
    let (scope_en, scope_zh) = if total == 0 {
        (String::new(), String::new())
    } else {
        (
            format!(" in {} of {total} namespaces", reached.len()),
            format!("，覆盖 {total} 个名字空间中的 {} 个", reached.len()),
        )
    };
    if v.engine == Engine::Sigstore && total > 0 && reached.is_empty() {
        sink.warn(
            v.object,
            FieldPath::root(),
            text!(
                "{engine} {what} applies to no namespace: none is labelled {SIGSTORE_INCLUDE}=true",
                "{engine} {what} 不作用于任何名字空间：没有名字空间带有标签 {SIGSTORE_INCLUDE}=true",
            ),
        );
        return;
    }
    if !v.enforce {
        sink.warn(
            v.object,
            v.path.clone(),
            text!(
                "{engine} {what} checks signatures of {img_en}{scope_en} but does not block: unverified images are only reported",
                "{engine} {what} 检查{img_zh}的签名{scope_zh}，但不阻止：未验证的镜像仅被报告",
            ),
        );
        return;
    }
    if blocking < reached.len() {
        let audited = reached.len() - blocking;
        let audited_en = if audited == 1 {
            "1 namespace".to_string()
        } else {
            format!("{audited} namespaces")
        };
        sink.warn(
            v.object,
            FieldPath::parse("spec.validationFailureActionOverrides"),
            text!(
                "{engine} {what} is overridden to Audit in {audited_en}: unverified images run there",
                "{engine} {what} 在 {audited} 个名字空间中被覆盖为 Audit：未验证的镜像可在其中运行",
            ),
        );
    }
    sink.evidence(
        v.object,
        v.path.clone(),
        text!(
            "{engine} {what} blocks unverified {img_en}{scope_en}",
            "{engine} {what} 阻止未经验证的{img_zh}{scope_zh}",
        ),
    );
}

fn describe(o: &Object) -> String {
    match &o.namespace {
        Some(ns) => format!("{} {ns}/{}", o.kind, o.name),
        None => format!("{} {}", o.kind, o.name),
    }
}
