//! The journal file: what a reopened journal recovers, a line cut short by
//! a kill, another plan's journal, a damaged line, a line edited by hand,
//! the apply lock.

mod common;

use std::io::Write;

use scim_client::model::User;
use scim_client::provider::Profile;
use scim_sync::apply::{ApplyLock, Entry, Journal, JournalError, LockError};
use scim_sync::{Current, Desired, Plan, PlanOptions, plan};

fn a_plan(names: &[&str]) -> Plan {
    let desired = Desired {
        users: names
            .iter()
            .enumerate()
            .map(|(i, name)| User {
                user_name: (*name).into(),
                external_id: format!("hr:{i}").into(),
                ..User::default()
            })
            .collect(),
        ..Desired::default()
    };
    plan(
        &desired,
        &Current::default(),
        &Profile::slack_v1(),
        &PlanOptions::default(),
    )
    .unwrap()
}

#[test]
fn a_reopened_journal_recovers_what_was_begun_and_done() {
    let path = common::journal_path("recover");
    let plan = a_plan(&["ada", "bo", "cy"]);
    let (mut journal, recovered) = Journal::open(&path, &plan).unwrap();
    assert!(recovered.is_fresh());
    journal.append(&Entry::Begin { step: 0 }).unwrap();
    journal
        .append(&Entry::Done {
            step: 0,
            id: Some("W1".into()),
        })
        .unwrap();
    journal.append(&Entry::Begin { step: 1 }).unwrap();
    drop(journal);
    let (_, recovered) = Journal::open(&path, &plan).unwrap();
    assert_eq!(recovered.done.get(&0), Some(&Some("W1".to_owned())));
    assert!(recovered.begun.contains(&1) && !recovered.begun.contains(&0));
    assert!(!recovered.is_fresh());
}

#[cfg(unix)]
#[test]
fn a_journal_readable_by_others_is_narrowed_to_its_owner_when_resumed() {
    use std::os::unix::fs::PermissionsExt;
    let path = common::journal_path("narrowed");
    let plan = a_plan(&["ada"]);
    let (mut journal, _) = Journal::open(&path, &plan).unwrap();
    journal.append(&Entry::Begin { step: 0 }).unwrap();
    drop(journal);
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600, "created private");
    // As an older version left it.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (_, recovered) = Journal::open(&path, &plan).unwrap();
    assert!(!recovered.is_fresh(), "the same journal, resumed");
    assert_eq!(mode(&path), 0o600, "narrowed on resume");
}

#[test]
fn a_line_cut_short_by_a_kill_is_dropped_and_the_file_stays_readable() {
    let path = common::journal_path("cut");
    let plan = a_plan(&["ada", "bo"]);
    let (mut journal, _) = Journal::open(&path, &plan).unwrap();
    journal
        .append(&Entry::Done {
            step: 0,
            id: Some("W1".into()),
        })
        .unwrap();
    drop(journal);
    // Killed halfway through writing the next line.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(br#"{"entry":"done","st"#)
        .unwrap();
    let (mut journal, recovered) = Journal::open(&path, &plan).unwrap();
    assert_eq!(recovered.done.len(), 1, "the cut line is not a step done");
    journal
        .append(&Entry::Done {
            step: 1,
            id: Some("W2".into()),
        })
        .unwrap();
    drop(journal);
    let (_, recovered) = Journal::open(&path, &plan).unwrap();
    assert_eq!(
        recovered.done.len(),
        2,
        "the next entry starts a line of its own"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(r#""st{"#), "{text}");
}

#[test]
fn another_plans_journal_and_a_damaged_line_are_refused() {
    let path = common::journal_path("other");
    let (journal, _) = Journal::open(&path, &a_plan(&["ada"])).unwrap();
    drop(journal);
    let error = Journal::open(&path, &a_plan(&["bo"])).unwrap_err();
    assert!(matches!(error, JournalError::OtherPlan { .. }), "{error}");
    assert!(error.to_string().contains("new journal"), "{error}");

    let path = common::journal_path("damaged");
    let plan = a_plan(&["ada"]);
    let (journal, _) = Journal::open(&path, &plan).unwrap();
    drop(journal);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("not json\n{\"entry\":\"begin\",\"step\":0}\n");
    std::fs::write(&path, text).unwrap();
    let error = Journal::open(&path, &plan).unwrap_err();
    assert!(
        matches!(error, JournalError::Corrupt { line: 2, .. }),
        "{error}"
    );
}

/// One digit changed in a `done` line, still valid JSON: the step it now
/// names would be skipped though it never ran. Refused by line number.
#[test]
fn a_done_line_edited_to_name_another_step_is_refused_by_line() {
    let path = common::journal_path("edited");
    let plan = a_plan(&["ada", "bo", "cy"]);
    let (mut journal, _) = Journal::open(&path, &plan).unwrap();
    for step in [0, 1] {
        let id = Some(format!("W{step}"));
        journal.append(&Entry::Done { step, id }).unwrap();
    }
    drop(journal);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen(r#""step":1"#, r#""step":2"#, 1);
    assert_ne!(edited, text);
    std::fs::write(&path, &edited).unwrap();
    let error = Journal::open(&path, &plan).unwrap_err();
    assert!(
        matches!(error, JournalError::Tampered { line: 3, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("line 3"), "{error}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        edited,
        "left as found"
    );
}

/// A line without its checksum (an older journal, or written by hand), and
/// a line naming a step the plan does not have, are refused by line.
#[test]
fn a_line_without_its_checksum_or_beyond_the_plan_is_refused_by_line() {
    let path = common::journal_path("no-sum");
    let plan = a_plan(&["ada"]);
    drop(Journal::open(&path, &plan).unwrap());
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("{\"entry\":\"done\",\"step\":0,\"id\":\"W1\"}\n");
    std::fs::write(&path, text).unwrap();
    let error = Journal::open(&path, &plan).unwrap_err();
    assert!(
        matches!(error, JournalError::Corrupt { line: 2, .. }),
        "{error}"
    );

    let path = common::journal_path("beyond");
    let (mut journal, _) = Journal::open(&path, &plan).unwrap();
    journal.append(&Entry::Done { step: 7, id: None }).unwrap();
    drop(journal);
    let error = Journal::open(&path, &plan).unwrap_err();
    assert!(
        matches!(
            error,
            JournalError::NoSuchStep {
                line: 2,
                step: 7,
                steps: 1,
                ..
            }
        ),
        "{error}"
    );
}

/// The journal's lock and the provider's: a second taker is refused with
/// the holder's pid, host and start time; another provider is free; the
/// lock is free again once dropped.
#[test]
fn a_held_lock_is_refused_naming_its_holder() {
    let journal = common::journal_path("lock");
    let base = "https://api.slack.com/scim/v2/";
    let held = ApplyLock::acquire(&journal, base).unwrap();
    let another = journal.with_file_name("another.journal");
    for (path, url, what) in [
        (&journal, "https://elsewhere.test/scim/v2", "journal"),
        (&another, "HTTPS://API.SLACK.COM/scim/v2", "provider"),
    ] {
        let error = ApplyLock::acquire(path, url).unwrap_err();
        let LockError::Held { holder, .. } = &error else {
            panic!("{error}");
        };
        assert_eq!(holder.pid, Some(std::process::id()));
        assert!(holder.host.is_some() && holder.started.is_some(), "{error}");
        assert!(error.to_string().contains(what), "{error}");
    }
    #[cfg(unix)]
    for path in held.paths() {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
    }
    let elsewhere = ApplyLock::acquire(&another, "https://elsewhere.test/scim/v2").unwrap();
    drop((held, elsewhere));
    assert!(
        ApplyLock::acquire(&journal, base).is_ok(),
        "free once dropped"
    );
}

/// A crashed holder's lock files keep its note, but the OS released its
/// lock: the next apply takes it over and writes its own note.
#[test]
fn a_lock_left_by_a_crash_is_taken_over() {
    let journal = common::journal_path("stale");
    let lock_file = journal.with_file_name("stale.journal.lock");
    std::fs::write(
        &lock_file,
        "pid=4194304\nhost=gone\nstarted=2020-01-01T00:00:00Z\n",
    )
    .unwrap();
    let lock = ApplyLock::acquire(&journal, "https://scim.test/v2").unwrap();
    assert!(lock.paths().any(|path| path == lock_file));
    let note = std::fs::read_to_string(&lock_file).unwrap();
    assert!(
        note.contains(&format!("pid={}\n", std::process::id())),
        "{note}"
    );
    assert!(!note.contains("gone"), "{note}");
}

/// A real holder killed with SIGKILL: util-linux `flock -o` holds the
/// journal's lock file (the way an apply does) until killed; the OS
/// releases it with the process and the next apply takes it over.
#[cfg(unix)]
#[test]
fn a_lock_held_by_a_killed_process_is_taken_over() {
    let journal = common::journal_path("killed");
    let lock_file = journal.with_file_name("killed.journal.lock");
    std::fs::write(&lock_file, "").unwrap();
    let Ok(mut holder) = std::process::Command::new("flock")
        .args(["-o", "-x"])
        .arg(&lock_file)
        .args(["sleep", "60"])
        .spawn()
    else {
        eprintln!("SKIPPED: util-linux flock is not installed");
        return;
    };
    let base = "https://scim.test/v2";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while ApplyLock::acquire(&journal, base).is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "flock never took the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(matches!(
        ApplyLock::acquire(&journal, base),
        Err(LockError::Held { .. })
    ));
    holder.kill().unwrap();
    holder.wait().unwrap();
    // flock's child (`sleep`) may still be exiting with a copy of the
    // descriptor for a moment under load: a liveness wait, not a timing
    // assertion — the lock must come free.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while ApplyLock::acquire(&journal, base).is_err() {
        assert!(std::time::Instant::now() < deadline, "taken over");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
