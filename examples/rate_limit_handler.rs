//! The seed's retry example: add `RateLimitErrorRetryHandler` to the defaults.
//! In memory, the service is told to answer the first request with a 429.
//! `cargo run --example rate_limit_handler`.

#[path = "common/mod.rs"]
mod common;

use scim_client::retry::RateLimitErrorRetryHandler;
use scim_memory::Fault;

fn main() -> Result<(), scim_client::Error> {
    let target = common::Target::from_env();
    if let common::Target::InMemory(service) = &target {
        service.inject(
            0,
            1,
            Fault::RateLimited {
                retry_after: "1".into(),
            },
        );
    }
    let mut client = target.client(target.options())?;
    // This handler retries when HTTP status 429 is returned.
    client
        .retry_handlers
        .push(RateLimitErrorRetryHandler::new(1));
    let page = client.search_users(
        &scim_client::model::SearchRequest::new()
            .start_index(1)
            .count(10),
    )?;
    println!(
        "{} users on {}, after any rate limiting",
        page.resources.len(),
        target.describe()
    );
    Ok(())
}
