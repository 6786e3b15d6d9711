//! [`Progress`]: a progress report on stderr for long work.
//!
//! On a terminal, a bar redrawn in place with `\r` (at most every 100 ms);
//! elsewhere (a pipe, a CI log), one line per tenth of the work, and only
//! for jobs of [`LINES_FROM`] items or more, so short commands stay quiet.
//! `--quiet` turns it off. Finishing (or dropping) ends the bar's line.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Off a terminal, jobs smaller than this print no progress lines.
pub(crate) const LINES_FROM: u64 = 100;

const BAR_WIDTH: usize = 28;
const REDRAW_EVERY: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Hidden,
    Bar,
    Lines,
}

/// A progress report: `start(total, label)`, then `inc`/`set`, then `finish`.
pub(crate) struct Progress {
    mode: Mode,
    out: Box<dyn Write + Send>,
    label: String,
    total: u64,
    done: u64,
    /// The last tenth printed (lines mode).
    tenth: u64,
    drawn_at: Option<Instant>,
    /// Whether a bar is on screen, to end its line.
    open: bool,
}

impl Progress {
    /// A report on stderr: a bar on a terminal, lines elsewhere, nothing
    /// when `quiet`.
    pub(crate) fn stderr(quiet: bool) -> Progress {
        let mode = match (quiet, std::io::stderr().is_terminal()) {
            (true, _) => Mode::Hidden,
            (false, true) => Mode::Bar,
            (false, false) => Mode::Lines,
        };
        Progress::build(mode, Box::new(std::io::stderr()))
    }

    /// A report written to `out`, as a bar (`terminal`) or as lines.
    #[cfg(test)]
    pub(crate) fn to_writer(out: Box<dyn Write + Send>, terminal: bool) -> Progress {
        let mode = if terminal { Mode::Bar } else { Mode::Lines };
        Progress::build(mode, out)
    }

    fn build(mode: Mode, out: Box<dyn Write + Send>) -> Progress {
        Progress {
            mode,
            out,
            label: String::new(),
            total: 0,
            done: 0,
            tenth: 0,
            drawn_at: None,
            open: false,
        }
    }

    /// Starts (or restarts) a job of `total` items (0 when not known yet).
    pub(crate) fn start(&mut self, total: u64, label: &str) {
        self.finish();
        self.label = label.to_owned();
        self.total = total;
        self.done = 0;
        self.tenth = 0;
        self.drawn_at = None;
        self.draw(false);
    }

    /// Sets the total, once it is known.
    pub(crate) fn set_total(&mut self, total: u64) {
        self.total = total;
        self.draw(false);
    }

    /// `n` more items done.
    #[cfg(test)]
    pub(crate) fn inc(&mut self, n: u64) {
        self.set(self.done.saturating_add(n));
    }

    /// `done` items done in all.
    pub(crate) fn set(&mut self, done: u64) {
        self.done = done;
        self.draw(false);
    }

    /// Ends the report: the bar's last state and a newline. Safe to call
    /// twice; dropping a report finishes it.
    pub(crate) fn finish(&mut self) {
        if self.open {
            self.draw(true);
            let _ = writeln!(self.out);
            self.open = false;
        }
    }

    fn draw(&mut self, force: bool) {
        match self.mode {
            Mode::Hidden => {}
            Mode::Bar => self.draw_bar(force),
            Mode::Lines => self.print_line(),
        }
    }

    fn draw_bar(&mut self, force: bool) {
        let now = Instant::now();
        let complete = self.total > 0 && self.done >= self.total;
        let due = self
            .drawn_at
            .is_none_or(|at| now.duration_since(at) >= REDRAW_EVERY);
        if !(force || due || complete) {
            return;
        }
        self.drawn_at = Some(now);
        self.open = true;
        let _ = write!(
            self.out,
            "\r{}",
            bar_text(&self.label, self.done, self.total)
        );
        let _ = self.out.flush();
    }

    fn print_line(&mut self) {
        if self.total < LINES_FROM {
            return;
        }
        let tenth = self.done.min(self.total).saturating_mul(10) / self.total;
        if tenth > self.tenth {
            self.tenth = tenth;
            let _ = writeln!(
                self.out,
                "{}: {}% ({}/{})",
                self.label,
                tenth * 10,
                self.done,
                self.total
            );
        }
    }
}

/// `label [#####-----] done/total pct%`, or `label done…` without a total.
fn bar_text(label: &str, done: u64, total: u64) -> String {
    if total == 0 {
        return format!("{label} {done}…");
    }
    let shown = done.min(total);
    let filled = usize::try_from(shown.saturating_mul(BAR_WIDTH as u64) / total).unwrap_or(0);
    format!(
        "{label} [{}{}] {done}/{total} {:>3}%",
        "#".repeat(filled),
        "-".repeat(BAR_WIDTH - filled),
        shown.saturating_mul(100) / total
    )
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("mode", &self.mode)
            .field("label", &self.label)
            .field("done", &self.done)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn off_a_terminal_a_long_job_prints_one_line_per_tenth() {
        let out = Shared::default();
        let mut progress = Progress::to_writer(Box::new(out.clone()), false);
        progress.start(200, "users");
        for _ in 0..200 {
            progress.inc(1);
        }
        progress.finish();
        let text = out.text();
        assert_eq!(text.lines().count(), 10, "{text}");
        assert!(text.starts_with("users: 10% (20/200)\n"), "{text}");
        assert!(text.ends_with("users: 100% (200/200)\n"), "{text}");
    }

    #[test]
    fn off_a_terminal_a_short_job_prints_nothing() {
        let out = Shared::default();
        let mut progress = Progress::to_writer(Box::new(out.clone()), false);
        progress.start(6, "users");
        progress.set(6);
        progress.finish();
        assert_eq!(out.text(), "");
    }

    #[test]
    fn on_a_terminal_the_bar_is_redrawn_in_place_and_its_line_ended_once() {
        let out = Shared::default();
        let mut progress = Progress::to_writer(Box::new(out.clone()), true);
        progress.start(4, "groups");
        progress.set(4);
        progress.finish();
        progress.finish();
        let text = out.text();
        assert!(text.starts_with("\rgroups [----"), "{text:?}");
        assert!(
            text.ends_with(&format!("\rgroups [{}] 4/4 100%\n", "#".repeat(28))),
            "{text:?}"
        );
        assert_eq!(text.matches('\n').count(), 1);
    }

    #[test]
    fn an_unknown_total_shows_a_count() {
        assert_eq!(bar_text("users", 7, 0), "users 7…");
    }
}
