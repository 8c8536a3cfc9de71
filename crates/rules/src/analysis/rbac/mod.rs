//! An RBAC model over the inventory: roles (with aggregated ClusterRoles resolved), bindings,
//! subjects, and the two questions the auth rules ask: what may a subject do, and who may do a
//! thing. [`who_can_view`] gives the second's answer as `kcheck who-can` shows it.

pub mod builtin;
mod view;

pub use view::who_can_view;

use super::label_selector as selector;
use kcheck_model::{Inventory, Node, Object};
use std::collections::{HashMap, HashSet};

/// One entry of a role's `rules`.
#[derive(Debug, Clone)]
pub struct PolicyRule<'a> {
    /// The role object where the rule is written (an aggregated ClusterRole's rules live in the
    /// roles it selects); `None` for the built-in roles kcheck knows when they are not in the
    /// input.
    pub object: Option<&'a Object>,
    /// The index in that object's `rules`.
    pub index: usize,
    pub verbs: Vec<&'a str>,
    pub api_groups: Vec<&'a str>,
    pub resources: Vec<&'a str>,
    pub resource_names: Vec<&'a str>,
    pub non_resource_urls: Vec<&'a str>,
}

impl<'a> PolicyRule<'a> {
    fn parse(object: &'a Object, index: usize, node: &'a Node) -> PolicyRule<'a> {
        PolicyRule {
            object: Some(object),
            index,
            verbs: strings(node.get("verbs")),
            api_groups: strings(node.get("apiGroups")),
            resources: strings(node.get("resources")),
            resource_names: strings(node.get("resourceNames")),
            non_resource_urls: strings(node.get("nonResourceURLs")),
        }
    }

    /// Whether the rule allows `verb` on `resource` (`pods` or `pods/exec`) of API `group`, as
    /// the RBAC authorizer decides it (`*` anywhere, and `*/sub` for a subresource). Rules
    /// limited to `resourceNames` still count: they grant the verb on those objects.
    pub fn allows(&self, verb: &str, group: &str, resource: &str) -> bool {
        let verb_ok = self.verbs.iter().any(|v| *v == "*" || *v == verb);
        let group_ok = self.api_groups.iter().any(|g| *g == "*" || *g == group);
        let sub = resource.split_once('/').map(|(_, s)| s);
        let resource_ok = self.resources.iter().any(|r| {
            *r == "*" || *r == resource || sub.is_some_and(|s| r.strip_prefix("*/") == Some(s))
        });
        verb_ok && group_ok && resource_ok
    }

    /// Whether the rule allows `verb` on the object named `name` (`None`: a request without a
    /// name, such as list or create), as the authorizer decides it: a rule limited to
    /// `resourceNames` allows only requests for those names.
    pub fn allows_named(
        &self,
        verb: &str,
        group: &str,
        resource: &str,
        name: Option<&str>,
    ) -> bool {
        self.allows(verb, group, resource)
            && (self.resource_names.is_empty()
                || name.is_some_and(|n| self.resource_names.contains(&n)))
    }

    /// Whether the rule allows `verb` on a non-resource URL such as `/metrics` (`*` and
    /// trailing-`*` prefixes match). Only ClusterRoleBindings grant these.
    pub fn allows_url(&self, verb: &str, url: &str) -> bool {
        let verb_ok = self.verbs.iter().any(|v| *v == "*" || *v == verb);
        verb_ok
            && self.non_resource_urls.iter().any(|u| {
                *u == "*"
                    || *u == url
                    || u.strip_suffix('*')
                        .is_some_and(|prefix| url.starts_with(prefix))
            })
    }
}

/// Built-in resources as kubectl accepts them: plural, API group, and the other names (singular
/// and short) that mean it.
const RESOURCES: &[(&str, &str, &[&str])] = &[
    ("pods", "", &["pod", "po"]),
    ("services", "", &["service", "svc"]),
    ("secrets", "", &["secret"]),
    ("configmaps", "", &["configmap", "cm"]),
    ("namespaces", "", &["namespace", "ns"]),
    ("nodes", "", &["node", "no"]),
    ("serviceaccounts", "", &["serviceaccount", "sa"]),
    (
        "persistentvolumeclaims",
        "",
        &["persistentvolumeclaim", "pvc"],
    ),
    ("persistentvolumes", "", &["persistentvolume", "pv"]),
    ("endpoints", "", &["ep"]),
    ("events", "", &["event", "ev"]),
    (
        "replicationcontrollers",
        "",
        &["replicationcontroller", "rc"],
    ),
    ("limitranges", "", &["limitrange", "limits"]),
    ("resourcequotas", "", &["resourcequota", "quota"]),
    ("podtemplates", "", &["podtemplate"]),
    ("deployments", "apps", &["deployment", "deploy"]),
    ("replicasets", "apps", &["replicaset", "rs"]),
    ("statefulsets", "apps", &["statefulset", "sts"]),
    ("daemonsets", "apps", &["daemonset", "ds"]),
    ("controllerrevisions", "apps", &["controllerrevision"]),
    ("jobs", "batch", &["job"]),
    ("cronjobs", "batch", &["cronjob", "cj"]),
    (
        "networkpolicies",
        "networking.k8s.io",
        &["networkpolicy", "netpol"],
    ),
    ("ingresses", "networking.k8s.io", &["ingress", "ing"]),
    ("ingressclasses", "networking.k8s.io", &["ingressclass"]),
    ("roles", "rbac.authorization.k8s.io", &["role"]),
    (
        "rolebindings",
        "rbac.authorization.k8s.io",
        &["rolebinding"],
    ),
    (
        "clusterroles",
        "rbac.authorization.k8s.io",
        &["clusterrole"],
    ),
    (
        "clusterrolebindings",
        "rbac.authorization.k8s.io",
        &["clusterrolebinding"],
    ),
    (
        "poddisruptionbudgets",
        "policy",
        &["poddisruptionbudget", "pdb"],
    ),
    ("storageclasses", "storage.k8s.io", &["storageclass", "sc"]),
    ("csidrivers", "storage.k8s.io", &["csidriver"]),
    (
        "validatingwebhookconfigurations",
        "admissionregistration.k8s.io",
        &["validatingwebhookconfiguration"],
    ),
    (
        "mutatingwebhookconfigurations",
        "admissionregistration.k8s.io",
        &["mutatingwebhookconfiguration"],
    ),
    (
        "validatingadmissionpolicies",
        "admissionregistration.k8s.io",
        &["validatingadmissionpolicy"],
    ),
    (
        "validatingadmissionpolicybindings",
        "admissionregistration.k8s.io",
        &["validatingadmissionpolicybinding"],
    ),
    (
        "customresourcedefinitions",
        "apiextensions.k8s.io",
        &["customresourcedefinition", "crd", "crds"],
    ),
    (
        "certificatesigningrequests",
        "certificates.k8s.io",
        &["certificatesigningrequest", "csr"],
    ),
    ("leases", "coordination.k8s.io", &["lease"]),
    (
        "horizontalpodautoscalers",
        "autoscaling",
        &["horizontalpodautoscaler", "hpa"],
    ),
    ("runtimeclasses", "node.k8s.io", &["runtimeclass"]),
    (
        "priorityclasses",
        "scheduling.k8s.io",
        &["priorityclass", "pc"],
    ),
];

/// The verbs Kubernetes authorizes (`*` included).
pub const KNOWN_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "impersonate",
    "bind",
    "escalate",
    "use",
    "approve",
    "sign",
    "attest",
    "proxy",
    "*",
];

/// A resource as kubectl would resolve it (`deploy` -> (`deployments`, `apps`), `secret` ->
/// (`secrets`, ``), `deployments/scale` -> (`deployments/scale`, `apps`)); a resource with a
/// group given (`foos.example.com`), a URL, or a name kcheck does not know is split as given.
/// The bool says whether the name is a built-in resource's.
pub fn resolve_resource(spec: &str) -> (String, String, bool) {
    let (resource, group) = split_resource(spec);
    if !group.is_empty() || resource.starts_with('/') {
        return (resource, group, true);
    }
    let (name, sub) = resource
        .split_once('/')
        .map_or((resource.as_str(), None), |(n, s)| (n, Some(s)));
    let lower = name.to_ascii_lowercase();
    let known = RESOURCES
        .iter()
        .find(|(plural, _, others)| *plural == lower || others.contains(&lower.as_str()));
    match known {
        Some((plural, group, _)) => {
            let resource = match sub {
                Some(sub) => format!("{plural}/{sub}"),
                None => (*plural).to_string(),
            };
            (resource, (*group).to_string(), true)
        }
        None => (resource.clone(), group, false),
    }
}

/// kubectl's spelling of a resource to (resource, API group): `deployments.apps` ->
/// (`deployments`, `apps`), `pods/exec` -> (`pods/exec`, ``), `deployments.apps/scale` ->
/// (`deployments/scale`, `apps`); a non-resource URL (`/metrics`) stays as it is.
pub fn split_resource(spec: &str) -> (String, String) {
    if spec.starts_with('/') {
        return (spec.to_string(), String::new());
    }
    let (name, sub) = spec
        .split_once('/')
        .map_or((spec, None), |(n, s)| (n, Some(s)));
    let (plural, group) = name.split_once('.').unwrap_or((name, ""));
    let resource = match sub {
        Some(sub) => format!("{plural}/{sub}"),
        None => plural.to_string(),
    };
    (resource, group.to_string())
}

fn strings(node: Option<&Node>) -> Vec<&str> {
    node.map_or(&[][..], Node::as_seq)
        .iter()
        .filter_map(Node::as_str)
        .collect()
}

/// A Role or ClusterRole with its effective rules.
#[derive(Debug)]
pub struct Role<'a> {
    /// `None` for a built-in role assumed to exist though it is not in the input.
    pub object: Option<&'a Object>,
    /// `ClusterRole` or `Role`.
    pub kind: &'a str,
    pub namespace: Option<&'a str>,
    pub name: &'a str,
    /// Its own rules, then those of the ClusterRoles it aggregates.
    pub rules: Vec<PolicyRule<'a>>,
}

/// Why holding a role cluster-wide is holding `cluster-admin` under another name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminEquivalent {
    /// A rule allows every verb on every resource of every API group (written with wildcards,
    /// or gathered by aggregation).
    EveryVerbOnEverything,
    /// The role lets its holder grant itself anything: `bind` on ClusterRoles with `create` on
    /// ClusterRoleBindings (bind `cluster-admin` to oneself), or `escalate` with `update` or
    /// `patch` on ClusterRoles (add `*` to a role one holds).
    GrantsItselfAnything,
}

impl Role<'_> {
    /// Whether this role, held cluster-wide, is `cluster-admin` in all but name. Rules limited
    /// to `resourceNames` do not count for the second form.
    pub fn admin_equivalent(&self) -> Option<AdminEquivalent> {
        let everything = |r: &PolicyRule| {
            r.resource_names.is_empty()
                && r.verbs.contains(&"*")
                && r.api_groups.contains(&"*")
                && r.resources.contains(&"*")
        };
        if self.rules.iter().any(everything) {
            return Some(AdminEquivalent::EveryVerbOnEverything);
        }
        let may = |verb: &str, resource: &str| {
            self.rules.iter().any(|r| {
                r.resource_names.is_empty() && r.allows(verb, "rbac.authorization.k8s.io", resource)
            })
        };
        let bind = may("bind", "clusterroles") && may("create", "clusterrolebindings");
        let escalate = may("escalate", "clusterroles")
            && (may("update", "clusterroles") || may("patch", "clusterroles"));
        (bind || escalate).then_some(AdminEquivalent::GrantsItselfAnything)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectKind {
    User,
    Group,
    ServiceAccount,
}

/// One entry of a binding's `subjects`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Subject<'a> {
    pub kind: SubjectKind,
    pub name: &'a str,
    /// For service accounts: theirs (defaulting to the binding's namespace).
    pub namespace: Option<&'a str>,
    /// The index in the binding's `subjects`.
    pub index: usize,
}

/// Groups and users that stand for everyone, or for every service account.
pub const BROAD: &[&str] = &[
    "system:anonymous",
    "system:unauthenticated",
    "system:authenticated",
];

impl Subject<'_> {
    /// Whether the subject belongs to the cluster itself: `system:` users and groups (other
    /// than those that stand for everyone or every service account) and kube-system service
    /// accounts.
    pub fn is_system(&self) -> bool {
        match self.kind {
            SubjectKind::ServiceAccount => self.namespace == Some("kube-system"),
            SubjectKind::User | SubjectKind::Group => {
                if let Some(rest) = self.name.strip_prefix("system:serviceaccount:") {
                    return rest.starts_with("kube-system:");
                }
                self.name.starts_with("system:")
                    && !BROAD.contains(&self.name)
                    && !self.name.starts_with("system:serviceaccounts")
            }
        }
    }

    /// `User alice`, `Group dev`, `ServiceAccount ci/deployer`.
    pub fn describe(&self) -> String {
        match (self.kind, self.namespace) {
            (SubjectKind::ServiceAccount, Some(ns)) => format!("ServiceAccount {ns}/{}", self.name),
            (kind, _) => format!("{kind:?} {}", self.name),
        }
    }

    /// Same identity, wherever it is listed.
    pub fn same(&self, other: &Subject) -> bool {
        self.kind == other.kind && self.name == other.name && self.namespace == other.namespace
    }
}

/// A RoleBinding or ClusterRoleBinding.
#[derive(Debug)]
pub struct Binding<'a> {
    pub object: &'a Object,
    /// True for a ClusterRoleBinding.
    pub cluster: bool,
    /// The RoleBinding's namespace (`default` when unset).
    pub namespace: Option<&'a str>,
    /// `roleRef.kind` and `roleRef.name`.
    pub role_kind: &'a str,
    pub role_name: &'a str,
    pub subjects: Vec<Subject<'a>>,
}

impl<'a> Binding<'a> {
    pub fn scope(&self) -> Scope<'a> {
        match self.namespace {
            Some(ns) if !self.cluster => Scope::Namespace(ns),
            _ => Scope::Cluster,
        }
    }

    pub fn parse(object: &'a Object) -> Binding<'a> {
        let cluster = object.kind == "ClusterRoleBinding";
        let namespace = (!cluster).then(|| object.namespace.as_deref().unwrap_or("default"));
        let role_ref = object.root.get("roleRef");
        let subjects = object
            .root
            .get("subjects")
            .map_or(&[][..], Node::as_seq)
            .iter()
            .enumerate()
            .filter_map(|(index, s)| {
                let kind = match s.str_at("kind")? {
                    "User" => SubjectKind::User,
                    "Group" => SubjectKind::Group,
                    "ServiceAccount" => SubjectKind::ServiceAccount,
                    _ => return None,
                };
                let namespace = match kind {
                    SubjectKind::ServiceAccount => s.str_at("namespace").or(namespace),
                    _ => None,
                };
                Some(Subject {
                    kind,
                    name: s.str_at("name")?,
                    namespace,
                    index,
                })
            })
            .collect();
        Binding {
            object,
            cluster,
            namespace,
            role_kind: role_ref.and_then(|r| r.str_at("kind")).unwrap_or(""),
            role_name: role_ref.and_then(|r| r.str_at("name")).unwrap_or(""),
            subjects,
        }
    }
}

/// Where a grant applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    Cluster,
    Namespace(&'a str),
}

/// A rule reaching a subject through a binding.
#[derive(Debug, Clone, Copy)]
pub struct Grant<'r, 'a> {
    pub rule: &'r PolicyRule<'a>,
    pub role: &'r Role<'a>,
    pub binding: &'r Binding<'a>,
    pub scope: Scope<'a>,
}

/// A subject that may do something, and how.
#[derive(Debug, Clone, Copy)]
pub struct Access<'r, 'a> {
    pub subject: &'r Subject<'a>,
    pub binding: &'r Binding<'a>,
    pub role: &'r Role<'a>,
    pub rule: &'r PolicyRule<'a>,
    pub scope: Scope<'a>,
}

/// A subject's identity as bindings name it.
type SubjectKey<'a> = (SubjectKind, &'a str, Option<&'a str>);

/// Every role and binding of the input, indexed so that the questions stay linear in the size
/// of the answer on clusters with tens of thousands of bindings.
#[derive(Debug, Default)]
pub struct Rbac<'a> {
    pub roles: Vec<Role<'a>>,
    pub bindings: Vec<Binding<'a>>,
    /// (kind, namespace for Roles, name) -> index in `roles`; the later one wins.
    role_index: HashMap<(&'a str, Option<&'a str>, &'a str), usize>,
    /// Subject -> indices in `bindings`, in order.
    by_subject: HashMap<SubjectKey<'a>, Vec<usize>>,
    /// Indices of the ClusterRoleBindings, and of the RoleBindings by namespace.
    cluster_bindings: Vec<usize>,
    by_namespace: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Rbac<'a> {
    pub fn new(inventory: &'a Inventory) -> Rbac<'a> {
        let cluster_roles: Vec<&Object> = inventory.of_kind("ClusterRole").collect();
        let mut roles: Vec<Role> = Vec::new();
        for object in &cluster_roles {
            let mut rules = own_rules(object);
            let mut seen: HashSet<*const Object> = HashSet::from([*object as *const Object]);
            aggregate(object, &cluster_roles, &mut seen, &mut rules);
            roles.push(Role {
                object: Some(object),
                kind: "ClusterRole",
                namespace: None,
                name: &object.name,
                rules,
            });
        }
        for object in inventory.of_kind("Role") {
            roles.push(Role {
                object: Some(object),
                kind: "Role",
                namespace: Some(object.namespace.as_deref().unwrap_or("default")),
                name: &object.name,
                rules: own_rules(object),
            });
        }
        for builtin in builtin::roles() {
            if !roles
                .iter()
                .any(|r| r.kind == "ClusterRole" && r.name == builtin.name)
            {
                roles.push(builtin);
            }
        }
        let bindings: Vec<Binding> = inventory
            .of_kind("ClusterRoleBinding")
            .chain(inventory.of_kind("RoleBinding"))
            .map(Binding::parse)
            .collect();
        let mut role_index = HashMap::with_capacity(roles.len());
        for (i, r) in roles.iter().enumerate() {
            let ns = if r.kind == "ClusterRole" {
                None
            } else {
                r.namespace
            };
            role_index.insert((r.kind, ns, r.name), i);
        }
        let mut by_subject: HashMap<SubjectKey, Vec<usize>> = HashMap::new();
        for (i, b) in bindings.iter().enumerate() {
            for s in &b.subjects {
                let list = by_subject.entry((s.kind, s.name, s.namespace)).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        let mut cluster_bindings = Vec::new();
        let mut by_namespace: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, b) in bindings.iter().enumerate() {
            match b.scope() {
                Scope::Cluster => cluster_bindings.push(i),
                Scope::Namespace(ns) => by_namespace.entry(ns).or_default().push(i),
            }
        }
        Rbac {
            roles,
            bindings,
            role_index,
            by_subject,
            cluster_bindings,
            by_namespace,
        }
    }

    /// The role a binding refers to, when it is in the input (or built in).
    pub fn role_of(&self, binding: &Binding) -> Option<&Role<'a>> {
        let ns = match binding.role_kind {
            "ClusterRole" => None,
            _ => binding.namespace,
        };
        self.role_index
            .get(&(binding.role_kind, ns, binding.role_name))
            .map(|&i| &self.roles[i])
    }

    /// The bindings that name `subject` or a group it belongs to, in input order. A service
    /// account is also the user `system:serviceaccount:<ns>:<name>` and a member of the groups
    /// `system:serviceaccounts`, `system:serviceaccounts:<ns>` and `system:authenticated`.
    fn bindings_naming(&self, subject: &Subject) -> Vec<usize> {
        let mut found: Vec<usize> = Vec::new();
        self.for_lists_naming(subject, |list| {
            found.extend_from_slice(list);
            false
        });
        found.sort_unstable();
        found.dedup();
        found
    }

    /// Calls `f` with each list of bindings that names `subject` (by name, or a user or group
    /// it is), until `f` says it has what it wants; whether it did.
    fn for_lists_naming(&self, subject: &Subject, mut f: impl FnMut(&[usize]) -> bool) -> bool {
        let mut list = |key: SubjectKey| self.by_subject.get(&key).is_some_and(|l| f(l));
        if list((subject.kind, subject.name, subject.namespace)) {
            return true;
        }
        if subject.kind == SubjectKind::ServiceAccount {
            let ns = subject.namespace.unwrap_or("default");
            let user = format!("system:serviceaccount:{ns}:{}", subject.name);
            let group = format!("system:serviceaccounts:{ns}");
            return list((SubjectKind::User, &user, None))
                || list((SubjectKind::Group, &group, None))
                || list((SubjectKind::Group, "system:serviceaccounts", None))
                || list((SubjectKind::Group, "system:authenticated", None));
        }
        false
    }

    /// The bindings that grant `role`.
    pub fn bindings_of<'r>(&'r self, role: &'r Role) -> impl Iterator<Item = &'r Binding<'a>> {
        self.bindings.iter().filter(move |b| {
            b.role_kind == role.kind
                && b.role_name == role.name
                && (role.kind == "ClusterRole" || role.namespace == b.namespace)
        })
    }

    /// Whether any rule reaches `subject` (what [`Rbac::grants`] would say, without building
    /// the list).
    pub fn has_grants(&self, subject: &Subject) -> bool {
        // Binding by binding, stopping at the first that grants something: the groups every
        // service account is in may be named by thousands of bindings.
        self.for_lists_naming(subject, |list| {
            list.iter().any(|&i| {
                self.role_of(&self.bindings[i])
                    .is_some_and(|r| !r.rules.is_empty())
            })
        })
    }

    /// Every rule that reaches `subject`, through the bindings that name it (service accounts
    /// also through the `system:serviceaccounts`, `system:serviceaccounts:<ns>` and
    /// `system:authenticated` groups).
    pub fn grants<'r>(&'r self, subject: &Subject) -> Vec<Grant<'r, 'a>> {
        let mut out = Vec::new();
        for i in self.bindings_naming(subject) {
            let binding = &self.bindings[i];
            let Some(role) = self.role_of(binding) else {
                continue;
            };
            for rule in &role.rules {
                out.push(Grant {
                    rule,
                    role,
                    binding,
                    scope: binding.scope(),
                });
            }
        }
        out
    }

    /// Every subject that may do `verb` on `resource` of API `group` in `namespace` (`None`:
    /// in any namespace or cluster-wide), with the binding, role and rule that allow it.
    ///
    /// `resource` may be a non-resource URL (`/metrics`, `/logs/*`): only ClusterRoleBindings
    /// grant those. With `name`, only rules that allow that object count; without it, rules
    /// limited to `resourceNames` are included (the caller shows the limit, see
    /// [`PolicyRule::resource_names`]).
    pub fn who_can<'r>(
        &'r self,
        verb: &str,
        group: &str,
        resource: &str,
        name: Option<&str>,
        namespace: Option<&str>,
    ) -> Vec<Access<'r, 'a>> {
        let url = resource.starts_with('/');
        let mut out = Vec::new();
        // Only the bindings that can reach the namespace: cluster-wide ones and its own.
        let candidates: Vec<usize> = match namespace {
            Some(ns) => {
                let mut c = self.cluster_bindings.clone();
                c.extend(self.by_namespace.get(ns).into_iter().flatten());
                c.sort_unstable();
                c
            }
            None => (0..self.bindings.len()).collect(),
        };
        for binding in candidates.into_iter().map(|i| &self.bindings[i]) {
            if url && !binding.cluster {
                continue;
            }
            if let (Some(want), Scope::Namespace(ns)) = (namespace, binding.scope()) {
                if want != ns {
                    continue;
                }
            }
            let Some(role) = self.role_of(binding) else {
                continue;
            };
            let allows = |r: &&PolicyRule| {
                if url {
                    r.allows_url(verb, resource)
                } else if name.is_some() {
                    r.allows_named(verb, group, resource, name)
                } else {
                    r.allows(verb, group, resource)
                }
            };
            // A rule without a names limit first: it is the stronger grant.
            let Some(rule) = role
                .rules
                .iter()
                .filter(allows)
                .min_by_key(|r| !r.resource_names.is_empty())
            else {
                continue;
            };
            for subject in &binding.subjects {
                out.push(Access {
                    subject,
                    binding,
                    role,
                    rule,
                    scope: binding.scope(),
                });
            }
        }
        out
    }
}

fn own_rules(object: &Object) -> Vec<PolicyRule<'_>> {
    object
        .root
        .get("rules")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .enumerate()
        .map(|(i, node)| PolicyRule::parse(object, i, node))
        .collect()
}

/// Adds the rules of the ClusterRoles that `object`'s aggregation rule selects, transitively.
fn aggregate<'a>(
    object: &'a Object,
    cluster_roles: &[&'a Object],
    seen: &mut HashSet<*const Object>,
    rules: &mut Vec<PolicyRule<'a>>,
) {
    let Some(selectors) = object
        .root
        .path(&["aggregationRule", "clusterRoleSelectors"])
    else {
        return;
    };
    for other in cluster_roles {
        if seen.contains(&(*other as *const Object)) {
            continue;
        }
        if selectors
            .as_seq()
            .iter()
            .any(|s| selector::matches(s, other.labels()))
        {
            seen.insert(*other as *const Object);
            rules.extend(own_rules(other));
            aggregate(other, cluster_roles, seen, rules);
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod resource_names {
    use super::resolve_resource;

    #[test]
    fn kubectl_names_resolve_to_their_group() {
        let r = |s: &str| resolve_resource(s);
        assert_eq!(
            r("deployments"),
            ("deployments".into(), "apps".into(), true)
        );
        assert_eq!(r("deploy"), ("deployments".into(), "apps".into(), true));
        assert_eq!(r("secret"), ("secrets".into(), "".into(), true));
        assert_eq!(
            r("deployments/scale"),
            ("deployments/scale".into(), "apps".into(), true)
        );
        assert_eq!(r("pods/exec"), ("pods/exec".into(), "".into(), true));
        assert_eq!(
            r("foos.example.com"),
            ("foos".into(), "example.com".into(), true)
        );
        assert_eq!(r("/metrics"), ("/metrics".into(), "".into(), true));
        assert_eq!(r("podz"), ("podz".into(), "".into(), false));
    }
}
