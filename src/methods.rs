//! The SCIM methods both clients offer, written once.
//!
//! `scim_methods!()` expands to blocking methods and
//! `scim_methods!(async .await)` to async ones; each builds the operation on
//! the client's [`Endpoint`](crate::Endpoint) and hands it to `execute`.

macro_rules! scim_methods {
    ($($async:tt $($await:tt)+)?) => {
        /// `GET /Users`: one page of users (`start_index` ≥ 1, `count` ≤ 1000).
        pub $($async)? fn search_users(&self, start_index: u32, count: u32, filter: Option<&str>)
            -> Result<$crate::model::ListResponse<$crate::model::User>, $crate::Error> {
            self.execute(self.endpoint.search_users(start_index, count, filter)?)$($(.$await)+)?
        }

        /// `GET /Users/{id}`.
        pub $($async)? fn read_user(&self, id: &str) -> Result<$crate::model::User, $crate::Error> {
            self.execute(self.endpoint.read_user(id)?)$($(.$await)+)?
        }

        /// `POST /Users`: a [`User`](crate::model::User) or any JSON object.
        pub $($async)? fn create_user(&self, user: &(impl ::serde::Serialize + Sync))
            -> Result<$crate::model::User, $crate::Error> {
            self.execute(self.endpoint.create_user(user)?)$($(.$await)+)?
        }

        /// `PATCH /Users/{id}`: `None` when the service answers 204.
        pub $($async)? fn patch_user(&self, id: &str, partial_user: &(impl ::serde::Serialize + Sync))
            -> Result<Option<$crate::model::User>, $crate::Error> {
            self.execute(self.endpoint.patch_user(id, partial_user)?)$($(.$await)+)?
        }

        /// `PUT /Users/{id}`, the id taken from the user.
        pub $($async)? fn update_user(&self, user: &(impl ::serde::Serialize + Sync))
            -> Result<$crate::model::User, $crate::Error> {
            self.execute(self.endpoint.update_user(user)?)$($(.$await)+)?
        }

        /// `DELETE /Users/{id}` (Slack deactivates the user).
        pub $($async)? fn delete_user(&self, id: &str) -> Result<(), $crate::Error> {
            self.execute(self.endpoint.delete_user(id)?)$($(.$await)+)?
        }

        /// `GET /Groups`: one page of groups.
        pub $($async)? fn search_groups(&self, start_index: u32, count: u32, filter: Option<&str>)
            -> Result<$crate::model::ListResponse<$crate::model::Group>, $crate::Error> {
            self.execute(self.endpoint.search_groups(start_index, count, filter)?)$($(.$await)+)?
        }

        /// `GET /Groups/{id}`.
        pub $($async)? fn read_group(&self, id: &str) -> Result<$crate::model::Group, $crate::Error> {
            self.execute(self.endpoint.read_group(id)?)$($(.$await)+)?
        }

        /// `POST /Groups`.
        pub $($async)? fn create_group(&self, group: &(impl ::serde::Serialize + Sync))
            -> Result<$crate::model::Group, $crate::Error> {
            self.execute(self.endpoint.create_group(group)?)$($(.$await)+)?
        }

        /// `PATCH /Groups/{id}`: `None` when the service answers 204 (Slack does).
        pub $($async)? fn patch_group(&self, id: &str, partial_group: &(impl ::serde::Serialize + Sync))
            -> Result<Option<$crate::model::Group>, $crate::Error> {
            self.execute(self.endpoint.patch_group(id, partial_group)?)$($(.$await)+)?
        }

        /// `PUT /Groups/{id}`, the id taken from the group.
        pub $($async)? fn update_group(&self, group: &(impl ::serde::Serialize + Sync))
            -> Result<$crate::model::Group, $crate::Error> {
            self.execute(self.endpoint.update_group(group)?)$($(.$await)+)?
        }

        /// `DELETE /Groups/{id}` (Slack removes the group for good).
        pub $($async)? fn delete_group(&self, id: &str) -> Result<(), $crate::Error> {
            self.execute(self.endpoint.delete_group(id)?)$($(.$await)+)?
        }

        /// `GET /Users` with a full RFC 7644 query (filter, sort, page, attributes).
        pub $($async)? fn query_users(&self, query: &$crate::model::SearchRequest)
            -> Result<$crate::model::ListResponse<$crate::model::User>, $crate::Error> {
            self.execute(self.endpoint.query_users(query)?)$($(.$await)+)?
        }

        /// `GET /Groups` with a full RFC 7644 query.
        pub $($async)? fn query_groups(&self, query: &$crate::model::SearchRequest)
            -> Result<$crate::model::ListResponse<$crate::model::Group>, $crate::Error> {
            self.execute(self.endpoint.query_groups(query)?)$($(.$await)+)?
        }

        /// `POST /Users/.search`.
        pub $($async)? fn search_users_post(&self, query: &$crate::model::SearchRequest)
            -> Result<$crate::model::ListResponse<$crate::model::User>, $crate::Error> {
            self.execute(self.endpoint.search_users_post(query)?)$($(.$await)+)?
        }

        /// `POST /Groups/.search`.
        pub $($async)? fn search_groups_post(&self, query: &$crate::model::SearchRequest)
            -> Result<$crate::model::ListResponse<$crate::model::Group>, $crate::Error> {
            self.execute(self.endpoint.search_groups_post(query)?)$($(.$await)+)?
        }

        /// `POST /.search` over every resource type.
        pub $($async)? fn search_all_post(&self, query: &$crate::model::SearchRequest)
            -> Result<$crate::model::ListResponse<::serde_json::Value>, $crate::Error> {
            self.execute(self.endpoint.search_all_post(query)?)$($(.$await)+)?
        }

        /// `POST /Bulk`, refused before sending if over `limits`.
        pub $($async)? fn bulk(&self, request: &$crate::model::BulkRequest, limits: &$crate::BulkLimits)
            -> Result<$crate::model::BulkResponse, $crate::Error> {
            self.execute(self.endpoint.bulk(request, limits)?)$($(.$await)+)?
        }

        /// `GET /ServiceProviderConfig` (`/ServiceProviderConfigs` on Slack).
        pub $($async)? fn service_provider_config(&self)
            -> Result<$crate::model::ServiceProviderConfig, $crate::Error> {
            self.execute(self.endpoint.service_provider_config()?)$($(.$await)+)?
        }

        /// `GET /Schemas`.
        pub $($async)? fn schemas(&self)
            -> Result<$crate::model::ListResponse<$crate::model::Schema>, $crate::Error> {
            self.execute(self.endpoint.schemas()?)$($(.$await)+)?
        }

        /// `GET /ResourceTypes`.
        pub $($async)? fn resource_types(&self)
            -> Result<$crate::model::ListResponse<$crate::model::ResourceType>, $crate::Error> {
            self.execute(self.endpoint.resource_types()?)$($(.$await)+)?
        }

        /// Any call, answered whatever its status; see [`Endpoint::api_call`](crate::Endpoint::api_call).
        pub $($async)? fn api_call(
            &self,
            method: ::http::Method,
            path: &str,
            query: &[(&str, &str)],
            body: Option<&::serde_json::Value>,
            headers: &::http::HeaderMap,
        ) -> Result<$crate::ScimResponse, $crate::Error> {
            self.execute(self.endpoint.api_call(method, path, query, body, headers)?)$($(.$await)+)?
        }
    };
}

pub(crate) use scim_methods;
