//! The planner as tables: (desired, current, options) → plan.

use scim_client::model::{Field, Name, TypedValue, User};
use scim_client::provider::Profile;
use scim_sync::{
    Adoption, Clash, Current, DeactivationLimit, Desired, MatchKey, Ownership, Plan, PlanError,
    PlanOptions, Step, fingerprint, plan,
};
use serde_json::json;

/// Users only, for a generic SCIM 2.0 provider.
fn plan_users(
    desired: &[User],
    current: &[User],
    options: &PlanOptions,
) -> Result<Plan, PlanError> {
    let desired = Desired {
        users: desired.to_vec(),
        ..Desired::default()
    };
    let current = Current {
        users: current.to_vec(),
        ..Current::default()
    };
    plan(
        &desired,
        &current,
        &Profile::generic_scim2("https://scim.test/v2"),
        options,
    )
}

fn user(user_name: &str, external_id: &str) -> User {
    User {
        user_name: user_name.into(),
        external_id: if external_id.is_empty() {
            Field::Absent
        } else {
            external_id.into()
        },
        ..User::default()
    }
}

fn account(id: &str, user_name: &str, external_id: &str) -> User {
    User {
        id: id.into(),
        active: true.into(),
        ..user(user_name, external_id)
    }
}

fn owned() -> PlanOptions {
    PlanOptions {
        ownership: Ownership::ExternalIdPrefix("hr:".into()),
        ..PlanOptions::default()
    }
}

/// A compact view of a plan: one line per step.
fn lines(steps: &[Step]) -> Vec<String> {
    steps
        .iter()
        .map(|step| match step {
            Step::CreateUser { key, .. } => format!("create {key}"),
            Step::UpdateUser { id, changes, .. } => format!(
                "update {} {}",
                match id {
                    scim_sync::Ref::Id(id) | scim_sync::Ref::Key(id) => id,
                },
                changes
                    .iter()
                    .map(|c| c.path.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Step::AdoptUser { id, changes, .. } => format!(
                "adopt {id} {}",
                changes
                    .iter()
                    .map(|c| c.path.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Step::DeactivateUser { id, .. } => format!("deactivate {id}"),
            Step::DeleteUser { id, .. } => format!("delete {id}"),
            other => format!("{other:?}"),
        })
        .collect()
}

/// Name, desired, current, options → the plan's lines.
type Case = (&'static str, Vec<User>, Vec<User>, PlanOptions, Vec<String>);
/// Name, desired, options → steps planned, or the error's name.
type RailCase = (
    &'static str,
    Vec<User>,
    PlanOptions,
    Result<usize, &'static str>,
);

fn strings(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|line| (*line).to_owned()).collect()
}

#[test]
fn plans_as_a_table() {
    let titled = |u: User, title: &str| User {
        title: title.into(),
        ..u
    };
    let cleared = |u: User| User {
        title: Field::Null,
        ..u
    };
    let many_owned: Vec<User> = (0..20)
        .map(|i| account(&format!("W{i:02}"), &format!("u{i}"), &format!("hr:{i}")))
        .collect();
    let cases: Vec<Case> = vec![
        (
            "new users are created, in key order",
            vec![user("bo", "hr:2"), user("ada", "hr:1")],
            vec![],
            owned(),
            strings(&["create hr:1", "create hr:2"]),
        ),
        (
            "an unchanged user is no step at all",
            vec![user("ada", "hr:1")],
            vec![account("W1", "ada", "hr:1")],
            owned(),
            strings(&[]),
        ),
        (
            "only what differs is updated",
            vec![titled(user("ada", "hr:1"), "CTO")],
            vec![titled(account("W1", "ada", "hr:1"), "CEO")],
            owned(),
            strings(&["update W1 title"]),
        ),
        (
            "a value the source cleared is cleared",
            vec![cleared(user("ada", "hr:1"))],
            vec![titled(account("W1", "ada", "hr:1"), "CEO")],
            owned(),
            strings(&["update W1 title"]),
        ),
        (
            "an attribute the source leaves out is not the source's to clear",
            vec![user("ada", "hr:1")],
            vec![titled(account("W1", "ada", "hr:1"), "CEO")],
            owned(),
            strings(&[]),
        ),
        (
            "matched by userName, an unowned account is adopted when the rule allows it",
            vec![user("Ada", "hr:1")],
            vec![account("W1", "ada", "")],
            PlanOptions {
                match_key: MatchKey::UserName,
                adopt: Adoption::UnownedBy(MatchKey::UserName),
                ..owned()
            },
            // "Ada" and "ada" are one userName (caseExact false): no change.
            strings(&["adopt W1 externalId"]),
        ),
        (
            "owned accounts the source dropped are deactivated; others left alone",
            vec![user("ada", "hr:1")],
            vec![
                account("W1", "ada", "hr:1"),
                account("W2", "gone", "hr:2"),
                account("W3", "admin", ""),
                account("W4", "contractor", "ext:9"),
            ],
            PlanOptions {
                limit: DeactivationLimit {
                    max_count: 5,
                    max_percent: 100.0,
                },
                ..owned()
            },
            strings(&["deactivate W2"]),
        ),
        (
            "without an ownership rule nothing is ever deactivated",
            vec![user("ada", "hr:1")],
            vec![account("W1", "ada", "hr:1"), account("W2", "gone", "hr:2")],
            PlanOptions::default(),
            strings(&[]),
        ),
        (
            "deletion only when asked",
            vec![user("ada", "hr:1")],
            vec![account("W1", "ada", "hr:1"), account("W2", "gone", "hr:2")],
            PlanOptions {
                delete_instead: true,
                allow_mass_deactivation: true,
                ..owned()
            },
            strings(&["delete W2"]),
        ),
        (
            "an allowed mass deactivation goes through",
            many_owned[..2]
                .iter()
                .map(|u| {
                    user(
                        u.user_name.as_deref().unwrap(),
                        u.external_id.as_deref().unwrap(),
                    )
                })
                .collect(),
            many_owned.clone(),
            PlanOptions {
                allow_mass_deactivation: true,
                ..owned()
            },
            (2..20).map(|i| format!("deactivate W{i:02}")).collect(),
        ),
    ];
    for (name, desired, current, options, want) in cases {
        let plan =
            plan_users(&desired, &current, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(lines(&plan.steps), want, "{name}");
    }
}

#[test]
fn the_rails_refuse_what_would_wipe_an_organisation() {
    let current: Vec<User> = (0..40)
        .map(|i| account(&format!("W{i:02}"), &format!("u{i}"), &format!("hr:{i}")))
        .collect();
    let keep = |n: usize| -> Vec<User> {
        (0..n)
            .map(|i| user(&format!("u{i}"), &format!("hr:{i}")))
            .collect()
    };
    let table: Vec<RailCase> = vec![
        ("4 of 40 is within 25 and 10%", keep(36), owned(), Ok(4)),
        (
            "5 of 40 is over 10%",
            keep(35),
            owned(),
            Err("Rail(RailRefusal { rail: MaxPercent { limit: 10.0 }"),
        ),
        (
            "over the count",
            keep(10),
            PlanOptions {
                limit: DeactivationLimit {
                    max_count: 25,
                    max_percent: 100.0,
                },
                ..owned()
            },
            Err("Rail(RailRefusal { rail: MaxCount { limit: 25 }"),
        ),
        (
            "an empty source",
            keep(0),
            owned(),
            Err("Rail(RailRefusal { rail: EmptySource"),
        ),
        (
            "a source half the last one",
            keep(36),
            PlanOptions {
                last_source_size: Some(80),
                ..owned()
            },
            Err("Rail(RailRefusal { rail: ShrunkSource { last: 80, limit: 50.0 }"),
        ),
        (
            "overridden",
            keep(0),
            PlanOptions {
                allow_mass_deactivation: true,
                ..owned()
            },
            Ok(40),
        ),
    ];
    for (name, desired, options, want) in table {
        let got = plan_users(&desired, &current, &options).map(|plan| plan.steps.len());
        match (got, want) {
            (Ok(got), Ok(want)) => assert_eq!(got, want, "{name}"),
            (Err(error), Err(want)) => {
                assert!(format!("{error:?}").starts_with(want), "{name}: {error:?}")
            }
            (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn bad_input_plans_nothing() {
    let twice = vec![user("ada", "hr:1"), user("bo", "hr:1")];
    assert_eq!(
        plan_users(&twice, &[], &owned()),
        Err(PlanError::DuplicateKey {
            key: "hr:1".into(),
            side: "source"
        })
    );
    assert_eq!(
        plan_users(&[user("ada", "")], &[], &owned()),
        Err(PlanError::MissingKey {
            index: 0,
            key: MatchKey::ExternalId
        })
    );
    let no_id = User {
        user_name: "x".into(),
        ..User::default()
    };
    assert_eq!(
        plan_users(&[], &[no_id], &owned()),
        Err(PlanError::MissingId { index: 0 })
    );
    let by_name = PlanOptions {
        match_key: MatchKey::UserName,
        ..owned()
    };
    let clash = vec![account("W1", "Ada", ""), account("W2", "ada", "")];
    assert!(matches!(
        plan_users(&[user("ada", "hr:1")], &clash, &by_name),
        Err(PlanError::DuplicateKey {
            side: "provider",
            ..
        })
    ));
}

#[test]
fn desired_users_sharing_a_login_or_an_email_plan_nothing() {
    let login = vec![user("Ada", "hr:1"), user("ada", "hr:2")];
    assert_eq!(
        plan_users(&login, &[], &owned()),
        Err(PlanError::DuplicateValue {
            attribute: MatchKey::UserName,
            value: "ada".into(),
            first: "hr:1".into(),
            second: "hr:2".into(),
        })
    );
    let mailbox = |name: &str, key: &str, address: &str| User {
        emails: vec![TypedValue {
            value: address.into(),
            primary: true.into(),
            ..TypedValue::default()
        }]
        .into(),
        ..user(name, key)
    };
    let email = vec![
        mailbox("ada", "hr:1", "ada@example.com"),
        mailbox("bob", "hr:2", "x@example.com"),
        mailbox("cal", "hr:3", "ADA@example.com"),
    ];
    let error = plan_users(&email, &[], &owned()).unwrap_err();
    assert_eq!(
        error,
        PlanError::DuplicateValue {
            attribute: MatchKey::PrimaryEmail,
            value: "ada@example.com".into(),
            first: "hr:1".into(),
            second: "hr:3".into(),
        }
    );
    assert!(
        error.to_string().contains(r#""hr:1" and "hr:3""#),
        "{error}"
    );
    assert!(plan_users(&email[..2], &[], &owned()).is_ok());
}

#[test]
fn nested_and_multi_valued_attributes_compare_as_a_provider_returns_them() {
    let email = |v: &str, primary: bool| TypedValue {
        value: v.into(),
        primary: primary.into(),
        ..TypedValue::default()
    };
    let want = User {
        name: Name {
            given_name: "Ada".into(),
            ..Name::default()
        }
        .into(),
        emails: vec![email("a@x.test", true), email("b@x.test", false)].into(),
        ..user("ada", "hr:1")
    };
    // The provider returns the emails in another order: no change.
    let have = User {
        name: Name {
            given_name: "Ada".into(),
            ..Name::default()
        }
        .into(),
        emails: vec![email("b@x.test", false), email("a@x.test", true)].into(),
        ..account("W1", "ada", "hr:1")
    };
    let options = PlanOptions {
        managed: vec!["name.givenName".into(), "emails".into()],
        ..owned()
    };
    assert_eq!(
        plan_users(
            std::slice::from_ref(&want),
            std::slice::from_ref(&have),
            &options
        )
        .unwrap()
        .steps,
        vec![]
    );
    let renamed = User {
        name: Name {
            given_name: "Augusta".into(),
            ..Name::default()
        }
        .into(),
        ..want
    };
    let plan = plan_users(&[renamed], &[have], &options).unwrap();
    assert_eq!(lines(&plan.steps), ["update W1 name.givenName"]);
    match &plan.steps[0] {
        Step::UpdateUser { changes, .. } => assert_eq!(changes[0].value, Some(json!("Augusta"))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn plans_are_deterministic_serialisable_and_tied_to_the_state() {
    let desired = vec![user("bo", "hr:2"), user("ada", "hr:1")];
    let current = vec![account("W2", "bo", "hr:2"), account("W1", "adam", "hr:1")];
    let plan = plan_users(&desired, &current, &owned()).unwrap();
    let reversed: Vec<User> = current.iter().rev().cloned().collect();
    let again = plan_users(&desired, &reversed, &owned()).unwrap();
    let text = serde_json::to_string(&plan).unwrap();
    assert_eq!(
        text,
        serde_json::to_string(&again).unwrap(),
        "list order changes nothing"
    );
    assert_eq!(
        serde_json::from_str::<scim_sync::Plan>(&text).unwrap(),
        plan
    );
    // Any change to what the plan reads changes the fingerprint.
    let changed = vec![account("W2", "bo", "hr:2"), account("W1", "ada", "hr:1")];
    let state = |users: &[User]| Current {
        users: users.to_vec(),
        ..Current::default()
    };
    let of = |users: &[User]| fingerprint(&state(users), &scim2(), &owned());
    assert_ne!(of(&current), of(&changed));
    assert_eq!(plan.fingerprint, of(&current));
}

fn scim2() -> Profile {
    Profile::generic_scim2("https://scim.test/v2")
}

/// The fingerprint covers what the plan reads: the managed attributes and
/// those it matches and tells ownership by. A change to another (a phone
/// number the person edited) leaves the plan right and the fingerprint as
/// it was; a change to a managed one, to `active` or to the owned marker
/// does not. With a provider-side scope filter, which may read any
/// attribute, it covers the whole account.
#[test]
fn the_fingerprint_covers_what_the_plan_reads() {
    let options = PlanOptions {
        managed: vec!["title".into(), "name.givenName".into()],
        ..owned()
    };
    let have = User {
        title: "Engineer".into(),
        ..account("W1", "ada", "hr:1")
    };
    let of = |user: &User, options: &PlanOptions| {
        let current = Current {
            users: vec![user.clone()],
            ..Current::default()
        };
        fingerprint(&current, &scim2(), options)
    };
    let planned = plan_users(
        std::slice::from_ref(&have),
        std::slice::from_ref(&have),
        &options,
    )
    .unwrap();
    assert_eq!(planned.fingerprint, of(&have, &options));
    let phoned = User {
        phone_numbers: vec![TypedValue {
            value: "+1 555 0100".into(),
            ..TypedValue::default()
        }]
        .into(),
        ..have.clone()
    };
    assert_eq!(of(&phoned, &options), of(&have, &options));
    let read_changes = [
        User {
            title: "Manager".into(),
            ..have.clone()
        },
        User {
            name: Name {
                family_name: "Lovelace".into(),
                ..Name::default()
            }
            .into(),
            ..have.clone()
        },
        User {
            active: false.into(),
            ..have.clone()
        },
        User {
            external_id: "other:1".into(),
            ..have.clone()
        },
        User {
            user_name: "ada.l".into(),
            ..have.clone()
        },
    ];
    for changed in &read_changes {
        assert_ne!(of(changed, &options), of(&have, &options), "{changed:?}");
    }
    let mut extra = have.clone();
    extra.extra.insert("title".into(), json!("Written last"));
    assert_ne!(of(&extra, &options), of(&have, &options));
    let scoped = PlanOptions {
        scope: scim_sync::Scope {
            users: Some("userType eq \"Employee\"".into()),
            ..scim_sync::Scope::default()
        },
        ..options.clone()
    };
    assert_ne!(of(&phoned, &scoped), of(&have, &scoped));
}

/// The takeover of issue 20: the source's new hire `ada.lovelace` (E3)
/// meets an account with that login whose externalId (`OTHER-1`) is not
/// the source's. Planning refuses it, naming both sides, instead of a
/// create that apply would turn into a takeover; the adoption rule lets
/// it be taken over with the owned marker written.
#[test]
fn a_desired_user_meeting_an_unowned_account_is_a_clash_unless_adoption_is_allowed() {
    let hire = User {
        title: "Engineer".into(),
        ..user("ada.lovelace", "hr:3")
    };
    let theirs = account("W9", "Ada.Lovelace", "OTHER-1");
    let clash = plan_users(
        std::slice::from_ref(&hire),
        std::slice::from_ref(&theirs),
        &owned(),
    )
    .unwrap_err();
    let PlanError::NotOwned { clashes } = &clash else {
        panic!("{clash:?}");
    };
    assert_eq!(
        clashes,
        &[Clash {
            key: "hr:3".into(),
            id: "W9".into(),
            user_name: "Ada.Lovelace".into(),
            external_id: Some("OTHER-1".into()),
            reason: clashes[0].reason.clone(),
            group: false,
        }]
    );
    let text = clash.to_string();
    for part in ["exists, not owned", "hr:3", "W9", "OTHER-1", "Ada.Lovelace"] {
        assert!(text.contains(part), "{part} in {text}");
    }
    // Matched by userName, the same account is a clash too.
    let by_name = PlanOptions {
        match_key: MatchKey::UserName,
        ..owned()
    };
    assert!(matches!(
        plan_users(
            std::slice::from_ref(&hire),
            std::slice::from_ref(&theirs),
            &by_name
        ),
        Err(PlanError::NotOwned { .. })
    ));
    // With the rule: one adoption writing the owned externalId, no create.
    let adopting = PlanOptions {
        adopt: Adoption::UnownedBy(MatchKey::UserName),
        ..owned()
    };
    let plan = plan_users(
        std::slice::from_ref(&hire),
        std::slice::from_ref(&theirs),
        &adopting,
    )
    .unwrap();
    assert_eq!(lines(&plan.steps), strings(&["adopt W9 externalId,title"]));
    // A rule that would not make it owned (a key outside the prefix) is
    // still a clash.
    let outside = user("ada.lovelace", "ext:3");
    assert!(matches!(
        plan_users(&[outside], std::slice::from_ref(&theirs), &adopting),
        Err(PlanError::NotOwned { .. })
    ));
    // An owned account holding the login is the source's: updated, not
    // created again, and not deactivated.
    let ours = account("W9", "ada.lovelace", "hr:7");
    let plan = plan_users(&[hire], &[ours], &owned()).unwrap();
    assert_eq!(lines(&plan.steps), strings(&["adopt W9 externalId,title"]));
}

/// The plan carries its options and a digest over its content.
#[test]
fn a_plan_carries_its_options_and_a_digest_of_its_content() {
    let plan = plan_users(&[user("ada", "hr:1")], &[], &owned()).unwrap();
    assert_eq!(plan.options, owned());
    assert_eq!(plan.digest, plan.computed_digest());
    assert_eq!(plan.digest.len(), 16);
    let mut edited = plan.clone();
    edited.options.allow_mass_deactivation = true;
    assert_ne!(edited.computed_digest(), plan.digest);
    let read: Plan = serde_json::from_str(&serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    assert_eq!(read.computed_digest(), plan.digest, "it survives the file");
}

/// A plan reads back from its JSON as itself, digest included, when the
/// account it adopts holds `null` where the owned marker goes (`from` was
/// written `null`, read back as none: the digest no longer matched).
#[test]
fn an_adoption_over_a_null_marker_reads_back_with_its_digest() {
    let options = PlanOptions {
        managed: vec!["title".into()],
        ownership: Ownership::Marker {
            path: "nickName".into(),
            value: json!("x"),
        },
        adopt: Adoption::UnownedBy(MatchKey::ExternalId),
        ..PlanOptions::default()
    };
    let want = User {
        title: "Dev".into(),
        ..user("ada", "hr:1")
    };
    let have = User {
        nick_name: Field::Null,
        ..account("W1", "ada", "hr:1")
    };
    let plan = plan_users(&[want], &[have], &options).unwrap();
    assert_eq!(lines(&plan.steps), ["adopt W1 title,nickName"]);
    let read: Plan = serde_json::from_str(&serde_json::to_string(&plan).unwrap()).unwrap();
    assert_eq!(read, plan);
    assert_eq!(read.computed_digest(), plan.digest);
}

/// Apply's state check: a plan for another profile is named as such (not
/// "the provider changed"); a plan carrying the fingerprint of every
/// attribute, as plans did before theirs covered only what they read, is
/// still applied while the provider is exactly as it was.
#[test]
fn apply_names_another_profile_and_takes_a_plan_fingerprinted_whole() {
    use scim_sync::apply::{ApplyError, check_unchanged};
    let current = Current {
        users: vec![User {
            title: "Dev".into(),
            ..account("W1", "ada", "hr:1")
        }],
        ..Current::default()
    };
    let want = User {
        title: "Lead".into(),
        ..user("ada", "hr:1")
    };
    let mut plan = plan_users(&[want], &current.users, &owned()).unwrap();
    assert!(check_unchanged(&plan, &scim2(), &current).is_ok());
    let other = check_unchanged(&plan, &Profile::slack_v1(), &current);
    assert!(
        matches!(other, Err(ApplyError::OtherProfile { .. })),
        "{other:?}"
    );
    // What a scope filter makes the fingerprint cover: every attribute.
    let everything = PlanOptions {
        scope: scim_sync::Scope {
            users: Some("userName pr".into()),
            ..scim_sync::Scope::default()
        },
        ..owned()
    };
    plan.fingerprint = fingerprint(&current, &scim2(), &everything);
    assert!(check_unchanged(&plan, &scim2(), &current).is_ok());
    let mut phoned = current.clone();
    phoned.users[0].phone_numbers = vec![TypedValue {
        value: "+1 555 0100".into(),
        ..TypedValue::default()
    }]
    .into();
    let stale = check_unchanged(&plan, &scim2(), &phoned);
    assert!(
        matches!(stale, Err(ApplyError::StateChanged { .. })),
        "{stale:?}"
    );
}
