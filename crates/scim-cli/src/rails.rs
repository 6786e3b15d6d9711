//! What a safety rail's refusal says on the command line: the rule that
//! fired, with the numbers, and the flag that overrides it.
//!
//! scim-sync's errors are typed and name no flag (it is a library); the
//! flags are the command's, so the command words its refusals here, from
//! the error's data and the plan options the flags made:
//!
//! | refusal | rule | override |
//! |---|---|---|
//! | [`PlanError::Rail`], count or percent rule | the count and percent limits | `--max-deactivations N`, `--max-deactivation-percent P`, `--allow-mass-deactivation` |
//! | [`PlanError::Rail`], empty- or shrunken-source rule | empty source, or under half of the last one | `--last-source-size N`, `--allow-mass-deactivation` |
//! | [`PlanError::NotOwned`] | no takeover of accounts the source does not own | `--adopt-unowned-by KEY`, `--owned-prefix P` |
//! | [`ApplyError::Rail`] | the plan's own rails, checked again | plan again with the flags above |
//!
//! Every other error keeps its own message.

use scim_sync::apply::ApplyError;
use scim_sync::{Adoption, PlanError, PlanOptions, Rail, RailRefusal};

use crate::error::CliError;

/// The CLI's error for a planner refusal under `options`.
pub(crate) fn plan_refused(error: &PlanError, options: &PlanOptions) -> CliError {
    let message = match error {
        PlanError::Rail(refusal) => match rail_words(refusal, options) {
            Words::Limits { over, overrides } => {
                format!("{over}; re-run with {overrides} if that is meant")
            }
            Words::Source(message) => message,
        },
        PlanError::NotOwned { .. } if options.adopt == Adoption::Never => format!(
            "{error}. If these accounts are the source's, re-run with --adopt-unowned-by KEY \
             (userName, externalId or primaryEmail: the key they were met by) to take them \
             over, writing the owned externalId; or check that --owned-prefix covers the \
             source's externalIds"
        ),
        _ => return CliError::caused_by("plan", error),
    };
    CliError::failure("plan", message)
}

/// The CLI's error for an apply refused under the plan's `options`.
pub(crate) fn apply_refused(error: &ApplyError, options: &PlanOptions) -> CliError {
    match error {
        ApplyError::Rail(refusal) => {
            let message = match rail_words(refusal, options) {
                Words::Limits { over, overrides } => format!(
                    "the plan {over}; nothing was applied. Plan again with {overrides} if that is meant"
                ),
                Words::Source(message) => {
                    format!("the plan's {message}; nothing was applied")
                }
            };
            CliError::failure("apply", message)
        }
        _ => CliError::caused_by("apply", error),
    }
}

/// A rail's refusal in the command's words.
enum Words {
    /// Over the count or percent limits: what, and the flags that pass it.
    Limits { over: String, overrides: String },
    /// The empty- or shrunken-source rule: the whole message.
    Source(String),
}

fn rail_words(refusal: &RailRefusal, options: &PlanOptions) -> Words {
    match refusal.rail {
        Rail::MaxCount { .. } | Rail::MaxPercent { .. } => {
            let (over, overrides) = over_limits(refusal.planned, refusal.owned, options);
            Words::Limits { over, overrides }
        }
        Rail::EmptySource => Words::Source(source_shrank(refusal.source_size, None, options)),
        Rail::ShrunkSource { last, .. } => {
            Words::Source(source_shrank(refusal.source_size, Some(last), options))
        }
    }
}

/// Which deactivation limits `planned` of `owned` passes, in words, and
/// the flags that would let it pass.
fn over_limits(planned: usize, owned: usize, options: &PlanOptions) -> (String, String) {
    let limit = options.limit;
    let percent = planned as f64 * 100.0 / owned.max(1) as f64;
    let verb = match options.delete_instead {
        true => "delete",
        false => "deactivate",
    };
    let mut rules = Vec::new();
    let mut overrides = Vec::new();
    if planned > limit.max_count {
        rules.push(format!(
            "over the limit of {} of --max-deactivations",
            limit.max_count
        ));
        overrides.push(format!("--max-deactivations {planned}"));
    }
    if percent > limit.max_percent {
        rules.push(format!(
            "over the {} % limit of --max-deactivation-percent",
            shown(limit.max_percent)
        ));
        overrides.push(format!(
            "--max-deactivation-percent {}",
            percent.ceil().min(100.0)
        ));
    }
    let over = format!(
        "would {verb} {planned} of {owned} owned accounts ({} %), {}",
        shown(percent),
        rules.join(" and ")
    );
    let overrides = match overrides.is_empty() {
        true => "--allow-mass-deactivation".to_owned(),
        false => format!("{} (or --allow-mass-deactivation)", overrides.join(" ")),
    };
    (over, overrides)
}

fn source_shrank(size: usize, last: Option<usize>, options: &PlanOptions) -> String {
    match last {
        Some(last) if size > 0 => format!(
            "the source has {size} users, under {} % of the {last} of --last-source-size: \
             deactivations refused, as a truncated export would deactivate everyone it lost; \
             re-run with --last-source-size {size} if the source really shrank \
             (or --allow-mass-deactivation)",
            shown(options.shrink_percent)
        ),
        _ => "the source is empty: deactivations refused, as an empty export is more often a \
              failed one than an empty directory; re-run with --allow-mass-deactivation if it \
              is meant"
            .to_owned(),
    }
}

/// A percentage as people write it: `12.5`, `10`.
fn shown(percent: f64) -> String {
    let text = format!("{percent:.1}");
    text.strip_suffix(".0").unwrap_or(&text).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(rail: Rail, planned: usize, owned: usize) -> PlanError {
        PlanError::Rail(RailRefusal {
            rail,
            planned,
            owned,
            source_size: owned,
        })
    }

    #[test]
    fn the_percent_limit_names_its_flag_and_the_value_that_would_pass() {
        let error = refusal(Rail::MaxPercent { limit: 10.0 }, 25, 200);
        let message = plan_refused(&error, &PlanOptions::default()).to_string();
        assert_eq!(
            message,
            "would deactivate 25 of 200 owned accounts (12.5 %), over the 10 % limit of \
             --max-deactivation-percent; re-run with --max-deactivation-percent 13 \
             (or --allow-mass-deactivation) if that is meant"
        );
    }

    #[test]
    fn both_limits_are_named_when_both_fire() {
        let error = refusal(Rail::MaxCount { limit: 25 }, 30, 40);
        let options = PlanOptions {
            delete_instead: true,
            ..PlanOptions::default()
        };
        let message = plan_refused(&error, &options).to_string();
        for part in [
            "would delete 30 of 40 owned accounts (75 %)",
            "over the limit of 25 of --max-deactivations and over the 10 % limit",
            "re-run with --max-deactivations 30 --max-deactivation-percent 75 (or --allow-mass-deactivation)",
        ] {
            assert!(message.contains(part), "{part}: {message}");
        }
    }

    #[test]
    fn a_shrunken_or_empty_source_names_its_flag() {
        let options = PlanOptions {
            last_source_size: Some(100),
            ..PlanOptions::default()
        };
        let shrank = PlanError::Rail(RailRefusal {
            rail: Rail::ShrunkSource {
                last: 100,
                limit: 50.0,
            },
            planned: 3,
            owned: 90,
            source_size: 40,
        });
        let message = plan_refused(&shrank, &options).to_string();
        assert!(message.contains("under 50 % of the 100 of --last-source-size"));
        assert!(message.contains("--last-source-size 40"), "{message}");
        let empty = PlanError::Rail(RailRefusal {
            rail: Rail::EmptySource,
            planned: 90,
            owned: 90,
            source_size: 0,
        });
        let message = plan_refused(&empty, &options).to_string();
        assert!(message.contains("--allow-mass-deactivation"), "{message}");
    }

    #[test]
    fn an_apply_over_the_plans_limit_says_to_plan_again_with_the_flag() {
        let error = ApplyError::Rail(RailRefusal {
            rail: Rail::MaxCount { limit: 25 },
            planned: 26,
            owned: 1000,
            source_size: 1000,
        });
        let message = apply_refused(&error, &PlanOptions::default()).to_string();
        assert!(
            message.starts_with("the plan would deactivate 26 of 1000"),
            "{message}"
        );
        assert!(message.contains("over the limit of 25 of --max-deactivations"));
        assert!(
            message.contains("Plan again with --max-deactivations 26"),
            "{message}"
        );
    }

    #[test]
    fn other_errors_keep_their_message() {
        let error = PlanError::MissingId { index: 3 };
        let cli = plan_refused(&error, &PlanOptions::default());
        assert_eq!(cli.message(), error.to_string());
        assert_eq!(cli.kind(), "plan");
    }
}
