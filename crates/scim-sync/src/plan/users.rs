//! Users: creates, the smallest updates, adoptions, and deactivations of
//! owned accounts within the rails.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use scim_client::model::User;
use scim_client::provider::{PatchForm, Profile};
use serde_json::{Map, Value};

use super::enterprise::{self, Enterprise};
use super::fingerprint::{Coverage, resource_digest};
use super::hashed::{DistinctHashes, HashedIndex};
use super::json::{get, same, set, split_root};
use super::managers::{Known, Managers};
use super::sorted::SortedKeys;
use super::typed::{self, key_of, project_user};
use super::{Change, Clash, LeftAlone, PlanError, Ref, Step, rails, render, required};
use crate::desired::Desired;
use crate::options::{MatchKey, Ownership, PlanOptions};

/// The users' part of a plan, and what the groups' part needs to know.
pub(crate) struct UserPlan {
    /// Creates, in key order.
    pub creates: Vec<Step>,
    /// Adoptions and updates, in key order (after the creates).
    pub updates: Vec<Step>,
    /// Updates and adoptions that set a manager the plan creates, in key
    /// order (they run after every create).
    pub later: Vec<Step>,
    /// Deactivations or deletions, in id order (they run last).
    pub removals: Vec<Step>,
    pub left_alone: Vec<LeftAlone>,
    pub index: UserIndex,
    /// The provider accounts the source owns (in scope): the rails'
    /// denominator.
    pub owned: usize,
}

/// Where each user is: desired keys to the provider's id (or the key a
/// create will give one), and which provider accounts the source owns.
pub(crate) struct UserIndex {
    pub by_key: HashMap<String, Ref>,
    pub owned_ids: HashSet<String>,
    /// Every provider user's digest: for the fingerprint.
    pub current: Vec<u64>,
}

/// Plans the users. A desired user who meets an account by key and
/// differs in nothing the planner reads is told from the typed values
/// ([`Unchanged`]); any other is turned into JSON once, when it is
/// compared, and dropped after: a plan of 100,000 users never holds them
/// all as JSON (`cargo bench -p scim-sync --bench plan`).
///
/// `for_groups`: whether groups are planned after, and so need the
/// [`UserIndex`] (without groups it stays empty: building it was a tenth
/// of a large plan). `guard`: whether writes to accounts the source does
/// not own are refused ([`PlanError::NotOwned`]); verify, which writes
/// nothing, reads the drift without it.
pub(crate) fn plan_users(
    desired: &Desired,
    current: &[User],
    profile: &Profile,
    options: &PlanOptions,
    (for_groups, guard): (bool, bool),
    out_of_scope: Vec<Option<&'static str>>,
) -> Result<UserPlan, PlanError> {
    let users = &desired.users;
    let desired_keys = index_desired(users, options)?;
    let current_keys = index_current(current, options)?;
    let mut holders = Holders::new(current, options, guard);
    let index = (&desired_keys, &current_keys);
    let managers = managers_of(desired, index, current, &mut holders, (profile, options))?;
    let roots = read_roots(options, profile);
    let unchanged = Unchanged::new(&roots, profile, options, &managers);
    let mut seen = Seen::new(current, &roots, options, for_groups);
    seen.out_of_scope = out_of_scope;
    let rules = Rules::new(profile, options, guard, &desired_keys, &managers);
    let mut planned = Planned::new(for_groups);
    for (key, index, met) in desired_keys.join(&current_keys) {
        let state = (&mut seen, &mut planned, &mut holders);
        plan_desired((key, &users[index], met), (&unchanged, &rules), state)?;
    }
    if !planned.clashes.is_empty() {
        return Err(PlanError::NotOwned {
            clashes: planned.clashes,
        });
    }
    let (removals, unmatched) = removals(&mut seen, profile, options, desired.users.len())?;
    planned.left_alone.extend(unmatched);
    Ok(UserPlan {
        creates: planned.creates,
        updates: planned.updates,
        later: planned.later,
        removals,
        left_alone: planned.left_alone,
        owned: seen.owned,
        index: UserIndex {
            by_key: planned.by_key,
            owned_ids: seen.owned_ids,
            current: seen.hashes,
        },
    })
}

/// The desired user `key`, whom account `met` (if any) meets by key:
/// decided from the typed values where they decide ([`met_typed`]), else
/// from JSON ([`plan_user`]).
fn plan_desired(
    (key, user, met): (&str, &User, Option<usize>),
    (unchanged, rules): (&Unchanged<'_>, &Rules<'_>),
    (seen, planned, holders): (&mut Seen<'_, '_>, &mut Planned, &mut Holders<'_>),
) -> Result<(), PlanError> {
    if let Some(at) = met
        && met_typed((key, user), at, unchanged, (seen, planned), rules)?
    {
        return Ok(());
    }
    plan_user((key, user), (met, holders), seen, planned, rules)
}

/// The create, update or adoption (or nothing) of the desired user `key`,
/// as JSON: met by key (the account `met`), or by the `userName` a create
/// would take.
fn plan_user(
    (key, user): (&str, &User),
    (met, holders): (Option<usize>, &mut Holders<'_>),
    seen: &mut Seen<'_, '_>,
    planned: &mut Planned,
    rules: &Rules<'_>,
) -> Result<(), PlanError> {
    let mut want = project_user(user, seen.roots);
    required::derive(&mut want, rules.profile);
    Enterprise::of(rules.profile.dialect).localise(&mut want);
    let later = rules.managers.fill(key, &mut want);
    let met = match met {
        Some(at) => Some((at, rules.options.match_key)),
        None => holders.of(&want).map(|at| (at, MatchKey::UserName)),
    };
    match met {
        None => planned.create(key, &want, later, rules)?,
        Some(met) => {
            let written = meet(key, &want, later, met, seen, rules)?;
            planned.met(key, written);
        }
    }
    Ok(())
}

/// The desired user `key` who meets account `at` by its key, decided from
/// the typed values where they decide ([`Unchanged::applies`]): no write
/// when every attribute read is equal; for an owned account in scope, the
/// update of the managed attributes that differ, compared as JSON only
/// under the keys whose typed values differ (equal values write equal
/// JSON, which [`diff`] would find equal). False: [`plan_user`] decides
/// from the JSON of every attribute read, as always.
fn met_typed(
    (key, user): (&str, &User),
    at: usize,
    unchanged: &Unchanged<'_>,
    (seen, planned): (&mut Seen<'_, '_>, &mut Planned),
    rules: &Rules<'_>,
) -> Result<bool, PlanError> {
    let have = &seen.current[at];
    if !unchanged.applies(key, user) {
        return Ok(false);
    }
    if unchanged.compared.same(user, have) {
        let id = seen.pass(at);
        planned.unchanged(key, id);
        return Ok(true);
    }
    if !seen.owned_in_scope(at) {
        return Ok(false);
    }
    let differing = unchanged.compared.differing(user, have);
    let (want, had) = (
        project_user(user, &differing),
        project_user(have, &differing),
    );
    let id = seen.note(at, true);
    let written = update_step(key, &want, (id, &had), None, rules)?;
    planned.met(key, Ok((id.to_owned(), written)));
    Ok(true)
}

/// When a desired user who meets an account by key can be compared on
/// typed values: nothing is added to the desired user's JSON before it is
/// compared (no manager, no RFC 7643 extension to move under the dialect's
/// URN, no derived attribute that is compared), so every attribute the
/// planner reads (`roots`) compares as it is. Otherwise [`plan_user`]
/// compares JSON, as always.
struct Unchanged<'a> {
    compared: typed::Compared<'a>,
    /// The profile derives no attribute the comparison reads.
    derives_nothing_compared: bool,
    /// RFC 7643's enterprise URN, when the dialect writes another.
    source_root: Option<&'static str>,
    managers: &'a Managers,
}

impl<'a> Unchanged<'a> {
    fn new(
        roots: &[&'a str],
        profile: &Profile,
        options: &PlanOptions,
        managers: &'a Managers,
    ) -> Unchanged<'a> {
        let compared: Vec<&str> = options
            .managed
            .iter()
            .map(String::as_str)
            .chain(["externalId"])
            .collect();
        let derives_nothing_compared = profile
            .required_on_create
            .iter()
            .filter(|required| required.derive.is_some())
            .all(|required| !compared.iter().any(|path| reaches(path, &required.path)));
        Unchanged {
            compared: typed::Compared::new(roots),
            derives_nothing_compared,
            source_root: Enterprise::of(profile.dialect).source_root(),
            managers,
        }
    }

    /// Whether the desired user `key` (`want`) can be compared with the
    /// account it meets on typed values.
    fn applies(&self, key: &str, want: &User) -> bool {
        self.derives_nothing_compared
            && !self.managers.names(key)
            && self.source_root.is_none_or(|urn| !typed::has(want, urn))
    }
}

/// Whether reading `path` can meet what setting `derived` writes: the
/// top-level attribute `derived` is under, or something under it.
fn reaches(path: &str, derived: &str) -> bool {
    let written = root(derived);
    path.strip_prefix(written)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        || root(path) == written
}

/// The desired users' managers, resolved (RFC 7643 §4.3), when the plan
/// manages the manager: a key is an account at the provider (met by key,
/// or by the login a create would take), a desired user the plan creates,
/// or unknown ([`PlanError::Managers`]).
fn managers_of(
    desired: &Desired,
    (desired_keys, current_keys): (&DesiredKeys<'_>, &CurrentKeys<'_>),
    current: &[User],
    holders: &mut Holders<'_>,
    (profile, options): (&Profile, &PlanOptions),
) -> Result<Managers, PlanError> {
    let enterprise = Enterprise::of(profile.dialect);
    if desired.managers.is_empty() || !enterprise.manages_manager(&options.managed) {
        return Ok(Managers::none(enterprise));
    }
    // Every account has an id (checked by `index_current`).
    let id_at = |at: usize| current[at].id.as_deref().unwrap_or_default().to_owned();
    let known = |key: &str| {
        if let Some(at) = current_keys.get(key) {
            return Known::At(id_at(at));
        }
        let Some(index) = desired_keys.get(key) else {
            return Known::Unknown;
        };
        match holders.of_name(desired.users[index].user_name.as_deref()) {
            Some(at) => Known::At(id_at(at)),
            None => Known::Created,
        }
    };
    let partial = profile.patch == PatchForm::PartialResource;
    Managers::resolve(
        &desired.managers,
        desired_keys,
        options.match_key,
        known,
        (enterprise, partial),
    )
}

/// What the users' loop gathers.
struct Planned {
    /// Whether the groups need [`UserIndex::by_key`].
    for_groups: bool,
    creates: Vec<Step>,
    updates: Vec<Step>,
    later: Vec<Step>,
    left_alone: Vec<LeftAlone>,
    by_key: HashMap<String, Ref>,
    clashes: Vec<Clash>,
}

impl Planned {
    fn new(for_groups: bool) -> Planned {
        Planned {
            for_groups,
            creates: Vec::new(),
            updates: Vec::new(),
            later: Vec::new(),
            left_alone: Vec::new(),
            by_key: HashMap::new(),
            clashes: Vec::new(),
        }
    }

    /// The create of the desired user `key`; when its manager is a user the
    /// plan creates too (`later`), the update that sets it once both exist.
    fn create(
        &mut self,
        key: &str,
        want: &Value,
        later: Option<&str>,
        rules: &Rules<'_>,
    ) -> Result<(), PlanError> {
        let step = create_step(key, want, rules.options, rules.profile)?;
        if let (Some(manager), Step::CreateUser { user, .. }) = (later, &step) {
            self.later.push(Step::UpdateUser {
                key: key.to_owned(),
                id: Ref::Key(key.to_owned()),
                changes: Vec::new(),
                patch: None,
                manager: Some(rules.managers.link(manager, user, &[])),
            });
        }
        self.creates.push(step);
        if self.for_groups {
            self.by_key.insert(key.to_owned(), Ref::Key(key.to_owned()));
        }
        Ok(())
    }

    /// An account met that needs no write.
    fn unchanged(&mut self, key: &str, id: &str) {
        if self.for_groups {
            self.by_key.insert(key.to_owned(), Ref::Id(id.to_owned()));
        }
    }

    /// What meeting an account gave: its write (one that sets a manager
    /// the plan creates runs later) and notes, or a clash.
    fn met(&mut self, key: &str, written: Result<(String, Written), Clash>) {
        let (id, (step, unpatchable)) = match written {
            Ok(written) => written,
            Err(clash) => return self.clashes.push(clash),
        };
        if self.for_groups {
            self.by_key.insert(key.to_owned(), Ref::Id(id));
        }
        self.left_alone.extend(unpatchable);
        match step {
            Some(
                step @ (Step::UpdateUser {
                    manager: Some(_), ..
                }
                | Step::AdoptUser {
                    manager: Some(_), ..
                }),
            ) => self.later.push(step),
            Some(step) => self.updates.push(step),
            None => {}
        }
    }
}

/// The create of the desired user `key`: its managed attributes, with
/// every attribute the profile requires on create present (or refused).
fn create_step(
    key: &str,
    want: &Value,
    options: &PlanOptions,
    profile: &Profile,
) -> Result<Step, PlanError> {
    let user = managed_body(want, options);
    required::check_create(key, &user, profile)?;
    Ok(Step::CreateUser {
        key: key.to_owned(),
        user,
    })
}

/// A provider account a desired user meets, as the planner read it.
struct Account<'a> {
    id: &'a str,
    have: &'a Value,
    owned: bool,
    /// How it was met: by the match key, or by the `userName` a create
    /// would have taken (the create would be refused as a duplicate).
    by: MatchKey,
    /// Why it is out of the sync's scope, when it is: never written,
    /// never adopted.
    out_of_scope: Option<&'static str>,
}

/// The accounts by lower-cased `userName`, built on first use: a create
/// whose login an account holds would be answered 409, and apply would
/// meet that account then. Not needed when users are matched by
/// `userName` (an unmatched user's login is free), nor without `guard`.
struct Holders<'a> {
    current: &'a [User],
    wanted: bool,
    by_name: Option<HashedIndex>,
}

impl<'a> Holders<'a> {
    fn new(current: &'a [User], options: &PlanOptions, guard: bool) -> Holders<'a> {
        Holders {
            current,
            wanted: guard && options.match_key != MatchKey::UserName,
            by_name: None,
        }
    }

    /// The account holding the desired user's `userName`, if any.
    fn of(&mut self, want: &Value) -> Option<usize> {
        self.of_name(want.get("userName").and_then(Value::as_str))
    }

    /// The account holding the login `name`, if any.
    fn of_name(&mut self, name: Option<&str>) -> Option<usize> {
        if !self.wanted {
            return None;
        }
        let name = name?.to_lowercase();
        let current = self.current;
        let login = |user| key_of(MatchKey::UserName, user);
        let by_name = self.by_name.get_or_insert_with(|| {
            let logins = current.iter().zip(0..);
            let logins = logins.filter_map(|(user, at)| Some((login(user)?, at)));
            HashedIndex::new(logins, current.len())
        });
        by_name
            .candidates(&name)
            .find(|&at| login(&current[at]).as_deref() == Some(name.as_str()))
    }
}

/// What decides a write to an account a desired user meets.
struct Rules<'a> {
    profile: &'a Profile,
    options: &'a PlanOptions,
    /// Whether writes to accounts the source does not own are refused.
    guard: bool,
    desired_keys: &'a DesiredKeys<'a>,
    /// The desired users' managers, resolved.
    managers: &'a Managers,
}

impl<'a> Rules<'a> {
    fn new(
        profile: &'a Profile,
        options: &'a PlanOptions,
        guard: bool,
        desired_keys: &'a DesiredKeys<'a>,
        managers: &'a Managers,
    ) -> Rules<'a> {
        Rules {
            profile,
            options,
            guard,
            desired_keys,
            managers,
        }
    }
}

/// The write (by the account's id) making account `at`, met `by` a key,
/// match `want` (and, `later`, have the manager the plan creates); a
/// [`Clash`] when it is not the source's to write.
fn meet(
    key: &str,
    want: &Value,
    later: Option<&str>,
    (at, by): (usize, MatchKey),
    seen: &mut Seen<'_, '_>,
    rules: &Rules<'_>,
) -> Result<Result<(String, Written), Clash>, PlanError> {
    if let Some(clash) = claimed(key, at, by, seen, rules.desired_keys, rules.options) {
        return Ok(Err(clash));
    }
    let (id, have, owned) = seen.read(at);
    let account = Account {
        id,
        have: &have,
        owned,
        by,
        out_of_scope: seen.out_of_scope[at],
    };
    let written = write_step(key, (want, later), &account, rules)?;
    Ok(written.map(|written| (id.to_owned(), written)))
}

/// A clash when the account met by `userName` is another desired user's
/// (matched by its key): taking its login would take its account.
fn claimed(
    key: &str,
    at: usize,
    by: MatchKey,
    seen: &Seen<'_, '_>,
    desired_keys: &DesiredKeys<'_>,
    options: &PlanOptions,
) -> Option<Clash> {
    if by == options.match_key {
        return None;
    }
    let user = &seen.current[at];
    let other = options.match_key.of(user)?;
    (desired_keys.contains_key(&other) || seen.read[at]).then(|| Clash {
        key: key.to_owned(),
        group: false,
        id: user.id.as_deref().unwrap_or_default().to_owned(),
        user_name: user.user_name.as_deref().unwrap_or_default().to_owned(),
        external_id: user.external_id.as_deref().map(str::to_owned),
        reason: format!("its userName is held by the account of source user {other:?}"),
    })
}

/// A step to take (if any), and a note on what the provider cannot PATCH.
type Written = (Option<Step>, Option<LeftAlone>);

/// What adopting the account `have` writes: the managed attributes that
/// differ from `want`, and the ownership rule's marker when it is one the
/// account lacks.
fn adoption_changes(want: &Value, have: &Value, options: &PlanOptions) -> Vec<Change> {
    let (mut changes, _) = changes_to(want, have, &options.managed);
    if let Ownership::Marker { path, value } = &options.ownership
        && get(have, path) != Some(value)
    {
        // A `null` the account holds is no value: written as `"from": null`
        // it would read back as none, and the plan's digest with it.
        changes.push(Change {
            path: path.clone(),
            value: Some(value.clone()),
            from: get(have, path).filter(|had| !had.is_null()).cloned(),
        });
    }
    changes
}

/// The write making `account` match `want` (and, `later`, have the
/// manager the plan creates): an update or adoption of an owned account;
/// for one the source does not own, an adoption when the options' rule
/// allows it and it writes the owned marker, else a [`Clash`] (`Err`).
/// Nothing to write is no step, owned or not.
fn write_step(
    key: &str,
    (want, later): (&Value, Option<&str>),
    account: &Account<'_>,
    rules: &Rules<'_>,
) -> Result<Result<Written, Clash>, PlanError> {
    let (profile, options, guard) = (rules.profile, rules.options, rules.guard);
    let (id, have) = (account.id, account.have);
    let (step, note) = update_step(key, want, (id, have), later, rules)?;
    if account.owned || !guard || step.is_none() {
        return Ok(Ok((step, note)));
    }
    let clash = |reason: String| Clash {
        key: key.to_owned(),
        group: false,
        id: id.to_owned(),
        user_name: text(have, "userName"),
        external_id: have
            .get("externalId")
            .and_then(Value::as_str)
            .map(str::to_owned),
        reason,
    };
    if let Some(reason) = account.out_of_scope {
        return Ok(Err(clash(reason.to_owned())));
    }
    if !options.adopt.allows(account.by) {
        return Ok(Err(clash(format!(
            "the source owns accounts with {}, and no adoption rule lets it take this one \
             (adopt unowned accounts met by {:?} to allow it)",
            options.ownership.describe(),
            account.by
        ))));
    }
    let (changes, note) = writable(adoption_changes(want, have, options), id, profile);
    if !options.ownership.marked_by(&changes) {
        return Ok(Err(clash(format!(
            "adopting it would not write the owned marker ({}) on {}",
            options.ownership.describe(),
            profile.name
        ))));
    }
    let patch = render(profile.patch, &changes, Some(have)).map_err(unwritable(id))?;
    let manager = later.map(|manager| rules.managers.link(manager, have, &changes));
    let step = Step::AdoptUser {
        key: key.to_owned(),
        id: id.to_owned(),
        changes,
        patch,
        manager,
    };
    Ok(Ok((Some(step), note)))
}

fn text(value: &Value, path: &str) -> String {
    get(value, path)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The desired users' match keys, in key order.
pub(crate) type DesiredKeys<'a> = SortedKeys<'a>;

/// The provider's accounts' match keys, in key order.
type CurrentKeys<'a> = SortedKeys<'a>;

/// The desired users' keys, in key order, to their index; refused when a
/// user has no key, or a key, login or primary address of a user before it.
///
/// One pass reads each user's key and the hashes of its login and address
/// (the attributes that must be unique besides the key): reading 100,000
/// scattered users once rather than three times was a tenth of a large
/// plan. Only when two keys or two hashes are equal does [`check_desired`]
/// find the first offender exactly.
fn index_desired<'a>(
    desired: &'a [User],
    options: &PlanOptions,
) -> Result<DesiredKeys<'a>, PlanError> {
    // The attribute that is the key is unique once the keys are.
    let unique = [MatchKey::UserName, MatchKey::PrimaryEmail];
    let mut hashes = unique.map(|attribute| {
        (attribute != options.match_key).then(|| DistinctHashes::with_capacity(desired.len()))
    });
    let mut keys = Vec::with_capacity(desired.len());
    for user in desired {
        keys.push(key_of(options.match_key, user));
        for (attribute, hashes) in unique.into_iter().zip(&mut hashes) {
            if let (Some(hashes), Some(value)) = (hashes, key_of(attribute, user)) {
                hashes.push(&value);
            }
        }
    }
    let keys = SortedKeys::new(keys);
    let distinct = keys.all_keyed()
        && keys.first_repeated().is_none()
        && hashes.into_iter().flatten().all(DistinctHashes::distinct);
    if !distinct {
        check_desired(desired, &keys, options.match_key)?;
    }
    Ok(keys)
}

/// The first desired user, in source order, without a key or with the key,
/// the login or the primary address of a user before it, refused.
fn check_desired<'a>(
    desired: &'a [User],
    keys: &SortedKeys<'a>,
    match_key: MatchKey,
) -> Result<(), PlanError> {
    let mut seen = HashSet::new();
    let (mut logins, mut emails) = (HashMap::new(), HashMap::new());
    for (index, user) in desired.iter().enumerate() {
        let key = keys.of(index).ok_or(PlanError::MissingKey {
            index,
            key: match_key,
        })?;
        if !seen.insert(key) {
            return Err(PlanError::DuplicateKey {
                key: key.to_owned(),
                side: "source",
            });
        }
        // The attribute that is the key is unique once the keys are.
        for (values, attribute) in [
            (&mut logins, MatchKey::UserName),
            (&mut emails, MatchKey::PrimaryEmail),
        ] {
            if attribute != match_key {
                unique(values, attribute, (user, index), keys)?;
            }
        }
    }
    Ok(())
}

/// Records `user`'s login (or primary email), refusing one a user before
/// it has: two desired users with one `userName` or mailbox would become
/// one account both overwrite. Compared lower-cased, as `userName` and
/// `emails.value` are `caseExact: false` (RFC 7643 §4.1.1, §4.1.2).
fn unique<'a>(
    seen: &mut HashMap<Cow<'a, str>, usize>,
    attribute: MatchKey,
    (user, index): (&'a User, usize),
    keys: &SortedKeys<'_>,
) -> Result<(), PlanError> {
    let Some(value) = key_of(attribute, user) else {
        return Ok(());
    };
    let key = |index: usize| keys.key(index).to_owned();
    match seen.entry(value) {
        Entry::Occupied(first) => Err(PlanError::DuplicateValue {
            attribute,
            value: first.key().clone().into_owned(),
            first: key(*first.get()),
            second: key(index),
        }),
        Entry::Vacant(entry) => {
            entry.insert(index);
            Ok(())
        }
    }
}

/// The provider's accounts' keys in key order; every account has an id,
/// and no two one key.
fn index_current<'a>(
    current: &'a [User],
    options: &PlanOptions,
) -> Result<CurrentKeys<'a>, PlanError> {
    let mut keys = Vec::with_capacity(current.len());
    for (index, user) in current.iter().enumerate() {
        if user.id.as_deref().is_none() {
            return Err(PlanError::MissingId { index });
        }
        keys.push(key_of(options.match_key, user));
    }
    let keys = SortedKeys::new(keys);
    match keys.first_repeated() {
        Some(key) => Err(PlanError::DuplicateKey {
            key: key.to_owned(),
            side: "provider",
        }),
        None => Ok(keys),
    }
}

/// The provider's accounts as they are read: their hashes and ownership
/// noted, each turned into JSON only when a desired user's write to it
/// (or its removal) is decided from JSON.
struct Seen<'a, 'o> {
    current: &'a [User],
    roots: &'o [&'o str],
    /// What of each account the fingerprint covers.
    coverage: Coverage<'o>,
    ownership: &'o Ownership,
    read: Vec<bool>,
    owned: usize,
    keep_owned_ids: bool,
    owned_ids: HashSet<String>,
    hashes: Vec<u64>,
    /// Per account, why it is out of scope (never owned), when it is.
    out_of_scope: Vec<Option<&'static str>>,
}

impl<'a, 'o> Seen<'a, 'o> {
    fn new(
        current: &'a [User],
        roots: &'o [&'o str],
        options: &'o PlanOptions,
        keep_owned_ids: bool,
    ) -> Seen<'a, 'o> {
        Seen {
            keep_owned_ids,
            current,
            roots,
            coverage: Coverage::new(options, roots),
            ownership: &options.ownership,
            read: vec![false; current.len()],
            owned: 0,
            owned_ids: HashSet::new(),
            hashes: Vec::with_capacity(current.len()),
            out_of_scope: vec![None; current.len()],
        }
    }

    /// Account `at`'s id, JSON, and whether the source owns it (its ids
    /// were checked by `index_current`).
    fn read(&mut self, at: usize) -> (&'a str, Value, bool) {
        let json = project_user(&self.current[at], self.roots);
        let owned = self.out_of_scope[at].is_none() && self.ownership.owns(&json);
        (self.note(at, owned), json, owned)
    }

    /// Account `at`'s id, read without JSON (it needs no write).
    fn pass(&mut self, at: usize) -> &'a str {
        let owned = self.owned_in_scope(at);
        self.note(at, owned)
    }

    /// Whether the source owns account `at` and it is in scope, read
    /// without JSON.
    fn owned_in_scope(&self, at: usize) -> bool {
        self.out_of_scope[at].is_none() && typed::owns(self.ownership, &self.current[at])
    }

    /// Notes account `at` as read: its hash, and whether it is `owned`.
    fn note(&mut self, at: usize, owned: bool) -> &'a str {
        let user = &self.current[at];
        let id = user.id.as_deref().unwrap_or_default();
        self.read[at] = true;
        self.hashes
            .push(resource_digest(Some(id), self.coverage.hash(user)));
        if owned {
            self.owned += 1;
            if self.keep_owned_ids {
                self.owned_ids.insert(id.to_owned());
            }
        }
        id
    }
}

/// The top-level attributes the planner reads of a user, sorted: the
/// managed ones (`options` localised to the profile's dialect), those it
/// matches and tells ownership by, and RFC 7643's enterprise URN where the
/// dialect writes another (a source user's extension is moved from it).
pub(crate) fn read_roots<'a>(options: &'a PlanOptions, profile: &Profile) -> Vec<&'a str> {
    let mut roots: Vec<&str> = options.managed.iter().map(|path| root(path)).collect();
    roots.extend(["externalId", "userName", "emails", "active"]);
    if let Ownership::Marker { path, .. } = &options.ownership {
        roots.push(root(path));
    }
    roots.extend(Enterprise::of(profile.dialect).source_root());
    roots.sort_unstable();
    roots.dedup();
    roots
}

fn root(path: &str) -> &str {
    split_root(path).map_or(path, |(root, _)| root)
}

/// The desired user's managed attributes (and `externalId`), as a create body.
fn managed_body(user: &Value, options: &PlanOptions) -> Value {
    let mut body = Map::new();
    for path in options
        .managed
        .iter()
        .map(String::as_str)
        .chain(["externalId"])
    {
        if let Some(value) = get(user, path).filter(|v| !v.is_null()) {
            set(&mut body, path, value.clone());
        }
    }
    Value::Object(body)
}

/// An update or adoption when anything managed differs (or, `later`, the
/// manager is a user the plan creates), and a note for a change the
/// provider cannot PATCH. The body is rendered against the account as it
/// is (`have`), so a sub-attribute's siblings are kept.
fn update_step(
    key: &str,
    want: &Value,
    (id, have): (&str, &Value),
    later: Option<&str>,
    rules: &Rules<'_>,
) -> Result<(Option<Step>, Option<LeftAlone>), PlanError> {
    let (changes, adopting) = changes_to(want, have, &rules.options.managed);
    let (changes, note) = writable(changes, id, rules.profile);
    let manager = later.map(|manager| rules.managers.link(manager, have, &changes));
    if changes.is_empty() && manager.is_none() {
        return Ok((None, note));
    }
    let patch = match changes.is_empty() {
        true => None,
        false => Some(render(rules.profile.patch, &changes, Some(have)).map_err(unwritable(id))?),
    };
    let (key, id) = (key.to_owned(), id.to_owned());
    let adopted = adopting && changes.first().is_some_and(|c| c.path == "externalId");
    let step = match patch {
        Some(patch) if adopted => Step::AdoptUser {
            key,
            id,
            changes,
            patch,
            manager,
        },
        patch => Step::UpdateUser {
            key,
            id: Ref::Id(id),
            changes,
            patch,
            manager,
        },
    };
    Ok((Some(step), note))
}

/// The managed attributes that differ, `externalId` first when the account
/// is being adopted (and whether it is).
fn changes_to(want: &Value, have: &Value, managed: &[String]) -> (Vec<Change>, bool) {
    let mut changes = diff(want, have, managed);
    let adopting = match (want.get("externalId"), have.get("externalId")) {
        (Some(Value::String(want)), have) => have.and_then(Value::as_str) != Some(want.as_str()),
        _ => false,
    };
    if adopting {
        changes.insert(
            0,
            Change {
                path: "externalId".into(),
                value: want.get("externalId").cloned(),
                from: have.get("externalId").cloned(),
            },
        );
    }
    (changes, adopting)
}

/// The changes the provider lets be PATCHed, and a note naming the others.
fn writable(changes: Vec<Change>, id: &str, profile: &Profile) -> (Vec<Change>, Option<LeftAlone>) {
    if changes
        .iter()
        .all(|change| profile.patch.can_patch(&change.path))
    {
        return (changes, None);
    }
    let (changes, refused): (Vec<Change>, Vec<Change>) = changes
        .into_iter()
        .partition(|change| profile.patch.can_patch(&change.path));
    let note = (!refused.is_empty()).then(|| LeftAlone {
        id: id.to_owned(),
        reason: format!(
            "{} cannot be PATCHed on {}",
            refused
                .iter()
                .map(|c| c.path.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            profile.name
        ),
    });
    (changes, note)
}

/// The planner's error for a change the renderer refused.
pub(crate) fn unwritable(id: &str) -> impl FnOnce(scim_client::Error) -> PlanError + '_ {
    move |error| PlanError::UnwritableChange {
        id: id.to_owned(),
        reason: error.to_string(),
    }
}

/// The managed attributes that differ: set where the source has a value,
/// cleared where it has `null` and the provider a value; absent in the
/// source means "not the source's to say".
pub(crate) fn diff(want: &Value, have: &Value, managed: &[String]) -> Vec<Change> {
    let mut changes = Vec::new();
    for path in managed {
        let Some(wanted) = get(want, path) else {
            continue;
        };
        let had = get(have, path).filter(|v| !v.is_null());
        match (wanted, had) {
            (Value::Object(parts), Some(Value::Object(held))) if split_root(path).is_none() => {
                for (name, wanted) in parts {
                    let had = held.get(name).filter(|v| !v.is_null());
                    changes.extend(change(format!("{path}.{name}"), wanted, had));
                }
            }
            _ => changes.extend(change(path.clone(), wanted, had)),
        }
    }
    changes
}

/// What makes `had` hold `wanted` at `path`, if anything: `null` clears.
///
/// A complex attribute or an extension managed whole, which the provider
/// holds already, is compared and written by the sub-attributes the source
/// gives ([`diff`]): both PATCH forms merge a complex value into the one
/// held (a `PatchOp` replace keeps the sub-attributes it does not name, RFC
/// 7644 §3.5.2.3; Slack v1's partial resource is merged likewise), so a
/// whole-value comparison planned the same write forever when the provider
/// held a sub-attribute the source does not give. One the source leaves
/// out is its "no opinion", as an empty cell is; one it gives as `null`
/// (`clear_empty`) is cleared by itself.
fn change(path: String, wanted: &Value, had: Option<&Value>) -> Option<Change> {
    let value = match (wanted.is_null(), had) {
        (true, Some(_)) => None,
        (true, None) => return None,
        (false, Some(had)) if equivalent(&path, wanted, had) => return None,
        (false, _) => Some(wanted.clone()),
    };
    Some(Change {
        path,
        value,
        from: had.cloned(),
    })
}

/// Equal as the provider means it: exactly (the common case, no copy),
/// once [`canonical`], or as RFC 7643 compares an extension's attributes
/// ([`enterprise::equivalent`]: text without regard to case, a manager by
/// its id).
fn equivalent(path: &str, a: &Value, b: &Value) -> bool {
    same(a, b)
        || (matches!(path, "userName" | "emails") && same(&canonical(path, a), &canonical(path, b)))
        || enterprise::equivalent(path, a, b)
}

/// A value as compared: `userName` and email addresses are not
/// case-sensitive (RFC 7643 §4.1.1 and §4.1.2, `caseExact: false`), so a
/// provider that lower-cases them shows no drift.
fn canonical<'a>(path: &str, value: &'a Value) -> Cow<'a, Value> {
    match (path, value) {
        ("userName", Value::String(name)) => Cow::Owned(Value::String(name.to_lowercase())),
        ("emails", Value::Array(emails)) => Cow::Owned(Value::Array(
            emails
                .iter()
                .map(|email| {
                    let mut email = email.clone();
                    if let Some(Value::String(address)) = email.get_mut("value") {
                        *address = address.to_lowercase();
                    }
                    email
                })
                .collect(),
        )),
        _ => Cow::Borrowed(value),
    }
}

/// Deactivations (or deletions) of owned accounts the source dropped,
/// within the rails; every other unmatched account is left alone, with why.
fn removals(
    seen: &mut Seen<'_, '_>,
    profile: &Profile,
    options: &PlanOptions,
    source_size: usize,
) -> Result<(Vec<Step>, Vec<LeftAlone>), PlanError> {
    let mut steps = Vec::new();
    let mut left_alone = Vec::new();
    for at in 0..seen.current.len() {
        if seen.read[at] {
            continue;
        }
        let out_of_scope = seen.out_of_scope[at];
        let (id, user, owned) = seen.read(at);
        match out_of_scope.or_else(|| why_left_alone(owned, &user, options)) {
            Some(reason) => left_alone.push(LeftAlone {
                id: id.to_owned(),
                reason: reason.into(),
            }),
            None => steps.push(removal(id, &user, profile, options)?),
        }
    }
    rails::check(steps.len(), seen.owned, source_size, options).map_err(PlanError::Rail)?;
    steps.sort_by_key(Step::resource);
    Ok((steps, left_alone))
}

fn why_left_alone(is_owned: bool, user: &Value, options: &PlanOptions) -> Option<&'static str> {
    if !is_owned {
        Some("not owned by the source")
    } else if user.get("active") == Some(&Value::Bool(false)) && !options.delete_instead {
        Some("already inactive")
    } else if !options.deactivate_missing {
        Some("deactivation is off")
    } else {
        None
    }
}

fn removal(
    id: &str,
    user: &Value,
    profile: &Profile,
    options: &PlanOptions,
) -> Result<Step, PlanError> {
    let (id, user_name) = (
        id.to_owned(),
        get(user, "userName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    );
    if options.delete_instead {
        return Ok(Step::DeleteUser { id, user_name });
    }
    let deactivate = Change {
        path: "active".into(),
        value: Some(Value::Bool(false)),
        from: user.get("active").cloned(),
    };
    let patch = render(profile.patch, &[deactivate], Some(user)).map_err(unwritable(&id))?;
    Ok(Step::DeactivateUser {
        id,
        user_name,
        patch,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use scim_client::model::{Field, Name, TypedValue};
    use serde_json::json;

    /// What planning `want` against `have` gave: the updates, the notes,
    /// where the key points, and what the fingerprint and rails saw.
    type Outcome = (
        Vec<Step>,
        Vec<LeftAlone>,
        HashMap<String, Ref>,
        Vec<u64>,
        usize,
    );

    /// `want` (met by key by `have`) planned from the typed values
    /// ([`met_typed`], which must decide it) and from JSON ([`plan_user`]).
    fn both_ways(want: &User, have: &User, profile: &Profile) -> (Outcome, Outcome) {
        let options = PlanOptions {
            ownership: Ownership::ExternalIdPrefix("hr:".into()),
            ..PlanOptions::default()
        };
        let (desired, current) = (std::slice::from_ref(want), std::slice::from_ref(have));
        let desired_keys = index_desired(desired, &options).expect("keys");
        let current_keys = index_current(current, &options).expect("keys");
        let managers = Managers::none(Enterprise::of(profile.dialect));
        let roots = read_roots(&options, profile);
        let unchanged = Unchanged::new(&roots, profile, &options, &managers);
        let rules = Rules::new(profile, &options, true, &desired_keys, &managers);
        let key = desired_keys.key(0);
        let outcome = |seen: Seen<'_, '_>, planned: Planned| {
            (
                planned.updates,
                planned.left_alone,
                planned.by_key,
                seen.hashes,
                seen.owned,
            )
        };
        let mut seen = Seen::new(current, &roots, &options, true);
        let mut planned = Planned::new(true);
        let typed = met_typed(
            (key, want),
            0,
            &unchanged,
            (&mut seen, &mut planned),
            &rules,
        );
        assert!(typed.expect("planned"), "decided from the typed values");
        let typed = outcome(seen, planned);
        let mut seen = Seen::new(current, &roots, &options, true);
        let mut planned = Planned::new(true);
        let mut holders = Holders::new(current, &options, true);
        let met = current_keys.get(key);
        assert_eq!(met, Some(0), "met by key");
        plan_user(
            (key, want),
            (met, &mut holders),
            &mut seen,
            &mut planned,
            &rules,
        )
        .expect("planned");
        (typed, outcome(seen, planned))
    }

    /// Every way a met user can differ gives the same plan from the typed
    /// values as from JSON, for the partial-resource PATCH (which sends a
    /// complex attribute whole) and RFC 7644's.
    #[test]
    fn a_changed_user_plans_alike_from_typed_values_and_from_json() {
        let have = User {
            id: "W1".into(),
            external_id: "hr:1".into(),
            user_name: "ada".into(),
            display_name: "Ada".into(),
            title: "Engineer".into(),
            active: true.into(),
            name: Name {
                given_name: "Ada".into(),
                family_name: "Lovelace".into(),
                ..Name::default()
            }
            .into(),
            emails: vec![TypedValue {
                value: "ada@x.test".into(),
                primary: true.into(),
                ..TypedValue::default()
            }]
            .into(),
            ..User::default()
        };
        let desired = User {
            id: Field::Absent,
            ..have.clone()
        };
        let mut wants = vec![
            User {
                title: "Countess".into(),
                ..desired.clone()
            },
            User {
                title: Field::Null,
                ..desired.clone()
            },
            User {
                title: Field::Absent,
                active: false.into(),
                ..desired.clone()
            },
            User {
                user_name: "ADA".into(),
                ..desired.clone()
            },
            User {
                name: Name {
                    given_name: "Augusta".into(),
                    ..Name::default()
                }
                .into(),
                ..desired.clone()
            },
            User {
                emails: vec![TypedValue {
                    value: "ADA@x.test".into(),
                    primary: true.into(),
                    ..TypedValue::default()
                }]
                .into(),
                ..desired.clone()
            },
            User {
                nick_name: "Countess".into(),
                display_name: "A. L.".into(),
                ..desired.clone()
            },
        ];
        let mut extra = desired.clone();
        extra.extra.insert("title".into(), json!("Analyst"));
        wants.push(extra);
        for profile in [
            Profile::slack_v1(),
            Profile::generic_scim2("https://scim.test/v2"),
        ] {
            for want in &wants {
                let (typed, json) = both_ways(want, &have, &profile);
                assert_eq!(typed, json, "{} {want:?}", profile.name);
            }
        }
        // One of them writes nothing: a login differing only in case.
        let (typed, _) = both_ways(&wants[3], &have, &Profile::slack_v1());
        assert!(typed.0.is_empty());
        let (typed, _) = both_ways(&wants[4], &have, &Profile::slack_v1());
        assert_eq!(typed.0.len(), 1, "a new given name is one update");
    }
}
