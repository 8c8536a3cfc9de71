//! Point 4: `kcheck webhook` registered with the real API server (a ValidatingWebhookConfiguration
//! with a `url` on 127.0.0.1 and the harness CA), judged through kubectl: denials, warnings,
//! server-side dry runs, and the failure policy once the webhook is gone.

use crate::ensure;
use crate::plane::{free_port, ControlPlane, Proc};
use libtest_mimic::Failed;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const PRIVILEGED_POD: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: root-shell, namespace: guarded}
spec:
  containers:
  - name: shell
    image: registry.example.com/tools/shell@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0
    securityContext: {privileged: true}
";

/// Compliant but for an image pinned by tag only, which kcheck warns about and never denies.
const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: guarded}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: api
        image: registry.example.com/shop/api:1.4.2
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits: {cpu: 200m, memory: 64Mi}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
";

fn webhook_configuration(port: u16, ca_bundle: &str, policy: &str) -> String {
    format!(
        "\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {{name: kcheck-e2e}}
webhooks:
- name: validate.kcheck.io
  clientConfig:
    url: https://127.0.0.1:{port}/validate
    caBundle: {ca_bundle}
  rules:
  - apiGroups: [\"\", apps]
    apiVersions: [v1]
    operations: [CREATE, UPDATE]
    resources: [pods, deployments]
  namespaceSelector: {{matchLabels: {{kcheck-e2e/webhook: \"on\"}}}}
  failurePolicy: {policy}
  sideEffects: None
  admissionReviewVersions: [v1]
  timeoutSeconds: 5
"
    )
}

fn apply(plane: &ControlPlane, yaml: &str, extra: &[&str]) -> Output {
    let mut args = vec!["apply", "-f", "-"];
    args.extend_from_slice(extra);
    plane.kubectl_as(&plane.admin, &args, Some(yaml.as_bytes()))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Whether GET /readyz answers 200 over TLS (openssl, which the PKI needs anyway).
fn ready(plane: &ControlPlane, port: u16) -> bool {
    let mut child = Command::new("openssl")
        .args([
            "s_client",
            "-quiet",
            "-connect",
            &format!("127.0.0.1:{port}"),
        ])
        .arg("-CAfile")
        .arg(plane.pki.join("ca.crt"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin
            .write_all(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    }
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).starts_with("HTTP/1.1 200")
}

pub fn admission_chain(plane: &ControlPlane) -> Result<(), Failed> {
    let port = free_port();
    let p = |n: &str| plane.pki.join(n).display().to_string();
    let mut command = Command::new(&plane.bins.kcheck);
    command
        .args(["webhook", "--addr", &format!("127.0.0.1:{port}")])
        .args([
            "--tls-cert",
            &p("webhook.crt"),
            "--tls-key",
            &p("webhook.key"),
        ])
        .arg("--namespaces-from-api")
        .env("KUBECONFIG", &plane.admin);
    let mut webhook = Proc::spawn("kcheck webhook", command, &plane.path("webhook.log"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready(plane, port) {
        webhook.check_alive()?;
        ensure(Instant::now() < deadline, || {
            format!("the webhook was not ready in 30 s:\n{}", webhook.log_tail())
        })?;
        std::thread::sleep(Duration::from_millis(200));
    }
    let ca_bundle = data_encoding::BASE64.encode(&std::fs::read(plane.pki.join("ca.crt")).unwrap());
    let registered = apply(plane, &webhook_configuration(port, &ca_bundle, "Fail"), &[]);
    ensure(registered.status.success(), || {
        format!("registering the webhook: {}", text(&registered))
    })?;

    // The API server picks the configuration up within a moment: wait for the first denial.
    let deadline = Instant::now() + Duration::from_secs(30);
    let denied = loop {
        let out = apply(plane, PRIVILEGED_POD, &["--dry-run=server"]);
        if !out.status.success() && text(&out).contains("denied the request") {
            break out;
        }
        ensure(Instant::now() < deadline, || {
            format!("no denial within 30 s: {}", text(&out))
        })?;
        std::thread::sleep(Duration::from_millis(300));
    };
    let dry = text(&denied);
    ensure(
        dry.contains("admission webhook \"validate.kcheck.io\" denied the request")
            && dry.contains("KC301"),
        || format!("the dry-run denial does not carry kcheck's message: {dry}"),
    )?;
    // A real create is judged the same.
    let out = apply(plane, PRIVILEGED_POD, &[]);
    let real = text(&out);
    ensure(!out.status.success() && real.contains("KC301"), || {
        format!("privileged pod: {real}")
    })?;
    let strip = |s: &str| s.replace(" (server dry run)", "");
    ensure(strip(&dry) == strip(&real), || {
        format!("dry run and create answered differently:\n{dry}\n{real}")
    })?;

    // A compliant Deployment is admitted, with kcheck's warning about its tag.
    let out = apply(plane, DEPLOYMENT, &[]);
    let admitted = text(&out);
    ensure(out.status.success(), || {
        format!("the compliant Deployment was refused: {admitted}")
    })?;
    ensure(
        admitted.lines().any(|l| l.starts_with("Warning: KC701")),
        || format!("no `Warning: KC701` line: {admitted}"),
    )?;

    // The webhook gone: failurePolicy Fail refuses, Ignore admits.
    webhook.stop();
    let out = apply(plane, PRIVILEGED_POD, &["--dry-run=server"]);
    let failed = text(&out);
    ensure(
        !out.status.success() && failed.contains("failed calling webhook"),
        || format!("with the webhook down and failurePolicy Fail: {failed}"),
    )?;
    let _ = apply(
        plane,
        &webhook_configuration(port, &ca_bundle, "Ignore"),
        &[],
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = apply(plane, PRIVILEGED_POD, &["--dry-run=server"]);
        if out.status.success() {
            break;
        }
        ensure(Instant::now() < deadline, || {
            format!("failurePolicy Ignore still refuses: {}", text(&out))
        })?;
        std::thread::sleep(Duration::from_millis(300));
    }
    plane.kubectl_ok(&["delete", "validatingwebhookconfiguration", "kcheck-e2e"]);
    plane.kubectl_ok(&["delete", "deployment", "api", "-n", "guarded"]);
    Ok(())
}
