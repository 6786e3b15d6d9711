//! The connection under surf: one fresh TCP (and TLS) connection per
//! request, handed to async-h1 behind a reader that bounds the response head.
//!
//! Why our own instead of surf's `h1-client-rustls` backend: that backend
//! buffers a header line that never ends without limit (async-h1 checks its
//! 8 KiB head limit only at line ends), refuses `https://` to an IP address,
//! takes no private CA, platform store or client certificate, pools
//! connections a timed-out request leaves behind, and pulls rustls 0.18 on
//! ring 0.16 (RUSTSEC-2025-0009, -0010). This one is rustls 0.23 with the
//! options' [`TlsOptions`](crate::TlsOptions), the same the other transports
//! use.

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_std::io::{Read, Write};
use async_std::net::TcpStream;
use futures_rustls::TlsConnector;
use futures_rustls::pki_types::ServerName;
use surf::http::{Request, Response};

/// The most response-head bytes read before the blank line that ends the
/// head. async-h1's own 8 KiB limit on the head holds for every complete
/// line; this bounds the one line that never ends.
pub(crate) const MAX_HEAD_BYTES: usize = 64 * 1024;

/// An `HttpClient` for surf that opens its own connections.
pub(crate) struct Connector {
    tls: TlsConnector,
    connect_timeout: Duration,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector")
            .field("connect_timeout", &self.connect_timeout)
            .finish_non_exhaustive()
    }
}

impl Connector {
    pub(crate) fn new(tls: rustls::ClientConfig, connect_timeout: Duration) -> Connector {
        Connector {
            tls: TlsConnector::from(Arc::new(tls)),
            connect_timeout,
        }
    }

    async fn exchange(&self, request: Request) -> surf::http::Result<Response> {
        let url = request.url();
        let tls = match url.scheme() {
            "http" => false,
            "https" => true,
            other => {
                return Err(surf::Error::from_str(
                    surf::StatusCode::BadRequest,
                    format!("the scheme {other:?} is neither http nor https"),
                ));
            }
        };
        let host = url
            .host_str()
            .map(|host| {
                host.trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_owned()
            })
            .ok_or_else(|| surf::Error::from_str(surf::StatusCode::BadRequest, "no host"))?;
        let port = url
            .port_or_known_default()
            .unwrap_or(if tls { 443 } else { 80 });
        let connecting = async {
            let tcp = connect_tcp(&host, port).await?;
            if !tls {
                return Ok(Stream::Plain(tcp));
            }
            let name = ServerName::try_from(host.clone()).map_err(|_| {
                io::Error::new(io::ErrorKind::InvalidInput, "not a TLS server name")
            })?;
            let stream = self.tls.connect(name, tcp).await?;
            Ok(Stream::Tls(Box::new(stream)))
        };
        // Connecting (TCP, then TLS) has its own deadline; nothing is sent
        // before it ends, so any failure here is "not sent".
        let stream = async_std::io::timeout(self.connect_timeout, connecting)
            .await
            .map_err(|e| surf::Error::new(surf::StatusCode::BadGateway, NotConnected(e)))?;
        async_h1::connect(HeadLimit::new(stream), request).await
    }
}

impl surf::HttpClient for Connector {
    fn send<'a, 'b>(
        &'a self,
        request: Request,
    ) -> Pin<Box<dyn Future<Output = surf::http::Result<Response>> + Send + 'b>>
    where
        'a: 'b,
        Self: 'b,
    {
        Box::pin(self.exchange(request))
    }
}

/// A TCP connection to the host: an IP address as given, a name resolved
/// by async-std (every address tried in turn).
async fn connect_tcp(host: &str, port: u16) -> io::Result<TcpStream> {
    let tcp = match host.parse::<IpAddr>() {
        Ok(ip) => TcpStream::connect(SocketAddr::new(ip, port)).await?,
        Err(_) => TcpStream::connect((host, port)).await?,
    };
    tcp.set_nodelay(true)?;
    Ok(tcp)
}

/// Connecting failed (refused, unreachable, TLS refused, connect timeout):
/// the request was never sent. The adapter finds this type to say so.
#[derive(Debug)]
pub(crate) struct NotConnected(pub(crate) io::Error);

impl std::fmt::Display for NotConnected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "could not connect: {}", self.0)
    }
}

impl std::error::Error for NotConnected {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// A plain or a TLS connection.
enum Stream {
    Plain(TcpStream),
    Tls(Box<futures_rustls::client::TlsStream<TcpStream>>),
}

impl Read for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl Write for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_close(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_close(cx),
        }
    }
}

/// Passes a connection through, failing a read once more than
/// [`MAX_HEAD_BYTES`] arrived before the response head's end (a blank
/// line: CRLF CRLF, or LF LF, as async-h1 ends it). After the head,
/// bytes pass untouched: the adapter bounds the body.
struct HeadLimit<S> {
    inner: S,
    head: HeadEnd,
}

impl<S> HeadLimit<S> {
    fn new(inner: S) -> HeadLimit<S> {
        HeadLimit {
            inner,
            head: HeadEnd::default(),
        }
    }
}

impl<S: Read + Unpin> Read for HeadLimit<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let read = match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(read)) => read,
            other => return other,
        };
        // `read` never exceeds `buf.len()` for a well-behaved reader; `get`
        // keeps a misbehaving one from panicking here.
        this.head.scan(buf.get(..read).unwrap_or(buf));
        if this.head.over_limit() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the response head is longer than {MAX_HEAD_BYTES} bytes"),
            )));
        }
        Poll::Ready(Ok(read))
    }
}

impl<S: Write + Unpin> Write for HeadLimit<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_close(cx)
    }
}

/// Where the response head ends: the bytes counted before it, and the last
/// four seen (a blank line can straddle two reads).
#[derive(Debug, Default)]
struct HeadEnd {
    counted: usize,
    last: [u8; 4],
    ended: bool,
}

impl HeadEnd {
    fn scan(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if self.ended {
                return;
            }
            self.counted = self.counted.saturating_add(1);
            self.last = [self.last[1], self.last[2], self.last[3], byte];
            self.ended = self.last == *b"\r\n\r\n" || self.last[2..] == b"\n\n"[..];
        }
    }

    fn over_limit(&self) -> bool {
        !self.ended && self.counted > MAX_HEAD_BYTES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_ends_at_a_blank_line_split_across_reads() {
        let mut head = HeadEnd::default();
        head.scan(b"HTTP/1.1 200 OK\r\nA: b\r\n\r");
        assert!(!head.ended);
        head.scan(b"\n{\"body\":");
        assert!(head.ended);
        assert_eq!(head.counted, 25);
    }

    #[test]
    fn bare_line_feeds_end_the_head_as_async_h1_ends_it() {
        let mut head = HeadEnd::default();
        head.scan(b"HTTP/1.1 200 OK\nA: b\n\nbody");
        assert!(head.ended);
        let mut not_yet = HeadEnd::default();
        not_yet.scan(b"HTTP/1.1 200 OK\n\r\nA");
        assert!(!not_yet.ended, "LF CR LF ends no head for async-h1");
    }

    #[test]
    fn a_head_that_never_ends_goes_over_the_limit_and_a_body_never_does() {
        let mut endless = HeadEnd::default();
        endless.scan(&vec![b'a'; MAX_HEAD_BYTES]);
        assert!(!endless.over_limit());
        endless.scan(b"a");
        assert!(endless.over_limit());

        let mut long_body = HeadEnd::default();
        long_body.scan(b"HTTP/1.1 200 OK\r\n\r\n");
        long_body.scan(&vec![b'a'; 2 * MAX_HEAD_BYTES]);
        assert!(!long_body.over_limit());
    }
}
