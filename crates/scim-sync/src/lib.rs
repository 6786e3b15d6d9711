//! Make a SCIM provider match a source of truth, in layers a reader can see:
//! a **pure planner** ([`plan_users`]: desired and current users in, a
//! typed, serialisable, deterministic [`Plan`] out, with safety rails on by
//! default), then (next) an apply driver over either client and a verifier.
//!
//! The planner never writes: it decides. Deactivations touch only accounts
//! the source owns ([`Ownership`]), never more than a limit
//! ([`DeactivationLimit`]), and never from an empty or shrunken source.
//!
//! ```
//! use scim_client::model::User;
//! use scim_sync::{plan_users, PlanOptions, Step};
//!
//! let desired = vec![User { user_name: "ada".into(), external_id: "hr:1".into(), ..User::default() }];
//! let plan = plan_users(&desired, &[], &PlanOptions::default()).unwrap();
//! assert!(matches!(&plan.steps[0], Step::CreateUser { key, .. } if key == "hr:1"));
//! ```

mod desired;
mod options;
mod plan;

pub use desired::{Desired, DesiredGroup};

pub use options::{DeactivationLimit, MatchKey, Ownership, PlanOptions};
pub use plan::{Change, LeftAlone, Plan, PlanError, Step, fingerprint, plan_users};
