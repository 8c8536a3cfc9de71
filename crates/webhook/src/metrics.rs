//! Counters and histograms, lock-free, rendered in the Prometheus text format at `/metrics`.
//! Label values come from fixed lists (kinds, verdicts, rule codes), so a caller cannot grow
//! the series without bound.

use crate::config::Mode;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// What became of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Denied,
    /// Not judged (internal error, missed deadline): answered by the failure policy.
    Error,
    /// Not a review the webhook can answer (400, 413, 415).
    Invalid,
    /// The body did not arrive before the deadline (408).
    Timeout,
}

const VERDICTS: [Verdict; 5] = [
    Verdict::Allowed,
    Verdict::Denied,
    Verdict::Error,
    Verdict::Invalid,
    Verdict::Timeout,
];

impl Verdict {
    fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Denied => "denied",
            Verdict::Error => "error",
            Verdict::Invalid => "invalid",
            Verdict::Timeout => "timeout",
        }
    }
}

/// Upper bounds of the latency buckets, in seconds: fine below a millisecond, where answers
/// should be, coarse up to the API server's 30 s limit.
const BUCKETS: [f64; 14] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0,
    10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_ns: AtomicU64,
}

impl Histogram {
    fn observe(&self, d: Duration) {
        let s = d.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| s <= *b) {
            self.counts[i].fetch_add(1, Relaxed);
        }
        self.count.fetch_add(1, Relaxed);
        self.sum_ns
            .fetch_add(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX), Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        let mut cumulative = 0;
        for (b, c) in BUCKETS.iter().zip(&self.counts) {
            cumulative += c.load(Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{b}\"}} {cumulative}");
        }
        let count = self.count.load(Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.sum_ns.load(Relaxed) as f64 / 1e9;
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {count}");
    }
}

pub struct Metrics {
    kinds: Vec<&'static str>,
    requests: Vec<[AtomicU64; VERDICTS.len()]>,
    latency: Histogram,
    engine: Histogram,
    rules: Vec<&'static str>,
    findings: Vec<[AtomicU64; 4]>,
    in_flight: AtomicI64,
    pub(crate) tls_reloads: AtomicU64,
    pub(crate) tls_reload_failures: AtomicU64,
}

const OTHER: &str = "other";
const UNKNOWN: &str = "unknown";

impl Default for Metrics {
    fn default() -> Metrics {
        let mut kinds = crate::rules::judged_kinds();
        kinds.push(OTHER);
        kinds.push(UNKNOWN);
        let rules: Vec<&'static str> = crate::rules::admission_rules()
            .iter()
            .map(|r| r.code)
            .collect();
        Metrics {
            requests: kinds.iter().map(|_| Default::default()).collect(),
            kinds,
            latency: Histogram::default(),
            engine: Histogram::default(),
            findings: rules.iter().map(|_| Default::default()).collect(),
            rules,
            in_flight: AtomicI64::new(0),
            tls_reloads: AtomicU64::new(0),
            tls_reload_failures: AtomicU64::new(0),
        }
    }
}

/// Counts a request in flight while it lives.
pub struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Relaxed);
    }
}

impl Metrics {
    pub fn in_flight(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Relaxed);
        InFlight(self)
    }

    pub fn in_flight_now(&self) -> i64 {
        self.in_flight.load(Relaxed)
    }

    /// Records one request: its kind (None when the body named none), verdict and latency.
    pub fn request(&self, kind: Option<&str>, verdict: Verdict, latency: Duration) {
        let label = match kind {
            None => UNKNOWN,
            Some(k) => self
                .kinds
                .iter()
                .copied()
                .find(|x| *x == k)
                .unwrap_or(OTHER),
        };
        if let (Some(i), Some(v)) = (
            self.kinds.iter().position(|k| *k == label),
            VERDICTS.iter().position(|v| *v == verdict),
        ) {
            self.requests[i][v].fetch_add(1, Relaxed);
        }
        self.latency.observe(latency);
    }

    pub fn engine_time(&self, d: Duration) {
        self.engine.observe(d);
    }

    pub fn finding(&self, code: &str, mode: Mode) {
        if let Some(i) = self.rules.iter().position(|r| *r == code) {
            self.findings[i][mode.index()].fetch_add(1, Relaxed);
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self, namespaces: usize) -> String {
        let mut out = String::with_capacity(8 * 1024);
        out.push_str("# HELP kcheck_webhook_requests_total Admission requests by object kind and verdict.\n# TYPE kcheck_webhook_requests_total counter\n");
        for (kind, counts) in self.kinds.iter().zip(&self.requests) {
            for (v, c) in VERDICTS.iter().zip(counts) {
                let n = c.load(Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "kcheck_webhook_requests_total{{kind=\"{kind}\",verdict=\"{}\"}} {n}",
                        v.as_str()
                    );
                }
            }
        }
        self.latency.render(
            &mut out,
            "kcheck_webhook_request_duration_seconds",
            "Time from the request's headers to the answer.",
        );
        self.engine.render(
            &mut out,
            "kcheck_webhook_engine_duration_seconds",
            "Time the rules took on one review.",
        );
        out.push_str("# HELP kcheck_webhook_findings_total Findings reported, by rule and the mode they were given.\n# TYPE kcheck_webhook_findings_total counter\n");
        for (rule, counts) in self.rules.iter().zip(&self.findings) {
            for mode in Mode::ALL {
                let n = counts[mode.index()].load(Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "kcheck_webhook_findings_total{{rule=\"{rule}\",mode=\"{}\"}} {n}",
                        mode.as_str()
                    );
                }
            }
        }
        let _ = writeln!(
            out,
            "# HELP kcheck_webhook_in_flight Requests being answered.\n# TYPE kcheck_webhook_in_flight gauge\nkcheck_webhook_in_flight {}",
            self.in_flight.load(Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP kcheck_webhook_tls_reloads_total Serving certificate reloads, by result.\n# TYPE kcheck_webhook_tls_reloads_total counter\nkcheck_webhook_tls_reloads_total{{result=\"ok\"}} {}\nkcheck_webhook_tls_reloads_total{{result=\"failed\"}} {}",
            self.tls_reloads.load(Relaxed),
            self.tls_reload_failures.load(Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP kcheck_webhook_namespaces Namespaces in the context cache.\n# TYPE kcheck_webhook_namespaces gauge\nkcheck_webhook_namespaces {namespaces}"
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::default();
        m.request(
            Some("Deployment"),
            Verdict::Denied,
            Duration::from_micros(300),
        );
        m.request(
            Some("Frobnicator"),
            Verdict::Allowed,
            Duration::from_millis(3),
        );
        m.request(None, Verdict::Invalid, Duration::from_micros(20));
        m.finding("KC301", Mode::Enforce);
        m.finding("KC999", Mode::Enforce);
        let text = m.render(3);
        assert!(text
            .contains("kcheck_webhook_requests_total{kind=\"Deployment\",verdict=\"denied\"} 1"));
        assert!(
            text.contains("kcheck_webhook_requests_total{kind=\"other\",verdict=\"allowed\"} 1")
        );
        assert!(
            text.contains("kcheck_webhook_requests_total{kind=\"unknown\",verdict=\"invalid\"} 1")
        );
        assert!(text.contains("kcheck_webhook_request_duration_seconds_bucket{le=\"0.0005\"} 2"));
        assert!(text.contains("kcheck_webhook_request_duration_seconds_bucket{le=\"+Inf\"} 3"));
        assert!(text.contains("kcheck_webhook_request_duration_seconds_count 3"));
        assert!(text.contains("kcheck_webhook_findings_total{rule=\"KC301\",mode=\"enforce\"} 1"));
        assert!(!text.contains("KC999"));
        assert!(text.contains("kcheck_webhook_namespaces 3"));
    }
}
