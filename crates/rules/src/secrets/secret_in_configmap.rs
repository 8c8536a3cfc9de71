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
            "把该值移到 Secret 中,通过 secretKeyRef 或 Secret 卷引用,并轮换该值。",
        ),
        severities: &[Severity::Critical, Severity::Medium],
        check: Check::Object { kinds: &["ConfigMap"], run: check },
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
            "ConfigMap 键 \"{key}\" 按名字应存放{kind_zh},其值是占位符{what_zh}:并未泄露机密,但这说明{kind_zh}打算通过该 ConfigMap 提供",
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
                    "ConfigMap 键 \"{key}\"{at_zh} 保存了私钥块({label}),其内容为占位符或不完整:无论内容如何,私钥块都不应放在 ConfigMap 中",
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
