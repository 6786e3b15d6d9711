//! The in-memory service: the interop suite's scenarios through both
//! clients, the Slack v1 dialect, faults on demand, and paginated walks.

mod support;

use scim_client::memory::InMemoryService;
use scim_client::{AsyncScimClient, ClientOptions, ScimClient};

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
