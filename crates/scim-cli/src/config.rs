//! [`SyncConfig`]: `scim sync --config scim.toml`, one reproducible sync as
//! a file — the target (profile, URL, where the token is), the source and
//! its mapping, the rules (ownership, rails, scope, what "gone" means), and
//! how to apply (journal directory, concurrency).
//!
//! Every table refuses keys it does not know (`deny_unknown_fields`), and
//! the TOML reader names the line and column, so a typo is an error at its
//! line, never a silently ignored rule. A token or password is never
//! written in the file: only where to read it (`token_file`, `token_env`,
//! `password_file`, `password_env`); a `token` or `password` key is an
//! unknown key.
//!
//! Relative paths are relative to the config file's directory, so the
//! command means the same wherever it is run from.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::CliError;

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SyncConfig {
    /// The provider written to.
    pub target: TargetConfig,
    /// The source of truth.
    pub source: SourceConfig,
    /// Ownership, rails, scope.
    #[serde(default)]
    pub rules: RulesConfig,
    /// How the plan is applied.
    #[serde(default)]
    pub apply: ApplyConfig,
    /// The directory relative paths start from (the file's own).
    #[serde(skip)]
    pub dir: PathBuf,
}

/// `[target]`: the provider the sync writes to.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TargetConfig {
    /// A profile name (`slack-v2`, `scim2`, …).
    pub profile: Option<String>,
    /// The base URL (without one and without a token: the embedded service).
    pub base_url: Option<String>,
    /// A file holding the token (mode 0600).
    pub token_file: Option<PathBuf>,
    /// An environment variable holding the token.
    pub token_env: Option<String>,
    /// The embedded service's state file.
    pub state: Option<PathBuf>,
    /// The share of the profile's rate table to pace to, 0 < X <= 1.
    pub rate_share: Option<f64>,
}

/// `[source]`: where the desired state comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub(crate) enum SourceConfig {
    /// A CSV export.
    Csv(FileSource),
    /// A JSON export (an array of flat objects).
    Json(FileSource),
    /// An LDAP directory or Active Directory.
    Ldap(LdapSource),
    /// Another SCIM service (an IdP's SCIM export).
    Scim(ScimSource),
}

/// A CSV or JSON file and its mapping.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileSource {
    /// The file.
    pub path: PathBuf,
    /// The mapping: a file name, or the mapping itself as a table (the
    /// mapping file's JSON keys, written in TOML).
    pub mapping: Option<MappingConfig>,
}

/// A mapping by file, or inline.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum MappingConfig {
    /// `mapping = "mapping.json"`.
    File(PathBuf),
    /// `[source.mapping]` with `columns`, `matchKey`, ….
    Inline(toml::Table),
}

/// `kind = "ldap"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LdapSource {
    /// `ldaps://host:636` or `ldap://host:389`.
    pub url: String,
    /// Upgrade `ldap://` with StartTLS.
    #[serde(default)]
    pub starttls: bool,
    /// A PEM file of the CA(s) to trust instead of Mozilla's roots.
    pub ca_file: Option<PathBuf>,
    /// The DN to bind as.
    pub bind_dn: String,
    /// A file holding the bind password.
    pub password_file: Option<PathBuf>,
    /// An environment variable holding the bind password.
    pub password_env: Option<String>,
    /// Where users are, and which.
    pub users_base: String,
    /// An LDAP filter (RFC 4515) for the users.
    pub users_filter: String,
    /// Where groups are, if any are synced.
    pub groups_base: Option<String>,
    /// An LDAP filter for the groups.
    pub groups_filter: Option<String>,
    /// `entryUUID` (OpenLDAP) or `objectGUID` (Active Directory).
    pub id: Option<String>,
    /// Entries per page (RFC 2696).
    pub page_size: Option<u32>,
    /// Only members of these groups (DNs), through nesting.
    #[serde(default)]
    pub only_members_of: Vec<String>,
    /// LDAP attribute → SCIM target, replacing the default mapping.
    pub attributes: Option<toml::Table>,
}

/// `kind = "scim"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScimSource {
    /// The source service's profile (default `scim2`).
    pub profile: Option<String>,
    /// Its base URL.
    pub base_url: String,
    /// A file holding its token.
    pub token_file: Option<PathBuf>,
    /// An environment variable holding its token.
    pub token_env: Option<String>,
    /// How users are matched: `externalId` (default), `userName`,
    /// `primaryEmail`.
    pub match_key: Option<String>,
}

/// `[rules]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RulesConfig {
    /// Accounts whose externalId starts with this are the source's.
    pub owned_prefix: Option<String>,
    /// The attributes managed (default: the planner's and the mapping's).
    pub managed: Option<Vec<String>>,
    /// Adopt unowned accounts met by this key.
    pub adopt_unowned_by: Option<String>,
    /// What an owned account gone from the source becomes:
    /// `deactivate` (default), `delete`, or `leave`.
    pub gone: Option<String>,
    /// The most removals a plan may make.
    pub max_deactivations: Option<usize>,
    /// The largest share of the owned accounts a plan may remove.
    pub max_deactivation_percent: Option<f64>,
    /// The last source's size (the shrunken-source rule).
    pub last_source_size: Option<usize>,
    /// Pass every rail.
    #[serde(default)]
    pub allow_mass_deactivation: bool,
    /// What the sync considers at all.
    #[serde(default)]
    pub scope: ScopeConfig,
}

/// `[rules.scope]`: scim-sync's `Scope`, in TOML.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScopeConfig {
    /// A SCIM filter on the provider's accounts.
    pub users: Option<String>,
    /// A SCIM filter on the provider's groups.
    pub groups: Option<String>,
    /// A SCIM filter on the source's users.
    pub source_users: Option<String>,
    /// Only members of these source groups.
    #[serde(default)]
    pub source_groups: Vec<String>,
}

/// `[apply]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApplyConfig {
    /// Where each run's journal is kept (default `.scim-sync` beside the
    /// config file).
    pub journal_dir: Option<PathBuf>,
    /// Requests in flight at once, 1 to 64.
    pub concurrency: Option<usize>,
    /// A PostgreSQL job store (`postgres://user@host:port/db`, no password
    /// in it): the plan is submitted there and applied by its workers, this
    /// process one of them, instead of a local journal.
    pub store: Option<String>,
    /// A file holding the store's password.
    pub store_password_file: Option<PathBuf>,
}

impl SyncConfig {
    /// Reads and checks the file at `path`.
    pub(crate) fn read(path: &Path) -> Result<SyncConfig, CliError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?;
        let mut config: SyncConfig =
            parse(&text).map_err(|e| CliError::input(format!("{}:{e}", path.display())))?;
        config.dir = path
            .parent()
            .filter(|dir| !dir.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Ok(config)
    }

    /// The journal directory (`apply.journal_dir`, default `.scim-sync`
    /// beside the config), created readable by its owner only: each run's
    /// journal and the service's run log live there.
    pub(crate) fn journal_dir(&self) -> Result<PathBuf, CliError> {
        let dir = self.resolve(
            self.apply
                .journal_dir
                .as_deref()
                .unwrap_or(Path::new(".scim-sync")),
        );
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&dir)
            .map_err(|e| CliError::input(format!("cannot create {}: {e}", dir.display())))?;
        Ok(dir)
    }

    /// `path` relative to the config file's directory.
    pub(crate) fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.dir.join(path)
        }
    }
}

/// The file's content as a [`SyncConfig`], or what is wrong and where
/// (`line:column: message`). The TOML reader's own rendering quotes the
/// offending line, which would print a token or password someone wrote
/// inline; this names the place and never the text.
fn parse(text: &str) -> Result<SyncConfig, String> {
    toml::from_str::<SyncConfig>(text).map_err(|error| {
        let place = error.span().map_or(String::new(), |span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |at| at + 1) + 1;
            format!("{line}:{column}: ")
        });
        format!("{place}{}", error.message().trim())
    })
}

impl MappingConfig {
    /// The mapping's JSON text, read from its file or written from the table.
    pub(crate) fn json(&self, config: &SyncConfig) -> Result<String, CliError> {
        match self {
            MappingConfig::File(path) => {
                let path = config.resolve(path);
                std::fs::read_to_string(&path)
                    .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))
            }
            MappingConfig::Inline(table) => serde_json::to_string(table)
                .map_err(|e| CliError::input(format!("the inline mapping: {e}"))),
        }
    }
}

/// A secret from a file or an environment variable (exactly one), for
/// `what` (`the token`, `the bind password`); `None` when neither is set.
pub(crate) fn secret(
    config: &SyncConfig,
    file: Option<&Path>,
    env: Option<&str>,
    what: &str,
) -> Result<Option<String>, CliError> {
    match (file, env) {
        (Some(_), Some(_)) => Err(CliError::usage(format!(
            "{what}: give a file or an environment variable, not both"
        ))),
        (Some(file), None) => {
            let file = config.resolve(file);
            let token = crate::token::Token::from_file(&file)?;
            Ok(Some(token.secret().to_owned()))
        }
        (None, Some(name)) => match std::env::var(name) {
            Ok(value) if !value.trim().is_empty() => Ok(Some(value.trim().to_owned())),
            _ => Err(CliError::input(format!(
                "{what}: the environment variable {name} is not set"
            ))),
        },
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str =
        "[target]\nprofile = \"slack-v2\"\n\n[source]\nkind = \"csv\"\npath = \"people.csv\"\n";

    #[test]
    fn a_minimal_file_reads() {
        let config = parse(MINIMAL).unwrap();
        assert!(matches!(config.source, SourceConfig::Csv(_)));
        assert_eq!(config.target.profile.as_deref(), Some("slack-v2"));
    }

    #[test]
    fn an_unknown_key_is_an_error_at_its_line() {
        let text = format!("{MINIMAL}\n[rules]\nowned_prefx = \"E\"\n");
        let error = parse(&text).unwrap_err();
        assert!(error.starts_with("9:1: "), "{error}");
        assert!(error.contains("owned_prefx"), "{error}");
        let inline_token =
            "[target]\ntoken = \"xoxp-secret\"\n\n[source]\nkind = \"csv\"\npath = \"p.csv\"\n";
        let error = parse(inline_token).unwrap_err();
        assert!(
            error.starts_with("2:1: ") && error.contains("token"),
            "{error}"
        );
        assert!(
            !error.contains("xoxp-secret"),
            "the line is never quoted: {error}"
        );
    }

    /// The README's full example reads, and so does each source section
    /// after it (with the example's target).
    #[test]
    fn the_readmes_examples_read() {
        let readme = include_str!("../../../README.md");
        let blocks: Vec<&str> = readme
            .split("```toml\n")
            .skip(1)
            .map(|rest| &rest[..rest.find("```").unwrap()])
            .filter(|block| block.contains("[source]"))
            .collect();
        assert!(blocks.len() >= 3, "the README's toml examples");
        let full = parse(blocks[0]).unwrap_or_else(|e| panic!("{e}\n{}", blocks[0]));
        assert!(matches!(full.source, SourceConfig::Csv(_)));
        let target = &blocks[0][..blocks[0].find("[source]").unwrap()];
        for source in &blocks[1..] {
            let config =
                parse(&format!("{target}{source}")).unwrap_or_else(|e| panic!("{e}\n{source}"));
            assert!(matches!(
                config.source,
                SourceConfig::Ldap(_) | SourceConfig::Scim(_)
            ));
        }
    }

    #[test]
    fn an_unknown_source_kind_is_refused() {
        let error = parse("[target]\n[source]\nkind = \"ftp\"\npath = \"x\"\n").unwrap_err();
        assert!(error.contains("ftp"), "{error}");
    }
}
