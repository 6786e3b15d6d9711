//! TLS as enterprises run it, against a rustls server on 127.0.0.1 whose
//! certificates the test makes: a private CA trusted through `TlsRoots::Pem`,
//! the public roots refusing it, and mutual TLS with a client certificate.
//! Through the ureq transport and, with feature `tokio`, the tokio one.
#![cfg(feature = "ureq")]

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use scim_client::retry::RetryHandlers;
use scim_client::transport::TransportErrorKind;
use scim_client::{ClientCertificate, ClientOptions, Error, ScimClient, TlsOptions, TlsRoots};

/// A private CA, a server certificate for 127.0.0.1 and a client one.
struct Pki {
    ca_pem: String,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: PrivateKeyDer<'static>,
    client_pem: String,
    client_key_pem: String,
}

fn pki() -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    let client_key = KeyPair::generate().unwrap();
    let client = CertificateParams::new(vec!["scim-client.test".to_owned()])
        .unwrap()
        .signed_by(&client_key, &ca)
        .unwrap();
    Pki {
        ca_pem: ca.pem(),
        server_chain: vec![server.der().clone()],
        server_key: PrivateKeyDer::from_pem_slice(server_key.serialize_pem().as_bytes()).unwrap(),
        client_pem: client.pem(),
        client_key_pem: client_key.serialize_pem(),
    }
}

/// A TLS server answering every request with a user, counting requests
/// served (a failed handshake serves none).
struct TlsServer {
    port: u16,
    served: Arc<AtomicUsize>,
}

impl TlsServer {
    fn start(pki: &Pki, require_client_certificate: bool) -> TlsServer {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .unwrap();
        let builder = if require_client_certificate {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(pki.ca_pem.as_bytes()) {
                roots.add(cert.unwrap()).unwrap();
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .unwrap();
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let config = Arc::new(
            builder
                .with_single_cert(pki.server_chain.clone(), pki.server_key.clone_key())
                .unwrap(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let served = Arc::new(AtomicUsize::new(0));
        let count = served.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(8) {
                let Ok(stream) = stream else { continue };
                let Ok(connection) = rustls::ServerConnection::new(config.clone()) else {
                    continue;
                };
                let mut tls = rustls::StreamOwned::new(connection, stream);
                let mut reader = BufReader::new(&mut tls);
                let mut line = String::new();
                // Read the head; a failed handshake ends here.
                loop {
                    line.clear();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) if line == "\r\n" => {
                            let body = support::USER;
                            let answer = format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                                body.len()
                            );
                            drop(reader);
                            if tls.write_all(answer.as_bytes()).is_ok() {
                                count.fetch_add(1, Ordering::SeqCst);
                            }
                            let _ = tls.flush();
                            tls.conn.send_close_notify();
                            let _ = tls.flush();
                            break;
                        }
                        Ok(_) => {}
                    }
                }
            }
        });
        TlsServer { port, served }
    }

    fn options(&self, tls: TlsOptions) -> ClientOptions {
        ClientOptions {
            tls,
            retry_handlers: RetryHandlers::none(),
            ..ClientOptions::scim2(&format!("https://127.0.0.1:{}/scim/v2", self.port))
        }
    }
}

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
