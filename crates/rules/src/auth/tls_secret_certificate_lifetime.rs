use crate::analysis::certificates::{lifetime_problems, MAX_LIFETIME_DAYS};
use crate::analysis::certificates::{pem_values, values_not_read};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Node, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// The certificates the cluster keeps and issues itself:
    /// - every intermediate and leaf certificate in a Secret's values (`tls.crt`, `ca.crt`, any
    ///   value holding PEM): valid for more than 3 years (notAfter minus notBefore), or until
    ///   more than 3 years from today, or expired: **fail**; expiring within 30 days: **warn**.
    ///   Root CAs (self-signed CA certificates) are not held to the limit (KC112 judges where
    ///   their keys are);
    /// - cert-manager `Certificate` resources whose `spec.duration` is longer than 3 years:
    ///   **fail** (every certificate they issue lives that long).
    ///
    /// In a cluster audit without `--read-secret-data` the values of Secrets are not read: the
    /// item then says that their certificates were not examined.
    ///
    /// ## Why
    /// Checklist item 1.4: intermediate and leaf certificates have an expiry date no more than
    /// 3 years in the future. A long-lived certificate whose key leaks stays usable for years,
    /// and revocation is rarely checked.
    ///
    /// ## Fix
    /// Issue certificates for a year or less and renew them automatically:
    /// ```yaml
    /// apiVersion: cert-manager.io/v1
    /// kind: Certificate
    /// spec:
    ///   duration: 2160h    # 90 days
    ///   renewBefore: 360h
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#authentication-authorization
    /// - https://cert-manager.io/docs/usage/certificate/
    pub static RULE = {
        code: "KC111",
        name: "tls-secret-certificate-lifetime",
        item: "1.4",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        title: Text::fixed(
            "A certificate in a Secret, or issued by cert-manager, is valid for more than 3 years",
            "Secret 中的证书或 cert-manager 签发的证书有效期超过 3 年",
        ),
        fix: Text::fixed(
            "Reissue the certificate valid for at most 3 years (a year or less, renewed automatically, is better).",
            "重新签发有效期不超过 3 年的证书（最好为一年或更短，并自动续期）。",
        ),
        admission: Admission::Judged,
        check: Check::Object { kinds: &["Secret", "Certificate"], run: check },
        doc_zh: r#"
## 检查内容
集群自身保存和签发的证书：
- Secret 的值（`tls.crt`、`ca.crt` 以及任何包含 PEM 的值）中的每个中间证书和叶子证书：有效期超过 3 年（`notAfter` 减去 `notBefore`），或到期时间在今天起 3 年之后，或已过期：**不通过**；30 天内到期：**警告**。根 CA（自签名的 CA 证书）不受此期限限制（其私钥存放在何处由 KC112 判断）；
- `spec.duration` 长于 3 年的 cert-manager `Certificate` 资源：**不通过**（它签发的每个证书都会有这么长的有效期）。

在集群审计中，如果未指定 `--read-secret-data`，则不读取 Secret 的值：此时本项会说明其中的证书未被检查。

## 原因
检查清单第 1.4 项：中间证书和叶子证书的有效期不要超过未来 3 年。长期有效的证书一旦私钥泄露，数年之内都可以被利用，而证书是否被吊销很少有人检查。

## 修复
签发有效期为一年或更短的证书，并自动续期：
```yaml
apiVersion: cert-manager.io/v1
kind: Certificate
spec:
  duration: 2160h    # 90 天
  renewBefore: 360h
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#authentication-authorization
- https://cert-manager.io/docs/usage/certificate/
"#,
    }
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    match object.kind.as_str() {
        "Secret" => {
            if !values_not_read(ctx, sink) {
                judge_secret(object, ctx.now.unix(), sink);
            }
        }
        _ => {
            if object.api_version.starts_with("cert-manager.io/") {
                judge_duration(object, sink);
            }
        }
    }
}

fn judge_secret(secret: &Object, now: i64, sink: &mut Sink) {
    let mut seen: Vec<String> = Vec::new();
    for value in pem_values(secret) {
        for cert in &value.certificates {
            if cert.is_ca && cert.self_signed {
                continue;
            }
            if !cert.fingerprint.is_empty() && seen.contains(&cert.fingerprint) {
                continue;
            }
            seen.push(cert.fingerprint.clone());
            sink.examined();
            for (fail, message) in lifetime_problems(cert, &value.key, now) {
                if fail {
                    sink.fail(secret, value.path.clone(), message);
                } else {
                    sink.warn(secret, value.path.clone(), message);
                }
            }
        }
    }
}

fn judge_duration(certificate: &Object, sink: &mut Sink) {
    sink.examined();
    let Some(duration) = certificate
        .root
        .path(&["spec", "duration"])
        .and_then(Node::as_str)
    else {
        return;
    };
    let Some(seconds) = kcheck_model::go_duration_seconds(duration) else {
        return;
    };
    if seconds > (MAX_LIFETIME_DAYS * 86_400) as f64 {
        let days = (seconds / 86_400.0).floor();
        let name = &certificate.name;
        sink.fail(
            certificate,
            FieldPath::parse("spec.duration"),
            text!(
                "Certificate \"{name}\" asks for certificates valid for {duration} ({days} days): more than 3 years",
                "Certificate \"{name}\" 请求的证书有效期为 {duration}（{days} 天）：超过 3 年",
            ),
        );
    }
}
