//! The provider's state, read whole through list pages (one request per
//! page, not one per user: cheaper under rate limits), for planning,
//! apply's state check and verification.
//!
//! Where the provider's group reads leave out `members`
//! ([`Profile::group_reads_return_members`] false: AWS IAM Identity Center's
//! GetGroup and ListGroups), [`read_current_for`] reads membership through
//! the filter the provider documents, `GET /Groups?filter=members.value eq
//! "<userId>"`, one list per user (AWS filters Users on `groups.value`
//! too, but that attribute is not on every service; the Groups filter is
//! the one AWS's ListGroups names). Each request passes the client's budget.

use std::collections::HashMap;

use scim_client::filter::Filter;
use scim_client::model::{Group, Member, SearchRequest, User};
use scim_client::provider::Profile;
use scim_client::{AsyncScimClient, Error, Resource, ScimClient};

use crate::plan::Current;

/// The provider's state could not be read whole: planning or verifying
/// from part of it could create duplicates or miss drift.
#[derive(Debug, thiserror::Error)]
#[error("reading the provider's {what}: {source}")]
pub struct ReadError {
    /// `users` or `groups`.
    pub what: &'static str,
    /// The client's error (an undecodable resource names its path and id).
    #[source]
    pub source: Error,
}

/// Every user and group, through list pages.
pub fn read_current(client: &ScimClient) -> Result<Current, ReadError> {
    Ok(Current {
        users: read_all::<User>(client, "users")?,
        groups: read_all::<Group>(client, "groups")?,
    })
}

/// Every user and group, with each group's members even where the
/// provider's group reads leave them out (see the module docs). Plan,
/// apply's state check and verify read through this, so they see the same
/// state.
pub fn read_current_for(client: &ScimClient, profile: &Profile) -> Result<Current, ReadError> {
    let mut current = read_current(client)?;
    if !profile.group_reads_return_members {
        let mut found = Vec::new();
        for user_id in current.users.iter().filter_map(|u| u.id.as_deref()) {
            let groups = read_search::<Group>(client, member_filter(user_id))?;
            found.push((user_id.to_owned(), groups));
        }
        fill_members(&mut current.groups, found);
    }
    Ok(current)
}

/// [`read_current_for`], through an async client.
pub async fn read_current_for_async(
    client: &AsyncScimClient,
    profile: &Profile,
) -> Result<Current, ReadError> {
    let mut current = read_current_async(client).await?;
    if !profile.group_reads_return_members {
        let mut found = Vec::new();
        for user_id in current.users.iter().filter_map(|u| u.id.as_deref()) {
            let mut walk = client.all::<Group>(member_filter(user_id));
            let mut groups = Vec::new();
            while let Some(group) = walk.next().await {
                groups.push(group.map_err(|source| ReadError {
                    what: "group memberships",
                    source,
                })?);
            }
            found.push((user_id.to_owned(), groups));
        }
        fill_members(&mut current.groups, found);
    }
    Ok(current)
}

/// `filter=members.value eq "<userId>"` (AWS ListGroups).
fn member_filter(user_id: &str) -> SearchRequest {
    SearchRequest::new().filter(Filter::eq("members.value", user_id))
}

fn read_search<R: Resource>(
    client: &ScimClient,
    search: SearchRequest,
) -> Result<Vec<R>, ReadError> {
    client
        .all::<R>(search)
        .collect::<Result<_, _>>()
        .map_err(|source| ReadError {
            what: "group memberships",
            source,
        })
}

/// Sets every group's members from `(user id, the groups it is in)`: a
/// group no user is in gets an empty (present) list, so the planner knows
/// its membership was read.
fn fill_members(groups: &mut [Group], found: Vec<(String, Vec<Group>)>) {
    let mut by_group: HashMap<String, Vec<Member>> = HashMap::new();
    for (user_id, in_groups) in found {
        for group_id in in_groups.iter().filter_map(|g| g.id.as_deref()) {
            by_group
                .entry(group_id.to_owned())
                .or_default()
                .push(Member::addition(user_id.clone()));
        }
    }
    for group in groups {
        let members = group
            .id
            .as_deref()
            .and_then(|id| by_group.remove(id))
            .unwrap_or_default();
        group.members = members.into();
    }
}

fn read_all<R: Resource>(client: &ScimClient, what: &'static str) -> Result<Vec<R>, ReadError> {
    client
        .all::<R>(SearchRequest::new())
        .collect::<Result<_, _>>()
        .map_err(|source| ReadError { what, source })
}

/// Every user and group, through list pages.
pub async fn read_current_async(client: &AsyncScimClient) -> Result<Current, ReadError> {
    Ok(Current {
        users: read_all_async::<User>(client, "users").await?,
        groups: read_all_async::<Group>(client, "groups").await?,
    })
}

async fn read_all_async<R: Resource>(
    client: &AsyncScimClient,
    what: &'static str,
) -> Result<Vec<R>, ReadError> {
    let mut walk = client.all::<R>(SearchRequest::new());
    let mut all = Vec::new();
    while let Some(resource) = walk.next().await {
        all.push(resource.map_err(|source| ReadError { what, source })?);
    }
    Ok(all)
}
