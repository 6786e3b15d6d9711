//! [`Target`]: which service a command talks to, decided from the flags and the token.
//!
//! | base URL | token | target |
//! |---|---|---|
//! | none | none | the embedded in-memory service, seeded with sample data |
//! | none | set | the profile's own base URL (a usage error where the profile has none of its own, or one with parts only the user knows) |
//! | given | set | that URL |
//! | given | none | that URL, with no `Authorization` header (a service that needs no token; a 401 then says how to give one) |

use std::path::PathBuf;

use scim_client::provider::Profile;

use crate::error::CliError;
use crate::global::GlobalOptions;
use crate::token::Token;

/// The embedded service's state file when `--state` is not given, in the
/// current directory.
pub(crate) const DEFAULT_STATE_FILE: &str = ".scim-embedded.json";

/// Which service a command talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// The in-memory service, kept in a state file between commands.
    Embedded {
        /// The state file.
        state: PathBuf,
    },
    /// A service over the network.
    Remote {
        /// Its base URL.
        base_url: String,
        /// The bearer token; `None` sends no `Authorization` header.
        token: Option<Token>,
    },
}

impl Target {
    /// The target `options` and `token` (found by [`Token::find`]) name.
    pub(crate) fn decide(
        options: &GlobalOptions,
        token: Option<Token>,
    ) -> Result<Target, CliError> {
        let target = match (&options.base_url, token) {
            (None, None) => {
                return Ok(Target::Embedded {
                    state: options
                        .state
                        .clone()
                        .unwrap_or_else(|| PathBuf::from(DEFAULT_STATE_FILE)),
                });
            }
            (None, Some(token)) => Target::Remote {
                base_url: own_url(&options.profile)?,
                token: Some(token),
            },
            (Some(base_url), token) => Target::Remote {
                base_url: base_url.clone(),
                token,
            },
        };
        if options.state.is_some() {
            return Err(CliError::usage(
                "--state is for the embedded service only (no token and no --base-url)",
            ));
        }
        Ok(target)
    }
}

/// The profile's own URL, or a usage error saying what to pass where it
/// has `{placeholders}` (the parts only the user knows), shown as words, not
/// braces: `scim2` has no URL at all, `aws` one per region and tenant.
fn own_url(profile: &Profile) -> Result<String, CliError> {
    let url = &profile.base_url;
    if !url.contains('{') {
        return Ok(url.clone());
    }
    let name = &profile.name;
    if url.starts_with('{') {
        return Err(CliError::usage(format!(
            "the {name} profile has no URL of its own: pass --base-url with your service's \
             SCIM base URL (e.g. https://scim.example.com/scim/v2/)"
        )));
    }
    let template = url.replace('{', "<").replace('}', ">");
    Err(CliError::usage(format!(
        "the {name} profile's URL holds parts only you know ({template}): pass --base-url \
         with yours"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(line: &str) -> GlobalOptions {
        crate::global::take(line).unwrap()
    }

    fn token() -> Option<Token> {
        Token::find(None, |_| Some("xoxp-1".to_owned())).unwrap()
    }

    #[test]
    fn no_url_and_no_token_is_the_embedded_service_in_the_default_state_file() {
        assert_eq!(
            Target::decide(&options(""), None),
            Ok(Target::Embedded {
                state: PathBuf::from(DEFAULT_STATE_FILE)
            })
        );
        let chosen = Target::decide(&options("--state s.json"), None).unwrap();
        assert_eq!(
            chosen,
            Target::Embedded {
                state: "s.json".into()
            }
        );
    }

    #[test]
    fn a_token_alone_goes_to_the_profiles_url_unless_it_has_placeholders() {
        let slack = Target::decide(&options("--profile slack-v2"), token()).unwrap();
        assert!(
            matches!(slack, Target::Remote { ref base_url, .. } if base_url == "https://api.slack.com/scim/v2/")
        );
        for name in scim_client::provider::Profile::NAMES {
            let options = options(&format!("--profile {name}"));
            let Err(error) = Target::decide(&options, token()) else {
                continue;
            };
            assert_eq!(error.kind(), "usage", "{name}");
            assert!(error.message().contains("--base-url"), "{name}: {error}");
            assert!(
                !error.message().contains('{') && !error.message().contains('}'),
                "{name}: a placeholder shown as it is written: {error}"
            );
        }
        let aws = Target::decide(&options("--profile aws"), token()).unwrap_err();
        assert!(aws.message().contains("<region>"), "{aws}");
        let scim2 = Target::decide(&options("--profile scim2"), token()).unwrap_err();
        assert!(scim2.message().contains("no URL of its own"), "{scim2}");
    }

    #[test]
    fn a_url_without_a_token_sends_none_and_state_with_a_remote_is_a_usage_error() {
        let anonymous = Target::decide(&options("--base-url https://x.test/"), None);
        assert_eq!(
            anonymous,
            Ok(Target::Remote {
                base_url: "https://x.test/".into(),
                token: None
            })
        );
        let state = Target::decide(&options("--state s.json"), token());
        assert_eq!(state.unwrap_err().kind(), "usage");
    }
}
