//! The plan review page (`scim plan --html`) in a real browser: headless
//! Chromium (Debian's package, `bash tests/chromium/chromium.sh install`)
//! loads the page the binary wrote and dumps its DOM; the text a person
//! reads is checked, and the browser's console must stay silent.
//!
//! Skipped, saying why, only when chromium is not installed and `CI` is
//! not set; under CI a missing chromium fails (as the LDAP tests treat
//! slapd). Each browser run has its own profile directory and a watchdog
//! that kills it if it has not exited after [`WATCHDOG`].

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Scratch;

/// How long a browser run may live: a liveness bound (a hung browser
/// fails the test instead of hanging it), not a timing assertion.
const WATCHDOG: Duration = Duration::from_secs(60);

/// A source against the embedded sample service: a title changed to a
/// hostile one (sample-1001), a title changed (sample-1003), a user deactivated in the
/// source (sample-1004), a user created with hostile names (sample-1007) in a new
/// group with a hostile name; sample-1006 is dropped (a deactivation) and sample-1005
/// is already inactive (left alone).
const SOURCE: &str = "\
Employee ID,First Name,Last Name,Login,Email,Job Title,Active,Teams
sample-1001,Ada,Lovelace,ada.lovelace,ada@example.com,\"<script>alert(1)</script> \"\"&'\",yes,Engineering
sample-1002,Grace,Hopper,grace.hopper,grace@example.com,Rear Admiral,yes,Research
sample-1003,Alan,Turing,alan.turing,alan@example.com,Principal Mathematician,yes,Engineering
sample-1004,Katherine,Johnson,katherine.johnson,katherine@example.com,\"Research Mathematician, \"\"Hidden Figures\"\"\",no,Research
sample-1007,<script>alert(1)</script>,\"\"\"&'\",barbara.liskov,barbara@example.com,Engineer,yes,Engineering;<b>R&D</b> 'Labs'
";

const HOSTILE: &str = "<script>alert(1)</script> \"&'";

/// The installed chromium; `None` (the test skips, saying why) only when
/// there is none and `CI` is not set.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .map(|dir| dir.join("chromium"))
        .find(|candidate| candidate.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is not installed, so the review page was not checked in a browser \
             (`bash tests/chromium/chromium.sh install` installs it)"
        );
        eprintln!(
            "SKIPPED: chromium is not installed (run `bash tests/chromium/chromium.sh install`); \
             under CI this fails"
        );
    }
    found
}

/// Writes the review page of a plan of [`SOURCE`] in `dir`.
fn review_page(dir: &Scratch) -> PathBuf {
    std::fs::write(dir.path("people.csv"), SOURCE).unwrap();
    let mapping = format!("{}/sample/mapping.json", env!("CARGO_MANIFEST_DIR"));
    let run = dir
        .scim(&[
            "-q",
            "plan",
            "--from",
            "people.csv",
            "--mapping",
            &mapping,
            "--owned-prefix",
            "sample-",
            "--max-deactivation-percent",
            "20",
            "--html",
            "plan.html",
        ])
        .ok();
    assert!(
        run.stdout.contains("review page written to plan.html"),
        "{run:?}"
    );
    dir.path("plan.html")
}

/// What a browser run printed: stdout (the DOM with `--dump-dom`) and its log.
struct Browsed {
    stdout: String,
    log: String,
}

/// Runs headless chromium with `args` and a fresh profile in `dir`; kills
/// it if it outlives [`WATCHDOG`].
fn browse(chromium: &Path, dir: &Scratch, name: &str, args: &[String]) -> Browsed {
    let (out, log) = (
        dir.path(&format!("{name}.out")),
        dir.path(&format!("{name}.log")),
    );
    let mut command = Command::new(chromium);
    command
        .args(["--headless=new", "--no-sandbox", "--disable-gpu"])
        .args(["--enable-logging=stderr", "--v=0"])
        .arg(format!(
            "--user-data-dir={}",
            dir.path(&format!("{name}-profile")).display()
        ))
        .args(args)
        .stdin(Stdio::null())
        .stdout(File::create(&out).unwrap())
        .stderr(File::create(&log).unwrap());
    let mut child = command.spawn().expect("chromium starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("chromium's status") {
            break status;
        }
        if started.elapsed() > WATCHDOG {
            // The browser process, by its id; its renderer and GPU
            // processes exit with it.
            let _ = child.kill();
            let _ = child.wait();
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            panic!("chromium did not exit within {WATCHDOG:?} and was killed; its log:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let browsed = Browsed {
        stdout: std::fs::read_to_string(&out).unwrap(),
        log: std::fs::read_to_string(&log).unwrap(),
    };
    assert!(
        status.success(),
        "chromium failed: {status}\n{}",
        browsed.log
    );
    browsed
}

/// Loads `page` and returns its DOM as the browser built it.
fn dump_dom(chromium: &Path, dir: &Scratch, name: &str, page: &Path) -> Browsed {
    let url = format!("file://{}", page.display());
    browse(chromium, dir, name, &["--dump-dom".to_owned(), url])
}

/// The lines of chromium's log that report the page's console: a script
/// error (`Uncaught …`), a blocked script or resource, any message at all
/// (the page runs no script, so it has none). Chromium writes them as
/// `INFO:CONSOLE:12]` (newer) or `INFO:CONSOLE(12)]` (older).
fn console_lines(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains(":CONSOLE:") || l.contains(":CONSOLE(") || l.contains("Uncaught"))
        .collect()
}

/// The body's text as a person reads it: tags gone (each a space),
/// entities decoded, runs of white space one space.
fn text_of(dom: &str) -> String {
    let body = dom.find("<body").map_or(dom, |at| &dom[at..]);
    let mut text = String::with_capacity(body.len());
    let mut in_tag = false;
    for c in body.chars() {
        match (in_tag, c) {
            (false, '<') => in_tag = true,
            (true, '>') => {
                in_tag = false;
                text.push(' ');
            }
            (false, c) => text.push(c),
            (true, _) => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_review_page_shows_counts_changes_rails_and_hostile_names_as_text_in_chromium() {
    let dir = Scratch::new("review");
    let page = review_page(&dir);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&page).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the page is its owner's only");
    }
    let Some(chromium) = chromium() else {
        return;
    };
    let browsed = dump_dom(&chromium, &dir, "review", &page);
    assert_eq!(console_lines(&browsed.log), Vec::<&str>::new());
    let dom = &browsed.stdout;
    assert!(dom.contains("<h1>Plan review</h1>"), "{dom}");
    assert!(
        !dom.to_lowercase().contains("<script"),
        "no script element: {dom}"
    );
    assert!(
        !dom.to_lowercase().contains("<b>r&amp;d</b>"),
        "no markup from values: {dom}"
    );
    let text = text_of(dom);
    for expected in [
        "Planned against the embedded in-memory service",
        "1 create user 3 update user 0 adopt user 1 deactivate user 0 delete user",
        "1 create group 0 update group 2 change members 8 all writes 4 left alone",
        "Deactivations, share of the owned accounts 1 of 6 owned accounts = 16.7 % \
         limit 20 % 3.3 points to spare",
        "Deactivations, count 1 limit 25 24 to spare",
        "title Mathematician Principal Mathematician",
        &format!("title Analyst {HOSTILE}"),
        "name.givenName <script>alert(1)</script>",
        "name.familyName \"&'",
        "create group <b>r&d</b> 'labs'",
        "step 7: deactivate user margaret.hamilton (id W0000000006) account margaret.hamilton",
        "leaves margaret.hamilton (id W0000000006)",
        "edsger.dijkstra (id W0000000005) already inactive",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
}

/// The console check is only worth something if it sees an error: a
/// script that throws is caught; and a script slipped into the review
/// page does not run (its Content-Security-Policy blocks it, and says so
/// on the console).
#[test]
fn the_console_check_catches_a_script_error_and_the_page_blocks_an_injected_script() {
    let dir = Scratch::new("review-console");
    let Some(chromium) = chromium() else {
        return;
    };
    let broken = dir.path("broken.html");
    std::fs::write(
        &broken,
        "<!DOCTYPE html><html><body><p>hi</p><script>notDefined();</script></body></html>",
    )
    .unwrap();
    let log = dump_dom(&chromium, &dir, "broken", &broken).log;
    let lines = console_lines(&log);
    assert!(
        lines.iter().any(|l| l.contains("Uncaught ReferenceError")),
        "a script error is seen: {log}"
    );
    let page = review_page(&dir);
    let html = std::fs::read_to_string(&page).unwrap();
    let injected = html.replace(
        "</main>",
        "<script>document.body.dataset.ran = 'yes';</script></main>",
    );
    assert_ne!(html, injected, "the script went in");
    std::fs::write(&page, injected).unwrap();
    let browsed = dump_dom(&chromium, &dir, "injected", &page);
    assert!(!browsed.stdout.contains("data-ran"), "{}", browsed.stdout);
    let lines = console_lines(&browsed.log);
    assert!(
        lines.iter().any(|l| l.contains("Content Security Policy")),
        "the refusal is on the console: {}",
        browsed.log
    );
}
