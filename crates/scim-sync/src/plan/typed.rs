//! The planner's typed reads of a [`User`]: an attribute by its JSON key,
//! compared with `==` and turned into JSON only when a write needs it;
//! match keys borrowed when normalising changes nothing; ownership by
//! `externalId` without JSON.
//!
//! A plan of 100,000 users mostly meets accounts that already match. Telling
//! that from the typed values, rather than rendering each user as JSON and
//! reading it back, is what keeps such a plan near a tenth of a second
//! (`cargo bench -p scim-sync --bench plan`). Typed values that are equal
//! write equal JSON, so "equal" here is never wrong; values that differ are
//! handed to the JSON comparison, which decides as it always did.

use std::borrow::Cow;

use scim_client::model::{Field, User};
use serde::Serialize;
use serde_json::{Map, Value};

use super::fingerprint::hash_value;
use super::json::get;
use crate::options::{MatchKey, Ownership};

/// A top-level attribute of a typed resource.
pub(crate) trait Attribute {
    /// Whether it is written at all (absent attributes are not).
    fn present(&self) -> bool;
    /// Its JSON, as the client writes it.
    fn json(&self) -> Value;
    /// The hash of its typed value ([`hash_value`]): equal for equal JSON.
    fn hash(&self) -> u64;
}

impl<T: Serialize> Attribute for Field<T> {
    fn present(&self) -> bool {
        !self.is_absent()
    }

    fn json(&self) -> Value {
        // A model field always converts (its map keys are strings).
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    fn hash(&self) -> u64 {
        hash_value(self)
    }
}

/// One modelled attribute: its key (exactly as the client spells it), its
/// field, and whether two users' values are equal (no `dyn` on the way).
type Modelled = (
    &'static str,
    fn(&User) -> &dyn Attribute,
    fn(&User, &User) -> bool,
);

macro_rules! modelled {
    ($($key:literal => $field:ident,)*) => {
        /// Every attribute [`User`] models.
        const MODELLED: &[Modelled] = &[
            $(($key, |user| &user.$field, |a, b| a.$field == b.$field),)*
        ];
    };
}

modelled! {
    "schemas" => schemas,
    "id" => id,
    "externalId" => external_id,
    "meta" => meta,
    "userName" => user_name,
    "nickName" => nick_name,
    "name" => name,
    "displayName" => display_name,
    "profileUrl" => profile_url,
    "title" => title,
    "userType" => user_type,
    "preferredLanguage" => preferred_language,
    "locale" => locale,
    "timezone" => timezone,
    "active" => active,
    "password" => password,
    "emails" => emails,
    "phoneNumbers" => phone_numbers,
    "photos" => photos,
    "roles" => roles,
    "addresses" => addresses,
    "groups" => groups,
    "urn:scim:schemas:extension:enterprise:1.0" => enterprise,
    "urn:scim:schemas:extension:slack:guest:1.0" => slack_guest,
    "urn:scim:schemas:extension:slack:profile:1.0" => slack_profile,
    "ims" => ims,
    "entitlements" => entitlements,
    "x509Certificates" => x509_certificates,
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" => enterprise_v2,
    "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User" => slack_guest_v2,
    "urn:ietf:params:scim:schemas:extension:slack:profile:2.0:User" => slack_profile_v2,
}

fn modelled(key: &str) -> Option<&'static Modelled> {
    MODELLED.iter().find(|(name, ..)| *name == key)
}

/// The field `user` writes under `key` (exactly as the client spells it),
/// `None` for a key the type does not model (it is in `extra`, if anywhere).
pub(crate) fn attribute<'a>(user: &'a User, key: &str) -> Option<&'a dyn Attribute> {
    reader(key).map(|read| read(user))
}

/// How a user's field under a top-level key is read.
pub(crate) type Reader = fn(&User) -> &dyn Attribute;

/// The reader of the field under `key`, looked up once where many users
/// are read.
pub(crate) fn reader(key: &str) -> Option<Reader> {
    modelled(key).map(|(_, field, _)| *field)
}

/// The attributes under some top-level keys, compared typed: whether two
/// users write the same JSON under every one of them (both without it
/// counts). An `extra` member is compared too: under a modelled key, it is
/// the value written last.
pub(crate) struct Compared<'a> {
    keys: Vec<&'a str>,
    /// Each key's comparison, where the type models it.
    by_key: Vec<Option<Same>>,
    /// The comparisons of the modelled keys, for [`same`](Self::same).
    modelled: Vec<Same>,
}

/// Whether two users' fields under one key are equal.
type Same = fn(&User, &User) -> bool;

impl<'a> Compared<'a> {
    pub(crate) fn new(roots: &[&'a str]) -> Compared<'a> {
        let mut keys = roots.to_vec();
        keys.sort_unstable();
        keys.dedup();
        let by_key: Vec<Option<Same>> = keys
            .iter()
            .map(|key| modelled(key).map(|(.., same)| *same))
            .collect();
        let modelled = by_key.iter().flatten().copied().collect();
        Compared {
            keys,
            by_key,
            modelled,
        }
    }

    pub(crate) fn same(&self, a: &User, b: &User) -> bool {
        let extra = (a.extra.is_empty() && b.extra.is_empty())
            || self
                .keys
                .iter()
                .all(|&key| a.extra.get(key) == b.extra.get(key));
        extra && self.modelled.iter().all(|same| same(a, b))
    }

    /// The keys under which `a` and `b` may write different JSON: every
    /// other key writes the same under both (or nothing under either).
    pub(crate) fn differing(&self, a: &User, b: &User) -> Vec<&'a str> {
        let differs = |(&key, same): (&&'a str, &Option<Same>)| {
            a.extra.get(key) != b.extra.get(key) || same.is_some_and(|same| !same(a, b))
        };
        let keys = self.keys.iter().zip(&self.by_key);
        keys.filter(|&pair| differs(pair))
            .map(|(&key, _)| key)
            .collect()
    }
}

/// Whether `user` writes anything under `key`.
pub(crate) fn has(user: &User, key: &str) -> bool {
    user.extra.contains_key(key) || attribute(user, key).is_some_and(|a| a.present())
}

/// The attributes of `user` under `roots` (top-level keys), as the JSON
/// object the client writes would hold them: what
/// [`project`](super::json::project) picks, without the text in between.
pub(crate) fn project_user(user: &User, roots: &[&str]) -> Value {
    let mut picked = Map::new();
    for &key in roots {
        if picked.contains_key(key) {
            continue;
        }
        // An `extra` member under a modelled key is written after it.
        let value = match user.extra.get(key) {
            Some(value) => Some(value.clone()),
            None => attribute(user, key)
                .filter(|a| a.present())
                .map(Attribute::json),
        };
        if let Some(value) = value {
            picked.insert(key.to_owned(), value);
        }
    }
    Value::Object(picked)
}

/// [`MatchKey::of`], borrowed when the key is already as it compares
/// (`externalId` always; a login or address without upper case).
pub(crate) fn key_of(match_key: MatchKey, user: &User) -> Option<Cow<'_, str>> {
    let text = match_key.written(user)?;
    let lowered = match_key != MatchKey::ExternalId
        && (!text.is_ascii() || text.bytes().any(|b| b.is_ascii_uppercase()));
    Some(match lowered {
        true => Cow::Owned(match_key.normalise(text)),
        false => Cow::Borrowed(text),
    })
}

/// [`Ownership::owns`] of `user`'s JSON, read from the typed `externalId`
/// (a marker is read from its attribute's JSON).
pub(crate) fn owns(ownership: &Ownership, user: &User) -> bool {
    let external_id = match user.extra.get("externalId") {
        Some(written) => written.as_str(),
        None => user.external_id.as_deref(),
    };
    match ownership {
        Ownership::ExternalIdPrefix(prefix) => {
            external_id.is_some_and(|id| id.starts_with(prefix.as_str()))
        }
        Ownership::AnyExternalId => external_id.is_some_and(|id| !id.is_empty()),
        Ownership::Marker { path, value } => {
            let root = super::json::split_root(path).map_or(path.as_str(), |(root, _)| root);
            get(&project_user(user, &[root]), path) == Some(value)
        }
        Ownership::Nothing => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scim_client::model::{Name, TypedValue};
    use serde_json::json;

    fn users() -> Vec<User> {
        let ada = User {
            id: "W1".into(),
            user_name: "Ada".into(),
            external_id: "hr:1".into(),
            name: Name {
                given_name: "Ada".into(),
                ..Name::default()
            }
            .into(),
            title: Field::Null,
            emails: vec![TypedValue {
                value: "ADA@x.test".into(),
                primary: true.into(),
                ..TypedValue::default()
            }]
            .into(),
            ..User::default()
        };
        let mut odd = User {
            user_name: "ç".into(),
            external_id: "".into(),
            ..User::default()
        };
        odd.extra.insert("nickName".into(), json!("marked"));
        odd.extra.insert("externalId".into(), json!("hr:2"));
        vec![ada, odd, User::default()]
    }

    #[test]
    fn a_projection_is_what_the_users_json_holds() {
        let roots = [
            "userName",
            "name",
            "title",
            "emails",
            "nickName",
            "externalId",
            "active",
        ];
        for user in users() {
            let text = serde_json::to_string(&user).expect("a user serialises");
            let json: Map<String, Value> = serde_json::from_str(&text).expect("and parses");
            let expected: Map<String, Value> = json
                .into_iter()
                .filter(|(key, _)| roots.contains(&key.as_str()))
                .collect();
            assert_eq!(project_user(&user, &roots), Value::Object(expected));
        }
    }

    #[test]
    fn every_modelled_key_is_read_typed() {
        for key in User::KNOWN_KEYS {
            assert!(attribute(&User::default(), key).is_some(), "{key}");
        }
    }

    #[test]
    fn equal_means_the_same_json_and_a_difference_shows() {
        let [ada, odd, empty] = <[User; 3]>::try_from(users()).expect("three users");
        let roots = ["userName", "title", "nickName", "emails"];
        assert!(Compared::new(&roots).same(&ada, &ada.clone()));
        assert!(!Compared::new(&roots).same(&ada, &empty));
        assert!(!Compared::new(&["nickName"]).same(&odd, &empty));
        let retitled = User {
            title: "Countess".into(),
            ..ada.clone()
        };
        assert!(!Compared::new(&roots).same(&ada, &retitled));
        assert!(Compared::new(&["userName"]).same(&ada, &retitled));
        assert_eq!(Compared::new(&roots).differing(&ada, &retitled), ["title"]);
        assert_eq!(Compared::new(&roots).differing(&ada, &ada), [] as [&str; 0]);
        assert_eq!(
            Compared::new(&roots).differing(&odd, &empty),
            ["nickName", "userName"]
        );
    }

    #[test]
    fn keys_and_ownership_read_as_from_json() {
        let rules = [
            Ownership::ExternalIdPrefix("hr:".into()),
            Ownership::AnyExternalId,
            Ownership::Marker {
                path: "nickName".into(),
                value: json!("marked"),
            },
            Ownership::Nothing,
        ];
        let all = ["externalId", "nickName", "userName", "emails"];
        for user in users() {
            for key in [
                MatchKey::ExternalId,
                MatchKey::UserName,
                MatchKey::PrimaryEmail,
            ] {
                assert_eq!(key_of(key, &user).map(Cow::into_owned), key.of(&user));
            }
            for rule in &rules {
                assert_eq!(owns(rule, &user), rule.owns(&project_user(&user, &all)));
            }
        }
    }
}
