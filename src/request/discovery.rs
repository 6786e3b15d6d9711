//! Discovery: the service provider configuration, schemas and resource types.

use http::Method;

use super::operations::success;
use crate::model::{ListResponse, ResourceType, Schema, SearchRequest, ServiceProviderConfig};
use crate::request::operation::Operation;
use crate::{Endpoint, Error};

impl Endpoint {
    /// `GET /ServiceProviderConfig` (`/ServiceProviderConfigs` on Slack).
    pub fn service_provider_config(&self) -> Result<Operation<ServiceProviderConfig>, Error> {
        self.at(
            Method::GET,
            self.dialect().service_provider_config_path(),
            None,
            |r| success(r)?.parse(),
        )
    }

    /// `GET /Schemas`: every schema the service knows.
    pub fn schemas(&self) -> Result<Operation<ListResponse<Schema>>, Error> {
        self.at(Method::GET, "Schemas", None, |r| {
            success(r)?.page(&SearchRequest::new())
        })
    }

    /// `GET /Schemas/{id}`: one schema, by URN (or `Users`/`Groups` on Slack v1).
    pub fn schema(&self, id: &str) -> Result<Operation<Schema>, Error> {
        self.by_id(Method::GET, "Schemas", id, None, |r| success(r)?.parse())
    }

    /// `GET /ResourceTypes`.
    pub fn resource_types(&self) -> Result<Operation<ListResponse<ResourceType>>, Error> {
        self.at(Method::GET, "ResourceTypes", None, |r| {
            success(r)?.page(&SearchRequest::new())
        })
    }
}
