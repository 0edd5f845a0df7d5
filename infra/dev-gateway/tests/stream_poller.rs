//! The stream poller against DynamoDB Local (`infra/stack.sh run -- cargo test -p dev-gateway
//! --test stream_poller`): records written to a fresh table reach the subscribed functions,
//! filtered and shaped as Lambda would deliver them.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_lambda_events::event::dynamodb::Event;
use aws_sdk_dynamodb::types::AttributeValue;
use dev_gateway::stream::{StreamPoller, local_streams_client};
use dev_gateway::template::StreamSubscription;
use dev_gateway::{Template, local, table};
use serde_json::{Value, json};

/// How long records may take to show up in the stream before the test gives up.
const PATIENCE: Duration = Duration::from_secs(15);

type Calls = Arc<Mutex<Vec<(String, Value)>>>;

fn endpoint() -> String {
    std::env::var("DYNAMODB_ENDPOINT")
        .expect("DYNAMODB_ENDPOINT is not set: run through infra/stack.sh run, which starts DynamoDB Local")
}

/// A fresh table created from template.yaml, and a client for it.
async fn fresh_table() -> (aws_sdk_dynamodb::Client, String) {
    let template = Template::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml")).unwrap();
    let client = local::dynamo_client(&endpoint());
    let name = format!("stream-{}", ulid::Ulid::new());
    assert!(table::ensure_table(&client, &template, &name).await.unwrap());
    (client, name)
}

async fn put(client: &aws_sdk_dynamodb::Client, table: &str, sk: &str, entity: &str) {
    client
        .put_item()
        .table_name(table)
        .item("PK", AttributeValue::S("USER#1".into()))
        .item("SK", AttributeValue::S(sk.into()))
        .item("entity", AttributeValue::S(entity.into()))
        .item("message", AttributeValue::S(format!("{entity} {sk}")))
        .item("unread", AttributeValue::N("1".into()))
        .send()
        .await
        .unwrap();
}

fn subscription(name: &str, function: &str, patterns: Vec<Value>) -> StreamSubscription {
    StreamSubscription {
        name: name.into(),
        function: function.into(),
        batch_size: 100,
        max_retries: None,
        report_failures: true,
        patterns,
    }
}

/// The notification filter from the brief: inserts of `entity = Notification` only.
fn notifications() -> StreamSubscription {
    subscription(
        "Notifications",
        "notify",
        vec![json!({"eventName": ["INSERT"], "dynamodb": {"NewImage": {"entity": {"S": ["Notification"]}}}})],
    )
}

/// Records every invocation and answers with an empty partial-failure response (success).
fn recorder(calls: &Calls) -> impl Fn(String, Value) -> std::future::Ready<Result<Value, String>> {
    let calls = calls.clone();
    move |function, event| {
        calls.lock().unwrap().push((function, event));
        std::future::ready(Ok(json!({"batchItemFailures": []})))
    }
}

/// The records each function received, in order.
fn records_for(calls: &Calls, function: &str) -> Vec<Value> {
    let calls = calls.lock().unwrap();
    calls
        .iter()
        .filter(|(name, _)| name == function)
        .flat_map(|(_, event)| event["Records"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// Polls until `done` holds, or panics after [`PATIENCE`]; returns how long it took.
async fn poll_until(
    poller: &mut StreamPoller,
    subscriptions: &[StreamSubscription],
    calls: &Calls,
    done: impl Fn() -> bool,
) -> Duration {
    let invoke = recorder(calls);
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < PATIENCE,
            "records did not arrive within {PATIENCE:?}: {:?}",
            calls.lock().unwrap()
        );
        poller.poll_once(subscriptions, &invoke).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    started.elapsed()
}

#[tokio::test]
async fn delivers_only_records_that_pass_the_filter() {
    let endpoint = endpoint();
    let (dynamo, name) = fresh_table().await;
    let mut poller = StreamPoller::new(dynamo.clone(), local_streams_client(&endpoint), &name).from_trim_horizon(true);
    put(&dynamo, &name, "NOTIFICATION#1", "Notification").await;
    put(&dynamo, &name, "PROFILE", "User").await;

    // An unfiltered subscription shows the poller read both records, so the filtered one
    // missing from `notify` is the filter's doing, not a record not read yet.
    let subscriptions = [notifications(), subscription("Everything", "audit", vec![])];
    let calls = Calls::default();
    let took = poll_until(&mut poller, &subscriptions, &calls, || records_for(&calls, "audit").len() == 2).await;
    eprintln!("both records delivered {took:?} after the writes");
    // Another pass delivers nothing more.
    assert_eq!(poller.poll_once(&subscriptions, &recorder(&calls)).await.unwrap(), 0);

    let notified = records_for(&calls, "notify");
    assert_eq!(notified.len(), 1, "{notified:#?}");
    let record = &notified[0];
    assert_eq!(record["eventName"], "INSERT");
    assert_eq!(record["eventSource"], "aws:dynamodb");
    assert_eq!(record["awsRegion"], "us-east-1");
    assert!(record["eventSourceARN"].as_str().unwrap().contains(&name));
    let change = &record["dynamodb"];
    assert_eq!(change["Keys"], json!({"PK": {"S": "USER#1"}, "SK": {"S": "NOTIFICATION#1"}}));
    assert_eq!(
        change["NewImage"],
        json!({
            "PK": {"S": "USER#1"},
            "SK": {"S": "NOTIFICATION#1"},
            "entity": {"S": "Notification"},
            "message": {"S": "Notification NOTIFICATION#1"},
            "unread": {"N": "1"}
        })
    );
    assert!(change.get("OldImage").is_none());
    assert_eq!(change["StreamViewType"], "NEW_AND_OLD_IMAGES");
    assert!(change["ApproximateCreationDateTime"].is_number());
    eprintln!("record as delivered: {record:#}");

    // What the function's runtime would deserialise.
    let event: Event = serde_json::from_value(json!({"Records": notified})).unwrap();
    assert_eq!(
        event.records[0].change.new_image.get("entity"),
        Some(&serde_dynamo::AttributeValue::S("Notification".into()))
    );
}

#[tokio::test]
async fn starts_at_latest_by_default_and_sees_updates() {
    let endpoint = endpoint();
    let (dynamo, name) = fresh_table().await;
    let mut poller = StreamPoller::new(dynamo.clone(), local_streams_client(&endpoint), &name);
    put(&dynamo, &name, "NOTIFICATION#0", "Notification").await;
    let subscriptions = [notifications(), subscription("Everything", "audit", vec![])];
    let calls = Calls::default();
    // The first pass finds the shard and pins LATEST: the write before it is not delivered,
    // as with a mapping created after the write.
    assert_eq!(poller.poll_once(&subscriptions, &recorder(&calls)).await.unwrap(), 0);

    put(&dynamo, &name, "NOTIFICATION#1", "Notification").await;
    dynamo
        .update_item()
        .table_name(&name)
        .key("PK", AttributeValue::S("USER#1".into()))
        .key("SK", AttributeValue::S("NOTIFICATION#1".into()))
        .update_expression("SET unread = :zero")
        .expression_attribute_values(":zero", AttributeValue::N("0".into()))
        .send()
        .await
        .unwrap();
    let took = poll_until(&mut poller, &subscriptions, &calls, || records_for(&calls, "audit").len() == 2).await;
    eprintln!("insert and update delivered {took:?} after the writes");

    let audited = records_for(&calls, "audit");
    let keys: Vec<&Value> = audited.iter().map(|r| &r["dynamodb"]["Keys"]["SK"]["S"]).collect();
    assert_eq!(keys, [&json!("NOTIFICATION#1"), &json!("NOTIFICATION#1")], "{audited:#?}");
    assert_eq!(audited[1]["eventName"], "MODIFY");
    assert_eq!(audited[1]["dynamodb"]["OldImage"]["unread"], json!({"N": "1"}));
    assert_eq!(audited[1]["dynamodb"]["NewImage"]["unread"], json!({"N": "0"}));
    // The update is not an INSERT, so only the insert reached the notification filter.
    let notified = records_for(&calls, "notify");
    assert_eq!(notified.len(), 1);
    assert_eq!(notified[0]["eventName"], "INSERT");
}

#[tokio::test]
async fn follows_a_dropped_and_recreated_table() {
    let endpoint = endpoint();
    let (dynamo, name) = fresh_table().await;
    let mut poller = StreamPoller::new(dynamo.clone(), local_streams_client(&endpoint), &name)
        .from_trim_horizon(true)
        .refresh_interval(Duration::from_millis(100));
    let subscriptions = [subscription("Everything", "audit", vec![])];
    let calls = Calls::default();
    put(&dynamo, &name, "NOTIFICATION#1", "Notification").await;
    poll_until(&mut poller, &subscriptions, &calls, || records_for(&calls, "audit").len() == 1).await;

    dynamo.delete_table().table_name(&name).send().await.unwrap();
    let template = Template::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml")).unwrap();
    assert!(table::ensure_table(&dynamo, &template, &name).await.unwrap());
    put(&dynamo, &name, "NOTIFICATION#2", "Notification").await;
    // Passes may fail while the old stream is found disabled and the new one looked up.
    let invoke = recorder(&calls);
    let started = Instant::now();
    while records_for(&calls, "audit").len() < 2 {
        assert!(started.elapsed() < PATIENCE, "the recreated table's records never arrived");
        let _ = poller.poll_once(&subscriptions, &invoke).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let audited = records_for(&calls, "audit");
    assert_eq!(audited.len(), 2);
    assert_eq!(audited[1]["dynamodb"]["Keys"]["SK"], json!({"S": "NOTIFICATION#2"}));
    assert_ne!(audited[0]["eventSourceARN"], audited[1]["eventSourceARN"]);
}
