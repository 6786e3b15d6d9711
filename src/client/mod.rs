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
