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
//! Retries are decided by a pure state machine, [`call::Call`]: feed it how
//! each attempt ended and it says whether to wait and retry or stop. The
//! clients ([`ScimClient`], [`AsyncScimClient`]) run this loop for you; here
//! it is by hand, with a closure as the HTTP stack:
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use scim_client::call::{Call, Step};
//! use scim_client::retry::{RateLimitErrorRetryHandler, RetryHandlers};
//! use scim_client::{BearerToken, Endpoint};
//!
//! let endpoint = Endpoint::new(BearerToken::new("xoxp-1")?);
//! let mut handlers = RetryHandlers::default();
//! handlers.push(RateLimitErrorRetryHandler::new(1));
//!
//! // An HTTP stack that is rate limited once, then answers.
//! let mut answers = vec![
//!     http::Response::builder().status(200).body(br#"{"id":"W1"}"#.to_vec()).unwrap(),
//!     http::Response::builder().status(429).header("Retry-After", "0").body(Vec::new()).unwrap(),
//! ];
//! let mut send = |_request: &http::Request<Vec<u8>>| Ok(answers.pop().unwrap());
//! let mut slept = Duration::ZERO;
//!
//! let mut call = Call::new(endpoint.read_user("W1")?, handlers, /* jitter seed */ 7);
//! let user = loop {
//!     let result = send(call.request());
//!     match call.receive(result, SystemTime::now()) {
//!         Step::Done(result) => break result?,
//!         Step::Retry(wait) => {
//!             slept += wait.delay(); // a real driver sleeps here
//!             call = wait.resume();
//!         }
//!     }
//! };
//! assert_eq!(user.id.as_deref(), Some("W1"));
//! assert!(slept < Duration::from_secs(1)); // Retry-After 0 plus under a second of jitter
//! # Ok::<(), scim_client::Error>(())
//! ```
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
//! - [`Error`] is the one error type; non-2xx answers become
//!   [`ApiError`] with the parsed SCIM error, `Retry-After` and raw body.
//! - [`retry`] has the handlers, [`call`] the state machine that applies them,
//!   and [`Paginator`] the one that walks every page of a query.
//! - [`ScimClient`] (blocking) and [`AsyncScimClient`] run calls over a
//!   [`transport::Transport`] or [`transport::AsyncTransport`]; ready ones
//!   are in [`transports`] (closures, ureq, surf), which is also the one place
//!   that wires `ScimClient::new` and `AsyncScimClient::new` to them.
#![warn(missing_docs)]

mod async_client;
pub mod auth;
pub mod budget;
pub mod call;
mod client;
mod decode;
mod encoding;
mod endpoint;
mod error;
pub mod filter;
mod log;
pub mod membership;
mod methods;
pub mod model;
mod operation;
mod options;
mod pacing;
mod paginate;
pub mod profile;
mod proxy;
mod requests;
mod resource;
mod response;
pub mod retry;
mod retry_after;
mod secrets;
mod token;
mod trace;
pub mod transport;
#[path = "../transports/mod.rs"]
pub mod transports;

pub use async_client::{AsyncScimClient, AsyncWalk};
pub use client::{ScimClient, Walk};
pub use decode::DecodeError;
pub use endpoint::{
    Dialect, Endpoint, FRAMING_HEADERS, JSON_CONTENT_TYPE, SCIM_CONTENT_TYPE, SLACK_V1_BASE_URL,
    SLACK_V2_BASE_URL,
};
pub use error::{ApiError, Error, ErrorEntry, ScimError, ScimType};
pub use operation::{Conditional, Operation};
pub use options::{
    ClientCertificate, ClientOptions, DEFAULT_MAX_BODY_SIZE, PROXY_ENV_VARS, TlsOptions, TlsRoots,
};
pub use paginate::{Paginator, WalkStep};
pub use requests::BulkLimits;
pub use resource::Resource;
pub use response::ScimResponse;
pub use retry_after::{HttpDate, RetryAfter};
pub use secrets::{REDACTED, Secrets};
pub use token::BearerToken;

/// The README's Rust examples, compiled and run as doctests (they use the default ureq client).
#[cfg(all(doctest, feature = "ureq"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
