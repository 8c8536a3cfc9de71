//! Policy engines that enforce pod security in place of (or beside) Pod Security Admission:
//! Kyverno rules with `validate.podSecurity` or from its Pod Security policy set, Gatekeeper
//! constraints from the `k8spsp*` templates, and ValidatingAdmissionPolicies about pod security
//! contexts bound with `Deny`. Which namespaces each reaches and whether it blocks. Read by
//! KC808 (item 8.2).

use super::kyverno::{self, Reach};
use crate::analysis::image_verification::{gatekeeper_reach, namespace_labels};
use crate::analysis::label_selector as selector;
use kcheck_model::{text, FieldPath, Inventory, Node, Object, Text};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Kyverno,
    Gatekeeper,
    ValidatingAdmissionPolicy,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Kyverno => "Kyverno",
            Engine::Gatekeeper => "Gatekeeper",
            Engine::ValidatingAdmissionPolicy => "ValidatingAdmissionPolicy",
        }
    }
}

/// One policy (rule, constraint, binding) that checks pods' security settings.
pub struct Enforcer<'a> {
    pub engine: Engine,
    pub object: &'a Object,
    pub path: FieldPath,
    /// What it checks: "Pod Security Standard restricted", "rule privileged-containers", ...
    pub what: Text,
    /// Whether a violation is refused (Kyverno Enforce, Gatekeeper deny, VAP Deny).
    pub blocks: bool,
    rule: Option<&'a Node>,
    policy: Option<&'a Object>,
}

/// Words in a CEL expression that show it checks pod security settings.
const POD_SECURITY_WORDS: &[&str] = &[
    "securityContext",
    "privileged",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "hostPath",
    "hostPort",
    "capabilities",
    "runAsNonRoot",
    "runAsUser",
    "seccompProfile",
    "allowPrivilegeEscalation",
    "procMount",
    "appArmorProfile",
    "seLinuxOptions",
    "sysctls",
];

pub fn enforcers(inventory: &Inventory) -> Vec<Enforcer<'_>> {
    let mut out = Vec::new();
    kyverno_rules(inventory, &mut out);
    gatekeeper(inventory, &mut out);
    admission_policies(inventory, &mut out);
    out
}

fn kyverno_rules<'a>(inventory: &'a Inventory, out: &mut Vec<Enforcer<'a>>) {
    for policy in ["ClusterPolicy", "Policy"]
        .iter()
        .flat_map(|k| inventory.of_kind(k))
    {
        let category = policy
            .annotation("policies.kyverno.io/category")
            .unwrap_or("")
            .to_ascii_lowercase();
        let pss_set = category.contains("pod security");
        for (r, rule) in kyverno::rules(policy) {
            let Some(validate) = rule.get("validate") else {
                continue;
            };
            let what = match validate.get("podSecurity") {
                Some(ps) => {
                    let level = ps.str_at("level").unwrap_or("baseline");
                    if level.eq_ignore_ascii_case("privileged") {
                        continue;
                    }
                    text!("Pod Security Standard {level}", "Pod 安全标准 {level}")
                }
                None if pss_set => {
                    let name = rule.str_at("name").unwrap_or("?");
                    text!("rule {name}", "规则 {name}")
                }
                None => continue,
            };
            let action = validate
                .str_at("failureAction")
                .or(kyverno::policy_action(policy));
            out.push(Enforcer {
                engine: Engine::Kyverno,
                object: policy,
                path: FieldPath::parse(&format!("spec.rules[{r}].validate")),
                what,
                blocks: kyverno::enforces(action),
                rule: Some(rule),
                policy: None,
            });
        }
    }
}

/// Whether a constraint's `match.kinds` (when given) reaches Pods.
fn matches_pods(constraint: &Object) -> bool {
    let Some(kinds) = constraint.root.path(&["spec", "match", "kinds"]) else {
        return true;
    };
    kinds.as_seq().iter().any(|k| {
        k.get("kinds")
            .map_or(&[][..], Node::as_seq)
            .iter()
            .any(|x| matches!(x.as_str(), Some("Pod" | "*")))
    })
}

fn gatekeeper_blocks(constraint: &Object) -> bool {
    let spec = constraint.root.get("spec");
    match spec
        .and_then(|s| s.str_at("enforcementAction"))
        .unwrap_or("deny")
    {
        a if a.eq_ignore_ascii_case("deny") => true,
        a if a.eq_ignore_ascii_case("scoped") => spec
            .and_then(|s| s.get("scopedEnforcementActions"))
            .map_or(&[][..], Node::as_seq)
            .iter()
            .any(|s| {
                s.str_at("action")
                    .is_some_and(|a| a.eq_ignore_ascii_case("deny"))
            }),
        _ => false,
    }
}

fn gatekeeper<'a>(inventory: &'a Inventory, out: &mut Vec<Enforcer<'a>>) {
    let kinds = inventory
        .of_kind("ConstraintTemplate")
        .filter(|t| t.name.starts_with("k8spsp"))
        .filter_map(|t| {
            t.root
                .path(&["spec", "crd", "spec", "names", "kind"])
                .and_then(Node::as_str)
        });
    for kind in kinds {
        for c in inventory
            .of_kind(kind)
            .filter(|c| c.group() == "constraints.gatekeeper.sh" && matches_pods(c))
        {
            out.push(Enforcer {
                engine: Engine::Gatekeeper,
                object: c,
                path: FieldPath::parse("spec.enforcementAction"),
                what: text!("template {}", "模板 {}", kind.to_ascii_lowercase()),
                blocks: gatekeeper_blocks(c),
                rule: None,
                policy: None,
            });
        }
    }
}

/// Whether a ValidatingAdmissionPolicy's `matchConstraints` reaches pods and its validations
/// read pod security settings.
fn pod_security_policy(policy: &Object) -> bool {
    let spec = policy.root.get("spec");
    let pods = spec
        .and_then(|s| s.path(&["matchConstraints", "resourceRules"]))
        .map_or(&[][..], Node::as_seq)
        .iter()
        .any(|r| {
            let has = |key: &str, wanted: &[&str]| {
                r.get(key)
                    .map_or(&[][..], Node::as_seq)
                    .iter()
                    .any(|x| x.as_str().is_some_and(|x| wanted.contains(&x)))
            };
            has("apiGroups", &["", "*"]) && has("resources", &["pods", "*"])
        });
    let about_security = spec
        .and_then(|s| s.get("validations"))
        .map_or(&[][..], Node::as_seq)
        .iter()
        .filter_map(|v| v.str_at("expression"))
        .any(|e| POD_SECURITY_WORDS.iter().any(|w| e.contains(w)));
    pods && about_security
}

fn admission_policies<'a>(inventory: &'a Inventory, out: &mut Vec<Enforcer<'a>>) {
    for binding in inventory.of_kind("ValidatingAdmissionPolicyBinding") {
        let Some(name) = binding
            .root
            .path(&["spec", "policyName"])
            .and_then(Node::as_str)
        else {
            continue;
        };
        let Some(policy) = inventory.get("ValidatingAdmissionPolicy", None, name) else {
            continue;
        };
        if !pod_security_policy(policy) {
            continue;
        }
        let blocks = binding
            .root
            .path(&["spec", "validationActions"])
            .map_or(&[][..], Node::as_seq)
            .iter()
            .any(|a| a.as_str() == Some("Deny"));
        out.push(Enforcer {
            engine: Engine::ValidatingAdmissionPolicy,
            object: binding,
            path: FieldPath::parse("spec.validationActions"),
            what: text!("policy {name}", "策略 {name}"),
            blocks,
            rule: None,
            policy: Some(policy),
        });
    }
}

impl Enforcer<'_> {
    /// How far it reaches the pods of `namespace`.
    pub fn reach(&self, inventory: &Inventory, namespace: &str) -> Reach {
        let labels = namespace_labels(inventory, namespace);
        match self.engine {
            Engine::Kyverno => self.rule.map_or(Reach::None, |r| {
                kyverno::rule_reach(self.object, r, namespace, labels)
            }),
            Engine::Gatekeeper => gatekeeper_reach(self.object, namespace),
            Engine::ValidatingAdmissionPolicy => {
                let selected = |o: Option<&Object>, path: &[&str]| {
                    o.and_then(|o| o.root.path(path))
                        .is_none_or(|s| selector::matches(s, labels))
                };
                if !selected(
                    Some(self.object),
                    &["spec", "matchResources", "namespaceSelector"],
                ) || !selected(
                    self.policy,
                    &["spec", "matchConstraints", "namespaceSelector"],
                ) {
                    return Reach::None;
                }
                let narrowed = ["objectSelector", "excludeResourceRules"].iter().any(|k| {
                    self.object
                        .root
                        .path(&["spec", "matchResources", k])
                        .is_some()
                        || self
                            .policy
                            .and_then(|p| p.root.path(&["spec", "matchConstraints", k]))
                            .is_some()
                });
                if narrowed {
                    Reach::Partial
                } else {
                    Reach::Full
                }
            }
        }
    }

    /// Whether violations are refused in `namespace` (Kyverno can override a namespace back to
    /// Audit).
    pub fn blocks_in(&self, inventory: &Inventory, namespace: &str) -> bool {
        self.blocks
            && !(self.engine == Engine::Kyverno
                && kyverno::audited_by_override(
                    self.object,
                    namespace,
                    namespace_labels(inventory, namespace),
                ))
    }
}
