//! Reading the provider's state for a plan: a list answered with a 200
//! that is not a list response is a `ReadError`, never an empty directory
//! (a plan made from that read would re-create every account).

mod common;

use common::*;
use scim_client::transport::{HttpRequest, HttpResponse, TransportError};
use scim_client::transports::AsyncFnTransport;
use scim_client::{AsyncScimClient, ClientOptions, Error};
use scim_sync::{Current, ReadError, read_current, read_current_async};
use serde_json::json;

/// The seeded service, except that list requests of `broken` (`/Users` or
/// `/Groups`) are answered 200 with `body`.
fn breaking(
    service: scim_memory::InMemoryService,
    broken: &'static str,
    body: serde_json::Value,
) -> impl Fn(HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync + Clone {
    move |request: HttpRequest| {
        if request.uri().path().ends_with(broken) {
            let bytes = serde_json::to_vec(&body).unwrap();
            return Ok(http::Response::builder().status(200).body(bytes).unwrap());
        }
        Ok(service.handle(&request))
    }
}

fn assert_not_a_page(result: Result<Current, ReadError>, what: &str) {
    match result {
        Err(ReadError {
            what: read,
            source: Error::Decode { error, .. },
        }) => {
            assert_eq!(read, what);
            assert!(error.message().contains("not a list response"), "{error}");
        }
        Err(other) => panic!("{what}: {other}"),
        Ok(current) => panic!(
            "{what}: read {} users and {} groups from a body that is not a page",
            current.users.len(),
            current.groups.len()
        ),
    }
}

#[test]
fn a_list_answered_with_something_that_is_not_a_page_fails_the_read() {
    let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "u1", "userName": "ada"});
    for profile in profiles() {
        for body in [json!({}), json!({"status": "ok"}), user.clone()] {
            for (broken, what) in [("/Users", "users"), ("/Groups", "groups")] {
                let transport = breaking(seeded(&profile), broken, body.clone());
                let client = client(&profile, transport.clone());
                assert_not_a_page(read_current(&client), what);
                let transport = AsyncFnTransport::new(
                    move |request: HttpRequest| {
                        let answer = transport(request);
                        async move { answer }
                    },
                    |_| async {},
                );
                let client = AsyncScimClient::with_transport(
                    "xoxp-test",
                    ClientOptions::for_profile(&profile, BASE_URL),
                    transport,
                )
                .unwrap();
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .unwrap();
                assert_not_a_page(runtime.block_on(read_current_async(&client)), what);
            }
        }
    }
}
