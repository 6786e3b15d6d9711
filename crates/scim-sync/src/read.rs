//! The provider's state, read whole through list pages (one request per
//! page, not one per user: cheaper under rate limits), for planning,
//! apply's state check and verification.

use scim_client::model::{Group, SearchRequest, User};
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
