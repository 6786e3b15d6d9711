//! The attributes a provider requires on create
//! ([`Profile::required_on_create`]): derived where the profile says how,
//! otherwise a create missing one is refused before any write, naming the
//! source's key and the attribute — rather than a 400 per user at apply time
//! (AWS IAM Identity Center's CreateUser requires `displayName`,
//! `name.givenName` and `name.familyName`).

use scim_client::provider::{Derivation, Profile};
use serde_json::Value;

use super::PlanError;
use super::json::{get, set};

/// Fills the required attributes `want` lacks and the profile can derive
/// (a [`Derivation::Join`] of parts it has). Derived on every desired user,
/// not only on creates, so the next plan wants what the create wrote.
pub(crate) fn derive(want: &mut Value, profile: &Profile) {
    for required in &profile.required_on_create {
        if present(want, &required.path) {
            continue;
        }
        let Some(Derivation::Join(parts)) = &required.derive else {
            continue;
        };
        let joined: Option<Vec<&str>> = parts
            .iter()
            .map(|part| {
                get(want, part)
                    .and_then(Value::as_str)
                    .filter(|v| !v.is_empty())
            })
            .collect();
        let Some(joined) = joined.map(|values| values.join(" ")) else {
            continue;
        };
        if let Some(object) = want.as_object_mut() {
            set(object, &required.path, Value::from(joined));
        }
    }
}

/// Refuses a create body without one of the profile's required attributes.
pub(crate) fn check_create(key: &str, body: &Value, profile: &Profile) -> Result<(), PlanError> {
    match profile
        .required_on_create
        .iter()
        .find(|required| !present(body, &required.path))
    {
        Some(required) => Err(PlanError::MissingRequired {
            key: key.to_owned(),
            attribute: required.path.clone(),
            profile: profile.name.clone(),
        }),
        None => Ok(()),
    }
}

/// True when `path` holds a non-empty string, or any other non-null value.
fn present(resource: &Value, path: &str) -> bool {
    match get(resource, path) {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn aws() -> Profile {
        Profile::aws_identity_center("us-east-1", "d-1")
    }

    #[test]
    fn display_name_is_derived_from_the_name_parts() {
        let mut want = json!({"name": {"givenName": "Ada", "familyName": "Lovelace"}});
        derive(&mut want, &aws());
        assert_eq!(want["displayName"], "Ada Lovelace");
        assert_eq!(check_create("E1", &want, &aws()), Ok(()));
    }

    #[test]
    fn a_given_display_name_is_kept() {
        let mut want =
            json!({"displayName": "Countess", "name": {"givenName": "Ada", "familyName": "L"}});
        derive(&mut want, &aws());
        assert_eq!(want["displayName"], "Countess");
    }

    #[test]
    fn a_create_missing_a_name_part_is_refused_naming_key_and_attribute() {
        let mut want = json!({"displayName": "Ada", "name": {"givenName": "Ada"}});
        derive(&mut want, &aws());
        let error = check_create("E3", &want, &aws()).unwrap_err();
        assert_eq!(
            error,
            PlanError::MissingRequired {
                key: "E3".into(),
                attribute: "name.familyName".into(),
                profile: "aws".into()
            }
        );
        assert!(error.to_string().contains("E3") && error.to_string().contains("name.familyName"));
    }

    #[test]
    fn nothing_is_required_by_a_generic_profile() {
        let want = json!({});
        assert_eq!(
            check_create("E1", &want, &Profile::generic_scim2("")),
            Ok(())
        );
    }
}
