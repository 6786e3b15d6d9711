//! Facts about how each service bends RFC 7644, in one place: the
//! [`Profile`] of a provider (dialect, paging, PATCH form, limits, rate
//! table) and the one PATCH renderer: typed changes in, the body in the
//! provider's form out.

pub(crate) mod dialect;
pub(crate) mod membership;
pub(crate) mod patch;
pub(crate) mod profile;

pub use dialect::{
    Dialect, JSON_CONTENT_TYPE, SCIM_CONTENT_TYPE, SLACK_V1_BASE_URL, SLACK_V2_BASE_URL,
};
pub use membership::MemberChanges;
pub use patch::{PatchBody, PatchChange, PatchChanges, UserPatch};
pub use profile::*;
