use crate::cluster_kinds::{anchor, system_workloads_seen};
use crate::{declare_rule, Check, Context, Sink};
use kcheck_model::{
    text, Evidence, FieldPath, Inventory, Node, Object, Severity, Source, Text, WORKLOAD_KINDS,
};
use rustc_hash::FxHashMap as HashMap;

declare_rule! {
    /// ## What it checks
    /// Whether Secrets come from a store outside the cluster, and through what:
    /// - the Secrets Store CSI driver (CSIDriver `secrets-store.csi.k8s.io`, SecretProviderClass
    ///   objects, pods mounting its volumes);
    /// - the External Secrets Operator (ExternalSecret, SecretStore, ClusterSecretStore);
    /// - HashiCorp Vault: the agent injector (its MutatingWebhookConfiguration, pods annotated
    ///   `vault.hashicorp.com/agent-inject: "true"`) or the Vault Secrets Operator
    ///   (VaultStaticSecret, VaultDynamicSecret);
    /// - Sealed Secrets (the controller, SealedSecret objects): encrypted in Git, plain Kubernetes
    ///   Secrets once in the cluster.
    ///
    /// Each mechanism found is evidence saying how much it is used (and each Opaque Secret of a
    /// sensitive namespace that no store manages is noted for information), and the item
    /// passes. With none, the Secrets of type `Opaque` that people made (not Helm releases, not
    /// in `kube-system`; in a manifest a Secret without `type` is Opaque) are counted: 10 or
    /// more is a **warning**, fewer an informational finding. The
    /// checklist asks for this "where appropriate", so the rule never fails.
    ///
    /// ## Why
    /// Checklist item 6.3: a Secret kept only in the cluster lives in etcd and in every backup of
    /// it, is readable by anyone with `get secrets` in its namespace, and is rotated by hand. A
    /// secret store keeps the source of truth outside, with its own access control, audit and
    /// rotation; the CSI driver can hand the value to the pod as a file without ever creating a
    /// Secret object.
    ///
    /// ## Fix
    /// Keep credentials in a secret manager (Vault, a cloud secret manager) and deliver them with
    /// the Secrets Store CSI driver or External Secrets:
    /// ```yaml
    /// apiVersion: external-secrets.io/v1
    /// kind: ExternalSecret
    /// metadata: {name: db, namespace: shop}
    /// spec:
    ///   secretStoreRef: {kind: ClusterSecretStore, name: vault}
    ///   target: {name: db}
    ///   data:
    ///   - secretKey: password
    ///     remoteRef: {key: shop/db, property: password}
    /// ```
    ///
    /// ## References
    /// - https://secrets-store-csi-driver.sigs.k8s.io/
    /// - https://external-secrets.io/latest/
    /// - https://developer.hashicorp.com/vault/docs/platform/k8s/injector
    /// - https://kubernetes.io/docs/concepts/security/secrets-good-practices/
    pub static RULE = {
        code: "KC609",
        name: "no-external-secret-store",
        item: "6.3",
        severity: Severity::Low,
        evidence: Evidence::Cluster,
        title: Text::fixed(
            "Secrets are not injected from an external store",
            "Secret 未从外部存储注入",
        ),
        fix: Text::fixed(
            "Keep credentials in an external secret manager and deliver them with the Secrets Store CSI driver, External Secrets or the Vault injector.",
            "将凭据保存在外部密钥管理系统中，通过 Secrets Store CSI 驱动、External Secrets 或 Vault 注入器交付给 Pod。",
        ),
        reads: &[
            "Namespace",
            "Secret",
            "CSIDriver",
            "MutatingWebhookConfiguration",
            "Deployment",
            "DaemonSet",
            "StatefulSet",
            "Pod",
            "SecretProviderClass",
            "ExternalSecret",
            "SecretStore",
            "ClusterSecretStore",
            "SealedSecret",
            "VaultStaticSecret",
            "VaultDynamicSecret",
        ],
        check: Check::Inventory(check),
        doc_zh: r#"
## 检查内容
Secret 是否来自集群外部的存储，以及经由什么机制：
- Secrets Store CSI 驱动（CSIDriver `secrets-store.csi.k8s.io`、SecretProviderClass 对象、挂载其卷的 Pod）；
- External Secrets Operator（ExternalSecret、SecretStore、ClusterSecretStore）；
- HashiCorp Vault：代理注入器（其 MutatingWebhookConfiguration，以及带有注解 `vault.hashicorp.com/agent-inject: "true"` 的 Pod），或 Vault Secrets Operator（VaultStaticSecret、VaultDynamicSecret）；
- Sealed Secrets（控制器、SealedSecret 对象）：在 Git 中是加密的，进入集群后就是普通的 Kubernetes Secret。

找到的每种机制都作为证据，说明其使用程度（敏感名字空间中每个不由任何外部存储管理的 Opaque Secret 也会以提示列出），该检查项通过。一种都没有时，统计由人创建的 `Opaque` 类型 Secret（不含 Helm 发布记录，也不含 `kube-system` 中的 Secret；在清单文件中，未写 `type` 的 Secret 就是 Opaque）：10 个及以上为**警告**，少于 10 个为提示性问题。检查清单对此的要求是“如果合适”，因此本规则从不判为不通过。

## 原因
检查清单第 6.3 项：只保存在集群中的 Secret 存在于 etcd 及其每一份备份中，名字空间内任何拥有 `get secrets` 权限的人都能读取，而且只能手工轮换。外部密钥存储把权威数据保存在集群之外，并有自己的访问控制、审计和轮换机制；CSI 驱动还能以文件形式把值交给 Pod，完全不创建 Secret 对象。

## 修复
把凭据保存在密钥管理系统中（Vault、云厂商的密钥管理服务），通过 Secrets Store CSI 驱动或 External Secrets 交付：
```yaml
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: db, namespace: shop}
spec:
  secretStoreRef: {kind: ClusterSecretStore, name: vault}
  target: {name: db}
  data:
  - secretKey: password
    remoteRef: {key: shop/db, property: password}
```

## 参考
- https://secrets-store-csi-driver.sigs.k8s.io/
- https://external-secrets.io/latest/
- https://developer.hashicorp.com/vault/docs/platform/k8s/injector
- https://kubernetes.io/zh-cn/docs/concepts/security/secrets-good-practices/
"#,
    }
}

/// From this many people-made Opaque Secrets without any store, the rule warns.
const MANY: usize = 10;

const CSI_DRIVER: &str = "secrets-store.csi.k8s.io";

/// One mechanism seen: its name, the object that shows it, and what uses it.
struct Store<'a> {
    name: Text,
    object: &'a Object,
    usage_en: String,
    usage_zh: String,
}

fn check(ctx: &Context, sink: &mut Sink) {
    let inventory = ctx.inventory;
    let stores = stores(inventory);
    let secrets = inventory.count_kind("Secret");
    if stores.is_empty() && secrets == 0 && !system_workloads_seen(inventory) {
        return;
    }
    sink.examined();
    if !stores.is_empty() {
        for s in stores {
            let at = s.object.reference();
            let name_en = capitalised(&s.name.en);
            let name_zh = &s.name.zh;
            let (en, zh) = (&s.usage_en, &s.usage_zh);
            sink.evidence(
                s.object,
                FieldPath::root(),
                text!(
                    "{name_en} is in use ({at}): {en}",
                    "正在使用 {name_zh}（{at}）：{zh}",
                ),
            );
        }
        // Where a store is in use, a sensitive namespace's own Secrets that no store manages
        // are worth knowing: the "where appropriate" of the checklist is a judgement only
        // people can make.
        for secret in inventory.of_kind("Secret").filter(|s| {
            people_made_opaque(s) && !owned(s) && crate::analysis::sensitivity::is_sensitive(s, ctx)
        }) {
            let (ns, name) = (
                secret.namespace.as_deref().unwrap_or("default"),
                &secret.name,
            );
            sink.inform(
                secret,
                FieldPath::root(),
                text!(
                    "Secret {ns}/{name} of a sensitive namespace lives only in the cluster, while an external store is in use",
                    "敏感名字空间中的 Secret {ns}/{name} 只保存在集群中，而集群已在使用外部密钥存储",
                ),
            );
        }
        return;
    }
    let mut by_ns: HashMap<&str, usize> = HashMap::default();
    for s in inventory
        .of_kind("Secret")
        .filter(|s| people_made_opaque(s))
    {
        *by_ns
            .entry(s.namespace.as_deref().unwrap_or("default"))
            .or_default() += 1;
    }
    let total: usize = by_ns.values().sum();
    let mut top: Vec<(&str, usize)> = by_ns.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let more = top.len().saturating_sub(3);
    let shown: Vec<String> = top
        .iter()
        .take(3)
        .map(|(ns, n)| format!("{ns}: {n}"))
        .collect();
    let shown = shown.join(", ");
    let (more_en, more_zh) = if more > 0 {
        (
            format!(", {more} more namespaces"),
            format!("，另有 {more} 个名字空间"),
        )
    } else {
        (String::new(), String::new())
    };
    let at = inventory
        .of_kind("Secret")
        .find(|s| people_made_opaque(s))
        .and_then(|s| s.namespace.as_deref())
        .and_then(|ns| inventory.get("Namespace", None, ns))
        .or_else(|| anchor(inventory))
        .or_else(|| inventory.of_kind("Secret").next());
    let Some(at) = at else { return };
    if total >= MANY {
        sink.warn(
            at,
            FieldPath::root(),
            text!(
                "no external secret store is used, and {total} Opaque Secrets live only in the cluster ({shown}{more_en})",
                "未使用外部密钥存储，{total} 个 Opaque 类型的 Secret 只保存在集群中（{shown}{more_zh}）",
            ),
        );
    } else {
        sink.inform(
            at,
            FieldPath::root(),
            text!(
                "no external secret store is used; {total} Opaque Secrets live only in the cluster",
                "未使用外部密钥存储；{total} 个 Opaque 类型的 Secret 只保存在集群中",
            ),
        );
    }
}

/// A Secret people made: type `Opaque`, not a Helm release, not in `kube-system`. In a manifest
/// a Secret without `type` is Opaque (the API's default); from the API, whose Secrets are listed
/// as metadata with the type kept for Opaque and token Secrets only, a missing type is another
/// type.
fn people_made_opaque(s: &Object) -> bool {
    let opaque = match (s.root.str_at("type"), &s.source) {
        (Some(t), _) => t == "Opaque",
        (None, Source::File { .. }) => s.annotation("kubernetes.io/service-account.name").is_none(),
        (None, Source::Api { .. }) => false,
    };
    opaque
        && s.namespace.as_deref() != Some("kube-system")
        && s.label("owner") != Some("helm")
        && !s.name.starts_with("sh.helm.release.")
}

/// The text with its first letter in upper case, to open a sentence.
fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn owned(o: &Object) -> bool {
    o.metadata()
        .and_then(|m| m.get("ownerReferences"))
        .is_some_and(|r| !r.as_seq().is_empty())
}

/// Workloads (those no controller owns) whose pods match `pred`.
fn workloads_where(inventory: &Inventory, pred: impl Fn(&Object) -> bool) -> usize {
    WORKLOAD_KINDS
        .iter()
        .flat_map(|k| inventory.of_kind(k))
        .filter(|o| !owned(o) && pred(o))
        .count()
}

fn mounts_csi_secrets(o: &Object) -> bool {
    o.pod_spec().is_some_and(|pod| {
        pod.get("volumes")
            .map_or(&[][..], Node::as_seq)
            .iter()
            .any(|v| v.path(&["csi", "driver"]).and_then(Node::as_str) == Some(CSI_DRIVER))
    })
}

fn vault_injected(o: &Object) -> bool {
    o.pod_spec()
        .is_some_and(|pod| pod.annotation("vault.hashicorp.com/agent-inject") == Some("true"))
}

fn first_workload(inventory: &Inventory, pred: impl Fn(&Object) -> bool) -> Option<&Object> {
    ["Deployment", "DaemonSet", "StatefulSet"]
        .iter()
        .flat_map(|k| inventory.of_kind(k))
        .find(|o| pred(o))
}

fn counted(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn stores(inventory: &Inventory) -> Vec<Store<'_>> {
    let mut out = Vec::new();
    let n = |k: &str| inventory.count_kind(k);

    let csi = inventory
        .get("CSIDriver", None, CSI_DRIVER)
        .or_else(|| first_workload(inventory, |o| o.name.starts_with("csi-secrets-store")))
        .or_else(|| inventory.of_kind("SecretProviderClass").next());
    if let Some(object) = csi {
        let (classes, pods) = (
            n("SecretProviderClass"),
            workloads_where(inventory, mounts_csi_secrets),
        );
        out.push(Store {
            name: Text::fixed("the Secrets Store CSI driver", "Secrets Store CSI 驱动"),
            object,
            usage_en: format!(
                "{}, {} mounting its volumes",
                counted(classes, "SecretProviderClass", "SecretProviderClasses"),
                counted(pods, "workload", "workloads")
            ),
            usage_zh: format!("{classes} 个 SecretProviderClass,{pods} 个工作负载挂载其卷"),
        });
    }

    let eso = ["ClusterSecretStore", "SecretStore", "ExternalSecret"]
        .iter()
        .find_map(|k| inventory.of_kind(k).next())
        .or_else(|| first_workload(inventory, |o| o.name == "external-secrets"));
    if let Some(object) = eso {
        let stores = n("SecretStore") + n("ClusterSecretStore");
        let secrets = n("ExternalSecret");
        out.push(Store {
            name: Text::fixed("External Secrets", "External Secrets"),
            object,
            usage_en: format!(
                "{}, {}",
                counted(stores, "secret store", "secret stores"),
                counted(secrets, "ExternalSecret", "ExternalSecrets")
            ),
            usage_zh: format!("{stores} 个密钥存储，{secrets} 个 ExternalSecret"),
        });
    }

    let injector = inventory
        .of_kind("MutatingWebhookConfiguration")
        .find(|o| o.name.contains("vault-agent-injector"))
        .or_else(|| first_workload(inventory, |o| o.name.contains("vault-agent-injector")))
        .or_else(|| first_workload(inventory, vault_injected));
    if let Some(object) = injector {
        let pods = workloads_where(inventory, vault_injected);
        out.push(Store {
            name: Text::fixed("the Vault agent injector", "Vault 代理注入器"),
            object,
            usage_en: format!(
                "{} annotated vault.hashicorp.com/agent-inject",
                counted(pods, "workload", "workloads")
            ),
            usage_zh: format!("{pods} 个工作负载带有 vault.hashicorp.com/agent-inject 注解"),
        });
    }

    let vso = ["VaultStaticSecret", "VaultDynamicSecret"]
        .iter()
        .find_map(|k| inventory.of_kind(k).next());
    if let Some(object) = vso {
        let secrets = n("VaultStaticSecret") + n("VaultDynamicSecret");
        out.push(Store {
            name: Text::fixed("the Vault Secrets Operator", "Vault Secrets Operator"),
            object,
            usage_en: counted(secrets, "Vault secret", "Vault secrets"),
            usage_zh: format!("{secrets} 个 Vault Secret"),
        });
    }

    let sealed = first_workload(inventory, |o| o.name.starts_with("sealed-secrets"))
        .or_else(|| inventory.of_kind("SealedSecret").next());
    if let Some(object) = sealed {
        let secrets = n("SealedSecret");
        out.push(Store {
            name: Text::fixed("Sealed Secrets", "Sealed Secrets"),
            object,
            usage_en: format!(
                "{} (decrypted into ordinary Secrets in the cluster)",
                counted(secrets, "SealedSecret", "SealedSecrets")
            ),
            usage_zh: format!("{secrets} 个 SealedSecret（在集群中解密为普通 Secret）"),
        });
    }
    out
}
