//! Apply: a plan's steps sent through either client, recorded in a
//! journal, with the rate budget the client carries.
//!
//! [`Apply`] is the engine and never does I/O: it hands out journal entries
//! to write, operations to send and events to report ([`Output`]), and
//! reads the answers. [`apply_blocking`] and [`apply_async`] drive it over
//! a [`ScimClient`](scim_client::ScimClient) or an
//! [`AsyncScimClient`](scim_client::AsyncScimClient). Both first take the
//! apply's locks ([`ApplyLock`]: one apply per journal and per provider),
//! open the [`Journal`] (each line checked against its checksum), and on a
//! resume confirm with [`Recovered::lost`] that the provider still has what
//! the journal says was created. Any other driver does the same, then
//! follows the same loop (`stop`: the [`StopSignal`] of its options):
//!
//! ```text
//! loop {
//!     if stop.is_raised() { apply.interrupt(); }            // Ctrl-C: finish what is in flight
//!     match apply.poll() {
//!         Output::Journal(entry) => journal.append(&entry)?,    // synced before going on
//!         Output::Event(event) => show(&event),
//!         Output::Send(ticket, operation) => {
//!             let answer = client.execute(operation);           // retries and pacing inside
//!             apply.handle(ticket, answer);
//!         }
//!         Output::Wait => { /* wait for an answer in flight */ }
//!         Output::Done => break apply.into_report(),
//!     }
//! }
//! ```

mod drive;
mod engine;
mod journal;
mod lock;
mod step_run;
mod trust;

use serde::{Serialize, Serializer};

pub use drive::{
    ApplyError, ApplyOptions, StopSignal, apply_async, apply_blocking, check_unchanged,
};
pub use engine::{Apply, Output, Ticket, phase};
pub use journal::{Entry, Journal, JournalError, Lost, Recovered, plan_digest};
pub use lock::{ApplyLock, Holder, LockError};

/// What an operation of a step answered, reduced to what apply needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A create or PATCH: the resource's id, when the answer had one.
    Written(Option<String>),
    /// A lookup: each resource found, by id, with its JSON (an adoption
    /// writes onto it, and Slack v1's PATCH form needs it as it is).
    Found(Vec<(String, serde_json::Value)>),
    /// A DELETE.
    Removed,
}

/// How a step ended well.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum Outcome {
    /// Created, with this id.
    Created {
        /// The provider's id.
        id: String,
    },
    /// The create met a conflict; the account found was adopted.
    Adopted {
        /// The provider's id.
        id: String,
    },
    /// A create an earlier, interrupted run had already made.
    FoundCreated {
        /// The provider's id.
        id: String,
    },
    /// A group create met a group of that name that carries another
    /// system's `externalId`: not renamed nor re-claimed (nothing written),
    /// its id taken for the membership changes that follow, as the planner
    /// would have matched it.
    Matched {
        /// The provider's id.
        id: String,
    },
    /// Updated (PATCH).
    Updated,
    /// Deactivated.
    Deactivated,
    /// Deleted (or already gone).
    Deleted,
    /// Group members added and removed.
    MembersChanged,
}

impl Outcome {
    /// The id a create gave or found.
    pub fn id(&self) -> Option<&str> {
        match self {
            Outcome::Created { id }
            | Outcome::Adopted { id }
            | Outcome::FoundCreated { id }
            | Outcome::Matched { id } => Some(id),
            _ => None,
        }
    }

    /// An error that means the step's end is already reached: a DELETE of
    /// a resource that is gone (a repeat after a kill).
    fn tolerates(&self, error: &scim_client::Error) -> bool {
        *self == Outcome::Deleted && error.status().is_some_and(|s| s.as_u16() == 404)
    }
}

/// Why a step failed.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// The client's error (the provider's answer, the network, a refused
    /// argument), typed.
    #[error(transparent)]
    Client(scim_client::Error),
    /// The provider took the step's request for asynchronous processing
    /// (202 Accepted, RFC 9967) and has not done it yet: the step is not
    /// done, nor known to fail. Verify later (`verify`, or a new plan);
    /// the provider reports completion as an `asyncresp` Security Event
    /// Token for the txn. Resuming before the provider has finished may
    /// send the request again (a create looks the account up first).
    #[error(
        "accepted for asynchronous processing ({}); verify later: the provider has not confirmed it",
        txn_text(.0)
    )]
    Accepted(Box<scim_client::Accepted>),
    /// The step refers to a user or group an earlier step was to create,
    /// and that step did not succeed.
    #[error("{reference} was not created, so this step cannot run")]
    Unresolved {
        /// The key of the missing user or group.
        reference: String,
    },
    /// A lookup after a conflict found several accounts of one name.
    #[error("{count} resources are named {name:?}; which one to adopt cannot be told")]
    Ambiguous {
        /// The `userName` or `displayName`.
        name: String,
        /// How many were found.
        count: usize,
    },
    /// A create met an account that exists and that the source does not
    /// own (nor may adopt): writing to it would take over someone else's
    /// account, so it is left untouched.
    #[error(
        "exists, not owned: source {key:?} meets {id} (named {user_name:?}, externalId {}); it was not written (plan again, or allow adoption — users only)",
        external_id.as_deref().map_or("none".to_owned(), |id| format!("{id:?}"))
    )]
    NotOwned {
        /// The desired user's match key (a group's key).
        key: String,
        /// The account's (or group's) id.
        id: String,
        /// The account's `userName` (a group's `displayName`).
        user_name: String,
        /// The account's `externalId`, when it has one.
        external_id: Option<String>,
    },
    /// The provider answered in a way the step cannot use.
    #[error("unexpected answer: {answer}")]
    Unexpected {
        /// What came.
        answer: String,
    },
}

impl From<scim_client::Error> for StepError {
    /// [`StepError::Accepted`] for a 202, [`StepError::Client`] for the rest.
    fn from(error: scim_client::Error) -> StepError {
        match error {
            scim_client::Error::Accepted(accepted) => StepError::Accepted(accepted),
            error => StepError::Client(error),
        }
    }
}

/// `txn "…"`, or that the provider named none.
fn txn_text(accepted: &scim_client::Accepted) -> String {
    match &accepted.txn {
        Some(txn) => format!("txn {txn:?}"),
        None => "no txn given".to_owned(),
    }
}

impl Serialize for StepError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

/// Progress, for a bar or a log: one event per step as it ends.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// The step's index in the plan.
    pub step: usize,
    /// Steps ended so far (this one included).
    pub ended: usize,
    /// Steps in the plan.
    pub total: usize,
    /// How it ended.
    pub result: EventResult,
}

/// How a step ended, in an [`Event`].
#[derive(Debug, Serialize)]
#[serde(tag = "result", rename_all = "camelCase")]
pub enum EventResult {
    /// Done.
    Done(Outcome),
    /// Failed: the error's text.
    Failed {
        /// The error, as text.
        error: String,
    },
    /// Not run: why.
    Skipped {
        /// Why.
        reason: String,
    },
}

/// The structured result of an apply: every step of the plan is in exactly
/// one of the three lists.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Steps done in this run.
    pub done: Vec<Done>,
    /// Steps that failed, with the typed error.
    pub failed: Vec<Failed>,
    /// Steps not run: done in an earlier run, or not startable.
    pub skipped: Vec<Skipped>,
    /// True when a stop ([`StopSignal`], [`Apply::interrupt`]) left steps
    /// not started: the same apply run again with the same journal
    /// resumes them.
    pub interrupted: bool,
}

impl Report {
    /// True when no step failed or was left undone.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && self.skipped.iter().all(|s| s.earlier)
    }
}

/// A step done.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Done {
    /// The step's index in the plan.
    pub step: usize,
    /// How.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// A step that failed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Failed {
    /// The step's index in the plan.
    pub step: usize,
    /// Why.
    pub error: StepError,
}

/// A step not run.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    /// The step's index in the plan.
    pub step: usize,
    /// Why.
    pub reason: String,
    /// True when an earlier run did it (the journal says so).
    pub earlier: bool,
}
