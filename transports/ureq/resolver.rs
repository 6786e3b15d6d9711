//! Name resolution that keeps the whole-attempt deadline cheap.
//!
//! With a deadline, ureq's own resolver looks every host up on a new thread
//! (getaddrinfo cannot be interrupted), for every request: about 60 µs of
//! CPU per call, measured earlier. This one needs no lookup for an IP
//! address, and remembers a host's addresses for a minute, so the thread
//! (still bounded by the deadline) runs once a minute, not once a call. A
//! client talks to one base URL (and perhaps one proxy), so the cache stays
//! tiny; it is bounded all the same.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ::ureq::config::Config;
use ::ureq::http::Uri;
use ::ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ::ureq::unversioned::transport::NextTimeout;

/// How long resolved addresses are reused.
const TTL: Duration = Duration::from_secs(60);
/// The most hosts remembered.
const MAX_HOSTS: usize = 32;

#[derive(Default)]
pub(super) struct CachingResolver {
    lookup: DefaultResolver,
    /// By `host:port` only: a proxy URL's `user:password@` never lands here.
    cache: Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>,
}

impl std::fmt::Debug for CachingResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CachingResolver")
    }
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ::ureq::Error> {
        let port = uri.port_u16().or(match uri.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        });
        let host = uri.host().unwrap_or_default();
        if let (Ok(ip), Some(port)) = (host.trim_matches(['[', ']']).parse::<IpAddr>(), port) {
            let mut addrs = self.empty();
            addrs.push(SocketAddr::new(ip, port));
            return Ok(addrs);
        }
        let key = format!("{host}:{}", port.unwrap_or_default());
        let now = Instant::now();
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, addrs)) = cache.get(&key) {
            if now.duration_since(*at) < TTL {
                return Ok(addrs.clone());
            }
        }
        drop(cache);
        let addrs = self.lookup.resolve(uri, config, timeout)?;
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= MAX_HOSTS {
            cache.clear();
        }
        cache.insert(key, (now, addrs.clone()));
        Ok(addrs)
    }
}
