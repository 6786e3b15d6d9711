//! The resource types the store serves ([`Kind`]): users, groups and the
//! types added at run time, their endpoints and names, and where each
//! kind's resources are kept.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Resource, Store};

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
pub struct CustomKind(pub(super) usize);

/// A resource type beyond users and groups (RFC 7643 §6): it has no
/// required attribute and no uniqueness rule, only ids, versions and meta.
#[derive(Debug)]
pub(super) struct CustomType {
    name: String,
    endpoint: String,
    pub(super) schema: String,
    pub(super) resources: BTreeMap<String, Resource>,
}

impl Store {
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

    pub(super) fn endpoint(&self, kind: Kind) -> &str {
        match kind {
            Kind::Users => "Users",
            Kind::Groups => "Groups",
            Kind::Custom(CustomKind(i)) => &self.custom[i].endpoint,
        }
    }

    pub(super) fn resource_type(&self, kind: Kind) -> &str {
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
    pub(super) fn map(&self, kind: Kind) -> &BTreeMap<String, Resource> {
        static NONE: BTreeMap<String, Resource> = BTreeMap::new();
        match kind {
            Kind::Users => &self.users,
            Kind::Groups => &self.groups,
            Kind::Custom(CustomKind(i)) => self.custom.get(i).map_or(&NONE, |t| &t.resources),
        }
    }

    // The methods below take kinds from `kind_at`, that is from this store's
    // own routes: a custom index is always in range there.

    pub(super) fn map_mut(&mut self, kind: Kind) -> &mut BTreeMap<String, Resource> {
        match kind {
            Kind::Users => &mut self.users,
            Kind::Groups => &mut self.groups,
            Kind::Custom(CustomKind(i)) => &mut self.custom[i].resources,
        }
    }
}
