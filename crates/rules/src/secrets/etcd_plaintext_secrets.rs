use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::{text, Evidence, NodeFacts, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// What etcd itself holds, when the node scan was given `--etcd-endpoint`: every value under
    /// `/registry/secrets/` that does not start with `k8s:enc:` is a Secret stored in plaintext:
    /// **fail**, one finding per Secret, named `<namespace>/<name>` (values are never read into
    /// the report). The providers that encrypted the others are listed as **info**. A scan that
    /// could not run or was cut short, or found no Secret at all (another `--etcd-prefix`?), is
    /// **info** and leaves the item to the other rules (Secrets a cut-short scan did find in
    /// plaintext still fail); without an etcd scan this rule looks at nothing.
    ///
    /// ## Why
    /// Checklist item 6.2: an EncryptionConfiguration only encrypts what is written after it
    /// takes effect. Secrets created before, or written while `identity` came first, stay in
    /// plaintext in etcd, its snapshots and backups, until they are rewritten.
    ///
    /// ## Fix
    /// With encryption at rest configured (see KC607), rewrite every Secret so that it is stored
    /// again through the first provider:
    /// ```sh
    /// kubectl get secrets --all-namespaces -o json | kubectl replace -f -
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/#verifying-that-data-is-encrypted
    /// - https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/#ensure-all-secrets-are-encrypted
    pub static RULE = {
        code: "KC608",
        name: "etcd-plaintext-secrets",
        item: "6.2",
        severity: Severity::High,
        evidence: Evidence::Node,
        nodes: crate::Nodes::ControlPlane,
        title: Text::fixed(
            "Secret stored in etcd without encryption",
            "Secret 在 etcd 中未加密存储",
        ),
        fix: Text::fixed(
            "Configure encryption at rest, then rewrite all Secrets: kubectl get secrets -A -o json | kubectl replace -f -",
            "配置静态加密后重写所有 Secret：kubectl get secrets -A -o json | kubectl replace -f -",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
节点扫描指定了 `--etcd-endpoint` 时，检查 etcd 本身保存的内容：`/registry/secrets/` 下每个不以 `k8s:enc:` 开头的值，都是一个以明文存储的 Secret：**不通过**，每个 Secret 一个问题，以 `<namespace>/<name>` 命名（其值从不读入报告）。对其余 Secret 进行加密的提供程序以**提示**列出。扫描无法运行或被中途截断，或者根本没有找到任何 Secret（也许需要换一个 `--etcd-prefix`？）时，结果为**提示**，该检查项交由其他规则判断（被截断的扫描确实发现的明文 Secret 仍然不通过）；没有 etcd 扫描时，本规则不检查任何内容。

## 原因
检查清单第 6.2 项：EncryptionConfiguration 只加密它生效之后写入的数据。在此之前创建的 Secret，或者在 `identity` 排在首位期间写入的 Secret，在被重写之前，会一直以明文形式留在 etcd 及其快照和备份中。

## 修复
配置好静态加密（参见 KC607）之后，重写所有 Secret，使它们重新经由首个提供程序存储：
```sh
kubectl get secrets --all-namespaces -o json | kubectl replace -f -
```

## 参考
- https://kubernetes.io/zh-cn/docs/tasks/administer-cluster/encrypt-data/#verifying-that-data-is-encrypted
- https://kubernetes.io/zh-cn/docs/tasks/administer-cluster/encrypt-data/#ensure-all-secrets-are-encrypted
"#,
    }
}

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    let Some(scan) = &facts.etcd else {
        return;
    };
    let endpoint = scan.endpoint.as_str();
    if let Some(error) = &scan.error {
        sink.not_examined_on_node(
            NodePlace::file(endpoint),
            text!(
                "etcd at {endpoint} could not be read ({error}); stored Secrets were not all checked",
                "无法读取 {endpoint} 上的 etcd（{error}）；未能检查全部已存储的 Secret",
            ),
        );
    } else if scan.total == 0 {
        sink.not_examined_on_node(
            NodePlace::file(endpoint),
            text!(
                "etcd at {endpoint} has no key under /registry/secrets/ (is another --etcd-prefix in use?); stored Secrets were not checked",
                "{endpoint} 上的 etcd 在 /registry/secrets/ 下没有任何键（是否使用了其他 --etcd-prefix?）；未检查已存储的 Secret",
            ),
        );
        return;
    }
    // A scan cut short still proves what it found in plaintext; a clean partial one proves
    // nothing.
    if scan.error.is_some() && scan.plaintext.is_empty() {
        return;
    }
    sink.examined();
    let mut plaintext: Vec<&str> = scan.plaintext.iter().map(String::as_str).collect();
    plaintext.sort_unstable();
    for key in plaintext {
        let secret = secret_name(key);
        sink.fail_on_node(
            NodePlace::file(endpoint).at(key),
            text!(
                "Secret {secret} is stored in etcd without encryption",
                "Secret {secret} 在 etcd 中未加密存储",
            ),
        );
    }
    if scan.error.is_some() {
        return;
    }
    let (total, clear) = (scan.total, scan.plaintext.len());
    let encrypted = total.saturating_sub(clear);
    if encrypted > 0 {
        let mut providers: Vec<String> = scan
            .providers
            .iter()
            .map(|(prefix, n)| format!("{prefix} ({n})"))
            .collect();
        providers.sort();
        let list = providers.join(", ");
        sink.evidence_on_node(
            NodePlace::file(endpoint),
            text!(
                "{encrypted} of {total} Secrets in etcd are encrypted: {list}",
                "etcd 中 {total} 个 Secret 有 {encrypted} 个已加密：{list}",
            ),
        );
    }
}

/// `<namespace>/<name>` from `/registry/secrets/<namespace>/<name>` (whatever the prefix).
fn secret_name(key: &str) -> &str {
    key.split_once("/secrets/").map_or(key, |(_, rest)| rest)
}

#[cfg(test)]
mod tests {
    #[test]
    fn secret_names_from_keys() {
        assert_eq!(
            super::secret_name("/registry/secrets/default/db"),
            "default/db"
        );
        assert_eq!(super::secret_name("/custom/secrets/a/b"), "a/b");
        assert_eq!(super::secret_name("odd"), "odd");
    }
}
