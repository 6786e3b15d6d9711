//! Stopping an apply early ([`StopSignal`], Ctrl-C in the `scim` command):
//! the steps in flight finish and are journaled, the rest are skipped
//! without a journal entry, and running the same apply again finishes
//! the plan with no step done twice.

mod common;

use common::*;
use scim_client::AsyncScimClient;
use scim_client::provider::Profile;
use scim_sync::apply::{
    ApplyOptions, EventResult, Report, StopSignal, apply_async, apply_blocking,
};
use scim_sync::{Plan, plan, read_current};

fn plan_for(service: &scim_memory::InMemoryService, profile: &Profile) -> Plan {
    let client = client(profile, service.clone());
    let current = read_current(&client).expect("a read");
    plan(&desired(), &current, profile, &options()).expect("a plan")
}

/// The end state a run that is never stopped reaches.
fn reference(profile: &Profile, test: &str) -> serde_json::Value {
    let service = seeded(profile);
    let plan = plan_for(&service, profile);
    let options = ApplyOptions::new(journal_path(&format!("stop-reference-{test}")));
    let client = client(profile, service.clone());
    let report = apply_blocking(&client, &plan, profile, &options, |_| {}).expect("an apply");
    assert!(report.is_complete(), "{report:?}");
    summary(&service, profile)
}

/// Every step of the interrupted run is done or skipped as not started
/// (none failed, none counted as earlier), at least `least` done.
fn assert_interrupted(report: &Report, plan: &Plan, least: usize, case: &str) {
    assert!(!report.is_complete(), "{case}: {report:?}");
    assert!(report.interrupted, "{case}: {report:?}");
    assert!(report.failed.is_empty(), "{case}: {:?}", report.failed);
    assert!(report.done.len() >= least, "{case}: {report:?}");
    assert!(!report.skipped.is_empty(), "{case}: something was left");
    for skipped in &report.skipped {
        assert!(!skipped.earlier, "{case}: {skipped:?}");
        assert_eq!(skipped.reason, "not started: interrupted", "{case}");
    }
    assert_eq!(
        report.done.len() + report.skipped.len(),
        plan.steps.len(),
        "{case}"
    );
}

/// The same apply again, not stopped: it runs exactly the steps the first
/// run did not do, and reaches the reference state.
fn resume_and_check(
    service: &scim_memory::InMemoryService,
    profile: &Profile,
    plan: &Plan,
    journal: &std::path::Path,
    first: &Report,
    case: &str,
) {
    let client = client(profile, service.clone());
    let second = apply_blocking(&client, plan, profile, &ApplyOptions::new(journal), |_| {})
        .expect("the resume");
    assert!(
        second.is_complete() && !second.interrupted,
        "{case}: {second:?}"
    );
    let earlier = second.skipped.iter().filter(|s| s.earlier).count();
    assert_eq!(earlier, first.done.len(), "{case}: the journal held them");
    assert_eq!(second.done.len(), first.skipped.len(), "{case}");
}

#[test]
fn a_stop_raised_mid_apply_lets_steps_in_flight_finish_and_a_rerun_resumes() {
    for profile in profiles() {
        let expected = reference(&profile, &profile.name);
        for concurrency in [1, 4] {
            let case = format!("{} concurrency {concurrency}", profile.name);
            let service = seeded(&profile);
            let plan = plan_for(&service, &profile);
            let journal = journal_path(&format!("stop-{}-{concurrency}", profile.name));
            let stop = StopSignal::new();
            let options = ApplyOptions {
                concurrency,
                stop: Some(stop.clone()),
                ..ApplyOptions::new(&journal)
            };
            let client = client(&profile, service.clone());
            let first = apply_blocking(&client, &plan, &profile, &options, |event| {
                if matches!(event.result, EventResult::Done(_)) {
                    stop.raise();
                }
            })
            .expect("the interrupted run");
            assert_interrupted(&first, &plan, 1, &case);
            if concurrency == 1 {
                // One step in flight when the signal came: only it ended.
                assert_eq!(first.done.len(), 1, "{case}: {first:?}");
            }
            resume_and_check(&service, &profile, &plan, &journal, &first, &case);
            assert_eq!(summary(&service, &profile), expected, "{case}");
        }
    }
}

#[test]
fn the_async_driver_stops_too_and_a_stop_raised_before_the_start_writes_nothing() {
    let profile = Profile::slack_v2();
    let expected = reference(&profile, "async");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for raise_before in [false, true] {
        let case = format!("raised before the start: {raise_before}");
        let service = seeded(&profile);
        let before = summary(&service, &profile);
        let plan = plan_for(&service, &profile);
        let journal = journal_path(&format!("stop-async-{raise_before}"));
        let client = AsyncScimClient::with_transport(
            "xoxp-test",
            scim_client::ClientOptions::for_profile(&profile, BASE_URL),
            service.clone(),
        )
        .unwrap();
        let stop = StopSignal::new();
        if raise_before {
            stop.raise();
        }
        let options = ApplyOptions {
            stop: Some(stop.clone()),
            ..ApplyOptions::new(&journal)
        };
        let first = runtime
            .block_on(apply_async(&client, &plan, &profile, &options, |_| {
                stop.raise()
            }))
            .expect("the interrupted run");
        assert_interrupted(&first, &plan, usize::from(!raise_before), &case);
        if raise_before {
            assert!(first.done.is_empty(), "{case}: {first:?}");
            assert_eq!(
                summary(&service, &profile),
                before,
                "{case}: nothing written"
            );
        }
        resume_and_check(&service, &profile, &plan, &journal, &first, &case);
        assert_eq!(summary(&service, &profile), expected, "{case}");
    }
}

#[test]
fn stop_signals_are_equal_when_cloned_and_default_to_none() {
    let stop = StopSignal::new();
    assert_eq!(stop, stop.clone());
    assert_ne!(stop, StopSignal::new());
    assert!(!stop.is_raised());
    stop.clone().raise();
    assert!(stop.is_raised());
    assert_eq!(ApplyOptions::new("j").stop, None);
}

#[test]
fn a_stop_raised_once_every_step_has_ended_changes_nothing() {
    let profile = Profile::generic_scim2(BASE_URL);
    let service = seeded(&profile);
    let plan = plan_for(&service, &profile);
    let stop = StopSignal::new();
    let options = ApplyOptions {
        stop: Some(stop.clone()),
        ..ApplyOptions::new(journal_path("stop-at-the-end"))
    };
    let client = client(&profile, service.clone());
    let report = apply_blocking(&client, &plan, &profile, &options, |event| {
        if event.ended == event.total {
            stop.raise();
        }
    })
    .expect("an apply");
    assert!(stop.is_raised());
    assert!(report.is_complete() && !report.interrupted, "{report:?}");
    assert_eq!(report.done.len(), plan.steps.len());
}
