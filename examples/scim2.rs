//! SCIM 2.0 against any RFC 7644 provider: create, query, PATCH with a value
//! path, a conditional read, Bulk, delete.
//!
//! `cargo run --example scim2` runs it against the in-memory SCIM 2.0
//! service; point `SCIM_BASE_URL` at a real one, e.g. scim2-server:
//!
//! ```sh
//! tests/interop/scim2-server.sh start /tmp/scim2     # prints http://127.0.0.1:PORT/v2
//! SCIM_ALLOW_WRITES=1 SCIM_BASE_URL=http://127.0.0.1:PORT/v2 cargo run --example scim2
//! tests/interop/scim2-server.sh stop /tmp/scim2
//! ```
//! `SCIM_TOKEN` is sent as the bearer token if set.

use scim_client::filter::Filter;
use scim_client::model::{
    BulkRequest, EnterpriseUser, Name, PatchOp, PatchPath, SearchRequest, SortOrder, TypedValue,
    User,
};
use scim_client::{BulkLimits, ClientOptions, Conditional, Error, ScimClient};
use scim_memory::InMemoryService;

fn main() -> Result<(), Error> {
    let client = match std::env::var("SCIM_BASE_URL") {
        Ok(base_url) => {
            if std::env::var("SCIM_ALLOW_WRITES").as_deref() != Ok("1") {
                println!(
                    "this example creates and deletes resources; set SCIM_ALLOW_WRITES=1 to run it on {base_url}"
                );
                return Ok(());
            }
            println!("against {base_url}");
            let token = std::env::var("SCIM_TOKEN").unwrap_or_else(|_| "example-token".into());
            ScimClient::with_options(&token, ClientOptions::scim2(&base_url))?
        }
        Err(_) => {
            println!("against the in-memory SCIM 2.0 service (set SCIM_BASE_URL for a real one)");
            let options = ClientOptions::scim2("https://scim.example/v2");
            ScimClient::with_transport("example-token", options, InMemoryService::scim2())?
        }
    };
    let e = client.endpoint();

    let mut ada = User {
        user_name: "ada.example".into(),
        name: Name {
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            ..Name::default()
        }
        .into(),
        emails: vec![TypedValue {
            value: "ada@work.example".into(),
            kind: "work".into(),
            ..TypedValue::default()
        }]
        .into(),
        ..User::default()
    };
    ada.enterprise_v2 = EnterpriseUser {
        department: "Mathematics".into(),
        ..EnterpriseUser::default()
    }
    .into();
    let created = client.create_user(&ada)?;
    let id = created.id.value().cloned().unwrap_or_default();
    let version = created
        .meta
        .value()
        .and_then(|m| m.version.value())
        .cloned()
        .unwrap_or_default();
    println!("created {id} at version {version}");

    let query = SearchRequest::new()
        .filter(Filter::sw("userName", "ada"))
        .sort_by("userName", SortOrder::Ascending)
        .start_index(1)
        .count(10)
        .attributes(&["userName"]);
    let page = client.search_users(&query)?;
    println!(
        "{} user(s) whose userName starts with \"ada\"",
        page.total_results.unwrap_or(0)
    );

    let work_email = PatchPath::value_filter("emails", Filter::eq("type", "work"), Some("value"));
    let patch = PatchOp::new()
        .replace(&work_email, "ada@engine.example")
        .add("title", "Analyst");
    client.execute(e.patch_user(&id, &patch)?.if_match(&version)?)?;
    println!("patched the work email, only if still at {version}");

    match client.execute(e.read_user(&id)?.if_none_match(&version)?)? {
        Conditional::NotModified => println!("unchanged since {version}"),
        Conditional::Modified(user) => {
            println!("changed: title is now {:?}", user.title.as_deref())
        }
    }

    let config = client.service_provider_config()?;
    let bulk = BulkRequest::new()
        .post(
            "/Users",
            "babbage",
            serde_json::json!({"userName": "charles.example"}),
        )
        .post(
            "/Groups",
            "engine",
            serde_json::json!({
                "displayName": "Analytical Engine",
                "members": [{"value": id}, {"value": BulkRequest::reference("babbage")}],
            }),
        );
    let results = client.bulk(&bulk, &BulkLimits::from(&config))?;
    for op in &results.operations {
        println!("bulk {} {:?} -> {}", op.method, op.bulk_id, op.status);
    }

    client.delete_user(&id)?;
    println!("deleted {id}");
    Ok(())
}
