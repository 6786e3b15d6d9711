//! The seed's create / patch / update / delete of a user.
//!
//! `cargo run --example user_lifecycle` runs it against the in-memory SCIM
//! service; with `SLACK_ORG_ADMIN_USER_TOKEN` set it talks to Slack, and
//! since it writes, only with `SCIM_ALLOW_WRITES=1`.

#[path = "common/mod.rs"]
mod common;

use scim_client::model::{Name, TypedValue, User};
use scim_client::{Error, ScimClient};

fn main() -> Result<(), Error> {
    let client = match std::env::var("SLACK_ORG_ADMIN_USER_TOKEN") {
        Ok(token) => {
            common::require_writes("user_lifecycle"); // exits unless SCIM_ALLOW_WRITES=1
            ScimClient::new(&token)?
        }
        // No token: the in-memory SCIM service, seeded with sample users and a group.
        Err(_) => common::in_memory(),
    };

    // POST /Users: a user name and at least one email.
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
    let created = client.create_user(&user)?;
    let id = created.id.value().cloned().unwrap_or_default();
    println!("created {id}");

    // PATCH /Users/{id}: overwrite the given attributes only.
    let patched = client.patch_user(
        &id,
        &User {
            user_name: "chenderson".into(),
            ..User::default()
        },
    )?;
    let mut user_to_update = patched.unwrap_or(created);
    println!(
        "patched: userName is now {:?}",
        user_to_update.user_name.as_deref()
    );

    // PUT /Users/{id}: replace every attribute.
    user_to_update.name = Name {
        given_name: "Cal".into(),
        family_name: "Henderson".into(),
        ..Name::default()
    }
    .into();
    let updated = client.update_user(&user_to_update)?;
    println!(
        "updated: name is {:?}",
        updated.name.value().and_then(|n| n.given_name.as_deref())
    );

    // DELETE /Users/{id}: on Slack, deactivates the user.
    client.delete_user(&id)?;
    println!("deleted (deactivated) {id}");
    Ok(())
}
