//! Point 1: a cluster, an etcd or an API for the webhook that cannot be reached is exit 2 and one
//! line naming the server and the cause, never a report that looks like an audit.

use crate::ensure;
use crate::plane::{free_port, kubeconfig, run, ControlPlane, User};
use libtest_mimic::Failed;
use std::net::TcpListener;
use std::time::{Duration, Instant};

/// `kcheck cluster` with `config` must fail with exactly `kcheck: cannot reach SERVER: CAUSE`.
fn refused(
    plane: &ControlPlane,
    case: &str,
    config: &std::path::Path,
    server: &str,
    cause: &str,
) -> Result<(), Failed> {
    let began = Instant::now();
    let run = plane.kcheck(&[
        "cluster",
        "--kubeconfig",
        config.to_str().unwrap(),
        "--timeout",
        "3",
        "--format",
        "json",
    ]);
    let took = began.elapsed();
    let want = format!("kcheck: cannot reach {server}: {cause}");
    ensure(run.code == 2, || {
        format!("{case}: exit {} (want 2); stderr: {}", run.code, run.stderr)
    })?;
    ensure(run.stdout.is_empty(), || {
        format!(
            "{case}: a report was printed: {}",
            &run.stdout[..run.stdout.len().min(300)]
        )
    })?;
    ensure(run.stderr.trim_end() == want, || {
        format!("{case}: stderr is\n{}\nwant\n{want}", run.stderr)
    })?;
    ensure(took < Duration::from_secs(30), || {
        format!("{case}: took {took:?}")
    })
}

pub fn connection_failures_are_loud(plane: &ControlPlane) -> Result<(), Failed> {
    let ca = plane.pki.join("ca.crt");
    let config = plane.path("connect.kubeconfig");
    let api = plane.api.url.as_str();

    // A port nothing listens on.
    let closed = format!("https://127.0.0.1:{}", free_port());
    kubeconfig(&config, &closed, &ca, User::Cert("admin"), None);
    refused(plane, "refused", &config, &closed, "connection refused")?;

    // A name no resolver knows.
    let nowhere = "https://kcheck-e2e.invalid:6443";
    kubeconfig(&config, nowhere, &ca, User::Cert("admin"), None);
    refused(
        plane,
        "dns",
        &config,
        nowhere,
        "DNS: cannot resolve kcheck-e2e.invalid",
    )?;

    // A port that accepts connections and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("https://{}", silent.local_addr().unwrap());
    kubeconfig(&config, &silent_url, &ca, User::Cert("admin"), None);
    refused(plane, "silent", &config, &silent_url, "no answer within 3s")?;
    drop(silent);

    // The real API server, with a CA that did not sign its certificate.
    kubeconfig(
        &config,
        api,
        &plane.pki.join("other-ca.crt"),
        User::Cert("admin"),
        None,
    );
    refused(
        plane,
        "wrong CA",
        &config,
        api,
        "TLS: certificate signed by unknown authority",
    )?;

    // Its SNI certificate for expired.test, valid in 2020 only.
    kubeconfig(&config, api, &ca, User::Cert("admin"), Some("expired.test"));
    refused(
        plane,
        "expired",
        &config,
        api,
        "TLS: certificate has expired",
    )?;

    // A name its certificate does not carry.
    kubeconfig(&config, api, &ca, User::Cert("admin"), Some("wrong.test"));
    refused(
        plane,
        "hostname",
        &config,
        api,
        "TLS: certificate is not valid for 127.0.0.1",
    )?;

    // A token it does not know.
    kubeconfig(&config, api, &ca, User::Token("not-a-token"), None);
    refused(
        plane,
        "401",
        &config,
        api,
        "401 Unauthorized: the server did not accept the credentials",
    )?;

    // kubectl agrees that each of these fails (and so is the right reference).
    let kubectl = plane.kubectl_as(&config, &["get", "--raw", "/version"], None);
    ensure(!kubectl.status.success(), || {
        "kubectl accepted a bad token".into()
    })
}

/// A self-signed CA certificate served as the API server's certificate (via SNI) connects, as it
/// does with kubectl, and gives the same report as the ordinary connection.
pub fn self_signed_ca_connects(plane: &ControlPlane) -> Result<(), Failed> {
    let selfsigned = plane.path("selfsigned.kubeconfig");
    kubeconfig(
        &selfsigned,
        &plane.api.url,
        &plane.pki.join("selfsigned.crt"),
        User::Cert("admin"),
        Some("selfsigned.test"),
    );
    let kubectl = plane.kubectl_as(&selfsigned, &["get", "--raw", "/version"], None);
    ensure(kubectl.status.success(), || {
        format!(
            "kubectl refused the self-signed server certificate: {}",
            String::from_utf8_lossy(&kubectl.stderr)
        )
    })?;
    let run = plane.kcheck(&[
        "cluster",
        "--kubeconfig",
        selfsigned.to_str().unwrap(),
        "--format",
        "json",
    ]);
    ensure(run.code == 1, || {
        format!("exit {}; stderr: {}", run.code, run.stderr)
    })?;
    let admin = plane.kcheck(&[
        "cluster",
        "--kubeconfig",
        plane.admin.to_str().unwrap(),
        "--format",
        "json",
    ]);
    ensure(
        crate::statuses(&run.json()) == crate::statuses(&admin.json()),
        || "the self-signed connection saw another cluster than the admin connection".into(),
    )?;
    // The same certificate under a name it does not carry is still refused.
    kubeconfig(
        &selfsigned,
        &plane.api.url,
        &plane.pki.join("selfsigned.crt"),
        User::Cert("admin"),
        None,
    );
    let wrong = plane.kcheck(&["cluster", "--kubeconfig", selfsigned.to_str().unwrap()]);
    ensure(wrong.code == 2, || {
        format!("exit {}: {}", wrong.code, wrong.stderr)
    })
}

pub fn etcd_and_webhook_failures(plane: &ControlPlane) -> Result<(), Failed> {
    let p = |n: &str| plane.pki.join(n).display().to_string();
    let empty = plane.path("empty-root");
    std::fs::create_dir_all(&empty).unwrap();
    let etcd = |endpoint: &str, ca: &str, cert: &str| plane.etcd_scan(endpoint, ca, cert);
    let endpoint = plane.etcd.endpoint.as_str();
    // A client certificate etcd does not trust is refused with an alert, or (TLS 1.3) by closing
    // the connection right after the handshake, depending on timing: both name the certificate.
    let cases = [
        (
            endpoint,
            "other-ca.crt",
            "etcd-client.crt",
            vec!["TLS: certificate signed by unknown authority"],
        ),
        (
            endpoint,
            "etcd-ca.crt",
            "admin.crt",
            vec![
                "TLS: the server refused the client certificate (BadCertificate)",
                "TLS: the server closed the connection (it may require a client certificate)",
            ],
        ),
    ];
    for (url, ca, cert, causes) in &cases {
        let run = etcd(url, ca, cert);
        let want: Vec<String> = causes
            .iter()
            .map(|c| format!("kcheck: cannot reach {url}: {c}"))
            .collect();
        ensure(
            run.code == 2
                && run.stdout.is_empty()
                && want.iter().any(|w| run.stderr.trim_end() == w),
            || {
                format!("etcd {ca}/{cert}: exit {}, stdout {} bytes, stderr:\n{}\nwant one of\n{want:#?}", run.code, run.stdout.len(), run.stderr)
            },
        )?;
    }
    let closed = format!("https://127.0.0.1:{}", free_port());
    let refused = etcd(&closed, "etcd-ca.crt", "etcd-client.crt");
    let want = format!("kcheck: cannot reach {closed}: connection refused");
    ensure(
        refused.code == 2 && refused.stderr.trim_end() == want,
        || {
            format!(
                "etcd refused: exit {}, stderr:\n{}\nwant\n{want}",
                refused.code, refused.stderr
            )
        },
    )?;

    // The webhook's namespace watch against a server whose CA is wrong: it stops at once.
    let config = plane.path("webhook-bad.kubeconfig");
    kubeconfig(
        &config,
        &plane.api.url,
        &plane.pki.join("other-ca.crt"),
        User::Cert("admin"),
        None,
    );
    let began = Instant::now();
    let out = run(
        &plane.bins.kcheck,
        &[
            "webhook",
            "--addr",
            &format!("127.0.0.1:{}", free_port()),
            "--tls-cert",
            &p("webhook.crt"),
            "--tls-key",
            &p("webhook.key"),
            "--namespaces-from-api",
        ],
        &[("KUBECONFIG", config.as_os_str())],
        None,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let want = format!(
        "kcheck webhook: cannot reach {}: TLS: certificate signed by unknown authority",
        plane.api.url
    );
    ensure(
        out.status.code() == Some(2) && stderr.lines().any(|l| l == want),
        || {
            format!(
                "webhook: exit {:?}, stderr:\n{stderr}\nwant a line\n{want}",
                out.status.code()
            )
        },
    )?;
    ensure(began.elapsed() < Duration::from_secs(30), || {
        format!("the webhook took {:?} to give up", began.elapsed())
    })
}
