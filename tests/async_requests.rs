//! RFC 9967 asynchronous requests: a `202 Accepted` with `Set-Txn` is
//! [`Error::Accepted`] (never a result, never a decode error, never sent
//! twice), through both clients and by hand; `Prefer: respond-async` is
//! sent only when asked; discovery reads `securityEvents.asyncRequest`.

mod support;

use std::sync::{Arc, Mutex};

use scim_client::model::{AsyncRequest, PatchOp, SearchRequest, ServiceProviderConfig};
use scim_client::retry::{
    ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler,
};
use scim_client::transport::{HttpRequest, HttpResponse, TransportError};
use scim_client::transports::AsyncFnTransport;
use scim_client::{AsyncScimClient, ClientOptions, Error, ScimClient};
use serde_json::json;
use support::scenarios::block_on;

const BASE: &str = "https://scim.example.test/v2";
const TOKEN: &str = "tok-async-202-secret";

/// A 202 with `Set-Txn` and `Location`, no body.
fn accepted(txn: &str) -> HttpResponse {
    http::Response::builder()
        .status(202)
        .header("Set-Txn", txn)
        .header("Location", format!("{BASE}/Users/2819c223"))
        .body(Vec::new())
        .unwrap()
}

/// The txn of an `Error::Accepted`; panics on anything else.
fn txn_of<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(Error::Accepted(accepted)) => accepted.txn.clone().expect("a Set-Txn"),
        other => panic!("expected Error::Accepted, got {other:?}"),
    }
}

/// Retry handlers that would retry anything they are asked about, 202
/// included: they must not be asked.
fn eager_options() -> ClientOptions {
    let mut options = ClientOptions::scim2(BASE);
    let mut server = ServerErrorRetryHandler::new(3);
    server.statuses.push(http::StatusCode::ACCEPTED);
    server.retry_non_idempotent = true;
    let mut connection = ConnectionErrorRetryHandler::new(3);
    connection.retry_non_idempotent = true;
    options.retry_handlers.push(server);
    options.retry_handlers.push(connection);
    options
        .retry_handlers
        .push(RateLimitErrorRetryHandler::new(3));
    options
}

/// The requests a transport saw.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<HttpRequest>>>);

impl Seen {
    fn record(&self, request: HttpRequest) -> HttpRequest {
        self.0.lock().unwrap().push(request.clone());
        request
    }

    fn take(&self) -> Vec<HttpRequest> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

fn user() -> serde_json::Value {
    json!({"userName": "bjensen", "id": "2819c223"})
}

#[test]
fn a_202_to_create_patch_put_and_delete_is_accepted_with_its_txn_by_hand() {
    let endpoint = ClientOptions::scim2(BASE).endpoint(TOKEN).unwrap();
    let create = endpoint.create_user(&user()).unwrap();
    assert_eq!(
        txn_of(create.parse_response(accepted("t-create"))),
        "t-create"
    );
    // A PATCH's 204 is `None`; a 202 without a body is not.
    let patch = endpoint
        .patch_user("2819c223", &PatchOp::new().replace("title", json!("x")))
        .unwrap();
    assert_eq!(txn_of(patch.parse_response(accepted("t-patch"))), "t-patch");
    let put = endpoint.update_user(&user()).unwrap();
    assert_eq!(txn_of(put.parse_response(accepted("t-put"))), "t-put");
    let delete = endpoint.delete_user("2819c223").unwrap();
    let error = delete.parse_response(accepted("t-delete")).unwrap_err();
    assert_eq!(error.status(), Some(http::StatusCode::ACCEPTED));
    let text = error.to_string();
    assert!(
        text.contains("accepted the request for asynchronous processing"),
        "{text}"
    );
    assert!(
        text.contains("asyncresp Security Event Token for txn \"t-delete\""),
        "{text}"
    );
    let Error::Accepted(accepted) = error else {
        unreachable!()
    };
    assert_eq!(
        accepted.location.as_deref(),
        Some("https://scim.example.test/v2/Users/2819c223")
    );
}

#[test]
fn a_202_to_a_read_or_a_page_is_accepted_not_a_decode_error() {
    let endpoint = ClientOptions::scim2(BASE).endpoint(TOKEN).unwrap();
    let read = endpoint.read_user("2819c223").unwrap();
    assert_eq!(txn_of(read.parse_response(accepted("t-read"))), "t-read");
    let page = endpoint.search_users(&SearchRequest::new()).unwrap();
    assert_eq!(txn_of(page.parse_response(accepted("t-list"))), "t-list");
    // Even with a body: a 202 is never the result.
    let with_body = http::Response::builder()
        .status(202)
        .body(br#"{"id": "2819c223", "userName": "bjensen"}"#.to_vec())
        .unwrap();
    let error = endpoint
        .read_user("2819c223")
        .unwrap()
        .parse_response(with_body)
        .unwrap_err();
    match error {
        Error::Accepted(accepted) => {
            assert_eq!(accepted.txn, None);
            assert!(accepted.to_string().contains("no Set-Txn"), "{accepted}");
        }
        other => panic!("{other:?}"),
    }
}

/// A blocking transport answering every request 202, counting them.
fn accepting(seen: &Seen) -> impl Fn(HttpRequest) -> Result<HttpResponse, TransportError> + use<> {
    let seen = seen.clone();
    move |request| {
        let request = seen.record(request);
        Ok(accepted(&format!("t-{}", request.method())))
    }
}

#[test]
fn the_blocking_client_returns_accepted_and_sends_a_202_once() {
    let seen = Seen::default();
    let client = ScimClient::with_transport(TOKEN, eager_options(), accepting(&seen)).unwrap();
    assert_eq!(txn_of(client.create_user(&user())), "t-POST");
    assert_eq!(seen.take().len(), 1, "a 202 is sent once");
    let patched = client.patch_user("2819c223", &PatchOp::new().replace("title", json!("x")));
    assert_eq!(txn_of(patched), "t-PATCH");
    assert_eq!(seen.take().len(), 1);
    assert_eq!(txn_of(client.update_user(&user())), "t-PUT");
    assert_eq!(seen.take().len(), 1);
    assert_eq!(txn_of(client.delete_user("2819c223")), "t-DELETE");
    assert_eq!(seen.take().len(), 1);
}

#[test]
fn the_async_client_returns_accepted_and_sends_a_202_once() {
    let seen = Seen::default();
    let send = accepting(&seen);
    let transport = AsyncFnTransport::new(
        move |request: HttpRequest| std::future::ready(send(request)),
        |_| async {},
    );
    let client = AsyncScimClient::with_transport(TOKEN, eager_options(), transport).unwrap();
    block_on(async {
        assert_eq!(txn_of(client.create_user(&user()).await), "t-POST");
        assert_eq!(seen.take().len(), 1, "a 202 is sent once");
        let patched = client
            .patch_user("2819c223", &PatchOp::new().replace("title", json!("x")))
            .await;
        assert_eq!(txn_of(patched), "t-PATCH");
        assert_eq!(seen.take().len(), 1);
        assert_eq!(txn_of(client.delete_user("2819c223").await), "t-DELETE");
        assert_eq!(seen.take().len(), 1);
    });
}

#[test]
fn set_txn_and_location_are_scrubbed_like_every_other_error() {
    let echo = |request: HttpRequest| -> Result<HttpResponse, TransportError> {
        let auth = request.headers()["authorization"]
            .to_str()
            .unwrap()
            .to_owned();
        Ok(http::Response::builder()
            .status(202)
            .header("Set-Txn", format!("txn-{auth}"))
            .header("Location", format!("{BASE}/Users/1?t={auth}"))
            .body(auth.clone().into_bytes())
            .unwrap())
    };
    let client = ScimClient::with_transport(TOKEN, ClientOptions::scim2(BASE), echo).unwrap();
    let error = client.delete_user("1").unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    let Error::Accepted(accepted) = error else {
        panic!("{shown}")
    };
    assert!(accepted.txn.unwrap().starts_with("txn-"));
    assert!(!String::from_utf8_lossy(&accepted.body).contains(TOKEN));
}

/// A service answering as a synchronous one does, recording the requests.
fn synchronous(
    seen: &Seen,
) -> impl Fn(HttpRequest) -> Result<HttpResponse, TransportError> + use<> {
    let seen = seen.clone();
    move |request| {
        let request = seen.record(request);
        let (status, body) = match *request.method() {
            http::Method::DELETE => (204, Vec::new()),
            http::Method::POST => (201, user().to_string().into_bytes()),
            _ if request.uri().path().ends_with("/Users") => (
                200,
                json!({"totalResults": 1, "Resources": [user()]})
                    .to_string()
                    .into_bytes(),
            ),
            _ => (200, user().to_string().into_bytes()),
        };
        Ok(http::Response::builder().status(status).body(body).unwrap())
    }
}

fn assert_no_prefer(requests: &[HttpRequest]) {
    assert_eq!(requests.len(), 6, "{requests:?}");
    for request in requests {
        assert!(
            request.headers().get("prefer").is_none(),
            "{} {} carries Prefer",
            request.method(),
            request.uri()
        );
    }
}

#[test]
fn no_request_carries_prefer_unless_asked_blocking() {
    let seen = Seen::default();
    let client =
        ScimClient::with_transport(TOKEN, ClientOptions::scim2(BASE), synchronous(&seen)).unwrap();
    client.search_users(&SearchRequest::new()).unwrap();
    client.read_user("2819c223").unwrap();
    client.create_user(&user()).unwrap();
    client
        .patch_user("2819c223", &PatchOp::new().replace("title", json!("x")))
        .unwrap();
    client.update_user(&user()).unwrap();
    client.delete_user("2819c223").unwrap();
    assert_no_prefer(&seen.take());

    let asked = client.endpoint().delete_user("2819c223").unwrap();
    client
        .execute(asked.respond_async().respond_async())
        .unwrap();
    let sent = seen.take();
    let prefer: Vec<_> = sent[0].headers().get_all("prefer").iter().collect();
    assert_eq!(prefer, ["respond-async"], "once, however often asked");
}

#[test]
fn no_request_carries_prefer_unless_asked_async() {
    let seen = Seen::default();
    let send = synchronous(&seen);
    let transport = AsyncFnTransport::new(
        move |request: HttpRequest| std::future::ready(send(request)),
        |_| async {},
    );
    let client =
        AsyncScimClient::with_transport(TOKEN, ClientOptions::scim2(BASE), transport).unwrap();
    block_on(async {
        client.search_users(&SearchRequest::new()).await.unwrap();
        client.read_user("2819c223").await.unwrap();
        client.create_user(&user()).await.unwrap();
        let patch = PatchOp::new().replace("title", json!("x"));
        client.patch_user("2819c223", &patch).await.unwrap();
        client.update_user(&user()).await.unwrap();
        client.delete_user("2819c223").await.unwrap();
        assert_no_prefer(&seen.take());

        let asked = client
            .endpoint()
            .create_user(&user())
            .unwrap()
            .respond_async();
        client.execute(asked).await.unwrap();
    });
    let sent = seen.take();
    assert_eq!(sent[0].headers()["prefer"], "respond-async");
}

#[test]
fn respond_async_keeps_other_preferences() {
    let endpoint = ClientOptions::scim2(BASE).endpoint(TOKEN).unwrap();
    let mut headers = http::HeaderMap::new();
    headers.insert("prefer", http::HeaderValue::from_static("return=minimal"));
    let op = endpoint
        .api_call(http::Method::DELETE, "Users/1", &[], None, &headers)
        .unwrap()
        .respond_async();
    let prefer: Vec<_> = op.request().headers().get_all("prefer").iter().collect();
    assert_eq!(prefer, ["return=minimal", "respond-async"]);
}

#[test]
fn discovery_reads_security_events_async_request_leniently() {
    let endpoint = ClientOptions::scim2(BASE).endpoint(TOKEN).unwrap();
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "securityEvents": {"asyncRequest": "LONG", "eventUris": ["urn:example:event"]}
    });
    let answer = http::Response::builder()
        .status(200)
        .body(body.to_string().into_bytes())
        .unwrap();
    let config = endpoint
        .service_provider_config()
        .unwrap()
        .parse_response(answer)
        .unwrap();
    assert_eq!(config.async_request(), Some(&AsyncRequest::Long));
    assert!(config.async_request().unwrap().may_answer_unasked());
    let events = config.security_events.value().unwrap();
    assert_eq!(events.extra["eventUris"], json!(["urn:example:event"]));
    // Written back canonically, the rest as sent.
    assert_eq!(
        serde_json::to_value(&config).unwrap()["securityEvents"],
        json!({"asyncRequest": "long", "eventUris": ["urn:example:event"]})
    );

    let read = |value: serde_json::Value| {
        serde_json::from_value::<ServiceProviderConfig>(
            json!({"securityEvents": {"asyncRequest": value}}),
        )
        .unwrap()
        .async_request()
        .cloned()
    };
    assert_eq!(read(json!("none")), Some(AsyncRequest::None));
    assert_eq!(read(json!("Request")), Some(AsyncRequest::Request));
    assert_eq!(
        read(json!("sometimes")),
        Some(AsyncRequest::Other("sometimes".into()))
    );
    assert_eq!(read(json!(null)), None);
    let silent: ServiceProviderConfig = serde_json::from_value(json!({})).unwrap();
    assert_eq!(silent.async_request(), None);
}
