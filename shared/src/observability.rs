//! Logging set-up shared by every function binary.

use tracing_subscriber::filter::LevelFilter;

/// Installs a JSON log subscriber at the level named by `RUST_LOG` (default `info`).
///
/// JSON because CloudWatch Logs Insights queries fields; no ANSI colours, no timestamps
/// (Lambda stamps every line already). A plain level rather than `EnvFilter` directives
/// keeps a regex engine out of every binary.
pub fn init() {
    let level =
        std::env::var("RUST_LOG").ok().and_then(|v| v.trim().parse::<LevelFilter>().ok()).unwrap_or(LevelFilter::INFO);
    let _ = tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .with_ansi(false)
        .without_time()
        .with_current_span(false)
        .try_init();
}
