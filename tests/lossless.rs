//! Every type that is parsed and written keeps what it does not model:
//! PatchOp (Entra ID's capitalised `op`, its `name` and top-level `id`),
//! Bulk requests and responses (statuses as strings or numbers), list
//! responses (`"Resources": null` stays `null`) and discovery documents.
//! Fixtures first, then a round-trip property per type, with unknown
//! members at every level.

use proptest::prelude::*;
use scim_client::model::{
    BulkRequest, BulkResponse, ListResponse, PatchOp, PatchOpKind, ResourcesSent, Schema,
    ServiceProviderConfig, User,
};
use serde_json::{Map, Value, json};

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/providers/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(json: &Value) -> Value {
    serde_json::to_value(serde_json::from_value::<T>(json.clone()).unwrap()).unwrap()
}

#[test]
fn an_entra_patch_op_keeps_its_op_spelling_and_unknown_members() {
    let json = fixture("entra_patch_op.json");
    let patch: PatchOp = serde_json::from_value(json.clone()).unwrap();
    let ops: Vec<PatchOpKind> = patch.operations.iter().map(|o| o.op).collect();
    assert_eq!(
        ops,
        [PatchOpKind::Replace, PatchOpKind::Add, PatchOpKind::Remove]
    );
    assert_eq!(
        patch.operations[0].op_as_received.as_deref(),
        Some("Replace")
    );
    assert_eq!(
        patch.operations[2].op_as_received, None,
        "already canonical"
    );
    assert_eq!(patch.operations[1].extra["name"], "addMember");
    assert_eq!(
        patch.operations[2].value,
        Some(Value::Null),
        "a null value is kept"
    );
    assert_eq!(patch.extra["id"], "5171a35d82074e068ce2");
    assert_eq!(serde_json::to_value(&patch).unwrap(), json);
    // What the builder writes stays canonical.
    let built = serde_json::to_value(PatchOp::new().replace("active", false)).unwrap();
    assert_eq!(built["Operations"][0]["op"], "replace");
}

#[test]
fn a_bulk_response_keeps_each_status_as_it_came() {
    let json = fixture("bulk_response_string_statuses.json");
    let bulk: BulkResponse = serde_json::from_value(json.clone()).unwrap();
    let codes: Vec<u16> = bulk.operations.iter().map(|o| o.status.code()).collect();
    assert_eq!(codes, [201, 201, 404, 200]);
    assert!(bulk.operations[0].is_success() && !bulk.operations[2].is_success());
    assert_eq!(
        bulk.operations[2].error().unwrap().detail.as_deref(),
        Some("Resource does not exist")
    );
    assert_eq!(bulk.operations[3].response, Some(Value::Null));
    assert_eq!(
        serde_json::to_value(&bulk).unwrap(),
        json,
        "\"201\" and 201 both kept"
    );
}

#[test]
fn a_list_response_writes_resources_back_the_way_it_came() {
    for (json, sent) in [
        (
            json!({"totalResults": 0, "Resources": null}),
            ResourcesSent::Null,
        ),
        (json!({"totalResults": 0}), ResourcesSent::Absent),
        (
            json!({"totalResults": 0, "Resources": []}),
            ResourcesSent::Array,
        ),
    ] {
        let page: ListResponse<User> = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(page.resources_sent, sent);
        assert_eq!(serde_json::to_value(&page).unwrap(), json);
    }
}

// ---------- generators ----------

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[ -~é]{0,10}".prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,6}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Members no type here models: `x-` keys match no known name in any case.
fn unknown_members() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("x-[a-zA-Z0-9]{1,6}", any_json(), 0..3)
        .prop_map(|m| m.into_iter().collect())
}

fn with(mut base: Map<String, Value>, extra: Map<String, Value>) -> Value {
    base.extend(extra);
    Value::Object(base)
}

fn patch_operation() -> impl Strategy<Value = Value> {
    let op = prop::sample::select(vec![
        "add", "Add", "ADD", "replace", "Replace", "remove", "Remove",
    ]);
    let path = prop::option::of("[a-z]{1,8}(\\.[a-z]{1,6})?");
    let value = prop::option::of(any_json());
    (op, path, value, unknown_members()).prop_map(|(op, path, value, extra)| {
        let mut base = Map::new();
        base.insert("op".into(), Value::from(op));
        if let Some(path) = path {
            base.insert("path".into(), Value::from(path));
        }
        if let Some(value) = value {
            base.insert("value".into(), value);
        }
        with(base, extra)
    })
}

fn patch_op() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(patch_operation(), 0..4),
        unknown_members(),
    )
        .prop_map(|(ops, extra)| {
            let mut base = Map::new();
            base.insert(
                "schemas".into(),
                json!(["urn:ietf:params:scim:api:messages:2.0:PatchOp"]),
            );
            base.insert("Operations".into(), Value::from(ops));
            with(base, extra)
        })
}

fn bulk_operation_response() -> impl Strategy<Value = Value> {
    let status = prop_oneof![
        (100u16..600).prop_map(|s| Value::from(s.to_string())),
        (100u16..600).prop_map(Value::from),
    ];
    let response = prop::option::of(prop_oneof![Just(Value::Null), any_json()]);
    (
        status,
        prop::option::of("[a-z0-9]{1,6}"),
        response,
        unknown_members(),
    )
        .prop_map(|(status, bulk_id, response, extra)| {
            let mut base = Map::new();
            base.insert("method".into(), Value::from("POST"));
            base.insert("status".into(), status);
            if let Some(id) = bulk_id {
                base.insert("bulkId".into(), Value::from(id));
            }
            if let Some(response) = response {
                base.insert("response".into(), response);
            }
            with(base, extra)
        })
}

fn bulk_response() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(bulk_operation_response(), 0..4),
        unknown_members(),
    )
        .prop_map(|(ops, extra)| {
            let mut base = Map::new();
            base.insert(
                "schemas".into(),
                json!(["urn:ietf:params:scim:api:messages:2.0:BulkResponse"]),
            );
            base.insert("Operations".into(), Value::from(ops));
            with(base, extra)
        })
}

fn bulk_request() -> impl Strategy<Value = Value> {
    let operation = (
        prop::sample::select(vec!["POST", "PUT", "PATCH", "DELETE"]),
        prop::option::of(prop_oneof![Just(Value::Null), any_json()]),
        unknown_members(),
    )
        .prop_map(|(method, data, extra)| {
            let mut base = Map::new();
            base.insert("method".into(), Value::from(method));
            base.insert("path".into(), Value::from("/Users"));
            if let Some(data) = data {
                base.insert("data".into(), data);
            }
            with(base, extra)
        });
    (
        prop::collection::vec(operation, 0..4),
        prop::option::of(0u32..9),
        unknown_members(),
    )
        .prop_map(|(ops, fail_on_errors, extra)| {
            let mut base = Map::new();
            base.insert(
                "schemas".into(),
                json!(["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]),
            );
            if let Some(n) = fail_on_errors {
                base.insert("failOnErrors".into(), Value::from(n));
            }
            base.insert("Operations".into(), Value::from(ops));
            with(base, extra)
        })
}

fn list_response() -> impl Strategy<Value = Value> {
    let user = ("[a-z]{1,8}", unknown_members()).prop_map(|(name, extra)| {
        let mut base = Map::new();
        base.insert("userName".into(), Value::from(name));
        with(base, extra)
    });
    let resources = prop_oneof![
        Just(None),
        Just(Some(Value::Null)),
        prop::collection::vec(user, 0..3).prop_map(|u| Some(Value::from(u))),
    ];
    (resources, prop::option::of(0u64..50), unknown_members()).prop_map(
        |(resources, total, extra)| {
            let mut base = Map::new();
            if let Some(total) = total {
                base.insert("totalResults".into(), Value::from(total));
            }
            if let Some(resources) = resources {
                base.insert("Resources".into(), resources);
            }
            with(base, extra)
        },
    )
}

fn service_provider_config() -> impl Strategy<Value = Value> {
    let supported = || {
        (any::<bool>(), unknown_members()).prop_map(|(on, extra)| {
            with(
                Map::from_iter([("supported".into(), Value::from(on))]),
                extra,
            )
        })
    };
    (supported(), supported(), unknown_members()).prop_map(|(patch, etag, extra)| {
        let mut base = Map::new();
        base.insert("patch".into(), patch);
        base.insert("etag".into(), etag);
        with(base, extra)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn patch_ops_round_trip(json in patch_op()) {
        prop_assert_eq!(round_trip::<PatchOp>(&json), json);
    }

    #[test]
    fn bulk_responses_round_trip(json in bulk_response()) {
        prop_assert_eq!(round_trip::<BulkResponse>(&json), json);
    }

    #[test]
    fn bulk_requests_round_trip(json in bulk_request()) {
        prop_assert_eq!(round_trip::<BulkRequest>(&json), json);
    }

    #[test]
    fn list_responses_round_trip(json in list_response()) {
        prop_assert_eq!(round_trip::<ListResponse<User>>(&json), json.clone());
        // Through the client's page decoder too.
        let bytes = serde_json::to_vec(&json).unwrap();
        let page = ListResponse::<User>::from_json(&bytes).unwrap();
        prop_assert_eq!(serde_json::to_value(&page).unwrap(), json);
    }

    #[test]
    fn discovery_documents_round_trip(json in service_provider_config()) {
        prop_assert_eq!(round_trip::<ServiceProviderConfig>(&json), json.clone());
        let schema = json!({"id": "urn:x", "attributes": [json.clone()], "x-more": json});
        prop_assert_eq!(round_trip::<Schema>(&schema), schema);
    }
}
