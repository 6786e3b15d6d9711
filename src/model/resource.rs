//! [`Resource`]: what the client needs to know about a resource type, so that
//! one generic path serves users, groups and any type a service defines.
//!
//! RFC 7643 §6 lets a service define its own resource types (discovery lists
//! them at `/ResourceTypes`, each with an `endpoint` and a `schema`). A type
//! that implements [`Resource`] gets every operation the client has —
//! `query`, `search_post`, `read`, `create`, `patch`, `update`, `delete` on
//! [`Endpoint`](crate::Endpoint) and on both clients — and the paginated
//! walk ([`Paginator`](crate::engine::Paginator)), with no other code:
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use scim_client::{BearerToken, Dialect, Endpoint, Resource};
//!
//! /// A device, as a service defining `urn:example:Device` serves it.
//! #[derive(Debug, Serialize, Deserialize)]
//! struct Device {
//!     #[serde(skip_serializing_if = "Option::is_none")]
//!     id: Option<String>,
//!     serial: String,
//! }
//!
//! impl Resource for Device {
//!     const ENDPOINT: &'static str = "Devices";
//!     fn schema(_: Dialect) -> &'static str {
//!         "urn:example:Device"
//!     }
//!     fn id(&self) -> Option<&str> {
//!         self.id.as_deref()
//!     }
//! }
//!
//! let endpoint = scim_client::ClientOptions::scim2("https://scim.example/v2").endpoint("token")?;
//! let op = endpoint.read::<Device>("d-1")?;
//! assert_eq!(op.request().uri(), "https://scim.example/v2/Devices/d-1");
//! # Ok::<(), scim_client::Error>(())
//! ```

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Dialect;
use crate::model::{Field, Group, Meta, User};

/// A SCIM resource type: where it lives, which schema a body gets, and how
/// to find its id and metadata.
pub trait Resource: Serialize + DeserializeOwned + Send + 'static {
    /// The endpoint below the base URL, without slashes: `Users`, `Groups`,
    /// or a custom type's (RFC 7643 §6 `endpoint`).
    const ENDPOINT: &'static str;

    /// The schema URN given to a body sent without `schemas`, in `dialect`.
    fn schema(dialect: Dialect) -> &'static str;

    /// The resource's `id`. The walk compares ids to catch a provider that
    /// ignores `startIndex` and repeats a page.
    fn id(&self) -> Option<&str>;

    /// The resource's `meta`, so an answer's `ETag` can fill `meta.version`
    /// when the body has none (RFC 7644 §3.14 allows either place). A type
    /// without `meta` keeps the default, `None`, and the `ETag` stays in the
    /// response headers only.
    fn meta_mut(&mut self) -> Option<&mut Field<Meta>> {
        None
    }
}

impl Resource for User {
    const ENDPOINT: &'static str = "Users";

    /// `urn:scim:schemas:core:1.0` on Slack v1 (the Python SDK sends it), the
    /// RFC 7643 User schema otherwise.
    fn schema(dialect: Dialect) -> &'static str {
        match dialect {
            Dialect::SlackV1 => crate::model::CORE_V1,
            Dialect::SlackV2 | Dialect::Scim2 => crate::model::USER_V2,
        }
    }

    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn meta_mut(&mut self) -> Option<&mut Field<Meta>> {
        Some(&mut self.meta)
    }
}

impl Resource for Group {
    const ENDPOINT: &'static str = "Groups";

    /// `urn:scim:schemas:core:1.0` on Slack v1, the RFC 7643 Group schema otherwise.
    fn schema(dialect: Dialect) -> &'static str {
        match dialect {
            Dialect::SlackV1 => crate::model::CORE_V1,
            Dialect::SlackV2 | Dialect::Scim2 => crate::model::GROUP_V2,
        }
    }

    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn meta_mut(&mut self) -> Option<&mut Field<Meta>> {
        Some(&mut self.meta)
    }
}
