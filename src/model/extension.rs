//! Typed schema extensions for Slack users: enterprise, guest and profile.

use super::object::scim_object;

/// URN of the SCIM 1.1 enterprise extension as Slack's v1 API spells it.
pub const ENTERPRISE_V1: &str = "urn:scim:schemas:extension:enterprise:1.0";
/// URN of Slack's multi-channel guest extension (v1).
pub const SLACK_GUEST_V1: &str = "urn:scim:schemas:extension:slack:guest:1.0";
/// URN of Slack's profile extension (v1).
pub const SLACK_PROFILE_V1: &str = "urn:scim:schemas:extension:slack:profile:1.0";
/// The SCIM 1.1 extension URNs Slack's v1 API uses, whose last part (the
/// schema's version, `1.0`) holds a dot: in an attribute path the dot after
/// one of them is the first step, and one of them alone is the whole
/// extension, never `…:1` with a sub-attribute `0`.
pub const DOTTED_EXTENSION_URNS: [&str; 3] = [ENTERPRISE_V1, SLACK_GUEST_V1, SLACK_PROFILE_V1];
/// Every extension URN this crate models. One of them alone, as an
/// attribute path, is the whole extension
/// ([`AttrPath::is_whole_extension`](crate::filter::AttrPath::is_whole_extension)),
/// not an attribute `User` of a schema `…:2.0`, as RFC 7644 §3.10's
/// grammar would read `…:enterprise:2.0:User`.
pub const EXTENSION_URNS: [&str; 6] = [
    ENTERPRISE_V1,
    SLACK_GUEST_V1,
    SLACK_PROFILE_V1,
    ENTERPRISE_V2,
    SLACK_GUEST_V2,
    SLACK_PROFILE_V2,
];
/// URN of the RFC 7643 enterprise User extension.
pub const ENTERPRISE_V2: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// URN of Slack's guest extension (v2).
pub const SLACK_GUEST_V2: &str = "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User";
/// URN of Slack's profile extension (v2).
pub const SLACK_PROFILE_V2: &str = "urn:ietf:params:scim:schemas:extension:slack:profile:2.0:User";

scim_object! {
    /// The enterprise extension: organisation attributes of a user.
    pub struct EnterpriseUser {
        /// `employeeNumber`.
        "employeeNumber" => employee_number: String,
        /// `costCenter`.
        "costCenter" => cost_center: String,
        /// `organization`.
        "organization" => organization: String,
        /// `division`.
        "division" => division: String,
        /// `department`.
        "department" => department: String,
        /// `manager`.
        "manager" => manager: Manager,
    }
}

scim_object! {
    /// A user's manager.
    ///
    /// Slack reads the manager's id from `managerId`, not from the RFC 7643
    /// `value`; both are modelled so either dialect round-trips.
    pub struct Manager {
        /// `managerId`: the manager's Slack user id (what Slack reads and writes).
        "managerId" => manager_id: String,
        /// `value`: the manager's id in RFC 7643 SCIM 2.0.
        "value" => value: String,
        /// `displayName`: the manager's name (read-only in RFC 7643).
        "displayName" => display_name: String,
        /// `$ref`: the manager's resource URI.
        "$ref" => reference: String,
    }
}

scim_object! {
    /// Slack's guest extension: marks a user as a multi-channel guest.
    pub struct SlackGuest {
        /// `type`: `"multi"` for a multi-channel guest (mandatory when sent).
        "type" => guest_type: String,
        /// `expiration`: ISO-8601 date and time the guest account expires.
        "expiration" => expiration: String,
        /// `channels`: the channels the guest belongs to (in responses).
        "channels" => channels: Vec<GuestChannel>,
    }
}

scim_object! {
    /// A channel a guest belongs to.
    pub struct GuestChannel {
        /// `value`: the channel id (`C…`).
        "value" => value: String,
        /// `display`: the channel's name.
        "display" => display: String,
    }
}

scim_object! {
    /// Slack's profile extension.
    pub struct SlackProfile {
        /// `startDate`: ISO-8601 start date, shown in profile celebrations.
        "startDate" => start_date: String,
    }
}
