//! PATCH bodies and the dialects that take them, through both clients
//! against the in-memory service under Slack v1, Slack v2 and SCIM 2.0: a
//! body written by `PatchChanges` in the profile's form changes a
//! sub-attribute and keeps its siblings, and a body in the other form is
//! refused before it is sent.

use scim_client::model::{Name, PatchOp, User};
use scim_client::provider::PatchBody;
use scim_client::provider::PatchChanges;
use scim_client::provider::Profile;
use scim_client::{AsyncScimClient, ClientOptions, Error, ScimClient};
use scim_memory::InMemoryService;
use serde_json::{Value, json};

fn profiles() -> Vec<Profile> {
    vec![
        Profile::slack_v1(),
        Profile::slack_v2(),
        Profile::generic_scim2("https://scim.test/v2/"),
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// A service playing `profile`, both clients of it, and Zed Zulu's id.
fn zed_at(profile: &Profile) -> (ScimClient, AsyncScimClient, String) {
    let service = InMemoryService::for_profile(profile);
    let options = ClientOptions::for_profile(profile, &profile.base_url);
    let blocking = ScimClient::with_transport("token", options.clone(), service.clone()).unwrap();
    let async_client = AsyncScimClient::with_transport("token", options, service).unwrap();
    let zed = User {
        user_name: "zed".into(),
        title: "Dev".into(),
        name: Name {
            given_name: "Zed".into(),
            family_name: "Zulu".into(),
            ..Name::default()
        }
        .into(),
        ..User::default()
    };
    let id = blocking
        .create_user(&zed)
        .unwrap()
        .id
        .into_option()
        .unwrap();
    (blocking, async_client, id)
}

/// The given name changed and the title cleared, in `profile`'s form,
/// rendered against the user as it is.
fn rename(profile: &Profile, current: &User) -> PatchBody {
    PatchChanges::new()
        .set("name.givenName", "Zedd")
        .clear("title")
        .render(profile.patch, Some(&serde_json::to_value(current).unwrap()))
        .unwrap()
}

fn name_and_title(user: &User) -> (Value, Option<&str>) {
    (
        serde_json::to_value(&user.name).unwrap(),
        user.title.as_deref(),
    )
}

#[test]
fn a_rendered_patch_changes_a_sub_attribute_and_keeps_its_siblings_through_both_clients() {
    let runtime = runtime();
    let expected = (json!({"givenName": "Zedd", "familyName": "Zulu"}), None);
    for profile in profiles() {
        let (blocking, _, id) = zed_at(&profile);
        let body = rename(&profile, &blocking.read_user(&id).unwrap());
        blocking.patch_user(&id, &body).unwrap();
        let user = blocking.read_user(&id).unwrap();
        assert_eq!(name_and_title(&user), expected, "{} blocking", profile.name);

        let (_, async_client, id) = zed_at(&profile);
        let user = runtime.block_on(async {
            let body = rename(&profile, &async_client.read_user(&id).await.unwrap());
            async_client.patch_user(&id, &body).await.unwrap();
            async_client.read_user(&id).await.unwrap()
        });
        assert_eq!(name_and_title(&user), expected, "{} async", profile.name);
    }
}

/// A `PatchOp` to Slack v1, a partial user to a SCIM 2.0 service.
fn in_the_other_form(profile: &Profile) -> PatchBody {
    let title = "Lead";
    match profile.name.as_str() {
        "slack-v1" => PatchOp::new().replace("title", title).into(),
        _ => User {
            title: title.into(),
            ..User::default()
        }
        .into(),
    }
}

fn refused<T: std::fmt::Debug>(result: Result<T, Error>, case: &str) {
    assert!(
        matches!(result, Err(Error::InvalidArgument { name: "body", .. })),
        "{case}: {result:?}"
    );
}

#[test]
fn a_body_in_the_other_dialects_form_is_refused_before_it_is_sent_through_both_clients() {
    let runtime = runtime();
    for profile in profiles() {
        let (blocking, async_client, id) = zed_at(&profile);
        let wrong = in_the_other_form(&profile);
        let case = |client: &str| format!("{} {client}", profile.name);
        refused(blocking.patch_user(&id, &wrong), &case("patch_user"));
        refused(
            blocking.patch::<User>(&id, &wrong.to_value()),
            &case("patch"),
        );
        refused(
            runtime.block_on(async_client.patch_user(&id, &wrong)),
            &case("async patch_user"),
        );
        refused(
            runtime.block_on(async_client.patch::<User>(&id, &wrong.to_value())),
            &case("async patch"),
        );
        let user = blocking.read_user(&id).unwrap();
        assert_eq!(user.title.as_deref(), Some("Dev"), "{}", case("unchanged"));
    }
}

/// A whole extension set by its URN, in each profile's form: a path-less
/// `replace` in a `PatchOp` (its URN as a path would read, by RFC 7644
/// §3.10's grammar, as an attribute `User` of a schema `…:2.0`), the URN's
/// key in a partial resource; the service then holds the extension as set,
/// under the URN the profile's dialect writes.
#[test]
fn a_whole_extension_is_set_by_its_urn_in_each_form() {
    for profile in profiles() {
        let (client, _, id) = zed_at(&profile);
        let urn = profile.dialect.enterprise_urn();
        let extension = json!({"department": "Research", "costCenter": "CC-9"});
        let current = serde_json::to_value(client.read_user(&id).unwrap()).unwrap();
        let body = PatchChanges::new()
            .set(urn, extension.clone())
            .render(profile.patch, Some(&current))
            .unwrap();
        let written = body.to_value();
        match &body {
            PatchBody::Ops(_) => assert_eq!(
                written["Operations"],
                json!([{"op": "replace", "value": {urn: extension}}]),
                "{}",
                profile.name
            ),
            PatchBody::Partial(_) => assert_eq!(written[urn], extension, "{}", profile.name),
        }
        client.patch_user(&id, &body).unwrap();
        let read = serde_json::to_value(client.read_user(&id).unwrap()).unwrap();
        assert_eq!(
            read[urn]["department"], "Research",
            "{}: {read}",
            profile.name
        );
        assert_eq!(read[urn]["costCenter"], "CC-9", "{}: {read}", profile.name);
        if matches!(body, PatchBody::Ops(_)) {
            let schemas = read["schemas"].as_array().unwrap();
            assert!(schemas.iter().any(|s| s == urn), "{}: {read}", profile.name);
        }
    }
}
