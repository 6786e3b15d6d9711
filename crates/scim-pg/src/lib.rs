//! A PostgreSQL job store for scim-sync: plans and their steps, claimed by
//! workers on any number of machines, and one rate budget per provider org
//! that every worker spends together.
//!
//! ```text
//!                        ┌──────────────────────────────┐
//!   scim plan ─submit──► │ PostgreSQL (scim_pg schema)  │
//!                        │  plans   (target, digest)    │
//!                        │  steps   ready → claimed     │
//!                        │          → done | failed     │
//!                        │  runs, step_events (history) │
//!                        │  rate_cells (GCRA per rule   │
//!                        │   of each provider's table)  │
//!                        └──▲──────────▲──────────▲─────┘
//!               claim/lease │   admit  │          │
//!                ┌──────────┴─┐ ┌──────┴─────┐ ┌──┴─────────┐
//!                │ worker  A  │ │ worker  B  │ │ worker  C  │  one per machine
//!                └─────┬──────┘ └─────┬──────┘ └─────┬──────┘
//!                      └──────── HTTPS ──────────────┘
//!                        provider orgs (one base URL each)
//! ```
//!
//! - [`Store`]: the connection; [`Store::connect`] applies the crate's SQL
//!   migrations (`migrations/`) once; [`Store::submit`] stores a plan for a
//!   target (the provider's base URL), keyed by target and digest.
//! - [`worker::run`]: claims ready steps (`FOR UPDATE SKIP LOCKED`, with a
//!   lease a heartbeat extends), phase by phase and one per resource,
//!   runs each through scim-sync's own engine, and records the outcome and
//!   the created id in one statement.
//! - [`PgBudget`]: the provider's rate table at a share, as GCRA cells
//!   admitted in one `UPDATE … RETURNING`, by the database's clock;
//!   [`Target`] wraps a client's transport in it ([`PacedTransport`]), so
//!   every attempt, retries included, is paced across all workers.
//!
//! The sync's rules hold as in `scim apply`: each worker checks a plan
//! (digest, ownership, rails, the provider unchanged or nothing done lost)
//! before it runs any step of it, and a create claimed again after a lease
//! expired looks its account up before creating.

#![warn(missing_docs)]

pub mod command;

mod budget;
mod config;
mod error;
mod steps;
mod store;
mod target;
pub mod worker;

pub use budget::PgBudget;
pub use config::{Password, PgConfig};
pub use error::StoreError;
pub use store::{PlanId, PlanState, PlanStatus, RunRecord, Store};
pub use target::{DEFAULT_MAX_BUDGET_WAIT, PacedTransport, Target, TargetError, TargetOptions};
