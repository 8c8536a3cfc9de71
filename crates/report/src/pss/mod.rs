//! Renderers of a `kcheck pss` report ([`PssReport`]): every workload's verdict under one or two
//! Pod Security Standards columns (a level at a version), with the violated checks and where the
//! fields at fault are. The same six formats as the checklist report, one file each, sharing the
//! checklist renderers' escaping, layout, colours and words.
//!
//! Check ids, reasons and details are Pod Security Admission's own words and stay as they are in
//! both languages; only the words around them are translated. Output is deterministic.

mod html;
mod json;
mod junit;
mod markdown;
mod sarif;
mod table;

use crate::labels;
use crate::{Format, RenderOptions};
use kcheck_model::{Lang, Location, PssColumn, PssField, PssReport, PssVerdict, PssWorkload, Text};

/// Renders a Pod Security Standards report. Every format ends with a newline.
pub fn render_pss(report: &PssReport, format: Format, opts: &RenderOptions) -> String {
    match format {
        Format::Table => table::render(report, opts),
        Format::Json => json::render(report, opts),
        Format::Sarif => sarif::render(report, opts),
        Format::Junit => junit::render(report, opts),
        Format::Markdown => markdown::render(report, opts),
        Format::Html => html::render(report, opts),
        // A Pod Security Standards report has no policy report form: its JSON.
        Format::PolicyReport => json::render(report, opts),
    }
}

/// `baseline v1.37`.
fn column_label(c: &PssColumn) -> String {
    format!("{} {}", c.level, c.version)
}

/// A workload's verdicts with their columns, in column order (a verdict without a column, or a
/// column without a verdict, is left out).
fn verdicts<'r>(
    report: &'r PssReport,
    w: &'r PssWorkload,
) -> impl Iterator<Item = (&'r PssColumn, &'r PssVerdict)> {
    report.columns.iter().zip(&w.verdicts)
}

/// How many workloads each column allows and denies, in column order.
fn counts(report: &PssReport) -> Vec<(&PssColumn, usize, usize)> {
    report
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let of_column = report.workloads.iter().filter_map(|w| w.verdicts.get(i));
            let (allowed, denied) =
                of_column.fold(
                    (0, 0),
                    |(a, d), v| {
                        if v.allowed {
                            (a + 1, d)
                        } else {
                            (a, d + 1)
                        }
                    },
                );
            (c, allowed, denied)
        })
        .collect()
}

/// The header line naming the columns: "Pod Security Standards: baseline v1.37, restricted v1.37".
fn columns_line(report: &PssReport, lang: Lang) -> String {
    let columns: Vec<String> = report.columns.iter().map(column_label).collect();
    let list = if columns.is_empty() {
        labels::NONE.get(lang).to_owned()
    } else {
        columns.join(labels::comma(lang))
    };
    format!("{}{}{list}", labels::PSS.get(lang), labels::colon(lang))
}

/// What was read and how many workloads: "3 files read, 4 objects, 1 input error; 3 workloads".
fn run_line(report: &PssReport, lang: Lang) -> String {
    let sep = match lang {
        Lang::En => "; ",
        Lang::Zh => "；",
    };
    format!(
        "{}{sep}{}",
        labels::inputs_line(&report.inputs, lang),
        labels::workloads_count(report.workloads.len(), lang)
    )
}

/// `file:line` where a workload starts (`file` alone when the line is unknown).
fn workload_place(w: &PssWorkload) -> Option<String> {
    w.location.as_ref().map(|l| {
        if l.line == 0 {
            l.file.to_string()
        } else {
            format!("{}:{}", l.file, l.line)
        }
    })
}

/// `file:line:column` (`file` alone when the line is unknown).
fn location_place(l: &Location) -> String {
    if l.line == 0 {
        l.file.to_string()
    } else {
        l.to_string()
    }
}

/// Where a field is: its location, or its path when it has none (objects from the API).
fn field_place(f: &PssField) -> String {
    f.location
        .as_ref()
        .map_or_else(|| f.path.clone(), location_place)
}

/// Pod Security Admission checks in one line each, in our own words, for SARIF rule descriptions.
/// Upstream's ids, in the order it reports them; `invalid` is kcheck's, for mistyped fields.
static CHECKS: &[(&str, Text)] = &[
    (
        "invalid",
        Text::fixed(
            "Fields must have the type the API server decodes",
            "字段类型必须能被 API 服务器解码",
        ),
    ),
    (
        "appArmorProfile",
        Text::fixed(
            "AppArmor must not be disabled or overridden with an unconfined profile",
            "不得禁用 AppArmor，也不得改用 unconfined 配置",
        ),
    ),
    (
        "capabilities_baseline",
        Text::fixed(
            "Containers may add only the runtime's default capabilities",
            "容器只能添加运行时默认提供的权能",
        ),
    ),
    (
        "hostNamespaces",
        Text::fixed(
            "Pods must not share the host's namespaces",
            "Pod 不得共享主机的名字空间",
        ),
    ),
    (
        "hostPathVolumes",
        Text::fixed(
            "Pods must not mount hostPath volumes",
            "Pod 不得挂载 hostPath 卷",
        ),
    ),
    (
        "hostPorts",
        Text::fixed("Containers must not use host ports", "容器不得使用主机端口"),
    ),
    (
        "hostProbesAndHostLifecycle",
        Text::fixed(
            "Probes and lifecycle hooks must not name a host",
            "探针和生命周期回调不得指定主机",
        ),
    ),
    (
        "privileged",
        Text::fixed(
            "Containers must not be privileged",
            "容器不得以特权模式运行",
        ),
    ),
    (
        "procMount",
        Text::fixed(
            "Containers must keep the default /proc mask",
            "容器必须保留默认的 /proc 屏蔽",
        ),
    ),
    (
        "seccompProfile_baseline",
        Text::fixed(
            "Seccomp must not be set to Unconfined",
            "Seccomp 不得设置为 Unconfined",
        ),
    ),
    (
        "seLinuxOptions",
        Text::fixed(
            "SELinux options must keep a container type and no custom user or role",
            "SELinux 选项必须使用容器类型，且不得自定义用户或角色",
        ),
    ),
    (
        "sysctls",
        Text::fixed(
            "Only safe, namespaced sysctls may be set",
            "只能设置安全的、名字空间内的 sysctl",
        ),
    ),
    (
        "windowsHostProcess",
        Text::fixed(
            "Windows pods must not run HostProcess containers",
            "Windows Pod 不得运行 HostProcess 容器",
        ),
    ),
    (
        "allowPrivilegeEscalation",
        Text::fixed(
            "Containers must set allowPrivilegeEscalation to false",
            "容器必须将 allowPrivilegeEscalation 设置为 false",
        ),
    ),
    (
        "capabilities_restricted",
        Text::fixed(
            "Containers must drop ALL capabilities and add only NET_BIND_SERVICE",
            "容器必须丢弃 ALL 权能，且只能添加 NET_BIND_SERVICE",
        ),
    ),
    (
        "procMount_restricted",
        Text::fixed(
            "Containers must keep the default /proc mask, even in a user namespace",
            "容器必须保留默认的 /proc 屏蔽，即使在用户名字空间中",
        ),
    ),
    (
        "restrictedVolumes",
        Text::fixed(
            "Volumes must be of a type that the API controls access to",
            "卷必须是由 API 控制访问的类型",
        ),
    ),
    (
        "runAsNonRoot",
        Text::fixed(
            "Containers must run as non-root",
            "容器必须以非 root 用户运行",
        ),
    ),
    (
        "runAsUser",
        Text::fixed(
            "Containers must not set runAsUser to 0",
            "容器不得将 runAsUser 设置为 0",
        ),
    ),
    (
        "seccompProfile_restricted",
        Text::fixed(
            "A seccomp profile must be set, RuntimeDefault or Localhost",
            "必须设置 seccomp 配置：RuntimeDefault 或 Localhost",
        ),
    ),
];

/// A check's one-line description in `lang`; the id itself for a check this crate does not know.
fn check_title(id: &str, lang: Lang) -> &str {
    CHECKS
        .iter()
        .find(|(known, _)| *known == id)
        .map_or(id, |(_, t)| t.get(lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_titles_are_unique_and_fall_back_to_the_id() {
        let mut ids: Vec<&str> = CHECKS.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CHECKS.len());
        assert_eq!(
            check_title("runAsNonRoot", Lang::Zh),
            "容器必须以非 root 用户运行"
        );
        assert_eq!(check_title("somethingNew", Lang::En), "somethingNew");
    }
}
