//! `kcheck who-can`, `netpol` and `access-review` in Markdown and in Chinese: who-can's Markdown
//! table (hostile names escaped), `--lang zh` wording and column alignment, and JSON that does
//! not change with the language.

#[path = "support/mod.rs"]
mod support;

use support::{command, stdout, TempDir};
use unicode_width::UnicodeWidthStr;

const DEMO: &str = "examples/demo-cluster";

/// Runs kcheck with a fixed "today" (access-review dates) and checks it succeeded.
fn kcheck(args: &[&str]) -> String {
    let out = command(args)
        .env("KCHECK_TODAY", "2026-06-15")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "kcheck {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
}

/// The cells of a Markdown table row: split on `|` not escaped by a backslash.
fn cells(row: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = row.trim().chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cell.push(c);
                if let Some(n) = chars.next() {
                    cell.push(n);
                }
            }
            '|' => cells.push(std::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    cells.push(cell);
    // `| a | b |` splits into "", " a ", " b ", "".
    assert!(
        cells.first().is_some_and(|c| c.is_empty()) && cells.last().is_some_and(|c| c.is_empty()),
        "not a table row: {row}"
    );
    cells[1..cells.len() - 1]
        .iter()
        .map(|c| c.trim().to_string())
        .collect()
}

/// The terminal column where `needle` starts in `line`.
fn column(line: &str, needle: &str) -> usize {
    let at = line
        .find(needle)
        .unwrap_or_else(|| panic!("no {needle:?} in {line:?}"));
    line[..at].width()
}

/// What `line` holds from terminal column `col` on.
fn from_column(line: &str, col: usize) -> &str {
    let at = line
        .char_indices()
        .map(|(i, _)| i)
        .find(|&i| line[..i].width() == col)
        .unwrap_or_else(|| panic!("no column {col} in {line:?}"));
    &line[at..]
}

#[test]
fn who_can_markdown_is_a_markdown_table() {
    let md = kcheck(&["who-can", "get", "secrets", DEMO, "-f", "markdown"]);
    assert!(
        md.starts_with("# Who can get secrets\n\n6 grant(s)\n\n"),
        "{md}"
    );
    assert!(
        md.contains(
            "| Subject kind | Subject | Scope | Binding | Role | Location |\n|---|---|---|---|---|---|\n"
        ),
        "{md}"
    );
    assert!(
        md.contains("| Group | shop-devs | namespace shop | RoleBinding shop/shop-developers-edit | ClusterRole edit (default) | `examples/demo-cluster/rbac/team-bindings.yaml:37` |\n"),
        "{md}"
    );
    assert!(
        md.contains("| User | alice@example.com | cluster | ClusterRoleBinding alice-cluster-admin | ClusterRole cluster-admin (default) | `examples/demo-cluster/rbac/cluster-role-bindings.yaml:4` |\n"),
        "{md}"
    );
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Subject kind"))
        .collect();
    assert_eq!(rows.len(), 6, "{md}");
    for r in &rows {
        assert_eq!(cells(r).len(), 6, "{r}");
    }
    assert!(
        md.contains(
            "|\n\n(default): a ClusterRole the input does not hold, read as Kubernetes v1."
        ),
        "{md}"
    );
    // Not the table format.
    assert!(!md.contains("who can get secrets: 6 grant(s)"), "{md}");
    assert!(!md.lines().any(|l| l.starts_with("  Group ")), "{md}");
}

#[test]
fn who_can_in_chinese() {
    let table = kcheck(&["who-can", "get", "secrets", DEMO, "--lang", "zh"]);
    assert!(
        table.starts_with("可以 get secrets 的主体：6 项授权\n"),
        "{table}"
    );
    assert!(
        table.contains("  Group           shop-devs                                名字空间 shop            RoleBinding shop/shop-developers-edit -> ClusterRole edit（默认）  examples/demo-cluster/rbac/team-bindings.yaml:37\n"),
        "{table}"
    );
    assert!(
        table.contains("\n（默认）：输入中没有该 ClusterRole，按 Kubernetes v1."),
        "{table}"
    );
    // The binding column starts at the same terminal column on every row, 集群 or 名字空间.
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("  ")).collect();
    assert_eq!(rows.len(), 6, "{table}");
    for r in &rows {
        let binding = from_column(r, 84);
        assert!(
            binding.starts_with("ClusterRoleBinding ") || binding.starts_with("RoleBinding "),
            "{r}\n{table}"
        );
    }
    for english in [
        "grant(s)",
        "who can",
        "(default)",
        "namespace shop",
        " cluster ",
        "does not hold",
    ] {
        assert!(!table.contains(english), "{english} in:\n{table}");
    }

    let md = kcheck(&[
        "who-can", "list", "deploy", "-n", "shop", DEMO, "-f", "markdown", "--lang", "zh",
    ]);
    assert!(
        md.starts_with("# 在名字空间 shop 中可以 list deployments（API 组 apps）的主体\n\n7 项授权\n\n| 主体类型 | 主体 | 范围 | 绑定 | 角色 | 位置 |\n|---|---|---|---|---|---|\n"),
        "{md}"
    );
    assert!(
        md.contains("| Group | shop-devs | 名字空间 shop | RoleBinding shop/shop-developers-edit | ClusterRole edit（默认） | `examples/demo-cluster/rbac/team-bindings.yaml:37` |\n"),
        "{md}"
    );
    for english in [
        "grant(s)",
        "Who can",
        "(default)",
        "namespace",
        "| cluster |",
        "Subject",
    ] {
        assert!(!md.contains(english), "{english} in:\n{md}");
    }
}

#[test]
fn netpol_in_chinese() {
    let table = kcheck(&["netpol", DEMO, "--lang", "zh"]);
    assert!(
        table.starts_with("名字空间 default：0 个网络策略，入站默认拒绝：缺失，出站默认拒绝：缺失\n名字空间 kube-system（已豁免）：0 个网络策略，"),
        "{table}"
    );
    assert!(
        table.contains("名字空间 payments：5 个网络策略，入站默认拒绝：已配置（default-deny-all），出站默认拒绝：已配置（default-deny-all）\n"),
        "{table}"
    );
    assert!(
        table.contains("\n  Deployment/web          已隔离（default-deny-ingress、web-ingress）            已隔离（web-egress）  可访问（web-egress 的 spec.egress[0] 允许）\n"),
        "{table}"
    );
    assert!(
        table.contains("对所有流量开放（redis-debug-temporary 的 ingress[0]）"),
        "{table}"
    );
    assert!(
        table.contains("\n  DaemonSet/cilium                             未隔离  未隔离  可访问（未做出站隔离） [hostNetwork]\n"),
        "{table}"
    );
    assert!(
        table.ends_with("已检查 6 个名字空间中的 13 个工作负载：6 个未做入站隔离，8 个未做出站隔离，10 个可访问云元数据 API；5 个名字空间未在入站和出站两个方向都配置默认拒绝\n"),
        "{table}"
    );
    // Each namespace's columns line up under its headings, by terminal width.
    let lines: Vec<&str> = table.lines().collect();
    let mut headings = 0;
    for (i, heading) in lines.iter().enumerate() {
        if !heading.starts_with("  工作负载 ") {
            continue;
        }
        headings += 1;
        let ingress = column(heading, "入站");
        let egress = column(heading, "出站");
        let metadata = column(heading, "云元数据 API");
        for row in lines[i + 1..]
            .iter()
            .take_while(|l| l.starts_with("  ") && !l.starts_with("  工作负载"))
        {
            let cols: Vec<usize> = ["已隔离", "未隔离", "对所有流量开放"]
                .iter()
                .flat_map(|w| row.match_indices(w).map(|(at, _)| row[..at].width()))
                .collect();
            assert!(cols.contains(&ingress), "{row}\n{table}");
            assert!(cols.contains(&egress), "{row}\n{table}");
            let m = ["可访问", "已阻断"]
                .iter()
                .find_map(|w| row.find(w).map(|at| row[..at].width()));
            assert_eq!(m, Some(metadata), "{row}\n{table}");
        }
    }
    assert_eq!(headings, 6, "{table}");
    for english in [
        "not isolated",
        "REACHABLE",
        "MISSING",
        "OPEN",
        "isolated by",
        "blocked",
        "namespace",
        "workload",
        "default deny",
        "WORKLOAD",
        "INGRESS",
        "EGRESS",
        "METADATA",
        "exempt",
        "NetworkPolic",
        "allowed by",
    ] {
        assert!(!table.contains(english), "{english} in:\n{table}");
    }

    let md = kcheck(&["netpol", DEMO, "-f", "markdown", "--lang", "zh"]);
    assert!(
        md.starts_with("# 网络策略覆盖情况\n\n已检查 6 个名字空间中的 13 个工作负载："),
        "{md}"
    );
    assert!(
        md.contains("\n## 名字空间 `shop`\n\n5 个网络策略；入站默认拒绝：已配置（default-deny-ingress），出站默认拒绝：缺失。\n\n| 工作负载 | 入站 | 出站 | 云元数据 API |\n|---|---|---|---|\n"),
        "{md}"
    );
    assert!(
        md.contains("| Deployment `web` | 已隔离（default-deny-ingress、web-ingress） | 已隔离（web-egress） | 可访问（web-egress 的 spec.egress[0] 允许） |\n"),
        "{md}"
    );
    for english in [
        "not isolated",
        "REACHABLE",
        "MISSING",
        "OPEN",
        "isolated by",
        "Namespace",
        "coverage",
        "Workload",
        "Metadata",
        "NetworkPolic",
        "default deny",
    ] {
        assert!(!md.contains(english), "{english} in:\n{md}");
    }
}

#[test]
fn access_review_in_chinese() {
    let table = kcheck(&["access-review", DEMO, "--lang", "zh"]);
    assert!(
        table.starts_with("访问权限审查：15 个主体，其中 9 个拥有危险权限\n摘要：sha256:"),
        "{table}"
    );
    assert!(
        table.contains("\nGroup system:masters  [特权]\n"),
        "{table}"
    );
    assert!(
        table.contains("\n  get,list,watch secrets                   名字空间 shop            RoleBinding shop/shop-developers-edit -> ClusterRole edit  examples/demo-cluster/rbac/team-bindings.yaml:37\n"),
        "{table}"
    );
    assert!(
        table.contains("\n  cluster-admin                            集群                     ClusterRoleBinding alice-cluster-admin -> ClusterRole cluster-admin  examples/demo-cluster/rbac/cluster-role-bindings.yaml:4\n"),
        "{table}"
    );
    assert!(table.contains("\n  （无危险权限）\n"), "{table}");
    for english in [
        "access review",
        "subject(s)",
        "dangerous",
        "privileged",
        "digest",
        "namespace ",
        " cluster ",
    ] {
        assert!(!table.contains(english), "{english} in:\n{table}");
    }

    let md = kcheck(&["access-review", DEMO, "-f", "markdown", "--lang", "zh"]);
    assert!(md.starts_with("# 访问权限审查\n\n摘要：`sha256:"), "{md}");
    assert!(
        md.contains("\n| 主体 | 特权 | 权限 | 范围 | 绑定 | 角色 |\n|---|---|---|---|---|---|\n"),
        "{md}"
    );
    assert!(
        md.contains("\n| User alice@example.com | 是 | `cluster-admin` | 集群 | ClusterRoleBinding alice-cluster-admin | ClusterRole cluster-admin |\n"),
        "{md}"
    );
    for english in [
        "Access review",
        "digest",
        "| yes |",
        "| cluster |",
        "namespace ",
    ] {
        assert!(!md.contains(english), "{english} in:\n{md}");
    }
}

#[test]
fn json_is_the_same_in_every_language() {
    for args in [
        &["who-can", "get", "secrets", DEMO][..],
        &["who-can", "list", "deploy", "-n", "shop", DEMO][..],
        &["netpol", DEMO][..],
        &["access-review", DEMO][..],
    ] {
        let with = |extra: &[&str]| {
            let mut all = args.to_vec();
            all.extend_from_slice(&["-f", "json"]);
            all.extend_from_slice(extra);
            kcheck(&all)
        };
        let default = with(&[]);
        assert!(default.starts_with('{'), "{default}");
        assert_eq!(with(&["--lang", "en"]), default, "{args:?}");
        assert_eq!(with(&["--lang", "zh"]), default, "{args:?}");
    }
}

#[test]
fn hostile_subject_names_stay_in_their_who_can_cell() {
    let dir = TempDir::new("who-can-hostile-md");
    let file = dir.write(
        "rbac.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: secret-reader, namespace: shop}
rules:
- {apiGroups: [\"\"], resources: [secrets], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secret-reader}
subjects:
- {kind: User, name: \"mallory|<script>alert(1)</script>`x` | y\"}
- {kind: User, name: bob}
",
    );
    let f = file.to_str().unwrap();
    for lang in ["en", "zh"] {
        let md = kcheck(&[
            "who-can", "get", "secrets", f, "-f", "markdown", "--lang", lang,
        ]);
        let rows: Vec<&str> = md
            .lines()
            .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
            .collect();
        // The heading row and one row per grant, six cells each.
        assert_eq!(rows.len(), 3, "{md}");
        for r in &rows {
            assert_eq!(cells(r).len(), 6, "{r}\n{md}");
        }
        let mallory = rows
            .iter()
            .find(|r| r.contains("mallory"))
            .unwrap_or_else(|| panic!("{md}"));
        assert_eq!(
            cells(mallory)[1],
            "mallory\\|&lt;script&gt;alert(1)&lt;/script&gt;\\`x\\` \\| y",
            "{md}"
        );
        assert!(!md.contains("<script>"), "{md}");
    }
}
