//! Progress of long runs on stderr: a bar on a terminal, a plain line at a steady interval
//! elsewhere (Slurm logs, nohup, CI), so no long run is silent.

use std::io::IsTerminal;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// Seconds between progress lines when stderr is not a terminal, unless this variable says.
pub const INTERVAL_VARIABLE: &str = "LINLI_PROGRESS_SECONDS";
const DEFAULT_INTERVAL_SECONDS: f64 = 10.0;

/// Counts replicate-days done of a total that may grow (`inc_length`).
pub struct Progress {
    bar: ProgressBar,
    lines: Option<LineReporter>,
}

impl Progress {
    /// A progress report of replicate-days, labelled with what is running.
    pub fn new(label: &str, total: u64) -> Progress {
        Progress::counting(label, total, "replicate-days")
    }

    /// A progress report of `total` things called `unit`.
    pub fn counting(label: &str, total: u64, unit: &str) -> Progress {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(bar_style(label, unit));
            Progress { bar, lines: None }
        } else {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
            let lines = LineReporter::start(label, unit, bar.clone(), interval());
            Progress { bar, lines: Some(lines) }
        }
    }

    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
    }

    pub fn inc_length(&self, n: u64) {
        self.bar.inc_length(n);
    }

    /// A line of news above the bar (or among the progress lines).
    pub fn note(&self, text: &str) {
        if self.lines.is_some() { eprintln!("{text}") } else { self.bar.println(text) }
    }

    /// Clears the bar, or prints the closing line.
    pub fn finish(self) {
        self.bar.finish_and_clear();
        if let Some(lines) = self.lines {
            lines.stop();
        }
    }
}

fn interval() -> Duration {
    let seconds = std::env::var(INTERVAL_VARIABLE).ok().and_then(|s| s.parse::<f64>().ok());
    Duration::from_secs_f64(seconds.filter(|s| s.is_finite() && *s > 0.0).unwrap_or(DEFAULT_INTERVAL_SECONDS))
}

fn bar_style(label: &str, unit: &str) -> ProgressStyle {
    let template = format!("{{spinner}} {label} [{{bar:40}}] {{percent}}% {unit}, ETA {{steady_eta}}");
    ProgressStyle::with_template(&template)
        .expect("a valid template")
        .with_key("steady_eta", |state: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&eta(state.pos(), state.len().unwrap_or(0), state.elapsed()));
        })
        .progress_chars("=> ")
}

/// Time left at the average pace so far; "estimating" until there is a pace to go by (the
/// first seconds include building the worlds, so a rate from them would mislead).
fn eta(done: u64, total: u64, elapsed: Duration) -> String {
    if done == 0 || elapsed < Duration::from_secs(1) {
        return "estimating".to_string();
    }
    let left = total.saturating_sub(done) as f64 * elapsed.as_secs_f64() / done as f64;
    clock(Duration::from_secs_f64(left))
}

/// `1h 02m 03s`, `2m 03s` or `3s`.
fn clock(d: Duration) -> String {
    let s = d.as_secs_f64().round() as u64;
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, min, sec) => format!("{min}m {sec:02}s"),
        (h, min, sec) => format!("{h}h {min:02}m {sec:02}s"),
    }
}

fn line(label: &str, unit: &str, done: u64, total: u64, elapsed: Duration) -> String {
    let percent = if total == 0 { 0.0 } else { 100.0 * done as f64 / total as f64 };
    format!(
        "{label}: {done} of {total} {unit} ({percent:.1}%), elapsed {}, ETA {}",
        clock(elapsed),
        eta(done, total, elapsed)
    )
}

/// A thread that prints a progress line every interval until stopped.
struct LineReporter {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: JoinHandle<()>,
}

impl LineReporter {
    fn start(label: &str, unit: &str, bar: ProgressBar, every: Duration) -> LineReporter {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let (label, unit) = (label.to_string(), unit.to_string());
        let signal = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let (stopped, wake) = &*signal;
            let mut guard = stopped.lock().expect("progress lock");
            loop {
                // A total still unknown (compare adds each batch's days as it starts) says nothing.
                if bar.length().unwrap_or(0) > 0 {
                    eprintln!("{}", line(&label, &unit, bar.position(), bar.length().unwrap_or(0), bar.elapsed()));
                }
                guard = wake.wait_timeout(guard, every).expect("progress lock").0;
                if *guard {
                    break;
                }
            }
            eprintln!("{label}: done, {} {unit} in {}", bar.position(), clock(bar.elapsed()));
        });
        LineReporter { stop, thread }
    }

    fn stop(self) {
        let (stopped, wake) = &*self.stop;
        *stopped.lock().expect("progress lock") = true;
        wake.notify_all();
        let _ = self.thread.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_eta_waits_for_a_pace() {
        assert_eq!(eta(0, 100, Duration::from_secs(30)), "estimating");
        assert_eq!(eta(5, 100, Duration::from_millis(200)), "estimating");
        assert_eq!(eta(50, 100, Duration::from_secs(10)), "10s");
        assert_eq!(eta(25, 100, Duration::from_secs(60)), "3m 00s");
    }

    #[test]
    fn lines_say_elapsed_done_of_total_and_eta() {
        let text = line("simulating", "replicate-days", 300, 1200, Duration::from_secs(3725));
        assert_eq!(text, "simulating: 300 of 1200 replicate-days (25.0%), elapsed 1h 02m 05s, ETA 3h 06m 15s");
    }
}
