use crate::fixture;
use kcheck_model::Lang;
use kcheck_report::{render_pss, Format, RenderOptions};
use unicode_width::UnicodeWidthStr;

fn table(report: &kcheck_model::PssReport, lang: Lang, color: bool) -> String {
    render_pss(
        report,
        Format::Table,
        &RenderOptions {
            lang,
            color,
            ..Default::default()
        },
    )
}

const ENGLISH: &str = "\
kcheck 0.1.0  Pod Security Standards report
Pod Security Standards: baseline v1.37, restricted v1.37
2 files read, 3 objects, 1 input error; 3 workloads

  Workload                                                          baseline v1.37  restricted v1.37
  Pod prod/ok  pods.yaml:1                                          ALLOWED         ALLOWED
  Deployment prod/web  deploy/my app/web.yaml:3                     ALLOWED         DENIED
    restricted v1.37: 2 violations
      runAsNonRoot  runAsNonRoot != true
        pod or container \"web\" must set securityContext.runAsNonRoot=true
        fields: deploy/my app/web.yaml:20:7
      allowPrivilegeEscalation  allowPrivilegeEscalation != false
        container \"web\" must set securityContext.allowPrivilegeEscalation=false
        fields: deploy/my app/web.yaml:25:11
  DaemonSet kube-system/agent                                       DENIED          DENIED
    baseline v1.37: 1 violation
      privileged  privileged
        container \"agent\" must not set securityContext.privileged=true
        fields: spec.template.spec.containers[0].securityContext.privileged
    restricted v1.37: 2 violations
      privileged  privileged
        container \"agent\" must not set securityContext.privileged=true
        fields: spec.template.spec.containers[0].securityContext.privileged
      runAsNonRoot  runAsNonRoot != true
        pod or container \"agent\" must set securityContext.runAsNonRoot=true
        fields: spec.template.spec.securityContext.runAsNonRoot

Input problems
  error    bad.yaml:3:7  mapping values are not allowed here

Summary  baseline v1.37: 2 allowed, 1 denied
         restricted v1.37: 1 allowed, 2 denied
";

#[test]
fn english_table() {
    // Locations are file:line:column, the same place once; paths where there is no location.
    assert_eq!(table(&fixture::report(), Lang::En, false), ENGLISH);
}

#[test]
fn chinese_table() {
    let t = table(&fixture::report(), Lang::Zh, false);
    assert!(
        t.starts_with(
            "kcheck 0.1.0  Pod 安全标准报告\nPod 安全标准：baseline v1.37，restricted v1.37\n\
         已读取文件：2，对象：3，输入错误：1；工作负载：3\n"
        ),
        "{t}"
    );
    assert!(t.contains("    restricted v1.37：2 项违规\n"), "{t}");
    assert!(
        t.contains("        字段：deploy/my app/web.yaml:20:7\n"),
        "{t}"
    );
    assert!(
        t.contains("\n输入问题\n  错误  bad.yaml:3:7  此处不允许映射值\n"),
        "{t}"
    );
    assert!(t.ends_with(
        "\n汇总  baseline v1.37：允许 2，拒绝 1\n      restricted v1.37：允许 1，拒绝 2\n"
    ));
    // The verdict columns start at the same display column on every workload line, whatever the
    // width of the Chinese labels.
    let header = t.lines().find(|l| l.starts_with("  工作负载")).unwrap();
    let at = |line: &str, what: &str| line[..line.find(what).unwrap()].width();
    let baseline = at(header, "baseline");
    let restricted = at(header, "restricted");
    let rows: Vec<&str> = t
        .lines()
        .filter(|l| l.ends_with("允许") || l.ends_with("拒绝"))
        .collect();
    assert_eq!(rows.len(), 3, "{t}");
    for row in rows {
        let cells: Vec<usize> = ["允许", "拒绝"]
            .iter()
            .flat_map(|w| row.match_indices(w).map(|(i, _)| row[..i].width()))
            .collect();
        let mut cells = cells;
        cells.sort_unstable();
        assert_eq!(cells, [baseline, restricted], "{row}");
    }
}

#[test]
fn colour_only_on_request() {
    for lang in [Lang::En, Lang::Zh] {
        let plain = table(&fixture::report(), lang, false);
        assert!(!plain.contains('\u{1b}'), "{plain}");
        let coloured = table(&fixture::report(), lang, true);
        let (allowed, denied) = match lang {
            Lang::En => ("ALLOWED", "DENIED"),
            Lang::Zh => ("允许", "拒绝"),
        };
        assert!(coloured.contains(&format!("\u{1b}[32m{allowed}\u{1b}[0m")));
        assert!(coloured.contains(&format!("\u{1b}[31m{denied}\u{1b}[0m")));
        // Without the escape codes, the same text.
        let stripped = strip_sgr(&coloured);
        assert_eq!(stripped, plain);
    }
}

/// Removes `ESC [ ... m` sequences.
fn strip_sgr(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('\u{1b}') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('m').unwrap();
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn lines_fit_in_100_columns() {
    let mut long = fixture::report();
    long.workloads[1].object.name = "web-".repeat(40);
    long.workloads[1].verdicts[1].violations[0].detail = "container \"x\" must ".repeat(12);
    long.workloads[2].verdicts[0].violations[0].fields[0].path =
        "spec.template.spec.initContainers[12].securityContext.".repeat(3);
    long.workloads[2].object.name = "代理".repeat(40);
    for report in [fixture::report(), long] {
        for lang in [Lang::En, Lang::Zh] {
            for color in [false, true] {
                let t = strip_sgr(&table(&report, lang, color));
                for line in t.lines() {
                    assert!(line.width() <= 100, "{} columns: {line}", line.width());
                    assert_eq!(line, line.trim_end());
                }
            }
        }
    }
}

#[test]
fn control_characters_from_the_input_are_neutralised() {
    let t = table(&fixture::hostile(), Lang::En, true);
    assert!(!t.contains("\u{1b}]"), "{t}");
    assert!(!t.contains('\u{7}'));
    assert!(t.contains("DaemonSet kube-system/<script>"), "{t}");
    assert!(strip_sgr(&t).contains("\u{FFFD}[31m"), "{t}");
}
