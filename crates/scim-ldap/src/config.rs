//! [`LdapConfig`]: where the directory is, how to bind, what to read and
//! how its attributes become SCIM attributes.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use scim_client::TlsOptions;
use scim_sync::source::Target;

use crate::error::LdapError;

/// The bind password, read from a file or an environment variable. Its
/// `Debug` form is redacted; it is never written anywhere by this crate.
#[derive(Clone, Default)]
pub struct Password(String);

impl Password {
    /// A password held in memory (a program that got it from its own store).
    pub fn new(password: impl Into<String>) -> Password {
        Password(password.into())
    }

    /// The contents of `path`, without a trailing newline.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Password, LdapError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| LdapError::Password(format!("{}: {e}", path.display())))?;
        Ok(Password(text.trim_end_matches(['\r', '\n']).to_owned()))
    }

    /// The value of the environment variable `name`.
    pub fn from_env(name: &str) -> Result<Password, LdapError> {
        std::env::var(name)
            .map(Password)
            .map_err(|e| LdapError::Password(format!("${name}: {e}")))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Password({})", scim_client::REDACTED)
    }
}

/// One search: entries under `base` (whole subtree) matching `filter`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchSpec {
    /// The base DN.
    pub base: String,
    /// An LDAP filter (RFC 4515), e.g. `(objectClass=inetOrgPerson)`: the
    /// include-only scope; entries it leaves out are not read at all.
    pub filter: String,
}

/// The attribute whose value becomes each user's and group's `externalId`,
/// the stable match key (a rename or a move keeps it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdAttribute {
    /// OpenLDAP's `entryUUID` (RFC 4530), a UUID string.
    EntryUuid,
    /// Active Directory's `objectGUID`, 16 bytes, rendered as
    /// [`object_guid_string`](crate::object_guid_string) does.
    ObjectGuid,
}

impl IdAttribute {
    /// The LDAP attribute's name.
    pub fn name(self) -> &'static str {
        match self {
            IdAttribute::EntryUuid => "entryUUID",
            IdAttribute::ObjectGuid => "objectGUID",
        }
    }
}

/// How a disabled account is recognised (it becomes `active: false`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Disabled {
    /// AD's `userAccountControl`: bit `0x2` (ACCOUNTDISABLE) set. An absent
    /// attribute means enabled; a value that is not an integer is an error
    /// on the entry.
    UserAccountControl,
    /// An attribute holding a value (compared case-insensitively), e.g.
    /// `employeeType: disabled` in a directory without `userAccountControl`.
    AttributeEquals {
        /// The attribute.
        attribute: String,
        /// The value that means disabled.
        value: String,
    },
    /// Every account read is active.
    Never,
}

/// Which LDAP attribute feeds which SCIM attribute (scim-sync's
/// [`Target`]s; `groups` is not one: membership comes from the groups).
/// Each LDAP attribute is read single-valued; the first of several values
/// is taken for `emails`, any other target with several values is an
/// error on the entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeMap {
    /// `(LDAP attribute, SCIM target)` pairs. `userName` must be one.
    pub users: Vec<(String, Target)>,
    /// The group attribute that becomes its `displayName` (`cn`).
    pub group_name: String,
    /// The group attribute listing member DNs (`member`; `uniqueMember`
    /// for `groupOfUniqueNames`).
    pub member: String,
}

impl Default for AttributeMap {
    /// `uid` → `userName`, `mail` → `emails`, `givenName`, `sn`,
    /// `displayName`, `title`; groups by `cn` with `member`. For AD use
    /// `sAMAccountName` (or `userPrincipalName`) for `userName`.
    fn default() -> Self {
        let pairs = [
            ("uid", Target::UserName),
            ("mail", Target::Emails),
            ("givenName", Target::GivenName),
            ("sn", Target::FamilyName),
            ("displayName", Target::DisplayName),
            ("title", Target::Title),
        ];
        AttributeMap {
            users: pairs.map(|(a, t)| (a.to_owned(), t)).to_vec(),
            group_name: "cn".to_owned(),
            member: "member".to_owned(),
        }
    }
}

/// Everything a read needs.
#[derive(Clone, Debug)]
pub struct LdapConfig {
    /// `ldap://host:port` or `ldaps://host:port`.
    pub url: String,
    /// Upgrade an `ldap://` connection with StartTLS before binding.
    pub starttls: bool,
    /// What LDAPS and StartTLS trust (and a client certificate), the same
    /// options the SCIM client's transports take: Mozilla's roots by
    /// default, a private CA's PEM, or the platform's store.
    pub tls: TlsOptions,
    /// The DN to bind as (simple bind); empty for an anonymous read.
    pub bind_dn: String,
    /// The bind password.
    pub password: Password,
    /// The longest wait for the connection and for each answer.
    pub timeout: Duration,
    /// Entries per page (RFC 2696 paged results); AD's maximum is 1,000.
    pub page_size: u32,
    /// The users to read.
    pub users: SearchSpec,
    /// The groups to read, if any.
    pub groups: Option<SearchSpec>,
    /// The stable id that becomes `externalId`.
    pub id: IdAttribute,
    /// How a disabled account is recognised.
    pub disabled: Disabled,
    /// The attribute mapping.
    pub map: AttributeMap,
    /// How deep nested groups are followed (a group in a group is depth 1).
    pub max_depth: usize,
    /// When not empty, only users in (directly or through nesting) one of
    /// these groups (by DN, among the groups read) are kept.
    pub only_members_of: Vec<String>,
}

impl LdapConfig {
    /// A configuration with the defaults: no StartTLS, 30 s timeout, pages
    /// of 500, `entryUUID`, `userAccountControl`, the default mapping,
    /// nesting followed 10 deep, no group restriction.
    pub fn new(url: &str, bind_dn: &str, password: Password, users: SearchSpec) -> LdapConfig {
        LdapConfig {
            url: url.to_owned(),
            starttls: false,
            tls: TlsOptions::default(),
            bind_dn: bind_dn.to_owned(),
            password,
            timeout: Duration::from_secs(30),
            page_size: 500,
            users,
            groups: None,
            id: IdAttribute::EntryUuid,
            disabled: Disabled::UserAccountControl,
            map: AttributeMap::default(),
            max_depth: 10,
            only_members_of: Vec::new(),
        }
    }

    /// Refuses a configuration that cannot work: no `userName` mapping, a
    /// `groups` target, a `manager` or other extension's target (an LDAP
    /// `manager` is a DN, not a match key: not read yet), a page size of 0
    /// or over `i32::MAX`.
    pub fn validate(&self) -> Result<(), LdapError> {
        let fail = |m: &str| Err(LdapError::Config(m.to_owned()));
        if !self.map.users.iter().any(|(_, t)| *t == Target::UserName) {
            return fail("no LDAP attribute is mapped to userName");
        }
        if self.map.users.iter().any(|(_, t)| *t == Target::Groups) {
            return fail(
                "groups cannot be mapped from a user attribute: membership comes from the groups read",
            );
        }
        if let Some((attribute, target)) = self
            .map
            .users
            .iter()
            .find(|(_, t)| matches!(t, Target::Manager | Target::Extension(_)))
        {
            return Err(LdapError::Config(format!(
                "{attribute} is mapped to {}, which the LDAP source does not read \
                 (managers and other extensions' attributes come from CSV or JSON sources)",
                target.path()
            )));
        }
        if self.page_size == 0 || i32::try_from(self.page_size).is_err() {
            return fail("page_size must be between 1 and 2147483647");
        }
        if self.url.starts_with("ldaps://") && self.starttls {
            return fail("StartTLS on an ldaps:// URL");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> LdapConfig {
        let users = SearchSpec {
            base: "dc=x".into(),
            filter: "(uid=*)".into(),
        };
        LdapConfig::new(
            "ldap://127.0.0.1:1",
            "cn=admin",
            Password::new("s3cret-pw"),
            users,
        )
    }

    #[test]
    fn the_password_never_shows_in_debug() {
        let shown = format!("{:?}", config());
        assert!(!shown.contains("s3cret-pw"), "{shown}");
        assert!(shown.contains(scim_client::REDACTED));
    }

    #[test]
    fn a_password_file_loses_its_trailing_newline_and_a_missing_one_is_an_error() {
        let path = std::env::temp_dir().join(format!("scim-ldap-pw-{}", std::process::id()));
        std::fs::write(&path, "pw with spaces \n").unwrap();
        assert_eq!(
            Password::from_file(&path).unwrap().expose(),
            "pw with spaces "
        );
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(
            Password::from_file(&path),
            Err(LdapError::Password(_))
        ));
        assert!(matches!(
            Password::from_env("SCIM_LDAP_NO_SUCH_VARIABLE"),
            Err(LdapError::Password(_))
        ));
    }

    #[test]
    fn configurations_that_cannot_work_are_refused() {
        assert!(config().validate().is_ok());
        let mut no_user_name = config();
        no_user_name
            .map
            .users
            .retain(|(_, t)| *t != Target::UserName);
        let mut groups = config();
        groups.map.users.push(("memberOf".into(), Target::Groups));
        let mut manager = config();
        manager.map.users.push(("manager".into(), Target::Manager));
        let mut zero = config();
        zero.page_size = 0;
        let mut both = config();
        both.url = "ldaps://dc.example:636".into();
        both.starttls = true;
        for bad in [no_user_name, groups, manager, zero, both] {
            assert!(
                matches!(bad.validate(), Err(LdapError::Config(_))),
                "{bad:?}"
            );
        }
    }
}
