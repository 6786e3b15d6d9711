//! `scim-pg-worker`: one worker of the PostgreSQL job store; run one per
//! machine, all on one database.
//!
//! ```text
//! SCIM_PG_URL=postgres://scim@db.internal/scim SCIM_PG_PASSWORD_FILE=/run/secrets/pg \
//! SCIM_TOKEN=… scim-pg-worker --target slack-v2=https://api.slack.com/scim/v2
//! ```

use std::process::ExitCode;
use std::time::Duration;

use scim_client::provider::Profile;
use scim_pg::worker::{WorkerOptions, run};
use scim_pg::{Password, PgConfig, Store, Target, TargetOptions};

const USAGE: &str = "\
usage: scim-pg-worker --target PROFILE=BASE_URL [--target …] [options]

Serves every active plan of the store whose target (base URL) is given.
Environment: SCIM_PG_URL (the store, postgres://user@host:port/db),
SCIM_PG_PASSWORD_FILE (its password, optional), and the bearer token of the
targets that follow in the variable --token-env names (default SCIM_TOKEN).

options:
  --token-env VAR     the token of the targets after it is in $VAR
  --name NAME         the worker's name (default host:pid), unique per worker
  --lease SECONDS     how long a claim holds without a heartbeat (default 30)
  --concurrency N     steps in hand at once (default 4)
  --share F           the share of each provider's rates to spend (default 0.9)
  --rate-scale K      multiply each profile's published limits by K (to test
                      against a service whose table is scaled alike)
  --until-idle        exit when no active plan has a step waiting or held";

/// The command line, read.
struct Args {
    targets: Vec<(String, String, String)>,
    options: WorkerOptions,
    target_options: TargetOptions,
    rate_scale: u32,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    let name = format!("{}:{}", host.trim(), std::process::id());
    let mut parsed = Args {
        targets: Vec::new(),
        options: WorkerOptions::new(name),
        target_options: TargetOptions::default(),
        rate_scale: 1,
    };
    let mut token_env = "SCIM_TOKEN".to_owned();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        let number = |text: String| {
            text.parse::<f64>()
                .map_err(|_| format!("{flag}: {text:?} is not a number"))
        };
        match flag.as_str() {
            "--target" => {
                let text = value()?;
                let (profile, url) = text
                    .split_once('=')
                    .ok_or("--target takes PROFILE=BASE_URL")?;
                parsed
                    .targets
                    .push((profile.to_owned(), url.to_owned(), token_env.clone()));
            }
            "--token-env" => token_env = value()?,
            "--name" => parsed.options.name = value()?,
            "--lease" => parsed.options.lease = seconds(number(value()?)?)?,
            "--concurrency" => {
                parsed.options.concurrency = number(value()?)?.clamp(1.0, 1024.0) as usize
            }
            "--share" => parsed.target_options.share = number(value()?)?,
            "--rate-scale" => parsed.rate_scale = number(value()?)?.clamp(1.0, 1e6) as u32,
            "--until-idle" => parsed.options.until_idle = true,
            "--help" | "-h" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if parsed.targets.is_empty() {
        return Err(format!("no --target given\n{USAGE}"));
    }
    Ok(parsed)
}

fn seconds(value: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("{value} is not a positive number of seconds"))
}

/// `profile` with every published limit multiplied by `scale`.
fn scaled(mut profile: Profile, scale: u32) -> Profile {
    for rule in &mut profile.rates.rules {
        rule.limit = rule.limit.saturating_mul(scale);
    }
    profile
}

async fn work(args: Args) -> Result<String, String> {
    let url = std::env::var("SCIM_PG_URL").map_err(|_| "SCIM_PG_URL is not set".to_owned())?;
    let mut config = PgConfig::from_url(&url).map_err(|e| e.to_string())?;
    if let Ok(file) = std::env::var("SCIM_PG_PASSWORD_FILE") {
        config = config.password(&Password::from_file(file).map_err(|e| e.to_string())?);
    }
    let store = Store::connect(&config).await.map_err(|e| e.to_string())?;
    let mut targets = Vec::new();
    for (name, base_url, token_env) in &args.targets {
        let profile = Profile::named(name).ok_or(format!("unknown profile {name:?}"))?;
        let token = std::env::var(token_env).map_err(|_| format!("{token_env} is not set"))?;
        let profile = scaled(profile, args.rate_scale);
        let target = Target::new(&store, profile, base_url, &token, args.target_options)
            .await
            .map_err(|e| format!("{base_url}: {e}"))?;
        targets.push(target);
    }
    let report = tokio::select! {
        report = run(store, targets, args.options) => report.map_err(|e| e.to_string())?,
        _ = tokio::signal::ctrl_c() => return Ok("interrupted: held steps are claimed again when their leases expire".into()),
    };
    let refused: Vec<String> = report
        .refused
        .iter()
        .map(|(id, why)| format!("{id}: {why}"))
        .collect();
    Ok(format!(
        "done {} failed {} released {} lost {} refused [{}]",
        report.done,
        report.failed,
        report.released,
        report.lost,
        refused.join("; ")
    ))
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("scim-pg-worker: no runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(work(args)) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("scim-pg-worker: {message}");
            ExitCode::FAILURE
        }
    }
}
