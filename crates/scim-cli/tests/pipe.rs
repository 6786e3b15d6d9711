//! A reader that stops early (`scim --json users list | head -1`) ends the
//! command quietly: exit 141 (as a shell shows for a broken pipe), no
//! panic, nothing on stderr about it.

use std::io::Write;
use std::process::{Command, Stdio};

mod common;

use common::Scratch;

/// Runs `scim args` with stdout a pipe whose read end is closed before
/// the command writes: at once when `stdin` is `None` (the command seeds
/// the embedded service first, so it writes well after), else while it is
/// waiting for `stdin` (so surely before it writes). The exit status and
/// stderr.
fn with_stdout_closed(dir: &Scratch, args: &[&str], stdin: Option<&str>) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scim"))
        .args(args)
        .current_dir(dir.path(""))
        .env_remove("SLACK_ORG_ADMIN_USER_TOKEN")
        .env_remove("SCIM_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the scim binary runs");
    drop(child.stdout.take());
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    (output.status.code().expect("an exit status"), stderr)
}

#[test]
fn a_closed_stdout_ends_a_command_quietly_with_141() {
    let dir = Scratch::new("pipe");
    let first = r#"{"userName": "piped", "title": "Reader"}"#;
    let second = r#"{"userName": "piped.too", "title": "Reader"}"#;
    for (args, stdin) in [
        (
            &["--json", "users", "create", "--from-json", "-"][..],
            Some(first),
        ),
        (&["users", "create", "--from-json", "-"], Some(second)),
        (&["--json", "users", "list"], None),
        (&["users", "list"], None),
        (&["--json", "demo"], None),
    ] {
        let (status, stderr) = with_stdout_closed(&dir, args, stdin);
        assert_eq!(status, 141, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("error"), "{args:?}: {stderr}");
    }
    // What was done is done: the users created before the pipe closed are kept.
    let list = dir.scim(&["--json", "users", "list"]).ok().json();
    assert_eq!(list["count"], 8, "{list}");
}
