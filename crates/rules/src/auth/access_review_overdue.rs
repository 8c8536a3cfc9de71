//! KC106: the access-review record is present, recent and matches the RBAC it reviewed
//! (checklist item 1.5). The review itself is the analysis `crate::analysis::access_review`.

use crate::analysis::access_review::{digest, due, overdue, review, MAX_AGE_MONTHS, RECORD_NAME};
use crate::{declare_rule, Check, Context, Sink};
use kcheck_model::{text, Date, Evidence, FieldPath, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// The access-review record: the ConfigMap `kcheck-access-review` (in any namespace) that
    /// `kcheck access-review --record --reviewer NAME` writes, with the keys `reviewedAt`
    /// (YYYY-MM-DD), `reviewer`, `digest` and `subjects`.
    ///
    /// - no record while a cluster (`kcheck cluster`, live or from a dump) has RoleBindings or
    ///   ClusterRoleBindings: **fail**, reported on the first binding; in a scan of manifests,
    ///   where the record is not expected to be, the item is **not evaluated** with that reason
    ///   unless the record is part of the input;
    /// - `reviewedAt` missing, malformed, or more than 24 months before today: **fail**;
    /// - `digest` differs from the digest of the dangerous rights the RBAC of the input grants
    ///   (the same digest `kcheck access-review` prints): **warn**, permissions changed since
    ///   the review;
    /// - otherwise pass. A date in the future counts as recent.
    ///
    /// Today is the run's date (UTC): the system clock, or `KCHECK_TODAY` (YYYY-MM-DD) when it
    /// is set. An input without bindings and without a record is not evaluated.
    ///
    /// ## Why
    /// Checklist item 1.5: access should be reviewed at least every 24 months. Rights pile up:
    /// people change teams, service accounts outlive their applications, and temporary
    /// grants stay. A review that records what it saw makes the next one a diff.
    ///
    /// ## Fix
    /// Review the subjects and their rights, then record the review and keep the manifest with
    /// the cluster's (or apply it):
    /// ```sh
    /// kcheck access-review manifests/
    /// kcheck access-review manifests/ --record --reviewer alice --output manifests/access-review.yaml
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#authentication-authorization
    /// - https://kubernetes.io/docs/concepts/security/rbac-good-practices/#periodic-review
    pub static RULE = {
        code: "KC106",
        name: "access-review-overdue",
        item: "1.5",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        title: Text::fixed("Access review is missing, overdue or out of date", "访问权限审查缺失、逾期或已过时"),
        fix: Text::fixed(
            "Review access with `kcheck access-review`, then record it with `kcheck access-review --record --reviewer NAME`.",
            "使用 `kcheck access-review` 审查访问权限，然后使用 `kcheck access-review --record --reviewer NAME` 记录审查。",
        ),
        check: Check::Inventory(check),
        reads: &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap"],
        doc_zh: r#"
## 检查内容
访问权限审查记录：即 `kcheck access-review --record --reviewer NAME` 写入的 ConfigMap `kcheck-access-review`（可位于任意名字空间），其中包含键 `reviewedAt`（YYYY-MM-DD）、`reviewer`、`digest` 和 `subjects`。

- 审计集群时（`kcheck cluster`，无论是在线集群还是导出的集群快照），集群中有 RoleBinding 或 ClusterRoleBinding 却没有审查记录：**不通过**，问题报告在第一个绑定上；扫描清单文件时，本来就不要求记录位于其中，因此除非输入中包含该记录，否则本项**未评估**，并注明这一原因；
- `reviewedAt` 缺失、格式错误，或早于今天 24 个月以上：**不通过**；
- `digest` 与输入中 RBAC 所授予的危险权限的摘要不一致（即 `kcheck access-review` 输出的同一个摘要）：**警告**，说明审查之后权限发生了变化；
- 其他情况为通过。将来的日期视为近期。

“今天”指本次运行的日期（UTC）：取系统时钟；设置了 `KCHECK_TODAY`（YYYY-MM-DD）时取其值。既没有绑定也没有审查记录的输入不评估。

## 原因
检查清单第 1.5 项：访问权限至少每 24 个月审查一次。权限会不断累积：人员调换团队，服务账号比它所服务的应用存在得更久，临时授予的权限一直没有收回。把审查时看到的内容记录下来，下一次审查就只需比对差异。

## 修复
审查各个主体及其权限，然后记录这次审查，并把生成的清单与集群的清单放在一起保存（或直接应用到集群）：
```sh
kcheck access-review manifests/
kcheck access-review manifests/ --record --reviewer alice --output manifests/access-review.yaml
```

## 参考
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#authentication-authorization
- https://kubernetes.io/zh-cn/docs/concepts/security/rbac-good-practices/#periodic-review
"#,
    }
}

fn check(ctx: &Context, sink: &mut Sink) {
    let inventory = ctx.inventory;
    let first_binding = inventory
        .objects()
        .iter()
        .find(|o| o.kind == "RoleBinding" || o.kind == "ClusterRoleBinding");
    // The latest record, when there are several.
    let record = inventory
        .of_kind("ConfigMap")
        .filter(|o| o.name == RECORD_NAME)
        .max_by_key(|o| reviewed_at(o));
    let Some(record) = record else {
        // Manifests of an application are not where a cluster's review record lives: without
        // it a scan cannot tell whether access was reviewed, and says so.
        if let (Some(_), false) = (first_binding, ctx.whole_cluster) {
            sink.not_examined_in_input(text!(
                "no access-review record in the input: add it (kcheck access-review --record writes it) or audit the cluster with kcheck cluster",
                "输入中没有访问权限审查记录：请加入该记录（由 kcheck access-review --record 生成），或使用 kcheck cluster 审计集群",
            ));
            return;
        }
        if let Some(binding) = first_binding {
            sink.examined();
            sink.fail(
                binding,
                FieldPath::root(),
                text!(
                    "no access-review record: run kcheck access-review --record",
                    "没有访问权限审查记录：请运行 kcheck access-review --record",
                ),
            );
        }
        return;
    };
    sink.examined();
    let today = ctx.now.today();
    let Some(reviewed) = reviewed_at(record) else {
        sink.fail(
            record,
            FieldPath::root().key("data"),
            text!(
                "access-review record has no valid reviewedAt (YYYY-MM-DD)",
                "访问权限审查记录没有有效的 reviewedAt(YYYY-MM-DD)",
            ),
        );
        return;
    };
    if overdue(reviewed, today) {
        let due = due(reviewed);
        sink.fail(
            record,
            FieldPath::root().key("data").key("reviewedAt"),
            text!(
                "the last access review was on {reviewed}, more than {MAX_AGE_MONTHS} months ago (the next was due by {due})",
                "上次访问权限审查在 {reviewed}，已超过 {MAX_AGE_MONTHS} 个月（下次审查应在 {due} 之前完成）",
            ),
        );
        return;
    }
    if first_binding.is_none() {
        return;
    }
    let current = digest(&review(ctx.rbac()));
    let recorded = record
        .root
        .path(&["data", "digest"])
        .and_then(|n| n.as_str());
    if recorded.map(str::trim) != Some(current.as_str()) {
        sink.warn(
            record,
            FieldPath::root().key("data").key("digest"),
            text!(
                "permissions changed since the review on {reviewed}: run kcheck access-review and record a new review",
                "自 {reviewed} 的审查以来权限已变更：请运行 kcheck access-review 并记录新的审查",
            ),
        );
    }
}

fn reviewed_at(record: &Object) -> Option<Date> {
    record
        .root
        .path(&["data", "reviewedAt"])
        .and_then(|n| n.as_str())
        .and_then(Date::parse)
}
