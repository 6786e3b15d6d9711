//! Pacing: the rate budgets that keep a job under a provider's published
//! limits ([`RateBudget`], shared by many callers as [`SharedBudget`]), and
//! the pacer the clients put in front of every attempt.

pub(crate) mod budget;
pub(crate) mod pacer;

pub use budget::*;
