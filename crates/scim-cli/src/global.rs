//! [`GlobalOptions`]: the flags every command takes, before or after the
//! command's words (clap's `global` arguments).

use std::path::PathBuf;

use scim_client::pacing::DEFAULT_SHARE;
use scim_client::provider::Profile;

use crate::target::DEFAULT_STATE_FILE;
use crate::values;

/// The profile used when `--profile` is not given.
pub(crate) const DEFAULT_PROFILE: &str = "slack-v1";

/// The flags every command takes.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Global flags")]
pub(crate) struct GlobalOptions {
    /// The provider profile: its URL, PATCH form, rate limits and quirks
    #[arg(long, global = true, value_name = "NAME", default_value = DEFAULT_PROFILE,
        value_parser = values::profile())]
    pub profile: Profile,
    /// The service's base URL (default: the profile's own); without a token, no
    /// Authorization header is sent
    #[arg(long, global = true, value_name = "URL", value_parser = values::non_empty)]
    pub base_url: Option<String>,
    /// Read the token from PATH (trimmed); refused when group or others may read it
    /// (chmod 600 PATH)
    #[arg(long, global = true, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
    /// Machine JSON on stdout, one document per command
    #[arg(long, global = true)]
    pub json: bool,
    /// No notes or progress on stderr (warnings stay)
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// `--state FILE`: the embedded service's state file.
    #[arg(long, global = true, value_name = "FILE",
        help = format!("The embedded service's state file [default: {DEFAULT_STATE_FILE}]"))]
    pub state: Option<PathBuf>,
    /// Pace to this share of the profile's rate limits, 0 < X <= 1 (below 1 leaves room
    /// for the org's other apps: limits are per org)
    #[arg(long, global = true, value_name = "X", default_value_t = DEFAULT_SHARE,
        value_parser = values::rate_share)]
    pub rate_share: f64,
}

/// Just the global flags, as the `scim` command reads them (for tests).
#[cfg(test)]
#[derive(Debug, clap::Parser)]
struct Globals {
    #[command(flatten)]
    options: GlobalOptions,
}

/// The global flags in `line` (for tests).
#[cfg(test)]
pub(crate) fn take(line: &str) -> Result<GlobalOptions, clap::Error> {
    use clap::Parser;
    let words = std::iter::once("scim").chain(line.split_whitespace());
    Globals::try_parse_from(words).map(|g| g.options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_slack_v1_and_reads_the_flags() {
        let options = take("--json --profile aws -q").unwrap();
        assert_eq!(options.profile.name, "aws");
        assert!(options.json && options.quiet);
        assert_eq!(take("").unwrap().profile.name, DEFAULT_PROFILE);
    }

    #[test]
    fn an_unknown_profile_is_refused_listing_the_known_ones() {
        let error = take("--profile okta").unwrap_err().to_string();
        for name in Profile::NAMES {
            assert!(error.contains(name), "{error}");
        }
    }

    #[test]
    fn rate_share_defaults_below_one_and_is_bounded() {
        assert_eq!(take("").unwrap().rate_share, DEFAULT_SHARE);
        const { assert!(DEFAULT_SHARE < 1.0) };
        assert_eq!(take("--rate-share 0.5").unwrap().rate_share, 0.5);
        assert_eq!(take("--rate-share=1").unwrap().rate_share, 1.0);
        for bad in ["0", "-0.1", "1.01", "NaN", "inf", "half"] {
            let error = take(&format!("--rate-share={bad}")).unwrap_err();
            assert!(error.to_string().contains("--rate-share"), "{bad}: {error}");
        }
        let empty = take("--base-url=").unwrap_err();
        assert!(empty.to_string().contains("--base-url"), "{empty}");
    }
}
