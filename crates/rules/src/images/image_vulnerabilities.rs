use crate::cluster_kinds::{has_crd, system_workloads_seen};
use crate::{declare_rule, Check, Context, Gathered, Sink};
use kcheck_model::{
    text, Date, Evidence, FieldPath, Inventory, Node, Object, Severity, Text, Value, WORKLOAD_KINDS,
};

declare_rule! {
    /// ## What it checks
    /// The vulnerability reports trivy-operator keeps in the cluster (`VulnerabilityReport` and
    /// `ClusterVulnerabilityReport`, `aquasecurity.github.io/v1alpha1`), one per container image
    /// of each workload:
    /// - critical vulnerabilities with a fixed version released: **fail**, one finding per
    ///   report, with the count and the first few CVE identifiers (highest score first);
    /// - critical vulnerabilities with no fix released yet: **warn**;
    /// - a report last updated more than `imageScanning.maxReportAgeDays` days ago (default 7):
    ///   **warn**, the scan is stale;
    /// - trivy-operator installed (its Deployment or CRD) but no report at all: **warn**.
    ///
    /// Reports found in manifests (or a dump) are judged the same way; only a cluster audit
    /// expects to find them, so only there does their absence count.
    ///
    /// Reports of workloads that are gone or scaled to zero are skipped; a ReplicaSet (Job) the
    /// input does not hold counts as running when its Deployment (CronJob), `<owner>-<hash>`,
    /// runs the scanned image in the scanned container (manifests hold the owner only). Without trivy-operator
    /// the item is not evaluated: kcheck cannot tell whether images are scanned elsewhere.
    ///
    /// ## Why
    /// Checklist item 7.4: images are scanned regularly and known vulnerabilities are patched.
    /// A critical vulnerability with a fix available is the clearest case of an image that
    /// should have been rebuilt; a report that is weeks old says nothing about what was
    /// disclosed since.
    ///
    /// ## Fix
    /// Rebuild the image on a patched base (or bump the package), redeploy, and let the
    /// operator rescan. Keep reports fresh:
    /// ```yaml
    /// # trivy-operator Helm values
    /// operator:
    ///   scannerReportTTL: "24h"
    /// ```
    ///
    /// ## References
    /// - https://aquasecurity.github.io/trivy-operator/latest/docs/crds/vulnerability-report/
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#images
    pub static RULE = {
        code: "KC704",
        name: "image-vulnerabilities",
        item: "7.4",
        severity: Severity::High,
        evidence: Evidence::Objects,
        title: Text::fixed(
            "Running images have critical vulnerabilities, or their scans are missing or stale",
            "运行中的镜像存在严重漏洞，或缺少扫描结果、扫描结果过期",
        ),
        fix: Text::fixed(
            "Rebuild the image with the fixed packages and redeploy; keep vulnerability scans running and fresh.",
            "使用已修复的软件包重新构建镜像并重新部署；保持漏洞扫描持续运行且结果及时更新。",
        ),
        reads: &[
            "VulnerabilityReport",
            "ClusterVulnerabilityReport",
            "CustomResourceDefinition",
            "Namespace",
            "Pod",
            "Deployment",
            "ReplicaSet",
            "StatefulSet",
            "DaemonSet",
            "Job",
            "CronJob",
        ],
        severities: &[Severity::Medium, Severity::Low],
        check: Check::Gather { kinds: WORKLOAD_KINDS, gather, report },
        doc_zh: r#"
## 检查内容
trivy-operator 保存在集群中的漏洞报告（`VulnerabilityReport` 和 `ClusterVulnerabilityReport`，`aquasecurity.github.io/v1alpha1`），每个工作负载的每个容器镜像一份：
- 存在已发布修复版本的严重（Critical）漏洞：**不通过**，每份报告一个问题，给出漏洞数量和排在最前的几个 CVE 编号（按评分从高到低）；
- 存在尚未发布修复的严重漏洞：**警告**；
- 报告最后一次更新距今超过 `imageScanning.maxReportAgeDays` 天（默认 7 天）：**警告**，扫描结果已过期；
- 已安装 trivy-operator（有它的 Deployment 或 CRD），但没有任何报告：**警告**。

清单文件（或导出文件）中的报告按同样的方式判定；只有对集群的审计才应当能找到报告，所以只有在这种情况下，缺少报告才算数。

已删除或副本数缩为零的工作负载的报告会被跳过；如果输入中没有某个 ReplicaSet（Job），而它的 Deployment（CronJob），即 `<owner>-<hash>` 中的属主，在被扫描的容器中运行着被扫描的镜像，则视为仍在运行（清单文件中只有属主对象）。没有 trivy-operator 时不评估这一项：kcheck 无法判断镜像是否在别处被扫描过。

## 原因
检查清单第 7.4 项：应定期扫描镜像，并修补已知漏洞。已有修复版本的严重漏洞，是镜像早该重新构建的最明显的例子；而一份几周前的报告，对之后披露的漏洞什么也说明不了。

## 修复
基于已修补的基础镜像重新构建镜像（或升级相应的软件包），重新部署，然后让 operator 重新扫描。保持报告及时更新：
```yaml
# trivy-operator Helm values
operator:
  scannerReportTTL: "24h"
```

## 参考
- https://aquasecurity.github.io/trivy-operator/latest/docs/crds/vulnerability-report/
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#images
"#,
    }
}

/// At most this many CVE identifiers are named in one finding.
const SHOWN: usize = 3;

const REPORT_KINDS: &[&str] = &["VulnerabilityReport", "ClusterVulnerabilityReport"];

/// Each workload, when the input holds reports to look them up for (what [`running`] reads of
/// it: identity, replicas, containers).
fn gather(_: &Object, ctx: &Context) -> Option<Gathered> {
    if REPORT_KINDS
        .iter()
        .all(|k| ctx.inventory.count_kind(k) == 0)
    {
        return None;
    }
    Some(Gathered {
        keep_object: true,
        ..Gathered::default()
    })
}

fn report(gathered: &[Gathered], ctx: &Context, sink: &mut Sink) {
    let inventory = ctx.inventory;
    let workloads = Inventory::new(
        gathered
            .iter()
            .filter_map(|g| g.object.as_deref().cloned())
            .collect(),
    );
    let reports: Vec<&Object> = REPORT_KINDS
        .iter()
        .flat_map(|k| inventory.of_kind(k))
        .collect();
    if reports.is_empty() {
        // Manifests are not where scan results live: only a cluster audit can miss them.
        if ctx.whole_cluster {
            no_reports(inventory, sink);
        }
        return;
    }
    let today = ctx.now.today().days();
    for report in reports {
        if !running(&workloads, report) {
            continue;
        }
        sink.examined();
        judge_criticals(report, sink);
        judge_age(report, today, ctx.config.max_report_age_days, sink);
    }
}

fn no_reports(inventory: &Inventory, sink: &mut Sink) {
    let operator = inventory
        .of_kind("Deployment")
        .find(|d| d.name == "trivy-operator")
        .or_else(|| {
            has_crd(inventory, "vulnerabilityreports.aquasecurity.github.io")
                .then(|| {
                    inventory.get(
                        "CustomResourceDefinition",
                        None,
                        "vulnerabilityreports.aquasecurity.github.io",
                    )
                })
                .flatten()
        });
    if let Some(op) = operator {
        sink.examined();
        let at = op.reference();
        sink.warn(
            op,
            FieldPath::root(),
            text!(
                "trivy-operator is installed ({at}) but the cluster holds no VulnerabilityReport: images are not being scanned",
                "已安装 trivy-operator（{at}），但集群中没有 VulnerabilityReport：镜像未被扫描",
            ),
        );
        return;
    }
    // Not examined: the item is not evaluated, and this message says why.
    if system_workloads_seen(inventory) {
        sink.not_examined_in_input(Text::fixed(
            "no image scan results in the cluster (trivy-operator VulnerabilityReports): whether images are scanned cannot be told",
            "集群中没有镜像扫描结果（trivy-operator VulnerabilityReport）：无法判断镜像是否经过扫描",
        ));
    }
}

/// Whether the report's workload still runs: present in the input (when the input lists its
/// kind at all) and not scaled to zero. A ReplicaSet or Job the input does not hold (manifests
/// hold the Deployment, not the ReplicaSet it makes) still runs when its owner is there
/// (`<owner>-<hash>`) and runs the scanned image in the scanned container.
fn running(inventory: &Inventory, report: &Object) -> bool {
    let (Some(kind), Some(name)) = (
        report.label("trivy-operator.resource.kind"),
        report.label("trivy-operator.resource.name"),
    ) else {
        return true;
    };
    let namespace = report
        .label("trivy-operator.resource.namespace")
        .or(report.namespace.as_deref());
    let scaled_up =
        |w: &Object| w.root.path(&["spec", "replicas"]).and_then(Node::as_i64) != Some(0);
    let workload = inventory
        .get(kind, namespace, name)
        .or_else(|| inventory.get(kind, None, name));
    if let Some(w) = workload {
        return scaled_up(w);
    }
    if let Some(o) = owner(inventory, report, kind, namespace, name) {
        return scaled_up(o);
    }
    // An input that lists neither the kind nor what makes it cannot tell: the report stands.
    inventory.count_kind(kind) == 0 && owner_kind(kind).is_none_or(|k| inventory.count_kind(k) == 0)
}

/// The kind that makes `kind`, named after it: what manifests hold.
fn owner_kind(kind: &str) -> Option<&'static str> {
    match kind {
        "ReplicaSet" => Some("Deployment"),
        "Job" => Some("CronJob"),
        _ => None,
    }
}

/// The Deployment (CronJob) that made the ReplicaSet (Job) `name`, when it runs the scanned
/// image in the scanned container.
fn owner<'i>(
    inventory: &'i Inventory,
    report: &Object,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
) -> Option<&'i Object> {
    let (base, _hash) = name.rsplit_once('-')?;
    let owner = inventory.get(owner_kind(kind)?, namespace, base)?;
    let container = report.label("trivy-operator.container.name")?;
    let scanned = image(report);
    let spec = owner.pod_spec()?;
    spec.containers()
        .any(|c| {
            c.name() == container
                && c.get("image")
                    .and_then(Node::as_str)
                    .is_some_and(|i| same_image(i, &scanned))
        })
        .then_some(owner)
}

/// Whether a container's `image` is the scanned `registry/repository:tag`: Docker Hub's
/// implicit names (`docker.io/library/`) and a digest after the tag are allowed for.
fn same_image(image: &str, scanned: &str) -> bool {
    let bare = |s: &str| {
        let s = s.split('@').next().unwrap_or(s);
        let s = s.strip_prefix("docker.io/").unwrap_or(s);
        s.strip_prefix("library/").unwrap_or(s).to_string()
    };
    bare(image) == bare(scanned)
}

/// `registry/repository:tag` of the scanned image.
fn image(report: &Object) -> String {
    let r = report.root.get("report");
    let field = |path: &[&str]| r.and_then(|r| r.path(path)).and_then(Node::as_str);
    let repo = field(&["artifact", "repository"]).unwrap_or("?");
    let mut out = match field(&["registry", "server"]) {
        Some(server) if !server.is_empty() => format!("{server}/{repo}"),
        _ => repo.to_string(),
    };
    if let Some(tag) = field(&["artifact", "tag"]).filter(|t| !t.is_empty()) {
        out.push(':');
        out.push_str(tag);
    } else if let Some(digest) = field(&["artifact", "digest"]).filter(|d| !d.is_empty()) {
        out.push('@');
        out.push_str(digest);
    }
    out
}

/// "container web of ReplicaSet shop/web-5d9c" (and in Chinese) from the operator's labels.
fn workload(report: &Object) -> (String, String) {
    let c = report.label("trivy-operator.container.name").unwrap_or("?");
    match (
        report.label("trivy-operator.resource.kind"),
        report.label("trivy-operator.resource.name"),
    ) {
        (Some(kind), Some(name)) => {
            let ns = report
                .label("trivy-operator.resource.namespace")
                .or(report.namespace.as_deref());
            let w = match ns {
                Some(ns) => format!("{kind} {ns}/{name}"),
                None => format!("{kind} {name}"),
            };
            (format!("container {c} of {w}"), format!("{w} 的容器 {c}"))
        }
        _ => (format!("container {c}"), format!("容器 {c}")),
    }
}

fn vulnerabilities(n: usize) -> String {
    if n == 1 {
        "1 critical vulnerability".to_string()
    } else {
        format!("{n} critical vulnerabilities")
    }
}

struct Critical<'a> {
    id: &'a str,
    score: f64,
    fixed: bool,
}

/// How many distinct vulnerabilities (one CVE can be listed for several packages).
fn distinct(list: &[&Critical]) -> usize {
    let mut ids: Vec<&str> = list.iter().map(|c| c.id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

/// CVE identifiers, highest score first, each once, the first few, plus how many more.
fn ids(list: &[&Critical]) -> String {
    let mut sorted: Vec<&Critical> = list.to_vec();
    sorted.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(b.id)));
    let mut names: Vec<&str> = Vec::new();
    for c in sorted {
        if !names.contains(&c.id) {
            names.push(c.id);
        }
    }
    let more = names.len().saturating_sub(SHOWN);
    names.truncate(SHOWN);
    let mut out = names.join(", ");
    if more > 0 {
        out.push_str(&format!(" (+{more})"));
    }
    out
}

fn judge_criticals(report: &Object, sink: &mut Sink) {
    let vulns = report
        .root
        .path(&["report", "vulnerabilities"])
        .map_or(&[][..], Node::as_seq);
    let criticals: Vec<Critical> = vulns
        .iter()
        .filter(|v| {
            v.str_at("severity")
                .is_some_and(|s| s.eq_ignore_ascii_case("critical"))
        })
        .map(|v| Critical {
            id: v.str_at("vulnerabilityID").unwrap_or("?"),
            score: v.get("score").and_then(score).unwrap_or(0.0),
            fixed: v
                .str_at("fixedVersion")
                .is_some_and(|f| !f.trim().is_empty()),
        })
        .collect();
    let image = image(report);
    let (w_en, w_zh) = workload(report);
    let path = FieldPath::parse("report.summary.criticalCount");
    let fixable: Vec<&Critical> = criticals.iter().filter(|c| c.fixed).collect();
    let unfixed: Vec<&Critical> = criticals.iter().filter(|c| !c.fixed).collect();
    if !fixable.is_empty() {
        let (n, list) = (distinct(&fixable), ids(&fixable));
        let count = vulnerabilities(n);
        sink.fail(
            report,
            path,
            text!(
                "{image} ({w_en}) has {count} with a fix available: {list}",
                "{image}（{w_zh}）有 {n} 个已有修复版本的严重漏洞：{list}",
            ),
        );
    } else if !unfixed.is_empty() {
        let (n, list) = (distinct(&unfixed), ids(&unfixed));
        let count = vulnerabilities(n);
        sink.warn(
            report,
            path,
            text!(
                "{image} ({w_en}) has {count} with no fix released yet: {list}",
                "{image}（{w_zh}）有 {n} 个尚无修复版本的严重漏洞：{list}",
            ),
        )
        .severity = Severity::Medium;
    } else if vulns.is_empty() {
        // Some reports carry only the summary.
        let counted = report
            .root
            .path(&["report", "summary", "criticalCount"])
            .and_then(Node::as_i64)
            .unwrap_or(0);
        if counted > 0 {
            let count = vulnerabilities(usize::try_from(counted).unwrap_or(0));
            sink.warn(
                report,
                path,
                text!(
                    "{image} ({w_en}) has {count} (the report lists no details, so whether fixes exist is unknown)",
                    "{image}（{w_zh}）有 {counted} 个严重漏洞（报告未列出详情，无法判断是否已有修复版本）",
                ),
            );
        }
    }
}

fn score(n: &Node) -> Option<f64> {
    match &n.value {
        Value::Float(f) => Some(*f),
        Value::Int(i) => Some(*i as f64),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn judge_age(report: &Object, today: i64, max_days: i64, sink: &mut Sink) {
    let (field, stamp) = match report
        .root
        .path(&["report", "updateTimestamp"])
        .and_then(Node::as_str)
    {
        Some(s) => ("report.updateTimestamp", s),
        None => match report
            .metadata()
            .and_then(|m| m.str_at("creationTimestamp"))
        {
            Some(s) => ("metadata.creationTimestamp", s),
            None => return,
        },
    };
    let Some(date) = Date::parse(stamp) else {
        return;
    };
    if today - date.days() <= max_days {
        return;
    }
    let image = image(report);
    sink.warn(
        report,
        FieldPath::parse(field),
        text!(
            "the scan of {image} dates from {date}, more than {max_days} days ago: it is stale",
            "{image} 的扫描结果来自 {date}，已超过 {max_days} 天：结果已过期",
        ),
    )
    .severity = Severity::Low;
}
