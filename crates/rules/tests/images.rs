//! The image rules of items 7.1, 7.2 and 6.1 (KC706, KC707, KC610) over image facts built by
//! hand: each image on its own (`kcheck image`), and workloads matched to their images
//! (`--images DIR`). The archive reader that makes these facts is tested in `kcheck-image`.

#[path = "support/mod.rs"]
mod support;

use kcheck_load::{load_bytes, Limits};
use kcheck_model::image::{
    FileEntry, ImageEvidence, ImageFacts, OsRelease, SecretCandidate, Tool, ToolKind,
};
use kcheck_model::{Evidence, Inputs, Inventory, Now, Report, Status};
use kcheck_rules::Engine;
use support::{finding_line, node_lines, note_line};

const CODES: &[&str] = &["KC706", "KC707", "KC610"];

fn file(path: &str, layer: usize, mode: u32) -> FileEntry {
    FileEntry {
        path: path.to_string(),
        layer,
        mode,
        ..FileEntry::default()
    }
}

fn tool(kind: ToolKind, name: &str, path: &str) -> Tool {
    Tool {
        kind,
        name: name.to_string(),
        file: file(path, 0, 0o755),
    }
}

/// A Debian image with a shell, apt, curl, setuid su, an upload directory everyone may write,
/// no USER, a password in a `.env` file and a token in its environment.
fn full_os() -> ImageFacts {
    ImageFacts {
        source: "web.tar".into(),
        references: vec!["registry.example.com/shop/web:1.4.2".into()],
        manifest_digest: Some("sha256:aaa".into()),
        platform: Some("linux/amd64".into()),
        files: 1234,
        size: 80_300_000,
        os_release: Some(OsRelease {
            id: "debian".into(),
            version_id: "12".into(),
            pretty_name: "Debian GNU/Linux 12 (bookworm)".into(),
            ..OsRelease::default()
        }),
        uid0_users: vec!["root".into()],
        has_passwd: true,
        tools: vec![
            tool(ToolKind::Shell, "bash", "/bin/bash"),
            tool(ToolKind::Shell, "sh", "/bin/sh"),
            tool(ToolKind::PackageManager, "apt", "/usr/bin/apt"),
            tool(ToolKind::Network, "curl", "/usr/bin/curl"),
        ],
        setid: vec![file("/usr/bin/su", 0, 0o4755)],
        world_writable: vec![file("/app/uploads", 1, 0o777)],
        secret_candidates: vec![SecretCandidate {
            file: file("/app/.env", 1, 0o644),
            why: ".env file".into(),
            content: b"LOG_LEVEL=info\nDB_PASSWORD=Wq8v3XmZt2Lr9pKc\n".to_vec(),
            truncated: false,
        }],
        env: vec![("PATH".into(), "/usr/bin:/bin".into())],
        ..ImageFacts::default()
    }
}

/// A busybox-based image run as uid 1000: a shell and nothing else.
fn shell_only() -> ImageFacts {
    ImageFacts {
        source: "tool.tar".into(),
        references: vec!["registry.example.com/tool:2".into()],
        manifest_digest: Some("sha256:bbb".into()),
        user: "1000".into(),
        files: 400,
        size: 4_200_000,
        tools: vec![tool(ToolKind::Shell, "busybox", "/bin/busybox")],
        ..ImageFacts::default()
    }
}

/// A distroless image run as nonroot.
fn distroless() -> ImageFacts {
    ImageFacts {
        source: "api.tar".into(),
        references: vec!["registry.example.com/payments/api:3.2.0".into()],
        manifest_digest: Some("sha256:ccc".into()),
        user: "65532:65532".into(),
        files: 4,
        size: 911_200,
        os_release: Some(OsRelease {
            id: "debian".into(),
            version_id: "12".into(),
            pretty_name: "Distroless".into(),
            ..OsRelease::default()
        }),
        uid0_users: vec!["root".into()],
        has_passwd: true,
        ..ImageFacts::default()
    }
}

fn engine(images: Vec<ImageFacts>, dir: Option<&str>) -> Engine {
    Engine::default()
        .with_images(ImageEvidence {
            images,
            reports: Vec::new(),
            dir: dir.map(str::to_string),
            linked: dir.is_some(),
        })
        .at(Now::from_unix(1_796_601_600)) // 2026-12-07
}

fn lines(report: &Report) -> Vec<String> {
    node_lines(report)
        .into_iter()
        .filter(|l| CODES.iter().any(|c| l.starts_with(c)))
        .collect()
}

fn status(report: &Report, item: &str) -> Status {
    report
        .items
        .iter()
        .find(|i| i.item.id == item)
        .map(|i| i.status)
        .unwrap()
}

#[test]
fn images_on_their_own() {
    let report = engine(vec![full_os(), shell_only(), distroless()], None).run(
        &Inventory::new(Vec::new()),
        &[Evidence::Images],
        Inputs::default(),
    );
    assert_eq!(
        lines(&report),
        [
        "KC610 Fail high - registry.example.com/shop/web:1.4.2 [linux/amd64] /app/.env | image registry.example.com/shop/web:1.4.2: /app/.env (layer 2), line 2 (DB_PASSWORD), holds a secret (password, …6cf8e20a) | 镜像 registry.example.com/shop/web:1.4.2：/app/.env（第 2 层） 第 2 行（DB_PASSWORD） 保存了机密数据（密码，…6cf8e20a）",
        "KC706 Fail medium - registry.example.com/shop/web:1.4.2 [linux/amd64] - | image registry.example.com/shop/web:1.4.2 (Debian GNU/Linux 12 (bookworm), 1,234 files, 80.3 MB) is a full operating system image: it has a shell (bash, sh), a package manager (apt), network tools (curl) | 镜像 registry.example.com/shop/web:1.4.2（Debian GNU/Linux 12 (bookworm)，1,234 个文件，80.3 MB）是完整的操作系统镜像：包含 shell（bash、sh）、包管理器（apt）、网络工具（curl）",
        "KC706 Warn low - registry.example.com/tool:2 - | image registry.example.com/tool:2 (no os-release, 400 files, 4.2 MB) has a shell (busybox) | 镜像 registry.example.com/tool:2（无 os-release，400 个文件，4.2 MB）包含 shell（busybox）",
        "KC707 Fail high - registry.example.com/shop/web:1.4.2 [linux/amd64] config.User | image registry.example.com/shop/web:1.4.2: its config sets no User, so it runs as root | 镜像 registry.example.com/shop/web:1.4.2：其配置未设置 User，因此以 root 身份运行",
        "KC707 Warn medium - registry.example.com/shop/web:1.4.2 [linux/amd64] /usr/bin/su | image registry.example.com/shop/web:1.4.2 has 1 setuid or setgid executable: /usr/bin/su (4755, layer 1) | 镜像 registry.example.com/shop/web:1.4.2 中有 1 个设置了 setuid 或 setgid 位的可执行文件：/usr/bin/su（4755，第 1 层）",
        "KC707 Warn low - registry.example.com/shop/web:1.4.2 [linux/amd64] /app/uploads | image registry.example.com/shop/web:1.4.2 has 1 world-writable file or directory: /app/uploads (777, layer 2) | 镜像 registry.example.com/shop/web:1.4.2 中有 1 个所有人可写的文件或目录：/app/uploads（777，第 2 层）",
        "KC706 Evidence - - registry.example.com/payments/api:3.2.0 - | image registry.example.com/payments/api:3.2.0 (Distroless, 4 files, 912 kB) holds no shell, package manager or tools: distroless or static | 镜像 registry.example.com/payments/api:3.2.0（Distroless，4 个文件，912 kB）不包含 shell、包管理器或工具：distroless 或静态镜像",
        ]
    );
    assert_eq!(status(&report, "7.1"), Status::Fail);
    assert_eq!(status(&report, "7.2"), Status::Fail);
    assert_eq!(status(&report, "6.1"), Status::Fail);
}

#[test]
fn a_clean_image_passes_7_1_and_leaves_the_rest_to_the_manifests() {
    let report = engine(vec![distroless()], None).run(
        &Inventory::new(Vec::new()),
        &[Evidence::Images],
        Inputs::default(),
    );
    assert_eq!(lines(&report).len(), 1, "{:#?}", lines(&report));
    assert_eq!(status(&report, "7.1"), Status::Pass);
    // 7.2 and 6.1 need the manifests: the image alone cannot pass them.
    assert_eq!(status(&report, "7.2"), Status::NotEvaluated);
    assert_eq!(status(&report, "6.1"), Status::NotEvaluated);
}

const WORKLOADS: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
      - name: web
        image: registry.example.com/shop/web:1.4.2
      - name: sidecar
        image: registry.example.com/shop/web:1.4.2
        securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false}
      - name: pinned
        image: registry.example.com/shop/web:1.4.2
        securityContext: {runAsUser: 10001}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: payments}
spec:
  template:
    spec:
      containers:
      - name: api
        image: registry.example.com/payments/api:3.2.0@sha256:ccc
      - name: agent
        image: quay.io/example/agent:1.0
";

fn linked() -> Report {
    let loaded = load_bytes("apps.yaml", WORKLOADS.as_bytes(), &Limits::default());
    assert!(!loaded.inputs.has_errors());
    engine(vec![full_os(), distroless()], Some("images")).run(
        &Inventory::new(loaded.objects),
        &[Evidence::Objects],
        Inputs::default(),
    )
}

#[test]
fn workloads_with_their_images() {
    let report = linked();
    let mut found: Vec<String> = report
        .findings
        .iter()
        .filter(|f| CODES.contains(&f.code))
        .map(|f| {
            let o = f.object.as_ref().unwrap();
            finding_line(&f, Some(format!("{} {}", o.kind, o.name)))
        })
        .collect();
    found.extend(
        report
            .notes
            .iter()
            .filter(|n| CODES.contains(&n.code))
            .map(|n| {
                let o = n.object.as_ref().unwrap();
                note_line(n, Some(format!("{} {}", o.kind, o.name)))
            }),
    );
    assert_eq!(found, LINKED);
    // The agent's image is in no archive: 7.1 and 7.2 cannot pass, whatever else is clean.
    assert_eq!(status(&report, "7.1"), Status::Fail);
    assert_eq!(status(&report, "7.2"), Status::Fail);
}

const LINKED: &[&str] = &[
    "KC610 Fail high apps.yaml:9:9 Deployment web spec.template.spec.containers[0].image | container \"web\" runs image registry.example.com/shop/web:1.4.2: /app/.env (layer 2), line 2 (DB_PASSWORD), holds a secret (password, …6cf8e20a) | 容器 \"web\" 运行的镜像 registry.example.com/shop/web:1.4.2 中，/app/.env（第 2 层） 第 2 行（DB_PASSWORD） 保存了机密数据（密码，…6cf8e20a）",
    "KC610 Fail high apps.yaml:11:9 Deployment web spec.template.spec.containers[1].image | container \"sidecar\" runs image registry.example.com/shop/web:1.4.2: /app/.env (layer 2), line 2 (DB_PASSWORD), holds a secret (password, …6cf8e20a) | 容器 \"sidecar\" 运行的镜像 registry.example.com/shop/web:1.4.2 中，/app/.env（第 2 层） 第 2 行（DB_PASSWORD） 保存了机密数据（密码，…6cf8e20a）",
    "KC610 Fail high apps.yaml:14:9 Deployment web spec.template.spec.containers[2].image | container \"pinned\" runs image registry.example.com/shop/web:1.4.2: /app/.env (layer 2), line 2 (DB_PASSWORD), holds a secret (password, …6cf8e20a) | 容器 \"pinned\" 运行的镜像 registry.example.com/shop/web:1.4.2 中，/app/.env（第 2 层） 第 2 行（DB_PASSWORD） 保存了机密数据（密码，…6cf8e20a）",
    "KC706 Fail medium apps.yaml:9:9 Deployment web spec.template.spec.containers[0].image | container \"web\" runs registry.example.com/shop/web:1.4.2 (Debian GNU/Linux 12 (bookworm), 1,234 files, 80.3 MB), a full operating system image: it has a shell (bash, sh), a package manager (apt), network tools (curl) | 容器 \"web\" 运行的 registry.example.com/shop/web:1.4.2（Debian GNU/Linux 12 (bookworm)，1,234 个文件，80.3 MB）是完整的操作系统镜像：包含 shell（bash、sh）、包管理器（apt）、网络工具（curl）",
    "KC706 Fail medium apps.yaml:11:9 Deployment web spec.template.spec.containers[1].image | container \"sidecar\" runs registry.example.com/shop/web:1.4.2 (Debian GNU/Linux 12 (bookworm), 1,234 files, 80.3 MB), a full operating system image: it has a shell (bash, sh), a package manager (apt), network tools (curl) | 容器 \"sidecar\" 运行的 registry.example.com/shop/web:1.4.2（Debian GNU/Linux 12 (bookworm)，1,234 个文件，80.3 MB）是完整的操作系统镜像：包含 shell（bash、sh）、包管理器（apt）、网络工具（curl）",
    "KC706 Fail medium apps.yaml:14:9 Deployment web spec.template.spec.containers[2].image | container \"pinned\" runs registry.example.com/shop/web:1.4.2 (Debian GNU/Linux 12 (bookworm), 1,234 files, 80.3 MB), a full operating system image: it has a shell (bash, sh), a package manager (apt), network tools (curl) | 容器 \"pinned\" 运行的 registry.example.com/shop/web:1.4.2（Debian GNU/Linux 12 (bookworm)，1,234 个文件，80.3 MB）是完整的操作系统镜像：包含 shell（bash、sh）、包管理器（apt）、网络工具（curl）",
    "KC707 Fail high apps.yaml:8:9 Deployment web spec.template.spec.containers[0].securityContext.runAsNonRoot | container \"web\" runs as root: its image registry.example.com/shop/web:1.4.2 sets no User, and the pod sets neither runAsNonRoot: true nor a non-zero runAsUser | 容器 \"web\" 以 root 身份运行：其镜像 registry.example.com/shop/web:1.4.2 未设置 User，而 Pod 既未设置 runAsNonRoot: true，也未设置非零的 runAsUser",
    "KC707 Warn medium apps.yaml:8:9 Deployment web spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation | container \"web\" may escalate privileges through the 1 setuid or setgid executable of its image registry.example.com/shop/web:1.4.2: /usr/bin/su (4755, layer 1) | 容器 \"web\" 可能借助其镜像 registry.example.com/shop/web:1.4.2 中 1 个设置了 setuid 或 setgid 位的可执行文件提升权限：/usr/bin/su（4755，第 1 层）",
    "KC707 Warn low apps.yaml:9:9 Deployment web spec.template.spec.containers[0].image | container \"web\" runs image registry.example.com/shop/web:1.4.2, which has 1 world-writable file or directory: /app/uploads (777, layer 2) | 容器 \"web\" 运行的镜像 registry.example.com/shop/web:1.4.2 中有 1 个所有人可写的文件或目录：/app/uploads（777，第 2 层）",
    "KC707 Warn low apps.yaml:11:9 Deployment web spec.template.spec.containers[1].image | container \"sidecar\" runs image registry.example.com/shop/web:1.4.2, which has 1 world-writable file or directory: /app/uploads (777, layer 2) | 容器 \"sidecar\" 运行的镜像 registry.example.com/shop/web:1.4.2 中有 1 个所有人可写的文件或目录：/app/uploads（777，第 2 层）",
    "KC707 Info info apps.yaml:12:27 Deployment web spec.template.spec.containers[1].securityContext.runAsNonRoot | container \"sidecar\" sets runAsNonRoot: true but no runAsUser, and its image registry.example.com/shop/web:1.4.2 sets no User: the kubelet will refuse to start it (CreateContainerConfigError) | 容器 \"sidecar\" 设置了 runAsNonRoot: true 但没有设置 runAsUser，而其镜像 registry.example.com/shop/web:1.4.2 未设置 User：kubelet 将拒绝启动它（CreateContainerConfigError）",
    "KC707 Warn low apps.yaml:14:9 Deployment web spec.template.spec.containers[2].image | container \"pinned\" runs image registry.example.com/shop/web:1.4.2, which has 1 world-writable file or directory: /app/uploads (777, layer 2) | 容器 \"pinned\" 运行的镜像 registry.example.com/shop/web:1.4.2 中有 1 个所有人可写的文件或目录：/app/uploads（777，第 2 层）",
    "KC707 Warn medium apps.yaml:15:9 Deployment web spec.template.spec.containers[2].securityContext.allowPrivilegeEscalation | container \"pinned\" may escalate privileges through the 1 setuid or setgid executable of its image registry.example.com/shop/web:1.4.2: /usr/bin/su (4755, layer 1) | 容器 \"pinned\" 可能借助其镜像 registry.example.com/shop/web:1.4.2 中 1 个设置了 setuid 或 setgid 位的可执行文件提升权限：/usr/bin/su（4755，第 1 层）",
    "KC706 NotExamined - apps.yaml:27:9 Deployment api spec.template.spec.containers[1].image | container \"agent\": image quay.io/example/agent:1.0 is not among the archives in images | 容器 \"agent\"：images 中没有镜像 quay.io/example/agent:1.0 的归档",
    "KC707 NotExamined - apps.yaml:27:9 Deployment api spec.template.spec.containers[1].image | container \"agent\": image quay.io/example/agent:1.0 is not among the archives in images | 容器 \"agent\"：images 中没有镜像 quay.io/example/agent:1.0 的归档",
];

#[test]
fn an_image_missing_from_the_directory_keeps_7_1_from_passing() {
    let api = WORKLOADS.split("---\n").nth(1).unwrap();
    let loaded = load_bytes("api.yaml", api.as_bytes(), &Limits::default());
    let run = |images: Vec<ImageFacts>| {
        engine(images, Some("images")).run(
            &Inventory::new(loaded.objects.clone()),
            &[Evidence::Objects],
            Inputs::default(),
        )
    };
    // The api's distroless image is there, the agent's is not.
    let report = run(vec![distroless()]);
    assert_eq!(status(&report, "7.1"), Status::NotEvaluated);
    let item = report.items.iter().find(|i| i.item.id == "7.1").unwrap();
    assert_eq!(
        item.reason.as_ref().map(|r| r.en.to_string()).as_deref(),
        Some("no problem in what was checked; not examined: container \"agent\": image quay.io/example/agent:1.0 is not among the archives in images")
    );
    // With only the api's container, the clean image passes the item.
    let api_only = api.replace(
        "      - name: agent\n        image: quay.io/example/agent:1.0\n",
        "",
    );
    let loaded = load_bytes("api.yaml", api_only.as_bytes(), &Limits::default());
    let report = engine(vec![distroless()], Some("images")).run(
        &Inventory::new(loaded.objects),
        &[Evidence::Objects],
        Inputs::default(),
    );
    assert_eq!(status(&report, "7.1"), Status::Pass);
}

#[test]
fn a_read_image_is_judged_by_its_content_not_its_name() {
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: report, namespace: shop}\nspec:\n  containers:\n  - name: report\n    image: python:3.12-slim\n";
    let loaded = load_bytes("pod.yaml", yaml.as_bytes(), &Limits::default());
    let codes = |report: &Report| {
        report
            .findings
            .iter()
            .filter(|f| f.item == "7.1")
            .map(|f| f.code.to_string())
            .collect::<Vec<_>>()
    };
    // Without the image, KC705 warns on the name.
    let by_name = Engine::default().at(Now::from_unix(1_796_601_600)).run(
        &Inventory::new(loaded.objects.clone()),
        &[Evidence::Objects],
        Inputs::default(),
    );
    assert_eq!(codes(&by_name), ["KC705"]);
    // With it, KC706 judges what it holds and KC705 steps aside.
    let python = ImageFacts {
        references: vec!["docker.io/library/python:3.12-slim".into()],
        ..full_os()
    };
    let by_content = engine(vec![python], Some("images")).run(
        &Inventory::new(loaded.objects),
        &[Evidence::Objects],
        Inputs::default(),
    );
    assert_eq!(codes(&by_content), ["KC706"]);
}
