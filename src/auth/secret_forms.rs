//! The forms a secret may be echoed in, and the token-like members of a
//! token endpoint's body: what the auth layer scrubs from its errors, as
//! [`Secrets`].

use serde_json::Value;

/// The token-like members of a token endpoint's body, to scrub from the
/// error; and whether the body can be kept at all.
pub(super) struct BodyTokens {
    /// Every token-like member.
    pub(super) tokens: Vec<String>,
    keep: bool,
}

impl BodyTokens {
    /// Every string member whose name ends in `token` (`access_token`,
    /// `refresh_token`, `id_token`); the scrubber finds each in any form
    /// it may be written in. A `success` body that is not JSON yet mentions
    /// a token (a token in another format) is not kept.
    pub(super) fn of(body: &[u8], success: bool) -> BodyTokens {
        let Ok(Value::Object(members)) = serde_json::from_slice::<Value>(body) else {
            let mentions = body.windows(5).any(|w| w.eq_ignore_ascii_case(b"token"));
            return BodyTokens {
                tokens: Vec::new(),
                keep: !(success && mentions),
            };
        };
        let tokens = members
            .iter()
            .filter(|(name, _)| name.to_ascii_lowercase().ends_with("token"))
            .filter_map(|(_, value)| value.as_str().map(str::to_owned))
            .collect();
        BodyTokens { tokens, keep: true }
    }

    /// `body` if it may be kept, else nothing.
    pub(super) fn keep(&self, body: Vec<u8>) -> Vec<u8> {
        if self.keep { body } else { Vec::new() }
    }
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
                true,
            ),
            ("access_token=token-BBBB&token_type=bearer", false),
            ("<html>no token-BBBB here</html>", false),
            ("<html>maintenance</html>", true),
        ];
        for (body, kept) in table {
            let error = OAuthSource::new(credentials())
                .handle(answer(200, body), at(0))
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
                &[
                    "token-BBBB",
                    "token-B/BBB",
                    "token-B\\/BBB",
                    "refresh-CCCC",
                    "tøken-CCCC",
                ],
            );
        }
    }
}
