//! Item 7.4 on image evidence: KC709 (image age, distribution releases past their end of life)
//! and KC710 (scanner reports), on images judged on their own (`kcheck image`) and on a
//! workload's containers matched to their images (`--images DIR`).

#[path = "support/mod.rs"]
mod support;

use kcheck_load::{load_bytes, Limits};
use kcheck_model::image::{
    ImageEvidence, ImageFacts, OsRelease, VulnFormat, VulnReport, VulnSeverity, Vulnerability,
};
use kcheck_model::{Date, Evidence, Inputs, Inventory, Lang, Now, Report, Status};
use kcheck_rules::{registry, Config, Engine};
use support::{finding_line, note_line};

/// The moment every run judges at.
fn now() -> Now {
    Now::start_of(Date::parse("2026-12-07").unwrap())
}

fn image(reference: &str, created: Option<&str>, os: Option<(&str, &str, &str)>) -> ImageFacts {
    ImageFacts {
        source: format!("/archives/{}.tar", reference.rsplit('/').next().unwrap()),
        references: vec![reference.to_string()],
        created: created.map(str::to_string),
        os_release: os.map(|(id, version_id, pretty_name)| OsRelease {
            id: id.into(),
            version_id: version_id.into(),
            pretty_name: pretty_name.into(),
            path: "/etc/os-release".into(),
            ..OsRelease::default()
        }),
        ..ImageFacts::default()
    }
}

fn vuln(
    id: &str,
    package: &str,
    installed: &str,
    fixed: Option<&str>,
    s: VulnSeverity,
) -> Vulnerability {
    Vulnerability {
        id: id.into(),
        package: package.into(),
        installed: installed.into(),
        fixed: fixed.map(str::to_string),
        severity: s,
        title: None,
    }
}

fn scan(
    file: &str,
    image: &str,
    digests: &[&str],
    created: Option<&str>,
    vulnerabilities: Vec<Vulnerability>,
) -> VulnReport {
    VulnReport {
        file: file.into(),
        format: VulnFormat::Trivy,
        image: image.into(),
        digests: digests.iter().map(|d| d.to_string()).collect(),
        created: created.map(str::to_string),
        vulnerabilities,
    }
}

/// `kcheck image`: each image judged on its own, over an empty inventory.
fn standalone(images: Vec<ImageFacts>, reports: Vec<VulnReport>, config: Config) -> Report {
    let evidence = ImageEvidence {
        images,
        reports,
        dir: None,
        linked: false,
    };
    Engine::new(registry::all().to_vec())
        .with_config(config)
        .with_images(evidence)
        .at(now())
        .run(
            &Inventory::default(),
            &[Evidence::Images],
            Inputs::default(),
        )
}

const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  template:
    spec:
      initContainers:
      - name: migrate
        image: registry.example.com/tools/metrics:0.9
      containers:
      - name: api
        image: registry.example.com/shop/api:1.4
      - name: proxy
        image: registry.example.com/tools/proxy:2.1
";

/// `kcheck scan --images DIR`: the Deployment's containers matched to the images.
fn linked(manifest: &str, images: Vec<ImageFacts>, reports: Vec<VulnReport>) -> Report {
    let loaded = load_bytes("deploy.yaml", manifest.as_bytes(), &Limits::default());
    assert!(
        loaded.inputs.diagnostics.is_empty(),
        "{:?}",
        loaded.inputs.diagnostics
    );
    let evidence = ImageEvidence {
        images,
        reports,
        dir: Some("images/".into()),
        linked: true,
    };
    Engine::new(registry::all().to_vec())
        .with_images(evidence)
        .at(now())
        .run(
            &Inventory::new(loaded.objects),
            &[Evidence::Objects, Evidence::Images],
            loaded.inputs,
        )
}

/// The findings then the notes of KC709 and KC710, one line each.
fn lines(report: &Report) -> Vec<String> {
    let ours = |code: &str| ["KC709", "KC710"].contains(&code);
    let findings = report.findings.iter().filter(|f| ours(f.code)).map(|f| {
        let what = f
            .source
            .as_deref()
            .map(str::to_string)
            .or_else(|| f.object.as_ref().map(ToString::to_string));
        finding_line(&f, what)
    });
    let notes = report.notes.iter().filter(|n| ours(n.code)).map(|n| {
        let what = n
            .source
            .as_deref()
            .map(str::to_string)
            .or_else(|| n.object.as_ref().map(ToString::to_string));
        note_line(n, what)
    });
    findings.chain(notes).collect()
}

/// Item 7.4's status and reason (in English).
fn item(report: &Report) -> (Status, Option<String>) {
    let i = report.items.iter().find(|i| i.item.id == "7.4").unwrap();
    (
        i.status,
        i.reason.as_ref().map(|r| r.get(Lang::En).to_string()),
    )
}

const FRESH: Option<&str> = Some("2026-11-20T08:00:00Z");

#[test]
fn age_and_end_of_life_of_images_on_their_own() {
    let images = vec![
        image(
            "registry.example.com/fresh:1",
            FRESH,
            Some(("debian", "12", "Debian GNU/Linux 12 (bookworm)")),
        ),
        image(
            "registry.example.com/ninety-days:1",
            Some("2026-09-08T10:00:00Z"),
            None,
        ),
        image(
            "registry.example.com/old:1",
            Some("2026-06-01T12:30:00Z"),
            None,
        ),
        image("registry.example.com/no-date:1", None, None),
        image(
            "registry.example.com/reproducible:1",
            Some("1970-01-01T00:00:00Z"),
            None,
        ),
        image("registry.example.com/garbled:1", Some("last tuesday"), None),
        image(
            "registry.example.com/buster:1",
            FRESH,
            Some(("debian", "10", "Debian GNU/Linux 10 (buster)")),
        ),
        image(
            "registry.example.com/bullseye:1",
            FRESH,
            Some(("debian", "11", "Debian GNU/Linux 11 (bullseye)")),
        ),
        image(
            "registry.example.com/bionic:1",
            FRESH,
            Some(("ubuntu", "18.04", "Ubuntu 18.04.6 LTS")),
        ),
        image(
            "registry.example.com/plucky:1",
            FRESH,
            Some(("ubuntu", "25.04", "Ubuntu 25.04")),
        ),
        image(
            "registry.example.com/noble:1",
            FRESH,
            Some(("ubuntu", "24.04", "Ubuntu 24.04.3 LTS")),
        ),
        image(
            "registry.example.com/alpine-old:1",
            FRESH,
            Some(("alpine", "3.19.1", "Alpine Linux v3.19")),
        ),
        image(
            "registry.example.com/alpine-new:1",
            FRESH,
            Some(("alpine", "3.22.2", "Alpine Linux v3.22")),
        ),
        image(
            "registry.example.com/ubi7:1",
            FRESH,
            Some(("rhel", "7.9", "Red Hat Enterprise Linux Server 7.9 (Maipo)")),
        ),
        image(
            "registry.example.com/ubi9:1",
            FRESH,
            Some(("rhel", "9.4", "Red Hat Enterprise Linux 9.4 (Plow)")),
        ),
        image(
            "registry.example.com/centos7:1",
            FRESH,
            Some(("centos", "7", "CentOS Linux 7 (Core)")),
        ),
        image(
            "registry.example.com/stream8:1",
            FRESH,
            Some(("centos", "8", "CentOS Stream 8")),
        ),
        image(
            "registry.example.com/stream9:1",
            FRESH,
            Some(("centos", "9", "CentOS Stream 9")),
        ),
        image(
            "registry.example.com/al2:1",
            FRESH,
            Some(("amzn", "2", "Amazon Linux 2")),
        ),
        image(
            "registry.example.com/al2023:1",
            FRESH,
            Some(("amzn", "2023", "Amazon Linux 2023.6.20241010")),
        ),
        image(
            "registry.example.com/wolfi:1",
            FRESH,
            Some(("wolfi", "20230201", "Wolfi")),
        ),
        image(
            "registry.example.com/alpine-future:1",
            FRESH,
            Some(("alpine", "3.30.0", "Alpine Linux v3.30")),
        ),
    ];
    let report = standalone(images, Vec::new(), Config::default());
    assert_eq!(
        lines(&report),
        [
            "KC709 Warn medium - registry.example.com/old:1 created | image registry.example.com/old:1 was built 189 days ago (created 2026-06-01T12:30:00Z), more than 90: it has not picked up the fixes released since | 镜像 registry.example.com/old:1 构建于 189 天前（创建时间 2026-06-01T12:30:00Z），超过 90 天：此后发布的修复都不在镜像中",
            "KC709 Info medium - registry.example.com/no-date:1 created | image registry.example.com/no-date:1 records no build date (the configuration's created): its age is unknown | 镜像 registry.example.com/no-date:1 没有记录构建日期（镜像配置的 created）：构建时长未知",
            "KC709 Info medium - registry.example.com/reproducible:1 created | image registry.example.com/reproducible:1 is dated 1970-01-01T00:00:00Z, a placeholder (reproducible builds write 1970-01-01): its age is unknown | 镜像 registry.example.com/reproducible:1 的创建时间为 1970-01-01T00:00:00Z，是占位日期（可复现构建会写入 1970-01-01）：构建时长未知",
            "KC709 Info medium - registry.example.com/garbled:1 created | image registry.example.com/garbled:1 has a build date that cannot be read (created \"last tuesday\"): its age is unknown | 镜像 registry.example.com/garbled:1 的构建日期无法解析（created 为 \"last tuesday\"）：构建时长未知",
            "KC709 Fail high - registry.example.com/buster:1 /etc/os-release | image registry.example.com/buster:1 runs on Debian 10 (buster), which reached end of life on 2024-06-30: no more security fixes | 镜像 registry.example.com/buster:1 基于 Debian 10（buster），该版本已于 2024-06-30 停止支持：不再有安全修复",
            "KC709 Fail high - registry.example.com/bullseye:1 /etc/os-release | image registry.example.com/bullseye:1 runs on Debian 11 (bullseye), which reached end of life on 2026-08-31: no more security fixes | 镜像 registry.example.com/bullseye:1 基于 Debian 11（bullseye），该版本已于 2026-08-31 停止支持：不再有安全修复",
            "KC709 Fail high - registry.example.com/bionic:1 /etc/os-release | image registry.example.com/bionic:1 runs on Ubuntu 18.04 LTS (bionic), which reached end of life on 2023-05-31: no more security fixes | 镜像 registry.example.com/bionic:1 基于 Ubuntu 18.04 LTS（bionic），该版本已于 2023-05-31 停止支持：不再有安全修复",
            "KC709 Fail high - registry.example.com/plucky:1 /etc/os-release | image registry.example.com/plucky:1 runs on Ubuntu 25.04 (plucky), which reached end of life on 2026-01-17: no more security fixes | 镜像 registry.example.com/plucky:1 基于 Ubuntu 25.04（plucky），该版本已于 2026-01-17 停止支持：不再有安全修复",
            "KC709 Fail high - registry.example.com/alpine-old:1 /etc/os-release | image registry.example.com/alpine-old:1 runs on Alpine 3.19, which reached end of life on 2025-11-01: no more security fixes | 镜像 registry.example.com/alpine-old:1 基于 Alpine 3.19，该版本已于 2025-11-01 停止支持：不再有安全修复",
            "KC709 Fail high - registry.example.com/ubi7:1 /etc/os-release | image registry.example.com/ubi7:1 runs on Red Hat Enterprise Linux 7, which reached end of life on 2024-06-30: no more security fixes | 镜像 registry.example.com/ubi7:1 基于 Red Hat Enterprise Linux 7，该版本已于 2024-06-30 停止支持：不再有安全修复",
            "KC709 Fail high - registry.example.com/centos7:1 /etc/os-release | image registry.example.com/centos7:1 runs on CentOS Linux 7, which reached end of life on 2024-06-30: no more security fixes | 镜像 registry.example.com/centos7:1 基于 CentOS Linux 7，该版本已于 2024-06-30 停止支持：不再有安全修复",
            "KC709 Fail high - registry.example.com/stream8:1 /etc/os-release | image registry.example.com/stream8:1 runs on CentOS Stream 8, which reached end of life on 2024-05-31: no more security fixes | 镜像 registry.example.com/stream8:1 基于 CentOS Stream 8，该版本已于 2024-05-31 停止支持：不再有安全修复",
            "KC709 Fail high - registry.example.com/al2:1 /etc/os-release | image registry.example.com/al2:1 runs on Amazon Linux 2, which reached end of life on 2026-06-30: no more security fixes | 镜像 registry.example.com/al2:1 基于 Amazon Linux 2，该版本已于 2026-06-30 停止支持：不再有安全修复",
            "KC710 NotExamined - - - - | no vulnerability scanner report was given (--vuln-report): whether the images' known vulnerabilities are patched cannot be told | 未提供漏洞扫描报告（--vuln-report）：无法判断镜像的已知漏洞是否已修补",
        ]
    );
    assert_eq!(item(&report), (Status::Fail, None));
}

#[test]
fn the_age_limit_is_configured() {
    let images = vec![image("registry.example.com/fresh:1", FRESH, None)];
    let config = Config {
        max_image_age_days: 10,
        ..Config::default()
    };
    let report = standalone(images, Vec::new(), config);
    assert_eq!(
        lines(&report)[0],
        "KC709 Warn medium - registry.example.com/fresh:1 created | image registry.example.com/fresh:1 was built 17 days ago (created 2026-11-20T08:00:00Z), more than 10: it has not picked up the fixes released since | 镜像 registry.example.com/fresh:1 构建于 17 天前（创建时间 2026-11-20T08:00:00Z），超过 10 天：此后发布的修复都不在镜像中"
    );
}

#[test]
fn a_fresh_supported_image_without_reports_is_not_evaluated() {
    let images = vec![image(
        "registry.example.com/fresh:1",
        FRESH,
        Some(("debian", "12", "Debian GNU/Linux 12 (bookworm)")),
    )];
    let report = standalone(images, Vec::new(), Config::default());
    assert_eq!(
        lines(&report),
        ["KC710 NotExamined - - - - | no vulnerability scanner report was given (--vuln-report): whether the images' known vulnerabilities are patched cannot be told | 未提供漏洞扫描报告（--vuln-report）：无法判断镜像的已知漏洞是否已修补"]
    );
    assert_eq!(
        item(&report),
        (
            Status::NotEvaluated,
            Some("no problem in what was checked; not examined: no vulnerability scanner report was given (--vuln-report): whether the images' known vulnerabilities are patched cannot be told".into())
        )
    );
}

fn api_vulnerabilities() -> Vec<Vulnerability> {
    vec![
        vuln(
            "CVE-2024-1234",
            "openssl",
            "3.0.11",
            Some("3.0.13"),
            VulnSeverity::High,
        ),
        vuln(
            "CVE-2024-0002",
            "glibc",
            "2.36-9",
            Some("2.36-9+deb12u4"),
            VulnSeverity::Critical,
        ),
        vuln(
            "CVE-2024-0002",
            "libc6",
            "2.36-9",
            Some("2.36-9+deb12u4"),
            VulnSeverity::Critical,
        ),
        vuln(
            "CVE-2024-2222",
            "curl",
            "7.88.1",
            Some("7.88.2"),
            VulnSeverity::High,
        ),
        vuln(
            "CVE-2024-3333",
            "libxml2",
            "2.9.14",
            Some("2.9.15"),
            VulnSeverity::High,
        ),
        vuln("CVE-2024-5555", "zlib", "1.2.13", None, VulnSeverity::High),
        vuln(
            "CVE-2024-7777",
            "tar",
            "1.34",
            Some("1.35"),
            VulnSeverity::Medium,
        ),
    ]
}

#[test]
fn scanner_reports_of_images_on_their_own() {
    let mut api = image("registry.example.com/shop/api:1.4", FRESH, None);
    api.config_digest = Some("sha256:a1".into());
    let images = vec![
        api,
        image("registry.example.com/shop/web:2.0", FRESH, None),
        image("registry.example.com/shop/worker:3.1", FRESH, None),
        image("registry.example.com/shop/cron:1.0", FRESH, None),
    ];
    let reports = vec![
        // Tied by the image ID, though it names another tag.
        scan(
            "scans/api.json",
            "registry.example.com/shop/api:latest",
            &["sha256:a1"],
            Some("2026-12-06T22:00:00Z"),
            api_vulnerabilities(),
        ),
        // Tied by name and tag: medium and low only.
        scan(
            "scans/web.json",
            "registry.example.com/shop/web:2.0",
            &[],
            Some("2026-12-07T01:00:00Z"),
            vec![
                vuln(
                    "CVE-2024-8888",
                    "bash",
                    "5.2",
                    Some("5.2.1"),
                    VulnSeverity::Medium,
                ),
                vuln("CVE-2024-9999", "less", "590", None, VulnSeverity::Low),
            ],
        ),
        // A high vulnerability, in a scan five weeks old.
        scan(
            "scans/cron.json",
            "registry.example.com/shop/cron:1.0",
            &[],
            Some("2026-11-01T06:00:00Z"),
            vec![vuln(
                "GHSA-xxxx-yyyy-zzzz",
                "golang.org/x/net",
                "v0.30.0",
                Some("0.33.0"),
                VulnSeverity::High,
            )],
        ),
    ];
    let report = standalone(images, reports, Config::default());
    assert_eq!(
        lines(&report),
        [
            "KC710 Fail critical - registry.example.com/shop/api:1.4 - | image registry.example.com/shop/api:1.4 has 4 critical/high vulnerabilities with a fix: CVE-2024-0002 (glibc 2.36-9 → 2.36-9+deb12u4), CVE-2024-1234 (openssl 3.0.11 → 3.0.13), CVE-2024-2222 (curl 7.88.1 → 7.88.2) (+1) | 镜像 registry.example.com/shop/api:1.4 有 4 个已有修复版本的严重/高危漏洞：CVE-2024-0002（glibc 2.36-9 → 2.36-9+deb12u4）、CVE-2024-1234（openssl 3.0.11 → 3.0.13）、CVE-2024-2222（curl 7.88.1 → 7.88.2），另有 1 个",
            "KC710 Warn medium - registry.example.com/shop/api:1.4 - | image registry.example.com/shop/api:1.4 has 1 critical/high vulnerability with no fix released yet: CVE-2024-5555 (zlib 1.2.13) | 镜像 registry.example.com/shop/api:1.4 有 1 个尚无修复版本的严重/高危漏洞：CVE-2024-5555（zlib 1.2.13）",
            "KC710 Warn medium - registry.example.com/shop/worker:3.1 - | image registry.example.com/shop/worker:3.1 is not covered by any scanner report: it is not known to be scanned | 镜像 registry.example.com/shop/worker:3.1 不在任何扫描报告中：无从确认它经过扫描",
            "KC710 Fail high - registry.example.com/shop/cron:1.0 - | image registry.example.com/shop/cron:1.0 has 1 critical/high vulnerability with a fix: GHSA-xxxx-yyyy-zzzz (golang.org/x/net v0.30.0 → 0.33.0) | 镜像 registry.example.com/shop/cron:1.0 有 1 个已有修复版本的严重/高危漏洞：GHSA-xxxx-yyyy-zzzz（golang.org/x/net v0.30.0 → 0.33.0）",
            "KC710 Warn low - registry.example.com/shop/cron:1.0 scans/cron.json | image registry.example.com/shop/cron:1.0 was last scanned on 2026-11-01 (scans/cron.json), more than 7 days ago: the report is stale | 镜像 registry.example.com/shop/cron:1.0 的扫描报告（scans/cron.json）来自 2026-11-01，已超过 7 天：报告已过期",
        ]
    );
    assert_eq!(item(&report), (Status::Fail, None));
    // The image with medium and low vulnerabilities only passes, on its own.
    let web = vec![image("registry.example.com/shop/web:2.0", FRESH, None)];
    let reports = vec![scan(
        "scans/web.json",
        "registry.example.com/shop/web:2.0",
        &[],
        Some("2026-12-07T01:00:00Z"),
        vec![vuln(
            "CVE-2024-8888",
            "bash",
            "5.2",
            Some("5.2.1"),
            VulnSeverity::Medium,
        )],
    )];
    let clean = standalone(web, reports, Config::default());
    assert!(lines(&clean).is_empty(), "{:?}", lines(&clean));
    let seven_four = clean.items.iter().find(|i| i.item.id == "7.4").unwrap();
    assert_eq!(seven_four.examined, 2, "both rules examined the image");
    assert_eq!(
        item(&clean).0,
        Status::NotEvaluated,
        "7.4 needs a cluster audit besides images"
    );
}

#[test]
fn a_workload_with_its_images() {
    let mut api = image(
        "registry.example.com/shop/api:1.4",
        Some("2026-01-15T09:00:00Z"),
        Some(("debian", "10", "Debian GNU/Linux 10 (buster)")),
    );
    api.config_digest = Some("sha256:a1".into());
    let reports = vec![
        scan(
            "scans/api.json",
            "registry.example.com/shop/api:1.4",
            &["sha256:a1"],
            Some("2026-12-06T22:00:00Z"),
            api_vulnerabilities(),
        ),
        // The proxy's archive is not in the directory: its report is matched by reference.
        scan(
            "scans/proxy.json",
            "registry.example.com/tools/proxy:2.1",
            &[],
            Some("2026-12-05T00:00:00Z"),
            vec![vuln(
                "CVE-2025-1111",
                "nghttp2",
                "1.52.0",
                Some("1.61.0"),
                VulnSeverity::High,
            )],
        ),
    ];
    let report = linked(DEPLOYMENT, vec![api], reports);
    assert_eq!(
        lines(&report),
        [
            "KC709 Warn medium deploy.yaml:14:9 Deployment shop/api spec.template.spec.containers[0].image | container \"api\" image registry.example.com/shop/api:1.4 was built 326 days ago (created 2026-01-15T09:00:00Z), more than 90: it has not picked up the fixes released since | 容器 \"api\" 的镜像 registry.example.com/shop/api:1.4 构建于 326 天前（创建时间 2026-01-15T09:00:00Z），超过 90 天：此后发布的修复都不在镜像中",
            "KC709 Fail high deploy.yaml:14:9 Deployment shop/api spec.template.spec.containers[0].image | container \"api\" image registry.example.com/shop/api:1.4 runs on Debian 10 (buster), which reached end of life on 2024-06-30: no more security fixes | 容器 \"api\" 的镜像 registry.example.com/shop/api:1.4 基于 Debian 10（buster），该版本已于 2024-06-30 停止支持：不再有安全修复",
            "KC710 Warn medium deploy.yaml:11:9 Deployment shop/api spec.template.spec.initContainers[0].image | init container \"migrate\" image registry.example.com/tools/metrics:0.9 is not covered by any scanner report: it is not known to be scanned | 初始化容器 \"migrate\" 的镜像 registry.example.com/tools/metrics:0.9 不在任何扫描报告中：无从确认它经过扫描",
            "KC710 Fail critical deploy.yaml:14:9 Deployment shop/api spec.template.spec.containers[0].image | container \"api\" image registry.example.com/shop/api:1.4 has 4 critical/high vulnerabilities with a fix: CVE-2024-0002 (glibc 2.36-9 → 2.36-9+deb12u4), CVE-2024-1234 (openssl 3.0.11 → 3.0.13), CVE-2024-2222 (curl 7.88.1 → 7.88.2) (+1) | 容器 \"api\" 的镜像 registry.example.com/shop/api:1.4 有 4 个已有修复版本的严重/高危漏洞：CVE-2024-0002（glibc 2.36-9 → 2.36-9+deb12u4）、CVE-2024-1234（openssl 3.0.11 → 3.0.13）、CVE-2024-2222（curl 7.88.1 → 7.88.2），另有 1 个",
            "KC710 Warn medium deploy.yaml:14:9 Deployment shop/api spec.template.spec.containers[0].image | container \"api\" image registry.example.com/shop/api:1.4 has 1 critical/high vulnerability with no fix released yet: CVE-2024-5555 (zlib 1.2.13) | 容器 \"api\" 的镜像 registry.example.com/shop/api:1.4 有 1 个尚无修复版本的严重/高危漏洞：CVE-2024-5555（zlib 1.2.13）",
            "KC710 Fail high deploy.yaml:16:9 Deployment shop/api spec.template.spec.containers[1].image | container \"proxy\" image registry.example.com/tools/proxy:2.1 has 1 critical/high vulnerability with a fix: CVE-2025-1111 (nghttp2 1.52.0 → 1.61.0) | 容器 \"proxy\" 的镜像 registry.example.com/tools/proxy:2.1 有 1 个已有修复版本的严重/高危漏洞：CVE-2025-1111（nghttp2 1.52.0 → 1.61.0）",
            "KC709 NotExamined - deploy.yaml:11:9 Deployment shop/api spec.template.spec.initContainers[0].image | init container \"migrate\" image registry.example.com/tools/metrics:0.9 is not among the images read from images/: its age and distribution release were not examined | 初始化容器 \"migrate\" 的镜像 registry.example.com/tools/metrics:0.9 不在从 images/ 读取的镜像中：未检查其构建时长和发行版版本",
            "KC709 NotExamined - deploy.yaml:16:9 Deployment shop/api spec.template.spec.containers[1].image | container \"proxy\" image registry.example.com/tools/proxy:2.1 is not among the images read from images/: its age and distribution release were not examined | 容器 \"proxy\" 的镜像 registry.example.com/tools/proxy:2.1 不在从 images/ 读取的镜像中：未检查其构建时长和发行版版本",
        ]
    );
    assert_eq!(item(&report), (Status::Fail, None));
}

#[test]
fn an_image_missing_from_the_directory_leaves_the_item_not_evaluated() {
    const ONE: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  template:
    spec:
      containers:
      - name: api
        image: registry.example.com/shop/api:1.4
";
    let report = linked(ONE, Vec::new(), Vec::new());
    assert_eq!(
        lines(&report),
        [
            "KC709 NotExamined - deploy.yaml:11:9 Deployment shop/api spec.template.spec.containers[0].image | container \"api\" image registry.example.com/shop/api:1.4 is not among the images read from images/: its age and distribution release were not examined | 容器 \"api\" 的镜像 registry.example.com/shop/api:1.4 不在从 images/ 读取的镜像中：未检查其构建时长和发行版版本",
            "KC710 NotExamined - - - - | no vulnerability scanner report was given (--vuln-report): whether the images' known vulnerabilities are patched cannot be told | 未提供漏洞扫描报告（--vuln-report）：无法判断镜像的已知漏洞是否已修补",
        ]
    );
    let (status, reason) = item(&report);
    assert_eq!(status, Status::NotEvaluated);
    assert!(
        reason
            .as_deref()
            .is_some_and(|r| r.contains("is not among the images read from images/")),
        "{reason:?}"
    );
}

#[test]
fn an_archive_found_by_digest_under_another_name_takes_the_reports_of_that_digest() {
    const BY_DIGEST: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  template:
    spec:
      containers:
      - name: api
        image: registry.example.com/shop/api:1.4@sha256:m1
";
    // The archive records another name (a mirror's); the container and the report name the
    // manifest digest.
    let mut api = image("mirror.example.com/api:build-77", FRESH, None);
    api.manifest_digest = Some("sha256:m1".into());
    let reports = vec![scan(
        "scans/api.json",
        "registry.example.com/shop/api:1.4@sha256:m1",
        &["sha256:m1"],
        Some("2026-12-06T00:00:00Z"),
        vec![vuln(
            "CVE-2024-1234",
            "openssl",
            "3.0.11",
            Some("3.0.13"),
            VulnSeverity::High,
        )],
    )];
    let report = linked(BY_DIGEST, vec![api], reports);
    assert_eq!(
        lines(&report),
        ["KC710 Fail high deploy.yaml:11:9 Deployment shop/api spec.template.spec.containers[0].image | container \"api\" image registry.example.com/shop/api:1.4@sha256:m1 has 1 critical/high vulnerability with a fix: CVE-2024-1234 (openssl 3.0.11 → 3.0.13) | 容器 \"api\" 的镜像 registry.example.com/shop/api:1.4@sha256:m1 有 1 个已有修复版本的严重/高危漏洞：CVE-2024-1234（openssl 3.0.11 → 3.0.13）"]
    );
}

#[test]
fn the_image_age_limit_is_read_from_the_configuration() {
    let read = |yaml: &str| {
        let parsed = kcheck_load::parse_documents(yaml, &Limits::default());
        match parsed.documents.into_iter().next() {
            Some(kcheck_load::DocOutcome::Node(node)) => Config::from_node(&node),
            _ => panic!("not a document"),
        }
    };
    assert_eq!(Config::default().max_image_age_days, 90);
    let config = read("imageScanning:\n  maxImageAgeDays: 30\n  maxReportAgeDays: 3\n").unwrap();
    assert_eq!(
        (config.max_image_age_days, config.max_report_age_days),
        (30, 3)
    );
    let errors = read("imageScanning:\n  maxImageAgeDays: 0\n").unwrap_err();
    assert_eq!(
        errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>(),
        ["imageScanning.maxImageAgeDays must be a positive number"]
    );
}
