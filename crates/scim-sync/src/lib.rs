//! Make a SCIM provider match a source of truth, in layers a reader can see:
//! a **pure planner** ([`plan`]: the [`Desired`] state and the provider's
//! [`Current`] one in, a typed, serialisable, deterministic [`Plan`] out,
//! with safety rails on by default), then an apply driver over either
//! client and a verifier.
//!
//! The planner never writes: it decides. Every write but a create touches
//! only accounts the source owns ([`Ownership`]): a desired user meeting
//! someone else's account is an error naming both, unless an explicit
//! [`Adoption`] rule lets it be taken over with the owned marker written.
//! Deactivations are never more than a limit ([`DeactivationLimit`]), and
//! never from an empty or shrunken source; a group member the source does
//! not own is never removed. Apply trusts none of it on the plan's word:
//! it checks the plan's [digest](Plan::digest), and every step's target
//! and the limit again, against the provider as it reads it.
//!
//! ```
//! use scim_client::model::User;
//! use scim_client::provider::Profile;
//! use scim_sync::{plan, Current, Desired, PlanOptions, Step};
//!
//! let desired = Desired {
//!     users: vec![User { user_name: "ada".into(), external_id: "hr:1".into(), ..User::default() }],
//!     ..Desired::default()
//! };
//! let plan = plan(&desired, &Current::default(), &Profile::slack_v1(), &PlanOptions::default()).unwrap();
//! assert!(matches!(&plan.steps[0], Step::CreateUser { key, .. } if key == "hr:1"));
//! ```

pub mod apply;
mod desired;
mod options;
mod plan;
mod read;
mod scope;
pub mod source;
mod verify;

pub use desired::{Desired, DesiredGroup, DesiredManager};

pub use options::{Adoption, DeactivationLimit, MatchKey, Ownership, PlanOptions};
pub use plan::{
    Change, Clash, Current, LeftAlone, ManagerError, ManagerProblem, NewManager, Plan, PlanError,
    Rail, RailRefusal, Ref, Step, fingerprint, plan,
};
pub use read::{
    ReadError, read_current, read_current_async, read_current_for, read_current_for_async,
};
pub use scope::{Scope, ScopeError};
pub use verify::{Drift, DriftItem, DriftKind, VerifyError, verify, verify_async, verify_blocking};
