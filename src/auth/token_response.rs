//! Reading a successful token response (RFC 6749 §5.1): the access token,
//! its type, its scope, and from `expires_in` when it expires and when to
//! renew it.

use std::fmt;
use std::time::{Duration, SystemTime};

use http::HeaderValue;
use serde_json::{Map, Value};

use super::token::BearerToken;
use crate::model::decode::DecodeError;
use crate::secrets::REDACTED;

/// The most of a server's value quoted in an error.
const MAX_QUOTED: usize = 40;

/// A token from the endpoint, with when to renew it.
#[derive(Clone)]
pub(super) struct CachedToken {
    /// `Bearer …`, marked sensitive.
    pub(super) header: HeaderValue,
    /// `expires_in` after receipt; `None` without one.
    pub(super) expires_at: Option<SystemTime>,
    /// When to fetch the next one; `None`: keep until invalidated.
    refresh_at: Option<SystemTime>,
    /// The response's `scope`, if sent.
    pub(super) scope: Option<String>,
}

impl CachedToken {
    /// True until the renewal time (always, for a token without one).
    pub(super) fn fresh(&self, now: SystemTime) -> bool {
        self.refresh_at.is_none_or(|at| now < at)
    }
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken")
            .field("token", &format_args!("{REDACTED}"))
            .field("expires_at", &self.expires_at)
            .field("refresh_at", &self.refresh_at)
            .field("scope", &self.scope)
            .finish()
    }
}

/// Reads a successful token response (RFC 6749 §5.1). Errors name the
/// member at fault and never quote a token.
pub(super) fn read_token(
    body: &[u8],
    now: SystemTime,
    margin: Duration,
) -> Result<CachedToken, DecodeError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        DecodeError::shape(
            "",
            format!("the token response is not JSON (RFC 6749 §5.1): {e}"),
        )
    })?;
    let Some(object) = value.as_object() else {
        return Err(DecodeError::shape(
            "",
            "the token response must be a JSON object (RFC 6749 §5.1)".into(),
        ));
    };
    let token = required_text(object, "access_token")?;
    let token_type = required_text(object, "token_type")?;
    if !token_type.eq_ignore_ascii_case("bearer") {
        let message = format!(
            "the token type must be Bearer (RFC 6749 §7.1, RFC 6750); found {:?}",
            clip(token_type)
        );
        return Err(DecodeError::shape("token_type", message));
    }
    let bearer = BearerToken::new(token).map_err(|_| {
        let message = "must be non-empty visible ASCII without spaces (RFC 6750 §2.1); not shown";
        DecodeError::shape("access_token", message.into())
    })?;
    let lifetime = object.get("expires_in").and_then(lifetime_seconds);
    let (expires_at, refresh_at) = deadlines(lifetime, now, margin);
    Ok(CachedToken {
        header: bearer.header_value().clone(),
        expires_at,
        refresh_at,
        scope: object
            .get("scope")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

/// A required string member (RFC 6749 §5.1).
fn required_text<'a>(object: &'a Map<String, Value>, name: &str) -> Result<&'a str, DecodeError> {
    match object.get(name) {
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(DecodeError::shape(
            name,
            "must be a string (RFC 6749 §5.1)".into(),
        )),
        None => Err(DecodeError::shape(
            name,
            "is missing (RFC 6749 §5.1 requires it)".into(),
        )),
    }
}

/// `expires_in` in seconds (RFC 6749 §5.1), from a number or a numeric
/// string, fractions cut, a negative value as 0 (expired at once); `None`
/// when absent, `null`, not a number or NaN (the token is then kept until a
/// 401). A value too large for any clock saturates, and is then treated as
/// no expiry at all by [`deadlines`].
fn lifetime_seconds(value: &Value) -> Option<u64> {
    let seconds = match value {
        Value::Number(number) => match number.as_u64() {
            Some(exact) => return Some(exact),
            None => number.as_f64()?,
        },
        Value::String(text) => {
            let text = text.trim();
            if let Ok(exact) = text.parse::<u64>() {
                return Some(exact);
            }
            text.parse::<f64>().ok()?
        }
        _ => return None,
    };
    if seconds.is_nan() {
        None
    } else if seconds <= 0.0 {
        Some(0)
    } else {
        // `as` saturates at u64::MAX (infinity included).
        Some(seconds as u64)
    }
}

/// When a token received at `now` expires and when to renew it: `margin`
/// before expiry, but no earlier than half its lifetime, so a short-lived
/// token is not fetched before every request. No expiry when `expires_in`
/// was not given or runs past what the clock can hold.
fn deadlines(
    lifetime: Option<u64>,
    now: SystemTime,
    margin: Duration,
) -> (Option<SystemTime>, Option<SystemTime>) {
    let Some(seconds) = lifetime else {
        return (None, None);
    };
    let lifetime = Duration::from_secs(seconds);
    let Some(expires_at) = now.checked_add(lifetime) else {
        return (None, None);
    };
    let margin = margin.min(lifetime / 2);
    let refresh_at = expires_at.checked_sub(margin).unwrap_or(now);
    (Some(expires_at), Some(refresh_at))
}

/// At most [`MAX_QUOTED`] characters of a server's value.
fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use crate::auth::source::{OAuthSource, TokenStep};
    use crate::auth::testing::{HUNDRED_YEARS, answer, at, credentials};

    /// `expires_in` as sent, and the second from which the source fetches
    /// again (`None`: kept until invalidated).
    #[test]
    fn expires_in_forms_decision_table() {
        let table: &[(&str, Option<u64>)] = &[
            ("3600", Some(3540)),
            (r#""3600""#, Some(3540)),
            (r#"" 120 ""#, Some(60)),
            ("3600.9", Some(3540)),
            (r#""90.5""#, Some(45)), // 90 s: half its life as the margin
            ("1", Some(1)),
            ("0", Some(0)), // expired at once: used for this request only
            ("-5", Some(0)),
            (r#""-5""#, Some(0)),
            ("-1e300", Some(0)),
            ("1e300", None), // past any clock: no expiry
            ("18446744073709551615", None),
            ("18446744073709551616", None),
            (r#""99999999999999999999999999""#, None),
            (r#""inf""#, None),
            (r#""NaN""#, None), // not a number: as if absent
            (r#""soon""#, None),
            (r#""3600s""#, None),
            (r#""""#, None),
            ("true", None),
            ("null", None),
            ("{}", None),
            ("[3600]", None),
        ];
        for (expires_in, renew_at) in table {
            let body = format!(
                r#"{{"access_token":"token-A","token_type":"Bearer","expires_in":{expires_in}}}"#
            );
            let mut source = OAuthSource::new(credentials());
            let header = source.handle(answer(200, &body), at(0));
            assert_eq!(header.unwrap(), "Bearer token-A", "{expires_in}");
            let fetches = |source: &mut OAuthSource, t| {
                matches!(source.poll(at(t)).unwrap(), TokenStep::Fetch(_))
            };
            match renew_at {
                Some(0) => assert!(fetches(&mut source, 0), "{expires_in}"),
                Some(t) => {
                    assert!(!fetches(&mut source, t - 1), "{expires_in}");
                    assert!(fetches(&mut source, *t), "{expires_in}");
                }
                None => {
                    assert!(!fetches(&mut source, HUNDRED_YEARS), "{expires_in}");
                    assert_eq!(source.expires_at(), None, "{expires_in}");
                }
            }
        }
    }

    #[test]
    fn expires_in_near_the_end_of_time_does_not_overflow() {
        let end = SystemTime::UNIX_EPOCH + Duration::from_secs(i64::MAX as u64 / 2);
        for margin in [Duration::ZERO, Duration::MAX] {
            let (expires_at, refresh_at) = deadlines(Some(u64::MAX - 1), end, margin);
            assert_eq!((expires_at, refresh_at), (None, None));
            let (expires_at, refresh_at) = deadlines(Some(10), end, margin);
            assert_eq!(expires_at, end.checked_add(Duration::from_secs(10)));
            assert!(refresh_at.unwrap() >= end);
        }
    }

    #[test]
    fn token_type_must_be_bearer_in_any_case() {
        let table: &[(&str, bool)] = &[
            (r#""Bearer""#, true),
            (r#""bearer""#, true),
            (r#""BEARER""#, true),
            (r#""bEaReR""#, true),
            (r#""mac""#, false),
            (r#""DPoP""#, false),
            (r#""N_A""#, false),
            (r#""Bearer ""#, false),
            (r#""""#, false),
            ("5", false),
            ("null", false),
        ];
        for (token_type, accepted) in table {
            let body = format!(r#"{{"access_token":"token-A","token_type":{token_type}}}"#);
            let result = OAuthSource::new(credentials()).handle(answer(200, &body), at(0));
            match result {
                Ok(header) => assert!(*accepted && header == "Bearer token-A", "{token_type}"),
                Err(Error::Decode { status, error, .. }) => {
                    assert!(!accepted, "{token_type}");
                    assert_eq!((status.as_u16(), error.path()), (200, "token_type"));
                }
                Err(other) => panic!("{token_type}: {other:?}"),
            }
        }
        let missing = r#"{"access_token":"token-A"}"#;
        let error = OAuthSource::new(credentials()).handle(answer(200, missing), at(0));
        assert!(matches!(error, Err(Error::Decode { error, .. }) if error.path() == "token_type"));
    }

    #[test]
    fn unusable_token_responses_are_decode_errors_naming_the_member() {
        let table: &[(&str, &str)] = &[
            ("", ""),
            ("not json", ""),
            ("<html>ok</html>", ""),
            ("[]", ""),
            (r#""token""#, ""),
            ("{}", "access_token"),
            (r#"{"token_type":"Bearer"}"#, "access_token"),
            (
                r#"{"access_token":5,"token_type":"Bearer"}"#,
                "access_token",
            ),
            (
                r#"{"access_token":null,"token_type":"Bearer"}"#,
                "access_token",
            ),
            (
                r#"{"access_token":"","token_type":"Bearer"}"#,
                "access_token",
            ),
            (
                r#"{"access_token":"two words","token_type":"Bearer"}"#,
                "access_token",
            ),
            (
                r#"{"access_token":"line\nbreak","token_type":"Bearer"}"#,
                "access_token",
            ),
            (
                r#"{"access_token":"tøken","token_type":"Bearer"}"#,
                "access_token",
            ),
            (r#"{"error":5}"#, "access_token"), // not an RFC 6749 §5.2 error
        ];
        for (body, path) in table {
            let mut source = OAuthSource::new(credentials());
            match source.handle(answer(200, body), at(0)) {
                Err(Error::Decode { status, error, .. }) => {
                    assert_eq!((status.as_u16(), error.path()), (200, *path), "{body}");
                }
                other => panic!("{body}: {other:?}"),
            }
            assert!(
                matches!(source.poll(at(0)), Ok(TokenStep::Fetch(_))),
                "{body}"
            );
        }
    }
}
