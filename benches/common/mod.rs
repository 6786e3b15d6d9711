//! Realistic SCIM pages for the benchmarks, generated (deterministically)
//! by the project: Slack v1 users with emails, photos, phone numbers,
//! addresses, groups and the enterprise extension, about 1.2 KB each.

#![allow(dead_code)] // each bench uses part of this

use serde_json::{Value, json};

/// Which page to build.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// Slack v1 search page.
    SlackV1,
    /// The same with unknown attributes at the top level and inside `name` and `emails`.
    SlackV1Unknown,
    /// A SCIM 2.0 ListResponse of the same users.
    Scim2,
}

pub fn user(i: usize, shape: Shape) -> Value {
    let v2 = matches!(shape, Shape::Scim2);
    let (core, enterprise) = if v2 {
        (
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        )
    } else {
        (
            "urn:scim:schemas:core:1.0",
            "urn:scim:schemas:extension:enterprise:1.0",
        )
    };
    let id = format!("W{:08X}", 0x10_0000 + i);
    let title = ["Engineer", "Analyst", "Designer", "Manager"][i % 4];
    let department = ["Engineering", "Design", "Sales"][i % 3];
    let mut user = json!({
        "schemas": [core, enterprise],
        "id": id,
        "externalId": format!("00u{:012x}", i * 7919),
        "meta": {
            "created": "2024-03-14T09:26:53-07:00",
            "location": format!("https://api.slack.com/scim/v1/Users/{id}")
        },
        "userName": format!("user.{i:05}"),
        "nickName": format!("user{i}"),
        "name": {"givenName": format!("Given{i}"), "familyName": format!("Family{}", i % 97)},
        "displayName": format!("Given{i} Family{}", i % 97),
        "profileUrl": format!("https://example.enterprise.slack.com/team/user{i}"),
        "title": title,
        "timezone": "America/Los_Angeles",
        "active": i % 13 != 0,
        "emails": [
            {"value": format!("user.{i:05}@example.com"), "type": "work", "primary": true},
            {"value": format!("user{i}@home.example.org"), "type": "home", "primary": false}
        ],
        "phoneNumbers": [{"value": format!("+1-555-01{:02}-{:04}", i % 100, i), "type": "mobile", "primary": true}],
        "photos": [
            {"value": format!("https://avatars.slack-edge.com/2024-03-14/{i}_192.jpg"), "type": "photo"},
            {"value": format!("https://avatars.slack-edge.com/2024-03-14/{i}_512.jpg"), "type": "thumbnail"}
        ],
        "addresses": [{
            "streetAddress": format!("{} Market Street", 100 + i % 900),
            "locality": "San Francisco", "region": "CA", "postalCode": "94105", "country": "US", "primary": true
        }],
        "groups": [
            {"value": format!("S{:08X}", i % 50), "display": format!("team-{}", i % 50)},
            {"value": "S0000ALL", "display": "everyone"}
        ],
        enterprise: {
            "employeeNumber": format!("{:06}", i),
            "costCenter": format!("CC-{}", i % 20),
            "organization": "Example Corp",
            "division": "Product",
            "department": department,
            "manager": {"managerId": format!("W{:08X}", 0x10_0000 + i / 10)}
        }
    });
    if v2 {
        user["meta"]["resourceType"] = json!("User");
        user["meta"]["version"] = json!(format!("W/\"{i}\""));
        user["meta"]["lastModified"] = json!("2024-06-01T12:00:00Z");
    }
    if matches!(shape, Shape::SlackV1Unknown) {
        user["x-slackIsRestricted"] = json!(i % 5 == 0);
        user["customAttribute"] = json!({"badge": i, "floors": [3, 4]});
        user["name"]["pronunciation"] = json!(format!("GIV-en {i}"));
        user["emails"][0]["verified"] = json!(true);
        user["emails"][1]["label"] = json!("personal");
    }
    user
}

/// A search page of `count` users, serialised.
pub fn page(count: usize, shape: Shape) -> Vec<u8> {
    let users: Vec<Value> = (0..count).map(|i| user(i, shape)).collect();
    let page = match shape {
        Shape::Scim2 => json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": count * 10, "itemsPerPage": count, "startIndex": 1, "Resources": users
        }),
        _ => json!({
            "totalResults": count * 10, "itemsPerPage": count, "startIndex": 1,
            "schemas": ["urn:scim:schemas:core:1.0"], "Resources": users
        }),
    };
    serde_json::to_vec(&page).expect("a generated page serialises")
}
