//! TLS as enterprises run it, against a rustls server on 127.0.0.1 whose
//! certificates the test makes: a private CA trusted through `TlsRoots::Pem`,
//! the public roots refusing it, and mutual TLS with a client certificate.
//! Through the ureq transport and, with their features, the tokio and surf
//! ones. The platform's trust store is tested in `tls_platform.rs`.
#![cfg(feature = "ureq")]

mod support;

use std::sync::atomic::Ordering;

use scim_client::transport::TransportErrorKind;
use scim_client::{ClientCertificate, ClientOptions, Error, ScimClient, TlsOptions, TlsRoots};
use support::tls::{Pki, TlsServer, pki};

fn private_ca(pki: &Pki) -> TlsRoots {
    TlsRoots::Pem(pki.ca_pem.clone().into_bytes())
}

fn with_client_certificate(pki: &Pki) -> TlsOptions {
    TlsOptions {
        roots: private_ca(pki),
        client_certificate: Some(ClientCertificate::new(
            pki.client_pem.clone(),
            pki.client_key_pem.clone(),
        )),
    }
}

fn refused_before_sending(result: Result<scim_client::model::User, Error>) {
    match result {
        Err(Error::Transport(error)) => {
            assert_eq!(error.kind(), TransportErrorKind::NotSent, "{error}")
        }
        other => panic!("{other:?}"),
    }
}

/// Reads a user with `options` through one transport.
type Read = fn(ClientOptions) -> Result<scim_client::model::User, Error>;

fn a_private_ca_is_trusted_when_given_and_refused_by_the_public_roots(read: Read) {
    let pki = pki();
    let server = TlsServer::start(&pki, false);
    let trusted = TlsOptions {
        roots: private_ca(&pki),
        client_certificate: None,
    };
    assert_eq!(
        read(server.options(trusted)).unwrap().id.as_deref(),
        Some("W1")
    );
    refused_before_sending(read(server.options(TlsOptions::default())));
    assert_eq!(server.served.load(Ordering::SeqCst), 1);
}

fn mutual_tls_presents_the_client_certificate(read: Read) {
    let pki = pki();
    let server = TlsServer::start(&pki, true);
    let user = read(server.options(with_client_certificate(&pki))).unwrap();
    assert_eq!(user.id.as_deref(), Some("W1"));
    let without = TlsOptions {
        roots: private_ca(&pki),
        client_certificate: None,
    };
    assert!(read(server.options(without)).is_err());
    assert_eq!(
        server.served.load(Ordering::SeqCst),
        1,
        "only the client with a certificate"
    );
}

mod over_ureq {
    use super::*;

    fn read(options: ClientOptions) -> Result<scim_client::model::User, Error> {
        ScimClient::with_options("xoxp-tls", options)?.read_user("W1")
    }

    #[test]
    fn a_private_ca_is_trusted_when_given_and_refused_by_the_public_roots() {
        super::a_private_ca_is_trusted_when_given_and_refused_by_the_public_roots(read);
    }

    #[test]
    fn mutual_tls_presents_the_client_certificate() {
        super::mutual_tls_presents_the_client_certificate(read);
    }
}

#[cfg(feature = "tokio")]
mod over_tokio {
    use super::*;
    use support::scenarios::{Exec, OnTokio};

    fn read(options: ClientOptions) -> Result<scim_client::model::User, Error> {
        let client =
            OnTokio::new(|| scim_client::AsyncScimClient::with_options("xoxp-tls", options))?;
        client.run(client.endpoint().read_user("W1").unwrap())
    }

    #[test]
    fn a_private_ca_is_trusted_when_given_and_refused_by_the_public_roots() {
        super::a_private_ca_is_trusted_when_given_and_refused_by_the_public_roots(read);
    }

    #[test]
    fn mutual_tls_presents_the_client_certificate() {
        super::mutual_tls_presents_the_client_certificate(read);
    }
}

#[cfg(feature = "surf-rustls")]
mod over_surf {
    use super::*;

    fn read(options: ClientOptions) -> Result<scim_client::model::User, Error> {
        let transport = scim_client::transports::surf::SurfTransport::from_options(&options)?;
        let client = scim_client::AsyncScimClient::with_transport("xoxp-tls", options, transport)?;
        async_std::task::block_on(client.read_user("W1"))
    }

    #[test]
    fn a_private_ca_is_trusted_when_given_and_refused_by_the_public_roots() {
        super::a_private_ca_is_trusted_when_given_and_refused_by_the_public_roots(read);
    }

    #[test]
    fn mutual_tls_presents_the_client_certificate() {
        super::mutual_tls_presents_the_client_certificate(read);
    }
}

#[test]
fn a_client_key_never_shows_in_debug_or_errors() {
    let certificate = ClientCertificate::new(
        "not a certificate",
        "-----BEGIN PRIVATE KEY-----\nsecret-key-material\n",
    );
    assert!(!format!("{certificate:?}").contains("secret-key-material"));
    let options = ClientOptions {
        tls: TlsOptions {
            roots: TlsRoots::WebPki,
            client_certificate: Some(certificate),
        },
        ..ClientOptions::default()
    };
    let err = ScimClient::with_options("xoxp-tls", options.clone()).unwrap_err();
    assert!(matches!(&err, Error::InvalidConfig(_)), "{err}");
    assert!(!format!("{err} {err:?} {options:?}").contains("secret-key-material"));
}

#[test]
fn an_unreadable_item_in_a_client_chain_is_refused_not_skipped() {
    let pki = pki();
    // A good certificate, then a PEM block whose content is not base64.
    let chain = format!(
        "{}-----BEGIN CERTIFICATE-----\n!!not base64!!\n-----END CERTIFICATE-----\n",
        pki.client_pem
    );
    let options = ClientOptions {
        tls: TlsOptions {
            roots: private_ca(&pki),
            client_certificate: Some(ClientCertificate::new(chain, pki.client_key_pem.clone())),
        },
        ..ClientOptions::default()
    };
    match ScimClient::with_options("xoxp-tls", options) {
        Err(Error::InvalidConfig(text)) => assert!(text.contains("not readable"), "{text}"),
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("a chain with an unreadable item was taken"),
    }
}
