use crate::analysis::secret_detect::{self as detect, Hit};
use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Node, Object, Severity, Text};

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
    /// A value that holds a whole configuration file (`application.properties`, YAML, `.env`,
    /// TOML, INI, JSON) is read line by line: the finding points at the ConfigMap key and names
    /// the line inside the value. Placeholders are not secrets: empty values, `changeme`,
    /// `<...>`, `${VAR}`, `$(VAR)`, `{{ .Values.x }}`, `xxx`, `REDACTED`, `example`, `***`,
    /// booleans, numbers, file paths, references to a secret store, and names that describe a
    /// secret rather than hold one (`password_file`, `passwordPath`, `password_min_length`,
    /// `token_ttl`, `secretName`). Binary keystores (`.p12`, `.pfx`, `.jks`) in `binaryData`
    /// count as private keys; truststores do not.
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
        severities: &[Severity::Critical],
        check: Check::Object { kinds: &["ConfigMap"], run: check },
    }
}

/// At most this many findings for one key; a whole leaked file is one problem.
const MAX_PER_KEY: usize = 10;

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    sink.examined();
    for field in ["data", "binaryData"] {
        for entry in object.root.get(field).map_or(&[][..], Node::as_map) {
            let Some(value) = entry.value.as_str() else {
                continue;
            };
            let hits = match field {
                "data" => detect::scan(&entry.key, value),
                _ => detect::scan_binary(&entry.key, value),
            };
            let path = FieldPath::root().key(field).key(&entry.key);
            report(object, &path, &entry.key, &hits, sink);
        }
    }
}

fn report(object: &Object, path: &FieldPath, key: &str, hits: &[Hit], sink: &mut Sink) {
    for hit in hits.iter().take(MAX_PER_KEY) {
        let (what_en, what_zh) = hit.summary();
        let (at_en, at_zh) = hit.place();
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
