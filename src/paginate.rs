//! [`Paginator`]: walks every user or group a query matches, page by page.
//!
//! It is a pure state machine: it builds the request for the next page and
//! is fed each page that comes back. The clients wrap it in an `Iterator`
//! (blocking) and an async `next()`; only one page is held at a time.
//!
//! `startIndex` advances by the number of resources actually received, not
//! by the page size asked for, so a provider that returns short pages loses
//! nothing. `totalResults` is re-read from every page. The walk ends when:
//!
//! - a page comes back empty; or
//! - a page is short (fewer resources than asked) and the next index is past
//!   `totalResults`.
//!
//! A full page never ends the walk on `totalResults` alone: the provider may
//! have grown, or under-reported, so one more page is asked for and an empty
//! answer ends it. Every page moves the index forward by at least one and
//! the index cannot pass `u32::MAX`, so the walk always ends. A provider
//! that ignores `startIndex` and sends the same page again is caught (the
//! page starts with the same id as the last) and ends the walk with
//! [`Error::Pagination`] instead of repeating resources.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;

use crate::model::{Group, ListResponse, SearchRequest, User};
use crate::operation::Operation;
use crate::{Dialect, Endpoint, Error};

/// A resource type that can be listed page by page.
pub trait Listed: DeserializeOwned + Send + 'static {
    /// The request for one page: [`Endpoint::query_users`] or [`Endpoint::query_groups`].
    fn query(
        endpoint: &Endpoint,
        query: &SearchRequest,
    ) -> Result<Operation<ListResponse<Self>>, Error>;
    /// The resource's id, if it has one.
    fn id(&self) -> Option<&str>;
}

impl Listed for User {
    fn query(
        endpoint: &Endpoint,
        query: &SearchRequest,
    ) -> Result<Operation<ListResponse<User>>, Error> {
        endpoint.query_users(query)
    }
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

impl Listed for Group {
    fn query(
        endpoint: &Endpoint,
        query: &SearchRequest,
    ) -> Result<Operation<ListResponse<Group>>, Error> {
        endpoint.query_groups(query)
    }
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

/// The page size used when the query sets none: Slack's maximum (1000) for
/// Slack, 100 for other services (many cap pages at 100 to 200; a provider
/// that serves fewer than asked is handled either way).
pub fn default_page_size(dialect: Dialect) -> u32 {
    dialect.max_count().unwrap_or(100)
}

/// The state of a walk over every resource a query matches.
#[derive(Debug, Clone)]
pub struct Paginator<R> {
    endpoint: Endpoint,
    query: SearchRequest,
    page_size: u32,
    next_index: u64,
    total_results: Option<u64>,
    finished: bool,
    received: u64,
    last_first_id: Option<String>,
    _resource: PhantomData<fn() -> R>,
}

impl<R: Listed> Paginator<R> {
    /// Starts a walk. The query's filter, sorting and attributes are kept;
    /// its `startIndex` (default 1) is where the walk begins and its `count`
    /// (default [`default_page_size`]) the page size asked for.
    pub fn new(endpoint: Endpoint, query: SearchRequest) -> Paginator<R> {
        let page_size = query
            .count
            .unwrap_or_else(|| default_page_size(endpoint.dialect()))
            .max(1);
        let next_index = u64::from(query.start_index.unwrap_or(1).max(1));
        Paginator {
            endpoint,
            query,
            page_size,
            next_index,
            total_results: None,
            finished: false,
            received: 0,
            last_first_id: None,
            _resource: PhantomData,
        }
    }

    /// The request for the next page, or `None` when the walk is over.
    pub fn next_page(&self) -> Option<Result<Operation<ListResponse<R>>, Error>> {
        if self.finished {
            return None;
        }
        // `advance` ends the walk before the index can leave u32's range.
        let start = u32::try_from(self.next_index).unwrap_or(u32::MAX);
        let query = SearchRequest {
            start_index: Some(start),
            count: Some(self.page_size),
            ..self.query.clone()
        };
        Some(R::query(&self.endpoint, &query))
    }

    /// Feeds in the page that came back for [`next_page`](Self::next_page)'s
    /// request. An error means the provider sent the previous page again;
    /// the walk is then over and the page should not be used.
    pub fn advance(&mut self, page: &ListResponse<R>) -> Result<(), Error> {
        let first_id = page.resources.first().and_then(Listed::id);
        if first_id.is_some() && first_id == self.last_first_id.as_deref() {
            self.finished = true;
            return Err(Error::Pagination(format!(
                "the page at startIndex {} starts with the same resource as the previous one; \
                 the provider seems to ignore startIndex",
                self.next_index
            )));
        }
        self.last_first_id = first_id.map(str::to_owned);
        let received = page.resources.len() as u64;
        self.received += received;
        self.total_results = page.total_results.or(self.total_results);
        self.next_index += received;
        let short = received < u64::from(self.page_size);
        let past_total = self
            .total_results
            .is_some_and(|total| self.next_index > total);
        if received == 0 || (short && past_total) || self.next_index > u64::from(u32::MAX) {
            self.finished = true;
        }
        Ok(())
    }

    /// Feeds in how fetching the next page ended: its resources, or the
    /// error that ends the walk (a failed request, or a repeated page).
    pub fn take(&mut self, page: Result<ListResponse<R>, Error>) -> Result<Vec<R>, Error> {
        let result = page.and_then(|page| self.advance(&page).map(|()| page.resources));
        if result.is_err() {
            self.finish();
        }
        result
    }

    /// Ends the walk (after an error, say).
    pub fn finish(&mut self) {
        self.finished = true;
    }

    /// True once no more pages will be asked for.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Resources received so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The latest `totalResults` the provider reported.
    pub fn total_results(&self) -> Option<u64> {
        self.total_results
    }

    /// The page size asked for.
    pub fn page_size(&self) -> u32 {
        self.page_size
    }
}
