//! Each view rendered from a small input, in both languages, against the exact text.

use super::*;
use crate::layout::to_string;
use kcheck_model::{
    DangerousGrant, Evidence, MetadataAccess, NetpolNamespace, NetpolTotals, NetpolWorkload,
    RbacSubject, RuleSummary, Severity, SubjectReview, Text, WhoCanGrant,
};

fn subject(kind: &'static str, name: &str, namespace: Option<&str>) -> RbacSubject {
    RbacSubject {
        kind,
        name: name.into(),
        namespace: namespace.map(Into::into),
    }
}

/// A default role reached in a namespace by a group whose name needs escaping in Markdown, and
/// a role of the input limited to one name, cluster-wide.
fn who_can() -> WhoCan {
    WhoCan {
        verb: "create".into(),
        resource: "pods".into(),
        group: String::new(),
        name: None,
        namespace: Some("shop".into()),
        grants: vec![
            WhoCanGrant {
                subject: subject("Group", "dev|ops", None),
                scope: GrantScope::Namespace("shop".into()),
                binding: "RoleBinding shop/devs".into(),
                role: "ClusterRole edit".into(),
                default_role: true,
                resource_names: vec![],
                location: "rbac.yaml:3".into(),
            },
            WhoCanGrant {
                subject: subject("ServiceAccount", "deployer", Some("ci")),
                scope: GrantScope::Cluster,
                binding: "ClusterRoleBinding deploy".into(),
                role: "ClusterRole deployer".into(),
                default_role: false,
                resource_names: vec!["web".into()],
                location: "rbac.yaml:20".into(),
            },
        ],
        default_roles_from: "v1.37.2".into(),
    }
}

fn workload(
    name: &str,
    ingress: &[&str],
    egress: &[&str],
    metadata: MetadataAccess,
) -> NetpolWorkload {
    let names = |p: &[&str]| p.iter().map(|s| s.to_string()).collect();
    NetpolWorkload {
        kind: "Deployment".into(),
        name: name.into(),
        ingress: names(ingress),
        egress: names(egress),
        ingress_open: None,
        egress_open: None,
        metadata,
        host_network: false,
        location: format!("{name}.yaml:1"),
    }
}

/// An open namespace, an exempt one without workloads, and one with a default deny for ingress
/// and a workload on the host network whose egress policy opens the metadata API.
fn netpol() -> NetpolCoverage {
    let namespace = |name: &str, exempt, policies, workloads| NetpolNamespace {
        name: String::from(name),
        exempt,
        policies,
        default_deny_ingress: None,
        default_deny_egress: None,
        workloads,
    };
    let mut shop = namespace(
        "shop",
        false,
        2,
        vec![NetpolWorkload {
            host_network: true,
            ..workload(
                "api",
                &["deny-all", "allow-web"],
                &["egress"],
                MetadataAccess::AllowedBy {
                    policy: "egress".into(),
                    rule: 1,
                },
            )
        }],
    );
    shop.default_deny_ingress = Some("deny-all".into());
    NetpolCoverage {
        namespaces: vec![
            namespace(
                "default",
                false,
                0,
                vec![workload("web", &[], &[], MetadataAccess::NotIsolated)],
            ),
            namespace("kube-system", true, 1, vec![]),
            shop,
        ],
        totals: NetpolTotals {
            namespaces: 2,
            workloads: 2,
            ingress_not_isolated: 1,
            egress_not_isolated: 1,
            metadata_reachable: 2,
            without_default_deny: 2,
        },
    }
}

/// A privileged group, a service account with one right in its namespace, and a user without
/// dangerous rights.
fn access_review() -> AccessReview {
    AccessReview {
        digest: "sha256:abc".into(),
        subjects: vec![
            SubjectReview {
                subject: subject("Group", "admins", None),
                privileged: true,
                grants: vec![DangerousGrant {
                    right: "* *".into(),
                    scope: GrantScope::Cluster,
                    binding: "ClusterRoleBinding admins".into(),
                    role: "ClusterRole admin-all".into(),
                    location: Some("rbac.yaml:1".into()),
                }],
            },
            SubjectReview {
                subject: subject("ServiceAccount", "deployer", Some("ci")),
                privileged: false,
                grants: vec![DangerousGrant {
                    right: "create pods/exec".into(),
                    scope: GrantScope::Namespace("ci".into()),
                    binding: "RoleBinding ci/deployer".into(),
                    role: "Role ci/deployer".into(),
                    location: Some("rbac.yaml:9".into()),
                }],
            },
            SubjectReview {
                subject: subject("User", "alice", None),
                privileged: false,
                grants: vec![],
            },
        ],
    }
}

fn rules() -> Vec<RuleSummary> {
    vec![
        RuleSummary {
            code: "KC105",
            name: "rbac-broad-subject",
            item: "1.6",
            severity: Severity::High,
            severities: vec![Severity::High, Severity::Medium],
            evidence: Evidence::Objects,
            title: Text::fixed("Role granted to everyone", "角色授予了所有人"),
        },
        RuleSummary {
            code: "KC301",
            name: "privileged-container",
            item: "3.2",
            severity: Severity::Critical,
            severities: vec![Severity::Critical],
            evidence: Evidence::Objects,
            title: Text::fixed("Container runs privileged", "容器以特权模式运行"),
        },
    ]
}

type Writer<T> = fn(&T, ViewFormat, Lang, &mut dyn io::Write) -> io::Result<()>;

fn render<T>(write: Writer<T>, view: &T, format: ViewFormat, lang: Lang) -> String {
    to_string(|out| write(view, format, lang, out))
}

/// Compares line by line first, so that a failure shows the line that differs.
fn assert_text(got: &str, want: &str) {
    for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        assert_eq!(g, w, "line {}\n--- got:\n{got}", i + 1);
    }
    assert_eq!(got, want);
}

const WHO_CAN_TABLE_EN: &str = "\
who can create pods in namespace shop: 2 grant(s)\n\
\x20 Group           dev|ops                                  namespace shop           RoleBinding shop/devs -> ClusterRole edit (default)  rbac.yaml:3\n\
\x20 ServiceAccount  ci/deployer                              cluster                  ClusterRoleBinding deploy -> ClusterRole deployer (only web)  rbac.yaml:20\n\
(default): a ClusterRole the input does not hold, read as Kubernetes v1.37.2 defines it\n\
";

const WHO_CAN_TABLE_ZH: &str = "\
在名字空间 shop 中可以 create pods 的主体：2 项授权\n\
\x20 Group           dev|ops                                  名字空间 shop            RoleBinding shop/devs -> ClusterRole edit（默认）  rbac.yaml:3\n\
\x20 ServiceAccount  ci/deployer                              集群                     ClusterRoleBinding deploy -> ClusterRole deployer（仅限 web）  rbac.yaml:20\n\
（默认）：输入中没有该 ClusterRole，按 Kubernetes v1.37.2 的定义解读\n\
";

const NETPOL_TABLE_EN: &str = "\
namespace default: 0 NetworkPolicies, default deny ingress MISSING, egress MISSING\n\
\x20 WORKLOAD        INGRESS  EGRESS  METADATA API\n\
\x20 Deployment/web  OPEN     OPEN    REACHABLE (not isolated for egress)\n\
namespace kube-system (exempt): 1 NetworkPolicy, default deny ingress MISSING, egress MISSING\n\
namespace shop: 2 NetworkPolicies, default deny ingress yes (deny-all), egress MISSING\n\
\x20 WORKLOAD        INGRESS                          EGRESS              METADATA API\n\
\x20 Deployment/api  isolated by deny-all, allow-web  isolated by egress  REACHABLE (allowed by egress spec.egress[1]) [hostNetwork]\n\
2 workload(s) in 2 checked namespace(s): 1 not isolated for ingress, 1 not isolated for egress, 2 can reach the metadata API; 2 namespace(s) without a default deny in both directions\n\
";

const NETPOL_TABLE_ZH: &str = "\
名字空间 default：0 个网络策略，入站默认拒绝：缺失，出站默认拒绝：缺失\n\
\x20 工作负载        入站    出站    云元数据 API\n\
\x20 Deployment/web  未隔离  未隔离  可访问（未做出站隔离）\n\
名字空间 kube-system（已豁免）：1 个网络策略，入站默认拒绝：缺失，出站默认拒绝：缺失\n\
名字空间 shop：2 个网络策略，入站默认拒绝：已配置（deny-all），出站默认拒绝：缺失\n\
\x20 工作负载        入站                           出站              云元数据 API\n\
\x20 Deployment/api  已隔离（deny-all、allow-web）  已隔离（egress）  可访问（egress 的 spec.egress[1] 允许） [hostNetwork]\n\
已检查 2 个名字空间中的 2 个工作负载：1 个未做入站隔离，1 个未做出站隔离，2 个可访问云元数据 API；2 个名字空间未在入站和出站两个方向都配置默认拒绝\n\
";

const ACCESS_REVIEW_TABLE_EN: &str = "\
access review: 3 subject(s), 2 with dangerous rights\n\
digest: sha256:abc\n\
\n\
Group admins  [privileged]\n\
\x20 * *                                      cluster                  ClusterRoleBinding admins -> ClusterRole admin-all  rbac.yaml:1\n\
\n\
ServiceAccount ci/deployer\n\
\x20 create pods/exec                         namespace ci             RoleBinding ci/deployer -> Role ci/deployer  rbac.yaml:9\n\
\n\
User alice\n\
\x20 (no dangerous rights)\n\
";

const ACCESS_REVIEW_TABLE_ZH: &str = "\
访问权限审查：3 个主体，其中 2 个拥有危险权限\n\
摘要：sha256:abc\n\
\n\
Group admins  [特权]\n\
\x20 * *                                      集群                     ClusterRoleBinding admins -> ClusterRole admin-all  rbac.yaml:1\n\
\n\
ServiceAccount ci/deployer\n\
\x20 create pods/exec                         名字空间 ci              RoleBinding ci/deployer -> Role ci/deployer  rbac.yaml:9\n\
\n\
User alice\n\
\x20 （无危险权限）\n\
";

#[test]
fn who_can_table() {
    let answer = who_can();
    let table = |lang| render(write_who_can, &answer, ViewFormat::Table, lang);
    assert_text(&table(Lang::En), WHO_CAN_TABLE_EN);
    assert_text(&table(Lang::Zh), WHO_CAN_TABLE_ZH);
}

#[test]
fn who_can_markdown() {
    let answer = who_can();
    let md = |lang| render(write_who_can, &answer, ViewFormat::Markdown, lang);
    assert_text(
        &md(Lang::En),
        "# Who can create pods in namespace shop\n\
         \n\
         2 grant(s)\n\
         \n\
         | Subject kind | Subject | Scope | Binding | Role | Location |\n\
         |---|---|---|---|---|---|\n\
         | Group | dev\\|ops | namespace shop | RoleBinding shop/devs | ClusterRole edit (default) | `rbac.yaml:3` |\n\
         | ServiceAccount | ci/deployer | cluster | ClusterRoleBinding deploy | ClusterRole deployer (only web) | `rbac.yaml:20` |\n\
         \n\
         (default): a ClusterRole the input does not hold, read as Kubernetes v1.37.2 defines it\n",
    );
    assert_text(
        &md(Lang::Zh),
        "# 在名字空间 shop 中可以 create pods 的主体\n\
         \n\
         2 项授权\n\
         \n\
         | 主体类型 | 主体 | 范围 | 绑定 | 角色 | 位置 |\n\
         |---|---|---|---|---|---|\n\
         | Group | dev\\|ops | 名字空间 shop | RoleBinding shop/devs | ClusterRole edit（默认） | `rbac.yaml:3` |\n\
         | ServiceAccount | ci/deployer | 集群 | ClusterRoleBinding deploy | ClusterRole deployer（仅限 web） | `rbac.yaml:20` |\n\
         \n\
         （默认）：输入中没有该 ClusterRole，按 Kubernetes v1.37.2 的定义解读\n",
    );
}

#[test]
fn who_can_without_grants_says_so() {
    let answer = WhoCan {
        group: "apps".into(),
        resource: "deployments".into(),
        namespace: None,
        grants: vec![],
        ..who_can()
    };
    let render = |format, lang| render(write_who_can, &answer, format, lang);
    assert_eq!(
        render(ViewFormat::Table, Lang::En),
        "who can create deployments (group apps): 0 grant(s)\n"
    );
    assert_eq!(
        render(ViewFormat::Table, Lang::Zh),
        "可以 create deployments（API 组 apps）的主体：0 项授权\n"
    );
    assert_eq!(
        render(ViewFormat::Markdown, Lang::En),
        "# Who can create deployments (group apps)\n\n0 grant(s)\n"
    );
}

#[test]
fn who_can_json_is_the_same_in_both_languages() {
    let answer = who_can();
    let json = |lang| render(write_who_can, &answer, ViewFormat::Json, lang);
    assert_eq!(json(Lang::Zh), json(Lang::En));
    assert_text(
        &json(Lang::En),
        r#"{
  "defaultRolesFrom": "v1.37.2",
  "group": "",
  "name": null,
  "namespace": "shop",
  "resource": "pods",
  "subjects": [
    {
      "binding": "RoleBinding shop/devs",
      "defaultRole": true,
      "location": "rbac.yaml:3",
      "resourceNames": [],
      "role": "ClusterRole edit",
      "scope": "namespace shop",
      "subject": {
        "kind": "Group",
        "name": "dev|ops",
        "namespace": null
      }
    },
    {
      "binding": "ClusterRoleBinding deploy",
      "defaultRole": false,
      "location": "rbac.yaml:20",
      "resourceNames": [
        "web"
      ],
      "role": "ClusterRole deployer",
      "scope": "cluster",
      "subject": {
        "kind": "ServiceAccount",
        "name": "deployer",
        "namespace": "ci"
      }
    }
  ],
  "verb": "create"
}
"#,
    );
}

#[test]
fn netpol_table() {
    let coverage = netpol();
    let table = |lang| render(write_netpol, &coverage, ViewFormat::Table, lang);
    assert_text(&table(Lang::En), NETPOL_TABLE_EN);
    assert_text(&table(Lang::Zh), NETPOL_TABLE_ZH);
}

#[test]
fn netpol_markdown() {
    let coverage = netpol();
    let md = |lang| render(write_netpol, &coverage, ViewFormat::Markdown, lang);
    assert_text(
        &md(Lang::En),
        "# NetworkPolicy coverage\n\
         \n\
         2 workload(s) in 2 checked namespace(s): 1 not isolated for ingress, 1 not isolated for egress, 2 can reach the metadata API; 2 namespace(s) without a default deny in both directions\n\
         \n\
         ## Namespace `default`\n\
         \n\
         0 NetworkPolicies; default deny ingress MISSING, egress MISSING.\n\
         \n\
         | Workload | Ingress | Egress | Metadata API |\n\
         |---|---|---|---|\n\
         | Deployment `web` | OPEN | OPEN | REACHABLE (not isolated for egress) |\n\
         \n\
         ## Namespace `kube-system` (exempt)\n\
         \n\
         1 NetworkPolicies; default deny ingress MISSING, egress MISSING.\n\
         \n\
         ## Namespace `shop`\n\
         \n\
         2 NetworkPolicies; default deny ingress yes (deny-all), egress MISSING.\n\
         \n\
         | Workload | Ingress | Egress | Metadata API |\n\
         |---|---|---|---|\n\
         | Deployment `api` | isolated by deny-all, allow-web | isolated by egress | REACHABLE (allowed by egress spec.egress[1]) |\n",
    );
    assert_text(
        &md(Lang::Zh),
        "# 网络策略覆盖情况\n\
         \n\
         已检查 2 个名字空间中的 2 个工作负载：1 个未做入站隔离，1 个未做出站隔离，2 个可访问云元数据 API；2 个名字空间未在入站和出站两个方向都配置默认拒绝\n\
         \n\
         ## 名字空间 `default`\n\
         \n\
         0 个网络策略；入站默认拒绝：缺失，出站默认拒绝：缺失。\n\
         \n\
         | 工作负载 | 入站 | 出站 | 云元数据 API |\n\
         |---|---|---|---|\n\
         | Deployment `web` | 未隔离 | 未隔离 | 可访问（未做出站隔离） |\n\
         \n\
         ## 名字空间 `kube-system`（已豁免）\n\
         \n\
         1 个网络策略；入站默认拒绝：缺失，出站默认拒绝：缺失。\n\
         \n\
         ## 名字空间 `shop`\n\
         \n\
         2 个网络策略；入站默认拒绝：已配置（deny-all），出站默认拒绝：缺失。\n\
         \n\
         | 工作负载 | 入站 | 出站 | 云元数据 API |\n\
         |---|---|---|---|\n\
         | Deployment `api` | 已隔离（deny-all、allow-web） | 已隔离（egress） | 可访问（egress 的 spec.egress[1] 允许） |\n",
    );
}

#[test]
fn netpol_json_is_the_same_in_both_languages() {
    let mut coverage = netpol();
    coverage.namespaces.truncate(1);
    let json = |lang| render(write_netpol, &coverage, ViewFormat::Json, lang);
    assert_eq!(json(Lang::Zh), json(Lang::En));
    assert_text(
        &json(Lang::En),
        r#"{
  "namespaces": [
    {
      "defaultDeny": {
        "egress": null,
        "ingress": null
      },
      "exempt": false,
      "name": "default",
      "policies": 0,
      "workloads": [
        {
          "egressIsolated": false,
          "egressPolicies": [],
          "hostNetwork": false,
          "ingressIsolated": false,
          "ingressPolicies": [],
          "kind": "Deployment",
          "location": "web.yaml:1",
          "metadata": {
            "egressRule": null,
            "policy": null,
            "reason": "notIsolated"
          },
          "metadataReachable": true,
          "name": "web"
        }
      ]
    }
  ],
  "summary": {
    "egressNotIsolated": 1,
    "ingressNotIsolated": 1,
    "metadataReachable": 2,
    "namespaces": 2,
    "namespacesWithoutDefaultDeny": 2,
    "workloads": 2
  }
}
"#,
    );
}

#[test]
fn access_review_table() {
    let review = access_review();
    let table = |lang| render(write_access_review, &review, ViewFormat::Table, lang);
    assert_text(&table(Lang::En), ACCESS_REVIEW_TABLE_EN);
    assert_text(&table(Lang::Zh), ACCESS_REVIEW_TABLE_ZH);
}

#[test]
fn access_review_markdown() {
    let review = access_review();
    let md = |lang| render(write_access_review, &review, ViewFormat::Markdown, lang);
    assert_text(
        &md(Lang::En),
        "# Access review\n\
         \n\
         digest: `sha256:abc`\n\
         \n\
         | subject | privileged | right | scope | binding | role |\n\
         |---|---|---|---|---|---|\n\
         | Group admins | yes | `* *` | cluster | ClusterRoleBinding admins | ClusterRole admin-all |\n\
         | ServiceAccount ci/deployer |  | `create pods/exec` | namespace ci | RoleBinding ci/deployer | Role ci/deployer |\n\
         | User alice |  | - | | | |\n",
    );
    assert_text(
        &md(Lang::Zh),
        "# 访问权限审查\n\
         \n\
         摘要：`sha256:abc`\n\
         \n\
         | 主体 | 特权 | 权限 | 范围 | 绑定 | 角色 |\n\
         |---|---|---|---|---|---|\n\
         | Group admins | 是 | `* *` | 集群 | ClusterRoleBinding admins | ClusterRole admin-all |\n\
         | ServiceAccount ci/deployer |  | `create pods/exec` | 名字空间 ci | RoleBinding ci/deployer | Role ci/deployer |\n\
         | User alice |  | - | | | |\n",
    );
}

#[test]
fn access_review_json_is_the_same_in_both_languages() {
    let mut review = access_review();
    review.subjects.remove(0);
    let json = |lang| render(write_access_review, &review, ViewFormat::Json, lang);
    assert_eq!(json(Lang::Zh), json(Lang::En));
    assert_text(
        &json(Lang::En),
        r#"{
  "digest": "sha256:abc",
  "subjects": [
    {
      "grants": [
        {
          "binding": "RoleBinding ci/deployer",
          "location": "rbac.yaml:9",
          "right": "create pods/exec",
          "role": "Role ci/deployer",
          "scope": "namespace ci"
        }
      ],
      "kind": "ServiceAccount",
      "name": "deployer",
      "namespace": "ci",
      "privileged": false
    },
    {
      "grants": [],
      "kind": "User",
      "name": "alice",
      "namespace": null,
      "privileged": false
    }
  ]
}
"#,
    );
}

#[test]
fn rules_table_keeps_severities_in_english() {
    let rules = rules();
    assert_text(
        &rules_table(&rules, Lang::En),
        "KC105  1.6  high/medium  rbac-broad-subject    Role granted to everyone\n\
         KC301  3.2  critical     privileged-container  Container runs privileged\n",
    );
    assert_text(
        &rules_table(&rules, Lang::Zh),
        "KC105  1.6  high/medium  rbac-broad-subject    角色授予了所有人\n\
         KC301  3.2  critical     privileged-container  容器以特权模式运行\n",
    );
}

#[test]
fn rules_json() {
    let rules = rules();
    assert_text(
        &super::rules_json(&rules[1..]),
        r#"[
  {
    "code": "KC301",
    "evidence": "objects",
    "item": "3.2",
    "name": "privileged-container",
    "severities": [
      "critical"
    ],
    "severity": "critical",
    "title": {
      "en": "Container runs privileged",
      "zh": "容器以特权模式运行"
    }
  }
]
"#,
    );
}

#[test]
fn explanation_heads_the_documentation() {
    let rules = rules();
    let doc = "## What it checks\nEverything.\n";
    assert_text(
        &explanation(&rules[0], doc, Lang::En),
        "KC105 rbac-broad-subject (high/medium, checklist item 1.6)\n\
         Role granted to everyone\n\
         \n\
         ## What it checks\n\
         Everything.\n",
    );
    assert_text(
        &explanation(&rules[0], doc, Lang::Zh),
        "KC105 rbac-broad-subject（高/中，检查清单第 1.6 项）\n\
         角色授予了所有人\n\
         \n\
         ## What it checks\n\
         Everything.\n",
    );
}

/// A subject named with a terminal escape sequence and a bidirectional override cannot drive
/// the terminal through the table: the characters are replaced, as in the checklist's table.
#[test]
fn tables_replace_control_characters_of_names() {
    let mut answer = who_can();
    answer.grants[0].subject = subject("User", "eve\u{1b}[2J\u{202e}", None);
    let table = to_string(|out| write_who_can(&answer, ViewFormat::Table, Lang::En, out));
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{202e}'),
        "{table}"
    );
    assert!(table.contains("eve\u{fffd}[2J\u{fffd}"), "{table}");
    // JSON keeps the name as it is (escaped by JSON itself).
    let json = to_string(|out| write_who_can(&answer, ViewFormat::Json, Lang::En, out));
    assert!(json.contains("eve\\u001b[2J\u{202e}"), "{json}");
}

/// A workload that a policy opens to all ingress is shown as such, not as isolated, in the table
/// and in JSON (where the field appears only then).
#[test]
fn a_workload_opened_to_all_is_not_isolated() {
    let mut coverage = netpol();
    let w = &mut coverage.namespaces[2].workloads[0];
    w.ingress_open = Some(kcheck_model::OpenedBy {
        policy: "allow-all".into(),
        rule: 0,
    });
    let table = to_string(|out| write_netpol(&coverage, ViewFormat::Table, Lang::En, out));
    assert!(
        table.contains("OPEN TO ALL by allow-all (ingress[0])"),
        "{table}"
    );
    let zh = to_string(|out| write_netpol(&coverage, ViewFormat::Table, Lang::Zh, out));
    assert!(
        zh.contains("对所有流量开放（allow-all 的 ingress[0]）"),
        "{zh}"
    );
    let json = to_string(|out| write_netpol(&coverage, ViewFormat::Json, Lang::En, out));
    assert!(json.contains("\"ingressIsolated\": false"), "{json}");
    assert!(json.contains("\"ingressOpenedBy\": {"), "{json}");
    assert_eq!(json.matches("OpenedBy").count(), 1, "{json}");
}
