//! [`Paginator`]: the walk over every page of a query, as a pure state
//! machine, by index (RFC 7644 §3.4.2.4) or by cursor (RFC 9865 §2).

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, RandomState};

use crate::model::resource::Resource;
use crate::model::{ListResponse, SearchRequest, in_page_order};
use crate::request::operation::Operation;
use crate::{Endpoint, Error};

/// What the walk needs next; [`Paginator`] shows the loop.
///
/// `Fetch` carries the page's request (its bulk); a step moves once per
/// resource or page, which costs nothing next to decoding, so it is not boxed.
#[derive(Debug)]
#[must_use]
#[allow(clippy::large_enum_variant)]
pub enum WalkStep<R> {
    /// Run this page request and [`handle`](Paginator::handle) how it ended.
    Fetch(Operation<ListResponse<R>>),
    /// The next resource.
    Resource(R),
    /// A resource of the page that could not be decoded
    /// ([`Error::Undecodable`], with its index, id, raw JSON and the path
    /// that failed). The walk goes on with the next one.
    Skipped(Error),
    /// The walk failed (a request, a provider repeating a page or a cursor,
    /// a cursor too long to send); the next step is [`Done`](WalkStep::Done).
    Failed(Error),
    /// Every resource has been handed out.
    Done,
}

/// Walks every resource a query matches, page by page.
///
/// Like [`Call`](crate::engine::call::Call), it is a pure state machine with one
/// input and one output, and the driver does the I/O:
///
/// ```text
///        Paginator::new(endpoint, query)
///                     │   index walk: startIndex=1, 1+n, …     (RFC 7644 §3.4.2.4)
///                     │   cursor walk: cursor=, nextCursor, …  (RFC 9865 §2)
///          ┌──────►  poll()  ─────────────────────────────────────────┐
///          │          │                                               │
///          │    ┌─────┴───────────┬───────────────┬─────────────┐     │
///          │    ▼                 ▼               ▼             ▼     ▼
///          │  Fetch(operation)  Resource(r)   Skipped(e)    Failed(e)  Done
///          │    │                 │               │             │
///          │  the driver runs     yield r      yield e (one   yield e; the next
///          │  it, then            │            resource)      poll() is Done
///          │  handle(page or error)               │
///          └────┴─────────────────┴───────────────┘
/// ```
///
/// Only one page is held at a time, and every resource received is handed
/// out once, in page order; one that cannot be decoded comes out as
/// [`WalkStep::Skipped`] where it was. The page size is the query's `count`,
/// or else the smallest of the endpoint's
/// [`max_page_size`](Endpoint::max_page_size) and the dialect's
/// [`max_count`](crate::Dialect::max_count), or 100 when neither is known;
/// never more than `max_page_size`.
///
/// # Index walks
///
/// The default ([`Pagination::Index`](crate::provider::profile::Pagination::Index)).
/// `startIndex` advances by the number of
/// resources actually received, not by the page size asked for, so a
/// provider that returns short pages loses nothing. `totalResults` is
/// re-read from every page and the latest one counts, so a total that
/// grows mid-walk is followed. The walk ends when:
///
/// - it has received `totalResults` resources (the last index received is
///   the total). RFC 7644 §3.4.2 defines `totalResults` as "the total
///   number of results returned by the list or query operation", and
///   §3.4.2.4 pages through them by `startIndex`: a walk holding that many
///   is complete and asks for no page past it. A provider that answers a
///   `startIndex` past the total with its first page again therefore
///   cannot fail a walk that already has everything, and a full last page
///   costs no extra request answered empty;
/// - a page comes back empty; or
/// - a page is short (fewer resources than asked) and the next index is past
///   `totalResults`.
///
/// Every page the walk reads is checked by the one list reader
/// ([`ScimResponse::page`](crate::ScimResponse::page)), which refuses an
/// index page without `totalResults` (RFC 7644 §3.4.2 makes it REQUIRED).
///
/// A provider may under-report. A total the walk has gone past (more
/// resources came than it says exist: a placeholder `0`, a capped count) or
/// has seen fall mid-walk is doubted for the rest of the walk: it no longer
/// ends the walk on its own, and the walk goes on to an empty page or a
/// short page past the total, as index walks did before totals were
/// trusted. An under-report that lands exactly on a page boundary cannot be
/// told from the truth; there the walk takes the RFC's word. Every page
/// moves the index forward by at least one and
/// the index cannot pass `u32::MAX`, so the walk always ends. A provider
/// that ignores `startIndex` and sends the same page again is caught (the
/// page starts with the same id as an earlier one) and ends the walk with
/// [`Error::Pagination`] instead of repeating resources.
///
/// # Cursor walks
///
/// When the endpoint pages by cursor
/// ([`Endpoint::with_pagination`], [`Pagination::uses_cursor`](crate::provider::profile::Pagination::uses_cursor)),
/// or the query carries a [`cursor`](SearchRequest::cursor) (`""` to start,
/// or a saved cursor to resume from), the walk follows RFC 9865 §2: the
/// first page is asked for with `cursor=` and the page size, every next one
/// with the `nextCursor` of the page before and the same other parameters
/// (RFC 9865 §2 requires them unchanged; a changed `count` is refused with
/// `invalidCount`). `startIndex` is not sent (a query's `start_index(1)` is
/// dropped, a larger one refused: a cursor walk cannot skip). The walk ends
/// when a page has no `nextCursor` (or an empty one): RFC 9865 §2 makes its
/// absence the mark of the last page, so a `totalResults` that says more
/// remain does not keep the walk going; cursor services may not know their
/// total, and their pages may leave it out. One that says none remain does
/// end it, as in an index walk: a walk that has received `totalResults`
/// resources follows no `nextCursor` (a provider that sends one on its last
/// page, leading back to the first, is not asked), unless that total is
/// doubted as above. An empty page that does carry a `nextCursor` is
/// followed (the service says more pages exist), at most
/// [`MAX_EMPTY_PAGES`](Self::MAX_EMPTY_PAGES) in a row. The walk ends with
/// [`Error::Pagination`], naming the cursor, when the provider:
///
/// - gives a `nextCursor` this walk has already followed (the same one
///   twice in a row, or an older one), or a page starting with the same
///   resource as the page before: it would repeat pages;
/// - gives a `nextCursor` longer than [`SearchRequest::MAX_CURSOR_LEN`]:
///   it is not sent;
/// - sends more than [`MAX_EMPTY_PAGES`](Self::MAX_EMPTY_PAGES) empty pages
///   in a row.
///
/// A cursor the service no longer accepts comes back as [`Error::Api`] with
/// status 400 and `scimType` [`InvalidCursor`](crate::ScimType::InvalidCursor)
/// or [`ExpiredCursor`](crate::ScimType::ExpiredCursor) (RFC 9865); such a walk
/// must start again from `cursor=`. After any other failure (a transport
/// error, a 5xx), [`cursor`](Self::cursor) is the cursor to resume with.
///
/// The blocking driver, whole (the async one adds `.await`):
///
/// ```
/// use scim_client::model::{SearchRequest, User};
/// use scim_client::engine::{Paginator, WalkStep};
/// use scim_client::{BearerToken, Endpoint};
///
/// let endpoint = Endpoint::new(BearerToken::new("xoxp-1")?);
/// let mut walk = Paginator::<User>::new(endpoint, SearchRequest::new().count(2));
/// let mut pages = vec![
///     br#"{"totalResults": 3, "Resources": [{"id": "W3"}]}"#.to_vec(),
///     br#"{"totalResults": 3, "Resources": [{"id": "W1"}, {"id": "W2"}]}"#.to_vec(),
/// ];
/// let mut ids = Vec::new();
/// loop {
///     match walk.poll() {
///         WalkStep::Fetch(operation) => {
///             // A real driver sends `operation.request()`; here the answer is canned.
///             let answer = http::Response::new(pages.pop().unwrap());
///             walk.handle(operation.parse_response(answer));
///         }
///         WalkStep::Resource(user) => ids.push(user.id.as_deref().unwrap_or("?").to_owned()),
///         WalkStep::Skipped(error) | WalkStep::Failed(error) => return Err(error),
///         WalkStep::Done => break,
///     }
/// }
/// assert_eq!(ids, ["W1", "W2", "W3"]);
/// # Ok::<(), scim_client::Error>(())
/// ```
///
/// The same loop walks a cursor service (AWS IAM Identity Center, say),
/// which ignores `startIndex` and pages by `nextCursor` alone:
///
/// ```
/// use scim_client::model::{SearchRequest, User};
/// use scim_client::provider::Pagination;
/// use scim_client::engine::{Paginator, WalkStep};
/// use scim_client::{BearerToken, Endpoint};
///
/// let endpoint = scim_client::ClientOptions::scim2("https://scim.example/v2").endpoint("t")?
///     .with_pagination(Pagination::Cursor)
///     .with_max_page_size(Some(100));
/// let mut walk = Paginator::<User>::new(endpoint, SearchRequest::new().count(2));
/// let mut asked = Vec::new();
/// let mut ids = Vec::new();
/// loop {
///     match walk.poll() {
///         WalkStep::Fetch(operation) => {
///             let query = operation.request().uri().query().unwrap_or("").to_owned();
///             let body: &[u8] = match query.as_str() {
///                 "cursor=&count=2" => br#"{"Resources": [{"id": "U1"}, {"id": "U2"}], "nextCursor": "b+/="}"#,
///                 "cursor=b%2B%2F%3D&count=2" => br#"{"Resources": [{"id": "U3"}]}"#,
///                 other => panic!("unexpected query {other}"),
///             };
///             asked.push(query);
///             walk.handle(operation.parse_response(http::Response::new(body.to_vec())));
///         }
///         WalkStep::Resource(user) => ids.push(user.id.as_deref().unwrap_or("?").to_owned()),
///         WalkStep::Skipped(error) | WalkStep::Failed(error) => return Err(error),
///         WalkStep::Done => break,
///     }
/// }
/// assert_eq!(ids, ["U1", "U2", "U3"]);
/// assert_eq!(asked, ["cursor=&count=2", "cursor=b%2B%2F%3D&count=2"]);
/// # Ok::<(), scim_client::Error>(())
/// ```
#[derive(Debug)]
pub struct Paginator<R> {
    endpoint: Endpoint,
    query: SearchRequest,
    page_size: u32,
    position: Position,
    total_results: Option<u64>,
    total_doubted: bool,
    received: u64,
    cursors: FollowedCursors,
    page: VecDeque<Result<R, Error>>,
    state: State,
}

/// Where the next page is.
#[derive(Debug)]
enum Position {
    /// The 1-based `startIndex` of the next page (RFC 7644 §3.4.2.4).
    Index(u64),
    /// The `cursor` of the next page, `""` for the first (RFC 9865 §2).
    Cursor(String),
}

/// What a walk remembers to catch a provider that repeats itself: a hash
/// of each page's first id and (cursor walks) of each cursor followed
/// (8 bytes a page, not the ids or cursors), and how many empty pages came
/// in a row.
#[derive(Debug, Default)]
struct FollowedCursors {
    hasher: RandomState,
    first_ids: HashSet<u64>,
    followed: HashSet<u64>,
    empty_pages: u32,
}

#[derive(Debug)]
enum State {
    /// The next page must be asked for.
    NeedPage,
    /// A page request is out; `handle` is expected.
    Fetching,
    /// The last page is (being) handed out.
    LastPage,
    /// An error to hand out, then done.
    Failed(Error),
    Done,
}

impl<R: Resource> Paginator<R> {
    /// The most empty pages carrying a `nextCursor` a cursor walk follows in
    /// a row before it ends with [`Error::Pagination`]: RFC 9865 §2 says
    /// more pages follow, but a provider may also loop on empty pages.
    pub const MAX_EMPTY_PAGES: u32 = 8;

    /// Starts a walk. The query's filter, sorting and attributes are kept;
    /// its `count` is the page size asked for (see above for the default).
    /// An index walk begins at the query's `startIndex` (default 1); a
    /// cursor walk (the endpoint's [`pagination`](Endpoint::pagination)
    /// uses cursors, or the query has a `cursor`) at the query's `cursor`
    /// (default `""`, the first page).
    pub fn new(endpoint: Endpoint, query: SearchRequest) -> Paginator<R> {
        let page_size = page_size(&endpoint, query.count);
        let position = if endpoint.pagination().uses_cursor() || query.cursor.is_some() {
            Position::Cursor(query.cursor.clone().unwrap_or_default())
        } else {
            Position::Index(u64::from(query.start_index.unwrap_or(1).max(1)))
        };
        Paginator {
            endpoint,
            query,
            page_size,
            position,
            total_results: None,
            total_doubted: false,
            received: 0,
            cursors: FollowedCursors::default(),
            page: VecDeque::new(),
            state: State::NeedPage,
        }
    }

    /// The next step of the walk: a resource, a page to fetch, the error
    /// that ended it, or the end. The answer changes as resources are handed
    /// out and after [`handle`](Self::handle); polled again before the page
    /// it asked for is handled, it asks for that page again.
    pub fn poll(&mut self) -> WalkStep<R> {
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
    /// An error that ends the walk (a cursor it quotes may be an echo) is
    /// scrubbed of the endpoint's credentials.
    pub fn handle(&mut self, page: Result<ListResponse<R>, Error>) {
        self.state = match page.and_then(|page| self.take(page)) {
            Ok(true) => State::LastPage,
            Ok(false) => State::NeedPage,
            Err(error) => State::Failed(error.scrubbed(&self.endpoint.secrets())),
        };
    }

    /// Resources received so far, undecodable ones included.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The latest `totalResults` the provider reported; it changes with each
    /// page that reports one. A cursor page may leave it out (RFC 9865 §2).
    pub fn total_results(&self) -> Option<u64> {
        self.total_results
    }

    /// In a cursor walk (RFC 9865 §2), the cursor the next page is asked
    /// with (`""` before the first page; once the last page is in, the
    /// cursor that fetched it); `None` in an index walk. After a failed
    /// request, resume with a query carrying it, unless the service
    /// answered `expiredCursor` or `invalidCursor`.
    pub fn cursor(&self) -> Option<&str> {
        match &self.position {
            Position::Cursor(cursor) => Some(cursor),
            Position::Index(_) => None,
        }
    }

    fn page_request(&self) -> Result<Operation<ListResponse<R>>, Error> {
        let query = match &self.position {
            Position::Index(next) => SearchRequest {
                // `take` ends the walk before the index can leave u32's range.
                start_index: Some(u32::try_from(*next).unwrap_or(u32::MAX)),
                count: Some(self.page_size),
                ..self.query.clone()
            },
            Position::Cursor(cursor) => SearchRequest {
                // Index 1 is where every walk starts anyway; a later one
                // cannot be reached by cursor, and the query check refuses it.
                start_index: self.query.start_index.filter(|start| *start > 1),
                cursor: Some(cursor.clone()),
                count: Some(self.page_size),
                ..self.query.clone()
            },
        };
        self.endpoint.query(&query)
    }

    /// Takes a page in; true when it is the last one.
    fn take(&mut self, mut page: ListResponse<R>) -> Result<bool, Error> {
        let first_id = match (page.resources.first(), page.failed.first()) {
            (_, Some(failure)) if failure.index == 0 => failure.id.clone(),
            (Some(resource), _) => resource.id().map(str::to_owned),
            (None, _) => None,
        };
        // Pages are disjoint: a page that starts where any earlier one did
        // means the walk is going round (one hash per page is kept).
        if let Some(first_id) = first_id {
            let hash = self.cursors.hasher.hash_one(&first_id);
            if !self.cursors.first_ids.insert(hash) {
                return Err(Error::Pagination(self.repeated_page()));
            }
        }
        // Undecodable resources count: they were received, and the next
        // page starts after them.
        let received = page.resources.len().saturating_add(page.failed.len());
        let received = u64::try_from(received).unwrap_or(u64::MAX);
        self.received = self.received.saturating_add(received);
        if let (Some(latest), Some(earlier)) = (page.total_results, self.total_results) {
            // A total that falls mid-walk no longer ends it (see the docs).
            self.total_doubted |= latest < earlier;
        }
        self.total_results = page.total_results.or(self.total_results);
        let next_cursor = page.next_cursor.take();
        // The page parser has already scrubbed the failures of credentials.
        self.page = in_page_order(page.resources, page.failed)
            .map(|entry| entry.map_err(|failure| Error::Undecodable(Box::new(failure))))
            .collect();
        match self.position {
            Position::Index(next) => Ok(self.advance_index(next, received)),
            Position::Cursor(_) => self.advance_cursor(next_cursor, received),
        }
    }

    /// The error for a page that starts where an earlier one did.
    fn repeated_page(&self) -> String {
        match &self.position {
            Position::Index(next) => format!(
                "the page at startIndex {next} starts with the same resource as an earlier \
                 page; the provider seems to ignore startIndex"
            ),
            Position::Cursor(cursor) => format!(
                "the page at cursor {} starts with the same resource as an earlier page; \
                 the provider seems to ignore the cursor",
                shown(cursor)
            ),
        }
    }

    /// Moves an index walk past `received` resources; true at the end.
    fn advance_index(&mut self, next: u64, received: u64) -> bool {
        let next = next.saturating_add(received);
        self.position = Position::Index(next);
        // `next` is at least 1: the last index received is the one before.
        let complete = self.total_says_complete(next.saturating_sub(1));
        let short = received < u64::from(self.page_size);
        let past_total = self.total_results.is_some_and(|total| next > total);
        received == 0 || complete || (short && past_total) || next > u64::from(u32::MAX)
    }

    /// True when the latest `totalResults` says the walk holds every
    /// resource, `reached` being how far it got (the last index received,
    /// or in a cursor walk the resources received). A total the walk has
    /// gone past, or seen fall, is doubted from then on and ends nothing.
    fn total_says_complete(&mut self, reached: u64) -> bool {
        let Some(total) = self.total_results else {
            return false;
        };
        self.total_doubted |= reached > total;
        !self.total_doubted && reached >= total
    }

    /// Moves a cursor walk to the page's `nextCursor`; true at the end
    /// (RFC 9865 §2: no `nextCursor` on the last page).
    fn advance_cursor(&mut self, next: Option<String>, received: u64) -> Result<bool, Error> {
        let Some(next) = next.filter(|next| !next.is_empty()) else {
            return Ok(true);
        };
        if self.total_says_complete(self.received) {
            return Ok(true);
        }
        let Position::Cursor(current) = &self.position else {
            return Ok(true);
        };
        let refuse = |problem: String| {
            Err(Error::Pagination(format!(
                "the page at cursor {} gives nextCursor {}, {problem}",
                shown(current),
                shown(&next)
            )))
        };
        if next.len() > SearchRequest::MAX_CURSOR_LEN {
            return refuse(format!(
                "{} bytes long, more than the {} this client sends",
                next.len(),
                SearchRequest::MAX_CURSOR_LEN
            ));
        }
        let cursors = &mut self.cursors;
        cursors.followed.insert(cursors.hasher.hash_one(current));
        if !cursors.followed.insert(cursors.hasher.hash_one(&next)) {
            return refuse(
                "which this walk has already followed; the provider is repeating pages".into(),
            );
        }
        cursors.empty_pages = match received {
            0 => cursors.empty_pages.saturating_add(1),
            _ => 0,
        };
        if cursors.empty_pages > Self::MAX_EMPTY_PAGES {
            return refuse(format!(
                "after {} empty pages in a row; the provider seems to loop",
                cursors.empty_pages
            ));
        }
        self.position = Position::Cursor(next);
        Ok(false)
    }
}

/// The page size of a walk: the query's `count`, or the smallest known cap
/// (the provider's, the dialect's), or 100; never above the provider's cap
/// (RFC 9865 §4 `maxPageSize`) nor below 1.
fn page_size(endpoint: &Endpoint, count: Option<u32>) -> u32 {
    let cap = endpoint.max_page_size();
    let default = [cap, endpoint.dialect().max_count()]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(100);
    let size = count.unwrap_or(default);
    cap.map_or(size, |cap| size.min(cap)).max(1)
}

/// A cursor for an error message: quoted, and cut after 64 characters.
fn shown(cursor: &str) -> String {
    const SHOWN: usize = 64;
    match cursor.char_indices().nth(SHOWN) {
        Some((end, _)) => format!(
            "{:?}… ({} bytes)",
            cursor.get(..end).unwrap_or(""),
            cursor.len()
        ),
        None => format!("{cursor:?}"),
    }
}
