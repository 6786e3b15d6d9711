//! [`ListResponse`]: one page of a search, as Slack and RFC 7644 send it.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::object::Key;

/// One page of search results: `totalResults`, `itemsPerPage`, `startIndex`
/// and the page's `Resources`.
///
/// The counts are typed (the Python SDK leaves them in a dict). Providers
/// differ in which they send, so each is an `Option`; `Resources` missing
/// (Slack omits it when nothing matched) reads as an empty page.
#[derive(Clone, Debug, PartialEq)]
pub struct ListResponse<T> {
    /// `schemas`, when the provider sends it.
    pub schemas: Option<Vec<String>>,
    /// `totalResults`: how many resources match the query in all.
    pub total_results: Option<u64>,
    /// `itemsPerPage`: how many resources this page holds.
    pub items_per_page: Option<u64>,
    /// `startIndex`: the 1-based index of this page's first resource.
    pub start_index: Option<u64>,
    /// `Resources`: the resources on this page.
    pub resources: Vec<T>,
    /// Envelope attributes this type does not model, with their exact keys.
    pub extra: Map<String, Value>,
}

impl<T> Default for ListResponse<T> {
    fn default() -> Self {
        ListResponse {
            schemas: None,
            total_results: None,
            items_per_page: None,
            start_index: None,
            resources: Vec::new(),
            extra: Map::new(),
        }
    }
}

impl<T: Serialize> Serialize for ListResponse<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(schemas) = &self.schemas {
            map.serialize_entry("schemas", schemas)?;
        }
        if let Some(n) = self.total_results {
            map.serialize_entry("totalResults", &n)?;
        }
        if let Some(n) = self.items_per_page {
            map.serialize_entry("itemsPerPage", &n)?;
        }
        if let Some(n) = self.start_index {
            map.serialize_entry("startIndex", &n)?;
        }
        map.serialize_entry("Resources", &self.resources)?;
        for (key, value) in &self.extra {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for ListResponse<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T>(PhantomData<T>);
        impl<'de, T: DeserializeOwned> Visitor<'de> for ListVisitor<T> {
            type Value = ListResponse<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a SCIM list response object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ListResponse<T>, A::Error> {
                let mut out = ListResponse::default();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    match &*key.0 {
                        "schemas" => out.schemas = map.next_value()?,
                        "totalResults" => out.total_results = map.next_value()?,
                        "itemsPerPage" => out.items_per_page = map.next_value()?,
                        "startIndex" => out.start_index = map.next_value()?,
                        "Resources" => {
                            // Slack and most services send the counts first: size the
                            // page once instead of growing it (bounded, so a hostile
                            // itemsPerPage cannot reserve much).
                            let expected =
                                out.items_per_page.unwrap_or(0).min(MAX_RESERVED) as usize;
                            out.resources = map
                                .next_value_seed(Resources::<T>(expected, PhantomData))?
                                .unwrap_or_default()
                        }
                        _ => {
                            let value = map.next_value()?;
                            out.extra.insert(key.0.into_owned(), value);
                        }
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(ListVisitor(PhantomData))
    }
}

/// The most resources reserved ahead from `itemsPerPage`.
const MAX_RESERVED: u64 = 1000;

/// `Resources`: `null` or an array, read into a vector of the expected size.
struct Resources<T>(usize, PhantomData<T>);

impl<'de, T: DeserializeOwned> serde::de::DeserializeSeed<'de> for Resources<T> {
    type Value = Option<Vec<T>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Resources<T> {
    type Value = Option<Vec<T>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of resources")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut resources = Vec::with_capacity(self.0);
        while let Some(resource) = seq.next_element()? {
            resources.push(resource);
        }
        Ok(Some(resources))
    }
}
