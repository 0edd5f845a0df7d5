//! What the run saw: latency by route, answers by status (expected or not), WebSocket
//! delivery, and the facts the invariants are checked against at the end.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Instant;

use serde_json::{Value, json};

/// Everything recorded, behind one lock (requests take milliseconds; the lock nanoseconds).
#[derive(Debug, Default)]
pub struct Recorder {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    latencies: BTreeMap<String, Vec<f64>>,
    statuses: BTreeMap<(String, u16, bool), u64>,
    journeys: BTreeMap<&'static str, (u64, f64)>,
    sent_at: HashMap<String, Instant>,
    delivery_ms: Vec<f64>,
    acked: Vec<Acked>,
    notifications: HashMap<String, HashMap<String, u32>>,
    requests: u64,
    unexpected: u64,
    /// The first body of each unexpected (route, status): what to look at.
    first_unexpected: BTreeMap<(String, u16), String>,
}

/// A message the server acknowledged as stored.
#[derive(Debug, Clone)]
pub struct Acked {
    /// Who sent it (member index).
    pub sender: usize,
    /// Its conversation.
    pub conversation: String,
    /// The client's id for the send.
    pub client_msg_id: String,
}

/// Percentile `q` of sorted `values`.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

impl Recorder {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        let mut inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut inner)
    }

    /// An unexpected answer's body, kept once per route and status for the report.
    pub fn unexpected_body(&self, route: &str, status: u16, body: &Value) {
        self.with(|i| {
            i.first_unexpected
                .entry((route.to_owned(), status))
                .or_insert_with(|| body.to_string().chars().take(300).collect());
        });
    }

    /// One HTTP answer: its route, time, status and whether that status was expected.
    pub fn answer(&self, route: &str, ms: f64, status: u16, expected: bool) {
        self.with(|i| {
            i.latencies.entry(route.to_owned()).or_default().push(ms);
            *i.statuses.entry((route.to_owned(), status, expected)).or_default() += 1;
            i.requests += 1;
            if !expected {
                i.unexpected += 1;
            }
        });
    }

    /// One finished journey and how long it took.
    pub fn journey(&self, name: &'static str, ms: f64) {
        self.with(|i| {
            let entry = i.journeys.entry(name).or_default();
            entry.0 += 1;
            entry.1 += ms;
        });
    }

    /// A chat message about to be sent.
    pub fn sending(&self, client_msg_id: &str) {
        self.with(|i| i.sent_at.insert(client_msg_id.to_owned(), Instant::now()));
    }

    /// A `message` frame reached the recipient.
    pub fn delivered(&self, client_msg_id: &str) {
        self.with(|i| {
            if let Some(at) = i.sent_at.get(client_msg_id) {
                let ms = at.elapsed().as_secs_f64() * 1000.0;
                i.delivery_ms.push(ms);
            }
        });
    }

    /// Milliseconds since `client_msg_id` was sent, if this run sent it.
    pub fn since_sent(&self, client_msg_id: &str) -> Option<f64> {
        self.with(|i| i.sent_at.get(client_msg_id).map(|at| at.elapsed().as_secs_f64() * 1000.0))
    }

    /// The sender's `ack`: the message is stored.
    pub fn acked(&self, acked: Acked) {
        self.with(|i| i.acked.push(acked));
    }

    /// A `notification` frame for `member`.
    pub fn notified(&self, member: &str, notification: &str) {
        self.with(|i| {
            *i.notifications.entry(member.to_owned()).or_default().entry(notification.to_owned()).or_default() += 1;
        });
    }

    /// Requests so far and how many had an unexpected answer.
    pub fn counts(&self) -> (u64, u64) {
        self.with(|i| (i.requests, i.unexpected))
    }

    /// The acknowledged messages.
    pub fn acked_messages(&self) -> Vec<Acked> {
        self.with(|i| i.acked.clone())
    }

    /// Notification frames received more than once by one member.
    pub fn duplicate_notifications(&self) -> Vec<String> {
        self.with(|i| {
            i.notifications
                .iter()
                .flat_map(|(member, seen)| {
                    seen.iter().filter(|(_, n)| **n > 1).map(move |(id, n)| format!("{member}: {id} x{n}"))
                })
                .collect()
        })
    }

    /// Notification frames received in all.
    pub fn notification_frames(&self) -> u64 {
        self.with(|i| i.notifications.values().flat_map(|m| m.values()).map(|n| u64::from(*n)).sum())
    }

    /// The report's lines: per route, per status, per journey, and chat delivery.
    pub fn lines(&self, seconds: f64) -> Vec<Value> {
        self.with(|i| {
            let mut out = Vec::new();
            for (route, values) in &i.latencies {
                let mut sorted = values.clone();
                sorted.sort_by(f64::total_cmp);
                out.push(json!({
                    "kind": "route", "route": route, "count": sorted.len(),
                    "per_second": round(sorted.len() as f64 / seconds),
                    "p50_ms": round(percentile(&sorted, 0.50)), "p95_ms": round(percentile(&sorted, 0.95)),
                    "p99_ms": round(percentile(&sorted, 0.99)),
                }));
            }
            for ((route, status, expected), count) in &i.statuses {
                if *status >= 300 {
                    let example = if *expected { None } else { i.first_unexpected.get(&(route.clone(), *status)) };
                    out.push(json!({"kind": "status", "route": route, "status": status, "expected": expected, "count": count, "example": example}));
                }
            }
            for (name, (count, ms)) in &i.journeys {
                out.push(json!({"kind": "journey", "journey": name, "count": count, "mean_ms": round(ms / *count as f64)}));
            }
            let mut delivery = i.delivery_ms.clone();
            delivery.sort_by(f64::total_cmp);
            out.push(json!({
                "kind": "websocket", "messages_delivered": delivery.len(),
                "delivery_p50_ms": round(percentile(&delivery, 0.5)), "delivery_p99_ms": round(percentile(&delivery, 0.99)),
            }));
            out
        })
    }
}

/// Two decimals are enough for a report.
pub fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let sorted: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&sorted, 0.5), 51.0);
        assert_eq!(percentile(&sorted, 0.99), 99.0);
        assert_eq!(percentile(&[], 0.99), 0.0);
    }

    #[test]
    fn unexpected_answers_are_counted_and_reported_by_status() {
        let recorder = Recorder::default();
        recorder.answer("POST /sessions", 12.0, 201, true);
        recorder.answer("POST /sessions", 9.0, 409, true);
        recorder.answer("GET /me", 3.0, 500, false);
        assert_eq!(recorder.counts(), (3, 1));
        let lines = recorder.lines(1.0);
        assert!(lines.iter().any(|l| l["kind"] == "status" && l["status"] == 500 && l["expected"] == false));
        assert!(!lines.iter().any(|l| l["kind"] == "status" && l["status"] == 201));
    }

    #[test]
    fn a_notification_seen_twice_is_a_duplicate() {
        let recorder = Recorder::default();
        recorder.notified("a", "n1");
        recorder.notified("a", "n2");
        recorder.notified("b", "n1");
        assert!(recorder.duplicate_notifications().is_empty());
        recorder.notified("a", "n1");
        assert_eq!(recorder.duplicate_notifications(), vec!["a: n1 x2".to_owned()]);
    }
}
