//! The enterprise User extension (RFC 7643 §4.3) as the provider's dialect
//! writes it, and how the planner compares the attributes of extensions.
//!
//! RFC 7643 §4.3 defines `employeeNumber`, `costCenter`, `organization`,
//! `division`, `department` and `manager` under
//! `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`. Sources
//! write them there, and managed paths name them there; Slack v1 spells
//! the URN `urn:scim:schemas:extension:enterprise:1.0`, so the planner moves
//! both under the dialect's ([`Dialect::enterprise_urn`]). `manager` holds
//! the manager's id in `value` (RFC 7643) or in `managerId` (Slack, v1 and
//! v2: [`Dialect::manager_id_attribute`]).

use std::borrow::Cow;

use scim_client::Dialect;
use scim_client::model::{ENTERPRISE_V1, ENTERPRISE_V2};
use serde_json::{Map, Value};

use super::json::split_root;
use crate::options::PlanOptions;

/// The enterprise extension in one dialect.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Enterprise {
    dialect: Dialect,
}

impl Enterprise {
    /// The extension as `dialect` writes it.
    pub(crate) fn of(dialect: Dialect) -> Enterprise {
        Enterprise { dialect }
    }

    /// The URN it is written under.
    pub(crate) fn urn(self) -> &'static str {
        self.dialect.enterprise_urn()
    }

    /// RFC 7643's URN, which sources write, when the dialect writes another
    /// (the planner must read desired users by it too).
    pub(crate) fn source_root(self) -> Option<&'static str> {
        (self.urn() != ENTERPRISE_V2).then_some(ENTERPRISE_V2)
    }

    /// `options`, its managed paths under RFC 7643's URN written under the
    /// dialect's (borrowed when that changes nothing).
    pub(crate) fn localise_options(self, options: &PlanOptions) -> Cow<'_, PlanOptions> {
        if self.source_root().is_none() || !options.managed.iter().any(|p| under(p, ENTERPRISE_V2))
        {
            return Cow::Borrowed(options);
        }
        let managed = options
            .managed
            .iter()
            .map(|path| match under(path, ENTERPRISE_V2) {
                true => format!("{}{}", self.urn(), &path[ENTERPRISE_V2.len()..]),
                false => path.clone(),
            })
            .collect();
        Cow::Owned(PlanOptions {
            managed,
            ..options.clone()
        })
    }

    /// Moves a desired user's extension object (its JSON, as the sources
    /// write it under RFC 7643's URN) under the dialect's URN; attributes
    /// it already has there are kept unless the RFC 7643 object names them.
    pub(crate) fn localise(self, want: &mut Value) {
        let Some(source) = self.source_root() else {
            return;
        };
        let Some(object) = want.as_object_mut() else {
            return;
        };
        let Some(moved) = object.remove(source) else {
            return;
        };
        match (object.get_mut(self.urn()), moved) {
            (Some(Value::Object(there)), Value::Object(moved)) => there.extend(moved),
            (_, moved) => {
                object.insert(self.urn().to_owned(), moved);
            }
        }
    }

    /// The path of `manager` (`…:enterprise:2.0:User.manager`).
    pub(crate) fn manager_path(self) -> String {
        format!("{}.manager", self.urn())
    }

    /// Whether `managed` makes the manager the source's: it names the
    /// manager's path, or the whole extension.
    pub(crate) fn manages_manager(self, managed: &[String]) -> bool {
        let path = self.manager_path();
        managed
            .iter()
            .any(|m| m.eq_ignore_ascii_case(&path) || m.eq_ignore_ascii_case(self.urn()))
    }

    /// The `manager` value naming the user `id`: `{"value": id}` (RFC 7643
    /// §4.3), `{"managerId": id}` on Slack.
    pub(crate) fn manager(self, id: &str) -> Value {
        let mut manager = Map::new();
        manager.insert(self.dialect.manager_id_attribute().to_owned(), id.into());
        Value::Object(manager)
    }
}

/// True when `path` is `urn` or one of its attributes, in any case.
fn under(path: &str, urn: &str) -> bool {
    path.get(..urn.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(urn))
        && matches!(path.as_bytes().get(urn.len()), None | Some(b'.'))
}

/// Equal as RFC 7643 compares an extension's attribute at `path` (a
/// planner path, `URN.attribute`): text without regard to case, as
/// `caseExact` is false unless a schema says otherwise (§2.2), which the
/// enterprise schema never does (§8.7.1); a `manager` by the
/// sub-attributes the source gives (its id: the `displayName` and `$ref`
/// a provider adds are its own), each compared the same way. False for
/// anything else, which is then compared exactly.
pub(crate) fn equivalent(path: &str, want: &Value, have: &Value) -> bool {
    let Some((root, attribute)) = split_root(path) else {
        return false;
    };
    let lower = root.to_ascii_lowercase();
    if !lower.starts_with("urn:") || lower.contains(":core:") {
        return false;
    }
    let enterprise = [ENTERPRISE_V1, ENTERPRISE_V2]
        .iter()
        .any(|urn| urn.eq_ignore_ascii_case(root));
    match (want, have) {
        (Value::Object(want), Value::Object(have))
            if enterprise && attribute.eq_ignore_ascii_case("manager") =>
        {
            !want.is_empty()
                && want.iter().all(|(key, value)| {
                    have.get(key)
                        .is_some_and(|had| had == value || same_text(value, had))
                })
        }
        _ => same_text(want, have),
    }
}

/// Both text, equal without regard to case.
fn same_text(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(a), Value::String(b)) => a.to_lowercase() == b.to_lowercase(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DEPARTMENT: &str =
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department";
    const MANAGER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager";

    #[test]
    fn extension_text_is_compared_without_regard_to_case() {
        assert!(equivalent(
            DEPARTMENT,
            &json!("Research"),
            &json!("RESEARCH")
        ));
        assert!(!equivalent(DEPARTMENT, &json!("Research"), &json!("Ops")));
        assert!(equivalent(
            "urn:acme:ext:User.badge",
            &json!("a1"),
            &json!("A1")
        ));
        // Core attributes keep their own rules.
        assert!(!equivalent("name.givenName", &json!("ada"), &json!("Ada")));
        assert!(!equivalent(
            "urn:ietf:params:scim:schemas:core:2.0:User.title",
            &json!("a"),
            &json!("A")
        ));
    }

    #[test]
    fn a_manager_is_compared_by_the_id_the_source_gives() {
        let have = json!({"value": "u-7", "displayName": "Ada", "$ref": "https://x/Users/u-7"});
        assert!(equivalent(MANAGER, &json!({"value": "u-7"}), &have));
        assert!(equivalent(MANAGER, &json!({"value": "U-7"}), &have));
        assert!(!equivalent(MANAGER, &json!({"value": "u-8"}), &have));
        assert!(!equivalent(MANAGER, &json!({"managerId": "u-7"}), &have));
        assert!(!equivalent(MANAGER, &json!({}), &have));
    }

    #[test]
    fn slack_v1_writes_the_extension_under_its_own_urn() {
        let enterprise = Enterprise::of(Dialect::SlackV1);
        let mut want =
            json!({ENTERPRISE_V2: {"department": "R"}, ENTERPRISE_V1: {"division": "D"}});
        enterprise.localise(&mut want);
        assert_eq!(
            want,
            json!({ENTERPRISE_V1: {"department": "R", "division": "D"}})
        );
        let options = PlanOptions {
            managed: vec![DEPARTMENT.into(), "title".into()],
            ..PlanOptions::default()
        };
        assert_eq!(
            enterprise.localise_options(&options).managed,
            [format!("{ENTERPRISE_V1}.department"), "title".to_owned()]
        );
        assert_eq!(enterprise.manager("W1"), json!({"managerId": "W1"}));
    }

    #[test]
    fn scim2_and_slack_v2_keep_rfc_7643s_urn_and_differ_in_the_managers_id() {
        for (dialect, manager) in [
            (Dialect::Scim2, json!({"value": "x"})),
            (Dialect::SlackV2, json!({"managerId": "x"})),
        ] {
            let enterprise = Enterprise::of(dialect);
            let options = PlanOptions {
                managed: vec![MANAGER.into()],
                ..PlanOptions::default()
            };
            assert!(matches!(
                enterprise.localise_options(&options),
                Cow::Borrowed(_)
            ));
            assert!(enterprise.manages_manager(&options.managed));
            assert_eq!(enterprise.manager("x"), manager);
        }
    }
}
