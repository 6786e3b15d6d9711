//! The store's write clock: every write gets the next version (the ETag)
//! and a logical time for `meta.created` and `meta.lastModified`, so
//! answers never depend on the system clock.

use serde_json::Value;

use super::Resource;

/// A storage-wide counter: every write gets the next version.
#[derive(Debug, Default)]
pub(super) struct WriteClock {
    writes: u64,
}

/// What one write is stamped with.
pub(super) struct Stamp {
    /// A weak ETag, `W/"n"`.
    pub(super) version: String,
    /// The logical time of the write, RFC 3339.
    pub(super) time: String,
}

impl WriteClock {
    /// The next write's version and logical time.
    pub(super) fn tick(&mut self) -> Stamp {
        self.writes += 1;
        Stamp {
            version: format!("W/\"{}\"", self.writes),
            time: logical_time(self.writes),
        }
    }
}

/// The version in `meta.version`.
pub(crate) fn version_of(resource: &Resource) -> Option<String> {
    resource
        .get("meta")
        .and_then(|m| m.get("version"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// `2024-01-01T00:00:00Z` plus `seconds`: the logical clock's reading.
fn logical_time(seconds: u64) -> String {
    let days = seconds / 86_400 + 19_723; // 19723 days from 1970-01-01 to 2024-01-01
    let (year, month, day) = civil_from_days(days as i64);
    let rest = seconds % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Howard Hinnant's algorithm: days since 1970-01-01 to a civil date.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}
