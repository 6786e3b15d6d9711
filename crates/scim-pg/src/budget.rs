//! [`PgBudget`]: a provider's rate table as rows every worker on every
//! machine spends together — one GCRA cell per rule, keyed by the
//! provider's base URL, admitted in one `UPDATE … RETURNING`.
//!
//! GCRA (the generic cell rate algorithm) keeps one timestamp per rule,
//! the theoretical arrival time `tat`. With the emission interval
//! `T = per / (limit × share)` and the burst tolerance `τ = T × (burst − 1)`
//! (the burst at the share, at least 1), a request at `t` is allowed when
//! `tat − t ≤ τ` for every rule it counts in; then each of them moves to
//! `tat = max(tat, t) + T`. Otherwise it waits `max(tat − τ − t)` and asks
//! again, nothing taken. This is the token bucket of
//! [`RateBudget`](scim_client::pacing::RateBudget) with the debt written
//! as a time (`tat − t` is the debt), so one budget in PostgreSQL paces
//! exactly as one in memory would, and `t` is the database's
//! `clock_timestamp()`: one clock for every worker.

use std::sync::Arc;
use std::time::Duration;

use scim_client::pacing::{RateRule, RateTable, RequestClass};

use crate::store::normalise;
use crate::{Store, StoreError};

/// One admission: lock the request's cells, decide, move them if allowed.
const ADMIT: &str = "\
WITH clock AS MATERIALIZED (SELECT clock_timestamp() AS now),
ask AS (
    SELECT c.rule, c.tat, r.emission_us, r.tolerance_us
    FROM scim_pg.rate_cells c
    JOIN unnest($2::text[], $3::int8[], $4::int8[]) AS r(rule, emission_us, tolerance_us)
      ON r.rule = c.rule
    WHERE c.target = $1
    FOR UPDATE OF c
),
verdict AS (
    SELECT coalesce(max(greatest(0,
               floor(extract(epoch FROM a.tat - k.now) * 1000000)::int8 - a.tolerance_us)), 0)
               AS wait_us,
           max(k.now) AS now
    FROM ask a CROSS JOIN clock k
)
UPDATE scim_pg.rate_cells c
SET tat = CASE WHEN v.wait_us = 0
               THEN greatest(c.tat, v.now) + a.emission_us * interval '1 microsecond'
               ELSE c.tat END
FROM ask a, verdict v
WHERE c.target = $1 AND c.rule = a.rule
RETURNING v.wait_us";

/// A 429's wait: no request of the rules passes before it ends.
const PAUSE: &str = "\
UPDATE scim_pg.rate_cells c
SET tat = greatest(c.tat, clock_timestamp() + (r.tolerance_us + $4) * interval '1 microsecond')
FROM unnest($2::text[], $3::int8[]) AS r(rule, tolerance_us)
WHERE c.target = $1 AND c.rule = r.rule";

/// One rule of the table, as a cell.
#[derive(Debug)]
struct Cell {
    /// Its key: the rule's name (made unique within the table).
    key: String,
    rule: RateRule,
    /// T, in microseconds.
    emission_us: i64,
    /// τ, in microseconds.
    tolerance_us: i64,
}

/// A provider's rate table at a share, kept in the store: every worker
/// that builds one for the same base URL spends the same budget.
#[derive(Clone, Debug)]
pub struct PgBudget {
    store: Store,
    target: String,
    base_path: String,
    cells: Arc<[Cell]>,
}

impl PgBudget {
    /// The budget for the provider at `base_url`, pacing to `share` of
    /// `table`'s rates (1.0 is the limit itself;
    /// [`DEFAULT_SHARE`](scim_client::pacing::DEFAULT_SHARE) leaves a tenth
    /// to the org's other apps; outside (0, 1] counts as 1). Its rows are
    /// made if missing; rows other workers made are kept as they are.
    pub async fn new(
        store: &Store,
        base_url: &str,
        table: &RateTable,
        share: f64,
    ) -> Result<PgBudget, StoreError> {
        let share = if share.is_finite() && share > 0.0 {
            share.min(1.0)
        } else {
            1.0
        };
        let mut cells: Vec<Cell> = Vec::with_capacity(table.rules.len());
        for (index, rule) in table.rules.iter().enumerate() {
            let mut key = rule.name.clone();
            if cells.iter().any(|cell| cell.key == key) {
                key = format!("{key}#{index}");
            }
            cells.push(cell(key, rule, share));
        }
        let budget = PgBudget {
            store: store.clone(),
            target: normalise(base_url),
            base_path: base_path(base_url),
            cells: cells.into(),
        };
        budget.ensure_cells().await?;
        Ok(budget)
    }

    /// Inserts the rows of the cells, where missing.
    async fn ensure_cells(&self) -> Result<(), StoreError> {
        let keys: Vec<&str> = self.cells.iter().map(|cell| cell.key.as_str()).collect();
        (self.store.client)
            .execute(
                "INSERT INTO scim_pg.rate_cells (target, rule) SELECT $1, unnest($2::text[]) \
                 ON CONFLICT DO NOTHING",
                &[&self.target, &keys],
            )
            .await?;
        Ok(())
    }

    /// The cells `request` counts in.
    fn matching<B>(&self, request: &http::Request<B>) -> Vec<&Cell> {
        let class = RequestClass::of(request.uri().path(), &self.base_path);
        let method = request.method();
        let cells = self.cells.iter();
        cells
            .filter(|cell| cell.rule.matches(method, &class))
            .collect()
    }

    /// Asks to send `request` now, by the database's clock: zero when it
    /// may go (its room is taken), else how long to wait before asking
    /// again (nothing taken). One statement; a request no rule counts is
    /// admitted without asking.
    pub async fn admit<B>(&self, request: &http::Request<B>) -> Result<Duration, StoreError> {
        let cells = self.matching(request);
        if cells.is_empty() {
            return Ok(Duration::ZERO);
        }
        let keys: Vec<&str> = cells.iter().map(|cell| cell.key.as_str()).collect();
        let emission: Vec<i64> = cells.iter().map(|cell| cell.emission_us).collect();
        let tolerance: Vec<i64> = cells.iter().map(|cell| cell.tolerance_us).collect();
        for _ in 0..2 {
            let rows = (self.store.client)
                .query(ADMIT, &[&self.target, &keys, &emission, &tolerance])
                .await?;
            if let Some(row) = rows.first() {
                let wait: i64 = row.get(0);
                return Ok(Duration::from_micros(u64::try_from(wait).unwrap_or(0)));
            }
            // Its rows were removed since (a reset of the store): again.
            self.ensure_cells().await?;
        }
        Err(StoreError::RateCells {
            target: self.target.clone(),
        })
    }

    /// A provider's 429 asked to wait `wait`: no request of the classes
    /// `request` counted in is admitted, by any worker, before it ends.
    pub async fn pause<B>(
        &self,
        request: &http::Request<B>,
        wait: Duration,
    ) -> Result<(), StoreError> {
        let cells = self.matching(request);
        let keys: Vec<&str> = cells.iter().map(|cell| cell.key.as_str()).collect();
        let tolerance: Vec<i64> = cells.iter().map(|cell| cell.tolerance_us).collect();
        let wait = i64::try_from(wait.as_micros()).unwrap_or(i64::MAX / 2);
        (self.store.client)
            .execute(PAUSE, &[&self.target, &keys, &tolerance, &wait])
            .await?;
        Ok(())
    }

    /// The provider's base URL, as the budget's rows are keyed.
    pub fn target(&self) -> &str {
        &self.target
    }
}

/// A rule's cell at `share`: `T` and `τ` as
/// [`RateBudget`](scim_client::pacing::RateBudget) computes its bucket
/// (the burst shrinks with the share, to at least 1).
fn cell(key: String, rule: &RateRule, share: f64) -> Cell {
    let limit = f64::from(rule.limit.max(1)) * share;
    let emission = rule.per.as_secs_f64() / limit;
    let burst = (f64::from(rule.burst.max(1)) * share).floor().max(1.0);
    // Rules are public data: an absurd period saturates, never panics.
    let micros = |seconds: f64| (seconds * 1e6).clamp(0.0, 1e15) as i64;
    Cell {
        key,
        rule: rule.clone(),
        emission_us: micros(emission),
        tolerance_us: micros(emission * (burst - 1.0)),
    }
}

/// The path of `base_url`, ending in `/` (`/scim/v2/`).
fn base_path(base_url: &str) -> String {
    let path = base_url
        .parse::<http::Uri>()
        .map(|uri| uri.path().to_owned())
        .unwrap_or_default();
    format!("{}/", path.trim_end_matches('/'))
}
