//! Small helpers the examples share. Each example builds its own client:
//! `ScimClient::new(&token)` when `SLACK_ORG_ADMIN_USER_TOKEN` is set, else
//! a client over the in-memory SCIM service made here.

#![allow(dead_code)] // each example uses part of this

use scim_client::{AsyncScimClient, ClientOptions, ScimClient};
use scim_memory::InMemoryService;

/// A blocking client over a seeded in-memory Slack v1 service.
pub fn in_memory() -> ScimClient {
    ScimClient::with_transport("xoxp-in-memory", ClientOptions::default(), seeded_service())
        .expect("a fixed token and default options are valid")
}

/// An async client over a seeded in-memory Slack v1 service.
pub fn in_memory_async() -> AsyncScimClient {
    AsyncScimClient::with_transport("xoxp-in-memory", ClientOptions::default(), seeded_service())
        .expect("a fixed token and default options are valid")
}

/// An in-memory Slack v1 service with a few users and a group.
pub fn seeded_service() -> InMemoryService {
    println!("(no SLACK_ORG_ADMIN_USER_TOKEN: using the in-memory SCIM service)");
    let service = InMemoryService::slack_v1();
    for (user_name, given, family) in [
        ("carly", "Carly", "Rae"),
        ("grace", "Grace", "Hopper"),
        ("linus", "Linus", "Torvalds"),
    ] {
        let user = serde_json::json!({
            "userName": user_name,
            "name": {"givenName": given, "familyName": family},
            "emails": [{"value": format!("{user_name}@example.com"), "primary": true}],
        });
        // The seed data is fixed and valid, so seeding cannot fail.
        service.seed_user(user).expect("seed user");
    }
    let group = serde_json::json!({"schemas": ["urn:scim:schemas:core:1.0"], "displayName": "engineers", "members": []});
    let request = http::Request::builder()
        .method("POST")
        .uri("https://scim.example/scim/v1/Groups")
        .body(serde_json::to_vec(&group).expect("static JSON"))
        .expect("static request");
    service.handle(&request);
    service
}

/// True when `SCIM_ALLOW_WRITES=1`: examples create, change or delete data
/// on a real service only then (in memory, they always do).
pub fn writes_allowed() -> bool {
    std::env::var("SCIM_ALLOW_WRITES").is_ok_and(|v| v == "1")
}

/// For a real service: exits (successfully) with a message unless
/// `SCIM_ALLOW_WRITES=1`, since `example` changes data.
pub fn require_writes(example: &str) {
    if !writes_allowed() {
        println!(
            "{example} creates, changes and deletes data; set SCIM_ALLOW_WRITES=1 to run it on a real service"
        );
        std::process::exit(0);
    }
}

/// Runs a future on this thread (the in-memory service answers at once;
/// surf's futures are driven by async-std's own reactor).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            Poll::Pending => std::thread::park(),
        }
    }
}
