//! The fingerprint of the provider's state, and the plan's digest: FNV-1a
//! 64 over each resource's typed values ([`hash_of`]) and over a plan's
//! canonical JSON ([`digest`]).
//!
//! A resource is hashed as serde hands its values over, not as JSON text:
//! writing 100,000 users out as text only to hash it was a fifth of a
//! large plan (`cargo bench -p scim-sync --bench plan`). Every value is
//! tagged with its kind and every string with its length, so the encoding
//! hashed is as unambiguous as the JSON was: two resources whose JSON
//! differs hash differently (but for the odd collision of a 64-bit hash).

use scim_client::model::User;
use serde::Serialize;
use serde::ser::{self, Serializer};
use std::fmt::Error;

use scim_client::provider::Profile;

use super::enterprise::Enterprise;
use super::{Current, typed, users};
use crate::options::PlanOptions;

/// A fingerprint of the provider's state as a plan for `profile` with
/// `options` reads it: FNV-1a 64 over the digests of every user's id and
/// the typed values of the attributes the plan reads (those it manages,
/// matches and tells ownership by; every attribute when a provider-side
/// scope filter is set, as it may read any), and of every group's id and
/// typed values (`meta` left out: some providers change it on every
/// read), sorted, so list order does not matter.
///
/// [`plan`](super::plan) records it; apply computes it again from the
/// plan's options and refuses a provider whose state no longer gives it.
pub fn fingerprint(current: &Current, profile: &Profile, options: &PlanOptions) -> String {
    let local = Enterprise::of(profile.dialect).localise_options(options);
    let roots = users::read_roots(&local, profile);
    covering(current, &Coverage::new(&local, &roots))
}

/// The fingerprint of every attribute of every user and group (`meta`
/// aside), as plans carried before theirs covered only what they read:
/// apply still takes such a plan while the provider is as it was.
pub(crate) fn fingerprint_of_everything(current: &Current) -> String {
    covering(current, &Coverage(None))
}

/// [`fingerprint`] with each user's attributes as `coverage` covers them.
fn covering(current: &Current, coverage: &Coverage<'_>) -> String {
    let users = current
        .users
        .iter()
        .map(|user| resource_digest(user.id.as_deref(), coverage.hash(user)));
    let groups = current
        .groups
        .iter()
        .map(|group| resource_digest(group.id.as_deref(), hash_of(group)));
    fingerprint_of(users.collect(), groups.collect())
}

/// One resource's part of the [`fingerprint`]: its id and hash, digested
/// where the resource is read (digesting 100,000 ids in a pass of their
/// own read each from memory again).
pub(crate) fn resource_digest(id: Option<&str>, hash: u64) -> u64 {
    let mut digest = Fnv::new();
    digest.bytes(id.unwrap_or_default().as_bytes());
    digest.bytes(&[0]);
    digest.step(hash);
    digest.0
}

/// [`fingerprint`] over the users' and the groups' [`resource_digest`]s,
/// each sorted (integers sort in a fraction of the time 100,000 ids took).
pub(crate) fn fingerprint_of(mut users: Vec<u64>, mut groups: Vec<u64>) -> String {
    let mut hash = Fnv::new();
    for digests in [&mut users, &mut groups] {
        digests.sort_unstable();
        for &digest in digests.iter() {
            hash.step(digest);
        }
        hash.bytes(&[1]);
    }
    format!("{:016x}", hash.0)
}

/// FNV-1a 64 of `bytes`, as 16 hex digits: the plan's digest.
#[cfg(test)]
pub(crate) fn digest(bytes: &[u8]) -> String {
    let mut hash = Fnv::new();
    hash.bytes(bytes);
    format!("{:016x}", hash.0)
}

/// [`digest`] of `value`'s JSON, hashed as it is written rather than
/// collected first (a plan of 100,000 users writes megabytes): the same
/// words are hashed, whatever pieces the writer hands over.
pub(crate) fn digest_json(value: &impl Serialize) -> String {
    let mut digest = Digest {
        fnv: Fnv::new(),
        held: Vec::with_capacity(Digest::BATCH + 64),
    };
    // Plain data always serialises, and the writer never fails.
    let _ = serde_json::to_writer(&mut digest, value);
    digest.fnv.bytes(&digest.held);
    format!("{:016x}", digest.fnv.0)
}

/// An [`Fnv`] fed by a writer. The writer hands over a few bytes at a
/// time; they are held and hashed a batch of whole words at once (hashing
/// each piece as it came was a tenth of a large plan). Only the last
/// bytes, fewer than a word, are hashed one by one, as [`Fnv::bytes`] does
/// for the whole text.
struct Digest {
    fnv: Fnv,
    held: Vec<u8>,
}

impl Digest {
    const BATCH: usize = 8192;
}

impl std::io::Write for Digest {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.held.extend_from_slice(bytes);
        if self.held.len() >= Self::BATCH {
            let whole = self.held.len() - self.held.len() % 8;
            self.fnv.bytes(&self.held[..whole]);
            self.held.drain(..whole);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The hash of everything `resource` serialises but its top-level `meta`.
pub(crate) fn hash_of(resource: &impl Serialize) -> u64 {
    hash_with(resource, true)
}

/// The hash of everything `value` serialises, a `meta` member included:
/// for an attribute's value, where `meta` is nothing special.
pub(crate) fn hash_value(value: &(impl Serialize + ?Sized)) -> u64 {
    hash_with(value, false)
}

fn hash_with(value: &(impl Serialize + ?Sized), top_meta: bool) -> u64 {
    let mut hashing = Hashing {
        fnv: Fnv::new(),
        depth: 0,
        top_meta,
        probing: false,
        is_meta: false,
    };
    // Hashing never fails: every method returns `Ok`.
    let _ = value.serialize(&mut hashing);
    hashing.fnv.0
}

/// What of a provider user the fingerprint covers: the attributes a plan
/// reads (top-level keys, sorted, each resolved once to its typed field),
/// or the whole user (but `meta`) when a provider-side scope filter, which
/// may read any attribute, decides which accounts are in scope.
///
/// A plan reads only the attributes it manages, matches and tells
/// ownership by; a change to any other (a photo, a phone number the
/// person edited, Slack's profile fields) leaves the plan as right as it
/// was, so it no longer makes apply refuse it as stale. Hashing only those
/// also touches a fraction of each user's memory: hashing every attribute
/// was a tenth of a 100,000-user plan (`cargo bench -p scim-sync --bench plan`).
pub(crate) struct Coverage<'a>(Option<Vec<Covered<'a>>>);

/// One attribute covered: its key, the key's own hash (computed once, not
/// once a user), and its typed field where the type models it.
struct Covered<'a> {
    key: &'a str,
    key_hash: u64,
    reader: Option<typed::Reader>,
}

impl<'a> Coverage<'a> {
    /// The coverage of a plan with `options` that reads `roots`.
    pub(crate) fn new(options: &PlanOptions, roots: &[&'a str]) -> Coverage<'a> {
        let covered = |&key: &&'a str| {
            let mut key_hash = Fnv::new();
            key_hash.step(key.len() as u64);
            key_hash.bytes(key.as_bytes());
            Covered {
                key,
                key_hash: key_hash.0,
                reader: typed::reader(key),
            }
        };
        Coverage(
            options
                .scope
                .users
                .is_none()
                .then(|| roots.iter().map(covered).collect()),
        )
    }

    /// The hash of what it covers of `user`: each attribute present with
    /// its key.
    pub(crate) fn hash(&self, user: &User) -> u64 {
        let Some(roots) = &self.0 else {
            return hash_of(user);
        };
        let mut fnv = Fnv::new();
        for covered in roots {
            // An `extra` member under a modelled key is the value written.
            let read = covered.reader.map(|read| read(user));
            let hash = match user.extra.get(covered.key) {
                Some(value) => hash_value(value),
                None => match read.filter(|attribute| attribute.present()) {
                    Some(attribute) => attribute.hash(),
                    None => continue,
                },
            };
            fnv.step(covered.key_hash);
            fnv.step(hash);
        }
        fnv.0
    }
}

/// FNV-1a 64 (word-wise): small, stable across Rust versions and platforms
/// (a plan written today must match tomorrow's read of the same state).
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    /// FNV-1a's step over 64-bit little-endian words, then the bytes left:
    /// a multiply per byte was a tenth of a 100,000-user plan.
    fn bytes(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut le = [0_u8; 8];
            le.copy_from_slice(word);
            self.step(u64::from_le_bytes(le));
        }
        for byte in words.remainder() {
            self.step(u64::from(*byte));
        }
    }

    fn step(&mut self, value: u64) {
        self.0 ^= value;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }
}

/// What each value is hashed after: its kind, as JSON tells them apart
/// (an integer is one kind, however wide; `null` is a missing option, a
/// unit and `null` alike).
#[derive(Clone, Copy)]
enum Tag {
    Null = 1,
    False,
    True,
    Integer,
    Float,
    Text,
    Array,
    Object,
    End,
}

/// A serde [`Serializer`] feeding an [`Fnv`]. Arrays and objects are
/// bracketed by their tag and [`Tag::End`]; an enum variant is an object
/// of one member, as serde_json writes it. At the top level (`depth` 1),
/// a member named `meta` is skipped, key and value.
struct Hashing {
    fnv: Fnv,
    depth: u32,
    /// Whether a top-level `meta` is left out (a resource's).
    top_meta: bool,
    /// A top-level key is being read: `meta` is not hashed, but noted.
    probing: bool,
    is_meta: bool,
}

impl Hashing {
    fn tag(&mut self, tag: Tag) {
        self.fnv.step(tag as u64);
    }

    fn text(&mut self, text: &str) {
        self.tag(Tag::Text);
        self.fnv.step(text.len() as u64);
        self.fnv.bytes(text.as_bytes());
    }

    fn integer(&mut self, value: i128) {
        self.tag(Tag::Integer);
        let bits = value as u128;
        self.fnv.step(bits as u64);
        self.fnv.step((bits >> 64) as u64);
    }

    /// Opens an array or object.
    fn open(&mut self, tag: Tag) -> Result<&mut Self, Error> {
        self.tag(tag);
        self.depth += 1;
        Ok(self)
    }

    fn close(&mut self) -> Result<(), Error> {
        self.tag(Tag::End);
        self.depth -= 1;
        Ok(())
    }

    /// Opens the object of one member an enum variant is written as.
    fn variant(&mut self, variant: &str) -> Result<&mut Self, Error> {
        self.open(Tag::Object)?;
        self.text(variant);
        Ok(self)
    }

    /// A member of an object: skipped when it is the top level's `meta`.
    fn member<T: ?Sized + Serialize>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        if self.top_meta && self.depth == 1 && key == "meta" {
            return Ok(());
        }
        self.text(key);
        value.serialize(self)
    }
}

impl Serializer for &mut Hashing {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, value: bool) -> Result<(), Error> {
        self.tag(if value { Tag::True } else { Tag::False });
        Ok(())
    }
    fn serialize_i8(self, value: i8) -> Result<(), Error> {
        self.serialize_i128(value.into())
    }
    fn serialize_i16(self, value: i16) -> Result<(), Error> {
        self.serialize_i128(value.into())
    }
    fn serialize_i32(self, value: i32) -> Result<(), Error> {
        self.serialize_i128(value.into())
    }
    fn serialize_i64(self, value: i64) -> Result<(), Error> {
        self.serialize_i128(value.into())
    }
    fn serialize_i128(self, value: i128) -> Result<(), Error> {
        self.integer(value);
        Ok(())
    }
    fn serialize_u8(self, value: u8) -> Result<(), Error> {
        self.serialize_i128(value.into())
    }
    fn serialize_u16(self, value: u16) -> Result<(), Error> {
        self.serialize_i128(value.into())
    }
    fn serialize_u32(self, value: u32) -> Result<(), Error> {
        self.serialize_i128(value.into())
    }
    fn serialize_u64(self, value: u64) -> Result<(), Error> {
        self.serialize_i128(value.into())
    }
    fn serialize_u128(self, value: u128) -> Result<(), Error> {
        // Two's complement bits: distinct for every value, as its text is.
        self.serialize_i128(value as i128)
    }
    fn serialize_f32(self, value: f32) -> Result<(), Error> {
        self.serialize_f64(value.into())
    }
    fn serialize_f64(self, value: f64) -> Result<(), Error> {
        self.tag(Tag::Float);
        self.fnv.step(value.to_bits());
        Ok(())
    }
    fn serialize_char(self, value: char) -> Result<(), Error> {
        self.serialize_str(value.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, value: &str) -> Result<(), Error> {
        if std::mem::take(&mut self.probing) && value == "meta" {
            self.is_meta = true;
            return Ok(());
        }
        self.text(value);
        Ok(())
    }
    fn serialize_bytes(self, value: &[u8]) -> Result<(), Error> {
        // serde_json writes bytes as an array of numbers.
        self.open(Tag::Array)?;
        for byte in value {
            self.integer((*byte).into());
        }
        self.close()
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.tag(Tag::Null);
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        name: &'static str,
    ) -> Result<(), Error> {
        self.text(name);
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let object = self.variant(name)?;
        value.serialize(&mut *object)?;
        object.close()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Error> {
        self.open(Tag::Array)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, Error> {
        self.open(Tag::Array)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Error> {
        self.open(Tag::Array)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        name: &'static str,
        _: usize,
    ) -> Result<Self, Error> {
        self.variant(name)?.open(Tag::Array)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Error> {
        self.open(Tag::Object)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Error> {
        self.open(Tag::Object)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        name: &'static str,
        _: usize,
    ) -> Result<Self, Error> {
        self.variant(name)?.open(Tag::Object)
    }
}

impl ser::SerializeSeq for &mut Hashing {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTuple for &mut Hashing {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for &mut Hashing {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTupleVariant for &mut Hashing {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        self.close()?;
        self.close()
    }
}

impl ser::SerializeMap for &mut Hashing {
    type Ok = ();
    type Error = Error;
    /// A top-level key is read `probing`: `meta` skips its value too.
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Error> {
        self.probing = self.top_meta && self.depth == 1;
        key.serialize(&mut **self)?;
        self.probing = false;
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        if std::mem::take(&mut self.is_meta) {
            return Ok(());
        }
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStruct for &mut Hashing {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.member(key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStructVariant for &mut Hashing {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.member(key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()?;
        self.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_digest_of_json_as_written_is_the_digest_of_its_text() {
        for value in [
            json!(null),
            json!("1234567"),
            json!({"steps": [{"a": "x".repeat(37)}, 12345, "y"], "z": "0123456789abcdef"}),
            // Past a batch, in pieces of every length.
            json!((0..3000).map(|i| "y".repeat(i % 13)).collect::<Vec<_>>()),
            json!({"long": "z".repeat(20_003), "after": [1, 2, 3]}),
        ] {
            let text = serde_json::to_vec(&value).expect("JSON");
            assert_eq!(digest_json(&value), digest(&text));
        }
    }

    #[test]
    fn the_hash_leaves_out_only_the_top_level_meta() {
        let plain = json!({"id": "1", "title": "A"});
        let with_meta = json!({"id": "1", "title": "A", "meta": {"version": "2"}});
        assert_eq!(hash_of(&plain), hash_of(&with_meta));
        let nested = json!({"id": "1", "title": "A", "x": {"meta": 1}});
        assert_ne!(hash_of(&plain), hash_of(&nested));
        assert_ne!(
            hash_of(&nested),
            hash_of(&json!({"id": "1", "title": "A", "x": {"meta": 2}}))
        );
    }

    #[test]
    fn values_that_write_different_json_hash_differently() {
        let values = [
            json!({"a": "bc"}),
            json!({"ab": "c"}),
            json!({"a": ["b", "c"]}),
            json!({"a": ["bc"]}),
            json!({"a": [["b"], "c"]}),
            json!({"a": null}),
            json!({"a": false}),
            json!({"a": 0}),
            json!({"a": 0.0}),
            json!({"a": "0"}),
            json!({"a": {}}),
            json!({"a": []}),
            json!({}),
        ];
        let hashes: std::collections::HashSet<u64> = values.iter().map(hash_of).collect();
        assert_eq!(hashes.len(), values.len());
    }

    #[test]
    fn a_user_read_back_from_its_json_hashes_alike_and_any_change_shows() {
        let user = User {
            id: "W1".into(),
            user_name: "ada".into(),
            title: scim_client::model::Field::Null,
            ..User::default()
        };
        let text = serde_json::to_string(&user).expect("a user serialises");
        let read: User = serde_json::from_str(&text).expect("and parses back");
        assert_eq!(hash_of(&user), hash_of(&read));
        let untitled = User {
            title: scim_client::model::Field::Absent,
            ..user.clone()
        };
        assert_ne!(hash_of(&user), hash_of(&untitled));
    }
}
