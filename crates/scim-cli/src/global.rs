//! [`GlobalOptions`]: the flags every command takes, read off the command line first.

use std::path::PathBuf;

use scim_client::pacing::DEFAULT_SHARE;
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
    /// `--rate-share X`: the share of the profile's rate table to pace to,
    /// 0 < X ≤ 1 (default [`DEFAULT_SHARE`]).
    pub rate_share: f64,
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
            rate_share: rate_share(args.value("--rate-share")?)?,
            help: args.switch("--help", &["-h"]),
            version: args.switch("--version", &["-V"]),
        })
    }
}

/// `--rate-share`: a number in (0, 1], or the default. A share above 1
/// would pace past the provider's published limits, and 0 would never send.
fn rate_share(given: Option<String>) -> Result<f64, CliError> {
    let Some(text) = given else {
        return Ok(DEFAULT_SHARE);
    };
    match text.trim().parse::<f64>() {
        Ok(share) if share > 0.0 && share <= 1.0 => Ok(share),
        _ => Err(CliError::usage(format!(
            "--rate-share {text:?}: give a number above 0 and at most 1 (e.g. 0.5)"
        ))),
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

    #[test]
    fn rate_share_defaults_below_one_and_is_bounded() {
        assert_eq!(take("plan").unwrap().0.rate_share, DEFAULT_SHARE);
        const { assert!(DEFAULT_SHARE < 1.0) };
        let help = format!("(default {DEFAULT_SHARE}:");
        assert!(
            crate::usage::USAGE.contains(&help),
            "--help states the default"
        );
        assert_eq!(take("plan --rate-share 0.5").unwrap().0.rate_share, 0.5);
        assert_eq!(take("plan --rate-share=1").unwrap().0.rate_share, 1.0);
        for bad in ["0", "-0.1", "1.01", "NaN", "inf", "half"] {
            let error = take(&format!("plan --rate-share={bad}")).unwrap_err();
            assert!(error.to_string().contains("--rate-share"), "{bad}: {error}");
        }
    }
}
