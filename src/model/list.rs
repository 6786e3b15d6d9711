//! [`ListResponse`]: one page of a search, as Slack and RFC 7644 send it.

use std::borrow::Borrow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use serde_json::value::RawValue;

use super::lenient::FieldSeed;
use super::object::Key;
use super::search::SearchRequest;
use crate::model::decode::{DecodeError, from_json, locate};

/// One page of search results: `totalResults`, `itemsPerPage`, `startIndex`,
/// the cursors of RFC 9865 §2 (`nextCursor`, `previousCursor`) and the
/// page's `Resources`.
///
/// The counts are typed (the Python SDK leaves them in a dict). Providers
/// differ in which they send, so each is an `Option`; `Resources` missing
/// (Slack omits it when nothing matched) reads as an empty page. The
/// envelope's keys are matched in any case (`resources` is `Resources`),
/// the counts may come as numeric strings and the cursors as numbers (read
/// as their decimal text); `null` is absent.
///
/// [`from_json`](Self::from_json), which the client uses, decodes every
/// resource it can: one that cannot be read lands in
/// [`failed`](Self::failed) with its index, id, raw JSON and error, and
/// never takes the page down with it. Decoding accepts any JSON object, so
/// that every page round-trips; whether an answer is a page at all is
/// decided by [`check_answers`](Self::check_answers), which the client's
/// one list reader ([`ScimResponse::page`](crate::ScimResponse::page))
/// applies to every list answer.
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
    /// `nextCursor` (RFC 9865 §2): the cursor of the next page. A cursor
    /// service sends it on every page but the last, so its absence marks
    /// the end of a cursor walk.
    pub next_cursor: Option<String>,
    /// `previousCursor` (RFC 9865 §2): the cursor of the page before, which
    /// a service may send (never on the first page). A walk does not use it.
    pub previous_cursor: Option<String>,
    /// `Resources`: the resources on this page that could be decoded.
    pub resources: Vec<T>,
    /// The resources on this page that could not be decoded, in page order.
    pub failed: Vec<ResourceFailure>,
    /// How an empty page carried `Resources`, so it is written back the same way.
    pub resources_sent: ResourcesSent,
    /// Envelope attributes this type does not model, with their exact keys.
    pub extra: Map<String, Value>,
}

/// How a page carried `Resources` when it had none: RFC 7644 sends `[]`,
/// Slack leaves the member out, some services send `null`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ResourcesSent {
    /// An array (the default, and always the case when there are resources).
    #[default]
    Array,
    /// `"Resources": null`.
    Null,
    /// No `Resources` member.
    Absent,
}

/// A resource of a list page that could not be decoded; the rest of the
/// page was. Nothing is dropped without a trace: the raw JSON is kept.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceFailure {
    /// Its 0-based index in the page's `Resources`.
    pub index: usize,
    /// Its `id`, when it has one.
    pub id: Option<String>,
    /// The resource exactly as received.
    pub raw: String,
    /// Why and where it could not be decoded (`Resources[2].emails[0].primary`).
    pub error: DecodeError,
}

impl ResourceFailure {
    pub(crate) fn scrub(&mut self, secrets: &crate::secrets::Secrets) {
        secrets.scrub_string(&mut self.raw);
        if let Some(id) = &mut self.id {
            secrets.scrub_string(id);
        }
        self.error.scrub(secrets);
    }
}

impl fmt::Display for ResourceFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "resource {} of the page could not be decoded, {}",
            self.index, self.error
        )
    }
}

impl<T: DeserializeOwned> ListResponse<T> {
    /// Decodes a page from JSON: every resource it can, and each one it
    /// cannot into [`failed`](Self::failed). Only an envelope that is not
    /// a list response (invalid JSON, a count that is not a number) fails
    /// the whole page.
    ///
    /// The whole page is decoded in one pass first; only when that fails
    /// is it decoded again resource by resource, so a clean page costs no
    /// more than before.
    pub fn from_json(bytes: &[u8]) -> Result<ListResponse<T>, DecodeError> {
        match from_json::<ListResponse<T>>(bytes) {
            Ok(page) => Ok(page),
            Err(_) => Self::resource_by_resource(bytes),
        }
    }

    fn resource_by_resource(bytes: &[u8]) -> Result<ListResponse<T>, DecodeError> {
        let raw = serde_json::from_slice::<ListResponse<Box<RawValue>>>(bytes)
            .map_err(|error| locate::<ListResponse<Value>>(bytes, error))?;
        let mut page = ListResponse {
            resources: Vec::with_capacity(raw.resources.len()),
            failed: Vec::new(),
            ..raw.envelope()
        };
        for (index, resource) in raw.resources.into_iter().enumerate() {
            match serde_json::from_str::<T>(resource.get()) {
                Ok(resource) => page.resources.push(resource),
                Err(error) => {
                    let error = locate::<T>(resource.get().as_bytes(), error)
                        .within(&format!("Resources[{index}]"));
                    page.failed.push(ResourceFailure {
                        index,
                        id: error.id().map(str::to_owned),
                        raw: resource.get().to_owned(),
                        error,
                    });
                }
            }
        }
        Ok(page)
    }
}

impl<T> ListResponse<T> {
    /// The envelope alone, with no resources.
    fn envelope<U>(&self) -> ListResponse<U> {
        ListResponse {
            schemas: self.schemas.clone(),
            total_results: self.total_results,
            items_per_page: self.items_per_page,
            start_index: self.start_index,
            next_cursor: self.next_cursor.clone(),
            previous_cursor: self.previous_cursor.clone(),
            resources: Vec::new(),
            failed: Vec::new(),
            resources_sent: self.resources_sent,
            extra: self.extra.clone(),
        }
    }

    /// Checks that this page answers `asked`, the query it was asked with.
    /// [`ScimResponse::page`](crate::ScimResponse::page), the client's one
    /// reader of list answers, applies it to every page; decoding alone
    /// ([`from_json`](Self::from_json), serde) does not, so that any JSON
    /// round-trips. Each refusal is a [`DecodeError`] naming what is missing:
    ///
    /// - **Not a list response** (path `""`): neither `totalResults` nor
    ///   `Resources` is there, as in `{}`, `{"status": "ok"}` or a single
    ///   resource. Read as a page, it would be an empty directory, and a
    ///   provisioning job acting on absence would re-create or deactivate
    ///   every account.
    /// - **An empty page the counts contradict** (path `Resources`): no
    ///   resources while `totalResults` covers `asked`'s `startIndex`, or,
    ///   without a total, while `itemsPerPage` is above 0. A server that
    ///   echoes `startIndex: 1` whatever it was asked is not believed.
    ///   RFC 7644 §3.4.2.4: "A value of 0 indicates that no resource results
    ///   are to be returned except for totalResults", so a `count=0` query
    ///   is answered by `totalResults` alone.
    /// - **No `totalResults`** (path `totalResults`) on an index page:
    ///   RFC 7644 §3.4.2 makes it REQUIRED, and SCIM 1.1 (Slack v1) too;
    ///   without it a walk cannot tell a complete list from a cut one. A
    ///   cursor page (`asked` has a `cursor`, or the page a `nextCursor` or
    ///   `previousCursor`) may leave it out: RFC 9865 §2 ends a cursor walk
    ///   on the missing `nextCursor`, and cursor services may not know
    ///   their total. A `count=0` query asks for the total, so needs it.
    ///
    /// What the decoder already forgives stays forgiven: `Resources` in any
    /// case, `null` or absent (with a total), counts as numeric strings.
    pub fn check_answers(&self, asked: &SearchRequest) -> Result<(), DecodeError> {
        self.check_is_list()?;
        if asked.count != Some(0) {
            self.check_counts(asked.requested_start())?;
        }
        self.check_total(asked)
    }

    /// A body with neither `totalResults` nor `Resources` is not a page.
    fn check_is_list(&self) -> Result<(), DecodeError> {
        if self.total_results.is_some() || self.resources_sent != ResourcesSent::Absent {
            return Ok(());
        }
        let mut found: Vec<&str> = self.extra.keys().map(String::as_str).take(8).collect();
        if self.schemas.is_some() {
            found.insert(0, "schemas");
        }
        let found = match (found.is_empty(), &self.schemas) {
            (true, _) => "it is an empty object".to_owned(),
            (false, Some(schemas)) => {
                format!("it has {} (schemas {schemas:?})", found.join(", "))
            }
            (false, None) => format!("it has {}", found.join(", ")),
        };
        Err(DecodeError::shape(
            "",
            format!(
                "the answer is not a list response: it has neither `totalResults` nor \
                 `Resources` ({found})"
            ),
        ))
    }

    /// An empty page is one the counts agree with (`requested_start`: the
    /// `startIndex` asked for, `u64::MAX` for a cursor page past the first).
    fn check_counts(&self, requested_start: u64) -> Result<(), DecodeError> {
        if !self.resources.is_empty() || !self.failed.is_empty() {
            return Ok(());
        }
        let start = requested_start.max(1);
        match (self.total_results, self.items_per_page) {
            // The total decides when there is one: some providers echo the
            // requested `count` in `itemsPerPage` even on an empty page.
            (Some(total), _) if total >= start => Err(DecodeError::shape(
                "Resources",
                format!(
                    "the page at startIndex {start} has no resources, but totalResults {total} \
                     says it should"
                ),
            )),
            (None, Some(items)) if items > 0 => Err(DecodeError::shape(
                "Resources",
                format!("the page has no resources, but its itemsPerPage is {items}"),
            )),
            _ => Ok(()),
        }
    }

    /// `totalResults` is there, unless this is a cursor page that need not
    /// carry it.
    fn check_total(&self, asked: &SearchRequest) -> Result<(), DecodeError> {
        let cursor_page =
            asked.cursor.is_some() || self.next_cursor.is_some() || self.previous_cursor.is_some();
        if self.total_results.is_some() || (cursor_page && asked.count != Some(0)) {
            return Ok(());
        }
        let why = if asked.count == Some(0) {
            "a count=0 query asks for the total alone (RFC 7644 §3.4.2.4)"
        } else {
            "RFC 7644 §3.4.2 makes it REQUIRED in a list response, and without it a walk \
             cannot tell a complete list from a cut one"
        };
        Err(DecodeError::shape(
            "totalResults",
            format!("the page has no `totalResults`: {why}"),
        ))
    }
}

impl<T> Default for ListResponse<T> {
    fn default() -> Self {
        ListResponse {
            schemas: None,
            total_results: None,
            items_per_page: None,
            start_index: None,
            next_cursor: None,
            previous_cursor: None,
            resources: Vec::new(),
            failed: Vec::new(),
            resources_sent: ResourcesSent::Array,
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
        if let Some(cursor) = &self.next_cursor {
            map.serialize_entry("nextCursor", cursor)?;
        }
        if let Some(cursor) = &self.previous_cursor {
            map.serialize_entry("previousCursor", cursor)?;
        }
        match (
            self.resources.is_empty() && self.failed.is_empty(),
            self.resources_sent,
        ) {
            (true, ResourcesSent::Null) => map.serialize_entry("Resources", &())?,
            (true, ResourcesSent::Absent) => {}
            _ if self.failed.is_empty() => map.serialize_entry("Resources", &self.resources)?,
            // Undecodable resources go back where they were, as received.
            _ => map.serialize_entry("Resources", &InPageOrder(self))?,
        }
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
                let mut out = ListResponse {
                    resources_sent: ResourcesSent::Absent,
                    ..ListResponse::default()
                };
                let mut seen_resources = false;
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    // RFC 7643 §2.1: attribute names are case insensitive.
                    match Envelope::of(&key.0) {
                        Envelope::Schemas => out.schemas = map.next_value()?,
                        Envelope::TotalResults => out.total_results = count(&mut map)?,
                        Envelope::ItemsPerPage => out.items_per_page = count(&mut map)?,
                        Envelope::StartIndex => out.start_index = count(&mut map)?,
                        Envelope::NextCursor => out.next_cursor = cursor(&mut map)?,
                        Envelope::PreviousCursor => out.previous_cursor = cursor(&mut map)?,
                        Envelope::Resources if seen_resources => {
                            // Two spellings of one member: which page is meant?
                            return Err(serde::de::Error::custom(
                                "the page has `Resources` twice (in different cases)",
                            ));
                        }
                        Envelope::Resources => {
                            seen_resources = true;
                            // Slack and most services send the counts first: size the
                            // page once instead of growing it (bounded, so a hostile
                            // itemsPerPage cannot reserve much).
                            let expected =
                                out.items_per_page.unwrap_or(0).min(MAX_RESERVED) as usize;
                            let resources =
                                map.next_value_seed(Resources::<T>(expected, PhantomData))?;
                            out.resources_sent = match resources {
                                Some(_) => ResourcesSent::Array,
                                None => ResourcesSent::Null,
                            };
                            out.resources = resources.unwrap_or_default()
                        }
                        Envelope::Other => {
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

/// A page's decoded resources (`Ok`) and undecodable ones (`Err`), merged
/// back into the order the page had them: each failure knows its index, the
/// decoded resources fill the places between. Owned or borrowed alike.
pub(crate) fn in_page_order<T, F: Borrow<ResourceFailure>>(
    resources: impl IntoIterator<Item = T>,
    failed: impl IntoIterator<Item = F>,
) -> impl Iterator<Item = Result<T, F>> {
    let mut resources = resources.into_iter();
    let mut failed = failed.into_iter().peekable();
    let mut index = 0;
    std::iter::from_fn(move || {
        let next = match failed.next_if(|f| f.borrow().index <= index) {
            Some(failure) => Err(failure),
            None => match resources.next() {
                Some(resource) => Ok(resource),
                None => Err(failed.next()?),
            },
        };
        index += 1;
        Some(next)
    })
}

/// A page's resources, the undecodable ones back at their place as received.
struct InPageOrder<'a, T>(&'a ListResponse<T>);

impl<T: Serialize> Serialize for InPageOrder<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let page = self.0;
        let mut seq = serializer.serialize_seq(Some(page.resources.len() + page.failed.len()))?;
        for entry in in_page_order(&page.resources, &page.failed) {
            match entry {
                Ok(resource) => seq.serialize_element(resource)?,
                Err(failure) => {
                    let raw =
                        RawValue::from_string(failure.raw.clone()).map_err(S::Error::custom)?;
                    seq.serialize_element(&raw)?
                }
            }
        }
        seq.end()
    }
}

/// The envelope's attributes, matched in any case.
enum Envelope {
    Schemas,
    TotalResults,
    ItemsPerPage,
    StartIndex,
    NextCursor,
    PreviousCursor,
    Resources,
    Other,
}

impl Envelope {
    fn of(key: &str) -> Envelope {
        const KEYS: [(&str, Envelope); 7] = [
            ("Resources", Envelope::Resources),
            ("totalResults", Envelope::TotalResults),
            ("itemsPerPage", Envelope::ItemsPerPage),
            ("startIndex", Envelope::StartIndex),
            ("nextCursor", Envelope::NextCursor),
            ("previousCursor", Envelope::PreviousCursor),
            ("schemas", Envelope::Schemas),
        ];
        KEYS.into_iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(key))
            .map_or(Envelope::Other, |(_, envelope)| envelope)
    }
}

/// A count: a number or a numeric string, `null` read as absent.
fn count<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<u64>, A::Error> {
    Ok(map.next_value_seed(FieldSeed::<u64>::new())?.into_option())
}

/// A cursor (RFC 9865 §2): a string, or a number read as its decimal text
/// (opaque values some services send unquoted); `null` read as absent.
fn cursor<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<String>, A::Error> {
    Ok(map
        .next_value_seed(FieldSeed::<String>::new())?
        .into_option())
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
