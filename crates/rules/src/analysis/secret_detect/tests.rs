//! Each detector with values it must find and values it must leave alone. Every secret here is
//! made up.

use super::*;

const AWS_ID: &str = "AKIAHBRPOIGF3CBFNOBM";
const AWS_SECRET: &str = "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";
const GITHUB: &str = "ghp_wnQrS7RPeMOkIUpkDyr7OSJoRu1XXdo0cZuz";
const GITHUB_PAT: &str =
    "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";
const GITLAB: &str = "glpat-GWlG6g3Ot1OGMmjxWkI9";
const SLACK: &str = "xoxb-809570154303-9117182278248-3MB9n7IWUSmTtzQPxC5HChpo";
const STRIPE: &str = "sk_live_evbLJoLoaeTOdoe5c3veGprQ";
const AZURE_CLIENT: &str = "FnI8Q~q8F80ymm3T207gmhZRnFyy5r2xJ7Fj4mgb";
const AZURE_KEY: &str =
    "L3lV0Pj2bc0eVMIBx4foktj5T2GXbx0foB0Z9FAdKV8jInjOPX4UKdahhWigeofKQ5nqoSUE6jMlbYdDsiN9vQ==";
const JWT: &str = "eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAic3ZjLTkiLCAiaWF0IjogMTcwMDAwMDAwMH0.kVDgmgSZNUSHOzZPi5Brr2iH-oAaL9iNFgGqQoZS4to";
const KEY_BODY: &str = "BDkmTBK9S9xBFZ26FLdrfzS10E95U1rTDFuq0n+IUTfDE/BxZuuznHRyDGLMqI4jjrPMqQ47hVuHEzfesKDfO8VhghbfAGS63COpoD+ZntGnzpdBYtfCWZrPAJuSa9yk";

fn pem(label: &str) -> String {
    format!(
        "-----BEGIN {label}-----\n{}\n{}\n-----END {label}-----\n",
        &KEY_BODY[..64],
        &KEY_BODY[64..]
    )
}

/// The kinds found in `value` under `name`.
fn kinds(name: &str, value: &str) -> Vec<Kind> {
    scan(name, value).into_iter().map(|h| h.kind).collect()
}

fn one(name: &str, value: &str) -> Kind {
    let found = kinds(name, value);
    assert_eq!(found.len(), 1, "{name}={value:?}: {found:?}");
    found[0].clone()
}

fn none(name: &str, value: &str) {
    let found = scan(name, value);
    assert!(found.is_empty(), "{name}={value:?}: {found:?}");
}

#[test]
fn pem_private_keys_of_every_kind() {
    for label in [
        "PRIVATE KEY",
        "RSA PRIVATE KEY",
        "EC PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
        "PGP PRIVATE KEY BLOCK",
    ] {
        assert_eq!(one("tls.key", &pem(label)), Kind::PrivateKey(label.into()));
    }
    // Inside a larger file, and with escaped newlines on one line.
    let file = format!("# key\nname: x\n{}other: y\n", pem("RSA PRIVATE KEY"));
    let hits = scan("config.yaml", &file);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].line, Some(3));
    assert_eq!(hits[0].fingerprint, None);
    let escaped = pem("EC PRIVATE KEY").replace('\n', "\\n");
    assert_eq!(
        one("KEY", &escaped),
        Kind::PrivateKey("EC PRIVATE KEY".into())
    );
}

#[test]
fn pem_certificates_and_mentions_are_not_keys() {
    none("ca.crt", &pem("CERTIFICATE"));
    none("pub", &pem("PUBLIC KEY"));
    none(
        "doc",
        "paste your key after -----BEGIN PRIVATE KEY----- and a line",
    );
    none(
        "doc",
        "a key starts with -----BEGIN RSA PRIVATE KEY----- and ends with -----END RSA PRIVATE KEY-----.",
    );
    none(
        "doc",
        "the file must start with -----BEGIN PRIVATE KEY-----",
    );
    none(
        "doc",
        "-----BEGIN PRIVATE KEY----- lines and what follows them are described below",
    );
}

#[test]
fn pem_key_blocks_whatever_their_body() {
    let stub = |label: &str| Kind::PrivateKeyStub(label.into());
    // Placeholders, a truncated body, garbage, nothing: still a key block in the wrong place.
    for (name, value, label) in [
        (
            "tls.key",
            "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
            "RSA PRIVATE KEY",
        ),
        (
            "tls.key",
            "-----BEGIN PRIVATE KEY-----\n<paste your key here>\n-----END PRIVATE KEY-----\n",
            "PRIVATE KEY",
        ),
        (
            "KEY",
            "-----BEGIN EC PRIVATE KEY-----\\n${EC_KEY}\\n-----END EC PRIVATE KEY-----",
            "EC PRIVATE KEY",
        ),
        (
            "id_rsa",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n",
            "OPENSSH PRIVATE KEY",
        ),
        (
            "key.pem",
            "-----BEGIN PRIVATE KEY-----\n!!not base64 at all!!\n-----END PRIVATE KEY-----",
            "PRIVATE KEY",
        ),
        ("key.pem", "-----BEGIN PRIVATE KEY-----\n", "PRIVATE KEY"),
        (
            "key.pem",
            "-----BEGIN PRIVATE KEY----- MIIEvQIBADANBgkqhkiG9w0B AQEFAASCBKcwggSjAgEAAoIB",
            "PRIVATE KEY",
        ),
    ] {
        assert_eq!(one(name, value), stub(label), "{value:?}");
    }
    // In a file, after an assignment or a quote, and base64-encoded as in a kubeconfig.
    let env = "LOG_LEVEL=info\nSIGNING_KEY=\"-----BEGIN PRIVATE KEY-----\\nxxx\\n-----END PRIVATE KEY-----\"\n";
    let hits = scan(".env", env);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(
        (hits[0].kind.clone(), hits[0].line),
        (stub("PRIVATE KEY"), Some(2))
    );
    let encoded =
        redact_base64("-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n");
    assert_eq!(
        one("kubeconfig", &format!("client-key-data: {encoded}")),
        stub("RSA PRIVATE KEY")
    );
    // A stub is a mistake, not a key: high, not critical, and nothing of it is shown.
    assert!(!stub("PRIVATE KEY").is_critical());
    let hit = &scan(
        "tls.key",
        "-----BEGIN PRIVATE KEY-----\nZm9vYmFy\n-----END PRIVATE KEY-----",
    )[0];
    assert_eq!(hit.fingerprint, None);
    let shown = format!("{:?} {:?}", hit.summary(), hit.place());
    assert!(!shown.contains("Zm9v"), "{shown}");
    // A whole key stays a key.
    assert_eq!(
        one("tls.key", &pem("RSA PRIVATE KEY")),
        Kind::PrivateKey("RSA PRIVATE KEY".into())
    );
}

#[test]
fn base64_encoded_pem_key() {
    let encoded = redact_base64(&pem("RSA PRIVATE KEY"));
    let kubeconfig = format!("users:\n- name: admin\n  user:\n    client-key-data: {encoded}\n");
    let hits = scan("kubeconfig", &kubeconfig);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].kind, Kind::PrivateKey("RSA PRIVATE KEY".into()));
    assert_eq!(hits[0].line, Some(4));
    none("ca", &redact_base64(&pem("CERTIFICATE")));
}

/// Standard base64, for the test above.
fn redact_base64(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
        out.extend(std::iter::repeat_n('=', 3 - chunk.len()));
    }
    out
}

#[test]
fn aws_keys() {
    assert_eq!(one("anything", AWS_ID), Kind::AwsAccessKeyId);
    assert_eq!(one("x", &format!("id={AWS_ID};")), Kind::AwsAccessKeyId);
    assert_eq!(
        one("AWS_SECRET_ACCESS_KEY", AWS_SECRET),
        Kind::AwsSecretAccessKey
    );
    let creds =
        format!("[default]\naws_access_key_id = {AWS_ID}\naws_secret_access_key = {AWS_SECRET}\n");
    let hits = scan("credentials", &creds);
    let found: Vec<_> = hits.iter().map(|h| (h.kind.clone(), h.line)).collect();
    assert_eq!(
        found,
        [
            (Kind::AwsAccessKeyId, Some(2)),
            (Kind::AwsSecretAccessKey, Some(3))
        ]
    );
    assert!(Kind::AwsSecretAccessKey.is_critical());
    // AWS's documentation key, placeholders, a longer word, and a 40-character value without an
    // AWS name.
    none("k", "AKIAIOSFODNN7EXAMPLE");
    none("k", "AKIAXXXXXXXXXXXXXXXX");
    none("k", "XAKIAHBRPOIGF3CBFNOBM");
    none("k", "AKIAHBRPOIGF3CBFNOBMQ");
    none("commit", AWS_SECRET);
    none("AWS_SECRET_ACCESS_KEY", "${AWS_SECRET_ACCESS_KEY}");
}

#[test]
fn gcp_service_account_json() {
    let key = pem("PRIVATE KEY").replace('\n', "\\n");
    let json = format!(
        "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"demo\",\n  \"private_key_id\": \"{}\",\n  \"private_key\": \"{key}\",\n  \"client_email\": \"x@demo.iam.gserviceaccount.com\"\n}}\n",
        &KEY_BODY[..40]
    );
    let hits = scan("sa.json", &json);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].kind, Kind::GcpServiceAccountKey);
    assert_eq!(hits[0].line, Some(5));
    // Without a key, or of another type.
    none(
        "sa.json",
        "{\n  \"type\": \"service_account\",\n  \"private_key\": \"\"\n}\n",
    );
    none(
        "sa.json",
        "{\n  \"type\": \"authorized_user\",\n  \"client_id\": \"demo\"\n}\n",
    );
}

#[test]
fn azure_secrets() {
    let conn = format!(
        "DefaultEndpointsProtocol=https;AccountName=demo;AccountKey={AZURE_KEY};EndpointSuffix=core.windows.net"
    );
    assert_eq!(one("STORAGE", &conn), Kind::AzureAccountKey);
    assert_eq!(
        one("BUS", &format!("Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey={}", &AZURE_KEY[..44])),
        Kind::AzureAccountKey
    );
    assert_eq!(one("anything", AZURE_CLIENT), Kind::AzureClientSecret);
    assert_eq!(
        one("azurestorageaccountkey", AZURE_KEY),
        Kind::AzureAccountKey
    );
    assert_eq!(
        one("AZURE_CLIENT_SECRET", "Qm7rT2xLw9Zp4Kd"),
        Kind::AzureClientSecret
    );
    // The storage emulator's published key, and an empty key.
    none(
        "STORAGE",
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
    );
    none("STORAGE", "AccountName=demo;AccountKey=;");
    none("AZURE_CLIENT_SECRET", "<client-secret>");
}

#[test]
fn vendor_tokens() {
    assert_eq!(one("x", GITHUB), Kind::GitHubToken);
    assert_eq!(one("x", GITHUB_PAT), Kind::GitHubToken);
    assert_eq!(one("x", GITLAB), Kind::GitLabToken);
    assert_eq!(one("x", SLACK), Kind::SlackToken);
    assert_eq!(one("x", STRIPE), Kind::StripeKey);
    assert_eq!(
        one("header", &format!("Authorization: token {GITHUB}")),
        Kind::GitHubToken
    );
    none("x", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    none("x", "ghp_short");
    none("x", "glpat-xxxxxxxxxxxxxxxxxxxx");
    none("x", "xoxb-your-bot-token-here");
    none("x", "sk_test_evbLJoLoaeTOdoe5c3veGprQ");
    none("x", "sk_live_...");
}

#[test]
fn jwts() {
    assert_eq!(one("x", JWT), Kind::Jwt);
    assert_eq!(one("header", &format!("Bearer {JWT}")), Kind::Jwt);
    // Unsigned, a header that is not JSON, too few parts.
    let unsigned: String = JWT.rsplit_once('.').unwrap().0.to_string() + ".";
    none("x", &unsigned);
    none("x", "eyJub3QganNvbg.eyJhIjoxfQ.c2lnbmF0dXJlc2lnbmF0dXJl");
    none("x", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0");
}

#[test]
fn urls_with_a_password() {
    assert_eq!(
        one("DATABASE_URL", "postgres://app:Qm7rT2xLw9@db:5432/app"),
        Kind::UrlPassword
    );
    assert_eq!(
        one("x", "redis://:Qm7rT2xLw9@cache:6379/0"),
        Kind::UrlPassword
    );
    let hits = scan("DATABASE_URL", "postgres://app:Qm7rT2xLw9@db:5432/app");
    let fp = hits[0].fingerprint.as_deref().unwrap();
    // None of the password's characters.
    assert!(fp.starts_with('…') && !fp.contains("Qm"), "{fp}");
    none("DATABASE_URL", "postgres://app@db:5432/app");
    none("DATABASE_URL", "postgres://app:${DB_PASSWORD}@db/app");
    none("DATABASE_URL", "postgres://app:$(DB_PASSWORD)@db/app");
    none("DATABASE_URL", "postgres://app:<password>@db/app");
    none("DATABASE_URL", "postgres://app:password@db/app");
    none("URL", "https://example.com:8443/path@x");
    none("URL", "http://[::1]:8080/");
}

#[test]
fn password_like_names() {
    assert_eq!(one("DB_PASSWORD", "hunter22"), Kind::Password);
    assert_eq!(
        one("spring.datasource.password", "Tr0ub4dor&3"),
        Kind::Password
    );
    assert_eq!(one("api_key", "a8f3k2m9q1w7e5r4"), Kind::ApiKey);
    assert_eq!(
        one("AUTH_TOKEN", "0d3f6a9c-2b7e-4c1d-9f8a-5e6b7c8d9e0f"),
        Kind::Token
    );
    assert_eq!(one("client_secret", "Zq4RtY8uWm2N"), Kind::Secret);
    // Names about a secret, not holding one.
    none("password_file", "hunter22");
    none("passwordPath", "hunter22");
    none("password_min_length", "12");
    none("token_ttl", "1h");
    none("secretName", "db-credentials");
    // Secret and token names whose value is the name of a Secret object or too plain.
    none("tls_secret", "ingress-tls-cert");
    none("token", "enabled");
    none("SECRET", "mysecretvalue");
}

#[test]
fn placeholders_are_not_secrets() {
    for value in [
        "",
        "changeme",
        "<password>",
        "${DB_PASSWORD}",
        "$(DB_PASSWORD)",
        "{{ .Values.db.password }}",
        "xxx",
        "REDACTED",
        "example",
        "***",
        "true",
        "false",
        "8080",
        "/etc/secrets/db-password",
        "secretKeyRef",
        "abc",
    ] {
        none("DB_PASSWORD", value);
        none("api_key", value);
    }
}

#[test]
fn high_entropy_needs_a_key_like_name() {
    let value = "8f9A2kLq0Zx7Wm4Np6Rt3Vb5";
    assert_eq!(one("ENCRYPTION_KEY", value), Kind::HighEntropy);
    assert_eq!(one("cookie_signing_key", value), Kind::HighEntropy);
    none("BUILD_ID", value);
    none("image_digest", value);
    none("ENCRYPTION_KEY", "aes-256-gcm");
    none("public_key", value);
}

#[test]
fn configuration_files_line_by_line() {
    let properties = "server.port=8080\n# db.password=<set me>\ndb.url=jdbc:postgresql://db/app\ndb.password=Tr0ub4dor&3\ndb.password_file=/run/secrets/db\n";
    let hits = scan("application.properties", properties);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].kind, Kind::Password);
    assert_eq!(hits[0].line, Some(4));
    assert_eq!(hits[0].inner_key.as_deref(), Some("db.password"));
    assert_eq!(hits[0].place().0, ", line 4 (db.password),");

    let yaml = "database:\n  host: db\n  PASSWORD: \"hunter22\"\n  user: app\n";
    let hits = scan("config.yaml", yaml);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(
        (hits[0].line, hits[0].inner_key.as_deref()),
        (Some(3), Some("PASSWORD"))
    );

    let env = format!("export API_TOKEN='{GITHUB}'\nLOG_LEVEL=debug\nSECRET_KEY=\n");
    let hits = scan(".env", &env);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].kind, Kind::GitHubToken);

    // A key that could itself be a secret is not shown.
    let hits = scan(
        "users.json",
        &format!("{{\n  \"Zq4RtY8uWm2Np6Lk0Hs3\": \"{GITHUB}\"\n}}\n"),
    );
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(
        (hits[0].line, hits[0].inner_key.as_deref()),
        (Some(2), None)
    );

    // A block scalar holding one value keeps the outer name.
    assert_eq!(one("password", "hunter22\n"), Kind::Password);
    // Outer names do not apply to the lines of a file.
    none("password.conf", "line one\nline two\n");
}

#[test]
fn binary_data() {
    assert_eq!(
        scan_binary("keystore.p12", "MIIKAgEDMIIJvAYJKoZIhvcNAQcBoIIJ")[0].kind,
        Kind::Keystore
    );
    assert!(scan_binary("truststore.jks", "MIIKAgEDMIIJvAYJKoZIhvcNAQcBoIIJ").is_empty());
    // "password: hunter22\n"
    let hits = scan_binary("app.conf", "cGFzc3dvcmQ6IGh1bnRlcjIyCg==");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].kind, Kind::Password);
    assert!(scan_binary("x", "not base64 !").is_empty());
}

#[test]
fn hits_never_hold_the_secret() {
    let values = [
        AWS_ID,
        AWS_SECRET,
        GITHUB,
        GITLAB,
        SLACK,
        STRIPE,
        AZURE_CLIENT,
        JWT,
    ];
    for value in values {
        for hit in scan("AWS_SECRET_ACCESS_KEY", value) {
            let shown = format!("{hit:?} {:?} {:?}", hit.summary(), hit.place());
            // The kind's public prefix (`glpat-`) may show; nothing after it may.
            let public = hit.kind.public_prefix(value).len();
            for i in public.saturating_sub(4)..value.len() - 4 {
                assert!(
                    !shown.contains(&value[i..i + 5]),
                    "{shown} shows part of the secret"
                );
            }
        }
    }
}

#[test]
fn credential_names_over_placeholders_are_slots() {
    use Placeholder::*;
    for (name, value, kind, placeholder) in [
        ("DB_PASSWORD", "", Kind::Password, Empty),
        ("DB_PASSWORD", "changeme", Kind::Password, FillIn),
        ("ADMIN_PASSWORD", "<admin-password>", Kind::Password, FillIn),
        ("AUTH_TOKEN", "xxx", Kind::Token, FillIn),
        ("GITHUB_TOKEN", "your-token-here", Kind::Token, FillIn),
        ("STRIPE_API_KEY", "REDACTED", Kind::ApiKey, FillIn),
        ("SSH_PRIVATE_KEY", "TODO", Kind::ApiKey, FillIn),
        ("client_secret", "example", Kind::Secret, FillIn),
        (
            "AWS_SECRET_ACCESS_KEY",
            "${AWS_SECRET_ACCESS_KEY}",
            Kind::AwsSecretAccessKey,
            Variable,
        ),
        (
            "SMTP_PASSWORD",
            "{{ .Values.smtp.password }}",
            Kind::Password,
            Variable,
        ),
        (
            "REDIS_PASSWORD",
            "$REDIS_PASSWORD",
            Kind::Password,
            Variable,
        ),
        ("API_TOKEN", "__API_TOKEN__", Kind::Token, Variable),
        (
            "DB_PASSWORD",
            "$(DB_PASSWORD)",
            Kind::Password,
            EnvReference,
        ),
        ("password", "password", Kind::Password, FillIn),
        ("password", "none", Kind::Password, FillIn),
        ("password", "\n", Kind::Password, Empty),
    ] {
        assert_eq!(
            credential_slot(name, value),
            Some(Slot { kind, placeholder }),
            "{name}={value:?}"
        );
    }
    // Names that do not say credential, or say where one is kept; values that say where the
    // credential is, or that there is none.
    for (name, value) in [
        ("LOG_LEVEL", "changeme"),
        ("SIGNING_KEY", ""),
        ("MINIO_ACCESS_KEY", "changeme"),
        ("password_file", ""),
        ("TOKEN_TTL", ""),
        ("secretName", ""),
        ("existingSecret", ""),
        ("TLS_SECRET", ""),
        ("imagePullSecret", "changeme"),
        ("GOOGLE_APPLICATION_CREDENTIALS", ""),
        ("AWS_ACCESS_KEY_ID", ""),
        ("DB_PASSWORD", "/run/secrets/db/password"),
        ("DB_PASSWORD", "vault:secret/data/db#password"),
        ("DB_PASSWORD", "secretKeyRef"),
        ("ALLOW_EMPTY_PASSWORD", "yes"),
        ("MYSQL_RANDOM_ROOT_PASSWORD", "1"),
        ("PASSWORD", "false"),
        ("api_key", "ENC(q8Zf2LmP0wXcVb7R)"),
        ("DB_PASSWORD", "hunter22"),
        ("config.yaml", "password: changeme\n"),
        ("password", "changeme\nchangeme"),
    ] {
        assert_eq!(credential_slot(name, value), None, "{name}={value:?}");
    }
    let slot = credential_slot("AWS_SECRET_ACCESS_KEY", "").unwrap();
    assert_eq!(
        slot.describe().0,
        (
            "an AWS secret access key".to_string(),
            " AWS 秘密访问密钥".to_string()
        )
    );
    let slot = credential_slot("DB_PASSWORD", "xxx").unwrap();
    assert_eq!(
        slot.describe(),
        (
            ("a password".to_string(), "密码".to_string()),
            (
                "(a value to fill in)".to_string(),
                "（待填写的值）".to_string()
            )
        )
    );
}
