//! [`TokenError`]: the token endpoint's refusal of a token request, kept as
//! data (RFC 6749 §5.2), not dressed up as a SCIM error.

use std::fmt;

use http::{HeaderMap, StatusCode};
use serde_json::Value;

use super::oauth_error::{OAuthError, OAuthErrorCode};
use crate::RetryAfter;
use crate::secrets::Secrets;

/// The OAuth 2.0 token endpoint refused the token request (RFC 6749
/// §4.4.2): its status, the RFC 6749 §5.2 error when the body holds one,
/// the `Retry-After` value, the headers and the body.
///
/// No SCIM request was sent: the client could not get a token to send one
/// with. `invalid_client` (§5.2: "Client authentication failed") means the
/// client id or secret is wrong, and asking again will not help;
/// `slow_down`, a 429 or a 503 with [`retry_after`](Self::retry_after) may
/// pass later.
///
/// The client secret and every token are replaced with `[redacted]`
/// wherever the server echoed them (body, headers, the OAuth error).
#[derive(Clone)]
#[non_exhaustive]
pub struct TokenError {
    /// The HTTP status: 400 or 401 for an RFC 6749 §5.2 error, anything for
    /// a gateway's page, and a 2xx when a server sends its §5.2 error in a
    /// success answer (no `access_token`, an `error`).
    pub status: StatusCode,
    /// The RFC 6749 §5.2 error in the body (`error`, `error_description`,
    /// `error_uri`); `None` for an HTML page, an empty body or other JSON,
    /// which stay readable in `body`.
    pub oauth: Option<OAuthError>,
    /// The `Retry-After` header, if present (sent with 429 and 503).
    pub retry_after: Option<RetryAfter>,
    /// The response headers (`WWW-Authenticate` comes with a 401
    /// `invalid_client`, RFC 6749 §5.2); `Set-Cookie` is marked sensitive.
    pub headers: HeaderMap,
    /// The body as received, scrubbed; empty when it held a token-like
    /// member that could not be scrubbed (not printable ASCII).
    pub body: Vec<u8>,
}

impl TokenError {
    /// Reads the refusal from the answer's parts. The caller scrubs it.
    pub(super) fn new(status: StatusCode, mut headers: HeaderMap, body: Vec<u8>) -> TokenError {
        crate::error::hide_cookies(&mut headers);
        TokenError {
            status,
            oauth: OAuthError::from_json(&body),
            retry_after: RetryAfter::from_headers(&headers),
            headers,
            body,
        }
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The same refusal with every secret replaced.
    pub(crate) fn scrub(&mut self, secrets: &Secrets) {
        secrets.scrub_bytes(&mut self.body);
        secrets.scrub_headers(&mut self.headers);
        if let Some(oauth) = &mut self.oauth {
            if let OAuthErrorCode::Other(code) = &mut oauth.code {
                secrets.scrub_string(code);
            }
            let texts = oauth.description.iter_mut().chain(oauth.uri.iter_mut());
            texts.for_each(|text| secrets.scrub_string(text));
        }
        if let Some(RetryAfter::Invalid(value)) = &mut self.retry_after {
            secrets.scrub_string(value);
        }
    }
}

/// True when a success answer refuses all the same: it holds no
/// `access_token` but an RFC 6749 §5.2 `error`, as some servers send with
/// a 200.
pub(super) fn is_refusal(body: &[u8]) -> bool {
    let Ok(Value::Object(members)) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    !members.contains_key("access_token") && members.get("error").is_some_and(Value::is_string)
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OAuth token endpoint answered {}", self.status)?;
        match &self.oauth {
            Some(oauth) => write!(f, ": {oauth}"),
            None if self.body.is_empty() => f.write_str(" with an empty body"),
            None => write!(
                f,
                " with a body of {} bytes that is not an RFC 6749 §5.2 error",
                self.body.len()
            ),
        }
    }
}

impl fmt::Debug for TokenError {
    /// The body as text, cut to 512 characters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = crate::error::debug_body(&self.body);
        f.debug_struct("TokenError")
            .field("status", &self.status)
            .field("oauth", &self.oauth)
            .field("retry_after", &self.retry_after)
            .field("headers", &self.headers)
            .field("body", &body)
            .finish()
    }
}

impl std::error::Error for TokenError {}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::Error;
    use crate::auth::source::OAuthSource;
    use crate::auth::testing::{SECRET, answer, assert_hidden, at, bearer, credentials};
    use crate::transport::{HttpResponse, TransportError};

    /// The refusal `OAuthSource::handle` makes of this answer.
    fn refusal(response: Result<HttpResponse, TransportError>) -> (Error, TokenError) {
        let error = OAuthSource::new(credentials())
            .handle(response, at(0))
            .unwrap_err();
        match &error {
            Error::Token(refusal) => {
                let refusal = (**refusal).clone();
                (error, refusal)
            }
            other => panic!("not a token error: {other:?}"),
        }
    }

    #[test]
    fn token_endpoint_errors_are_typed() {
        use OAuthErrorCode::*;
        let table: &[(u16, &str, Option<OAuthErrorCode>)] = &[
            (400, r#"{"error":"invalid_request"}"#, Some(InvalidRequest)),
            (401, r#"{"error":"invalid_client"}"#, Some(InvalidClient)),
            (400, r#"{"error":"invalid_grant"}"#, Some(InvalidGrant)),
            (
                400,
                r#"{"error":"unauthorized_client"}"#,
                Some(UnauthorizedClient),
            ),
            (
                400,
                r#"{"error":"unsupported_grant_type"}"#,
                Some(UnsupportedGrantType),
            ),
            (400, r#"{"error":"invalid_scope"}"#, Some(InvalidScope)),
            (
                400,
                r#"{"error":"slow_down"}"#,
                Some(Other("slow_down".into())),
            ),
            (200, r#"{"error":"invalid_client"}"#, Some(InvalidClient)), // a refusal sent as 200
            (502, "<html><h1>Bad Gateway</h1></html>", None),
            (401, "", None),
            (400, r#"{"error":5}"#, None),
            (400, r#"{"detail":"a SCIM error"}"#, None),
            (500, r#"["error"]"#, None),
        ];
        for (status, body, code) in table {
            let (error, refusal) = refusal(answer(*status, body));
            assert_eq!(refusal.status.as_u16(), *status, "{body}");
            assert_eq!(error.status(), Some(refusal.status), "{body}");
            assert!(error.api_error().is_none(), "not a SCIM error: {body}");
            assert_eq!(refusal.body_text(), *body);
            assert!(
                error
                    .to_string()
                    .starts_with("OAuth token endpoint answered"),
                "{error}"
            );
            assert_eq!(
                refusal.oauth.as_ref().map(|o| &o.code),
                code.as_ref(),
                "{body}"
            );
            assert_eq!(OAuthError::from_error(&error), refusal.oauth, "{body}");
        }
    }

    #[test]
    fn display_says_the_token_endpoint_answered_and_what() {
        let table: &[(u16, &str, &str)] = &[
            (
                400,
                r#"{"error":"invalid_scope"}"#,
                "400 Bad Request: invalid_scope",
            ),
            (503, "", "503 Service Unavailable with an empty body"),
            (
                502,
                "<html>down</html>",
                "502 Bad Gateway with a body of 17 bytes that is not an RFC 6749 §5.2 error",
            ),
        ];
        for (status, body, shown) in table {
            let (error, _) = refusal(answer(*status, body));
            assert_eq!(
                error.to_string(),
                format!("OAuth token endpoint answered {shown}")
            );
        }
    }

    #[test]
    fn invalid_client_keeps_its_description_and_uri() {
        let body = r#"{"error":"invalid_client","error_description":"Client authentication failed","error_uri":"https://idp.test/errors#client"}"#;
        let (error, refusal) = refusal(answer(401, body));
        let oauth = OAuthError {
            code: OAuthErrorCode::InvalidClient,
            description: Some("Client authentication failed".into()),
            uri: Some("https://idp.test/errors#client".into()),
        };
        assert_eq!(refusal.oauth.as_ref(), Some(&oauth));
        assert_eq!(OAuthError::from_error(&error), Some(oauth));
        assert_eq!(
            error.to_string(),
            "OAuth token endpoint answered 401 Unauthorized: invalid_client: Client authentication failed"
        );
    }

    #[test]
    fn a_rate_limited_token_endpoint_keeps_its_retry_after() {
        let response = http::Response::builder()
            .status(429)
            .header("Retry-After", "7")
            .body(br#"{"error":"slow_down"}"#.to_vec())
            .unwrap();
        let (_, refusal) = refusal(Ok(response));
        assert_eq!(
            refusal.retry_after,
            Some(RetryAfter::Delay(Duration::from_secs(7)))
        );
    }

    #[test]
    fn a_cookie_the_token_endpoint_sets_is_not_shown() {
        let response = http::Response::builder()
            .status(400)
            .header("Set-Cookie", "session=cookie-value-hidden")
            .body(br#"{"error":"invalid_request"}"#.to_vec())
            .unwrap();
        let (error, refusal) = refusal(Ok(response));
        assert!(refusal.headers["set-cookie"].is_sensitive());
        assert!(!format!("{error:?}").contains("cookie-value-hidden"));
    }

    #[test]
    fn an_error_body_echoing_the_secret_and_the_token_shows_neither() {
        let mut source = OAuthSource::new(credentials());
        let body = r#"{"access_token":"token-AAAA","token_type":"Bearer"}"#;
        source.handle(answer(200, body), at(0)).unwrap();
        assert!(source.invalidate_rejected(&bearer("token-AAAA")));
        let basic = credentials().basic_header().unwrap();
        let basic = basic.to_str().unwrap().to_owned();
        let echo = format!(
            r#"{{"error":"invalid_client","error_description":"bad {SECRET} for Bearer token-AAAA","request":"client_secret=s3cr3t%2Fclient%2Bsecret","json":"s3cr3t\/client+secret","auth":"{basic}"}}"#
        );
        let response = http::Response::builder()
            .status(401)
            .header("WWW-Authenticate", format!(r#"Basic error="{SECRET}""#))
            .body(echo.into_bytes())
            .unwrap();
        let error = source.handle(Ok(response), at(1)).unwrap_err();
        let Error::Token(refusal) = &error else {
            panic!("{error:?}");
        };
        let oauth = OAuthError::from_error(&error).unwrap();
        assert_eq!(oauth.code, OAuthErrorCode::InvalidClient);
        let shown = format!(
            "{error} {error:?} {} {:?} {oauth}",
            refusal.body_text(),
            refusal.headers
        );
        assert_hidden(&shown, &["token-AAAA"]);
        assert!(shown.contains("[redacted]"));
        assert_eq!(
            oauth.description.as_deref(),
            Some("bad [redacted] for [redacted]")
        );
    }
}
