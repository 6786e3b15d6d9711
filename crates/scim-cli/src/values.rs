//! The value parsers of the flags whose values have a range: clap calls
//! them while it reads the command line, so a bad value is refused before
//! any file is read or any request sent, and each refusal says the range.
//!
//! clap puts the flag and the value in front of each message here:
//! `invalid value '150' for '--max-deactivation-percent <P>': a percentage
//! is 0 to 100, not 150`.

use std::fmt;
use std::str::FromStr;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use scim_client::provider::Profile;

/// The most requests `apply` keeps in flight: each is a worker thread, and
/// the rate budget, not the threads, bounds the pace (Slack's tier 2 is 20
/// writes a minute), so more only costs memory; `--concurrency 5000` once
/// panicked spawning threads.
pub(crate) const MAX_CONCURRENCY: usize = 64;

/// `--profile`: one of [`Profile::NAMES`] (listed by help and completions).
pub(crate) fn profile() -> impl TypedValueParser<Value = Profile> {
    PossibleValuesParser::new(Profile::NAMES).try_map(|name| {
        Profile::named(&name).ok_or_else(|| format!("no profile is named {name:?}"))
    })
}

/// A text that must not be empty (`--base-url`).
pub(crate) fn non_empty(text: &str) -> Result<String, String> {
    match text.trim().is_empty() {
        true => Err("give a value; it is empty".to_owned()),
        false => Ok(text.to_owned()),
    }
}

/// `--owned-prefix`: an empty prefix would make every account with an
/// `externalId` the source's, so it is refused.
pub(crate) fn owned_prefix(text: &str) -> Result<String, String> {
    match text.is_empty() {
        true => Err(
            "an empty prefix would own every account that has an externalId; \
             give the namespace the source's externalIds start with (e.g. E or hr:)"
                .to_owned(),
        ),
        false => Ok(text.to_owned()),
    }
}

/// A count of one or more (`--count`, `--last-source-size`).
pub(crate) fn positive<N: FromStr + PartialOrd + From<u8>>(text: &str) -> Result<N, String> {
    match text.trim().parse::<N>() {
        Ok(n) if n >= N::from(1) => Ok(n),
        _ => Err(format!("give a whole number of 1 or more, not {text:?}")),
    }
}

/// A percentage, 0 to 100 (`--max-deactivation-percent`).
pub(crate) fn percent(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("a percentage is 0 to 100, not {text}")),
    }
}

/// `--rate-share`: a number in (0, 1]. A share above 1 would pace past
/// the provider's published limits, and 0 would never send.
pub(crate) fn rate_share(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(share) if share > 0.0 && share <= 1.0 => Ok(share),
        _ => Err(format!(
            "give a number above 0 and at most 1 (e.g. 0.5), not {text:?}"
        )),
    }
}

/// `--concurrency`: 1 to [`MAX_CONCURRENCY`].
pub(crate) fn concurrency(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_CONCURRENCY).contains(&n) => Ok(n),
        _ => Err(format!(
            "takes 1 to {MAX_CONCURRENCY} (requests in flight at once), not {text}"
        )),
    }
}

/// `--managed a,b,…`: attribute names, comma-separated, none empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attributes(pub Vec<String>);

impl FromStr for Attributes {
    type Err = String;

    fn from_str(text: &str) -> Result<Attributes, String> {
        let names: Vec<String> = text.split(',').map(|s| s.trim().to_owned()).collect();
        match names.iter().any(String::is_empty) {
            true => Err(format!(
                "give attribute names separated by commas, none empty, not {text:?}"
            )),
            false => Ok(Attributes(names)),
        }
    }
}

impl fmt::Display for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_enforced_and_the_refusal_names_the_range() {
        assert_eq!(percent("12.5"), Ok(12.5));
        assert_eq!(percent("0"), Ok(0.0));
        assert_eq!(percent("100"), Ok(100.0));
        for bad in ["150", "-1", "NaN", "ten"] {
            let error = percent(bad).unwrap_err();
            assert!(error.contains("0 to 100"), "{bad}: {error}");
        }
        assert_eq!(concurrency("64"), Ok(64));
        for bad in ["0", "65", "5000", "-1"] {
            assert!(concurrency(bad).unwrap_err().contains("1 to 64"), "{bad}");
        }
        assert_eq!(positive::<u32>("5"), Ok(5));
        assert!(positive::<u32>("0").is_err());
        assert!(positive::<usize>("many").is_err());
    }

    #[test]
    fn rate_share_is_above_zero_and_at_most_one() {
        assert_eq!(rate_share("0.5"), Ok(0.5));
        assert_eq!(rate_share("1"), Ok(1.0));
        for bad in ["0", "-0.1", "1.01", "NaN", "inf", "half"] {
            assert!(rate_share(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn empty_prefixes_urls_and_attribute_names_are_refused() {
        assert!(owned_prefix("").unwrap_err().contains("empty prefix"));
        assert_eq!(owned_prefix("E"), Ok("E".to_owned()));
        assert!(non_empty(" ").is_err());
        let managed: Attributes = "title, emails".parse().unwrap();
        assert_eq!(managed.0, ["title", "emails"]);
        assert_eq!(managed.to_string(), "title,emails");
        assert!("title,,emails".parse::<Attributes>().is_err());
    }
}
