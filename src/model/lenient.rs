//! The one lenient decoding path every model attribute goes through.
//!
//! Real providers bend the types RFC 7643 gives their attributes. Each
//! leniency here accepts what a provider plausibly means, and the model
//! writes the canonical form back:
//!
//! - **Booleans from strings.** Microsoft Entra ID sends `"active": "True"`
//!   (its SCIM validator and its provisioning logs show string booleans), and
//!   RFC 7643 §2.3.2 allows only `true`/`false`: `"true"`/`"false"` in any
//!   case are read as the boolean.
//! - **Strings from numbers.** RFC 7643 §2.3.1 makes `id`, `externalId`,
//!   `meta.version` and multi-valued `value` strings, and opaque ones; real
//!   users pages carry `"meta": {"version": 143}` and numeric employee or
//!   phone values. A JSON number where a string is expected is read as its
//!   decimal text.
//! - **Integers from numeric strings**, for the list counts (`totalResults`,
//!   `itemsPerPage`, `startIndex`, RFC 7644 §3.4.2) and the discovery limits:
//!   `"totalResults": "3"` is 3.
//! - **`null` wherever a value may be**: a `null` attribute is
//!   [`Field::Null`](super::Field::Null), a `null` list or object too.
//!
//! Attribute names are matched case-insensitively in the object visitors
//! (`scim_object!` and the list envelope), per RFC 7643 §2.1: "Attribute
//! names are case insensitive".

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};

use super::Field;

/// A model value that decodes leniently; see the module docs.
pub(crate) trait Lenient: Sized {
    /// Decodes `Self`, accepting the provider variants the module docs list.
    fn lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// Decodes one present attribute into a [`Field`]: `null` is
/// [`Field::Null`], anything else goes through [`Lenient`].
pub(crate) struct FieldSeed<T>(PhantomData<T>);

impl<T> FieldSeed<T> {
    pub(crate) fn new() -> FieldSeed<T> {
        FieldSeed(PhantomData)
    }
}

impl<'de, T: Lenient> DeserializeSeed<'de> for FieldSeed<T> {
    type Value = Field<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Field<T>, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, T: Lenient> Visitor<'de> for FieldSeed<T> {
    type Value = Field<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Field<T>, E> {
        Ok(Field::Null)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Field<T>, E> {
        Ok(Field::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Field<T>, D::Error> {
        T::lenient(deserializer).map(Field::Value)
    }
}

impl Lenient for String {
    fn lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        struct Text;
        impl Visitor<'_> for Text {
            type Value = String;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string (or a number, read as its text)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
                Ok(v.to_owned())
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
                Ok(v)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
                Ok(v.to_string())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
                // An integer too large for u64 arrives here rounded: its text
                // would be a different id. Refuse rather than guess.
                if v.fract() == 0.0 && v.abs() >= 9_007_199_254_740_992.0 {
                    return Err(E::invalid_value(
                        de::Unexpected::Float(v),
                        &"a number small enough to be read exactly (quote a long id)",
                    ));
                }
                // serde_json's own text for the number (`1.5`).
                Ok(
                    serde_json::Number::from_f64(v)
                        .map_or_else(|| v.to_string(), |n| n.to_string()),
                )
            }
        }
        deserializer.deserialize_any(Text)
    }
}

impl Lenient for bool {
    fn lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
        struct Flag;
        impl Visitor<'_> for Flag {
            type Value = bool;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean (or \"true\"/\"false\" in any case)")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
                Ok(v)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
                if v.eq_ignore_ascii_case("true") {
                    Ok(true)
                } else if v.eq_ignore_ascii_case("false") {
                    Ok(false)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
        }
        deserializer.deserialize_any(Flag)
    }
}

impl Lenient for u64 {
    fn lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        struct Count;
        impl Visitor<'_> for Count {
            type Value = u64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative integer (or one as a string)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
                Ok(v)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
                u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
                v.trim()
                    .parse()
                    .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        deserializer.deserialize_any(Count)
    }
}

impl<T: Lenient> Lenient for Vec<T> {
    fn lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<T>, D::Error> {
        struct Items<T>(PhantomData<T>);
        impl<'de, T: Lenient> Visitor<'de> for Items<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                // A hostile size hint must not reserve much.
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                while let Some(item) = seq.next_element_seed(Element::<T>(PhantomData))? {
                    items.push(item);
                }
                Ok(items)
            }
        }
        deserializer.deserialize_seq(Items(PhantomData))
    }
}

/// One array element, decoded leniently.
struct Element<T>(PhantomData<T>);

impl<'de, T: Lenient> DeserializeSeed<'de> for Element<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::lenient(deserializer)
    }
}

impl Lenient for serde_json::Value {
    fn lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde::Deserialize::deserialize(deserializer)
    }
}
