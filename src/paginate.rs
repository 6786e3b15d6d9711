//! [`Paginator`]: the walk over every page of a query, as a pure state machine.

use std::collections::VecDeque;

use crate::model::{ListResponse, SearchRequest, in_page_order};
use crate::operation::Operation;
use crate::resource::Resource;
use crate::{Endpoint, Error};

/// What the walk needs next; [`Paginator`] shows the loop.
///
/// `Fetch` carries the page's request (its bulk); a step moves once per
/// resource or page, which costs nothing next to decoding, so it is not boxed.
#[derive(Debug)]
#[must_use]
#[allow(clippy::large_enum_variant)]
pub enum WalkStep<R> {
    /// Run this page request and [`receive`](Paginator::receive) how it ended.
    Fetch(Operation<ListResponse<R>>),
    /// The next resource.
    Resource(R),
    /// A resource of the page that could not be decoded
    /// ([`Error::Undecodable`], with its index, id, raw JSON and the path
    /// that failed). The walk goes on with the next one.
    Skipped(Error),
    /// The walk failed (a request, or a provider repeating a page); the next
    /// step is [`Done`](WalkStep::Done).
    Failed(Error),
    /// Every resource has been handed out.
    Done,
}

/// Walks every resource a query matches, page by page.
///
/// Like [`Call`](crate::call::Call), it is a pure state machine with one
/// input and one output, and the driver does the I/O:
///
/// ```text
///        Paginator::new(endpoint, query)
///                     │
///          ┌──────►  step()  ─────────────────────────────────────────┐
///          │          │                                               │
///          │    ┌─────┴───────────┬───────────────┬─────────────┐     │
///          │    ▼                 ▼               ▼             ▼     ▼
///          │  Fetch(operation)  Resource(r)   Skipped(e)    Failed(e)  Done
///          │    │                 │               │             │
///          │  the driver runs     yield r      yield e (one   yield e; the next
///          │  it, then            │            resource)      step() is Done
///          │  receive(page or error)              │
///          └────┴─────────────────┴───────────────┘
/// ```
///
/// Only one page is held at a time. `startIndex` advances by the number of
/// resources actually received, not by the page size asked for, so a
/// provider that returns short pages loses nothing. `totalResults` is
/// re-read from every page. The walk ends when:
///
/// - a page comes back empty; or
/// - a page is short (fewer resources than asked) and the next index is past
///   `totalResults`.
///
/// A full page never ends the walk on `totalResults` alone: the provider may
/// have grown, or under-reported, so one more page is asked for and an empty
/// answer ends it. Every page moves the index forward by at least one and
/// the index cannot pass `u32::MAX`, so the walk always ends. A provider
/// that ignores `startIndex` and sends the same page again is caught (the
/// page starts with the same id as the last) and ends the walk with
/// [`Error::Pagination`] instead of repeating resources.
///
/// The blocking driver, whole (the async one adds `.await`):
///
/// ```
/// use scim_client::model::{SearchRequest, User};
/// use scim_client::{BearerToken, Endpoint, Paginator, WalkStep};
///
/// let endpoint = Endpoint::new(BearerToken::new("xoxp-1")?);
/// let mut walk = Paginator::<User>::new(endpoint, SearchRequest::new().count(2));
/// let mut pages = vec![
///     br#"{"totalResults": 3, "Resources": [{"id": "W3"}]}"#.to_vec(),
///     br#"{"totalResults": 3, "Resources": [{"id": "W1"}, {"id": "W2"}]}"#.to_vec(),
/// ];
/// let mut ids = Vec::new();
/// loop {
///     match walk.step() {
///         WalkStep::Fetch(operation) => {
///             // A real driver sends `operation.request()`; here the answer is canned.
///             let answer = http::Response::new(pages.pop().unwrap());
///             walk.receive(operation.parse_response(answer));
///         }
///         WalkStep::Resource(user) => ids.push(user.id.as_deref().unwrap_or("?").to_owned()),
///         WalkStep::Skipped(error) | WalkStep::Failed(error) => return Err(error),
///         WalkStep::Done => break,
///     }
/// }
/// assert_eq!(ids, ["W1", "W2", "W3"]);
/// # Ok::<(), scim_client::Error>(())
/// ```
#[derive(Debug)]
pub struct Paginator<R> {
    endpoint: Endpoint,
    query: SearchRequest,
    page_size: u32,
    next_index: u64,
    total_results: Option<u64>,
    received: u64,
    last_first_id: Option<String>,
    page: VecDeque<Result<R, Error>>,
    state: State,
}

#[derive(Debug)]
enum State {
    /// The next page must be asked for.
    NeedPage,
    /// A page request is out; `receive` is expected.
    Fetching,
    /// The last page is (being) handed out.
    LastPage,
    /// An error to hand out, then done.
    Failed(Error),
    Done,
}

impl<R: Resource> Paginator<R> {
    /// Starts a walk. The query's filter, sorting and attributes are kept;
    /// its `startIndex` (default 1) is where the walk begins and its `count`
    /// the page size asked for (default: Slack's maximum, 1000, on Slack;
    /// 100 elsewhere, as many services cap pages at 100 to 200).
    pub fn new(endpoint: Endpoint, query: SearchRequest) -> Paginator<R> {
        let default_size = endpoint.dialect().max_count().unwrap_or(100);
        let page_size = query.count.unwrap_or(default_size).max(1);
        let next_index = u64::from(query.start_index.unwrap_or(1).max(1));
        Paginator {
            endpoint,
            query,
            page_size,
            next_index,
            total_results: None,
            received: 0,
            last_first_id: None,
            page: VecDeque::new(),
            state: State::NeedPage,
        }
    }

    /// The next step of the walk: a resource, a page to fetch, the error
    /// that ended it, or the end.
    pub fn step(&mut self) -> WalkStep<R> {
        match self.page.pop_front() {
            Some(Ok(resource)) => return WalkStep::Resource(resource),
            Some(Err(error)) => return WalkStep::Skipped(error),
            None => {}
        }
        match std::mem::replace(&mut self.state, State::Done) {
            State::NeedPage | State::Fetching => match self.page_request() {
                Ok(operation) => {
                    self.state = State::Fetching;
                    WalkStep::Fetch(operation)
                }
                Err(error) => WalkStep::Failed(error),
            },
            State::Failed(error) => WalkStep::Failed(error),
            State::LastPage | State::Done => WalkStep::Done,
        }
    }

    /// Feeds in how the page request of the last [`WalkStep::Fetch`] ended.
    pub fn receive(&mut self, page: Result<ListResponse<R>, Error>) {
        self.state = match page.and_then(|page| self.take(page)) {
            Ok(true) => State::LastPage,
            Ok(false) => State::NeedPage,
            Err(error) => State::Failed(error),
        };
    }

    /// Resources received so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The latest `totalResults` the provider reported.
    pub fn total_results(&self) -> Option<u64> {
        self.total_results
    }

    fn page_request(&self) -> Result<Operation<ListResponse<R>>, Error> {
        // `take` ends the walk before the index can leave u32's range.
        let start = u32::try_from(self.next_index).unwrap_or(u32::MAX);
        let query = SearchRequest {
            start_index: Some(start),
            count: Some(self.page_size),
            ..self.query.clone()
        };
        self.endpoint.query(&query)
    }

    /// Takes a page in; true when it is the last one.
    fn take(&mut self, page: ListResponse<R>) -> Result<bool, Error> {
        let first_id = match (page.resources.first(), page.failed.first()) {
            (_, Some(failure)) if failure.index == 0 => failure.id.clone(),
            (Some(resource), _) => resource.id().map(str::to_owned),
            (None, _) => None,
        };
        if first_id.is_some() && first_id == self.last_first_id {
            return Err(Error::Pagination(format!(
                "the page at startIndex {} starts with the same resource as the previous one; \
                 the provider seems to ignore startIndex",
                self.next_index
            )));
        }
        self.last_first_id = first_id;
        // Undecodable resources count: they were received, and the next
        // page starts after them.
        let received = (page.resources.len() + page.failed.len()) as u64;
        self.received += received;
        self.total_results = page.total_results.or(self.total_results);
        self.next_index += received;
        // The page parser has already scrubbed the failures of credentials.
        self.page = in_page_order(page.resources, page.failed)
            .map(|entry| entry.map_err(|failure| Error::Undecodable(Box::new(failure))))
            .collect();
        let short = received < u64::from(self.page_size);
        let past_total = self
            .total_results
            .is_some_and(|total| self.next_index > total);
        Ok(received == 0 || (short && past_total) || self.next_index > u64::from(u32::MAX))
    }
}
