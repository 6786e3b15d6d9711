//! Every response parser, on any status, headers and body: no panic. The
//! first byte picks the parser and the status; the operations are built once.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use scim_client::model::{BulkRequest, Group, SearchRequest, User};
use scim_client::{BearerToken, BulkLimits, Endpoint, Error, RetryAfter, ScimError};

type Parse = Box<dyn Fn(http::Response<Vec<u8>>) -> Result<(), Error> + Send + Sync>;

fn ok<T>(result: Result<T, Error>) -> Result<(), Error> {
    result.map(drop)
}

fn parsers() -> &'static [Parse] {
    static PARSERS: OnceLock<Vec<Parse>> = OnceLock::new();
    PARSERS.get_or_init(|| {
        let e = Endpoint::new(BearerToken::new("xoxp-fuzz").unwrap());
        let read_user = e.read_user("W1").unwrap();
        let read_group = e.read_group("S1").unwrap();
        let users = e.search_users(&SearchRequest::new().start_index(1).count(10)).unwrap();
        let groups = e.search_groups(&SearchRequest::new().start_index(1).count(10)).unwrap();
        let patch_user = e.patch_user("W1", &User::default()).unwrap();
        // A partial group: the endpoint speaks Slack v1, which takes no PatchOp.
        let patch_group = e.patch_group("S1", &Group::default()).unwrap();
        let delete = e.delete_user("W1").unwrap();
        let conditional = e.read_user("W1").unwrap().if_none_match("x").unwrap();
        let bulk = e.bulk(&BulkRequest::new(), &BulkLimits::default()).unwrap();
        let config = e.service_provider_config().unwrap();
        let schemas = e.schemas().unwrap();
        let types = e.resource_types().unwrap();
        let all = e.search_all_post(&SearchRequest::new()).unwrap();
        let raw = e.api_call(http::Method::GET, "Users", &[], None, &Default::default()).unwrap();
        vec![
            Box::new(move |r| ok(read_user.parse_response(r))),
            Box::new(move |r| ok(read_group.parse_response(r))),
            Box::new(move |r| ok(users.parse_response(r))),
            Box::new(move |r| ok(groups.parse_response(r))),
            Box::new(move |r| ok(patch_user.parse_response(r))),
            Box::new(move |r| ok(patch_group.parse_response(r))),
            Box::new(move |r| ok(delete.parse_response(r))),
            Box::new(move |r| ok(conditional.parse_response(r))),
            Box::new(move |r| ok(bulk.parse_response(r))),
            Box::new(move |r| ok(config.parse_response(r))),
            Box::new(move |r| ok(schemas.parse_response(r))),
            Box::new(move |r| ok(types.parse_response(r))),
            Box::new(move |r| ok(all.parse_response(r))),
            Box::new(move |r| {
                let response = raw.parse_response(r)?;
                let _ = response.json();
                ok(response.error_for_status().map_err(|e| Error::Encode(e.to_string())))
            }),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let (header, body) = rest.split_at(rest.len().min(usize::from(selector & 0x1F)));
    let status = [200, 201, 204, 304, 400, 404, 409, 412, 429, 500, 502, 503][usize::from(selector >> 4) % 12];
    let mut builder = http::Response::builder().status(status);
    if let Ok(value) = http::HeaderValue::from_bytes(header) {
        builder = builder.header("Retry-After", value.clone()).header("ETag", value);
        let _ = RetryAfter::parse(&String::from_utf8_lossy(header)).delay_from(std::time::UNIX_EPOCH);
    }
    let Ok(response) = builder.body(body.to_vec()) else { return };
    let parsers = parsers();
    let _ = parsers[usize::from(selector) % parsers.len()](response).map_err(|e| e.to_string());
    if selector % 16 == 0 {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
            let _ = ScimError::from_json(&value).map(|e| e.to_string());
        }
    }
});
