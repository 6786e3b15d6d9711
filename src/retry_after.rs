//! [`RetryAfter`]: the `Retry-After` header (RFC 9110 §10.2.3), parsed without a clock.
//!
//! The header is either a number of seconds or an HTTP-date. Turning a date
//! into a wait needs the current time, which this crate never reads: the
//! caller passes `now` to [`RetryAfter::delay_from`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;

/// A parsed `Retry-After` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RetryAfter {
    /// A delay in seconds; fractional seconds (`1.5`) are accepted too,
    /// although RFC 9110 only defines whole ones.
    Delay(Duration),
    /// An HTTP-date after which to retry.
    Date(SystemTime),
    /// A value that is neither, kept as sent (lossily decoded if not UTF-8).
    Invalid(String),
}

impl RetryAfter {
    /// Reads the first `Retry-After` header, if any.
    pub fn from_headers(headers: &HeaderMap) -> Option<RetryAfter> {
        let value = headers.get(http::header::RETRY_AFTER)?;
        Some(RetryAfter::parse(&String::from_utf8_lossy(
            value.as_bytes(),
        )))
    }

    /// Parses a header value. Never fails: an unreadable value becomes [`RetryAfter::Invalid`].
    pub fn parse(value: &str) -> RetryAfter {
        let trimmed = value.trim();
        if let Some(delay) = parse_seconds(trimmed) {
            return RetryAfter::Delay(delay);
        }
        match parse_http_date(trimmed) {
            Some(date) => RetryAfter::Date(date),
            None => RetryAfter::Invalid(value.to_owned()),
        }
    }

    /// How long to wait from `now`: a date in the past gives zero, an invalid value `None`.
    pub fn delay_from(&self, now: SystemTime) -> Option<Duration> {
        match self {
            RetryAfter::Delay(d) => Some(*d),
            RetryAfter::Date(date) => Some(date.duration_since(now).unwrap_or(Duration::ZERO)),
            RetryAfter::Invalid(_) => None,
        }
    }
}

/// `1`, `120`, `1.5`: non-negative decimal seconds, nothing else.
fn parse_seconds(value: &str) -> Option<Duration> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) {
        return None;
    }
    if value.ends_with('.') {
        return None;
    }
    // Absurdly long values saturate rather than overflow; a wait cap applies later.
    let seconds: u64 = whole.parse().unwrap_or(u64::MAX);
    let nanos = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(9)
        .fold(0u32, |acc, digit| acc * 10 + u32::from(digit - b'0'));
    Some(Duration::new(seconds, nanos))
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), and the obsolete RFC 850
/// (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`)
/// forms RFC 9110 §5.6.7 says a recipient must accept.
fn parse_http_date(value: &str) -> Option<SystemTime> {
    let parts: Vec<&str> = value.split_ascii_whitespace().collect();
    let (day, month, year, time) = match parts.as_slice() {
        [_weekday, day, month, year, time, "GMT"] => {
            (*day, *month, year.parse::<i64>().ok()?, *time)
        }
        [_weekday, date, time, "GMT"] => {
            let mut fields = date.split('-');
            let (day, month, year) = (fields.next()?, fields.next()?, fields.next()?);
            let year: i64 = year.parse().ok()?;
            // RFC 9110: a two-digit year more than 50 years ahead is in the past century.
            (
                day,
                month,
                if year < 70 { 2000 + year } else { 1900 + year },
                *time,
            )
        }
        [_weekday, month, day, time, year] => (*day, *month, year.parse::<i64>().ok()?, *time),
        _ => return None,
    };
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let day: i64 = day.parse().ok()?;
    let mut clock = time.split(':').map(|p| p.parse::<i64>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    let valid = (1..=31).contains(&day)
        && (0..24).contains(&hour)
        && (0..60).contains(&minute)
        && (0..=60).contains(&second)
        && clock.next().is_none()
        && year >= 1970;
    if !valid {
        return None;
    }
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second;
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).ok()?))
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_and_fractional_seconds() {
        assert_eq!(
            RetryAfter::parse("120"),
            RetryAfter::Delay(Duration::from_secs(120))
        );
        assert_eq!(
            RetryAfter::parse(" 1.5 "),
            RetryAfter::Delay(Duration::from_millis(1500))
        );
        assert_eq!(RetryAfter::parse("0"), RetryAfter::Delay(Duration::ZERO));
    }

    #[test]
    fn all_three_http_date_forms_agree() {
        // 784111777 is 1994-11-06T08:49:37Z, RFC 9110's own example.
        let expected = UNIX_EPOCH + Duration::from_secs(784_111_777);
        for form in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(
                RetryAfter::parse(form),
                RetryAfter::Date(expected),
                "{form}"
            );
        }
    }

    #[test]
    fn date_delay_is_relative_to_the_given_now() {
        let date = RetryAfter::parse("Sun, 06 Nov 1994 08:49:37 GMT");
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777 - 30);
        assert_eq!(date.delay_from(now), Some(Duration::from_secs(30)));
        let later = UNIX_EPOCH + Duration::from_secs(784_111_777 + 30);
        assert_eq!(date.delay_from(later), Some(Duration::ZERO));
    }

    #[test]
    fn garbage_is_kept_and_gives_no_delay() {
        for garbage in [
            "",
            "soon",
            "-1",
            "1.",
            ".5",
            "1e3",
            "Sun, 32 Nov 1994 08:49:37 GMT",
        ] {
            let parsed = RetryAfter::parse(garbage);
            assert_eq!(
                parsed,
                RetryAfter::Invalid(garbage.to_owned()),
                "{garbage:?}"
            );
            assert_eq!(parsed.delay_from(UNIX_EPOCH), None);
        }
    }

    #[test]
    fn huge_values_saturate_instead_of_panicking() {
        let parsed = RetryAfter::parse("99999999999999999999999999");
        assert_eq!(parsed, RetryAfter::Delay(Duration::from_secs(u64::MAX)));
    }
}
