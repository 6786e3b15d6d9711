//! SCIM resources as Rust types: users, groups, their parts and extensions.
//!
//! Every attribute is a [`Field`] (absent, `null`, or a value) and every
//! object keeps the attributes it does not model in `extra`, with their exact
//! keys, so nothing a provider sends is lost on the way back.

mod extension;
mod field;
mod group;
mod list;
pub(crate) mod object;
mod user;

pub use extension::{
    ENTERPRISE_V1, EnterpriseUser, GuestChannel, Manager, SLACK_GUEST_V1, SLACK_PROFILE_V1,
    SlackGuest, SlackProfile,
};
pub use field::Field;
pub use group::{Group, Member};
pub use list::ListResponse;
pub use user::{Address, GroupRef, Meta, Name, TypedValue, User};

/// The SCIM 1.1 core schema URN Slack's v1 API expects in every body.
pub const CORE_V1: &str = "urn:scim:schemas:core:1.0";
