use crate::{fixture, out};
use kcheck_model::Lang;
use kcheck_report::{render_pss, Format, RenderOptions};

const ENGLISH: &str = "\
# kcheck 0.1.0 Pod Security Standards report

Pod Security Standards: baseline v1.37, restricted v1.37

2 files read, 3 objects, 1 input error; 3 workloads

## Summary

| Level | Allowed | Denied |
|---|---:|---:|
| baseline v1.37 | 2 | 1 |
| restricted v1.37 | 1 | 2 |

## Workloads

| Workload | Location | baseline v1.37 | restricted v1.37 |
|---|---|---|---|
| Pod prod/ok | `pods.yaml:1` | **ALLOWED** | **ALLOWED** |
| Deployment prod/web | `deploy/my app/web.yaml:3` | **ALLOWED** | **DENIED** |
| DaemonSet kube-system/agent |  | **DENIED** | **DENIED** |

## Violations

### Deployment prod/web `deploy/my app/web.yaml:3`

- **restricted v1.37** `runAsNonRoot`: runAsNonRoot != true
  - Detail: pod or container \"web\" must set securityContext.runAsNonRoot=true
  - Field: `spec.template.spec.securityContext.runAsNonRoot` (`deploy/my app/web.yaml:20:7`)
  - Field: `spec.template.spec.containers[0].securityContext.runAsNonRoot` (`deploy/my app/web.yaml:20:7`)
- **restricted v1.37** `allowPrivilegeEscalation`: allowPrivilegeEscalation != false
  - Detail: container \"web\" must set securityContext.allowPrivilegeEscalation=false
  - Field: `spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation` (`deploy/my app/web.yaml:25:11`)

### DaemonSet kube-system/agent

- **baseline v1.37** `privileged`: privileged
  - Detail: container \"agent\" must not set securityContext.privileged=true
  - Field: `spec.template.spec.containers[0].securityContext.privileged`
- **restricted v1.37** `privileged`: privileged
  - Detail: container \"agent\" must not set securityContext.privileged=true
  - Field: `spec.template.spec.containers[0].securityContext.privileged`
- **restricted v1.37** `runAsNonRoot`: runAsNonRoot != true
  - Detail: pod or container \"agent\" must set securityContext.runAsNonRoot=true
  - Field: `spec.template.spec.securityContext.runAsNonRoot`

## Input problems

| Severity | Location | Message |
|---|---|---|
| error | `bad.yaml:3:7` | mapping values are not allowed here |
";

#[test]
fn english_markdown() {
    assert_eq!(out(Format::Markdown, Lang::En), ENGLISH);
}

#[test]
fn chinese_markdown() {
    let md = out(Format::Markdown, Lang::Zh);
    assert!(md.starts_with("# kcheck 0.1.0 Pod 安全标准报告\n"));
    assert!(md.contains("| 级别 | 允许 | 拒绝 |\n"));
    assert!(md.contains("| 工作负载 | 位置 | baseline v1.37 | restricted v1.37 |\n"));
    assert!(
        md.contains("| Deployment prod/web | `deploy/my app/web.yaml:3` | **允许** | **拒绝** |\n")
    );
    assert!(md.contains("## 违规\n"));
    assert!(md.contains(
        "  - 详情：pod or container \"web\" must set securityContext.runAsNonRoot=true\n"
    ));
    assert!(md.contains("| 错误 | `bad.yaml:3:7` | 此处不允许映射值 |"));
}

#[test]
fn hostile_text_renders_as_text() {
    let md = render_pss(
        &fixture::hostile(),
        Format::Markdown,
        &RenderOptions::default(),
    );
    assert!(!md.contains("<script"), "{md}");
    assert!(!md.contains('\u{1b}'));
    let row = md.lines().find(|l| l.starts_with("| DaemonSet")).unwrap();
    // Escaped pipes do not split the row: five cells.
    assert_eq!(row.replace("\\|", "").matches('|').count(), 5, "{row}");
    assert!(
        row.contains("&lt;script&gt;alert('x')&lt;/script&gt;&amp;\"q\"\\|\\*b\\*"),
        "{row}"
    );
}
