//! What a node rule says when the evidence it needs is not there. A component the scan did not
//! find (no static pod, no process) is a "not examined" note with the collector's reason, and
//! the rule examines nothing for it, so that the item ends up "not evaluated" instead of
//! passing on nothing.

use crate::{NodePlace, Sink};
use kcheck_model::facts::{Component, ComponentKind, Distro, Missing};
use kcheck_model::{text, NodeFacts, Text};

/// The key under which the collector records a component it could not find.
pub fn component_key(kind: ComponentKind) -> String {
    format!("component:{}", kind.binary())
}

/// The component, or `None` after informing why it could not be examined: the collector's
/// reason when it recorded one, otherwise that the node runs no such component (a worker node
/// has no control plane; an external etcd runs elsewhere).
pub fn component<'f>(
    facts: &'f NodeFacts,
    kind: ComponentKind,
    sink: &mut Sink,
) -> Option<&'f Component> {
    if let Some(c) = facts.component(kind) {
        return Some(c);
    }
    if managed(facts, kind, sink) {
        return None;
    }
    match facts.missing(&component_key(kind)) {
        Some(m) => note_missing(m, sink),
        None => {
            let name = kind.binary();
            sink.not_examined_on_node(
                NodePlace::file(name),
                text!(
                    "no {name} static pod or process on this node",
                    "此节点上没有 {name} 的静态 Pod 或进程",
                ),
            );
        }
    }
    None
}

/// Reports evidence the collector recorded as missing, with its reason.
pub fn note_missing(missing: &Missing, sink: &mut Sink) {
    let place = NodePlace::file(missing.path.as_deref().unwrap_or(&missing.what));
    let what = missing
        .what
        .strip_prefix("component:")
        .unwrap_or(&missing.what);
    let (en, zh) = (&missing.reason.en, &missing.reason.zh);
    sink.not_examined_on_node(
        place,
        text!("{what} is not available ({en})", "无法获得 {what}（{zh}）",),
    );
}

/// Notes every missing entry whose key satisfies `wanted`; returns how many there were.
pub fn note_missing_where(
    facts: &NodeFacts,
    wanted: impl Fn(&str) -> bool,
    sink: &mut Sink,
) -> usize {
    let mut n = 0;
    for m in facts.missing.iter().filter(|m| wanted(&m.what)) {
        note_missing(m, sink);
        n += 1;
    }
    n
}

/// On a node whose control plane someone else configures (a managed cluster's worker, an
/// OpenShift node), notes for a control-plane `kind` what to check at the provider or in the
/// operators' resources, so that the item is "manual"; returns whether it did.
pub fn managed(facts: &NodeFacts, kind: ComponentKind, sink: &mut Sink) -> bool {
    let Some(distro) = facts.managed_by() else {
        return false;
    };
    if kind == ComponentKind::Kubelet || facts.component(kind).is_some() {
        return false;
    }
    let name = kind.binary();
    let title = distro.title();
    let check = guidance(distro, sink.item());
    let (check_en, check_zh) = (&check.en, &check.zh);
    let message = if distro == Distro::OpenShift {
        text!(
            "manual: OpenShift's operators configure {name}; check {check_en}",
            "需人工检查：{name} 由 OpenShift 的 operator 配置；请检查：{check_zh}",
        )
    } else {
        text!(
            "manual: managed by the provider ({title} runs {name}, not this node); check {check_en}",
            "需人工检查：由云服务商管理（{name} 由 {title} 运行，不在此节点上）；请检查：{check_zh}",
        )
    };
    sink.managed_on_node(NodePlace::file(name), message);
    true
}

/// What to check in the provider's console or API (or OpenShift's configuration resources) for
/// a checklist item whose evidence is the control plane.
pub fn guidance(distro: Distro, item: &str) -> Text {
    let section = item.split('.').next().unwrap_or("");
    if item == "6.5" {
        return Text::fixed(
            "the service-account token lifetime the platform documents (it sets the API server's token flags), and that workloads use projected, bound tokens",
            "平台文档中说明的服务账号令牌有效期（API server 的令牌参数由平台设置），以及工作负载是否使用投射的绑定令牌",
        );
    }
    match (distro, section) {
        (Distro::Eks, "1") => Text::fixed(
            "who can reach the cluster as whom: access entries and the aws-auth ConfigMap (aws eks list-access-entries); AWS issues and rotates the control plane's certificates",
            "谁能以何种身份访问集群：访问条目和 aws-auth ConfigMap（aws eks list-access-entries）；控制平面的证书由 AWS 签发和轮换",
        ),
        (Distro::Gke, "1") => Text::fixed(
            "IAM bindings and whether client certificates are issued (gcloud container clusters describe: masterAuth.clientCertificateConfig); Google rotates the control plane's certificates",
            "IAM 绑定以及是否签发客户端证书（gcloud container clusters describe：masterAuth.clientCertificateConfig）；控制平面的证书由 Google 轮换",
        ),
        (Distro::Aks, "1") => Text::fixed(
            "local accounts and Microsoft Entra integration (az aks show: disableLocalAccounts, aadProfile); Azure rotates the control plane's certificates",
            "本地账户和 Microsoft Entra 集成（az aks show：disableLocalAccounts、aadProfile）；控制平面的证书由 Azure 轮换",
        ),
        (Distro::Eks, "2") => Text::fixed(
            "the API endpoint's access (aws eks describe-cluster: resourcesVpcConfig.endpointPublicAccess, publicAccessCidrs)",
            "API 端点的访问范围（aws eks describe-cluster：resourcesVpcConfig.endpointPublicAccess、publicAccessCidrs）",
        ),
        (Distro::Gke, "2") => Text::fixed(
            "the API endpoint's access (gcloud container clusters describe: privateClusterConfig, masterAuthorizedNetworksConfig)",
            "API 端点的访问范围（gcloud container clusters describe：privateClusterConfig、masterAuthorizedNetworksConfig）",
        ),
        (Distro::Aks, "2") => Text::fixed(
            "the API endpoint's access (az aks show: apiServerAccessProfile: authorized IP ranges or a private cluster)",
            "API 端点的访问范围（az aks show：apiServerAccessProfile，即授权 IP 范围或私有集群）",
        ),
        (Distro::Eks, "4") => Text::fixed(
            "that control-plane logging sends the audit log (aws eks describe-cluster: logging.clusterLogging, type audit)",
            "控制平面日志是否包含审计日志（aws eks describe-cluster：logging.clusterLogging，类型 audit）",
        ),
        (Distro::Gke, "4") => Text::fixed(
            "the cluster's Cloud Audit Logs (Kubernetes Engine API: Admin Activity, and Data Access if needed)",
            "集群的 Cloud Audit Logs（Kubernetes Engine API 的 Admin Activity 日志，需要时还有 Data Access 日志）",
        ),
        (Distro::Aks, "4") => Text::fixed(
            "that diagnostic settings send the kube-audit or kube-audit-admin logs (az monitor diagnostic-settings list)",
            "诊断设置是否发送 kube-audit 或 kube-audit-admin 日志（az monitor diagnostic-settings list）",
        ),
        (Distro::Eks, "6") => Text::fixed(
            "envelope encryption of Secrets with a KMS key (aws eks describe-cluster: encryptionConfig)",
            "是否用 KMS 密钥对 Secret 做信封加密（aws eks describe-cluster：encryptionConfig）",
        ),
        (Distro::Gke, "6") => Text::fixed(
            "application-layer secrets encryption (gcloud container clusters describe: databaseEncryption)",
            "应用层 Secret 加密（gcloud container clusters describe：databaseEncryption）",
        ),
        (Distro::Aks, "6") => Text::fixed(
            "KMS etcd encryption with Azure Key Vault (az aks show: securityProfile.azureKeyVaultKms)",
            "使用 Azure Key Vault 的 KMS etcd 加密（az aks show：securityProfile.azureKeyVaultKms）",
        ),
        (Distro::Eks | Distro::Gke | Distro::Aks, "5" | "8") => Text::fixed(
            "the admission controls you add yourself, as the provider fixes the admission plugins: Pod Security Admission labels and admission policies",
            "您自行添加的准入控制，因为云服务商固定了准入插件：Pod Security Admission 标签和准入策略",
        ),
        (Distro::OpenShift, "4") => Text::fixed(
            "the audit profile (oc get apiserver cluster -o jsonpath='{.spec.audit}')",
            "审计配置（oc get apiserver cluster -o jsonpath='{.spec.audit}'）",
        ),
        (Distro::OpenShift, "6") => Text::fixed(
            "etcd encryption (oc get apiserver cluster -o jsonpath='{.spec.encryption.type}')",
            "etcd 加密（oc get apiserver cluster -o jsonpath='{.spec.encryption.type}'）",
        ),
        (Distro::OpenShift, "5" | "8") => Text::fixed(
            "SecurityContextConstraints and Pod Security Admission labels (oc get scc)",
            "SecurityContextConstraints 和 Pod Security Admission 标签（oc get scc）",
        ),
        (Distro::OpenShift, _) => Text::fixed(
            "the APIServer and KubeAPIServer resources (oc get apiserver cluster -o yaml; oc get kubeapiserver cluster -o yaml)",
            "APIServer 和 KubeAPIServer 资源（oc get apiserver cluster -o yaml；oc get kubeapiserver cluster -o yaml）",
        ),
        _ => Text::fixed(
            "the control plane's settings in the provider's console or API",
            "云服务商控制台或 API 中的控制平面设置",
        ),
    }
}
