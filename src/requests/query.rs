//! SCIM 2.0 queries: GET with every RFC 7644 §3.4.2 parameter, and `POST .search`.

use http::Method;
use serde_json::Value;

use super::{success, to_body};
use crate::encoding::push_query;
use crate::model::{Group, ListResponse, SearchRequest, User};
use crate::operation::Operation;
use crate::{Endpoint, Error};

impl Endpoint {
    /// `GET /Users` with filter, sorting, paging and attribute selection.
    pub fn query_users(
        &self,
        query: &SearchRequest,
    ) -> Result<Operation<ListResponse<User>>, Error> {
        self.get_query("Users", query, |r| success(r)?.users())
    }

    /// `GET /Groups` with filter, sorting, paging and attribute selection.
    pub fn query_groups(
        &self,
        query: &SearchRequest,
    ) -> Result<Operation<ListResponse<Group>>, Error> {
        self.get_query("Groups", query, |r| success(r)?.groups())
    }

    /// `POST /Users/.search`: the query in the body, out of URLs and logs.
    pub fn search_users_post(
        &self,
        query: &SearchRequest,
    ) -> Result<Operation<ListResponse<User>>, Error> {
        self.post_search("Users/.search", query, |r| success(r)?.users())
    }

    /// `POST /Groups/.search`.
    pub fn search_groups_post(
        &self,
        query: &SearchRequest,
    ) -> Result<Operation<ListResponse<Group>>, Error> {
        self.post_search("Groups/.search", query, |r| success(r)?.groups())
    }

    /// `POST /.search` at the root: every resource type at once, so the
    /// resources come back as JSON (look at their `schemas` to tell them apart).
    pub fn search_all_post(
        &self,
        query: &SearchRequest,
    ) -> Result<Operation<ListResponse<Value>>, Error> {
        self.post_search(".search", query, |r| success(r)?.parse())
    }

    fn get_query<T: 'static>(
        &self,
        resource: &str,
        query: &SearchRequest,
        parse: fn(crate::ScimResponse) -> Result<T, Error>,
    ) -> Result<Operation<T>, Error> {
        self.check_query(query)?;
        let mut target = resource.to_owned();
        let params = query.query_params();
        if !params.is_empty() {
            target.push('?');
            push_query(
                &mut target,
                params.iter().map(|(name, value)| (*name, value.as_str())),
            );
        }
        let request = self.request(Method::GET, &target, None, None)?;
        Ok(Operation::new(request, parse))
    }

    fn post_search<T: 'static>(
        &self,
        path: &str,
        query: &SearchRequest,
        parse: fn(crate::ScimResponse) -> Result<T, Error>,
    ) -> Result<Operation<T>, Error> {
        self.check_query(query)?;
        let body = serde_json::to_value(query).map_err(|e| Error::Encode(e.to_string()))?;
        let request = self.request(Method::POST, path, Some(to_body(body)?), None)?;
        Ok(Operation::new(request, parse))
    }

    fn check_query(&self, query: &SearchRequest) -> Result<(), Error> {
        if query.start_index == Some(0) {
            return Err(Error::invalid(
                "start_index",
                "must be at least 1 (SCIM indexes are 1-based)",
            ));
        }
        if let (Some(count), Some(max)) = (query.count, self.dialect().max_count()) {
            if count > max {
                return Err(Error::invalid(
                    "count",
                    format!("must be at most {max}, got {count}"),
                ));
            }
        }
        Ok(())
    }
}
