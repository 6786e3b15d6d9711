//! The store: the service's resources and the rules every write keeps
//! (required attributes, unique userName, `If-Match` versions, the
//! member-change limit), at the one place every write passes.

mod clock;
mod cursor;
mod kind;
mod list;
mod names;
mod paging;
mod projection;
mod query;

use serde_json::{Map, Value, json};

use crate::Failure;
use crate::patch::{PatchBody, existing_key};
use clock::{Stamp, WriteClock};
use kind::CustomType;
use names::UserNames;
use scim_client::Dialect;
use scim_client::model::{CORE_V1, GROUP_V2, USER_V2};
use scim_client::provider::Profile;

pub(crate) use clock::version_of;
pub use kind::{CustomKind, Kind};
pub(crate) use paging::Paging;
pub(crate) use projection::Projection;
pub(crate) use query::Query;

/// A stored resource: its JSON object.
type Resource = Map<String, Value>;

/// Every resource of one service, by kind and id.
#[derive(Debug)]
pub(crate) struct Store {
    dialect: Dialect,
    users: std::collections::BTreeMap<String, Resource>,
    groups: std::collections::BTreeMap<String, Resource>,
    custom: Vec<CustomType>,
    /// userName, lower-cased, to the id holding it.
    user_names: UserNames,
    next_id: u64,
    /// Versions and logical times of writes.
    clock: WriteClock,
    /// How lists are paged.
    paging: Paging,
    /// The most member changes one group PATCH may carry.
    max_member_changes: Option<usize>,
    /// The spellings `/ServiceProviderConfig` is served at.
    service_provider_config: Vec<String>,
    /// User attributes a create must carry beyond `userName` (the
    /// profile's [`required_on_create`](Profile::required_on_create)).
    required_on_create: Vec<String>,
}

impl Store {
    /// An empty store paging as `dialect`'s provider does by default.
    pub(crate) fn new(dialect: Dialect) -> Store {
        Store {
            dialect,
            users: Default::default(),
            groups: Default::default(),
            custom: Vec::new(),
            user_names: UserNames::default(),
            next_id: 0,
            clock: WriteClock::default(),
            paging: Paging::of_dialect(dialect),
            max_member_changes: None,
            service_provider_config: vec![
                "ServiceProviderConfig".to_owned(),
                "ServiceProviderConfigs".to_owned(),
            ],
            required_on_create: Vec::new(),
        }
    }

    /// A store that pages, limits PATCHes and spells discovery as `profile` does.
    pub(crate) fn for_profile(profile: &Profile) -> Store {
        let spelling = profile.dialect.service_provider_config_path();
        Store {
            paging: Paging::of_profile(profile),
            max_member_changes: profile.max_member_changes,
            service_provider_config: vec![spelling.to_owned()],
            required_on_create: profile
                .required_on_create
                .iter()
                .map(|required| required.path.clone())
                .collect(),
            ..Store::new(profile.dialect)
        }
    }

    /// How lists are paged.
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

    /// How many resources of `kind` are stored.
    pub(crate) fn len(&self, kind: Kind) -> usize {
        self.map(kind).len()
    }

    /// The next id, spelled as the dialect's provider spells ids.
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

    /// A copy of a stored resource, or 404.
    pub(crate) fn read(&self, kind: Kind, id: &str) -> Result<Resource, Failure> {
        self.map(kind)
            .get(id)
            .cloned()
            .ok_or_else(|| Failure::not_found(&format!("{} {id:?}", self.resource_type(kind))))
    }

    /// Creates a resource from `body`, with a new id, version and `meta`
    /// (`meta.location` under `origin`).
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
        let Stamp { version, time } = self.clock.tick();
        resource.insert("id".into(), Value::from(id.clone()));
        let location = format!("{origin}/{}/{id}", self.endpoint(kind));
        let meta = if self.v2() {
            json!({"resourceType": self.resource_type(kind), "created": time, "lastModified": time, "location": location, "version": version})
        } else {
            json!({"created": time, "location": location})
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
            if let Some(holder) = self.user_names.holder(value) {
                if Some(holder) != id {
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

    /// Creates as the provider's API does (`POST`, bulk): [`create`](Self::create)
    /// after the profile's required attributes are checked. Restoring a
    /// snapshot and seeding skip that check: they put back accounts the
    /// provider already holds.
    pub(crate) fn create_requested(
        &mut self,
        kind: Kind,
        body: Value,
        origin: &str,
    ) -> Result<Resource, Failure> {
        if let (Kind::Users, Value::Object(resource)) = (kind, &body) {
            self.check_required_on_create(resource)?;
        }
        self.create(kind, body, origin)
    }

    /// A create without one of the profile's required attributes is 400
    /// `invalidValue` naming it, as AWS IAM Identity Center answers a
    /// CreateUser without `displayName` or a name part.
    fn check_required_on_create(&self, resource: &Resource) -> Result<(), Failure> {
        for path in &self.required_on_create {
            let mut value = None;
            let mut object = Some(resource);
            for part in path.split('.') {
                value = object.and_then(|o| existing_key(o, part).and_then(|k| o.get(&k)));
                object = value.and_then(Value::as_object);
            }
            if value.and_then(Value::as_str).is_none_or(str::is_empty) {
                return Err(Failure::new(
                    400,
                    Some("invalidValue"),
                    format!("{path} is required"),
                ));
            }
        }
        Ok(())
    }

    /// Stores `resource` under `id`, moving the userName index from what
    /// was stored there to it.
    fn store(&mut self, kind: Kind, id: String, resource: Resource) {
        if kind == Kind::Users {
            self.user_names
                .moved(&id, self.users.get(&id), Some(&resource));
        }
        self.map_mut(kind).insert(id, resource);
    }

    /// The stored resource, when `if_match` (if any) names its version;
    /// else 412.
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
        let Stamp { version, time } = self.clock.tick();
        let mut meta = previous.get("meta").cloned().unwrap_or_else(|| json!({}));
        if self.v2() {
            meta["lastModified"] = Value::from(time);
            meta["version"] = Value::from(version);
        }
        resource.insert("meta".into(), meta);
        self.store(kind, id.to_owned(), resource.clone());
        Ok(resource)
    }

    /// Replaces a resource with `body`, when `if_match` (if any) names its
    /// version; `schemas` is kept when the body has none.
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

    /// Applies a PATCH body, in the dialect's form, when `if_match` (if
    /// any) names the current version; a group PATCH carrying more member
    /// changes than the profile allows is refused whole.
    pub(crate) fn patch(
        &mut self,
        kind: Kind,
        id: &str,
        body: Value,
        if_match: Option<&str>,
    ) -> Result<Resource, Failure> {
        let previous = self.check_version(kind, id, if_match)?;
        let patch = PatchBody::parse(body, self.v2())?;
        if kind == Kind::Groups {
            self.check_member_changes(patch.member_changes())?;
        }
        let mut resource = previous.clone();
        patch.apply_to(&mut resource)?;
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

    /// Deletes a resource, when `if_match` (if any) names its version.
    pub(crate) fn delete(
        &mut self,
        kind: Kind,
        id: &str,
        if_match: Option<&str>,
    ) -> Result<(), Failure> {
        self.check_version(kind, id, if_match)?;
        let removed = self.map_mut(kind).remove(id);
        if kind == Kind::Users {
            self.user_names.moved(id, removed.as_ref(), None);
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
