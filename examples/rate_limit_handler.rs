//! The seed's retry example: add `RateLimitErrorRetryHandler` to the defaults.
//!
//! `cargo run --example rate_limit_handler` runs it against the in-memory
//! SCIM service, told to answer the first request with a 429; with
//! `SLACK_ORG_ADMIN_USER_TOKEN` set it talks to Slack.

#[path = "common/mod.rs"]
mod common;

use scim_client::model::SearchRequest;
use scim_client::retry::RateLimitErrorRetryHandler;
use scim_client::{ClientOptions, Error, ScimClient};
use scim_memory::Fault;

fn main() -> Result<(), Error> {
    let mut client = match std::env::var("SLACK_ORG_ADMIN_USER_TOKEN") {
        Ok(token) => ScimClient::new(&token)?,
        // No token: the in-memory SCIM service, rate limiting its first request.
        Err(_) => {
            let service = common::seeded_service();
            let fault = Fault::RateLimited {
                retry_after: "1".into(),
            };
            service.inject(0, 1, fault);
            ScimClient::with_transport("xoxp-in-memory", ClientOptions::default(), service)?
        }
    };

    // This handler retries when HTTP status 429 is returned.
    client
        .retry_handlers
        .push(RateLimitErrorRetryHandler::new(1));

    let page = client.search_users(&SearchRequest::new().start_index(1).count(10))?;
    println!("{} users, after any rate limiting", page.resources.len());
    Ok(())
}
