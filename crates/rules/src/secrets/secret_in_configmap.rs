use crate::analysis::secret_detect::{self as detect, Hit, Kind, Slot};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Node, Object, Severity, Text, Value};

declare_rule! {
    /// ## What it checks
    /// Every key of a ConfigMap's `data` and `binaryData` (decoded from base64) for values that
    /// look secret:
    /// - by their shape: PEM private keys (RSA, EC, OpenSSH, PGP, PKCS#8, also base64-encoded as
    ///   in a kubeconfig's `client-key-data`), GCP service account key files, AWS access key ids,
    ///   Azure connection strings with an account key and Azure client secrets, GitHub, GitLab,
    ///   Slack and Stripe live tokens, signed JSON Web Tokens, and URLs with a password
    ///   (`postgres://app:…@db`);
    /// - by their key: a literal value under a password-like name (`password`, `passwd`,
    ///   `secret`, `token`, `api_key`, `private_key`, `credentials`, `client_secret`, …), and an
    ///   AWS secret access key under an AWS name;
    /// - a random-looking value (high entropy) only under a key-like name (`signing_key`,
    ///   `ENCRYPTION_KEY`).
    ///
    /// A PEM private key block (`-----BEGIN … PRIVATE KEY-----`) fails whatever its body holds:
    /// a placeholder (`...`, `<paste the key here>`), a truncated or a malformed key is still a
    /// key block kept in a ConfigMap (high; a whole key is critical). A BEGIN line that a
    /// sentence only mentions (`a key file starts with -----BEGIN …`) is not a block.
    ///
    /// A value that holds a whole configuration file (`application.properties`, YAML, `.env`,
    /// TOML, INI, JSON) is read line by line: the finding points at the ConfigMap key and names
    /// the line inside the value. Placeholders are not secrets: empty values, `changeme`,
    /// `<...>`, `${VAR}`, `$(VAR)`, `{{ .Values.x }}`, `xxx`, `REDACTED`, `example`, `***`,
    /// booleans, numbers, file paths, references to a secret store, and names that describe a
    /// secret rather than hold one (`password_file`, `passwordPath`, `password_min_length`,
    /// `token_ttl`, `secretName`; etcd's `initial-cluster-token`, which only tells clusters
    /// apart). Binary keystores (`.p12`, `.pfx`, `.jks`) in `binaryData`
    /// count as private keys; truststores do not.
    ///
    /// A key **named like a credential** (a password, `*_TOKEN`, `*API_KEY*`, `*PRIVATE_KEY*`,
    /// `*SECRET*`, `*_SECRET_ACCESS_KEY`, `credentials`) whose value is a placeholder for one is
    /// a warning (medium): nothing has leaked, but the key is where the secret is meant to go.
    /// Such placeholders are an empty value (or none), a value to fill in (`changeme`,
    /// `<your-token>`, `xxx`, `***`, `REDACTED`, `example`, `TODO`, `none`, the word `password`,
    /// AWS's documentation key) and a variable to substitute (`${VAR}`, `$VAR`, `$(VAR)`,
    /// `{{ .Values.x }}`, `%VAR%`, `@VAR@`, `__VAR__`, `#{VAR}`). Not warned: booleans and
    /// numbers (`ALLOW_EMPTY_PASSWORD: "yes"`), values that say where the secret is kept (a
    /// file path, a secret store reference, `ENC(...)`), weak names (`key`, `signing_key`,
    /// `MINIO_ACCESS_KEY`), names of a Secret object or a credentials file (`existingSecret`,
    /// `TLS_SECRET`, `GOOGLE_APPLICATION_CREDENTIALS`), placeholders under other names
    /// (`LOG_LEVEL: changeme`), and placeholders on the lines of a whole configuration file
    /// (`PASSWORD=` in an `.env` file), which are often templates and documentation.
    ///
    /// The finding never shows the value: only what it looks like and a fingerprint made of its
    /// kind's public prefix, if any (`ghp_`, `AKIA`), and 8 hex digits of an HMAC-SHA256 under a
    /// key of the run (random, or from `KCHECK_FINGERPRINT_KEY` for fingerprints that stay the
    /// same across runs): without the key a guessed value cannot be confirmed from the report.
    /// For PEM keys only the key type is shown. Treat any value found here as exposed. Private
    /// keys and cloud credentials are critical.
    ///
    /// ## Why
    /// Checklist item 6.1: confidential data belongs in Secrets, not in ConfigMaps. ConfigMaps
    /// are never encrypted at rest, are readable by anyone allowed to read configuration (many
    /// roles and tools that are not trusted with Secrets), are printed by `kubectl describe`,
    /// and end up in Git, Helm release history and backups in clear text.
    ///
    /// A credential's key with a placeholder will receive the real value: typed in by whoever
    /// deploys, or substituted by envsubst, Flux, Helm or a CI pipeline before the ConfigMap is
    /// applied. From then on the ConfigMap holds the secret, and none of the scans of the
    /// manifests saw it.
    ///
    /// ## Fix
    /// Move the value to a Secret (better: have it injected from an external store) and
    /// reference it from the pod; keep only non-secret settings in the ConfigMap:
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: app-db
    /// type: Opaque
    /// stringData:
    ///   password: "<the password>"
    /// ---
    /// # in the pod template
    /// containers:
    /// - name: app
    ///   env:
    ///   - name: DB_PASSWORD
    ///     valueFrom:
    ///       secretKeyRef:
    ///         name: app-db
    ///         key: password
    ///   volumeMounts:           # or mount it as a file
    ///   - name: db
    ///     mountPath: /run/secrets/db
    ///     readOnly: true
    /// volumes:
    /// - name: db
    ///   secret:
    ///     secretName: app-db
    /// ```
    /// Then rotate the value: it has been readable by everyone who could read the ConfigMap.
    /// For a placeholder, remove the key from the ConfigMap before a value is put in it, and
    /// have the pod read the credential from a Secret as above. A private key block, even an
    /// incomplete one, goes to a Secret of type `kubernetes.io/tls` or `Opaque`.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#secrets
    /// - https://kubernetes.io/docs/concepts/configuration/secret/
    /// - https://kubernetes.io/docs/concepts/security/secrets-good-practices/
    pub static RULE = {
        code: "KC602",
        name: "secret-in-configmap",
        item: "6.1",
        severity: Severity::High,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("ConfigMap holds a secret", "ConfigMap 中保存了机密数据"),
        fix: Text::fixed(
            "Move the value to a Secret, reference it with secretKeyRef or a secret volume, and rotate it.",
            "把该值移到 Secret 中，通过 secretKeyRef 或 Secret 卷引用，并轮换该值。",
        ),
        severities: &[Severity::Critical, Severity::Medium],
        check: Check::Object { kinds: &["ConfigMap"], run: check },
        doc_zh: r#"
## 检查内容
ConfigMap 的 `data` 和 `binaryData`（经 base64 解码）中的每个键，查找看起来像机密的值：
- 按值的形态：PEM 私钥（RSA、EC、OpenSSH、PGP、PKCS#8，也包括像 kubeconfig 中 `client-key-data` 那样经过 base64 编码的私钥）、GCP 服务账号密钥文件、AWS 访问密钥 ID、带账号密钥的 Azure 连接字符串和 Azure 客户端密钥，GitHub、GitLab、Slack 和 Stripe 的正式环境令牌，已签名的 JSON Web Token，以及带密码的 URL（`postgres://app:…@db`）；
- 按键名：类似密码的键名（`password`、`passwd`、`secret`、`token`、`api_key`、`private_key`、`credentials`、`client_secret` 等）下的字面值，以及 AWS 类键名下的 AWS 秘密访问密钥；
- 看起来随机的值（高熵）只在类似密钥的键名（`signing_key`、`ENCRYPTION_KEY`）下才算。

PEM 私钥块（`-----BEGIN … PRIVATE KEY-----`）无论内容是什么都不通过：占位符（`...`、`<paste the key here>`）、被截断或格式错误的密钥，仍然是保存在 ConfigMap 中的密钥块（严重程度为高；完整的密钥为严重）。只是在句子中提到的 BEGIN 行（`a key file starts with -----BEGIN …`）不算密钥块。

值是一整个配置文件（`application.properties`、YAML、`.env`、TOML、INI、JSON）时，逐行读取：问题指向 ConfigMap 的键，并指出值中的具体行。占位符不是机密：空值、`changeme`、`<...>`、`${VAR}`、`$(VAR)`、`{{ .Values.x }}`、`xxx`、`REDACTED`、`example`、`***`、布尔值、数字、文件路径、对密钥存储的引用，以及描述机密而非保存机密的名字（`password_file`、`passwordPath`、`password_min_length`、`token_ttl`、`secretName`；还有 etcd 的 `initial-cluster-token`，它只用来区分不同的集群）。`binaryData` 中的二进制密钥库（`.p12`、`.pfx`、`.jks`）按私钥处理；信任库（truststore）则不算。

键名**像凭据**（密码、`*_TOKEN`、`*API_KEY*`、`*PRIVATE_KEY*`、`*SECRET*`、`*_SECRET_ACCESS_KEY`、`credentials`）而值是占位符时，报告为警告（严重程度为中）：虽然还没有泄露任何内容，但这个键正是机密将要放入的地方。这类占位符包括：空值（或没有值）、待填写的值（`changeme`、`<your-token>`、`xxx`、`***`、`REDACTED`、`example`、`TODO`、`none`、单词 `password`、AWS 文档中的示例密钥），以及待替换的变量（`${VAR}`、`$VAR`、`$(VAR)`、`{{ .Values.x }}`、`%VAR%`、`@VAR@`、`__VAR__`、`#{VAR}`）。以下情况不警告：布尔值和数字（`ALLOW_EMPTY_PASSWORD: "yes"`）；说明机密保存在何处的值（文件路径、密钥存储引用、`ENC(...)`）；弱名字（`key`、`signing_key`、`MINIO_ACCESS_KEY`）；Secret 对象或凭据文件的名字（`existingSecret`、`TLS_SECRET`、`GOOGLE_APPLICATION_CREDENTIALS`）；其他键名下的占位符（`LOG_LEVEL: changeme`）；以及整个配置文件各行中的占位符（`.env` 文件中的 `PASSWORD=`），这些往往是模板和文档。

问题消息从不显示值本身，只显示它看起来像什么，以及一个指纹：指纹由该类凭据的公开前缀（如果有的话，例如 `ghp_`、`AKIA`）和以本次运行的密钥计算的 HMAC-SHA256 的 8 位十六进制数字组成（该密钥随机生成，或取自 `KCHECK_FINGERPRINT_KEY`，以便指纹在多次运行之间保持不变）：没有这个密钥，就无法凭报告确认猜测的值。对于 PEM 密钥，只显示密钥类型。这里发现的任何值都应视为已经暴露。私钥和云凭据的严重程度为严重。

## 原因
检查清单第 6.1 项：机密数据应该放在 Secret 中，而不是 ConfigMap 中。ConfigMap 从不做静态加密；任何有权读取配置的主体都能读取它（许多角色和工具并不被信任读取 Secret）；`kubectl describe` 会把它打印出来；它还会以明文形式进入 Git、Helm 发布历史和备份。

凭据键名下的占位符终将被填入真实的值：由部署者手工输入，或在应用 ConfigMap 之前由 envsubst、Flux、Helm 或 CI 流水线替换。从那时起，ConfigMap 就保存着机密，而对清单文件的任何扫描都没有看到它。

## 修复
把值移到 Secret 中（更好的做法是从外部存储注入），在 Pod 中引用它；ConfigMap 中只保留非机密的设置：
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: app-db
type: Opaque
stringData:
  password: "<the password>"
---
# 在 Pod 模板中
containers:
- name: app
  env:
  - name: DB_PASSWORD
    valueFrom:
      secretKeyRef:
        name: app-db
        key: password
  volumeMounts:           # 或者以文件形式挂载
  - name: db
    mountPath: /run/secrets/db
    readOnly: true
volumes:
- name: db
  secret:
    secretName: app-db
```
然后轮换该值：所有能读取该 ConfigMap 的人都曾经能读到它。对于占位符，在填入值之前就从 ConfigMap 中删除该键，并像上面那样让 Pod 从 Secret 中读取凭据。私钥块即使不完整，也应放入 `kubernetes.io/tls` 或 `Opaque` 类型的 Secret 中。

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#secrets
- https://kubernetes.io/zh-cn/docs/concepts/configuration/secret/
- https://kubernetes.io/zh-cn/docs/concepts/security/secrets-good-practices/
"#,
    }
}

/// At most this many findings for one key; a whole leaked file is one problem.
const MAX_PER_KEY: usize = 10;

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    sink.examined();
    for field in ["data", "binaryData"] {
        for entry in object.root.get(field).map_or(&[][..], Node::as_map) {
            // A key without a value (`password:`) is stored empty.
            let value = match &entry.value.value {
                Value::Null => "",
                _ => match entry.value.as_str() {
                    Some(value) => value,
                    None => continue,
                },
            };
            let hits = match field {
                "data" => detect::scan(&entry.key, value),
                _ => detect::scan_binary(&entry.key, value),
            };
            let path = FieldPath::root().key(field).key(&entry.key);
            if hits.is_empty() && field == "data" {
                if let Some(slot) = detect::credential_slot(&entry.key, value) {
                    report_slot(object, path, &entry.key, &slot, sink);
                }
                continue;
            }
            report(object, &path, &entry.key, &hits, sink);
        }
    }
}

/// A key named like a credential over a placeholder: no secret yet, but this is where one goes.
fn report_slot(object: &Object, path: FieldPath, key: &str, slot: &Slot, sink: &mut Sink) {
    let ((kind_en, kind_zh), (what_en, what_zh)) = slot.describe();
    sink.warn(
        object,
        path,
        text!(
            "ConfigMap key \"{key}\" is named like {kind_en} and holds a placeholder {what_en}: no secret has leaked, but {kind_en} is meant to be supplied through this ConfigMap",
            "ConfigMap 键 \"{key}\" 按名字应存放{kind_zh}，其值是占位符{what_zh}：并未泄露机密，但这说明{kind_zh}打算通过该 ConfigMap 提供",
        ),
    )
    .severity = Severity::Medium;
}

fn report(object: &Object, path: &FieldPath, key: &str, hits: &[Hit], sink: &mut Sink) {
    for hit in hits.iter().take(MAX_PER_KEY) {
        let (what_en, what_zh) = hit.summary();
        let (at_en, at_zh) = hit.place();
        if let Kind::PrivateKeyStub(label) = &hit.kind {
            sink.fail(
                object,
                path.clone(),
                text!(
                    "ConfigMap key \"{key}\"{at_en} holds a private key block ({label}) whose body is a placeholder or truncated: a private key block does not belong in a ConfigMap, whatever it holds",
                    "ConfigMap 键 \"{key}\"{at_zh} 保存了私钥块（{label}），其内容为占位符或不完整：无论内容如何，私钥块都不应放在 ConfigMap 中",
                ),
            );
            continue;
        }
        let finding = sink.fail(
            object,
            path.clone(),
            text!(
                "ConfigMap key \"{key}\"{at_en} holds a secret {what_en}",
                "ConfigMap 键 \"{key}\"{at_zh} 保存了机密数据{what_zh}",
            ),
        );
        if hit.kind.is_critical() {
            finding.severity = Severity::Critical;
        }
    }
    if hits.len() > MAX_PER_KEY {
        let more = hits.len() - MAX_PER_KEY;
        sink.fail(
            object,
            path.clone(),
            text!(
                "ConfigMap key \"{key}\" holds {more} more secrets",
                "ConfigMap 键 \"{key}\" 还保存了另外 {more} 项机密数据",
            ),
        );
    }
}
