//! [`Field`]: one attribute that is absent, explicitly `null`, or set.
//!
//! SCIM gives `null` a meaning of its own: in a v1 partial update (PATCH) an
//! attribute sent as `null` is cleared, while an attribute left out is kept
//! (RFC 7644 §3.5.1 says the same of replaced resources). `Option<T>` cannot
//! tell those apart, so every model attribute uses this type instead.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An attribute that is absent, explicitly `null`, or holds a value.
///
/// Serialisation omits [`Field::Absent`] entirely (the model types skip it),
/// writes [`Field::Null`] as JSON `null` and [`Field::Value`] as the value, so a
/// parsed resource serialises back to the JSON it came from.
///
/// ```
/// use scim_client::model::{Field, User};
///
/// let patch = User { title: Field::Null, user_name: "chenderson".into(), ..User::default() };
/// let json = serde_json::to_value(&patch).unwrap();
/// assert_eq!(json, serde_json::json!({"title": null, "userName": "chenderson"}));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Field<T> {
    /// The attribute is not present at all: a PATCH leaves it unchanged.
    #[default]
    Absent,
    /// The attribute is present as JSON `null`: a PATCH clears it.
    Null,
    /// The attribute is present with a value.
    Value(T),
}

impl<T> Field<T> {
    /// True when the attribute is not present.
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    /// True when the attribute is present as `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Field::Null)
    }

    /// The value, if there is one; absent and `null` both give `None`.
    pub fn value(&self) -> Option<&T> {
        match self {
            Field::Value(v) => Some(v),
            Field::Absent | Field::Null => None,
        }
    }

    /// A mutable reference to the value, if there is one.
    pub fn value_mut(&mut self) -> Option<&mut T> {
        match self {
            Field::Value(v) => Some(v),
            Field::Absent | Field::Null => None,
        }
    }

    /// Converts into an `Option`, forgetting the difference between absent and `null`.
    pub fn into_option(self) -> Option<T> {
        match self {
            Field::Value(v) => Some(v),
            Field::Absent | Field::Null => None,
        }
    }

    /// Borrows the value, keeping the absent/null distinction.
    pub fn as_ref(&self) -> Field<&T> {
        match self {
            Field::Absent => Field::Absent,
            Field::Null => Field::Null,
            Field::Value(v) => Field::Value(v),
        }
    }
}

impl Field<String> {
    /// The string value, if there is one.
    pub fn as_deref(&self) -> Option<&str> {
        self.value().map(String::as_str)
    }
}

impl<T> From<T> for Field<T> {
    fn from(value: T) -> Self {
        Field::Value(value)
    }
}

impl From<&str> for Field<String> {
    fn from(value: &str) -> Self {
        Field::Value(value.to_owned())
    }
}

impl<T> From<Option<T>> for Field<T> {
    /// `None` becomes [`Field::Null`]: a caller who passes an `Option` is
    /// saying what the attribute should be, and `None` means "no value".
    fn from(value: Option<T>) -> Self {
        match value {
            Some(v) => Field::Value(v),
            None => Field::Null,
        }
    }
}

impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // The model types never serialise an absent field; a bare `Field`
            // (for example inside a user's own struct) writes absent as null.
            Field::Absent | Field::Null => serializer.serialize_none(),
            Field::Value(v) => serializer.serialize_some(v),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Called only when the key is present, so "missing" never reaches here.
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(v) => Field::Value(v),
            None => Field::Null,
        })
    }
}
