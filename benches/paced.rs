//! Paced clients against a provider's limits in wall time (issue 23): how
//! close does each client get to the rate it is allowed, and does it meet
//! any 429 on the way?
//!
//! The server (benches/common/paced_server.rs) is the in-memory service
//! playing Slack v2 on 127.0.0.1, its published table scaled K× (every
//! rule's rate and burst) and enforced in wall time: an empty bucket is a
//! 429 with `Retry-After`. Each client creates users (`POST /Users`), so
//! the binding rule is "user creates", 180/min × K (they also count in
//! "writes", 600/min × K), and is told the scaled table, as a real client
//! is told the published one, paced at the default share
//! (`SharedBudget::for_table(&scaled, DEFAULT_SHARE)`):
//!
//! - the blocking client (ureq), one thread, at K = 10;
//! - the async client on tokio (reqwest), 16 tasks sharing one client, at
//!   K = 10;
//! - the `scim` CLI, `plan --from people.csv` then `apply plan.json`
//!   (the sync job; apply at its default concurrency), at K = 1: the CLI
//!   is told only a profile's published table (`--profile slack-v2`), so
//!   the server enforces exactly that;
//! - a control: the blocking client with no budget, for 2 s at K = 10,
//!   which must meet 429s (the server does enforce the table).
//!
//! Each client gets a fresh server (buckets full) and as many creates as
//! its share lets through in about a minute after its burst. Achieved
//! rate: the creates the server admitted after the client's burst, over
//! the time from the first admitted create to the last, as the server's
//! clock saw them; with exact pacing that is the share's rate, whatever
//! the burst took. The bench asserts 0 429s for every client and, for
//! the library clients, at least 97% of the ceiling the client is allowed
//! (the scaled table's rate × the share).
//!
//! `cargo bench --bench paced --features tokio` (about 3.5 minutes, and
//! the CLI's build the first time);
//! `-- quick` runs 2 s per library client and 5 s of the CLI and asserts
//! 0 429s and at least 90%; `-- serve K` only serves (Slack v2 scaled K×)
//! and prints its URL, for other clients. The CLI is built with
//! `cargo build --release -p scim-cli` by the bench, or taken from
//! `$SCIM_BIN`.

#[path = "common/paced_server.rs"]
mod paced_server;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use paced_server::{BASE_PATH, PacedServer, RuleTally};
use scim_client::model::{Name, User};
use scim_client::pacing::{DEFAULT_SHARE, RateRule, RateTable, RequestClass, SharedBudget};
use scim_client::provider::Profile;
use scim_client::retry::RateLimitErrorRetryHandler;
use scim_client::{AsyncScimClient, ClientOptions, ScimClient};

/// The library clients' scale: 1,620 creates a minute at the share.
const K_LIBRARY: u32 = 10;
/// The CLI's: it is told only the published table.
const K_CLI: u32 = 1;
/// Tasks of the async client.
const CONCURRENCY: usize = 16;

/// Which client a run drives.
#[derive(Clone, Copy, Debug)]
enum Client {
    Blocking,
    Tokio,
    Cli,
    /// The blocking client without a budget: the control, showing the
    /// server does answer 429s in wall time.
    Unpaced,
}

impl Client {
    fn label(self) -> String {
        match self {
            Client::Blocking => "blocking (ureq), 1 thread".to_owned(),
            Client::Tokio => format!("async on tokio (reqwest), {CONCURRENCY} tasks"),
            Client::Cli => "`scim` CLI: plan + apply (default concurrency)".to_owned(),
            Client::Unpaced => "control: blocking, no budget".to_owned(),
        }
    }

    fn k(self) -> u32 {
        match self {
            Client::Cli => K_CLI,
            _ => K_LIBRARY,
        }
    }
}

/// One client's run, as the server counted it.
struct Row {
    client: Client,
    /// Every request the server received.
    requests: u64,
    /// Every 429 it answered.
    throttled: u64,
    /// The binding rule's tally.
    binding: RuleTally,
    /// Every rule's, in table order.
    rules: Vec<RuleTally>,
    /// The binding rule's published rate × K, per minute.
    ceiling: f64,
    /// The client's burst in that rule (at the share).
    burst: u64,
}

impl Row {
    /// Seconds from the first admitted create to the last.
    fn seconds(&self) -> f64 {
        match (self.binding.first, self.binding.last) {
            (Some(first), Some(last)) => last.duration_since(first).unwrap_or_default(),
            _ => Duration::ZERO,
        }
        .as_secs_f64()
    }

    /// Creates per minute after the burst.
    fn achieved(&self) -> f64 {
        self.binding.admitted.saturating_sub(self.burst) as f64 / self.seconds() * 60.0
    }

    /// Achieved over the ceiling the client is allowed: table × share.
    fn of_share(&self) -> f64 {
        self.achieved() / (self.ceiling * DEFAULT_SHARE)
    }
}

/// The slowest rule a `POST /Users` counts in.
fn binding_rule(table: &RateTable) -> &RateRule {
    let class = RequestClass::of("/scim/v2/Users", BASE_PATH);
    let per_minute = |rule: &RateRule| f64::from(rule.limit) / rule.per.as_secs_f64() * 60.0;
    table
        .rules
        .iter()
        .filter(|rule| rule.matches(&http::Method::POST, &class))
        .min_by(|a, b| per_minute(a).total_cmp(&per_minute(b)))
        .expect("a rule counts user creates")
}

/// A rule's burst at `share`, as the client's budget holds it
/// (`RateBudget::new`: the burst times the share, rounded down, at least 1).
fn burst_at(rule: &RateRule, share: f64) -> u64 {
    (f64::from(rule.burst.max(1)) * share).floor().max(1.0) as u64
}

/// Creates for a run of about `seconds` after the burst, at the share.
fn creates_for(table: &RateTable, seconds: f64) -> usize {
    let rule = binding_rule(table);
    let per_second = f64::from(rule.limit) / rule.per.as_secs_f64() * DEFAULT_SHARE;
    burst_at(rule, DEFAULT_SHARE) as usize + (per_second * seconds).round() as usize
}

fn user(i: usize) -> User {
    User {
        user_name: format!("user{i:05}").into(),
        display_name: format!("User {i}").into(),
        name: Name {
            given_name: "User".into(),
            family_name: format!("{i}").into(),
            ..Default::default()
        }
        .into(),
        ..User::default()
    }
}

/// The profile's options at the server, paced at the default share of the
/// table the server enforces; 429s are retried (and counted by the server).
fn options(profile: &Profile, server: &PacedServer, paced: bool) -> ClientOptions {
    let mut options = ClientOptions {
        budget: paced.then(|| SharedBudget::for_table(&server.table, DEFAULT_SHARE)),
        ..ClientOptions::for_profile(profile, &server.url)
    };
    options
        .retry_handlers
        .push(RateLimitErrorRetryHandler::bounded_by_time());
    options
}

fn run_blocking(profile: &Profile, server: &PacedServer, creates: usize, paced: bool) {
    let options = options(profile, server, paced);
    let client = ScimClient::with_options("xoxp-bench", options).expect("a client");
    for i in 0..creates {
        client.create_user(&user(i)).expect("create");
    }
}

fn run_tokio(profile: &Profile, server: &PacedServer, creates: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let options = options(profile, server, true);
    runtime.block_on(async move {
        let client =
            Arc::new(AsyncScimClient::with_options("xoxp-bench", options).expect("a client"));
        let next = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..CONCURRENCY)
            .map(|_| {
                let (client, next) = (client.clone(), next.clone());
                tokio::spawn(async move {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= creates {
                            break;
                        }
                        client.create_user(&user(i)).await.expect("create");
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("a task");
        }
    });
}

/// `scim plan` of a CSV of `creates` new users, then `scim apply` of the
/// plan, against the server.
fn run_cli(profile: &Profile, server: &PacedServer, creates: usize, scim: &Path) {
    let work = std::env::temp_dir().join(format!("scim-paced-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("a work directory");
    let mut csv = String::from("externalId,userName,name.givenName,name.familyName,emails\n");
    for i in 0..creates {
        csv.push_str(&format!(
            "bench:{i:05},user{i:05},User,{i},user{i:05}@example.com\n"
        ));
    }
    std::fs::write(work.join("people.csv"), csv).expect("write the CSV");
    let _ = std::fs::remove_file(work.join("plan.json.journal"));
    let scim_in = |args: &[&str]| {
        let status = Command::new(scim)
            .current_dir(&work)
            .args(["--profile", &profile.name, "--base-url", &server.url, "-q"])
            .args(args)
            .env_remove("SLACK_ORG_ADMIN_USER_TOKEN")
            .env("SCIM_TOKEN", "xoxp-bench")
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run scim");
        assert!(status.success(), "scim {args:?}: {status}");
    };
    scim_in(&["plan", "--from", "people.csv", "--out", "plan.json"]);
    scim_in(&["apply", "plan.json"]);
    let _ = std::fs::remove_dir_all(&work);
}

/// The `scim` binary: `$SCIM_BIN`, or built here (release) by cargo.
fn cli_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("SCIM_BIN") {
        return PathBuf::from(path);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    // What cargo set for this bench's run is not the build's: ring's build
    // script reruns when CARGO_MANIFEST_DIR changes, which would rebuild
    // the CLI and everything under it every time.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_MANIFEST_")
            || [
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
            ]
            .contains(&&*name)
        {
            build.env_remove(&*name);
        }
    }
    let output = build
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["build", "--release", "--quiet", "-p", "scim-cli"])
        .args(["--message-format", "json-render-diagnostics"])
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("run cargo build");
    assert!(output.status.success(), "cargo build -p scim-cli failed");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "scim")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo built the scim binary")
}

/// Runs `client` for about `seconds` after its burst, on a fresh server.
fn measure(client: Client, seconds: f64) -> Row {
    let profile = Profile::slack_v2();
    // Built (or found) before the server starts its clock.
    let scim = matches!(client, Client::Cli).then(cli_binary);
    let server = PacedServer::start(&profile, client.k());
    let creates = creates_for(&server.table, seconds);
    match client {
        Client::Blocking => run_blocking(&profile, &server, creates, true),
        Client::Unpaced => run_blocking(&profile, &server, creates, false),
        Client::Tokio => run_tokio(&profile, &server, creates),
        Client::Cli => run_cli(&profile, &server, creates, scim.as_deref().expect("scim")),
    }
    let rule = binding_rule(&server.table);
    let rules = server.tally();
    let binding = rules
        .iter()
        .find(|tally| tally.name == rule.name)
        .cloned()
        .expect("the binding rule's tally");
    // A client without a budget spends the server's whole burst.
    let share = match client {
        Client::Unpaced => 1.0,
        _ => DEFAULT_SHARE,
    };
    assert_eq!(binding.admitted, creates as u64, "{client:?}: every create");
    let row = Row {
        client,
        requests: server.service.requests_received(),
        throttled: server.service.throttled(),
        ceiling: f64::from(rule.limit) / rule.per.as_secs_f64() * 60.0,
        burst: burst_at(rule, share),
        binding,
        rules,
    };
    server.stop();
    row
}

fn print(row: &Row) {
    println!(
        "| {} | {} | {} | {} | {} | {:.1} | {} {:.0}/min | {:.0}/min | {:.1}% | {:.1}% |",
        row.client.label(),
        row.client.k(),
        row.requests,
        row.binding.admitted,
        row.throttled,
        row.seconds(),
        row.binding.name,
        row.ceiling,
        row.achieved(),
        100.0 * row.achieved() / row.ceiling,
        100.0 * row.of_share(),
    );
    std::io::stdout().flush().ok();
}

fn serve(k: u32) {
    let server = PacedServer::start(&Profile::slack_v2(), k);
    println!("{}", server.url);
    std::io::stdout().flush().ok();
    loop {
        std::thread::park();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "serve") {
        let k = args.get(at + 1).and_then(|k| k.parse().ok()).unwrap_or(1);
        return serve(k);
    }
    let quick = args.iter().any(|a| a == "quick");
    let (library_seconds, cli_seconds, floor) = if quick {
        (2.0, 5.0, 0.90)
    } else {
        (60.0, 60.0, 0.97)
    };
    println!(
        "Slack v2's table scaled K×, in wall time; creates (POST /Users) at share {DEFAULT_SHARE}\n"
    );
    println!(
        "| client | K | requests | creates | 429s | seconds | binding rule, table × K | achieved | of table | of table × share |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let rows: Vec<Row> = [
        (Client::Blocking, library_seconds),
        (Client::Tokio, library_seconds),
        (Client::Cli, cli_seconds),
        (Client::Unpaced, 2.0),
    ]
    .into_iter()
    .map(|(client, seconds)| {
        let row = measure(client, seconds);
        print(&row);
        row
    })
    .collect();
    println!("\nEvery rule a request counted in (requests, 429s among them):");
    for row in &rows {
        let rules: Vec<String> = row
            .rules
            .iter()
            .filter(|rule| rule.requests > 0)
            .map(|rule| format!("{} {} ({})", rule.name, rule.requests, rule.throttled))
            .collect();
        println!("- {}: {}", row.client.label(), rules.join(", "));
    }
    check(&rows, floor);
}

fn check(rows: &[Row], floor: f64) {
    for row in rows {
        if matches!(row.client, Client::Unpaced) {
            assert!(row.throttled > 0, "the server answers 429s in wall time");
            continue;
        }
        assert_eq!(
            row.throttled, 0,
            "{:?}: 429s at the default share",
            row.client
        );
        if !matches!(row.client, Client::Cli) {
            assert!(
                row.of_share() >= floor,
                "{:?}: {:.1}% of table × share, under {:.0}%",
                row.client,
                100.0 * row.of_share(),
                100.0 * floor
            );
        }
    }
}
