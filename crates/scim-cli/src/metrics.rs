//! [`Metrics`]: what a sync running as a service tells Prometheus, and the
//! small HTTP endpoint that serves it (`/metrics` in the Prometheus text
//! format, `/healthz`).
//!
//! Everything comes from each run's own document (its plan, report and
//! drift), so the numbers are the run's, not a second bookkeeping:
//!
//! | metric | type | from |
//! |---|---|---|
//! | `scim_sync_steps_total{kind,outcome}` | counter | the report: done (by outcome), failed, skipped |
//! | `scim_sync_throttled_total` | counter | responses 429 the client's budget saw |
//! | `scim_sync_budget_wait_seconds_total` | counter | time the budget asked requests to wait |
//! | `scim_sync_drift_items` | gauge | the last verify |
//! | `scim_sync_source_users` | gauge | the last plan's source size |
//! | `scim_sync_run_duration_seconds` | gauge | the last run |
//! | `scim_sync_last_success_timestamp_seconds` | gauge | the end of the last clean run |
//! | `scim_sync_runs_total{result}` | counter | every run: `clean`, `drift`, `failed` |
//!
//! No gauge of the token's remaining lifetime: the CLI sends a static bearer
//! token (Slack's do not expire), and a gauge with no source would be a
//! made-up number; an OAuth client would report the expiry it is given.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, SystemTime};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use serde_json::Value;

use crate::error::CliError;

/// A step's kind and how it ended.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StepLabels {
    kind: String,
    outcome: String,
}

/// How a run ended.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RunLabels {
    result: String,
}

/// The service's metrics, shared with the endpoint's thread.
#[derive(Clone)]
pub(crate) struct Metrics {
    registry: Arc<Registry>,
    steps: Family<StepLabels, Counter>,
    runs: Family<RunLabels, Counter>,
    throttled: Counter,
    budget_wait: Counter<f64, AtomicU64>,
    drift: Gauge,
    source_users: Gauge,
    duration: Gauge<f64, AtomicU64>,
    last_success: Gauge<f64, AtomicU64>,
}

impl Metrics {
    /// Every metric, registered, at zero.
    pub(crate) fn new() -> Metrics {
        let mut registry = Registry::with_prefix("scim_sync");
        let mut metrics = Metrics {
            registry: Arc::default(),
            steps: Family::default(),
            runs: Family::default(),
            throttled: Counter::default(),
            budget_wait: Counter::default(),
            drift: Gauge::default(),
            source_users: Gauge::default(),
            duration: Gauge::default(),
            last_success: Gauge::default(),
        };
        let m = &metrics;
        registry.register(
            "steps",
            "Plan steps ended, by kind and outcome",
            m.steps.clone(),
        );
        registry.register("runs", "Runs ended, by result", m.runs.clone());
        registry.register(
            "throttled",
            "Responses 429 the rate budget saw",
            m.throttled.clone(),
        );
        registry.register(
            "budget_wait_seconds",
            "Time the rate budget asked requests to wait",
            m.budget_wait.clone(),
        );
        registry.register(
            "drift_items",
            "Differences the last verify found",
            m.drift.clone(),
        );
        registry.register(
            "source_users",
            "Users in the last run's source",
            m.source_users.clone(),
        );
        registry.register(
            "run_duration_seconds",
            "How long the last run took",
            m.duration.clone(),
        );
        registry.register(
            "last_success_timestamp_seconds",
            "When the last clean run ended (Unix time)",
            m.last_success.clone(),
        );
        metrics.registry = Arc::new(registry);
        metrics
    }

    /// Records a run that ended with `document` (`{plan, report, drift}`)
    /// after `took`, `clean` as the run's exit status says (one rule for
    /// the metrics and the run log).
    pub(crate) fn record(&self, document: &Value, took: Duration, now: SystemTime, clean: bool) {
        let steps = document["plan"]["steps"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        let kind = |index: &Value| -> String {
            let at = index.as_u64().unwrap_or(u64::MAX) as usize;
            steps
                .get(at)
                .and_then(|step| step["step"].as_str())
                .unwrap_or("unknown")
                .to_owned()
        };
        let report = &document["report"];
        for (list, outcome) in [
            ("done", None),
            ("failed", Some("failed")),
            ("skipped", Some("skipped")),
        ] {
            for item in report[list].as_array().into_iter().flatten() {
                let outcome = outcome.map_or_else(|| outcome_of(&item["outcome"]), str::to_owned);
                let labels = StepLabels {
                    kind: kind(&item["step"]),
                    outcome,
                };
                self.steps.get_or_create(&labels).inc();
            }
        }
        let drift = document["drift"]["items"].as_array().map_or(0, Vec::len);
        self.drift.set(i64::try_from(drift).unwrap_or(i64::MAX));
        let source = document["plan"]["sourceSize"].as_i64().unwrap_or(0);
        self.source_users.set(source);
        self.duration.set(took.as_secs_f64());
        if clean {
            let unix = now
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default();
            self.last_success.set(unix.as_secs_f64());
        }
        let result = if clean { "clean" } else { "drift" };
        self.run_ended(result);
    }

    /// Counts a run that ended `result` (`clean`, `drift`, `failed`).
    pub(crate) fn run_ended(&self, result: &str) {
        let labels = RunLabels {
            result: result.to_owned(),
        };
        self.runs.get_or_create(&labels).inc();
    }

    /// Brings the budget's totals up to `throttled` responses 429 and
    /// `waited` of pacing (both running totals of the client's budget).
    pub(crate) fn budget(&self, throttled: u64, waited: Duration) {
        self.throttled
            .inc_by(throttled.saturating_sub(self.throttled.get()));
        let more = waited.as_secs_f64() - self.budget_wait.get();
        if more > 0.0 {
            self.budget_wait.inc_by(more);
        }
    }

    /// The metrics in the Prometheus text format.
    pub(crate) fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }

    /// Serves `/metrics` and `/healthz` at `addr` on a thread of its own,
    /// for as long as the process lives.
    pub(crate) fn serve(&self, addr: SocketAddr) -> Result<SocketAddr, CliError> {
        let server = tiny_http::Server::http(addr)
            .map_err(|e| CliError::input(format!("cannot serve metrics on {addr}: {e}")))?;
        let bound = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| CliError::input(format!("{addr} is not an IP address")))?;
        let metrics = self.clone();
        std::thread::spawn(move || {
            for request in server.incoming_requests() {
                let (status, body, kind) = match request.url() {
                    "/metrics" => (
                        200,
                        metrics.render(),
                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    ),
                    "/healthz" => (200, "ok\n".to_owned(), "text/plain"),
                    _ => (404, "not found\n".to_owned(), "text/plain"),
                };
                let header = tiny_http::Header::from_bytes("Content-Type", kind).ok();
                let mut response = tiny_http::Response::from_string(body).with_status_code(status);
                if let Some(header) = header {
                    response = response.with_header(header);
                }
                // A scraper that hung up is its own business.
                let _ = request.respond(response);
            }
        });
        Ok(bound)
    }
}

/// A done step's outcome name (`created`, `updated`, …).
fn outcome_of(outcome: &Value) -> String {
    match outcome {
        Value::String(name) => name.clone(),
        Value::Object(fields) => fields
            .get("outcome")
            .and_then(Value::as_str)
            .unwrap_or("done")
            .to_owned(),
        _ => "done".to_owned(),
    }
    .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_runs_document_becomes_metrics_in_the_text_format() {
        let metrics = Metrics::new();
        let document = json!({
            "plan": {"steps": [{"step": "createUser"}, {"step": "updateUser"}], "sourceSize": 7},
            "report": {"done": [{"step": 0, "outcome": {"outcome": "created", "id": "W1"}}], "failed": [{"step": 1}], "skipped": []},
            "drift": {"items": [{}]}
        });
        metrics.record(
            &document,
            Duration::from_millis(1500),
            SystemTime::UNIX_EPOCH,
            false,
        );
        metrics.budget(2, Duration::from_secs(3));
        let text = metrics.render();
        for line in [
            "scim_sync_steps_total{kind=\"createUser\",outcome=\"created\"} 1",
            "scim_sync_steps_total{kind=\"updateUser\",outcome=\"failed\"} 1",
            "scim_sync_drift_items 1",
            "scim_sync_source_users 7",
            "scim_sync_run_duration_seconds 1.5",
            "scim_sync_throttled_total 2",
            "scim_sync_budget_wait_seconds_total 3.0",
            "scim_sync_runs_total{result=\"drift\"} 1",
        ] {
            assert!(text.contains(line), "{line} in:\n{text}");
        }
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
