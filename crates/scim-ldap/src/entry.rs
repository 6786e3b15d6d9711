//! One directory entry (DN and attributes) made into a SCIM [`User`], or an
//! [`EntryError`] naming its DN.

use std::collections::HashMap;

use scim_client::model::{Name, TypedValue, User};
use scim_sync::source::Target;

use crate::config::{Disabled, IdAttribute, LdapConfig};
use crate::error::{EntryError, EntryErrorKind};
use crate::guid::object_guid_string;

/// A directory entry as read: its DN, text attributes and the attributes
/// whose values were not UTF-8 (ldap3's `SearchEntry`, by value).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// The DN.
    pub dn: String,
    /// Attributes with UTF-8 values.
    pub attrs: HashMap<String, Vec<String>>,
    /// Attributes with at least one value that is not UTF-8.
    pub bin_attrs: HashMap<String, Vec<Vec<u8>>>,
}

impl From<ldap3::SearchEntry> for Entry {
    fn from(e: ldap3::SearchEntry) -> Self {
        Entry {
            dn: e.dn,
            attrs: e.attrs,
            bin_attrs: e.bin_attrs,
        }
    }
}

impl Entry {
    /// The text values of `attribute` (names compared case-insensitively).
    pub fn values(&self, attribute: &str) -> Option<&Vec<String>> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(attribute))
            .map(|(_, v)| v)
    }

    /// The one value of `attribute`: `Ok(None)` when absent, an error when
    /// it has several or is binary.
    fn single(&self, attribute: &str) -> Result<Option<&str>, EntryError> {
        let binary = self
            .bin_attrs
            .keys()
            .any(|k| k.eq_ignore_ascii_case(attribute));
        match self.values(attribute).map(Vec::as_slice) {
            _ if binary => Err(self.error(attribute, EntryErrorKind::Value, "not text")),
            None | Some([]) => Ok(None),
            Some([one]) => Ok(Some(one)),
            Some(_) => Err(self.error(attribute, EntryErrorKind::Value, "several values")),
        }
    }

    /// The entry's stable id: `entryUUID` as written, `objectGUID` rendered.
    pub fn id(&self, id: IdAttribute) -> Result<String, EntryError> {
        let name = id.name();
        let missing = || self.error(name, EntryErrorKind::Missing, "absent");
        match id {
            IdAttribute::EntryUuid => self.single(name)?.map(str::to_owned).ok_or_else(missing),
            IdAttribute::ObjectGuid => {
                let bytes = self
                    .bin_attrs
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .and_then(|(_, v)| v.first().cloned())
                    .or_else(|| self.values(name)?.first().map(|s| s.as_bytes().to_vec()))
                    .ok_or_else(missing)?;
                object_guid_string(&bytes).ok_or_else(|| {
                    let message = format!("{} bytes, not 16", bytes.len());
                    self.error(name, EntryErrorKind::Value, &message)
                })
            }
        }
    }

    fn error(&self, attribute: &str, kind: EntryErrorKind, message: &str) -> EntryError {
        EntryError::new(&self.dn, Some(attribute), kind, message.to_owned())
    }
}

/// The attributes a user search asks for under `config`.
pub(crate) fn user_attributes(config: &LdapConfig) -> Vec<String> {
    let mut attrs: Vec<String> = config.map.users.iter().map(|(a, _)| a.clone()).collect();
    attrs.push(config.id.name().to_owned());
    match &config.disabled {
        Disabled::UserAccountControl => attrs.push("userAccountControl".to_owned()),
        Disabled::AttributeEquals { attribute, .. } => attrs.push(attribute.clone()),
        Disabled::Never => {}
    }
    attrs
}

/// `entry` as a user under `config`: `externalId` from the id, the mapped
/// attributes, `active` from the disabled rule. The first problem found is
/// the error.
pub fn to_user(entry: &Entry, config: &LdapConfig) -> Result<User, EntryError> {
    let mut user = User {
        external_id: entry.id(config.id)?.into(),
        active: active(entry, &config.disabled)?.into(),
        ..User::default()
    };
    let mut name = Name::default();
    for (attribute, target) in &config.map.users {
        if *target == Target::Emails {
            let first = entry.values(attribute).and_then(|v| v.first());
            if let Some(address) = first {
                user.emails = vec![work_email(entry, attribute, address)?].into();
            }
            continue;
        }
        let Some(value) = entry.single(attribute)? else {
            continue;
        };
        match target {
            Target::Active => user.active = boolean(entry, attribute, value)?.into(),
            other => {
                if let Some(slot) = other.text_field(&mut user, &mut name) {
                    *slot = value.into();
                }
            }
        }
    }
    if user.user_name.as_deref().is_none_or(str::is_empty) {
        return Err(entry.error(
            "userName",
            EntryErrorKind::Missing,
            "no value mapped to userName",
        ));
    }
    if name != Name::default() {
        user.name = name.into();
    }
    Ok(user)
}

/// Whether the account is enabled under `rule`.
fn active(entry: &Entry, rule: &Disabled) -> Result<bool, EntryError> {
    match rule {
        Disabled::Never => Ok(true),
        Disabled::AttributeEquals { attribute, value } => Ok(!entry
            .values(attribute)
            .is_some_and(|v| v.iter().any(|x| x.eq_ignore_ascii_case(value)))),
        Disabled::UserAccountControl => {
            let attribute = "userAccountControl";
            let Some(text) = entry.single(attribute)? else {
                return Ok(true);
            };
            let flags: i64 = text.trim().parse().map_err(|_| {
                let message = format!("{text:?} is not an integer");
                entry.error(attribute, EntryErrorKind::Value, &message)
            })?;
            Ok(flags & 0x2 == 0)
        }
    }
}

fn boolean(entry: &Entry, attribute: &str, value: &str) -> Result<bool, EntryError> {
    scim_sync::source::boolean(value)
        .map_err(|reason| entry.error(attribute, EntryErrorKind::Value, &reason))
}

fn work_email(entry: &Entry, attribute: &str, address: &str) -> Result<TypedValue, EntryError> {
    scim_sync::source::work_email(address)
        .map_err(|reason| entry.error(attribute, EntryErrorKind::Value, &reason))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Password, SearchSpec};

    fn config() -> LdapConfig {
        let users = SearchSpec {
            base: "dc=x".into(),
            filter: "(uid=*)".into(),
        };
        LdapConfig::new("ldap://127.0.0.1:1", "cn=admin", Password::new("pw"), users)
    }

    fn entry(pairs: &[(&str, &[&str])]) -> Entry {
        Entry {
            dn: "uid=ada,ou=people,dc=x".into(),
            attrs: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect()))
                .collect(),
            bin_attrs: HashMap::new(),
        }
    }

    fn ada(extra: &[(&str, &[&str])]) -> Entry {
        let mut pairs: Vec<(&str, &[&str])> = vec![
            ("entryUUID", &["0f6c2a4e-0000-4000-8000-000000000001"]),
            ("uid", &["ada"]),
            ("mail", &["ada@example.test"]),
            ("givenName", &["Ada"]),
            ("SN", &["Lovelace"]),
        ];
        pairs.extend_from_slice(extra);
        entry(&pairs)
    }

    #[test]
    fn an_entry_maps_to_a_user_with_its_id_as_external_id() {
        let user = to_user(&ada(&[("userAccountControl", &["512"])]), &config()).unwrap();
        assert_eq!(
            user.external_id.as_deref(),
            Some("0f6c2a4e-0000-4000-8000-000000000001")
        );
        assert_eq!(user.user_name.as_deref(), Some("ada"));
        assert_eq!(user.active.value(), Some(&true));
        let name = user.name.value().unwrap();
        assert_eq!(
            (name.given_name.as_deref(), name.family_name.as_deref()),
            (Some("Ada"), Some("Lovelace"))
        );
        let email = &user.emails.value().unwrap()[0];
        assert_eq!(
            (email.value.as_deref(), email.primary.value()),
            (Some("ada@example.test"), Some(&true))
        );
    }

    #[test]
    fn user_account_control_bit_2_disables_and_other_bits_do_not() {
        for (flags, active) in [
            ("514", false),
            ("2", false),
            ("66050", false),
            ("512", true),
            ("66048", true),
        ] {
            let user = to_user(&ada(&[("userAccountControl", &[flags])]), &config()).unwrap();
            assert_eq!(user.active.value(), Some(&active), "{flags}");
        }
        let mut config = config();
        config.disabled = Disabled::AttributeEquals {
            attribute: "employeeType".into(),
            value: "disabled".into(),
        };
        let user = to_user(&ada(&[("employeeType", &["Disabled"])]), &config).unwrap();
        assert_eq!(user.active.value(), Some(&false));
    }

    #[test]
    fn bad_values_are_errors_naming_the_dn_and_attribute() {
        type Extra<'a> = &'a [(&'a str, &'a [&'a str])];
        let cases: [(Extra, &str, EntryErrorKind); 4] = [
            (
                &[("userAccountControl", &["x"])],
                "userAccountControl",
                EntryErrorKind::Value,
            ),
            (&[("title", &["a", "b"])], "title", EntryErrorKind::Value),
            (
                &[("mail", &["not-an-address"])],
                "mail",
                EntryErrorKind::Value,
            ),
            (&[("uid", &[])], "userName", EntryErrorKind::Missing),
        ];
        for (extra, attribute, kind) in cases {
            let mut entry = ada(&[]);
            for (k, v) in extra {
                entry
                    .attrs
                    .insert((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect());
            }
            let error = to_user(&entry, &config()).unwrap_err();
            assert_eq!(error.dn, "uid=ada,ou=people,dc=x");
            assert_eq!(
                (error.attribute.as_deref(), error.kind),
                (Some(attribute), kind),
                "{error}"
            );
        }
    }

    #[test]
    fn object_guid_is_read_from_binary_values_and_checked() {
        let mut config = config();
        config.id = IdAttribute::ObjectGuid;
        let mut entry = ada(&[]);
        let guid: Vec<u8> = vec![
            0xe2, 0xb1, 0xa4, 0xc3, 0x2d, 0x1f, 0x5b, 0x4c, 0x9a, 0x8e, 0x01, 0x23, 0x45, 0x67,
            0x89, 0xab,
        ];
        entry.bin_attrs.insert("objectGUID".into(), vec![guid]);
        let user = to_user(&entry, &config).unwrap();
        assert_eq!(
            user.external_id.as_deref(),
            Some("c3a4b1e2-1f2d-4c5b-9a8e-0123456789ab")
        );
        entry
            .bin_attrs
            .insert("objectGUID".into(), vec![vec![1, 2, 3]]);
        let error = to_user(&entry, &config).unwrap_err();
        assert_eq!(
            (error.kind, error.message.as_str()),
            (EntryErrorKind::Value, "3 bytes, not 16")
        );
        entry.bin_attrs.clear();
        assert_eq!(
            to_user(&entry, &config).unwrap_err().kind,
            EntryErrorKind::Missing
        );
    }
}
