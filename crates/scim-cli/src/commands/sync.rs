//! `scim plan`, `scim apply`, `scim verify` and `scim demo`: the sync job
//! of [`scim_sync`] on the command line.
//!
//! - `plan --from people.csv [--mapping m.json] [--out plan.json] [--html
//!   plan.html]` reads the source and the provider (list pages) and prints
//!   what would change (`--html`: also a review page, `crate::review`);
//!   nothing is written to the provider.
//! - `apply plan.json [--journal FILE] [--concurrency N]` runs a plan,
//!   journaling each step in `plan.json.journal`: run it again after an
//!   interruption and it resumes. Exit 3 when a step failed. Ctrl-C stops
//!   it safely (`crate::interrupt`): the steps in flight finish, the rest
//!   wait for the same command run again, exit 130.
//! - `verify --from people.csv [--mapping m.json]` reads the provider back
//!   and lists every difference; exit 3 on drift.
//! - `demo` runs the three on the sample data (`sample/people.csv`), against
//!   the embedded service; against a real provider (a token set) it only
//!   plans and verifies, and never writes.
//!
//! The source flags of plan and verify are [`SourceArgs`] (`--owned-prefix P`:
//! accounts whose externalId starts with P are the source's, the only ones
//! ever written to, creates aside; the deactivation rails; adoption). A
//! rail's refusal names the rule and the flag that overrides it (`rails`).
//!
//! `apply` trusts nothing in the plan file: a plan whose digest does not
//! match its content is refused, and every step's target and the rails
//! are checked again against the provider before anything is written.

use std::path::{Path, PathBuf};

use scim_sync::apply::{ApplyError, ApplyOptions, EventResult, Report, apply_blocking};
use scim_sync::source::{Mapping, read_csv, read_path};
use scim_sync::{
    Adoption, DeactivationLimit, Desired, Drift, MatchKey, Ownership, Plan, PlanOptions, Step,
    plan, read_current_for, verify,
};
use serde_json::json;

use super::plural;
use crate::error::CliError;
use crate::exit;
use crate::interrupt::Interrupt;
use crate::output::Outcome;
use crate::rails;
use crate::session::Session;
use crate::table::Table;
use crate::values::{self, Attributes};

/// The sample source the demo plans from.
const SAMPLE_CSV: &str = include_str!("../../sample/people.csv");
/// Its mapping.
const SAMPLE_MAPPING: &str = include_str!("../../sample/mapping.json");
/// The externalId namespace of the sample source and of the embedded
/// service's seeded accounts: the demo owns it. It is not the README's
/// example prefix (`E`), so a newcomer's own source never owns, and so
/// never deactivates, the sample accounts.
pub(crate) const SAMPLE_PREFIX: &str = "sample-";

/// `plan`'s flags.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct PlanArgs {
    /// Write the plan to FILE, for `scim apply FILE` (readable by its owner only)
    #[arg(long, value_name = "FILE")]
    out: Option<String>,
    /// Also write a review page to FILE: one self-contained HTML file (no external assets;
    /// readable by its owner only) with the counts, each step's values before and after, what
    /// is left alone and why, and the rails' margins
    #[arg(long, value_name = "FILE")]
    html: Option<String>,
    #[command(flatten)]
    source: SourceArgs,
}

/// `apply`'s flags.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ApplyArgs {
    /// The plan file `scim plan --out` wrote
    #[arg(value_name = "PLAN")]
    plan: String,
    /// The journal file [default: PLAN.journal]
    #[arg(long, value_name = "FILE")]
    journal: Option<String>,
    /// Requests in flight at once, 1 to 64 (the rate budget, not this, bounds the pace)
    #[arg(long, value_name = "N", value_parser = values::concurrency,
        default_value_t = ApplyOptions::new("").concurrency)]
    concurrency: usize,
}

/// The source and its rules, for `plan` and `verify`.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Source flags")]
pub(crate) struct SourceArgs {
    /// The source of truth: a CSV or JSON file
    #[arg(long, value_name = "FILE")]
    from: String,
    /// The mapping from the source's columns to SCIM attributes [default: the built-in one]
    #[arg(long, value_name = "FILE")]
    mapping: Option<String>,
    /// Accounts whose externalId starts with P are the source's: only those are ever written
    /// to, creates aside (without it none are, so no existing account is updated or
    /// deactivated)
    #[arg(long, value_name = "P", value_parser = values::owned_prefix)]
    owned_prefix: Option<String>,
    /// The attributes the source manages, comma-separated [default: userName, displayName, name,
    /// title, emails, active, and every attribute the mapping feeds (department, manager, …)]
    #[arg(long, value_name = "A,B,...")]
    managed: Option<Attributes>,
    /// Delete accounts the source dropped instead of deactivating them
    #[arg(long)]
    delete: bool,
    /// A plan may deactivate more than the two limits below
    #[arg(long)]
    allow_mass_deactivation: bool,
    /// The most accounts a plan may deactivate
    #[arg(long, value_name = "N", default_value_t = DeactivationLimit::default().max_count)]
    max_deactivations: usize,
    /// The largest share of the owned accounts a plan may deactivate, in percent (0 to 100)
    #[arg(long, value_name = "P", value_parser = values::percent,
        default_value_t = DeactivationLimit::default().max_percent)]
    max_deactivation_percent: f64,
    /// The size of the last source: deactivations from a source under half of it are refused
    #[arg(long, value_name = "N", value_parser = values::positive::<usize>)]
    last_source_size: Option<usize>,
    /// Take over an account the source does not own when a source user meets it by KEY,
    /// writing the owned externalId (without it that is an error naming both)
    #[arg(long, value_name = "KEY", value_parser = adoption_key())]
    adopt_unowned_by: Option<MatchKey>,
}

/// Runs `scim plan`.
pub(crate) fn run_plan(session: &Session, flags: &PlanArgs) -> Result<Outcome, CliError> {
    let (desired, options) = flags.source.read()?;
    let (plan, current) = read_and_plan(session, &desired, &options)?;
    let text = crate::output::pretty(&json!(plan)) + "\n";
    let mut human = describe_plan(&plan);
    if let Some(out) = &flags.out {
        crate::fs::write_private(Path::new(out), text.as_bytes())
            .map_err(|e| CliError::failure("output", format!("cannot write {out}: {e}")))?;
        human.push_str(&format!(
            "\nplan written to {out}; apply it with `scim apply {out}`\n"
        ));
    }
    if let Some(html) = &flags.html {
        let review = crate::review::Review::new(session, &plan, &current);
        review.write(Path::new(html))?;
        human.push_str(&format!("review page written to {html}\n"));
    }
    Ok(Outcome::new(json!(plan), human))
}

/// Runs `scim apply`.
pub(crate) fn run_apply(session: &Session, flags: &ApplyArgs) -> Result<Outcome, CliError> {
    let file = &flags.plan;
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError::input(format!("cannot read {file}: {e}")))?;
    let plan: Plan = serde_json::from_str(&text)
        .map_err(|e| CliError::input(format!("{file} is not a plan: {e}")))?;
    let journal = flags
        .journal
        .as_ref()
        .map_or_else(|| journal_for(Path::new(file)), PathBuf::from);
    let mut options = ApplyOptions::new(journal);
    options.concurrency = flags.concurrency;
    let existed = options.journal.symlink_metadata().is_ok();
    let report = run_engine(session, &plan, &options).map_err(|(error, refused)| {
        if refused && !existed {
            forget_journal(&options.journal);
        }
        error
    })?;
    Ok(report_outcome(&report, &options.journal))
}

/// Deletes the journal a refused apply created, so it does not block the
/// next plan of the same file name: nothing was sent (a refusal comes
/// before any step), so it records nothing worth resuming. Left in place
/// when it cannot be removed: the next apply names it.
fn forget_journal(journal: &Path) {
    let _ = std::fs::remove_file(journal);
}

/// Runs `scim verify`.
pub(crate) fn run_verify(session: &Session, source: &SourceArgs) -> Result<Outcome, CliError> {
    let (desired, options) = source.read()?;
    let drift = check(session, &desired, &options)?;
    Ok(drift_outcome(&drift))
}

/// Runs `scim demo`: plan, apply, verify on the sample data.
pub(crate) fn run_demo(session: &Session) -> Result<Outcome, CliError> {
    let mapping = Mapping::from_json(SAMPLE_MAPPING)
        .map_err(|e| CliError::input(format!("the sample mapping: {e}")))?;
    let desired = read_csv(SAMPLE_CSV.as_bytes(), &mapping)
        .map_err(|e| CliError::input(e.in_file("sample/people.csv").to_string()))?;
    let options = plan_options(&mapping, Some(SAMPLE_PREFIX.into()));
    let plan = make_plan(session, &desired, &options)?;
    let mut human = format!(
        "1. plan (sample/people.csv, accounts {SAMPLE_PREFIX}… owned)\n{}",
        describe_plan(&plan)
    );
    if !session.is_embedded() {
        let drift = check(session, &desired, &options)?;
        human.push_str("\nnot applied: against a real provider, run `scim plan --out plan.json` then `scim apply plan.json`\n");
        human.push_str(&format!("\n2. verify\n{}", drift_outcome(&drift).human));
        return Ok(Outcome::new(json!({"plan": plan, "drift": drift}), human));
    }
    // A directory of its own: apply's provider lock lives next to the
    // journal, and demos running at once each play their own provider.
    let dir = std::env::temp_dir().join(format!("scim-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| CliError::input(format!("cannot create {}: {e}", dir.display())))?;
    let journal = dir.join("demo.journal");
    let report = apply(session, &plan, &ApplyOptions::new(&journal));
    // The demo's journal is its own: a failed run starts over next time.
    let _ = std::fs::remove_dir_all(&dir);
    let report = report?;
    let applied = report_outcome(&report, &journal);
    human.push_str(&format!("\n2. apply\n{}", applied.human));
    if report.interrupted {
        let document = json!({"plan": plan, "report": report});
        return Ok(Outcome::new(document, human).with_status(applied.status));
    }
    let drift = check(session, &desired, &options)?;
    let verified = drift_outcome(&drift);
    human.push_str(&format!("\n3. verify\n{}", verified.human));
    let status = if report.is_complete() {
        verified.status
    } else {
        exit::DRIFT
    };
    let document = json!({"plan": plan, "report": report, "drift": drift});
    Ok(Outcome::new(document, human).with_status(status))
}

/// The demo's embedded state: a fresh service each run (not the state file),
/// unless `--state` names one.
pub(crate) fn demo_state() -> PathBuf {
    std::env::temp_dir().join(format!("scim-demo-{}.json", std::process::id()))
}

/// The journal next to a plan file: `plan.json.journal`.
fn journal_for(plan: &Path) -> PathBuf {
    let mut name = plan.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

impl SourceArgs {
    /// The source's users and the plan options the flags give.
    fn read(&self) -> Result<(Desired, PlanOptions), CliError> {
        let mapping = match &self.mapping {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| CliError::input(format!("cannot read {path}: {e}")))?;
                Mapping::from_json(&text).map_err(|e| CliError::input(format!("{path}: {e}")))?
            }
            None => Mapping::default(),
        };
        let mut options = plan_options(&mapping, self.owned_prefix.clone());
        options.managed = match &self.managed {
            Some(managed) => managed.0.clone(),
            None => default_managed(&mapping),
        };
        options.delete_instead = self.delete;
        options.allow_mass_deactivation = self.allow_mass_deactivation;
        options.limit = DeactivationLimit {
            max_count: self.max_deactivations,
            max_percent: self.max_deactivation_percent,
        };
        options.last_source_size = self.last_source_size;
        if let Some(key) = self.adopt_unowned_by {
            options.adopt = Adoption::UnownedBy(key);
        }
        let desired =
            read_path(&self.from, &mapping).map_err(|e| CliError::input(e.to_string()))?;
        Ok((desired, options))
    }
}

/// `--adopt-unowned-by`: `userName`, `externalId` or `primaryEmail` (as a
/// mapping's `matchKey` spells them).
fn adoption_key() -> impl clap::builder::TypedValueParser<Value = MatchKey> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(["userName", "externalId", "primaryEmail"])
        .try_map(|text| serde_json::from_value::<MatchKey>(json!(text)).map_err(|e| e.to_string()))
}

/// What a plan manages when `--managed` is not given: the planner's
/// defaults, and every attribute `mapping` feeds (an enterprise attribute,
/// a manager) — a mapped column the plan would not manage would be read
/// and then silently not written.
pub(crate) fn default_managed(mapping: &Mapping) -> Vec<String> {
    let mut managed = PlanOptions::default().managed;
    for path in mapping.managed() {
        let covered = managed
            .iter()
            .any(|m| *m == path || path.starts_with(&format!("{m}.")));
        if !covered {
            managed.push(path);
        }
    }
    managed
}

fn plan_options(mapping: &Mapping, owned_prefix: Option<String>) -> PlanOptions {
    PlanOptions {
        match_key: mapping.match_key,
        ownership: owned_prefix.map_or(Ownership::Nothing, Ownership::ExternalIdPrefix),
        ..PlanOptions::default()
    }
}

pub(crate) fn make_plan(
    session: &Session,
    desired: &Desired,
    options: &PlanOptions,
) -> Result<Plan, CliError> {
    read_and_plan(session, desired, options).map(|(plan, _)| plan)
}

/// The plan, and the provider's state it was made from.
fn read_and_plan(
    session: &Session,
    desired: &Desired,
    options: &PlanOptions,
) -> Result<(Plan, scim_sync::Current), CliError> {
    let current = read_current_for(session.client(), session.profile())
        .map_err(|e| CliError::caused_by("read", &e))?;
    let plan = plan(desired, &current, session.profile(), options)
        .map_err(|e| rails::plan_refused(&e, options))?;
    Ok((plan, current))
}

pub(crate) fn apply(
    session: &Session,
    plan: &Plan,
    options: &ApplyOptions,
) -> Result<Report, CliError> {
    run_engine(session, plan, options).map_err(|(error, _)| error)
}

/// Runs the apply engine, with progress; an error comes with whether the
/// apply was refused before any step was sent: every [`ApplyError`] but a
/// journal one is returned before the workers start (a journal error may
/// come after writes, or from another apply's journal, so it never counts).
///
/// Ctrl-C stops it safely (`crate::interrupt`): the report then says
/// [`interrupted`](Report::interrupted), and stderr says how far it got
/// and the command that resumes it (the session's command line).
fn run_engine(
    session: &Session,
    plan: &Plan,
    options: &ApplyOptions,
) -> Result<Report, (CliError, bool)> {
    let mut progress = session.progress(plan.steps.len() as u64, "applying");
    let output = session.output();
    let interrupt = Interrupt::watch(progress.notes(), output);
    let options = ApplyOptions {
        stop: Some(interrupt.stop()),
        ..options.clone()
    };
    // Steps ended in this run or an earlier one, skipped ones left out
    // (a stop skips the rest: that is not progress).
    let mut position: Option<u64> = None;
    let report = apply_blocking(
        session.client(),
        plan,
        session.profile(),
        &options,
        |event| {
            // The first event follows the earlier run's steps (already
            // ended): the position starts there, the rate from now.
            let at = position.get_or_insert_with(|| {
                let earlier = event.ended.saturating_sub(1) as u64;
                progress.skip_to(earlier);
                earlier
            });
            if !matches!(event.result, EventResult::Skipped { .. }) {
                *at += 1;
                progress.set(*at);
            }
            if let EventResult::Failed { error } = &event.result {
                output.warn(&format!("step {} failed: {error}", event.step));
            }
        },
    );
    progress.finish();
    drop(interrupt);
    let report = report.map_err(|e| {
        let refused = !matches!(e, ApplyError::Journal(_));
        (rails::apply_refused(&e, &plan.options), refused)
    })?;
    if report.interrupted {
        crate::output::to_stderr(&format!(
            "scim: {}\n",
            resume_hint(&report, plan.steps.len(), session.command_line())
        ));
    }
    Ok(report)
}

/// `interrupted: N of M steps done; run the same command to resume: LINE`
/// (done in this run or an earlier one).
fn resume_hint(report: &Report, steps: usize, line: &str) -> String {
    let earlier = report.skipped.iter().filter(|s| s.earlier).count();
    format!(
        "interrupted: {} of {steps} steps done; run the same command to resume: {line}",
        report.done.len() + earlier
    )
}

pub(crate) fn check(
    session: &Session,
    desired: &Desired,
    options: &PlanOptions,
) -> Result<Drift, CliError> {
    let current = read_current_for(session.client(), session.profile())
        .map_err(|e| CliError::caused_by("read", &e))?;
    verify(desired, &current, session.profile(), options)
        .map_err(|e| CliError::caused_by("verify", &e))
}

/// A table of the steps, then what is left alone.
pub(crate) fn describe_plan(plan: &Plan) -> String {
    if plan.steps.is_empty() {
        return format!("nothing to do ({} left alone)\n", plan.left_alone.len());
    }
    let mut table = Table::new(["#", "action", "resource", "what"]);
    for (index, step) in plan.steps.iter().enumerate() {
        let (action, resource, what) = describe_step(step);
        table.row([index.to_string(), action.to_owned(), resource, what]);
    }
    let mut text = table.render();
    text.push_str(&format!(
        "{} step{}; {} left alone\n",
        plan.steps.len(),
        plural(plan.steps.len()),
        plan.left_alone.len()
    ));
    text
}

fn describe_step(step: &Step) -> (&'static str, String, String) {
    let paths = |changes: &[scim_sync::Change]| {
        changes
            .iter()
            .map(|c| c.path.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match step {
        Step::CreateUser { key, user } => (
            "create user",
            key.clone(),
            user["userName"].as_str().unwrap_or_default().to_owned(),
        ),
        Step::UpdateUser { key, changes, .. } => ("update user", key.clone(), paths(changes)),
        Step::AdoptUser { key, changes, .. } => ("adopt user", key.clone(), paths(changes)),
        Step::DeactivateUser { id, user_name, .. } => {
            ("deactivate user", id.clone(), user_name.clone())
        }
        Step::DeleteUser { id, user_name } => ("delete user", id.clone(), user_name.clone()),
        Step::CreateGroup { key, .. } => ("create group", key.clone(), String::new()),
        Step::UpdateGroup { key, changes, .. } => ("update group", key.clone(), paths(changes)),
        Step::ChangeMembers { group, add, remove } => (
            "change members",
            reference(group),
            format!("+{} -{}", add.len(), remove.len()),
        ),
    }
}

fn reference(reference: &scim_sync::Ref) -> String {
    match reference {
        scim_sync::Ref::Id(id) | scim_sync::Ref::Key(id) => id.clone(),
    }
}

pub(crate) fn report_outcome(report: &Report, journal: &Path) -> Outcome {
    let earlier = report.skipped.iter().filter(|s| s.earlier).count();
    let mut human = format!(
        "{} done, {} failed, {} skipped ({earlier} done in an earlier run); journal {}\n",
        report.done.len(),
        report.failed.len(),
        report.skipped.len(),
        journal.display()
    );
    for failed in &report.failed {
        human.push_str(&format!("  step {}: {}\n", failed.step, failed.error));
    }
    Outcome::new(json!(report), human).with_status(apply_status(report))
}

/// An apply's exit status: [`exit::INTERRUPTED`] when Ctrl-C left steps
/// to resume, [`exit::DRIFT`] when steps failed or were not run.
fn apply_status(report: &Report) -> u8 {
    if report.interrupted {
        exit::INTERRUPTED
    } else if report.is_complete() {
        exit::SUCCESS
    } else {
        exit::DRIFT
    }
}

pub(crate) fn drift_outcome(drift: &Drift) -> Outcome {
    if drift.is_clean() {
        return Outcome::new(json!(drift), "no drift: the provider matches the source\n");
    }
    let mut table = Table::new(["kind", "resource", "path", "expected", "found"]);
    let show =
        |value: &Option<serde_json::Value>| value.as_ref().map_or(String::new(), |v| v.to_string());
    for item in &drift.items {
        table.row([
            format!("{:?}", item.kind),
            item.resource.clone(),
            item.path.clone().unwrap_or_default(),
            show(&item.expected),
            show(&item.found),
        ]);
    }
    let human = format!(
        "{}{} difference{}\n",
        table.render(),
        drift.items.len(),
        plural(drift.items.len())
    );
    Outcome::new(json!(drift), human).with_status(exit::DRIFT)
}
