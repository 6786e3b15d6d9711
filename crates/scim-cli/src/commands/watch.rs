//! `scim sync --config scim.toml --every 40m`: the sync as a service. Each
//! run is the one-shot sync (plan, rails, apply, verify); runs follow each
//! other in this one process (never two at once: the next starts after the
//! last ended, and the apply's lock refuses another process), `every`
//! apart with up to a tenth of jitter so that many services started
//! together do not meet the provider at the same minute.
//!
//! A run that fails is reported — a line in the run log, the metrics, a
//! note on stderr — and the service goes on to the next. Each run appends
//! one JSON line to `runs.jsonl` in the config's journal directory (0600).
//! `--metrics ADDR` serves `/metrics` (Prometheus text) and `/healthz`.
//! A stop request (Ctrl-C, SIGTERM) ends the current run as Ctrl-C ends an
//! apply and stops before the next one.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Value, json};

use super::config_sync::{SyncArgs, run_once};
use crate::config::SyncConfig;
use crate::error::CliError;
use crate::metrics::Metrics;
use crate::output::Outcome;
use crate::session::Session;

/// How often the stop request is looked at while waiting for the next run.
const STOP_CHECK: Duration = Duration::from_millis(200);

/// Runs the sync every `every` until `stop` says so (or `runs` runs, when
/// given).
pub(crate) fn run(
    session: &Session,
    flags: &SyncArgs,
    every: Duration,
    stop: &dyn Fn() -> bool,
) -> Result<Outcome, CliError> {
    if !flags.yes && !flags.dry_run {
        return Err(CliError::usage(
            "--every runs unattended: pass --yes to apply each run's plan (or --dry-run)",
        ));
    }
    let config = flags.config()?;
    let log = run_log(config)?;
    let metrics = Metrics::new();
    if let Some(addr) = flags.metrics {
        let bound = metrics.serve(addr)?;
        session.output().note(&format!(
            "metrics on http://{bound}/metrics, health on http://{bound}/healthz"
        ));
    }
    let mut count = 0u64;
    let mut seed = jitter_seed();
    loop {
        count += 1;
        let line = one_run(session, flags, &metrics, count);
        append(&log, &line)?;
        session.output().note(&summary(&line));
        if stop() || flags.runs.is_some_and(|runs| count >= runs) {
            break;
        }
        seed = next(seed);
        if wait(jittered(every, seed), stop) {
            break;
        }
    }
    let human = format!(
        "stopped after {count} run{}\n",
        super::plural(count as usize)
    );
    Ok(Outcome::new(json!({"runs": count, "log": log}), human))
}

/// One run, measured and recorded in the metrics; its run-log line.
fn one_run(session: &Session, flags: &SyncArgs, metrics: &Metrics, count: u64) -> Value {
    let started = Instant::now();
    let at = SystemTime::now();
    let result = run_once(session, flags);
    let took = started.elapsed();
    if let Some(budget) = session.client().budget() {
        let budget = budget.lock();
        metrics.budget(budget.throttled(), budget.waited());
    }
    let unix = |time: SystemTime| {
        time.duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64()
    };
    let mut line =
        json!({"run": count, "started": unix(at), "durationSeconds": took.as_secs_f64()});
    match result {
        Ok(outcome) => {
            let clean = outcome.status == 0;
            metrics.record(&outcome.document, took, SystemTime::now(), clean);
            let document = &outcome.document;
            line["result"] = json!(if clean { "clean" } else { "drift" });
            line["steps"] = json!(document["plan"]["steps"].as_array().map_or(0, Vec::len));
            line["failed"] = json!(document["report"]["failed"].as_array().map_or(0, Vec::len));
            line["drift"] = json!(document["drift"]["items"].as_array().map_or(0, Vec::len));
        }
        Err(error) => {
            metrics.run_ended("failed");
            line["result"] = json!("failed");
            line["error"] = json!(error.to_string());
        }
    }
    line
}

/// A run's line for people: `run 3: clean, 12 steps, 0 failed, no drift`.
fn summary(line: &Value) -> String {
    let run = &line["run"];
    match line["result"].as_str() {
        Some("failed") => format!(
            "run {run}: failed: {}",
            line["error"].as_str().unwrap_or("")
        ),
        result => format!(
            "run {run}: {}, {} steps, {} failed, {} drift items, {:.1} s",
            result.unwrap_or("?"),
            line["steps"],
            line["failed"],
            line["drift"],
            line["durationSeconds"].as_f64().unwrap_or(0.0)
        ),
    }
}

/// `runs.jsonl` in the config's journal directory.
fn run_log(config: &SyncConfig) -> Result<PathBuf, CliError> {
    Ok(config.journal_dir()?.join("runs.jsonl"))
}

/// Appends `line` to the run log, created readable by its owner only.
fn append(log: &std::path::Path, line: &Value) -> Result<(), CliError> {
    let failed = |e: std::io::Error| {
        CliError::failure("output", format!("cannot write {}: {e}", log.display()))
    };
    let mut file = crate::fs::append_private(log).map_err(failed)?;
    writeln!(file, "{line}").map_err(failed)
}

/// Sleeps `wait` in short slices; true when a stop was asked for.
fn wait(wait: Duration, stop: &dyn Fn() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < wait {
        if stop() {
            return true;
        }
        std::thread::sleep(STOP_CHECK.min(wait.saturating_sub(started.elapsed())));
    }
    stop()
}

/// `every`, moved by up to a tenth either way by `seed`.
fn jittered(every: Duration, seed: u64) -> Duration {
    let tenth = every.as_secs_f64() / 10.0;
    let unit = (seed >> 11) as f64 / (1u64 << 53) as f64; // in [0, 1)
    // `every` comes from the command line: a sum past Duration's range
    // keeps `every` itself rather than panicking.
    Duration::try_from_secs_f64((every.as_secs_f64() + tenth * (2.0 * unit - 1.0)).max(0.0))
        .unwrap_or(every)
}

/// A seed from the process's hash randomness: the jitter needs no more.
fn jitter_seed() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::process::id())
}

/// The next number of a xorshift sequence.
fn next(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_jitter_stays_within_a_tenth() {
        let every = Duration::from_secs(2400);
        let mut seed = 1;
        for _ in 0..1000 {
            seed = next(seed);
            let wait = jittered(every, seed);
            assert!(
                wait >= Duration::from_secs(2160) && wait <= Duration::from_secs(2640),
                "{wait:?}"
            );
        }
    }

    #[test]
    fn a_stop_ends_the_wait() {
        assert!(wait(Duration::from_secs(3600), &|| true));
        assert!(!wait(Duration::ZERO, &|| false));
    }
}
