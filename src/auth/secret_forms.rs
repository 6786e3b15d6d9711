//! The forms a secret may be echoed in, and the token-like members of a
//! token endpoint's body: what the auth layer scrubs from its errors, as
//! [`Secrets`].

use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use crate::secrets::Secrets;

/// The token-like members of a token endpoint's body, to scrub from the
/// error; and whether the body can be kept at all.
pub(super) struct BodyTokens {
    /// Every form of every token-like member.
    pub(super) tokens: Vec<String>,
    keep: bool,
}

impl BodyTokens {
    /// Every string member whose name ends in `token` (`access_token`,
    /// `refresh_token`, `id_token`), in each form it may be written in. A
    /// body holding a token that cannot be scrubbed (not printable ASCII),
    /// or a `success` body that is not JSON yet mentions a token (a token
    /// in another format), is not kept.
    pub(super) fn of(body: &[u8], success: bool) -> BodyTokens {
        let Ok(Value::Object(members)) = serde_json::from_slice::<Value>(body) else {
            let mentions = body.windows(5).any(|w| w.eq_ignore_ascii_case(b"token"));
            return BodyTokens {
                tokens: Vec::new(),
                keep: !(success && mentions),
            };
        };
        let mut tokens = Vec::new();
        let mut keep = true;
        for (name, value) in &members {
            match value {
                Value::String(text) if name.to_ascii_lowercase().ends_with("token") => {
                    keep &= text.bytes().all(|b| (0x20..0x7f).contains(&b));
                    tokens.extend(json_forms(text));
                }
                _ => {}
            }
        }
        BodyTokens { tokens, keep }
    }

    /// `body` if it may be kept, else nothing.
    pub(super) fn keep(&self, body: Vec<u8>) -> Vec<u8> {
        if self.keep { body } else { Vec::new() }
    }
}

/// A text as is and as it may appear in JSON: escaped, and with `/` as
/// `\/` (as some servers write it).
pub(super) fn json_forms(text: &str) -> Vec<String> {
    let mut forms = vec![text.to_owned()];
    let json = serde_json::to_string(text).unwrap_or_default();
    if let Some(inner) = json.strip_prefix('"').and_then(|j| j.strip_suffix('"')) {
        forms.push(inner.to_owned());
        forms.push(inner.replace('/', "\\/"));
    }
    forms.dedup();
    forms
}

/// [`Secrets`] made of these values (each printable ASCII; others are
/// skipped), built through the one constructor `Secrets` has: sensitive
/// header values.
pub(super) fn secrets_of(values: &[String]) -> Secrets {
    let name = HeaderName::from_static("x-scim-client-secret");
    let mut headers = HeaderMap::new();
    for value in values {
        if let Ok(mut value) = HeaderValue::from_str(value) {
            value.set_sensitive(true);
            headers.append(name.clone(), value);
        }
    }
    Secrets::of(&headers)
}

#[cfg(test)]
mod tests {
    use crate::Error;
    use crate::auth::source::OAuthSource;
    use crate::auth::testing::{answer, assert_hidden, at, credentials};

    #[test]
    fn an_unusable_token_response_never_shows_its_tokens() {
        let table: &[(&str, bool)] = &[
            (
                r#"{"access_token":"token-BBBB","refresh_token":"refresh-CCCC","token_type":"mac"}"#,
                true,
            ),
            (
                r#"{"access_token":"token-B\/BBB","token_type":"mac"}"#,
                true,
            ),
            (
                r#"{"access_token":"token-BBBB","id_token":"tøken-CCCC","token_type":"mac"}"#,
                false,
            ),
            ("access_token=token-BBBB&token_type=bearer", false),
            ("<html>no token-BBBB here</html>", false),
            ("<html>maintenance</html>", true),
        ];
        for (body, kept) in table {
            let error = OAuthSource::new(credentials())
                .receive(answer(200, body), at(0))
                .unwrap_err();
            let Error::Decode {
                body: kept_body, ..
            } = &error
            else {
                panic!("{body}: {error:?}");
            };
            assert_eq!(!kept_body.is_empty(), *kept, "{body}");
            let shown = format!("{error} {error:?} {}", String::from_utf8_lossy(kept_body));
            assert_hidden(
                &shown,
                &["token-BBBB", "token-B/BBB", "token-B\\/BBB", "refresh-CCCC"],
            );
        }
    }
}
