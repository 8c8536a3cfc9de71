use crate::analysis::components::admission::{
    admission_config, plugin_config, plugin_entries, resolve,
};
use crate::analysis::components::apiserver::{
    apiserver_or_note, file_state, judge_file_protection, FileState, Seen,
};
use crate::{declare_rule, Check, Context, NodePlace, Sink};
use kcheck_model::facts::{ConfigRole, Kubeconfig};
use kcheck_model::{text, Evidence, Node, NodeFacts, Severity, Text};

/// Group write or execute, and anything for others: 0640 and stricter pass.
const FORBIDDEN: u32 = 0o037;

declare_rule! {
    /// ## What it checks
    /// The files of kube-apiserver's admission chain, from `--admission-control-config-file`:
    /// the AdmissionConfiguration, every plugin configuration it names by `path`, and every
    /// webhook kubeconfig those name (`kubeConfigFile` of a WebhookAdmissionConfiguration,
    /// `imagePolicy.kubeConfigFile` of ImagePolicyWebhook):
    /// - a file that does not exist: **fail** (kube-apiserver does not start, or runs without
    ///   the plugin's settings);
    /// - a mode open to others, or group-writable: **fail** (0640 or stricter); an owner other
    ///   than root: **fail**;
    /// - a webhook kubeconfig cluster with an `http://` server or
    ///   `insecure-skip-tls-verify: true`: **fail**;
    /// - a file the scan could not read: **info**.
    ///
    /// Webhook configurations stored in the API (URL, caBundle, failure policy, selectors) are
    /// checked by KC801 to KC804.
    ///
    /// ## Why
    /// Checklist item 8.3: the admission chain's configuration decides which checks run and
    /// whom the API server trusts to make them. Anyone who can edit these files can switch a
    /// plugin off or redirect a webhook, and the webhook kubeconfigs hold the credentials the
    /// API server presents; a webhook reached without TLS verification can be impersonated.
    ///
    /// ## Fix
    /// ```sh
    /// chown root:root /etc/kubernetes/admission/*.yaml /etc/kubernetes/admission/*.kubeconfig
    /// chmod 0600 /etc/kubernetes/admission/*.yaml /etc/kubernetes/admission/*.kubeconfig
    /// ```
    /// and in each webhook kubeconfig use `server: https://...` with a
    /// `certificate-authority`, never `insecure-skip-tls-verify`.
    ///
    /// ## References
    /// - https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#authenticate-apiservers
    /// - https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#imagepolicywebhook
    pub static RULE = {
        code: "KC807",
        name: "admission-config-files",
        item: "8.3",
        severity: Severity::High,
        evidence: Evidence::Node,
        nodes: crate::Nodes::ControlPlane,
        title: Text::fixed(
            "Admission configuration file missing, open to other users, or trusting an unverified webhook",
            "准入配置文件缺失、可被其他用户访问，或信任未经验证的 Webhook",
        ),
        fix: Text::fixed(
            "Keep every admission configuration and webhook kubeconfig present, root-owned and 0600, with https servers and a CA.",
            "确保所有准入配置文件和 Webhook kubeconfig 存在、属主为 root、权限 0600，并使用带 CA 的 https 服务器。",
        ),
        check: Check::Node(check),
        doc_zh: r#"
## 检查内容
kube-apiserver 准入链所用的文件，从 `--admission-control-config-file` 开始：AdmissionConfiguration 本身、其中以 `path` 引用的每个插件配置文件，以及这些配置引用的每个 Webhook kubeconfig（WebhookAdmissionConfiguration 的 `kubeConfigFile`，ImagePolicyWebhook 的 `imagePolicy.kubeConfigFile`）：
- 文件不存在：**不通过**（kube-apiserver 无法启动，或在没有该插件设置的情况下运行）；
- 文件权限对其他用户开放，或属组可写：**不通过**（应为 0640 或更严格）；属主不是 root：**不通过**；
- Webhook kubeconfig 中某个集群的 server 为 `http://`，或设置了 `insecure-skip-tls-verify: true`：**不通过**；
- 扫描无法读取的文件：**提示**。

保存在 API 中的 Webhook 配置（URL、caBundle、失败策略、选择算符）由 KC801 至 KC804 检查。

## 原因
检查清单第 8.3 项：准入链的配置决定了哪些检查会执行，以及 API 服务器信任谁来执行这些检查。能修改这些文件的人可以关闭某个插件，或把 Webhook 重定向到别处；Webhook kubeconfig 中还保存着 API 服务器出示的凭据。不经 TLS 验证就访问的 Webhook 可能被冒充。

## 修复
```sh
chown root:root /etc/kubernetes/admission/*.yaml /etc/kubernetes/admission/*.kubeconfig
chmod 0600 /etc/kubernetes/admission/*.yaml /etc/kubernetes/admission/*.kubeconfig
```
并在每个 Webhook kubeconfig 中使用 `server: https://...`，同时配置 `certificate-authority`，绝不要使用 `insecure-skip-tls-verify`。

## 参考
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/extensible-admission-controllers/#authenticate-apiservers
- https://kubernetes.io/zh-cn/docs/reference/access-authn-authz/admission-controllers/#imagepolicywebhook
"#,
    }
}

fn check(facts: &NodeFacts, _: &Context, sink: &mut Sink) {
    let Some(api) = apiserver_or_note(facts, sink) else {
        return;
    };
    let Some(path) = api.flags.value("admission-control-config-file") else {
        return;
    };
    let what = ("the admission configuration", "准入配置文件");
    if !judge_present(sink, facts, path, what) {
        return;
    }
    let Some(admission) = admission_config(facts, api) else {
        if matches!(file_state(facts, path), FileState::Present { .. }) {
            sink.not_examined_on_node(
                NodePlace::file(path),
                text!(
                    "the admission configuration {path} could not be parsed; the files it names were not checked",
                    "无法解析准入配置文件 {path}；未检查其引用的文件",
                ),
            );
        }
        return;
    };
    for entry in plugin_entries(admission) {
        let name = entry.name;
        if let Some(p) = entry.node.str_at("path").filter(|p| !p.is_empty()) {
            let p = resolve(&admission.path, p);
            let what_en = format!("the {name} configuration");
            let what_zh = format!("{name} 配置文件");
            judge_present(sink, facts, &p, (&what_en, &what_zh));
        }
        let config = plugin_config(facts, Some(admission), name);
        let (Some(node), Some(file)) = (config.node(), config.file()) else {
            continue;
        };
        for (field, kubeconfig) in webhook_kubeconfigs(node) {
            let kubeconfig = resolve(file, kubeconfig);
            let what_en = format!("the {name} webhook kubeconfig");
            let what_zh = format!("{name} Webhook kubeconfig");
            if judge_present(sink, facts, &kubeconfig, (&what_en, &what_zh)) {
                judge_kubeconfig(sink, facts, &kubeconfig);
            } else if matches!(file_state(facts, &kubeconfig), FileState::Missing) {
                // Point at the field that names the missing file as well.
                sink.inform_on_node(
                    config.place(field),
                    text!(
                        "{name} names the missing kubeconfig {kubeconfig} here",
                        "{name} 在此处引用了不存在的 kubeconfig {kubeconfig}",
                    ),
                );
            }
        }
    }
}

/// Judges a file's protection; fails when it is missing. Returns whether it is there.
fn judge_present(sink: &mut Sink, facts: &NodeFacts, path: &str, what: (&str, &str)) -> bool {
    let (en, zh) = what;
    match judge_file_protection(sink, facts, path, FORBIDDEN, 0o640, what) {
        Seen::Judged => true,
        Seen::Missing => {
            sink.examined();
            sink.fail_on_node(
                NodePlace::file(path),
                text!("{en} {path} does not exist", "{zh} {path} 不存在"),
            );
            false
        }
        Seen::Unknown(why) => {
            let (why_en, why_zh) = (&why.en, &why.zh);
            sink.not_examined_on_node(
                NodePlace::file(path),
                text!(
                    "{en} {path} could not be examined ({why_en})",
                    "无法检查{zh} {path}（{why_zh}）",
                ),
            );
            // It may well be there; its contents can still be judged if they were read.
            true
        }
    }
}

/// The kubeconfig paths a plugin configuration names, with the field that names them.
fn webhook_kubeconfigs(node: &Node) -> Vec<(&'static str, &str)> {
    let mut found = Vec::new();
    if let Some(p) = node.str_at("kubeConfigFile").filter(|p| !p.is_empty()) {
        found.push(("kubeConfigFile", p));
    }
    if let Some(p) = node
        .get("imagePolicy")
        .and_then(|n| n.str_at("kubeConfigFile"))
        .filter(|p| !p.is_empty())
    {
        found.push(("imagePolicy.kubeConfigFile", p));
    }
    found
}

/// Fails on clusters reached over plain HTTP or without certificate verification.
fn judge_kubeconfig(sink: &mut Sink, facts: &NodeFacts, path: &str) {
    if let Some(doc) = facts
        .configs
        .iter()
        .find(|c| c.role == ConfigRole::AdmissionWebhookKubeconfig && c.path == path)
    {
        let clusters = doc
            .object
            .root
            .get("clusters")
            .map_or(&[][..], Node::as_seq);
        for (i, c) in clusters.iter().enumerate() {
            let name = c.str_at("name").unwrap_or("?");
            let Some(cluster) = c.get("cluster") else {
                continue;
            };
            if let Some(server) = cluster.str_at("server").filter(|s| is_http(s)) {
                sink.fail_on_node(
                    NodePlace::config(doc, &format!("clusters[{i}].cluster.server")),
                    text!(
                        "webhook kubeconfig cluster \"{name}\" uses plain HTTP ({server})",
                        "Webhook kubeconfig 中的集群 \"{name}\" 使用明文 HTTP（{server}）",
                    ),
                );
            }
            if cluster
                .get("insecure-skip-tls-verify")
                .and_then(Node::as_bool)
                == Some(true)
            {
                sink.fail_on_node(
                    NodePlace::config(
                        doc,
                        &format!("clusters[{i}].cluster.insecure-skip-tls-verify"),
                    ),
                    text!(
                        "webhook kubeconfig cluster \"{name}\" skips TLS verification",
                        "Webhook kubeconfig 中的集群 \"{name}\" 跳过了 TLS 校验",
                    ),
                );
            }
        }
        return;
    }
    // Without a positioned document, the collector's summary of the kubeconfig.
    let Some(kc) = facts.kubeconfigs.iter().find(|k| k.path == path) else {
        return;
    };
    judge_kubeconfig_summary(sink, kc);
}

fn judge_kubeconfig_summary(sink: &mut Sink, kc: &Kubeconfig) {
    for c in &kc.clusters {
        let (name, server) = (&c.name, &c.server);
        if is_http(server) {
            sink.fail_on_node(
                NodePlace::file(&kc.path).at(format!("clusters[{name}].cluster.server")),
                text!(
                    "webhook kubeconfig cluster \"{name}\" uses plain HTTP ({server})",
                    "Webhook kubeconfig 中的集群 \"{name}\" 使用明文 HTTP（{server}）",
                ),
            );
        }
        if c.insecure_skip_tls_verify {
            sink.fail_on_node(
                NodePlace::file(&kc.path)
                    .at(format!("clusters[{name}].cluster.insecure-skip-tls-verify")),
                text!(
                    "webhook kubeconfig cluster \"{name}\" skips TLS verification",
                    "Webhook kubeconfig 中的集群 \"{name}\" 跳过了 TLS 校验",
                ),
            );
        }
    }
}

fn is_http(server: &str) -> bool {
    server
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
}
