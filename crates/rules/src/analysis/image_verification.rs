//! Admission-time image signature verification: Kyverno `verifyImages` rules and
//! ImageValidatingPolicies, sigstore policy-controller ClusterImagePolicies, Connaisseur, and
//! Ratify through Gatekeeper. Which images in which namespaces each one checks, and whether it
//! blocks. KC703 reports them; KC701 accepts a tag when a blocking verifier covers the image.

use crate::analysis::kyverno::{self, wildcard, Reach};
use crate::analysis::label_selector as selector;
use kcheck_model::{Entry, FieldPath, Inventory, Node, Object};

/// The sigstore policy-controller's namespace opt-in label.
pub const SIGSTORE_INCLUDE: &str = "policy.sigstore.dev/include";
/// Connaisseur's namespace opt-out label.
const CONNAISSEUR_IGNORE: &str = "securesystemsengineering.connaisseur/webhook";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Kyverno,
    KyvernoImageValidating,
    Sigstore,
    Connaisseur,
    Ratify,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Kyverno => "Kyverno verifyImages",
            Engine::KyvernoImageValidating => "Kyverno ImageValidatingPolicy",
            Engine::Sigstore => "sigstore policy-controller",
            Engine::Connaisseur => "Connaisseur",
            Engine::Ratify => "Ratify",
        }
    }
}

/// One image verification rule.
pub struct Verifier<'a> {
    pub engine: Engine,
    pub object: &'a Object,
    /// The rule within the object (a `verifyImages` entry, the mode), for findings.
    pub path: FieldPath,
    /// Whether a failed verification blocks the pod.
    pub enforce: bool,
    /// The image patterns it checks; `None` for every image (or patterns kcheck cannot read).
    pub images: Option<Vec<&'a str>>,
    /// The Kyverno rule, for its `match`/`exclude`.
    rule: Option<&'a Node>,
}

fn strings(node: Option<&Node>) -> Vec<&str> {
    node.map_or(&[][..], Node::as_seq)
        .iter()
        .filter_map(Node::as_str)
        .collect()
}

/// Every verifier in the inventory.
pub fn verifiers(inventory: &Inventory) -> Vec<Verifier<'_>> {
    let mut out = Vec::new();
    for policy in ["ClusterPolicy", "Policy"]
        .iter()
        .flat_map(|k| inventory.of_kind(k))
    {
        let policy_action = kyverno::policy_action(policy);
        for (r, rule) in kyverno::rules(policy) {
            for (v, entry) in rule
                .get("verifyImages")
                .map_or(&[][..], Node::as_seq)
                .iter()
                .enumerate()
            {
                let mut images = strings(entry.get("imageReferences"));
                images.extend(entry.str_at("image"));
                let action = entry.str_at("failureAction").or(policy_action);
                out.push(Verifier {
                    engine: Engine::Kyverno,
                    object: policy,
                    path: FieldPath::parse(&format!("spec.rules[{r}].verifyImages[{v}]")),
                    enforce: kyverno::enforces(action),
                    images: (!images.is_empty()).then_some(images),
                    rule: Some(rule),
                });
            }
        }
    }
    for policy in inventory.of_kind("ImageValidatingPolicy") {
        let actions = strings(policy.root.path(&["spec", "validationActions"]));
        let refs = policy
            .root
            .path(&["spec", "matchImageReferences"])
            .map_or(&[][..], Node::as_seq);
        let globs: Vec<&str> = refs.iter().filter_map(|r| r.str_at("glob")).collect();
        out.push(Verifier {
            engine: Engine::KyvernoImageValidating,
            object: policy,
            path: FieldPath::parse("spec.validationActions"),
            enforce: actions.iter().any(|a| a.eq_ignore_ascii_case("deny")),
            images: (!globs.is_empty() && globs.len() == refs.len()).then_some(globs),
            rule: None,
        });
    }
    for policy in inventory.of_kind("ClusterImagePolicy") {
        let mode = policy.root.path(&["spec", "mode"]).and_then(Node::as_str);
        let globs: Vec<&str> = policy
            .root
            .path(&["spec", "images"])
            .map_or(&[][..], Node::as_seq)
            .iter()
            .filter_map(|i| i.str_at("glob"))
            .collect();
        out.push(Verifier {
            engine: Engine::Sigstore,
            object: policy,
            path: FieldPath::parse("spec.mode"),
            enforce: !mode.is_some_and(|m| m.eq_ignore_ascii_case("warn")),
            images: Some(globs),
            rule: None,
        });
    }
    if let Some(hook) = inventory
        .of_kind("MutatingWebhookConfiguration")
        .find(|o| o.name.contains("connaisseur"))
    {
        out.push(Verifier {
            engine: Engine::Connaisseur,
            object: hook,
            path: FieldPath::root(),
            enforce: true,
            images: None,
            rule: None,
        });
    }
    for constraint in ratify_constraints(inventory) {
        let action = constraint
            .root
            .path(&["spec", "enforcementAction"])
            .and_then(Node::as_str)
            .unwrap_or("deny");
        out.push(Verifier {
            engine: Engine::Ratify,
            object: constraint,
            path: FieldPath::parse("spec.enforcementAction"),
            enforce: action.eq_ignore_ascii_case("deny"),
            images: None,
            rule: None,
        });
    }
    out
}

/// Gatekeeper constraints made from Ratify's templates: each template names its constraint kind.
fn ratify_constraints(inventory: &Inventory) -> impl Iterator<Item = &Object> {
    inventory
        .of_kind("ConstraintTemplate")
        .filter(|t| t.name.contains("ratify"))
        .filter_map(|t| {
            t.root
                .path(&["spec", "crd", "spec", "names", "kind"])
                .and_then(Node::as_str)
        })
        .flat_map(|kind| inventory.of_kind(kind))
        .filter(|o| o.group() == "constraints.gatekeeper.sh")
}

/// The labels of a namespace, when the input has its Namespace object.
pub fn namespace_labels<'a>(inventory: &'a Inventory, namespace: &str) -> &'a [Entry] {
    inventory
        .get("Namespace", None, namespace)
        .map_or(&[], Object::labels)
}

impl Verifier<'_> {
    /// How far it reaches the pods of `namespace`.
    pub fn reach(&self, inventory: &Inventory, namespace: &str) -> Reach {
        let labels = namespace_labels(inventory, namespace);
        let label = |key: &str| selector::value(labels, key);
        match self.engine {
            Engine::Kyverno => {
                let Some(rule) = self.rule else {
                    return Reach::None;
                };
                kyverno::rule_reach(self.object, rule, namespace, labels)
            }
            Engine::KyvernoImageValidating => {
                match self
                    .object
                    .root
                    .path(&["spec", "matchConstraints", "namespaceSelector"])
                {
                    Some(sel) if !selector::matches(sel, labels) => Reach::None,
                    _ => Reach::Full,
                }
            }
            Engine::Sigstore => {
                if label(SIGSTORE_INCLUDE) == Some("true") {
                    Reach::Full
                } else {
                    Reach::None
                }
            }
            Engine::Connaisseur => {
                if label(CONNAISSEUR_IGNORE) == Some("ignore") {
                    Reach::None
                } else {
                    Reach::Full
                }
            }
            Engine::Ratify => gatekeeper_reach(self.object, namespace),
        }
    }

    /// Whether a failed check blocks pods in `namespace` (Kyverno's per-namespace overrides
    /// can turn a namespace back to Audit).
    pub fn blocks_in(&self, inventory: &Inventory, namespace: &str) -> bool {
        self.enforce
            && !(self.engine == Engine::Kyverno
                && kyverno::audited_by_override(
                    self.object,
                    namespace,
                    namespace_labels(inventory, namespace),
                ))
    }

    /// Whether it checks `image`.
    pub fn checks_image(&self, image: &str) -> bool {
        self.checks_any(&image_forms(image))
    }

    /// Whether it checks an image given in all its written forms.
    fn checks_any(&self, forms: &[String]) -> bool {
        let Some(patterns) = &self.images else {
            return true;
        };
        patterns.iter().any(|p| {
            forms.iter().any(|f| match self.engine {
                Engine::Sigstore => sigstore_glob(p, f),
                _ => wildcard(p, f),
            })
        })
    }
}

/// Gatekeeper's `spec.match.namespaces` and `excludedNamespaces` (with `*` suffixes).
pub fn gatekeeper_reach(constraint: &Object, namespace: &str) -> Reach {
    let m = constraint.root.path(&["spec", "match"]);
    let list = |k: &str| strings(m.and_then(|m| m.get(k)));
    let (only, excluded) = (list("namespaces"), list("excludedNamespaces"));
    if excluded.iter().any(|p| wildcard(p, namespace))
        || (!only.is_empty() && !only.iter().any(|p| wildcard(p, namespace)))
    {
        return Reach::None;
    }
    let narrowed = m.is_some_and(|m| {
        m.get("labelSelector").is_some()
            || m.get("name").is_some()
            || m.get("namespaceSelector").is_some()
    });
    if narrowed {
        Reach::Partial
    } else {
        Reach::Full
    }
}

/// An image as written and as registries normalise it (`nginx` is also
/// `docker.io/library/nginx` and `index.docker.io/library/nginx`).
fn image_forms(image: &str) -> Vec<String> {
    let mut forms = vec![image.to_string()];
    let first = image.split('/').next().unwrap_or(image);
    let has_registry =
        image.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    if !has_registry {
        let path = if image.contains('/') {
            image.to_string()
        } else {
            format!("library/{image}")
        };
        for registry in ["docker.io", "index.docker.io"] {
            forms.push(format!("{registry}/{path}"));
            forms.push(format!("{registry}/{image}"));
        }
    }
    forms
}

/// policy-controller globs: `**` matches anything, `*` anything but `/`, `?` one character.
fn sigstore_glob(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some(b'*') if p.get(1) == Some(&b'*') => (0..=t.len()).any(|i| go(&p[2..], &t[i..])),
            Some(b'*') => {
                let stop = t.iter().position(|c| *c == b'/').unwrap_or(t.len());
                (0..=stop).any(|i| go(&p[1..], &t[i..]))
            }
            Some(b'?') => !t.is_empty() && t[0] != b'/' && go(&p[1..], &t[1..]),
            Some(c) => t.first() == Some(c) && go(&p[1..], &t[1..]),
        }
    }
    go(pattern.as_bytes(), text.as_bytes())
}

/// The first verifier that blocks unverified `image` in `namespace` for every pod there.
pub fn blocking_verifier<'v, 'a>(
    verifiers: &'v [Verifier<'a>],
    inventory: &Inventory,
    namespace: &str,
    image: &str,
) -> Option<&'v Verifier<'a>> {
    let forms = image_forms(image);
    verifiers.iter().find(|v| {
        v.checks_any(&forms)
            && v.reach(inventory, namespace) == Reach::Full
            && v.blocks_in(inventory, namespace)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigstore_globs() {
        assert!(sigstore_glob("**", "ghcr.io/a/b:1"));
        assert!(sigstore_glob("ghcr.io/acme/*", "ghcr.io/acme/web:1"));
        assert!(!sigstore_glob("ghcr.io/acme/*", "ghcr.io/acme/team/web:1"));
        assert!(sigstore_glob("ghcr.io/acme/**", "ghcr.io/acme/team/web:1"));
        assert!(sigstore_glob(
            "index.docker.io/library/*",
            "index.docker.io/library/nginx:1.27"
        ));
    }

    #[test]
    fn normalised_forms() {
        let f = image_forms("nginx:1.27");
        assert!(f.contains(&"index.docker.io/library/nginx:1.27".to_string()));
        assert_eq!(
            image_forms("ghcr.io/acme/web:1"),
            vec!["ghcr.io/acme/web:1".to_string()]
        );
        assert!(image_forms("acme/web").contains(&"docker.io/acme/web".to_string()));
    }
}
