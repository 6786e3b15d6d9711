//! The journal: one JSON line per event of an apply, appended and synced to
//! disk as it happens, so an apply killed at any point resumes without
//! repeating or losing a step.
//!
//! Lines: a header tying the file to one plan (its digest), `begin` before
//! the first request of a create (the one write that is not idempotent),
//! and `done` when a step has ended well, with the id a create gave. A
//! last line cut short by the kill is ignored; any other unreadable line
//! is an error, as guessing could repeat or lose a step.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::plan::Plan;

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
    /// A line that is neither an entry nor the cut-short last line.
    #[error("journal {path}, line {line}: not a journal entry")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The line number (from 1).
        line: usize,
    },
}

/// The journal file, open for appending.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
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
            Ok(bytes) => read(path, &bytes, &digest)?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => (None, 0),
            Err(error) => return Err(io(error)),
        };
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        // The journal names accounts: created readable by its owner only.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(path).map_err(io)?;
        // A line cut short by a kill goes, so the next entry starts a line.
        file.set_len(valid).map_err(io)?;
        let mut journal = Journal {
            path: path.to_owned(),
            file,
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
        let mut line = serde_json::to_vec(entry).unwrap_or_default();
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
fn read(path: &Path, bytes: &[u8], digest: &str) -> Result<(Option<Recovered>, u64), JournalError> {
    let mut recovered = Recovered::default();
    let (mut header, mut valid) = (false, 0_usize);
    for (index, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        let Some(text) = line.strip_suffix(b"\n") else {
            break;
        };
        let entry = serde_json::from_slice::<Entry>(text).map_err(|_| JournalError::Corrupt {
            path: path.to_owned(),
            line: index + 1,
        })?;
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

/// A digest of the plan (FNV-1a 64 of its JSON): a journal applies to the
/// plan it was written for and no other.
pub fn plan_digest(plan: &Plan) -> String {
    let text = serde_json::to_vec(plan).unwrap_or_default();
    let hash = text.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}
