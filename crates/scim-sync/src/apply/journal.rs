//! The journal: one JSON line per event of an apply, appended and synced to
//! disk as it happens, so an apply killed at any point resumes without
//! repeating or losing a step.
//!
//! Lines: a header tying the file to one plan (its digest), `begin` before
//! the first request of a create (the one write that is not idempotent),
//! and `done` when a step has ended well, with the id a create gave. A
//! last line cut short by the kill is ignored; any other unreadable line
//! is an error, as guessing could repeat or lose a step.
//!
//! Each line carries `sum`, a checksum over its entry and the plan's
//! digest: a line edited by hand or damaged on disk — still valid JSON,
//! one digit changed so a `done` names another step — is refused by line
//! number instead of skipping a step that never ran. The checksum is
//! FNV-1a 64, not a keyed MAC: it catches edits and damage, not someone
//! who recomputes it (anyone who can write the journal could recompute
//! any unkeyed hash too).

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::plan::{Current, Plan, Step};

/// One line of the journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "camelCase")]
pub enum Entry {
    /// The first line: which plan this journal records.
    Header {
        /// The plan's digest ([`plan_digest`]).
        plan: String,
        /// Its number of steps.
        steps: usize,
    },
    /// Step `step`'s first request is about to be sent.
    Begin {
        /// The step's index in the plan.
        step: usize,
    },
    /// Step `step` ended well.
    Done {
        /// The step's index in the plan.
        step: usize,
        /// The id it created or found, for steps that create.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
}

/// What a journal says of an earlier run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recovered {
    /// Steps that ended well, with the id a create gave.
    pub done: HashMap<usize, Option<String>>,
    /// Steps begun and not recorded as done: their write may have happened.
    pub begun: HashSet<usize>,
}

impl Recovered {
    /// True when the journal records nothing yet: a fresh apply.
    pub fn is_fresh(&self) -> bool {
        self.done.is_empty() && self.begun.is_empty()
    }

    /// The creates this journal records as done whose resource `current`
    /// (the provider as read now) no longer has, in step order. A resume
    /// skips those steps and hands their ids to membership changes, so a
    /// provider that lost state since (restored from a backup, reset) must
    /// stop the run: each one would be lost with an exit 0.
    pub fn lost(&self, plan: &Plan, current: &Current) -> Vec<Lost> {
        let users: HashSet<&str> = current
            .users
            .iter()
            .filter_map(|u| u.id.as_deref())
            .collect();
        let groups: HashSet<&str> = current
            .groups
            .iter()
            .filter_map(|g| g.id.as_deref())
            .collect();
        let mut lost: Vec<Lost> = self
            .done
            .iter()
            .filter_map(|(&step, id)| {
                let id = id.as_deref()?;
                let (kind, key, known) = match plan.steps.get(step)? {
                    Step::CreateUser { key, .. } => ("user", key, &users),
                    Step::CreateGroup { key, .. } => ("group", key, &groups),
                    _ => return None,
                };
                (!known.contains(id)).then(|| Lost {
                    step,
                    kind,
                    key: key.clone(),
                    id: id.to_owned(),
                })
            })
            .collect();
        lost.sort_by_key(|lost| lost.step);
        lost
    }
}

/// A create the journal records as done whose resource the provider no
/// longer has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lost {
    /// The step's index in the plan.
    pub step: usize,
    /// `user` or `group`.
    pub kind: &'static str,
    /// The desired resource's match key.
    pub key: String,
    /// The id the create gave, which the provider no longer knows.
    pub id: String,
}

impl std::fmt::Display for Lost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "step {}: {} {:?} (id {})",
            self.step, self.kind, self.key, self.id
        )
    }
}

/// Why a journal cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Reading or writing the file failed.
    #[error("journal {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The journal records another plan: resuming it would apply the wrong
    /// steps.
    #[error(
        "journal {path} records another plan ({found}, this one is {expected}); use a new journal file"
    )]
    OtherPlan {
        /// The file.
        path: PathBuf,
        /// The digest it records.
        found: String,
        /// This plan's.
        expected: String,
    },
    /// A line that is neither an entry with its checksum nor the
    /// cut-short last line.
    #[error(
        "journal {path}, line {line}: not a journal entry with its checksum; plan again and apply with a new journal"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The line number (from 1).
        line: usize,
    },
    /// A line whose checksum does not match its content: edited or
    /// damaged. Trusting it could skip a step that never ran.
    #[error(
        "journal {path}, line {line}: its checksum does not match its content (edited or damaged); \
         plan again and apply with a new journal"
    )]
    Tampered {
        /// The file.
        path: PathBuf,
        /// The line number (from 1).
        line: usize,
    },
    /// A line naming a step the plan does not have.
    #[error("journal {path}, line {line}: step {step} is not in the plan ({steps} steps)")]
    NoSuchStep {
        /// The file.
        path: PathBuf,
        /// The line number (from 1).
        line: usize,
        /// The step it names.
        step: usize,
        /// The plan's number of steps.
        steps: usize,
    },
}

/// One line as written: the entry and its checksum.
#[derive(Serialize, Deserialize)]
struct Line {
    #[serde(flatten)]
    entry: Entry,
    sum: String,
}

/// The journal file, open for appending.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    /// The plan's digest, which every line's checksum covers.
    digest: String,
}

impl Journal {
    /// Opens `path` for `plan`: creates it with a header when it does not
    /// exist, else reads what an earlier run recorded.
    pub fn open(path: &Path, plan: &Plan) -> Result<(Journal, Recovered), JournalError> {
        let io = |source| JournalError::Io {
            path: path.to_owned(),
            source,
        };
        let digest = plan_digest(plan);
        let (recovered, valid) = match std::fs::read(path) {
            Ok(bytes) => read(path, &bytes, &digest, plan.steps.len())?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => (None, 0),
            Err(error) => return Err(io(error)),
        };
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        // The journal names accounts: created readable by its owner only.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(path).map_err(io)?;
        // `mode` applies to a file it creates only: a journal an older
        // version wrote readable by all is narrowed when it is resumed.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = file.metadata().map_err(io)?.permissions().mode();
            if mode & 0o077 != 0 {
                file.set_permissions(std::fs::Permissions::from_mode(0o600))
                    .map_err(io)?;
            }
        }
        // A line cut short by a kill goes, so the next entry starts a line.
        file.set_len(valid).map_err(io)?;
        let mut journal = Journal {
            path: path.to_owned(),
            file,
            digest: digest.clone(),
        };
        if recovered.is_none() {
            journal.append(&Entry::Header {
                plan: digest,
                steps: plan.steps.len(),
            })?;
        }
        Ok((journal, recovered.unwrap_or_default()))
    }

    /// Appends `entry` and syncs it to disk before returning: once this
    /// returns, a kill cannot lose it.
    pub fn append(&mut self, entry: &Entry) -> Result<(), JournalError> {
        let line = Line {
            entry: entry.clone(),
            sum: checksum(&self.digest, entry),
        };
        let mut line = serde_json::to_vec(&line).unwrap_or_default();
        line.push(b'\n');
        self.file
            .write_all(&line)
            .and_then(|()| self.file.sync_data())
            .map_err(|source| JournalError::Io {
                path: self.path.clone(),
                source,
            })
    }
}

/// Reads an existing journal: what it recorded (`None` when it has no
/// header yet: killed before it was written), and how many of its bytes
/// are whole lines. A last line without its newline was cut short by a
/// kill: it is dropped, and its step runs again (a create looks first).
fn read(
    path: &Path,
    bytes: &[u8],
    digest: &str,
    steps: usize,
) -> Result<(Option<Recovered>, u64), JournalError> {
    let mut recovered = Recovered::default();
    let (mut header, mut valid) = (false, 0_usize);
    for (index, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        let Some(text) = line.strip_suffix(b"\n") else {
            break;
        };
        let entry = verified(path, index + 1, text, digest, steps)?;
        valid += line.len();
        match entry {
            Entry::Header { plan, .. } if plan != digest => {
                return Err(JournalError::OtherPlan {
                    path: path.to_owned(),
                    found: plan,
                    expected: digest.to_owned(),
                });
            }
            Entry::Header { .. } => header = true,
            Entry::Begin { step } => {
                recovered.begun.insert(step);
            }
            Entry::Done { step, id } => {
                recovered.begun.remove(&step);
                recovered.done.insert(step, id);
            }
        }
    }
    Ok((header.then_some(recovered), valid as u64))
}

/// The entry of line `line` (`text`, without its newline), once its
/// checksum and step are checked.
fn verified(
    path: &Path,
    line: usize,
    text: &[u8],
    digest: &str,
    steps: usize,
) -> Result<Entry, JournalError> {
    let path = || path.to_owned();
    let Line { entry, sum } =
        serde_json::from_slice(text).map_err(|_| JournalError::Corrupt { path: path(), line })?;
    // A header for another plan is named as such, not as damage.
    if matches!(&entry, Entry::Header { plan, .. } if plan != digest) {
        return Ok(entry);
    }
    if sum != checksum(digest, &entry) {
        return Err(JournalError::Tampered { path: path(), line });
    }
    match entry {
        Entry::Begin { step } | Entry::Done { step, .. } if step >= steps => {
            Err(JournalError::NoSuchStep {
                path: path(),
                line,
                step,
                steps,
            })
        }
        entry => Ok(entry),
    }
}

/// A line's checksum: FNV-1a 64 over the plan's digest and the entry's
/// JSON, so a line copied from another plan's journal fails too.
fn checksum(digest: &str, entry: &Entry) -> String {
    let mut text = digest.as_bytes().to_vec();
    text.push(b'\n');
    text.extend(serde_json::to_vec(entry).unwrap_or_default());
    format!("{:016x}", fnv1a(&text))
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A digest of the plan (FNV-1a 64 of its JSON): a journal applies to the
/// plan it was written for and no other.
pub fn plan_digest(plan: &Plan) -> String {
    let text = serde_json::to_vec(plan).unwrap_or_default();
    format!("{:016x}", fnv1a(&text))
}
