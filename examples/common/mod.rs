//! What every example runs against, chosen from the environment:
//!
//! - nothing set: the built-in in-memory service (Slack v1 dialect), seeded
//!   with a few users and a group, so the examples run anywhere;
//! - `SLACK_ORG_ADMIN_USER_TOKEN`: Slack's SCIM v1 API with that token;
//! - `SCIM_BASE_URL` (+ `SCIM_TOKEN`, `SCIM_DIALECT` = `slack-v1`, `slack-v2`
//!   or `scim2`, the default): any other provider, e.g. a staging tenant.
//!
//! Against a real service, examples that write (create, change, delete) run
//! only with `SCIM_ALLOW_WRITES=1`; read-only ones always run.

#![allow(dead_code)] // each example uses part of this

use scim_client::{AsyncScimClient, ClientOptions, Dialect, Error, ScimClient};
use scim_memory::InMemoryService;

/// The service the examples talk to.
pub enum Target {
    /// The in-memory service (a handle to it).
    InMemory(InMemoryService),
    /// A real provider: its options (boxed: they are large) and token.
    Remote {
        options: Box<ClientOptions>,
        token: String,
        name: String,
    },
}

impl Target {
    pub fn from_env() -> Target {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let Some(base_url) = env("SCIM_BASE_URL") {
            let dialect = match env("SCIM_DIALECT").as_deref() {
                Some("slack-v1") => Dialect::SlackV1,
                Some("slack-v2") => Dialect::SlackV2,
                _ => Dialect::Scim2,
            };
            let token = env("SCIM_TOKEN")
                .or_else(|| env("SLACK_ORG_ADMIN_USER_TOKEN"))
                .unwrap_or_else(|| "no-token".into());
            let options = ClientOptions {
                dialect,
                base_url: base_url.clone(),
                ..ClientOptions::default()
            };
            return Target::Remote {
                options: Box::new(options),
                token,
                name: base_url,
            };
        }
        if let Some(token) = env("SLACK_ORG_ADMIN_USER_TOKEN") {
            return Target::Remote {
                options: Box::default(),
                token,
                name: "Slack (SCIM v1)".into(),
            };
        }
        Target::InMemory(seeded_service())
    }

    pub fn describe(&self) -> String {
        match self {
            Target::InMemory(_) => "the in-memory SCIM service (set SLACK_ORG_ADMIN_USER_TOKEN or SCIM_BASE_URL for a real one)".into(),
            Target::Remote { name, .. } => name.clone(),
        }
    }

    /// True when this example may create, change or delete: always in
    /// memory, and on a real service only with `SCIM_ALLOW_WRITES=1`.
    pub fn writes_allowed(&self) -> bool {
        match self {
            Target::InMemory(_) => true,
            Target::Remote { .. } => std::env::var("SCIM_ALLOW_WRITES").is_ok_and(|v| v == "1"),
        }
    }

    /// Exits (successfully) with a message when writes are not allowed.
    pub fn require_writes(&self, example: &str) {
        if !self.writes_allowed() {
            println!(
                "{example} changes data on {}; set SCIM_ALLOW_WRITES=1 to run it there",
                self.describe()
            );
            std::process::exit(0);
        }
    }

    pub fn options(&self) -> ClientOptions {
        match self {
            Target::InMemory(_) => ClientOptions::default(),
            Target::Remote { options, .. } => (**options).clone(),
        }
    }

    /// A blocking client: over the in-memory service, or ureq.
    pub fn client(&self, options: ClientOptions) -> Result<ScimClient, Error> {
        match self {
            Target::InMemory(service) => {
                ScimClient::with_transport("xoxp-in-memory", options, service.clone())
            }
            Target::Remote { token, .. } => remote_client(token, options),
        }
    }

    /// An async client: over the in-memory service, or surf (feature `surf-rustls`).
    pub fn async_client(&self, options: ClientOptions) -> Result<AsyncScimClient, Error> {
        match self {
            Target::InMemory(service) => {
                AsyncScimClient::with_transport("xoxp-in-memory", options, service.clone())
            }
            Target::Remote { token, .. } => remote_async_client(token, options),
        }
    }
}

#[cfg(feature = "ureq")]
fn remote_client(token: &str, options: ClientOptions) -> Result<ScimClient, Error> {
    ScimClient::with_options(token, options)
}

#[cfg(not(feature = "ureq"))]
fn remote_client(_token: &str, _options: ClientOptions) -> Result<ScimClient, Error> {
    Err(Error::InvalidConfig(
        "a real service needs the `ureq` feature (on by default)".into(),
    ))
}

#[cfg(feature = "surf-rustls")]
fn remote_async_client(token: &str, options: ClientOptions) -> Result<AsyncScimClient, Error> {
    AsyncScimClient::with_options(token, options)
}

#[cfg(not(feature = "surf-rustls"))]
fn remote_async_client(_token: &str, _options: ClientOptions) -> Result<AsyncScimClient, Error> {
    Err(Error::InvalidConfig(
        "the async client needs a transport: build with --features surf-rustls".into(),
    ))
}

/// An in-memory Slack v1 service with a few users and a group.
fn seeded_service() -> InMemoryService {
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
