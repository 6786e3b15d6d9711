//! [`Progress`]: a progress report on stderr for long work, with the pace
//! and the time left.
//!
//! On a terminal, an [`indicatif`] bar: `label [####----] done/total
//! rate/s ETA 3m`, redrawn in place (its rate and ETA are indicatif's
//! moving estimate, so a paced hour-long apply shows a steady ETA).
//! Elsewhere (a pipe, a CI log), one line per tenth of the work —
//! `label: 30% (90/300), 3.0/s, ETA 1m10s` — and only for jobs of
//! [`LINES_FROM`] items or more, so short commands stay quiet; the rate
//! there is the average since the start. `--quiet` turns both off.
//! Finishing (or dropping) leaves the bar as it stands, on a line of its
//! own. Work done before this run (a resumed apply) is counted in the
//! position but not in the rate: [`Progress::skip_to`].

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// Off a terminal, jobs smaller than this print no progress lines.
pub(crate) const LINES_FROM: u64 = 100;

/// The bar with a known total.
const BAR_TEMPLATE: &str = "{msg} [{bar:28}] {pos}/{len} {rate} ETA {eta}";
/// Before the total is known: a count and its rate.
const COUNT_TEMPLATE: &str = "{msg} {pos}… {rate}";
/// Once finished (or stopped short): where it got, in how long.
const FINISHED_TEMPLATE: &str = "{msg} [{bar:28}] {pos}/{len} in {elapsed}";

/// Where a new bar is drawn: stderr (a test's screen in tests).
type Target = Box<dyn Fn() -> ProgressDrawTarget + Send>;

/// How the report is shown.
enum View {
    Hidden,
    /// A bar on a terminal (none between jobs).
    Bar {
        bar: Option<ProgressBar>,
        target: Target,
    },
    Lines(Lines),
}

/// A progress report: `start(total, label)`, then `set`, then `finish`.
pub(crate) struct Progress {
    view: View,
    label: String,
    total: u64,
    done: u64,
}

impl Progress {
    /// A report on stderr: a bar on a terminal, lines elsewhere, nothing
    /// when `quiet`.
    pub(crate) fn stderr(quiet: bool) -> Progress {
        let view = match (quiet, std::io::stderr().is_terminal()) {
            (true, _) => View::Hidden,
            (false, true) => View::Bar {
                bar: None,
                target: Box::new(ProgressDrawTarget::stderr),
            },
            (false, false) => View::Lines(Lines::new(Box::new(std::io::stderr()))),
        };
        Progress::build(view)
    }

    /// A report written to `out` as lines (the form off a terminal).
    #[cfg(test)]
    pub(crate) fn to_writer(out: Box<dyn Write + Send>) -> Progress {
        Progress::build(View::Lines(Lines::new(out)))
    }

    /// A report drawn as a bar on `target`'s terminal.
    #[cfg(test)]
    fn to_terminal(target: Target) -> Progress {
        Progress::build(View::Bar { bar: None, target })
    }

    fn build(view: View) -> Progress {
        Progress {
            view,
            label: String::new(),
            total: 0,
            done: 0,
        }
    }

    /// Starts (or restarts) a job of `total` items (0 when not known yet).
    pub(crate) fn start(&mut self, total: u64, label: &str) {
        self.finish();
        self.label = label.to_owned();
        self.total = total;
        self.done = 0;
        match &mut self.view {
            View::Hidden => {}
            View::Bar { bar, target } => *bar = Some(new_bar(total, label, target())),
            View::Lines(lines) => lines.restart(0, total, Instant::now()),
        }
    }

    /// Sets the total, once it is known.
    pub(crate) fn set_total(&mut self, total: u64) {
        self.total = total;
        if let View::Bar { bar: Some(bar), .. } = &self.view {
            bar.set_style(style(total));
            bar.set_length(total);
        }
        self.show(Instant::now());
    }

    /// `done` items done in all.
    pub(crate) fn set(&mut self, done: u64) {
        self.done = done;
        self.show(Instant::now());
    }

    /// `done` items were done before this run (a resumed job): the report
    /// starts from there, and its rate counts only what is done from now.
    pub(crate) fn skip_to(&mut self, done: u64) {
        self.done = done;
        match &mut self.view {
            View::Hidden => {}
            View::Bar { bar, .. } => {
                if let Some(bar) = bar {
                    bar.set_position(done);
                    bar.reset_eta();
                }
            }
            View::Lines(lines) => lines.restart(done, self.total, Instant::now()),
        }
    }

    /// Where a note can be printed while this report is shown: above the
    /// bar, on stderr beside the lines, nowhere when hidden.
    pub(crate) fn notes(&self) -> Notes {
        match &self.view {
            View::Hidden => Notes::Quiet,
            View::Bar { bar: Some(bar), .. } => Notes::Bar(bar.clone()),
            View::Bar { bar: None, .. } | View::Lines(_) => Notes::Stderr,
        }
    }

    /// Ends the report: the bar stays as it stands (done/total, not
    /// filled up when the job stopped short), what follows on a line of
    /// its own. Safe to call twice; dropping a report finishes it.
    pub(crate) fn finish(&mut self) {
        if let View::Bar { bar, .. } = &mut self.view {
            if let Some(bar) = bar.take() {
                if bar.length().is_some() {
                    bar.set_style(template(FINISHED_TEMPLATE));
                }
                bar.abandon();
            }
        }
    }

    fn show(&mut self, now: Instant) {
        match &mut self.view {
            View::Hidden => {}
            View::Bar { bar, .. } => {
                if let Some(bar) = bar {
                    bar.set_position(self.done);
                }
            }
            View::Lines(lines) => lines.update(&self.label, self.done, self.total, now),
        }
    }
}

/// A bar for `total` items (0: not known yet) labelled `label`, drawn on
/// `target`.
fn new_bar(total: u64, label: &str, target: ProgressDrawTarget) -> ProgressBar {
    let length = (total > 0).then_some(total);
    ProgressBar::with_draw_target(length, target)
        .with_style(style(total))
        .with_message(label.to_owned())
}

/// The bar's style: [`BAR_TEMPLATE`] with a total, else [`COUNT_TEMPLATE`].
fn style(total: u64) -> ProgressStyle {
    template(if total > 0 {
        BAR_TEMPLATE
    } else {
        COUNT_TEMPLATE
    })
}

/// The style of `text`, one of the templates above, with the `{rate}` key.
fn template(text: &str) -> ProgressStyle {
    // The templates are constants (a unit test parses them); indicatif's
    // default bar stands in should one ever fail to parse.
    ProgressStyle::with_template(text)
        .map(|style| style.progress_chars("#>-"))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key(
            "rate",
            |state: &ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = write!(out, "{:.1}/s", state.per_sec());
            },
        )
}

/// Which tenth of `total` `done` reaches (0 to 10; 0 without a total).
fn tenth(done: u64, total: u64) -> u64 {
    match total {
        0 => 0,
        total => done.min(total).saturating_mul(10) / total,
    }
}

/// The lines form: one line each time the work passes a tenth.
struct Lines {
    out: Box<dyn Write + Send>,
    /// The last tenth printed, or reached before this run.
    tenth: u64,
    /// Items done when this run started counting (a resume), and when.
    base: u64,
    since: Instant,
}

impl Lines {
    fn new(out: Box<dyn Write + Send>) -> Lines {
        Lines {
            out,
            tenth: 0,
            base: 0,
            since: Instant::now(),
        }
    }

    /// Counts from `done` of `total` (reached already, so not printed),
    /// the rate from `now`.
    fn restart(&mut self, done: u64, total: u64, now: Instant) {
        self.tenth = tenth(done, total);
        self.base = done;
        self.since = now;
    }

    /// Prints a line when `done` passes a tenth it had not reached.
    fn update(&mut self, label: &str, done: u64, total: u64, now: Instant) {
        let reached = tenth(done, total);
        if total < LINES_FROM || reached <= self.tenth {
            return;
        }
        self.tenth = reached;
        let elapsed = now.saturating_duration_since(self.since);
        let counted = done.saturating_sub(self.base);
        let _ = writeln!(
            self.out,
            "{}",
            line_text(label, done, total, counted, elapsed)
        );
    }
}

/// `label: 30% (90/300), 3.0/s, ETA 1m10s`, or at the end `…, took
/// 1m40s`: the rate is `counted` items over `elapsed` (none counted yet:
/// no rate nor ETA).
fn line_text(label: &str, done: u64, total: u64, counted: u64, elapsed: Duration) -> String {
    let percent = tenth(done, total) * 10;
    let mut text = format!("{label}: {percent}% ({done}/{total})");
    let seconds = elapsed.as_secs_f64();
    if counted == 0 || seconds <= 0.0 {
        return text;
    }
    let rate = counted as f64 / seconds;
    text.push_str(&format!(", {rate:.1}/s"));
    if done >= total {
        text.push_str(&format!(", took {}", clock(elapsed)));
    } else {
        let left = total.saturating_sub(done) as f64 / rate;
        text.push_str(&format!(", ETA {}", clock(Duration::from_secs_f64(left))));
    }
    text
}

/// A duration to the second, compact: `45s`, `1m10s`, `2h05m` (minutes
/// from an hour on).
fn clock(duration: Duration) -> String {
    let seconds = duration.as_secs() + u64::from(duration.subsec_millis() >= 500);
    match seconds {
        0..60 => format!("{seconds}s"),
        60..3600 => format!("{}m{:02}s", seconds / 60, seconds % 60),
        _ => format!("{}h{:02}m", seconds / 3600, seconds % 3600 / 60),
    }
}

/// Where a note goes while a [`Progress`] is shown ([`Progress::notes`]):
/// cheap to clone, usable from any thread.
#[derive(Clone, Debug)]
pub(crate) enum Notes {
    /// `--quiet`: nowhere.
    Quiet,
    /// Above the bar, which is drawn again below it.
    Bar(ProgressBar),
    /// On stderr.
    Stderr,
}

impl Notes {
    /// Prints `scim: {message}` on its own line.
    pub(crate) fn print(&self, message: &str) {
        match self {
            Notes::Quiet => {}
            Notes::Bar(bar) => bar.println(format!("scim: {message}")),
            Notes::Stderr => crate::output::to_stderr(&format!("scim: {message}\n")),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let view = match self.view {
            View::Hidden => "hidden",
            View::Bar { .. } => "bar",
            View::Lines(_) => "lines",
        };
        f.debug_struct("Progress")
            .field("view", &view)
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

    /// What was written, shared with the test.
    #[derive(Clone, Debug, Default)]
    struct Shared(Arc<Mutex<String>>);

    impl Shared {
        fn text(&self) -> String {
            self.0.lock().unwrap().clone()
        }
    }

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(buf));
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// A terminal of 100 columns for indicatif: what is drawn is appended,
    /// a line clear is a `\r`, cursor moves are left out.
    impl indicatif::TermLike for Shared {
        fn width(&self) -> u16 {
            100
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, line: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(&format!("{line}\n"));
            Ok(())
        }
        fn write_str(&self, text: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(text);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            self.0.lock().unwrap().push('\r');
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn terminal() -> (Progress, Shared) {
        let screen = Shared::default();
        let drawn = screen.clone();
        let target: Target =
            Box::new(move || ProgressDrawTarget::term_like(Box::new(drawn.clone())));
        (Progress::to_terminal(target), screen)
    }

    /// The last state drawn: the text after the last line clear.
    fn last_drawn(screen: &Shared) -> String {
        let text = screen.text();
        let last = text.rsplit('\r').find(|part| !part.trim().is_empty());
        last.unwrap_or_default().trim_end().to_owned()
    }

    #[test]
    fn off_a_terminal_a_long_job_prints_one_line_per_tenth_with_its_rate() {
        let out = Shared::default();
        let mut progress = Progress::to_writer(Box::new(out.clone()));
        progress.start(200, "users");
        for done in 1..=200 {
            progress.set(done);
        }
        progress.finish();
        let text = out.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 10, "{text}");
        assert!(lines[0].starts_with("users: 10% (20/200)"), "{text}");
        assert!(lines[9].starts_with("users: 100% (200/200)"), "{text}");
    }

    #[test]
    fn off_a_terminal_a_short_job_prints_nothing() {
        let out = Shared::default();
        let mut progress = Progress::to_writer(Box::new(out.clone()));
        progress.start(6, "users");
        progress.set(6);
        progress.finish();
        assert_eq!(out.text(), "");
    }

    #[test]
    fn a_line_gives_the_rate_since_the_start_and_the_time_left() {
        let out = Shared::default();
        let mut lines = Lines::new(Box::new(out.clone()));
        let start = Instant::now();
        let at = |seconds: u64| start + Duration::from_secs(seconds);
        // A paced hour-long apply: 3 steps a second, 10,800 steps.
        lines.restart(0, 10_800, start);
        lines.update("applying", 1_079, 10_800, at(359));
        lines.update("applying", 1_080, 10_800, at(360));
        lines.update("applying", 1_081, 10_800, at(361));
        lines.update("applying", 10_800, 10_800, at(3_600));
        assert_eq!(
            out.text(),
            "applying: 10% (1080/10800), 3.0/s, ETA 54m00s\n\
             applying: 100% (10800/10800), 3.0/s, took 1h00m\n"
        );
    }

    #[test]
    fn a_resumed_job_counts_its_earlier_work_in_the_position_not_the_rate() {
        let out = Shared::default();
        let mut lines = Lines::new(Box::new(out.clone()));
        let start = Instant::now();
        lines.restart(150, 300, start);
        lines.update("applying", 160, 300, start + Duration::from_secs(5));
        lines.update("applying", 180, 300, start + Duration::from_secs(15));
        assert_eq!(out.text(), "applying: 60% (180/300), 2.0/s, ETA 1m00s\n");
        assert_eq!(
            line_text("applying", 100, 300, 0, Duration::ZERO),
            "applying: 30% (100/300)"
        );
        assert_eq!(clock(Duration::from_millis(59_600)), "1m00s");
        assert_eq!(clock(Duration::from_secs(7_530)), "2h05m");
    }

    #[test]
    fn on_a_terminal_the_bar_shows_done_of_total_its_rate_and_eta() {
        let (mut progress, screen) = terminal();
        progress.start(4, "groups");
        progress.set(2);
        progress.finish();
        progress.finish();
        assert!(screen.text().contains("/s ETA "), "{screen:?}");
        let last = last_drawn(&screen);
        assert!(last.starts_with("groups [##"), "{last:?}");
        assert!(
            last.contains("] 2/4 in "),
            "stopped short, it says so: {last:?}"
        );
        // indicatif fills the line to the terminal's width, so what is
        // written next starts a line of its own.
        let drawn = screen.text();
        let tail = drawn.rsplit('\r').next().unwrap_or_default();
        assert_eq!(tail.chars().count(), 100, "{drawn:?}");
    }

    #[test]
    fn an_unknown_total_shows_a_count_until_the_total_is_known() {
        let (mut progress, screen) = terminal();
        progress.start(0, "users");
        progress.set(7);
        progress.finish();
        assert!(last_drawn(&screen).starts_with("users 7… "), "{screen:?}");
        progress.start(0, "users");
        progress.set_total(10);
        progress.set(10);
        progress.finish();
        assert!(last_drawn(&screen).contains("10/10"), "{screen:?}");
    }

    #[test]
    fn the_templates_parse() {
        for template in [BAR_TEMPLATE, COUNT_TEMPLATE, FINISHED_TEMPLATE] {
            assert!(ProgressStyle::with_template(template).is_ok(), "{template}");
        }
    }

    #[test]
    fn quiet_shows_nothing_and_has_nowhere_for_notes() {
        let mut progress = Progress::stderr(true);
        progress.start(500, "applying");
        progress.set(500);
        assert!(matches!(progress.notes(), Notes::Quiet));
    }
}
