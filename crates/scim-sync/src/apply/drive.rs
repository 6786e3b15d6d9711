//! The drivers: [`apply_blocking`] over a [`ScimClient`] (worker threads),
//! [`apply_async`] over an [`AsyncScimClient`] (requests in flight in one
//! task, on any runtime).

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::task::Poll;

use scim_client::provider::Profile;
use scim_client::{AsyncScimClient, Error, ScimClient};

use super::engine::{Apply, Output, Ticket};
use super::journal::{Journal, JournalError, Lost, Recovered};
use super::lock::{ApplyLock, LockError};
use super::trust::check_plan;
use super::{Answer, Event, Report};
use crate::plan::{Current, Plan, fingerprint, fingerprint_of_everything};
use crate::read::{ReadError, read_current_for, read_current_for_async};

/// How to apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyOptions {
    /// The journal file: created on the first run, read on a resume.
    pub journal: PathBuf,
    /// Requests in flight at once (default 4). Each still passes the
    /// client's rate budget, and steps on one resource never overlap.
    pub concurrency: usize,
    /// Stops the apply early once raised (default none: it runs to the
    /// end); see [`StopSignal`].
    pub stop: Option<StopSignal>,
}

impl ApplyOptions {
    /// Options with the journal at `journal`.
    pub fn new(journal: impl Into<PathBuf>) -> ApplyOptions {
        ApplyOptions {
            journal: journal.into(),
            concurrency: 4,
            stop: None,
        }
    }
}

/// A request to stop an apply early, shared with whoever may make it (a
/// Ctrl-C handler, a service shutting down): clones are one signal.
///
/// Both drivers look at it before each [`Apply::poll_paced`]; once it is
/// raised they call [`Apply::interrupt`]: no further step starts, the
/// steps in flight finish and are journaled as usual, and the others are
/// skipped (`not started: interrupted`) without a journal entry, so the
/// same apply run again with the same journal runs them. Raising it
/// after the apply ended changes nothing.
#[derive(Clone, Debug, Default)]
pub struct StopSignal(Arc<AtomicBool>);

impl StopSignal {
    /// A signal not raised.
    pub fn new() -> StopSignal {
        StopSignal::default()
    }

    /// Asks the applies holding this signal to stop; safe from any thread.
    pub fn raise(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// True once [`raise`](Self::raise) was called on it or on a clone.
    pub fn is_raised(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Two signals are equal when they are clones of one.
impl PartialEq for StopSignal {
    fn eq(&self, other: &StopSignal) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for StopSignal {}

/// True when `options` carry a stop signal that was raised.
fn stop_raised(options: &ApplyOptions) -> bool {
    options.stop.as_ref().is_some_and(StopSignal::is_raised)
}

/// Why an apply did not run (a step that fails is in the [`Report`]).
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The plan was made for another provider profile.
    #[error("the plan is for {plan}, the client for {profile}")]
    OtherProfile {
        /// The plan's profile.
        plan: String,
        /// The apply's.
        profile: String,
    },
    /// The provider changed since the plan was made: plan again.
    #[error(
        "the provider changed since the plan was made (fingerprint {planned}, now {now}); plan again"
    )]
    StateChanged {
        /// The plan's fingerprint.
        planned: String,
        /// The provider's now.
        now: String,
    },
    /// The plan's content does not give its digest: it was edited by hand
    /// (a step added or changed), damaged, or carries no digest.
    #[error(
        "the plan was edited by hand or damaged (digest {}, its content gives {computed}); run `scim plan` again",
        if found.is_empty() { "missing" } else { found.as_str() }
    )]
    PlanEdited {
        /// The digest the plan carries (empty: none).
        found: String,
        /// The digest of its content.
        computed: String,
    },
    /// A step would write to an account the plan's ownership rule does
    /// not give the source (or adopt one its adoption rule does not allow).
    #[error(
        "step {step} is {write} of {id} (named {user_name:?}, externalId {}), which the source does not own; nothing was applied: run `scim plan` again",
        external_id.as_deref().map_or("none".to_owned(), |id| format!("{id:?}"))
    )]
    NotOwned {
        /// The step's index.
        step: usize,
        /// What it would write: an update, a deactivation, …
        write: String,
        /// The account's id.
        id: String,
        /// Its `userName`.
        user_name: String,
        /// Its `externalId`, when it has one.
        external_id: Option<String>,
    },
    /// A step of a kind the plan's own options do not plan: a deletion
    /// when they deactivate, a deactivation or deletion when removal is off.
    #[error(
        "step {step} is {kind}, which the plan's options do not allow; nothing was applied: run `scim plan` again"
    )]
    OutsideOptions {
        /// The step's index.
        step: usize,
        /// What it is: a deletion, a deactivation.
        kind: String,
    },
    /// The plan's scope does not parse (it did when planned: the plan was
    /// edited).
    #[error("{0}; nothing was applied: run `scim plan` again")]
    Scope(crate::ScopeError),
    /// A rail on removals refuses the steps as given.
    #[error("{0}; nothing was applied")]
    Rail(crate::plan::RailRefusal),
    /// The journal could not be read or written.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// Another apply holds this journal or this provider.
    #[error(transparent)]
    Locked(#[from] LockError),
    /// On a resume, the provider no longer has resources the journal
    /// records as created: it lost state since (a restore, a reset).
    /// Nothing was written.
    #[error(
        "the provider no longer has {} resource(s) this journal records as created (first: {}); \
         it lost state since the earlier run. Nothing was written: plan again and apply with a new journal",
        .lost.len(),
        .lost.first().map(ToString::to_string).unwrap_or_default()
    )]
    ProviderLost {
        /// The creates whose resource is gone, in step order.
        lost: Vec<Lost>,
    },
    /// The provider's state could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
}

/// A fresh apply (nothing journaled) checks the provider is still in the
/// state the plan was computed from. A resume cannot (its own writes
/// changed it) and is tied to the plan by the journal instead; it checks
/// every create the journal records as done still exists, before skipping
/// it or lending its id to a membership change. One listing of the
/// provider (paged, through the client's budget) answers for all of them,
/// where a read per id would cost one request per create.
fn check_state(
    plan: &Plan,
    profile: &Profile,
    recovered: &Recovered,
    current: &Current,
) -> Result<(), ApplyError> {
    if !recovered.is_fresh() {
        let lost = recovered.lost(plan, current);
        return match lost.is_empty() {
            true => Ok(()),
            false => Err(ApplyError::ProviderLost { lost }),
        };
    }
    check_unchanged(plan, profile, current)
}

/// Whether the provider (`current`, read now) is still in the state `plan`
/// was computed from: its [`fingerprint`] of what the plan reads, computed
/// again with the plan's options (after the plan's profile is checked to
/// be `profile`). Every apply that writes nothing yet asks this (the
/// blocking and async drivers here, scim-pg's workers); a resume asks
/// [`Recovered::lost`] instead.
///
/// A plan made before the fingerprint covered only what a plan reads
/// (2026-12-04) carries the fingerprint of every attribute; it is still
/// applied while the provider is exactly as it was, not refused as stale.
pub fn check_unchanged(
    plan: &Plan,
    profile: &Profile,
    current: &Current,
) -> Result<(), ApplyError> {
    super::trust::check_profile(plan, profile)?;
    let now = fingerprint(current, profile, &plan.options);
    if now != plan.fingerprint && fingerprint_of_everything(current) != plan.fingerprint {
        return Err(ApplyError::StateChanged {
            planned: plan.fingerprint.clone(),
            now,
        });
    }
    Ok(())
}

/// Applies `plan` through `client`, `options.concurrency` requests at a
/// time on worker threads, journaling each step; `on_event` hears of each
/// step as it ends. Holds the journal's and the provider's locks
/// ([`ApplyLock`]) for the whole run: a second apply is refused at once.
pub fn apply_blocking(
    client: &ScimClient,
    plan: &Plan,
    profile: &Profile,
    options: &ApplyOptions,
    on_event: impl FnMut(&Event) + Send,
) -> Result<Report, ApplyError> {
    let _lock = ApplyLock::acquire(&options.journal, client.endpoint().base_url())?;
    let current = read_current_for(client, profile)?;
    // Refused before the journal exists: a refused plan leaves nothing
    // that would block the next one.
    check_plan(plan, &current)?;
    let (journal, recovered) = Journal::open(&options.journal, plan)?;
    check_state(plan, profile, &recovered, &current)?;
    let apply = Apply::new(
        plan,
        profile,
        client.endpoint().clone(),
        recovered,
        &current,
    )?;
    let shared = Shared {
        state: Mutex::new(State {
            apply,
            journal,
            on_event,
            failure: None,
            done: false,
        }),
        changed: Condvar::new(),
    };
    std::thread::scope(|scope| {
        for _ in 0..options.concurrency.max(1) {
            scope.spawn(|| shared.work(client, options));
        }
    });
    let state = shared
        .state
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    match state.failure {
        Some(error) => Err(error.into()),
        None => Ok(state.apply.into_report()),
    }
}

struct Shared<F> {
    state: Mutex<State<F>>,
    changed: Condvar,
}

struct State<F> {
    apply: Apply,
    journal: Journal,
    on_event: F,
    /// A journal write failed: nothing more starts.
    failure: Option<JournalError>,
    done: bool,
}

impl<F: FnMut(&Event) + Send> Shared<F> {
    /// One worker: takes what the engine gives out, sends requests without
    /// holding the lock, and waits when nothing can start.
    fn work(&self, client: &ScimClient, options: &ApplyOptions) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while !state.done && state.failure.is_none() {
            if stop_raised(options) {
                state.apply.interrupt();
            }
            match state
                .apply
                .poll_paced(&mut |request| client.budget_wait(request))
            {
                Output::Journal(entry) => {
                    if let Err(error) = state.journal.append(&entry) {
                        state.failure = Some(error);
                    }
                }
                Output::Event(event) => (state.on_event)(&event),
                Output::Send(ticket, operation) => {
                    drop(state);
                    let answer = client.execute(*operation);
                    state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                    state.apply.handle(ticket, answer);
                }
                Output::Wait => {
                    state = self
                        .changed
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                    continue;
                }
                Output::Done => state.done = true,
            }
            self.changed.notify_all();
        }
        self.changed.notify_all();
    }
}

/// Applies `plan` through `client` with up to `options.concurrency`
/// requests in flight, in the calling task (no runtime of its own); the
/// journal is written with blocking file I/O, one short line per step.
/// Holds the same locks as [`apply_blocking`] until it returns.
pub async fn apply_async(
    client: &AsyncScimClient,
    plan: &Plan,
    profile: &Profile,
    options: &ApplyOptions,
    mut on_event: impl FnMut(&Event),
) -> Result<Report, ApplyError> {
    let _lock = ApplyLock::acquire(&options.journal, client.endpoint().base_url())?;
    let current = read_current_for_async(client, profile).await?;
    check_plan(plan, &current)?;
    let (mut journal, recovered) = Journal::open(&options.journal, plan)?;
    check_state(plan, profile, &recovered, &current)?;
    let mut apply = Apply::new(
        plan,
        profile,
        client.endpoint().clone(),
        recovered,
        &current,
    )?;
    let mut in_flight: Vec<InFlight<'_>> = Vec::new();
    loop {
        if stop_raised(options) {
            apply.interrupt();
        }
        match apply.poll_paced(&mut |request| client.budget_wait(request)) {
            Output::Journal(entry) => journal.append(&entry)?,
            Output::Event(event) => on_event(&event),
            Output::Send(ticket, operation) => {
                in_flight.push(Box::pin(async move {
                    (ticket, client.execute(*operation).await)
                }));
                if in_flight.len() >= options.concurrency.max(1) {
                    let (ticket, answer) = first_done(&mut in_flight).await;
                    apply.handle(ticket, answer);
                }
            }
            // The engine waits only while it has requests out, each of
            // which is in `in_flight`.
            Output::Wait => {
                let (ticket, answer) = first_done(&mut in_flight).await;
                apply.handle(ticket, answer);
            }
            Output::Done => return Ok(apply.into_report()),
        }
    }
}

type InFlight<'a> = Pin<Box<dyn Future<Output = (Ticket, Result<Answer, Error>)> + 'a>>;

/// The first of `futures` to finish (removed from the list). Pending
/// forever on an empty list, which the engine never waits on.
fn first_done<'a, 'b>(
    futures: &'b mut Vec<InFlight<'a>>,
) -> impl Future<Output = (Ticket, Result<Answer, Error>)> + 'b {
    std::future::poll_fn(move |cx| {
        for index in 0..futures.len() {
            if let Poll::Ready(output) = futures[index].as_mut().poll(cx) {
                drop(futures.swap_remove(index));
                return Poll::Ready(output);
            }
        }
        Poll::Pending
    })
}
