//! [`OAuthError`]: the token endpoint's error response (RFC 6749 §5.2) and
//! its [`OAuthErrorCode`].

use std::fmt;

use http::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::{ApiError, Error, ScimError};

/// An error response from the token endpoint (RFC 6749 §5.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
    /// `error`: what went wrong.
    pub code: OAuthErrorCode,
    /// `error_description`: a human-readable explanation, if sent.
    pub description: Option<String>,
    /// `error_uri`: a page about the error, if sent.
    pub uri: Option<String>,
}

impl OAuthError {
    /// Reads an RFC 6749 §5.2 error body: a JSON object whose `error` is a
    /// string. `None` for anything else (an HTML page, a SCIM error).
    pub fn from_json(body: &[u8]) -> Option<OAuthError> {
        let value: Value = serde_json::from_slice(body).ok()?;
        let object = value.as_object()?;
        let code = object.get("error")?.as_str()?;
        let text = |name: &str| object.get(name).and_then(Value::as_str).map(str::to_owned);
        Some(OAuthError {
            code: OAuthErrorCode::from(code),
            description: text("error_description"),
            uri: text("error_uri"),
        })
    }

    /// The token endpoint's error in an [`Error`] from
    /// [`OAuthSource::receive`](super::OAuthSource::receive) (any answer whose body is an RFC 6749 §5.2
    /// error, with the secrets already scrubbed); `None` otherwise.
    pub fn from_error(error: &Error) -> Option<OAuthError> {
        match error {
            Error::Api(api) => OAuthError::from_json(&api.body),
            Error::Decode { body, .. } => OAuthError::from_json(body),
            _ => None,
        }
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code.as_str())?;
        if let Some(description) = &self.description {
            write!(f, ": {description}")?;
        }
        Ok(())
    }
}

impl std::error::Error for OAuthError {}

/// RFC 6749 §5.2 `error` codes; an unknown code is kept as sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthErrorCode {
    /// The request is missing a parameter, repeats one, or is malformed.
    InvalidRequest,
    /// Client authentication failed: unknown client, wrong secret, or an
    /// unsupported authentication method.
    InvalidClient,
    /// The grant is invalid, expired or revoked.
    InvalidGrant,
    /// This client may not use this grant type.
    UnauthorizedClient,
    /// The server does not support this grant type.
    UnsupportedGrantType,
    /// The scope is invalid, unknown, or exceeds what the client may ask.
    InvalidScope,
    /// Any other code, kept exactly as sent.
    Other(String),
}

impl OAuthErrorCode {
    /// The code as it appears on the wire (RFC 6749 §5.2 `error`).
    pub fn as_str(&self) -> &str {
        match self {
            OAuthErrorCode::InvalidRequest => "invalid_request",
            OAuthErrorCode::InvalidClient => "invalid_client",
            OAuthErrorCode::InvalidGrant => "invalid_grant",
            OAuthErrorCode::UnauthorizedClient => "unauthorized_client",
            OAuthErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            OAuthErrorCode::InvalidScope => "invalid_scope",
            OAuthErrorCode::Other(code) => code,
        }
    }
}

impl From<&str> for OAuthErrorCode {
    fn from(code: &str) -> OAuthErrorCode {
        match code {
            "invalid_request" => OAuthErrorCode::InvalidRequest,
            "invalid_client" => OAuthErrorCode::InvalidClient,
            "invalid_grant" => OAuthErrorCode::InvalidGrant,
            "unauthorized_client" => OAuthErrorCode::UnauthorizedClient,
            "unsupported_grant_type" => OAuthErrorCode::UnsupportedGrantType,
            "invalid_scope" => OAuthErrorCode::InvalidScope,
            other => OAuthErrorCode::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A non-2xx answer from the token endpoint, as [`Error::Api`] whose
/// `scim.detail` says it came from the token endpoint and what it said.
pub(super) fn endpoint_refusal(status: StatusCode, headers: HeaderMap, body: Vec<u8>) -> Error {
    let said = match OAuthError::from_json(&body) {
        Some(oauth) => oauth.to_string(),
        None => "no RFC 6749 §5.2 error in the body".to_owned(),
    };
    let mut api = ApiError::new(status, headers, body);
    api.scim = Some(ScimError {
        status: Some(status.as_u16()),
        detail: Some(format!("OAuth token endpoint: {said}")),
        ..ScimError::default()
    });
    Error::Api(Box::new(api))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::auth::source::OAuthSource;
    use crate::auth::testing::{SECRET, answer, assert_hidden, at, bearer, credentials};

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
            (502, "<html><h1>Bad Gateway</h1></html>", None),
            (401, "", None),
            (400, r#"{"error":5}"#, None),
            (400, r#"{"detail":"a SCIM error"}"#, None),
            (500, r#"["error"]"#, None),
        ];
        for (status, body, code) in table {
            let error = OAuthSource::new(credentials())
                .receive(answer(*status, body), at(0))
                .unwrap_err();
            assert_eq!(error.status().map(|s| s.as_u16()), Some(*status), "{body}");
            let api = error.api_error().expect("an API error");
            assert_eq!(api.body_text(), *body);
            assert!(
                error.to_string().contains("OAuth token endpoint"),
                "{error}"
            );
            let oauth = OAuthError::from_error(&error);
            assert_eq!(oauth.map(|o| o.code), code.clone(), "{body}");
        }
    }

    #[test]
    fn invalid_client_keeps_its_description_and_uri() {
        let body = r#"{"error":"invalid_client","error_description":"Client authentication failed","error_uri":"https://idp.test/errors#client"}"#;
        let error = OAuthSource::new(credentials())
            .receive(answer(401, body), at(0))
            .unwrap_err();
        let oauth = OAuthError::from_error(&error).unwrap();
        assert_eq!(
            oauth,
            OAuthError {
                code: OAuthErrorCode::InvalidClient,
                description: Some("Client authentication failed".into()),
                uri: Some("https://idp.test/errors#client".into()),
            }
        );
        assert_eq!(
            error.to_string(),
            "SCIM service answered 401 Unauthorized: OAuth token endpoint: invalid_client: Client authentication failed"
        );
    }

    #[test]
    fn a_rate_limited_token_endpoint_keeps_its_retry_after() {
        let response = http::Response::builder()
            .status(429)
            .header("Retry-After", "7")
            .body(br#"{"error":"slow_down"}"#.to_vec())
            .unwrap();
        let error = OAuthSource::new(credentials())
            .receive(Ok(response), at(0))
            .unwrap_err();
        let retry_after = error.api_error().unwrap().retry_after.clone();
        assert_eq!(
            retry_after,
            Some(crate::RetryAfter::Delay(Duration::from_secs(7)))
        );
    }

    #[test]
    fn an_error_body_echoing_the_secret_and_the_token_shows_neither() {
        let mut source = OAuthSource::new(credentials());
        let body = r#"{"access_token":"token-AAAA","token_type":"Bearer"}"#;
        source.receive(answer(200, body), at(0)).unwrap();
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
        let error = source.receive(Ok(response), at(1)).unwrap_err();
        let api = error.api_error().unwrap();
        let oauth = OAuthError::from_error(&error).unwrap();
        assert_eq!(oauth.code, OAuthErrorCode::InvalidClient);
        let shown = format!(
            "{error} {error:?} {} {:?} {oauth}",
            api.body_text(),
            api.headers
        );
        assert_hidden(&shown, &["token-AAAA"]);
        assert!(shown.contains("[redacted]"));
    }
}
