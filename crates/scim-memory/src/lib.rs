//! [`InMemoryService`]: a SCIM service in memory, for tests and examples.
//!
//! It is pure: a request goes in, a response comes out, no sockets and no
//! system clock (timestamps come from a logical clock, rate limits from a
//! virtual one: [`InMemoryService::now`]). Both clients can use it as
//! their transport, so provisioning code is unit-tested against the same
//! rules a real provider applies:
//!
//! - **SCIM 2.0** ([`Dialect::Scim2`], [`Dialect::SlackV2`]): `ListResponse`,
//!   the full filter grammar, sorting, paging, `attributes` and
//!   `excludedAttributes`, `PatchOp` with value-filter paths (a PATCH body
//!   that is not a `PatchOp` is 400 `invalidSyntax`), ETags (412 on a
//!   stale `If-Match`, 304 on a current `If-None-Match`), 409 on a duplicate
//!   `userName`, `.search`, Bulk with `bulkId` references, discovery.
//! - **Slack v1** ([`Dialect::SlackV1`]): `{"Errors": {…}}` bodies,
//!   partial-resource PATCH where `null` clears (a SCIM 2.0 `PatchOp` is
//!   400, as Slack refuses it), group member removal by
//!   `"operation": "delete"`, DELETE of a user deactivates it (200), group
//!   PATCH and DELETE answer 204, `count` above 1000 is read as 1000.
//! - **Faults on demand** ([`InMemoryService::inject`]): 429 with a
//!   `Retry-After`, or a 5xx with an HTML body, for the N requests after the
//!   M-th, to exercise retry settings.
//! - **A provider's profile** ([`InMemoryService::for_profile`]): its
//!   dialect, its published rate limits (429 with `Retry-After` when a
//!   bucket is empty), cursor paging where it pages by cursor, its page
//!   cap, its limit on member changes per group PATCH, group reads without
//!   members, what DELETE of a user does and its discovery path, all in a
//!   virtual clock that the client's retry waits advance: a realistic
//!   provider with no network and no real waiting.
//!
//! ```
//! use scim_memory::InMemoryService;
//! use scim_client::model::User;
//! use scim_client::{ClientOptions, ScimClient};
//!
//! let service = InMemoryService::scim2();
//! let client = ScimClient::with_transport("token", ClientOptions::scim2("https://scim.test/v2"), service.clone())?;
//! let ada = client.create_user(&User { user_name: "ada".into(), ..User::default() })?;
//! assert_eq!(client.read_user(ada.id.as_deref().unwrap())?.user_name.as_deref(), Some("ada"));
//! assert_eq!(service.requests_received(), 2);
//! # Ok::<(), scim_client::Error>(())
//! ```
//!
//! # Layout
//!
//! A request goes [`InMemoryService::handle`] → injected faults → the
//! profile's rate table → routing (`route`) → the endpoints (`endpoints`),
//! which read and write the store (`store`) → response building
//! (`response`), in the dialect's form.
//!
//! [`Dialect::Scim2`]: scim_client::Dialect::Scim2
//! [`Dialect::SlackV2`]: scim_client::Dialect::SlackV2
//! [`Dialect::SlackV1`]: scim_client::Dialect::SlackV1

#![warn(missing_docs)]

mod bulk;
mod discovery;
mod encoding;
mod endpoints;
mod failure;
mod fault;
mod patch;
mod rates;
mod response;
mod route;
mod service;
mod snapshot;
mod store;
mod transport;

pub use failure::Failure;
pub use fault::Fault;
pub use service::{CLOCK_START_UNIX_SECONDS, InMemoryService};
pub use snapshot::SNAPSHOT_FORMAT;
pub use store::{CustomKind, Kind};
