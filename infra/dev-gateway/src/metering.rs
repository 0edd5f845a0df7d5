//! Local metering: what each invocation would be billed on AWS, measured on the real code
//! paths. With metering on, every DynamoDB call made inside an invocation asks for
//! `ReturnConsumedCapacity` (added on the wire by the checking HTTP client, so no adapter
//! changes) and the units DynamoDB Local reports are added to that invocation; its handler
//! time is rounded up to the millisecond, as Lambda bills. `GET /_local/metrics` reads the
//! totals by function and action, `DELETE /_local/metrics` starts them again
//! (`make load` reads them to price a journey).
//!
//! DynamoDB charges a write transaction two units per item and KB, each item rounded up on
//! its own. DynamoDB Local reports a flat 2 units for any TransactWriteItems (measured: one
//! item, eight small items and two 900-byte items all report 2.0), which hid most of what
//! a booking costs, so a write transaction's units are counted from its request, item by
//! item (the larger of that and what DynamoDB Local reports). Its TransactGetItems report
//! is already two units per item, as DynamoDB bills it.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

tokio::task_local! {
    /// The invocation whose code is running in this task, while metering is on.
    static INVOCATION: Arc<Usage>;
}

/// Capacity used by one invocation, in thousandths of a unit (atomics: calls may overlap).
#[derive(Debug, Default)]
pub struct Usage {
    read_milli: AtomicU64,
    write_milli: AtomicU64,
    calls: AtomicU64,
    pushes: AtomicU64,
    publishes: AtomicU64,
}

impl Usage {
    /// Counts a call to a service billed per request: a WebSocket push (`execute-api`,
    /// a message API Gateway bills) or an SNS publish.
    pub fn count_call(&self, service: &str) {
        match service {
            "execute-api" => self.pushes.fetch_add(1, Ordering::Relaxed),
            "sns" => self.publishes.fetch_add(1, Ordering::Relaxed),
            _ => 0,
        };
    }

    fn add(&self, read: f64, write: f64) {
        self.read_milli.fetch_add(to_milli(read), Ordering::Relaxed);
        self.write_milli.fetch_add(to_milli(write), Ordering::Relaxed);
        self.calls.fetch_add(1, Ordering::Relaxed);
    }
}

fn to_milli(units: f64) -> u64 {
    if units.is_finite() && units > 0.0 { (units * 1000.0).round() as u64 } else { 0 }
}

/// The invocation running in this task, if it is metered.
pub fn current() -> Option<Arc<Usage>> {
    INVOCATION.try_with(Arc::clone).ok()
}

/// The DynamoDB operations that take `ReturnConsumedCapacity`, and whether they read or write.
pub fn operation_kind(operation: &str) -> Option<Side> {
    Some(match operation {
        "GetItem" | "Query" | "Scan" | "BatchGetItem" | "TransactGetItems" => Side::Read,
        "PutItem" | "UpdateItem" | "DeleteItem" | "BatchWriteItem" | "TransactWriteItems" => Side::Write,
        _ => return None,
    })
}

/// Which capacity a call uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Read capacity units.
    Read,
    /// Write capacity units.
    Write,
}

/// Asks for the call's consumed capacity (the table's and its indexes'), unless it already does.
pub fn ask_for_capacity(body: &mut Value) {
    if let Some(object) = body.as_object_mut() {
        object.entry("ReturnConsumedCapacity").or_insert_with(|| Value::from("INDEXES"));
    }
}

/// The units in a response's `ConsumedCapacity` (an object, or an array for batches and
/// transactions): `CapacityUnits` is the table's and its indexes' together.
pub fn consumed_units(response: &Value) -> f64 {
    let one = |c: &Value| c["CapacityUnits"].as_f64().unwrap_or(0.0);
    match &response["ConsumedCapacity"] {
        Value::Array(items) => items.iter().map(one).sum(),
        object @ Value::Object(_) => one(object),
        _ => 0.0,
    }
}

/// Records what a DynamoDB call of `operation` (sent as `request`) used, for the
/// invocation running.
pub fn record(usage: &Usage, operation: &str, request: &Value, response: &Value) {
    let Some(side) = operation_kind(operation) else { return };
    let mut units = consumed_units(response);
    if operation == "TransactWriteItems" {
        units = units.max(transaction_write_units(request));
    }
    match side {
        Side::Read => usage.add(units, 0.0),
        Side::Write => usage.add(0.0, units),
    }
}

/// What DynamoDB bills a TransactWriteItems request: two units per KB of each item, rounded
/// up per item. A put's size is its item's; an update, delete or condition check is
/// counted by what the request carries (its key and values), at least one KB, since the
/// stored item's size is not in the request: a lower bound for items over 1 KB.
pub fn transaction_write_units(request: &Value) -> f64 {
    let size = |item: &Value| -> usize {
        if let Some(put) = item.get("Put") {
            return item_size(&put["Item"]);
        }
        ["Update", "Delete", "ConditionCheck"]
            .iter()
            .find_map(|kind| item.get(*kind))
            .map_or(0, |op| item_size(&op["Key"]) + item_size(&op["ExpressionAttributeValues"]))
    };
    let items = request["TransactItems"].as_array().into_iter().flatten();
    items.map(|item| 2.0 * size(item).div_ceil(1024).max(1) as f64).sum()
}

/// An item's size as DynamoDB counts it: each attribute's name and value.
fn item_size(item: &Value) -> usize {
    item.as_object().map_or(0, |attributes| attributes.iter().map(|(name, value)| name.len() + value_size(value)).sum())
}

/// A typed DynamoDB JSON value's size: strings and binaries by their bytes, numbers by
/// digits, documents by their parts plus a few bytes of overhead.
fn value_size(value: &Value) -> usize {
    let Some((kind, inner)) = value.as_object().and_then(|typed| typed.iter().next()) else { return 0 };
    let text = || inner.as_str().unwrap_or_default();
    match kind.as_str() {
        "S" => text().len(),
        "N" => text().trim_start_matches('-').len().div_ceil(2) + 1,
        // Base64 on the wire.
        "B" => text().len() * 3 / 4,
        "BOOL" | "NULL" => 1,
        "SS" | "NS" | "BS" => {
            inner.as_array().map_or(0, |set| set.iter().map(|v| v.as_str().map_or(0, str::len)).sum())
        }
        "L" => 3 + inner.as_array().map_or(0, |list| list.iter().map(|v| 1 + value_size(v)).sum::<usize>()),
        "M" => {
            3 + inner.as_object().map_or(0, |map| map.iter().map(|(k, v)| 1 + k.len() + value_size(v)).sum::<usize>())
        }
        _ => 0,
    }
}

/// Totals for one function and action.
#[derive(Debug, Default)]
struct Totals {
    /// Handler time of each invocation, in microseconds.
    durations: Vec<u32>,
    billed_ms: u64,
    read_milli: u64,
    write_milli: u64,
    calls: u64,
    pushes: u64,
    publishes: u64,
}

/// One row of `GET /_local/metrics`.
#[derive(Debug, Serialize)]
pub struct Row {
    /// The function.
    pub function: String,
    /// The route key, WebSocket route, `stream` or `schedule`.
    pub action: String,
    /// How many times it ran.
    pub invocations: u64,
    /// Median handler time, ms.
    pub duration_ms_p50: f64,
    /// 99th percentile handler time, ms.
    pub duration_ms_p99: f64,
    /// Handler time rounded up to the millisecond per invocation, summed (Lambda's billing).
    pub billed_ms: u64,
    /// Read capacity units (transactions doubled).
    pub read_units: f64,
    /// Write capacity units (transactions doubled).
    pub write_units: f64,
    /// DynamoDB calls made.
    pub dynamodb_calls: u64,
    /// Frames pushed to WebSocket connections (each a message API Gateway bills).
    pub websocket_pushes: u64,
    /// SNS publishes.
    pub sns_publishes: u64,
}

/// The totals of every metered invocation, by function and action.
#[derive(Debug, Default)]
pub struct Meter {
    enabled: bool,
    totals: Mutex<BTreeMap<(String, String), Totals>>,
}

impl Meter {
    /// A meter that records (`on`) or passes invocations through untouched.
    pub fn new(on: bool) -> Self {
        Self { enabled: on, totals: Mutex::default() }
    }

    /// Whether invocations are metered.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Runs one invocation of `function` for `action`, metered when the meter is on.
    pub async fn run<F: Future>(&self, function: &str, action: &str, invocation: F) -> F::Output {
        if !self.enabled {
            return invocation.await;
        }
        let usage = Arc::new(Usage::default());
        let started = Instant::now();
        let output = INVOCATION.scope(Arc::clone(&usage), invocation).await;
        self.add(function, action, started.elapsed(), &usage);
        output
    }

    fn add(&self, function: &str, action: &str, took: Duration, usage: &Usage) {
        let Ok(mut totals) = self.totals.lock() else { return };
        let row = totals.entry((function.to_owned(), action.to_owned())).or_default();
        let micros = u32::try_from(took.as_micros()).unwrap_or(u32::MAX);
        row.durations.push(micros);
        row.billed_ms += u64::from(micros.div_ceil(1000).max(1));
        row.read_milli += usage.read_milli.load(Ordering::Relaxed);
        row.write_milli += usage.write_milli.load(Ordering::Relaxed);
        row.calls += usage.calls.load(Ordering::Relaxed);
        row.pushes += usage.pushes.load(Ordering::Relaxed);
        row.publishes += usage.publishes.load(Ordering::Relaxed);
    }

    /// Every function and action seen since the last reset.
    pub fn rows(&self) -> Vec<Row> {
        let Ok(totals) = self.totals.lock() else { return Vec::new() };
        totals
            .iter()
            .map(|((function, action), t)| {
                let mut sorted = t.durations.clone();
                sorted.sort_unstable();
                let at = |q: f64| {
                    let index = ((sorted.len() as f64 - 1.0) * q).round() as usize;
                    sorted.get(index).map_or(0.0, |&us| f64::from(us) / 1000.0)
                };
                Row {
                    function: function.clone(),
                    action: action.clone(),
                    invocations: t.durations.len() as u64,
                    duration_ms_p50: at(0.5),
                    duration_ms_p99: at(0.99),
                    billed_ms: t.billed_ms,
                    read_units: t.read_milli as f64 / 1000.0,
                    write_units: t.write_milli as f64 / 1000.0,
                    dynamodb_calls: t.calls,
                    websocket_pushes: t.pushes,
                    sns_publishes: t.publishes,
                }
            })
            .collect()
    }

    /// Forgets every total.
    pub fn reset(&self) {
        if let Ok(mut totals) = self.totals.lock() {
            totals.clear();
        }
    }
}

/// The action an event-driven invocation serves: its WebSocket route, `stream` or `schedule`.
pub fn event_action(event: &Value) -> String {
    if let Some(route) = event["requestContext"]["routeKey"].as_str() {
        return route.to_owned();
    }
    if event["Records"].is_array() {
        return "stream".into();
    }
    if event["detail-type"].as_str() == Some("Scheduled Event") {
        return "schedule".into();
    }
    "event".into()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn units_are_read_from_objects_and_arrays() {
        let usage = Usage::default();
        let none = json!({});
        record(&usage, "GetItem", &none, &json!({"ConsumedCapacity": {"TableName": "t", "CapacityUnits": 0.5}}));
        record(&usage, "TransactGetItems", &none, &json!({"ConsumedCapacity": [{"CapacityUnits": 16.0}]}));
        record(
            &usage,
            "BatchWriteItem",
            &none,
            &json!({"ConsumedCapacity": [{"CapacityUnits": 2.0}, {"CapacityUnits": 1.0}]}),
        );
        record(&usage, "DescribeTable", &none, &json!({"ConsumedCapacity": {"CapacityUnits": 9.0}}));
        assert_eq!(usage.read_milli.load(Ordering::Relaxed), 16_500);
        assert_eq!(usage.write_milli.load(Ordering::Relaxed), 3000);
        assert_eq!(usage.calls.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn a_write_transaction_costs_two_units_per_item_and_started_kb_whatever_dynamodb_local_says() {
        let small = |i: usize| json!({"Put": {"TableName": "t", "Item": {"PK": {"S": format!("LOCK#{i}")}, "SK": {"S": "2026-12-01T10:00:00Z"}}}});
        let eight = json!({"TransactItems": (0..8).map(small).collect::<Vec<_>>()});
        assert_eq!(transaction_write_units(&eight), 16.0);
        // A 1,500-byte card is two KB: four units; an update is at least one KB.
        let card =
            json!({"Put": {"TableName": "t", "Item": {"PK": {"S": "SKILL#rust"}, "card": {"S": "x".repeat(1500)}}}});
        let update = json!({"Update": {"TableName": "t", "Key": {"PK": {"S": "USER#1"}, "SK": {"S": "PROFILE"}},
            "UpdateExpression": "SET n = :n", "ExpressionAttributeValues": {":n": {"N": "12345"}}}});
        let delete = json!({"Delete": {"TableName": "t", "Key": {"PK": {"S": "LOCK#1"}, "SK": {"S": "x"}}}});
        assert_eq!(transaction_write_units(&json!({"TransactItems": [card, update, delete]})), 4.0 + 2.0 + 2.0);
        // DynamoDB Local's flat 2.0 is not taken at its word.
        let usage = Usage::default();
        record(&usage, "TransactWriteItems", &eight, &json!({"ConsumedCapacity": [{"CapacityUnits": 2.0}]}));
        assert_eq!(usage.write_milli.load(Ordering::Relaxed), 16_000);
    }

    #[test]
    fn item_sizes_count_names_and_values() {
        let item = json!({"PK": {"S": "ab"}, "n": {"N": "-1234"}, "ok": {"BOOL": true},
            "l": {"L": [{"S": "xyz"}]}, "m": {"M": {"k": {"S": "v"}}}});
        // PK 2+2, n 1+3, ok 2+1, l 1+(3+1+3), m 1+(3+1+1+1)
        assert_eq!(item_size(&item), 4 + 4 + 3 + 8 + 7);
    }

    #[test]
    fn a_call_that_asks_already_keeps_its_own_setting() {
        let mut body = json!({"TableName": "t", "ReturnConsumedCapacity": "TOTAL"});
        ask_for_capacity(&mut body);
        assert_eq!(body["ReturnConsumedCapacity"], "TOTAL");
        let mut body = json!({"TableName": "t"});
        ask_for_capacity(&mut body);
        assert_eq!(body["ReturnConsumedCapacity"], "INDEXES");
    }

    #[tokio::test]
    async fn invocations_are_billed_by_the_started_millisecond_and_reset() {
        let meter = Meter::new(true);
        meter.run("book", "POST /sessions", async { current().unwrap().add(1.0, 4.0) }).await;
        meter.run("book", "POST /sessions", async {}).await;
        let rows = meter.rows();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].invocations, 2);
        assert_eq!(rows[0].billed_ms, 2, "a sub-millisecond run bills one ms");
        assert_eq!((rows[0].read_units, rows[0].write_units), (1.0, 4.0));
        meter.reset();
        assert!(meter.rows().is_empty());
        assert!(Meter::new(false).run("f", "a", async { current().is_none() }).await);
    }

    #[test]
    fn event_actions_are_named_by_kind() {
        assert_eq!(event_action(&json!({"requestContext": {"routeKey": "sendMessage"}})), "sendMessage");
        assert_eq!(event_action(&json!({"Records": []})), "stream");
        assert_eq!(event_action(&json!({"detail-type": "Scheduled Event"})), "schedule");
    }
}
