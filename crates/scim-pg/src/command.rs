//! [`WorkerCommand`]: a worker's command line, defined once (clap) for the
//! two programs that run one — `scim worker` and this crate's
//! `scim-pg-worker` — so their flags cannot drift apart.
//!
//! ```text
//! scim worker --store postgres://scim@db.internal/scim --store-password-file /run/secrets/pg \
//!     --target slack-v2=https://api.slack.com/scim/v2/ --token-env SLACK_TOKEN
//! ```

use std::path::PathBuf;
use std::time::Duration;

use scim_client::provider::Profile;

use crate::worker::{WorkerOptions, WorkerReport, run};
use crate::{Password, PgConfig, Store, Target, TargetOptions};

/// One worker of the PostgreSQL job store: it serves every active plan
/// whose target (base URL) it is given, until stopped (or idle, with
/// `--until-idle`).
#[derive(Debug, Clone, clap::Args)]
pub struct WorkerCommand {
    /// The store: postgres://USER@HOST:PORT/DATABASE (no password in it)
    #[arg(long, value_name = "URL", env = "SCIM_PG_URL")]
    pub store: String,
    /// A file holding the store's password (mode 0600)
    #[arg(long, value_name = "FILE", env = "SCIM_PG_PASSWORD_FILE")]
    pub store_password_file: Option<PathBuf>,
    /// A provider to serve, PROFILE=BASE_URL (repeat for several orgs); its token is in the
    /// variable --token-env names, or in VAR with PROFILE=BASE_URL,VAR
    #[arg(
        long = "target",
        value_name = "PROFILE=BASE_URL[,VAR]",
        required = true
    )]
    pub targets: Vec<String>,
    /// The environment variable holding the targets' bearer token (unless a target names its
    /// own)
    #[arg(long, value_name = "VAR", default_value = "SCIM_TOKEN")]
    pub token_env: String,
    /// The worker's name, unique among the store's workers [default: host:pid]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// How long a claim holds without a heartbeat, in seconds (up to 3600)
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = lease_seconds)]
    pub lease: Duration,
    /// Steps in hand at once, 1 to 64
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub concurrency: u64,
    /// The share of each provider's rates to spend, 0 < X <= 1
    #[arg(long, value_name = "X", default_value_t = scim_client::pacing::DEFAULT_SHARE)]
    pub share: f64,
    /// Multiply each profile's published limits by K (to test against a service whose table
    /// is scaled alike)
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1_000_000), hide = true)]
    pub rate_scale: u32,
    /// Exit once no active plan has a step waiting or held
    #[arg(long)]
    pub until_idle: bool,
}

impl WorkerCommand {
    /// Connects, sets the targets up, and serves until idle (with
    /// `--until-idle`) or until Ctrl-C; a summary line for people. Tokens
    /// and the store's password never appear in it or in an error.
    pub async fn run(&self) -> Result<String, String> {
        if !(self.share > 0.0 && self.share <= 1.0) {
            return Err(format!(
                "--share {}: give a number above 0 and at most 1",
                self.share
            ));
        }
        let mut config = PgConfig::from_url(&self.store).map_err(|e| e.to_string())?;
        if let Some(file) = &self.store_password_file {
            config = config.password(&Password::from_file(file).map_err(|e| e.to_string())?);
        }
        let store = Store::connect(&config).await.map_err(|e| e.to_string())?;
        let targets = self.targets(&store).await?;
        let report = tokio::select! {
            report = run(store, targets, self.options()) => report.map_err(|e| e.to_string())?,
            _ = tokio::signal::ctrl_c() => {
                return Ok("interrupted: the steps held are claimed again when their leases expire".into())
            }
        };
        Ok(summary(&report))
    }

    async fn targets(&self, store: &Store) -> Result<Vec<Target>, String> {
        let options = TargetOptions {
            share: self.share,
            ..TargetOptions::default()
        };
        let mut targets = Vec::new();
        for text in &self.targets {
            let (name, rest) = text
                .split_once('=')
                .ok_or(format!("--target {text:?}: give PROFILE=BASE_URL[,VAR]"))?;
            let (base_url, variable) = match rest.rsplit_once(',') {
                Some((url, var)) if is_variable(var) => (url, var),
                _ => (rest, self.token_env.as_str()),
            };
            let token = std::env::var(variable)
                .map_err(|_| format!("{variable} is not set (the token of {base_url})"))?;
            let profile = Profile::named(name).ok_or(format!("unknown profile {name:?}"))?;
            let profile = scaled(profile, self.rate_scale);
            let target = Target::new(store, profile, base_url, token.trim(), options)
                .await
                .map_err(|e| format!("{base_url}: {e}"))?;
            targets.push(target);
        }
        Ok(targets)
    }

    fn options(&self) -> WorkerOptions {
        let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
        let name = self
            .name
            .clone()
            .unwrap_or_else(|| format!("{}:{}", host.trim(), std::process::id()));
        let mut options = WorkerOptions::new(name);
        options.lease = self.lease;
        options.concurrency = usize::try_from(self.concurrency).unwrap_or(4);
        options.until_idle = self.until_idle;
        options
    }

    /// [`run`](Self::run) on a runtime of its own, for a blocking caller.
    pub fn run_blocking(&self) -> Result<String, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("no runtime: {e}"))?;
        runtime.block_on(self.run())
    }
}

/// An environment variable's name as people write them: `ORG2_TOKEN`.
fn is_variable(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// A lease: a positive number of seconds, at most an hour.
fn lease_seconds(text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0 && *s <= 3600.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("{text:?}: give seconds above 0 and at most 3600"))
}

/// `profile` with every published limit multiplied by `scale`.
fn scaled(mut profile: Profile, scale: u32) -> Profile {
    for rule in &mut profile.rates.rules {
        rule.limit = rule.limit.saturating_mul(scale);
    }
    profile
}

fn summary(report: &WorkerReport) -> String {
    let refused: Vec<String> = report
        .refused
        .iter()
        .map(|(id, why)| format!("{id}: {why}"))
        .collect();
    format!(
        "done {} failed {} released {} lost {} refused [{}]",
        report.done,
        report.failed,
        report.released,
        report.lost,
        refused.join("; ")
    )
}
