//! The Python SDK's SCIM story, end to end: search users and groups, create,
//! patch, update and delete a user, walk every user page by page, and retry
//! a rate-limited call.
//!
//! `cargo run --example quickstart` runs it against the built-in in-memory
//! SCIM service. With `SLACK_ORG_ADMIN_USER_TOKEN` set it talks to Slack
//! (read-only steps only, unless `SCIM_ALLOW_WRITES=1`).

#[path = "common/mod.rs"]
mod common;

use scim_client::model::{Name, SearchRequest, TypedValue, User};
use scim_client::retry::RateLimitErrorRetryHandler;
use scim_client::{ClientOptions, Error, ScimClient};
use scim_memory::Fault;

fn main() -> Result<(), Error> {
    let (mut client, in_memory) = match std::env::var("SLACK_ORG_ADMIN_USER_TOKEN") {
        Ok(token) => (ScimClient::new(&token)?, None),
        // No token: the in-memory SCIM service, seeded with sample users and a
        // group (kept at hand to stage a rate limit in step 5).
        Err(_) => {
            let service = common::seeded_service();
            let options = ClientOptions::default();
            let client = ScimClient::with_transport("xoxp-in-memory", options, service.clone())?;
            (client, Some(service))
        }
    };

    println!("1. search_users(start_index=1, count=100, filter='userName Eq \"carly\"')");
    let page = client.search_users(
        &SearchRequest::new()
            .start_index(1)
            .count(100)
            .filter(r#"userName Eq "carly""#),
    )?;
    for user in &page.resources {
        println!(
            "   {} {:?}",
            user.id.as_deref().unwrap_or("?"),
            user.user_name.as_deref()
        );
    }

    println!("2. search_groups(start_index=1, count=10)");
    for group in client
        .search_groups(&SearchRequest::new().start_index(1).count(10))?
        .resources
    {
        println!(
            "   {} {:?}",
            group.id.as_deref().unwrap_or("?"),
            group.display_name.as_deref()
        );
    }

    if in_memory.is_some() || common::writes_allowed() {
        println!("3. create_user, patch_user, update_user, delete_user");
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
        println!("   created {id}");
        let patched = client.patch_user(
            &id,
            &User {
                user_name: "chenderson".into(),
                ..User::default()
            },
        )?;
        let mut user_to_update = patched.unwrap_or(created);
        println!(
            "   patched userName to {:?}",
            user_to_update.user_name.as_deref()
        );
        user_to_update.name = Name {
            given_name: "Cal".into(),
            family_name: "Henderson".into(),
            ..Name::default()
        }
        .into();
        client.update_user(&user_to_update)?;
        println!("   updated the name");
        client.delete_user(&id)?;
        println!("   deleted (deactivated) {id}");
    } else {
        println!(
            "3. (skipped: creating and deleting a user needs SCIM_ALLOW_WRITES=1 on a real service)"
        );
    }

    println!("4. walk every user, page by page");
    let mut walked = 0;
    for user in client.all_users(SearchRequest::new()) {
        let user = user?;
        walked += 1;
        println!(
            "   {:?} active={:?}",
            user.user_name.as_deref(),
            user.active.value()
        );
    }
    println!("   {walked} users");

    println!("5. retry a rate-limited call with RateLimitErrorRetryHandler");
    if let Some(service) = &in_memory {
        service.inject(
            service.requests_received(),
            1,
            Fault::RateLimited {
                retry_after: "2".into(),
            },
        );
    }
    client
        .retry_handlers
        .push(RateLimitErrorRetryHandler::new(1));
    let page = client.search_users(&SearchRequest::new().start_index(1).count(1))?;
    println!("   got {} user(s) after the retry", page.resources.len());
    Ok(())
}
