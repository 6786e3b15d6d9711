//! Ctrl-C during `scim apply`: the first stops it safely (the steps in
//! flight finish, exit 130, the command that resumes on stderr), a second
//! ends it at once; either way the same command run again finishes the
//! plan, every user created exactly once.
//!
//! The provider is the in-memory service over HTTP on 127.0.0.1, in real
//! time (the embedded service paces in a virtual clock, so an apply there
//! is over before a signal could be aimed at it), behind a gate: once
//! [`PASS`] writes have been served, the next ones wait until the test
//! opens it. The signal so lands mid-apply, with requests in flight,
//! however fast or slow the machine; no assertion is about time, and
//! every wait has a watchdog.

#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use common::Scratch;
use scim_client::Dialect;
use scim_memory::InMemoryService;

/// Users in the source: one create each.
const USERS: usize = 300;
/// Writes served before the gate holds the next ones (past the 10% line).
const PASS: usize = 60;
/// How long any one wait may take before the test fails as stuck.
const WATCHDOG: Duration = Duration::from_secs(120);

/// Writes held until the test opens the gate.
#[derive(Default)]
struct Gate {
    state: Mutex<Writes>,
    changed: Condvar,
}

#[derive(Default)]
struct Writes {
    arrived: usize,
    served: usize,
    open: bool,
}

impl Gate {
    fn lock(&self) -> MutexGuard<'_, Writes> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A write arrived: it goes on at once among the first [`PASS`] or
    /// once the gate is open, else waits for it to open.
    fn enter(&self) {
        let mut writes = self.lock();
        writes.arrived += 1;
        let number = writes.arrived;
        self.changed.notify_all();
        while number > PASS && !writes.open {
            writes = self.changed.wait(writes).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// A write was served.
    fn leave(&self) {
        self.lock().served += 1;
        self.changed.notify_all();
    }

    fn open(&self) {
        self.lock().open = true;
        self.changed.notify_all();
    }

    /// Waits until `ready` holds of the writes.
    fn wait_until(&self, what: &str, ready: impl Fn(&Writes) -> bool) {
        let deadline = Instant::now() + WATCHDOG;
        let mut writes = self.lock();
        while !ready(&writes) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "stuck waiting for {what}");
            writes = self
                .changed
                .wait_timeout(writes, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// The in-memory SCIM 2.0 service over HTTP/1.1, with a [`Gate`] on writes.
struct Provider {
    url: String,
    gate: Arc<Gate>,
}

impl Provider {
    fn start() -> Provider {
        let service = InMemoryService::new(Dialect::Scim2);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/scim/v2/", listener.local_addr().unwrap());
        let gate = Arc::new(Gate::default());
        let shared = gate.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (service, gate) = (service.clone(), shared.clone());
                thread::spawn(move || serve(stream, &service, &gate));
            }
        });
        Provider { url, gate }
    }
}

/// Answers the requests of one connection, in turn.
fn serve(stream: TcpStream, service: &InMemoryService, gate: &Gate) {
    let Ok(read) = stream.try_clone() else { return };
    let mut reader = BufReader::new(read);
    let mut writer = stream;
    while let Some(request) = read_request(&mut reader) {
        let write = request.method() != http::Method::GET;
        if write {
            gate.enter();
        }
        let response = service.handle(&request);
        if write {
            gate.leave();
        }
        // A client that is gone (a process ended at once) hears nothing.
        if write_response(&mut writer, &response).is_err() {
            return;
        }
    }
}

fn read_request(reader: &mut impl BufRead) -> Option<http::Request<Vec<u8>>> {
    let mut line = String::new();
    reader.read_line(&mut line).ok().filter(|read| *read > 0)?;
    let mut parts = line.split_whitespace();
    let mut builder = http::Request::builder()
        .method(parts.next()?)
        .uri(parts.next()?);
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let Some((name, value)) = header.trim_end().split_once(':') else {
            break;
        };
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse().ok()?;
        }
        builder = builder.header(name, value.trim());
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    builder.body(body).ok()
}

fn write_response(out: &mut impl Write, response: &http::Response<Vec<u8>>) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {}\r\n", response.status());
    for (name, value) in response.headers() {
        if name != http::header::CONTENT_LENGTH && name != http::header::CONNECTION {
            let value = value.to_str().unwrap_or_default();
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str(&format!(
        "Content-Length: {}\r\n\r\n",
        response.body().len()
    ));
    out.write_all(head.as_bytes())?;
    out.write_all(response.body())?;
    out.flush()
}

/// `scim` running, its stderr read line by line as it comes.
struct Running {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
    stdout: thread::JoinHandle<String>,
}

impl Running {
    fn spawn(dir: &Scratch, args: &[&str]) -> Running {
        let mut child = dir
            .command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the scim binary starts");
        let (send, lines) = std::sync::mpsc::channel();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        let mut out = child.stdout.take().unwrap();
        let stdout = thread::spawn(move || {
            let mut text = String::new();
            let _ = out.read_to_string(&mut text);
            text
        });
        Running {
            child,
            lines,
            seen: Vec::new(),
            stdout,
        }
    }

    /// Reads stderr up to a line that contains `what`.
    fn wait_for(&mut self, what: &str) {
        let deadline = Instant::now() + WATCHDOG;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let found = line.contains(what);
                    self.seen.push(line);
                    if found {
                        return;
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    panic!("no line with {what:?} on stderr: {:#?}", self.seen)
                }
            }
        }
    }

    /// Ctrl-C, as the terminal sends it.
    fn interrupt(&self) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: kill(2) only sends a signal, to a child of this process.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    }

    /// Waits for the exit: its status, all of stderr, and stdout.
    fn finish(mut self) -> (i32, String, String) {
        let deadline = Instant::now() + WATCHDOG;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "still running: {:#?}", self.seen);
            thread::sleep(Duration::from_millis(20));
        };
        self.seen.extend(self.lines.iter());
        let stdout = self.stdout.join().unwrap();
        let code = status.code().unwrap_or_else(|| panic!("{status}"));
        (code, self.seen.join("\n"), stdout)
    }
}

/// A source of [`USERS`] users, planned against `provider` (only creates),
/// and the apply command's words.
fn planned(dir: &Scratch, provider: &Provider) -> Vec<String> {
    let mut csv = String::from("Employee ID,First Name,Last Name,Login,Email,Job Title,Active\n");
    for n in 0..USERS {
        csv.push_str(&format!(
            "E{n:04},Ada{n},Test,user{n:04},user{n:04}@example.com,Engineer,yes\n"
        ));
    }
    std::fs::write(dir.path("people.csv"), csv).unwrap();
    let mapping = concat!(env!("CARGO_MANIFEST_DIR"), "/sample/mapping.json");
    let remote = ["--profile", "scim2", "--base-url", provider.url.as_str()];
    let plan = [
        "plan",
        "--from",
        "people.csv",
        "--mapping",
        mapping,
        "--owned-prefix",
        "E",
        "--out",
        "plan.json",
    ];
    dir.scim(&[&remote[..], &plan[..]].concat()).ok();
    let apply = ["apply", "plan.json", "--journal", "run.journal"];
    [&remote[..], &apply[..]]
        .concat()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// The provider's users, by userName, sorted (a duplicate would show twice).
fn user_names(dir: &Scratch, provider: &Provider) -> Vec<String> {
    let listed = dir
        .scim(&[
            "--profile",
            "scim2",
            "--base-url",
            &provider.url,
            "--json",
            "users",
            "list",
        ])
        .ok()
        .json();
    let mut names: Vec<String> = listed["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["userName"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

fn every_planned_user() -> Vec<String> {
    (0..USERS).map(|n| format!("user{n:04}")).collect()
}

/// `N` of `interrupted: N of M steps done`.
fn steps_done(stderr: &str) -> usize {
    let after = stderr.split("interrupted: ").nth(1).unwrap_or_default();
    let count = after.split(' ').next().unwrap_or_default();
    count.parse().unwrap_or_else(|_| panic!("{stderr}"))
}

#[test]
fn ctrl_c_lets_the_steps_in_flight_finish_and_the_same_command_resumes() {
    let dir = Scratch::new("interrupt-once");
    let provider = Provider::start();
    let apply = planned(&dir, &provider);
    let words: Vec<&str> = apply.iter().map(String::as_str).collect();
    let mut run = Running::spawn(&dir, &words);
    run.wait_for("applying: 10% (");
    provider
        .gate
        .wait_until("a write in flight", |w| w.arrived > PASS);
    run.interrupt();
    run.wait_for("scim: stopping after the steps in flight");
    provider.gate.open();
    let (status, stderr, stdout) = run.finish();

    assert_eq!(status, 130, "{stderr}\n{stdout}");
    let hint = format!(
        "steps done; run the same command to resume: scim {}",
        words.join(" ")
    );
    assert!(stderr.contains(&format!("of {USERS} {hint}")), "{stderr}");
    let done = steps_done(&stderr);
    // The steps in flight when the signal came finished (they were held
    // past PASS), and no new one started after them.
    assert!(done > PASS && done < USERS, "{stderr}");
    assert!(
        stdout.starts_with(&format!("{done} done, 0 failed")),
        "{stdout}"
    );

    let resumed = dir.scim(&words).ok();
    assert!(
        resumed.stdout.starts_with(&format!(
            "{} done, 0 failed, {done} skipped ({done} done in an earlier run)",
            USERS - done
        )),
        "{resumed:?}"
    );
    assert_eq!(user_names(&dir, &provider), every_planned_user());
}

#[test]
fn a_second_ctrl_c_ends_at_once_and_the_same_command_still_resumes() {
    let dir = Scratch::new("interrupt-twice");
    let provider = Provider::start();
    let apply = planned(&dir, &provider);
    let words: Vec<&str> = apply.iter().map(String::as_str).collect();
    let mut run = Running::spawn(&dir, &words);
    run.wait_for("applying: 10% (");
    provider
        .gate
        .wait_until("a write in flight", |w| w.arrived > PASS);
    run.interrupt();
    run.wait_for("scim: stopping after");
    // The writes in flight are still held: only the second Ctrl-C ends it.
    run.interrupt();
    let (status, stderr, _) = run.finish();
    assert_eq!(status, 130, "{stderr}");
    assert!(!stderr.contains("to resume"), "it ended at once: {stderr}");

    // The held writes reach the provider now, their answers lost: the
    // journal's `begin` makes the resume look them up, not create again.
    provider.gate.open();
    provider
        .gate
        .wait_until("the held writes served", |w| w.served == w.arrived);
    let resumed = dir.scim(&words).ok();
    assert!(resumed.stdout.contains(" 0 failed, "), "{resumed:?}");
    assert_eq!(user_names(&dir, &provider), every_planned_user());
}

/// Issue 24: SIGTERM while a service (`scim sync --every`) is in a run's
/// apply stops the apply as Ctrl-C does (steps in flight finish, nothing
/// new starts) and ends the service at that safe point (exit 0); the
/// next run plans from the provider as it is and completes: every user
/// exactly once, no drift.
#[test]
fn sigterm_in_a_services_apply_stops_it_safely_and_the_next_run_completes() {
    let dir = Scratch::new("interrupt-service");
    let provider = Provider::start();
    planned(&dir, &provider);
    let mapping = concat!(env!("CARGO_MANIFEST_DIR"), "/sample/mapping.json");
    let config = format!(
        "[target]\nprofile = \"scim2\"\nbase_url = \"{}\"\n\n[source]\nkind = \"csv\"\n\
         path = \"people.csv\"\nmapping = \"{mapping}\"\n\n[rules]\nowned_prefix = \"E\"\n",
        provider.url
    );
    std::fs::write(dir.path("scim.toml"), config).unwrap();
    let service = ["sync", "--config", "scim.toml", "--yes", "--every", "1h"];
    let mut run = Running::spawn(&dir, &service);
    run.wait_for("applying: 10% (");
    provider
        .gate
        .wait_until("a write in flight", |w| w.arrived > PASS);
    let pid = libc::pid_t::try_from(run.child.id()).unwrap();
    // SAFETY: kill(2) only sends a signal, to a child of this process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    run.wait_for("scim: stopping after the steps in flight");
    provider.gate.open();
    let (status, stderr, stdout) = run.finish();
    assert_eq!(
        status, 0,
        "a service stopped at a safe point: {stderr}\n{stdout}"
    );
    assert!(stderr.contains("run 1:"), "{stderr}");
    assert!(stdout.contains("stopped after 1 run"), "{stdout}");
    let next = dir
        .scim(&["--json", "sync", "--config", "scim.toml", "--yes"])
        .ok();
    assert_eq!(
        next.json()["drift"]["items"],
        serde_json::json!([]),
        "{next:?}"
    );
    assert_eq!(user_names(&dir, &provider), every_planned_user());
}
