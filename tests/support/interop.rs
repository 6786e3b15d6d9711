//! SCIM 2.0 scenarios any conforming service must pass: run against
//! scim2-server by `tests/interop.rs`, through both clients. Each scenario
//! uses its own user names, so they can share one server.

use scim_client::filter::Filter;
use scim_client::model::{
    BulkRequest, Group, Member, Name, PatchOp, PatchPath, SearchRequest, SortOrder, TypedValue,
    User,
};
use scim_client::{BulkLimits, Conditional, Error, ScimType};
use serde_json::json;

use super::scenarios::Exec;

/// Runs every scenario, in order.
pub fn all<C: Exec>(client: &C) {
    discovery(client);
    create_read_replace_delete(client);
    filter_sort_page_and_attributes(client);
    patch_with_value_paths(client);
    patch_a_whole_extension(client);
    etags(client);
    bulk_with_bulk_id_references(client);
    post_search(client);
    groups_and_member_removal(client);
    error_bodies(client);
}

fn user(user_name: &str, given: &str) -> User {
    User {
        user_name: user_name.into(),
        display_name: format!("{given} Example").into(),
        name: Name {
            given_name: given.into(),
            family_name: "Example".into(),
            ..Name::default()
        }
        .into(),
        emails: vec![
            TypedValue {
                value: format!("{user_name}@work.example").into(),
                kind: "work".into(),
                primary: true.into(),
                ..TypedValue::default()
            },
            TypedValue {
                value: format!("{user_name}@home.example").into(),
                kind: "home".into(),
                ..TypedValue::default()
            },
        ]
        .into(),
        ..User::default()
    }
}

fn create<C: Exec>(client: &C, user_name: &str, given: &str) -> User {
    let created = client
        .run(
            client
                .endpoint()
                .create_user(&user(user_name, given))
                .unwrap(),
        )
        .unwrap();
    assert_eq!(created.user_name.as_deref(), Some(user_name));
    created
}

fn id(user: &User) -> String {
    user.id
        .value()
        .cloned()
        .expect("the service gives every resource an id")
}

fn version(user: &User) -> String {
    user.meta
        .value()
        .and_then(|m| m.version.value())
        .cloned()
        .expect("the service versions resources")
}

fn scim_type(error: &Error) -> Option<ScimType> {
    error
        .api_error()
        .and_then(|e| e.scim.as_ref())
        .and_then(|s| s.scim_type.clone())
}

pub fn discovery<C: Exec>(client: &C) {
    let e = client.endpoint();
    let config = client.run(e.service_provider_config().unwrap()).unwrap();
    assert_eq!(config.patch.value().unwrap().supported.value(), Some(&true));
    assert_eq!(config.etag.value().unwrap().supported.value(), Some(&true));
    let bulk = config.bulk.value().unwrap();
    assert_eq!(bulk.supported.value(), Some(&true));
    assert!(bulk.max_operations.value().is_some_and(|&n| n > 0));

    let schemas = client.run(e.schemas().unwrap()).unwrap();
    let ids: Vec<_> = schemas
        .resources
        .iter()
        .filter_map(|s| s.id.value().cloned())
        .collect();
    assert!(
        ids.iter().any(|id| id == scim_client::model::USER_V2),
        "{ids:?}"
    );
    let user_schema = schemas
        .resources
        .iter()
        .find(|s| s.id.as_deref() == Some(scim_client::model::USER_V2))
        .unwrap();
    let attributes = user_schema.attributes.value().unwrap();
    let name = attributes
        .iter()
        .find(|a| a.name.as_deref() == Some("name"))
        .unwrap();
    assert!(
        name.sub_attributes
            .value()
            .is_some_and(|subs| !subs.is_empty())
    );

    let types = client.run(e.resource_types().unwrap()).unwrap();
    let user_type = types
        .resources
        .iter()
        .find(|t| t.name.as_deref() == Some("User"))
        .unwrap();
    assert_eq!(user_type.endpoint.as_deref(), Some("/Users"));
    let extensions = user_type.schema_extensions.value().unwrap();
    assert!(
        extensions
            .iter()
            .any(|x| x.schema.as_deref() == Some(scim_client::model::ENTERPRISE_V2))
    );
}

pub fn create_read_replace_delete<C: Exec>(client: &C) {
    let e = client.endpoint();
    let created = create(client, "crud.ada", "Ada");
    let id = id(&created);
    assert!(!version(&created).is_empty());

    let read = client.run(e.read_user(&id).unwrap()).unwrap();
    assert_eq!(read.id.as_deref(), Some(id.as_str()));
    assert_eq!(read.emails.value().unwrap().len(), 2);

    let mut replacement = read.clone();
    replacement.display_name = "Countess Ada".into();
    replacement.meta = Default::default();
    let replaced = client.run(e.update_user(&replacement).unwrap()).unwrap();
    assert_eq!(replaced.display_name.as_deref(), Some("Countess Ada"));

    client.run(e.delete_user(&id).unwrap()).unwrap();
    let gone = client.run(e.read_user(&id).unwrap()).unwrap_err();
    assert_eq!(gone.status(), Some(http::StatusCode::NOT_FOUND));
}

pub fn filter_sort_page_and_attributes<C: Exec>(client: &C) {
    let e = client.endpoint();
    for (name, given) in [
        ("page.a", "A"),
        ("page.b", "B"),
        ("page.c", "C"),
        ("page.d", "D"),
        ("other.x", "X"),
    ] {
        create(client, name, given);
    }
    let prefix = Filter::sw("userName", "page.");
    let all = client
        .run(
            e.search_users(&SearchRequest::new().filter(&prefix))
                .unwrap(),
        )
        .unwrap();
    assert_eq!(all.total_results, Some(4));
    assert_eq!(all.resources.len(), 4);

    let query = SearchRequest::new()
        .filter(&prefix)
        .sort_by("userName", SortOrder::Descending)
        .start_index(2)
        .count(2);
    let page = client.run(e.search_users(&query).unwrap()).unwrap();
    let names: Vec<_> = page
        .resources
        .iter()
        .filter_map(|u| u.user_name.as_deref())
        .collect();
    assert_eq!(names, ["page.c", "page.b"]);
    assert_eq!(page.total_results, Some(4));
    assert_eq!(page.start_index, Some(2));

    let only_names = SearchRequest::new()
        .filter(&prefix)
        .attributes(&["userName"]);
    let slim = client.run(e.search_users(&only_names).unwrap()).unwrap();
    assert!(
        slim.resources
            .iter()
            .all(|u| u.user_name.value().is_some() && u.emails.is_absent())
    );

    let without_emails = SearchRequest::new()
        .filter(&prefix)
        .excluded_attributes(&["emails"]);
    let trimmed = client
        .run(e.search_users(&without_emails).unwrap())
        .unwrap();
    assert!(
        trimmed
            .resources
            .iter()
            .all(|u| u.emails.is_absent() && u.name.value().is_some())
    );

    // A hostile value stays a value: it matches nothing instead of everything.
    let hostile = Filter::eq("userName", r#"x" or userName pr or userName eq "y"#);
    let none = client
        .run(
            e.search_users(&SearchRequest::new().filter(&hostile))
                .unwrap(),
        )
        .unwrap();
    assert_eq!(none.total_results, Some(0));

    // Attribute selection on a single read, through the operation modifier.
    let first = &all.resources[0];
    let read = client
        .run(
            e.read_user(&id(first))
                .unwrap()
                .attributes(&["userName"])
                .unwrap(),
        )
        .unwrap();
    assert!(read.user_name.value().is_some() && read.name.is_absent());
}

pub fn patch_with_value_paths<C: Exec>(client: &C) {
    let e = client.endpoint();
    let created = create(client, "patch.grace", "Grace");
    let id = id(&created);
    let work = PatchPath::value_filter("emails", Filter::eq("type", "work"), Some("value"));
    let home = PatchPath::value_filter("emails", Filter::eq("type", "home"), None);
    let patch = PatchOp::new()
        .replace(&work, "grace@navy.example")
        .remove(&home)
        .add("title", "Rear Admiral")
        .replace("name.givenName", "Grace B.");
    // scim2-server answers 204 without a body…
    assert_eq!(
        client.run(e.patch_user(&id, &patch).unwrap()).unwrap(),
        None
    );
    let read = client.run(e.read_user(&id).unwrap()).unwrap();
    let emails = read.emails.value().unwrap();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].value.as_deref(), Some("grace@navy.example"));
    assert_eq!(read.title.as_deref(), Some("Rear Admiral"));
    assert_eq!(
        read.name.value().unwrap().given_name.as_deref(),
        Some("Grace B.")
    );

    // …and 200 with the resource when attributes are asked for.
    let nick = PatchOp::new().add("nickName", "amazing");
    let op = e
        .patch_user(&id, &nick)
        .unwrap()
        .attributes(&["nickName"])
        .unwrap();
    let answered = client.run(op).unwrap().expect("a 200 with the resource");
    assert_eq!(answered.nick_name.as_deref(), Some("amazing"));

    // A value path that matches nothing is the service's noTarget error.
    let nothing = PatchPath::value_filter("emails", Filter::eq("type", "other"), Some("value"));
    let err = client
        .run(
            e.patch_user(&id, &PatchOp::new().replace(&nothing, "x"))
                .unwrap(),
        )
        .unwrap_err();
    assert_eq!(scim_type(&err), Some(ScimType::NoTarget));
}

/// The enterprise extension set whole by its URN, as `PatchChanges` writes
/// it for a `PatchOp` (a path-less `replace`), then read back.
pub fn patch_a_whole_extension<C: Exec>(client: &C) {
    use scim_client::model::ENTERPRISE_V2;
    use scim_client::provider::{PatchChanges, PatchForm};
    let e = client.endpoint();
    let id = id(&create(client, "patch.ext", "Ext"));
    let patch = PatchChanges::new()
        .set(
            ENTERPRISE_V2,
            json!({"department": "Research", "costCenter": "CC-9"}),
        )
        .render(
            PatchForm::PatchOp {
                value_filter_paths: true,
            },
            None,
        )
        .unwrap();
    client.run(e.patch_user(&id, &patch).unwrap()).unwrap();
    let read = client.run(e.read_user(&id).unwrap()).unwrap();
    let enterprise = read
        .enterprise_v2
        .value()
        .expect("the extension, read back");
    assert_eq!(enterprise.department.as_deref(), Some("Research"));
    assert_eq!(enterprise.cost_center.as_deref(), Some("CC-9"));
}

pub fn etags<C: Exec>(client: &C) {
    let e = client.endpoint();
    let created = create(client, "etag.linus", "Linus");
    let (id, first) = (id(&created), version(&created));

    let unchanged = client
        .run(e.read_user(&id).unwrap().if_none_match(&first).unwrap())
        .unwrap();
    assert_eq!(unchanged, Conditional::NotModified);

    let patch = PatchOp::new().replace("title", "Maintainer");
    client
        .run(e.patch_user(&id, &patch).unwrap().if_match(&first).unwrap())
        .unwrap();

    let stale = client
        .run(e.patch_user(&id, &patch).unwrap().if_match(&first).unwrap())
        .unwrap_err();
    assert!(
        matches!(stale, Error::PreconditionFailed(ref api) if api.status == 412),
        "{stale:?}"
    );

    let Conditional::Modified(current) = client
        .run(e.read_user(&id).unwrap().if_none_match(&first).unwrap())
        .unwrap()
    else {
        panic!("the resource changed, so a stale If-None-Match must return it");
    };
    assert_ne!(version(&current), first);
    let delete = e
        .delete_user(&id)
        .unwrap()
        .if_match(&version(&current))
        .unwrap();
    client.run(delete).unwrap();
}

pub fn bulk_with_bulk_id_references<C: Exec>(client: &C) {
    let e = client.endpoint();
    let config = client.run(e.service_provider_config().unwrap()).unwrap();
    let limits = BulkLimits::from(&config);
    let request = BulkRequest::new()
        .post(
            "/Users",
            "alan",
            json!({"schemas": [scim_client::model::USER_V2], "userName": "bulk.alan"}),
        )
        .post(
            "/Groups",
            "team",
            json!({
                "schemas": [scim_client::model::GROUP_V2],
                "displayName": "bulk team",
                "members": [{"value": BulkRequest::reference("alan")}],
            }),
        )
        .delete("/Users/does-not-exist");
    let response = client.run(e.bulk(&request, &limits).unwrap()).unwrap();
    let statuses: Vec<_> = response.operations.iter().map(|o| o.status).collect();
    assert_eq!(statuses, [201, 201, 404]);
    assert_eq!(response.operations[0].bulk_id.as_deref(), Some("alan"));
    assert!(response.operations[2].error().is_some());

    let user_id = response.operations[0].resource_id().unwrap().to_owned();
    let group_id = response.operations[1].resource_id().unwrap();
    let group = client.run(e.read_group(group_id).unwrap()).unwrap();
    let members = group.members.value().unwrap();
    assert_eq!(
        members[0].value.as_deref(),
        Some(user_id.as_str()),
        "bulkId:alan resolved to the new user"
    );

    let too_many = BulkLimits {
        max_operations: Some(2),
        ..limits
    };
    assert!(matches!(
        e.bulk(&request, &too_many),
        Err(Error::InvalidArgument { .. })
    ));
}

pub fn post_search<C: Exec>(client: &C) {
    let e = client.endpoint();
    create(client, "search.barbara", "Barbara");
    let query = SearchRequest::new()
        .filter(Filter::eq("userName", "search.barbara"))
        .attributes(&["userName"]);
    let found = client
        .run(e.search_post::<scim_client::model::User>(&query).unwrap())
        .unwrap();
    assert_eq!(found.total_results, Some(1));
    assert_eq!(
        found.resources[0].user_name.as_deref(),
        Some("search.barbara")
    );

    let everything = client
        .run(
            e.search_all_post(&SearchRequest::new().filter(Filter::present("id")))
                .unwrap(),
        )
        .unwrap();
    let kinds: Vec<_> = everything
        .resources
        .iter()
        .filter_map(|r| r["schemas"][0].as_str())
        .collect();
    assert!(kinds.contains(&scim_client::model::USER_V2), "{kinds:?}");
}

pub fn groups_and_member_removal<C: Exec>(client: &C) {
    let e = client.endpoint();
    let (a, b) = (
        id(&create(client, "group.a", "A")),
        id(&create(client, "group.b", "B")),
    );
    let group = Group {
        display_name: "interop group".into(),
        members: vec![Member::addition(a.clone()), Member::addition(b.clone())].into(),
        ..Group::default()
    };
    let created = client.run(e.create_group(&group).unwrap()).unwrap();
    let group_id = created.id.value().cloned().unwrap();
    assert_eq!(created.members.value().unwrap().len(), 2);

    let remove_a = PatchOp::new().remove(PatchPath::value_filter(
        "members",
        Filter::eq("value", a.as_str()),
        None,
    ));
    client
        .run(e.patch_group(&group_id, &remove_a).unwrap())
        .unwrap();
    let read = client.run(e.read_group(&group_id).unwrap()).unwrap();
    let members: Vec<_> = read
        .members
        .value()
        .unwrap()
        .iter()
        .filter_map(|m| m.value.as_deref())
        .collect();
    assert_eq!(members, [b.as_str()]);

    let found = client.run(
        e.search_groups(&SearchRequest::new().filter(Filter::eq("displayName", "interop group")))
            .unwrap(),
    );
    assert_eq!(found.unwrap().total_results, Some(1));
    client.run(e.delete_group(&group_id).unwrap()).unwrap();
}

pub fn error_bodies<C: Exec>(client: &C) {
    let e = client.endpoint();
    let bad_filter = SearchRequest::new().filter("userName eq");
    let err = client
        .run(e.search_users(&bad_filter).unwrap())
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::BAD_REQUEST));
    assert_eq!(scim_type(&err), Some(ScimType::InvalidFilter));

    let err = client
        .run(e.read_user("no-such-user").unwrap())
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::NOT_FOUND));
    assert!(
        err.api_error()
            .unwrap()
            .scim
            .as_ref()
            .unwrap()
            .detail
            .is_some()
    );

    create(client, "dup.edsger", "Edsger");
    let err = client
        .run(e.create_user(&user("dup.edsger", "Edsger")).unwrap())
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::CONFLICT));
    assert_eq!(scim_type(&err), Some(ScimType::Uniqueness));
    let api = err.api_error().unwrap();
    assert_eq!(
        api.scim.as_ref().unwrap().status,
        Some(409),
        "RFC 7644 sends status as a string"
    );
}
