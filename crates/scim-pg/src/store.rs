//! [`Store`]: the connection to PostgreSQL, the schema's migrations, and
//! what a caller asks of it — submit a plan, read its status and history.
//! What workers ask of it (claims, leases, outcomes) is in `steps`.

use std::sync::Arc;

use scim_sync::Plan;
use scim_sync::apply::phase;
use scim_sync::{Ref, Step};
use tokio_postgres::{Client, NoTls};

use crate::{PgConfig, StoreError};

/// The schema's migrations, in order: SQL files in the crate, each applied
/// once, in a transaction, under a transaction-level advisory lock (so
/// workers starting together do not race, and nothing is held past the
/// transaction, which connection poolers in transaction mode need).
const MIGRATIONS: &[(i32, &str, &str)] = &[(
    1,
    "0001_store.sql",
    include_str!("../migrations/0001_store.sql"),
)];

/// The advisory lock key the migrations take ("scim-pg" in ASCII).
const MIGRATION_LOCK: i64 = 0x0073_6369_6d2d_7067;

/// A plan's id in the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlanId(pub i64);

impl std::fmt::Display for PlanId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "plan {}", self.0)
    }
}

/// The store: one connection to PostgreSQL, shared by cloning. Statements
/// from many tasks are pipelined on it; each one the workers send is a
/// single atomic statement, so none holds a transaction open.
#[derive(Clone)]
pub struct Store {
    pub(crate) client: Arc<Client>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("closed", &self.client.is_closed())
            .finish()
    }
}

/// Whether a plan is served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanState {
    /// Workers claim its steps.
    Active,
    /// A worker's checks refused it (ownership, rails, the provider
    /// changed since it was planned): no step of it is claimed.
    Refused(String),
}

/// Where a plan stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanStatus {
    /// The provider's base URL.
    pub target: String,
    /// Served or refused.
    pub state: PlanState,
    /// Steps waiting for a worker.
    pub ready: i64,
    /// Steps a worker holds (its lease may have expired).
    pub claimed: i64,
    /// Steps done.
    pub done: i64,
    /// Steps failed.
    pub failed: i64,
}

impl PlanStatus {
    /// True when no step is waiting or held.
    pub fn is_finished(&self) -> bool {
        self.ready == 0 && self.claimed == 0
    }
}

/// One worker's service of one plan, from the run history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRecord {
    /// The worker's name.
    pub worker: String,
    /// Steps it did.
    pub done: i32,
    /// Steps that failed in its hands.
    pub failed: i32,
    /// Steps it handed back (to be tried again).
    pub released: i32,
    /// Outcomes it came back with after its lease had expired and another
    /// worker could have claimed the step (not recorded as the step's).
    pub lost: i32,
    /// Whether it ended (a killed worker's run never does).
    pub ended: bool,
}

impl Store {
    /// Connects, and brings the schema (`scim_pg`) up to this build's
    /// version. Without TLS: reach the database over a private network or
    /// a Unix socket.
    pub async fn connect(config: &PgConfig) -> Result<Store, StoreError> {
        let (mut client, connection) = config.driver().connect(NoTls).await?;
        // The connection task ends with the connection; its error comes
        // back to whoever sends the next statement.
        tokio::spawn(async move {
            let _ = connection.await;
        });
        migrate(&mut client).await?;
        Ok(Store {
            client: Arc::new(client),
        })
    }

    /// Stores `plan` for the provider at `target` (its base URL) and
    /// returns its id; the same plan for the same target again returns the
    /// first one's id and adds nothing. The plan is checked by the workers
    /// (digest, ownership, rails) before any step of it runs.
    pub async fn submit(&self, target: &str, plan: &Plan) -> Result<PlanId, StoreError> {
        let target = normalise(target);
        let body = serde_json::to_string(plan).map_err(StoreError::Encode)?;
        let inserted = self
            .client
            .query_opt(
                "INSERT INTO scim_pg.plans (target, digest, profile, body) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (target, digest) DO NOTHING RETURNING id",
                &[&target, &plan.digest, &plan.profile, &body],
            )
            .await?;
        let Some(row) = inserted else {
            let row = self
                .client
                .query_one(
                    "SELECT id FROM scim_pg.plans WHERE target = $1 AND digest = $2",
                    &[&target, &plan.digest],
                )
                .await?;
            return Ok(PlanId(row.get(0)));
        };
        let id = PlanId(row.get(0));
        if let Err(error) = self.insert_steps(id, &plan.steps).await {
            // No plan without its steps: the next submit starts afresh.
            let _ = (self.client)
                .execute("DELETE FROM scim_pg.plans WHERE id = $1", &[&id.0])
                .await;
            return Err(error);
        }
        Ok(id)
    }

    /// One row per step, in one statement.
    async fn insert_steps(&self, plan: PlanId, steps: &[Step]) -> Result<(), StoreError> {
        let rows = StepRows::of(steps)?;
        self.client
            .execute(
                "INSERT INTO scim_pg.steps (plan_id, idx, kind, phase, lane_rank, resource) \
                 SELECT $1, * FROM unnest($2::int4[], $3::text[], $4::int2[], $5::int4[], $6::text[])",
                &[
                    &plan.0,
                    &rows.index,
                    &rows.kind,
                    &rows.phase,
                    &rows.lane_rank,
                    &rows.resource,
                ],
            )
            .await?;
        Ok(())
    }

    /// Where plan `plan` stands.
    pub async fn status(&self, plan: PlanId) -> Result<PlanStatus, StoreError> {
        let row = self
            .client
            .query_one(
                "SELECT p.target, p.state, p.refusal, \
                   count(*) FILTER (WHERE s.state = 'ready'), \
                   count(*) FILTER (WHERE s.state = 'claimed'), \
                   count(*) FILTER (WHERE s.state = 'done'), \
                   count(*) FILTER (WHERE s.state = 'failed') \
                 FROM scim_pg.plans p LEFT JOIN scim_pg.steps s ON s.plan_id = p.id \
                 WHERE p.id = $1 GROUP BY p.id",
                &[&plan.0],
            )
            .await?;
        let state = match row.get::<_, &str>(1) {
            "refused" => PlanState::Refused(row.get::<_, Option<String>>(2).unwrap_or_default()),
            _ => PlanState::Active,
        };
        Ok(PlanStatus {
            target: row.get(0),
            state,
            ready: row.get(3),
            claimed: row.get(4),
            done: row.get(5),
            failed: row.get(6),
        })
    }

    /// Steps waiting or held, over every active plan.
    pub async fn pending(&self) -> Result<i64, StoreError> {
        let row = self
            .client
            .query_one(
                "SELECT count(*) FROM scim_pg.steps s JOIN scim_pg.plans p ON p.id = s.plan_id \
                 WHERE p.state = 'active' AND s.state IN ('ready', 'claimed')",
                &[],
            )
            .await?;
        Ok(row.get(0))
    }

    /// Every worker's run of plan `plan`, in the order they began.
    pub async fn history(&self, plan: PlanId) -> Result<Vec<RunRecord>, StoreError> {
        let rows = self
            .client
            .query(
                "SELECT worker, done, failed, released, lost, ended_at IS NOT NULL \
                 FROM scim_pg.runs WHERE plan_id = $1 ORDER BY id",
                &[&plan.0],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|row| RunRecord {
                worker: row.get(0),
                done: row.get(1),
                failed: row.get(2),
                released: row.get(3),
                lost: row.get(4),
                ended: row.get(5),
            })
            .collect())
    }
}

/// A target's key: its base URL without a trailing slash.
pub(crate) fn normalise(target: &str) -> String {
    target.trim_end_matches('/').to_owned()
}

/// Brings the schema up to date, in one transaction.
async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let transaction = client.transaction().await?;
    transaction
        .batch_execute(&format!(
            "SELECT pg_advisory_xact_lock({MIGRATION_LOCK}); \
             CREATE SCHEMA IF NOT EXISTS scim_pg; \
             CREATE TABLE IF NOT EXISTS scim_pg.migrations ( \
               version integer PRIMARY KEY, name text NOT NULL, \
               applied_at timestamptz NOT NULL DEFAULT clock_timestamp())"
        ))
        .await?;
    let row = transaction
        .query_one(
            "SELECT coalesce(max(version), 0) FROM scim_pg.migrations",
            &[],
        )
        .await?;
    let applied: i32 = row.get(0);
    let known = MIGRATIONS.last().map_or(0, |(version, ..)| *version);
    if applied > known {
        return Err(StoreError::NewerSchema {
            found: applied,
            known,
        });
    }
    for &(version, name, sql) in MIGRATIONS.iter().filter(|(v, ..)| *v > applied) {
        let failed = |source| StoreError::Migration {
            version,
            name,
            source,
        };
        transaction.batch_execute(sql).await.map_err(failed)?;
        transaction
            .execute(
                "INSERT INTO scim_pg.migrations (version, name) VALUES ($1, $2)",
                &[&version, &name],
            )
            .await
            .map_err(failed)?;
    }
    transaction.commit().await?;
    Ok(())
}

/// A plan's steps as the columns of their rows.
struct StepRows {
    index: Vec<i32>,
    kind: Vec<&'static str>,
    phase: Vec<i16>,
    lane_rank: Vec<i32>,
    resource: Vec<String>,
}

impl StepRows {
    fn of(steps: &[Step]) -> Result<StepRows, StoreError> {
        let range = || StoreError::OutOfRange {
            what: "the plan's number of steps",
        };
        let mut rows = StepRows {
            index: Vec::with_capacity(steps.len()),
            kind: Vec::with_capacity(steps.len()),
            phase: Vec::with_capacity(steps.len()),
            lane_rank: Vec::with_capacity(steps.len()),
            resource: Vec::with_capacity(steps.len()),
        };
        let mut ranks: std::collections::HashMap<&'static str, i32> = Default::default();
        for (index, step) in steps.iter().enumerate() {
            let kind = kind(step);
            let rank = ranks.entry(kind).or_insert(0);
            rows.index.push(i32::try_from(index).map_err(|_| range())?);
            rows.kind.push(kind);
            rows.phase.push(i16::from(phase(step)));
            rows.lane_rank.push(*rank);
            *rank = rank.checked_add(1).ok_or_else(range)?;
            rows.resource.push(match step.resource() {
                Ref::Id(id) => format!("id:{id}"),
                Ref::Key(key) => format!("key:{key}"),
            });
        }
        Ok(rows)
    }
}

/// The step's kind, as the plan's JSON names it.
pub(crate) fn kind(step: &Step) -> &'static str {
    match step {
        Step::CreateUser { .. } => "createUser",
        Step::UpdateUser { .. } => "updateUser",
        Step::AdoptUser { .. } => "adoptUser",
        Step::DeactivateUser { .. } => "deactivateUser",
        Step::DeleteUser { .. } => "deleteUser",
        Step::CreateGroup { .. } => "createGroup",
        Step::UpdateGroup { .. } => "updateGroup",
        Step::ChangeMembers { .. } => "changeMembers",
    }
}
