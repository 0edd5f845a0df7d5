//! Logging set-up shared by every function binary.

/// Installs a JSON log subscriber filtered by `RUST_LOG` (default `info`).
///
/// JSON because CloudWatch Logs Insights queries fields; no ANSI colours, no timestamps
/// (Lambda stamps every line already).
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_ansi(false)
        .without_time()
        .with_current_span(false)
        .try_init();
}
