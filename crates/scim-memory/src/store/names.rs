//! The userName index: each user's userName, lower-cased, to the id that
//! holds it, moved on every write so a uniqueness check is one lookup.
//!
//! userName is unique without regard to case (RFC 7643 §4.1.1:
//! `"uniqueness": "server"`, `"caseExact": false`), and its key is found
//! without regard to case too (RFC 7643 §2.1), as the required-attribute
//! check finds it.

use std::collections::HashMap;

use serde_json::Value;

use super::Resource;
use crate::patch::existing_key;

/// Lower-cased userName to the id of the user holding it.
#[derive(Debug, Default)]
pub(super) struct UserNames {
    holders: HashMap<String, String>,
}

impl UserNames {
    /// The id of the user holding `name`, in any case.
    pub(super) fn holder(&self, name: &str) -> Option<&str> {
        self.holders.get(&name.to_lowercase()).map(String::as_str)
    }

    /// User `id` was `before` (absent when created) and is `after`
    /// (absent when deleted): the name it had is released, the one it has
    /// is claimed.
    pub(super) fn moved(&mut self, id: &str, before: Option<&Resource>, after: Option<&Resource>) {
        let old = before.and_then(user_name_key);
        let new = after.and_then(user_name_key);
        if let Some(old) = old.filter(|old| Some(old) != new.as_ref()) {
            if self.holders.get(&old).is_some_and(|holder| holder == id) {
                self.holders.remove(&old);
            }
        }
        if let Some(new) = new {
            self.holders.insert(new, id.to_owned());
        }
    }
}

/// The index key of a user's userName.
fn user_name_key(resource: &Resource) -> Option<String> {
    existing_key(resource, "userName")
        .and_then(|key| resource.get(&key))
        .and_then(Value::as_str)
        .map(str::to_lowercase)
}
