//! What the auth layer's unit tests share: a client registration, a fixed
//! clock, canned answers, and the check that no secret shows.

use std::time::{Duration, SystemTime};

use http::HeaderValue;

use super::client_credentials::ClientCredentials;
use super::token::BearerToken;
use crate::transport::{HttpResponse, TransportError};

/// Holds `/` and `+`, so its JSON-escaped and form-encoded forms differ.
pub(super) const SECRET: &str = "s3cr3t/client+secret";

/// The registration the tests start from: Basic authentication, no scope.
pub(super) fn credentials() -> ClientCredentials {
    ClientCredentials::new("https://idp.test/oauth2/token", "scim-app", SECRET).unwrap()
}

/// Seconds after a fixed instant: every time in these tests is passed in.
pub(super) fn at(seconds: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + seconds)
}

/// The token endpoint's answer: `status` and `body`.
pub(super) fn answer(status: u16, body: &str) -> Result<HttpResponse, TransportError> {
    Ok(http::Response::builder()
        .status(status)
        .body(body.as_bytes().to_vec())
        .unwrap())
}

/// `Bearer {token}` as a header value.
pub(super) fn bearer(token: &str) -> HeaderValue {
    BearerToken::new(token).unwrap().header_value().clone()
}

/// The token in a `Bearer …` header value.
pub(super) fn token_of(header: &HeaderValue) -> String {
    let text = header.to_str().unwrap();
    text.strip_prefix("Bearer ").unwrap().to_owned()
}

/// Longer than any token lives.
pub(super) const HUNDRED_YEARS: u64 = 100 * 365 * 24 * 3600;

/// Every form of the secret and of `tokens` that must never show.
pub(super) fn assert_hidden(text: &str, tokens: &[&str]) {
    let basic = credentials().basic_header().unwrap();
    let basic = basic
        .to_str()
        .unwrap()
        .trim_start_matches("Basic ")
        .to_owned();
    let forms = [
        SECRET,
        "s3cr3t\\/client+secret",
        "s3cr3t%2Fclient%2Bsecret",
        &basic,
    ];
    for hidden in forms.iter().chain(tokens) {
        assert!(!text.contains(hidden), "{hidden:?} shows in {text}");
    }
}
