use crate::analysis::certificates::{date, lifetime_problems, DAY, MAX_LIFETIME_DAYS};
use crate::analysis::components::evidence;
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::facts::{Certificate, ComponentKind, Distro};
use kcheck_model::{text, Evidence, NodeFacts, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// Every intermediate and leaf certificate the node scan found: in the PKI directory, in
    /// files that component flags name, and inside kubeconfigs (embedded or referenced). Root
    /// CAs (self-signed CA certificates) are not held to the limit; their expiry date is
    /// reported for information.
    ///
    /// - valid for more than 3 years (notAfter minus notBefore), or expiring more than 3 years
    ///   after the scan: failure;
    /// - expired: failure;
    /// - expiring within 30 days: warning.
    ///
    /// A certificate found in several places (the cluster CA embedded in every kubeconfig) is
    /// reported once, at its file when it has one.
    ///
    /// kube-controller-manager's `--cluster-signing-duration` (one year by default), the
    /// lifetime of every certificate it signs for CSRs, over 3 years: failure.
    ///
    /// On k3s and RKE2, whose client and server certificates last 365 days and are renewed
    /// each time the server or agent starts once fewer than 90 days are left, certificates in
    /// that window are noted as evidence (a restart renews them; the CAs are not renewed).
    ///
    /// "3 years" is 1096 days: three years of 365 days plus the one leap day any three
    /// consecutive years can hold, so a certificate issued for exactly three calendar years
    /// passes.
    ///
    /// ## Why
    /// Checklist item 1.4: Kubernetes cannot revoke certificates, so a leaked client or server
    /// certificate stays valid until it expires. Short lifetimes bound that exposure and keep
    /// the rotation procedure exercised; an expired certificate breaks the component using it.
    ///
    /// ## Fix
    /// Re-issue long-lived certificates with a shorter lifetime, and renew the ones close to
    /// expiry. kubeadm issues leaf certificates for one year and renews them on upgrade or with:
    /// ```sh
    /// kubeadm certs check-expiration
    /// kubeadm certs renew all
    /// ```
    /// Let the kubelet rotate its own certificates (`rotateCertificates: true` in the
    /// KubeletConfiguration).
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#authentication-authorization
    /// - https://kubernetes.io/docs/tasks/administer-cluster/kubeadm/kubeadm-certs/
    /// - https://kubernetes.io/docs/tasks/tls/certificate-rotation/
    pub static RULE = {
        code: "KC110",
        name: "certificate-lifetime",
        item: "1.4",
        severity: Severity::Medium,
        evidence: Evidence::Node,
        title: Text::fixed(
            "Certificate valid for more than 3 years, expired or about to expire",
            "证书有效期超过 3 年、已过期或即将过期",
        ),
        fix: Text::fixed(
            "Re-issue the certificate with a lifetime of at most 3 years (kubeadm: 1 year) and renew it before it expires.",
            "重新签发有效期不超过 3 年的证书（kubeadm 默认 1 年），并在过期前续期。",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
节点扫描找到的所有中间证书和叶子证书：包括 PKI 目录中的证书、组件参数所指定文件中的证书，以及 kubeconfig 中（内嵌或引用）的证书。根 CA（自签名的 CA 证书）不受此期限限制，其到期日期仅作为提示报告。

- 有效期超过 3 年（`notAfter` 减去 `notBefore`），或到期时间在扫描时刻 3 年之后：不通过；
- 已过期：不通过；
- 30 天内到期：警告。

在多处出现的同一证书（例如内嵌在每个 kubeconfig 中的集群 CA）只报告一次；如果它有对应的文件，就报告在该文件上。

kube-controller-manager 的 `--cluster-signing-duration`（默认为一年）即它为 CSR 签发的每个证书的有效期，超过 3 年：不通过。

k3s 和 RKE2 的客户端与服务端证书有效期为 365 天，剩余不足 90 天时会在服务器或 agent 每次启动时自动续期；处于这一期间的证书会作为证据注明（重启即可续期；CA 不会自动续期）。

“3 年”按 1096 天计：三个 365 天的年份，加上任意连续三年中最多可能包含的一个闰日，因此有效期恰好为三个日历年的证书可以通过。

## 原因
检查清单第 1.4 项：Kubernetes 无法吊销证书，泄露的客户端证书或服务器证书在过期之前一直有效。较短的有效期限制了这种暴露的时长，也让证书轮换流程得到经常演练；而证书一旦过期，使用它的组件就无法工作。

## 修复
以较短的有效期重新签发长期有效的证书，并为即将过期的证书续期。kubeadm 签发的叶子证书有效期为一年，在升级时会自动续期，也可以用以下命令续期：
```sh
kubeadm certs check-expiration
kubeadm certs renew all
```
让 kubelet 自行轮换其证书（在 KubeletConfiguration 中设置 `rotateCertificates: true`）。

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#authentication-authorization
- https://kubernetes.io/zh-cn/docs/tasks/administer-cluster/kubeadm/kubeadm-certs/
- https://kubernetes.io/zh-cn/docs/tasks/tls/certificate-rotation/
"#,
    }
}

fn place(cert: &Certificate) -> NodePlace {
    let place = NodePlace::file(&cert.path);
    if cert.within.is_empty() {
        place
    } else {
        place.at(cert.within.clone())
    }
}

/// Each certificate once: the same certificate in several places (a CA embedded in every
/// kubeconfig, a file and a copy) is judged at its first file, else its first place.
fn distinct(certs: &[Certificate]) -> Vec<&Certificate> {
    let mut chosen: Vec<&Certificate> = Vec::new();
    for cert in certs {
        let twin = (!cert.fingerprint.is_empty())
            .then(|| {
                chosen
                    .iter()
                    .position(|c| c.fingerprint == cert.fingerprint)
            })
            .flatten();
        match twin {
            None => chosen.push(cert),
            Some(i) if !chosen[i].within.is_empty() && cert.within.is_empty() => chosen[i] = cert,
            Some(_) => {}
        }
    }
    chosen
}

fn check(facts: &NodeFacts, ctx: &Context, sink: &mut Sink) {
    let now = ctx.now.unix();
    signing_duration(facts, sink);
    for cert in distinct(&facts.certificates) {
        let what = cert.display_place();
        let cn = &cert.common_name;
        let until = date(cert.not_after);
        let left = (cert.not_after - now).div_euclid(DAY);
        if cert.is_ca && cert.self_signed {
            let message = if cert.not_after < now {
                let ago = -left;
                text!(
                    "root CA {what} (CN={cn}) expired on {until}, {ago} days ago",
                    "根 CA {what}（CN={cn}）已于 {until} 过期（{ago} 天前）",
                )
            } else {
                text!(
                    "root CA {what} (CN={cn}) is valid until {until} ({left} days left)",
                    "根 CA {what}（CN={cn}）有效期至 {until}（剩余 {left} 天）",
                )
            };
            sink.inform_on_node(place(cert), message);
            continue;
        }
        sink.examined();
        for (fail, message) in lifetime_problems(cert, &what, now) {
            if fail {
                sink.fail_on_node(place(cert), message);
            } else {
                sink.warn_on_node(place(cert), message);
            }
        }
    }
    if facts.certificates.is_empty() {
        evidence::note_missing_where(facts, |w| w == "pki", sink);
    }
    rancher_rotation(facts, now, sink);
}

/// k3s and RKE2 renew their own client and server certificates (not their CAs) when they start,
/// once fewer than 90 days are left: what is about to expire there is renewed by a restart.
fn rancher_rotation(facts: &NodeFacts, now: i64, sink: &mut Sink) {
    let Some(d) = facts
        .distro
        .as_ref()
        .filter(|d| matches!(d.distro, Distro::K3s | Distro::Rke2))
    else {
        return;
    };
    let name = d.distro.name();
    let due = distinct(&facts.certificates)
        .into_iter()
        .filter(|c| !c.is_ca && c.not_after - now < RANCHER_RENEWAL_DAYS * DAY)
        .count();
    if due == 0 {
        return;
    }
    sink.evidence_on_node(
        NodePlace::file(&format!("/var/lib/rancher/{name}")),
        text!(
            "{due} of {name}'s client and server certificates have fewer than 90 days left: {name} renews them each time it starts (restart it, or run {name} certificate rotate); its CAs are not renewed",
            "{name} 有 {due} 个客户端和服务端证书剩余有效期不足 90 天：{name} 每次启动时会自动续期这些证书（重启它，或运行 {name} certificate rotate）；其 CA 不会自动续期",
        ),
    );
}

/// k3s and RKE2 renew a certificate at start when it has fewer days than this left.
const RANCHER_RENEWAL_DAYS: i64 = 90;

/// The lifetime of the certificates kube-controller-manager signs for CSRs (kubelet client and
/// serving certificates, and any approved request): `--cluster-signing-duration`, one year by
/// default.
fn signing_duration(facts: &NodeFacts, sink: &mut Sink) {
    let Some(cm) = facts.component(ComponentKind::ControllerManager) else {
        return;
    };
    sink.examined();
    let flag = [
        "cluster-signing-duration",
        "experimental-cluster-signing-duration",
    ]
    .into_iter()
    .find(|f| cm.flags.get(f).is_some());
    let Some(flag) = flag else {
        return;
    };
    let value = cm.flags.get(flag).unwrap_or_default();
    let Some(seconds) = kcheck_model::go_duration_seconds(value) else {
        return;
    };
    if seconds > (MAX_LIFETIME_DAYS * DAY) as f64 {
        let (days, origin) = ((seconds / DAY as f64).floor(), &cm.origin);
        sink.fail_on_node(
            NodePlace::flag(cm, flag),
            text!(
                "kube-controller-manager ({origin}) signs certificates valid for {value} ({days} days, --{flag}): more than 3 years",
                "kube-controller-manager（{origin}）签发的证书有效期为 {value}（{days} 天，--{flag}）：超过 3 年",
            ),
        );
    }
}
