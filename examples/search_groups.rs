//! The seed's `search_groups`: the first page of groups.
//!
//! `cargo run --example search_groups` runs it against the in-memory SCIM
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

    let page = client.search_groups(&SearchRequest::new().start_index(1).count(10))?;
    for group in &page.resources {
        let members = group.members.value().map_or(0, Vec::len);
        println!(
            "  {} {:?} ({members} members)",
            group.id.as_deref().unwrap_or("?"),
            group.display_name.as_deref()
        );
    }
    Ok(())
}
