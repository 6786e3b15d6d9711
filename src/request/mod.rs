//! Requests: the [`Endpoint`] that builds an [`Operation`] for every SCIM
//! call, and the [`ScimResponse`] its parser reads. Pure: nothing here
//! sends a request.

pub(crate) mod accepted;
pub(crate) mod bulk;
pub(crate) mod discovery;
pub(crate) mod encoding;
pub(crate) mod endpoint;
pub(crate) mod operation;
pub(crate) mod operations;
pub(crate) mod query;
pub(crate) mod response;

pub use accepted::Accepted;
pub use bulk::BulkLimits;
pub use endpoint::{Endpoint, FRAMING_HEADERS};
pub use operation::{Conditional, Operation};
pub use response::ScimResponse;
