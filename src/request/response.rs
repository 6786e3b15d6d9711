//! [`ScimResponse`]: an HTTP answer with its body read lazily as JSON or as typed resources.

use std::sync::OnceLock;

use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Error;
use crate::error::ApiError;
use crate::model::{ListResponse, SearchRequest};

/// A response from a SCIM service: status, headers (case-insensitive) and
/// raw body, with the body parsed on demand.
///
/// Nothing here panics on odd input: an empty body (Slack's 204 answers), an
/// HTML error page or truncated JSON stays available through [`body`](Self::body)
/// and [`text`](Self::text), and [`json`](Self::json) is then `None`.
#[derive(Debug)]
pub struct ScimResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
    json: OnceLock<Option<Value>>,
}

impl ScimResponse {
    /// Wraps a response's parts.
    pub fn new(status: StatusCode, headers: HeaderMap, body: Vec<u8>) -> ScimResponse {
        ScimResponse {
            status,
            headers,
            body,
            json: OnceLock::new(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// True for a 2xx status.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// The headers; lookups ignore case.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body exactly as received.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON, parsed on first use; `None` when the body is empty or not JSON.
    pub fn json(&self) -> Option<&Value> {
        self.json
            .get_or_init(|| serde_json::from_slice(&self.body).ok())
            .as_ref()
    }

    /// The body decoded as any type: a resource (`parse::<User>()`), a
    /// caller's own extension struct. A list answer is read with
    /// [`page`](Self::page), which also checks that it is one.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode(self.status, &self.body)
    }

    /// The body as the page answering `asked`, the query it was asked
    /// with: the one reader of list answers, which `search_users`,
    /// `search_groups`, `query`, `search_post`, discovery lists and every
    /// [`Paginator`](crate::engine::Paginator) walk go through.
    ///
    /// Every resource that can be decoded is in the page, and each one that
    /// cannot in [`ListResponse::failed`]. A body that is not a page
    /// answering `asked` is an [`Error::Decode`] naming what is missing
    /// (see [`ListResponse::check_answers`]): one with neither
    /// `totalResults` nor `Resources` (`{}`, a resource), an empty page
    /// whose counts say it has resources, an index page without
    /// `totalResults`. Never a silently empty page.
    pub fn page<T: DeserializeOwned>(
        &self,
        asked: &SearchRequest,
    ) -> Result<ListResponse<T>, Error> {
        let decode_error = |error| Error::Decode {
            status: self.status,
            error: Box::new(error),
            body: self.body.clone(),
        };
        let page = ListResponse::from_json(&self.body).map_err(decode_error)?;
        page.check_answers(asked).map_err(decode_error)?;
        Ok(page)
    }

    /// The `ETag` header, if any: the resource's version, opaque.
    pub fn etag(&self) -> Option<&str> {
        self.headers
            .get(http::header::ETAG)
            .and_then(|v| v.to_str().ok())
    }

    /// `Ok(self)` for a 2xx status, otherwise the typed error: 412 is
    /// [`Error::PreconditionFailed`], anything else [`Error::Api`].
    pub fn error_for_status(self) -> Result<ScimResponse, Error> {
        if self.is_success() {
            return Ok(self);
        }
        let error = Box::new(ApiError::new(self.status, self.headers, self.body));
        Err(if error.status == StatusCode::PRECONDITION_FAILED {
            Error::PreconditionFailed(error)
        } else {
            Error::Api(error)
        })
    }
}

impl From<http::Response<Vec<u8>>> for ScimResponse {
    fn from(response: http::Response<Vec<u8>>) -> Self {
        let (parts, body) = response.into_parts();
        ScimResponse::new(parts.status, parts.headers, body)
    }
}

fn decode<T: DeserializeOwned>(status: StatusCode, body: &[u8]) -> Result<T, Error> {
    crate::model::decode::decode(body).map_err(|error| Error::Decode {
        status,
        error: Box::new(error),
        body: body.to_vec(),
    })
}
