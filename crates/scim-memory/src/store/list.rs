//! List answers: one page of the matches of a [`Query`], over one kind in
//! id order or over every kind, with `totalResults`, `startIndex` and
//! `nextCursor` as the service pages.

use std::cmp::Ordering;

use serde_json::{Value, json};

use super::cursor::{CursorAt, encode_id_cursor, encode_offset_cursor, invalid_cursor};
use super::query::Position;
use super::{Kind, Query, Resource, Store};
use crate::{Failure, discovery};
use scim_client::filter::AttrPath;
use scim_client::model::{CORE_V1, LIST_RESPONSE};

/// The matches one page holds, and where they sit among all matches.
struct Selection<'a> {
    page: Vec<&'a Resource>,
    /// Every match.
    total: usize,
    /// The matches before the page.
    before: usize,
    /// Whether matches follow the page.
    more: bool,
}

/// Where an unsorted walk starts: after `skip` matches, or after an id.
struct Start<'q> {
    skip: usize,
    after: Option<&'q str>,
}

impl Store {
    /// One page of `kind`'s resources matching `query`.
    pub(crate) fn list(&self, kind: Kind, query: &Query) -> Result<Value, Failure> {
        // One kind's map iterates in id order: cursors can name the last id.
        self.page(self.map(kind).values(), query, true)
    }

    /// `POST /.search`: every resource type together.
    pub(crate) fn list_all(&self, query: &Query) -> Result<Value, Failure> {
        let custom = self.custom.iter().flat_map(|t| t.resources.values());
        let all = self
            .users
            .values()
            .chain(self.groups.values())
            .chain(custom);
        self.page(all, query, false)
    }

    /// One page of the matches. Unsorted, it keeps only the page while
    /// counting the rest, so an answer costs memory for one page whatever
    /// the store holds.
    ///
    /// `by_id` says the resources come in id order; then an unsorted
    /// list's cursor names the last id served (a keyset), so resources
    /// added or removed between pages neither shift nor repeat the rest.
    /// Otherwise a cursor holds an offset into the matches.
    fn page<'a>(
        &self,
        resources: impl Iterator<Item = &'a Resource>,
        query: &Query,
        by_id: bool,
    ) -> Result<Value, Failure> {
        let keyset = by_id && query.sort_by.is_none();
        let start = start(&query.position, keyset)?;
        let wanted = |r: &&Resource| query.filter.as_ref().is_none_or(|f| f.matches(r));
        let selection = match &query.sort_by {
            None => select_in_order(resources.filter(wanted), &start, query.count),
            Some(sort_by) => {
                let mut found: Vec<&Resource> = resources.filter(wanted).collect();
                found.sort_by(|a, b| compare_for_sort(a, b, sort_by));
                if query.descending {
                    found.reverse();
                }
                select_sorted(found, start.skip, query.count)
            }
        };
        let next_cursor = match selection.page.last() {
            Some(last) if selection.more && query.next_cursor => Some(if keyset {
                encode_id_cursor(id_of(last))
            } else {
                encode_offset_cursor(selection.before.saturating_add(selection.page.len()))
            }),
            _ => None,
        };
        Ok(self.list_body(selection, query, next_cursor))
    }

    /// The `ListResponse` (Slack v1: its list form) of a selection.
    fn list_body(&self, selection: Selection, query: &Query, next_cursor: Option<String>) -> Value {
        let page: Vec<Value> = selection
            .page
            .into_iter()
            .map(|r| Value::Object(query.projection.apply(r.clone())))
            .collect();
        let total = selection.total;
        let mut body = if self.v2() {
            json!({"schemas": [LIST_RESPONSE], "totalResults": total, "itemsPerPage": page.len(), "Resources": page})
        } else {
            json!({"totalResults": total, "itemsPerPage": page.len(), "schemas": [CORE_V1], "Resources": page})
        };
        if let Position::Index(start) = query.position {
            body["startIndex"] = Value::from(start);
        }
        if let Some(cursor) = next_cursor {
            body["nextCursor"] = Value::from(cursor);
        }
        body
    }
}

/// Where a page starts; an id cursor only fits an unsorted list of one kind.
fn start(position: &Position, keyset: bool) -> Result<Start<'_>, Failure> {
    let (skip, after) = match position {
        Position::Index(start) => (start.saturating_sub(1), None),
        Position::Cursor(CursorAt::First) => (0, None),
        Position::Cursor(CursorAt::Offset(offset)) => (*offset, None),
        Position::Cursor(CursorAt::AfterId(id)) if keyset => (0, Some(id.as_str())),
        Position::Cursor(CursorAt::AfterId(_)) => {
            return Err(invalid_cursor("the cursor belongs to another list"));
        }
    };
    Ok(Start { skip, after })
}

/// Walks the matches in their order, keeping only the page.
fn select_in_order<'a>(
    matches: impl Iterator<Item = &'a Resource>,
    start: &Start,
    count: usize,
) -> Selection<'a> {
    let mut selection = Selection {
        page: Vec::with_capacity(count.min(discovery::MAX_RESULTS)),
        total: 0,
        before: 0,
        more: false,
    };
    for resource in matches {
        selection.total = selection.total.saturating_add(1);
        let is_before = match start.after {
            Some(after) => id_of(resource) <= after,
            None => selection.before < start.skip,
        };
        if is_before {
            selection.before = selection.before.saturating_add(1);
        } else if selection.page.len() < count {
            selection.page.push(resource);
        } else {
            selection.more = true;
        }
    }
    selection
}

/// The page of sorted matches after the first `skip`.
fn select_sorted(found: Vec<&Resource>, skip: usize, count: usize) -> Selection<'_> {
    let total = found.len();
    let before = skip.min(total);
    let page: Vec<&Resource> = found.into_iter().skip(before).take(count).collect();
    let more = before.saturating_add(page.len()) < total;
    Selection {
        page,
        total,
        before,
        more,
    }
}

/// Sorts on the first value the path reaches; resources without one go last.
fn compare_for_sort(a: &Resource, b: &Resource, path: &AttrPath) -> Ordering {
    let key = |r: &Resource| {
        path.values_in(r)
            .into_iter()
            .find(|v| !v.is_null())
            .cloned()
    };
    match (key(a), key(b)) {
        (Some(Value::String(x)), Some(Value::String(y))) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(x), Some(y)) => x.to_string().cmp(&y.to_string()),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn id_of(resource: &Resource) -> &str {
    resource
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
}
