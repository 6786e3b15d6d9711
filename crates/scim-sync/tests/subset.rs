//! `Apply::subset`: chosen steps of a plan checked once, run alone, with
//! the ids and begun steps another applier recorded — as a job store's
//! workers run them.

use std::collections::{HashMap, HashSet};

use scim_client::model::User;
use scim_client::provider::Profile;
use scim_client::{ClientOptions, ScimClient};
use scim_memory::InMemoryService;
use scim_sync::apply::{Apply, Outcome, Output, Recovered, Report, phase};
use scim_sync::{Desired, DesiredGroup, Ownership, PlanOptions, Step, plan, read_current_for};

const BASE_URL: &str = "https://scim.test/v2";

fn drive(mut apply: Apply, client: &ScimClient) -> Report {
    loop {
        match apply.poll() {
            Output::Send(ticket, operation) => {
                let answer = client.execute(*operation);
                apply.handle(ticket, answer);
            }
            Output::Journal(_) | Output::Event(_) => {}
            Output::Wait => panic!("a subset's requests are answered in turn"),
            Output::Done => return apply.into_report(),
        }
    }
}

#[test]
fn a_subset_runs_only_its_steps_with_ids_from_elsewhere_and_looks_before_a_begun_create() {
    let profile = Profile::generic_scim2(BASE_URL);
    let service = InMemoryService::scim2();
    let client =
        ScimClient::with_transport("t", ClientOptions::scim2(BASE_URL), service.clone()).unwrap();
    let desired = Desired {
        users: vec![User {
            user_name: "ada".into(),
            external_id: "hr:1".into(),
            ..User::default()
        }],
        groups: vec![DesiredGroup {
            display_name: "team".into(),
            external_id: Some("hr:team".into()),
            members: vec!["hr:1".into()],
        }],
        ..Desired::default()
    };
    let current = read_current_for(&client, &profile).unwrap();
    let options = PlanOptions {
        ownership: Ownership::ExternalIdPrefix("hr:".into()),
        ..PlanOptions::default()
    };
    let plan = plan(&desired, &current, &profile, &options).unwrap();
    let index = |wanted: fn(&Step) -> bool| plan.steps.iter().position(wanted).unwrap();
    let user = index(|s| matches!(s, Step::CreateUser { .. }));
    let group = index(|s| matches!(s, Step::CreateGroup { .. }));
    let members = index(|s| matches!(s, Step::ChangeMembers { .. }));
    assert_eq!(
        [user, group, members].map(|i| phase(&plan.steps[i])),
        [0, 1, 2]
    );
    let template = Apply::new(
        &plan,
        &profile,
        client.endpoint().clone(),
        Recovered::default(),
        &current,
    )
    .unwrap();

    // The membership change first, alone: its references are not known.
    let report = drive(template.subset(&[members], &Recovered::default()), &client);
    assert_eq!(
        (report.done.len(), report.failed.len()),
        (0, 1),
        "{report:?}"
    );
    assert_eq!(
        service.requests_received(),
        2,
        "the two reads, nothing sent"
    );

    let mut ids = HashMap::new();
    for step in [user, group] {
        let report = drive(template.subset(&[step], &Recovered::default()), &client);
        assert_eq!(report.done.len(), 1, "{report:?}");
        assert_eq!(report.done[0].step, step, "only its own step");
        assert!(report.skipped.is_empty() && report.failed.is_empty());
        ids.insert(step, report.done[0].outcome.id().map(str::to_owned));
    }
    let posts = service.requests_received();

    // A create begun elsewhere looks first, and finds what was made.
    let begun = Recovered {
        done: HashMap::new(),
        begun: HashSet::from([user]),
    };
    let report = drive(template.subset(&[user], &begun), &client);
    let found = ids[&user].clone().unwrap();
    assert_eq!(report.done[0].outcome, Outcome::FoundCreated { id: found });
    assert_eq!(
        service.requests_received(),
        posts + 1,
        "one lookup, no POST"
    );

    // With the ids another applier recorded, the members are written.
    let known = Recovered {
        done: ids,
        begun: HashSet::new(),
    };
    let report = drive(template.subset(&[members], &known), &client);
    assert_eq!(
        report.done[0].outcome,
        Outcome::MembersChanged,
        "{report:?}"
    );
}
