//! Logging set-up shared by every function binary, and what may be logged.
//!
//! No log line carries message text, emails, tokens, passwords, phone numbers, session
//! topics, reasons or meeting links: log ids (user, session, connection, stream sequence
//! numbers), counts and kinds. Error messages built from data (serde's `invalid type:
//! string "..."`) pass through [`without_values`] first. `tests/logs.rs` drives
//! representative flows with a capturing subscriber and checks.
//!
//! Telemetry: [`crate::runtime::handle`] logs one line per request and times it
//! ([`metrics`]); [`aws_calls`] times every AWS call; [`scope`] carries the invocation's
//! request id, caller and AWS time between them.

pub mod aws_calls;
pub mod metrics;
pub mod scope;

use tracing_subscriber::filter::LevelFilter;

/// `message` with every quoted value (serde quotes strings in `"..."` and numbers,
/// characters and variants in backticks) replaced by `…`, keeping field names
/// (``field `topic` ``), which are ours, not data.
pub fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(['"', '`']) {
        let quote = rest[start..].chars().next().unwrap_or('"');
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        let inner = &after[1..];
        let Some(end) = inner.find(quote) else {
            // An unterminated quote: drop the rest rather than risk a value.
            out.push(quote);
            out.push('…');
            return out;
        };
        let keep = quote == '`' && before.trim_end().ends_with("field");
        out.push(quote);
        out.push_str(if keep { &inner[..end] } else { "…" });
        out.push(quote);
        rest = &inner[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Installs a JSON log subscriber at the level named by `RUST_LOG` (default `info`).
///
/// JSON because CloudWatch Logs Insights queries fields; no ANSI colours, no timestamps
/// (Lambda stamps every line already). A plain level rather than `EnvFilter` directives
/// keeps a regex engine out of every binary. Each line carries its innermost span only
/// (`span`: the invocation's, with `request_id`), not the whole list, to stay small.
pub fn init() {
    let level =
        std::env::var("RUST_LOG").ok().and_then(|v| v.trim().parse::<LevelFilter>().ok()).unwrap_or(LevelFilter::INFO);
    let _ = tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .with_ansi(false)
        .without_time()
        .with_current_span(true)
        .with_span_list(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::without_values;

    #[test]
    fn values_go_and_field_names_stay() {
        assert_eq!(
            without_values(r#"booking.topic: invalid type: string "Call me on +1 555 0100", expected a map"#),
            r#"booking.topic: invalid type: string "…", expected a map"#
        );
        assert_eq!(
            without_values("invalid value: integer `5550100`, expected u16"),
            "invalid value: integer `…`, expected u16"
        );
        assert_eq!(without_values("missing field `topic`"), "missing field `topic`");
        assert_eq!(
            without_values("unknown variant `ana@example.com`, expected `a`"),
            "unknown variant `…`, expected `…`"
        );
        assert_eq!(without_values(r#"cut "ana@exam"#), r#"cut "…"#);
        assert_eq!(without_values("plain"), "plain");
    }
}
