//! [`UserRecord`] and [`GroupRecord`]: users and groups flattened to the
//! columns tables and exports show.

use serde::Serialize;

use scim_client::model::{Group, User};

/// A user's columns, as `export` writes them (JSON names; CSV headers are
/// [`UserRecord::CSV_HEADER`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserRecord {
    /// `id`.
    pub id: Option<String>,
    /// `userName`.
    pub user_name: Option<String>,
    /// `externalId`.
    pub external_id: Option<String>,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `name.givenName`.
    pub given_name: Option<String>,
    /// `name.familyName`.
    pub family_name: Option<String>,
    /// `title`.
    pub title: Option<String>,
    /// The primary email's value, else the first email's.
    pub email: Option<String>,
    /// `active`.
    pub active: Option<bool>,
}

impl UserRecord {
    /// The CSV header row, in column order.
    pub(crate) const CSV_HEADER: [&'static str; 9] = [
        "id",
        "userName",
        "externalId",
        "displayName",
        "name.givenName",
        "name.familyName",
        "title",
        "email",
        "active",
    ];

    /// The columns of `user`.
    pub(crate) fn of(user: &User) -> UserRecord {
        let text = |field: &scim_client::model::Field<String>| field.as_deref().map(str::to_owned);
        let name = user.name.value();
        UserRecord {
            id: text(&user.id),
            user_name: text(&user.user_name),
            external_id: text(&user.external_id),
            display_name: text(&user.display_name),
            given_name: name.and_then(|n| n.given_name.as_deref().map(str::to_owned)),
            family_name: name.and_then(|n| n.family_name.as_deref().map(str::to_owned)),
            title: text(&user.title),
            email: primary_email(user),
            active: user.active.value().copied(),
        }
    }

    /// The CSV fields, in [`CSV_HEADER`](Self::CSV_HEADER) order; absent is empty.
    pub(crate) fn csv_fields(&self) -> [String; 9] {
        let text = |field: &Option<String>| field.clone().unwrap_or_default();
        [
            text(&self.id),
            text(&self.user_name),
            text(&self.external_id),
            text(&self.display_name),
            text(&self.given_name),
            text(&self.family_name),
            text(&self.title),
            text(&self.email),
            self.active.map(|a| a.to_string()).unwrap_or_default(),
        ]
    }
}

/// The primary email's value, else the first one's.
pub(crate) fn primary_email(user: &User) -> Option<String> {
    let emails = user.emails.value()?;
    let primary = emails
        .iter()
        .find(|e| e.primary.value() == Some(&true))
        .or_else(|| emails.first())?;
    primary.value.as_deref().map(str::to_owned)
}

/// A group's columns: its names and its members' ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GroupRecord {
    /// `id`.
    pub id: Option<String>,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `externalId`.
    pub external_id: Option<String>,
    /// The members' ids; `None` when the provider's group reads leave
    /// members out (AWS IAM Identity Center).
    pub members: Option<Vec<String>>,
}

impl GroupRecord {
    /// The columns of `group`.
    pub(crate) fn of(group: &Group) -> GroupRecord {
        let text = |field: &scim_client::model::Field<String>| field.as_deref().map(str::to_owned);
        GroupRecord {
            id: text(&group.id),
            display_name: text(&group.display_name),
            external_id: text(&group.external_id),
            members: group.members.value().map(|members| {
                members
                    .iter()
                    .filter_map(|m| m.value.as_deref().map(str::to_owned))
                    .collect()
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(json: serde_json::Value) -> User {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn the_primary_email_wins_over_the_first() {
        let both = user(serde_json::json!({"userName": "a", "emails": [
            {"value": "home@x.test"}, {"value": "work@x.test", "primary": true}]}));
        assert_eq!(primary_email(&both).as_deref(), Some("work@x.test"));
        let first =
            user(serde_json::json!({"userName": "a", "emails": [{"value": "only@x.test"}]}));
        assert_eq!(primary_email(&first).as_deref(), Some("only@x.test"));
    }

    #[test]
    fn a_record_takes_nested_names_and_leaves_absent_fields_empty_in_csv() {
        let record = UserRecord::of(&user(serde_json::json!({
            "id": "W1", "userName": "ada", "name": {"givenName": "Ada"}, "active": false})));
        assert_eq!(record.given_name.as_deref(), Some("Ada"));
        assert_eq!(
            record.csv_fields(),
            ["W1", "ada", "", "", "Ada", "", "", "", "false"].map(String::from)
        );
    }

    #[test]
    fn a_group_without_members_says_so() {
        let group: Group =
            serde_json::from_value(serde_json::json!({"id": "S1", "displayName": "g"})).unwrap();
        assert_eq!(GroupRecord::of(&group).members, None);
    }
}
