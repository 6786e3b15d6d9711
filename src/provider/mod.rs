//! Facts about how each service bends RFC 7644, in one place: the
//! [`Profile`] of a provider (dialect, paging, PATCH form, limits, rate
//! table) and the membership changes rendered in its PATCH form.

pub(crate) mod dialect;
pub(crate) mod membership;
pub(crate) mod profile;

pub use dialect::{
    Dialect, JSON_CONTENT_TYPE, SCIM_CONTENT_TYPE, SLACK_V1_BASE_URL, SLACK_V2_BASE_URL,
};
pub use membership::MemberChanges;
pub use profile::*;
