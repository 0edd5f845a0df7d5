//! A one-line progress bar on stderr, redrawn in place on a terminal and printed every few
//! seconds otherwise (so logs of `make dev` stay readable).

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Bar width in characters.
const WIDTH: usize = 30;

/// Progress of one seeding run.
pub struct Progress {
    enabled: bool,
    terminal: bool,
    total: usize,
    started: Instant,
    last_draw: Option<Instant>,
}

impl Progress {
    /// A bar for `total` users; draws nothing unless `enabled`.
    pub fn new(enabled: bool, total: usize) -> Self {
        Self { enabled, terminal: std::io::stderr().is_terminal(), total, started: Instant::now(), last_draw: None }
    }

    fn line(&self, users: usize, items: usize) -> String {
        let fraction = if self.total == 0 { 1.0 } else { users as f64 / self.total as f64 };
        let filled = ((fraction * WIDTH as f64).round() as usize).min(WIDTH);
        let rate = items as f64 / self.started.elapsed().as_secs_f64().max(0.001);
        format!(
            "[{}{}] {:>3}% {users}/{} users · {items} items · {:.0} items/s",
            "#".repeat(filled),
            ".".repeat(WIDTH - filled),
            (fraction * 100.0).floor() as u32,
            self.total,
            rate
        )
    }

    /// Redraws at most ten times a second on a terminal, every five seconds elsewhere.
    pub fn update(&mut self, users: usize, items: usize) {
        if !self.enabled {
            return;
        }
        let every = if self.terminal { Duration::from_millis(100) } else { Duration::from_secs(5) };
        if self.last_draw.is_some_and(|at| at.elapsed() < every) {
            return;
        }
        self.last_draw = Some(Instant::now());
        let line = self.line(users, items);
        let mut err = std::io::stderr().lock();
        // A progress bar that cannot be drawn is no reason to stop seeding.
        let _ = if self.terminal { write!(err, "\r{line}") } else { writeln!(err, "{line}") };
        let _ = err.flush();
    }

    /// Draws the final state and ends the line.
    pub fn finish(&mut self, users: usize, items: usize) {
        if !self.enabled {
            return;
        }
        let line = self.line(users, items);
        let start = if self.terminal { "\r" } else { "" };
        eprintln!("{start}{line}");
    }

    /// Ends the line so an error message starts on its own.
    pub fn abandon(&mut self) {
        if self.enabled && self.terminal && self.last_draw.is_some() {
            eprintln!();
        }
    }
}
