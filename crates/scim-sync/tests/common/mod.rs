//! A small directory, a provider holding an older version of it, and a
//! transport over the in-memory service that can die at any write.

#![allow(dead_code)] // Each test file uses its own part.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use scim_client::model::{Group, Member, TypedValue, User};
use scim_client::provider::MemberChanges;
use scim_client::provider::PatchChanges;
use scim_client::provider::Profile;
use scim_client::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use scim_client::{ClientOptions, ScimClient};
use scim_memory::InMemoryService;
use scim_sync::{Desired, DesiredGroup, DriftKind, Ownership, PlanOptions, verify_blocking};
use serde_json::{Value, json};

pub const BASE_URL: &str = "https://scim.test/scim/v2/";

/// The profiles every scenario runs under.
pub fn profiles() -> Vec<Profile> {
    vec![
        Profile::slack_v1(),
        Profile::slack_v2(),
        Profile::generic_scim2(BASE_URL),
    ]
}

pub fn person(user_name: &str, external_id: &str, title: &str) -> User {
    User {
        user_name: user_name.into(),
        external_id: external_id.into(),
        title: title.into(),
        active: true.into(),
        emails: vec![TypedValue {
            value: format!("{user_name}@example.test").into(),
            primary: true.into(),
            ..TypedValue::default()
        }]
        .into(),
        ..User::default()
    }
}

/// The provider before the sync: ada (an old title), bob, cy (gone from
/// the source), zed (not the source's), and group eng with ada and zed.
pub fn seeded(profile: &Profile) -> InMemoryService {
    let service = InMemoryService::for_profile(profile);
    let mut ids = Vec::new();
    for (name, external_id, title) in [
        ("ada", "hr:1", "Dev"),
        ("bob", "hr:2", "Ops"),
        ("cy", "hr:3", "Dev"),
        ("zed", "", "Contractor"),
    ] {
        let mut user = serde_json::to_value(person(name, external_id, title)).unwrap();
        if external_id.is_empty() {
            user.as_object_mut().unwrap().remove("externalId");
        }
        ids.push(service.seed_user(user).expect("seeded"));
    }
    let client = client(profile, service.clone());
    let eng = Group {
        display_name: "eng".into(),
        members: vec![Member::addition(&ids[0]), Member::addition(&ids[3])].into(),
        ..Group::default()
    };
    client.create_group(&eng).expect("group eng");
    service
}

/// The source: ada promoted, bob as he is, dee and eve new, cy gone;
/// eng is ada and dee, ops (new) is bob and eve.
pub fn desired() -> Desired {
    let group = |name: &str, members: &[&str]| DesiredGroup {
        display_name: name.into(),
        external_id: None,
        members: members.iter().map(|m| (*m).to_owned()).collect(),
    };
    Desired {
        match_key: None,
        users: vec![
            person("ada", "hr:1", "Lead"),
            person("bob", "hr:2", "Ops"),
            person("dee", "hr:4", "Dev"),
            person("eve", "hr:5", "Dev"),
        ],
        groups: vec![
            group("eng", &["hr:1", "hr:4"]),
            group("ops", &["hr:2", "hr:5"]),
        ],
        ..Desired::default()
    }
}

pub fn options() -> PlanOptions {
    PlanOptions {
        ownership: Ownership::ExternalIdPrefix("hr:".into()),
        allow_mass_deactivation: true,
        ..PlanOptions::default()
    }
}

pub fn client(profile: &Profile, transport: impl Transport + 'static) -> ScimClient {
    ScimClient::with_transport(
        "xoxp-test",
        ClientOptions::for_profile(profile, BASE_URL),
        transport,
    )
    .expect("a client")
}

/// The provider's state as a comparable summary: each user's userName,
/// externalId, title, active; each group's name and member userNames.
pub fn summary(service: &InMemoryService, profile: &Profile) -> Value {
    let client = client(profile, service.clone());
    let current = scim_sync::read_current(&client).expect("a read");
    let names: std::collections::HashMap<String, String> = current
        .users
        .iter()
        .map(|u| {
            (
                u.id.as_deref().unwrap().to_owned(),
                u.user_name.as_deref().unwrap().to_owned(),
            )
        })
        .collect();
    let mut users: Vec<Value> = current
        .users
        .iter()
        .map(|u| {
            json!([
                u.user_name.as_deref(),
                u.external_id.as_deref(),
                u.title.as_deref(),
                u.active.value()
            ])
        })
        .collect();
    users.sort_by_key(Value::to_string);
    let mut groups: Vec<Value> = current
        .groups
        .iter()
        .map(|g| {
            let mut members: Vec<&str> = g
                .members
                .value()
                .into_iter()
                .flatten()
                .filter_map(|m| m.value.as_deref())
                .map(|id| names.get(id).map_or(id, String::as_str))
                .collect();
            members.sort_unstable();
            json!([g.display_name.as_deref(), members])
        })
        .collect();
    groups.sort_by_key(Value::to_string);
    json!({"users": users, "groups": groups})
}

/// The in-memory service as a transport that dies at write number
/// `fail_at` (from 0): before sending it, or after the service applied it
/// with the answer lost (`answer_lost`). Every request after that fails,
/// as if the process were gone. Counts resources created (201 answers).
pub struct Faulty {
    pub service: InMemoryService,
    pub fail_at: Option<usize>,
    pub answer_lost: bool,
    pub writes: AtomicUsize,
    pub created: Arc<AtomicUsize>,
}

impl Faulty {
    pub fn new(
        service: &InMemoryService,
        fail_at: Option<usize>,
        answer_lost: bool,
        created: &Arc<AtomicUsize>,
    ) -> Faulty {
        Faulty {
            service: service.clone(),
            fail_at,
            answer_lost,
            writes: AtomicUsize::new(0),
            created: created.clone(),
        }
    }

    fn dead(&self) -> bool {
        self.fail_at
            .is_some_and(|at| self.writes.load(Ordering::SeqCst) > at)
    }
}

impl Transport for Faulty {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let write =
            request.method() != http::Method::GET && !request.uri().path().ends_with("/.search");
        if !write {
            if self.dead() {
                return Err(TransportError::not_sent("the process is gone"));
            }
            return Ok(self.service.handle(&request));
        }
        let number = self.writes.fetch_add(1, Ordering::SeqCst);
        let at = self.fail_at.unwrap_or(usize::MAX);
        if number > at || (number == at && !self.answer_lost) {
            return Err(TransportError::not_sent("the process is gone"));
        }
        let response = self.service.handle(&request);
        if response.status().as_u16() == 201 {
            self.created.fetch_add(1, Ordering::SeqCst);
        }
        if number == at {
            return Err(TransportError::maybe_sent(
                "killed before the answer was read",
            ));
        }
        Ok(response)
    }

    fn sleep(&self, duration: Duration) {
        Transport::sleep(&self.service, duration);
    }

    fn now(&self) -> SystemTime {
        Transport::now(&self.service)
    }
}

/// A journal path of its own under the temporary directory, in a directory of its own per name: the provider's apply lock lives next
/// to the journal, and tests run in parallel against one base URL.
pub fn journal_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("scim-sync-tests-{}", std::process::id()))
        .join(name);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join(format!("{name}.journal"));
    let _ = std::fs::remove_file(&path);
    path
}

/// The id of the user named `user_name`.
pub fn id_of(client: &ScimClient, user_name: &str) -> String {
    let current = scim_sync::read_current(client).unwrap();
    current
        .users
        .iter()
        .find(|u| u.user_name.as_deref() == Some(user_name))
        .and_then(|u| u.id.as_deref())
        .unwrap_or_else(|| panic!("{user_name} at the provider"))
        .to_owned()
}

/// One attribute of `user_name` set behind the source's back, in the
/// profile's PATCH form.
pub fn set(client: &ScimClient, profile: &Profile, user_name: &str, path: &str, value: Value) {
    let body = PatchChanges::new()
        .set(path, value)
        .render(profile.patch, None)
        .expect("a top-level attribute needs no current value");
    client
        .patch::<User>(&id_of(client, user_name), &body)
        .expect("a drift injected");
}

/// Kind, resource, path, expected, found.
pub type Row = (
    DriftKind,
    String,
    Option<String>,
    Option<Value>,
    Option<Value>,
);

/// After a clean apply of [`desired`]: an attribute changed (ada's title), a
/// user deactivated by the provider (bob, as Slack did in April 2024), a
/// user reactivated (cy) and a member removed (dee from eng) are each found
/// by verify, with what was expected and what was found.
pub fn injected_drift_is_found(client: &ScimClient, profile: &Profile) {
    let drift = verify_blocking(client, &desired(), profile, &options()).unwrap();
    assert!(drift.is_clean(), "{}: {drift:?}", profile.name);
    set(client, profile, "ada", "title", json!("Dev"));
    set(client, profile, "cy", "active", json!(true));
    set(client, profile, "bob", "active", json!(false));
    let groups = scim_sync::read_current(client).unwrap().groups;
    let eng = groups
        .iter()
        .find(|g| g.display_name.as_deref() == Some("eng"))
        .and_then(|g| g.id.as_deref().map(str::to_owned))
        .expect("group eng");
    let dee = id_of(client, "dee");
    let removal = MemberChanges::new(Vec::<String>::new(), [dee.clone()]);
    client.change_members(profile, &eng, &removal).unwrap();

    let drift = verify_blocking(client, &desired(), profile, &options()).unwrap();
    let found: Vec<Row> = drift
        .items
        .iter()
        .map(|i| {
            (
                i.kind,
                i.resource.clone(),
                i.path.clone(),
                i.expected.clone(),
                i.found.clone(),
            )
        })
        .collect();
    let cy = id_of(client, "cy");
    let active = |expected: bool| {
        (
            Some("active".to_owned()),
            Some(json!(expected)),
            Some(json!(!expected)),
        )
    };
    let expected: Vec<Row> = vec![
        (
            DriftKind::Attribute,
            "user hr:1".into(),
            Some("title".into()),
            Some(json!("Lead")),
            Some(json!("Dev")),
        ),
        {
            let (path, expected, found) = active(true);
            (
                DriftKind::Attribute,
                "user hr:2".into(),
                path,
                expected,
                found,
            )
        },
        (
            DriftKind::MemberMissing,
            format!("group {eng}"),
            Some(dee),
            None,
            None,
        ),
        {
            let (path, expected, found) = active(false);
            (
                DriftKind::ShouldBeInactive,
                format!("user {cy} (cy)"),
                path,
                expected,
                found,
            )
        },
    ];
    assert_eq!(found, expected, "{}", profile.name);
    assert_eq!(
        serde_json::to_value(&drift).unwrap()["items"][0]["kind"],
        "attribute"
    );
}
