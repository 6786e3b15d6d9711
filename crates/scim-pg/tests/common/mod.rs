//! What the worker tests share: a throw-away PostgreSQL (through
//! tests/postgres/pg.sh), the in-memory Slack v2 service behind a real
//! HTTP listener in wall time (its rate table scaled up), a plan made
//! against it, and worker processes.

#![allow(dead_code)] // Each test uses its own part.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use scim_client::model::User;
use scim_client::pacing::SharedBudget;
use scim_client::provider::Profile;
use scim_client::{AsyncScimClient, ClientOptions};
use scim_memory::InMemoryService;
use scim_pg::{Password, PgConfig, Store};
use scim_sync::{Desired, DesiredGroup, Ownership, Plan, PlanOptions};

/// Slack's published limits times this: the 2,000-step run takes seconds.
pub const RATE_SCALE: u32 = 20;

/// The token the workers send (the in-memory service takes any).
pub const TOKEN: &str = "xoxp-test-token";

/// A running PostgreSQL; stopped when dropped (also when a test panics).
pub struct Postgres {
    pub url: String,
    pub state: PathBuf,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/postgres/pg.sh")
}

fn installed() -> bool {
    std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| dirs.flatten().any(|d| d.path().join("bin/initdb").exists()))
        .unwrap_or(false)
}

impl Postgres {
    /// Starts a cluster. `None` (the test skips, saying why) only when
    /// PostgreSQL is not installed and `CI` is not set; under CI, or when
    /// an installed PostgreSQL fails to start, the test fails.
    pub fn start(name: &str) -> Option<Postgres> {
        let state = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("pg-{name}"));
        std::fs::create_dir_all(&state).expect("a state directory");
        if !installed() && std::env::var_os("CI").is_none() {
            eprintln!(
                "SKIPPED: PostgreSQL is not installed (run `bash tests/postgres/pg.sh install` as root); \
                 under CI this fails"
            );
            return None;
        }
        let output = Command::new("bash")
            .arg(script())
            .arg("start")
            .arg(&state)
            .output()
            .expect("bash runs");
        assert!(
            output.status.success(),
            "PostgreSQL did not start, so the store tests did not run \
             (`bash tests/postgres/pg.sh install` installs it):\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let url = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        Some(Postgres { url, state })
    }

    pub fn password_file(&self) -> PathBuf {
        self.state.join("password")
    }

    pub fn config(&self) -> PgConfig {
        let password = Password::from_file(self.password_file()).expect("the password file");
        PgConfig::from_url(&self.url)
            .expect("the URL pg.sh printed")
            .password(&password)
    }

    pub async fn store(&self) -> Store {
        Store::connect(&self.config())
            .await
            .expect("the store connects")
    }

    /// A plain connection, for the tests' own questions.
    pub async fn sql(&self) -> tokio_postgres::Client {
        let (client, connection) = self
            .config_driver()
            .connect(tokio_postgres::NoTls)
            .await
            .expect("connects");
        tokio::spawn(connection);
        client
    }

    fn config_driver(&self) -> tokio_postgres::Config {
        let password = std::fs::read_to_string(self.password_file()).expect("the password");
        let mut config: tokio_postgres::Config = self.url.parse().expect("the URL");
        config.password(password.trim());
        config
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(&self.state)
            .status();
    }
}

/// Slack v2 with every published limit times `scale`: the server's table
/// and the workers' (`--rate-scale`) alike.
pub fn profile(scale: u32) -> Profile {
    let mut profile = Profile::slack_v2();
    for rule in &mut profile.rates.rules {
        rule.limit = rule.limit.saturating_mul(scale);
    }
    profile
}

/// What the server saw.
#[derive(Default)]
pub struct Counts {
    pub requests: AtomicU64,
    pub user_posts: AtomicU64,
    pub group_posts: AtomicU64,
    pub throttled: AtomicU64,
}

/// The in-memory service behind an HTTP/1.1 listener on 127.0.0.1, its
/// rate table played in wall time (the service's clock set to the system
/// clock before each request).
pub struct HttpService {
    pub service: InMemoryService,
    pub base_url: String,
    pub counts: Arc<Counts>,
}

impl HttpService {
    pub fn start(profile: &Profile) -> HttpService {
        let service = InMemoryService::for_profile(profile);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let base_url = format!(
            "http://{}/scim/v2",
            listener.local_addr().expect("an address")
        );
        let counts = Arc::new(Counts::default());
        let (shared, seen) = (service.clone(), counts.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (service, seen) = (shared.clone(), seen.clone());
                std::thread::spawn(move || serve(stream, &service, &seen));
            }
        });
        HttpService {
            service,
            base_url,
            counts,
        }
    }

    pub fn user_posts(&self) -> u64 {
        self.counts.user_posts.load(Ordering::SeqCst)
    }

    pub fn group_posts(&self) -> u64 {
        self.counts.group_posts.load(Ordering::SeqCst)
    }

    pub fn throttled(&self) -> u64 {
        self.counts.throttled.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> u64 {
        self.counts.requests.load(Ordering::SeqCst)
    }
}

/// One connection: requests in turn, kept alive.
fn serve(stream: TcpStream, service: &InMemoryService, counts: &Counts) {
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    while let Some(request) = read_request(&mut reader) {
        counts.requests.fetch_add(1, Ordering::SeqCst);
        service.set_now(SystemTime::now());
        let response = service.handle(&request);
        let path = request.uri().path();
        if request.method() == http::Method::POST && response.status().as_u16() != 429 {
            if path.ends_with("/Users") {
                counts.user_posts.fetch_add(1, Ordering::SeqCst);
            } else if path.ends_with("/Groups") {
                counts.group_posts.fetch_add(1, Ordering::SeqCst);
            }
        }
        if response.status().as_u16() == 429 {
            counts.throttled.fetch_add(1, Ordering::SeqCst);
        }
        let mut head = format!("HTTP/1.1 {}\r\n", response.status());
        for (name, value) in response.headers() {
            if name != http::header::CONTENT_LENGTH {
                head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap_or("")));
            }
        }
        head.push_str(&format!(
            "Content-Length: {}\r\n\r\n",
            response.body().len()
        ));
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(response.body());
        if writer.write_all(&bytes).is_err() {
            return;
        }
    }
}

/// One request, or `None` when the connection ends.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<http::Request<Vec<u8>>> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut builder = http::Request::builder().method(method.as_str()).uri(target);
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse().ok()?;
        }
        builder = builder.header(name.trim(), value.trim());
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    builder.body(body).ok()
}

/// What a plan is made of.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Users to create.
    pub creates: usize,
    /// Users seeded, each with a title to change.
    pub updates: usize,
    /// Groups to create, each then given `members` new users.
    pub groups: usize,
    pub members: usize,
}

impl Shape {
    pub fn steps(&self) -> usize {
        self.creates + self.updates + 2 * self.groups
    }
}

fn user(n: usize, title: &str) -> User {
    User {
        user_name: format!("user{n:05}").into(),
        external_id: format!("hr:{n}").into(),
        display_name: format!("User {n}").into(),
        title: title.to_owned().into(),
        active: true.into(),
        ..User::default()
    }
}

/// Seeds `shape.updates` owned users into `server`, reads it over HTTP and
/// plans: creates, updates (a new title), group creates and their members.
pub async fn plan(server: &HttpService, profile: &Profile, shape: Shape) -> Plan {
    for n in 0..shape.updates {
        let mut json = serde_json::to_value(user(n, "Engineer")).expect("a user");
        json["schemas"] = serde_json::json!(["urn:ietf:params:scim:schemas:core:2.0:User"]);
        server.service.seed_user(json).expect("seeded");
    }
    let total = shape.updates + shape.creates;
    let users: Vec<User> = (0..total).map(|n| user(n, "Staff engineer")).collect();
    let groups = (0..shape.groups)
        .map(|g| DesiredGroup {
            display_name: format!("team-{g:04}"),
            external_id: Some(format!("hr:team-{g}")),
            members: (0..shape.members)
                .map(|i| {
                    format!(
                        "hr:{}",
                        shape.updates + (g * shape.members + i) % shape.creates.max(1)
                    )
                })
                .collect(),
        })
        .collect();
    let desired = Desired {
        users,
        groups,
        ..Desired::default()
    };
    let mut options = ClientOptions::for_profile(profile, &server.base_url);
    options.budget = Some(SharedBudget::for_table(&profile.rates, 0.9));
    let client = AsyncScimClient::with_options(TOKEN, options).expect("a client");
    let current = scim_sync::read_current_for_async(&client, profile)
        .await
        .expect("the service reads");
    let options = PlanOptions {
        ownership: Ownership::ExternalIdPrefix("hr:".into()),
        ..PlanOptions::default()
    };
    scim_sync::plan(&desired, &current, profile, &options).expect("a plan")
}

/// A worker process serving `targets` until idle.
pub struct Worker {
    pub name: String,
    pub child: Child,
    pub log: PathBuf,
}

pub fn spawn_worker(pg: &Postgres, name: &str, targets: &[&str], lease_seconds: f64) -> Worker {
    let log = pg.state.join(format!("{name}.log"));
    let out = std::fs::File::create(&log).expect("a log file");
    let mut command = Command::new(env!("CARGO_BIN_EXE_scim-pg-worker"));
    command
        .env("SCIM_PG_URL", &pg.url)
        .env("SCIM_PG_PASSWORD_FILE", pg.password_file())
        .env("SCIM_TOKEN", TOKEN)
        .args(["--name", name, "--until-idle", "--concurrency", "4"])
        .args(["--lease", &lease_seconds.to_string()])
        .args(["--rate-scale", &RATE_SCALE.to_string()]);
    for target in targets {
        command.args(["--target", &format!("slack-v2={target}")]);
    }
    let child = command
        .stdout(out.try_clone().expect("the log"))
        .stderr(out)
        .stdin(Stdio::null())
        .spawn()
        .expect("the worker starts");
    Worker {
        name: name.to_owned(),
        child,
        log,
    }
}

impl Worker {
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for every worker to exit, failing (never hanging) past `limit`:
/// a liveness watchdog, not a timing assertion.
pub fn wait_all(workers: &mut [Worker], limit: Duration) {
    let deadline = Instant::now() + limit;
    for worker in workers.iter_mut() {
        loop {
            if let Some(status) = worker.child.try_wait().expect("the worker is ours") {
                assert!(
                    status.success(),
                    "{} failed: {}",
                    worker.name,
                    worker.output()
                );
                break;
            }
            assert!(
                Instant::now() < deadline,
                "watchdog: {} still running after {limit:?}: {}",
                worker.name,
                worker.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Steps of `plan` whose `done` event came more than once, and steps
/// not done.
pub async fn done_counts(sql: &tokio_postgres::Client, plan: i64) -> (i64, i64) {
    let row = sql
        .query_one(
            "SELECT \
               (SELECT count(*) FROM (SELECT idx FROM scim_pg.step_events \
                  WHERE plan_id = $1 AND event = 'done' GROUP BY idx HAVING count(*) > 1) twice), \
               (SELECT count(*) FROM scim_pg.steps WHERE plan_id = $1 AND state <> 'done')",
            &[&plan],
        )
        .await
        .expect("the events");
    (row.get(0), row.get(1))
}
