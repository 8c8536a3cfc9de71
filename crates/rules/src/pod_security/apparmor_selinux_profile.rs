use crate::{declare_rule, Admission, Check, Context, Sink};
use kcheck_model::{
    text, Container, ContainerKind, Evidence, FieldPath, Node, Object, PodSpec, Segment, Severity,
    Text, Value, WORKLOAD_KINDS,
};
use kcheck_pss::Level;

declare_rule! {
    /// ## What it checks
    /// The mandatory access control profile of every container:
    /// - AppArmor `Unconfined` (field `securityContext.appArmorProfile` on the pod or the
    ///   container, or the `container.apparmor.security.beta.kubernetes.io/<name>` annotation),
    ///   or SELinux options with a type other than the container types: **fail**. These are Pod
    ///   Security Admission's `appArmorProfile` and `seLinuxOptions` checks, reused as they are
    ///   and applied to every workload.
    /// - An AppArmor setting that Kubernetes does not accept: **fail**, of low severity,
    ///   reported as invalid rather than read as confined or as unconfined. These are the API
    ///   server's checks (`ValidateAppArmorProfileField`, `ValidateAppArmorPodAnnotations`,
    ///   `validateAppArmorAnnotationsAndFieldsMatchOnCreate`), which it runs on Pods and on the
    ///   pod templates of workloads alike, and the kubelet's:
    ///   - `appArmorProfile.type` is required and must be `RuntimeDefault`, `Localhost` or
    ///     `Unconfined`, spelled so;
    ///   - `type: Localhost` needs a `localhostProfile` that is not empty, has no leading or
    ///     trailing whitespace and is at most 4095 bytes long; with any other type
    ///     `localhostProfile` must not be set;
    ///   - the annotation's key must name a container of the pod, and its value must be
    ///     `runtime/default`, `unconfined` or `localhost/<name>`. `localhost/` with no name
    ///     passes the API server, but the kubelet refuses to start the pod on a node with
    ///     AppArmor enabled;
    ///   - when a container has both the annotation and a field (its own or the pod's), the two
    ///     must ask for the same profile. For a Pod the API server first copies a valid
    ///     annotation into the field of a container that sets none, so there the annotation can
    ///     only disagree with the container's own field, or, when it is empty, with the pod's;
    ///     a pod template is compared as written.
    /// - Neither an AppArmor profile nor SELinux options set at all: **warn**. On nodes with
    ///   AppArmor enabled the container runtime applies its default profile to such a container,
    ///   on other nodes nothing confines it; setting `RuntimeDefault` makes the intent explicit
    ///   and fails closed where AppArmor is missing. An annotation with an empty value sets no
    ///   profile (the kubelet ignores it), so it counts as nothing set.
    ///
    /// Windows pods (`spec.os.name: windows`) are not checked.
    ///
    /// ## Why
    /// Checklist item 3.6: AppArmor and SELinux confine what a process may touch even when it
    /// runs as root inside the container, a last line of defence against an escape.
    ///
    /// An invalid AppArmor value fails the item, because the profile it was meant to set never
    /// applies, but with low severity, because no container runs unconfined on its account:
    /// the API server rejects a Pod with one, and a workload whose pod template has one; the
    /// one value it lets through, `localhost/` with no name, makes pods the kubelet refuses to
    /// start. What is at stake is a workload that does not deploy or never starts. Where an
    /// invalid annotation does reach a node (a cluster whose API server checks less), the
    /// kubelet ignores an annotation it does not recognise, and the container runs as if it
    /// set no profile, which this rule rates low already. kcheck does not guess which of these
    /// a given cluster does: the value is wrong on every one of them.
    ///
    /// ## Fix
    /// ```yaml
    /// securityContext:
    ///   appArmorProfile:
    ///     type: RuntimeDefault        # or Localhost, with localhostProfile: <loaded profile>
    /// ```
    /// or, on SELinux nodes, `seLinuxOptions: {type: container_t, level: "s0:c123,c456"}`.
    /// Drop the deprecated `container.apparmor.security.beta.kubernetes.io/<name>` annotations,
    /// or keep each equal to the field (`runtime/default`, `localhost/<name>`).
    ///
    /// ## References
    /// - https://kubernetes.io/docs/tutorials/security/apparmor/
    /// - https://kubernetes.io/docs/reference/labels-annotations-taints/
    /// - https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container
    pub static RULE = {
        code: "KC311",
        name: "apparmor-selinux-profile",
        item: "3.6",
        severity: Severity::Medium,
        evidence: Evidence::Objects,
        admission: Admission::Judged,
        title: Text::fixed("Container is not confined by AppArmor or SELinux", "容器未受 AppArmor 或 SELinux 约束"),
        fix: Text::fixed(
            "Set securityContext.appArmorProfile.type: RuntimeDefault (or Localhost with a localhostProfile), or SELinux options, and never Unconfined; keep any legacy AppArmor annotation equal to the field, or remove it.",
            "设置 securityContext.appArmorProfile.type: RuntimeDefault（或 Localhost 并指定 localhostProfile）或 SELinux 选项，不要使用 Unconfined；旧的 AppArmor 注解要么与字段保持一致，要么删除。",
        ),
        severities: &[Severity::Low],
        check: Check::Object { kinds: WORKLOAD_KINDS, run: check },
        reads: &["Namespace"],
        doc_zh: r#"
## 检查内容
每个容器的强制访问控制设置：
- AppArmor 为 `Unconfined`（Pod 或容器上的 `securityContext.appArmorProfile` 字段，或 `container.apparmor.security.beta.kubernetes.io/<name>` 注解），或者 SELinux 选项中的类型不属于容器类型：**不通过**。这两项就是 Pod 安全准入的 `appArmorProfile` 和 `seLinuxOptions` 检查，原样复用，并应用于所有工作负载。
- Kubernetes 不接受的 AppArmor 设置：**不通过**，严重程度为低；这类设置报告为无效，既不当作已约束，也不当作未约束。这些是 API 服务器的检查（`ValidateAppArmorProfileField`、`ValidateAppArmorPodAnnotations`、`validateAppArmorAnnotationsAndFieldsMatchOnCreate`，API 服务器对 Pod 和工作负载的 Pod 模板同样执行），以及 kubelet 的检查：
  - `appArmorProfile.type` 必须设置，且只能是 `RuntimeDefault`、`Localhost` 或 `Unconfined`，拼写（包括大小写）须完全一致；
  - `type: Localhost` 需要一个非空的 `localhostProfile`，其首尾不能有空白字符，长度不超过 4095 字节；类型为其他值时不得设置 `localhostProfile`；
  - 注解的键必须指向 Pod 中的某个容器，值必须是 `runtime/default`、`unconfined` 或 `localhost/<name>`。不带名称的 `localhost/` 能通过 API 服务器的检查，但在启用了 AppArmor 的节点上，kubelet 会拒绝启动该 Pod；
  - 同一容器既有注解又有字段（容器自己的或 Pod 的）时，二者要求的配置文件必须相同。对于 Pod，API 服务器会先把有效的注解复制到未设置该字段的容器的字段中，因此注解只可能与容器自己的字段不一致，或者在容器字段为空时与 Pod 的字段不一致；Pod 模板则按书写的原样比较。
- 既没有设置 AppArmor 配置文件，也没有设置 SELinux 选项：**警告**。在启用了 AppArmor 的节点上，容器运行时会为这样的容器应用其默认配置文件；在其他节点上则没有任何约束。设置 `RuntimeDefault` 可以明确表达意图，并且在缺少 AppArmor 的节点上失败关闭（fail closed）。值为空的注解不设置任何配置文件（kubelet 会忽略它），因此视为未设置。

Windows Pod（`spec.os.name: windows`）不做检查。

## 原因
检查清单第 3.6 项：即使进程在容器内以 root 身份运行，AppArmor 和 SELinux 也能限制它可以访问的内容，是防范容器逃逸的最后一道防线。

无效的 AppArmor 值会使该项不通过，因为它本想设置的配置文件根本不会生效；但严重程度为低，因为不会有容器因此在不受约束的状态下运行：API 服务器会拒绝带有无效值的 Pod，也会拒绝 Pod 模板中带有无效值的工作负载；它唯一放行的值，即不带名称的 `localhost/`，会使 kubelet 拒绝启动相应的 Pod。真正的后果是工作负载无法部署或永远无法启动。如果无效的注解确实到达了节点（在 API 服务器检查较少的集群中），kubelet 会忽略它无法识别的注解，容器就像未设置任何配置文件一样运行，而这种情况本规则已经评为低严重程度。kcheck 不去猜测某个集群属于哪种情况：这个值在任何集群上都是错误的。

## 修复
```yaml
securityContext:
  appArmorProfile:
    type: RuntimeDefault        # 或 Localhost，并设置 localhostProfile: <已加载的配置文件>
```
在 SELinux 节点上，也可以设置 `seLinuxOptions: {type: container_t, level: "s0:c123,c456"}`。删除已弃用的 `container.apparmor.security.beta.kubernetes.io/<name>` 注解，或者让每个注解都与字段保持一致（`runtime/default`、`localhost/<name>`）。

## 参考
- https://kubernetes.io/zh-cn/docs/tutorials/security/apparmor/
- https://kubernetes.io/zh-cn/docs/reference/labels-annotations-taints/
- https://kubernetes.io/zh-cn/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container
"#,
    }
}

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

/// The longest `localhostProfile` the API server accepts (PATH_MAX - 1).
const MAX_LOCALHOST_PROFILE: usize = 4095;

/// An AppArmor profile the API server accepts.
#[derive(Clone, Copy)]
enum Profile<'a> {
    RuntimeDefault,
    Localhost(&'a str),
    Unconfined,
}

impl Profile<'_> {
    /// Whether an annotation asks for this profile, compared as the API server compares a
    /// field with the annotation of the same container.
    fn agrees(self, annotation: &str) -> bool {
        match self {
            Profile::RuntimeDefault => annotation == "runtime/default",
            Profile::Unconfined => annotation == "unconfined",
            Profile::Localhost(name) => annotation.strip_prefix("localhost/") == Some(name),
        }
    }

    fn describe(self) -> String {
        match self {
            Profile::RuntimeDefault => "RuntimeDefault".to_string(),
            Profile::Unconfined => "Unconfined".to_string(),
            Profile::Localhost(name) => format!("Localhost {name:?}"),
        }
    }
}

/// Whether the API server turns an annotation into a container's field when the container
/// sets none (it skips values whose field would be invalid).
fn copied_to_field(annotation: &str) -> bool {
    match annotation {
        "runtime/default" | "unconfined" => true,
        _ => annotation
            .strip_prefix("localhost/")
            .is_some_and(|name| localhost_problem(name).is_none()),
    }
}

/// Why the API server refuses a `localhostProfile`, if it does.
fn localhost_problem(name: &str) -> Option<Problem> {
    if name.is_empty() {
        Some(Problem::EmptyLocalhost)
    } else if name.trim() != name {
        Some(Problem::Padded)
    } else if name.len() > MAX_LOCALHOST_PROFILE {
        Some(Problem::TooLong)
    } else {
        None
    }
}

/// What is wrong with a `localhostProfile` the API server refuses.
enum Problem {
    EmptyLocalhost,
    Padded,
    TooLong,
}

/// The pod or one of its containers, whose `securityContext.appArmorProfile` is read.
#[derive(Clone, Copy)]
enum Who<'a> {
    Pod,
    Container(Container<'a>),
}

impl<'a> Who<'a> {
    fn security_context(self, pod: &PodSpec<'a>) -> Option<&'a Node> {
        match self {
            Who::Pod => pod.get("securityContext"),
            Who::Container(c) => c.get("securityContext"),
        }
    }

    /// `...securityContext.appArmorProfile` followed by `rest` (`""`, `".type"`, ...).
    fn path(self, pod: &PodSpec<'_>, rest: &str) -> FieldPath {
        let field = format!("securityContext.appArmorProfile{rest}");
        match self {
            Who::Pod => pod.path(&field),
            Who::Container(c) => c.path(&field),
        }
    }

    fn en(self) -> String {
        match self {
            Who::Pod => "pod".to_string(),
            Who::Container(c) => c.label_en(),
        }
    }

    fn zh(self) -> String {
        match self {
            Who::Pod => "Pod".to_string(),
            Who::Container(c) => c.label_zh(),
        }
    }
}

/// A value Kubernetes refuses, where it is and why.
struct Invalid {
    path: FieldPath,
    text: Text,
}

/// `Some(Ok)` for a valid profile, `Some(Err)` for one the API server rejects
/// (`ValidateAppArmorProfileField`), `None` when none is set.
type Read<'a> = Option<Result<Profile<'a>, Invalid>>;

/// A value in messages: a string quoted, anything else as JSON.
fn shown(node: &Node) -> String {
    match node.as_str() {
        Some(s) => format!("{s:?}"),
        None => node.to_json().to_string(),
    }
}

fn read_profile<'a>(pod: &PodSpec<'a>, who: Who<'a>) -> Read<'a> {
    let node = who
        .security_context(pod)?
        .get("appArmorProfile")
        .filter(|n| !n.is_null())?;
    let (en, zh) = (who.en(), who.zh());
    let invalid = |rest: &str, text: Text| -> Read<'a> {
        Some(Err(Invalid {
            path: who.path(pod, rest),
            text,
        }))
    };
    if !matches!(node.value, Value::Map(_)) {
        return invalid(
            "",
            text!(
                "{en} sets appArmorProfile to something other than an object: the API server rejects it",
                "{zh} 的 appArmorProfile 不是对象：API Server 会拒绝",
            ),
        );
    }
    let localhost = node.get("localhostProfile").filter(|n| !n.is_null());
    let ty = node.get("type").filter(|n| !n.is_null());
    let kind = match ty.map(|t| (t.as_str(), t)) {
        None | Some((Some(""), _)) => {
            return invalid(
                ".type",
                text!(
                    "{en} sets appArmorProfile without a type (RuntimeDefault, Localhost or Unconfined): the API server rejects it",
                    "{zh} 设置了 appArmorProfile 但没有 type（应为 RuntimeDefault、Localhost 或 Unconfined）：API Server 会拒绝",
                ),
            )
        }
        Some((Some(t @ ("RuntimeDefault" | "Localhost" | "Unconfined")), _)) => t,
        Some((_, t)) => {
            let t = shown(t);
            return invalid(
                ".type",
                text!(
                    "{en} sets appArmorProfile type {t}, which is not RuntimeDefault, Localhost or Unconfined: the API server rejects it",
                    "{zh} 的 appArmorProfile type 为 {t}，不是 RuntimeDefault、Localhost 或 Unconfined：API Server 会拒绝",
                ),
            );
        }
    };
    match (kind, localhost) {
        ("Localhost", None) => invalid(
            ".localhostProfile",
            text!(
                "{en} sets appArmorProfile type Localhost without a localhostProfile: the API server rejects it",
                "{zh} 的 appArmorProfile type 为 Localhost，但未设置 localhostProfile：API Server 会拒绝",
            ),
        ),
        ("Localhost", Some(node)) => {
            let Some(name) = node.as_str() else {
                let value = shown(node);
                return invalid(
                    ".localhostProfile",
                    text!(
                        "{en} sets localhostProfile {value}, which is not a profile name: the API server rejects it",
                        "{zh} 的 localhostProfile 为 {value}，不是配置文件名：API Server 会拒绝",
                    ),
                );
            };
            let text = match localhost_problem(name) {
                None => return Some(Ok(Profile::Localhost(name))),
                Some(Problem::EmptyLocalhost) => text!(
                    "{en} sets appArmorProfile type Localhost with an empty localhostProfile: the API server rejects it",
                    "{zh} 的 appArmorProfile type 为 Localhost，但 localhostProfile 为空：API Server 会拒绝",
                ),
                Some(Problem::Padded) => text!(
                    "{en} sets localhostProfile {name:?}, padded with whitespace: the API server rejects it",
                    "{zh} 的 localhostProfile {name:?} 首尾带有空白字符：API Server 会拒绝",
                ),
                Some(Problem::TooLong) => text!(
                    "{en} sets a localhostProfile longer than {MAX_LOCALHOST_PROFILE} bytes: the API server rejects it",
                    "{zh} 的 localhostProfile 超过 {MAX_LOCALHOST_PROFILE} 字节：API Server 会拒绝",
                ),
            };
            invalid(".localhostProfile", text)
        }
        (t, Some(_)) => invalid(
            ".localhostProfile",
            text!(
                "{en} sets localhostProfile with appArmorProfile type {t}: only type Localhost takes a profile name, and the API server rejects it",
                "{zh} 在 appArmorProfile type 为 {t} 时设置了 localhostProfile：只有 Localhost 类型可以指定配置文件名，API Server 会拒绝",
            ),
        ),
        ("Unconfined", None) => Some(Ok(Profile::Unconfined)),
        _ => Some(Ok(Profile::RuntimeDefault)),
    }
}

/// `metadata.annotations.<key>` of the pod or the pod template.
fn annotation_path(pod: &PodSpec<'_>, key: &str) -> FieldPath {
    let mut path = pod.path("");
    path.0.pop();
    for k in ["metadata", "annotations", key] {
        path.0.push(Segment::Key(k.to_string()));
    }
    path
}

/// Who asks Pod Security Admission's `appArmorProfile` check for `Unconfined`.
enum Setter<'a> {
    Pod,
    Container(&'a str),
    /// `key="unconfined"`, as the check quotes it.
    Annotation(String),
}

/// Everything AppArmor of one pod spec, judged once.
#[derive(Default)]
struct AppArmor<'a> {
    invalid: Vec<Invalid>,
    /// The fields of Pod Security Admission's check that hold values reported as invalid
    /// instead: the API server refuses them before admission could call them forbidden.
    invalid_fields: Vec<FieldPath>,
    /// Valid `Unconfined` settings, at the field Pod Security Admission names.
    unconfined: Vec<(FieldPath, Setter<'a>)>,
    /// Containers with a non-empty annotation (valid or not).
    annotated: Vec<&'a str>,
}

impl<'a> AppArmor<'a> {
    fn profile(&mut self, pod: &PodSpec<'a>, who: Who<'a>) -> Option<Result<Profile<'a>, ()>> {
        let read = read_profile(pod, who)?;
        let type_path = who.path(pod, ".type");
        Some(match read {
            Ok(profile) => {
                if let Profile::Unconfined = profile {
                    let setter = match who {
                        Who::Pod => Setter::Pod,
                        Who::Container(c) => Setter::Container(c.name()),
                    };
                    self.unconfined.push((type_path, setter));
                }
                Ok(profile)
            }
            Err(invalid) => {
                self.invalid.push(invalid);
                self.invalid_fields.push(type_path);
                Err(())
            }
        })
    }

    fn read(object: &Object, pod: &PodSpec<'a>) -> AppArmor<'a> {
        let mut aa = AppArmor::default();
        let pod_profile = aa.profile(pod, Who::Pod);
        let containers: Vec<Container<'a>> = pod.containers().collect();
        let own: Vec<_> = containers
            .iter()
            .map(|c| aa.profile(pod, Who::Container(*c)))
            .collect();
        let annotations = pod
            .metadata
            .and_then(|m| m.get("annotations"))
            .map_or(&[][..], Node::as_map);
        for entry in annotations {
            let key = entry.key.as_str();
            let Some(name) = key.strip_prefix(ANNOTATION_PREFIX) else {
                continue;
            };
            let path = annotation_path(pod, key);
            // A Go map of strings reads null as "".
            let value = if entry.value.is_null() {
                Some("")
            } else {
                entry.value.as_str()
            };
            let index = containers.iter().position(|c| c.name() == name);
            if index.is_some() && value != Some("") {
                aa.annotated.push(name);
            }
            let shown_value = shown(&entry.value);
            let problem = match (index, value) {
                (None, _) => Some(text!(
                    "annotation {key} names container \"{name}\", which the pod does not have: the API server rejects it",
                    "注解 {key} 指向的容器 \"{name}\" 在 Pod 中不存在：API Server 会拒绝",
                )),
                (_, Some("" | "runtime/default" | "unconfined")) => None,
                (_, Some(v)) if v.strip_prefix("localhost/").is_some_and(|n| n.trim().is_empty()) => Some(text!(
                    "annotation {key}={shown_value} names no localhost profile: the API server accepts it, but the kubelet refuses to start the pod on a node with AppArmor enabled",
                    "注解 {key}={shown_value} 未指定 localhost 配置文件名：API Server 会接受，但在启用了 AppArmor 的节点上 kubelet 会拒绝启动该 Pod",
                )),
                (_, Some(v)) if v.starts_with("localhost/") => None,
                _ => Some(text!(
                    "annotation {key}={shown_value} is not runtime/default, localhost/<profile> or unconfined: the API server rejects it",
                    "注解 {key}={shown_value} 不是 runtime/default、localhost/<配置文件名> 或 unconfined：API Server 会拒绝",
                )),
            };
            if let Some(text) = problem {
                aa.invalid.push(Invalid {
                    path: path.clone(),
                    text,
                });
                aa.invalid_fields.push(path);
                continue;
            }
            let (Some(index), Some(value)) = (index, value) else {
                continue;
            };
            if value == "unconfined" {
                let setter = Setter::Annotation(format!("{key}=\"unconfined\""));
                aa.unconfined.push((path.clone(), setter));
            }
            // The field that applies to the container: its own, or the pod's. An invalid one
            // is reported already.
            let (profile, from_pod) = match (&own[index], &pod_profile) {
                (Some(Ok(p)), _) => (*p, false),
                (None, Some(Ok(p))) => (*p, true),
                _ => continue,
            };
            if object.kind == "Pod" && from_pod && copied_to_field(value) {
                continue;
            }
            if profile.agrees(value) {
                continue;
            }
            let c = containers[index];
            let (en, zh) = (c.label_en(), c.label_zh());
            let desc = profile.describe();
            let text = if from_pod {
                text!(
                    "annotation {key}={shown_value} disagrees with the pod's appArmorProfile ({desc}), which {en} inherits: the API server rejects an AppArmor annotation that differs from the field",
                    "注解 {key}={shown_value} 与{zh} 继承的 Pod 级 appArmorProfile（{desc}）不一致：注解与字段不一致时 API Server 会拒绝",
                )
            } else {
                text!(
                    "annotation {key}={shown_value} disagrees with the appArmorProfile of {en} ({desc}): the API server rejects an AppArmor annotation that differs from the field",
                    "注解 {key}={shown_value} 与{zh} 的 appArmorProfile（{desc}）不一致：注解与字段不一致时 API Server 会拒绝",
                )
            };
            aa.invalid.push(Invalid { path, text });
        }
        aa
    }
}

/// Pod Security Admission's message for `Unconfined` settings (`check_appArmorProfile.go`),
/// for when some of the fields it named hold invalid values and are left out.
fn forbidden<'s>(setters: impl Iterator<Item = &'s Setter<'s>>) -> (String, String) {
    let (mut pod, mut names, mut annotations) = (false, Vec::new(), Vec::new());
    for s in setters {
        match s {
            Setter::Pod => pod = true,
            Setter::Container(name) => names.push(*name),
            Setter::Annotation(a) => annotations.push(a.as_str()),
        }
    }
    annotations.sort_unstable();
    annotations.dedup();
    let quoted = |items: &[&str]| {
        items
            .iter()
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut values = Vec::new();
    let mut detail = String::new();
    if pod || !names.is_empty() {
        values.push("Unconfined");
        if pod {
            detail.push_str("pod");
        }
        if !names.is_empty() {
            if pod {
                detail.push_str(" and ");
            }
            detail.push_str(if names.len() == 1 {
                "container "
            } else {
                "containers "
            });
            detail.push_str(&quoted(&names));
        }
        if !annotations.is_empty() {
            detail.push_str(" and ");
        }
    }
    if !annotations.is_empty() {
        detail.push_str(if annotations.len() == 1 {
            "annotation"
        } else {
            "annotations"
        });
    }
    values.extend(annotations);
    detail.push_str(" must not set AppArmor profile type to ");
    detail.push_str(&quoted(&values));
    let reason = if values.len() == 1 {
        "forbidden AppArmor profile"
    } else {
        "forbidden AppArmor profiles"
    };
    (reason.to_string(), detail)
}

fn has_profile(sc: Option<&Node>) -> bool {
    sc.is_some_and(|s| {
        ["appArmorProfile", "seLinuxOptions"]
            .iter()
            .any(|k| s.get(k).is_some_and(|n| !n.is_null()))
    })
}

/// One failure per field, with Pod Security Admission's reason and detail.
fn report(object: &Object, sink: &mut Sink, fields: &[&FieldPath], reason: &str, detail: &str) {
    for field in fields {
        sink.fail(
            object,
            (*field).clone(),
            text!("{reason}: {detail}", "{reason}:{detail}"),
        );
    }
}

fn check(object: &Object, ctx: &Context, sink: &mut Sink) {
    let Some(pod) = object.pod_spec() else { return };
    if pod.spec.path(&["os", "name"]).and_then(Node::as_str) == Some("windows") {
        return;
    }
    sink.examined();
    let AppArmor {
        invalid,
        invalid_fields,
        unconfined,
        annotated,
    } = AppArmor::read(object, &pod);
    for Invalid { path, text } in invalid {
        sink.fail(object, path, text).severity = Severity::Low;
    }
    let Some(eval) = ctx.pss(object, Level::Restricted, ctx.config.latest()) else {
        return;
    };
    if let Some(v) = eval.violation("appArmorProfile") {
        let kept: Vec<&FieldPath> = v
            .fields
            .iter()
            .filter(|f| !invalid_fields.contains(f))
            .collect();
        if kept.len() == v.fields.len() {
            report(object, sink, &kept, &v.reason, &v.detail);
        } else if !kept.is_empty() {
            let (reason, detail) = forbidden(
                unconfined
                    .iter()
                    .filter(|(path, _)| kept.contains(&path))
                    .map(|(_, setter)| setter),
            );
            report(object, sink, &kept, &reason, &detail);
        }
    }
    if let Some(v) = eval.violation("seLinuxOptions") {
        let fields: Vec<&FieldPath> = v.fields.iter().collect();
        report(object, sink, &fields, &v.reason, &v.detail);
    }
    if has_profile(pod.get("securityContext")) {
        return;
    }
    for c in pod
        .containers()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
    {
        if has_profile(c.get("securityContext")) || annotated.contains(&c.name()) {
            continue;
        }
        let (en, zh) = (c.label_en(), c.label_zh());
        sink.warn(
            object,
            c.path("securityContext.appArmorProfile"),
            text!(
                "{en} sets no AppArmor profile or SELinux options: only a node's runtime default can confine it",
                "{zh} 未设置 AppArmor 配置文件或 SELinux 选项：只能依赖节点运行时的默认配置",
            ),
        )
        .severity = Severity::Low;
    }
}
