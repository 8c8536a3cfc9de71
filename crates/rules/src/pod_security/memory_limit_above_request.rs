use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{
    node_quantity, text, ContainerKind, Evidence, Object, Severity, Text, WORKLOAD_KINDS,
};

declare_rule! {
    /// ## What it checks
    /// Every init and regular container that sets both `resources.requests.memory` and
    /// `resources.limits.memory`, for a limit higher than the request. (A container with a limit
    /// and no request gets a request equal to the limit, which is fine.)
    ///
    /// ## Why
    /// Checklist item 3.3: the scheduler places pods by their requests. When limits exceed
    /// requests, the node is overcommitted: under pressure, containers that stay within their
    /// limits are still OOM-killed, and the whole node can run out of memory.
    ///
    /// ## Fix
    /// Make the limit equal to the request (raise the request if the program needs it):
    /// ```yaml
    /// resources:
    ///   requests:
    ///     memory: 512Mi
    ///   limits:
    ///     memory: 512Mi
    /// ```
    ///
    /// ## References
    /// - https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/quality-service-pod/
    pub static RULE = {
        code: "KC305",
        name: "memory-limit-above-request",
        item: "3.3",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Container's memory limit is above its request", "容器的内存限制高于请求值"),
        fix: Text::fixed(
            "Set resources.limits.memory equal to resources.requests.memory.",
            "将 resources.limits.memory 设为与 resources.requests.memory 相等。",
        ),
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
    }
}

fn check(object: &Object, _: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    sink.examined();
    for c in pod
        .containers()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
    {
        let Some(resources) = c.get("resources") else {
            continue;
        };
        let limit = resources.path(&["limits", "memory"]);
        let request = resources.path(&["requests", "memory"]);
        let (Some(limit), Some(request)) = (limit, request) else {
            continue;
        };
        let (Some(l), Some(r)) = (node_quantity(limit), node_quantity(request)) else {
            continue;
        };
        if l > r {
            let show =
                |n: &kcheck_model::Node| n.to_json().to_string().trim_matches('"').to_string();
            let (ls, rs) = (show(limit), show(request));
            let (en, zh) = (c.label_en(), c.label_zh());
            sink.fail(
                object,
                c.path("resources.limits.memory"),
                text!(
                    "{en} has a memory limit ({ls}) above its request ({rs})",
                    "{zh} 的内存限制({ls})高于请求值({rs})",
                ),
            );
        }
    }
}
