//! What workers ask of the [`Store`]: claim a ready step (`FOR UPDATE SKIP
//! LOCKED`, with a lease), extend their leases, record how a step ended,
//! and read what other workers did. Each is one atomic statement; every
//! time in them is the database's clock, the same for every worker.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime};

use scim_sync::apply::Recovered;
use tokio_postgres::error::SqlState;

use crate::{PlanId, Store, StoreError};

/// A step a worker holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Claimed {
    pub(crate) plan: PlanId,
    pub(crate) index: usize,
    /// Which claim of the step this is, from 1: above 1, an earlier
    /// attempt may have written.
    pub(crate) attempt: i32,
    /// The run (worker × plan) it was claimed in.
    pub(crate) run: i64,
}

/// How a step's claim ends.
#[derive(Debug)]
pub(crate) enum End {
    /// Done: the outcome, and the id a create gave or found.
    Done {
        outcome: serde_json::Value,
        id: Option<String>,
    },
    /// Failed for good.
    Failed { error: String },
    /// Handed back, to be claimed again after `after`.
    Released { reason: String, after: Duration },
}

/// A plan workers serve.
#[derive(Debug)]
pub(crate) struct StoredPlan {
    pub(crate) id: PlanId,
    pub(crate) target: String,
    pub(crate) body: String,
}

/// What other workers did of a plan, as a resume needs it.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    /// Creates done before a time, with their ids; steps begun and not done.
    pub(crate) recovered: Recovered,
    /// True when no step was ever claimed.
    pub(crate) fresh: bool,
}

const CLAIM: &str = "\
WITH served AS (
    SELECT * FROM unnest($1::int8[], $2::int8[]) AS r(plan_id, run_id)
), picked AS (
    SELECT c.plan_id, c.idx, served.run_id
    FROM scim_pg.steps c JOIN served ON served.plan_id = c.plan_id
    WHERE ((c.state = 'ready' AND c.ready_at <= clock_timestamp())
           OR (c.state = 'claimed' AND c.lease_until < clock_timestamp()))
      AND c.phase = (SELECT min(p.phase) FROM scim_pg.steps p
                     WHERE p.plan_id = c.plan_id AND p.state IN ('ready', 'claimed'))
      AND NOT EXISTS (SELECT 1 FROM scim_pg.steps o
                      WHERE o.plan_id = c.plan_id AND o.resource = c.resource
                        AND o.state = 'claimed' AND o.idx <> c.idx)
    ORDER BY c.lane_rank, c.plan_id, c.idx
    LIMIT 1
    FOR UPDATE OF c SKIP LOCKED
), claimed AS (
    UPDATE scim_pg.steps s
    SET state = 'claimed', owner = $3, attempts = s.attempts + 1,
        lease_until = clock_timestamp() + $4::float8 * interval '1 second'
    FROM picked
    WHERE s.plan_id = picked.plan_id AND s.idx = picked.idx
    RETURNING s.plan_id, s.idx, s.attempts, picked.run_id
)
INSERT INTO scim_pg.step_events (plan_id, idx, run_id, attempt, event)
SELECT plan_id, idx, run_id, attempts, CASE WHEN attempts > 1 THEN 'reclaimed' ELSE 'claimed' END
FROM claimed
RETURNING plan_id, idx, attempt, run_id";

const END: &str = "\
WITH ended AS (
    UPDATE scim_pg.steps
    SET state = $5::text, outcome = $6, created_id = $7, error = $8,
        done_at = CASE WHEN $5::text = 'ready' THEN NULL ELSE clock_timestamp() END,
        ready_at = clock_timestamp() + $9::float8 * interval '1 second',
        owner = NULL, lease_until = NULL
    WHERE plan_id = $1 AND idx = $2 AND owner = $3 AND attempts = $4 AND state = 'claimed'
    RETURNING 1
), event AS (
    INSERT INTO scim_pg.step_events (plan_id, idx, run_id, attempt, event, detail)
    SELECT $1, $2, $10, $4, CASE WHEN EXISTS (SELECT 1 FROM ended) THEN $11::text ELSE 'lost' END, $8
)
UPDATE scim_pg.runs SET
    done = done + (EXISTS (SELECT 1 FROM ended) AND $11::text = 'done')::int,
    failed = failed + (EXISTS (SELECT 1 FROM ended) AND $11::text = 'failed')::int,
    released = released + (EXISTS (SELECT 1 FROM ended) AND $11::text = 'released')::int,
    lost = lost + (NOT EXISTS (SELECT 1 FROM ended))::int
WHERE id = $10
RETURNING EXISTS (SELECT 1 FROM ended)";

impl Store {
    /// Claims one step of the plans `served` (each with this worker's run
    /// of it) for `lease`: a ready one, or one whose lease expired, of the
    /// lowest phase its plan has left, whose resource no other claimed step
    /// holds; kinds in turn (`lane_rank`). `None` when there is none (or
    /// another worker's claim of the same resource won a race: the unique
    /// index on claimed resources refused this one).
    pub(crate) async fn claim(
        &self,
        served: &[(PlanId, i64)],
        worker: &str,
        lease: Duration,
    ) -> Result<Option<Claimed>, StoreError> {
        let plans: Vec<i64> = served.iter().map(|(plan, _)| plan.0).collect();
        let runs: Vec<i64> = served.iter().map(|(_, run)| *run).collect();
        let lease = lease.as_secs_f64();
        let rows = match (self.client)
            .query(CLAIM, &[&plans, &runs, &worker, &lease])
            .await
        {
            Ok(rows) => rows,
            Err(error) if error.code() == Some(&SqlState::UNIQUE_VIOLATION) => return Ok(None),
            Err(error) => return Err(error.into()),
        };
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let index: i32 = row.get(1);
        Ok(Some(Claimed {
            plan: PlanId(row.get(0)),
            index: usize::try_from(index).map_err(|_| StoreError::OutOfRange {
                what: "a step's index",
            })?,
            attempt: row.get(2),
            run: row.get(3),
        }))
    }

    /// Extends every lease `worker` holds to `lease` from now; how many.
    pub(crate) async fn heartbeat(&self, worker: &str, lease: Duration) -> Result<u64, StoreError> {
        Ok(self
            .client
            .execute(
                "UPDATE scim_pg.steps \
                 SET lease_until = clock_timestamp() + $2::float8 * interval '1 second' \
                 WHERE owner = $1 AND state = 'claimed'",
                &[&worker, &lease.as_secs_f64()],
            )
            .await?)
    }

    /// Records how `claimed` ended, with its event and its run's count, in
    /// one statement; false when the claim was no longer this worker's
    /// (its lease expired and another worker took the step): then nothing
    /// is recorded but a `lost` event.
    pub(crate) async fn end(
        &self,
        claimed: &Claimed,
        worker: &str,
        end: End,
    ) -> Result<bool, StoreError> {
        let index = i32::try_from(claimed.index).map_err(|_| StoreError::OutOfRange {
            what: "a step's index",
        })?;
        let (state, event, outcome, id, detail, after) = match end {
            End::Done { outcome, id } => ("done", "done", Some(outcome), id, None, 0.0),
            End::Failed { error } => ("failed", "failed", None, None, Some(error), 0.0),
            End::Released { reason, after } => {
                let after = after.as_secs_f64();
                ("ready", "released", None, None, Some(reason), after)
            }
        };
        let row = (self.client)
            .query_one(
                END,
                &[
                    &claimed.plan.0,
                    &index,
                    &worker,
                    &claimed.attempt,
                    &state,
                    &outcome,
                    &id,
                    &detail,
                    &after,
                    &claimed.run,
                    &event,
                ],
            )
            .await?;
        Ok(row.get(0))
    }

    /// The ids the creates among `steps` of `plan` gave (done ones only).
    pub(crate) async fn created_ids(
        &self,
        plan: PlanId,
        steps: &[usize],
    ) -> Result<HashMap<usize, Option<String>>, StoreError> {
        let steps: Vec<i32> = steps
            .iter()
            .filter_map(|&i| i32::try_from(i).ok())
            .collect();
        let rows = (self.client)
            .query(
                "SELECT idx, created_id FROM scim_pg.steps \
                 WHERE plan_id = $1 AND idx = ANY($2) AND state = 'done'",
                &[&plan.0, &steps],
            )
            .await?;
        Ok(rows
            .iter()
            .filter_map(|row| Some((usize::try_from(row.get::<_, i32>(0)).ok()?, row.get(1))))
            .collect())
    }

    /// What was done of `plan`: the creates done before `before` (with
    /// their ids), the steps begun and not done, and whether any step was
    /// ever claimed.
    pub(crate) async fn progress(
        &self,
        plan: PlanId,
        before: SystemTime,
    ) -> Result<Progress, StoreError> {
        let rows = (self.client)
            .query(
                "SELECT idx, state = 'done', created_id, coalesce(done_at < $2, false) \
                 FROM scim_pg.steps WHERE plan_id = $1 AND attempts > 0",
                &[&plan.0, &before],
            )
            .await?;
        let mut progress = Progress {
            fresh: rows.is_empty(),
            ..Progress::default()
        };
        let mut begun = HashSet::new();
        for row in &rows {
            let Ok(index) = usize::try_from(row.get::<_, i32>(0)) else {
                continue;
            };
            match (row.get::<_, bool>(1), row.get::<_, bool>(3)) {
                (true, true) => {
                    progress.recovered.done.insert(index, row.get(2));
                }
                (true, false) => {}
                (false, _) => {
                    begun.insert(index);
                }
            }
        }
        progress.recovered.begun = begun;
        Ok(progress)
    }

    /// The database's clock.
    pub(crate) async fn now(&self) -> Result<SystemTime, StoreError> {
        let row = (self.client)
            .query_one("SELECT clock_timestamp()", &[])
            .await?;
        Ok(row.get(0))
    }

    /// The active plans.
    pub(crate) async fn active_plans(&self) -> Result<Vec<StoredPlan>, StoreError> {
        let rows = (self.client)
            .query(
                "SELECT id, target, body FROM scim_pg.plans WHERE state = 'active' ORDER BY id",
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|row| StoredPlan {
                id: PlanId(row.get(0)),
                target: row.get(1),
                body: row.get(2),
            })
            .collect())
    }

    /// Refuses `plan`: no worker claims its steps any more.
    pub(crate) async fn refuse(&self, plan: PlanId, reason: &str) -> Result<(), StoreError> {
        (self.client)
            .execute(
                "UPDATE scim_pg.plans SET state = 'refused', refusal = $2 WHERE id = $1",
                &[&plan.0, &reason],
            )
            .await?;
        Ok(())
    }

    /// Opens `worker`'s run of `plan`; its id.
    pub(crate) async fn open_run(&self, plan: PlanId, worker: &str) -> Result<i64, StoreError> {
        let row = (self.client)
            .query_one(
                "INSERT INTO scim_pg.runs (plan_id, worker) VALUES ($1, $2) RETURNING id",
                &[&plan.0, &worker],
            )
            .await?;
        Ok(row.get(0))
    }

    /// Closes the runs `runs`.
    pub(crate) async fn close_runs(&self, runs: &[i64]) -> Result<(), StoreError> {
        (self.client)
            .execute(
                "UPDATE scim_pg.runs SET ended_at = clock_timestamp() WHERE id = ANY($1)",
                &[&runs],
            )
            .await?;
        Ok(())
    }
}
