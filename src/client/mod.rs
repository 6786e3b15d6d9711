//! The clients that drive the engine over a transport: [`ScimClient`]
//! (blocking) and [`AsyncScimClient`], their [`ClientOptions`], proxy
//! resolution and logging.

pub(crate) mod asynchronous;
pub(crate) mod blocking;
pub(crate) mod methods;
pub(crate) mod options;
pub(crate) mod proxy;

pub use asynchronous::{AsyncScimClient, AsyncWalk};
pub use blocking::{ScimClient, Walk};
pub use options::{
    ClientCertificate, ClientOptions, DEFAULT_MAX_BODY_SIZE, PROXY_ENV_VARS, TlsOptions, TlsRoots,
};

use crate::Error;
use crate::auth::Credentials;
use crate::engine::Engine;

/// The engine both clients run: the endpoint `options` describe, with
/// `credentials`, their budget and body limit.
pub(crate) fn engine_for(
    credentials: Credentials,
    options: &ClientOptions,
    jitter_seed: u64,
) -> Result<Engine, Error> {
    let endpoint = options.endpoint_for(&credentials)?;
    Ok(Engine::new(
        endpoint,
        credentials,
        options.budget.clone(),
        options.max_body_size,
        jitter_seed,
    ))
}
