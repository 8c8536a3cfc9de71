//! The Kubernetes Security Checklist: 8 sections, 35 items, in the order of the user's spec
//! (`shared/seed/`). Titles are our own short wording of each item, in English and Chinese.
//!
//! Each item lists the evidence that can decide it. `required` is what a clean result needs before
//! kcheck will call the item passed; `supporting` evidence can add findings but cannot pass it on
//! its own. What is missing becomes the "not evaluated" reason.

use crate::text::Text;
use serde::Serialize;

/// Where evidence comes from. A run knows which of these it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// Kubernetes objects: manifest files, a dump, or the API.
    Objects,
    /// Things only a live cluster shows: discovery, probes, custom resources, versions.
    Cluster,
    /// Files and processes on a node: flags, configs, certificates, modes.
    Node,
    /// A record kept by people (an access review), checked by its date and digest.
    Record,
    /// Container image contents or scanner reports.
    Images,
}

impl Evidence {
    /// Why an item is not evaluated when this evidence is missing.
    pub fn missing_reason(self) -> Text {
        match self {
            Evidence::Objects => Text::fixed(
                "needs Kubernetes objects: kcheck scan PATH or kcheck cluster",
                "需要 Kubernetes 对象：kcheck scan PATH 或 kcheck cluster",
            ),
            Evidence::Cluster => Text::fixed(
                "needs a live cluster: kcheck cluster",
                "需要连接运行中的集群：kcheck cluster",
            ),
            Evidence::Node => Text::fixed(
                "needs a node scan: kcheck node",
                "需要节点扫描：kcheck node",
            ),
            Evidence::Record => Text::fixed(
                "needs an access-review record: kcheck access-review --record",
                "需要访问审查记录：kcheck access-review --record",
            ),
            Evidence::Images => Text::fixed(
                "needs the images: kcheck image ARCHIVE, or --images DIR with scan or cluster",
                "需要镜像本身：kcheck image ARCHIVE，或在 scan、cluster 中使用 --images DIR",
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Section {
    pub number: u8,
    pub title: Text,
}

/// One checklist item.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    /// "1.1" ... "8.3"
    pub id: &'static str,
    pub section: u8,
    pub title: Text,
    /// Evidence that must all be present for a clean result to count as a pass.
    pub required: &'static [Evidence],
    /// Evidence that can add findings to the item.
    pub supporting: &'static [Evidence],
    /// A process item: people do it, kcheck checks that it was done.
    pub process: bool,
}

impl Item {
    pub fn section(&self) -> &'static Section {
        &SECTIONS[usize::from(self.section - 1)]
    }
}

pub fn item(id: &str) -> Option<&'static Item> {
    ITEMS.iter().find(|i| i.id == id)
}

pub static SECTIONS: [Section; 8] = [
    Section {
        number: 1,
        title: Text::fixed("Authentication and authorization", "认证和鉴权"),
    },
    Section {
        number: 2,
        title: Text::fixed("Network security", "网络安全"),
    },
    Section {
        number: 3,
        title: Text::fixed("Pod security", "Pod 安全"),
    },
    Section {
        number: 4,
        title: Text::fixed("Logging and auditing", "日志和审计"),
    },
    Section {
        number: 5,
        title: Text::fixed("Pod placement", "Pod 布局"),
    },
    Section {
        number: 6,
        title: Text::fixed("Secrets", "Secret"),
    },
    Section {
        number: 7,
        title: Text::fixed("Images", "镜像"),
    },
    Section {
        number: 8,
        title: Text::fixed("Admission controllers", "准入控制器"),
    },
];

use Evidence::{Cluster as C, Images as I, Node as N, Objects as M};

macro_rules! item {
    ($id:literal, $sec:literal, $en:literal, $zh:literal, req: [$($r:expr),*], sup: [$($s:expr),*] $(, process: $p:literal)?) => {
        Item {
            id: $id,
            section: $sec,
            title: Text::fixed($en, $zh),
            required: &[$($r),*],
            supporting: &[$($s),*],
            process: false $(|| $p)?,
        }
    };
}

pub static ITEMS: [Item; 35] = [
    item!("1.1", 1, "system:masters is not used for authentication after bootstrap",
        "引导完成后不再以 system:masters 组的身份认证用户或组件", req: [M, N], sup: []),
    item!("1.2", 1, "kube-controller-manager runs with --use-service-account-credentials",
        "kube-controller-manager 启用 --use-service-account-credentials", req: [N], sup: [C]),
    item!("1.3", 1, "The root CA is protected (offline, or online with strict access control)",
        "根证书颁发机构受到保护（离线 CA，或访问受控的在线 CA）", req: [N], sup: [M]),
    item!("1.4", 1, "Intermediate and leaf certificates expire at most 3 years ahead",
        "中间证书和叶子证书的有效期不超过未来 3 年", req: [N], sup: [M]),
    item!("1.5", 1, "Access is reviewed at least every 24 months",
        "至少每 24 个月进行一次访问权限审查", req: [M], sup: [], process: true),
    item!("1.6", 1, "RBAC follows the good-practice guidance",
        "RBAC 配置遵循良好实践", req: [M], sup: []),
    item!("2.1", 2, "The CNI plugin supports and enforces NetworkPolicy",
        "所用 CNI 插件支持并执行网络策略", req: [C], sup: [N]),
    item!("2.2", 2, "Every workload has ingress and egress network policies",
        "所有工作负载都应用了入站和出站网络策略", req: [M], sup: []),
    item!("2.3", 2, "Each namespace has a default policy that selects every pod and denies all traffic",
        "每个名字空间都有选中所有 Pod、拒绝一切流量的默认网络策略", req: [M], sup: []),
    item!("2.4", 2, "Traffic inside the cluster is encrypted (service mesh or CNI), where appropriate",
        "在合适的场景下加密集群内通信（服务网格或 CNI）", req: [C], sup: []),
    item!("2.5", 2, "The Kubernetes API, kubelet API and etcd are not exposed publicly",
        "Kubernetes API、kubelet API 和 etcd 不暴露在公网上", req: [N], sup: [M, C]),
    item!("2.6", 2, "Workload access to the cloud metadata API is filtered",
        "过滤工作负载对云元数据 API 的访问", req: [M], sup: []),
    item!("2.7", 2, "LoadBalancer Services and external IPs are restricted",
        "限制使用 LoadBalancer 类型的 Service 和 ExternalIP", req: [M], sup: [N]),
    item!("3.1", 3, "RBAC rights to create, update, patch or delete workloads are granted only when needed",
        "仅在必要时授予创建、更新、修补、删除工作负载的 RBAC 权限", req: [M], sup: []),
    item!("3.2", 3, "An appropriate Pod Security Standard is enforced on every namespace",
        "对所有名字空间强制执行适当的 Pod 安全标准", req: [M], sup: [N]),
    item!("3.3", 3, "Workloads set a memory limit no higher than their request",
        "工作负载设置了内存限制，且限制值不高于请求值", req: [M], sup: []),
    item!("3.4", 3, "Sensitive workloads set a CPU limit",
        "敏感工作负载设置了 CPU 限制", req: [M], sup: []),
    item!("3.5", 3, "Workloads run with a suitable seccomp profile",
        "工作负载启用了合适的 Seccomp 配置文件", req: [M], sup: [N]),
    item!("3.6", 3, "Workloads run with a suitable AppArmor or SELinux profile",
        "工作负载启用了合适的 AppArmor 或 SELinux 配置文件", req: [M], sup: [N]),
    item!("4.1", 4, "Audit logs, when enabled, are protected from general access",
        "审计日志（如已启用）受到保护，不可被随意访问", req: [N], sup: [M]),
    item!("4.2", 4, "The /logs API is disabled (--enable-logs-handler=false)",
        "禁用 /logs API（kube-apiserver 设置 --enable-logs-handler=false）", req: [N], sup: [C]),
    item!("5.1", 5, "Pods are placed on nodes according to their sensitivity",
        "根据应用的敏感级别安排 Pod 所在节点", req: [M], sup: [N]),
    item!("5.2", 5, "Sensitive workloads are isolated on dedicated nodes or in a sandboxed runtime",
        "敏感应用在隔离的节点上或在沙箱运行时中运行", req: [M], sup: []),
    item!("6.1", 6, "ConfigMaps hold no confidential data",
        "不使用 ConfigMap 保存机密数据", req: [M], sup: []),
    item!("6.2", 6, "Secrets are encrypted at rest",
        "为 Secret API 配置静态加密", req: [N], sup: [C]),
    item!("6.3", 6, "Secrets from an external store are injected by a dedicated mechanism, where appropriate",
        "在合适的场景下使用从外部存储注入 Secret 的机制", req: [C], sup: []),
    item!("6.4", 6, "Service account tokens are not mounted into pods that do not need them",
        "不将服务账号令牌挂载到不需要它的 Pod 中", req: [M], sup: []),
    item!("6.5", 6, "Bound, expiring service account tokens are used instead of long-lived token Secrets",
        "使用有时限的绑定服务账号令牌，而非永不过期的令牌 Secret", req: [M], sup: [N]),
    item!("7.1", 7, "Container images contain only what the program needs",
        "容器镜像只包含运行程序所必需的内容", req: [I], sup: [M]),
    item!("7.2", 7, "Containers run as an unprivileged user",
        "容器以非特权用户身份运行", req: [M], sup: [I]),
    item!("7.3", 7, "Images are referenced by sha256 digest or their signatures are verified at admission",
        "通过 sha256 摘要引用镜像，或在准入时验证镜像签名", req: [M], sup: [C, N]),
    item!("7.4", 7, "Images are scanned regularly and known vulnerabilities are patched",
        "定期扫描镜像并修补已知漏洞", req: [C], sup: [I]),
    item!("8.1", 8, "An appropriate set of admission plugins is enabled",
        "启用了适当的准入控制插件", req: [N], sup: []),
    item!("8.2", 8, "Pod security is enforced by Pod Security Admission or an admission webhook",
        "由 Pod 安全准入或准入 Webhook 强制执行 Pod 安全策略", req: [N], sup: [M, C]),
    item!("8.3", 8, "The admission chain's plugins and webhooks are configured securely",
        "准入链中的插件和 Webhook 配置安全", req: [M], sup: [N, C]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_has_35_items_in_order() {
        let per_section: Vec<usize> = (1..=8)
            .map(|s| ITEMS.iter().filter(|i| i.section == s).count())
            .collect();
        assert_eq!(per_section, vec![6, 7, 6, 2, 2, 5, 4, 3]);
        let mut last = (0u8, 0u8);
        for item in &ITEMS {
            let (s, n) = item.id.split_once('.').unwrap();
            let cur = (s.parse::<u8>().unwrap(), n.parse::<u8>().unwrap());
            assert_eq!(cur.0, item.section);
            assert!(cur > last, "{} out of order", item.id);
            assert!(!item.required.is_empty(), "{} decides on nothing", item.id);
            last = cur;
        }
        assert_eq!(item("6.5").unwrap().section().title.en, "Secrets");
    }
}
