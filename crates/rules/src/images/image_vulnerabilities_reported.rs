use crate::analysis::images::{report_on_image, Verdict};
use crate::{declare_rule, Check, Context, Sink};
use kcheck_model::image::{ImageEvidence, ImageFacts, VulnReport, VulnSeverity, Vulnerability};
use kcheck_model::{Date, Evidence, Level, Object, Severity, Text, WORKLOAD_KINDS};

declare_rule! {
    /// ## What it checks
    /// The vulnerability scanner reports given with `--vuln-report` (Trivy, Grype, CycloneDX),
    /// for each image read (`kcheck image PATH...`) or each workload container's image
    /// (`--images DIR`). A report is tied to an image by digest (manifest, index or image ID),
    /// else by name and tag; with `--images DIR`, a container whose image is not among the
    /// archives is matched to reports by its `image` reference alone, so reports can be judged
    /// without archives.
    /// - critical or high vulnerabilities for which a fixed version exists: **fail**, one
    ///   finding per image (per container with `--images`), with the count and the first few
    ///   identifiers, package and versions, most severe first; the finding is critical when one
    ///   of them is critical, high otherwise;
    /// - critical or high vulnerabilities with no fixed version yet: **warn** (medium);
    /// - an image no report covers, while reports were given: **warn** (medium), it is not
    ///   scanned;
    /// - a report whose scan date is more than `imageScanning.maxReportAgeDays` days ago
    ///   (default 7): **warn** (low), naming the file and the date; a report without a date is
    ///   not judged on its age.
    ///
    /// Medium, low and unknown severities are not reported: the item asks that known
    /// vulnerabilities be patched, and kcheck holds images to the ones that matter most. An
    /// image whose reports show none of the above passes.
    ///
    /// Without any report the rule examines nothing and says so once: the item then cannot
    /// pass, and is not evaluated unless another of its rules finds a problem, since kcheck
    /// cannot tell whether the images are scanned elsewhere. Reports that match no image of the run are
    /// left to the command line, which warns about them.
    ///
    /// ## Why
    /// Checklist item 7.4: images are scanned regularly and known vulnerabilities are patched.
    /// A critical or high vulnerability with a fix available is the clearest sign of an image
    /// that should have been rebuilt; an image nobody scanned, or a scan weeks old, says nothing
    /// about what was disclosed since.
    ///
    /// ## Fix
    /// Rebuild the image with the fixed packages (a newer base image, or the packages upgraded),
    /// redeploy it, and scan every image on each build and on a schedule:
    /// ```sh
    /// trivy image --format json --output api.json registry.example.com/shop/api:1.4
    /// kcheck image api.tar --vuln-report api.json
    /// ```
    ///
    /// ## References
    /// - https://trivy.dev/latest/docs/configuration/reporting/
    /// - https://github.com/anchore/grype#output-formats
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#images
    pub static RULE = {
        code: "KC710",
        name: "image-vulnerabilities-reported",
        item: "7.4",
        severity: Severity::High,
        evidence: Evidence::Images,
        title: Text::fixed(
            "Scanner reports show critical or high vulnerabilities, or images are not scanned",
            "扫描报告显示存在严重或高危漏洞，或镜像未经扫描",
        ),
        fix: Text::fixed(
            "Rebuild the image with the fixed packages and redeploy; scan every image and keep the reports fresh.",
            "使用已修复的软件包重新构建镜像并重新部署；扫描每个镜像，并保持扫描报告及时更新。",
        ),
        severities: &[Severity::Critical, Severity::Medium, Severity::Low],
        check: Check::Image { kinds: WORKLOAD_KINDS, object: check_workload, image: check_image },
        doc_zh: r#"
## 检查内容
通过 `--vuln-report` 提供的漏洞扫描报告（Trivy、Grype、CycloneDX），针对读取到的每个镜像（`kcheck image PATH...`）或每个工作负载容器的镜像（`--images DIR`）。报告按摘要（清单、索引或镜像 ID）与镜像对应，否则按名称和标签对应；使用 `--images DIR` 时，镜像不在归档中的容器只按其 `image` 引用匹配报告，因此没有归档也能判定报告。
- 存在已有修复版本的严重或高危漏洞：**不通过**，每个镜像（使用 `--images` 时每个容器）一个问题，给出漏洞数量以及排在最前的几个编号、软件包和版本（按严重程度从高到低）；其中有严重漏洞时问题为严重级别，否则为高；
- 存在尚无修复版本的严重或高危漏洞：**警告**（中）；
- 提供了报告，但没有任何报告覆盖某个镜像：**警告**（中），该镜像未经扫描；
- 报告的扫描日期距今超过 `imageScanning.maxReportAgeDays` 天（默认 7 天）：**警告**（低），给出报告文件和日期；没有日期的报告不按时间判定。

中危、低危和未知级别的漏洞不报告：这一项要求修补已知漏洞，kcheck 要求镜像修补其中最要紧的那些。报告中没有上述情况的镜像判为通过。

没有任何报告时，本规则不检查任何内容，并说明一次：此时这一项不能判为通过，除非该项的其他规则发现问题，否则不评估，因为 kcheck 无法判断镜像是否在别处被扫描过。与本次运行中任何镜像都不匹配的报告由命令行给出警告。

## 原因
检查清单第 7.4 项：应定期扫描镜像，并修补已知漏洞。已有修复版本的严重或高危漏洞，是镜像早该重新构建的最明显的信号；而没人扫描过的镜像，或几周前的扫描结果，对之后披露的漏洞什么也说明不了。

## 修复
使用已修复的软件包重新构建镜像（换用更新的基础镜像，或升级相应的软件包），重新部署，并在每次构建时和按计划扫描每个镜像：
```sh
trivy image --format json --output api.json registry.example.com/shop/api:1.4
kcheck image api.tar --vuln-report api.json
```

## 参考
- https://trivy.dev/latest/docs/configuration/reporting/
- https://github.com/anchore/grype#output-formats
- https://kubernetes.io/zh-cn/docs/concepts/security/security-checklist/#images
"#,
    }
}

/// At most this many vulnerabilities are named in one finding.
const SHOWN: usize = 3;

/// Why nothing was examined when the run has no report at all.
fn no_reports(sink: &mut Sink) {
    sink.not_examined_in_input(Text::fixed(
        "no vulnerability scanner report was given (--vuln-report): whether the images' known vulnerabilities are patched cannot be told",
        "未提供漏洞扫描报告（--vuln-report）：无法判断镜像的已知漏洞是否已修补",
    ));
}

fn judge(reports: &[&VulnReport], ctx: &Context) -> Vec<Verdict> {
    let mut out = Vec::new();
    if reports.is_empty() {
        out.push(Verdict {
            level: Level::Warn,
            severity: Severity::Medium,
            inside: None,
            en: "is not covered by any scanner report: it is not known to be scanned".into(),
            zh: "不在任何扫描报告中：无从确认它经过扫描".into(),
        });
        return out;
    }
    // Each vulnerability once per package, across the image's reports.
    let mut serious: Vec<&Vulnerability> = Vec::new();
    for v in reports.iter().flat_map(|r| &r.vulnerabilities) {
        if v.severity >= VulnSeverity::High
            && !serious
                .iter()
                .any(|s| s.id == v.id && s.package == v.package)
        {
            serious.push(v);
        }
    }
    serious.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.package.cmp(&b.package))
    });
    let fixed = |v: &&Vulnerability| v.fixed.as_deref().is_some_and(|f| !f.trim().is_empty());
    let fixable: Vec<&Vulnerability> = serious.iter().copied().filter(fixed).collect();
    let unfixed: Vec<&Vulnerability> = serious.iter().copied().filter(|v| !fixed(v)).collect();
    if !fixable.is_empty() {
        let (n, (en, zh)) = (distinct(&fixable), listed(&fixable));
        let critical = fixable.iter().any(|v| v.severity == VulnSeverity::Critical);
        out.push(Verdict {
            level: Level::Fail,
            severity: if critical {
                Severity::Critical
            } else {
                Severity::High
            },
            inside: None,
            en: format!("has {n} critical/high {} with a fix: {en}", plural(n)),
            zh: format!("有 {n} 个已有修复版本的严重/高危漏洞：{zh}"),
        });
    }
    if !unfixed.is_empty() {
        let (n, (en, zh)) = (distinct(&unfixed), listed(&unfixed));
        out.push(Verdict {
            level: Level::Warn,
            severity: Severity::Medium,
            inside: None,
            en: format!(
                "has {n} critical/high {} with no fix released yet: {en}",
                plural(n)
            ),
            zh: format!("有 {n} 个尚无修复版本的严重/高危漏洞：{zh}"),
        });
    }
    let today = ctx.now.today();
    let max = ctx.config.max_report_age_days;
    for r in reports {
        let Some(date) = r.created.as_deref().and_then(Date::parse) else {
            continue;
        };
        if today.days() - date.days() > max {
            let file = &r.file;
            out.push(Verdict {
                level: Level::Warn,
                severity: Severity::Low,
                inside: Some(file.clone()),
                en: format!(
                    "was last scanned on {date} ({file}), more than {max} days ago: the report is stale"
                ),
                zh: format!("的扫描报告（{file}）来自 {date}，已超过 {max} 天：报告已过期"),
            });
        }
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        "vulnerability"
    } else {
        "vulnerabilities"
    }
}

/// How many distinct identifiers (one CVE may be listed for several packages).
fn distinct(list: &[&Vulnerability]) -> usize {
    let mut ids: Vec<&str> = list.iter().map(|v| v.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

/// The first few identifiers, each once, with the package and versions, then how many more:
/// `CVE-1 (openssl 3.0.11 → 3.0.13), CVE-2 (zlib 1.2.13) (+2)` and, in Chinese, with full-width
/// punctuation.
fn listed(list: &[&Vulnerability]) -> (String, String) {
    let mut shown: Vec<&Vulnerability> = Vec::new();
    for v in list {
        if !shown.iter().any(|s| s.id == v.id) {
            shown.push(v);
        }
    }
    let more = shown.len().saturating_sub(SHOWN);
    shown.truncate(SHOWN);
    let what = |v: &Vulnerability| match v.fixed.as_deref().filter(|f| !f.trim().is_empty()) {
        Some(f) => format!("{} {} → {f}", v.package, v.installed),
        None => format!("{} {}", v.package, v.installed),
    };
    let mut en = shown
        .iter()
        .map(|v| format!("{} ({})", v.id, what(v)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut zh = shown
        .iter()
        .map(|v| format!("{}（{}）", v.id, what(v)))
        .collect::<Vec<_>>()
        .join("、");
    if more > 0 {
        en.push_str(&format!(" (+{more})"));
        zh.push_str(&format!("，另有 {more} 个"));
    }
    (en, zh)
}

/// An image judged on its own (`kcheck image`).
fn check_image(facts: &ImageFacts, ctx: &Context, sink: &mut Sink) {
    let Some(images) = ctx.images else { return };
    if images.reports.is_empty() {
        no_reports(sink);
        return;
    }
    report_on_image(facts, judge(&images.reports_for(facts), ctx), sink);
}

/// The reports of a container's image: those of its archive when `--images DIR` holds it, else
/// (or when none is tied to the archive) those naming the container's reference.
fn reports_of<'e>(images: &'e ImageEvidence, image: &str) -> Vec<&'e VulnReport> {
    let of_archive = images
        .find(image)
        .map(|facts| images.reports_for(facts))
        .unwrap_or_default();
    if of_archive.is_empty() {
        images.reports_for_reference(image)
    } else {
        of_archive
    }
}

/// A workload's containers judged with their images' reports (`--images DIR`).
fn check_workload(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(images) = ctx.images else { return };
    let Some(pod) = object.pod_spec() else { return };
    if images.reports.is_empty() {
        no_reports(sink);
        return;
    }
    for c in pod.containers() {
        let Some(image) = c.get("image").and_then(|i| i.as_str()) else {
            continue;
        };
        sink.examined();
        let (en, zh) = (c.label_en(), c.label_zh());
        let path = c.path("image");
        for v in judge(&reports_of(images, image), ctx) {
            let message = Text::new(
                format!("{en} image {image} {}", v.en),
                format!("{zh} 的镜像 {image} {}", v.zh),
            );
            let finding = match v.level {
                Level::Fail => sink.fail(object, path.clone(), message),
                Level::Warn => sink.warn(object, path.clone(), message),
                Level::Info => sink.inform(object, path.clone(), message),
            };
            finding.severity = v.severity;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vuln(id: &str, package: &str, fixed: Option<&str>, severity: VulnSeverity) -> Vulnerability {
        Vulnerability {
            id: id.into(),
            package: package.into(),
            installed: "1.0".into(),
            fixed: fixed.map(Into::into),
            severity,
            title: None,
        }
    }

    #[test]
    fn lists_each_identifier_once_most_severe_first() {
        let a = vuln("CVE-1", "libssl3", Some("1.1"), VulnSeverity::Critical);
        let b = vuln("CVE-1", "openssl", Some("1.1"), VulnSeverity::Critical);
        let c = vuln("CVE-2", "zlib", None, VulnSeverity::High);
        let list = [&a, &b, &c];
        assert_eq!(distinct(&list), 2);
        assert_eq!(
            listed(&list),
            (
                "CVE-1 (libssl3 1.0 → 1.1), CVE-2 (zlib 1.0)".to_string(),
                "CVE-1（libssl3 1.0 → 1.1）、CVE-2（zlib 1.0）".to_string()
            )
        );
        let many: Vec<Vulnerability> = (0..5)
            .map(|i| vuln(&format!("CVE-{i}"), "p", Some("2"), VulnSeverity::High))
            .collect();
        let refs: Vec<&Vulnerability> = many.iter().collect();
        let (en, zh) = listed(&refs);
        assert!(en.ends_with("CVE-2 (p 1.0 → 2) (+2)"), "{en}");
        assert!(zh.ends_with("CVE-2（p 1.0 → 2），另有 2 个"), "{zh}");
    }
}
