use crate::analysis::certificates::date;
use crate::analysis::certificates::{pem_values, values_not_read};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// Secrets that hold a CA certificate together with its private key (a PEM block labelled
    /// `PRIVATE KEY` in `<name>.key` beside the certificate in `<name>.crt`, `tls.key` with
    /// `tls.crt` most often, or both in one value), as cert-manager CA issuers, service meshes
    /// and hand-made "internal CA" Secrets keep them. A leaf's key with its issuer's certificate
    /// in `ca.crt` is not a CA key.
    /// - the CA is a root (self-signed): **fail**, the root CA's key is online in the cluster,
    ///   readable by everyone who may read Secrets in its namespace (and by the API server's
    ///   storage);
    /// - an intermediate CA: **warn**, an online issuing CA is expected, but its key must be
    ///   guarded like one.
    ///
    /// The key itself is never decoded beyond its label, and never shown. In a cluster audit
    /// without `--read-secret-data` the values of Secrets are not read: the item then says that
    /// they were not examined.
    ///
    /// ## Why
    /// Checklist item 1.3: the root CA is protected, offline or online with strict access
    /// control. A root key in a Secret lets anyone with `get secrets` in that namespace (or a
    /// backup of etcd) mint certificates the whole PKI trusts.
    ///
    /// ## Fix
    /// Keep the root CA offline; give the cluster an intermediate CA with a short lifetime,
    /// in a namespace only the issuer can read, or an external issuer (Vault, a cloud CA):
    /// ```yaml
    /// apiVersion: cert-manager.io/v1
    /// kind: ClusterIssuer
    /// spec:
    ///   vault:
    ///     path: pki_int/sign/cluster
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#authentication-authorization
    /// - https://cert-manager.io/docs/configuration/ca/
    pub static RULE = {
        code: "KC112",
        name: "ca-key-in-secret",
        item: "1.3",
        severity: Severity::High,
        evidence: Evidence::Objects,
        title: Text::fixed(
            "A Secret holds a CA certificate's private key",
            "Secret 中保存了 CA 证书的私钥",
        ),
        fix: Text::fixed(
            "Keep the root CA key offline; give the cluster a short-lived intermediate CA or an external issuer, and restrict who can read its Secret.",
            "将根 CA 私钥离线保存；为集群使用短有效期的中间 CA 或外部签发者，并限制可读取其 Secret 的主体。",
        ),
        admission: Admission::Judged,
        check: Check::Object { kinds: &["Secret"], run: check },
        doc_zh: r#"
## 检查内容
同时保存 CA 证书及其私钥的 Secret：`<name>.crt` 中的证书旁边有 `<name>.key`，其中含有标记为 `PRIVATE KEY` 的 PEM 块（最常见的是 `tls.crt` 与 `tls.key`），或者二者位于同一个值中。cert-manager 的 CA 签发者、服务网格以及手工创建的“内部 CA” Secret 都是这样保存 CA 的。叶子证书的私钥与放在 `ca.crt` 中的签发者证书放在一起时，不算 CA 私钥。
- 该 CA 是根 CA（自签名）：**不通过**，根 CA 的私钥在集群中在线存放，凡是能读取该名字空间中 Secret 的人都能读到它（API 服务器的存储也能读到）；
- 该 CA 是中间 CA：**警告**，在线的签发 CA 是正常的，但其私钥必须按 CA 私钥的标准加以保护。

除读取标记外，私钥本身从不解码，也从不显示。在集群审计中，如果未指定 `--read-secret-data`，则不读取 Secret 的值：此时本项会说明这些 Secret 未被检查。

## 原因
检查清单第 1.3 项：根证书要受到保护，或者离线，或者在线但具有严格的访问控制。根 CA 私钥放在 Secret 中，任何在该名字空间拥有 `get secrets` 权限的人（或者拿到 etcd 备份的人）都能签发整个 PKI 都信任的证书。

## 修复
让根 CA 保持离线；为集群提供一个有效期较短的中间 CA，放在只有签发者能读取的名字空间中，或者使用外部签发者（Vault、云服务商的 CA）：
```yaml
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
spec:
  vault:
    path: pki_int/sign/cluster
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#authentication-authorization
- https://cert-manager.io/docs/configuration/ca/
"#,
    }
}

fn check(secret: &Object, ctx: &Context, sink: &mut Sink) {
    if values_not_read(ctx, sink) {
        return;
    }
    judge(secret, sink);
}

fn judge(secret: &Object, sink: &mut Sink) {
    let values = pem_values(secret);
    if values.iter().all(|v| v.certificates.is_empty()) {
        return;
    }
    sink.examined();
    let Some(key) = values.iter().find(|v| v.private_keys > 0) else {
        return;
    };
    // The certificate the key pairs with: the first of `<name>.crt` beside `<name>.key`
    // (tls.key with tls.crt, ca.key with ca.crt), else of the value that holds both.
    let partner = key
        .key
        .strip_suffix(".key")
        .map(|stem| format!("{stem}.crt"))
        .and_then(|crt| values.iter().find(|v| v.key == crt))
        .unwrap_or(key);
    let Some(ca) = partner.certificates.first().filter(|c| c.is_ca) else {
        return;
    };
    let (ns, name, cn) = (
        secret.namespace.as_deref().unwrap_or("default"),
        &secret.name,
        &ca.common_name,
    );
    let (field, until) = (&key.key, date(ca.not_after));
    if ca.self_signed {
        sink.fail(
            secret,
            key.path.clone(),
            text!(
                "Secret {ns}/{name} holds the private key ({field}) of root CA \"{cn}\" (valid until {until}): anyone who can read Secrets in namespace {ns} can sign certificates it trusts",
                "Secret {ns}/{name} 保存了根 CA \"{cn}\"（有效期至 {until}）的私钥（{field}）：任何可读取名字空间 {ns} 中 Secret 的主体都能签发受其信任的证书",
            ),
        );
    } else {
        sink.warn(
            secret,
            key.path.clone(),
            text!(
                "Secret {ns}/{name} holds the private key ({field}) of intermediate CA \"{cn}\" (valid until {until}): restrict who can read Secrets in namespace {ns}",
                "Secret {ns}/{name} 保存了中间 CA \"{cn}\"（有效期至 {until}）的私钥（{field}）：请限制可读取名字空间 {ns} 中 Secret 的主体",
            ),
        );
    }
}
