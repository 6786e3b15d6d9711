//! Response building: a [`Reply`], a [`Failure`], a [`Fault`] or a throttle
//! turned into the HTTP response the dialect sends (status, body form,
//! `Content-Type`, `ETag`, `Location`, `Retry-After`).

use std::time::Duration;

use http::header::{CONTENT_TYPE, ETAG, LOCATION, RETRY_AFTER};
use http::{HeaderValue, StatusCode};
use serde_json::{Map, Value, json};

use crate::store::version_of;
use crate::{Failure, Fault};
use scim_client::Dialect;
use scim_client::transport::HttpResponse;

/// An answer before it becomes an HTTP response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
    pub(crate) etag: Option<String>,
    pub(crate) location: Option<String>,
}

impl Reply {
    /// `status` with a JSON body.
    pub(crate) fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Some(body),
            etag: None,
            location: None,
        }
    }

    /// `status` without a body (204, 304, Slack's 200 on DELETE).
    pub(crate) fn empty(status: u16) -> Reply {
        Reply {
            status,
            body: None,
            etag: None,
            location: None,
        }
    }

    /// A resource, with its `ETag` (SCIM 2.0) and, on 201, its `Location`.
    pub(crate) fn resource(status: u16, resource: Map<String, Value>, v2: bool) -> Reply {
        let etag = if v2 { version_of(&resource) } else { None };
        let location = resource
            .get("meta")
            .and_then(|m| m.get("location"))
            .and_then(Value::as_str)
            .filter(|_| status == 201)
            .map(str::to_owned);
        Reply {
            status,
            body: Some(Value::Object(resource)),
            etag,
            location,
        }
    }

    /// A refusal in the dialect's error form: Slack v1's `{"Errors": {…}}`,
    /// or an RFC 7644 §3.12 error.
    pub(crate) fn failure(dialect: Dialect, failure: &Failure) -> Reply {
        let body = match dialect {
            Dialect::SlackV1 => {
                json!({"Errors": {"description": failure.detail, "code": failure.status}})
            }
            Dialect::SlackV2 | Dialect::Scim2 => scim_error(failure),
        };
        Reply::json(failure.status, body)
    }
}

/// An RFC 7644 §3.12 error body (also a Bulk operation's `response`).
pub(crate) fn scim_error(failure: &Failure) -> Value {
    let mut body = json!({
        "schemas": [scim_client::model::ERROR],
        "status": failure.status.to_string(),
        "detail": failure.detail,
    });
    if let Some(scim_type) = failure.scim_type {
        body["scimType"] = Value::from(scim_type);
    }
    body
}

/// The HTTP response for `reply`, in the dialect's content type.
pub(crate) fn http_response(dialect: Dialect, reply: Reply) -> HttpResponse {
    let body = match reply.body.as_ref().map(serde_json::to_vec).transpose() {
        Ok(body) => body.unwrap_or_default(),
        // A `Value` has string keys only, so serde_json cannot refuse it;
        // were that to change, the answer says so instead of sending an
        // empty body.
        Err(e) => return unwritable(&e),
    };
    let mut response = HttpResponse::new(body);
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    if reply.status != 204 && reply.status != 304 {
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static(dialect.content_type()),
        );
    }
    if let Some(etag) = reply.etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
        headers.insert(ETAG, etag);
    }
    if let Some(location) = reply.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(LOCATION, location);
    }
    response
}

/// 429 in the dialect's error form, with `Retry-After` in whole seconds,
/// rounded up, at least 1: the rate table had no room for `wait`.
pub(crate) fn throttled(dialect: Dialect, wait: Duration) -> HttpResponse {
    let seconds = wait
        .as_secs()
        .saturating_add(u64::from(wait.subsec_nanos() > 0))
        .max(1);
    let detail = match dialect {
        Dialect::SlackV1 => "ratelimited".to_owned(),
        Dialect::SlackV2 | Dialect::Scim2 => {
            format!("Too many requests: retry after {seconds} s")
        }
    };
    let failure = Failure::new(429, None, detail);
    let mut response = http_response(dialect, Reply::failure(dialect, &failure));
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// The response an injected fault asks for.
pub(crate) fn fault(dialect: Dialect, fault: &Fault) -> HttpResponse {
    match fault {
        Fault::RateLimited { retry_after } => {
            let failure = Failure::new(429, None, "ratelimited");
            let mut response = http_response(dialect, Reply::failure(dialect, &failure));
            if let Ok(value) = HeaderValue::from_str(retry_after) {
                response.headers_mut().insert(RETRY_AFTER, value);
            }
            response
        }
        Fault::Status(status) => {
            let body = format!("<html><body><h1>{status} injected fault</h1></body></html>");
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            plain(status, "text/html", body)
        }
    }
}

/// 500 with a plain-text body: the answer could not be written as JSON.
fn unwritable(error: &serde_json::Error) -> HttpResponse {
    let body = format!("the in-memory service could not write its answer as JSON: {error}");
    plain(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", body)
}

fn plain(status: StatusCode, content_type: &'static str, body: String) -> HttpResponse {
    let mut response = HttpResponse::new(body.into_bytes());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}
