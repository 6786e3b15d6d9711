//! The TCP connection under ureq: ureq's own, less seven system calls a call.
//!
//! ureq's `TcpTransport` makes ten system calls for a kept-alive request
//! (`strace -c`). Its pool checks a connection twice, before reusing it and
//! when it comes back, each time by switching the socket to non-blocking,
//! reading and switching it back (three calls); and every request sets both
//! socket timeouts anew, because a deadline per call leaves a different time
//! each call. This transport checks a connection once, before it is used
//! again, with one non-blocking peek (`recv` with `MSG_PEEK |
//! MSG_DONTWAIT`), and changes a socket timeout only
//! when the one already set would outlast the deadline. It is set a little
//! short of the deadline ([`SLACK`]), so the next calls, whose deadlines are
//! later, keep it; an I/O that it wakes before the deadline is tried again
//! with what is left. On one core that is about 4 µs of a 21 µs call
//! (BENCHMARKS.md, "CPU per call ≥ 20×: met").
//!
//! Connecting is close to ureq's: the resolved addresses in turn, the next
//! one tried when an address refuses, cannot be routed to or does not answer
//! in its share of the time (here half the time left, the last address all
//! of it; ureq shares the whole budget out geometrically).

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use ::ureq::Error;
use ::ureq::Timeout;
use ::ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, ShutdownHandle,
    Transport,
};

/// How far short of a deadline a socket timeout is set, when the deadline is
/// further than twice this: the next calls' deadlines come later, so they
/// find the socket's timeout already inside theirs and leave it. None where
/// an I/O woken by a socket timeout cannot be tried again (Windows: after
/// one, Winsock leaves the socket "indeterminate"), so there the timeout is
/// the time left and a wake-up is final, as in ureq.
const SLACK: Duration = if cfg!(unix) {
    Duration::from_millis(50)
} else {
    Duration::ZERO
};

/// The least time an address that is not the last is given to connect.
const MIN_PER_ADDRESS: Duration = Duration::from_millis(10);

/// Opens TCP connections as [`TcpTransport`]s; a connection made earlier in
/// the chain (a proxy's tunnel) passes through untouched.
#[derive(Debug, Default)]
pub(super) struct TcpConnector;

impl<In: Transport> Connector<In> for TcpConnector {
    type Out = Either<In, TcpTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, Error> {
        if let Some(chained) = chained {
            return Ok(Some(Either::A(chained)));
        }
        let addrs: Vec<SocketAddr> = details.addrs.iter().copied().collect();
        let stream = Arc::new(connect(&addrs, time_left(&details.timeout))?);
        if details.config.no_delay() {
            stream.set_nodelay(true)?;
        }
        // So that `Agent::shutdown` can interrupt a call blocked on it.
        (details.register_shutdown)(Arc::downgrade(&stream) as Weak<dyn ShutdownHandle>)?;
        let config = details.config;
        Ok(Some(Either::B(TcpTransport {
            stream,
            buffers: LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size()),
            read_timeout: None,
            write_timeout: None,
            just_used: false,
        })))
    }
}

/// The time a [`NextTimeout`] leaves; `None` when it never ends.
fn time_left(timeout: &NextTimeout) -> Option<Duration> {
    (!timeout.after.is_not_happening()).then(|| *timeout.after)
}

/// Each address in turn; every one but the last gets half the time left (at
/// least [`MIN_PER_ADDRESS`]), the last gets all of it.
fn connect(addrs: &[SocketAddr], budget: Option<Duration>) -> Result<TcpStream, Error> {
    let deadline = budget.and_then(|budget| Instant::now().checked_add(budget));
    let mut last_error = None;
    for (i, addr) in addrs.iter().enumerate() {
        let attempt = match deadline {
            None => TcpStream::connect(addr),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(Error::Timeout(Timeout::Connect));
                }
                let share = if i + 1 == addrs.len() {
                    left
                } else {
                    (left / 2).max(MIN_PER_ADDRESS).min(left)
                };
                TcpStream::connect_timeout(addr, share)
            }
        };
        match attempt {
            Ok(stream) => return Ok(stream),
            Err(e) if is_timeout(&e) || concerns_the_address(&e) => last_error = Some(e),
            Err(e) => return Err(e.into()),
        }
    }
    Err(match last_error {
        Some(e) if is_timeout(&e) => Error::Timeout(Timeout::Connect),
        Some(e) => e.into(),
        None => io::Error::new(io::ErrorKind::ConnectionRefused, "no address to connect to").into(),
    })
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// A failure of this address alone (refused, or no route to it, as an IPv6
/// address on a host without IPv6): the next address may work.
fn concerns_the_address(error: &io::Error) -> bool {
    // A VPN or firewall blocking an address family shows on Windows as
    // WSAEACCES, which std calls PermissionDenied (ureq #1184).
    #[cfg(windows)]
    if error.raw_os_error() == Some(10013) {
        return true;
    }
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::NetworkDown
            | io::ErrorKind::AddrNotAvailable
    )
}

/// A TCP connection as ureq's transport.
pub(super) struct TcpTransport {
    /// Shared (weakly) with the agent's shutdown handle.
    stream: Arc<TcpStream>,
    buffers: LazyBuffers,
    /// The socket's read timeout as last set; `None` while unset.
    read_timeout: Option<Duration>,
    /// The socket's write timeout as last set; `None` while unset.
    write_timeout: Option<Duration>,
    /// An exchange ended on this connection and it has not been checked
    /// since: see [`TcpTransport::is_open`](Transport::is_open).
    just_used: bool,
}

impl std::fmt::Debug for TcpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpTransport")
            .field("peer", &self.stream.peer_addr().ok())
            .finish_non_exhaustive()
    }
}

impl Transport for TcpTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        self.just_used = true;
        let deadline = Deadline::start(timeout.for_write())?;
        let TcpTransport {
            stream,
            buffers,
            write_timeout,
            ..
        } = self;
        let mut output = &buffers.output()[..amount];
        while !output.is_empty() {
            let written = deadline.run(
                write_timeout,
                |t| stream.set_write_timeout(t),
                || (&**stream).write(output),
            )?;
            if written == 0 {
                return Err(io::Error::from(io::ErrorKind::WriteZero).into());
            }
            output = &output[written..];
        }
        Ok(())
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.just_used = true;
        let deadline = Deadline::start(timeout.for_read())?;
        let TcpTransport {
            stream,
            buffers,
            read_timeout,
            ..
        } = self;
        let input = buffers.input_append_buf();
        let amount = deadline.run(
            read_timeout,
            |t| stream.set_read_timeout(t),
            || (&**stream).read(&mut *input),
        )?;
        buffers.input_appended(amount);
        Ok(amount > 0)
    }

    /// ureq's pool asks twice: when a connection comes back, straight
    /// after its exchange, and before it is used again. Only the second
    /// answer decides whether a request goes out on it, and it always
    /// follows the first, so the first is yes (a server's close or stray
    /// bytes are seen by the second, and the connection is dropped then)
    /// and the second peeks.
    fn is_open(&mut self) -> bool {
        if std::mem::take(&mut self.just_used) {
            return true;
        }
        is_idle_and_open(&self.stream)
    }
}

/// When one write or read must be over, and the reason to give when it is
/// not.
struct Deadline {
    /// `None`: never.
    at: Option<Instant>,
    reason: Timeout,
}

impl Deadline {
    /// The deadline of `timeout` from now; an error when no time is left.
    fn start(timeout: NextTimeout) -> Result<Deadline, Error> {
        let at = match time_left(&timeout) {
            Some(left) if left.is_zero() => return Err(Error::Timeout(timeout.reason)),
            // A deadline past what an Instant can hold is no deadline.
            Some(left) => Instant::now().checked_add(left),
            None => None,
        };
        Ok(Deadline {
            at,
            reason: timeout.reason,
        })
    }

    /// Runs one read or write (`io`) until it succeeds, fails, or the
    /// deadline passes; before each try the socket timeout (last set to
    /// `current`, set with `set`) is fitted to the deadline.
    fn run<T>(
        &self,
        current: &mut Option<Duration>,
        set: impl Fn(Option<Duration>) -> io::Result<()>,
        mut io: impl FnMut() -> io::Result<T>,
    ) -> Result<T, Error> {
        loop {
            match self.fit(current, &set).and_then(|()| io()) {
                Ok(done) => return Ok(done),
                Err(e) => self.again_after(e)?,
            }
        }
    }

    /// Makes a socket timeout (last set to `current`, set with `set`) end
    /// by the deadline, changing it only when it would not.
    fn fit(
        &self,
        current: &mut Option<Duration>,
        set: impl FnOnce(Option<Duration>) -> io::Result<()>,
    ) -> io::Result<()> {
        let Some(at) = self.at else {
            // No deadline: a timeout set for an earlier one (perhaps a
            // microsecond, near its end) would wake the I/O over and over.
            if current.is_some() {
                set(None)?;
                *current = None;
            }
            return Ok(());
        };
        let left = at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        if let Some(timeout) = socket_timeout_for(*current, left) {
            match set(Some(timeout)) {
                Ok(()) => *current = Some(timeout),
                // macOS refuses a timeout change once the peer has closed
                // with request bytes unread, while its answer (an early 413,
                // say) may still be readable: the I/O says what happened, as
                // in ureq.
                Err(e) if cfg!(target_os = "macos") && e.kind() == io::ErrorKind::InvalidInput => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// After an I/O failed with `error`: `Ok` to try it again (interrupted
    /// by a signal, or woken by a socket timeout before the deadline), or the
    /// error to end with.
    ///
    /// Without a deadline a signal's interruption is the caller's to see
    /// (a way to stop a blocking call), as in ureq.
    fn again_after(&self, error: io::Error) -> Result<(), Error> {
        match (error.kind(), self.at) {
            (io::ErrorKind::Interrupted, Some(_)) => Ok(()),
            (io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock, Some(at)) => {
                if SLACK.is_zero() || Instant::now() >= at {
                    Err(Error::Timeout(self.reason))
                } else {
                    Ok(())
                }
            }
            // A timeout set for an earlier deadline, before `fit` cleared it.
            (io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock, None) => Ok(()),
            _ => Err(error.into()),
        }
    }
}

/// The socket timeout to set before an I/O with `left` until its deadline;
/// `None` to keep the one set (`current`): kept while it ends by the deadline
/// and lasts at least half the time left, so a short one (set near an
/// earlier deadline, or for a TLS handshake under the connect timeout) does
/// not go on waking every later wait. Far from the deadline it is set
/// [`SLACK`] short of it, so later calls keep it; near it, exactly. Never
/// zero, which std refuses. Where a wake-up is final (no slack), a shorter
/// timeout would end the I/O before its deadline: only the time left will
/// do.
fn socket_timeout_for(current: Option<Duration>, left: Duration) -> Option<Duration> {
    let keep = |current: Duration| {
        if SLACK.is_zero() {
            current == left
        } else {
            current <= left && current >= left / 2
        }
    };
    if current.is_some_and(keep) {
        return None;
    }
    if left > SLACK * 2 {
        Some(left - SLACK)
    } else {
        Some(left.max(Duration::from_micros(1)))
    }
}

/// Whether a pooled connection can carry another request: nothing waiting
/// to be read and no end of stream. One non-blocking peek.
#[cfg(unix)]
fn is_idle_and_open(stream: &TcpStream) -> bool {
    let mut byte = [std::mem::MaybeUninit::<u8>::uninit()];
    match socket2::SockRef::from(stream)
        .recv_with_flags(&mut byte, libc::MSG_PEEK | libc::MSG_DONTWAIT)
    {
        // Nothing to read yet: idle and open.
        Err(e) => e.kind() == io::ErrorKind::WouldBlock,
        // 0: the server closed it; more: bytes no request asked for.
        Ok(_) => false,
    }
}

/// Whether a pooled connection can carry another request, where a peek
/// cannot be made non-blocking by itself: the socket is, for one read.
#[cfg(not(unix))]
fn is_idle_and_open(stream: &TcpStream) -> bool {
    let probe = || -> io::Result<bool> {
        stream.set_nonblocking(true)?;
        let idle =
            matches!((&*stream).read(&mut [0]), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
        stream.set_nonblocking(false)?;
        Ok(idle)
    };
    probe().unwrap_or(false)
}

// The figures below are unix's (a 50 ms slack; the probe's peek).
#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::net::TcpListener;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_socket_timeout_is_set_short_of_a_far_deadline_and_kept_by_later_ones() {
        assert_eq!(socket_timeout_for(None, 30_000 * MS), Some(29_950 * MS));
        // The next call's deadline is later: the timeout stays.
        assert_eq!(socket_timeout_for(Some(29_950 * MS), 29_999 * MS), None);
        assert_eq!(socket_timeout_for(Some(29_950 * MS), 29_950 * MS), None);
        // One far shorter than the time left (a TLS handshake's, or one set
        // near an earlier deadline) is raised, not kept waking every wait.
        assert_eq!(
            socket_timeout_for(Some(9_950 * MS), 30_000 * MS),
            Some(29_950 * MS)
        );
        assert_eq!(
            socket_timeout_for(Some(Duration::from_micros(1)), 30_000 * MS),
            Some(29_950 * MS)
        );
        // A nearer deadline than the timeout set: set again.
        assert_eq!(
            socket_timeout_for(Some(29_950 * MS), 29_949 * MS),
            Some(29_899 * MS)
        );
    }

    #[test]
    fn near_a_deadline_the_socket_timeout_is_exact_and_never_zero() {
        assert_eq!(
            socket_timeout_for(Some(29_950 * MS), 50 * MS),
            Some(50 * MS)
        );
        assert_eq!(socket_timeout_for(None, 100 * MS), Some(100 * MS));
        assert_eq!(socket_timeout_for(None, 101 * MS), Some(51 * MS));
        assert_eq!(
            socket_timeout_for(None, Duration::from_nanos(1)),
            Some(Duration::from_micros(1))
        );
    }

    #[test]
    fn an_io_woken_before_its_deadline_is_tried_again_and_after_it_ends() {
        let far = Deadline {
            at: Instant::now().checked_add(Duration::from_secs(60)),
            reason: Timeout::RecvResponse,
        };
        for kind in [
            io::ErrorKind::TimedOut,
            io::ErrorKind::WouldBlock,
            io::ErrorKind::Interrupted,
        ] {
            assert!(far.again_after(kind.into()).is_ok(), "{kind:?}");
        }
        let reset = far.again_after(io::ErrorKind::ConnectionReset.into());
        assert!(matches!(reset, Err(Error::Io(e)) if e.kind() == io::ErrorKind::ConnectionReset));
        let past = Deadline {
            at: Some(Instant::now()),
            reason: Timeout::RecvResponse,
        };
        assert!(matches!(
            past.again_after(io::ErrorKind::TimedOut.into()),
            Err(Error::Timeout(Timeout::RecvResponse))
        ));
        let mut current = None;
        let fitted = past.fit(&mut current, |_| panic!("no time left: nothing to set"));
        assert_eq!(fitted.unwrap_err().kind(), io::ErrorKind::TimedOut);
    }

    #[test]
    fn without_a_deadline_a_timeout_left_by_an_earlier_one_is_cleared_once() {
        let never = Deadline {
            at: None,
            reason: Timeout::RecvResponse,
        };
        let mut current = Some(Duration::from_micros(1));
        let mut set = Vec::new();
        for _ in 0..2 {
            let record = |t| {
                set.push(t);
                Ok(())
            };
            never.fit(&mut current, record).unwrap();
        }
        assert_eq!(set, [None]);
        assert_eq!(current, None);
        // A signal's interruption is the caller's to see.
        let interrupted = never.again_after(io::ErrorKind::Interrupted.into());
        assert!(matches!(interrupted, Err(Error::Io(e)) if e.kind() == io::ErrorKind::Interrupted));
    }

    #[test]
    fn no_time_left_is_a_timeout_before_any_io() {
        let spent = NextTimeout {
            after: ::ureq::unversioned::transport::time::Duration::Exact(Duration::ZERO),
            reason: Timeout::SendRequest,
            per_read: None,
            per_write: None,
        };
        assert!(matches!(
            Deadline::start(spent),
            Err(Error::Timeout(Timeout::SendRequest))
        ));
    }

    /// A connected pair of sockets on 127.0.0.1.
    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    #[test]
    fn the_probe_sees_an_idle_connection_open_and_consumes_nothing() {
        let (client, mut server) = pair();
        assert!(is_idle_and_open(&client));
        assert!(is_idle_and_open(&client), "a probe changes nothing");
        // Blocking as before: a read waits for the server's byte.
        server.write_all(b"x").unwrap();
        let mut byte = [0];
        (&client).read_exact(&mut byte).unwrap();
        assert_eq!(&byte, b"x");
        assert!(is_idle_and_open(&client));
    }

    #[test]
    fn the_probe_refuses_a_closed_connection_and_stray_bytes() {
        let (closed, server) = pair();
        drop(server);
        let (stray, mut server) = pair();
        server.write_all(b"HTTP/1.1 200 OK\r\n").unwrap();
        // Wait until the bytes and the close have arrived (a liveness
        // bound, not a timing assertion).
        for stream in [&closed, &stray] {
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut byte = [0; 1];
            let _ = stream.peek(&mut byte).unwrap();
        }
        assert!(!is_idle_and_open(&closed));
        assert!(!is_idle_and_open(&stray));
    }

    #[test]
    fn connecting_tries_the_next_address_when_one_refuses() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let refused = {
            let gone = TcpListener::bind("127.0.0.1:0").unwrap();
            gone.local_addr().unwrap()
        };
        let addrs = [refused, listener.local_addr().unwrap()];
        let stream = connect(&addrs, Some(Duration::from_secs(10))).unwrap();
        assert_eq!(stream.peer_addr().unwrap(), listener.local_addr().unwrap());
        let only_refused = connect(&[refused], Some(Duration::from_secs(10)));
        assert!(matches!(
            only_refused,
            Err(Error::Io(e)) if e.kind() == io::ErrorKind::ConnectionRefused
        ));
        assert!(matches!(connect(&[], None), Err(Error::Io(_))));
    }
}
