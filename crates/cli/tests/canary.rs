//! Canary test: kcheck must report secrets without ever printing them.
//!
//! It plants secret values that are new on every run (seeded from the process id and the clock)
//! in ConfigMaps (one for every kind of secret kcheck recognises), in container environment
//! variables, in a Secret's `data` and `stringData` and in annotations, then runs the real
//! binary (`kcheck scan` and `kcheck pss`) in every format and language. The secrets must be
//! found (KC602 and KC603 findings in the JSON report), and no output may hold any canary, nor
//! any piece of one longer than 4 characters.

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;

const FORMATS: &[&str] = &["table", "json", "sarif", "junit", "markdown", "html"];
const LANGS: &[&str] = &["en", "zh"];

/// splitmix64: enough randomness for unique canaries without a dependency.
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Rng(nanos ^ (u64::from(std::process::id()) << 32) ^ 0x6b63_6865_636b_2121)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// `len` characters cycling through the alphabets, so that every 5 characters hold one of
    /// each. The alphabets leave out hex letters and look-alikes, so that no window of a canary
    /// can turn up by chance in English text, hashes or paths.
    fn pattern(&mut self, len: usize, alphabets: &[&str]) -> String {
        (0..len)
            .map(|i| {
                let a = alphabets[i % alphabets.len()].as_bytes();
                a[(self.next() % a.len() as u64) as usize] as char
            })
            .collect()
    }

    fn alnum(&mut self, len: usize) -> String {
        self.pattern(len, &["GHJKMNPQRSTUVWXYZ", "23456789", "ghjkmnpqrstuvwxyz"])
    }

    fn base32(&mut self, len: usize) -> String {
        self.pattern(len, &["GHJKMNPQRSTUVWXYZ", "GHJKLMNPQRSTUVWXYZ", "234567"])
    }
}

/// A planted value and the parts of it that are secret (fixed prefixes such as `ghp_` or a PEM
/// header may be named in a report; everything random may not).
struct Canary {
    literal: String,
    random: Range<usize>,
}

impl Canary {
    /// `prefix` + `random` + `suffix`.
    fn new(prefix: &str, random: &str, suffix: &str) -> Canary {
        Canary {
            literal: format!("{prefix}{random}{suffix}"),
            random: prefix.len()..prefix.len() + random.len(),
        }
    }

    /// Every 5-character window of the literal that holds a random character.
    fn windows(&self, out: &mut HashSet<Vec<u8>>) {
        let b = self.literal.as_bytes();
        for start in self.random.start.saturating_sub(4)..self.random.end {
            if start + 5 <= b.len() {
                out.insert(b[start..start + 5].to_vec());
            }
        }
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
        for _ in chunk.len()..3 {
            out.push('=');
        }
    }
    out
}

/// A PEM block with a random body of two 64-character lines.
fn pem(rng: &mut Rng, label: &str) -> Canary {
    let body = format!("{}\n{}", rng.alnum(64), rng.alnum(64));
    Canary::new(
        &format!("-----BEGIN {label}-----\n"),
        &body,
        &format!("\n-----END {label}-----\n"),
    )
}

/// YAML block scalar lines, indented.
fn indent(text: &str, n: usize) -> String {
    text.lines()
        .map(|l| format!("{}{l}\n", " ".repeat(n)))
        .collect()
}

struct Planted {
    canaries: Vec<Canary>,
    /// (code, path) of findings that must be in the JSON report.
    expected: Vec<(&'static str, String)>,
}

impl Planted {
    fn add(&mut self, c: Canary) -> String {
        let literal = c.literal.clone();
        self.canaries.push(c);
        literal
    }
}

fn write_manifests(dir: &Path, rng: &mut Rng) -> Planted {
    let mut p = Planted {
        canaries: Vec::new(),
        expected: Vec::new(),
    };
    // One ConfigMap key for every detector.
    let rsa = p.add(pem(rng, "RSA PRIVATE KEY"));
    let openssh = p.add(pem(rng, "OPENSSH PRIVATE KEY"));
    let gcp_key = pem(rng, "PRIVATE KEY");
    let gcp = format!(
        "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"canary\",\n  \"private_key\": \"{}\"\n}}\n",
        gcp_key.literal.replace('\n', "\\n")
    );
    p.canaries.push(gcp_key);
    let kubeconfig_key = pem(rng, "EC PRIVATE KEY");
    let client_key_data = base64(kubeconfig_key.literal.as_bytes());
    p.canaries.push(kubeconfig_key);
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    client-key-data: {client_key_data}\n"
    );
    let aws_id = p.add(Canary::new("AKIA", &rng.base32(16), ""));
    let aws_secret = p.add(Canary::new("", &rng.alnum(40), ""));
    let azure_key = p.add(Canary::new("", &rng.alnum(86), "=="));
    let azure_client = p.add(Canary::new(
        "",
        &format!("{}7Q~{}", rng.alnum(3), rng.alnum(34)),
        "",
    ));
    let ghp = p.add(Canary::new("ghp_", &rng.alnum(36), ""));
    let pat = p.add(Canary::new("github_pat_", &rng.alnum(82), ""));
    let glpat = p.add(Canary::new("glpat-", &rng.alnum(20), ""));
    let slack = p.add(Canary::new(
        "xoxb-120034005600-7000890012300-",
        &rng.alnum(24),
        "",
    ));
    let stripe = p.add(Canary::new("sk_live_", &rng.alnum(24), ""));
    // {"alg":"HS256","typ":"JWT"} . {"sub":"canary"} . random signature
    let jwt = p.add(Canary::new(
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjYW5hcnkifQ.",
        &rng.alnum(43),
        "",
    ));
    let url_password = p.add(Canary::new("", &rng.alnum(16), ""));
    let password = p.add(Canary::new("", &rng.alnum(14), ""));
    let token = p.add(Canary::new("", &rng.alnum(24), ""));
    let entropy = p.add(Canary::new("", &rng.alnum(32), ""));
    let properties_password = p.add(Canary::new("", &rng.alnum(18), ""));
    let env_file_token = p.add(Canary::new("", &rng.alnum(22), ""));
    let binary_password = p.add(Canary::new("", &rng.alnum(16), ""));
    let binary_conf = base64(format!("user=app\npasswd={binary_password}\n").as_bytes());
    let keystore_bytes = rng.alnum(48);
    let keystore = base64(keystore_bytes.as_bytes());
    p.canaries.push(Canary::new("", &keystore_bytes, ""));
    let annotation = p.add(Canary::new("", &rng.alnum(20), ""));

    let configmap = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leaky\n  namespace: canary\n  annotations:\n    example.com/api-token: {annotation}\ndata:\n  tls.key: |\n{}  id_ed25519: |\n{}  gcp.json: |\n{}  kubeconfig: |\n{}  AWS_ACCESS_KEY_ID: {aws_id}\n  AWS_SECRET_ACCESS_KEY: {aws_secret}\n  STORAGE: \"DefaultEndpointsProtocol=https;AccountName=canary;AccountKey={azure_key};EndpointSuffix=core.windows.net\"\n  AZURE_CLIENT_SECRET: \"{azure_client}\"\n  github: {ghp}\n  github-fine-grained: {pat}\n  gitlab: {glpat}\n  slack: {slack}\n  stripe: {stripe}\n  jwt: {jwt}\n  DATABASE_URL: \"postgres://app:{url_password}@db:5432/app\"\n  DB_PASSWORD: \"{password}\"\n  AUTH_TOKEN: \"{token}\"\n  SESSION_SIGNING_KEY: \"{entropy}\"\n  application.properties: |\n    server.port=8080\n    db.password={properties_password}\n  .env: |\n    LOG_LEVEL=info\n    API_TOKEN='{env_file_token}'\nbinaryData:\n  legacy.conf: {binary_conf}\n  keystore.p12: {keystore}\n",
        indent(&rsa, 4),
        indent(&openssh, 4),
        indent(&gcp, 4),
        indent(&kubeconfig, 4),
    );
    std::fs::write(dir.join("configmap.yaml"), configmap).unwrap();
    for key in [
        "tls.key",
        "id_ed25519",
        "gcp.json",
        "kubeconfig",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "STORAGE",
        "AZURE_CLIENT_SECRET",
        "github",
        "github-fine-grained",
        "gitlab",
        "slack",
        "stripe",
        "jwt",
        "DATABASE_URL",
        "DB_PASSWORD",
        "AUTH_TOKEN",
        "SESSION_SIGNING_KEY",
        "application.properties",
        ".env",
    ] {
        p.expected.push(("KC602", format!("data.{key}")));
    }
    for key in ["legacy.conf", "keystore.p12"] {
        p.expected.push(("KC602", format!("binaryData.{key}")));
    }

    // Environment variables of a Deployment's containers.
    let env_password = p.add(Canary::new("", &rng.alnum(15), ""));
    let env_aws = p.add(Canary::new("ASIA", &rng.base32(16), ""));
    let env_github = p.add(Canary::new("ghp_", &rng.alnum(36), ""));
    let env_url = p.add(Canary::new("", &rng.alnum(12), ""));
    let env_key = pem(rng, "PRIVATE KEY");
    let env_key_text = env_key.literal.clone();
    p.canaries.push(env_key);
    let pod_annotation = p.add(Canary::new("", &rng.alnum(20), ""));
    let deployment = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  namespace: canary\n  annotations:\n    example.com/db-password: {pod_annotation}\nspec:\n  selector:\n    matchLabels: {{app: app}}\n  template:\n    metadata:\n      labels: {{app: app}}\n      annotations:\n        example.com/api-token: {pod_annotation}\n    spec:\n      initContainers:\n      - name: migrate\n        image: registry.example/migrate:1.0.0\n        env:\n        - name: DATABASE_URL\n          value: \"mysql://root:{env_url}@db:3306/app\"\n      containers:\n      - name: app\n        image: registry.example/app:1.0.0\n        env:\n        - name: DB_PASSWORD\n          value: \"{env_password}\"\n        - name: AWS_ACCESS_KEY_ID\n          value: {env_aws}\n        - name: GITHUB_TOKEN\n          value: {env_github}\n        - name: TLS_KEY\n          value: |\n{}",
        indent(&env_key_text, 12),
    );
    std::fs::write(dir.join("deployment.yaml"), deployment).unwrap();
    for path in [
        "spec.template.spec.initContainers[0].env[0].value",
        "spec.template.spec.containers[0].env[0].value",
        "spec.template.spec.containers[0].env[1].value",
        "spec.template.spec.containers[0].env[2].value",
        "spec.template.spec.containers[0].env[3].value",
    ] {
        p.expected.push(("KC603", path.to_string()));
    }

    // A Secret: where secrets belong, and never printed either.
    let secret_data = p.add(Canary::new("", &rng.alnum(20), ""));
    let secret_string = p.add(Canary::new("", &rng.alnum(20), ""));
    let secret = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-db\n  namespace: canary\n  annotations:\n    example.com/token: {annotation}\ntype: Opaque\ndata:\n  password: {}\nstringData:\n  token: \"{secret_string}\"\n  DATABASE_URL: \"postgres://app:{secret_string}@db/app\"\n",
        base64(secret_data.as_bytes())
    );
    std::fs::write(dir.join("secret.yaml"), secret).unwrap();
    p
}

fn run(args: &[&str]) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_kcheck"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run kcheck");
    let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&o.stderr));
    (o.status.code(), text)
}

/// The first window of a canary found in `output`, if any.
fn leak(output: &str, windows: &HashSet<Vec<u8>>) -> Option<String> {
    output
        .as_bytes()
        .windows(5)
        .find(|w| windows.contains(*w))
        .map(|w| String::from_utf8_lossy(w).into_owned())
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn secrets_are_found_and_never_printed() {
    let dir = TempDir(std::env::temp_dir().join(format!("kcheck-canary-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    std::fs::create_dir_all(&dir.0).unwrap();
    let mut rng = Rng::new();
    let planted = write_manifests(&dir.0, &mut rng);
    let mut windows = HashSet::new();
    for c in &planted.canaries {
        c.windows(&mut windows);
    }
    // The check itself works: every canary would be caught, the manifests hold every one.
    let manifests: String = ["configmap.yaml", "deployment.yaml", "secret.yaml"]
        .iter()
        .map(|f| std::fs::read_to_string(dir.0.join(f)).unwrap())
        .collect();
    for c in &planted.canaries {
        assert!(
            leak(&c.literal, &windows).is_some(),
            "canary without windows"
        );
    }
    assert!(leak(&manifests, &windows).is_some());
    let path = dir.0.to_str().unwrap();

    // The secrets are found.
    let (code, json) = run(&["scan", path, "--format", "json"]);
    assert_eq!(code, Some(1), "{json}");
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON report");
    let findings = report["findings"].as_array().expect("findings");
    for (code, field) in &planted.expected {
        assert!(
            findings
                .iter()
                .any(|f| f["code"] == *code && f["path"].as_str() == Some(field.as_str())),
            "no {code} finding at {field}"
        );
    }
    let count = |code: &str| findings.iter().filter(|f| f["code"] == code).count();
    assert!(count("KC602") >= 22, "{} KC602 findings", count("KC602"));
    assert!(count("KC603") >= 5, "{} KC603 findings", count("KC603"));

    // And never printed, in any format or language, by scan or pss.
    let mut outputs = 0;
    for format in FORMATS {
        for lang in LANGS {
            let runs: [Vec<&str>; 2] = [
                vec!["scan", path, "--format", format, "--lang", lang],
                vec![
                    "pss",
                    path,
                    "--level",
                    "baseline",
                    "--level",
                    "restricted",
                    "--format",
                    format,
                    "--lang",
                    lang,
                ],
            ];
            for args in runs {
                let (code, output) = run(&args);
                assert!(
                    matches!(code, Some(0 | 1)),
                    "{args:?} exited {code:?}: {output}"
                );
                assert!(!output.trim().is_empty(), "{args:?} printed nothing");
                if args[0] == "scan" {
                    assert!(
                        output.contains("KC602") && output.contains("KC603"),
                        "{args:?} does not report the planted secrets: {output}"
                    );
                }
                if let Some(piece) = leak(&output, &windows) {
                    panic!("{args:?} printed a piece of a planted secret: {piece:?}");
                }
                outputs += 1;
            }
        }
    }
    assert_eq!(outputs, FORMATS.len() * LANGS.len() * 2);

    // The policy reports (scan only: pss has no such format).
    for lang in LANGS {
        let args = ["scan", path, "--format", "policyreport", "--lang", lang];
        let (code, output) = run(&args);
        assert_eq!(code, Some(1), "{args:?}: {output}");
        assert!(output.contains("rule: \"KC602\"") && output.contains("rule: \"KC603\""));
        if let Some(piece) = leak(&output, &windows) {
            panic!("{args:?} printed a piece of a planted secret: {piece:?}");
        }
    }

    // The HTML with every finding, each with the lines of YAML around it read back from the
    // manifests: the values beside the planted secrets are redacted, never printed.
    for lang in LANGS {
        let args = [
            "scan",
            path,
            "--format",
            "html",
            "--examples",
            "all",
            "--lang",
            lang,
        ];
        let (code, html) = run(&args);
        assert_eq!(code, Some(1), "{args:?}");
        let snippets = html.matches("<pre class=\"snip\">").count();
        let findings = html.matches("<li class=\"finding").count();
        assert!(
            snippets >= 30 && snippets == findings,
            "{snippets} snippets, {findings} findings"
        );
        assert!(html.contains("‹redacted›"), "{args:?}");
        if let Some(piece) = leak(&html, &windows) {
            panic!("{args:?} printed a piece of a planted secret: {piece:?}");
        }
    }
}
