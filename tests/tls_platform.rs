//! `TlsRoots::Platform`: the operating system's trust store, through every
//! built-in transport. On Linux the store is the system bundle, which
//! `SSL_CERT_FILE` replaces; the test points it at a CA it made, so the
//! server is trusted only if the platform store is what the client asks.
//!
//! One test in a binary of its own: it changes the process environment,
//! which no other test may read at the same time.
#![cfg(all(feature = "ureq", target_os = "linux"))]

mod support;

use scim_client::transport::TransportErrorKind;
use scim_client::{ClientOptions, Error, ScimClient, TlsOptions, TlsRoots};
use support::tls::{TlsServer, pki};

type Read = fn(ClientOptions) -> Result<scim_client::model::User, Error>;

fn over_ureq(options: ClientOptions) -> Result<scim_client::model::User, Error> {
    ScimClient::with_options("xoxp-tls", options)?.read_user("W1")
}

#[cfg(feature = "tokio")]
fn over_tokio(options: ClientOptions) -> Result<scim_client::model::User, Error> {
    use support::scenarios::{Exec, OnTokio};
    let client = OnTokio::new(|| scim_client::AsyncScimClient::with_options("xoxp-tls", options))?;
    client.run(client.endpoint().read_user("W1").unwrap())
}

#[cfg(feature = "surf-rustls")]
fn over_surf(options: ClientOptions) -> Result<scim_client::model::User, Error> {
    let transport = scim_client::transports::surf::SurfTransport::from_options(&options)?;
    let client = scim_client::AsyncScimClient::with_transport("xoxp-tls", options, transport)?;
    async_std::task::block_on(client.read_user("W1"))
}

fn transports() -> Vec<(&'static str, Read)> {
    let mut all: Vec<(&'static str, Read)> = vec![("ureq", over_ureq)];
    #[cfg(feature = "tokio")]
    all.push(("tokio", over_tokio));
    #[cfg(feature = "surf-rustls")]
    all.push(("surf", over_surf));
    all
}

fn platform() -> TlsOptions {
    TlsOptions {
        roots: TlsRoots::Platform,
        client_certificate: None,
    }
}

#[test]
fn the_platform_store_decides_which_server_is_trusted() {
    let pki = pki();
    let server = TlsServer::start(&pki, false);
    for (name, read) in transports() {
        // The machine's own store has never heard of this CA. (A machine
        // with no CA bundle at all refuses when the client is built.)
        match read(server.options(platform())) {
            Err(Error::Transport(e)) => {
                assert_eq!(e.kind(), TransportErrorKind::NotSent, "{name}: {e}")
            }
            Err(Error::InvalidConfig(m)) => assert!(m.contains("trust store"), "{name}: {m}"),
            other => panic!("{name}: a CA outside the platform store was trusted: {other:?}"),
        }
    }
    let ca_file =
        std::env::temp_dir().join(format!("scim-client-test-ca-{}.pem", std::process::id()));
    std::fs::write(&ca_file, &pki.ca_pem).unwrap();
    // SAFETY: the only test in this binary, so no other thread of it reads
    // the environment while it changes.
    unsafe {
        std::env::set_var("SSL_CERT_FILE", &ca_file);
        std::env::remove_var("SSL_CERT_DIR");
    }
    for (name, read) in transports() {
        let user = read(server.options(platform())).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(user.id.as_deref(), Some("W1"), "{name}");
    }
    let _ = std::fs::remove_file(&ca_file);
    assert_eq!(
        server.served.load(std::sync::atomic::Ordering::SeqCst),
        transports().len(),
        "one request served per transport, once the platform trusts the CA"
    );
}
