//! CloudWatch metrics in the embedded metric format (EMF): one JSON object per line on
//! stdout, which CloudWatch Logs turns into metrics; no agent, no API call, no client.
//!
//! Dimensions stay low-cardinality: the function, and for latency the route template
//! (`POST /sessions/{id}/review`), never ids. Lines carry names and numbers only.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::domain::SessionState;

/// The CloudWatch namespace of every metric.
pub const NAMESPACE: &str = "Peerlearn";
/// An account was created.
pub const REGISTRATIONS: &str = "Registrations";
/// A chat message was stored (retries of the same client message id do not count).
pub const MESSAGES_SENT: &str = "MessagesSent";
/// A points occurrence was recorded (a replayed one does not count).
pub const POINTS_AWARDED: &str = "PointsAwarded";
/// A leaderboard was closed for its period (a rerun does not count).
pub const BOARDS_CLOSED: &str = "BoardsClosed";
/// A learner's bank disputed a session's payment (template.yaml alarms on it).
pub const DISPUTES_OPENED: &str = "DisputesOpened";
/// Time from the start of an HTTP invocation to its response, per function and route.
pub const LATENCY: &str = "Latency";

/// A metric's unit, as CloudWatch names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A number of events.
    Count,
    /// A duration.
    Milliseconds,
}

impl Unit {
    const fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
        }
    }
}

type Sink = Box<dyn Fn(&str) + Send + Sync>;

/// Where lines go instead of stdout, once set (tests capture them).
static SINK: OnceLock<Sink> = OnceLock::new();

/// Sends every metric line of this process to `sink` instead of stdout. Returns false if
/// a sink was set already (it stays).
pub fn capture(sink: impl Fn(&str) + Send + Sync + 'static) -> bool {
    SINK.set(Box::new(sink)).is_ok()
}

/// One business event of the current function, counted at `at`.
pub fn count(at: DateTime<Utc>, name: &str) {
    emit(at, &[("Function", super::scope::function())], &[(name, Unit::Count, 1)]);
}

/// A session entered `to` from `from` (`None`: it was just requested). Counted as
/// `Sessions<State>` (`SessionsRequested`, `SessionsAccepted`, `SessionsCompleted`, …);
/// a move that leaves the state as it was counts nothing.
pub fn session_moved(at: DateTime<Utc>, from: Option<SessionState>, to: SessionState) {
    if from != Some(to) {
        count(at, session_metric(to));
    }
}

/// The metric counting sessions entering `state`.
pub const fn session_metric(state: SessionState) -> &'static str {
    match state {
        SessionState::Requested => "SessionsRequested",
        SessionState::Accepted => "SessionsAccepted",
        SessionState::Confirmed => "SessionsConfirmed",
        SessionState::Completed => "SessionsCompleted",
        SessionState::Cancelled => "SessionsCancelled",
        SessionState::NoShow => "SessionsNoShow",
        SessionState::Rejected => "SessionsRejected",
        SessionState::Expired => "SessionsExpired",
    }
}

/// The latency of one HTTP request to `function` on `route` (the route template).
pub fn latency(at: DateTime<Utc>, function: &str, route: &str, ms: u64) {
    emit(at, &[("Function", function), ("Route", route)], &[(LATENCY, Unit::Milliseconds, ms)]);
}

/// Writes one EMF line: `metrics` under one dimension set made of every key of `dimensions`.
///
/// Without a sink, lines go to stdout only inside Lambda (`AWS_LAMBDA_FUNCTION_NAME` set),
/// where CloudWatch Logs reads them; elsewhere (tests, the local stack) nothing reads them,
/// so they are not even rendered.
pub fn emit(at: DateTime<Utc>, dimensions: &[(&str, &str)], metrics: &[(&str, Unit, u64)]) {
    match SINK.get() {
        Some(sink) => sink(&render(at, dimensions, metrics)),
        // Under stdout's lock, so lines from the log subscriber never interleave with it.
        None if in_lambda() => println!("{}", render(at, dimensions, metrics)),
        None => {}
    }
}

/// Whether this process runs in Lambda, read once.
fn in_lambda() -> bool {
    static IN_LAMBDA: OnceLock<bool> = OnceLock::new();
    *IN_LAMBDA.get_or_init(|| std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some())
}

fn render(at: DateTime<Utc>, dimensions: &[(&str, &str)], metrics: &[(&str, Unit, u64)]) -> String {
    let keys: Vec<&str> = dimensions.iter().map(|(key, _)| *key).collect();
    let definitions: Vec<Value> =
        metrics.iter().map(|(name, unit, _)| json!({"Name": name, "Unit": unit.as_str()})).collect();
    let mut root = Map::new();
    root.insert(
        "_aws".into(),
        json!({
            "Timestamp": at.timestamp_millis(),
            "CloudWatchMetrics": [{"Namespace": NAMESPACE, "Dimensions": [keys], "Metrics": definitions}],
        }),
    );
    for (key, value) in dimensions {
        root.insert((*key).to_owned(), Value::String((*value).to_owned()));
    }
    for (name, _, value) in metrics {
        root.insert((*name).to_owned(), Value::from(*value));
    }
    Value::Object(root).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_one_emf_document() {
        let at = DateTime::from_timestamp_millis(1_781_082_000_123).unwrap_or_default();
        let line = render(at, &[("Function", "register")], &[(REGISTRATIONS, Unit::Count, 1)]);
        let parsed: Value = serde_json::from_str(&line).unwrap_or_default();
        assert_eq!(
            parsed,
            json!({
                "_aws": {"Timestamp": 1_781_082_000_123_i64, "CloudWatchMetrics": [{
                    "Namespace": "Peerlearn",
                    "Dimensions": [["Function"]],
                    "Metrics": [{"Name": "Registrations", "Unit": "Count"}],
                }]},
                "Function": "register",
                "Registrations": 1,
            })
        );
        assert!(!line.contains('\n'));
    }

    #[test]
    fn latency_is_per_function_and_route_in_milliseconds() {
        let at = DateTime::UNIX_EPOCH;
        let line = render(
            at,
            &[("Function", "review"), ("Route", "POST /sessions/{id}/review")],
            &[(LATENCY, Unit::Milliseconds, 12)],
        );
        let parsed: Value = serde_json::from_str(&line).unwrap_or_default();
        assert_eq!(parsed["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json!([["Function", "Route"]]));
        assert_eq!(parsed["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"], "Milliseconds");
        assert_eq!(parsed["Route"], "POST /sessions/{id}/review");
        assert_eq!(parsed["Latency"], 12);
    }

    #[test]
    fn every_state_has_its_own_metric() {
        use SessionState::*;
        let all = [Requested, Accepted, Confirmed, Completed, Cancelled, NoShow, Rejected, Expired];
        let names: std::collections::HashSet<_> = all.iter().map(|s| session_metric(*s)).collect();
        assert_eq!(names.len(), all.len());
    }
}
