//! Each built-in profile end to end: the in-memory service plays it (its
//! limits, pagination, member-change cap and dialect), and a client set up
//! from the same profile respects it: no 429 with a budget, every resource
//! walked, membership changes split to fit. Virtual time; no network.

use scim_client::model::{Group, SearchRequest, User};
use scim_client::pacing::SharedBudget;
use scim_client::provider::MemberChanges;
use scim_client::provider::Profile;
use scim_client::retry::RetryHandlers;
use scim_client::{ClientOptions, ScimClient};
use scim_memory::InMemoryService;

/// The built-in profiles, with a base URL the service routes.
fn profiles() -> Vec<Profile> {
    vec![
        Profile::slack_v1(),
        Profile::slack_v2(),
        Profile::aws_identity_center("us-east-1", "d-test"),
        Profile::github_emu("acme"),
        Profile::atlassian("dir-1"),
        Profile::zoom(),
        Profile::generic_scim2("https://scim.test/v2/"),
    ]
}

/// A client of `profile`'s service, with a budget of its rates when asked,
/// and no retry handler: a 429 would surface as an error.
fn client(profile: &Profile, budget: bool) -> (InMemoryService, ScimClient) {
    let service = InMemoryService::for_profile(profile);
    let options = ClientOptions {
        budget: budget.then(|| SharedBudget::for_table(&profile.rates, 1.0)),
        retry_handlers: RetryHandlers::none(),
        ..ClientOptions::for_profile(profile, &profile.base_url)
    };
    let client = ScimClient::with_transport("token-for-tests", options, service.clone()).unwrap();
    (service, client)
}

/// A user with what every profile requires on create (AWS: `displayName`
/// and both name parts besides `userName`).
fn user(i: usize) -> User {
    User {
        user_name: format!("user{i:04}").into(),
        display_name: format!("User {i}").into(),
        name: scim_client::model::Name {
            given_name: "User".into(),
            family_name: format!("{i}").into(),
            ..Default::default()
        }
        .into(),
        ..User::default()
    }
}

#[test]
fn with_a_budget_no_profile_ever_answers_429_and_every_user_is_walked() {
    for profile in profiles() {
        let (service, client) = client(&profile, true);
        for i in 0..150 {
            client
                .create_user(&user(i))
                .unwrap_or_else(|e| panic!("{}: create {i}: {e}", profile.name));
        }
        let walked = client
            .all::<User>(SearchRequest::new())
            .map(|user| user.map(|u| u.id.as_deref().unwrap_or_default().to_owned()))
            .collect::<Result<std::collections::HashSet<_>, _>>()
            .unwrap_or_else(|e| panic!("{}: walk: {e}", profile.name));
        assert_eq!(walked.len(), 150, "{}", profile.name);
        assert_eq!(service.throttled(), 0, "{}", profile.name);
    }
}

#[test]
fn without_a_budget_a_limited_profile_answers_429() {
    for profile in profiles().into_iter().filter(|p| !p.rates.is_empty()) {
        let (service, client) = client(&profile, false);
        let refused = (0..1100)
            .map(|i| client.create_user(&user(i)))
            .find_map(Result::err);
        match refused {
            Some(scim_client::Error::Api(error)) => {
                assert_eq!(error.status, 429, "{}", profile.name);
                assert!(error.retry_after.is_some(), "{}", profile.name);
            }
            other => panic!("{}: {other:?}", profile.name),
        }
        assert_eq!(service.throttled(), 1, "{}", profile.name);
    }
}

#[test]
fn membership_changes_fit_every_profiles_cap() {
    for profile in profiles() {
        let (service, client) = client(&profile, true);
        let ids: Vec<String> = (0..250)
            .map(|i| {
                let created = client.create_user(&user(i)).unwrap();
                created.id.as_deref().unwrap().to_owned()
            })
            .collect();
        let group = client
            .create_group(&Group {
                display_name: "eng".into(),
                ..Group::default()
            })
            .unwrap();
        let group_id = group.id.as_deref().unwrap();
        let added = MemberChanges::new(ids.clone(), Vec::<String>::new());
        let sent = client.change_members(&profile, group_id, &added).unwrap();
        let want = profile
            .max_member_changes
            .map_or(1, |max| 250usize.div_ceil(max));
        assert_eq!(sent, want, "{}", profile.name);
        let removed = MemberChanges::new(Vec::<String>::new(), ids[..120].to_vec());
        client.change_members(&profile, group_id, &removed).unwrap();
        // Read back where the provider returns members.
        if profile.group_reads_return_members {
            let members = client.read_group(group_id).unwrap().members;
            let count = members.into_option().map_or(0, |m| m.len());
            assert_eq!(count, 130, "{}", profile.name);
        }
        assert_eq!(service.throttled(), 0, "{}", profile.name);
    }
}

#[test]
fn aws_refuses_what_the_profile_would_not_send() {
    // The profile's cap is the provider's: 101 changes in one PATCH is 400.
    let aws = Profile::aws_identity_center("us-east-1", "d-test");
    let (_, client) = client(&aws, false);
    let group = client
        .create_group(&Group {
            display_name: "eng".into(),
            ..Group::default()
        })
        .unwrap();
    let mut unlimited = aws.clone();
    unlimited.max_member_changes = None;
    let too_many = MemberChanges::new((0..101).map(|i| format!("U{i}")), Vec::<String>::new());
    let error = client
        .change_members(&unlimited, group.id.as_deref().unwrap(), &too_many)
        .unwrap_err();
    assert!(error.to_string().contains("400"), "{error}");
}
