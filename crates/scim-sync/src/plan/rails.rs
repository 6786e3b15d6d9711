//! The rails on removals: one home for the rules that stop a plan (and
//! again, an apply) from deactivating or deleting what a mistake upstream
//! would remove — a truncated export, a wrong filter, an empty file.
//!
//! The planner applies them to the removals it plans; apply applies them
//! again to the steps as given (`apply::trust`), with the source size the
//! plan records, so a plan edited or resealed by hand meets the same rules.

use serde::{Deserialize, Serialize};

use crate::options::PlanOptions;

/// Which rail refused a plan, with the limit it holds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "rule")]
pub enum Rail {
    /// More removals than [`DeactivationLimit::max_count`](crate::DeactivationLimit::max_count).
    MaxCount {
        /// The most removals allowed.
        limit: usize,
    },
    /// More removals than [`DeactivationLimit::max_percent`](crate::DeactivationLimit::max_percent)
    /// of the owned accounts.
    MaxPercent {
        /// The largest share allowed, in percent.
        limit: f64,
    },
    /// An empty source would remove every owned account.
    EmptySource,
    /// The source is below [`PlanOptions::shrink_percent`] of the last
    /// one ([`PlanOptions::last_source_size`]).
    ShrunkSource {
        /// Users in the last source.
        last: usize,
        /// The smallest share of it allowed, in percent.
        limit: f64,
    },
}

impl Rail {
    /// The [`PlanOptions`] field that sets this rail (every rail is
    /// passed by [`PlanOptions::allow_mass_deactivation`]).
    pub fn option(&self) -> &'static str {
        match self {
            Rail::MaxCount { .. } => "limit.max_count",
            Rail::MaxPercent { .. } => "limit.max_percent",
            Rail::EmptySource => "allow_mass_deactivation",
            Rail::ShrunkSource { .. } => "shrink_percent",
        }
    }
}

/// Removals a rail refused: what fired, and the numbers it saw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RailRefusal {
    /// The rail that fired.
    pub rail: Rail,
    /// Deactivations and deletions planned.
    pub planned: usize,
    /// Accounts the source owns.
    pub owned: usize,
    /// Users in the source.
    pub source_size: usize,
}

impl RailRefusal {
    /// The share of the owned accounts the removals are, in percent.
    pub fn percent(&self) -> f64 {
        percent_of(self.planned, self.owned)
    }
}

impl std::fmt::Display for RailRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (planned, owned) = (self.planned, self.owned);
        let removes = format!("{planned} of {owned} owned accounts would be deactivated");
        match self.rail {
            Rail::MaxCount { limit } => write!(
                f,
                "{removes}, over the limit of {limit} removals in one plan (the count rule)"
            ),
            Rail::MaxPercent { limit } => write!(
                f,
                "{removes} ({:.1} %), over the limit of {limit} % of the owned accounts (the percent rule)",
                self.percent()
            ),
            Rail::EmptySource => write!(
                f,
                "{removes} because the source is empty (the empty-source rule)"
            ),
            Rail::ShrunkSource { last, limit } => write!(
                f,
                "{removes} because the source has {} users, under {limit} % of the last one's {last} \
                 (the shrunken-source rule)",
                self.source_size
            ),
        }
    }
}

impl std::error::Error for RailRefusal {}

/// Checks `planned` removals of `owned` accounts, from a source of
/// `source_size` users, against `options`' rails. No removal passes every
/// rail; so does [`PlanOptions::allow_mass_deactivation`].
pub(crate) fn check(
    planned: usize,
    owned: usize,
    source_size: usize,
    options: &PlanOptions,
) -> Result<(), RailRefusal> {
    if planned == 0 || options.allow_mass_deactivation {
        return Ok(());
    }
    let refusal = |rail| {
        Err(RailRefusal {
            rail,
            planned,
            owned,
            source_size,
        })
    };
    if source_size == 0 {
        return refusal(Rail::EmptySource);
    }
    let limit = options.shrink_percent;
    if let Some(last) = options.last_source_size
        && (source_size as f64) < last as f64 * limit / 100.0
    {
        return refusal(Rail::ShrunkSource { last, limit });
    }
    if planned > options.limit.max_count {
        return refusal(Rail::MaxCount {
            limit: options.limit.max_count,
        });
    }
    if percent_of(planned, owned) > options.limit.max_percent {
        return refusal(Rail::MaxPercent {
            limit: options.limit.max_percent,
        });
    }
    Ok(())
}

fn percent_of(part: usize, whole: usize) -> f64 {
    part as f64 * 100.0 / whole.max(1) as f64
}
