//! [`Credentials`]: a static [`BearerToken`], or tokens that renew, fetched
//! with the OAuth 2.0 client-credentials grant (RFC 6749 §4.4) and cached
//! until shortly before they expire.
//!
//! Like [`Call`](crate::engine::call::Call), the token source is a pure state
//! machine: it never sends, sleeps or reads a clock. Its token request is an
//! `http::Request<Vec<u8>>` that the driver sends through the same transport
//! as SCIM calls, and the time is an argument.
//!
//! ```text
//!   poll(now) ──► TokenStep::Ready(header) ──► `Authorization: Bearer …` on the SCIM request
//!       │                                                   │
//!       │                                          401 Unauthorized?
//!       │                                                   │
//!       │                            invalidate_rejected(header), then poll(now) once more
//!       ▼
//!   TokenStep::Fetch(request) ──► the driver sends it ──► handle(response or error, now)
//!                                                              │
//!                                        Ok(header): cached ◄──┴──► Err(Error): the call fails
//! ```
//!
//! `poll` answers `Ready` while the cached token is fresh: until
//! `expires_in` (RFC 6749 §5.1) minus the refresh margin (60 s by default,
//! at most half the token's lifetime), or, for a token sent without
//! `expires_in`, until [`invalidate`](OAuthSource::invalidate). The client
//! secret and every token stay out of `Debug`, `Display` and errors, even
//! when the token endpoint echoes them.
//!
//! A refusal from the token endpoint is [`Error::Token`](crate::Error::Token):
//! a [`TokenError`] with the status, the RFC 6749 §5.2 [`OAuthError`] and the
//! `Retry-After`, never a SCIM error. Not reaching the endpoint at all is
//! [`Error::Transport`](crate::Error::Transport).
//!
//! Driving the source by hand, with a canned answer:
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use scim_client::auth::{ClientCredentials, OAuthSource, TokenStep};
//!
//! let token_url = "https://idp.example.com/oauth2/token";
//! let credentials = ClientCredentials::new(token_url, "scim-app", "client-secret-1")?
//!     .with_scope("scim:read scim:write");
//! let mut source = OAuthSource::new(credentials);
//! let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
//!
//! // No token yet: send the token request (RFC 6749 §4.4.2).
//! let TokenStep::Fetch(request) = source.poll(t0)? else { unreachable!() };
//! assert_eq!(request.method(), "POST");
//! let form = "grant_type=client_credentials&scope=scim%3Aread+scim%3Awrite";
//! assert_eq!(request.body(), form.as_bytes());
//!
//! // Hand the answer back (RFC 6749 §4.4.3): the header to put on SCIM requests.
//! let answer = http::Response::builder().status(200).body(
//!     br#"{"access_token":"eyJhbGciOi.example","token_type":"Bearer","expires_in":3600}"#.to_vec(),
//! )?;
//! let header = source.handle(Ok(answer), t0)?;
//! assert_eq!(header, "Bearer eyJhbGciOi.example");
//!
//! // Ten minutes later the token is still fresh; a minute before expiry it is renewed.
//! let later = |seconds| t0 + Duration::from_secs(seconds);
//! assert!(matches!(source.poll(later(600))?, TokenStep::Ready(h) if h == header));
//! assert!(matches!(source.poll(later(3540))?, TokenStep::Fetch(_)));
//!
//! // A SCIM request answered 401 with this token: drop it, fetch another (once).
//! assert!(source.invalidate_rejected(&header));
//! assert!(matches!(source.poll(later(601))?, TokenStep::Fetch(_)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub(crate) mod client_credentials;
pub(crate) mod credentials;
pub(crate) mod encoding;
pub(crate) mod oauth_error;
pub(crate) mod secret_forms;
pub(crate) mod shared;
pub(crate) mod source;
#[cfg(test)]
mod testing;
pub(crate) mod token;
pub(crate) mod token_error;
pub(crate) mod token_response;
pub(crate) mod token_url;

pub use client_credentials::{
    ClientAuth, ClientCredentials, DEFAULT_REFRESH_MARGIN, FORM_CONTENT_TYPE,
};
pub use credentials::Credentials;
pub use oauth_error::{OAuthError, OAuthErrorCode};
pub use source::{OAuthSource, TokenStep};
pub use token::BearerToken;
pub use token_error::TokenError;
