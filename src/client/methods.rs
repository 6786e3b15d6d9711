//! The SCIM methods both clients offer, written once.
//!
//! `scim_methods!()` expands to blocking methods and
//! `scim_methods!(async .await)` to async ones. The generic ones build the
//! operation on the client's [`Endpoint`](crate::Endpoint) and hand it to
//! `execute`; the Python SDK's named ones call the generic ones.

macro_rules! scim_methods {
    ($($async:tt $($await:tt)+)?) => {
        /// `GET /{endpoint}` for any [`Resource`](crate::Resource): one page,
        /// with filter, sorting, paging and attribute selection.
        pub $($async)? fn query<R: $crate::Resource>(&self, query: &$crate::model::SearchRequest)
            -> Result<$crate::model::ListResponse<R>, $crate::Error> {
            self.execute(self.endpoint().query(query)?)$($(.$await)+)?
        }

        /// `POST /{endpoint}/.search` for any [`Resource`](crate::Resource).
        pub $($async)? fn search_post<R: $crate::Resource>(&self, query: &$crate::model::SearchRequest)
            -> Result<$crate::model::ListResponse<R>, $crate::Error> {
            self.execute(self.endpoint().search_post(query)?)$($(.$await)+)?
        }

        /// `GET /{endpoint}/{id}` for any [`Resource`](crate::Resource).
        pub $($async)? fn read<R: $crate::Resource>(&self, id: &str) -> Result<R, $crate::Error> {
            self.execute(self.endpoint().read(id)?)$($(.$await)+)?
        }

        /// `POST /{endpoint}`: an `R` or any JSON object.
        pub $($async)? fn create<R: $crate::Resource>(&self, resource: &(impl ::serde::Serialize + Sync))
            -> Result<R, $crate::Error> {
            self.execute(self.endpoint().create(resource)?)$($(.$await)+)?
        }

        /// `PATCH /{endpoint}/{id}`, refused before sending in the form the
        /// dialect does not take: `None` when the service answers 204.
        pub $($async)? fn patch<R: $crate::Resource>(&self, id: &str, body: &(impl ::serde::Serialize + Sync))
            -> Result<Option<R>, $crate::Error> {
            self.execute(self.endpoint().patch(id, body)?)$($(.$await)+)?
        }

        /// `PUT /{endpoint}/{id}`, the id taken from the resource.
        pub $($async)? fn update<R: $crate::Resource>(&self, resource: &(impl ::serde::Serialize + Sync))
            -> Result<R, $crate::Error> {
            self.execute(self.endpoint().update(resource)?)$($(.$await)+)?
        }

        /// `DELETE /{endpoint}/{id}`.
        pub $($async)? fn delete<R: $crate::Resource>(&self, id: &str) -> Result<(), $crate::Error> {
            self.execute(self.endpoint().delete::<R>(id)?)$($(.$await)+)?
        }

        /// Adds and removes group members in as many PATCH requests as
        /// `profile` needs ([`Endpoint::change_members`](crate::Endpoint::change_members)),
        /// one after the other; returns how many were sent. On an error, the
        /// requests before it were applied: adding a member twice or removing
        /// an absent one changes nothing, so running the change again is safe.
        pub $($async)? fn change_members(
            &self,
            profile: &$crate::provider::profile::Profile,
            group_id: &str,
            changes: &$crate::provider::membership::MemberChanges,
        ) -> Result<usize, $crate::Error> {
            let operations = self.endpoint().change_members(profile, group_id, changes)?;
            let sent = operations.len();
            for operation in operations {
                let patched = self.execute(operation)$($(.$await)+)?;
                patched?;
            }
            Ok(sent)
        }

        /// `GET /Users`: one page of users, e.g.
        /// `search_users(&SearchRequest::new().start_index(1).count(100).filter(…))`.
        pub $($async)? fn search_users(&self, query: &$crate::model::SearchRequest)
            -> Result<$crate::model::ListResponse<$crate::model::User>, $crate::Error> {
            self.query(query)$($(.$await)+)?
        }

        /// `GET /Users/{id}`.
        pub $($async)? fn read_user(&self, id: &str) -> Result<$crate::model::User, $crate::Error> {
            self.read(id)$($(.$await)+)?
        }

        /// `POST /Users`: a [`User`](crate::model::User) or any JSON object.
        pub $($async)? fn create_user(&self, user: &(impl ::serde::Serialize + Sync))
            -> Result<$crate::model::User, $crate::Error> {
            self.create(user)$($(.$await)+)?
        }

        /// `PATCH /Users/{id}` with a partial user (Slack v1) or a `PatchOp`
        /// (SCIM 2.0); the other form is refused before sending
        /// ([`Endpoint::patch_user`](crate::Endpoint::patch_user)). `None`
        /// when the service answers 204.
        pub $($async)? fn patch_user(&self, id: &str, patch: &impl $crate::provider::UserPatch)
            -> Result<Option<$crate::model::User>, $crate::Error> {
            self.patch(id, patch)$($(.$await)+)?
        }

        /// `PUT /Users/{id}`, the id taken from the user.
        pub $($async)? fn update_user(&self, user: &(impl ::serde::Serialize + Sync))
            -> Result<$crate::model::User, $crate::Error> {
            self.update(user)$($(.$await)+)?
        }

        /// `DELETE /Users/{id}` (Slack deactivates the user).
        pub $($async)? fn delete_user(&self, id: &str) -> Result<(), $crate::Error> {
            self.delete::<$crate::model::User>(id)$($(.$await)+)?
        }

        /// `GET /Groups`: one page of groups.
        pub $($async)? fn search_groups(&self, query: &$crate::model::SearchRequest)
            -> Result<$crate::model::ListResponse<$crate::model::Group>, $crate::Error> {
            self.query(query)$($(.$await)+)?
        }

        /// `GET /Groups/{id}`.
        pub $($async)? fn read_group(&self, id: &str) -> Result<$crate::model::Group, $crate::Error> {
            self.read(id)$($(.$await)+)?
        }

        /// `POST /Groups`.
        pub $($async)? fn create_group(&self, group: &(impl ::serde::Serialize + Sync))
            -> Result<$crate::model::Group, $crate::Error> {
            self.create(group)$($(.$await)+)?
        }

        /// `PATCH /Groups/{id}`: `None` when the service answers 204 (Slack does).
        pub $($async)? fn patch_group(&self, id: &str, partial_group: &(impl ::serde::Serialize + Sync))
            -> Result<Option<$crate::model::Group>, $crate::Error> {
            self.patch(id, partial_group)$($(.$await)+)?
        }

        /// `PUT /Groups/{id}`, the id taken from the group.
        pub $($async)? fn update_group(&self, group: &(impl ::serde::Serialize + Sync))
            -> Result<$crate::model::Group, $crate::Error> {
            self.update(group)$($(.$await)+)?
        }

        /// `DELETE /Groups/{id}` (Slack removes the group for good).
        pub $($async)? fn delete_group(&self, id: &str) -> Result<(), $crate::Error> {
            self.delete::<$crate::model::Group>(id)$($(.$await)+)?
        }

        /// `POST /.search` over every resource type.
        pub $($async)? fn search_all_post(&self, query: &$crate::model::SearchRequest)
            -> Result<$crate::model::ListResponse<::serde_json::Value>, $crate::Error> {
            self.execute(self.endpoint().search_all_post(query)?)$($(.$await)+)?
        }

        /// `POST /Bulk`, refused before sending if over `limits`.
        pub $($async)? fn bulk(&self, request: &$crate::model::BulkRequest, limits: &$crate::BulkLimits)
            -> Result<$crate::model::BulkResponse, $crate::Error> {
            self.execute(self.endpoint().bulk(request, limits)?)$($(.$await)+)?
        }

        /// `GET /ServiceProviderConfig` (`/ServiceProviderConfigs` on Slack).
        pub $($async)? fn service_provider_config(&self)
            -> Result<$crate::model::ServiceProviderConfig, $crate::Error> {
            self.execute(self.endpoint().service_provider_config()?)$($(.$await)+)?
        }

        /// `GET /Schemas`.
        pub $($async)? fn schemas(&self)
            -> Result<$crate::model::ListResponse<$crate::model::Schema>, $crate::Error> {
            self.execute(self.endpoint().schemas()?)$($(.$await)+)?
        }

        /// `GET /ResourceTypes`.
        pub $($async)? fn resource_types(&self)
            -> Result<$crate::model::ListResponse<$crate::model::ResourceType>, $crate::Error> {
            self.execute(self.endpoint().resource_types()?)$($(.$await)+)?
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
            self.execute(self.endpoint().api_call(method, path, query, body, headers)?)$($(.$await)+)?
        }
    };
}

pub(crate) use scim_methods;

/// The constructors and the endpoint accessor both clients offer, written
/// once; `Self`'s transport trait is named by the `transport` field's type.
macro_rules! client_setup {
    () => {
        /// A client over any transport. `timeout`, `connect_timeout`, `proxy`,
        /// `no_proxy` and `allow_plaintext_proxy` in `options` are the
        /// transport's business and are not applied here.
        pub fn with_transport(
            token: &str,
            options: $crate::ClientOptions,
            transport: impl Transport + 'static,
        ) -> Result<Self, $crate::Error> {
            Self::with_credentials($crate::BearerToken::new(token)?, options, transport)
        }

        /// A client whose credentials may renew: OAuth 2.0 client credentials
        /// ([`ClientCredentials`](crate::auth::ClientCredentials), shared
        /// by cloning the [`Credentials`](crate::auth::Credentials)) or
        /// a static [`BearerToken`](crate::BearerToken). The token is fetched
        /// through `transport` before the first call and renewed shortly
        /// before it expires; a 401 renews it once and the request is sent
        /// again. The client secret and the tokens never appear in an error.
        pub fn with_credentials(
            credentials: impl Into<$crate::auth::Credentials>,
            options: $crate::ClientOptions,
            transport: impl Transport + 'static,
        ) -> Result<Self, $crate::Error> {
            let seed = transport.jitter_seed();
            let engine = $crate::client::engine_for(credentials.into(), &options, seed)?;
            Ok(Self {
                transport: Box::new(transport),
                retry_handlers: options.retry_handlers,
                engine,
            })
        }

        /// The endpoint requests are built on.
        pub fn endpoint(&self) -> &$crate::Endpoint {
            self.engine.endpoint()
        }

        /// How long `request` would wait for this client's rate budget now
        /// (by its transport's clock), taking no room; zero without a
        /// budget. The sync's apply asks it to start, among its ready
        /// steps, one whose rate class has room.
        pub fn budget_wait(&self, request: &$crate::transport::HttpRequest) -> std::time::Duration {
            self.engine.budget_wait(request, self.transport.now())
        }

        /// The rate budget this client paces by, if any: its totals
        /// ([`RateBudget::throttled`](crate::pacing::RateBudget::throttled),
        /// [`waited`](crate::pacing::RateBudget::waited)) for metrics.
        pub fn budget(&self) -> Option<&$crate::pacing::SharedBudget> {
            self.engine.budget()
        }
    };
}

pub(crate) use client_setup;
