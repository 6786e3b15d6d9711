//! Transports: the only code in this crate that touches sockets, clocks,
//! sleep or the OS's randomness. Each adapter is thin: it moves bytes and
//! classifies failures, and leaves SCIM and retry logic to the core.
//!
//! - closures, always: any `Fn(HttpRequest) -> Result<HttpResponse, TransportError>`
//!   is a blocking [`Transport`](crate::transport::Transport), and
//!   [`AsyncFnTransport`] makes an async one from two closures;
//! - [`ureq`] (feature `ureq`, on by default): blocking, over ureq 3;
//! - [`surf`] (feature `surf`): async, over surf 2 on async-std.

mod closure;
#[cfg(feature = "surf")]
pub mod surf;
#[cfg(feature = "ureq")]
pub mod ureq;

pub use closure::AsyncFnTransport;

/// A fresh random seed for a client's jitter, from the standard library's
/// per-process random keys.
pub(crate) fn random_seed() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(0x5C1A_u64)
}
