//! The `scim_object!` macro: SCIM object types that keep unknown attributes.
//!
//! Every SCIM object may carry attributes this crate does not model (a
//! provider's own extension, a newer RFC attribute). Each generated type keeps
//! them in `extra` with their exact keys, so parse-then-serialise gives back
//! the same JSON. The (de)serialisers are written out here rather than derived
//! with `#[serde(flatten)]`, which buffers every attribute into an
//! intermediate tree before sorting known from unknown and is markedly slower.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// A JSON object key, borrowed from the input when the input allows it.
///
/// `Cow<str>`'s own `Deserialize` always allocates; this does not when
/// serde_json hands out a borrowed key, which is the common case.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an attribute name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Defines a SCIM object type: public [`Field`](crate::model::Field)
/// attributes, each bound to its JSON key, plus `extra` for the rest.
///
/// Decoding is the one lenient path ([`lenient`](crate::model::lenient)): a
/// known attribute under any casing fills its field (the exact spelling is
/// tried first, so the common case costs one comparison), values go through
/// [`Lenient`](crate::model::lenient::Lenient), and unknown keys keep their
/// exact spelling in `extra`. Writing always uses the canonical key. A key
/// that appears twice keeps its last value, as `serde_json::Value` does.
macro_rules! scim_object {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$field_meta:meta])*
                $key:literal => $field:ident : $ty:ty,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Default, PartialEq)]
        pub struct $name {
            $(
                $(#[$field_meta])*
                pub $field: $crate::model::Field<$ty>,
            )*
            /// Attributes this type does not model, with their exact keys and values.
            pub extra: ::serde_json::Map<String, ::serde_json::Value>,
        }

        impl $name {
            /// The JSON keys this type models; any other key goes to `extra`.
            pub const KNOWN_KEYS: &'static [&'static str] = &[$($key),*];
        }

        impl ::std::fmt::Debug for $name {
            /// Every attribute, except that a `password` is never shown.
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let mut out = f.debug_struct(stringify!($name));
                $(
                    if $key == "password" && self.$field.value().is_some() {
                        out.field(stringify!($field), &$crate::REDACTED);
                    } else {
                        out.field(stringify!($field), &self.$field);
                    }
                )*
                out.field("extra", &self.extra).finish()
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap;
                let present = 0 $(+ usize::from(!self.$field.is_absent()))*;
                let mut map = serializer.serialize_map(Some(present + self.extra.len()))?;
                $(
                    if !self.$field.is_absent() {
                        map.serialize_entry($key, &self.$field)?;
                    }
                )*
                for (key, value) in &self.extra {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct ObjectVisitor;
                impl<'de> ::serde::de::Visitor<'de> for ObjectVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a SCIM ", stringify!($name), " object"))
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        let mut out = $name::default();
                        use $crate::model::lenient::FieldSeed;
                        while let Some(key) = map.next_key::<$crate::model::object::Key<'de>>()? {
                            match &*key.0 {
                                $( $key => out.$field = map.next_value_seed(FieldSeed::new())?, )*
                                // RFC 7643 §2.1: attribute names are case insensitive.
                                other => match $name::KNOWN_KEYS.iter().find(|k| k.eq_ignore_ascii_case(other)) {
                                    $( Some(&$key) => out.$field = map.next_value_seed(FieldSeed::new())?, )*
                                    _ => {
                                        let value = map.next_value()?;
                                        out.extra.insert(key.0.into_owned(), value);
                                    }
                                },
                            }
                        }
                        Ok(out)
                    }
                }
                deserializer.deserialize_map(ObjectVisitor)
            }
        }

        impl $crate::model::lenient::Lenient for $name {
            fn lenient<'de, D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                ::serde::Deserialize::deserialize(deserializer)
            }
        }
    };
}

pub(crate) use scim_object;
