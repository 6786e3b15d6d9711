//! The journal file: what a reopened journal recovers, a line cut short by
//! a kill, another plan's journal, a damaged line.

mod common;

use std::io::Write;

use scim_client::model::User;
use scim_client::provider::Profile;
use scim_sync::apply::{Entry, Journal, JournalError};
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
