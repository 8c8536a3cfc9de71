use crate::analysis::components::apiserver::{
    apiserver_or_note, config_named, file_state, judge_file_protection, FileState, Seen,
};
use crate::analysis::encryption_config::{
    base64_decoded_len, entries, secrets_entry, Entry, Provider,
};
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::facts::{ConfigDoc, ConfigRole};
use kcheck_model::{text, Evidence, Node, NodeFacts, Severity, Text};

/// The providers whose `keys[].secret` is raw key material.
const KEYED: &[&str] = &["aescbc", "aesgcm", "secretbox"];

declare_rule! {
    /// ## What it checks
    /// kube-apiserver's encryption at rest for Secrets:
    /// - no `--encryption-provider-config`: **fail**, Secrets are written to etcd (or the
    ///   datastore that stands for it: k3s's SQLite, an external database) in plaintext; on k3s
    ///   that is the default until `secrets-encryption: true`;
    /// - the file it names missing: **fail**; present but not parsed: **info**;
    /// - no `resources` entry covering `secrets` (by name, `*.` or `*.*`), or the first provider
    ///   of that entry `identity`: **fail**;
    /// - first provider `aescbc`: **warn** (CBC mode is exposed to padding-oracle attacks; prefer
    ///   `kms` v2, or `secretbox`/`aesgcm` with key rotation); `kms` without `apiVersion: v2`:
    ///   **warn** (KMS v1 is deprecated and off by default since v1.29);
    /// - every `aescbc`, `aesgcm` and `secretbox` key, by its decoded length (never its bytes):
    ///   not valid base64, shorter than 16 bytes, or a length the cipher does not take: **fail**;
    ///   16 or 24 bytes for AES: **warn**, 32 recommended;
    /// - the file's mode open to group or others, or an owner other than root: **fail**; it
    ///   holds the keys.
    ///
    /// Whether etcd really holds Secrets encrypted is KC608's matter.
    ///
    /// ## Why
    /// Checklist item 6.2: Secrets in etcd are only as safe as every etcd backup, snapshot and
    /// disk. Encryption at rest with strong keys kept away from other users makes a copy of
    /// etcd useless without the keys.
    ///
    /// ## Fix
    /// ```yaml
    /// apiVersion: apiserver.config.k8s.io/v1
    /// kind: EncryptionConfiguration
    /// resources:
    /// - resources: [secrets]
    ///   providers:
    ///   - kms:
    ///       apiVersion: v2
    ///       name: vault-kms
    ///       endpoint: unix:///var/run/kms/socket.sock
    ///   - identity: {}   # only to read data written before encryption was on
    /// ```
    /// Without a KMS, `secretbox` with a 32-byte key from `head -c 32 /dev/urandom | base64`.
    /// Keep the file `0600 root:root`, pass it with `--encryption-provider-config`, then rewrite
    /// existing Secrets: `kubectl get secrets -A -o json | kubectl replace -f -`.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/
    /// - https://kubernetes.io/docs/tasks/administer-cluster/kms-provider/
    pub static RULE = {
        code: "KC607",
        name: "secrets-encryption-at-rest",
        item: "6.2",
        severity: Severity::High,
        evidence: Evidence::Node,
        nodes: crate::Nodes::ControlPlane,
        title: Text::fixed(
            "Secrets are not encrypted at rest, or weakly",
            "Secret 未做静态加密，或加密强度不足",
        ),
        fix: Text::fixed(
            "Give kube-apiserver an EncryptionConfiguration whose first provider for secrets is kms v2 (or secretbox with a 32-byte key), in a root-owned 0600 file.",
            "为 kube-apiserver 配置 EncryptionConfiguration,secrets 的首个提供程序使用 kms v2（或使用 32 字节密钥的 secretbox），文件属主为 root、权限 0600。",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
kube-apiserver 对 Secret 的静态加密：
- 没有 `--encryption-provider-config`：**不通过**，Secret 以明文写入 etcd（或代替它的数据存储：k3s 的 SQLite、外部数据库）；在 k3s 上，设置 `secrets-encryption: true` 之前默认如此；
- 该参数指定的文件不存在：**不通过**；文件存在但无法解析：**提示**；
- 没有覆盖 `secrets` 的 `resources` 条目（按名字、`*.` 或 `*.*`），或者该条目的首个提供程序是 `identity`：**不通过**；
- 首个提供程序是 `aescbc`：**警告**（CBC 模式易受填充预言（padding oracle）攻击；优先使用 `kms` v2，或带密钥轮换的 `secretbox`/`aesgcm`）；`kms` 未设置 `apiVersion: v2`：**警告**（KMS v1 已弃用，自 v1.29 起默认关闭）；
- 每个 `aescbc`、`aesgcm` 和 `secretbox` 密钥，按解码后的长度判断（从不查看其字节）：不是有效的 base64、短于 16 字节，或者长度不被该加密算法接受：**不通过**；AES 密钥为 16 或 24 字节：**警告**，推荐 32 字节；
- 文件权限对组或其他用户开放，或者属主不是 root：**不通过**，因为该文件保存着密钥。

etcd 中的 Secret 是否确实已加密，由 KC608 检查。

## 原因
检查清单第 6.2 项：etcd 中的 Secret 的安全程度，取决于每一份 etcd 备份、快照和每一块磁盘的安全程度。使用强密钥进行静态加密，并让密钥远离其他用户，etcd 的副本在没有密钥时就毫无用处。

## 修复
```yaml
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - kms:
      apiVersion: v2
      name: vault-kms
      endpoint: unix:///var/run/kms/socket.sock
  - identity: {}   # 仅用于读取启用加密之前写入的数据
```
没有 KMS 时，使用 `secretbox`，配合由 `head -c 32 /dev/urandom | base64` 生成的 32 字节密钥。文件权限保持为 `0600 root:root`，通过 `--encryption-provider-config` 传入，然后重写已有的 Secret：`kubectl get secrets -A -o json | kubectl replace -f -`。

## 参考
- https://kubernetes.io/zh-cn/docs/tasks/administer-cluster/encrypt-data/
- https://kubernetes.io/zh-cn/docs/tasks/administer-cluster/kms-provider/
"#,
    }
}

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    let Some(api) = apiserver_or_note(facts, sink) else {
        return;
    };
    let Some(path) = api.flags.value("encryption-provider-config") else {
        sink.examined();
        let message = match facts.datastore.as_ref().filter(|d| !d.kind.is_etcd()) {
            // k3s's SQLite, an external database, dqlite: the same plaintext, elsewhere.
            Some(d) => {
                let (kind, endpoint) = (d.kind.name(), &d.endpoint);
                text!(
                    "kube-apiserver has no --encryption-provider-config: Secrets are stored in plaintext in the datastore, {kind} at {endpoint}",
                    "kube-apiserver 未设置 --encryption-provider-config：Secret 以明文存储在数据存储 {kind}（{endpoint}）中",
                )
            }
            None => Text::fixed(
                "kube-apiserver has no --encryption-provider-config: Secrets are stored in etcd in plaintext",
                "kube-apiserver 未设置 --encryption-provider-config：Secret 以明文存储在 etcd 中",
            ),
        };
        sink.fail_on_node(NodePlace::flag(api, "encryption-provider-config"), message);
        return;
    };
    match judge_file_protection(
        sink,
        facts,
        path,
        0o077,
        0o600,
        ("the encryption configuration", "加密配置文件"),
    ) {
        Seen::Judged => {}
        Seen::Missing => {
            sink.examined();
            sink.fail_on_node(
                NodePlace::flag(api, "encryption-provider-config"),
                text!(
                    "the encryption configuration {path} does not exist",
                    "加密配置文件 {path} 不存在",
                ),
            );
            return;
        }
        Seen::Unknown(why) => {
            let (why_en, why_zh) = (&why.en, &why.zh);
            sink.not_examined_on_node(
                NodePlace::file(path),
                text!(
                    "the encryption configuration {path} could not be examined ({why_en})",
                    "无法检查加密配置文件 {path}（{why_zh}）",
                ),
            );
        }
    }
    let Some(doc) = config_named(facts, ConfigRole::Encryption, path) else {
        if matches!(file_state(facts, path), FileState::Present { .. }) {
            sink.not_examined_on_node(
                NodePlace::file(path),
                text!(
                    "the encryption configuration {path} could not be parsed; its providers were not checked",
                    "无法解析加密配置文件 {path}；未检查其提供程序",
                ),
            );
        }
        return;
    };
    sink.examined();
    judge_secrets_provider(doc, sink);
    for entry in entries(&doc.object.root) {
        for provider in entry.providers() {
            if KEYED.contains(&provider.kind) {
                judge_keys(doc, &entry, &provider, sink);
            }
        }
    }
}

fn judge_secrets_provider(doc: &ConfigDoc, sink: &mut Sink) {
    let Some(entry) = secrets_entry(&doc.object.root) else {
        sink.fail_on_node(
            NodePlace::config(doc, "resources"),
            Text::fixed(
                "no entry of the encryption configuration covers secrets: they are stored in plaintext",
                "加密配置中没有覆盖 secrets 的条目：Secret 以明文存储",
            ),
        );
        return;
    };
    let i = entry.index;
    let Some(first) = entry.providers().next() else {
        sink.fail_on_node(
            NodePlace::config(doc, &format!("resources[{i}].providers")),
            Text::fixed(
                "the encryption entry for secrets has no provider",
                "secrets 的加密条目没有任何提供程序",
            ),
        );
        return;
    };
    let place = NodePlace::config(doc, &entry.provider_path(&first, ""));
    match first.kind {
        "identity" => {
            sink.fail_on_node(
                place,
                Text::fixed(
                    "the first provider for secrets is identity: new Secrets are written in plaintext",
                    "secrets 的首个提供程序是 identity：新写入的 Secret 为明文",
                ),
            );
        }
        "aescbc" => {
            sink.warn_on_node(
                place,
                Text::fixed(
                    "Secrets are encrypted with aescbc, which is exposed to padding-oracle attacks; prefer kms v2, or secretbox or aesgcm with key rotation",
                    "Secret 使用 aescbc 加密，存在填充预言攻击风险；建议使用 kms v2，或配合密钥轮换的 secretbox、aesgcm",
                ),
            );
        }
        "kms" if first.settings.str_at("apiVersion") != Some("v2") => {
            sink.warn_on_node(
                place,
                Text::fixed(
                    "Secrets are encrypted with KMS v1, deprecated and off by default since v1.29; move to apiVersion: v2",
                    "Secret 使用 KMS v1 加密，该版本已弃用且自 v1.29 起默认关闭；请改用 apiVersion: v2",
                ),
            );
        }
        "kms" | "aesgcm" | "secretbox" => {}
        other => {
            sink.not_examined_on_node(
                place,
                text!(
                    "the first provider for secrets is {other}, which kcheck does not know",
                    "secrets 的首个提供程序是 {other}，kcheck 无法识别",
                ),
            );
        }
    }
}

/// Judges each key by its decoded length; the key itself is never printed or kept.
fn judge_keys(doc: &ConfigDoc, entry: &Entry, provider: &Provider, sink: &mut Sink) {
    let kind = provider.kind;
    let keys = provider.settings.get("keys").map_or(&[][..], Node::as_seq);
    for (k, key) in keys.iter().enumerate() {
        let name = key.str_at("name").unwrap_or("?");
        let place = || {
            NodePlace::config(
                doc,
                &entry.provider_path(provider, &format!("keys[{k}].secret")),
            )
        };
        let secret: String = key
            .str_at("secret")
            .unwrap_or("")
            .chars()
            .filter(|c| *c != '\n' && *c != '\r')
            .collect();
        let Some(len) = base64_decoded_len(&secret) else {
            sink.fail_on_node(
                place(),
                text!(
                    "{kind} key \"{name}\" is not valid base64",
                    "{kind} 密钥 \"{name}\" 不是合法的 base64",
                ),
            );
            continue;
        };
        let bits = len * 8;
        let valid = match kind {
            "secretbox" => len == 32,
            _ => matches!(len, 16 | 24 | 32),
        };
        if len < 16 || !valid {
            let want = if kind == "secretbox" {
                "32"
            } else {
                "16, 24 or 32"
            };
            let want_zh = if kind == "secretbox" {
                "32"
            } else {
                "16、24 或 32"
            };
            sink.fail_on_node(
                place(),
                text!(
                    "{kind} key \"{name}\" is {len} bytes ({bits} bits); it must be {want} bytes",
                    "{kind} 密钥 \"{name}\" 长 {len} 字节（{bits} 位）；应为 {want_zh} 字节",
                ),
            );
        } else if len < 32 {
            sink.warn_on_node(
                place(),
                text!(
                    "{kind} key \"{name}\" is {len} bytes ({bits} bits); 32 bytes are recommended",
                    "{kind} 密钥 \"{name}\" 长 {len} 字节（{bits} 位）；建议使用 32 字节",
                ),
            );
        }
    }
}
