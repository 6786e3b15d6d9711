//! `scim sync --config scim.toml`: one reproducible command — read the
//! source, plan (the rails refuse here, naming their rule and flag), show
//! the plan, ask (on a terminal; `--yes` elsewhere), apply with a journal of
//! the run's own, then verify. `--dry-run` stops after the plan.
//!
//! Each run plans from the provider as it is, so a run that stopped (a
//! failure, Ctrl-C) is finished by running the command again: the new plan
//! holds what is left. Its journal (named by the plan's digest, in the
//! config's `journal_dir`) still makes a resume of the *same* plan safe
//! and is deleted once the run completes.

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use scim_client::provider::Profile;
use scim_client::{ClientOptions, ScimClient, TlsOptions, TlsRoots};
use scim_sync::apply::ApplyOptions;
use scim_sync::source::{Mapping, Target as MappingTarget, from_provider, read_csv, read_json};
use scim_sync::{
    Adoption, DeactivationLimit, Desired, MatchKey, Ownership, PlanOptions, Scope, read_current_for,
};
use serde_json::json;

use super::sync::{
    check, default_managed, describe_plan, drift_outcome, make_plan, report_outcome,
};
use crate::config::{
    self, FileSource, LdapSource, RulesConfig, ScimSource, SourceConfig, SyncConfig,
};
use crate::error::CliError;
use crate::exit;
use crate::global::GlobalOptions;
use crate::output::Outcome;
use crate::session::Session;
use crate::token::Token;

/// `sync`'s flags.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct SyncArgs {
    /// The sync's configuration: target, source, mapping, rules, apply (TOML)
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Plan only: show what would change and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Apply without asking (a run on a terminal asks first; elsewhere this is needed to write)
    #[arg(long)]
    pub yes: bool,
    /// Run as a service: a sync every DURATION (40m, 1h30m; up to a tenth of jitter), until
    /// Ctrl-C or SIGTERM; each run is logged to runs.jsonl in the journal directory; the config
    /// is read once, when the service starts
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub every: Option<Duration>,
    /// With --every: serve /metrics (Prometheus text format) and /healthz at ADDR
    #[arg(long, value_name = "ADDR", requires = "every")]
    pub metrics: Option<SocketAddr>,
    /// Apply through this PostgreSQL job store (postgres://USER@HOST:PORT/DB; overrides the
    /// config's apply.store): the plan is submitted there and applied by its workers, this
    /// process one of them, sharing the org's one rate budget
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    /// With --every: stop after N runs
    #[arg(long, value_name = "N", requires = "every", value_parser = clap::value_parser!(u64).range(1..))]
    pub runs: Option<u64>,
    /// The config as first read: the target [`prepare`] takes from it and
    /// the source and rules every run plans from are one version of the
    /// file, for a service's whole life too (a file changed between two
    /// readings mixed two versions).
    /// (Boxed: a `Command` holds these flags, and the config is large.)
    #[arg(skip)]
    pub read: std::sync::OnceLock<Box<SyncConfig>>,
}

impl SyncArgs {
    /// The config, read from its file on first use only.
    pub(crate) fn config(&self) -> Result<&SyncConfig, CliError> {
        if let Some(config) = self.read.get() {
            return Ok(config);
        }
        let config = SyncConfig::read(&self.config)?;
        Ok(self.read.get_or_init(|| Box::new(config)))
    }
}

/// Applies the config's `[target]` to the global flags (the file wins: it
/// is the reproducible record of the sync) and finds its token.
pub(crate) fn prepare(
    flags: &SyncArgs,
    options: &mut GlobalOptions,
) -> Result<Option<Token>, CliError> {
    let config = flags.config()?;
    let target = &config.target;
    if let Some(name) = &target.profile {
        options.profile = profile_named(name)?;
    }
    if let Some(url) = &target.base_url {
        options.base_url = Some(url.clone());
    }
    if let Some(state) = &target.state {
        options.state = Some(config.resolve(state));
    }
    if let Some(share) = target.rate_share {
        options.rate_share =
            crate::values::rate_share(&share.to_string()).map_err(CliError::usage)?;
    }
    let file = target.token_file.as_deref();
    let token = config::secret(
        config,
        file,
        target.token_env.as_deref(),
        "the target's token",
    )?;
    Ok(token.map(Token::new))
}

fn profile_named(name: &str) -> Result<Profile, CliError> {
    Profile::named(name).ok_or_else(|| {
        CliError::usage(format!(
            "unknown profile {name:?}: one of {}",
            Profile::NAMES.join(", ")
        ))
    })
}

/// Runs `scim sync`: once, or as a service with `--every`.
pub(crate) fn run(session: &Session, flags: &SyncArgs) -> Result<Outcome, CliError> {
    match flags.every {
        None => run_once(session, flags),
        Some(every) => {
            let _service = crate::interrupt::Service::start(session.output());
            super::watch::run(session, flags, every, &crate::interrupt::requested)
        }
    }
}

/// One sync: plan, the rails, apply, verify.
pub(crate) fn run_once(session: &Session, flags: &SyncArgs) -> Result<Outcome, CliError> {
    let config = flags.config()?;
    let (desired, options) = read_source(config)?;
    let plan = make_plan(session, &desired, &options)?;
    let mut human = format!("1. plan\n{}", describe_plan(&plan));
    if flags.dry_run {
        human.push_str("\n--dry-run: nothing applied\n");
        return Ok(Outcome::new(json!({"plan": plan}), human));
    }
    let mut document = json!({"plan": plan});
    let mut complete = true;
    if !plan.steps.is_empty() {
        confirm(flags, plan.steps.len())?;
        let store = flags.store.as_ref().or(config.apply.store.as_ref());
        let (report, text, done) = match store {
            Some(url) => super::store::apply(session, config, url, &plan)?,
            None => apply_here(session, config, &plan)?,
        };
        complete = done;
        human.push_str(&format!("\n2. apply\n{text}"));
        document["report"] = report;
    }
    let drift = check(session, &desired, &options)?;
    let verified = drift_outcome(&drift);
    human.push_str(&format!("\n3. verify\n{}", verified.human));
    document["drift"] = json!(drift);
    let status = if complete {
        verified.status
    } else {
        exit::DRIFT
    };
    Ok(Outcome::new(document, human).with_status(status))
}

/// Applies `plan` in this process with a journal of the run's own
/// (deleted once complete): the report as JSON, for people, and whether
/// every step is done.
fn apply_here(
    session: &Session,
    config: &SyncConfig,
    plan: &scim_sync::Plan,
) -> Result<(serde_json::Value, String, bool), CliError> {
    let journal = journal_path(config, &plan.digest)?;
    let mut apply_options = ApplyOptions::new(&journal);
    if let Some(concurrency) = config.apply.concurrency {
        apply_options.concurrency = crate::values::concurrency(&concurrency.to_string())
            .map_err(|e| CliError::usage(format!("apply.concurrency: {e}")))?;
    }
    let report = super::sync::apply(session, plan, &apply_options)?;
    if report.is_complete() {
        forget(&journal);
    }
    let text = report_outcome(&report, &journal).human;
    Ok((json!(report), text, report.is_complete()))
}

/// Asks before writing, on a terminal; elsewhere `--yes` says so.
fn confirm(flags: &SyncArgs, writes: usize) -> Result<(), CliError> {
    if flags.yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(
            "scim sync writes to the provider: pass --yes to apply without a prompt, or \
             --dry-run to plan only",
        ));
    }
    eprint!("apply {writes} write{}? [y/N] ", super::plural(writes));
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(CliError::failure(
            "sync",
            "not applied: the plan was not confirmed",
        )),
    }
}

/// The run's journal: named by the plan's digest, in the config's
/// `journal_dir` (default `.scim-sync` beside the config), created 0700.
fn journal_path(config: &SyncConfig, digest: &str) -> Result<PathBuf, CliError> {
    Ok(config.journal_dir()?.join(format!("{digest}.journal")))
}

/// Deletes a completed run's journal and its lock file: nothing in them is
/// worth resuming, and the next run's plan is another.
fn forget(journal: &Path) {
    let _ = std::fs::remove_file(journal);
    let mut lock = journal.as_os_str().to_owned();
    lock.push(".lock");
    let _ = std::fs::remove_file(PathBuf::from(lock));
}

/// The desired state and the plan's options, from the source and rules.
fn read_source(config: &SyncConfig) -> Result<(Desired, PlanOptions), CliError> {
    let (desired, mapping) = match &config.source {
        SourceConfig::Csv(file) => read_file(config, file, true)?,
        SourceConfig::Json(file) => read_file(config, file, false)?,
        SourceConfig::Ldap(ldap) => (read_ldap(config, ldap)?, None),
        SourceConfig::Scim(scim) => (read_scim(config, scim)?, None),
    };
    let options = plan_options(&config.rules, &desired, mapping.as_ref())?;
    Ok((desired, options))
}

fn read_file(
    config: &SyncConfig,
    file: &FileSource,
    csv: bool,
) -> Result<(Desired, Option<Mapping>), CliError> {
    let mapping = match &file.mapping {
        Some(mapping) => Mapping::from_json(&mapping.json(config)?)
            .map_err(|e| CliError::input(format!("source.mapping: {e}")))?,
        None => Mapping::default(),
    };
    let path = config.resolve(&file.path);
    let bytes = std::fs::read(&path)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?;
    let read = if csv {
        read_csv(&bytes, &mapping)
    } else {
        read_json(&bytes, &mapping)
    };
    let desired =
        read.map_err(|e| CliError::input(e.in_file(path.display().to_string()).to_string()))?;
    Ok((desired, Some(mapping)))
}

fn read_ldap(config: &SyncConfig, ldap: &LdapSource) -> Result<Desired, CliError> {
    let settings = ldap_config(config, ldap)?;
    let read =
        scim_ldap::read_blocking(&settings).map_err(|e| CliError::input(format!("ldap: {e}")))?;
    if !read.errors.is_empty() {
        let listed: Vec<String> = read.errors.iter().map(ToString::to_string).collect();
        return Err(CliError::input(format!(
            "ldap: {} entr{} cannot be read ({} more not listed); nothing planned:\n{}",
            read.errors.len(),
            if read.errors.len() == 1 { "y" } else { "ies" },
            read.omitted,
            listed.join("\n")
        )));
    }
    Ok(read.desired)
}

/// scim-ldap's configuration from `[source]`.
fn ldap_config(config: &SyncConfig, ldap: &LdapSource) -> Result<scim_ldap::LdapConfig, CliError> {
    let password = bind_password(config, ldap)?;
    let users = scim_ldap::SearchSpec {
        base: ldap.users_base.clone(),
        filter: ldap.users_filter.clone(),
    };
    let mut settings = scim_ldap::LdapConfig::new(
        &ldap.url,
        &ldap.bind_dn,
        scim_ldap::Password::new(password),
        users,
    );
    settings.starttls = ldap.starttls;
    if let Some(ca) = &ldap.ca_file {
        let path = config.resolve(ca);
        let pem = std::fs::read(&path)
            .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?;
        settings.tls = TlsOptions {
            roots: TlsRoots::Pem(pem),
            ..TlsOptions::default()
        };
    }
    if let (Some(base), Some(filter)) = (&ldap.groups_base, &ldap.groups_filter) {
        settings.groups = Some(scim_ldap::SearchSpec {
            base: base.clone(),
            filter: filter.clone(),
        });
    }
    settings.id = match ldap.id.as_deref() {
        None | Some("entryUUID") => scim_ldap::IdAttribute::EntryUuid,
        Some("objectGUID") => scim_ldap::IdAttribute::ObjectGuid,
        Some(other) => {
            return Err(CliError::usage(format!(
                "source.id: {other:?} is not entryUUID or objectGUID"
            )));
        }
    };
    if let Some(size) = ldap.page_size {
        settings.page_size = size;
    }
    settings.only_members_of = ldap.only_members_of.clone();
    if let Some(table) = &ldap.attributes {
        settings.map.users = attribute_map(table)?;
    }
    settings
        .validate()
        .map_err(|e| CliError::usage(format!("source: {e}")))?;
    Ok(settings)
}

/// The bind password from its file or variable. A DN with an empty
/// password is an "unauthenticated bind" that many servers accept as
/// anonymous (RFC 4513 §5.1.2): never by omission.
fn bind_password(config: &SyncConfig, ldap: &LdapSource) -> Result<String, CliError> {
    let file = ldap.password_file.as_deref();
    match config::secret(
        config,
        file,
        ldap.password_env.as_deref(),
        "the bind password",
    )? {
        Some(password) => Ok(password),
        None if ldap.bind_dn.is_empty() => Ok(String::new()),
        None => Err(CliError::usage(
            "source: bind_dn is given without password_file or password_env",
        )),
    }
}

/// `[source.attributes]`: LDAP attribute → SCIM target.
fn attribute_map(table: &toml::Table) -> Result<Vec<(String, MappingTarget)>, CliError> {
    table
        .iter()
        .map(|(attribute, target)| {
            let path = target.as_str().ok_or_else(|| {
                CliError::usage(format!(
                    "source.attributes.{attribute}: a SCIM path as text"
                ))
            })?;
            let target = MappingTarget::parse(path)
                .map_err(|e| CliError::usage(format!("source.attributes.{attribute}: {e}")))?;
            Ok((attribute.clone(), target))
        })
        .collect()
}

/// Reads the users and groups of another SCIM service through this crate's
/// own client (its profile, token and paging).
fn read_scim(config: &SyncConfig, scim: &ScimSource) -> Result<Desired, CliError> {
    let profile = profile_named(scim.profile.as_deref().unwrap_or("scim2"))?;
    let file = scim.token_file.as_deref();
    let token = config::secret(
        config,
        file,
        scim.token_env.as_deref(),
        "the source's token",
    )?
    .ok_or_else(|| CliError::usage("source: give token_file or token_env for the SCIM source"))?;
    let options = ClientOptions::for_profile(&profile, &scim.base_url);
    let client =
        ScimClient::with_options(&token, options).map_err(|e| CliError::from(e).redact(&token))?;
    let current = read_current_for(&client, &profile)
        .map_err(|e| CliError::caused_by("read", &e).redact(&token))?;
    let key = match_key(scim.match_key.as_deref())?.unwrap_or(MatchKey::ExternalId);
    from_provider(&current, key)
        .map_err(|e| CliError::input(format!("source {}: {e}", scim.base_url)))
}

fn match_key(text: Option<&str>) -> Result<Option<MatchKey>, CliError> {
    text.map(|text| {
        serde_json::from_value::<MatchKey>(json!(text)).map_err(|_| {
            CliError::usage(format!(
                "{text:?} is not a match key: externalId, userName or primaryEmail"
            ))
        })
    })
    .transpose()
}

/// `[rules]` as the planner's options.
fn plan_options(
    rules: &RulesConfig,
    desired: &Desired,
    mapping: Option<&Mapping>,
) -> Result<PlanOptions, CliError> {
    let defaults = DeactivationLimit::default();
    let mut options = PlanOptions {
        match_key: desired.match_key.unwrap_or(MatchKey::ExternalId),
        ownership: rules
            .owned_prefix
            .clone()
            .map_or(Ownership::Nothing, Ownership::ExternalIdPrefix),
        managed: match (&rules.managed, mapping) {
            (Some(managed), _) => managed.clone(),
            (None, Some(mapping)) => default_managed(mapping),
            (None, None) => PlanOptions::default().managed,
        },
        allow_mass_deactivation: rules.allow_mass_deactivation,
        limit: DeactivationLimit {
            max_count: rules.max_deactivations.unwrap_or(defaults.max_count),
            max_percent: rules
                .max_deactivation_percent
                .unwrap_or(defaults.max_percent),
        },
        last_source_size: rules.last_source_size,
        scope: Scope {
            users: rules.scope.users.clone(),
            groups: rules.scope.groups.clone(),
            source_users: rules.scope.source_users.clone(),
            source_groups: rules.scope.source_groups.clone(),
        },
        ..PlanOptions::default()
    };
    if let Some(key) = match_key(rules.adopt_unowned_by.as_deref())? {
        options.adopt = Adoption::UnownedBy(key);
    }
    (options.deactivate_missing, options.delete_instead) = match rules.gone.as_deref() {
        None | Some("deactivate") => (true, false),
        Some("delete") => (true, true),
        Some("leave") => (false, false),
        Some(other) => {
            return Err(CliError::usage(format!(
                "rules.gone: {other:?} is not deactivate, delete or leave"
            )));
        }
    };
    check_rules(&options)?;
    Ok(options)
}

/// The checks the flags' value parsers make, for the same rules in a file.
fn check_rules(options: &PlanOptions) -> Result<(), CliError> {
    let percent = options.limit.max_percent;
    if !(0.0..=100.0).contains(&percent) {
        return Err(CliError::usage(format!(
            "rules.max_deactivation_percent: {percent} is not between 0 and 100"
        )));
    }
    if matches!(&options.ownership, Ownership::ExternalIdPrefix(prefix) if prefix.is_empty()) {
        return Err(CliError::usage(
            "rules.owned_prefix: an empty prefix would own every account; leave it out to own none",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        sync: SyncArgs,
    }

    /// The target and every run read one version of the file: a file
    /// changed (here, broken) after the first reading changes nothing.
    #[test]
    fn the_config_is_read_once() {
        let dir = std::env::temp_dir().join(format!("scim-config-once-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("scim.toml");
        let text =
            "[target]\nprofile = \"slack-v2\"\n\n[source]\nkind = \"csv\"\npath = \"p.csv\"\n";
        std::fs::write(&path, text).unwrap();
        let flags = Flags::parse_from(["sync", "--config", path.to_str().unwrap()]).sync;
        let first = flags.config().unwrap().target.profile.clone();
        std::fs::write(&path, "not toml [").unwrap();
        let again = flags.config().expect("the first reading, kept");
        assert_eq!(again.target.profile, first);
        assert_eq!(first.as_deref(), Some("slack-v2"));
        assert!(
            SyncConfig::read(&path).is_err(),
            "the file itself is broken now"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
