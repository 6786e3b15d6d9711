//! The protocol engines: the machines that turn one operation (or one
//! query's every page) into requests and answers. [`Call`] sends one
//! operation and applies the retry handlers; [`Paginator`] walks every page
//! of a query. Neither sends anything, reads a clock or sleeps: the driver
//! does, and feeds back what happened.

pub(crate) mod call;
pub(crate) mod exchange;
pub(crate) mod log;
pub(crate) mod paginate;
pub(crate) mod trace;

pub use call::{Call, Step, Wait};
pub use exchange::{Engine, Exchange, Next};
pub use paginate::{Paginator, WalkStep};
