//! A hand-built report that covers every status, findings with and without a file location, a
//! waived finding, hostile strings, input diagnostics and a skipped file.

use kcheck_model::{
    Diagnostic, DiagnosticSeverity, Evidence, Finding, Inputs, ItemResult, Level, Location, Note,
    NoteKind, ObjectRef, Report, RuleInfo, Severity, Skipped, Status, Text, ITEMS,
};
use std::sync::Arc;

pub const HOSTILE: &str = "<script>alert(1)</script> a|b";

fn object(kind: &str, ns: Option<&str>, name: &str) -> Option<ObjectRef> {
    Some(ObjectRef {
        api_version: if kind.starts_with("Cluster") {
            "rbac.authorization.k8s.io/v1".into()
        } else {
            "apps/v1".into()
        },
        kind: kind.into(),
        namespace: ns.map(Into::into),
        name: name.into(),
    })
}

fn at(file: &str, line: u32, column: u32) -> Option<Location> {
    Some(Location {
        file: Arc::from(file),
        line,
        column,
    })
}

#[allow(clippy::too_many_arguments)]
fn finding(
    code: &'static str,
    item: &'static str,
    severity: Severity,
    level: Level,
    object: Option<ObjectRef>,
    path: Option<&str>,
    location: Option<Location>,
    source: Option<&str>,
    message: Text,
) -> Finding {
    Finding {
        code,
        rule: match code {
            "KC101" => "system-masters-binding",
            "KC161" => "wildcard-rbac",
            "KC221" => "workload-without-network-policy",
            _ => "image-without-digest",
        },
        item,
        severity,
        level,
        object: object.map(Into::into),
        path: path.map(Into::into),
        location,
        source: source.map(Into::into),
        node: None,
        message,
        fix: Text::new(
            format!("fix {code} by doing the right thing"),
            format!("修复 {code}：按正确方式配置"),
        ),
        waived: false,
        waiver: None,
        pods: 0,
    }
}

pub fn findings() -> Vec<Finding> {
    let mut waived = finding(
        "KC101",
        "1.1",
        Severity::High,
        Level::Fail,
        object("ClusterRoleBinding", None, "bootstrap-admins"),
        Some("subjects[0].name"),
        at("rbac.yaml", 30, 9),
        None,
        Text::fixed(
            "ClusterRoleBinding bootstrap-admins binds system:masters",
            "ClusterRoleBinding bootstrap-admins 绑定了 system:masters",
        ),
    );
    waived.waived = true;
    waived.waiver = Some(Box::new(kcheck_model::Waiver {
        source: "waivers.yaml:3".into(),
        reason: "bootstrap only (SEC-1)".into(),
    }));
    vec![
        // 0: 1.1, with a location and a path
        finding(
            "KC101",
            "1.1",
            Severity::High,
            Level::Fail,
            object("ClusterRoleBinding", None, "admins"),
            Some("subjects[0].name"),
            at("rbac.yaml", 12, 5),
            None,
            Text::fixed(
                "ClusterRoleBinding admins binds group system:masters",
                "ClusterRoleBinding admins 绑定了 system:masters 组",
            ),
        ),
        // 1: 1.1, waived
        waived,
        // 2: 1.6, critical, in a namespace, with a path that has spaces
        finding(
            "KC161",
            "1.6",
            Severity::Critical,
            Level::Fail,
            Some(ObjectRef {
                api_version: "rbac.authorization.k8s.io/v1".into(),
                kind: "Role".into(),
                namespace: Some("prod".into()),
                name: "everything".into(),
            }),
            Some("rules[0].verbs"),
            at("deploy/my app/role.yaml", 7, 12),
            None,
            Text::fixed(
                "Role prod/everything grants every verb on every resource",
                "Role prod/everything 授予了对所有资源的所有操作",
            ),
        ),
        // 3: 2.2, a warning from the API: no file location, a source instead
        finding(
            "KC221",
            "2.2",
            Severity::Medium,
            Level::Warn,
            object("Deployment", Some("prod"), "web"),
            None,
            None,
            Some("/apis/apps/v1/namespaces/prod/deployments/web"),
            Text::fixed(
                "Deployment prod/web is selected by no Egress policy",
                "Deployment prod/web 未被任何出站网络策略选中",
            ),
        ),
        // 4: 7.3, info, whole-file location (line 0), hostile message
        finding(
            "KC703",
            "7.3",
            Severity::Info,
            Level::Fail,
            object("Deployment", Some("prod"), "web"),
            Some("spec.template.spec.containers[0].image"),
            at("web.yaml", 0, 0),
            None,
            Text::new(
                format!("{HOSTILE}\nsecond line \u{1b}[31m\u{1}"),
                format!("{HOSTILE}\n第二行"),
            ),
        ),
    ]
}

pub fn rules() -> Vec<RuleInfo> {
    let rule = |code, name, item, severity, en, zh| {
        RuleInfo {
        code,
        name,
        item,
        severity,
        title: Text::fixed(en, zh),
        // As `declare_rule!` makes it from doc comments: a space before every line.
        doc: " ## What it checks\n Bindings of the **system:masters**\n group.\n\n ## Why\n It bypasses RBAC.\n",
        doc_zh: "",
        examined: 0,
    }
    };
    vec![
        rule(
            "KC101",
            "system-masters-binding",
            "1.1",
            Severity::High,
            "Binding to system:masters",
            "绑定到 system:masters",
        ),
        rule(
            "KC161",
            "wildcard-rbac",
            "1.6",
            Severity::Critical,
            "Wildcard RBAC rule",
            "RBAC 规则使用通配符",
        ),
        rule(
            "KC221",
            "workload-without-network-policy",
            "2.2",
            Severity::Medium,
            "Workload without network policy",
            "工作负载没有网络策略",
        ),
        rule(
            "KC703",
            "image-without-digest",
            "7.3",
            Severity::Info,
            "Image without digest",
            "镜像未使用摘要",
        ),
    ]
}

/// What a failing item could not examine (two notes on 1.1), and the evidence a warning item
/// rests on (2.2), one of each with hostile text.
pub fn notes() -> Vec<Note> {
    vec![
        Note {
            kind: NoteKind::NotExamined,
            code: "KC107",
            item: "1.1",
            object: None,
            path: None,
            location: None,
            source: Some(Arc::from("/etc/kubernetes/admin.conf")),
            node: None,
            message: Text::fixed(
                "kubeconfig is not available (on the control-plane node only)",
                "无法获得 kubeconfig（仅在控制平面节点上）",
            ),
        },
        Note {
            kind: NoteKind::NotExamined,
            code: "KC107",
            item: "1.1",
            object: None,
            path: None,
            location: None,
            source: Some(Arc::from("/etc/kubernetes/pki")),
            node: None,
            message: Text::fixed(HOSTILE, HOSTILE),
        },
        Note {
            kind: NoteKind::Evidence,
            code: "KC214",
            item: "2.2",
            object: object("DaemonSet", Some("kube-system"), "cilium").map(Arc::new),
            path: None,
            location: at("kube-system/cilium.yaml", 12, 3),
            source: None,
            node: None,
            message: Text::fixed(
                "network plugin Cilium enforces NetworkPolicy",
                "网络插件 Cilium 执行网络策略",
            ),
        },
    ]
}

pub fn report() -> Report {
    let findings = findings();
    let notes = notes();
    let items = ITEMS
        .iter()
        .map(|item| {
            let of_item: Vec<usize> = findings
                .iter()
                .enumerate()
                .filter(|(_, f)| f.item == item.id)
                .map(|(i, _)| i)
                .collect();
            let (status, reason) = match item.id {
                "1.1" | "1.6" | "7.3" => (Status::Fail, None),
                "2.2" => (Status::Warn, None),
                "1.5" => (
                    Status::Manual,
                    Some(Text::fixed("record the access review", "请记录访问审查")),
                ),
                "6.1" => (
                    Status::Error,
                    Some(Text::fixed("a rule panicked", "规则执行出错")),
                ),
                _ => match item.required.iter().find(|e| **e != Evidence::Objects) {
                    Some(missing) => (Status::NotEvaluated, Some(missing.missing_reason())),
                    None => (Status::Pass, None),
                },
            };
            ItemResult {
                item,
                status,
                reason,
                findings: of_item,
                notes: notes
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| n.item == item.id)
                    .map(|(i, _)| i)
                    .collect(),
                examined: 4,
            }
        })
        .collect();
    Report {
        tool_name: "kcheck",
        tool_version: "0.1.0",
        evidence: vec![Evidence::Objects],
        items,
        rules: rules(),
        findings: findings.into(),
        notes,
        inputs: Inputs {
            unavailable: Vec::new(),
            nodes: Vec::new(),
            files_read: 3,
            bytes_read: 1234,
            documents: 5,
            objects: 4,
            files_skipped: 2,
            skipped: vec![Skipped {
                path: "chart/templates/x.yaml".into(),
                reason: Text::fixed("Helm template source", "Helm 模板源文件"),
            }],
            diagnostics: vec![
                Diagnostic {
                    file: Arc::from("bad.yaml"),
                    line: 3,
                    column: 7,
                    severity: DiagnosticSeverity::Error,
                    message: Text::fixed("mapping values are not allowed here", "此处不允许映射值"),
                },
                Diagnostic {
                    file: Arc::from("dup.yaml"),
                    line: 0,
                    column: 0,
                    severity: DiagnosticSeverity::Warning,
                    message: Text::fixed("duplicate key image", "重复的键 image"),
                },
            ],
        },
        waivers: kcheck_model::WaiverSummary {
            applied: 1,
            problems: vec![kcheck_model::WaiverProblem {
                source: "waivers.yaml:9".into(),
                kind: kcheck_model::WaiverProblemKind::Expired,
                message: Text::fixed(
                    "waiver for KC3* expired on 2020-01-31",
                    "KC3* 的豁免已于 2020-01-31 过期",
                ),
            }],
        },
        baseline: None,
        target: None,
    }
}

/// Nothing found, nothing wrong with the input; one item points at a finding that is not there.
pub fn quiet_report() -> Report {
    let mut r = report();
    r.findings.clear();
    r.notes.clear();
    r.inputs = Inputs::default();
    for item in &mut r.items {
        item.findings.clear();
        item.notes.clear();
        if item.status != Status::NotEvaluated {
            item.status = Status::Pass;
            item.reason = None;
        }
    }
    r.items[0].findings.push(99);
    r
}

/// A pod in `ns` (`None`: a finding about no object) at `file:line`.
fn many_finding(code: &'static str, ns: Option<&str>, name: &str, line: u32) -> Finding {
    let (item, severity, rule) = match code {
        "KC301" => ("3.2", Severity::Critical, "privileged-container"),
        "KC302" => ("3.2", Severity::High, "host-namespaces"),
        _ => ("3.3", Severity::Medium, "memory-limits"),
    };
    let mut f = finding(
        code,
        item,
        severity,
        Level::Fail,
        ns.and_then(|ns| object("Pod", Some(ns), name)),
        Some("spec.containers[0]"),
        at(&format!("pods/{}.yaml", ns.unwrap_or("node")), line, 3),
        None,
        Text::new(format!("{name} is wrong"), format!("{name} 有问题")),
    );
    f.rule = rule;
    f
}

/// Many findings of few rules: KC301 in prod (5, one waived), dev (2), qa (1) and about no
/// object (1); KC302 in prod only (4); KC331 twice in dev.
pub fn many_report() -> Report {
    let mut all = Vec::new();
    all.push(many_finding("KC301", Some("dev"), "d0", 1));
    all.push(many_finding("KC301", Some("dev"), "d1", 9));
    all.push(many_finding("KC301", None, "", 4));
    for i in 0..5u32 {
        all.push(many_finding(
            "KC301",
            Some("prod"),
            &format!("p{i}"),
            1 + 8 * i,
        ));
    }
    all[3 + 1].waived = true;
    all.push(many_finding("KC301", Some("qa"), "q0", 1));
    for i in 0..4u32 {
        all.push(many_finding(
            "KC302",
            Some("prod"),
            &format!("p{i}"),
            2 + 8 * i,
        ));
    }
    all.push(many_finding("KC331", Some("dev"), "d0", 5));
    all.push(many_finding("KC331", Some("dev"), "d1", 13));
    let mut r = report();
    for item in &mut r.items {
        item.findings = all
            .iter()
            .enumerate()
            .filter(|(_, f)| f.item == item.item.id)
            .map(|(i, _)| i)
            .collect();
        item.notes.clear();
        if !item.findings.is_empty() {
            item.status = Status::Fail;
        }
    }
    r.notes.clear();
    r.findings = all.into();
    r
}
