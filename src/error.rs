//! [`Error`]: the one error type of this crate, and the SCIM error bodies it carries.

use std::fmt;

use http::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::model::ResourceFailure;
use crate::model::decode::DecodeError;
use crate::request::Accepted;
use crate::retry::retry_after::RetryAfter;
use crate::secrets::Secrets;

/// Everything that can go wrong, as one concrete enum.
///
/// No variant's message ever contains the bearer token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The token is empty or holds characters an HTTP header cannot carry.
    #[error("invalid bearer token: it must be non-empty visible ASCII (the token is not shown)")]
    InvalidToken,

    /// A base URL, header or other setting is not usable.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),

    /// An argument was refused before any request was built.
    #[error("invalid argument `{name}`: {reason}")]
    InvalidArgument {
        /// The argument's name, as in the method signature.
        name: &'static str,
        /// Why it was refused.
        reason: String,
    },

    /// A filter expression could not be parsed.
    #[error(transparent)]
    Filter(#[from] crate::filter::FilterError),

    /// The service answered with a non-2xx status (other than 412).
    #[error(transparent)]
    Api(Box<ApiError>),

    /// 412 Precondition Failed: the resource changed since the version sent
    /// in `If-Match`. Read it again, and retry the change on the new version.
    #[error("precondition failed: the resource has changed ({0})")]
    PreconditionFailed(Box<ApiError>),

    /// 202 Accepted (RFC 9967): the service took the request for
    /// asynchronous processing and has not done it yet, so there is no
    /// result to return. Its `Set-Txn` is in [`Accepted::txn`]; completion
    /// is reported as an `asyncresp` Security Event Token for that
    /// transaction. Not retried: the request was sent once. See
    /// [`Accepted`] for when a service answers so.
    #[error("{0}")]
    Accepted(Box<Accepted>),

    /// A 2xx body could not be read as the expected type: where, what was
    /// found and what was expected are in `error`.
    #[error("could not decode the {status} response body {error}")]
    Decode {
        /// The response status.
        status: StatusCode,
        /// Where and why (`emails[0].primary`, the resource's id).
        #[source]
        error: Box<DecodeError>,
        /// The body as received.
        body: Vec<u8>,
    },

    /// One resource of a list page could not be decoded; the rest of the
    /// page was. A walk yields this error and goes on.
    #[error("{0}")]
    Undecodable(Box<ResourceFailure>),

    /// JSON that did not come from a response (an extension kept in a
    /// resource's `extra`, say) could not be read as the expected type.
    #[error("could not decode {0}")]
    Json(#[source] Box<DecodeError>),

    /// No answer was received: the transport failed (after any retries).
    #[error("transport error: {0}")]
    Transport(#[from] crate::transport::TransportError),

    /// A paginated walk met a provider that does not page correctly.
    #[error("pagination stopped: {0}")]
    Pagination(String),

    /// The rate budget had no room for the request within the longest wait
    /// one attempt may spend on it (10 minutes): the budget is shared by
    /// more work than its rate serves. Nothing was sent.
    #[error(
        "the rate budget had no room: waited {waited:?} and it asks for {wanted:?} more (at most \
         10 minutes per attempt); it is shared by more work than its rate serves"
    )]
    BudgetExhausted {
        /// Time already spent waiting for room.
        waited: std::time::Duration,
        /// The further wait the budget asked for.
        wanted: std::time::Duration,
    },

    /// A request body could not be serialised to JSON.
    #[error("could not serialise the request body: {0}")]
    Encode(String),

    /// The OAuth 2.0 token endpoint refused the token request (RFC 6749
    /// §5.2): no SCIM request was sent. The status, the OAuth error
    /// (`invalid_client`, …) and the `Retry-After` are in the
    /// [`TokenError`](crate::auth::TokenError); a transport failure on the
    /// way to the token endpoint is [`Error::Transport`].
    #[error(transparent)]
    Token(Box<crate::auth::TokenError>),
}

impl Error {
    /// The API error, when the service answered with a non-2xx status.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) | Error::PreconditionFailed(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, when the service (for [`Error::Token`], the token
    /// endpoint) answered at all.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) | Error::PreconditionFailed(e) => Some(e.status),
            Error::Decode { status, .. } => Some(*status),
            Error::Accepted(_) => Some(StatusCode::ACCEPTED),
            Error::Token(e) => Some(e.status),
            _ => None,
        }
    }

    /// The same error with every secret of the request replaced, wherever a
    /// server, a proxy or a transport may have echoed it.
    pub(crate) fn scrubbed(mut self, secrets: &Secrets) -> Error {
        if secrets.is_empty() {
            return self;
        }
        match &mut self {
            Error::Api(e) | Error::PreconditionFailed(e) => e.scrub(secrets),
            Error::Accepted(accepted) => accepted.scrub(secrets),
            Error::Decode { error, body, .. } => {
                error.scrub(secrets);
                secrets.scrub_bytes(body);
            }
            Error::Undecodable(failure) => failure.scrub(secrets),
            Error::Json(error) => error.scrub(secrets),
            Error::Transport(error) => error.scrub(secrets),
            Error::InvalidConfig(text) | Error::Pagination(text) | Error::Encode(text) => {
                secrets.scrub_string(text)
            }
            Error::InvalidArgument { reason, .. } => secrets.scrub_string(reason),
            Error::BudgetExhausted { .. } => {}
            Error::InvalidToken | Error::Filter(_) => {}
            Error::Token(e) => e.scrub(secrets),
        }
        self
    }

    pub(crate) fn invalid(name: &'static str, reason: impl Into<String>) -> Error {
        Error::InvalidArgument {
            name,
            reason: reason.into(),
        }
    }
}

/// A non-2xx answer: its status, the SCIM error in its body (if the body
/// holds one), the `Retry-After` value, the headers, and the raw body (with
/// the client's own credentials replaced, should the server echo them).
#[derive(Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The SCIM error parsed from the body; `None` for HTML pages, empty or
    /// truncated bodies, which stay readable in `body`.
    pub scim: Option<ScimError>,
    /// The `Retry-After` header, if present (sent with 429 and 503).
    pub retry_after: Option<RetryAfter>,
    /// The response headers.
    pub headers: HeaderMap,
    /// The response body as received.
    pub body: Vec<u8>,
}

impl ApiError {
    /// Builds the error from a non-2xx response's parts.
    pub fn new(status: StatusCode, mut headers: HeaderMap, body: Vec<u8>) -> ApiError {
        hide_cookies(&mut headers);
        let scim = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| ScimError::from_json(&v));
        let retry_after = RetryAfter::from_headers(&headers);
        ApiError {
            status,
            scim,
            retry_after,
            headers,
            body,
        }
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn scrub(&mut self, secrets: &Secrets) {
        secrets.scrub_bytes(&mut self.body);
        secrets.scrub_headers(&mut self.headers);
        if let Some(scim) = &mut self.scim {
            scim.detail.iter_mut().for_each(|d| secrets.scrub_string(d));
            if let Some(ScimType::Other(value)) = &mut scim.scim_type {
                secrets.scrub_string(value);
            }
            for entry in &mut scim.errors {
                entry
                    .description
                    .iter_mut()
                    .for_each(|d| secrets.scrub_string(d));
            }
        }
        if let Some(RetryAfter::Invalid(value)) = &mut self.retry_after {
            secrets.scrub_string(value);
        }
    }
}

/// The most of a body `Debug` shows.
const DEBUG_BODY_CHARS: usize = 512;

/// Marks every `Set-Cookie` sensitive: a cookie the server sets is a
/// credential, never shown by `Debug`.
pub(crate) fn hide_cookies(headers: &mut HeaderMap) {
    if let http::header::Entry::Occupied(mut cookies) = headers.entry(http::header::SET_COOKIE) {
        cookies
            .iter_mut()
            .for_each(|value| value.set_sensitive(true));
    }
}

/// A body as `Debug` shows it: text, cut to 512 characters (a byte array
/// helps nobody).
pub(crate) fn debug_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match text.char_indices().nth(DEBUG_BODY_CHARS) {
        Some((cut, _)) => format!("{}… ({} bytes in all)", &text[..cut], body.len()),
        None => text.into_owned(),
    }
}

impl fmt::Debug for ApiError {
    /// The body as text, cut to 512 characters (a byte array helps nobody).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = debug_body(&self.body);
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("scim", &self.scim)
            .field("retry_after", &self.retry_after)
            .field("headers", &self.headers)
            .field("body", &body)
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SCIM service answered {}", self.status)?;
        match &self.scim {
            Some(scim) => write!(f, ": {scim}"),
            None if self.body.is_empty() => f.write_str(" with an empty body"),
            None => write!(f, " with a non-SCIM body of {} bytes", self.body.len()),
        }
    }
}

impl std::error::Error for ApiError {}

/// A SCIM error body, read from any of the shapes providers send.
///
/// - Slack v1: `{"Errors": {"description": "...", "code": 400}}`
/// - SCIM 1.1: `{"Errors": [{"description": "...", "code": "400"}]}`
/// - RFC 7644 §3.12: `{"schemas": [...], "status": "400", "scimType": "invalidFilter", "detail": "..."}`
///
/// Slack's v2 API may mix the first and last. When several are present the
/// RFC 7644 members win and the `Errors` entries are still listed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScimError {
    /// The status the body states (RFC 7644 `status`, a string on the wire;
    /// Slack's `code`).
    pub status: Option<u16>,
    /// RFC 7644 `scimType`.
    pub scim_type: Option<ScimType>,
    /// RFC 7644 `detail`, or the first `Errors` entry's `description`.
    pub detail: Option<String>,
    /// Every entry of an `Errors` object or array.
    pub errors: Vec<ErrorEntry>,
}

/// One entry of an `Errors` object or array (Slack and SCIM 1.1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorEntry {
    /// `code`: usually the HTTP status.
    pub code: Option<u16>,
    /// `description`: Slack's error code, e.g. `invalid_authentication`.
    pub description: Option<String>,
}

impl ScimError {
    /// Reads a SCIM error from a JSON body; `None` when the body holds none.
    pub fn from_json(body: &Value) -> Option<ScimError> {
        let object = body.as_object()?;
        let errors: Vec<ErrorEntry> = match member(object, "Errors") {
            Some(Value::Object(entry)) => vec![ErrorEntry::from_json(entry)],
            Some(Value::Array(entries)) => entries
                .iter()
                .filter_map(Value::as_object)
                .map(ErrorEntry::from_json)
                .collect(),
            _ => Vec::new(),
        };
        let status = member(object, "status").and_then(status_number);
        let scim_type = member(object, "scimType")
            .and_then(Value::as_str)
            .map(ScimType::from);
        let detail = member(object, "detail")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if errors.is_empty() && status.is_none() && scim_type.is_none() && detail.is_none() {
            return None;
        }
        let first = errors.first();
        Some(ScimError {
            status: status.or_else(|| first.and_then(|e| e.code)),
            scim_type,
            detail: detail.or_else(|| first.and_then(|e| e.description.clone())),
            errors,
        })
    }
}

impl ErrorEntry {
    fn from_json(entry: &serde_json::Map<String, Value>) -> ErrorEntry {
        ErrorEntry {
            code: member(entry, "code").and_then(status_number),
            description: member(entry, "description")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    }
}

/// A member by name, in any case (RFC 7643 §2.1), the exact spelling first.
fn member<'a>(object: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    })
}

/// A status given as a number (`400`) or a string (`"400"`).
fn status_number(value: &Value) -> Option<u16> {
    match value {
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl fmt::Display for ScimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.scim_type, &self.detail) {
            (Some(t), Some(d)) => write!(f, "{t}: {d}"),
            (Some(t), None) => write!(f, "{t}"),
            (None, Some(d)) => f.write_str(d),
            (None, None) => f.write_str("no detail given"),
        }
    }
}

/// RFC 7644 §3.12 `scimType` values; an unknown value is kept as sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScimType {
    /// The filter syntax was invalid or the filter is not supported.
    InvalidFilter,
    /// The filter yields too many results to process.
    TooMany,
    /// A unique attribute value is already in use.
    Uniqueness,
    /// The change would modify a read-only or immutable attribute.
    Mutability,
    /// The request body is not valid for its message schema.
    InvalidSyntax,
    /// A PATCH path is invalid.
    InvalidPath,
    /// A PATCH path matched nothing.
    NoTarget,
    /// A value is missing, of the wrong type, or not allowed.
    InvalidValue,
    /// The protocol version is not supported.
    InvalidVers,
    /// Sensitive information was put in a URI.
    Sensitive,
    /// The cursor is not one the service issued (RFC 9865).
    InvalidCursor,
    /// The cursor has expired (RFC 9865): start the walk again.
    ExpiredCursor,
    /// The `count` is not one the service accepts (RFC 9865).
    InvalidCount,
    /// Any other value, kept exactly as sent.
    Other(String),
}

impl ScimType {
    /// The value as it appears on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
            ScimType::InvalidCursor => "invalidCursor",
            ScimType::ExpiredCursor => "expiredCursor",
            ScimType::InvalidCount => "invalidCount",
            ScimType::Other(s) => s,
        }
    }
}

impl From<&str> for ScimType {
    fn from(value: &str) -> Self {
        match value {
            "invalidFilter" => ScimType::InvalidFilter,
            "tooMany" => ScimType::TooMany,
            "uniqueness" => ScimType::Uniqueness,
            "mutability" => ScimType::Mutability,
            "invalidSyntax" => ScimType::InvalidSyntax,
            "invalidPath" => ScimType::InvalidPath,
            "noTarget" => ScimType::NoTarget,
            "invalidValue" => ScimType::InvalidValue,
            "invalidVers" => ScimType::InvalidVers,
            "sensitive" => ScimType::Sensitive,
            "invalidCursor" => ScimType::InvalidCursor,
            "expiredCursor" => ScimType::ExpiredCursor,
            "invalidCount" => ScimType::InvalidCount,
            other => ScimType::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for ScimType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
