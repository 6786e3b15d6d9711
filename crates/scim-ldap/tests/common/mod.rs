//! A throw-away slapd (through tests/ldap/slapd.sh) seeded from generated
//! LDIF, and the directory the tests read: users with `employeeType`
//! (`staff` in scope, `contractor` out of it) and `userAccountControl`
//! (tests/ldap/ad.schema), groups with a big one, two nested levels and a
//! cycle.

#![allow(dead_code)] // Each test file uses its own part.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

use scim_ldap::{LdapConfig, Password, SearchSpec};

pub const SUFFIX: &str = "dc=example,dc=org";

/// A running slapd; stopped when dropped (also when a test panics).
pub struct Slapd {
    pub url: String,
    pub state: PathBuf,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/ldap/slapd.sh")
}

impl Slapd {
    /// Starts slapd seeded with `ldif`. `None` (the test skips, saying why)
    /// only when slapd is not installed and `CI` is not set; under CI, or
    /// when an installed slapd fails to start, the test fails.
    pub fn start(name: &str, ldif: &str) -> Option<Slapd> {
        let state = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("slapd-{name}"));
        std::fs::create_dir_all(&state).expect("a state directory");
        let seed = state.join("seed.ldif");
        std::fs::write(&seed, ldif).expect("the seed LDIF written");
        let installed = std::path::Path::new("/usr/sbin/slapd").exists();
        if !installed && std::env::var_os("CI").is_none() {
            eprintln!(
                "SKIPPED: slapd is not installed (run `bash tests/ldap/slapd.sh install` as root); \
                 under CI this fails"
            );
            return None;
        }
        let output = Command::new("bash")
            .arg(script())
            .arg("start")
            .arg(&state)
            .arg(&seed)
            .output()
            .expect("bash runs");
        assert!(
            output.status.success(),
            "slapd did not start, so the LDAP tests did not run \
             (`bash tests/ldap/slapd.sh install` installs it):\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let url = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        Some(Slapd { url, state })
    }

    /// A configuration for this server: the admin's bind, users under
    /// ou=people in `employeeType=staff`, groups under ou=groups.
    pub fn config(&self) -> LdapConfig {
        let password = Password::from_file(self.state.join("password")).expect("the password file");
        let users = SearchSpec {
            base: format!("ou=people,{SUFFIX}"),
            filter: "(&(objectClass=inetOrgPerson)(employeeType=staff))".into(),
        };
        let mut config = LdapConfig::new(&self.url, &format!("cn=admin,{SUFFIX}"), password, users);
        config.groups = Some(SearchSpec {
            base: format!("ou=groups,{SUFFIX}"),
            filter: "(objectClass=groupOfNames)".into(),
        });
        config
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(&self.state)
            .status();
    }
}

pub fn user_dn(n: usize) -> String {
    format!("uid=user{n:05},ou=people,{SUFFIX}")
}

pub fn group_dn(n: usize) -> String {
    format!("cn=group{n:03},ou=groups,{SUFFIX}")
}

/// Every 1,000th user (999, 1999, …) is a contractor: out of scope.
pub fn out_of_scope(n: usize) -> bool {
    n % 1000 == 999
}

/// User 7 is disabled (`userAccountControl: 514`).
pub const DISABLED: usize = 7;
/// User 13 has `userAccountControl: not-a-number`.
pub const BAD: usize = 13;

/// The suffix, ou=people with `users` users, ou=groups with `groups`
/// groups (0 or at least 200, see [`groups_ldif`]).
pub fn directory(users: usize, groups: usize) -> String {
    let mut ldif = format!(
        "dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: example\ndc: example\n\n\
         dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people\n\n\
         dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups\n\n"
    );
    for n in 0..users {
        let kind = if out_of_scope(n) {
            "contractor"
        } else {
            "staff"
        };
        let flags = match n {
            DISABLED => "514",
            BAD => "not-a-number",
            _ => "512",
        };
        let _ = write!(
            ldif,
            "dn: {}\nobjectClass: inetOrgPerson\nobjectClass: adAccount\nuid: user{n:05}\n\
             cn: User {n}\ngivenName: User\nsn: Number{n}\nmail: user{n:05}@example.test\n\
             title: Engineer {}\nemployeeType: {kind}\nuserAccountControl: {flags}\n\n",
            user_dn(n),
            n % 7
        );
    }
    if groups > 0 {
        groups_ldif(&mut ldif, groups);
    }
    ldif
}

/// Group 0 has users 0..3000; groups 1.. have 20 users each; the last
/// three nest (top ∋ user 1 and mid, mid ∋ user 2 and leaf, leaf ∋ user 3);
/// the two before them hold each other (a cycle).
fn groups_ldif(ldif: &mut String, groups: usize) {
    let (top, mid, leaf) = (groups - 3, groups - 2, groups - 1);
    let (cycle_a, cycle_b) = (groups - 5, groups - 4);
    for g in 0..groups {
        let mut members: Vec<String> = match g {
            0 => (0..3000).map(user_dn).collect(),
            _ if g == top => vec![user_dn(1), group_dn(mid)],
            _ if g == mid => vec![user_dn(2), group_dn(leaf)],
            _ if g == leaf => vec![user_dn(3)],
            _ => (0..20)
                .map(|i| user_dn((g * 37 + i * 11) % 10_000))
                .collect(),
        };
        if g == cycle_a {
            members.push(group_dn(cycle_b));
        }
        if g == cycle_b {
            members.push(group_dn(cycle_a));
        }
        members.dedup();
        let _ = write!(
            ldif,
            "dn: {}\nobjectClass: groupOfNames\ncn: group{g:03}\n",
            group_dn(g)
        );
        for member in members {
            let _ = writeln!(ldif, "member: {member}");
        }
        ldif.push('\n');
    }
}
