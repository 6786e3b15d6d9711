//! The in-memory service's resources: storage, versions, queries, projection.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use super::filter_eval::{matches, values};
use super::patch::{PatchBody, apply, apply_v1, existing_key};
use super::{Failure, Reply, discovery};
use scim_client::Dialect;
use scim_client::filter::{AttrPath, Filter};
use scim_client::model::{
    CORE_V1, GROUP_V2, LIST_RESPONSE, PatchOperation, PatchPath, SearchRequest, SortOrder, USER_V2,
};
use scim_client::profile::{Pagination, Profile};

/// Which resources.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `/Users`.
    Users,
    /// `/Groups`.
    Groups,
    /// A type added with [`InMemoryService::add_resource_type`](crate::InMemoryService::add_resource_type).
    Custom(CustomKind),
}

/// Names a resource type added to one service; only that service makes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CustomKind(usize);

/// A resource type beyond users and groups (RFC 7643 §6): it has no
/// required attribute and no uniqueness rule, only ids, versions and meta.
#[derive(Debug)]
struct CustomType {
    name: String,
    endpoint: String,
    schema: String,
    resources: BTreeMap<String, Resource>,
}

type Resource = Map<String, Value>;

#[derive(Debug)]
pub(crate) struct Store {
    dialect: Dialect,
    users: BTreeMap<String, Resource>,
    groups: BTreeMap<String, Resource>,
    custom: Vec<CustomType>,
    /// Lower-cased userName to id, for uniqueness.
    user_names: HashMap<String, String>,
    next_id: u64,
    /// A storage-wide counter: every write gets the next version.
    next_version: u64,
    /// How lists are paged.
    paging: Paging,
    /// The most member changes one group PATCH may carry.
    max_member_changes: Option<usize>,
    /// The spellings `/ServiceProviderConfig` is served at.
    service_provider_config: Vec<String>,
}

/// How the service pages lists: by index, by cursor (RFC 9865), or both,
/// and how large a page may be.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Paging {
    /// `startIndex` is honoured.
    pub(crate) index: bool,
    /// `cursor` is honoured and `nextCursor` given.
    pub(crate) cursor: bool,
    /// The largest page served (a larger `count` is read as this).
    pub(crate) max_page_size: usize,
    /// The page size when the request names none.
    pub(crate) default_page_size: usize,
    /// Whether `/ServiceProviderConfig` announces all this (RFC 9865 §4).
    pub(crate) announced: bool,
}

impl Paging {
    /// Index paging up to [`discovery::MAX_RESULTS`], as the dialect serves by default.
    fn of_dialect(dialect: Dialect) -> Paging {
        // Slack serves 10 by default and reads anything above 1000 as 1000.
        let default_page_size = if dialect == Dialect::SlackV1 {
            10
        } else {
            discovery::MAX_RESULTS
        };
        Paging {
            index: true,
            cursor: false,
            max_page_size: discovery::MAX_RESULTS,
            default_page_size,
            announced: false,
        }
    }

    /// The profile's pagination and page cap (at most
    /// [`discovery::MAX_RESULTS`], at least 1).
    fn of_profile(profile: &Profile) -> Paging {
        let dialect = Paging::of_dialect(profile.dialect);
        let max_page_size = profile
            .max_page_size
            .map_or(discovery::MAX_RESULTS, |max| {
                usize::try_from(max).unwrap_or(usize::MAX)
            })
            .clamp(1, discovery::MAX_RESULTS);
        Paging {
            index: profile.pagination != Pagination::Cursor,
            cursor: profile.pagination.uses_cursor(),
            max_page_size,
            default_page_size: dialect.default_page_size.min(max_page_size),
            announced: true,
        }
    }
}

impl Store {
    pub(crate) fn new(dialect: Dialect) -> Store {
        Store {
            dialect,
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
            custom: Vec::new(),
            user_names: HashMap::new(),
            next_id: 0,
            next_version: 0,
            paging: Paging::of_dialect(dialect),
            max_member_changes: None,
            service_provider_config: vec![
                "ServiceProviderConfig".to_owned(),
                "ServiceProviderConfigs".to_owned(),
            ],
        }
    }

    /// A store that pages, limits PATCHes and spells discovery as `profile` does.
    pub(crate) fn for_profile(profile: &Profile) -> Store {
        let path = profile.service_provider_config_path.trim_matches('/');
        let spelling = path.rsplit('/').next().unwrap_or(path);
        Store {
            paging: Paging::of_profile(profile),
            max_member_changes: profile.max_member_changes,
            service_provider_config: vec![spelling.to_owned()],
            ..Store::new(profile.dialect)
        }
    }

    pub(crate) fn paging(&self) -> &Paging {
        &self.paging
    }

    /// True when `segment` names `/ServiceProviderConfig` here.
    pub(crate) fn is_service_provider_config(&self, segment: &str) -> bool {
        self.service_provider_config.iter().any(|s| s == segment)
    }

    /// True when a group with this id is stored.
    pub(crate) fn is_group(&self, id: &str) -> bool {
        self.groups.contains_key(id)
    }

    fn v2(&self) -> bool {
        self.dialect != Dialect::SlackV1
    }

    pub(crate) fn len(&self, kind: Kind) -> usize {
        self.map(kind).len()
    }

    /// Serves a new resource type at `/{endpoint}`; the same endpoint twice
    /// gives the type already there.
    pub(crate) fn add_type(&mut self, name: &str, endpoint: &str, schema: &str) -> Kind {
        let at = self.custom.iter().position(|t| t.endpoint == endpoint);
        let index = at.unwrap_or_else(|| {
            self.custom.push(CustomType {
                name: name.to_owned(),
                endpoint: endpoint.to_owned(),
                schema: schema.to_owned(),
                resources: BTreeMap::new(),
            });
            self.custom.len() - 1
        });
        Kind::Custom(CustomKind(index))
    }

    /// The kind served at `segment`, the first path segment after the base URL.
    pub(crate) fn kind_at(&self, segment: &str) -> Option<Kind> {
        match segment {
            "Users" => Some(Kind::Users),
            "Groups" => Some(Kind::Groups),
            _ => self
                .custom
                .iter()
                .position(|t| t.endpoint == segment)
                .map(|i| Kind::Custom(CustomKind(i))),
        }
    }

    fn endpoint(&self, kind: Kind) -> &str {
        match kind {
            Kind::Users => "Users",
            Kind::Groups => "Groups",
            Kind::Custom(CustomKind(i)) => &self.custom[i].endpoint,
        }
    }

    fn resource_type(&self, kind: Kind) -> &str {
        match kind {
            Kind::Users => "User",
            Kind::Groups => "Group",
            Kind::Custom(CustomKind(i)) => &self.custom[i].name,
        }
    }

    /// The `/ResourceTypes` documents of the added types.
    pub(crate) fn custom_resource_types(&self) -> Vec<Value> {
        self.custom
            .iter()
            .map(|t| {
                json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
                    "id": t.name, "name": t.name, "endpoint": format!("/{}", t.endpoint), "schema": t.schema
                })
            })
            .collect()
    }

    /// A kind another service made (a caller's mistake) reads as empty.
    fn map(&self, kind: Kind) -> &BTreeMap<String, Resource> {
        static NONE: BTreeMap<String, Resource> = BTreeMap::new();
        match kind {
            Kind::Users => &self.users,
            Kind::Groups => &self.groups,
            Kind::Custom(CustomKind(i)) => self.custom.get(i).map_or(&NONE, |t| &t.resources),
        }
    }

    // The methods below take kinds from `kind_at`, that is from this store's
    // own routes: a custom index is always in range there.

    fn map_mut(&mut self, kind: Kind) -> &mut BTreeMap<String, Resource> {
        match kind {
            Kind::Users => &mut self.users,
            Kind::Groups => &mut self.groups,
            Kind::Custom(CustomKind(i)) => &mut self.custom[i].resources,
        }
    }

    fn new_id(&mut self, kind: Kind) -> String {
        self.next_id += 1;
        match (self.dialect, kind) {
            // Slack's ids: users W…, groups S…, sortable by creation.
            (Dialect::SlackV1 | Dialect::SlackV2, Kind::Users) => format!("W{:010X}", self.next_id),
            (Dialect::SlackV1 | Dialect::SlackV2, Kind::Groups) => {
                format!("S{:010X}", self.next_id)
            }
            (Dialect::Scim2, _) | (_, Kind::Custom(_)) => format!("{:032x}", self.next_id),
        }
    }

    /// The next version and the logical time of the write.
    fn tick(&mut self) -> (String, String) {
        self.next_version += 1;
        (
            format!("W/\"{}\"", self.next_version),
            logical_time(self.next_version),
        )
    }

    pub(crate) fn read(&self, kind: Kind, id: &str) -> Result<Resource, Failure> {
        self.map(kind)
            .get(id)
            .cloned()
            .ok_or_else(|| Failure::not_found(&format!("{} {id:?}", self.resource_type(kind))))
    }

    pub(crate) fn create(
        &mut self,
        kind: Kind,
        body: Value,
        origin: &str,
    ) -> Result<Resource, Failure> {
        let mut resource = object(body)?;
        resource.remove("id");
        resource.remove("meta");
        self.check(kind, &resource, None)?;
        if !resource.contains_key("schemas") {
            let schema = match (self.v2(), kind) {
                (_, Kind::Custom(CustomKind(i))) => self.custom[i].schema.as_str(),
                (false, _) => CORE_V1,
                (true, Kind::Users) => USER_V2,
                (true, Kind::Groups) => GROUP_V2,
            };
            resource.insert("schemas".into(), json!([schema]));
        }
        if kind == Kind::Users && !self.v2() && !resource.contains_key("active") {
            resource.insert("active".into(), Value::Bool(true));
        }
        let id = self.new_id(kind);
        let (version, now) = self.tick();
        resource.insert("id".into(), Value::from(id.clone()));
        let location = format!("{origin}/{}/{id}", self.endpoint(kind));
        let meta = if self.v2() {
            json!({"resourceType": self.resource_type(kind), "created": now, "lastModified": now, "location": location, "version": version})
        } else {
            json!({"created": now, "location": location})
        };
        resource.insert("meta".into(), meta);
        self.store(kind, id, resource.clone());
        Ok(resource)
    }

    /// Checks the rules a write must keep: required attributes, unique userName.
    fn check(&self, kind: Kind, resource: &Resource, id: Option<&str>) -> Result<(), Failure> {
        let required = match kind {
            Kind::Users => "userName",
            Kind::Groups => "displayName",
            Kind::Custom(_) => return Ok(()),
        };
        let value = existing_key(resource, required)
            .and_then(|k| resource.get(&k))
            .and_then(Value::as_str);
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            return Err(Failure::new(
                400,
                Some("invalidValue"),
                format!("{required} is required"),
            ));
        };
        if kind == Kind::Users {
            if let Some(owner) = self.user_names.get(&unique_key(value)) {
                if Some(owner.as_str()) != id {
                    return Err(Failure::new(
                        409,
                        Some("uniqueness"),
                        format!("userName {value:?} is already in use"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Stores `resource` under `id`, moving its userName in the index:
    /// the name it had is released and the one it has is claimed, each in
    /// one lookup.
    fn store(&mut self, kind: Kind, id: String, resource: Resource) {
        if kind == Kind::Users {
            let new_name = user_name_key(&resource);
            let old_name = self.users.get(&id).and_then(user_name_key);
            if let Some(old_name) = old_name.filter(|old| Some(old) != new_name.as_ref()) {
                self.release_user_name(&old_name, &id);
            }
            if let Some(name) = new_name {
                self.user_names.insert(name, id.clone());
            }
        }
        self.map_mut(kind).insert(id, resource);
    }

    /// Forgets `name` in the index when `id` holds it.
    fn release_user_name(&mut self, name: &str, id: &str) {
        if self.user_names.get(name).is_some_and(|owner| owner == id) {
            self.user_names.remove(name);
        }
    }

    fn check_version(
        &self,
        kind: Kind,
        id: &str,
        if_match: Option<&str>,
    ) -> Result<Resource, Failure> {
        let current = self.read(kind, id)?;
        if let Some(tag) = if_match {
            if tag != "*" && Some(tag) != version_of(&current).as_deref() {
                return Err(Failure::new(
                    412,
                    None,
                    "Failed to update. Resource has changed on the server",
                ));
            }
        }
        Ok(current)
    }

    /// Stamps a changed resource with a new version and stores it.
    fn commit(
        &mut self,
        kind: Kind,
        id: &str,
        mut resource: Resource,
        previous: &Resource,
    ) -> Result<Resource, Failure> {
        resource.insert("id".into(), Value::from(id));
        self.check(kind, &resource, Some(id))?;
        let (version, now) = self.tick();
        let mut meta = previous.get("meta").cloned().unwrap_or_else(|| json!({}));
        if self.v2() {
            meta["lastModified"] = Value::from(now);
            meta["version"] = Value::from(version);
        }
        resource.insert("meta".into(), meta);
        self.store(kind, id.to_owned(), resource.clone());
        Ok(resource)
    }

    pub(crate) fn replace(
        &mut self,
        kind: Kind,
        id: &str,
        body: Value,
        if_match: Option<&str>,
    ) -> Result<Resource, Failure> {
        let previous = self.check_version(kind, id, if_match)?;
        let mut resource = object(body)?;
        resource.remove("meta");
        if !resource.contains_key("schemas") {
            resource.insert(
                "schemas".into(),
                previous
                    .get("schemas")
                    .cloned()
                    .unwrap_or_else(|| json!([])),
            );
        }
        self.commit(kind, id, resource, &previous)
    }

    pub(crate) fn patch(
        &mut self,
        kind: Kind,
        id: &str,
        body: Value,
        if_match: Option<&str>,
    ) -> Result<Resource, Failure> {
        let previous = self.check_version(kind, id, if_match)?;
        let mut resource = previous.clone();
        match PatchBody::parse(body, self.v2())? {
            PatchBody::Operations(patch) => {
                if kind == Kind::Groups {
                    let changes = patch
                        .operations
                        .iter()
                        .fold(0usize, |n, op| n.saturating_add(member_changes(op)));
                    self.check_member_changes(changes)?;
                }
                for operation in &patch.operations {
                    apply(&mut resource, operation)?;
                }
            }
            PatchBody::Partial(partial) => {
                if kind == Kind::Groups {
                    let members = existing_key(&partial, "members").and_then(|k| partial.get(&k));
                    self.check_member_changes(members.map_or(0, count_values))?;
                }
                apply_v1(&mut resource, partial)?;
            }
        }
        self.commit(kind, id, resource, &previous)
    }

    /// Refuses a group PATCH with more member changes than the profile allows.
    fn check_member_changes(&self, changes: usize) -> Result<(), Failure> {
        match self.max_member_changes {
            Some(max) if changes > max => Err(Failure::new(
                400,
                Some("tooMany"),
                format!("{changes} member changes in one request; at most {max} are allowed"),
            )),
            _ => Ok(()),
        }
    }

    pub(crate) fn delete(
        &mut self,
        kind: Kind,
        id: &str,
        if_match: Option<&str>,
    ) -> Result<(), Failure> {
        self.check_version(kind, id, if_match)?;
        let removed = self.map_mut(kind).remove(id);
        if let Some(name) = removed
            .filter(|_| kind == Kind::Users)
            .as_ref()
            .and_then(user_name_key)
        {
            self.release_user_name(&name, id);
        }
        Ok(())
    }

    /// Slack v1's DELETE /Users: the user stays, inactive.
    pub(crate) fn deactivate(&mut self, id: &str) -> Result<(), Failure> {
        let previous = self.read(Kind::Users, id)?;
        let mut resource = previous.clone();
        resource.insert("active".into(), Value::Bool(false));
        self.commit(Kind::Users, id, resource, &previous).map(drop)
    }

    pub(crate) fn list(&self, kind: Kind, query: &Query) -> Result<Value, Failure> {
        // One kind's map iterates in id order: cursors can name the last id.
        self.page(self.map(kind).values(), query, true)
    }

    /// `POST /.search`: every resource type together.
    pub(crate) fn list_all(&self, query: &Query) -> Result<Value, Failure> {
        let custom = self.custom.iter().flat_map(|t| t.resources.values());
        let all = self
            .users
            .values()
            .chain(self.groups.values())
            .chain(custom);
        self.page(all, query, false)
    }

    /// One page of the matches. Unsorted, it keeps only the page while
    /// counting the rest, so an answer costs memory for one page whatever
    /// the store holds.
    ///
    /// `by_id` says the resources come in id order; then an unsorted
    /// list's cursor names the last id served (a keyset), so resources
    /// added or removed between pages neither shift nor repeat the rest.
    /// Otherwise a cursor holds an offset into the matches.
    fn page<'a>(
        &self,
        resources: impl Iterator<Item = &'a Resource>,
        query: &Query,
        by_id: bool,
    ) -> Result<Value, Failure> {
        let keyset = by_id && query.sort_by.is_none();
        let (skip, after) = match &query.position {
            Position::Index(start) => (start.saturating_sub(1), None),
            Position::Cursor(CursorAt::First) => (0, None),
            Position::Cursor(CursorAt::Offset(offset)) => (*offset, None),
            Position::Cursor(CursorAt::AfterId(id)) if keyset => (0, Some(id.as_str())),
            Position::Cursor(CursorAt::AfterId(_)) => {
                return Err(invalid_cursor("the cursor belongs to another list"));
            }
        };
        let wanted = |r: &&Resource| query.filter.as_ref().is_none_or(|f| matches(f, r));
        let mut total: usize = 0;
        let mut before: usize = 0;
        let mut more = false;
        let selected: Vec<&Resource> = match &query.sort_by {
            None => {
                let mut selected = Vec::with_capacity(query.count.min(discovery::MAX_RESULTS));
                for resource in resources.filter(wanted) {
                    total = total.saturating_add(1);
                    let is_before = match after {
                        Some(after) => id_of(resource) <= after,
                        None => before < skip,
                    };
                    if is_before {
                        before = before.saturating_add(1);
                    } else if selected.len() < query.count {
                        selected.push(resource);
                    } else {
                        more = true;
                    }
                }
                selected
            }
            Some(sort_by) => {
                let mut found: Vec<&Resource> = resources.filter(wanted).collect();
                found.sort_by(|a, b| compare_for_sort(a, b, sort_by));
                if query.descending {
                    found.reverse();
                }
                total = found.len();
                before = skip.min(total);
                let selected: Vec<&Resource> =
                    found.into_iter().skip(before).take(query.count).collect();
                more = before.saturating_add(selected.len()) < total;
                selected
            }
        };
        let next_cursor = match selected.last() {
            Some(last) if more && query.next_cursor => Some(if keyset {
                encode_id_cursor(id_of(last))
            } else {
                encode_offset_cursor(before.saturating_add(selected.len()))
            }),
            _ => None,
        };
        let page: Vec<Value> = selected
            .into_iter()
            .map(|r| Value::Object(query.projection.apply(r.clone())))
            .collect();
        let mut body = if self.v2() {
            json!({"schemas": [LIST_RESPONSE], "totalResults": total, "itemsPerPage": page.len(), "Resources": page})
        } else {
            json!({"totalResults": total, "itemsPerPage": page.len(), "schemas": [CORE_V1], "Resources": page})
        };
        if let Position::Index(start) = query.position {
            body["startIndex"] = Value::from(start);
        }
        if let Some(cursor) = next_cursor {
            body["nextCursor"] = Value::from(cursor);
        }
        Ok(body)
    }
}

/// A userName as the index holds it: lower-cased, since userName is
/// unique without regard to case (RFC 7643 §4.1.1, `caseExact: false`).
fn unique_key(name: &str) -> String {
    name.to_lowercase()
}

/// The index key of a user's userName, its key found without regard to
/// case as [`Store::check`] finds it.
fn user_name_key(resource: &Resource) -> Option<String> {
    existing_key(resource, "userName")
        .and_then(|key| resource.get(&key))
        .and_then(Value::as_str)
        .map(unique_key)
}

fn id_of(resource: &Resource) -> &str {
    resource
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// How many member values one PATCH operation adds, replaces or removes:
/// every value of a `members` path or of a path-less `members` key; a
/// value-filter path (`members[value eq "x"]`), or a `remove` of `members`
/// without a value (every member at once), counts as one.
fn member_changes(op: &PatchOperation) -> usize {
    let is_members = |path: &AttrPath| {
        path.name.eq_ignore_ascii_case("members")
            && path
                .urn
                .as_deref()
                .is_none_or(|urn| urn.eq_ignore_ascii_case(GROUP_V2))
    };
    match op.parsed_path() {
        Ok(Some(PatchPath::Attr(path))) if is_members(&path) => {
            op.value.as_ref().map_or(1, count_values)
        }
        Ok(Some(PatchPath::ValueFilter { attr, .. })) if is_members(&attr) => 1,
        Ok(None) => match &op.value {
            Some(Value::Object(attributes)) => attributes
                .iter()
                .filter(|(key, _)| AttrPath::parse(key).is_ok_and(|p| is_members(&p)))
                .fold(0usize, |n, (_, value)| {
                    n.saturating_add(count_values(value))
                }),
            _ => 0,
        },
        _ => 0,
    }
}

/// The values of a multi-valued attribute's value: an array's items, or one.
fn count_values(value: &Value) -> usize {
    match value {
        Value::Array(items) => items.len(),
        _ => 1,
    }
}

/// Where a list page starts.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Position {
    /// At this 1-based index (RFC 7644 §3.4.2.4).
    Index(usize),
    /// At a cursor (RFC 9865).
    Cursor(CursorAt),
}

/// What a cursor this service gave holds.
#[derive(Clone, Debug, PartialEq, Eq)]
enum CursorAt {
    /// The first page (no cursor, or an empty one).
    First,
    /// After this id, in id order (`k` and the id's bytes in hex).
    AfterId(String),
    /// After this many matches (`o` and the number in base 36).
    Offset(usize),
}

fn invalid_cursor(detail: &str) -> Failure {
    Failure::new(400, Some("invalidCursor"), detail)
}

fn encode_id_cursor(id: &str) -> String {
    let mut cursor = String::with_capacity(id.len().saturating_mul(2).saturating_add(1));
    cursor.push('k');
    for byte in id.bytes() {
        cursor.push_str(&format!("{byte:02x}"));
    }
    cursor
}

fn encode_offset_cursor(mut offset: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut digits = Vec::new();
    loop {
        digits.push(DIGITS[offset % 36]);
        offset /= 36;
        if offset == 0 {
            break;
        }
    }
    digits.push(b'o');
    digits.iter().rev().map(|&d| char::from(d)).collect()
}

/// Reads a cursor this service gave; anything else is `invalidCursor`.
fn decode_cursor(text: &str) -> Result<CursorAt, Failure> {
    let malformed = || invalid_cursor("the cursor is not one this service gave");
    if text.is_empty() {
        return Ok(CursorAt::First);
    }
    if let Some(hex) = text.strip_prefix('k') {
        let digits = hex.as_bytes();
        if digits.is_empty() || digits.len() % 2 != 0 {
            return Err(malformed());
        }
        let bytes = digits
            .chunks(2)
            .map(|pair| {
                let high = char::from(pair[0]).to_digit(16)?;
                let low = char::from(pair[1]).to_digit(16)?;
                u8::try_from(high * 16 + low).ok()
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(malformed)?;
        return String::from_utf8(bytes)
            .map(CursorAt::AfterId)
            .map_err(|_| malformed());
    }
    if let Some(digits) = text.strip_prefix('o') {
        let valid = !digits.is_empty()
            && digits
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
        if valid {
            return usize::from_str_radix(digits, 36)
                .map(CursorAt::Offset)
                .map_err(|_| malformed());
        }
    }
    Err(malformed())
}

/// The body as a JSON object, or `invalidSyntax`.
fn object(body: Value) -> Result<Resource, Failure> {
    match body {
        Value::Object(resource) => Ok(resource),
        _ => Err(Failure::new(
            400,
            Some("invalidSyntax"),
            "a resource must be a JSON object",
        )),
    }
}

/// Sorts on the first value the path reaches; resources without one go last.
fn compare_for_sort(a: &Resource, b: &Resource, path: &AttrPath) -> Ordering {
    let key = |r: &Resource| values(r, path).into_iter().find(|v| !v.is_null()).cloned();
    match (key(a), key(b)) {
        (Some(Value::String(x)), Some(Value::String(y))) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(x), Some(y)) => x.to_string().cmp(&y.to_string()),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
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

/// A resource answer, with `ETag` (SCIM 2.0) and `Location` headers.
pub(crate) fn resource_reply(status: u16, resource: Resource, v2: bool) -> Reply {
    let etag = if v2 { version_of(&resource) } else { None };
    let location = resource
        .get("meta")
        .and_then(|m| m.get("location"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Reply {
        status,
        body: Some(Value::Object(resource)),
        etag,
        location: if status == 201 { location } else { None },
    }
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

/// Which attributes an answer carries (RFC 7644 §3.9).
#[derive(Clone, Debug, Default)]
pub(crate) struct Projection {
    attributes: Vec<AttrPath>,
    excluded: Vec<AttrPath>,
}

impl Projection {
    pub(crate) fn from_params(params: &HashMap<String, String>) -> Projection {
        let paths = |name: &str| -> Vec<AttrPath> {
            params
                .get(name)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|a| !a.is_empty())
                        .map(AttrPath::new)
                        .collect()
                })
                .unwrap_or_default()
        };
        Projection {
            attributes: paths("attributes"),
            excluded: paths("excludedAttributes"),
        }
    }

    pub(crate) fn is_some(&self) -> bool {
        !self.attributes.is_empty() || !self.excluded.is_empty()
    }

    pub(crate) fn apply(&self, mut resource: Resource) -> Resource {
        if !self.attributes.is_empty() {
            let mut kept = Resource::new();
            for always in ["id", "schemas"] {
                if let Some(value) = resource.get(always) {
                    kept.insert(always.into(), value.clone());
                }
            }
            for path in &self.attributes {
                copy_path(&resource, &mut kept, path);
            }
            resource = kept;
        }
        for path in &self.excluded {
            if path.urn.is_none() && (path.name == "id" || path.name == "schemas") {
                continue;
            }
            remove_path(&mut resource, path);
        }
        resource
    }
}

fn copy_path(from: &Resource, to: &mut Resource, path: &AttrPath) {
    let (source, target) = match &path.urn {
        Some(urn) if !urn.to_ascii_lowercase().contains(":core:") => {
            let Some(key) = existing_key(from, urn) else {
                return;
            };
            let Some(Value::Object(source)) = from.get(&key) else {
                return;
            };
            let target = to.entry(key).or_insert_with(|| json!({}));
            let Value::Object(target) = target else {
                return;
            };
            copy_attribute(source, target, path);
            return;
        }
        _ => (from, to),
    };
    copy_attribute(source, target, path);
}

fn copy_attribute(source: &Resource, target: &mut Resource, path: &AttrPath) {
    let Some(key) = existing_key(source, &path.name) else {
        return;
    };
    let Some(value) = source.get(&key) else {
        return;
    };
    let Some(sub) = &path.sub_attr else {
        target.insert(key, value.clone());
        return;
    };
    let pick = |object: &Resource| -> Value {
        let mut picked = Resource::new();
        if let Some(sub_key) = existing_key(object, sub) {
            picked.insert(sub_key.clone(), object[&sub_key].clone());
        }
        Value::Object(picked)
    };
    let selected = match value {
        Value::Object(object) => pick(object),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .filter_map(Value::as_object)
                .map(pick)
                .collect(),
        ),
        other => other.clone(),
    };
    target.insert(key, selected);
}

fn remove_path(resource: &mut Resource, path: &AttrPath) {
    let container = match &path.urn {
        Some(urn) if !urn.to_ascii_lowercase().contains(":core:") => {
            match existing_key(resource, urn).and_then(|k| resource.get_mut(&k)) {
                Some(Value::Object(extension)) => extension,
                _ => return,
            }
        }
        _ => resource,
    };
    let Some(key) = existing_key(container, &path.name) else {
        return;
    };
    match (&path.sub_attr, container.get_mut(&key)) {
        (None, _) => {
            container.remove(&key);
        }
        (Some(sub), Some(Value::Object(object))) => {
            if let Some(sub_key) = existing_key(object, sub) {
                object.remove(&sub_key);
            }
        }
        (Some(sub), Some(Value::Array(items))) => {
            for object in items.iter_mut().filter_map(Value::as_object_mut) {
                if let Some(sub_key) = existing_key(object, sub) {
                    object.remove(&sub_key);
                }
            }
        }
        _ => {}
    }
}

/// A list request: filter, sort, page and projection.
#[derive(Debug)]
pub(crate) struct Query {
    filter: Option<Filter>,
    sort_by: Option<AttrPath>,
    descending: bool,
    position: Position,
    /// Whether a page that is not the last names the next (RFC 9865).
    next_cursor: bool,
    count: usize,
    projection: Projection,
}

impl Query {
    /// A list request's query string, paged as `paging` says.
    pub(crate) fn from_params(
        params: &HashMap<String, String>,
        dialect: Dialect,
        paging: &Paging,
    ) -> Result<Query, Failure> {
        let number = |name: &str| -> Result<Option<i64>, Failure> {
            params
                .get(name)
                .map(|v| {
                    v.trim().parse::<i64>().map_err(|_| {
                        Failure::new(
                            400,
                            Some("invalidValue"),
                            format!("{name} must be an integer"),
                        )
                    })
                })
                .transpose()
        };
        let search = SearchRequest {
            filter: params.get("filter").cloned(),
            sort_by: params.get("sortBy").cloned(),
            sort_order: params.get("sortOrder").map(|o| {
                if o.eq_ignore_ascii_case("descending") {
                    SortOrder::Descending
                } else {
                    SortOrder::Ascending
                }
            }),
            // A cursor-only service ignores `startIndex`, whatever it holds.
            start_index: match paging.index {
                true => number("startIndex")?.map(|n| n.clamp(1, i64::from(u32::MAX)) as u32),
                false => None,
            },
            count: number("count")?.map(|n| n.clamp(0, i64::from(u32::MAX)) as u32),
            cursor: params.get("cursor").cloned(),
            ..SearchRequest::new()
        };
        let mut query = Query::from_search(&search, dialect, paging)?;
        query.projection = Projection::from_params(params);
        Ok(query)
    }

    /// A search request (its `cursor` included), paged as `paging` says.
    pub(crate) fn from_search(
        search: &SearchRequest,
        dialect: Dialect,
        paging: &Paging,
    ) -> Result<Query, Failure> {
        let filter = match &search.filter {
            Some(text) => Some(text.parse::<Filter>().map_err(|e| match dialect {
                Dialect::SlackV1 => {
                    Failure::new(400, Some("invalidFilter"), format!("no_filters ({e})"))
                }
                _ => Failure::new(400, Some("invalidFilter"), e.to_string()),
            })?),
            None => None,
        };
        let sort_by = match &search.sort_by {
            Some(path) => Some(
                AttrPath::parse(path)
                    .map_err(|e| Failure::new(400, Some("invalidPath"), e.message))?,
            ),
            None => None,
        };
        let count = search
            .count
            .map_or(paging.default_page_size, |c| {
                usize::try_from(c).unwrap_or(usize::MAX)
            })
            .min(paging.max_page_size);
        // Cursor-only: always a cursor, the first page without one. Both:
        // a cursor when the request sends one, else the index.
        let position = match (paging.cursor, search.cursor.as_deref()) {
            (true, Some(cursor)) => Position::Cursor(decode_cursor(cursor)?),
            (true, None) if !paging.index => Position::Cursor(CursorAt::First),
            _ => {
                let start = search.start_index.unwrap_or(1).max(1);
                Position::Index(usize::try_from(start).unwrap_or(usize::MAX))
            }
        };
        let join = |paths: &[String]| paths.iter().map(|p| AttrPath::new(p)).collect();
        Ok(Query {
            filter,
            sort_by,
            descending: search.sort_order == Some(SortOrder::Descending),
            position,
            next_cursor: paging.cursor,
            count,
            projection: Projection {
                attributes: join(&search.attributes),
                excluded: join(&search.excluded_attributes),
            },
        })
    }
}
