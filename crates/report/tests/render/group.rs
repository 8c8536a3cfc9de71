//! Findings grouped by item, rule and namespace in the table, Markdown and HTML: counts, the
//! first examples of each group, how many more.

use crate::fixture;
use kcheck_model::Lang;
use kcheck_report::{render, Format, RenderOptions};

/// `actual` is `expected`, but for the whitespace at the end; both shown when not.
fn same(actual: &str, expected: &str) {
    assert_eq!(
        actual.trim_end(),
        expected.trim_end(),
        "\n--- actual\n{actual}\n--- expected\n{expected}"
    );
}

fn markdown_findings(md: &str) -> &str {
    let (findings, next) = if md.contains("## Findings") {
        ("## Findings", "## Input problems")
    } else {
        ("## 问题", "## 输入问题")
    };
    &md[md.find(findings).unwrap()..md.find(next).unwrap()]
}

fn render_many(format: Format, lang: Lang, examples: Option<usize>) -> String {
    let opts = RenderOptions {
        lang,
        examples,
        ..Default::default()
    };
    render(&fixture::many_report(), format, &opts)
}

/// The findings part of a table: from "Findings" to the next heading after it.
fn table_findings(t: &str) -> String {
    let (findings, next) = if t.contains("\nFindings\n") {
        ("\nFindings\n", "\nInput problems\n")
    } else {
        ("\n问题\n", "\n输入问题\n")
    };
    let start = t.find(findings).unwrap() + 1;
    let end = t[start..].find(next).unwrap() + start;
    t[start..end].to_owned()
}

#[test]
#[ignore = "prints the grouped renderings"]
fn show() {
    for examples in [Some(2), Some(0), Some(1), None] {
        println!(
            "== {examples:?}\n{}",
            table_findings(&render_many(Format::Table, Lang::En, examples))
        );
    }
    println!(
        "{}",
        table_findings(&render_many(Format::Table, Lang::Zh, Some(2)))
    );
    let md = render_many(Format::Markdown, Lang::En, Some(2));
    println!(
        "{}",
        &md[md.find("## Findings").unwrap()..md.find("## Input problems").unwrap()]
    );
    let md = render_many(Format::Markdown, Lang::Zh, Some(1));
    println!(
        "{}",
        &md[md.find("## 问题").unwrap()..md.find("## 输入问题").unwrap()]
    );
}

/// The largest namespaces first, two findings each, then how many more; a rule with one
/// namespace names it in its heading; a rule with no more findings than examples is a plain
/// list, as before grouping.
#[test]
fn the_table_groups_by_rule_and_namespace() {
    same(
        &table_findings(&render_many(Format::Table, Lang::En, Some(2))),
        r#"Findings

3.2 An appropriate Pod Security Standard is enforced on every namespace
  KC301  fail critical  9 findings in 4 namespaces, 1 waived
    namespace prod: 5 findings, 1 waived
      fail critical  KC301  pods/prod.yaml:1:3  Pod prod/p0
                     p0 is wrong
      and 4 more in this namespace
    namespace dev: 2 findings
      fail critical  KC301  pods/dev.yaml:1:3  Pod dev/d0
                     d0 is wrong
      and 1 more in this namespace
    and 2 more namespaces: 2 findings
    fix: fix KC301 by doing the right thing
  KC302  fail high  4 findings in namespace prod
    fail high      KC302  pods/prod.yaml:2:3  Pod prod/p0
                   p0 is wrong
    fail high      KC302  pods/prod.yaml:10:3  Pod prod/p1
                   p1 is wrong
    and 2 more
    fix: fix KC302 by doing the right thing

3.3 Workloads set a memory limit no higher than their request
  fail medium    KC331  pods/dev.yaml:5:3  Pod dev/d0
                 d0 is wrong
  fail medium    KC331  pods/dev.yaml:13:3  Pod dev/d1
                 d1 is wrong
                 fix: fix KC331 by doing the right thing
"#,
    );
}

#[test]
fn no_examples_leaves_the_counts_and_the_fix() {
    same(
        &table_findings(&render_many(Format::Table, Lang::En, Some(0))),
        r#"Findings

3.2 An appropriate Pod Security Standard is enforced on every namespace
  KC301  fail critical  9 findings in 4 namespaces, 1 waived
    fix: fix KC301 by doing the right thing
  KC302  fail high  4 findings in namespace prod
    fix: fix KC302 by doing the right thing

3.3 Workloads set a memory limit no higher than their request
  KC331  fail medium  2 findings in namespace dev
    fix: fix KC331 by doing the right thing
"#,
    );
}

#[test]
fn one_example_a_group() {
    same(
        &table_findings(&render_many(Format::Table, Lang::En, Some(1))),
        r#"Findings

3.2 An appropriate Pod Security Standard is enforced on every namespace
  KC301  fail critical  9 findings in 4 namespaces, 1 waived
    namespace prod: 5 findings, 1 waived
      fail critical  KC301  pods/prod.yaml:1:3  Pod prod/p0
                     p0 is wrong
      and 4 more in this namespace
    and 3 more namespaces: 4 findings
    fix: fix KC301 by doing the right thing
  KC302  fail high  4 findings in namespace prod
    fail high      KC302  pods/prod.yaml:2:3  Pod prod/p0
                   p0 is wrong
    and 3 more
    fix: fix KC302 by doing the right thing

3.3 Workloads set a memory limit no higher than their request
  KC331  fail medium  2 findings in namespace dev
    fail medium    KC331  pods/dev.yaml:5:3  Pod dev/d0
                   d0 is wrong
    and 1 more
    fix: fix KC331 by doing the right thing
"#,
    );
}

/// `--examples all`: every finding in report order, each rule's fix once, no group heading.
#[test]
fn all_examples_is_the_whole_listing() {
    let all = table_findings(&render_many(Format::Table, Lang::En, None));
    same(
        &all,
        r#"Findings

3.2 An appropriate Pod Security Standard is enforced on every namespace
  fail critical  KC301  pods/dev.yaml:1:3  Pod dev/d0
                 d0 is wrong
  fail critical  KC301  pods/dev.yaml:9:3  Pod dev/d1
                 d1 is wrong
  fail critical  KC301  pods/node.yaml:4:3
                 is wrong
  fail critical  KC301  pods/prod.yaml:1:3  Pod prod/p0
                 p0 is wrong
  fail critical  KC301  pods/prod.yaml:9:3  Pod prod/p1  [waived]
                 p1 is wrong
  fail critical  KC301  pods/prod.yaml:17:3  Pod prod/p2
                 p2 is wrong
  fail critical  KC301  pods/prod.yaml:25:3  Pod prod/p3
                 p3 is wrong
  fail critical  KC301  pods/prod.yaml:33:3  Pod prod/p4
                 p4 is wrong
  fail critical  KC301  pods/qa.yaml:1:3  Pod qa/q0
                 q0 is wrong
                 fix: fix KC301 by doing the right thing
  fail high      KC302  pods/prod.yaml:2:3  Pod prod/p0
                 p0 is wrong
  fail high      KC302  pods/prod.yaml:10:3  Pod prod/p1
                 p1 is wrong
  fail high      KC302  pods/prod.yaml:18:3  Pod prod/p2
                 p2 is wrong
  fail high      KC302  pods/prod.yaml:26:3  Pod prod/p3
                 p3 is wrong
                 fix: fix KC302 by doing the right thing

3.3 Workloads set a memory limit no higher than their request
  fail medium    KC331  pods/dev.yaml:5:3  Pod dev/d0
                 d0 is wrong
  fail medium    KC331  pods/dev.yaml:13:3  Pod dev/d1
                 d1 is wrong
                 fix: fix KC331 by doing the right thing
"#,
    );
    assert!(!all.contains("more"), "{all}");
    // The fixture's few findings read the same whatever the number of examples.
    for format in [Format::Table, Format::Markdown] {
        for lang in [Lang::En, Lang::Zh] {
            let with = |examples| {
                let opts = RenderOptions {
                    lang,
                    examples,
                    ..Default::default()
                };
                render(&fixture::report(), format, &opts)
            };
            assert_eq!(with(None), with(Some(3)), "{format} {lang:?}");
        }
    }
}

#[test]
fn the_chinese_table_groups_alike() {
    same(
        &table_findings(&render_many(Format::Table, Lang::Zh, Some(2))),
        r#"问题

3.2 对所有名字空间强制执行适当的 Pod 安全标准
  KC301  不通过 严重  9 个问题，分布在 4 个名字空间中，1 个已豁免
    名字空间 prod：5 个问题，1 个已豁免
      不通过 严重  KC301  pods/prod.yaml:1:3  Pod prod/p0
                   p0 有问题
      此名字空间另有 4 个
    名字空间 dev：2 个问题
      不通过 严重  KC301  pods/dev.yaml:1:3  Pod dev/d0
                   d0 有问题
      此名字空间另有 1 个
    另有 2 个名字空间：2 个问题
    修复：修复 KC301：按正确方式配置
  KC302  不通过 高  4 个问题，在名字空间 prod 中
    不通过 高    KC302  pods/prod.yaml:2:3  Pod prod/p0
                 p0 有问题
    不通过 高    KC302  pods/prod.yaml:10:3  Pod prod/p1
                 p1 有问题
    另有 2 个
    修复：修复 KC302：按正确方式配置

3.3 工作负载设置了内存限制，且限制值不高于请求值
  不通过 中    KC331  pods/dev.yaml:5:3  Pod dev/d0
               d0 有问题
  不通过 中    KC331  pods/dev.yaml:13:3  Pod dev/d1
               d1 有问题
               修复：修复 KC331：按正确方式配置
"#,
    );
}

#[test]
fn markdown_groups_alike() {
    same(
        markdown_findings(&render_many(Format::Markdown, Lang::En, Some(2))),
        r#"## Findings

### 3.2 An appropriate Pod Security Standard is enforced on every namespace

#### `KC301` fail critical: 9 findings in 4 namespaces, 1 waived

- **namespace prod: 5 findings, 1 waived**
  - **fail critical** `KC301` Pod prod/p0
    - Location: `pods/prod.yaml:1:3`
    - Field: `spec.containers[0]`
    - Message: p0 is wrong
  - _and 4 more in this namespace_
- **namespace dev: 2 findings**
  - **fail critical** `KC301` Pod dev/d0
    - Location: `pods/dev.yaml:1:3`
    - Field: `spec.containers[0]`
    - Message: d0 is wrong
  - _and 1 more in this namespace_
- _and 2 more namespaces: 2 findings_

**Fix**: fix KC301 by doing the right thing

#### `KC302` fail high: 4 findings in namespace prod

- **fail high** `KC302` Pod prod/p0
  - Location: `pods/prod.yaml:2:3`
  - Field: `spec.containers[0]`
  - Message: p0 is wrong
- **fail high** `KC302` Pod prod/p1
  - Location: `pods/prod.yaml:10:3`
  - Field: `spec.containers[0]`
  - Message: p1 is wrong
- _and 2 more_

**Fix**: fix KC302 by doing the right thing


### 3.3 Workloads set a memory limit no higher than their request

- **fail medium** `KC331` Pod dev/d0
  - Location: `pods/dev.yaml:5:3`
  - Field: `spec.containers[0]`
  - Message: d0 is wrong
  - Fix: fix KC331 by doing the right thing
- **fail medium** `KC331` Pod dev/d1
  - Location: `pods/dev.yaml:13:3`
  - Field: `spec.containers[0]`
  - Message: d1 is wrong
  - Fix: fix KC331 by doing the right thing
"#,
    );
    same(
        markdown_findings(&render_many(Format::Markdown, Lang::Zh, Some(1))),
        r#"## 问题

### 3.2 对所有名字空间强制执行适当的 Pod 安全标准

#### `KC301` 不通过 严重：9 个问题，分布在 4 个名字空间中，1 个已豁免

- **名字空间 prod：5 个问题，1 个已豁免**
  - **不通过 严重** `KC301` Pod prod/p0
    - 位置：`pods/prod.yaml:1:3`
    - 字段：`spec.containers[0]`
    - 说明：p0 有问题
  - _此名字空间另有 4 个_
- _另有 3 个名字空间：4 个问题_

**修复**：修复 KC301：按正确方式配置

#### `KC302` 不通过 高：4 个问题，在名字空间 prod 中

- **不通过 高** `KC302` Pod prod/p0
  - 位置：`pods/prod.yaml:2:3`
  - 字段：`spec.containers[0]`
  - 说明：p0 有问题
- _另有 3 个_

**修复**：修复 KC302：按正确方式配置


### 3.3 工作负载设置了内存限制，且限制值不高于请求值

#### `KC331` 不通过 中：2 个问题，在名字空间 dev 中

- **不通过 中** `KC331` Pod dev/d0
  - 位置：`pods/dev.yaml:5:3`
  - 字段：`spec.containers[0]`
  - 说明：d0 有问题
- _另有 1 个_

**修复**：修复 KC331：按正确方式配置
"#,
    );
}

/// The HTML: the same groups, namespaces collapsible and carrying their name for the filter.
#[test]
fn html_groups_alike() {
    let html = render_many(Format::Html, Lang::En, Some(2));
    assert!(html.contains(
        "<details class=\"rule\" id=\"KC301\" data-rule=\"KC301\" data-sevs=\"critical\" open>\n<summary><code>KC301</code> fail <span class=\"v-critical\">critical</span> privileged-container <span class=\"n\">— 9 findings in 4 namespaces, 1 waived</span></summary>"
    ), "{html}");
    assert!(html.contains("<details class=\"ns\" data-ns=\"prod\" open><summary>namespace prod: 5 findings, 1 waived</summary>\n<ul class=\"f\">\n<li class=\"finding\" data-sev=\"critical\" data-ns=\"prod\">"), "{html}");
    assert!(html.contains("<p class=\"more\">and 4 more in this namespace</p>\n</details>\n"));
    assert!(html.contains("<p class=\"more\">and 2 more namespaces: 2 findings</p>\n</details>\n"));
    // KC302's one namespace has no heading of its own.
    assert!(html.contains("— 4 findings in namespace prod</span></summary>"));
    assert!(!html.contains("data-ns=\"prod\" open><summary>namespace prod: 4 findings"));
    // Two examples for KC301 shared by its two namespaces shown, two for KC302 and KC331 each.
    assert_eq!(html.matches("<li class=\"finding").count(), 2 + 2 + 2);
    let all = render_many(Format::Html, Lang::En, None);
    assert_eq!(all.matches("<li class=\"finding").count(), 15);
    assert!(!all.contains("class=\"more\""));
}
