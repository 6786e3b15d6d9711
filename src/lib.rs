//! A SCIM client for Slack and any SCIM service, built as a pure protocol core.
//!
//! ```no_run
//! # #[cfg(feature = "ureq")] {
//! use scim_client::ScimClient;
//! use scim_client::model::SearchRequest;
//!
//! let client = ScimClient::new(&std::env::var("SLACK_ORG_ADMIN_USER_TOKEN").unwrap())?;
//! let page = client.search_users(&SearchRequest::new().count(100).filter(r#"userName eq "cal""#))?;
//! for user in page.resources {
//!     println!("{:?} {:?}", user.id, user.user_name);
//! }
//! # }
//! # Ok::<(), scim_client::Error>(())
//! ```
//!
//! Under the client, every SCIM operation is an `http::Request<Vec<u8>>` and
//! every `http::Response<Vec<u8>>` a typed result. The core contains no
//! networking code, never reads a clock, never sleeps and keeps no global
//! state: you can drive it from any HTTP stack, any runtime, or a unit test.
//!
//! ```
//! use scim_client::model::SearchRequest;
//! use scim_client::{BearerToken, Endpoint};
//!
//! let endpoint = Endpoint::new(BearerToken::new("xoxp-your-org-admin-token")?);
//!
//! // 1. Build the request. Nothing is sent.
//! let search = endpoint.search_users(
//!     &SearchRequest::new().start_index(1).count(100).filter(r#"userName eq "cal""#),
//! )?;
//! let request = search.request();
//! assert_eq!(request.method(), "GET");
//! assert_eq!(
//!     request.uri(),
//!     "https://api.slack.com/scim/v1/Users?startIndex=1&count=100&filter=userName%20eq%20%22cal%22"
//! );
//!
//! // 2. Send it however you like; here the answer is canned.
//! let answer = http::Response::builder().status(200).body(
//!     br#"{"totalResults": 1, "itemsPerPage": 1, "startIndex": 1,
//!         "Resources": [{"id": "W1", "userName": "cal", "active": true}]}"#.to_vec(),
//! ).unwrap();
//!
//! // 3. Parse the answer into typed resources.
//! let page = search.parse_response(answer)?;
//! assert_eq!(page.total_results, Some(1));
//! assert_eq!(page.resources[0].user_name.as_deref(), Some("cal"));
//! # Ok::<(), scim_client::Error>(())
//! ```
//!
//! # The driver loop
//!
//! Everything a client does around the wire is one pure machine,
//! [`engine::Exchange`]: room in the rate budget, credentials (an OAuth
//! token fetched, and renewed once after a 401), the retry handlers, the
//! budget settled after each attempt. Poll it with the time; it says send
//! this request, sleep this long, or done. The clients ([`ScimClient`],
//! [`AsyncScimClient`]) are this loop over their transport; here it is by
//! hand, with a closure as the HTTP stack, so any runtime can run it:
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use scim_client::auth::Credentials;
//! use scim_client::engine::{Engine, Next};
//! use scim_client::pacing::{RateBudget, RateRule, RateTable, SharedBudget};
//! use scim_client::retry::{RateLimitErrorRetryHandler, RetryHandlers};
//! use scim_client::{BearerToken, DEFAULT_MAX_BODY_SIZE, Endpoint};
//!
//! let token = BearerToken::new("xoxp-1")?;
//! let endpoint = Endpoint::new(token.clone());
//! // Two reads a second, shared by every engine that holds this budget.
//! let table = RateTable::new(vec![RateRule::reads("reads", 2, Duration::from_secs(1), 2)]);
//! let budget = SharedBudget::new(RateBudget::new(&table, 1.0));
//! let engine = Engine::new(endpoint, Credentials::from(token), Some(budget), DEFAULT_MAX_BODY_SIZE, 7);
//! let mut handlers = RetryHandlers::default();
//! handlers.push(RateLimitErrorRetryHandler::new(1));
//!
//! // An HTTP stack that is rate limited once, then answers.
//! let mut answers = vec![
//!     http::Response::builder().status(200).body(br#"{"id":"W1"}"#.to_vec()).unwrap(),
//!     http::Response::builder().status(429).header("Retry-After", "0").body(Vec::new()).unwrap(),
//! ];
//! let mut send = |_request: http::Request<Vec<u8>>| Ok(answers.pop().unwrap());
//! let mut now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
//!
//! let mut exchange = engine.start(engine.endpoint().read_user("W1")?, &handlers);
//! let user = loop {
//!     match exchange.poll(now) {
//!         Next::Send(request) => {
//!             let answer = send(request);
//!             exchange.handle(answer, now);
//!         }
//!         Next::Sleep(delay) => now += delay, // a real driver sleeps here
//!         Next::Done(result) => break result?,
//!     }
//! };
//! assert_eq!(user.id.as_deref(), Some("W1"));
//! # Ok::<(), scim_client::Error>(())
//! ```
//!
//! One level down, [`engine::Call`] is the retry machine alone (one
//! operation, its attempts and the handlers' decisions), and
//! [`engine::Paginator`] walks every page of a query, each page an
//! exchange of its own.
//!
//! # Map of the crate
//!
//! - [`Endpoint`] holds the base URL, token and headers, and builds an
//!   [`Operation`] for each SCIM call: generic over any [`Resource`]
//!   (`query`, `read`, `create`, `patch`, `update`, `delete`,
//!   `search_post`), the Python SDK's names for users and groups
//!   (`search_users`, `read_user`, …) on top, and `api_call` for anything else.
//! - [`Operation`] pairs the request with the parser for its answer.
//! - [`ScimResponse`] is a raw answer with lazy JSON and typed accessors.
//! - [`model`] has the resources: [`model::User`], [`model::Group`], their
//!   extensions, and [`model::Field`] for absent / `null` / value.
//! - [`filter`] builds, prints and parses filters safely.
//! - [`provider`] holds what each service bends: its [`provider::Profile`],
//!   and the one PATCH renderer ([`provider::PatchChanges`]): typed changes
//!   in, the body in the provider's form out.
//! - [`Error`] is the one error type; non-2xx answers become
//!   [`ApiError`] with the parsed SCIM error, `Retry-After` and raw body,
//!   and a `202 Accepted` (RFC 9967 asynchronous processing) becomes
//!   [`Error::Accepted`] with its `Set-Txn`: see [`Accepted`].
//! - [`retry`] has the handlers, [`engine`] the state machines that applies them,
//!   including [`engine::Paginator`], the one that walks every page of a query.
//! - [`ScimClient`] (blocking) and [`AsyncScimClient`] run calls over a
//!   [`transport::Transport`] or [`transport::AsyncTransport`]; ready ones
//!   are in [`transports`] (closures, ureq, surf), which is also the one place
//!   that wires `ScimClient::new` and `AsyncScimClient::new` to them.
#![warn(missing_docs)]
#![warn(unreachable_pub)]

pub mod auth;
mod client;
pub mod engine;
mod error;
pub mod filter;
pub mod model;
pub mod pacing;
pub mod provider;
mod request;
pub mod retry;
mod secrets;
pub mod transport;
#[path = "../transports/mod.rs"]
pub mod transports;

pub use auth::BearerToken;
pub use client::{
    AsyncScimClient, AsyncWalk, ClientCertificate, ClientOptions, DEFAULT_MAX_BODY_SIZE,
    PROXY_ENV_VARS, ScimClient, TlsOptions, TlsRoots, Walk,
};
pub use error::{ApiError, Error, ErrorEntry, ScimError, ScimType};
pub use model::{DecodeError, Resource};
pub use provider::{
    Dialect, JSON_CONTENT_TYPE, SCIM_CONTENT_TYPE, SLACK_V1_BASE_URL, SLACK_V2_BASE_URL,
};
pub use request::{
    Accepted, BulkLimits, Conditional, Endpoint, FRAMING_HEADERS, Operation, ScimResponse,
};
pub use retry::{HttpDate, RetryAfter};
pub use secrets::{REDACTED, Secrets};

/// The README's Rust examples, compiled and run as doctests exactly as shown (ureq and tokio).
#[cfg(all(doctest, feature = "ureq", feature = "tokio"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
