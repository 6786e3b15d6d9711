//! The seed's `search_users`: one page of users matching a filter.
//!
//! `cargo run --example search_users` runs it against the in-memory SCIM
//! service; with `SLACK_ORG_ADMIN_USER_TOKEN` set it talks to Slack.

#[path = "common/mod.rs"]
mod common;

use scim_client::model::SearchRequest;
use scim_client::{Error, ScimClient};

fn main() -> Result<(), Error> {
    let client = match std::env::var("SLACK_ORG_ADMIN_USER_TOKEN") {
        Ok(token) => ScimClient::new(&token)?,
        // No token: the in-memory SCIM service, seeded with sample users and a group.
        Err(_) => common::in_memory(),
    };

    let page = client.search_users(
        &SearchRequest::new()
            .start_index(1)
            .count(100)
            .filter(r#"userName Eq "carly""#),
    )?;
    println!(
        "{} of {:?} users match:",
        page.resources.len(),
        page.total_results
    );
    for user in &page.resources {
        println!(
            "  {} {:?}",
            user.id.as_deref().unwrap_or("?"),
            user.user_name.as_deref()
        );
    }
    Ok(())
}
