use crate::analysis::secret_detect as detect;
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, Node, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// The literal `env[].value` of every init, regular and ephemeral container of every
    /// workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob,
    /// ReplicationController, PodTemplate), with the same detectors as
    /// [KC602](KC602.md) applied to the variable's name and value: private keys, cloud keys,
    /// vendor tokens, JWTs, URLs with a password, literal values under password-, token- or
    /// key-like names, and random-looking values under key-like names. Placeholders
    /// (`$(OTHER_VAR)`, `${VAR}`, `changeme`, `<...>`, paths, booleans, numbers) are not
    /// secrets. A variable read from a ConfigMap of the input (`valueFrom.configMapKeyRef`, or
    /// `envFrom.configMapRef` for every key) is judged by the ConfigMap's value: a secret there
    /// reaches the container from an object that is never treated as one. `secretKeyRef` and
    /// `fieldRef` are never flagged.
    ///
    /// The finding never shows the value, only what it looks like and a redacted fingerprint
    /// (see [KC602](KC602.md)). Private keys and cloud credentials are critical.
    ///
    /// ## Why
    /// Checklist item 6.1: a secret written into the pod template is stored in clear text in
    /// the workload object (never encrypted at rest), shown by `kubectl get -o yaml` and
    /// `kubectl describe` to anyone who may read workloads, and kept in Git and in every
    /// ReplicaSet revision. The checklist also warns that environment variables leak more
    /// easily than files (crash dumps, `/proc/<pid>/environ`, child processes).
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
         such variables are not judged at admission (literal values are), never judged wrongly",
        ),
        title: Text::fixed(
            "Container environment holds a literal secret",
            "容器环境变量中以明文保存了机密数据",
        ),
        fix: Text::fixed(
            "Move the value to a Secret, reference it with valueFrom.secretKeyRef (or mount it as a file), and rotate it.",
            "把该值移到 Secret 中,用 valueFrom.secretKeyRef 引用(或以文件形式挂载),并轮换该值。",
        ),
        severities: &[Severity::Critical],
        reads: &["ConfigMap"],
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
    }
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    sink.examined();
    for c in pod.containers() {
        let env = c.get("env").map_or(&[][..], Node::as_seq);
        for (i, var) in env.iter().enumerate() {
            if let Some(r) = var.path(&["valueFrom", "configMapKeyRef"]) {
                let name = var.str_at("name").unwrap_or("");
                let at = c.path(&format!("env[{i}].valueFrom.configMapKeyRef"));
                let (Some(map), Some(key)) = (r.str_at("name"), r.str_at("key")) else {
                    continue;
                };
                from_config_map(object, ctx, sink, (&c, at), (map, Some(key)), name);
                continue;
            }
            let (Some(name), Some(value)) =
                (var.str_at("name"), var.get("value").and_then(Node::as_str))
            else {
                continue;
            };
            for hit in detect::scan(name, value) {
                let (what_en, what_zh) = hit.summary();
                let (at_en, at_zh) = hit.place();
                let (en, zh) = (c.label_en(), c.label_zh());
                let finding = sink.fail(
                    object,
                    c.path(&format!("env[{i}].value")),
                    text!(
                        "{en}: environment variable {name}{at_en} holds a literal secret {what_en}",
                        "{zh}:环境变量 {name}{at_zh} 以明文保存了机密数据{what_zh}",
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

/// Variables a container reads from a ConfigMap of the input whose value is a secret: the
/// ConfigMap's key `key`, or every key (`envFrom`, the variables named `prefix` + key).
fn from_config_map(
    object: &Object,
    ctx: &Context,
    sink: &mut Sink,
    (c, at): (&kcheck_model::Container, kcheck_model::FieldPath),
    (map, key): (&str, Option<&str>),
    variable: &str,
) {
    let ns = object.namespace.as_deref().unwrap_or("default");
    let Some(config_map) = ctx.inventory.get("ConfigMap", Some(ns), map) else {
        return;
    };
    let data = config_map.root.get("data").map_or(&[][..], Node::as_map);
    for entry in data.iter().filter(|e| key.is_none_or(|k| e.key == k)) {
        let Some(value) = entry.value.as_str() else {
            continue;
        };
        let Some(hit) = detect::scan(&entry.key, value).into_iter().next() else {
            continue;
        };
        let name = match key {
            Some(_) => variable.to_string(),
            None => format!("{variable}{}", entry.key),
        };
        let (what_en, what_zh) = hit.summary();
        let (en, zh, k) = (c.label_en(), c.label_zh(), &entry.key);
        let finding = sink.fail(
            object,
            at.clone(),
            text!(
                "{en}: environment variable {name} is read from ConfigMap {map} key \"{k}\", which holds a secret {what_en}",
                "{zh}:环境变量 {name} 读取自 ConfigMap {map} 的键 \"{k}\",其中保存了机密数据{what_zh}",
            ),
        );
        if hit.kind.is_critical() {
            finding.severity = Severity::Critical;
        }
    }
}
