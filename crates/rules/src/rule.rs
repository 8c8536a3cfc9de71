//! The anatomy of a rule: metadata, documentation and a pure check function.

use crate::analysis::netpol::Policy;
use kcheck_model::facts::{Component, ConfigDoc};
use kcheck_model::{
    Evidence, FieldPath, Finding, Inventory, Level, Location, NodeFacts, Note, NoteKind, Object,
    ObjectRef, RuleInfo, Severity, Source, Text,
};
use kcheck_pss::{Evaluation, Level as PssLevel, Version};
use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

/// A rule. Each lives in its own file under the checklist section it serves, declared with
/// [`declare_rule!`] so that its doc comment is its user documentation.
pub struct Rule {
    /// `KC` + section digit + two digits. Codes are forever.
    pub code: &'static str,
    /// kebab-case name.
    pub name: &'static str,
    /// The checklist item it serves, e.g. `3.2`.
    pub item: &'static str,
    pub severity: Severity,
    /// The evidence the check reads.
    pub evidence: Evidence,
    pub title: Text,
    /// The default fix, shown with every finding unless the finding gives its own.
    pub fix: Text,
    /// The doc comment, in Markdown.
    pub doc: &'static str,
    /// The same documentation in Chinese (`doc_zh:` in [`declare_rule!`]), in Markdown with the
    /// headings 检查内容, 原因, 修复, 参考; empty until written, when the English is shown.
    pub doc_zh: &'static str,
    pub check: Check,
    /// Kinds the check reads besides the ones it is run on (`Check::Object { kinds }`): the
    /// NetworkPolicies a workload rule looks up, the kinds an inventory rule walks. When a run
    /// could not list one of them, the rule's item cannot pass.
    pub reads: &'static [&'static str],
    /// Other severities than `severity` that some of its findings carry (a hostPath that gives
    /// control of the node is critical, another one high). `kcheck rules` lists them all, and
    /// the fixture tests hold every finding to them.
    pub severities: &'static [Severity],
    /// Whether the admission webhook runs it (object rules must say; see [`Admission`]).
    pub admission: Admission,
    /// The source file that declares it (`file!()` where [`declare_rule!`] is invoked).
    pub file: &'static str,
    /// Which nodes a node rule judges (`nodes:` in [`declare_rule!`], `Nodes::Every` when left
    /// out): what a cluster audit that merges node reports expects from each node.
    pub nodes: Nodes,
}

/// The nodes a [`Check::Node`] rule has something to judge on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nodes {
    /// Every node: the kubelet, the host, its certificates and kubeconfigs.
    Every,
    /// Control-plane nodes only: the API server, controller manager, scheduler and etcd, their
    /// files. On a worker such a rule has nothing to look at, which is not a gap.
    ControlPlane,
}

/// Whether a rule runs at admission, where a review shows one object and its Namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// Not an object rule: it judges the whole input or a node, never a lone object.
    NotApplicable,
    /// Runs on every review: its verdict on an object depends on nothing else.
    Judged,
    /// Runs on every review although it looks up more than the object (the reason says why a
    /// review without those objects can miss a problem but never invent one).
    JudgedDespite(&'static str),
    /// An object rule left out of admission, and why (it judges objects a review lacks).
    Excluded(&'static str),
}

/// How a rule is run.
pub enum Check {
    /// Once for each object whose kind is in `kinds`.
    Object {
        kinds: &'static [&'static str],
        run: fn(&Object, &Context, &mut Sink),
    },
    /// Once over the whole inventory.
    Inventory(fn(&Context, &mut Sink)),
    /// A rule about many objects that need not be held together: `gather` takes what the rule
    /// needs from each object of `kinds` (in input order), and `report` judges what was
    /// gathered, once. A streaming scan gathers as it reads each file and drops the file's
    /// trees; a run over a whole inventory gathers in one pass.
    Gather {
        kinds: &'static [&'static str],
        gather: fn(&Object, &Context) -> Option<Gathered>,
        report: fn(&[Gathered], &Context, &mut Sink),
    },
    /// Once over a node scan's facts (runs only when the run has them).
    Node(fn(&NodeFacts, &Context, &mut Sink)),
    /// Container images (runs only when the run has image evidence): `object` on each object
    /// of `kinds` when the run matches workloads to their images (`--images DIR`), `image` on
    /// each image when images are judged on their own (`kcheck image`).
    Image {
        kinds: &'static [&'static str],
        object: fn(&Object, &Context, &mut Sink),
        image: fn(&kcheck_model::image::ImageFacts, &Context, &mut Sink),
    },
}

/// What a [`Check::Gather`] rule keeps of one object: a key to group by (a namespace), a
/// value (what it found there, if anything) and, for a rule that reports on the object or
/// looks it up later, its [`skeleton`](crate::stream::skeleton).
#[derive(Clone, Debug, Default)]
pub struct Gathered {
    pub key: String,
    pub value: Option<String>,
    /// Keep the object's skeleton in `object`: the engine makes it once the gathered value is
    /// kept (not for the later ones of a key that keeps its first only).
    pub keep_object: bool,
    pub object: Option<Box<Object>>,
    /// Only the first gathered of its key is kept (in input order); later ones are dropped as
    /// they come, so a rule that needs one object per namespace does not hold them all.
    pub first_of_key: bool,
}

/// An evaluation's identity: the object (by address, stable for the run), level and version.
type PssKey = (*const Object, PssLevel, u32);

/// The models of the inventory that rules share, each built once per run, on first use. They
/// can be shared by threads: a streaming scan judges its files in parallel over one index.
#[derive(Default)]
pub struct Analyses<'a> {
    /// NetworkPolicies by namespace.
    network_policies: std::sync::OnceLock<HashMap<&'a str, Vec<Policy<'a>>>>,
    /// The RBAC model.
    rbac: std::sync::OnceLock<crate::analysis::rbac::Rbac<'a>>,
    /// Admission policies that verify image signatures.
    image_verifiers: std::sync::OnceLock<Vec<crate::analysis::image_verification::Verifier<'a>>>,
    /// The control plane's pods.
    control_plane_pods: std::sync::OnceLock<Vec<(&'a Object, &'a str)>>,
    /// The `--audit-log-path` of every kube-apiserver Pod.
    audit_log_paths: std::sync::OnceLock<Vec<String>>,
    /// Whether the run read the values of Secrets (see [`Context::secret_values_unread`]).
    secret_values_unread: std::sync::OnceLock<bool>,
}

enum Shared<'a> {
    Own(Box<Analyses<'a>>),
    Borrowed(&'a Analyses<'a>),
}

/// What a check may read: the inventory and the run's configuration.
pub struct Context<'a> {
    pub inventory: &'a Inventory,
    pub config: &'a crate::Config,
    /// Pod Security evaluations of the object being judged, shared by the rules that read them.
    pss: RefCell<Vec<(PssKey, Rc<Evaluation>)>>,
    /// The models built once per run from the inventory: the context's own, or shared by the
    /// contexts of a streaming scan's files (judged on several threads).
    analyses: Shared<'a>,
    /// What a node scan collected, when this run has one.
    pub node: Option<&'a NodeFacts>,
    /// The images and scanner reports of the run, when it has them.
    pub images: Option<&'a kcheck_model::image::ImageEvidence>,
    /// The inventory is a whole cluster's (a live audit or a dump of one: every object of the
    /// kinds read is there), not a set of manifests where anything may live in another
    /// repository. What is absent is then truly absent.
    pub whole_cluster: bool,
    /// The moment the run judges at: the only "now" a rule may read.
    pub now: kcheck_model::Now,
}

impl<'a> Context<'a> {
    pub fn new(inventory: &'a Inventory, config: &'a crate::Config) -> Context<'a> {
        Context {
            inventory,
            config,
            pss: RefCell::new(Vec::new()),
            analyses: Shared::Own(Box::default()),
            node: None,
            images: None,
            whole_cluster: false,
            now: kcheck_model::Now::clock(),
        }
    }

    /// A context whose models are `analyses`, shared with other contexts over the same
    /// inventory (a streaming scan makes one per file).
    pub fn sharing(
        inventory: &'a Inventory,
        config: &'a crate::Config,
        analyses: &'a Analyses<'a>,
    ) -> Context<'a> {
        Context {
            analyses: Shared::Borrowed(analyses),
            ..Context::new(inventory, config)
        }
    }

    fn analyses(&self) -> &Analyses<'a> {
        match &self.analyses {
            Shared::Own(a) => a,
            Shared::Borrowed(a) => a,
        }
    }

    /// The same context judging at `now`.
    pub fn at(mut self, now: kcheck_model::Now) -> Context<'a> {
        self.now = now;
        self
    }

    /// The same context with the run's images.
    pub fn with_images(
        mut self,
        images: Option<&'a kcheck_model::image::ImageEvidence>,
    ) -> Context<'a> {
        self.images = images;
        self
    }

    /// The same context with a node scan's facts.
    pub fn with_node(mut self, node: Option<&'a NodeFacts>) -> Context<'a> {
        self.node = node;
        self
    }

    /// The roles and bindings of the input, resolved once per run.
    pub fn rbac(&self) -> &crate::analysis::rbac::Rbac<'a> {
        self.analyses()
            .rbac
            .get_or_init(|| crate::analysis::rbac::Rbac::new(self.inventory))
    }

    /// The pods labelled as control-plane components, with the component, found once per run.
    pub fn control_plane_pods(&self) -> &[(&'a Object, &'a str)] {
        self.analyses()
            .control_plane_pods
            .get_or_init(|| crate::analysis::control_plane::pods(self.inventory))
    }

    /// The `--audit-log-path` of every Pod that runs kube-apiserver, found once per run.
    pub fn audit_log_paths(&self) -> &[String] {
        self.analyses().audit_log_paths.get_or_init(|| {
            self.inventory
                .of_kind("Pod")
                .filter_map(crate::analysis::control_plane::apiserver_flags)
                .filter_map(|f| f.get("audit-log-path").map(str::to_string))
                .collect()
        })
    }

    /// Whether a cluster audit listed Secrets without their values (without
    /// `--read-secret-data`): it holds Secrets and none has `data` or `stringData`. Found once
    /// per run.
    pub fn secret_values_unread(&self) -> bool {
        if !self.whole_cluster {
            return false;
        }
        *self.analyses().secret_values_unread.get_or_init(|| {
            let mut secrets = self.inventory.of_kind("Secret").peekable();
            secrets.peek().is_some()
                && !secrets
                    .any(|s| s.root.get("data").is_some() || s.root.get("stringData").is_some())
        })
    }

    /// The admission policies that verify image signatures (item 7.3), read once per run.
    pub fn image_verifiers(&self) -> &[crate::analysis::image_verification::Verifier<'a>] {
        self.analyses()
            .image_verifiers
            .get_or_init(|| crate::analysis::image_verification::verifiers(self.inventory))
    }

    /// The NetworkPolicies of a namespace, read once per run.
    pub fn network_policies(&self, namespace: &str) -> &[Policy<'a>] {
        let by_ns = self.analyses().network_policies.get_or_init(|| {
            let mut by_ns: HashMap<&'a str, Vec<Policy<'a>>> = HashMap::default();
            for o in self.inventory.of_kind("NetworkPolicy") {
                if let Some(p) = Policy::from_object(o) {
                    by_ns.entry(p.namespace).or_default().push(p);
                }
            }
            by_ns
        });
        by_ns.get(namespace).map_or(&[], Vec::as_slice)
    }

    /// The Pod Security evaluation of a workload of the inventory at a level and version,
    /// computed once while rules look at that object (several read the same checks). `None` for
    /// objects without a pod spec.
    pub fn pss(
        &self,
        object: &Object,
        level: PssLevel,
        version: Version,
    ) -> Option<Rc<Evaluation>> {
        let pod = object.pod_spec()?;
        let key = (object as *const Object, level, version.effective_minor());
        let mut memo = self.pss.borrow_mut();
        if let Some((_, e)) = memo.iter().find(|(k, _)| *k == key) {
            return Some(e.clone());
        }
        // Only the object being judged is remembered: the object rules that read it run one
        // after another, and keeping 100k pods' evaluations cost 86 MB for no gain.
        if memo.first().is_some_and(|(k, _)| k.0 != key.0) {
            memo.clear();
        }
        let eval = Rc::new(kcheck_pss::evaluate(&pod, level, version));
        memo.push((key, eval.clone()));
        Some(eval)
    }
}

/// The kinds the RBAC model is built from.
pub const RBAC_KINDS: &[&str] = &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];

impl Rule {
    /// Every kind the rule reads: those it runs on and those it looks up.
    pub fn kinds_read(&self) -> impl Iterator<Item = &'static str> + '_ {
        let run_on: &'static [&'static str] = match self.check {
            Check::Object { kinds, .. }
            | Check::Gather { kinds, .. }
            | Check::Image { kinds, .. } => kinds,
            _ => &[],
        };
        run_on.iter().chain(self.reads).copied()
    }

    /// The doc comment with the one leading space of each `///` line removed.
    pub fn doc_markdown(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string() + "\n"
    }

    /// The documentation in `lang`: the Chinese when the rule has it, else the English.
    pub fn doc_markdown_in(&self, lang: kcheck_model::Lang) -> String {
        match lang {
            kcheck_model::Lang::Zh if !self.doc_zh.trim().is_empty() => {
                self.doc_zh.trim().to_string() + "\n"
            }
            _ => self.doc_markdown(),
        }
    }

    /// Every severity its findings may carry, most severe first.
    pub fn all_severities(&self) -> Vec<Severity> {
        let mut all: Vec<Severity> = std::iter::once(self.severity)
            .chain(self.severities.iter().copied())
            .collect();
        all.sort_by(|a, b| b.cmp(a));
        all.dedup();
        all
    }

    /// `high`, or `high/medium` when some findings carry another severity, in the reader's
    /// language.
    pub fn severity_label(&self, lang: kcheck_model::Lang) -> String {
        self.all_severities()
            .iter()
            .map(|s| s.label().get(lang).to_string())
            .collect::<Vec<_>>()
            .join("/")
    }

    pub fn info(&self) -> RuleInfo {
        RuleInfo {
            code: self.code,
            name: self.name,
            item: self.item,
            severity: self.severity,
            title: self.title.clone(),
            doc: self.doc,
            doc_zh: self.doc_zh,
            examined: 0,
        }
    }
}

/// Declares a rule; the doc comment above it becomes `Rule::doc`. `reads`, `severities` and
/// `admission` may be left out (the rule reads no kind besides the ones it runs on; its findings
/// all carry `severity`; it is not an object rule). `file` is filled in.
#[macro_export]
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])* $vis:vis static $name:ident = { $($field:ident : $value:expr),* $(,)? }) => {
        $(#[doc = $doc])*
        $vis static $name: $crate::Rule = $crate::__rule_literal!(
            [doc: concat!($($doc, "\n"),*), file: file!(),] [] [] [] [] [] $($field : $value,)*
        );
    };
}

/// Builds the `Rule` literal for [`declare_rule!`], adding `reads: &[]`, `severities: &[]`,
/// `admission: Admission::NotApplicable` and `nodes: Nodes::Every` unless they are given.
#[doc(hidden)]
#[macro_export]
macro_rules! __rule_literal {
    ([$($f:ident : $v:expr,)*] [$($r:expr)?] [$($s:expr)?] [$($a:expr)?] [$($z:expr)?] [$($n:expr)?] reads : $reads:expr, $($rest:tt)*) => {
        $crate::__rule_literal!([$($f : $v,)*] [$reads] [$($s)?] [$($a)?] [$($z)?] [$($n)?] $($rest)*)
    };
    ([$($f:ident : $v:expr,)*] [$($r:expr)?] [$($s:expr)?] [$($a:expr)?] [$($z:expr)?] [$($n:expr)?] severities : $sev:expr, $($rest:tt)*) => {
        $crate::__rule_literal!([$($f : $v,)*] [$($r)?] [$sev] [$($a)?] [$($z)?] [$($n)?] $($rest)*)
    };
    ([$($f:ident : $v:expr,)*] [$($r:expr)?] [$($s:expr)?] [$($a:expr)?] [$($z:expr)?] [$($n:expr)?] admission : $adm:expr, $($rest:tt)*) => {
        $crate::__rule_literal!([$($f : $v,)*] [$($r)?] [$($s)?] [$adm] [$($z)?] [$($n)?] $($rest)*)
    };
    ([$($f:ident : $v:expr,)*] [$($r:expr)?] [$($s:expr)?] [$($a:expr)?] [$($z:expr)?] [$($n:expr)?] doc_zh : $zh:expr, $($rest:tt)*) => {
        $crate::__rule_literal!([$($f : $v,)*] [$($r)?] [$($s)?] [$($a)?] [$zh] [$($n)?] $($rest)*)
    };
    ([$($f:ident : $v:expr,)*] [$($r:expr)?] [$($s:expr)?] [$($a:expr)?] [$($z:expr)?] [$($n:expr)?] nodes : $nodes:expr, $($rest:tt)*) => {
        $crate::__rule_literal!([$($f : $v,)*] [$($r)?] [$($s)?] [$($a)?] [$($z)?] [$nodes] $($rest)*)
    };
    ([$($f:ident : $v:expr,)*] [$($r:expr)?] [$($s:expr)?] [$($a:expr)?] [$($z:expr)?] [$($n:expr)?] $field:ident : $value:expr, $($rest:tt)*) => {
        $crate::__rule_literal!([$($f : $v,)* $field : $value,] [$($r)?] [$($s)?] [$($a)?] [$($z)?] [$($n)?] $($rest)*)
    };
    ([$($f:ident : $v:expr,)*] [$($r:expr)?] [$($s:expr)?] [$($a:expr)?] [$($z:expr)?] [$($n:expr)?]) => {
        $crate::Rule {
            $($f : $v,)*
            reads: $crate::__or_empty!($($r)?),
            severities: $crate::__or_empty!($($s)?),
            admission: $crate::__or_not_applicable!($($a)?),
            doc_zh: $crate::__or_blank!($($z)?),
            nodes: $crate::__or_every_node!($($n)?),
        }
    };
}

/// The node scope given, or `Nodes::Every`.
#[doc(hidden)]
#[macro_export]
macro_rules! __or_every_node {
    () => {
        $crate::Nodes::Every
    };
    ($e:expr) => {
        $e
    };
}

/// The Chinese documentation given, or none yet (`""`: the English is shown).
#[doc(hidden)]
#[macro_export]
macro_rules! __or_blank {
    () => {
        ""
    };
    ($e:expr) => {
        $e
    };
}

/// The admission given, or `Admission::NotApplicable`.
#[doc(hidden)]
#[macro_export]
macro_rules! __or_not_applicable {
    () => {
        $crate::Admission::NotApplicable
    };
    ($e:expr) => {
        $e
    };
}

/// The expression given, or `&[]`.
#[doc(hidden)]
#[macro_export]
macro_rules! __or_empty {
    () => {
        &[]
    };
    ($e:expr) => {
        $e
    };
}

/// Where a rule's findings go. It stamps each with the rule's code, item and severity, and
/// resolves the field path to a file position.
pub struct Sink<'a> {
    rule: &'static Rule,
    out: &'a mut Collected,
    waivers: &'a crate::Waivers,
    pub(crate) examined: usize,
    /// Findings this sink may still take ([`MAX_FINDINGS_PER_OBJECT`] for an object rule on
    /// one object), and what was left out past it.
    room: usize,
    left_out: usize,
    left_out_level: Level,
    /// Where a finding that was left out is written, so that a rule can still adjust it.
    spare: Option<Finding>,
    /// Object rules: the messages said so far on this object. The same sentence at several
    /// fields (a Pod Security detail naming three containers, a violation at each of two
    /// capabilities) is one problem, reported once, at its first field.
    said: Option<Vec<Text>>,
}

/// At most this many findings of one object rule on one object are listed; the rest are
/// counted in one more finding. A Pod with thousands of containers then costs a bounded report,
/// and a bounded admission review (a denial of service on the webhook otherwise).
pub const MAX_FINDINGS_PER_OBJECT: usize = 50;

/// A finding's message is cut past this many bytes (at a character boundary, with an
/// ellipsis): a detail that lists every container of a huge Pod stays readable and bounded.
pub const MAX_MESSAGE_BYTES: usize = 1024;

fn cut(text: &mut std::borrow::Cow<'static, str>) {
    if text.len() <= MAX_MESSAGE_BYTES {
        return;
    }
    let mut end = MAX_MESSAGE_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut short = String::with_capacity(end + 3);
    short.push_str(&text[..end]);
    short.push('…');
    *text = short.into();
}

pub(crate) fn bounded(mut message: Text) -> Text {
    cut(&mut message.en);
    cut(&mut message.zh);
    exact(&mut message.en);
    exact(&mut message.zh);
    message
}

/// A formatted sentence in an allocation of its own size: formatting leaves up to half of it
/// unused, and a scan holds a few hundred thousand of them until the report is written.
fn exact(text: &mut std::borrow::Cow<'static, str>) {
    if let std::borrow::Cow::Owned(s) = text {
        if s.capacity() > s.len() + s.len() / 8 {
            *s = s.as_str().to_owned();
        }
    }
}

impl<'a> Sink<'a> {
    pub(crate) fn new(
        rule: &'static Rule,
        out: &'a mut Collected,
        waivers: &'a crate::Waivers,
    ) -> Sink<'a> {
        Sink {
            rule,
            out,
            waivers,
            examined: 0,
            room: usize::MAX,
            left_out: 0,
            left_out_level: Level::Info,
            spare: None,
            said: None,
        }
    }

    /// A sink for one object rule on one object: at most [`MAX_FINDINGS_PER_OBJECT`] findings,
    /// then [`Sink::finish`] counts the rest.
    pub(crate) fn for_object(
        rule: &'static Rule,
        out: &'a mut Collected,
        waivers: &'a crate::Waivers,
    ) -> Sink<'a> {
        Sink {
            room: MAX_FINDINGS_PER_OBJECT,
            said: Some(Vec::new()),
            ..Sink::new(rule, out, waivers)
        }
    }

    /// Adds one finding on `object` for the findings left out, if any: how many, at the level of
    /// the most severe of them.
    pub(crate) fn finish(mut self, object: &Object) -> usize {
        let (n, level) = (self.left_out, self.left_out_level);
        if n > 0 {
            self.room = usize::MAX;
            self.push(
                object,
                FieldPath::root(),
                kcheck_model::text!(
                    "{n} more findings of this rule on this object are not listed (at most {MAX_FINDINGS_PER_OBJECT} are)",
                    "该对象上还有 {n} 条本规则的发现未列出（最多列出 {MAX_FINDINGS_PER_OBJECT} 条）",
                ),
                level,
            );
        }
        self.examined
    }

    /// Counts one object (or fact) the rule looked at, so that an item with nothing to look at
    /// is "not evaluated" rather than passed.
    pub fn examined(&mut self) {
        self.examined += 1;
    }

    /// Reports that `object` fails the rule at `path`. Returns the finding for adjustments
    /// (severity, fix).
    pub fn fail(&mut self, object: &Object, path: FieldPath, message: Text) -> &mut Finding {
        self.push(object, path, message, Level::Fail)
    }

    /// Reports a weaker problem: the item warns instead of failing.
    pub fn warn(&mut self, object: &Object, path: FieldPath, message: Text) -> &mut Finding {
        self.push(object, path, message, Level::Warn)
    }

    /// Reports a fact worth knowing that does not change the item's status.
    pub fn inform(&mut self, object: &Object, path: FieldPath, message: Text) -> &mut Finding {
        self.push(object, path, message, Level::Info)
    }

    /// Reports that something on a node fails the rule: a flag, a file, a certificate.
    pub fn fail_on_node(&mut self, at: NodePlace, message: Text) -> &mut Finding {
        self.push_node(at, message, Level::Fail)
    }

    pub fn warn_on_node(&mut self, at: NodePlace, message: Text) -> &mut Finding {
        self.push_node(at, message, Level::Warn)
    }

    pub fn inform_on_node(&mut self, at: NodePlace, message: Text) -> &mut Finding {
        self.push_node(at, message, Level::Info)
    }

    /// Says what the rule needed on `object` and could not examine (a file it could not read).
    /// A note, not a finding: the item cannot pass on it, and it is shown with the item at any
    /// status. A rule that examined nothing else makes it the item's reason.
    pub fn not_examined(&mut self, object: &Object, path: FieldPath, message: Text) {
        let at = self.place(object, path);
        self.note(NoteKind::NotExamined, message, at);
    }

    /// What the rule could not examine on a node (a component that is not there, a file that
    /// could not be read).
    pub fn not_examined_on_node(&mut self, at: NodePlace, message: Text) {
        self.note(NoteKind::NotExamined, message, at.into());
    }

    /// What the rule could not examine on a node because someone else configures it: the
    /// control plane of a managed cluster (EKS, GKE, AKS) or of OpenShift's operators. A
    /// "not examined" note; an item whose only such notes are these is "manual" with `message`
    /// as its reason, never passed or failed.
    pub fn managed_on_node(&mut self, at: NodePlace, message: Text) {
        let en = message.en.to_string();
        if !self
            .out
            .managed
            .iter()
            .any(|(i, m)| *i == self.rule.item && *m == en)
        {
            self.out.managed.push((self.rule.item, en));
        }
        self.note(NoteKind::NotExamined, message, at.into());
    }

    /// The checklist item of the rule this sink collects for.
    pub fn item(&self) -> &'static str {
        self.rule.item
    }

    /// What the rule could not examine anywhere in particular (evidence that is not in the input).
    pub fn not_examined_in_input(&mut self, message: Text) {
        self.note(NoteKind::NotExamined, message, Placed::default());
    }

    /// A finding a node's report gives (see [`crate::node_reports`]): placed and named after
    /// its node already; the run's waivers apply to it as to the run's own node findings.
    pub(crate) fn import_finding(&mut self, mut finding: Finding) {
        if !finding.waived {
            self.waivers.apply_node(&mut finding);
        }
        self.out.findings.push(finding);
    }

    /// A note a node's report gives.
    pub(crate) fn import_note(&mut self, note: Note) {
        self.out.notes.push(note);
    }

    /// A note a node's report gives that someone else configures what could not be examined
    /// (see [`Sink::managed_on_node`]).
    pub(crate) fn import_managed_note(&mut self, note: Note) {
        let en = note.message.en.to_string();
        if !self
            .out
            .managed
            .iter()
            .any(|(i, m)| *i == note.item && *m == en)
        {
            self.out.managed.push((note.item, en));
        }
        self.out.notes.push(note);
    }

    /// How many notes the run has so far: see [`Sink::drop_not_examined_since`].
    pub(crate) fn note_mark(&self) -> usize {
        self.out.notes.len()
    }

    /// Forgets what could not be examined since `mark`, keeping the evidence.
    pub(crate) fn drop_not_examined_since(&mut self, mark: usize) {
        let mut i = mark;
        while i < self.out.notes.len() {
            if self.out.notes[i].kind == NoteKind::NotExamined {
                self.out.notes.remove(i);
            } else {
                i += 1;
            }
        }
    }

    /// Positive evidence the item rests on, found on `object` ("Cilium enforces
    /// NetworkPolicy"): shown as evidence, not as a finding with a fix.
    pub fn evidence(&mut self, object: &Object, path: FieldPath, message: Text) {
        let at = self.place(object, path);
        self.note(NoteKind::Evidence, message, at);
    }

    /// Positive evidence found on a node (an offline CA, encrypted Secrets in etcd).
    pub fn evidence_on_node(&mut self, at: NodePlace, message: Text) {
        self.note(NoteKind::Evidence, message, at.into());
    }

    fn note(&mut self, kind: NoteKind, message: Text, at: Placed) {
        // Bounded like findings: an object rule says at most so much about one object.
        if self.room == 0 {
            return;
        }
        if self.room != usize::MAX {
            self.room -= 1;
        }
        self.out.notes.push(Note {
            kind,
            code: self.rule.code,
            item: self.rule.item,
            object: at.object,
            path: at.path,
            location: at.location,
            source: at.source,
            node: None,
            message: bounded(message),
        });
    }

    /// An object's identity, the field path and where it is: a file position, or the API path.
    fn place(&mut self, object: &Object, path: FieldPath) -> Placed {
        let (location, source) = match &object.source {
            Source::File { path: file, .. } => {
                let pos = object.position(&path);
                (
                    Some(Location {
                        file: file.clone(),
                        line: pos.line,
                        column: pos.column,
                    }),
                    None,
                )
            }
            Source::Api { path } => (None, Some(path.clone())),
        };
        Placed {
            object: Some(self.identity_of(object)),
            path: (!path.is_root()).then(|| path.to_string().as_str().to_owned()),
            location,
            source,
        }
    }

    fn push_node(&mut self, at: NodePlace, message: Text, level: Level) -> &mut Finding {
        self.out.findings.push(Finding {
            object: at.object.map(Arc::new),
            path: at.path,
            location: at.location,
            source: Some(at.source.into()),
            ..self.finding(bounded(message), level)
        });
        let last = self.out.findings.last_mut().expect("just pushed");
        self.waivers.apply_node(last);
        last
    }

    /// A finding of this rule with `message` and `level`, placed nowhere yet.
    fn finding(&self, message: Text, level: Level) -> Finding {
        Finding {
            code: self.rule.code,
            rule: self.rule.name,
            item: self.rule.item,
            severity: self.rule.severity,
            level,
            object: None,
            path: None,
            location: None,
            source: None,
            node: None,
            message,
            fix: self.rule.fix.clone(),
            waived: false,
            waiver: None,
            pods: 0,
        }
    }

    fn identity_of(&mut self, object: &Object) -> Arc<ObjectRef> {
        let slot = self
            .out
            .identities
            .entry(std::ptr::from_ref(object) as usize)
            .or_insert_with(|| Arc::new(object.reference()));
        // An address is only a hint (a rule may report a temporary object that another one
        // replaces later): the identity must match.
        let same = slot.name == object.name
            && slot.namespace == object.namespace
            && slot.kind == object.kind
            && slot.api_version == object.api_version;
        if !same {
            *slot = Arc::new(object.reference());
        }
        slot.clone()
    }

    fn push(
        &mut self,
        object: &Object,
        path: FieldPath,
        message: Text,
        level: Level,
    ) -> &mut Finding {
        let message = bounded(message);
        let repeated = self
            .said
            .as_ref()
            .is_some_and(|said| said.contains(&message));
        // Said already on this object: nothing new to report or count.
        if repeated {
            return self.spare_finding(level);
        }
        if self.room == 0 {
            self.left_out += 1;
            self.left_out_level = self.left_out_level.min(level);
            return self.spare_finding(level);
        }
        if let Some(said) = self.said.as_mut() {
            said.push(message.clone());
        }
        self.room -= 1;
        self.pushed(object, path, message, level)
    }

    /// A finding nobody will see, for a rule to adjust as it would a reported one.
    fn spare_finding(&mut self, level: Level) -> &mut Finding {
        let spare = self.finding(Text::fixed("", ""), level);
        self.spare.insert(spare)
    }

    /// Records a finding whose message is already bounded.
    fn pushed(
        &mut self,
        object: &Object,
        path: FieldPath,
        message: Text,
        level: Level,
    ) -> &mut Finding {
        let at = self.place(object, path);
        self.out.findings.push(Finding {
            object: at.object,
            path: at.path,
            location: at.location,
            source: at.source,
            ..self.finding(message, level)
        });
        let last = self.out.findings.len() - 1;
        self.waivers.apply(&mut self.out.findings[last], object);
        &mut self.out.findings[last]
    }
}

/// Where a finding or note is: the object, the field, the file position or the API or host
/// source.
#[derive(Default)]
struct Placed {
    object: Option<Arc<ObjectRef>>,
    path: Option<String>,
    location: Option<Location>,
    source: Option<Arc<str>>,
}

impl From<NodePlace> for Placed {
    fn from(at: NodePlace) -> Placed {
        Placed {
            object: at.object.map(Arc::new),
            path: at.path,
            location: at.location,
            source: Some(at.source.into()),
        }
    }
}

/// Object identities by address, for [`Sink`].
pub(crate) type Identities = HashMap<usize, Arc<ObjectRef>>;

/// What the rules of a run said: findings, notes, and the identities of the objects they name
/// (by address: an object's findings from several rules and fields point at one `ObjectRef`).
#[derive(Default)]
pub(crate) struct Collected {
    pub(crate) findings: Vec<Finding>,
    pub(crate) notes: Vec<Note>,
    pub(crate) identities: Identities,
    /// Notes (item, English message) saying that what could not be examined is configured by
    /// a cloud provider or an operator (see [`Sink::managed_on_node`]).
    pub(crate) managed: Vec<(&'static str, String)>,
}

/// Where on a node a finding is: a file line when known, otherwise a description of the source
/// (a host path, `/proc/1234/cmdline`), and the flag or field concerned.
#[derive(Clone, Debug, Default)]
pub struct NodePlace {
    pub source: String,
    pub location: Option<Location>,
    /// `--anonymous-auth`, `authentication.anonymous.enabled`.
    pub path: Option<String>,
    /// The object (static pod, config document) the place is in, when there is one.
    pub object: Option<kcheck_model::ObjectRef>,
}

impl NodePlace {
    /// A host file as a whole (a key, a log directory).
    pub fn file(path: &str) -> NodePlace {
        NodePlace {
            source: path.to_string(),
            ..NodePlace::default()
        }
    }

    /// A component's flag: the manifest line that sets it, or the static pod's command (when
    /// the flag is absent), or the process.
    pub fn flag(component: &Component, name: &str) -> NodePlace {
        let location = component.flag_location(name).or_else(|| {
            let m = component.manifest.as_ref()?;
            let file = m.file()?.clone();
            let pos = m.position(&FieldPath::parse("spec.containers[0].command"));
            Some(Location {
                file,
                line: pos.line,
                column: pos.column,
            })
        });
        NodePlace {
            source: component.origin.to_string(),
            location,
            path: Some(format!("--{name}")),
            object: component.manifest.as_ref().map(Object::reference),
        }
    }

    /// A field of a configuration document (`authentication.anonymous.enabled`).
    pub fn config(doc: &ConfigDoc, path: &str) -> NodePlace {
        let field = FieldPath::parse(path);
        let pos = doc.object.position(&field);
        NodePlace {
            source: doc.path.clone(),
            location: doc.object.file().map(|file| Location {
                file: file.clone(),
                line: pos.line,
                column: pos.column,
            }),
            path: (!field.is_root()).then(|| path.to_string()),
            object: Some(doc.object.reference()),
        }
    }

    /// The same place, naming a field or flag.
    pub fn at(mut self, path: impl Into<String>) -> NodePlace {
        self.path = Some(path.into());
        self
    }
}
