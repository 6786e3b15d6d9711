//! Properties over generated input: model round trips, filter round trips,
//! and hostile ids and filter values that must not change a request's shape.

use proptest::prelude::*;
use scim_client::filter::{AttrPath, CompValue, CompareOp, Filter};
use scim_client::model::PatchPath;
use scim_client::model::{
    Address, EnterpriseUser, GroupRef, Manager, Meta, Name, SlackGuest, SlackProfile, TypedValue,
    User,
};
use scim_client::model::{Group, GuestChannel, Member};
use scim_client::{BearerToken, Endpoint};
use serde_json::{Map, Value};

// ---------- JSON generators ----------

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[ -~é\u{1F600}]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z_$:.]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A value for a known attribute: of its type, or `null`.
fn or_null(strategy: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    prop_oneof![1 => Just(Value::Null), 6 => strategy].boxed()
}

fn string() -> BoxedStrategy<Value> {
    "[ -~é]{0,10}".prop_map(Value::from).boxed()
}

fn boolean() -> BoxedStrategy<Value> {
    any::<bool>().prop_map(Value::from).boxed()
}

/// An object whose known keys each may be present, plus unknown keys kept verbatim.
fn object(
    known: &'static [&'static str],
    fields: Vec<BoxedStrategy<Value>>,
) -> BoxedStrategy<Value> {
    let present = prop::collection::vec(prop::option::of(Just(())), known.len());
    let unknown =
        prop::collection::btree_map("(x-|URL|new_|[A-Z])[a-zA-Z0-9_]{0,6}", any_json(), 0..3);
    (fields, present, unknown)
        .prop_map(move |(values, present, unknown)| {
            let mut map = Map::new();
            for ((key, value), keep) in known.iter().zip(values).zip(present) {
                if keep.is_some() {
                    map.insert((*key).to_owned(), value);
                }
            }
            for (key, value) in unknown {
                // Attribute names are case insensitive (RFC 7643 §2.1): an
                // unknown key is one that matches no known key in any case.
                if !known.iter().any(|k| k.eq_ignore_ascii_case(&key)) {
                    map.insert(key, value);
                }
            }
            Value::Object(map)
        })
        .boxed()
}

fn strings_object(known: &'static [&'static str]) -> BoxedStrategy<Value> {
    object(known, known.iter().map(|_| or_null(string())).collect())
}

fn list(element: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    or_null(
        prop::collection::vec(element, 0..3)
            .prop_map(Value::from)
            .boxed(),
    )
}

fn typed_value() -> BoxedStrategy<Value> {
    object(
        TypedValue::KNOWN_KEYS,
        vec![
            or_null(string()),
            or_null(string()),
            or_null(boolean()),
            or_null(string()),
        ],
    )
}

fn user_json() -> impl Strategy<Value = Value> {
    let address = object(
        Address::KNOWN_KEYS,
        Address::KNOWN_KEYS
            .iter()
            .map(|k| {
                if *k == "primary" {
                    or_null(boolean())
                } else {
                    or_null(string())
                }
            })
            .collect(),
    );
    let manager = strings_object(Manager::KNOWN_KEYS);
    let mut enterprise_fields: Vec<_> = (0..5).map(|_| or_null(string())).collect();
    enterprise_fields.push(or_null(manager));
    let enterprise = object(EnterpriseUser::KNOWN_KEYS, enterprise_fields);
    let guest = object(
        SlackGuest::KNOWN_KEYS,
        vec![
            or_null(string()),
            or_null(string()),
            list(strings_object(GuestChannel::KNOWN_KEYS)),
        ],
    );
    let profile = strings_object(SlackProfile::KNOWN_KEYS);
    let fields: Vec<BoxedStrategy<Value>> = User::KNOWN_KEYS
        .iter()
        .map(|key| match *key {
            "schemas" => list(string()),
            "meta" => or_null(strings_object(Meta::KNOWN_KEYS)),
            "name" => or_null(strings_object(Name::KNOWN_KEYS)),
            "active" => or_null(boolean()),
            "emails" | "phoneNumbers" | "photos" | "roles" | "ims" | "entitlements"
            | "x509Certificates" => list(typed_value()),
            "addresses" => list(address.clone()),
            "groups" => list(strings_object(GroupRef::KNOWN_KEYS)),
            "urn:scim:schemas:extension:enterprise:1.0"
            | "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" => {
                or_null(enterprise.clone())
            }
            "urn:scim:schemas:extension:slack:guest:1.0"
            | "urn:ietf:params:scim:schemas:extension:slack:guest:2.0:User" => {
                or_null(guest.clone())
            }
            "urn:scim:schemas:extension:slack:profile:1.0"
            | "urn:ietf:params:scim:schemas:extension:slack:profile:2.0:User" => {
                or_null(profile.clone())
            }
            _ => or_null(string()),
        })
        .collect();
    object(User::KNOWN_KEYS, fields)
}

fn group_json() -> impl Strategy<Value = Value> {
    let fields: Vec<BoxedStrategy<Value>> = Group::KNOWN_KEYS
        .iter()
        .map(|key| match *key {
            "schemas" => list(string()),
            "members" => list(strings_object(Member::KNOWN_KEYS)),
            "meta" => or_null(strings_object(Meta::KNOWN_KEYS)),
            _ => or_null(string()),
        })
        .collect();
    object(Group::KNOWN_KEYS, fields)
}

// ---------- filter generators ----------

fn attr_path() -> impl Strategy<Value = AttrPath> {
    let name = "[a-zA-Z][a-zA-Z0-9_-]{0,6}";
    (
        prop::option::of(prop_oneof![
            Just("urn:ietf:params:scim:schemas:core:2.0:User".to_owned()),
            Just("urn:scim:schemas:extension:enterprise:1.0".to_owned()),
        ]),
        name,
        prop::option::of(name),
    )
        .prop_map(|(urn, name, sub_attr)| AttrPath {
            urn,
            name,
            sub_attr,
        })
}

fn comp_value() -> impl Strategy<Value = CompValue> {
    prop_oneof![
        any::<String>().prop_map(CompValue::Str),
        r#"[ "\\()\[\]a-z]{0,12}( or | and |\) or \()?"#.prop_map(CompValue::Str),
        any::<i64>().prop_map(CompValue::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(CompValue::Num)),
        any::<bool>().prop_map(CompValue::Bool),
        Just(CompValue::Null),
    ]
}

fn leaf_filter() -> impl Strategy<Value = Filter> {
    prop_oneof![
        4 => (attr_path(), prop::sample::select(CompareOp::ALL.to_vec()), comp_value())
            .prop_map(|(p, op, v)| Filter::Compare(p, op, v)),
        1 => attr_path().prop_map(Filter::Present),
    ]
}

fn filter() -> impl Strategy<Value = Filter> {
    leaf_filter().prop_recursive(6, 48, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a.and(b)),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a.or(b)),
            inner.clone().prop_map(Filter::not),
            (attr_path(), inner).prop_map(|(p, f)| Filter::value_path(p, f)),
        ]
    })
}

fn patch_path() -> impl Strategy<Value = PatchPath> {
    prop_oneof![
        attr_path().prop_map(PatchPath::Attr),
        (
            attr_path(),
            filter(),
            prop::option::of("[a-zA-Z][a-zA-Z0-9_-]{0,6}")
        )
            .prop_map(|(attr, filter, sub)| {
                PatchPath::ValueFilter {
                    attr,
                    filter,
                    sub_attr: sub,
                }
            }),
    ]
}

fn endpoint() -> Endpoint {
    Endpoint::new(BearerToken::new("xoxp-prop").unwrap())
}

/// Every key some model type knows.
fn is_known_key(key: &str) -> bool {
    [
        User::KNOWN_KEYS,
        Name::KNOWN_KEYS,
        TypedValue::KNOWN_KEYS,
        Meta::KNOWN_KEYS,
        Address::KNOWN_KEYS,
        GroupRef::KNOWN_KEYS,
        EnterpriseUser::KNOWN_KEYS,
        Manager::KNOWN_KEYS,
        SlackGuest::KNOWN_KEYS,
        SlackProfile::KNOWN_KEYS,
        GuestChannel::KNOWN_KEYS,
    ]
    .iter()
    .any(|keys| keys.contains(&key))
}

/// The same document as a lenient provider might send it: the keys of known
/// attributes in upper case, their booleans as strings in any case, and
/// their number-like strings as numbers. Unknown members are left exactly
/// as they are. `flip` picks the variants.
fn provider_shaped(value: &Value, typed: bool, flip: &mut impl FnMut() -> u8) -> Value {
    match value {
        Value::Bool(b) if typed => {
            let text = if *b { "true" } else { "false" };
            Value::from(match flip() % 3 {
                0 => text.to_uppercase(),
                1 => text[..1].to_uppercase() + &text[1..],
                _ => text.to_owned(),
            })
        }
        Value::String(s)
            if typed
                && (1..15).contains(&s.len())
                && s.bytes().all(|b| b.is_ascii_digit())
                && !s.starts_with('0') =>
        {
            Value::from(s.parse::<u64>().unwrap())
        }
        Value::Array(items) if typed => Value::Array(
            items
                .iter()
                .map(|v| provider_shaped(v, true, flip))
                .collect(),
        ),
        Value::Object(map) if typed => Value::Object(
            map.iter()
                .map(|(k, v)| match is_known_key(k) {
                    true if flip() % 2 == 0 => (k.to_uppercase(), provider_shaped(v, true, flip)),
                    true => (k.clone(), provider_shaped(v, true, flip)),
                    false => (k.clone(), v.clone()),
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_user_json_parses_and_serialises_back_unchanged(json in user_json()) {
        let user: User = serde_json::from_value(json.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&user).unwrap(), json.clone());
        // The same through bytes, as responses arrive.
        let bytes = serde_json::to_vec(&json).unwrap();
        let from_bytes: User = serde_json::from_slice(&bytes).unwrap();
        prop_assert_eq!(from_bytes, user);
    }

    #[test]
    fn a_provider_shaped_user_decodes_to_the_same_user(json in user_json(), seed in any::<u64>()) {
        let canonical: User = serde_json::from_value(json.clone()).unwrap();
        let mut state = seed;
        let mut flip = || { state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); (state >> 33) as u8 };
        let shaped = provider_shaped(&json, true, &mut flip);
        let from_provider: User = serde_json::from_value(shaped.clone()).unwrap();
        // Unknown keys were left as they were; numbers in them stay numbers.
        prop_assert_eq!(&from_provider, &canonical, "{}", shaped);
        // And what is written back is the canonical form.
        prop_assert_eq!(serde_json::to_value(&from_provider).unwrap(), json);
    }

    #[test]
    fn any_group_json_parses_and_serialises_back_unchanged(json in group_json()) {
        let group: Group = serde_json::from_value(json.clone()).unwrap();
        prop_assert_eq!(serde_json::to_value(&group).unwrap(), json);
    }

    #[test]
    fn printed_filters_parse_back_to_the_same_tree(f in filter()) {
        let text = f.to_string();
        let parsed: Filter = text.parse().map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(&parsed, &f);
        prop_assert!(f.validate().is_ok());
    }

    #[test]
    fn printed_patch_paths_parse_back_to_the_same_path(path in patch_path()) {
        let text = path.to_string();
        let parsed: PatchPath = text.parse().map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(parsed, path);
    }

    #[test]
    fn a_hostile_filter_value_stays_one_value(value in any::<String>(), path in attr_path()) {
        let f = Filter::eq(path.clone(), value.as_str());
        let parsed: Filter = f.to_string().parse().unwrap();
        prop_assert_eq!(parsed, Filter::Compare(path, CompareOp::Eq, CompValue::Str(value.clone())));
        // And in the request, the filter is one query parameter.
        let op = endpoint().search_users(&scim_client::model::SearchRequest::new().start_index(1).count(10).filter(f.to_string())).unwrap();
        let query = op.request().uri().query().unwrap().to_owned();
        let names: Vec<&str> = query.split('&').map(|kv| kv.split('=').next().unwrap()).collect();
        prop_assert_eq!(names, vec!["startIndex", "count", "filter"]);
    }

    #[test]
    fn a_hostile_id_never_changes_method_path_or_query(id in any::<String>().prop_filter("usable", |s| !matches!(s.as_str(), "" | "." | ".."))) {
        let e = endpoint();
        for (op_method, uri) in [
            ("GET", e.read_user(&id).unwrap().into_request().uri().clone()),
            ("DELETE", e.delete_group(&id).unwrap().into_request().uri().clone()),
        ] {
            let _ = op_method;
            prop_assert_eq!(uri.query(), None);
            let segments: Vec<&str> = uri.path().split('/').collect();
            prop_assert_eq!(segments.len(), 5, "{}", uri);
            prop_assert!(segments[4] != "." && segments[4] != "..");
        }
        let patch = e.patch_user(&id, &User::default()).unwrap().into_request();
        prop_assert_eq!(patch.method(), "PATCH");
        prop_assert!(patch.uri().path().starts_with("/scim/v1/Users/"));
    }
}
