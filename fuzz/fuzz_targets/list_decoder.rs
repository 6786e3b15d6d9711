//! The lenient list decoder (`ListResponse::from_json`) on any bytes, for
//! users, groups and plain JSON values: no panic, and for every page it
//! accepts, nothing is lost or invented: each element of the `Resources`
//! array is either decoded or in `failed`, with its index and its path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scim_client::model::{Group, ListResponse, SearchRequest, User};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The length of the input's `Resources` array, when the input is a JSON
/// object with exactly one member named `Resources` in any case and that
/// member is an array; `None` when that cannot be told exactly (invalid
/// JSON, no such member, `null`, or several members differing only in case,
/// which a `Value` keeps apart but the decoder reads as one).
fn resources_len(data: &[u8]) -> Option<usize> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(data) else {
        return None;
    };
    let mut matching = map
        .iter()
        .filter(|(key, _)| key.eq_ignore_ascii_case("Resources"));
    let (_, value) = matching.next()?;
    if matching.next().is_some() {
        return None;
    }
    value.as_array().map(Vec::len)
}

fn check<T: DeserializeOwned + Serialize>(data: &[u8], expected: Option<usize>) {
    let Ok(page) = ListResponse::<T>::from_json(data) else {
        return;
    };
    let _ = page
        .check_answers(&SearchRequest::new())
        .map_err(|e| e.to_string());
    serde_json::to_vec(&page).expect("a decoded page serialises");
    let mut previous = None;
    for failure in &page.failed {
        let path = failure.error.path();
        assert!(path.starts_with("Resources["), "failure path {path:?}");
        let own = format!("Resources[{}]", failure.index);
        assert!(
            path.starts_with(&own),
            "failure {} has path {path:?}",
            failure.index
        );
        assert!(
            previous < Some(failure.index),
            "failed indices out of order: {:?}",
            page.failed
        );
        previous = Some(failure.index);
        let _ = failure.to_string();
    }
    if let Some(expected) = expected {
        assert_eq!(
            page.resources.len() + page.failed.len(),
            expected,
            "{} decoded + {} failed for {expected} resources",
            page.resources.len(),
            page.failed.len(),
        );
        if let Some(last) = previous {
            assert!(
                last < expected,
                "failure index {last} of {expected} resources"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let expected = resources_len(data);
    check::<User>(data, expected);
    check::<Group>(data, expected);
    check::<Value>(data, expected);
});
