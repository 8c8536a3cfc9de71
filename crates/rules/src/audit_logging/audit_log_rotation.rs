use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::facts::ComponentKind;
use kcheck_model::{text, Evidence, NodeFacts, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// When kube-apiserver writes audit events to a file (`--audit-log-path`), whether it limits
    /// the rotated files: `--audit-log-maxage` (days to keep), `--audit-log-maxbackup` (files to
    /// keep) and `--audit-log-maxsize` (megabytes before rotating). Each one absent, zero (no
    /// limit) or not a number: **warn**.
    ///
    /// ## Why
    /// Checklist item 4.1: a protected audit log is only useful while it is there. Without
    /// limits, rotated logs pile up until the disk is full, and then the newest events, the ones
    /// an investigation needs, are the ones lost; with limits, how long the record lasts is a
    /// decision rather than an accident. (Without `--audit-log-maxsize` the logging library
    /// rotates at 100 MB.)
    ///
    /// ## Fix
    /// ```yaml
    /// - --audit-log-maxage=30
    /// - --audit-log-maxbackup=10
    /// - --audit-log-maxsize=100
    /// ```
    /// and ship the log to a store outside the node if it must last longer.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#log-backend
    /// - https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/
    pub static RULE = {
        code: "KC403",
        name: "audit-log-rotation",
        item: "4.1",
        severity: Severity::Low,
        evidence: Evidence::Node,
        nodes: crate::Nodes::ControlPlane,
        title: Text::fixed(
            "Audit log rotation is not limited",
            "审计日志轮转未设置上限",
        ),
        fix: Text::fixed(
            "Set --audit-log-maxage, --audit-log-maxbackup and --audit-log-maxsize on kube-apiserver.",
            "为 kube-apiserver 设置 --audit-log-maxage、--audit-log-maxbackup 与 --audit-log-maxsize。",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
当 kube-apiserver 把审计事件写入文件（`--audit-log-path`）时，是否限制了轮转后的文件：`--audit-log-maxage`（保留天数）、`--audit-log-maxbackup`（保留文件个数）和 `--audit-log-maxsize`（轮转前的文件大小，单位 MB）。每个参数缺失、为零（不限制）或不是数字时：**警告**。

## 原因
检查清单第 4.1 项：受保护的审计日志只有在它还存在时才有用。不设上限，轮转出的日志会不断堆积直到磁盘写满，此时丢失的恰恰是调查最需要的最新事件；设置了上限，记录保留多久就成了一项决定，而不是一次意外。（不设置 `--audit-log-maxsize` 时，日志库在 100 MB 时轮转。）

## 修复
```yaml
- --audit-log-maxage=30
- --audit-log-maxbackup=10
- --audit-log-maxsize=100
```
如果日志需要保留更久，把它发送到节点之外的存储中。

## 参考
- https://kubernetes.io/zh-cn/docs/tasks/debug/debug-cluster/audit/#log-backend
- https://kubernetes.io/zh-cn/docs/reference/command-line-tools-reference/kube-apiserver/
"#,
    }
}

/// Each flag, and what its absence means.
const LIMITS: &[(&str, &str, &str)] = &[
    (
        "audit-log-maxage",
        "old audit logs are never removed by age",
        "旧审计日志不会按时间删除",
    ),
    (
        "audit-log-maxbackup",
        "every rotated audit log is kept until the disk is full",
        "所有轮转后的审计日志都会保留，直到磁盘写满",
    ),
    (
        "audit-log-maxsize",
        "the log rotates at the library default of 100 MB",
        "日志按库的默认值 100 MB 轮转",
    ),
];

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    // A node without kube-apiserver is reported by KC401 for this item.
    let Some(api) = facts.component(ComponentKind::ApiServer) else {
        return;
    };
    let logs_to_file = api
        .flags
        .get("audit-log-path")
        .is_some_and(|p| !p.is_empty() && p != "-");
    if !logs_to_file {
        return;
    }
    sink.examined();
    for &(flag, en, zh) in LIMITS {
        let message = match api.flags.get(flag) {
            None => text!("--{flag} is not set: {en}", "未设置 --{flag}：{zh}"),
            Some(v) => match v.trim().parse::<i64>() {
                Ok(n) if n > 0 => continue,
                Ok(_) => text!(
                    "--{flag}={v} sets no limit: {en}",
                    "--{flag}={v} 不设上限：{zh}"
                ),
                Err(_) => text!(
                    "--{flag}={v} is not a number; kube-apiserver will not start with it",
                    "--{flag}={v} 不是数字；kube-apiserver 无法以此启动",
                ),
            },
        };
        sink.warn_on_node(NodePlace::flag(api, flag), message);
    }
}
