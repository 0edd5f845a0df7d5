//! `make cost`: turns the figures of the last `make load` run into dollars on AWS on-demand
//! prices ([`crate::pricing`]): what each action costs, which single action dominates, and
//! the cost per 1,000 sessions booked and held, per 1,000 chat messages and per 1,000
//! monthly active members.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::pricing as p;

/// What one call of an action costs, by part.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CallCost {
    /// Lambda requests and GB-seconds.
    pub lambda: f64,
    /// DynamoDB read and write units.
    pub dynamodb: f64,
    /// API Gateway requests, WebSocket messages (the call's own and its pushes) and SNS publishes.
    pub gateway: f64,
}

impl CallCost {
    /// All parts together.
    pub fn total(&self) -> f64 {
        self.lambda + self.dynamodb + self.gateway
    }
}

/// The cost of one call of a metered action (`action` line of the load report) for a
/// function with `memory_mb`.
pub fn call_cost(line: &Value, memory_mb: u64) -> CallCost {
    let number = |key: &str| line[key].as_f64().unwrap_or(0.0);
    let action = line["action"].as_str().unwrap_or_default();
    let gb_seconds = number("billed_ms_per_call") / 1000.0 * memory_mb as f64 / 1024.0;
    let lambda = p::LAMBDA_REQUEST + gb_seconds * p::LAMBDA_ARM_GB_SECOND;
    let dynamodb =
        number("read_units_per_call") * p::DYNAMODB_READ_UNIT + number("write_units_per_call") * p::DYNAMODB_WRITE_UNIT;
    // The call itself: an HTTP request, a WebSocket message, or nothing (stream, schedule).
    let own = if action.contains(' ') {
        p::HTTP_API_REQUEST
    } else if matches!(action, "stream" | "schedule" | "event") {
        0.0
    } else {
        p::WEBSOCKET_MESSAGE
    };
    let gateway = own
        + number("websocket_pushes_per_call") * p::WEBSOCKET_MESSAGE
        + number("sns_publishes_per_call") * p::SNS_PUBLISH;
    CallCost { lambda, dynamodb, gateway }
}

/// Which business area an action belongs to (the cost table's rows).
pub fn area(function: &str, action: &str) -> &'static str {
    match (function, action) {
        ("send-message" | "ws-connect" | "ws-disconnect" | "conversations", _) => "chat",
        ("book" | "matching" | "review" | "reminders" | "payments" | "stripe-webhook", _) => "sessions",
        ("profile", "GET /users/{id}") => "sessions",
        ("deliver" | "notifications", _) => "notifications",
        ("award-points" | "points" | "leaderboard" | "leaderboard-job", _) => "points",
        _ => "accounts",
    }
}

/// A monthly active member, as the per-member figure assumes it (the load's members are far
/// busier than people are): a month of use in calls of each action the load measured.
pub const MONTHLY_MEMBER: &[(&str, f64)] = &[
    ("POST /auth/login", 4.0),
    ("POST /auth/refresh", 40.0),
    ("$connect", 40.0),
    ("GET /match", 6.0),
    ("GET /mentors", 12.0),
    ("GET /users/{id}", 12.0),
    ("GET /mentors/{id}/reviews", 6.0),
    ("POST /sessions", 2.0),
    ("POST /sessions/{id}/accept", 2.0),
    ("GET /sessions", 20.0),
    ("sendMessage", 30.0),
    ("markRead", 30.0),
    ("GET /conversations", 10.0),
    ("GET /conversations/{id}/messages", 10.0),
    ("GET /notifications", 30.0),
    ("POST /notifications/read-all", 10.0),
    ("GET /me/points", 8.0),
    ("GET /me/badges", 8.0),
    ("GET /leaderboards/{kind}", 8.0),
];

/// Learners per mentor when pricing a catalogue of a given size.
pub const LEARNERS_PER_MENTOR: f64 = 10.0;

/// Connection minutes a monthly active member holds open.
pub const MONTHLY_CONNECTION_MINUTES: f64 = 240.0;

/// The cost report, as text.
pub fn report(lines: &[Value], memory_mb: &BTreeMap<String, u64>) -> Result<String, String> {
    let actions: Vec<&Value> = lines.iter().filter(|l| l["kind"] == "action").collect();
    if actions.is_empty() {
        return Err("the load report has no metered actions: run `make load` first".into());
    }
    let run = lines.iter().find(|l| l["kind"] == "run").cloned().unwrap_or(Value::Null);
    let mut out = String::new();
    let mut push = |line: String| {
        out.push_str(&line);
        out.push('\n');
    };
    push(format!(
        "Cost on AWS on-demand prices (us-east-1, read {}), from the load run of {} members for {} s:",
        p::READ_ON,
        run["members"],
        run["seconds"]
    ));
    push(String::new());
    push(format!(
        "{:<16} {:<36} {:>9} {:>8} {:>8} {:>9} {:>12} {:>12}",
        "function", "action", "calls", "RRU", "WRU", "billed ms", "$ per 1,000", "$ in run"
    ));
    let mut by_area: BTreeMap<&str, f64> = BTreeMap::new();
    let mut per_action: BTreeMap<String, f64> = BTreeMap::new();
    let mut biggest: Option<(String, f64, CallCost)> = None;
    for line in &actions {
        let function = line["function"].as_str().unwrap_or_default();
        let action = line["action"].as_str().unwrap_or_default();
        let calls = line["invocations"].as_f64().unwrap_or(0.0);
        let cost = call_cost(line, memory_mb.get(function).copied().unwrap_or(128));
        let in_run = cost.total() * calls;
        *by_area.entry(area(function, action)).or_default() += in_run;
        *per_action.entry(action.to_owned()).or_default() += cost.total();
        if biggest.as_ref().is_none_or(|(_, total, _)| in_run > *total) {
            biggest = Some((format!("{function} {action}"), in_run, cost));
        }
        push(format!(
            "{:<16} {:<36} {:>9} {:>8} {:>8} {:>9} {:>12.4} {:>12.6}",
            function,
            action,
            calls,
            line["read_units_per_call"],
            line["write_units_per_call"],
            line["billed_ms_per_call"],
            cost.total() * 1000.0,
            in_run
        ));
    }
    let total: f64 = by_area.values().sum();
    push(String::new());
    for (name, cost) in &by_area {
        push(format!("  {name:<14} ${cost:.6} in the run ({:.0} %)", 100.0 * cost / total.max(f64::MIN_POSITIVE)));
    }
    if let Some((name, cost, parts)) = &biggest {
        let (part, share) =
            [("Lambda", parts.lambda), ("DynamoDB", parts.dynamodb), ("API Gateway and SNS", parts.gateway)]
                .into_iter()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or(("?", 0.0));
        push(format!(
            "  dominant action: {name}, ${cost:.6} of ${total:.6} ({:.0} %); per call mostly {part} ({:.0} % of it)",
            100.0 * cost / total.max(f64::MIN_POSITIVE),
            100.0 * share / parts.total().max(f64::MIN_POSITIVE)
        ));
    }

    // Per business unit: the run's area totals over what the run achieved.
    let route = |name: &str| -> f64 {
        lines
            .iter()
            .filter(|l| l["kind"] == "route" && l["route"] == name)
            .map(|l| l["count"].as_f64().unwrap_or(0.0))
            .sum()
    };
    let booked = (route("POST /sessions/{id}/accept")).max(1.0);
    let messages = route("WS sendMessage").max(1.0);
    let sessions_cost = by_area.get("sessions").copied().unwrap_or(0.0)
        + by_area.get("notifications").copied().unwrap_or(0.0)
        + by_area.get("points").copied().unwrap_or(0.0);
    let chat_cost = by_area.get("chat").copied().unwrap_or(0.0);
    let member_month: f64 =
        MONTHLY_MEMBER.iter().map(|(action, n)| n * per_action.get(*action).copied().unwrap_or(0.0)).sum::<f64>()
            + MONTHLY_CONNECTION_MINUTES * p::WEBSOCKET_CONNECTION_MINUTE;
    push(String::new());
    push(format!("{:<76} {:>10}", "unit", "USD"));
    push(format!(
        "{:<76} {:>10.4}",
        "per 1,000 sessions booked and held (with their notifications and points)",
        1000.0 * sessions_cost / booked
    ));
    push(format!(
        "{:<76} {:>10.4}",
        "per 1,000 chat messages (send, store, push, receipts)",
        1000.0 * chat_cost / messages
    ));
    push(format!(
        "{:<76} {:>10.4}",
        "per 1,000 monthly active members (the MONTHLY_MEMBER month of calls)",
        1000.0 * member_month
    ));

    // Storage grows with the catalogue; requests do not (searches and matches read pages).
    if let Some(table) = lines.iter().find(|l| l["kind"] == "table") {
        let users = table["users"].as_f64().unwrap_or(0.0).max(1.0);
        let per_user = table["bytes"].as_f64().unwrap_or(0.0) / users;
        push(String::new());
        push(format!(
            "storage: {per_user:.0} bytes per seeded member (items and indexes as DynamoDB Local counts them)"
        ));
        for mentors in [10_000.0, 100_000.0] {
            let members = mentors * (1.0 + LEARNERS_PER_MENTOR);
            let gb = members * per_user / 1e9;
            push(format!(
                "  {mentors:>7} mentors, {:>9} learners: {gb:.2} GB, ${:.2} a month (first 25 GB free: ${:.2})",
                mentors * LEARNERS_PER_MENTOR,
                gb * p::DYNAMODB_GB_MONTH,
                (gb - 25.0).max(0.0) * p::DYNAMODB_GB_MONTH
            ));
        }
    }
    Ok(out)
}

/// Reads a load report (JSON lines).
pub fn read(path: &Path) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e} (run `make load` first)", path.display()))?;
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).map_err(|e| e.to_string())).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_call_is_priced_by_its_units_its_billed_time_and_its_messages() {
        let line = json!({
            "function": "book", "action": "POST /sessions", "invocations": 10,
            "read_units_per_call": 4.0, "write_units_per_call": 8.0, "billed_ms_per_call": 20.0,
            "websocket_pushes_per_call": 0.0, "sns_publishes_per_call": 0.0,
        });
        let cost = call_cost(&line, 1024);
        let lambda = 0.20 / 1e6 + 0.02 * 0.000_013_333_4;
        assert!((cost.lambda - lambda).abs() < 1e-15);
        assert!((cost.dynamodb - (4.0 * 0.125 + 8.0 * 0.625) / 1e6).abs() < 1e-15);
        assert!((cost.gateway - 1.0 / 1e6).abs() < 1e-15);
        // A stream invocation has no API request of its own; pushes are messages.
        let stream = json!({"function": "deliver", "action": "stream", "billed_ms_per_call": 1.0, "websocket_pushes_per_call": 2.0});
        assert!((call_cost(&stream, 128).gateway - 2.0 / 1e6).abs() < 1e-15);
    }

    #[test]
    fn the_report_names_the_dominant_action_and_the_units() {
        let lines = vec![
            json!({"kind": "run", "members": 2, "seconds": 10}),
            json!({"kind": "route", "route": "POST /sessions/{id}/accept", "count": 2}),
            json!({"kind": "route", "route": "WS sendMessage", "count": 4}),
            json!({"kind": "action", "function": "book", "action": "POST /sessions", "invocations": 2, "read_units_per_call": 10.0, "write_units_per_call": 20.0, "billed_ms_per_call": 5.0}),
            json!({"kind": "action", "function": "send-message", "action": "sendMessage", "invocations": 4, "read_units_per_call": 1.0, "write_units_per_call": 4.0, "billed_ms_per_call": 3.0}),
        ];
        let text = report(&lines, &BTreeMap::new()).unwrap();
        assert!(text.contains("dominant action: book POST /sessions"), "{text}");
        assert!(text.contains("per 1,000 sessions booked and held"));
        assert!(report(&[], &BTreeMap::new()).is_err());
    }
}
