//! The in-memory service's resources: storage, versions, queries, projection.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use super::filter_eval::{matches, values};
use super::patch::{apply, apply_v1, existing_key};
use super::{Failure, Reply, discovery};
use scim_client::Dialect;
use scim_client::filter::{AttrPath, Filter};
use scim_client::model::{
    CORE_V1, GROUP_V2, LIST_RESPONSE, PatchOp, SearchRequest, SortOrder, USER_V2,
};

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
        }
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
            if let Some(owner) = self.user_names.get(&value.to_lowercase()) {
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

    fn store(&mut self, kind: Kind, id: String, resource: Resource) {
        if kind == Kind::Users {
            self.user_names.retain(|_, owner| *owner != id);
            if let Some(name) = resource.get("userName").and_then(Value::as_str) {
                self.user_names.insert(name.to_lowercase(), id.clone());
            }
        }
        self.map_mut(kind).insert(id, resource);
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
        if self.v2() {
            let patch: PatchOp = serde_json::from_value(body).map_err(|e| {
                Failure::new(400, Some("invalidValue"), format!("not a PatchOp: {e}"))
            })?;
            for operation in &patch.operations {
                apply(&mut resource, operation)?;
            }
        } else {
            let Value::Object(partial) = body else {
                return Err(Failure::new(
                    400,
                    Some("invalidSyntax"),
                    "a partial resource must be a JSON object",
                ));
            };
            apply_v1(&mut resource, partial)?;
        }
        self.commit(kind, id, resource, &previous)
    }

    pub(crate) fn delete(
        &mut self,
        kind: Kind,
        id: &str,
        if_match: Option<&str>,
    ) -> Result<(), Failure> {
        self.check_version(kind, id, if_match)?;
        self.map_mut(kind).remove(id);
        if kind == Kind::Users {
            self.user_names.retain(|_, owner| owner != id);
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
        Ok(self.page(self.map(kind).values(), query))
    }

    /// `POST /.search`: every resource type together.
    pub(crate) fn list_all(&self, query: &Query) -> Result<Value, Failure> {
        let custom = self.custom.iter().flat_map(|t| t.resources.values());
        let all = self
            .users
            .values()
            .chain(self.groups.values())
            .chain(custom);
        Ok(self.page(all, query))
    }

    /// One page of the matches. Unsorted, it keeps only the page while
    /// counting the rest, so an answer costs memory for one page whatever
    /// the store holds.
    fn page<'a>(&self, resources: impl Iterator<Item = &'a Resource>, query: &Query) -> Value {
        let start = query.start_index.max(1);
        let wanted = |r: &&Resource| query.filter.as_ref().is_none_or(|f| matches(f, r));
        let (total, selected): (usize, Vec<&Resource>) = match &query.sort_by {
            None => {
                let mut total = 0;
                let mut selected = Vec::with_capacity(query.count.min(discovery::MAX_RESULTS));
                for resource in resources.filter(wanted) {
                    total += 1;
                    if total >= start && selected.len() < query.count {
                        selected.push(resource);
                    }
                }
                (total, selected)
            }
            Some(sort_by) => {
                let mut found: Vec<&Resource> = resources.filter(wanted).collect();
                found.sort_by(|a, b| compare_for_sort(a, b, sort_by));
                if query.descending {
                    found.reverse();
                }
                let total = found.len();
                (
                    total,
                    found
                        .into_iter()
                        .skip(start - 1)
                        .take(query.count)
                        .collect(),
                )
            }
        };
        let page: Vec<Value> = selected
            .into_iter()
            .map(|r| Value::Object(query.projection.apply(r.clone())))
            .collect();
        if self.v2() {
            json!({"schemas": [LIST_RESPONSE], "totalResults": total, "itemsPerPage": page.len(), "startIndex": start, "Resources": page})
        } else {
            json!({"totalResults": total, "itemsPerPage": page.len(), "startIndex": start, "schemas": [CORE_V1], "Resources": page})
        }
    }
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
    start_index: usize,
    count: usize,
    projection: Projection,
}

impl Query {
    pub(crate) fn from_params(
        params: &HashMap<String, String>,
        dialect: Dialect,
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
            start_index: number("startIndex")?.map(|n| n.clamp(1, i64::from(u32::MAX)) as u32),
            count: number("count")?.map(|n| n.clamp(0, i64::from(u32::MAX)) as u32),
            ..SearchRequest::new()
        };
        let mut query = Query::from_search(&search, dialect)?;
        query.projection = Projection::from_params(params);
        Ok(query)
    }

    pub(crate) fn from_search(search: &SearchRequest, dialect: Dialect) -> Result<Query, Failure> {
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
        // Slack serves 10 by default and reads anything above 1000 as 1000.
        let default_count = if dialect == Dialect::SlackV1 {
            10
        } else {
            discovery::MAX_RESULTS
        };
        let count = search
            .count
            .map_or(default_count, |c| c as usize)
            .min(discovery::MAX_RESULTS);
        let join = |paths: &[String]| paths.iter().map(|p| AttrPath::new(p)).collect();
        Ok(Query {
            filter,
            sort_by,
            descending: search.sort_order == Some(SortOrder::Descending),
            start_index: search.start_index.unwrap_or(1).max(1) as usize,
            count,
            projection: Projection {
                attributes: join(&search.attributes),
                excluded: join(&search.excluded_attributes),
            },
        })
    }
}
