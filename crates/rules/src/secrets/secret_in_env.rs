use crate::analysis::secret_detect::{self as detect, Kind, Placeholder};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Node, Object, Severity, Text, Value, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// The literal `env[].value` of every init, regular and ephemeral container of every
    /// workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob,
    /// ReplicationController, PodTemplate), with the same detectors as
    /// [KC602](KC602.md) applied to the variable's name and value: private keys, cloud keys,
    /// vendor tokens, JWTs, URLs with a password, literal values under password-, token- or
    /// key-like names, and random-looking values under key-like names. A PEM private key block
    /// fails whatever its body holds (a placeholder, a truncated or malformed key: high).
    /// Placeholders (`$(OTHER_VAR)`, `${VAR}`, `changeme`, `<...>`, paths, booleans, numbers)
    /// are not secrets. A variable read from a ConfigMap of the input
    /// (`valueFrom.configMapKeyRef`, or `envFrom.configMapRef` for every key) is judged by the
    /// ConfigMap's value, under the ConfigMap key's name and the variable's: a secret there
    /// reaches the container from an object that is never treated as one. `secretKeyRef` and
    /// `fieldRef` are never flagged.
    ///
    /// A variable **named like a credential** (a password, `*_TOKEN`, `*API_KEY*`,
    /// `*PRIVATE_KEY*`, `*SECRET*`, `*_SECRET_ACCESS_KEY`; see [KC602](KC602.md) for the names
    /// and placeholders) is a warning (medium) when nothing has leaked but a secret is meant to
    /// be supplied where it does not belong:
    /// - its literal value is a placeholder: empty (or no value at all), a value to fill in
    ///   (`changeme`, `<your-token>`, `xxx`) or a variable to substitute before deployment
    ///   (`${VAR}`, `{{ .Values.x }}`). `$(OTHER_VAR)` is not warned: Kubernetes substitutes
    ///   another variable of the container, which may come from a Secret;
    /// - it is read from a ConfigMap key whose value is such a placeholder (by key or through
    ///   `envFrom`);
    /// - it is read with `configMapKeyRef` from a ConfigMap the input does not hold: its name
    ///   says a credential is meant to come from a ConfigMap. At admission, where a review
    ///   carries the workload alone, this is how such a variable is judged; the ConfigMap's own
    ///   value is judged by KC602 when the ConfigMap is admitted.
    ///
    /// The finding never shows the value, only what it looks like and a redacted fingerprint
    /// (see [KC602](KC602.md)). Private keys and cloud credentials are critical.
    ///
    /// ## Why
    /// Checklist item 6.1: a secret written into the pod template is stored in clear text in
    /// the workload object (never encrypted at rest), shown by `kubectl get -o yaml` and
    /// `kubectl describe` to anyone who may read workloads, and kept in Git and in every
    /// ReplicaSet revision. The checklist also warns that environment variables leak more
    /// easily than files (crash dumps, `/proc/<pid>/environ`, child processes). A credential's
    /// variable with a placeholder, or read from a ConfigMap, will carry the real value through
    /// the workload or a ConfigMap once it is filled in or substituted.
    ///
    /// ## Fix
    /// Put the value in a Secret and reference it, or better mount it as a file:
    /// ```yaml
    /// env:
    /// - name: DB_PASSWORD
    ///   valueFrom:
    ///     secretKeyRef:
    ///       name: app-db
    ///       key: password
    /// ```
    /// ```yaml
    /// volumeMounts:
    /// - name: db
    ///   mountPath: /run/secrets/db
    ///   readOnly: true
    /// # ...
    /// volumes:
    /// - name: db
    ///   secret:
    ///     secretName: app-db
    /// ```
    /// Then rotate the value: it has been readable by everyone who could read the workload.
    /// For a placeholder or a ConfigMap reference, use `secretKeyRef` (or a secret volume)
    /// before a value is put in.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#secrets
    /// - https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/
    /// - https://kubernetes.io/docs/concepts/security/secrets-good-practices/
    pub static RULE = {
        code: "KC603",
        name: "secret-in-env",
        item: "6.1",
        severity: Severity::High,
        evidence: Evidence::Objects,
        admission: Admission::JudgedDespite(
            "reads the ConfigMap an env variable takes its value from; a review carries none, so \
         at admission such a variable is judged by its name alone (a credential's name warns) \
         and the ConfigMap's value is left to KC602 when the ConfigMap is admitted",
        ),
        title: Text::fixed(
            "Container environment holds a literal secret",
            "容器环境变量中以明文保存了机密数据",
        ),
        fix: Text::fixed(
            "Move the value to a Secret, reference it with valueFrom.secretKeyRef (or mount it as a file), and rotate it.",
            "把该值移到 Secret 中，用 valueFrom.secretKeyRef 引用（或以文件形式挂载），并轮换该值。",
        ),
        severities: &[Severity::Critical, Severity::Medium],
        reads: &["ConfigMap"],
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        doc_zh: r#"
## 检查内容
每个工作负载（Pod、Deployment、StatefulSet、DaemonSet、ReplicaSet、Job、CronJob、ReplicationController、PodTemplate）中每个 Init 容器、普通容器和临时容器的字面值 `env[].value`，对变量名和值使用与 [KC602](KC602.md) 相同的检测器：私钥、云密钥、厂商令牌、JWT、带密码的 URL、类似密码、令牌或密钥的名字下的字面值，以及类似密钥的名字下看起来随机的值。PEM 私钥块无论内容是什么都不通过（占位符、被截断或格式错误的密钥：严重程度为高）。占位符（`$(OTHER_VAR)`、`${VAR}`、`changeme`、`<...>`、路径、布尔值、数字）不是机密。从输入中的 ConfigMap 读取的变量（`valueFrom.configMapKeyRef`，或对每个键生效的 `envFrom.configMapRef`）按该 ConfigMap 中的值判断，同时考虑 ConfigMap 的键名和变量名：那里的机密从一个从不被当作机密对待的对象进入了容器。`secretKeyRef` 和 `fieldRef` 从不报告。

**名字像凭据**的变量（密码、`*_TOKEN`、`*API_KEY*`、`*PRIVATE_KEY*`、`*SECRET*`、`*_SECRET_ACCESS_KEY`；名字和占位符详见 [KC602]（KC602.md）），在还没有泄露任何内容、但机密将被提供到不该放的地方时，报告为警告（严重程度为中）：
- 其字面值是占位符：空值（或根本没有值）、待填写的值（`changeme`、`<your-token>`、`xxx`），或部署前待替换的变量（`${VAR}`、`{{ .Values.x }}`）。`$(OTHER_VAR)` 不警告：Kubernetes 会用容器的另一个变量替换它，而那个变量可能来自 Secret；
- 它读取的 ConfigMap 键（按键引用，或通过 `envFrom`）的值是这样的占位符；
- 它通过 `configMapKeyRef` 读取输入中不存在的 ConfigMap：变量名表明凭据打算从 ConfigMap 获取。在准入时，审查请求只携带工作负载本身，这类变量就按这种方式判断；ConfigMap 自身的值在该 ConfigMap 被准入时由 KC602 判断。

问题消息从不显示值，只显示它看起来像什么，以及一个脱敏后的指纹（参见 [KC602]（KC602.md））。私钥和云凭据的严重程度为严重。

## 原因
检查清单第 6.1 项：写进 Pod 模板的机密以明文形式保存在工作负载对象中（从不做静态加密），任何有权读取工作负载的人都能通过 `kubectl get -o yaml` 和 `kubectl describe` 看到它，它还会保留在 Git 和每一个 ReplicaSet 修订版本中。检查清单还提醒，环境变量比文件更容易泄露（崩溃转储、`/proc/<pid>/environ`、子进程）。凭据变量若带有占位符，或从 ConfigMap 读取，一旦值被填入或替换，就会经由工作负载或 ConfigMap 携带真实的值。

## 修复
把值放进 Secret 并引用它，更好的做法是以文件形式挂载：
```yaml
env:
- name: DB_PASSWORD
  valueFrom:
    secretKeyRef:
      name: app-db
      key: password
```
```yaml
volumeMounts:
- name: db
  mountPath: /run/secrets/db
  readOnly: true
# ...
volumes:
- name: db
  secret:
    secretName: app-db
```
然后轮换该值：所有能读取该工作负载的人都曾经能读到它。对于占位符或 ConfigMap 引用，在填入值之前改用 `secretKeyRef`（或 Secret 卷）。

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#secrets
- https://kubernetes.io/zh-cn/docs/tasks/inject-data-application/distribute-credentials-secure/
- https://kubernetes.io/zh-cn/docs/concepts/security/secrets-good-practices/
"#,
    }
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    sink.examined();
    for c in pod.containers() {
        let env = c.get("env").map_or(&[][..], Node::as_seq);
        for (i, var) in env.iter().enumerate() {
            let name = var.str_at("name").unwrap_or("");
            if let Some(r) = var.path(&["valueFrom", "configMapKeyRef"]) {
                let at = c.path(&format!("env[{i}].valueFrom.configMapKeyRef"));
                let (Some(map), Some(key)) = (r.str_at("name"), r.str_at("key")) else {
                    continue;
                };
                from_config_map(object, ctx, sink, (&c, at), (map, Some(key)), name);
                continue;
            }
            // A variable without a value (`value: ""`, or none) is set to the empty string.
            let value = match var.get("value") {
                None => "",
                Some(node) if matches!(node.value, Value::Null) => "",
                Some(node) => match node.as_str() {
                    Some(value) => value,
                    None => continue,
                },
            };
            if name.is_empty() {
                continue;
            }
            let hits = detect::scan(name, value);
            // Formatted only for a finding: most variables have none.
            let labels = || (c.label_en(), c.label_zh());
            if hits.is_empty() {
                // secretKeyRef, fieldRef and resourceFieldRef say where the value comes from;
                // `$(OTHER)` is another variable, which Kubernetes substitutes.
                if var.get("valueFrom").is_some() {
                    continue;
                }
                let Some(slot) = detect::credential_slot(name, value)
                    .filter(|s| s.placeholder != Placeholder::EnvReference)
                else {
                    continue;
                };
                let ((kind_en, kind_zh), (what_en, what_zh)) = slot.describe();
                let (en, zh) = labels();
                let at = match var.get("value") {
                    Some(_) => c.path(&format!("env[{i}].value")),
                    None => c.path(&format!("env[{i}]")),
                };
                sink.warn(
                    object,
                    at,
                    text!(
                        "{en}: environment variable {name} is named like {kind_en} and its literal value is a placeholder {what_en}: no secret has leaked, but {kind_en} is meant to be written into the workload as a literal",
                        "{zh}：环境变量 {name} 按名字应存放{kind_zh}，其明文值是占位符{what_zh}：并未泄露机密，但这说明{kind_zh}打算以明文写进工作负载",
                    ),
                )
                .severity = Severity::Medium;
                continue;
            }
            let (en, zh) = labels();
            for hit in hits {
                let (what_en, what_zh) = hit.summary();
                let (at_en, at_zh) = hit.place();
                if let Kind::PrivateKeyStub(label) = &hit.kind {
                    sink.fail(
                        object,
                        c.path(&format!("env[{i}].value")),
                        text!(
                            "{en}: environment variable {name}{at_en} holds a private key block ({label}) whose body is a placeholder or truncated: a private key block does not belong in a literal value, whatever it holds",
                            "{zh}：环境变量 {name}{at_zh} 以明文保存了私钥块（{label}），其内容为占位符或不完整：无论内容如何，私钥块都不应以明文写进工作负载",
                        ),
                    );
                    continue;
                }
                let finding = sink.fail(
                    object,
                    c.path(&format!("env[{i}].value")),
                    text!(
                        "{en}: environment variable {name}{at_en} holds a literal secret {what_en}",
                        "{zh}：环境变量 {name}{at_zh} 以明文保存了机密数据{what_zh}",
                    ),
                );
                if hit.kind.is_critical() {
                    finding.severity = Severity::Critical;
                }
            }
        }
        let env_from = c.get("envFrom").map_or(&[][..], Node::as_seq);
        for (i, source) in env_from.iter().enumerate() {
            let Some(map) = source
                .path(&["configMapRef", "name"])
                .and_then(Node::as_str)
            else {
                continue;
            };
            let at = c.path(&format!("envFrom[{i}].configMapRef"));
            let prefix = source.str_at("prefix").unwrap_or("");
            from_config_map(object, ctx, sink, (&c, at), (map, None), prefix);
        }
    }
}

/// Variables a container reads from a ConfigMap: the ConfigMap's key `key`, or every key
/// (`envFrom`, the variables named `prefix` + key). A secret there fails; a placeholder under
/// a credential's name, or a credential-named variable read from a ConfigMap the input does
/// not hold, warns: a credential is meant to come from a ConfigMap.
fn from_config_map(
    object: &Object,
    ctx: &Context,
    sink: &mut Sink,
    (c, at): (&kcheck_model::Container, kcheck_model::FieldPath),
    (map, key): (&str, Option<&str>),
    variable: &str,
) {
    let ns = object.namespace.as_deref().unwrap_or("default");
    let (en, zh) = (c.label_en(), c.label_zh());
    let Some(config_map) = ctx.inventory.get("ConfigMap", Some(ns), map) else {
        let Some(k) = key else { return };
        let Some(kind) = detect::credential_name(variable) else {
            return;
        };
        // Only the name is known; the slot says the kind with its article.
        let slot = detect::Slot {
            kind,
            placeholder: Placeholder::Empty,
        };
        let ((kind_en, kind_zh), _) = slot.describe();
        sink.warn(
            object,
            at,
            text!(
                "{en}: environment variable {variable} is named like {kind_en} and is read from ConfigMap {map} key \"{k}\", which the input does not hold: {kind_en} is meant to be supplied through a ConfigMap",
                "{zh}：环境变量 {variable} 按名字应存放{kind_zh}，却读取自 ConfigMap {map} 的键 \"{k}\"（输入中没有该 ConfigMap）：这说明{kind_zh}打算通过 ConfigMap 提供",
            ),
        )
        .severity = Severity::Medium;
        return;
    };
    let data = config_map.root.get("data").map_or(&[][..], Node::as_map);
    for entry in data.iter().filter(|e| key.is_none_or(|k| e.key == k)) {
        let value = match &entry.value.value {
            Value::Null => "",
            _ => match entry.value.as_str() {
                Some(value) => value,
                None => continue,
            },
        };
        let name = match key {
            Some(_) => variable.to_string(),
            None => format!("{variable}{}", entry.key),
        };
        let k = &entry.key;
        // The ConfigMap's key names the value, and so does the variable the program reads.
        let hit = detect::scan(k, value)
            .into_iter()
            .next()
            .or_else(|| (name != *k).then(|| detect::scan(&name, value).into_iter().next())?);
        let Some(hit) = hit else {
            let slot =
                detect::credential_slot(&name, value).or_else(|| detect::credential_slot(k, value));
            if let Some(slot) = slot {
                let ((kind_en, kind_zh), (what_en, what_zh)) = slot.describe();
                sink.warn(
                    object,
                    at.clone(),
                    text!(
                        "{en}: environment variable {name} is read from ConfigMap {map} key \"{k}\", which holds a placeholder {what_en} for {kind_en}: no secret has leaked, but {kind_en} is meant to be supplied through a ConfigMap",
                        "{zh}：环境变量 {name} 读取自 ConfigMap {map} 的键 \"{k}\"，其值是{kind_zh}的占位符{what_zh}：并未泄露机密，但这说明{kind_zh}打算通过 ConfigMap 提供",
                    ),
                )
                .severity = Severity::Medium;
            }
            continue;
        };
        let (what_en, what_zh) = hit.summary();
        let finding = sink.fail(
            object,
            at.clone(),
            text!(
                "{en}: environment variable {name} is read from ConfigMap {map} key \"{k}\", which holds a secret {what_en}",
                "{zh}：环境变量 {name} 读取自 ConfigMap {map} 的键 \"{k}\"，其中保存了机密数据{what_zh}",
            ),
        );
        if hit.kind.is_critical() {
            finding.severity = Severity::Critical;
        }
    }
}
