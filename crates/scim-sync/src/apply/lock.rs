//! One apply at a time: exclusive advisory locks held for a whole run.
//!
//! Two applies of one plan (cron and a manual run, a CI retry, a wrapper
//! killed while `scim` lives on) would each see the same steps left and
//! both create them: every group twice. Two applies of *different* plans
//! against one provider would each plan against a state the other is
//! changing. So an apply takes two locks before it reads its journal, and
//! holds them until it returns:
//!
//! - `<journal>.lock`, next to the journal: one run per journal;
//! - `.scim-apply-<hash of the base URL>.lock` in the journal's directory:
//!   one run per provider. It lives there, not in a per-user state
//!   directory, so it needs no platform rules and no new dependency, and
//!   the CLI keeps plans and journals of one provider together; applies
//!   whose journals live in different directories are not serialised.
//!
//! The locks are the operating system's (`flock` on Unix, `LockFileEx` on
//! Windows, through [`File::try_lock`]): the kernel releases them when the
//! holder exits, even by `kill -9`, so a lock left by a crash is never
//! stale — the next apply takes it over and overwrites the holder's note.
//! A second apply is refused at once (no wait) with the note the holder
//! wrote: its pid, host and start time.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Who holds a lock, as its holder wrote it into the lock file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holder {
    /// The holding process's id.
    pub pid: Option<u32>,
    /// The host it runs on.
    pub host: Option<String>,
    /// When it took the lock (RFC 3339, UTC).
    pub started: Option<String>,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unknown = "unknown";
        match self.pid {
            Some(pid) => write!(f, "pid {pid}")?,
            None => write!(f, "pid {unknown}")?,
        }
        write!(
            f,
            " on host {}, started {}",
            self.host.as_deref().unwrap_or(unknown),
            self.started.as_deref().unwrap_or(unknown)
        )
    }
}

/// Why an apply could not take its locks.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another apply holds the lock: this one is refused, nothing done.
    #[error(
        "another apply is running ({what}): {holder}; lock file {path}. Wait for it to end, \
         or end it, then run this apply again"
    )]
    Held {
        /// What the lock guards: this journal, or this provider.
        what: String,
        /// The lock file.
        path: PathBuf,
        /// Who holds it.
        holder: Holder,
    },
    /// The lock file could not be opened, locked or written.
    #[error("lock file {path}: {source}")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

/// The locks of one apply, released when dropped (or when the process
/// ends, however it ends).
#[derive(Debug)]
pub struct ApplyLock {
    files: Vec<(PathBuf, File)>,
}

impl ApplyLock {
    /// Takes the lock of the journal at `journal`, then the lock of the
    /// provider at `base_url`, or refuses at once naming the holder.
    pub fn acquire(journal: &Path, base_url: &str) -> Result<ApplyLock, LockError> {
        let mut name = journal.file_name().unwrap_or_default().to_owned();
        name.push(".lock");
        let journal_lock = journal.with_file_name(name);
        let provider_lock = journal.with_file_name(format!(
            ".scim-apply-{:016x}.lock",
            fnv1a(provider_key(base_url).as_bytes())
        ));
        let note = note(base_url);
        let mut lock = ApplyLock { files: Vec::new() };
        for (path, what) in [
            (journal_lock, format!("journal {}", journal.display())),
            (provider_lock, format!("provider {base_url}")),
        ] {
            let file = take(&path, &what, &note)?;
            lock.files.push((path, file));
        }
        Ok(lock)
    }

    /// The lock files held.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(path, _)| path.as_path())
    }
}

impl Drop for ApplyLock {
    /// Empties the notes so no one reads a finished run as a holder; the
    /// files stay (removing one could let two runs lock two different
    /// files of one name), and closing them releases the locks.
    fn drop(&mut self) {
        for (_, file) in &self.files {
            // Best effort: the lock goes with the file either way.
            let _ = file.set_len(0);
        }
    }
}

/// Opens and locks `path`, then writes `note` into it.
fn take(path: &Path, what: &str, note: &str) -> Result<File, LockError> {
    let io = |source| LockError::Io {
        path: path.to_owned(),
        source,
    };
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut text = String::new();
            // The holder may not have written its note yet: then unknown.
            let _ = file.read_to_string(&mut text);
            return Err(LockError::Held {
                what: what.to_owned(),
                path: path.to_owned(),
                holder: parse(&text),
            });
        }
        Err(TryLockError::Error(error)) => return Err(io(error)),
    }
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(note.as_bytes()))
        .and_then(|()| file.sync_data())
        .map_err(io)?;
    Ok(file)
}

/// The note a holder writes: one `key=value` a line.
fn note(base_url: &str) -> String {
    let host = hostname().unwrap_or_else(|| "unknown".into());
    let started = rfc3339(SystemTime::now());
    format!(
        "pid={}\nhost={host}\nstarted={started}\nprovider={base_url}\n",
        std::process::id()
    )
}

fn parse(text: &str) -> Holder {
    let mut holder = Holder::default();
    for line in text.lines() {
        match line.split_once('=') {
            Some(("pid", pid)) => holder.pid = pid.trim().parse().ok(),
            Some(("host", host)) => holder.host = Some(host.trim().to_owned()),
            Some(("started", started)) => holder.started = Some(started.trim().to_owned()),
            _ => {}
        }
    }
    holder
}

/// One provider, however its base URL is spelled: scheme and host are
/// case-insensitive (RFC 3986 §6.2.2.1), a trailing slash changes nothing.
fn provider_key(base_url: &str) -> String {
    let trimmed = base_url.trim().trim_end_matches('/');
    match trimmed.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            format!(
                "{}://{}{path}",
                scheme.to_ascii_lowercase(),
                authority.to_ascii_lowercase()
            )
        }
        None => trimmed.to_owned(),
    }
}

fn hostname() -> Option<String> {
    let from_env = std::env::var("HOSTNAME").ok();
    let from_os = std::fs::read_to_string("/proc/sys/kernel/hostname").ok();
    let from_windows = std::env::var("COMPUTERNAME").ok();
    [from_os, from_env, from_windows]
        .into_iter()
        .flatten()
        .map(|name| name.trim().to_owned())
        .find(|name| !name.is_empty())
}

/// `time` as RFC 3339 in UTC, to the second.
fn rfc3339(time: SystemTime) -> String {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_secs())
        .unwrap_or(0);
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

/// FNV-1a 64: names the provider's lock file; not a secret.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_renders_known_instants() {
        let at = |s| rfc3339(UNIX_EPOCH + std::time::Duration::from_secs(s));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_796_366_401), "2026-12-04T06:40:01Z");
    }

    #[test]
    fn one_provider_however_its_base_url_is_spelled() {
        assert_eq!(
            provider_key("HTTPS://Api.Slack.com/scim/v2/"),
            provider_key("https://api.slack.com/scim/v2")
        );
        assert_ne!(
            provider_key("https://api.slack.com/scim/v2"),
            provider_key("https://api.slack.com/scim/v1")
        );
    }
}
