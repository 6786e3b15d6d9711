//! `POST .search` (RFC 7644 §3.4.3): the query in the body, out of URLs and logs.

use http::Method;
use serde_json::Value;

use super::operations::{parse_list, success, to_body};
use crate::model::resource::Resource;
use crate::model::{ListResponse, SearchRequest};
use crate::request::operation::Operation;
use crate::{Endpoint, Error};

impl Endpoint {
    /// `POST /{endpoint}/.search`, checked like [`query`](Endpoint::query).
    pub fn search_post<R: Resource>(
        &self,
        query: &SearchRequest,
    ) -> Result<Operation<ListResponse<R>>, Error> {
        let path = format!("{}/.search", R::ENDPOINT);
        self.post_search(&path, query, parse_list::<R>(query, self.secrets()))
    }

    /// `POST /.search` at the root: every resource type at once, so the
    /// resources come back as JSON (look at their `schemas` to tell them apart).
    pub fn search_all_post(
        &self,
        query: &SearchRequest,
    ) -> Result<Operation<ListResponse<Value>>, Error> {
        let asked = query.paging();
        self.post_search(".search", query, move |r| success(r)?.page(&asked))
    }

    fn post_search<T: 'static>(
        &self,
        path: &str,
        query: &SearchRequest,
        parse: impl Fn(crate::ScimResponse) -> Result<T, Error> + Send + Sync + 'static,
    ) -> Result<Operation<T>, Error> {
        self.dialect().check_query(query)?;
        let body = serde_json::to_value(query).map_err(|e| Error::Encode(e.to_string()))?;
        let request = self.request(Method::POST, path, Some(to_body(body)?), None)?;
        Ok(Operation::new(request, parse))
    }
}
