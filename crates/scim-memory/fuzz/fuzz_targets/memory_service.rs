//! The in-memory service's request handling: any sequence of requests, in
//! both dialects and as two providers' profiles (cursor paging, rate
//! limits, member-change limits), never panics and always answers with a
//! valid status.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scim_client::provider::Profile;
use scim_memory::InMemoryService;

const METHODS: [&str; 6] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];
const PATHS: [&str; 10] =
    ["Users", "Groups", "Users/", "Groups/", "Users/.search", ".search", "Bulk", "ServiceProviderConfig", "Schemas", "ResourceTypes"];

fuzz_target!(|data: &[u8]| {
    let services = [
        InMemoryService::scim2(),
        InMemoryService::slack_v1(),
        InMemoryService::for_profile(&Profile::aws_identity_center("r", "t")),
        InMemoryService::for_profile(&Profile::slack_v1()),
    ];
    // Requests are separated by 0xFF: [method, path, id/query bytes..., 0x00, body...]
    for chunk in data.split(|&b| b == 0xFF).take(16) {
        let Some((&selector, rest)) = chunk.split_first() else { continue };
        let (head, body) = match rest.iter().position(|&b| b == 0) {
            Some(at) => (&rest[..at], &rest[at + 1..]),
            None => (rest, &[][..]),
        };
        let method = METHODS[usize::from(selector) % METHODS.len()];
        let path = PATHS[usize::from(selector / 8) % PATHS.len()];
        let suffix: String = String::from_utf8_lossy(head).chars().filter(|c| c.is_ascii_graphic()).collect();
        let uri = format!("https://scim.fuzz/v2/{path}{suffix}");
        let Ok(request) = http::Request::builder().method(method).uri(uri).body(body.to_vec()) else { continue };
        for service in &services {
            let response = service.handle(&request);
            assert!((100..600).contains(&response.status().as_u16()));
        }
    }
});
