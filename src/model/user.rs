//! The SCIM `User` resource and the objects inside it.

use super::extension::{EnterpriseUser, SlackGuest, SlackProfile};
use super::object::scim_object;

scim_object! {
    /// A SCIM user, with every attribute Slack documents for v1.
    ///
    /// Build one with struct-update syntax; anything not set stays absent
    /// and is not sent:
    ///
    /// ```
    /// use scim_client::model::{Name, TypedValue, User};
    ///
    /// let user = User {
    ///     user_name: "cal".into(),
    ///     name: Name { given_name: "C".into(), family_name: "Henderson".into(), ..Name::default() }.into(),
    ///     emails: vec![TypedValue { value: "cal@example.com".into(), ..TypedValue::default() }].into(),
    ///     ..User::default()
    /// };
    /// assert_eq!(user.user_name.as_deref(), Some("cal"));
    /// ```
    pub struct User {
        /// `schemas`: the schema URNs of this resource.
        "schemas" => schemas: Vec<String>,
        /// `id`: the provider's id (Slack: `U…` or `W…`). Read-only.
        "id" => id: String,
        /// `externalId`: the identity provider's own id for the user.
        "externalId" => external_id: String,
        /// `meta`: resource metadata. Read-only.
        "meta" => meta: Meta,
        /// `userName`: unique login name. Required on create.
        "userName" => user_name: String,
        /// `nickName`: casual name (Slack requires it on v2 PUT).
        "nickName" => nick_name: String,
        /// `name`: the parts of the user's name.
        "name" => name: Name,
        /// `displayName`: the name shown to other users.
        "displayName" => display_name: String,
        /// `profileUrl`: URL of the user's profile.
        "profileUrl" => profile_url: String,
        /// `title`: job title.
        "title" => title: String,
        /// `userType`: relationship to the organisation (employee, contractor…).
        "userType" => user_type: String,
        /// `preferredLanguage`: preferred written or spoken language.
        "preferredLanguage" => preferred_language: String,
        /// `locale`: default location for currency, dates and numbers.
        "locale" => locale: String,
        /// `timezone`: Olson time zone name.
        "timezone" => timezone: String,
        /// `active`: false for a deactivated user.
        "active" => active: bool,
        /// `password`: write-only initial password. Never returned.
        "password" => password: String,
        /// `emails`: email addresses; Slack requires at least one on create.
        "emails" => emails: Vec<TypedValue>,
        /// `phoneNumbers`: phone numbers.
        "phoneNumbers" => phone_numbers: Vec<TypedValue>,
        /// `photos`: profile photo URLs.
        "photos" => photos: Vec<TypedValue>,
        /// `roles`: roles.
        "roles" => roles: Vec<TypedValue>,
        /// `addresses`: postal addresses.
        "addresses" => addresses: Vec<Address>,
        /// `groups`: the groups the user belongs to. Read-only.
        "groups" => groups: Vec<GroupRef>,
        /// The enterprise extension (`urn:scim:schemas:extension:enterprise:1.0`).
        "urn:scim:schemas:extension:enterprise:1.0" => enterprise: EnterpriseUser,
        /// Slack's guest extension (`urn:scim:schemas:extension:slack:guest:1.0`).
        "urn:scim:schemas:extension:slack:guest:1.0" => slack_guest: SlackGuest,
        /// Slack's profile extension (`urn:scim:schemas:extension:slack:profile:1.0`).
        "urn:scim:schemas:extension:slack:profile:1.0" => slack_profile: SlackProfile,
        /// `ims`: instant messaging addresses (SCIM 2.0).
        "ims" => ims: Vec<TypedValue>,
        /// `entitlements` (SCIM 2.0).
        "entitlements" => entitlements: Vec<TypedValue>,
        /// `x509Certificates`: DER certificates, base64 (SCIM 2.0).
        "x509Certificates" => x509_certificates: Vec<TypedValue>,
        /// The RFC 7643 enterprise extension
        /// (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`); Slack
        /// v2 reads the manager from `manager.managerId`, the RFC from `manager.value`.
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" => enterprise_v2: EnterpriseUser,
        /// Slack's guest extension, v2 (`urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User`).
        "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User" => slack_guest_v2: SlackGuest,
        /// Slack's profile extension, v2 (`urn:ietf:params:scim:schemas:extension:slack:profile:2.0:User`).
        "urn:ietf:params:scim:schemas:extension:slack:profile:2.0:User" => slack_profile_v2: SlackProfile,
    }
}

impl User {
    /// Reads the extension stored under `urn` in [`extra`](User::extra) as the
    /// caller's own type; `Ok(None)` when absent or `null`. The extensions this
    /// crate types (enterprise, Slack guest and profile) are fields instead.
    pub fn extension<T: serde::de::DeserializeOwned>(
        &self,
        urn: &str,
    ) -> Result<Option<T>, crate::Error> {
        match self.extra.get(urn) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(value) => crate::model::decode::decode_value(value)
                .map(Some)
                .map_err(|e| crate::Error::Json(Box::new(e.within(urn)))),
        }
    }

    /// Stores `value` as the extension `urn` in [`extra`](User::extra).
    /// Remember to list `urn` in `schemas` too, as RFC 7643 §3.3 asks.
    pub fn set_extension<T: serde::Serialize>(
        &mut self,
        urn: &str,
        value: &T,
    ) -> Result<(), crate::Error> {
        let value = serde_json::to_value(value).map_err(|e| crate::Error::Encode(e.to_string()))?;
        self.extra.insert(urn.to_owned(), value);
        Ok(())
    }
}

scim_object! {
    /// The components of a user's name.
    pub struct Name {
        /// `formatted`: the full name, formatted for display.
        "formatted" => formatted: String,
        /// `familyName`.
        "familyName" => family_name: String,
        /// `givenName`.
        "givenName" => given_name: String,
        /// `middleName`.
        "middleName" => middle_name: String,
        /// `honorificPrefix` (e.g. "Ms.").
        "honorificPrefix" => honorific_prefix: String,
        /// `honorificSuffix` (e.g. "III").
        "honorificSuffix" => honorific_suffix: String,
    }
}

scim_object! {
    /// One value of a multi-valued attribute: an email, phone number, photo or role.
    ///
    /// This is the Python SDK's `TypeAndValue` (and its `UserEmail`,
    /// `UserPhoneNumber`, `UserRole`, `UserPhoto`).
    pub struct TypedValue {
        /// `value`: the address, number, URL or role.
        "value" => value: String,
        /// `type`: a label such as `work`, `home` or `mobile`.
        "type" => kind: String,
        /// `primary`: whether this is the preferred value.
        "primary" => primary: bool,
        /// `display`: a human-readable form of the value.
        "display" => display: String,
    }
}

scim_object! {
    /// A postal address.
    pub struct Address {
        /// `formatted`: the full address, formatted for display.
        "formatted" => formatted: String,
        /// `streetAddress`.
        "streetAddress" => street_address: String,
        /// `locality`: city.
        "locality" => locality: String,
        /// `region`: state or region.
        "region" => region: String,
        /// `postalCode`.
        "postalCode" => postal_code: String,
        /// `country`: ISO 3166-1 alpha-2 code.
        "country" => country: String,
        /// `type`: a label such as `work` or `home`.
        "type" => kind: String,
        /// `primary`: whether this is the preferred address.
        "primary" => primary: bool,
    }
}

scim_object! {
    /// A group a user belongs to, as listed in the user's `groups`.
    pub struct GroupRef {
        /// `value`: the group's id (Slack: `S…`).
        "value" => value: String,
        /// `display`: the group's name.
        "display" => display: String,
        /// `$ref`: the group's resource URI.
        "$ref" => reference: String,
        /// `type`: `direct` or `indirect` membership.
        "type" => kind: String,
    }
}

scim_object! {
    /// Resource metadata, maintained by the provider.
    pub struct Meta {
        /// `created`: when the resource was created (ISO-8601).
        "created" => created: String,
        /// `lastModified`: when it last changed (ISO-8601).
        "lastModified" => last_modified: String,
        /// `location`: the resource's URI.
        "location" => location: String,
        /// `resourceType`: `User` or `Group`.
        "resourceType" => resource_type: String,
        /// `version`: the resource's ETag, opaque.
        "version" => version: String,
    }
}
