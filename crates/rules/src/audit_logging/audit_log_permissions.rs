use crate::analysis::components::apiserver::{judge_file_protection, Seen};
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::facts::{ComponentKind, FileRole};
use kcheck_model::{text, Evidence, NodeFacts, Severity, Text};

/// Group write, and anything for others.
const FORBIDDEN: u32 = 0o027;

declare_rule! {
    /// ## What it checks
    /// The file `--audit-log-path` names and its directory, on the node that runs
    /// kube-apiserver:
    /// - the log readable, writable or executable by others, or writable by its group: **fail**
    ///   (0640 or stricter is fine);
    /// - the directory open to others, or writable by its group: **fail** (0750 or stricter);
    /// - either not owned by root: **fail**;
    /// - the log or directory not there yet: **info**.
    ///
    /// Auditing to standard output (`-`) or only to a webhook has no file to check; whether
    /// auditing is on at all is KC401's matter.
    ///
    /// ## Why
    /// Checklist item 4.1: audit logs, when enabled, must be protected from general access.
    /// They name users, resources and often request bodies; anyone who can read them learns
    /// the cluster's inner workings, and anyone who can write them can erase their tracks.
    ///
    /// ## Fix
    /// ```sh
    /// chown root:root /var/log/kubernetes/audit /var/log/kubernetes/audit/audit.log
    /// chmod 0700 /var/log/kubernetes/audit
    /// chmod 0600 /var/log/kubernetes/audit/audit.log
    /// ```
    /// and mount the directory into the kube-apiserver static pod with a `hostPath` of
    /// `type: DirectoryOrCreate`.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#log-backend
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#logs-and-auditing
    pub static RULE = {
        code: "KC402",
        name: "audit-log-permissions",
        item: "4.1",
        severity: Severity::High,
        evidence: Evidence::Node,
        nodes: crate::Nodes::ControlPlane,
        title: Text::fixed(
            "Audit log or its directory is open to other users",
            "审计日志或其目录可被其他用户访问",
        ),
        fix: Text::fixed(
            "Make the audit log directory 0700 and the log 0600, both owned by root.",
            "将审计日志目录权限设为 0700、日志文件设为 0600，属主均为 root。",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
在运行 kube-apiserver 的节点上，`--audit-log-path` 所指定的文件及其所在目录：
- 日志文件对其他用户可读、可写或可执行，或属组可写：**不通过**（0640 或更严格即可）；
- 目录对其他用户开放，或属组可写：**不通过**（应为 0750 或更严格）；
- 二者之一的属主不是 root：**不通过**；
- 日志文件或目录尚不存在：**提示**。

审计输出到标准输出（`-`）或只发送到 Webhook 时，没有文件可查；是否启用了审计由 KC401 负责。

## 原因
检查清单第 4.1 项：审计日志（如果启用）必须受到保护，防止常规访问。审计日志中记录了用户、资源，往往还有请求体；能读取它的人可以了解集群的内部运作，能写入它的人则可以抹掉自己的痕迹。

## 修复
```sh
chown root:root /var/log/kubernetes/audit /var/log/kubernetes/audit/audit.log
chmod 0700 /var/log/kubernetes/audit
chmod 0600 /var/log/kubernetes/audit/audit.log
```
并通过 `type: DirectoryOrCreate` 的 `hostPath` 把该目录挂载到 kube-apiserver 静态 Pod 中。

## 参考
- https://kubernetes.io/zh-cn/docs/tasks/debug/debug-cluster/audit/#log-backend
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#logs-and-auditing
"#,
    }
}

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    // A node without kube-apiserver is reported by KC401 for this item.
    let Some(api) = facts.component(ComponentKind::ApiServer) else {
        return;
    };
    let Some(log) = api
        .flags
        .get("audit-log-path")
        .filter(|p| !p.is_empty() && *p != "-")
    else {
        return;
    };
    let dir = facts
        .files_with_role(FileRole::AuditLogDirectory)
        .map(|f| f.path.as_str())
        .next()
        .map(str::to_string)
        .or_else(|| parent(log));
    let file_seen = judge_file_protection(
        sink,
        facts,
        log,
        FORBIDDEN,
        0o640,
        ("the audit log", "审计日志"),
    );
    not_judged(sink, log, &file_seen, ("the audit log", "审计日志"));
    if let Some(dir) = dir {
        let seen = judge_file_protection(
            sink,
            facts,
            &dir,
            FORBIDDEN,
            0o750,
            ("the audit log directory", "审计日志目录"),
        );
        // The file's absence already says the more useful thing about a missing directory.
        if file_seen == Seen::Judged || seen != Seen::Missing {
            not_judged(
                sink,
                &dir,
                &seen,
                ("the audit log directory", "审计日志目录"),
            );
        }
    }
}

fn parent(path: &str) -> Option<String> {
    let (dir, _) = path.rsplit_once('/')?;
    Some(if dir.is_empty() { "/" } else { dir }.to_string())
}

fn not_judged(sink: &mut Sink, path: &str, seen: &Seen, what: (&str, &str)) {
    let (en, zh) = what;
    match seen {
        Seen::Judged => {}
        Seen::Missing => {
            sink.not_examined_on_node(
                NodePlace::file(path),
                text!(
                    "{en} {path} does not exist yet; its protection could not be checked",
                    "{zh} {path} 尚不存在；无法检查其保护",
                ),
            );
        }
        Seen::Unknown(why) => {
            let (why_en, why_zh) = (&why.en, &why.zh);
            sink.not_examined_on_node(
                NodePlace::file(path),
                text!(
                    "{en} {path} could not be examined ({why_en})",
                    "无法检查{zh} {path}（{why_zh}）",
                ),
            );
        }
    }
}
