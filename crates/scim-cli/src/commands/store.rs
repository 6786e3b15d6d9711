//! `scim sync --store postgres://…`: the plan goes to the PostgreSQL job
//! store and is applied by its workers — this process one of them, until
//! no step of the plan is waiting or held — so the org's one rate budget
//! (rows in the store) is shared with every other worker on every machine,
//! and a process killed mid-run loses nothing (its leases expire and
//! another worker takes the steps over). The file journal and the
//! in-process budget stay the default.

use serde_json::{Value, json};

use crate::config::{self, SyncConfig};
use crate::error::CliError;
use crate::session::Session;

/// Submits `plan` to the store at `url` and works on it here until it is
/// finished: the store's status of the plan as the report, for people, and
/// whether every step is done.
pub(crate) fn apply(
    session: &Session,
    config: &SyncConfig,
    url: &str,
    plan: &scim_sync::Plan,
) -> Result<(Value, String, bool), CliError> {
    let base_url = session.client().endpoint().base_url().to_owned();
    if session.is_embedded() {
        return Err(CliError::usage(
            "--store applies through workers that reach the provider over the network: give \
             the target a base_url and a token (the embedded service is in this process only)",
        ));
    }
    let target = &config.target;
    let token = config::secret(
        config,
        target.token_file.as_deref(),
        target.token_env.as_deref(),
        "the target's token",
    )?
    .ok_or_else(|| {
        CliError::usage("--store: the target needs token_file or token_env (workers send it)")
    })?;
    let password = config::secret(
        config,
        config.apply.store_password_file.as_deref(),
        None,
        "the store's password",
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::failure("store", format!("no runtime: {e}")))?;
    let served = runtime.block_on(serve(url, password, session, plan, &base_url, &token));
    served.map_err(|message| CliError::failure("store", message).redact(&token))
}

async fn serve(
    url: &str,
    password: Option<String>,
    session: &Session,
    plan: &scim_sync::Plan,
    base_url: &str,
    token: &str,
) -> Result<(Value, String, bool), String> {
    let mut settings = scim_pg::PgConfig::from_url(url).map_err(|e| e.to_string())?;
    if let Some(password) = password {
        settings = settings.password(&scim_pg::Password::new(password));
    }
    let store = scim_pg::Store::connect(&settings)
        .await
        .map_err(|e| e.to_string())?;
    let id = store
        .submit(base_url, plan)
        .await
        .map_err(|e| e.to_string())?;
    let options = scim_pg::TargetOptions::default();
    let profile = session.profile().clone();
    let target = scim_pg::Target::new(&store, profile, base_url, token, options)
        .await
        .map_err(|e| format!("{base_url}: {e}"))?;
    let mut worker =
        scim_pg::worker::WorkerOptions::new(format!("scim-sync:{}", std::process::id()));
    worker.until_idle = true;
    let store_for_status = scim_pg::Store::connect(&settings)
        .await
        .map_err(|e| e.to_string())?;
    let report = scim_pg::worker::run(store, vec![target], worker)
        .await
        .map_err(|e| e.to_string())?;
    let status = store_for_status
        .status(id)
        .await
        .map_err(|e| e.to_string())?;
    let document = json!({
        "store": {"plan": id.0, "done": status.done, "failed": status.failed,
                  "ready": status.ready, "claimed": status.claimed},
    });
    let complete = status.failed == 0 && status.is_finished();
    let human = format!(
        "store plan {}: {} done, {} failed ({} by this process; {} refused)\n",
        id.0,
        status.done,
        status.failed,
        report.done,
        report.refused.len()
    );
    Ok((document, human, complete))
}
