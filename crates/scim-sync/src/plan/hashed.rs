//! [`HashedIndex`]: values (logins, addresses) to the indices of the users
//! holding them, by a 64-bit hash; [`DistinctHashes`]: whether values
//! repeat, by the same hash.
//!
//! A `HashMap<String, usize>` of 100,000 logins was a tenth of a large
//! plan (`cargo bench -p scim-sync --bench plan`): rehashed as it grows, a
//! string per entry, a cache miss per insert. A sorted array of hashes is
//! built in one sort of integers; a lookup then compares only the values
//! whose hash matches, so a collision costs a comparison, never a wrong
//! answer. The hash is keyed per index (std's SipHash, randomly seeded):
//! nobody can choose values that collide.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

/// Values to the indices of the users holding them, by hash.
pub(crate) struct HashedIndex {
    hasher: RandomState,
    /// Each value's hash and index, sorted (so equal hashes by index).
    entries: Vec<(u64, usize)>,
}

impl HashedIndex {
    /// The index of `values` (each with its user's index), with room for
    /// `capacity` of them (growing it would copy it to fresh pages).
    pub(crate) fn new<S: AsRef<str>>(
        values: impl Iterator<Item = (S, usize)>,
        capacity: usize,
    ) -> HashedIndex {
        let hasher = RandomState::new();
        let mut entries = Vec::with_capacity(capacity);
        entries.extend(values.map(|(value, index)| (hasher.hash_one(value.as_ref()), index)));
        entries.sort_unstable();
        HashedIndex { hasher, entries }
    }

    /// The indices of the users whose value may be `value` (its hash
    /// matches), lowest first: the caller compares the values.
    pub(crate) fn candidates(&self, value: &str) -> impl Iterator<Item = usize> + '_ {
        let hash = self.hasher.hash_one(value);
        let start = self.entries.partition_point(|&(h, _)| h < hash);
        self.entries[start..]
            .iter()
            .take_while(move |&&(h, _)| h == hash)
            .map(|&(_, index)| index)
    }
}

/// Whether no two of many values are equal, by hash: a sorted array of
/// 64-bit hashes, 8 bytes a value (an index sorted with its users'
/// indices moves twice as many). A collision of distinct values (once in
/// 2⁶⁴ pairs) reads as a duplicate: the caller then compares the values.
pub(crate) struct DistinctHashes {
    hasher: RandomState,
    hashes: Vec<u64>,
}

impl DistinctHashes {
    /// Room for `capacity` values.
    pub(crate) fn with_capacity(capacity: usize) -> DistinctHashes {
        DistinctHashes {
            hasher: RandomState::new(),
            hashes: Vec::with_capacity(capacity),
        }
    }

    /// Adds a value.
    pub(crate) fn push(&mut self, value: &str) {
        self.hashes.push(self.hasher.hash_one(value));
    }

    /// Whether no two values added can be equal: no two hashes are.
    pub(crate) fn distinct(mut self) -> bool {
        self.hashes.sort_unstable();
        self.hashes.windows(2).all(|pair| pair[0] != pair[1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_include_every_holder_lowest_first() {
        let values = ["b", "a", "c", "a"];
        let index = HashedIndex::new(values.iter().copied().zip(0..), values.len());
        let holders: Vec<usize> = index
            .candidates("a")
            .filter(|&i| values[i] == "a")
            .collect();
        assert_eq!(holders, [1, 3]);
        assert_eq!(
            index.candidates("z").filter(|&i| values[i] == "z").count(),
            0
        );
    }

    #[test]
    fn distinct_hashes_tell_a_repeated_value() {
        let of = |values: &[&str]| {
            let mut hashes = DistinctHashes::with_capacity(values.len());
            values.iter().for_each(|value| hashes.push(value));
            hashes.distinct()
        };
        assert!(of(&["a", "b", "c"]));
        assert!(!of(&["a", "b", "a"]));
        assert!(of(&[]));
    }
}
