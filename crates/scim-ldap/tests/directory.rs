//! scim-ldap against a real OpenLDAP slapd (tests/ldap/slapd.sh): 10,000
//! users and 200 groups read page by page into scim-sync's Desired, then
//! planned, applied and verified against the in-memory Slack (SCIM v2).

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::*;
use scim_client::model::User;
use scim_client::pacing::SharedBudget;
use scim_client::provider::Profile;
use scim_client::retry::{RateLimitErrorRetryHandler, RetryHandlers};
use scim_client::{ClientOptions, ScimClient};
use scim_ldap::{DirectoryRead, EntryErrorKind, read_blocking};
use scim_memory::InMemoryService;
use scim_sync::apply::{ApplyOptions, apply_blocking};
use scim_sync::{Ownership, PlanOptions, plan, read_current, verify_blocking};

const BASE_URL: &str = "https://scim.test/scim/v2/";

/// A client paced by the profile's rate table (as scim-sync's apply bench
/// sets one up), a 429 retried; the service waits in virtual time.
fn client(profile: &Profile, service: &InMemoryService) -> ScimClient {
    let mut retry_handlers = RetryHandlers::none().with_total_wait_limit(Duration::from_secs(3600));
    retry_handlers.push(RateLimitErrorRetryHandler::new(1000));
    let options = ClientOptions {
        budget: Some(SharedBudget::for_table(&profile.rates, 1.0)),
        retry_handlers,
        ..ClientOptions::for_profile(profile, BASE_URL)
    };
    ScimClient::with_transport("xoxp-test", options, service.clone()).expect("a client")
}

fn options() -> PlanOptions {
    PlanOptions {
        match_key: scim_sync::MatchKey::ExternalId,
        ownership: Ownership::AnyExternalId,
        ..PlanOptions::default()
    }
}

fn by_name(read: &DirectoryRead) -> HashMap<&str, &User> {
    read.desired
        .users
        .iter()
        .map(|u| (u.user_name.as_deref().unwrap(), u))
        .collect()
}

fn group_members<'a>(read: &'a DirectoryRead, name: &str) -> Vec<&'a str> {
    let keys: HashMap<&str, &str> = read
        .desired
        .users
        .iter()
        .map(|u| {
            (
                u.external_id.as_deref().unwrap(),
                u.user_name.as_deref().unwrap(),
            )
        })
        .collect();
    let group = read.desired.groups.iter().find(|g| g.display_name == name);
    let mut names: Vec<&str> = group
        .expect("the group")
        .members
        .iter()
        .map(|k| keys[k.as_str()])
        .collect();
    names.sort_unstable();
    names
}

/// What the read of the seeded directory must find.
fn check_read(read: &DirectoryRead) {
    // 10,000 users, 10 out of scope, 1 with a bad attribute.
    assert_eq!(read.stats.user_entries, 9_990);
    assert_eq!(read.desired.users.len(), 9_989);
    // Pages of 500: 20 for users, 1 for groups; no ranged reads on OpenLDAP.
    assert_eq!(read.stats.requests, 21);
    assert_eq!(read.stats.group_entries, 200);
    let users = by_name(read);
    assert_eq!(users["user00007"].active.value(), Some(&false));
    assert_eq!(users["user00008"].active.value(), Some(&true));
    assert!(!users.contains_key("user00013") && !users.contains_key("user00999"));
    let bad = read
        .errors
        .iter()
        .find(|e| e.dn == user_dn(BAD))
        .expect("the bad entry reported");
    assert_eq!(
        (bad.attribute.as_deref(), bad.kind),
        (Some("userAccountControl"), EntryErrorKind::Value)
    );
    // Group 0: users 0..3000 but 13 (bad), 999, 1999, 2999 (out of scope).
    assert_eq!(group_members(read, "group000").len(), 2_996);
    assert_eq!(
        group_members(read, "group197"),
        ["user00001", "user00002", "user00003"]
    );
    assert_eq!(group_members(read, "group198"), ["user00002", "user00003"]);
    let cycles: Vec<&str> = read
        .errors
        .iter()
        .filter(|e| e.kind == EntryErrorKind::Cycle)
        .map(|e| e.dn.as_str())
        .collect();
    assert_eq!(cycles, [group_dn(196), group_dn(195)]);
    assert_eq!(read.errors.len(), 3, "{:?}", read.errors);
    // The cycle's groups keep both groups' users.
    assert_eq!(
        group_members(read, "group195"),
        group_members(read, "group196")
    );
}

#[test]
fn ten_thousand_users_sync_into_slack_verified_clean_then_nothing_to_do() {
    let Some(slapd) = Slapd::start("sync", &directory(10_000, 200)) else {
        return;
    };
    let read = read_blocking(&slapd.config()).expect("a read");
    check_read(&read);

    let profile = Profile::slack_v2();
    let service = InMemoryService::for_profile(&profile);
    // An account the directory's scope leaves out (a contractor) exists
    // already, made by hand (no externalId, so not the sync's under
    // Ownership::AnyExternalId).
    let outside = serde_json::json!({
        "userName": "user00999", "title": "Contractor", "active": true,
        "emails": [{"value": "user00999@example.test", "primary": true}],
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    });
    service.seed_user(outside).expect("seeded");
    let client = client(&profile, &service);
    let first = plan(
        &read.desired,
        &read_current(&client).unwrap(),
        &profile,
        &options(),
    )
    .unwrap();
    let journal = std::env::temp_dir().join(format!("scim-ldap-{}.journal", std::process::id()));
    let _ = std::fs::remove_file(&journal);
    let apply = ApplyOptions {
        concurrency: 1,
        ..ApplyOptions::new(&journal)
    };
    let report = apply_blocking(&client, &first, &profile, &apply, |_| {}).expect("an apply");
    assert!(
        report.is_complete(),
        "{:?}",
        &report.failed[..report.failed.len().min(3)]
    );
    assert_eq!(report.done.len(), first.steps.len());
    let drift = verify_blocking(&client, &read.desired, &profile, &options()).unwrap();
    assert!(
        drift.is_clean(),
        "{:?}",
        &drift.items[..drift.items.len().min(5)]
    );
    let again = plan(
        &read.desired,
        &read_current(&client).unwrap(),
        &profile,
        &options(),
    )
    .unwrap();
    assert!(
        again.steps.is_empty(),
        "{:?}",
        &again.steps[..again.steps.len().min(5)]
    );
    let current = read_current(&client).unwrap();
    let contractor = current
        .users
        .iter()
        .find(|u| u.user_name.as_deref() == Some("user00999"));
    let contractor = contractor.expect("still there");
    assert_eq!(contractor.title.as_deref(), Some("Contractor"));
    assert_eq!(contractor.active.value(), Some(&true));
    let _ = std::fs::remove_file(&journal);
}

#[test]
fn a_wrong_password_fails_the_bind_naming_the_dn_not_the_password() {
    let Some(slapd) = Slapd::start("bind", &directory(20, 0)) else {
        return;
    };
    let mut config = slapd.config();
    config.password = scim_ldap::Password::new("not-the-password");
    let error = read_blocking(&config).unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(
        matches!(&error, scim_ldap::LdapError::Bind { dn, .. } if dn == &format!("cn=admin,{SUFFIX}")),
        "{shown}"
    );
    assert!(shown.contains("invalidCredentials"), "{shown}");
    assert!(!shown.contains("not-the-password"), "{shown}");
}

#[test]
fn a_closed_port_fails_to_connect_within_the_timeout() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let users = scim_ldap::SearchSpec {
        base: SUFFIX.into(),
        filter: "(uid=*)".into(),
    };
    let url = format!("ldap://127.0.0.1:{port}");
    let mut config =
        scim_ldap::LdapConfig::new(&url, "cn=admin", scim_ldap::Password::new("x"), users);
    config.timeout = Duration::from_secs(2);
    let error = read_blocking(&config).unwrap_err();
    assert!(
        matches!(&error, scim_ldap::LdapError::Connect { url: u, .. } if *u == url),
        "{error}"
    );
}

#[tokio::test]
async fn the_blocking_read_refuses_inside_a_runtime() {
    let users = scim_ldap::SearchSpec {
        base: SUFFIX.into(),
        filter: "(uid=*)".into(),
    };
    let config = scim_ldap::LdapConfig::new(
        "ldap://127.0.0.1:1",
        "cn=admin",
        scim_ldap::Password::new("x"),
        users,
    );
    assert!(matches!(
        read_blocking(&config),
        Err(scim_ldap::LdapError::InsideRuntime)
    ));
}

/// The async read, scoped to the members of one group (through nesting):
/// only they are desired, and every group lists only them.
#[tokio::test]
async fn only_members_of_a_group_keeps_its_users_through_nesting() {
    let Some(slapd) = Slapd::start("scope", &directory(100, 200)) else {
        return;
    };
    let mut config = slapd.config();
    config.only_members_of = vec![group_dn(197).to_uppercase()];
    let read = scim_ldap::read(&config).await.expect("a read");
    let mut names: Vec<&str> = read
        .desired
        .users
        .iter()
        .map(|u| u.user_name.as_deref().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["user00001", "user00002", "user00003"]);
    assert_eq!(group_members(&read, "group198"), ["user00002", "user00003"]);
    assert_eq!(
        group_members(&read, "group000"),
        ["user00001", "user00002", "user00003"]
    );
    assert_eq!(read.desired.groups.len(), 200);
}

/// LDAPS and StartTLS against slapd's throw-away CA, through the same TLS
/// options the SCIM client takes: the CA's PEM trusted, both read every
/// user; without it (Mozilla's roots) the connection is refused, naming
/// the URL, before any bind (the password never sent).
#[test]
fn ldaps_and_starttls_read_with_the_private_ca_and_refuse_without_it() {
    let Some(slapd) = Slapd::start("tls", &directory(50, 5)) else {
        return;
    };
    let ca = std::fs::read(slapd.state.join("tls/ca.pem")).expect("the test CA");
    let ldaps = std::fs::read_to_string(slapd.state.join("ldaps_url")).expect("the ldaps URL");
    let trusting = scim_client::TlsOptions {
        roots: scim_client::TlsRoots::Pem(ca),
        ..Default::default()
    };
    let mut over_ldaps = slapd.config();
    over_ldaps.url = ldaps.trim().to_owned();
    over_ldaps.tls = trusting.clone();
    let mut over_starttls = slapd.config();
    over_starttls.starttls = true;
    over_starttls.tls = trusting;
    let plain = read_blocking(&slapd.config()).expect("a plain read");
    assert!(!plain.desired.users.is_empty());
    for config in [&over_ldaps, &over_starttls] {
        let read = read_blocking(config).unwrap_or_else(|e| panic!("{}: {e}", config.url));
        assert_eq!(read.desired, plain.desired, "{}", config.url);
    }
    for mut config in [over_ldaps, over_starttls] {
        config.tls = scim_client::TlsOptions::default();
        config.timeout = Duration::from_secs(5);
        let error = read_blocking(&config).unwrap_err();
        assert!(
            matches!(&error, scim_ldap::LdapError::Connect { url, .. } if *url == config.url),
            "{}: {error}",
            config.url
        );
    }
}
