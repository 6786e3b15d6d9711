//! TLS shared by the adapters that hold a `rustls::ClientConfig` of their
//! own (tokio, surf), and by anything else that should trust what the SCIM
//! client trusts (the LDAP source): the options' roots and client
//! certificate in rustls terms, and which handshake failures mean
//! "nothing was sent".
//!
//! rustls with the *ring* provider everywhere: the one ureq already brings,
//! so enabling a second transport adds no second crypto library.

#[cfg(feature = "rustls")]
use std::sync::Arc;

#[cfg(feature = "rustls")]
use crate::{Error, TlsOptions, TlsRoots};

/// A rustls client configuration from the options, speaking HTTP/1.1.
#[cfg(any(feature = "tokio", feature = "surf-rustls"))]
pub(crate) fn client_config(tls: &TlsOptions) -> Result<::rustls::ClientConfig, Error> {
    let mut config = rustls_client_config(tls)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// A rustls 0.23 client configuration (the *ring* provider, safe default
/// versions) trusting `tls.roots` and presenting `tls.client_certificate`,
/// with no ALPN: for a transport of one's own, or another protocol that
/// should trust what the SCIM client trusts (LDAPS, StartTLS). A PEM that
/// holds no usable certificate or key is an [`Error::InvalidConfig`] that
/// never quotes the key.
#[cfg(feature = "rustls")]
pub fn rustls_client_config(tls: &TlsOptions) -> Result<::rustls::ClientConfig, Error> {
    use ::rustls::pki_types::pem::PemObject;
    use ::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let provider = Arc::new(::rustls::crypto::ring::default_provider());
    let builder = ::rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(&e.to_string()))?;
    let builder = match &tls.roots {
        TlsRoots::WebPki => builder.with_root_certificates(::rustls::RootCertStore {
            roots: ::webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        }),
        TlsRoots::Pem(pem) => builder.with_root_certificates(pem_roots(pem)?),
        TlsRoots::Platform => {
            let verifier = ::rustls_platform_verifier::Verifier::new(provider)
                .map_err(|e| bad(&format!("the platform's trust store is not usable: {e}")))?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
        }
    };
    let config = match &tls.client_certificate {
        None => builder.with_no_client_auth(),
        Some(client) => {
            let chain: Vec<CertificateDer<'static>> =
                CertificateDer::pem_slice_iter(client.chain_pem())
                    .collect::<Result<_, _>>()
                    .map_err(|_| bad("the client certificate's PEM is not readable"))?;
            if chain.is_empty() {
                return Err(bad("the client certificate's PEM holds no certificate"));
            }
            // The key's PEM is never quoted in an error.
            let key = PrivateKeyDer::from_pem_slice(client.key_pem())
                .map_err(|_| bad("the client key's PEM holds no usable private key"))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|_| bad("the client certificate and key do not fit together"))?
        }
    };
    Ok(config)
}

/// The certificates of a private CA's PEM; at least one.
#[cfg(feature = "rustls")]
fn pem_roots(pem: &[u8]) -> Result<::rustls::RootCertStore, Error> {
    use ::rustls::pki_types::CertificateDer;
    use ::rustls::pki_types::pem::PemObject;
    let mut roots = ::rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|_| bad("the root certificates' PEM is not readable"))?;
        roots
            .add(cert)
            .map_err(|_| bad("a root certificate is not usable"))?;
    }
    if roots.is_empty() {
        return Err(bad("the root certificates' PEM holds no certificate"));
    }
    Ok(roots)
}

#[cfg(feature = "rustls")]
fn bad(what: &str) -> Error {
    Error::InvalidConfig(format!("TLS: {what}"))
}

/// True when TLS refused the connection before any request could be
/// processed: a certificate the client or the server would not accept, or
/// no protocol in common. rustls reports these through an `io::Error`.
#[cfg(feature = "ureq")]
pub(crate) fn refused_by_tls(error: &std::io::Error) -> bool {
    use ::rustls::{AlertDescription as A, Error as Tls};
    match error.get_ref().and_then(|e| e.downcast_ref::<Tls>()) {
        Some(
            Tls::InvalidCertificate(_)
            | Tls::NoCertificatesPresented
            | Tls::PeerIncompatible(_)
            | Tls::InappropriateHandshakeMessage { .. },
        ) => true,
        Some(Tls::AlertReceived(alert)) => matches!(
            alert,
            A::HandshakeFailure
                | A::BadCertificate
                | A::UnsupportedCertificate
                | A::CertificateRevoked
                | A::CertificateExpired
                | A::CertificateUnknown
                | A::UnknownCA
                | A::CertificateRequired
                | A::ProtocolVersion
                | A::InsufficientSecurity
        ),
        _ => false,
    }
}
