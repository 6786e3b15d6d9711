//! [`GlobalOptions`]: the flags every command takes, read off the command line first.

use std::path::PathBuf;

use scim_client::provider::Profile;

use crate::args::Args;
use crate::error::CliError;

/// The profile used when `--profile` is not given.
pub(crate) const DEFAULT_PROFILE: &str = "slack-v1";

/// The flags every command takes.
#[derive(Debug, Clone)]
pub(crate) struct GlobalOptions {
    /// `--profile NAME`: the provider's facts (default `slack-v1`).
    pub profile: Profile,
    /// `--base-url URL`: the service's base URL.
    pub base_url: Option<String>,
    /// `--token-file PATH`: where the token is (else the environment).
    pub token_file: Option<PathBuf>,
    /// `--json`: machine JSON on stdout.
    pub json: bool,
    /// `--quiet`/`-q`: no notes and no progress on stderr.
    pub quiet: bool,
    /// `--state FILE`: the embedded service's state file.
    pub state: Option<PathBuf>,
    /// `--help`/`-h`.
    pub help: bool,
    /// `--version`/`-V`.
    pub version: bool,
}

impl GlobalOptions {
    /// Takes the global flags out of `args`, wherever they are.
    pub(crate) fn take(args: &mut Args) -> Result<GlobalOptions, CliError> {
        let name = args
            .value("--profile")?
            .unwrap_or_else(|| DEFAULT_PROFILE.to_owned());
        let profile = Profile::named(&name).ok_or_else(|| {
            CliError::usage(format!(
                "unknown profile {name:?}; known profiles: {}",
                Profile::NAMES.join(", ")
            ))
        })?;
        let base_url = args.value("--base-url")?;
        if base_url.as_deref().is_some_and(str::is_empty) {
            return Err(CliError::usage("--base-url is empty"));
        }
        Ok(GlobalOptions {
            profile,
            base_url,
            token_file: args.value("--token-file")?.map(PathBuf::from),
            json: args.switch("--json", &[]),
            quiet: args.switch("--quiet", &["-q"]),
            state: args.value("--state")?.map(PathBuf::from),
            help: args.switch("--help", &["-h"]),
            version: args.switch("--version", &["-V"]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take(line: &str) -> Result<(GlobalOptions, Args), CliError> {
        let mut args = Args::new(line.split_whitespace().map(str::to_owned));
        GlobalOptions::take(&mut args).map(|options| (options, args))
    }

    #[test]
    fn defaults_to_slack_v1_and_reads_flags_anywhere() {
        let (options, mut rest) = take("users list --json --profile aws -q").unwrap();
        assert_eq!(options.profile.name, "aws");
        assert!(options.json && options.quiet && !options.help);
        assert_eq!(rest.rest(), ["users", "list"]);
        assert_eq!(take("users").unwrap().0.profile.name, DEFAULT_PROFILE);
    }

    #[test]
    fn an_unknown_profile_is_a_usage_error_listing_the_known_ones() {
        let error = take("--profile okta users list").unwrap_err();
        assert_eq!(error.kind(), "usage");
        for name in Profile::NAMES {
            assert!(error.message().contains(name), "{error}");
        }
    }
}
