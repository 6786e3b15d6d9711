//! The Python SDK's SCIM story, step by step, with no network: each step
//! builds the request Slack would receive, prints it, and parses the kind of
//! answer Slack sends. Run with `cargo run --example quickstart`.

use http::Response;
use scim_client::model::{Name, TypedValue, User};
use scim_client::{BearerToken, Endpoint, Error, Operation};

fn show<T>(step: &str, op: &Operation<T>) {
    let request = op.request();
    println!("{step}\n  {} {}", request.method(), request.uri());
    if !request.body().is_empty() {
        println!("  body: {}", String::from_utf8_lossy(request.body()));
    }
}

fn answer(status: u16, body: &str) -> Response<Vec<u8>> {
    // A builder with a valid status and body cannot fail.
    Response::builder()
        .status(status)
        .body(body.as_bytes().to_vec())
        .expect("valid response")
}

fn main() -> Result<(), Error> {
    let token =
        std::env::var("SLACK_ORG_ADMIN_USER_TOKEN").unwrap_or_else(|_| "xoxp-example".into());
    let endpoint = Endpoint::new(BearerToken::new(token)?);

    let search = endpoint.search_users(1, 100, Some(r#"userName Eq "Carly""#))?;
    show("search_users", &search);
    let page = search.parse_response(answer(
        200,
        r#"{"totalResults":1,"itemsPerPage":1,"startIndex":1,"Resources":[{"id":"W1","userName":"Carly"}]}"#,
    ))?;
    println!(
        "  -> {} of {:?} users\n",
        page.resources.len(),
        page.total_results
    );

    let user = User {
        user_name: "cal".into(),
        name: Name {
            given_name: "C".into(),
            family_name: "Henderson".into(),
            ..Name::default()
        }
        .into(),
        emails: vec![TypedValue {
            value: "your-unique-name@example.com".into(),
            ..TypedValue::default()
        }]
        .into(),
        ..User::default()
    };
    let create = endpoint.create_user(&user)?;
    show("create_user", &create);
    let created =
        create.parse_response(answer(201, r#"{"id":"W2","userName":"cal","active":true}"#))?;
    let id = created.id.value().cloned().unwrap_or_default();
    println!("  -> created {id}\n");

    let patch = endpoint.patch_user(
        &id,
        &User {
            user_name: "chenderson".into(),
            ..User::default()
        },
    )?;
    show("patch_user", &patch);
    let mut patched = patch
        .parse_response(answer(200, r#"{"id":"W2","userName":"chenderson"}"#))?
        .unwrap_or_default();
    println!();

    patched.name = Name {
        given_name: "Cal".into(),
        family_name: "Henderson".into(),
        ..Name::default()
    }
    .into();
    let update = endpoint.update_user(&patched)?;
    show("update_user", &update);
    println!();

    let delete = endpoint.delete_user(&id)?;
    show("delete_user", &delete);
    delete.parse_response(answer(200, ""))?;
    println!("  -> deactivated {id}");
    Ok(())
}
