//! [`SortedKeys`]: users' match keys in byte order, so that the desired
//! users and the provider's accounts meet in one merge of two sorted
//! lists ([`SortedKeys::join`]) rather than a hash lookup each.
//!
//! A `HashMap<Cow<str>, usize>` of 100,000 provider keys was a third of a
//! large plan (`cargo bench -p scim-sync --bench plan`): SipHash and a
//! scattered insert per account, then a scattered probe per desired user.
//! Here each key's first 16 bytes are packed into an integer next to its
//! index, so a sort compares integers and reads a key's text only when two
//! keys share those 16 bytes; the join then walks both lists in order.

use std::borrow::Cow;
use std::cmp::Ordering;

/// Users' keys (borrowed where normalising changed nothing), by user
/// index, and the indices of the users with a key in the keys' byte order.
pub(crate) struct SortedKeys<'a> {
    keys: Vec<Option<Cow<'a, str>>>,
    /// Each key's packed prefix and its user's index, in key order.
    order: Vec<Entry>,
}

/// A key's first 16 bytes ([`prefix`]) and its user's index: 24 bytes, as
/// two words rather than a `u128` (which would align the entry to 32).
#[derive(Clone, Copy)]
struct Entry {
    prefix: [u64; 2],
    index: usize,
}

impl<'a> SortedKeys<'a> {
    /// `keys[i]` is user `i`'s key, if it has one.
    pub(crate) fn new(keys: Vec<Option<Cow<'a, str>>>) -> SortedKeys<'a> {
        // Room for every key at once: growing it would copy it to fresh
        // pages, each a page fault.
        let mut order = Vec::with_capacity(keys.len());
        order.extend(keys.iter().enumerate().filter_map(|(index, key)| {
            let prefix = prefix(key.as_deref()?);
            Some(Entry { prefix, index })
        }));
        order.sort_unstable_by(|a, b| {
            a.prefix
                .cmp(&b.prefix)
                .then_with(|| text(&keys, a.index).cmp(text(&keys, b.index)))
                .then(a.index.cmp(&b.index))
        });
        SortedKeys { keys, order }
    }

    /// User `index`'s key, if it has one.
    pub(crate) fn of(&self, index: usize) -> Option<&str> {
        self.keys[index].as_deref()
    }

    /// User `index`'s key ("" when it has none).
    pub(crate) fn key(&self, index: usize) -> &str {
        text(&self.keys, index)
    }

    /// Whether every user has a key.
    pub(crate) fn all_keyed(&self) -> bool {
        self.order.len() == self.keys.len()
    }

    /// Each key and its user's index, in key order.
    #[cfg(test)]
    fn iter(&self) -> impl Iterator<Item = (&str, usize)> {
        self.order
            .iter()
            .map(|entry| (text(&self.keys, entry.index), entry.index))
    }

    /// The user with `key` (the lowest index, when several have it).
    pub(crate) fn get(&self, key: &str) -> Option<usize> {
        let wanted = (prefix(key), key);
        let at = self
            .order
            .partition_point(|&entry| self.compare(entry, wanted).is_lt());
        let &entry = self.order.get(at)?;
        self.compare(entry, wanted).is_eq().then_some(entry.index)
    }

    /// Whether a user has `key`.
    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The key two users share, whose second holder comes first by index
    /// (the one a reader of the list in order meets first as repeated).
    pub(crate) fn first_repeated(&self) -> Option<&str> {
        self.order
            .windows(2)
            .filter(|pair| {
                self.compare(pair[1], (pair[0].prefix, self.key(pair[0].index)))
                    .is_eq()
            })
            .min_by_key(|pair| pair[1].index)
            .map(|pair| self.key(pair[1].index))
    }

    /// Each of these keys in order with its user's index and the index of
    /// the user of `other` with the same key, if any: one walk of both.
    pub(crate) fn join<'s>(
        &'s self,
        other: &'s SortedKeys<'_>,
    ) -> impl Iterator<Item = (&'s str, usize, Option<usize>)> + 's {
        let mut theirs = other.order.iter().peekable();
        self.order.iter().map(move |&Entry { prefix, index }| {
            let key = self.key(index);
            while let Some(&&entry) = theirs.peek() {
                match other.compare(entry, (prefix, key)) {
                    Ordering::Less => {
                        theirs.next();
                    }
                    Ordering::Equal => return (key, index, Some(entry.index)),
                    Ordering::Greater => break,
                }
            }
            (key, index, None)
        })
    }

    /// An entry of this list against a key and its prefix.
    fn compare(&self, entry: Entry, (prefix, key): ([u64; 2], &str)) -> Ordering {
        entry
            .prefix
            .cmp(&prefix)
            .then_with(|| text(&self.keys, entry.index).cmp(key))
    }
}

fn text<'k>(keys: &'k [Option<Cow<'_, str>>], index: usize) -> &'k str {
    keys[index].as_deref().unwrap_or_default()
}

/// A key's first 16 bytes as two big-endian words, zero-padded: words in
/// this order are keys in byte order, so two keys whose prefixes differ
/// are ordered without reading them (a shorter key pads with zeros, which
/// sort first, as a key sorts before its extensions).
fn prefix(key: &str) -> [u64; 2] {
    let mut bytes = [0u8; 16];
    let head = &key.as_bytes()[..key.len().min(16)];
    bytes[..head.len()].copy_from_slice(head);
    let word = |at: usize| {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        u64::from_be_bytes(word)
    };
    [word(0), word(8)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys<'a>(values: &[Option<&'a str>]) -> SortedKeys<'a> {
        SortedKeys::new(values.iter().map(|v| v.map(Cow::Borrowed)).collect())
    }

    #[test]
    fn keys_come_in_byte_order_past_their_prefix() {
        let long = "abcdefghijklmnop";
        let values = [
            Some("abcdefghijklmnopz"),
            Some("b"),
            None,
            Some(long),
            Some("abcdefghijklmnopa"),
            Some("a\0"),
            Some("a"),
            Some("ä"),
        ];
        let sorted = keys(&values);
        let order: Vec<&str> = sorted.iter().map(|(key, _)| key).collect();
        let mut expected: Vec<&str> = values.iter().flatten().copied().collect();
        expected.sort();
        assert_eq!(order, expected);
        assert!(!sorted.all_keyed());
        assert_eq!(sorted.of(2), None);
        assert_eq!(sorted.get("abcdefghijklmnopa"), Some(4));
        assert_eq!(sorted.get(long), Some(3));
        assert_eq!(sorted.get("abcdefghijklmnopb"), None);
        assert_eq!(sorted.get("a\0"), Some(5));
        assert_eq!(sorted.get(""), None);
    }

    #[test]
    fn the_repeated_key_met_first_in_index_order_is_named() {
        let sorted = keys(&[Some("x"), Some("y"), Some("z"), Some("y"), Some("x")]);
        assert_eq!(sorted.first_repeated(), Some("y"));
        assert_eq!(sorted.get("x"), Some(0));
        assert_eq!(keys(&[Some("x"), Some("y")]).first_repeated(), None);
    }

    #[test]
    fn a_join_pairs_equal_keys_and_nothing_else() {
        let ours = keys(&[
            Some("carol"),
            Some("alice"),
            Some("bob"),
            Some("abcdefghijklmnopqr"),
        ]);
        let theirs = keys(&[
            Some("bob"),
            Some("abcdefghijklmnopq"),
            Some("dave"),
            Some("carol"),
            Some("abcdefghijklmnopqr"),
        ]);
        let joined: Vec<(&str, usize, Option<usize>)> = ours.join(&theirs).collect();
        assert_eq!(
            joined,
            [
                ("abcdefghijklmnopqr", 3, Some(4)),
                ("alice", 1, None),
                ("bob", 2, Some(0)),
                ("carol", 0, Some(3)),
            ]
        );
        let found: Vec<Option<usize>> = ours.iter().map(|(key, _)| theirs.get(key)).collect();
        let joined: Vec<Option<usize>> = ours.join(&theirs).map(|(_, _, at)| at).collect();
        assert_eq!(found, joined);
    }
}
