//! [`Embedded`]: the in-memory service the command runs against with no
//! token and no base URL, seeded with sample data and kept in a state file.
//!
//! The state file (`.scim-embedded.json` in the current directory, or
//! `--state FILE`) holds the profile's name and the service's
//! [snapshot](scim_memory::InMemoryService::snapshot):
//! `{"format": "scim-cli-embedded/1", "profile": "slack-v1", "service": {…}}`.
//! At start it is restored when present (ids kept), else the service is
//! seeded from `sample/seed.json`; at the end it is written again, through
//! a temporary file and a rename, only if the users or groups changed.
//! `scim reset` deletes it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use scim_client::ScimClient;
use scim_client::provider::Profile;
use scim_memory::InMemoryService;

use crate::error::CliError;

/// The sample data: users as SCIM JSON, groups with members by `userName`.
pub(crate) const SEED_JSON: &str = include_str!("../sample/seed.json");

/// The `format` of the state files written here.
pub(crate) const STATE_FORMAT: &str = "scim-cli-embedded/1";

/// What the command says on stderr (unless `--quiet`) when it runs embedded.
pub(crate) const EMBEDDED_NOTICE: &str = "using the embedded in-memory service (no token set)";

/// The embedded service and where its state is kept.
#[derive(Debug)]
pub(crate) struct Embedded {
    service: InMemoryService,
    state: PathBuf,
    /// The snapshot as loaded or seeded: the state is saved only if it changes.
    saved: Value,
}

impl Embedded {
    /// The base URL the embedded service is addressed by: no host of the
    /// real provider, so nothing could reach it by mistake.
    pub(crate) fn base_url(profile: &Profile) -> String {
        format!("https://scim.embedded.invalid/{}/", profile.name)
    }

    /// The service in `state` when the file exists, else an empty one
    /// (then [`seed`](Self::seed) it). The second value says whether it was loaded.
    pub(crate) fn open(profile: &Profile, state: PathBuf) -> Result<(Embedded, bool), CliError> {
        let loaded = state.exists();
        let service = if loaded {
            load(profile, &state)?
        } else {
            InMemoryService::for_profile(profile)
        };
        let saved = service.snapshot();
        Ok((
            Embedded {
                service,
                state,
                saved,
            },
            loaded,
        ))
    }

    /// The service, as the client's transport or for inspection.
    pub(crate) fn service(&self) -> &InMemoryService {
        &self.service
    }

    /// Creates the sample users and groups through `client` (so they get
    /// the ids and `meta` the profile's provider would give), and counts
    /// them as the saved state.
    pub(crate) fn seed(&mut self, client: &ScimClient) -> Result<(), CliError> {
        let seed: Value = serde_json::from_str(SEED_JSON)
            .map_err(|e| CliError::failure("state", format!("the sample data: {e}")))?;
        let mut ids = HashMap::new();
        for user in seed["users"].as_array().into_iter().flatten() {
            let created = client.create_user(user)?;
            if let (Some(name), Some(id)) = (created.user_name.value(), created.id.value()) {
                ids.insert(name.clone(), id.clone());
            }
        }
        for group in seed["groups"].as_array().into_iter().flatten() {
            let members: Vec<Value> = group["members"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|name| name.as_str().and_then(|n| ids.get(n)))
                .map(|id| json!({"value": id}))
                .collect();
            let mut body = group.clone();
            body["members"] = Value::Array(members);
            client.create_group(&body)?;
        }
        self.saved = self.service.snapshot();
        Ok(())
    }

    /// Writes the state file if the users or groups changed since it was
    /// loaded or seeded; true when it was written.
    pub(crate) fn save_if_changed(&self, profile: &Profile) -> Result<bool, CliError> {
        let now = self.service.snapshot();
        if now == self.saved {
            return Ok(false);
        }
        let document = json!({"format": STATE_FORMAT, "profile": profile.name, "service": now});
        let text = serde_json::to_string_pretty(&document)
            .map_err(|e| state_error(&self.state, &e.to_string()))?;
        let mut temporary = self.state.clone().into_os_string();
        temporary.push(".tmp");
        let temporary = PathBuf::from(temporary);
        crate::fs::write_private(&temporary, (text + "\n").as_bytes())
            .and_then(|()| std::fs::rename(&temporary, &self.state))
            .map_err(|e| state_error(&self.state, &e.to_string()))?;
        Ok(true)
    }

    /// Deletes the state file; true when there was one.
    pub(crate) fn reset(state: &Path) -> Result<bool, CliError> {
        match std::fs::remove_file(state) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(state_error(state, &e.to_string())),
        }
    }
}

fn state_error(state: &Path, detail: &str) -> CliError {
    CliError::failure(
        "state",
        format!("the state file {}: {detail}", state.display()),
    )
}

/// The service kept in `state`, which must hold `profile`'s.
fn load(profile: &Profile, state: &Path) -> Result<InMemoryService, CliError> {
    let text = std::fs::read_to_string(state).map_err(|e| state_error(state, &e.to_string()))?;
    let document: Value = serde_json::from_str(&text)
        .map_err(|e| state_error(state, &format!("not JSON ({e}); `scim reset` deletes it")))?;
    if document["format"] != STATE_FORMAT {
        return Err(state_error(
            state,
            &format!("not a {STATE_FORMAT} file; `scim reset` deletes it"),
        ));
    }
    let kept = document["profile"].as_str().unwrap_or("unknown");
    if kept != profile.name {
        return Err(state_error(
            state,
            &format!(
                "it holds the embedded {kept} service, not {}: pass --profile {kept}, \
                 another --state, or run `scim reset`",
                profile.name
            ),
        ));
    }
    InMemoryService::restore(profile, &document["service"])
        .map_err(|failure| state_error(state, failure.detail()))
}
