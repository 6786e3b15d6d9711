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
    Date(HttpDate),
    /// A value that is neither, kept as sent (lossily decoded if not UTF-8).
    Invalid(String),
}

/// An HTTP-date (RFC 9110 §5.6.7) as sent, in UTC.
///
/// It is not turned into a point in time until [`at`](HttpDate::at) is
/// given the current time: the obsolete RFC 850 form has a two-digit year,
/// which RFC 9110 resolves relative to "now".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpDate {
    year: Year,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Year {
    /// A four-digit year (IMF-fixdate, asctime), 1970 to 9999.
    Full(u16),
    /// The RFC 850 form's two digits.
    TwoDigit(u8),
}

impl HttpDate {
    /// The date as a point in time. A two-digit year is read per RFC 9110
    /// §5.6.7: "a timestamp that appears to be more than 50 years in the
    /// future" is "the most recent year in the past that had the same last
    /// two digits". `None` for a date before 1970.
    pub fn at(&self, now: SystemTime) -> Option<SystemTime> {
        let year = match self.year {
            Year::Full(year) => i64::from(year),
            Year::TwoDigit(two) => {
                let this_year = year_of(now);
                // The year with these two digits in the window (now − 50,
                // now + 50]: more than 50 years ahead is a century back.
                let candidate = this_year - this_year.rem_euclid(100) + i64::from(two);
                if candidate > this_year + 50 {
                    candidate - 100
                } else if candidate <= this_year - 50 {
                    candidate + 100
                } else {
                    candidate
                }
            }
        };
        // Every part is bounded (year ≤ 10049, day ≤ 31, …), so this
        // arithmetic cannot overflow; checked all the same.
        let days = days_from_civil(year, i64::from(self.month), i64::from(self.day))?;
        let seconds = days
            .checked_mul(86_400)?
            .checked_add(i64::from(self.hour) * 3_600 + i64::from(self.minute) * 60)?
            .checked_add(i64::from(self.second))?;
        UNIX_EPOCH.checked_add(Duration::from_secs(u64::try_from(seconds).ok()?))
    }
}

impl RetryAfter {
    /// Reads the first `Retry-After` header, if any.
    pub fn from_headers(headers: &HeaderMap) -> Option<RetryAfter> {
        let value = headers.get(http::header::RETRY_AFTER)?;
        Some(RetryAfter::parse(&String::from_utf8_lossy(
            value.as_bytes(),
        )))
    }

    /// Parses a header value. Never fails and never panics: an unreadable
    /// value becomes [`RetryAfter::Invalid`].
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

    /// How long to wait from `now`: a date in the past gives zero, an
    /// invalid value `None`.
    pub fn delay_from(&self, now: SystemTime) -> Option<Duration> {
        match self {
            RetryAfter::Delay(d) => Some(*d),
            RetryAfter::Date(date) => {
                Some(date.at(now)?.duration_since(now).unwrap_or(Duration::ZERO))
            }
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
    // Absurdly long values saturate rather than overflow; the wait caps apply later.
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
/// forms RFC 9110 §5.6.7 says a recipient must accept. Four-digit years
/// only (1970–9999), two for RFC 850: nothing larger reaches arithmetic.
fn parse_http_date(value: &str) -> Option<HttpDate> {
    let parts: Vec<&str> = value.split_ascii_whitespace().collect();
    let (day, month, year, time) = match parts.as_slice() {
        [_weekday, day, month, year, time, "GMT"] => (*day, *month, full_year(year)?, *time),
        [_weekday, date, time, "GMT"] => {
            let mut fields = date.split('-');
            let (day, month, year) = (fields.next()?, fields.next()?, fields.next()?);
            if fields.next().is_some() || year.len() != 2 {
                return None;
            }
            (day, month, Year::TwoDigit(number(year, 99)?), *time)
        }
        [_weekday, month, day, time, year] => (*day, *month, full_year(year)?, *time),
        _ => return None,
    };
    let month = MONTHS.iter().position(|m| *m == month)? as u8 + 1;
    let mut clock = time.split(':');
    let date = HttpDate {
        year,
        month,
        day: number(day, 31).filter(|&d| d >= 1)?,
        hour: number(clock.next()?, 23)?,
        minute: number(clock.next()?, 59)?,
        second: number(clock.next()?, 60)?,
    };
    clock.next().is_none().then_some(date)
}

/// A four-digit year from 1970 to 9999.
fn full_year(text: &str) -> Option<Year> {
    let year: u16 = if text.len() == 4 {
        text.parse().ok()?
    } else {
        return None;
    };
    (1970..=9999).contains(&year).then_some(Year::Full(year))
}

/// One or two decimal digits, at most `max`.
fn number(text: &str, max: u8) -> Option<u8> {
    if text.is_empty() || text.len() > 2 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|&n| n <= max)
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard
/// Hinnant's algorithm), with checked arithmetic.
fn days_from_civil(year: i64, month: i64, day: i64) -> Option<i64> {
    let year = if month <= 2 {
        year.checked_sub(1)?
    } else {
        year
    };
    let era = year.div_euclid(400);
    let year_of_era = year.checked_sub(era.checked_mul(400)?)?;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era.checked_mul(146_097)?
        .checked_add(day_of_era)?
        .checked_sub(719_468)
}

/// The UTC year `now` falls in (the inverse of [`days_from_civil`]).
fn year_of(now: SystemTime) -> i64 {
    let days = match now.duration_since(UNIX_EPOCH) {
        Ok(since) => (since.as_secs() / 86_400) as i64,
        Err(before) => -((before.duration().as_secs() / 86_400) as i64) - 1,
    };
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let year = year_of_era + era * 400;
    if month_index >= 10 { year + 1 } else { year }
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

    /// `now` on 2026-11-23.
    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_795_392_000)
    }

    fn at(value: &str, now: SystemTime) -> Option<SystemTime> {
        match RetryAfter::parse(value) {
            RetryAfter::Date(date) => date.at(now),
            other => panic!("{value:?} is {other:?}"),
        }
    }

    #[test]
    fn all_three_http_date_forms_agree() {
        // 784111777 is 1994-11-06T08:49:37Z, RFC 9110's own example; read in
        // 2026, the RFC 850 "94" is 1994 (2094 is more than 50 years ahead).
        let expected = UNIX_EPOCH + Duration::from_secs(784_111_777);
        for form in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(at(form, now()), Some(expected), "{form}");
        }
    }

    #[test]
    fn a_two_digit_year_is_the_nearest_one_not_more_than_50_years_ahead() {
        let year = |value: &str, now| year_of(at(value, now).unwrap());
        // In 2026: 27 is 2027 (next year), 76 is 2076 (50 ahead), 77 is 1977.
        assert_eq!(year("Fri, 15-Jan-27 00:00:00 GMT", now()), 2027);
        assert_eq!(year("Fri, 15-Jan-76 00:00:00 GMT", now()), 2076);
        assert_eq!(year("Fri, 15-Jan-77 00:00:00 GMT", now()), 1977);
        // The window moves with the reader: in 2090, 27 is 2127 (37 years
        // ahead) and 41 is 2041.
        let in_2090 = UNIX_EPOCH + Duration::from_secs(3_786_912_000);
        assert_eq!(year_of(in_2090), 2090);
        assert_eq!(year("Fri, 15-Jan-27 00:00:00 GMT", in_2090), 2127);
        assert_eq!(year("Fri, 15-Jan-41 00:00:00 GMT", in_2090), 2041);
    }

    #[test]
    fn year_of_inverts_days_from_civil() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (2026, 12, 31), (9999, 12, 31)] {
            let secs = days_from_civil(y, m, d).unwrap() * 86_400;
            assert_eq!(year_of(UNIX_EPOCH + Duration::from_secs(secs as u64)), y);
        }
    }

    #[test]
    fn huge_and_malformed_dates_are_invalid_not_a_panic() {
        for value in [
            "a Jan 1 0:0:0 400000000000",
            "Sun, 06 Nov 99999 08:49:37 GMT",
            "Sun, 06 Nov 1969 08:49:37 GMT",
            "Sun, 06-Nov-1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49:37:01 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 6 Foo 1994 08:49:37 GMT",
        ] {
            assert_eq!(
                RetryAfter::parse(value),
                RetryAfter::Invalid(value.to_owned()),
                "{value:?}"
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
