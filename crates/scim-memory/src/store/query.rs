//! [`Query`]: a list request (filter, sort, page, projection) read from a
//! GET query string or a `.search` body, paged as the service pages.

use std::collections::HashMap;

use super::cursor::{CursorAt, decode_cursor};
use super::{Paging, Projection};
use crate::Failure;
use scim_client::Dialect;
use scim_client::filter::{AttrPath, Filter};
use scim_client::model::{SearchRequest, SortOrder};

/// Where a list page starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Position {
    /// At this 1-based index (RFC 7644 §3.4.2.4).
    Index(usize),
    /// At a cursor (RFC 9865).
    Cursor(CursorAt),
}

/// A list request: filter, sort, page and projection.
#[derive(Debug)]
pub(crate) struct Query {
    pub(super) filter: Option<Filter>,
    pub(super) sort_by: Option<AttrPath>,
    pub(super) descending: bool,
    pub(super) position: Position,
    /// Whether a page that is not the last names the next (RFC 9865).
    pub(super) next_cursor: bool,
    pub(super) count: usize,
    pub(super) projection: Projection,
}

impl Query {
    /// A list request's query string, paged as `paging` says.
    pub(crate) fn from_params(
        params: &HashMap<String, String>,
        dialect: Dialect,
        paging: &Paging,
    ) -> Result<Query, Failure> {
        let number = |name: &str| -> Result<Option<i64>, Failure> {
            params
                .get(name)
                .map(|v| {
                    v.trim().parse::<i64>().map_err(|_| {
                        Failure::new(
                            400,
                            Some("invalidValue"),
                            format!("{name} must be an integer"),
                        )
                    })
                })
                .transpose()
        };
        let search = SearchRequest {
            filter: params.get("filter").cloned(),
            sort_by: params.get("sortBy").cloned(),
            sort_order: params.get("sortOrder").map(|o| {
                if o.eq_ignore_ascii_case("descending") {
                    SortOrder::Descending
                } else {
                    SortOrder::Ascending
                }
            }),
            // A cursor-only service ignores `startIndex`, whatever it holds.
            start_index: match paging.index {
                true => number("startIndex")?.map(|n| n.clamp(1, i64::from(u32::MAX)) as u32),
                false => None,
            },
            count: number("count")?.map(|n| n.clamp(0, i64::from(u32::MAX)) as u32),
            cursor: params.get("cursor").cloned(),
            ..SearchRequest::new()
        };
        let mut query = Query::from_search(&search, dialect, paging)?;
        query.projection = Projection::from_params(params);
        Ok(query)
    }

    /// A search request (its `cursor` included), paged as `paging` says.
    pub(crate) fn from_search(
        search: &SearchRequest,
        dialect: Dialect,
        paging: &Paging,
    ) -> Result<Query, Failure> {
        let filter = match &search.filter {
            Some(text) => Some(text.parse::<Filter>().map_err(|e| match dialect {
                Dialect::SlackV1 => {
                    Failure::new(400, Some("invalidFilter"), format!("no_filters ({e})"))
                }
                _ => Failure::new(400, Some("invalidFilter"), e.to_string()),
            })?),
            None => None,
        };
        let sort_by = match &search.sort_by {
            Some(path) => Some(
                AttrPath::parse(path)
                    .map_err(|e| Failure::new(400, Some("invalidPath"), e.message))?,
            ),
            None => None,
        };
        let count = search
            .count
            .map_or(paging.default_page_size, |c| {
                usize::try_from(c).unwrap_or(usize::MAX)
            })
            .min(paging.max_page_size);
        // Cursor-only: always a cursor, the first page without one. Both:
        // a cursor when the request sends one, else the index.
        let position = match (paging.cursor, search.cursor.as_deref()) {
            (true, Some(cursor)) => Position::Cursor(decode_cursor(cursor)?),
            (true, None) if !paging.index => Position::Cursor(CursorAt::First),
            _ => {
                let start = search.start_index.unwrap_or(1).max(1);
                Position::Index(usize::try_from(start).unwrap_or(usize::MAX))
            }
        };
        let join = |paths: &[String]| paths.iter().map(|p| AttrPath::new(p)).collect();
        Ok(Query {
            filter,
            sort_by,
            descending: search.sort_order == Some(SortOrder::Descending),
            position,
            next_cursor: paging.cursor,
            count,
            projection: Projection {
                attributes: join(&search.attributes),
                excluded: join(&search.excluded_attributes),
            },
        })
    }
}
