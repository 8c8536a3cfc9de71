//! The webhook's configuration file: the engine's keys (as `kcheck --config` reads them) and a
//! `webhook:` section with the modes and the failure behaviour.
//!
//! ```yaml
//! kubeVersion: v1.33                 # engine keys, as for `kcheck scan --config`
//! podSecurity: {defaultLevel: baseline, exemptNamespaces: [kube-system]}
//! webhook:
//!   failurePolicy: deny              # answer to an internal error or a missed deadline: allow | deny
//!   onlyNew: true                    # UPDATE: report only findings the old object did not have
//!   language: en                     # en | zh: denial messages, warnings, annotations
//!   annotationWaivers: false         # honour kcheck.io/ignore on the reviewed object
//!   maxBodyBytes: 8388608            # larger reviews get 413
//!   maxTimeoutSeconds: 10            # cap on the deadline the API server's ?timeout= asks for
//!   modes:                           # enforce | warn | audit | off; rule beats item beats severity
//!     severity: {critical: enforce, high: enforce, medium: warn, low: warn, info: warn}
//!     items: {"3.2": enforce}
//!     rules: {KC306: warn, KC204: off}
//! ```

use kcheck_model::{Lang, Level, Node, Pos, Severity, Value};
use std::collections::HashMap;
use std::time::Duration;

/// What the webhook does with a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    /// Not reported at all.
    Off,
    /// An audit annotation on the request's audit event.
    Audit,
    /// An admission warning shown to the client.
    Warn,
    /// The request is denied.
    Enforce,
}

impl Mode {
    pub const ALL: [Mode; 4] = [Mode::Off, Mode::Audit, Mode::Warn, Mode::Enforce];

    pub fn parse(s: &str) -> Option<Mode> {
        Some(match s.to_ascii_lowercase().as_str() {
            "off" => Mode::Off,
            "audit" => Mode::Audit,
            "warn" => Mode::Warn,
            "enforce" | "deny" => Mode::Enforce,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Off => "off",
            Mode::Audit => "audit",
            Mode::Warn => "warn",
            Mode::Enforce => "enforce",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// Which mode each finding gets: by rule code, else by checklist item, else by severity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Modes {
    /// Indexed by `Severity as usize` (info, low, medium, high, critical).
    pub severity: [Mode; 5],
    pub items: HashMap<String, Mode>,
    /// Keyed by upper-case rule code.
    pub rules: HashMap<String, Mode>,
}

impl Default for Modes {
    /// Enforce critical and high findings, warn the rest.
    fn default() -> Modes {
        Modes {
            severity: [
                Mode::Warn,
                Mode::Warn,
                Mode::Warn,
                Mode::Enforce,
                Mode::Enforce,
            ],
            items: HashMap::new(),
            rules: HashMap::new(),
        }
    }
}

impl Modes {
    /// The mode of one finding. A warn-level finding never denies and an info-level one is at
    /// most audited: the rule itself judged them weaker than a failure.
    pub fn of(&self, code: &str, item: &str, severity: Severity, level: Level) -> Mode {
        let configured = self
            .rules
            .get(code)
            .or_else(|| self.items.get(item))
            .copied()
            .unwrap_or(self.severity[severity as usize]);
        let cap = match level {
            Level::Fail => Mode::Enforce,
            Level::Warn => Mode::Warn,
            Level::Info => Mode::Audit,
        };
        configured.min(cap)
    }
}

/// What to answer when kcheck cannot judge a request (an internal error, a missed deadline).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailurePolicy {
    Allow,
    Deny,
}

/// Everything the webhook is told, engine configuration included.
#[derive(Clone, Debug)]
pub struct Settings {
    pub engine: kcheck_rules::Config,
    pub modes: Modes,
    pub failure_policy: FailurePolicy,
    pub only_new: bool,
    pub lang: Lang,
    pub annotation_waivers: bool,
    pub max_body_bytes: usize,
    /// The longest a request may take, whatever its `timeout` parameter asks for.
    pub max_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            engine: kcheck_rules::Config::default(),
            modes: Modes::default(),
            failure_policy: FailurePolicy::Deny,
            only_new: false,
            lang: Lang::En,
            annotation_waivers: false,
            // An object may be up to about 3 MiB on the API server's side, and an UPDATE review
            // carries two of them.
            max_body_bytes: 8 * 1024 * 1024,
            // Kubernetes' default webhook timeout.
            max_timeout: Duration::from_secs(10),
        }
    }
}

/// A problem in the configuration file.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{pos}: {message}")]
pub struct ConfigError {
    pub pos: Pos,
    pub message: String,
}

fn error(pos: Pos, message: impl Into<String>) -> ConfigError {
    ConfigError {
        pos,
        message: message.into(),
    }
}

impl Settings {
    /// Reads a configuration document. Every problem is reported, not just the first.
    pub fn from_node(root: &Node) -> Result<Settings, Vec<ConfigError>> {
        let mut settings = Settings::default();
        if root.is_null() {
            return Ok(settings);
        }
        let Value::Map(entries) = &root.value else {
            return Err(vec![error(root.pos, "the configuration must be a mapping")]);
        };
        let mut errors = Vec::new();
        let engine_entries: Vec<_> = entries
            .iter()
            .filter(|e| e.key != "webhook")
            .cloned()
            .collect();
        match kcheck_rules::Config::from_node(&Node::new(root.pos, Value::Map(engine_entries))) {
            Ok(c) => settings.engine = c,
            Err(es) => errors.extend(es.into_iter().map(|e| error(e.pos, e.message))),
        }
        if let Some(w) = root.get("webhook") {
            read_webhook(w, &mut settings, &mut errors);
        }
        if errors.is_empty() {
            Ok(settings)
        } else {
            Err(errors)
        }
    }
}

fn read_webhook(w: &Node, s: &mut Settings, errors: &mut Vec<ConfigError>) {
    if !w.is_null() && !matches!(w.value, Value::Map(_)) {
        errors.push(error(w.pos, "webhook must be a mapping"));
        return;
    }
    for e in w.as_map() {
        let v = &e.value;
        match e.key.as_str() {
            "failurePolicy" => match v.as_str().map(str::to_ascii_lowercase).as_deref() {
                Some("allow" | "ignore") => s.failure_policy = FailurePolicy::Allow,
                Some("deny" | "fail") => s.failure_policy = FailurePolicy::Deny,
                _ => errors.push(error(v.pos, "webhook.failurePolicy must be allow or deny")),
            },
            "onlyNew" => match v.as_bool() {
                Some(b) => s.only_new = b,
                None => errors.push(error(v.pos, "webhook.onlyNew must be true or false")),
            },
            "annotationWaivers" => match v.as_bool() {
                Some(b) => s.annotation_waivers = b,
                None => errors.push(error(
                    v.pos,
                    "webhook.annotationWaivers must be true or false",
                )),
            },
            "language" => match v.as_str().and_then(Lang::parse) {
                Some(l) => s.lang = l,
                None => errors.push(error(v.pos, "webhook.language must be en or zh")),
            },
            "maxBodyBytes" => match v.as_i64().and_then(|n| usize::try_from(n).ok()) {
                Some(n) if n >= 1024 => s.max_body_bytes = n,
                _ => errors.push(error(
                    v.pos,
                    "webhook.maxBodyBytes must be a number of bytes, at least 1024",
                )),
            },
            "maxTimeoutSeconds" => match v.as_i64() {
                Some(n @ 1..=30) => s.max_timeout = Duration::from_secs(n.unsigned_abs()),
                _ => errors.push(error(
                    v.pos,
                    "webhook.maxTimeoutSeconds must be between 1 and 30",
                )),
            },
            "modes" => read_modes(v, &mut s.modes, errors),
            other => errors.push(error(e.key_pos, format!("unknown key webhook.{other}"))),
        }
    }
}

fn mode_of(v: &Node, errors: &mut Vec<ConfigError>) -> Option<Mode> {
    // Kubernetes-style YAML 1.1 reads a bare `off` as the boolean false.
    let mode = match v.as_bool() {
        Some(false) => Some(Mode::Off),
        _ => v.as_str().and_then(Mode::parse),
    };
    if mode.is_none() {
        errors.push(error(v.pos, "a mode is enforce, warn, audit or off"));
    }
    mode
}

fn read_modes(v: &Node, modes: &mut Modes, errors: &mut Vec<ConfigError>) {
    for e in v.as_map() {
        match e.key.as_str() {
            "severity" => {
                for s in e.value.as_map() {
                    match Severity::parse(&s.key) {
                        Some(sev) => {
                            if let Some(m) = mode_of(&s.value, errors) {
                                modes.severity[sev as usize] = m;
                            }
                        }
                        None => errors.push(error(
                            s.key_pos,
                            format!(
                                "unknown severity {}: critical, high, medium, low or info",
                                s.key
                            ),
                        )),
                    }
                }
            }
            "items" => {
                for i in e.value.as_map() {
                    if kcheck_model::item(&i.key).is_none() {
                        errors.push(error(
                            i.key_pos,
                            format!("unknown checklist item {}", i.key),
                        ));
                    } else if let Some(m) = mode_of(&i.value, errors) {
                        modes.items.insert(i.key.to_string(), m);
                    }
                }
            }
            "rules" => {
                for r in e.value.as_map() {
                    match kcheck_rules::registry::by_code(&r.key) {
                        Some(rule) => {
                            if let Some(m) = mode_of(&r.value, errors) {
                                modes.rules.insert(rule.code.to_string(), m);
                            }
                        }
                        None => errors.push(error(r.key_pos, format!("unknown rule {}", r.key))),
                    }
                }
            }
            other => errors.push(error(
                e.key_pos,
                format!("unknown key webhook.modes.{other}: severity, items or rules"),
            )),
        }
    }
}

/// Reads a configuration file's text (YAML or JSON).
pub fn parse_settings(text: &str) -> Result<Settings, Vec<ConfigError>> {
    let parsed = kcheck_load::parse_documents(text, &kcheck_load::Limits::default());
    if let Some(p) = parsed.errors.first() {
        return Err(vec![error(p.pos, p.message.en.to_string())]);
    }
    match parsed.documents.into_iter().next() {
        Some(kcheck_load::DocOutcome::Node(root)) => Settings::from_node(&root),
        Some(kcheck_load::DocOutcome::Rejected(p)) => {
            Err(vec![error(p.pos, p.message.en.to_string())])
        }
        Some(kcheck_load::DocOutcome::Empty) | None => Ok(Settings::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_enforce_critical_and_high() {
        let m = Modes::default();
        assert_eq!(
            m.of("KC301", "3.2", Severity::Critical, Level::Fail),
            Mode::Enforce
        );
        assert_eq!(
            m.of("KC702", "7.2", Severity::High, Level::Fail),
            Mode::Enforce
        );
        assert_eq!(
            m.of("KC304", "3.3", Severity::Medium, Level::Fail),
            Mode::Warn
        );
        assert_eq!(m.of("KC604", "6.4", Severity::Low, Level::Fail), Mode::Warn);
        // A warn-level finding of a high rule warns; an info-level one is audited.
        assert_eq!(
            m.of("KC702", "7.2", Severity::High, Level::Warn),
            Mode::Warn
        );
        assert_eq!(
            m.of("KC801", "8.3", Severity::Info, Level::Info),
            Mode::Audit
        );
    }

    #[test]
    fn rule_beats_item_beats_severity() {
        let s = parse_settings(
            "webhook:\n  modes:\n    severity: {medium: audit}\n    items: {'3.2': warn}\n    rules: {kc301: audit, privileged-container: audit, KC302: off}\n",
        )
        .unwrap();
        let m = &s.modes;
        assert_eq!(
            m.of("KC301", "3.2", Severity::Critical, Level::Fail),
            Mode::Audit
        );
        assert_eq!(m.of("KC302", "3.2", Severity::High, Level::Fail), Mode::Off);
        assert_eq!(
            m.of("KC303", "3.2", Severity::High, Level::Fail),
            Mode::Warn
        );
        assert_eq!(
            m.of("KC304", "3.3", Severity::Medium, Level::Fail),
            Mode::Audit
        );
        assert_eq!(
            m.of("KC701", "7.3", Severity::High, Level::Fail),
            Mode::Enforce
        );
    }

    #[test]
    fn engine_and_webhook_keys_in_one_file() {
        let s = parse_settings(
            "kubeVersion: v1.31\npodSecurity: {defaultLevel: restricted}\nwebhook:\n  failurePolicy: allow\n  onlyNew: true\n  language: zh\n  maxBodyBytes: 4096\n  maxTimeoutSeconds: 3\n",
        )
        .unwrap();
        assert_eq!(s.engine.kube_version, Some(31));
        assert_eq!(s.failure_policy, FailurePolicy::Allow);
        assert!(s.only_new);
        assert_eq!(s.lang, Lang::Zh);
        assert_eq!(s.max_body_bytes, 4096);
        assert_eq!(s.max_timeout, Duration::from_secs(3));
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let errors = parse_settings(
            "kubeVersion: 7\nwebhook:\n  failurePolicy: maybe\n  modes:\n    rules: {KC999: enforce}\n    severity: {high: block}\n  colour: red\n",
        )
        .unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 5, "{text:?}");
        assert!(text
            .iter()
            .any(|t| t.starts_with("3:") && t.contains("failurePolicy")));
        assert!(text.iter().any(|t| t.contains("unknown rule KC999")));
        assert!(text
            .iter()
            .any(|t| t.contains("unknown key webhook.colour")));
    }

    #[test]
    fn empty_file_is_the_default() {
        let s = parse_settings("# nothing\n").unwrap();
        assert_eq!(s.modes, Modes::default());
        assert_eq!(s.failure_policy, FailurePolicy::Deny);
    }
}
