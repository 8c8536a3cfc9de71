use crate::analysis::components::apiserver::apiserver_or_note;
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::{text, Evidence, NodeFacts, Severity, Text};

/// The first minor version in which `--enable-logs-handler` defaults to false.
pub const OFF_BY_DEFAULT_SINCE: u32 = 31;

declare_rule! {
    /// ## What it checks
    /// Whether kube-apiserver serves `/logs`, judged from `--enable-logs-handler` and the
    /// version (from the static pod image or the process):
    /// - set to `true`: **fail**, on every version;
    /// - absent on v1.30 or older (the flag defaults to `true`): **fail**;
    /// - absent on v1.31 or newer (it defaults to `false`): fine;
    /// - absent and the version unknown: **warn**, set it explicitly;
    /// - set to `false`: fine.
    ///
    /// | kube-apiserver | `--enable-logs-handler` | default | `/logs` served when absent |
    /// |---|---|---|---|
    /// | up to v1.14 | present | `true` | yes |
    /// | v1.15 to v1.30 | deprecated (removal announced for v1.19, never done) | `true` | yes |
    /// | v1.31 and later | present (deprecation dropped in 2026) | `false` | no |
    ///
    /// Sources: kubernetes/kubernetes#77611 (deprecated in v1.15), #125787 (default `false`,
    /// CHANGELOG-1.31), #130943 (v1.33: shown in `--help` again, removal plan dropped), #138915
    /// (no longer marked deprecated, still off by default). No feature gate replaces the flag.
    ///
    /// ## Why
    /// Checklist item 4.2: `/logs` hands the contents of the API server host's (or container's)
    /// `/var/log` to any authenticated client allowed the `get` verb on the non-resource URL,
    /// which can expose security-relevant information; logs belong in a separate collector.
    ///
    /// ## Fix
    /// In `/etc/kubernetes/manifests/kube-apiserver.yaml`:
    /// ```yaml
    /// spec:
    ///   containers:
    ///   - command:
    ///     - kube-apiserver
    ///     - --enable-logs-handler=false
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/security/security-checklist/#logs-and-auditing
    /// - https://github.com/kubernetes/kubernetes/pull/125787
    pub static RULE = {
        code: "KC404",
        name: "logs-handler-enabled",
        item: "4.2",
        severity: Severity::Medium,
        evidence: Evidence::Node,
        title: Text::fixed(
            "kube-apiserver serves the /logs API",
            "kube-apiserver 提供 /logs API",
        ),
        fix: Text::fixed(
            "Run kube-apiserver with --enable-logs-handler=false and collect control-plane logs separately.",
            "以 --enable-logs-handler=false 运行 kube-apiserver,并单独收集控制平面日志。",
        ),
        check: Check::Node(check),
    }
}

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    let Some(api) = apiserver_or_note(facts, sink) else {
        return;
    };
    sink.examined();
    let place = || NodePlace::flag(api, "enable-logs-handler");
    match api.flags.get("enable-logs-handler") {
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "false" | "0" | "f" => {}
            "true" | "1" | "t" => {
                sink.fail_on_node(
                    place(),
                    Text::fixed(
                        "--enable-logs-handler=true: kube-apiserver serves /var/log at /logs",
                        "--enable-logs-handler=true:kube-apiserver 通过 /logs 提供 /var/log 的内容",
                    ),
                );
            }
            _ => {
                sink.warn_on_node(
                    place(),
                    text!(
                        "--enable-logs-handler={v} is not a boolean; set it to false",
                        "--enable-logs-handler={v} 不是布尔值;请设为 false",
                    ),
                );
            }
        },
        None => match api.minor() {
            Some(m) if m >= OFF_BY_DEFAULT_SINCE => {}
            Some(m) => {
                sink.fail_on_node(
                    place(),
                    text!(
                        "--enable-logs-handler is not set and defaults to true on v1.{m}: kube-apiserver serves /var/log at /logs",
                        "未设置 --enable-logs-handler,在 v1.{m} 上默认为 true:kube-apiserver 通过 /logs 提供 /var/log 的内容",
                    ),
                );
            }
            None => {
                sink.warn_on_node(
                    place(),
                    Text::fixed(
                        "--enable-logs-handler is not set and kube-apiserver's version is unknown: /logs is served by default before v1.31; set --enable-logs-handler=false",
                        "未设置 --enable-logs-handler 且 kube-apiserver 版本未知:v1.31 之前默认提供 /logs;请设置 --enable-logs-handler=false",
                    ),
                );
            }
        },
    }
}
