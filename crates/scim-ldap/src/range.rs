//! [`RangedRead`]: reading a multi-valued attribute that Active Directory
//! hands out in ranges (`member;range=0-1499`, then `member;range=1500-*`
//! …), as a machine with no I/O: it says which attribute to ask for next,
//! and is fed each answer.
//!
//! AD returns at most `MaxValRange` values (1,500 by default) of an
//! attribute per read. When there are more, the answer holds no `member`
//! but `member;range=0-1499`; the client then reads the same entry again
//! asking for `member;range=1500-*`, and so on until an answer's range ends
//! in `*` (ldap3 issue #85).
//!
//! ```
//! use std::collections::HashMap;
//! use scim_ldap::RangedRead;
//!
//! let first = HashMap::from([("member;range=0-1".to_owned(), vec!["a".to_owned(), "b".to_owned()])]);
//! let mut read = RangedRead::start("cn=g,dc=x", "member", &first).unwrap();
//! assert_eq!(read.poll_request().as_deref(), Some("member;range=2-*"));
//! let last = HashMap::from([("member;range=2-*".to_owned(), vec!["c".to_owned()])]);
//! read.handle(&last).unwrap();
//! assert_eq!(read.poll_request(), None);
//! assert_eq!(read.into_values(), ["a", "b", "c"]);
//! ```

use std::collections::HashMap;

use crate::error::{EntryError, EntryErrorKind};

/// At most this many follow-up reads of one attribute (1,500 values a read:
/// 15 million values), so a server that never ends a range cannot keep a
/// read going for ever.
pub const MAX_RANGE_READS: usize = 10_000;

/// A range in an attribute description: `member;range=1500-2999` is
/// `("member", 1500, Some(2999))`, `member;range=3000-*` is
/// `("member", 3000, None)`. `None` when `description` has no valid range
/// option.
pub fn parse_range(description: &str) -> Option<(&str, u64, Option<u64>)> {
    let (name, options) = description.split_once(';')?;
    let range = options.split(';').find_map(|o| {
        o.get(..6)
            .filter(|p| p.eq_ignore_ascii_case("range="))
            .map(|_| &o[6..])
    })?;
    let (low, high) = range.split_once('-')?;
    let low = low.parse().ok()?;
    let high = match high {
        "*" => None,
        digits => Some(digits.parse().ok().filter(|h| *h >= low)?),
    };
    Some((name, low, high))
}

/// One attribute being read range by range. Build it from the entry's
/// first answer with [`RangedRead::start`]; while
/// [`poll_request`](RangedRead::poll_request) names an attribute, read the
/// entry (base scope) for it and [`handle`](RangedRead::handle) the answer.
#[derive(Debug)]
pub struct RangedRead {
    dn: String,
    attribute: String,
    values: Vec<String>,
    next: Option<u64>,
    reads: usize,
}

impl RangedRead {
    /// Starts from the attributes of the entry's first answer: the plain
    /// attribute (complete), a range of it (more to read unless it ends in
    /// `*`), or neither (no values).
    pub fn start(
        dn: &str,
        attribute: &str,
        attrs: &HashMap<String, Vec<String>>,
    ) -> Result<RangedRead, EntryError> {
        let mut read = RangedRead {
            dn: dn.to_owned(),
            attribute: attribute.to_owned(),
            values: Vec::new(),
            next: None,
            reads: 0,
        };
        if let Some(values) = attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(attribute))
            .map(|(_, v)| v)
        {
            read.values.extend(values.iter().cloned());
            return Ok(read);
        }
        if read.ranged(attrs).is_some() {
            read.next = Some(0);
            read.handle(attrs)?;
        }
        Ok(read)
    }

    /// The attribute description to ask for next (`member;range=1500-*`),
    /// or `None` when every value has been read. Changes after each
    /// [`handle`](RangedRead::handle).
    #[must_use]
    pub fn poll_request(&self) -> Option<String> {
        self.next.map(|n| format!("{};range={n}-*", self.attribute))
    }

    /// Feeds the attributes of one answer. Fails, by the entry's DN, when
    /// the answer holds no range of the attribute, a range that does not
    /// start where the last ended, or an empty range that is not the last,
    /// and after [`MAX_RANGE_READS`] reads.
    pub fn handle(&mut self, attrs: &HashMap<String, Vec<String>>) -> Result<(), EntryError> {
        let Some(expected) = self.next else {
            return Err(self.error("fed an answer after the last range".to_owned()));
        };
        self.reads += 1;
        if self.reads > MAX_RANGE_READS {
            return Err(self.error(format!("more than {MAX_RANGE_READS} ranged reads")));
        }
        let Some((low, high, values)) = self.ranged(attrs) else {
            return Err(self.error(format!(
                "the answer has no {};range= values",
                self.attribute
            )));
        };
        if low != expected {
            let message = format!("asked for values from {expected}, got a range from {low}");
            return Err(self.error(message));
        }
        if high.is_some() && values.is_empty() {
            return Err(self.error(format!("an empty range from {low} that is not the last")));
        }
        self.values.extend(values.iter().cloned());
        self.next = high.map(|h| h + 1);
        Ok(())
    }

    /// Every value read, in order.
    pub fn into_values(self) -> Vec<String> {
        self.values
    }

    /// The range of this attribute in `attrs`: its bounds and values.
    fn ranged<'a>(
        &self,
        attrs: &'a HashMap<String, Vec<String>>,
    ) -> Option<(u64, Option<u64>, &'a Vec<String>)> {
        attrs.iter().find_map(|(description, values)| {
            let (name, low, high) = parse_range(description)?;
            name.eq_ignore_ascii_case(&self.attribute)
                .then_some((low, high, values))
        })
    }

    fn error(&self, message: String) -> EntryError {
        EntryError::new(
            &self.dn,
            Some(&self.attribute),
            EntryErrorKind::Range,
            message,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &[&str])]) -> HashMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect()))
            .collect()
    }

    fn members(from: usize, to: usize) -> Vec<String> {
        (from..to).map(|n| format!("cn=u{n},dc=x")).collect()
    }

    #[test]
    fn ranges_parse_with_any_case_and_other_options() {
        assert_eq!(
            parse_range("member;range=0-1499"),
            Some(("member", 0, Some(1499)))
        );
        assert_eq!(
            parse_range("member;Range=1500-*"),
            Some(("member", 1500, None))
        );
        assert_eq!(
            parse_range("member;binary;range=3-4"),
            Some(("member", 3, Some(4)))
        );
        for bad in [
            "member",
            "member;range=",
            "member;range=5-4",
            "member;range=a-*",
            "member;range=-3",
            "member;ränge=0-1",
        ] {
            assert_eq!(parse_range(bad), None, "{bad}");
        }
    }

    /// An AD group of 3,200 members, as AD answers: 0-1499, 1500-2999, 3000-*.
    #[test]
    fn three_ranges_are_read_to_the_end_in_order() {
        let first = attrs(&[("cn", &["big"])]);
        let mut first = first;
        first.insert("member;range=0-1499".into(), members(0, 1500));
        let mut read = RangedRead::start("cn=big,dc=x", "member", &first).unwrap();
        assert_eq!(read.poll_request().as_deref(), Some("member;range=1500-*"));
        let second = HashMap::from([("member;range=1500-2999".to_owned(), members(1500, 3000))]);
        read.handle(&second).unwrap();
        assert_eq!(read.poll_request().as_deref(), Some("member;range=3000-*"));
        let last = HashMap::from([("member;range=3000-*".to_owned(), members(3000, 3200))]);
        read.handle(&last).unwrap();
        assert_eq!(read.poll_request(), None);
        assert_eq!(read.into_values(), members(0, 3200));
    }

    #[test]
    fn a_plain_attribute_or_none_needs_no_follow_up() {
        let plain = attrs(&[("Member", &["cn=a,dc=x"])]);
        let read = RangedRead::start("cn=g", "member", &plain).unwrap();
        assert_eq!(read.poll_request(), None);
        assert_eq!(read.into_values(), ["cn=a,dc=x"]);
        let empty = RangedRead::start("cn=g", "member", &HashMap::new()).unwrap();
        assert_eq!((empty.poll_request(), empty.into_values().len()), (None, 0));
    }

    #[test]
    fn a_gap_an_empty_middle_range_or_a_missing_range_fails_by_dn() {
        let first = HashMap::from([("member;range=0-1".to_owned(), members(0, 2))]);
        let cases = [
            (
                HashMap::from([("member;range=5-*".to_owned(), members(5, 6))]),
                "asked for values from 2, got a range from 5",
            ),
            (
                HashMap::from([("member;range=2-3".to_owned(), Vec::new())]),
                "an empty range from 2 that is not the last",
            ),
            (HashMap::new(), "the answer has no member;range= values"),
        ];
        for (answer, message) in cases {
            let mut read = RangedRead::start("cn=g,dc=x", "member", &first).unwrap();
            let error = read.handle(&answer).unwrap_err();
            assert_eq!(
                (error.dn.as_str(), error.kind),
                ("cn=g,dc=x", EntryErrorKind::Range)
            );
            assert_eq!(error.attribute.as_deref(), Some("member"));
            assert_eq!(error.message, message);
        }
    }

    #[test]
    fn a_server_that_never_ends_its_ranges_is_stopped() {
        let first = HashMap::from([("member;range=0-0".to_owned(), members(0, 1))]);
        let mut read = RangedRead::start("cn=g", "member", &first).unwrap();
        let mut reads = 0;
        let error = loop {
            let next = reads + 1;
            let answer = HashMap::from([(
                format!("member;range={next}-{next}"),
                members(next, next + 1),
            )]);
            reads += 1;
            if let Err(error) = read.handle(&answer) {
                break error;
            }
        };
        assert_eq!(reads, MAX_RANGE_READS);
        assert_eq!(
            error.message,
            format!("more than {MAX_RANGE_READS} ranged reads")
        );
    }
}
