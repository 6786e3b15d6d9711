//! The seed's `AsyncSCIMClient` example: search groups without blocking.
//!
//! `cargo run --example async_search_groups` runs it against the in-memory
//! SCIM service; with `SLACK_ORG_ADMIN_USER_TOKEN` set it talks to Slack
//! over the tokio transport: `cargo run --features tokio --example async_search_groups`.

#[path = "common/mod.rs"]
mod common;

use scim_client::model::SearchRequest;
use scim_client::{AsyncScimClient, Error};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let client: AsyncScimClient = match std::env::var("SLACK_ORG_ADMIN_USER_TOKEN") {
        #[cfg(feature = "tokio")]
        Ok(token) => AsyncScimClient::new(&token)?,
        #[cfg(not(feature = "tokio"))]
        Ok(_) => {
            return Err(Error::InvalidConfig(
                "talking to Slack asynchronously needs --features tokio".into(),
            ));
        }
        // No token: the in-memory SCIM service, seeded with sample users and a group.
        Err(_) => common::in_memory_async(),
    };

    let page = client
        .search_groups(&SearchRequest::new().start_index(1).count(2))
        .await?;
    let names: Vec<_> = page
        .resources
        .iter()
        .map(|g| g.display_name.as_deref())
        .collect();
    println!("{names:?}");
    Ok(())
}
