//! The exit statuses of the `scim` command, one meaning each.
//!
//! | status | meaning |
//! |---|---|
//! | [`SUCCESS`] (0) | the command did what it was asked |
//! | [`FAILURE`] (1) | a runtime failure: network, an API error, a file that cannot be read or parsed, a state file that cannot be saved |
//! | [`USAGE`] (2) | a usage error: an unknown command or flag, a missing argument, a value out of range; nothing was sent |
//! | [`DRIFT`] (3) | the command ran, and found drift (`verify`) or some steps failed (`apply`) |
//! | [`INTERRUPTED`] (130) | Ctrl-C (or SIGTERM, SIGHUP) stopped the command: an apply finished its steps in flight, and the same command run again resumes it |
//! | [`CLOSED`] (141) | stdout was closed before all the output was written (`scim … \| head -1`); nothing more is said |

/// The command did what it was asked.
pub const SUCCESS: u8 = 0;

/// A runtime failure: network, an API error, a bad input file.
pub const FAILURE: u8 = 1;

/// A usage error: the command line is wrong; nothing was sent.
pub const USAGE: u8 = 2;

/// Drift found (`verify`) or some steps failed (`apply`).
pub const DRIFT: u8 = 3;

/// Ctrl-C (SIGINT; SIGTERM and SIGHUP alike) stopped the command before
/// the end, with the status a shell shows for a process Ctrl-C stopped
/// (128 + SIGINT). An apply stops safely: its steps in flight finish and
/// are journaled, and the same command run again resumes it.
pub const INTERRUPTED: u8 = 130;

/// Stdout was closed before all the output was written (the reader of a
/// pipe stopped, as `head -1` does): the command ended quietly, with the
/// status a shell shows for a process a broken pipe stopped (128 + SIGPIPE).
pub const CLOSED: u8 = 141;
