//! [`Directory`]: a bound connection that reads users page by page and
//! groups with their ranged members; [`read`] and [`read_blocking`] join
//! them into scim-sync's [`Desired`].

use std::collections::{BTreeSet, HashMap};

use ldap3::asn1::{PL, parse_tag};
use ldap3::controls::{Control, PagedResults, RawControl};
use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, Scope, SearchEntry};
use scim_client::model::User;
use scim_sync::source::MAX_ERRORS;
use scim_sync::{Desired, DesiredGroup, MatchKey};
use tokio::task::JoinHandle;

use crate::config::{LdapConfig, SearchSpec};
use crate::entry::{Entry, to_user, user_attributes};
use crate::error::{EntryError, EntryErrorKind, LdapError};
use crate::nest::{GroupEntry, flatten, normalize_dn};
use crate::range::RangedRead;

const PAGED_RESULTS_OID: &str = "1.2.840.113556.1.4.319";

/// Counts of what a read asked and found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Search requests sent: one per page, one per ranged follow-up read.
    pub requests: usize,
    /// User entries read (with or without errors).
    pub user_entries: usize,
    /// Group entries read.
    pub group_entries: usize,
}

/// What [`read`] found: the desired state, and the entries that could not
/// be used (the first [`MAX_ERRORS`]; `omitted` counts the rest).
#[derive(Debug, Default)]
pub struct DirectoryRead {
    /// Users and groups, members by `externalId` (the id attribute).
    pub desired: Desired,
    /// Entries left out or used in part, by DN.
    pub errors: Vec<EntryError>,
    /// Errors beyond [`MAX_ERRORS`], not kept.
    pub omitted: usize,
    /// Requests and entries.
    pub stats: ReadStats,
}

impl DirectoryRead {
    fn push_error(&mut self, error: EntryError) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(error);
        } else {
            self.omitted += 1;
        }
    }
}

/// A bound connection to the directory. Every wait (connect, bind, each
/// answer) is bounded by [`LdapConfig::timeout`].
pub struct Directory {
    ldap: Ldap,
    driver: JoinHandle<()>,
    config: LdapConfig,
    stats: ReadStats,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory")
            .field("url", &self.config.url)
            .field("bind_dn", &self.config.bind_dn)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl Directory {
    /// Connects (StartTLS when asked) and binds. Must run inside a tokio
    /// runtime with I/O and time enabled.
    pub async fn connect(config: &LdapConfig) -> Result<Directory, LdapError> {
        config.validate()?;
        let connect_error = |message: String| LdapError::Connect {
            url: config.url.clone(),
            message,
        };
        let mut settings = LdapConnSettings::new()
            .set_conn_timeout(config.timeout)
            .set_starttls(config.starttls);
        if config.starttls || config.url.starts_with("ldaps://") {
            let tls = scim_client::transports::rustls_client_config(&config.tls)
                .map_err(|e| LdapError::Config(e.to_string()))?;
            settings = settings.set_config(std::sync::Arc::new(tls));
        }
        let connecting = LdapConnAsync::with_settings(settings, &config.url);
        let (conn, mut ldap) = tokio::time::timeout(config.timeout, connecting)
            .await
            .map_err(|_| connect_error(format!("no connection within {:?}", config.timeout)))?
            .map_err(|e| connect_error(e.to_string()))?;
        let driver = tokio::spawn(async move {
            // The connection's end is seen by the next request, as an error.
            let _ = conn.drive().await;
        });
        let bind_error = |message: String| LdapError::Bind {
            dn: config.bind_dn.clone(),
            message,
        };
        let bound = ldap
            .with_timeout(config.timeout)
            .simple_bind(&config.bind_dn, config.password.expose())
            .await
            .and_then(ldap3::LdapResult::success);
        if let Err(e) = bound {
            driver.abort();
            return Err(bind_error(e.to_string()));
        }
        Ok(Directory {
            ldap,
            driver,
            config: config.clone(),
            stats: ReadStats::default(),
        })
    }

    /// The counts so far.
    pub fn stats(&self) -> ReadStats {
        self.stats
    }

    /// Reads the users page by page ([`LdapConfig::page_size`] entries a
    /// request, RFC 2696), handing each to `each` as its DN and the user or
    /// the error on it. Only one page is held at a time.
    pub async fn for_each_user(
        &mut self,
        mut each: impl FnMut(&str, Result<User, EntryError>),
    ) -> Result<(), LdapError> {
        let search = self.config.users.clone();
        let attrs = user_attributes(&self.config);
        let mut cookie = Some(Vec::new());
        while let Some(sent) = cookie.take() {
            let (entries, next) = self.page(&search, &attrs, sent).await?;
            cookie = next;
            for entry in entries {
                self.stats.user_entries += 1;
                each(&entry.dn, to_user(&entry, &self.config));
            }
        }
        Ok(())
    }

    /// Reads the groups (none when [`LdapConfig::groups`] is `None`), each
    /// with all its member DNs: ranged values are read to their end; a
    /// group whose ranges fail is an error and left out.
    pub async fn groups(&mut self) -> Result<(Vec<GroupEntry>, Vec<EntryError>), LdapError> {
        let Some(search) = self.config.groups.clone() else {
            return Ok((Vec::new(), Vec::new()));
        };
        let map = self.config.map.clone();
        let attrs = vec![
            map.group_name.clone(),
            map.member.clone(),
            self.config.id.name().to_owned(),
        ];
        let (mut groups, mut errors) = (Vec::new(), Vec::new());
        let mut cookie = Some(Vec::new());
        while let Some(sent) = cookie.take() {
            let (entries, next) = self.page(&search, &attrs, sent).await?;
            cookie = next;
            for entry in entries {
                self.stats.group_entries += 1;
                match self.group(&entry).await? {
                    Ok(group) => groups.push(group),
                    Err(error) => errors.push(error),
                }
            }
        }
        Ok((groups, errors))
    }

    /// One group entry with its members read to the end.
    async fn group(&mut self, entry: &Entry) -> Result<Result<GroupEntry, EntryError>, LdapError> {
        let map = &self.config.map;
        let name = match entry.values(&map.group_name).and_then(|v| v.first()) {
            Some(name) => name.clone(),
            None => {
                let message = "absent: the group has no name".to_owned();
                let kind = EntryErrorKind::Missing;
                return Ok(Err(EntryError::new(
                    &entry.dn,
                    Some(&map.group_name),
                    kind,
                    message,
                )));
            }
        };
        let external_id = match entry.id(self.config.id) {
            Ok(id) => id,
            Err(error) => return Ok(Err(error)),
        };
        let mut ranged = match RangedRead::start(&entry.dn, &map.member.clone(), &entry.attrs) {
            Ok(read) => read,
            Err(error) => return Ok(Err(error)),
        };
        while let Some(attribute) = ranged.poll_request() {
            let answer = self.read_entry(&entry.dn, &attribute).await?;
            if let Err(error) = ranged.handle(&answer.attrs) {
                return Ok(Err(error));
            }
        }
        let members = ranged.into_values();
        Ok(Ok(GroupEntry {
            dn: entry.dn.clone(),
            name,
            external_id,
            members,
        }))
    }

    /// One entry, base scope, with one attribute (a ranged follow-up read).
    async fn read_entry(&mut self, dn: &str, attribute: &str) -> Result<Entry, LdapError> {
        self.stats.requests += 1;
        let error = |message: String| LdapError::Search {
            base: dn.to_owned(),
            message,
        };
        let result = self
            .ldap
            .with_timeout(self.config.timeout)
            .search(dn, Scope::Base, "(objectClass=*)", vec![attribute])
            .await
            .map_err(|e| error(e.to_string()))?;
        let (entries, _) = result.success().map_err(|e| error(e.to_string()))?;
        let first = entries
            .into_iter()
            .find(|e| !e.is_ref() && !e.is_intermediate());
        let first = first.ok_or_else(|| error("the entry was not found".to_owned()))?;
        Ok(SearchEntry::construct(first).into())
    }

    /// One page of `search`, sent with `cookie` (empty for the first):
    /// its entries and the cookie for the next page, `None` after the last.
    async fn page(
        &mut self,
        search: &SearchSpec,
        attrs: &[String],
        cookie: Vec<u8>,
    ) -> Result<(Vec<Entry>, Option<Vec<u8>>), LdapError> {
        self.stats.requests += 1;
        let error = |message: String| LdapError::Search {
            base: search.base.clone(),
            message,
        };
        let control = PagedResults {
            size: self.config.page_size as i32,
            cookie,
        };
        let result = self
            .ldap
            .with_controls(RawControl::from(control))
            .with_timeout(self.config.timeout)
            .search(&search.base, Scope::Subtree, &search.filter, attrs)
            .await
            .map_err(|e| error(e.to_string()))?;
        let (entries, done) = result.success().map_err(|e| error(e.to_string()))?;
        let next = page_cookie(&done.ctrls).map_err(error)?;
        let entries = entries
            .into_iter()
            .filter(|e| !e.is_ref() && !e.is_intermediate())
            .map(|e| SearchEntry::construct(e).into())
            .collect();
        Ok((entries, next.filter(|c| !c.is_empty())))
    }

    /// Unbinds and closes the connection (a failure to unbind is ignored:
    /// the connection is dropped either way).
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(self.config.timeout, self.ldap.unbind()).await;
        self.driver.abort();
    }
}

/// The cookie in a paged-results response control: `None` when the server
/// sent none (it did not page), an error when it is not the BER RFC 2696
/// describes. Parsed here, not by ldap3, whose parser panics on bad BER.
fn page_cookie(controls: &[Control]) -> Result<Option<Vec<u8>>, String> {
    let Some(Control(_, raw)) = controls.iter().find(|c| c.1.ctype == PAGED_RESULTS_OID) else {
        return Ok(None);
    };
    let bad = || "a paged results control that is not a BER sequence of size and cookie".to_owned();
    let value = raw.val.as_deref().ok_or_else(bad)?;
    let (_, tag) = parse_tag(value).map_err(|_| bad())?;
    let PL::C(parts) = tag.payload else {
        return Err(bad());
    };
    match parts.get(1).map(|t| &t.payload) {
        Some(PL::P(cookie)) => Ok(Some(cookie.clone())),
        _ => Err(bad()),
    }
}

/// Reads the directory into [`Desired`] (async; run it on your runtime).
/// Entry errors are collected and the read goes on; a failure to connect,
/// bind or search fails the read.
pub async fn read(config: &LdapConfig) -> Result<DirectoryRead, LdapError> {
    let mut directory = Directory::connect(config).await?;
    let result = read_with(&mut directory).await;
    let stats = directory.stats();
    directory.close().await;
    let mut read = result?;
    read.stats = stats;
    Ok(read)
}

async fn read_with(directory: &mut Directory) -> Result<DirectoryRead, LdapError> {
    let mut read = DirectoryRead::default();
    let mut users: Vec<(String, User)> = Vec::new();
    let mut keys: HashMap<String, String> = HashMap::new();
    let mut dns_by_key: HashMap<String, String> = HashMap::new();
    directory
        .for_each_user(|dn, user| match user {
            Err(error) => read.push_error(error),
            Ok(user) => {
                let key = user.external_id.as_deref().unwrap_or_default().to_owned();
                if let Some(first) = dns_by_key.insert(key.clone(), dn.to_owned()) {
                    let message = format!("the same {key} as {first}; left out");
                    read.push_error(EntryError::new(
                        dn,
                        None,
                        EntryErrorKind::Duplicate,
                        message,
                    ));
                    return;
                }
                keys.insert(normalize_dn(dn), key);
                users.push((normalize_dn(dn), user));
            }
        })
        .await?;
    let (groups, group_errors) = directory.groups().await?;
    let (flat, nest_errors) = flatten(&groups, &keys, directory.config.max_depth);
    for error in group_errors.into_iter().chain(nest_errors) {
        read.push_error(error);
    }
    let scope = members_of(&directory.config.only_members_of, &groups, &flat);
    read.desired = Desired {
        match_key: Some(MatchKey::ExternalId),
        users: users
            .into_iter()
            .filter(|(_, u)| {
                scope
                    .as_ref()
                    .is_none_or(|s| s.contains(u.external_id.as_deref().unwrap_or_default()))
            })
            .map(|(_, u)| u)
            .collect(),
        groups: groups
            .into_iter()
            .zip(flat)
            .map(|(g, members)| DesiredGroup {
                display_name: g.name,
                external_id: Some(g.external_id),
                members: members
                    .into_iter()
                    .filter(|m| scope.as_ref().is_none_or(|s| s.contains(m)))
                    .collect(),
            })
            .collect(),
        ..Desired::default()
    };
    Ok(read)
}

/// The keys of the users in the named groups (flattened), or `None` when
/// no group is named. A named group that was not read contributes no one.
fn members_of(
    named: &[String],
    groups: &[GroupEntry],
    flat: &[BTreeSet<String>],
) -> Option<BTreeSet<String>> {
    if named.is_empty() {
        return None;
    }
    let named: Vec<String> = named.iter().map(|dn| normalize_dn(dn)).collect();
    let mut keys = BTreeSet::new();
    for (group, members) in groups.iter().zip(flat) {
        if named.contains(&normalize_dn(&group.dn)) {
            keys.extend(members.iter().cloned());
        }
    }
    Some(keys)
}

/// [`read`] for a program without an async runtime: builds its own
/// current-thread runtime. Inside a runtime it refuses with
/// [`LdapError::InsideRuntime`] instead of blocking the runtime's thread
/// (ldap3's own blocking wrapper panics there, its issue #50).
pub fn read_blocking(config: &LdapConfig) -> Result<DirectoryRead, LdapError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(LdapError::InsideRuntime);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| LdapError::Config(format!("cannot start a runtime: {e}")))?;
    runtime.block_on(read(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn control(val: Option<Vec<u8>>) -> Control {
        Control(
            None,
            RawControl {
                ctype: PAGED_RESULTS_OID.into(),
                crit: false,
                val,
            },
        )
    }

    #[test]
    fn the_page_cookie_is_read_and_bad_ber_is_an_error_not_a_panic() {
        let sent = RawControl::from(PagedResults {
            size: 0,
            cookie: b"next".to_vec(),
        });
        assert_eq!(
            page_cookie(&[control(sent.val)]),
            Ok(Some(b"next".to_vec()))
        );
        assert_eq!(page_cookie(&[]), Ok(None));
        for bad in [
            None,
            Some(vec![]),
            Some(vec![0x30, 0x05, 0x02]),
            Some(vec![0x04, 0x01, 0x00]),
            Some(vec![0x30, 0x03, 0x02, 0x01, 0x00]),
        ] {
            assert!(page_cookie(&[control(bad.clone())]).is_err(), "{bad:?}");
        }
    }
}
