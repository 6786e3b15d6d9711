//! Apply: end to end in memory under each profile, resumption after a kill
//! at every write, adoption on conflict (and what apply re-checks:
//! `ownership.rs`), the state check, the async driver, one apply at a time,
//! a resume against a provider that lost state.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use scim_client::AsyncScimClient;
use scim_client::provider::Profile;
use scim_sync::apply::{
    ApplyError, ApplyOptions, EventResult, LockError, StepError, apply_async, apply_blocking,
};
use scim_sync::{Plan, Step, plan, read_current};

fn plan_for(service: &scim_memory::InMemoryService, profile: &Profile) -> Plan {
    let client = client(profile, service.clone());
    let current = read_current(&client).expect("a read");
    plan(&desired(), &current, profile, &options()).expect("a plan")
}

fn creates(plan: &Plan) -> usize {
    plan.steps
        .iter()
        .filter(|s| matches!(s, Step::CreateUser { .. } | Step::CreateGroup { .. }))
        .count()
}

/// The end state a clean run reaches, and its plan. `test` names the
/// caller: tests run in parallel, and one journal path for two of them
/// would be one apply refusing the other (the journal's lock).
fn reference(profile: &Profile, test: &str) -> (serde_json::Value, Plan) {
    let service = seeded(profile);
    let plan = plan_for(&service, profile);
    let client = client(profile, service.clone());
    let journal = journal_path(&format!("reference-{test}-{}", profile.name));
    let options = ApplyOptions::new(journal);
    let report = apply_blocking(&client, &plan, profile, &options, |_| {}).expect("an apply");
    assert!(report.is_complete(), "{report:?}");
    assert_eq!(report.done.len(), plan.steps.len());
    (summary(&service, profile), plan)
}

#[test]
fn applies_then_a_second_plan_is_a_no_op() {
    for profile in profiles() {
        let (end, plan) = reference(&profile, "no-op");
        let kinds: Vec<&str> = plan
            .steps
            .iter()
            .map(|step| match step {
                Step::CreateUser { .. } => "createUser",
                Step::UpdateUser { .. } => "updateUser",
                Step::CreateGroup { .. } => "createGroup",
                Step::ChangeMembers { .. } => "changeMembers",
                Step::DeactivateUser { .. } => "deactivateUser",
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "createUser",
                "createUser",
                "updateUser",
                "createGroup",
                "changeMembers",
                "changeMembers",
                "deactivateUser"
            ],
            "{}",
            profile.name
        );
        // ada promoted, cy deactivated, dee and eve created, zed untouched
        // and still in eng (the source does not own him).
        let users = &end["users"];
        assert!(
            users
                .as_array()
                .unwrap()
                .contains(&serde_json::json!(["ada", "hr:1", "Lead", true]))
        );
        assert!(
            users
                .as_array()
                .unwrap()
                .contains(&serde_json::json!(["cy", "hr:3", "Dev", false]))
        );
        assert!(users.as_array().unwrap().contains(&serde_json::json!([
            "zed",
            null,
            "Contractor",
            true
        ])));
        assert_eq!(
            end["groups"],
            serde_json::json!([["eng", ["ada", "dee", "zed"]], ["ops", ["bob", "eve"]]]),
            "{}",
            profile.name
        );
        // The same source again: nothing to do.
        let service = seeded(&profile);
        let first = plan_for(&service, &profile);
        let client = client(&profile, service.clone());
        let options = ApplyOptions::new(journal_path(&format!("again-{}", profile.name)));
        apply_blocking(&client, &first, &profile, &options, |_| {}).unwrap();
        let second = plan_for(&service, &profile);
        assert!(
            second.steps.is_empty(),
            "{}: {:?}",
            profile.name,
            second.steps
        );
    }
}

/// Killed at every write in turn (before it is sent, and after the provider
/// applied it with the answer lost), then resumed from the journal: the
/// same end state, no create twice, no step lost.
#[test]
fn resumes_after_a_kill_at_every_write() {
    for profile in profiles() {
        let (expected, reference_plan) = reference(&profile, "kill");
        let writes = reference_plan.steps.len();
        for fail_at in 0..writes {
            for answer_lost in [false, true] {
                let case = format!("{} write {fail_at} answer_lost {answer_lost}", profile.name);
                let service = seeded(&profile);
                let plan = plan_for(&service, &profile);
                let journal =
                    journal_path(&format!("kill-{}-{fail_at}-{answer_lost}", profile.name));
                let created = Arc::new(AtomicUsize::new(0));
                let dying = client(
                    &profile,
                    Faulty::new(&service, Some(fail_at), answer_lost, &created),
                );
                let options = ApplyOptions {
                    concurrency: 1,
                    ..ApplyOptions::new(&journal)
                };
                let first = apply_blocking(&dying, &plan, &profile, &options, |_| {})
                    .expect("the first run");
                assert!(!first.is_complete(), "{case}: the kill shows in the report");
                let healthy = client(&profile, Faulty::new(&service, None, false, &created));
                let second = apply_blocking(&healthy, &plan, &profile, &options, |_| {})
                    .expect("the resume");
                assert!(second.failed.is_empty(), "{case}: {:?}", second.failed);
                let earlier = second.skipped.iter().filter(|s| s.earlier).count();
                assert_eq!(
                    earlier + second.done.len(),
                    plan.steps.len(),
                    "{case}: every step done once"
                );
                assert_eq!(
                    summary(&service, &profile),
                    expected,
                    "{case}: the same end state"
                );
                assert_eq!(
                    created.load(Ordering::SeqCst),
                    creates(&plan),
                    "{case}: no duplicate create"
                );
            }
        }
    }
}

#[test]
fn refuses_a_provider_that_changed_since_the_plan() {
    let profile = Profile::slack_v1();
    let service = seeded(&profile);
    let plan = plan_for(&service, &profile);
    service
        .seed_user(serde_json::to_value(person("fay", "hr:6", "Dev")).unwrap())
        .unwrap();
    let client = client(&profile, service.clone());
    let options = ApplyOptions::new(journal_path("changed"));
    let error = apply_blocking(&client, &plan, &profile, &options, |_| {}).unwrap_err();
    assert!(matches!(error, ApplyError::StateChanged { .. }), "{error}");
    let other = Profile::slack_v2();
    let error = apply_blocking(
        &client,
        &plan_for(&service, &profile),
        &other,
        &ApplyOptions::new(journal_path("other")),
        |_| {},
    )
    .unwrap_err();
    assert!(matches!(error, ApplyError::OtherProfile { .. }), "{error}");
}

#[test]
fn the_async_driver_reaches_the_same_state_and_reports_progress() {
    let profile = Profile::slack_v2();
    let (expected, _) = reference(&profile, "async");
    let service = seeded(&profile);
    let plan = plan_for(&service, &profile);
    let client = AsyncScimClient::with_transport(
        "xoxp-test",
        scim_client::ClientOptions::for_profile(&profile, BASE_URL),
        service.clone(),
    )
    .unwrap();
    let options = ApplyOptions::new(journal_path("async"));
    let mut events = Vec::new();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let report = runtime
        .block_on(apply_async(&client, &plan, &profile, &options, |e| {
            events.push(e.ended)
        }))
        .unwrap();
    assert!(report.is_complete(), "{report:?}");
    assert_eq!(events, (1..=plan.steps.len()).collect::<Vec<_>>());
    assert_eq!(summary(&service, &profile), expected);
}

/// A provider that takes every write for asynchronous processing (RFC
/// 9967's `asyncRequest: "long"`): 202, a `Set-Txn`, nothing done yet.
struct Deferring(scim_memory::InMemoryService, AtomicUsize);

impl scim_client::transport::Transport for Deferring {
    fn send(
        &self,
        request: scim_client::transport::HttpRequest,
    ) -> Result<scim_client::transport::HttpResponse, scim_client::transport::TransportError> {
        if request.method() == http::Method::GET {
            return Ok(self.0.handle(&request));
        }
        let number = self.1.fetch_add(1, Ordering::SeqCst);
        Ok(http::Response::builder()
            .status(202)
            .header("Set-Txn", format!("txn-{number}"))
            .body(Vec::new())
            .unwrap())
    }
}

#[test]
fn a_step_answered_202_is_failed_as_accepted_never_done() {
    let profile = Profile::generic_scim2(BASE_URL);
    let service = seeded(&profile);
    let before = summary(&service, &profile);
    let plan = plan_for(&service, &profile);
    let client = client(&profile, Deferring(service.clone(), AtomicUsize::new(0)));
    let options = ApplyOptions::new(journal_path("accepted"));
    let mut events = Vec::new();
    let report = apply_blocking(&client, &plan, &profile, &options, |event| {
        if let EventResult::Failed { error } = &event.result {
            events.push(error.clone());
        }
    })
    .unwrap();
    assert!(report.done.is_empty(), "nothing is done yet: {report:?}");
    assert!(!report.is_complete());
    let accepted: Vec<_> = report
        .failed
        .iter()
        .filter_map(|failed| match &failed.error {
            StepError::Accepted(accepted) => accepted.txn.clone(),
            _ => None,
        })
        .collect();
    // Every 202 ended its step (sent once), and was reported with its txn.
    let answered = (0..accepted.len()).map(|n| format!("txn-{n}"));
    let mut sorted = accepted.clone();
    sorted.sort();
    assert_eq!(sorted, answered.collect::<Vec<_>>());
    assert!(accepted.len() >= 3, "{report:?}");
    let text = &events[0];
    assert!(
        text.starts_with("accepted for asynchronous processing (txn \"txn-")
            && text.ends_with("verify later: the provider has not confirmed it"),
        "{text}"
    );
    assert_eq!(summary(&service, &profile), before);
}

/// The groups named `name` the provider holds.
fn groups_named(service: &scim_memory::InMemoryService, profile: &Profile, name: &str) -> usize {
    let current = read_current(&client(profile, service.clone())).expect("a read");
    current
        .groups
        .iter()
        .filter(|g| g.display_name.as_deref() == Some(name))
        .count()
}

/// While an apply runs (its first event), a second apply of the same plan
/// and an apply of another plan against the same provider are refused at
/// once, naming the holder; the first ends alone, no group made twice.
#[test]
fn a_second_apply_is_refused_while_one_runs() {
    let profile = Profile::slack_v1();
    let service = seeded(&profile);
    let plan = plan_for(&service, &profile);
    let journal = journal_path("two-at-once");
    let options = ApplyOptions::new(&journal);
    let other = ApplyOptions::new(journal.with_file_name("another-plan.journal"));
    let first = client(&profile, service.clone());
    let second = client(&profile, service.clone());
    let mut refusals = Vec::new();
    let report = apply_blocking(&first, &plan, &profile, &options, |_| {
        if refusals.is_empty() {
            for options in [&options, &other] {
                refusals.push(apply_blocking(&second, &plan, &profile, options, |_| {}));
            }
        }
    })
    .expect("the first apply");
    assert!(report.is_complete(), "{report:?}");
    let [same, another] = &refusals[..] else {
        panic!("both refusals ran: {refusals:?}");
    };
    for (refusal, what) in [(same, "journal"), (another, "provider")] {
        let Err(ApplyError::Locked(LockError::Held { holder, .. })) = refusal else {
            panic!("refused as locked: {refusal:?}");
        };
        assert_eq!(holder.pid, Some(std::process::id()), "{holder}");
        assert!(
            holder.host.is_some() && holder.started.is_some(),
            "{holder}"
        );
        let text = refusal.as_ref().unwrap_err().to_string();
        assert!(text.contains(what) && text.contains("pid "), "{text}");
    }
    assert_eq!(
        groups_named(&service, &profile, "ops"),
        1,
        "no group made twice"
    );
    // Once the first has ended, the plan's journal is free: a resume, all done.
    let again = apply_blocking(&second, &plan, &profile, &options, |_| {}).expect("a resume");
    assert!(
        again.done.is_empty() && again.failed.is_empty(),
        "{again:?}"
    );
}

/// Two applies of one plan started together from two threads: never a
/// group made twice, and whichever came second was refused or found every
/// step done.
#[test]
fn two_applies_started_together_make_each_group_once() {
    let profile = Profile::slack_v1();
    for round in 0..5 {
        let service = seeded(&profile);
        let plan = plan_for(&service, &profile);
        let options = ApplyOptions::new(journal_path(&format!("together-{round}")));
        let start = std::sync::Barrier::new(2);
        let results: Vec<_> = std::thread::scope(|scope| {
            let run = || {
                let client = client(&profile, service.clone());
                start.wait();
                apply_blocking(&client, &plan, &profile, &options, |_| {})
            };
            let handles = [scope.spawn(run), scope.spawn(run)];
            handles.map(|h| h.join().expect("no panic")).into()
        });
        let done: usize = results
            .iter()
            .map(|r| r.as_ref().map_or(0, |report| report.done.len()))
            .sum();
        assert_eq!(done, plan.steps.len(), "round {round}: {results:?}");
        for result in &results {
            assert!(
                matches!(result, Ok(_) | Err(ApplyError::Locked(_))),
                "round {round}: {result:?}"
            );
        }
        assert_eq!(groups_named(&service, &profile, "ops"), 1, "round {round}");
    }
}

/// A partial apply, then the provider restored from a snapshot taken
/// before it: the resume finds the accounts the journal says it created
/// gone, stops with "plan again", and writes nothing (provider, journal).
#[test]
fn a_resume_against_a_provider_that_lost_its_creates_stops_and_writes_nothing() {
    for profile in profiles() {
        let service = seeded(&profile);
        let before = service.snapshot();
        let plan = plan_for(&service, &profile);
        let journal = journal_path(&format!("lost-{}", profile.name));
        let options = ApplyOptions {
            concurrency: 1,
            ..ApplyOptions::new(&journal)
        };
        let created = Arc::new(AtomicUsize::new(0));
        let dying = client(&profile, Faulty::new(&service, Some(3), false, &created));
        let first = apply_blocking(&dying, &plan, &profile, &options, |_| {}).expect("a run");
        assert!(
            !first.is_complete() && created.load(Ordering::SeqCst) > 0,
            "{first:?}"
        );
        let restored = scim_memory::InMemoryService::restore(&profile, &before).expect("restored");
        let journaled = std::fs::read(&journal).unwrap();
        let recreated = Arc::new(AtomicUsize::new(0));
        let resumed = client(&profile, Faulty::new(&restored, None, false, &recreated));
        let error = apply_blocking(&resumed, &plan, &profile, &options, |_| {}).unwrap_err();
        let ApplyError::ProviderLost { lost } = &error else {
            panic!("{}: stopped as lost: {error}", profile.name);
        };
        assert_eq!(lost.len(), created.load(Ordering::SeqCst), "{error}");
        assert!(error.to_string().contains("plan again"), "{error}");
        assert_eq!(
            restored.snapshot(),
            before,
            "{}: nothing written",
            profile.name
        );
        assert_eq!(recreated.load(Ordering::SeqCst), 0);
        assert_eq!(
            std::fs::read(&journal).unwrap(),
            journaled,
            "journal untouched"
        );
    }
}

/// The async driver takes the same locks: refused while another apply
/// holds the provider, nothing sent; runs once it is released.
#[test]
fn the_async_driver_is_refused_while_another_apply_holds_the_provider() {
    let profile = Profile::slack_v2();
    let service = seeded(&profile);
    let before = service.snapshot();
    let plan = plan_for(&service, &profile);
    let client = AsyncScimClient::with_transport(
        "xoxp-test",
        scim_client::ClientOptions::for_profile(&profile, BASE_URL),
        service.clone(),
    )
    .unwrap();
    let journal = journal_path("async-locked");
    let other = journal.with_file_name("other.journal");
    let held = scim_sync::apply::ApplyLock::acquire(&other, BASE_URL).unwrap();
    let options = ApplyOptions::new(&journal);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let run = || runtime.block_on(apply_async(&client, &plan, &profile, &options, |_| {}));
    let error = run().unwrap_err();
    assert!(
        matches!(error, ApplyError::Locked(LockError::Held { .. })),
        "{error}"
    );
    assert_eq!(service.snapshot(), before, "nothing sent");
    drop(held);
    assert!(run().expect("once released").is_complete());
}
