//! [`Operation`]: one SCIM call as a built request plus the parser for its answer.
//!
//! The builders ([`Endpoint`](crate::Endpoint)'s methods) are pure: they
//! check their arguments, build an `http::Request<Vec<u8>>`, and pair it
//! with the function that turns the service's `http::Response<Vec<u8>>` into
//! a typed result. Sending is someone else's job (a transport, or the
//! caller's own HTTP stack). Modifiers adjust a built operation: conditional
//! headers ([`if_match`](Operation::if_match),
//! [`if_none_match`](Operation::if_none_match)), attribute selection, and
//! asking for asynchronous processing ([`respond_async`](Operation::respond_async),
//! RFC 9967; never sent unless asked).

use std::fmt;
use std::sync::Arc;

use http::header::{IF_MATCH, IF_NONE_MATCH};
use http::{HeaderValue, Request, StatusCode, Uri};

use crate::Error;
use crate::request::encoding::push_query;
use crate::request::response::ScimResponse;

/// RFC 7240's `Prefer` request header.
const PREFER: http::HeaderName = http::HeaderName::from_static("prefer");

type Parser<T> = Arc<dyn Fn(ScimResponse) -> Result<T, Error> + Send + Sync>;

/// One SCIM call: the request to send and how to read the answer.
///
/// ```
/// use scim_client::{BearerToken, Endpoint};
///
/// let endpoint = Endpoint::new(BearerToken::new("xoxp-1")?);
/// let op = endpoint.read_user("W123")?;
/// assert_eq!(op.request().uri(), "https://api.slack.com/scim/v1/Users/W123");
///
/// let answer = http::Response::builder()
///     .status(200)
///     .body(br#"{"id": "W123", "userName": "cal"}"#.to_vec())
///     .unwrap();
/// let user = op.parse_response(answer)?;
/// assert_eq!(user.user_name.as_deref(), Some("cal"));
/// # Ok::<(), scim_client::Error>(())
/// ```
#[must_use = "an operation does nothing until its request is sent"]
pub struct Operation<T> {
    request: Request<Vec<u8>>,
    parse: Parser<T>,
}

impl<T> Clone for Operation<T> {
    fn clone(&self) -> Self {
        Operation {
            request: self.request.clone(),
            parse: self.parse.clone(),
        }
    }
}

impl<T> fmt::Debug for Operation<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Operation")
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

/// The answer to a conditional read (`If-None-Match`).
#[derive(Clone, Debug, PartialEq)]
pub enum Conditional<T> {
    /// The resource changed (or was never cached): here it is.
    Modified(T),
    /// 304 Not Modified: the version the caller holds is current.
    NotModified,
}

impl<T> Operation<T> {
    pub(crate) fn new(
        request: Request<Vec<u8>>,
        parse: impl Fn(ScimResponse) -> Result<T, Error> + Send + Sync + 'static,
    ) -> Operation<T> {
        Operation {
            request,
            parse: Arc::new(parse),
        }
    }

    /// The request to send. Send it as many times as retries need: it is
    /// the same every time.
    pub fn request(&self) -> &Request<Vec<u8>> {
        &self.request
    }

    /// Sets the request's `Authorization` (marked sensitive), for a driver
    /// whose token changes (OAuth, [`auth`](crate::auth)).
    pub(crate) fn authorize(&mut self, mut value: http::HeaderValue) {
        value.set_sensitive(true);
        self.request
            .headers_mut()
            .insert(http::header::AUTHORIZATION, value);
    }

    /// The same request, its parsed answer turned into `U` by `f`: for a
    /// driver that runs operations of several kinds through one loop (the
    /// sync job's apply reduces every answer to the id it needs).
    pub fn map<U: 'static>(self, f: impl Fn(T) -> U + Send + Sync + 'static) -> Operation<U>
    where
        T: 'static,
    {
        let parse = self.parse;
        Operation::new(self.request, move |response| parse(response).map(&f))
    }

    /// The request, consuming the operation.
    pub fn into_request(self) -> Request<Vec<u8>> {
        self.request
    }

    /// Reads the service's answer: a 2xx body becomes `T`, any other status
    /// a typed error ([`Error::Api`], or [`Error::PreconditionFailed`] for
    /// 412), except for [`Endpoint::api_call`](crate::Endpoint::api_call),
    /// whose answer is returned whatever its status. A 202 is
    /// [`Error::Accepted`]: taken for asynchronous processing, not done
    /// (RFC 9967, [`Accepted`](crate::Accepted)).
    pub fn parse_response(&self, response: http::Response<Vec<u8>>) -> Result<T, Error> {
        (self.parse)(ScimResponse::from(response))
    }

    /// Sends `If-Match: etag`, so a PUT, PATCH or DELETE only applies to
    /// that version; a changed resource answers 412, [`Error::PreconditionFailed`].
    /// The ETag is opaque: pass `meta.version` or the `ETag` header as received.
    pub fn if_match(mut self, etag: &str) -> Result<Operation<T>, Error> {
        let value = etag_header(etag)?;
        self.request.headers_mut().insert(IF_MATCH, value);
        Ok(self)
    }

    /// Sends `Prefer: respond-async` (RFC 7240), asking the service to
    /// process the request asynchronously (RFC 9967): a service that does
    /// answers `202 Accepted` with a `Set-Txn`, read as [`Error::Accepted`],
    /// and reports completion as an `asyncresp` Security Event Token. No
    /// request carries `Prefer` unless this is called; a service announcing
    /// `asyncRequest: "long"` may answer 202 without it. Other preferences
    /// already on the request are kept.
    pub fn respond_async(mut self) -> Operation<T> {
        const RESPOND_ASYNC: &str = "respond-async";
        let headers = self.request.headers_mut();
        let asked = headers.get_all(PREFER).iter().any(|value| {
            value.to_str().is_ok_and(|text| {
                text.split(',')
                    .any(|p| p.trim().eq_ignore_ascii_case(RESPOND_ASYNC))
            })
        });
        if !asked {
            headers.append(PREFER, HeaderValue::from_static(RESPOND_ASYNC));
        }
        self
    }

    /// Adds query parameters (after any already there), e.g. RFC 7644's
    /// `attributes`; names and values are percent-encoded.
    pub fn with_query(mut self, params: &[(&str, &str)]) -> Result<Operation<T>, Error> {
        if params.is_empty() {
            return Ok(self);
        }
        let mut target = self.request.uri().to_string();
        target.push(if target.contains('?') { '&' } else { '?' });
        push_query(&mut target, params.iter().copied());
        *self.request.uri_mut() = Uri::try_from(target)
            .map_err(|e| Error::invalid("query", format!("the URL is not valid: {e}")))?;
        Ok(self)
    }

    /// Asks for only these attributes (RFC 7644 §3.9), comma-joined.
    pub fn attributes(self, attributes: &[&str]) -> Result<Operation<T>, Error> {
        self.with_query(&[("attributes", &attributes.join(","))])
    }

    /// Asks for everything but these attributes (RFC 7644 §3.9).
    pub fn excluded_attributes(self, attributes: &[&str]) -> Result<Operation<T>, Error> {
        self.with_query(&[("excludedAttributes", &attributes.join(","))])
    }
}

impl<T: 'static> Operation<T> {
    /// Sends `If-None-Match: etag` on a read, so an unchanged resource answers
    /// 304 and is not sent again: the result is then [`Conditional::NotModified`].
    pub fn if_none_match(mut self, etag: &str) -> Result<Operation<Conditional<T>>, Error> {
        let value = etag_header(etag)?;
        self.request.headers_mut().insert(IF_NONE_MATCH, value);
        let inner = self.parse;
        Ok(Operation::new(self.request, move |response| {
            if response.status() == StatusCode::NOT_MODIFIED {
                Ok(Conditional::NotModified)
            } else {
                inner(response).map(Conditional::Modified)
            }
        }))
    }
}

fn etag_header(etag: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(etag).map_err(|_| {
        Error::invalid(
            "etag",
            "an ETag must be visible ASCII; control characters are refused",
        )
    })
}
