//! [`Target`]: which service a command talks to, decided from the flags and the token.
//!
//! | base URL | token | target |
//! |---|---|---|
//! | none | none | the embedded in-memory service, seeded with sample data |
//! | none | set | the profile's own base URL (a usage error when it has `{placeholders}`) |
//! | given | set | that URL |
//! | given | none | a usage error |

use std::path::PathBuf;

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
        /// The bearer token.
        token: Token,
    },
}

impl Target {
    /// The target `options` and `token` (found by [`Token::find`]) name.
    pub(crate) fn decide(
        options: &GlobalOptions,
        token: Option<Token>,
    ) -> Result<Target, CliError> {
        let profile = &options.profile;
        let target = match (&options.base_url, token) {
            (None, None) => {
                return Ok(Target::Embedded {
                    state: options
                        .state
                        .clone()
                        .unwrap_or_else(|| PathBuf::from(DEFAULT_STATE_FILE)),
                });
            }
            (Some(_), None) => {
                return Err(CliError::usage(
                    "--base-url needs a token: set SLACK_ORG_ADMIN_USER_TOKEN or SCIM_TOKEN, \
                     or pass --token-file",
                ));
            }
            (None, Some(_)) if profile.base_url.contains('{') => {
                return Err(CliError::usage(format!(
                    "the {} profile's URL is {}: pass --base-url with yours",
                    profile.name, profile.base_url
                )));
            }
            (None, Some(token)) => Target::Remote {
                base_url: profile.base_url.clone(),
                token,
            },
            (Some(base_url), Some(token)) => Target::Remote {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Args;

    fn options(line: &str) -> GlobalOptions {
        let mut args = Args::new(line.split_whitespace().map(str::to_owned));
        GlobalOptions::take(&mut args).unwrap()
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
        let aws = Target::decide(&options("--profile aws"), token()).unwrap_err();
        assert!(aws.message().contains("--base-url"), "{aws}");
    }

    #[test]
    fn a_url_without_a_token_and_state_with_a_remote_are_usage_errors() {
        let no_token = Target::decide(&options("--base-url https://x.test/"), None);
        assert_eq!(no_token.unwrap_err().kind(), "usage");
        let state = Target::decide(&options("--state s.json"), token());
        assert_eq!(state.unwrap_err().kind(), "usage");
    }
}
