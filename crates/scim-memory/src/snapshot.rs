//! Snapshots: a service's users and groups as one JSON value, and a
//! service restored from one with the same ids.
//!
//! A snapshot is plain JSON, so a program that plays a provider across
//! runs (the `scim` command's embedded service) can keep it in a file:
//!
//! ```json
//! {"format": "scim-memory-snapshot/1", "dialect": "slack-v1",
//!  "users": [{"id": "W0000000001", "userName": "ada", …}], "groups": […]}
//! ```
//!
//! The service makes its ids from one counter (Slack: `W` or `S` and ten
//! hex digits; SCIM 2.0: 32 hex digits), so a restore creates the
//! resources again in counter order, each getting back the id it had; a
//! counter value no resource holds any more (a deleted one) is used up by
//! a placeholder created and deleted at once. Every attribute is kept, and
//! `meta.location`; the rest of `meta` (`created`, `lastModified`,
//! `version`) is stamped anew by the service's write clock, as every write
//! is. Resource types added with
//! [`add_resource_type`](InMemoryService::add_resource_type), injected
//! faults, counters and the virtual clock are not part of a snapshot.

use serde_json::{Map, Value, json};

use crate::store::{Paging, Query};
use crate::{Failure, InMemoryService, Kind};
use scim_client::Dialect;
use scim_client::model::SearchRequest;
use scim_client::provider::Profile;

/// The `format` of the snapshots [`InMemoryService::snapshot`] writes.
pub const SNAPSHOT_FORMAT: &str = "scim-memory-snapshot/1";

/// At most this many counter values may be missing (deleted resources)
/// for a restore to replay them; more means ids no service of this kind gave.
const MAX_GAPS: u64 = 100_000;

impl InMemoryService {
    /// Every user and group, in id order, with every attribute and `meta`,
    /// as one JSON value that [`restore`](Self::restore) reads back.
    ///
    /// ```
    /// use scim_client::provider::Profile;
    /// use scim_memory::InMemoryService;
    ///
    /// let service = InMemoryService::for_profile(&Profile::slack_v1());
    /// let id = service.seed_user(serde_json::json!({"userName": "ada"}))?;
    /// let again = InMemoryService::restore(&Profile::slack_v1(), &service.snapshot())?;
    /// assert_eq!(again.snapshot()["users"][0]["id"], id.as_str());
    /// # Ok::<(), scim_memory::Failure>(())
    /// ```
    pub fn snapshot(&self) -> Value {
        let state = self.state();
        let everything = Query::from_search(&SearchRequest::new(), self.dialect(), &unpaged());
        let list = |kind: Kind| -> Value {
            let page = everything
                .as_ref()
                .ok()
                .and_then(|query| state.store.list(kind, query).ok());
            page.and_then(|mut page| page.get_mut("Resources").map(Value::take))
                .unwrap_or_else(|| json!([]))
        };
        json!({
            "format": SNAPSHOT_FORMAT,
            "dialect": dialect_name(self.dialect()),
            "users": list(Kind::Users),
            "groups": list(Kind::Groups),
        })
    }

    /// A service playing `profile` (as [`for_profile`](Self::for_profile))
    /// that holds the users and groups of `snapshot`, with their ids.
    ///
    /// Refused (400) when the snapshot is not one [`snapshot`](Self::snapshot)
    /// wrote, was taken from a service of another dialect, holds an id this
    /// kind of service does not make, or a resource the service refuses
    /// (a missing or repeated `userName`, say).
    pub fn restore(profile: &Profile, snapshot: &Value) -> Result<InMemoryService, Failure> {
        let dialect = profile.dialect;
        check_header(snapshot, dialect)?;
        let mut entries = Vec::new();
        for (key, kind) in [("users", Kind::Users), ("groups", Kind::Groups)] {
            for resource in resources(snapshot, key)? {
                let counter = id_counter(dialect, kind, resource)?;
                entries.push((counter, kind, resource.clone()));
            }
        }
        entries.sort_by_key(|entry| entry.0);
        if let Some(pair) = entries.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(refused(format!(
                "two resources hold id number {}",
                pair[0].0
            )));
        }
        let last = entries.last().map_or(0, |entry| entry.0);
        if last - entries.len() as u64 > MAX_GAPS {
            return Err(refused(format!(
                "ids up to number {last} for {} resources: not ids this service made",
                entries.len()
            )));
        }
        let service = InMemoryService::for_profile(profile);
        service.replay(entries)?;
        Ok(service)
    }

    /// Creates the entries again in counter order, using up each missing
    /// counter value with a placeholder user.
    fn replay(&self, entries: Vec<(u64, Kind, Map<String, Value>)>) -> Result<(), Failure> {
        let mut state = self.state();
        let store = &mut state.store;
        let mut next = 1;
        for (counter, kind, resource) in entries {
            while next < counter {
                let placeholder = json!({"userName": format!("\u{1}snapshot-gap-{next}")});
                let made = store.create(Kind::Users, placeholder, "")?;
                store.delete(Kind::Users, id_of(&made), None)?;
                next += 1;
            }
            let expected = id_of(&resource).to_owned();
            let origin = origin_of(&resource, kind, &expected);
            let made = store.create(kind, Value::Object(resource), &origin)?;
            if id_of(&made) != expected {
                return Err(refused(format!(
                    "{expected:?} came back as {:?}",
                    id_of(&made)
                )));
            }
            next = counter + 1;
        }
        Ok(())
    }
}

/// A query that returns every resource in one page.
fn unpaged() -> Paging {
    Paging {
        index: true,
        cursor: false,
        max_page_size: usize::MAX,
        default_page_size: usize::MAX,
        announced: false,
    }
}

fn dialect_name(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::SlackV1 => "slack-v1",
        Dialect::SlackV2 => "slack-v2",
        Dialect::Scim2 => "scim2",
    }
}

fn refused(detail: impl Into<String>) -> Failure {
    Failure::new(400, Some("invalidValue"), detail)
}

fn check_header(snapshot: &Value, dialect: Dialect) -> Result<(), Failure> {
    let format = snapshot.get("format").and_then(Value::as_str);
    if format != Some(SNAPSHOT_FORMAT) {
        return Err(refused(format!(
            "not a snapshot: its format is {format:?}, not {SNAPSHOT_FORMAT:?}"
        )));
    }
    let taken_from = snapshot.get("dialect").and_then(Value::as_str);
    if taken_from != Some(dialect_name(dialect)) {
        return Err(refused(format!(
            "the snapshot was taken from a {} service, not {}",
            taken_from.unwrap_or("unknown"),
            dialect_name(dialect)
        )));
    }
    Ok(())
}

/// The objects listed under `key`; absent counts as none.
fn resources<'a>(snapshot: &'a Value, key: &str) -> Result<Vec<&'a Map<String, Value>>, Failure> {
    match snapshot.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_object()
                    .ok_or_else(|| refused(format!("{key} holds something not an object")))
            })
            .collect(),
        Some(_) => Err(refused(format!("{key} is not a list"))),
    }
}

fn id_of(resource: &Map<String, Value>) -> &str {
    resource
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The counter value a service of `dialect` made `resource`'s id from.
fn id_counter(dialect: Dialect, kind: Kind, resource: &Map<String, Value>) -> Result<u64, Failure> {
    let id = id_of(resource);
    let (prefix, width, upper) = match (dialect, kind) {
        (Dialect::SlackV1 | Dialect::SlackV2, Kind::Users) => ("W", 10, true),
        (Dialect::SlackV1 | Dialect::SlackV2, _) => ("S", 10, true),
        (Dialect::Scim2, _) => ("", 32, false),
    };
    let counter = id
        .strip_prefix(prefix)
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .filter(|&n| n > 0);
    // Only the exact spelling the service makes: it must come back the same.
    let remade = counter.map(|n| match upper {
        true => format!("{prefix}{n:0width$X}"),
        false => format!("{prefix}{n:0width$x}"),
    });
    match counter {
        Some(n) if remade.as_deref() == Some(id) => Ok(n),
        _ => Err(refused(format!("{id:?} is not an id this service makes"))),
    }
}

/// The URL prefix of `meta.location` before `/{Users|Groups}/{id}`.
fn origin_of(resource: &Map<String, Value>, kind: Kind, id: &str) -> String {
    let endpoint = if kind == Kind::Users {
        "Users"
    } else {
        "Groups"
    };
    resource
        .get("meta")
        .and_then(|meta| meta.get("location"))
        .and_then(Value::as_str)
        .and_then(|location| location.strip_suffix(&format!("/{endpoint}/{id}")))
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The snapshot without what a restore stamps anew.
    fn without_write_stamps(mut snapshot: Value) -> Value {
        for key in ["users", "groups"] {
            for resource in snapshot[key].as_array_mut().into_iter().flatten() {
                if let Some(meta) = resource.get_mut("meta").and_then(Value::as_object_mut) {
                    for stamp in ["created", "lastModified", "version"] {
                        meta.remove(stamp);
                    }
                }
            }
        }
        snapshot
    }

    fn populated(profile: &Profile) -> InMemoryService {
        let service = InMemoryService::for_profile(profile);
        let mut state = service.state();
        let store = &mut state.store;
        let origin = "https://scim.test/scim/v1";
        let ada = store
            .create(Kind::Users, json!({"userName": "ada", "title": "Analyst", "name": {"givenName": "Ada"}, "emails": [{"value": "ada@example.com", "primary": true}]}), origin)
            .unwrap();
        let gone = store
            .create(Kind::Users, json!({"userName": "gone"}), origin)
            .unwrap();
        let grace = store
            .create(Kind::Users, json!({"userName": "grace", "active": false, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Navy"}}), origin)
            .unwrap();
        let members = json!([{"value": id_of(&ada)}, {"value": id_of(&grace)}]);
        store
            .create(
                Kind::Groups,
                json!({"displayName": "eng", "members": members}),
                origin,
            )
            .unwrap();
        store.delete(Kind::Users, id_of(&gone), None).unwrap();
        drop(state);
        service
    }

    #[test]
    fn a_restored_service_holds_the_same_resources_with_the_same_ids() {
        for profile in [
            Profile::slack_v1(),
            Profile::slack_v2(),
            Profile::aws_identity_center("us-east-1", "d-1"),
        ] {
            let service = populated(&profile);
            let snapshot = service.snapshot();
            assert_eq!(snapshot["users"].as_array().map(Vec::len), Some(2));
            let restored = InMemoryService::restore(&profile, &snapshot).unwrap();
            assert_eq!(
                without_write_stamps(restored.snapshot()),
                without_write_stamps(snapshot.clone()),
                "{}",
                profile.name
            );
            assert_eq!(restored.len(Kind::Groups), 1);
            assert_eq!(restored.profile(), Some(&profile));
        }
    }

    #[test]
    fn ids_made_after_a_restore_do_not_collide_and_names_stay_unique() {
        let profile = Profile::slack_v1();
        let snapshot = populated(&profile).snapshot();
        let restored = InMemoryService::restore(&profile, &snapshot).unwrap();
        let taken: Vec<&str> = ["users", "groups"]
            .iter()
            .flat_map(|key| snapshot[*key].as_array().unwrap())
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        let new = restored.seed_user(json!({"userName": "linus"})).unwrap();
        assert!(!taken.contains(&new.as_str()), "{new} reused");
        let duplicate = restored.seed_user(json!({"userName": "ADA"})).unwrap_err();
        assert_eq!(duplicate.status(), 409);
    }

    #[test]
    fn foreign_snapshots_and_ids_are_refused() {
        let slack = populated(&Profile::slack_v1()).snapshot();
        let scim2 = Profile::generic_scim2("https://scim.test/v2/");
        let refused = InMemoryService::restore(&scim2, &slack).unwrap_err();
        assert!(refused.detail().contains("slack-v1"), "{refused}");

        let mut forged = slack.clone();
        forged["users"][0]["id"] = json!("U12345");
        let refused = InMemoryService::restore(&Profile::slack_v1(), &forged).unwrap_err();
        assert!(refused.detail().contains("U12345"), "{refused}");

        let mut far = slack.clone();
        far["users"][0]["id"] = json!("W00FFFFFFFF");
        let refused = InMemoryService::restore(&Profile::slack_v1(), &far).unwrap_err();
        assert_eq!(refused.status(), 400);

        let not_one = InMemoryService::restore(&Profile::slack_v1(), &json!({"users": []}));
        assert!(not_one.is_err());
    }

    #[test]
    fn an_empty_snapshot_restores_an_empty_service() {
        let profile = Profile::zoom();
        let snapshot = InMemoryService::for_profile(&profile).snapshot();
        assert_eq!(snapshot["users"], json!([]));
        let restored = InMemoryService::restore(&profile, &snapshot).unwrap();
        assert_eq!(restored.len(Kind::Users), 0);
    }
}
