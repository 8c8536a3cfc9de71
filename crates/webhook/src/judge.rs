//! From a review to an answer: the object (and its Namespace from the cache) into an
//! inventory, the admission rules over it, each finding given its mode, the answer built
//! within Kubernetes' limits.

use crate::config::{Mode, Settings};
use crate::namespaces::NamespaceSource;
use crate::response::{build, Classified};
use crate::review::{Operation, Request, Response, ReviewError};
use kcheck_model::{is_cluster_scoped, Evidence, Finding, Inputs, Inventory, Object, Source};
use kcheck_rules::{Engine, Waivers};
use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Judges reviews. Cheap to share: the engine itself lives per thread (it is not `Sync`).
pub struct Judge {
    settings: Arc<Settings>,
    namespaces: Arc<dyn NamespaceSource>,
    limits: kcheck_load::Limits,
    /// Tells this judge's thread-local engines from another's (tests run several servers).
    id: u64,
}

/// What a review came to.
#[derive(Debug)]
pub struct Verdict {
    pub response: Response,
    /// The findings reported, by rule code and the mode they were given.
    pub findings: Vec<(&'static str, Mode)>,
    /// Time spent in the engine (both objects for an UPDATE judged for new findings only).
    pub engine_time: Duration,
}

thread_local! {
    static ENGINE: RefCell<Option<(u64, Engine)>> = const { RefCell::new(None) };
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Judge {
    pub fn new(settings: Arc<Settings>, namespaces: Arc<dyn NamespaceSource>) -> Judge {
        let limits = kcheck_load::Limits {
            max_document_bytes: settings.max_body_bytes,
            ..kcheck_load::Limits::default()
        };
        Judge {
            settings,
            namespaces,
            limits,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn namespaces(&self) -> &dyn NamespaceSource {
        &*self.namespaces
    }

    /// Runs the admission rules over an inventory on this thread's engine.
    fn run(&self, inventory: &Inventory) -> Vec<Finding> {
        ENGINE.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot.as_ref().map(|(id, _)| *id) != Some(self.id) {
                let engine = Engine::new(crate::rules::admission_rules().to_vec())
                    .with_config(self.settings.engine.clone())
                    .with_waivers(Waivers::new().annotations(self.settings.annotation_waivers));
                *slot = Some((self.id, engine));
            }
            match slot.as_mut() {
                Some((_, engine)) => {
                    // Each review is judged at its own moment: the engine outlives many.
                    engine.set_now(kcheck_model::Now::clock());
                    engine
                        .run(inventory, &[Evidence::Objects], Inputs::default())
                        .findings
                        .into_vec()
                }
                None => Vec::new(),
            }
        })
    }

    /// The findings on `object` (the Namespace beside it is context, not judged).
    fn findings_on(&self, object: Object) -> Vec<Finding> {
        let reference = object.reference();
        let mut objects = Vec::with_capacity(2);
        let namespace = object
            .namespace
            .as_deref()
            .and_then(|ns| self.namespaces.get(ns));
        objects.push(object);
        objects.extend(namespace);
        let inventory = Inventory::new(objects);
        let mut findings = self.run(&inventory);
        findings.retain(|f| f.object.as_deref() == Some(&reference));
        findings
    }

    /// Judges a checked request.
    pub fn review(&self, request: &Request) -> Result<Verdict, ReviewError> {
        let skip = matches!(request.operation, Operation::Delete | Operation::Connect)
            || request.sub_resource.is_some();
        let raw = match request.object {
            Some(raw) if !skip => raw,
            _ => {
                return Ok(Verdict {
                    response: Response::allow(request.uid.clone()),
                    findings: Vec::new(),
                    engine_time: Duration::ZERO,
                })
            }
        };
        let object = self.object(request, raw, "object")?;
        let old = match (request.operation, request.old_object) {
            (Operation::Update, Some(old)) if self.settings.only_new => {
                Some(self.object(request, old, "oldObject")?)
            }
            _ => None,
        };
        let start = Instant::now();
        let subject = object.reference();
        let mut findings = self.findings_on(object);
        if let Some(old) = old {
            let before: HashSet<(&'static str, Option<String>, String)> = self
                .findings_on(old)
                .into_iter()
                .map(|f| (f.code, f.path, f.message.en.into_owned()))
                .collect();
            findings
                .retain(|f| !before.contains(&(f.code, f.path.clone(), f.message.en.to_string())));
        }
        let engine_time = start.elapsed();
        let classified: Vec<Classified> = findings
            .into_iter()
            .filter_map(|f| {
                let mut mode = self.settings.modes.of(f.code, f.item, f.severity, f.level);
                if f.waived {
                    mode = mode.min(Mode::Audit);
                }
                (mode != Mode::Off).then_some(Classified { finding: f, mode })
            })
            .collect();
        let response = build(
            request.uid.clone(),
            &subject,
            &classified,
            self.settings.lang,
        );
        Ok(Verdict {
            response,
            findings: classified
                .iter()
                .map(|c| (c.finding.code, c.mode))
                .collect(),
            engine_time,
        })
    }

    /// The reviewed object (or its old state) as the rules see it.
    fn object(
        &self,
        request: &Request,
        raw: &str,
        field: &'static str,
    ) -> Result<Object, ReviewError> {
        let limits_error = |message: String| ReviewError::ObjectLimits { field, message };
        let mut parsed = kcheck_load::parse_json(raw, &self.limits);
        if let Some(p) = parsed.errors.first() {
            return Err(limits_error(p.message.en.to_string()));
        }
        let root = match parsed.documents.pop() {
            Some(kcheck_load::DocOutcome::Node(root)) => root,
            Some(kcheck_load::DocOutcome::Rejected(p)) => {
                return Err(limits_error(p.message.en.to_string()))
            }
            _ => return Err(ReviewError::Object(field)),
        };
        let text = |key: &str| {
            root.str_at(key)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let kind = text("kind").unwrap_or_else(|| request.kind.kind.clone());
        let api_version = text("apiVersion").unwrap_or_else(|| request.kind.api_version());
        let meta = |key: &str| {
            root.get("metadata")
                .and_then(|m| m.str_at(key))
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let name = meta("name")
            .or_else(|| request.name.clone())
            .or_else(|| meta("generateName").map(|g| format!("{g}*")))
            .unwrap_or_else(|| "(unnamed)".to_string());
        let namespace = if is_cluster_scoped(&kind) {
            None
        } else {
            meta("namespace")
                .or_else(|| request.namespace.clone())
                .or_else(|| Some("default".to_string()))
        };
        Ok(Object {
            source: Source::Api {
                path: format!("admission request {}", request.uid).into(),
            },
            api_version,
            kind,
            namespace,
            name,
            root,
        })
    }
}
