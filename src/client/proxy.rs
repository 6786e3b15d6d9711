//! `NO_PROXY`: which hosts go direct even when a proxy is configured.
//!
//! There is no standard; this follows what curl and Python's `requests`
//! (so the Python SDK) agree on: a comma-separated list where `*` matches
//! every host, a name matches itself and its subdomains (a leading `.` or
//! `*.` changes nothing: `.example.com` and `example.com` both match
//! `example.com` and `api.example.com`), an IP address matches itself, and
//! an IP network in CIDR form (`10.0.0.0/8`, as `requests` accepts) matches
//! the addresses in it. Names are compared without case; a `:port` on an
//! entry is ignored, as curl does.

use std::net::IpAddr;

/// True when `host` (a URL's host, IPv6 with or without brackets) is
/// listed in `no_proxy`.
pub(crate) fn bypasses(no_proxy: &str, host: &str) -> bool {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let host_ip = host.parse::<IpAddr>().ok();
    no_proxy
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .any(|entry| entry_matches(entry, &host, host_ip))
}

fn entry_matches(entry: &str, host: &str, host_ip: Option<IpAddr>) -> bool {
    if entry == "*" {
        return true;
    }
    if let (Some(ip), Some((network, prefix))) = (host_ip, entry.split_once('/')) {
        return in_network(ip, network, prefix);
    }
    let entry = strip_port(entry).to_ascii_lowercase();
    let entry = entry.trim_start_matches("*.").trim_start_matches('.');
    let entry = entry.trim_start_matches('[').trim_end_matches(']');
    match (host_ip, entry.parse::<IpAddr>()) {
        (Some(ip), Ok(listed)) => ip == listed,
        (_, Ok(_)) | (Some(_), _) => false,
        (None, Err(_)) => {
            host == entry
                || host
                    .strip_suffix(entry)
                    .is_some_and(|rest| rest.ends_with('.'))
        }
    }
}

/// `host:port` → `host`; an IPv6 address (more than one `:`) is left alone
/// unless bracketed.
fn strip_port(entry: &str) -> &str {
    if let Some(rest) = entry.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match entry.split_once(':') {
        Some((host, port)) if !port.contains(':') => host,
        _ => entry,
    }
}

fn in_network(ip: IpAddr, network: &str, prefix: &str) -> bool {
    let (Ok(network), Ok(prefix)) = (
        network.trim().parse::<IpAddr>(),
        prefix.trim().parse::<u32>(),
    ) else {
        return false;
    };
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(network)) if prefix <= 32 => {
            let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
            u32::from(ip) & mask == u32::from(network) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(network)) if prefix <= 128 => {
            let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
            u128::from(ip) & mask == u128::from(network) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::bypasses;

    #[test]
    fn no_proxy_forms_as_curl_and_requests_read_them() {
        // (NO_PROXY, host, goes direct)
        let table = [
            ("*", "api.slack.com", true),
            ("api.slack.com", "api.slack.com", true),
            ("API.Slack.com", "api.slack.com", true),
            ("slack.com", "api.slack.com", true),
            (".slack.com", "api.slack.com", true),
            ("*.slack.com", "api.slack.com", true),
            (".slack.com", "slack.com", true),
            ("slack.com", "notslack.com", false),
            ("slack.com", "slack.com.evil.test", false),
            ("api.slack.com:443", "api.slack.com", true),
            ("other.test, api.slack.com ", "api.slack.com", true),
            ("other.test", "api.slack.com", false),
            ("", "api.slack.com", false),
            ("127.0.0.1", "127.0.0.1", true),
            ("127.0.0.1", "127.0.0.2", false),
            ("127.0.0.0/8", "127.9.8.7", true),
            ("10.0.0.0/8", "127.0.0.1", false),
            ("::1", "[::1]", true),
            ("[::1]:8080", "[::1]", true),
            ("fd00::/8", "[fd12::1]", true),
            ("1.2.3.4", "1.2.3.4.example.com", false),
            ("localhost", "localhost.", true),
            ("0.0.0.0/0", "8.8.8.8", true),
            ("junk/99", "8.8.8.8", false),
        ];
        for (no_proxy, host, direct) in table {
            assert_eq!(
                bypasses(no_proxy, host),
                direct,
                "NO_PROXY={no_proxy:?} host={host}"
            );
        }
    }
}
