//! The interop suite's scenarios through both clients, against the
//! in-memory service (its own behaviours are tested in `crates/scim-memory`).

mod support;

use scim_client::{AsyncScimClient, ClientOptions, ScimClient};
use scim_memory::InMemoryService;

const BASE: &str = "https://scim.test/v2";

#[test]
fn blocking_client_passes_the_interop_scenarios() {
    let client = ScimClient::with_transport(
        "token",
        ClientOptions::scim2(BASE),
        InMemoryService::scim2(),
    )
    .unwrap();
    support::interop::all(&client);
}

#[test]
fn async_client_passes_the_interop_scenarios() {
    let client = AsyncScimClient::with_transport(
        "token",
        ClientOptions::scim2(BASE),
        InMemoryService::scim2(),
    )
    .unwrap();
    support::interop::all(&client);
}
