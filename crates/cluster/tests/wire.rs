//! The collector against the in-process API server: pagination, metadata-only Secrets,
//! forbidden and failing resources, retries, timeouts, and a dump of the same objects.

use kcheck_cluster::client::Limits;
use kcheck_cluster::kinds::BUILTIN;
use kcheck_cluster::progress::Quiet;
use kcheck_cluster::testing::{ApiServer, Failing, Fixture};
use kcheck_cluster::{Collected, KindSpec, Options, Plan};
use kcheck_model::UnavailableCause;
use std::sync::Arc;
use std::time::{Duration, Instant};

const ISTIO: KindSpec = KindSpec {
    group: "security.istio.io",
    versions: &["v1", "v1beta1"],
    kind: "PeerAuthentication",
    resource: "peerauthentications",
    namespaced: true,
    custom: true,
};

const KYVERNO: KindSpec = KindSpec {
    group: "kyverno.io",
    versions: &["v1"],
    kind: "ClusterPolicy",
    resource: "clusterpolicies",
    namespaced: false,
    custom: true,
};

fn plan() -> Plan {
    Plan::new(BUILTIN.iter().map(|k| k.kind), &[ISTIO, KYVERNO], &[])
}

fn options() -> Options {
    Options {
        limits: Limits {
            timeout: Duration::from_secs(5),
            backoff: Duration::from_millis(10),
            ..Limits::default()
        },
        ..Options::default()
    }
}

fn collect_with(server: &ApiServer, options: &Options) -> Collected {
    let dir = std::env::temp_dir().join(format!(
        "kcheck-wire-{}-{}",
        std::process::id(),
        server.addr.port()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let options = Options {
        kubeconfig: Some(server.write_kubeconfig(&dir).unwrap()),
        ..options.clone()
    };
    let collected = kcheck_cluster::collect::run(&options, &plan(), Arc::new(Quiet)).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    collected
}

fn collect(fixture: Fixture, options: &Options) -> (Collected, ApiServer) {
    let server = ApiServer::start(fixture).unwrap();
    (collect_with(&server, options), server)
}

#[test]
fn lists_every_page_and_asks_for_secrets_as_metadata_only() {
    let fixture = Fixture::sample();
    let total: usize = fixture
        .resources
        .iter()
        .filter(|r| r.kind != "ClusterPolicy")
        .map(|r| r.items.len())
        .sum();
    let (c, server) = collect(
        fixture,
        &Options {
            page_size: 2,
            ..options()
        },
    );
    assert!(
        c.inputs.unavailable.is_empty(),
        "{:?}",
        c.inputs.unavailable
    );
    assert_eq!(c.objects.len(), total);
    assert_eq!(c.version.as_ref().map(|v| v.minor), Some(31));
    let requests = server.requests();
    assert!(requests.iter().all(|r| r.authenticated));
    assert!(
        requests.iter().any(|r| r
            .path
            .starts_with("/api/v1/pods?limit=2&continue=page%3D2%2Frv%3D4242")),
        "pages follow the continue token"
    );
    let secret_lists: Vec<_> = requests
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/secrets"))
        .collect();
    assert!(secret_lists.len() >= 3, "{secret_lists:?}");
    for r in &secret_lists {
        assert_eq!(
            r.accept,
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
        );
    }
    assert!(secret_lists.iter().any(|r| r
        .path
        .contains("fieldSelector=type%3Dkubernetes.io%2Fservice-account-token")));
    let secrets: Vec<_> = c.objects.iter().filter(|o| o.kind == "Secret").collect();
    assert_eq!(secrets.len(), 3);
    for s in &secrets {
        assert!(s.root.get("data").is_none(), "no value is ever held");
        assert_eq!(s.api_version, "v1");
    }
    let token = secrets.iter().find(|s| s.name == "builder-token").unwrap();
    assert_eq!(
        token.root.str_at("type"),
        Some("kubernetes.io/service-account-token")
    );
    let tls = secrets.iter().find(|s| s.name == "web-tls").unwrap();
    assert_eq!(
        tls.root.str_at("type"),
        None,
        "only the listed types are learnt"
    );
}

#[test]
fn a_full_secret_list_is_refused_by_the_server_and_only_asked_for_with_read_secret_data() {
    let (c, server) = collect(
        Fixture::sample(),
        &Options {
            read_secret_data: true,
            ..options()
        },
    );
    let u = c.inputs.unavailable("Secret").expect("the server refused");
    assert_eq!(u.cause, UnavailableCause::Forbidden);
    assert!(server
        .requests()
        .iter()
        .any(|r| r.path.starts_with("/api/v1/secrets") && !r.accept.contains("as=Partial")));
    let mut allowing = Fixture::sample();
    allowing.allow_secret_data = true;
    let (c, _server) = collect(
        allowing,
        &Options {
            read_secret_data: true,
            ..options()
        },
    );
    let tls = c.objects.iter().find(|o| o.name == "web-tls").unwrap();
    assert!(tls.root.get("data").is_some());
    assert_eq!(tls.root.str_at("type"), Some("kubernetes.io/tls"));
}

#[test]
fn forbidden_failing_and_undiscoverable_kinds_are_reported_with_their_reason() {
    let mut f = Fixture::sample();
    f.forbidden.insert("secrets".into());
    f.forbidden
        .insert("peerauthentications.security.istio.io".into());
    f.failing.insert(
        "pods".into(),
        Failing::Always {
            status: 500,
            after: 1,
        },
    );
    f.broken_discovery.insert("networking.k8s.io/v1".into());
    let (c, _server) = collect(
        f,
        &Options {
            page_size: 2,
            ..options()
        },
    );
    let reason = |kind: &str| {
        let u = c
            .inputs
            .unavailable(kind)
            .unwrap_or_else(|| panic!("{kind}"));
        (u.cause, u.reason.en.to_string())
    };
    assert_eq!(
        reason("Secret"),
        (
            UnavailableCause::Forbidden,
            "forbidden: list secrets".into()
        )
    );
    assert_eq!(
        reason("PeerAuthentication").1,
        "forbidden: list peerauthentications.security.istio.io"
    );
    assert_eq!(reason("Pod").0, UnavailableCause::Failed);
    assert!(reason("Pod")
        .1
        .starts_with("failed: list pods (500 InternalError"));
    assert_eq!(reason("NetworkPolicy").0, UnavailableCause::Failed);
    assert_eq!(
        reason("Ingress").0,
        UnavailableCause::Failed,
        "same group version"
    );
    // Kyverno is not installed: no objects, and no gap.
    assert!(c.inputs.unavailable("ClusterPolicy").is_none());
    assert!(c
        .objects
        .iter()
        .all(|o| o.kind != "Pod" && o.kind != "Secret"));
    assert!(c.objects.iter().any(|o| o.kind == "Namespace"));
}

#[test]
fn retries_honour_retry_after_then_succeed() {
    let mut f = Fixture::sample();
    f.failing.insert(
        "configmaps".into(),
        Failing::Transient {
            status: 429,
            times: 2,
            retry_after: Some(1),
        },
    );
    f.failing.insert(
        "services".into(),
        Failing::Transient {
            status: 503,
            times: 3,
            retry_after: None,
        },
    );
    let start = Instant::now();
    let (c, server) = collect(f, &options());
    assert!(start.elapsed() >= Duration::from_secs(2), "waited as told");
    assert!(
        c.inputs.unavailable.is_empty(),
        "{:?}",
        c.inputs.unavailable
    );
    assert!(c.objects.iter().any(|o| o.kind == "ConfigMap"));
    let tries = server
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/services?"))
        .count();
    assert_eq!(tries, 4);
}

#[test]
fn a_server_that_repeats_its_continue_token_ends_the_list_as_failed() {
    let mut f = Fixture::sample();
    f.repeating_continue.insert("pods".into());
    let options = Options {
        page_size: 1,
        ..options()
    };
    let (c, _server) = collect(f, &options);
    let unseen: Vec<(String, String)> = c
        .inputs
        .unavailable
        .iter()
        .map(|u| {
            (
                u.kind.clone(),
                u.reason.get(kcheck_model::Lang::En).to_string(),
            )
        })
        .collect();
    assert_eq!(
        unseen,
        [(
            "Pod".to_string(),
            "failed: list pods (the server repeated its continue token)".to_string()
        )]
    );
    assert!(c.objects.iter().all(|o| o.kind != "Pod"));
}

#[test]
fn a_slow_page_times_out() {
    let mut f = Fixture::sample();
    f.slow
        .insert("configmaps".into(), Duration::from_millis(1500));
    let (c, _server) = collect(
        f,
        &Options {
            limits: Limits {
                timeout: Duration::from_millis(300),
                retries: 1,
                backoff: Duration::from_millis(10),
                ..Limits::default()
            },
            ..options()
        },
    );
    let u = c.inputs.unavailable("ConfigMap").unwrap();
    assert_eq!(u.cause, UnavailableCause::Timeout);
    assert_eq!(u.reason.en, "timed out: list configmaps");
}

#[test]
fn a_dump_of_the_same_objects_reads_the_same() {
    let fixture = Fixture::sample();
    let dir = std::env::temp_dir().join(format!("kcheck-dump-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("objects.json"), fixture.kubectl_dump()).unwrap();
    std::fs::write(dir.join("version.json"), fixture.kubectl_version()).unwrap();
    let (live, _server) = collect(fixture, &options());
    let dump = kcheck_cluster::dump::load(&dir, &plan(), false, &kcheck_load::Limits::default());
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        dump.inputs.diagnostics.is_empty(),
        "{:?}",
        dump.inputs.diagnostics
    );
    assert_eq!(dump.version, live.version);
    assert_eq!(dump.objects.len(), live.objects.len());
    for (d, l) in dump.objects.iter().zip(&live.objects) {
        assert_eq!(d.source, l.source);
        assert_eq!(d.root, l.root, "{}", l.name);
    }
    let tls = dump.objects.iter().find(|o| o.name == "web-tls").unwrap();
    assert!(
        tls.root.get("data").is_none(),
        "values are dropped from dumps too"
    );
}
