//! [`SearchRequest`]: the query parameters of RFC 7644 §3.4.2 and RFC 9865
//! §2, for GET queries and `POST .search` alike.

use serde::{Deserialize, Serialize};

/// The SearchRequest message URN.
pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// What to list: filter, sorting, paging and attribute selection.
///
/// It is also how the seed's `search_users(start_index=1, count=100,
/// filter=…)` is written: each keyword argument is a builder method, so two
/// numbers cannot be swapped unnoticed and anything left out is simply not
/// called (`SearchRequest::new().start_index(1).count(10)`).
///
/// ```
/// use scim_client::model::{SearchRequest, SortOrder};
///
/// let query = SearchRequest::new()
///     .filter(r#"userName sw "a""#)
///     .sort_by("userName", SortOrder::Descending)
///     .start_index(2)
///     .count(10)
///     .attributes(&["userName", "emails"]);
/// assert_eq!(query.start_index, Some(2));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    /// The SearchRequest URN (sent in `POST .search` bodies only).
    pub schemas: Vec<String>,
    /// Return only these attributes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
    /// Return all but these attributes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_attributes: Vec<String>,
    /// A filter expression (see [`crate::filter::Filter`] to build one safely).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// The attribute to sort by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    /// The sort direction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<SortOrder>,
    /// The 1-based index of the first result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_index: Option<u32>,
    /// The most results to return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// The cursor of the page to return (RFC 9865 §2): `""` asks for the
    /// first page of a cursor walk, and each next page is asked for with the
    /// `nextCursor` of the one before. Sent as the `cursor` query parameter
    /// (`cursor=` when empty) and, in `POST .search` bodies, as `"cursor"`
    /// (RFC 9865 §3). It cannot go with [`start_index`](Self::start_index):
    /// a page is asked for by cursor or by index (RFC 9865 §2.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest::new()
    }
}

/// The direction of a sort.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// `ascending`.
    Ascending,
    /// `descending`.
    Descending,
}

impl SortOrder {
    /// As written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Ascending => "ascending",
            SortOrder::Descending => "descending",
        }
    }
}

impl SearchRequest {
    /// Everything, in the service's default order and page size.
    pub fn new() -> SearchRequest {
        SearchRequest {
            schemas: vec![SEARCH_REQUEST.to_owned()],
            attributes: Vec::new(),
            excluded_attributes: Vec::new(),
            filter: None,
            sort_by: None,
            sort_order: None,
            start_index: None,
            count: None,
            cursor: None,
        }
    }

    /// The longest cursor a request carries, in bytes. RFC 9865 §2 sets no
    /// limit; one is set here so that a provider's `nextCursor` cannot grow
    /// the request URL without bound (servers commonly refuse URLs past
    /// 8 KiB). AWS and Atlassian cursors are well under 1 KiB.
    pub const MAX_CURSOR_LEN: usize = 4096;

    /// Only resources matching `filter`.
    pub fn filter(mut self, filter: impl ToString) -> SearchRequest {
        self.filter = Some(filter.to_string());
        self
    }

    /// Sorted by `attribute`.
    pub fn sort_by(mut self, attribute: &str, order: SortOrder) -> SearchRequest {
        self.sort_by = Some(attribute.to_owned());
        self.sort_order = Some(order);
        self
    }

    /// Start at this 1-based index (the seed's `start_index`).
    pub fn start_index(mut self, start_index: u32) -> SearchRequest {
        self.start_index = Some(start_index);
        self
    }

    /// Return at most this many resources per page (the seed's `count`).
    pub fn count(mut self, count: u32) -> SearchRequest {
        self.count = Some(count);
        self
    }

    /// Ask for the page at this cursor (RFC 9865 §2): `""` for the first
    /// page, then a page's `nextCursor` (or `previousCursor`) for the next.
    /// The value is opaque and sent percent-encoded as it is given.
    ///
    /// ```
    /// use scim_client::model::SearchRequest;
    /// # let endpoint = scim_client::ClientOptions::scim2("https://scim.example/v2").endpoint("t")?;
    /// let first = endpoint.search_users(&SearchRequest::new().cursor("").count(100))?;
    /// assert_eq!(first.request().uri().query(), Some("cursor=&count=100"));
    /// let next = endpoint.search_users(&SearchRequest::new().cursor("a+b/c=").count(100))?;
    /// assert_eq!(next.request().uri().query(), Some("cursor=a%2Bb%2Fc%3D&count=100"));
    /// # Ok::<(), scim_client::Error>(())
    /// ```
    pub fn cursor(mut self, cursor: impl Into<String>) -> SearchRequest {
        self.cursor = Some(cursor.into());
        self
    }

    /// Only these attributes.
    pub fn attributes(mut self, attributes: &[&str]) -> SearchRequest {
        self.attributes = attributes.iter().map(|a| (*a).to_owned()).collect();
        self
    }

    /// All but these attributes.
    pub fn excluded_attributes(mut self, attributes: &[&str]) -> SearchRequest {
        self.excluded_attributes = attributes.iter().map(|a| (*a).to_owned()).collect();
        self
    }

    /// The GET query parameters, in a fixed order: `startIndex`, `cursor`,
    /// `count`, `filter`, `sortBy`, `sortOrder`, `attributes`,
    /// `excludedAttributes`. An empty cursor is sent (`cursor=`): it asks
    /// for the first page of a cursor walk (RFC 9865 §2).
    pub(crate) fn query_params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if let Some(start) = self.start_index {
            params.push(("startIndex", start.to_string()));
        }
        if let Some(cursor) = &self.cursor {
            params.push(("cursor", cursor.clone()));
        }
        if let Some(count) = self.count {
            params.push(("count", count.to_string()));
        }
        if let Some(filter) = &self.filter {
            params.push(("filter", filter.clone()));
        }
        if let Some(sort_by) = &self.sort_by {
            params.push(("sortBy", sort_by.clone()));
        }
        if let Some(order) = self.sort_order {
            params.push(("sortOrder", order.as_str().to_owned()));
        }
        if !self.attributes.is_empty() {
            params.push(("attributes", self.attributes.join(",")));
        }
        if !self.excluded_attributes.is_empty() {
            params.push(("excludedAttributes", self.excluded_attributes.join(",")));
        }
        params
    }

    /// The 1-based index of the first resource the answer should hold, for
    /// checking an empty page against its `totalResults`: `startIndex`
    /// (default 1), also 1 for the first page of a cursor walk (`cursor=`).
    /// A later cursor page's position is not known from the request, so it is
    /// `u64::MAX` there, and `totalResults` cannot make its emptiness an
    /// error (RFC 9865 §2: the absence of `nextCursor`, not the total, marks
    /// the last page).
    pub(crate) fn requested_start(&self) -> u64 {
        match &self.cursor {
            Some(cursor) if !cursor.is_empty() => u64::MAX,
            _ => u64::from(self.start_index.unwrap_or(1)),
        }
    }

    /// The paging parameters alone (`startIndex`, `count`, `cursor`): what
    /// a page's reader needs of the query it answers, kept by each list
    /// parser without the filter and attribute lists.
    pub(crate) fn paging(&self) -> SearchRequest {
        SearchRequest {
            start_index: self.start_index,
            count: self.count,
            cursor: self.cursor.clone(),
            ..SearchRequest::new()
        }
    }
}
