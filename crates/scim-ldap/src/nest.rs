//! Nested groups flattened: each group's members are the users in it
//! directly or through the groups in it, followed to a bounded depth, with
//! cycles detected and reported (the rest of the group is kept).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::error::{EntryError, EntryErrorKind};

/// A group as read: its DN and the DNs of its members.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupEntry {
    /// The group's DN.
    pub dn: String,
    /// Its `displayName`.
    pub name: String,
    /// Its stable id, the `externalId`.
    pub external_id: String,
    /// Its member DNs, as written in the directory.
    pub members: Vec<String>,
}

/// A DN in a form two spellings of the same DN share: lowercase, no spaces
/// around `,` and `=` (enough for the DNs one server writes).
pub fn normalize_dn(dn: &str) -> String {
    let mut out = String::with_capacity(dn.len());
    for part in dn.split(',') {
        if !out.is_empty() {
            out.push(',');
        }
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        out.push_str(&name.trim().to_lowercase());
        out.push('=');
        out.push_str(&value.trim().to_lowercase());
    }
    out
}

/// The flattened groups: for each group (in `groups`' order), the match
/// keys of its users, sorted; errors for cycles (on the group whose member
/// closes the cycle, once) and for nesting deeper than `max_depth` (on the
/// group where it was cut). `users` maps normalised user DNs to keys;
/// member DNs that are neither a user nor a group read are left out.
pub fn flatten(
    groups: &[GroupEntry],
    users: &HashMap<String, String>,
    max_depth: usize,
) -> (Vec<BTreeSet<String>>, Vec<EntryError>) {
    let index: HashMap<String, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (normalize_dn(&g.dn), i))
        .collect();
    let members: Vec<Vec<Member>> = groups
        .iter()
        .map(|g| {
            g.members
                .iter()
                .filter_map(|dn| {
                    let dn = normalize_dn(dn);
                    match index.get(&dn) {
                        Some(i) => Some(Member::Group(*i)),
                        None => users.get(&dn).map(|k| Member::User(k.clone())),
                    }
                })
                .collect()
        })
        .collect();
    let mut walk = Walk {
        groups,
        members: &members,
        max_depth,
        reported: HashSet::new(),
        errors: Vec::new(),
    };
    let flat = (0..groups.len()).map(|root| walk.root(root)).collect();
    (flat, walk.errors)
}

enum Member {
    User(String),
    Group(usize),
}

struct Walk<'a> {
    groups: &'a [GroupEntry],
    members: &'a [Vec<Member>],
    max_depth: usize,
    /// Cycle edges and depth cuts already reported.
    reported: HashSet<(usize, usize)>,
    errors: Vec<EntryError>,
}

impl Walk<'_> {
    fn root(&mut self, root: usize) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut path = vec![root];
        let mut seen = HashSet::from([root]);
        self.visit(root, 0, &mut path, &mut seen, &mut out);
        out
    }

    fn visit(
        &mut self,
        group: usize,
        depth: usize,
        path: &mut Vec<usize>,
        seen: &mut HashSet<usize>,
        out: &mut BTreeSet<String>,
    ) {
        for member in &self.members[group] {
            match member {
                Member::User(key) => {
                    out.insert(key.clone());
                }
                Member::Group(inner) if path.contains(inner) => self.cycle(group, *inner, path),
                Member::Group(inner) if depth + 1 > self.max_depth => self.too_deep(group, *inner),
                Member::Group(inner) => {
                    if seen.insert(*inner) {
                        path.push(*inner);
                        self.visit(*inner, depth + 1, path, seen, out);
                        path.pop();
                    }
                }
            }
        }
    }

    fn cycle(&mut self, group: usize, inner: usize, path: &[usize]) {
        if !self.reported.insert((group, inner)) {
            return;
        }
        let start = path.iter().position(|g| *g == inner).unwrap_or(0);
        let mut ring: Vec<&str> = path[start..]
            .iter()
            .map(|g| self.groups[*g].dn.as_str())
            .collect();
        ring.push(&self.groups[inner].dn);
        let message = format!("nested groups form a cycle: {}", ring.join(" -> "));
        let error = EntryError::new(&self.groups[group].dn, None, EntryErrorKind::Cycle, message);
        self.errors.push(error);
    }

    fn too_deep(&mut self, group: usize, inner: usize) {
        if !self.reported.insert((group, inner)) {
            return;
        }
        let message = format!(
            "member group {} is nested deeper than {} levels; its members are left out",
            self.groups[inner].dn, self.max_depth
        );
        let error = EntryError::new(&self.groups[group].dn, None, EntryErrorKind::Depth, message);
        self.errors.push(error);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(dn: &str, members: &[&str]) -> GroupEntry {
        GroupEntry {
            dn: dn.into(),
            name: dn.into(),
            external_id: dn.into(),
            members: members.iter().map(|m| (*m).to_owned()).collect(),
        }
    }

    fn users() -> HashMap<String, String> {
        ["a", "b", "c", "d"]
            .map(|u| (normalize_dn(&format!("uid={u},ou=people")), u.to_owned()))
            .into_iter()
            .collect()
    }

    fn keys(set: &BTreeSet<String>) -> Vec<&str> {
        set.iter().map(String::as_str).collect()
    }

    #[test]
    fn two_levels_are_flattened_and_unknown_members_left_out() {
        let groups = [
            group("cn=top", &["uid=a,ou=people", "CN=Mid"]),
            group(
                "cn=mid",
                &["uid=b, ou=people", "cn=leaf", "uid=zz,ou=people"],
            ),
            group("cn=leaf", &["uid=c,ou=people"]),
        ];
        let (flat, errors) = flatten(&groups, &users(), 10);
        assert_eq!(keys(&flat[0]), ["a", "b", "c"]);
        assert_eq!(keys(&flat[1]), ["b", "c"]);
        assert_eq!(keys(&flat[2]), ["c"]);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn a_cycle_is_reported_once_per_closing_group_and_members_kept() {
        let groups = [
            group("cn=x", &["uid=a,ou=people", "cn=y"]),
            group("cn=y", &["uid=b,ou=people", "cn=x"]),
        ];
        let (flat, errors) = flatten(&groups, &users(), 10);
        assert_eq!(keys(&flat[0]), ["a", "b"]);
        assert_eq!(keys(&flat[1]), ["a", "b"]);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors.iter().all(|e| e.kind == EntryErrorKind::Cycle));
        assert_eq!(errors[0].dn, "cn=y");
        assert_eq!(
            errors[0].message,
            "nested groups form a cycle: cn=x -> cn=y -> cn=x"
        );
    }

    #[test]
    fn nesting_past_the_limit_is_cut_and_reported() {
        let groups = [
            group("cn=1", &["uid=a,ou=people", "cn=2"]),
            group("cn=2", &["uid=b,ou=people", "cn=3"]),
            group("cn=3", &["uid=c,ou=people"]),
        ];
        let (flat, errors) = flatten(&groups, &users(), 1);
        assert_eq!(keys(&flat[0]), ["a", "b"]);
        assert_eq!(keys(&flat[1]), ["b", "c"]);
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].dn.as_str(), errors[0].kind),
            ("cn=2", EntryErrorKind::Depth)
        );
    }
}
