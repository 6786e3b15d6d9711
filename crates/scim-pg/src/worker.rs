//! [`run`]: a worker. It serves every active plan whose target it has a
//! client for, as many workers on as many machines as one likes, all on
//! one store:
//!
//! ```text
//!   refresh ──► for each new plan: read the provider, check the plan
//!      │        (digest, ownership, rails: scim-sync's Apply::new; the
//!      │        provider unchanged, or nothing done lost) ── refused ──► plan refused
//!      ▼
//!   claim ────► one step: ready (or its lease expired), lowest phase its
//!      │        plan has left, its resource free; leased to this worker
//!      ▼
//!   run ──────► scim-sync's engine for that step alone (Apply::subset), ids
//!      │        of earlier creates from the store; a create claimed before
//!      │        looks its account up first; every request asks the
//!      │        shared budget (PacedTransport)
//!      ▼
//!   end ──────► done (outcome, created id) | failed | released to retry,
//!               in one statement, only if the lease is still this worker's
//! ```
//!
//! A heartbeat extends the worker's leases every third of a lease; a
//! worker that dies leaves its steps to be claimed again when their leases
//! expire.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use scim_client::Error;
use scim_sync::apply::{Apply, ApplyError, Output, Recovered, Report, StepError, check_unchanged};
use scim_sync::{Plan, Ref, Step, read_current_for_async};
use tokio::task::JoinSet;

use crate::steps::{Claimed, End, StoredPlan};
use crate::{PlanId, Store, StoreError, Target};

/// How a worker works.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerOptions {
    /// The worker's name, unique among the store's workers (the binary
    /// uses host name and process id): leases are held by name.
    pub name: String,
    /// How long a claim is held without a heartbeat (default 30 s): a
    /// dead worker's steps wait that long before another claims them.
    pub lease: Duration,
    /// Steps in hand at once (default 4).
    pub concurrency: usize,
    /// How long to wait before asking again when nothing can be claimed
    /// (default 250 ms).
    pub poll: Duration,
    /// Return once no active plan has a step waiting or held (default
    /// false: serve until the task is dropped).
    pub until_idle: bool,
    /// Claims of a step before an error that may pass (the network, a
    /// 5xx, a 429, a refused token) fails it for good (default 5).
    pub max_attempts: i32,
    /// How long a step released after such an error waits (default 5 s).
    pub retry_after: Duration,
}

impl WorkerOptions {
    /// The defaults, for a worker named `name`.
    pub fn new(name: impl Into<String>) -> WorkerOptions {
        WorkerOptions {
            name: name.into(),
            lease: Duration::from_secs(30),
            concurrency: 4,
            poll: Duration::from_millis(250),
            until_idle: false,
            max_attempts: 5,
            retry_after: Duration::from_secs(5),
        }
    }
}

/// What a worker did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkerReport {
    /// Steps it did.
    pub done: u64,
    /// Steps that failed for good in its hands.
    pub failed: u64,
    /// Steps it handed back to be tried again.
    pub released: u64,
    /// Outcomes that came after its lease had expired (not recorded).
    pub lost: u64,
    /// Plans its checks refused, with why.
    pub refused: Vec<(PlanId, String)>,
    /// Plans it could not check yet (the provider unreachable), with why;
    /// it tried again later.
    pub deferred: Vec<(PlanId, String)>,
}

/// Why a worker stopped.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The store failed (the connection is gone): restart the worker.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A plan this worker serves, checked.
struct Served {
    plan: Arc<Plan>,
    /// This worker's run of it.
    run: i64,
    target: usize,
    /// The plan's apply, checked once; each step runs in a subset of it.
    template: Apply,
    /// `user:{key}` / `group:{key}` to the step that creates it.
    creates: HashMap<String, usize>,
}

/// What every task of the worker shares.
struct Worker {
    store: Store,
    targets: Vec<Target>,
    options: WorkerOptions,
}

/// Serves the store's plans for `targets` until `options.until_idle`
/// finds nothing left (or forever), with `options.concurrency` steps in
/// hand; returns what it did. A step's failure is recorded, not returned;
/// a failure of the store stops the worker.
pub async fn run(
    store: Store,
    targets: Vec<Target>,
    options: WorkerOptions,
) -> Result<WorkerReport, WorkerError> {
    let worker = Arc::new(Worker {
        store,
        targets,
        options,
    });
    let heartbeat = tokio::spawn(heartbeat(worker.clone()));
    let mut served = HashMap::new();
    let mut report = WorkerReport::default();
    let result = serve(&worker, &mut served, &mut report).await;
    heartbeat.abort();
    let runs: Vec<i64> = served.values().map(|s: &Arc<Served>| s.run).collect();
    let closed = worker.store.close_runs(&runs).await;
    result?;
    closed?;
    Ok(report)
}

/// Extends this worker's leases every third of a lease.
async fn heartbeat(worker: Arc<Worker>) {
    let every = (worker.options.lease / 3).max(Duration::from_millis(50));
    loop {
        tokio::time::sleep(every).await;
        // A missed beat is caught up by the next; a lease lost meanwhile
        // shows when the step's end is recorded.
        let _ = worker
            .store
            .heartbeat(&worker.options.name, worker.options.lease)
            .await;
    }
}

/// The claim loop.
async fn serve(
    worker: &Arc<Worker>,
    served: &mut HashMap<PlanId, Arc<Served>>,
    report: &mut WorkerReport,
) -> Result<(), WorkerError> {
    let mut tasks: JoinSet<Result<Ended, StoreError>> = JoinSet::new();
    let mut passed = HashSet::new();
    loop {
        refresh(worker, served, &mut passed, report).await?;
        let list: Vec<(PlanId, i64)> = served.iter().map(|(id, s)| (*id, s.run)).collect();
        let mut claimed = false;
        while tasks.len() < worker.options.concurrency.max(1) && !list.is_empty() {
            let opts = &worker.options;
            let Some(claim) = worker.store.claim(&list, &opts.name, opts.lease).await? else {
                break;
            };
            let Some(plan) = served.get(&claim.plan).cloned() else {
                continue;
            };
            claimed = true;
            tasks.spawn(run_step(worker.clone(), plan, claim));
        }
        if tasks.is_empty() && !claimed {
            if worker.options.until_idle && worker.store.pending().await? == 0 {
                return Ok(());
            }
            tokio::time::sleep(worker.options.poll).await;
            continue;
        }
        tokio::select! {
            Some(joined) = tasks.join_next() => tally(joined, report)?,
            () = tokio::time::sleep(worker.options.poll) => {}
        }
        while let Some(joined) = tasks.try_join_next() {
            tally(joined, report)?;
        }
    }
}

/// How a step's claim ended, as recorded.
enum Ended {
    Done,
    Failed,
    Released,
    Lost,
}

fn tally(
    joined: Result<Result<Ended, StoreError>, tokio::task::JoinError>,
    report: &mut WorkerReport,
) -> Result<(), WorkerError> {
    // A step task that panicked recorded nothing: its lease expires and
    // another claim runs it again, as after a kill.
    let Ok(ended) = joined else { return Ok(()) };
    match ended? {
        Ended::Done => report.done += 1,
        Ended::Failed => report.failed += 1,
        Ended::Released => report.released += 1,
        Ended::Lost => report.lost += 1,
    }
    Ok(())
}

/// Takes up the active plans not served yet (those with a target here),
/// and lets go of those no longer active.
async fn refresh(
    worker: &Arc<Worker>,
    served: &mut HashMap<PlanId, Arc<Served>>,
    passed: &mut HashSet<PlanId>,
    report: &mut WorkerReport,
) -> Result<(), WorkerError> {
    let active = worker.store.active_plans().await?;
    let ids: HashSet<PlanId> = active.iter().map(|plan| plan.id).collect();
    served.retain(|id, _| ids.contains(id));
    for stored in active {
        if served.contains_key(&stored.id) || passed.contains(&stored.id) {
            continue;
        }
        let Some(target) = worker
            .targets
            .iter()
            .position(|t| t.base_url == stored.target)
        else {
            passed.insert(stored.id);
            continue;
        };
        match prepare(worker, &stored, target).await {
            Ok(plan) => {
                served.insert(stored.id, Arc::new(plan));
            }
            Err(Prepare::Refused(reason)) => {
                worker.store.refuse(stored.id, &reason).await?;
                report.refused.push((stored.id, reason));
                passed.insert(stored.id);
            }
            Err(Prepare::Deferred(reason)) => {
                if report.deferred.len() < 100 {
                    report.deferred.push((stored.id, reason));
                }
            }
            Err(Prepare::Store(error)) => return Err(error.into()),
        }
    }
    Ok(())
}

/// Why a plan is not served (yet).
enum Prepare {
    /// Its checks refused it.
    Refused(String),
    /// The provider could not be read: try again later.
    Deferred(String),
    Store(StoreError),
}

impl From<StoreError> for Prepare {
    fn from(error: StoreError) -> Prepare {
        Prepare::Store(error)
    }
}

/// Checks `stored` against its provider as it is now, as a resumed apply
/// does: the plan's digest, ownership and rails (`Apply::new`), and the
/// provider unchanged since planning when nothing was claimed yet, or
/// still holding every create recorded done when something was.
async fn prepare(worker: &Worker, stored: &StoredPlan, target: usize) -> Result<Served, Prepare> {
    let plan: Plan = serde_json::from_str(&stored.body)
        .map_err(|error| Prepare::Refused(format!("it does not read back as a plan: {error}")))?;
    let target_ref = &worker.targets[target];
    let started = worker.store.now().await?;
    let current = read_current_for_async(&target_ref.client, &target_ref.profile)
        .await
        .map_err(|error| Prepare::Deferred(error.to_string()))?;
    // Read after the provider: a step claimed while it was read shows here.
    let progress = worker.store.progress(stored.id, started).await?;
    let refused = |error: ApplyError| Prepare::Refused(error.to_string());
    if progress.fresh {
        check_unchanged(&plan, &target_ref.profile, &current).map_err(refused)?;
    } else {
        let lost = progress.recovered.lost(&plan, &current);
        if !lost.is_empty() {
            return Err(refused(ApplyError::ProviderLost { lost }));
        }
    }
    let endpoint = target_ref.client.endpoint().clone();
    let template = Apply::new(
        &plan,
        &target_ref.profile,
        endpoint,
        Recovered::default(),
        &current,
    )
    .map_err(refused)?;
    let run = worker
        .store
        .open_run(stored.id, &worker.options.name)
        .await?;
    Ok(Served {
        creates: creates(&plan.steps),
        plan: Arc::new(plan),
        run,
        target,
        template,
    })
}

/// `user:{key}` / `group:{key}` to the index of the step creating it.
fn creates(steps: &[Step]) -> HashMap<String, usize> {
    let key = |step: &Step| match step {
        Step::CreateUser { key, .. } => Some(format!("user:{key}")),
        Step::CreateGroup { key, .. } => Some(format!("group:{key}")),
        _ => None,
    };
    let keyed = steps.iter().enumerate();
    keyed
        .filter_map(|(index, step)| Some((key(step)?, index)))
        .collect()
}

/// The create steps whose ids `step` needs.
fn dependencies(step: &Step, creates: &HashMap<String, usize>) -> Vec<usize> {
    let Step::ChangeMembers { group, add, .. } = step else {
        return Vec::new();
    };
    let keyed = |kind: &str, reference: &Ref| match reference {
        Ref::Key(key) => creates.get(&format!("{kind}:{key}")).copied(),
        Ref::Id(_) => None,
    };
    let group = keyed("group", group);
    let users = add.iter().filter_map(|member| keyed("user", member));
    group.into_iter().chain(users).collect()
}

/// Runs the claimed step through scim-sync's engine and records how it
/// ended.
async fn run_step(
    worker: Arc<Worker>,
    served: Arc<Served>,
    claim: Claimed,
) -> Result<Ended, StoreError> {
    let Some(step) = served.plan.steps.get(claim.index) else {
        let end = End::Failed {
            error: format!("step {} is not in the plan", claim.index),
        };
        return record(&worker, &claim, end).await;
    };
    let needs = dependencies(step, &served.creates);
    let mut recovered = Recovered::default();
    if !needs.is_empty() {
        recovered.done = worker.store.created_ids(claim.plan, &needs).await?;
    }
    if claim.attempt > 1 {
        // An earlier claim may have written: a create looks first.
        recovered.begun.insert(claim.index);
    }
    let mut apply = served.template.subset(&[claim.index], &recovered);
    let client = &worker.targets[served.target].client;
    loop {
        match apply.poll() {
            Output::Send(ticket, operation) => {
                let answer = client.execute(*operation).await;
                apply.handle(ticket, answer);
            }
            Output::Journal(_) | Output::Event(_) => {}
            // One step, each answer awaited in turn: nothing is in flight.
            Output::Wait | Output::Done => break,
        }
    }
    let end = end_of(apply.into_report(), claim.attempt, &worker.options);
    record(&worker, &claim, end).await
}

async fn record(worker: &Worker, claim: &Claimed, end: End) -> Result<Ended, StoreError> {
    let kind = match &end {
        End::Done { .. } => Ended::Done,
        End::Failed { .. } => Ended::Failed,
        End::Released { .. } => Ended::Released,
    };
    let kept = worker.store.end(claim, &worker.options.name, end).await?;
    Ok(if kept { kind } else { Ended::Lost })
}

/// How the step's report ends its claim.
fn end_of(report: Report, attempt: i32, options: &WorkerOptions) -> End {
    if let Some(done) = report.done.into_iter().next() {
        return End::Done {
            id: done.outcome.id().map(str::to_owned),
            outcome: serde_json::to_value(&done.outcome).unwrap_or_default(),
        };
    }
    if let Some(failed) = report.failed.into_iter().next() {
        let error = failed.error.to_string();
        if may_pass(&failed.error) && attempt < options.max_attempts {
            return End::Released {
                reason: error,
                after: options.retry_after,
            };
        }
        return End::Failed { error };
    }
    let reason = report.skipped.into_iter().next().map(|s| s.reason);
    End::Released {
        reason: reason.unwrap_or_else(|| "the step did not end".to_owned()),
        after: options.retry_after,
    }
}

/// Errors that another attempt may not meet: the network, a 5xx, a 429
/// after the client's retries, a refused or expired token, a timeout.
fn may_pass(error: &StepError) -> bool {
    match error {
        StepError::Client(Error::Transport(_)) => true,
        StepError::Client(error) => error
            .status()
            .is_some_and(|s| matches!(s.as_u16(), 401 | 403 | 408 | 429) || s.is_server_error()),
        _ => false,
    }
}
