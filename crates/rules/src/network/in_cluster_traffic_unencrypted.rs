use crate::analysis::cni::plugins;
use crate::analysis::mesh::{
    cni_encryption, istio, istio_root_namespace, linkerd, meshed, namespace_wide, peer_mode,
    workloads_by_namespace, Mesh,
};
use crate::cluster_kinds::{anchor, system_workloads_seen};
use crate::{declare_rule, Check, Context, Sink};
use kcheck_model::{text, Evidence, FieldPath, Inventory, Node, Object, Severity, Text};

declare_rule! {
    /// ## What it checks
    /// What encrypts traffic between pods:
    /// - the network plugin: Cilium with `enable-wireguard` or `enable-ipsec` in `cilium-config`,
    ///   Calico with `wireguardEnabled` in a FelixConfiguration, Antrea with a
    ///   `trafficEncryptionMode`: pass, with evidence (all pod traffic between
    ///   nodes is encrypted, whatever the namespace);
    /// - Istio: a mesh-wide PeerAuthentication (in the root namespace, `istio-system` unless the
    ///   mesh configuration says otherwise, without a selector) in mode `STRICT` passes; a
    ///   mesh-wide mode of `PERMISSIVE`, `DISABLE` or `UNSET`, or none at all (Istio then accepts
    ///   plain text): **warn**. Any other PeerAuthentication that lowers the mode (`PERMISSIVE`,
    ///   `DISABLE`, also per port) under a STRICT mesh: **warn**;
    /// - Linkerd (`linkerd-proxy-injector`): meshed workloads get mutual TLS by default;
    ///   namespaces annotated `linkerd.io/inject: enabled` (or whose workloads are) are noted;
    /// - with a mesh, each namespace with workloads that no mesh reaches (no injection label or
    ///   annotation on it or its workloads; `kube-*` and the mesh's own namespaces aside):
    ///   **warn**;
    /// - nothing at all: **warn**. The checklist asks for encryption "where appropriate", so this
    ///   rule never fails.
    ///
    /// The item is not evaluated unless the input shows the cluster's `kube-system` DaemonSets
    /// or Deployments (or a mesh).
    ///
    /// ## Why
    /// Checklist item 2.4: without encryption, anyone who can read packets on the node network
    /// (a compromised node, a host-network pod, the cloud's network) reads service-to-service
    /// traffic, tokens included. Not every network plugin encrypts; a service mesh with mutual
    /// TLS is the alternative the checklist names.
    ///
    /// ## Fix
    /// Turn on the network plugin's encryption (Cilium `encryption.enabled: true` with
    /// `type: wireguard`, Calico `wireguardEnabled: true`), or require mutual TLS mesh-wide:
    /// ```yaml
    /// apiVersion: security.istio.io/v1
    /// kind: PeerAuthentication
    /// metadata: {name: default, namespace: istio-system}
    /// spec:
    ///   mtls: {mode: STRICT}
    /// ```
    ///
    /// ## References
    /// - https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/
    /// - https://linkerd.io/2/features/automatic-mtls/
    /// - https://docs.cilium.io/en/stable/security/network/encryption/
    /// - https://docs.tigera.io/calico/latest/network-policy/encrypt-cluster-pod-traffic
    pub static RULE = {
        code: "KC215",
        name: "in-cluster-traffic-unencrypted",
        item: "2.4",
        severity: Severity::Medium,
        evidence: Evidence::Cluster,
        title: Text::fixed(
            "Traffic inside the cluster is not encrypted",
            "集群内通信未加密",
        ),
        fix: Text::fixed(
            "Turn on the network plugin's WireGuard or IPsec encryption, or require mutual TLS in a service mesh (Istio PeerAuthentication STRICT, Linkerd injection).",
            "开启网络插件的 WireGuard 或 IPsec 加密，或在服务网格中强制双向 TLS（Istio PeerAuthentication STRICT、Linkerd 注入）。",
        ),
        reads: &[
            "Namespace",
            "DaemonSet",
            "Deployment",
            "ConfigMap",
            "CustomResourceDefinition",
            "PeerAuthentication",
            "FelixConfiguration",
            "Pod",
            "ReplicaSet",
            "StatefulSet",
            "Job",
            "CronJob",
        ],
        check: Check::Inventory(check),
        doc_zh: r#"
## 检查内容
由什么来加密 Pod 之间的流量：
- 网络插件：`cilium-config` 中设置了 `enable-wireguard` 或 `enable-ipsec` 的 Cilium、FelixConfiguration 中设置了 `wireguardEnabled` 的 Calico、设置了 `trafficEncryptionMode` 的 Antrea：通过，并给出证据（节点之间的所有 Pod 流量都已加密，与名字空间无关）；
- Istio：网格范围的 PeerAuthentication（位于根名字空间中，除非网格配置另有指定，否则为 `istio-system`，且没有选择算符）的模式为 `STRICT` 时通过；网格范围的模式为 `PERMISSIVE`、`DISABLE` 或 `UNSET`，或者根本没有（此时 Istio 接受明文）：**警告**。在 STRICT 的网格下，任何降低模式（`PERMISSIVE`、`DISABLE`，包括按端口设置）的其他 PeerAuthentication：**警告**；
- Linkerd（`linkerd-proxy-injector`）：纳入网格的工作负载默认使用双向 TLS；带有 `linkerd.io/inject: enabled` 注解的名字空间（或其工作负载带有该注解）会被记录；
- 存在服务网格时，每个包含网格覆盖不到的工作负载的名字空间（名字空间本身及其工作负载都没有注入标签或注解；`kube-*` 和网格自己的名字空间除外）：**警告**；
- 什么都没有：**警告**。检查清单要求的是“如果合适”时加密，所以本规则从不判定为不通过。

除非输入中包含集群 `kube-system` 中的 DaemonSet 或 Deployment（或某个服务网格），否则不评估这一项。

## 原因
检查清单第 2.4 项：没有加密时，任何能读取节点网络上数据包的人（被攻破的节点、使用主机网络的 Pod、云厂商的网络）都能读到服务之间的通信，包括其中的令牌。并非所有网络插件都提供加密；检查清单给出的替代方案是使用双向 TLS 的服务网格。

## 修复
开启网络插件的加密（Cilium 设置 `encryption.enabled: true` 和 `type: wireguard`，Calico 设置 `wireguardEnabled: true`），或者在整个网格范围内强制双向 TLS：
```yaml
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: STRICT}
```

## 参考
- https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/
- https://linkerd.io/2/features/automatic-mtls/
- https://docs.cilium.io/en/stable/security/network/encryption/
- https://docs.tigera.io/calico/latest/network-policy/encrypt-cluster-pod-traffic
"#,
    }
}

fn check(ctx: &Context, sink: &mut Sink) {
    let inventory = ctx.inventory;
    let istio = istio(inventory);
    let linkerd = linkerd(inventory);
    let encryption = cni_encryption(inventory);
    if !system_workloads_seen(inventory)
        && istio.is_none()
        && linkerd.is_none()
        && encryption.is_empty()
    {
        return;
    }
    sink.examined();
    if !encryption.is_empty() {
        for e in encryption {
            let what = &e.what;
            sink.evidence(
                e.object,
                e.path,
                text!(
                    "pod traffic between nodes is encrypted by {what}",
                    "节点间的 Pod 流量由 {what} 加密",
                ),
            );
        }
        return;
    }
    if let Some(mesh) = &istio {
        judge_istio(inventory, mesh, sink);
    }
    if let Some(mesh) = &linkerd {
        let at = mesh.object.reference();
        sink.evidence(
            mesh.object,
            FieldPath::root(),
            text!(
                "Linkerd ({at}) gives meshed workloads mutual TLS",
                "Linkerd（{at}）为网格内的工作负载提供双向 TLS",
            ),
        );
    }
    let meshes: Vec<&Mesh> = istio.iter().chain(linkerd.iter()).collect();
    if meshes.is_empty() {
        let at = plugins(inventory)
            .first()
            .map(|p| p.daemonset)
            .or_else(|| anchor(inventory));
        if let Some(at) = at {
            sink.warn(
                at,
                FieldPath::root(),
                Text::fixed(
                    "nothing encrypts traffic inside the cluster: no service mesh with mutual TLS (Istio, Linkerd) and no network-plugin encryption (Cilium or Calico WireGuard, IPsec) was seen",
                    "集群内通信没有加密：未发现提供双向 TLS 的服务网格（Istio、Linkerd），也未发现网络插件加密（Cilium 或 Calico 的 WireGuard、IPsec）",
                ),
            );
        }
        return;
    }
    unmeshed_namespaces(inventory, &meshes, sink);
}

fn judge_istio(inventory: &Inventory, mesh: &Mesh, sink: &mut Sink) {
    let root = istio_root_namespace(inventory, mesh);
    let mesh_wide = inventory
        .of_kind("PeerAuthentication")
        .find(|pa| pa.namespace.as_deref() == Some(root) && namespace_wide(pa));
    let strict = match mesh_wide {
        Some(pa) => {
            let mode = peer_mode(pa);
            if mode.eq_ignore_ascii_case("STRICT") {
                sink.evidence(
                    pa,
                    FieldPath::parse("spec.mtls.mode"),
                    Text::fixed(
                        "Istio requires mutual TLS mesh-wide (STRICT)",
                        "Istio 在整个网格内强制双向 TLS(STRICT)",
                    ),
                );
                true
            } else {
                sink.warn(
                    pa,
                    FieldPath::parse("spec.mtls.mode"),
                    text!(
                        "the mesh-wide PeerAuthentication is {mode}, not STRICT: meshed workloads still accept plain text",
                        "网格级 PeerAuthentication 为 {mode} 而非 STRICT：网格内工作负载仍接受明文",
                    ),
                );
                false
            }
        }
        None => {
            sink.warn(
                mesh.object,
                FieldPath::root(),
                text!(
                    "Istio is installed but no mesh-wide PeerAuthentication (namespace {root}, no selector) exists: the default is PERMISSIVE, so plain text is accepted",
                    "已安装 Istio，但没有网格级 PeerAuthentication（名字空间 {root}，无选择器）：默认为 PERMISSIVE，仍接受明文",
                ),
            );
            false
        }
    };
    for pa in inventory.of_kind("PeerAuthentication") {
        if mesh_wide.is_some_and(|m| std::ptr::eq(m, pa)) {
            continue;
        }
        let ns = pa.namespace.as_deref().unwrap_or("-");
        let name = &pa.name;
        let mode = peer_mode(pa);
        let scope_en = if namespace_wide(pa) {
            format!("namespace {ns}")
        } else {
            "the workloads it selects".to_string()
        };
        let scope_zh = if namespace_wide(pa) {
            format!("名字空间 {ns} ")
        } else {
            "其选中的工作负载".to_string()
        };
        if mode.eq_ignore_ascii_case("STRICT") && !strict {
            sink.evidence(
                pa,
                FieldPath::parse("spec.mtls.mode"),
                text!(
                    "PeerAuthentication {ns}/{name} requires mutual TLS for {scope_en}",
                    "PeerAuthentication {ns}/{name} 为{scope_zh}强制双向 TLS",
                ),
            );
        } else if strict
            && (mode.eq_ignore_ascii_case("PERMISSIVE") || mode.eq_ignore_ascii_case("DISABLE"))
        {
            sink.warn(
                pa,
                FieldPath::parse("spec.mtls.mode"),
                text!(
                    "PeerAuthentication {ns}/{name} lowers mutual TLS to {mode} for {scope_en}, under a STRICT mesh",
                    "PeerAuthentication {ns}/{name} 在 STRICT 网格中将{scope_zh}的双向 TLS 降为 {mode}",
                ),
            );
        }
        for port in pa
            .root
            .path(&["spec", "portLevelMtls"])
            .map_or(&[][..], Node::as_map)
        {
            let pmode = port.value.str_at("mode").unwrap_or("UNSET");
            if pmode.eq_ignore_ascii_case("PERMISSIVE") || pmode.eq_ignore_ascii_case("DISABLE") {
                let p = &port.key;
                sink.warn(
                    pa,
                    FieldPath::root().key("spec").key("portLevelMtls").key(p),
                    text!(
                        "PeerAuthentication {ns}/{name} accepts plain text on port {p} ({pmode})",
                        "PeerAuthentication {ns}/{name} 在端口 {p} 上接受明文（{pmode}）",
                    ),
                );
            }
        }
    }
}

fn system_namespace(name: &str, meshes: &[&Mesh]) -> bool {
    name.starts_with("kube-") || meshes.iter().any(|m| m.namespace == name)
}

fn unmeshed_namespaces(inventory: &Inventory, meshes: &[&Mesh], sink: &mut Sink) {
    let workloads = workloads_by_namespace(inventory);
    let names: Vec<&str> = meshes.iter().map(|m| m.name).collect();
    let names = names.join(", ");
    let mut namespaces: Vec<&Object> = inventory.of_kind("Namespace").collect();
    namespaces.sort_by(|a, b| a.name.cmp(&b.name));
    for ns in namespaces {
        let Some(w) = workloads.get(ns.name.as_str()).copied() else {
            continue;
        };
        if system_namespace(&ns.name, meshes) || meshes.iter().any(|m| meshed(m.name, ns, w)) {
            continue;
        }
        let (name, count) = (&ns.name, w.count);
        let workloads = if count == 1 {
            "its workload talks".to_string()
        } else {
            format!("its {count} workloads talk")
        };
        sink.warn(
            ns,
            FieldPath::parse("metadata"),
            text!(
                "namespace {name} is not in the mesh ({names}): {workloads} in plain text",
                "名字空间 {name} 不在服务网格（{names}）中：其 {count} 个工作负载以明文通信",
            ),
        );
    }
}
