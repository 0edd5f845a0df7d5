//! Feeds the table's DynamoDB stream into the functions subscribed to it, the way a Lambda
//! event source mapping does in the cloud: the same record JSON, the same filter semantics,
//! the same batching, and the same retries on errors and partial batch failures. Local
//! behaviour only means something if it matches what AWS does.
//!
//! Deliberate differences from the cloud, all in the direction of "less surprising locally":
//! retries are capped (3 by default instead of unbounded), batches never span GetRecords
//! calls (no `MaximumBatchingWindowInSeconds`), `BisectBatchOnFunctionError` is ignored,
//! and all subscriptions share one reader, so a subscription retrying a batch holds the others
//! up until it gives up.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::time::{Duration, Instant};

use aws_sdk_dynamodbstreams::error::DisplayErrorContext;
use aws_sdk_dynamodbstreams::types::{AttributeValue, Record, ShardIteratorType, StreamStatus};
use serde_json::{Map, Value, json};

use crate::template::StreamSubscription;

/// The region every record claims to come from. DynamoDB Local reports its own made-up
/// region; functions should see what the cloud would send.
pub const LOCAL_REGION: &str = "us-east-1";

/// Retries per batch when the template leaves `MaximumRetryAttempts` unset. The cloud default
/// is unbounded; locally, a function that keeps failing would otherwise stall the stream.
pub const DEFAULT_LOCAL_MAX_RETRIES: u32 = 3;

/// How long GetRecords waits between empty polls unless configured otherwise.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(250);

/// How often the stream's shard list is described again to pick up new shards.
pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(5);

/// Most records one GetRecords call returns (the service maximum).
const GET_RECORDS_LIMIT: i32 = 1000;

/// The stream could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The table has no enabled stream, so there is nothing to deliver.
    #[error("table {0} has no enabled stream (was it created before the template enabled one? recreate it)")]
    NoStream(String),
    /// DynamoDB (DescribeTable) failed.
    #[error("DynamoDB: {0}")]
    Dynamo(String),
    /// DynamoDB Streams failed.
    #[error("DynamoDB Streams: {0}")]
    Streams(String),
}

// ---------------------------------------------------------------------------------------------
// Filtering

/// True when `record` (a Lambda DynamoDB record in JSON) satisfies `pattern`, with Lambda's
/// event filtering semantics (the same as EventBridge event patterns): every key of the
/// pattern must match; a list of rules matches when any rule does; a rule matches a list in
/// the record when it matches any element. Supported rules: literal strings, numbers, booleans
/// and `null`, and the operators `prefix`, `suffix`, `equals-ignore-case`, `exists`,
/// `anything-but` (a value, a list, or `{"prefix": ..}`) and `numeric`. Numeric comparisons
/// only apply to JSON numbers: DynamoDB numbers (`{"N": "5"}`) are strings and never match.
/// Anything else (an unknown operator, a malformed rule) does not match.
pub fn matches(pattern: &Value, record: &Value) -> bool {
    let (Some(pattern), Some(record)) = (pattern.as_object(), record.as_object()) else {
        return false;
    };
    pattern.iter().all(|(key, rule)| field_matches(rule, record.get(key)))
}

/// True when `patterns` is empty (no `FilterCriteria`: every record) or any of them matches.
pub fn matches_any(patterns: &[Value], record: &Value) -> bool {
    patterns.is_empty() || patterns.iter().any(|pattern| matches(pattern, record))
}

fn field_matches(rule: &Value, value: Option<&Value>) -> bool {
    match rule {
        Value::Object(_) => match value {
            Some(object @ Value::Object(_)) => matches(rule, object),
            // Patterns address flattened paths, so a nested pattern applies to each object in
            // a list.
            Some(Value::Array(items)) if items.iter().any(Value::is_object) => {
                items.iter().filter(|item| item.is_object()).any(|item| matches(rule, item))
            }
            // The path does not exist below here; only `exists: false` rules can match.
            _ => matches(rule, &Value::Object(Map::new())),
        },
        Value::Array(alternatives) => alternatives.iter().any(|alternative| leaf_matches(alternative, value)),
        // A bare value is not pattern syntax (Lambda rejects the filter when it is created).
        _ => false,
    }
}

/// One rule against the value at a leaf path (absent, a scalar, an object or a list).
fn leaf_matches(rule: &Value, value: Option<&Value>) -> bool {
    // `exists` is the one rule about absence, so it is decided before looking at the value.
    if let Some(operator) = rule.as_object().filter(|o| o.len() == 1)
        && let Some(exists) = operator.get("exists")
    {
        return exists.as_bool().is_some_and(|want| leaf_present(value) == want);
    }
    match value {
        None => false,
        Some(Value::Array(items)) => items.iter().any(|item| scalar_matches(rule, item)),
        Some(value) => scalar_matches(rule, value),
    }
}

/// Whether a leaf value is there for `exists`: it only looks at leaves, so an object (an
/// intermediate node) or an empty list counts as absent.
fn leaf_present(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Object(_)) => false,
        Some(Value::Array(items)) => items.iter().any(|item| !item.is_object()),
        Some(_) => true,
    }
}

/// One rule against one value that is not a list.
fn scalar_matches(rule: &Value, value: &Value) -> bool {
    if value.is_object() || value.is_array() {
        return false;
    }
    match rule {
        Value::Object(operator) => operator_matches(operator, value),
        Value::Array(_) => false,
        // Lambda compares numbers by their text (300 and 300.0 differ); serde_json keeps
        // integers and floats apart, which is close enough for local use.
        literal => literal == value,
    }
}

fn operator_matches(operator: &Map<String, Value>, value: &Value) -> bool {
    let mut entries = operator.iter();
    let (Some((name, argument)), None) = (entries.next(), entries.next()) else {
        return false;
    };
    let text = value.as_str();
    match name.as_str() {
        "prefix" => argument.as_str().zip(text).is_some_and(|(prefix, text)| text.starts_with(prefix)),
        "suffix" => argument.as_str().zip(text).is_some_and(|(suffix, text)| text.ends_with(suffix)),
        "equals-ignore-case" => {
            argument.as_str().zip(text).is_some_and(|(want, text)| want.to_lowercase() == text.to_lowercase())
        }
        "anything-but" => anything_but(argument, value),
        "numeric" => value.as_f64().is_some_and(|number| numeric(argument, number)),
        _ => false,
    }
}

/// `anything-but` works on strings and numbers: a value, a list of values, or a prefix.
fn anything_but(argument: &Value, value: &Value) -> bool {
    if !(value.is_string() || value.is_number()) {
        return false;
    }
    match argument {
        Value::Array(excluded) => !excluded.contains(value),
        Value::Object(operator) => match operator.get("prefix").and_then(Value::as_str) {
            Some(prefix) if operator.len() == 1 => value.as_str().is_some_and(|text| !text.starts_with(prefix)),
            _ => false,
        },
        excluded => excluded != value,
    }
}

/// `[op, n]` or `[op, n, op, n]`: every comparison must hold.
fn numeric(argument: &Value, number: f64) -> bool {
    let Some(terms) = argument.as_array().filter(|terms| !terms.is_empty() && terms.len() % 2 == 0) else {
        return false;
    };
    terms.chunks(2).all(|pair| {
        let (Some(op), Some(bound)) = (pair[0].as_str(), pair[1].as_f64()) else {
            return false;
        };
        match op {
            "=" => number == bound,
            "<" => number < bound,
            "<=" => number <= bound,
            ">" => number > bound,
            ">=" => number >= bound,
            _ => false,
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Record shape

/// One stream record as the JSON Lambda puts in a DynamoDB stream event's `Records`: images
/// in DynamoDB JSON (`{"S": ..}`, `{"N": ..}`, `{"M": ..}` ...), `ApproximateCreationDateTime`
/// in epoch seconds, and the stream ARN as `eventSourceARN`.
pub fn lambda_record(record: &Record, stream_arn: &str) -> Value {
    let mut change = Map::new();
    if let Some(stream_record) = record.dynamodb() {
        if let Some(created) = stream_record.approximate_creation_date_time() {
            change.insert("ApproximateCreationDateTime".into(), json!(created.secs()));
        }
        let images = [
            ("Keys", stream_record.keys()),
            ("NewImage", stream_record.new_image()),
            ("OldImage", stream_record.old_image()),
        ];
        for (name, image) in images {
            if let Some(image) = image {
                change.insert(name.into(), dynamo_json(image));
            }
        }
        if let Some(sequence) = stream_record.sequence_number() {
            change.insert("SequenceNumber".into(), json!(sequence));
        }
        change.insert("SizeBytes".into(), json!(stream_record.size_bytes().unwrap_or(0)));
        let view = stream_record.stream_view_type().map_or("NEW_AND_OLD_IMAGES", |view| view.as_str());
        change.insert("StreamViewType".into(), json!(view));
    }
    let mut lambda = json!({
        "eventID": record.event_id().unwrap_or_default(),
        "eventName": record.event_name().map(|name| name.as_str()).unwrap_or_default(),
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": LOCAL_REGION,
        "dynamodb": change,
        "eventSourceARN": stream_arn,
    });
    // Present on TTL deletions, which consumers tell apart from user deletes by it.
    if let (Some(identity), Some(object)) = (record.user_identity(), lambda.as_object_mut()) {
        object
            .insert("userIdentity".into(), json!({"type": identity.r#type(), "principalId": identity.principal_id()}));
    }
    lambda
}

/// An image in DynamoDB JSON, through serde_dynamo's `Item`, whose serialisation is exactly
/// that format (binary as base64, as Lambda sends it).
fn dynamo_json(image: &HashMap<String, AttributeValue>) -> Value {
    // serde_dynamo panics on the SDK's `Unknown` variant (a type newer than the SDK), so such
    // attributes are left out rather than taking the poller down.
    let known: HashMap<String, AttributeValue> = image
        .iter()
        .filter(|(name, value)| {
            let known = is_known(value);
            if !known {
                tracing::warn!(attribute = %name, "stream record attribute of an unknown type left out");
            }
            known
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    // Serialising a map of strings to plain data cannot fail; Null would only hide a bug.
    serde_json::to_value(serde_dynamo::Item::from(known)).unwrap_or_default()
}

fn is_known(value: &AttributeValue) -> bool {
    match value {
        AttributeValue::L(items) => items.iter().all(is_known),
        AttributeValue::M(map) => map.values().all(is_known),
        other => !other.is_unknown(),
    }
}

// ---------------------------------------------------------------------------------------------
// Delivery

/// How failed invocations are retried.
#[derive(Debug, Clone, Copy)]
struct RetryPolicy {
    /// Retries when a subscription sets no `MaximumRetryAttempts`.
    default_max_retries: u32,
    /// Pause before each retry.
    delay: Duration,
}

/// Hands `records` (Lambda JSON, in stream order) to every subscription whose filters they
/// pass, in batches of its `batch_size`, retrying as Lambda does. Returns how many records
/// were handed over (once per subscription, retries not counted).
async fn deliver<F, Fut>(
    records: &[Value],
    subscriptions: &[StreamSubscription],
    invoke: &F,
    retry: RetryPolicy,
) -> usize
where
    F: Fn(String, Value) -> Fut,
    Fut: Future<Output = Result<Value, String>>,
{
    let mut delivered = 0;
    for subscription in subscriptions {
        let selected: Vec<&Value> =
            records.iter().filter(|record| matches_any(&subscription.patterns, record)).collect();
        for batch in selected.chunks(subscription.batch_size.max(1)) {
            delivered += batch.len();
            invoke_with_retries(subscription, batch, invoke, retry).await;
        }
    }
    delivered
}

/// Invokes `subscription`'s function with `batch` until it succeeds or retries run out.
/// After a partial failure Lambda retries from the first failed record; after an error, the
/// whole batch.
async fn invoke_with_retries<F, Fut>(
    subscription: &StreamSubscription,
    batch: &[&Value],
    invoke: &F,
    retry: RetryPolicy,
) where
    F: Fn(String, Value) -> Fut,
    Fut: Future<Output = Result<Value, String>>,
{
    let max_retries = subscription.max_retries.unwrap_or(retry.default_max_retries);
    let mut pending = batch;
    let mut retries = 0;
    loop {
        let event = json!({ "Records": pending });
        let failed_from = match invoke(subscription.function.clone(), event).await {
            Ok(response) if subscription.report_failures => first_failure(&response, pending),
            // Without ReportBatchItemFailures Lambda ignores what the function returns.
            Ok(_) => None,
            Err(error) => {
                tracing::warn!(
                    subscription = %subscription.name, function = %subscription.function, %error,
                    "stream batch failed"
                );
                Some(0)
            }
        };
        let Some(index) = failed_from else {
            return;
        };
        pending = &pending[index.min(pending.len())..];
        if retries >= max_retries {
            tracing::error!(
                subscription = %subscription.name, function = %subscription.function,
                records = pending.len(), retries,
                "stream records dropped after the last retry"
            );
            return;
        }
        retries += 1;
        tracing::info!(
            subscription = %subscription.name, function = %subscription.function,
            records = pending.len(), retry = retries, of = max_retries,
            "retrying stream batch"
        );
        tokio::time::sleep(retry.delay).await;
    }
}

/// Where to retry from after a `batchItemFailures` response, or `None` when the batch
/// succeeded. Lambda's rules: no list, a null list or an empty one is success; a failure
/// without a usable `itemIdentifier` fails the whole batch; otherwise the lowest failed
/// sequence number is the checkpoint.
fn first_failure(response: &Value, batch: &[&Value]) -> Option<usize> {
    let failures = match response.get("batchItemFailures") {
        None | Some(Value::Null) => return None,
        Some(Value::Array(failures)) if failures.is_empty() => return None,
        Some(Value::Array(failures)) => failures,
        Some(_) => return Some(0),
    };
    let mut first: Option<usize> = None;
    for failure in failures {
        let identifier = failure.get("itemIdentifier").and_then(Value::as_str).filter(|id| !id.is_empty());
        // An identifier that names no record in the batch cannot be checkpointed: whole batch.
        let position = identifier
            .and_then(|id| batch.iter().position(|record| record["dynamodb"]["SequenceNumber"].as_str() == Some(id)));
        let Some(position) = position else {
            return Some(0);
        };
        first = Some(first.map_or(position, |earlier| earlier.min(position)));
    }
    first
}

// ---------------------------------------------------------------------------------------------
// Polling

/// A DynamoDB Streams client for a local DynamoDB endpoint (same endpoint as the table API;
/// DynamoDB Local takes any credentials).
pub fn local_streams_client(endpoint: &str) -> aws_sdk_dynamodbstreams::Client {
    use aws_sdk_dynamodbstreams::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_dynamodbstreams::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(LOCAL_REGION))
        .credentials_provider(Credentials::new("local", "local", None, None, "peerlearn-local"))
        .endpoint_url(endpoint)
        .build();
    aws_sdk_dynamodbstreams::Client::from_conf(config)
}

/// Where a shard is read from when it has no iterator and nothing was processed from it yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    Latest,
    TrimHorizon,
}

#[derive(Debug)]
struct ShardState {
    /// Children are read only after their parent is finished, to keep records in order.
    parent: Option<String>,
    start: Start,
    iterator: Option<String>,
    /// The last record handed over, to resume after it when an iterator expires.
    last_sequence: Option<String>,
    /// Closed and read to the end (or skipped): never read again.
    finished: bool,
}

#[derive(Debug)]
struct StreamState {
    arn: String,
    shards: BTreeMap<String, ShardState>,
    described_at: Option<Instant>,
}

/// Reads a table's DynamoDB stream and delivers its records to subscribed functions, like
/// Lambda's event source mappings. Build it, then `run` it on its own task; tests can call
/// `poll_once` directly.
#[derive(Debug)]
pub struct StreamPoller {
    dynamo: aws_sdk_dynamodb::Client,
    streams: aws_sdk_dynamodbstreams::Client,
    table: String,
    from_trim_horizon: bool,
    poll_interval: Duration,
    refresh_interval: Duration,
    retry: RetryPolicy,
    stream: Option<StreamState>,
    /// Whether shards were ever listed: only shards open at the very start begin at LATEST.
    started: bool,
}

impl StreamPoller {
    /// A poller for `table`. Shards open when polling starts are read from LATEST, as a new
    /// `StartingPosition: LATEST` mapping would; shards that appear later from TRIM_HORIZON.
    pub fn new(dynamo: aws_sdk_dynamodb::Client, streams: aws_sdk_dynamodbstreams::Client, table: &str) -> Self {
        Self {
            dynamo,
            streams,
            table: table.to_owned(),
            from_trim_horizon: false,
            poll_interval: DEFAULT_POLL_INTERVAL,
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            retry: RetryPolicy { default_max_retries: DEFAULT_LOCAL_MAX_RETRIES, delay: DEFAULT_POLL_INTERVAL },
            stream: None,
            started: false,
        }
    }

    /// Reads every shard from TRIM_HORIZON, so that a test polling a brand-new table sees
    /// records written before its first poll.
    pub fn from_trim_horizon(mut self, yes: bool) -> Self {
        self.from_trim_horizon = yes;
        self
    }

    /// The pause after a pass that delivered nothing, and before each retry.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self.retry.delay = interval;
        self
    }

    /// How often the shard list is described again.
    pub fn refresh_interval(mut self, interval: Duration) -> Self {
        self.refresh_interval = interval;
        self
    }

    /// Retries for subscriptions that set no `MaximumRetryAttempts`.
    pub fn default_max_retries(mut self, retries: u32) -> Self {
        self.retry.default_max_retries = retries;
        self
    }

    /// Polls until the table turns out to have no stream (logged), delivering records to
    /// `invoke(function, {"Records": [...]})`, which returns the function's JSON response.
    /// Errors are logged and polling resumes after a pause.
    pub async fn run<F, Fut>(mut self, subscriptions: Vec<StreamSubscription>, invoke: F)
    where
        F: Fn(String, Value) -> Fut,
        Fut: Future<Output = Result<Value, String>>,
    {
        if subscriptions.is_empty() {
            tracing::debug!("no stream subscriptions; not polling the stream");
            return;
        }
        loop {
            match self.poll_once(&subscriptions, &invoke).await {
                // More may be waiting right behind what was just delivered.
                Ok(delivered) if delivered > 0 => {}
                Ok(_) => tokio::time::sleep(self.poll_interval).await,
                Err(error @ StreamError::NoStream(_)) => {
                    tracing::warn!(%error, "stream subscriptions will not be invoked");
                    return;
                }
                Err(error) => {
                    tracing::warn!(%error, "stream polling failed; retrying");
                    // A failing endpoint should not be hammered four times a second.
                    tokio::time::sleep(self.poll_interval.max(Duration::from_millis(100)) * 8).await;
                }
            }
        }
    }

    /// One pass: finds the stream and its shards if due, reads each readable shard once and
    /// delivers what it read. Returns the number of records handed to functions (counted
    /// once per subscription that received them; retries not counted).
    pub async fn poll_once<F, Fut>(
        &mut self,
        subscriptions: &[StreamSubscription],
        invoke: &F,
    ) -> Result<usize, StreamError>
    where
        F: Fn(String, Value) -> Fut,
        Fut: Future<Output = Result<Value, String>>,
    {
        if self.stream.is_none() {
            let arn = self.stream_arn().await?;
            self.stream = Some(StreamState { arn, shards: BTreeMap::new(), described_at: None });
        }
        self.refresh_shards().await?;
        let Some(state) = self.stream.as_mut() else {
            return Ok(0);
        };
        let readable: Vec<String> = state
            .shards
            .iter()
            .filter(|(_, shard)| !shard.finished)
            .filter(|(_, shard)| {
                shard.parent.as_ref().and_then(|parent| state.shards.get(parent)).is_none_or(|parent| parent.finished)
            })
            .map(|(id, _)| id.clone())
            .collect();
        let mut delivered = 0;
        for shard_id in readable {
            let records = read_shard(&self.streams, state, &shard_id).await?;
            if !records.is_empty() {
                delivered += deliver(&records, subscriptions, invoke, self.retry).await;
            }
        }
        Ok(delivered)
    }

    /// The table's current stream ARN, when its stream is enabled.
    async fn stream_arn(&self) -> Result<String, StreamError> {
        let output = self
            .dynamo
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .map_err(|error| StreamError::Dynamo(DisplayErrorContext(&error).to_string()))?;
        let table = output.table();
        let enabled = table.and_then(|t| t.stream_specification()).is_some_and(|s| s.stream_enabled());
        match table.and_then(|t| t.latest_stream_arn()) {
            Some(arn) if enabled => Ok(arn.to_owned()),
            _ => Err(StreamError::NoStream(self.table.clone())),
        }
    }

    /// Describes the stream again when due, adding shards not seen before.
    async fn refresh_shards(&mut self) -> Result<(), StreamError> {
        let Some(state) = self.stream.as_mut() else {
            return Ok(());
        };
        let first = !self.started;
        // With nothing left to read (a new stream still enabling, or a shard just closed),
        // waiting for the next refresh would only delay the shards that come next.
        let idle = state.shards.values().all(|shard| shard.finished);
        if !idle && state.described_at.is_some_and(|at| at.elapsed() < self.refresh_interval) {
            return Ok(());
        }
        let mut start_after: Option<String> = None;
        loop {
            let output = match self
                .streams
                .describe_stream()
                .stream_arn(&state.arn)
                .set_exclusive_start_shard_id(start_after.take())
                .send()
                .await
            {
                Ok(output) => output,
                Err(error) => {
                    let message = DisplayErrorContext(&error).to_string();
                    if error.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) {
                        // Gone with its table: the next pass looks the table up again.
                        self.stream = None;
                    }
                    return Err(StreamError::Streams(message));
                }
            };
            let Some(description) = output.stream_description() else {
                break;
            };
            if matches!(description.stream_status(), Some(StreamStatus::Disabled | StreamStatus::Disabling)) {
                // DynamoDB Local keeps a deleted table's stream readable (DISABLED, shards
                // still open), so this is how a dropped and recreated table shows: the next
                // pass looks the table's stream up again, and its shards start at TRIM_HORIZON.
                tracing::info!(stream = %state.arn, "stream disabled; looking for the table's current stream");
                self.stream = None;
                return Ok(());
            }
            for shard in description.shards() {
                let Some(id) = shard.shard_id() else {
                    continue;
                };
                if state.shards.contains_key(id) {
                    continue;
                }
                let closed = shard.sequence_number_range().and_then(|r| r.ending_sequence_number()).is_some();
                let (start, finished) = match (self.from_trim_horizon, first) {
                    (true, _) | (false, false) => (Start::TrimHorizon, false),
                    // LATEST on a shard closed before we started would never yield anything.
                    (false, true) => (Start::Latest, closed),
                };
                tracing::debug!(shard = id, ?start, finished, "stream shard found");
                state.shards.insert(
                    id.to_owned(),
                    ShardState {
                        parent: shard.parent_shard_id().map(str::to_owned),
                        start,
                        iterator: None,
                        last_sequence: None,
                        finished,
                    },
                );
            }
            match description.last_evaluated_shard_id() {
                Some(last) => start_after = Some(last.to_owned()),
                None => break,
            }
        }
        state.described_at = Some(Instant::now());
        self.started = true;
        Ok(())
    }
}

/// Reads one batch from a shard and advances it, returning the records as Lambda JSON. The
/// shard's position only moves past records that are returned, and those are delivered
/// before the next read, so nothing is skipped.
async fn read_shard(
    streams: &aws_sdk_dynamodbstreams::Client,
    state: &mut StreamState,
    shard_id: &str,
) -> Result<Vec<Value>, StreamError> {
    let arn = state.arn.clone();
    let Some(shard) = state.shards.get_mut(shard_id) else {
        return Ok(Vec::new());
    };
    let iterator = match shard.iterator.take() {
        Some(iterator) => iterator,
        None => match shard_iterator(streams, &arn, shard_id, shard).await? {
            Some(iterator) => iterator,
            None => return Ok(Vec::new()),
        },
    };
    let output = match streams.get_records().shard_iterator(&iterator).limit(GET_RECORDS_LIMIT).send().await {
        Ok(output) => output,
        Err(error) => {
            let service = error.as_service_error();
            if service.is_some_and(|e| e.is_expired_iterator_exception()) {
                // Iterators last 15 minutes; the next pass gets a fresh one after the last
                // record handed over.
                tracing::debug!(shard = shard_id, "shard iterator expired; re-acquiring");
                return Ok(Vec::new());
            }
            if service.is_some_and(|e| e.is_trimmed_data_access_exception()) {
                tracing::warn!(
                    shard = shard_id,
                    "stream records were trimmed before they were read; resuming at the oldest"
                );
                shard.last_sequence = None;
                shard.start = Start::TrimHorizon;
                return Ok(Vec::new());
            }
            if service.is_some_and(|e| e.is_resource_not_found_exception()) {
                tracing::warn!(shard = shard_id, "stream shard is gone");
                shard.finished = true;
                return Ok(Vec::new());
            }
            // A transient failure (DynamoDB Local restarting, say): the iterator is still good.
            shard.iterator = Some(iterator);
            return Err(StreamError::Streams(DisplayErrorContext(&error).to_string()));
        }
    };
    let records: Vec<Value> = output.records().iter().map(|record| lambda_record(record, &arn)).collect();
    if let Some(last) = output.records().iter().rev().find_map(|r| r.dynamodb().and_then(|d| d.sequence_number())) {
        shard.last_sequence = Some(last.to_owned());
    }
    match output.next_shard_iterator() {
        Some(next) => shard.iterator = Some(next.to_owned()),
        None => {
            // Closed and read to the end: its children (if any) take over.
            tracing::debug!(shard = shard_id, "stream shard closed");
            shard.finished = true;
            state.described_at = None;
        }
    }
    Ok(records)
}

/// A fresh iterator for `shard`: after the last record handed over, else at its start.
/// `None` when the shard turned out to be gone.
async fn shard_iterator(
    streams: &aws_sdk_dynamodbstreams::Client,
    arn: &str,
    shard_id: &str,
    shard: &mut ShardState,
) -> Result<Option<String>, StreamError> {
    let request = streams.get_shard_iterator().stream_arn(arn).shard_id(shard_id);
    let request = match (&shard.last_sequence, shard.start) {
        (Some(sequence), _) => {
            request.shard_iterator_type(ShardIteratorType::AfterSequenceNumber).sequence_number(sequence)
        }
        (None, Start::Latest) => request.shard_iterator_type(ShardIteratorType::Latest),
        (None, Start::TrimHorizon) => request.shard_iterator_type(ShardIteratorType::TrimHorizon),
    };
    match request.send().await {
        Ok(output) => {
            let iterator = output.shard_iterator().map(str::to_owned);
            if iterator.is_none() {
                // No iterator means nothing more can ever be read from this shard.
                shard.finished = true;
            }
            // An iterator from LATEST that expires before any record arrived is replaced by a
            // new LATEST one. That only happens after 15 minutes without polling (a suspended
            // laptop), when the writers, mostly this same process, were paused too; starting
            // over from TRIM_HORIZON instead would replay the day's records.
            Ok(iterator)
        }
        Err(error) => {
            let service = error.as_service_error();
            if service.is_some_and(|e| e.is_trimmed_data_access_exception()) {
                tracing::warn!(shard = shard_id, "resume point was trimmed; resuming at the oldest record");
                shard.last_sequence = None;
                shard.start = Start::TrimHorizon;
                return Ok(None);
            }
            if service.is_some_and(|e| e.is_resource_not_found_exception()) {
                tracing::warn!(shard = shard_id, "stream shard is gone");
                shard.finished = true;
                return Ok(None);
            }
            Err(StreamError::Streams(DisplayErrorContext(&error).to_string()))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::{Arc, Mutex};

    use aws_lambda_events::event::dynamodb::Event;
    use aws_sdk_dynamodbstreams::primitives::DateTime;
    use aws_sdk_dynamodbstreams::types::{Identity, OperationType, StreamRecord, StreamViewType};
    use serde_dynamo::AttributeValue as Dynamo;

    use super::*;

    fn notification_pattern() -> Value {
        json!({"eventName": ["INSERT"], "dynamodb": {"NewImage": {"entity": {"S": ["Notification"]}}}})
    }

    fn record(event: &str, entity: &str) -> Value {
        json!({
            "eventName": event,
            "dynamodb": {"NewImage": {"entity": {"S": entity}, "count": {"N": "3"}}, "SizeBytes": 26},
            "tags": ["a", "b"],
            "score": 4,
            "empty": "",
            "missing_value": null
        })
    }

    #[test]
    fn nested_literal_patterns_match_every_key() {
        let pattern = notification_pattern();
        assert!(matches(&pattern, &record("INSERT", "Notification")));
        assert!(!matches(&pattern, &record("MODIFY", "Notification")));
        assert!(!matches(&pattern, &record("INSERT", "Session")));
        assert!(!matches(&pattern, &json!({"eventName": "INSERT"})));
        assert!(matches(&json!({"eventName": ["MODIFY", "INSERT"]}), &record("INSERT", "x")));
        // Numbers in images are strings: only a string literal matches them.
        assert!(matches(&json!({"dynamodb": {"NewImage": {"count": {"N": ["3"]}}}}), &record("INSERT", "x")));
        assert!(!matches(&json!({"dynamodb": {"NewImage": {"count": {"N": [3]}}}}), &record("INSERT", "x")));
        assert!(matches(&json!({"score": [4]}), &record("INSERT", "x")));
        assert!(!matches(&json!({"score": ["4"]}), &record("INSERT", "x")));
        assert!(matches(&json!({"empty": [""]}), &record("INSERT", "x")));
        assert!(matches(&json!({"missing_value": [null]}), &record("INSERT", "x")));
        assert!(!matches(&json!({"absent": [null]}), &record("INSERT", "x")));
        // A literal never matches an object.
        assert!(!matches(&json!({"dynamodb": ["x"]}), &record("INSERT", "x")));
    }

    #[test]
    fn list_values_match_when_any_element_does() {
        assert!(matches(&json!({"tags": ["b"]}), &record("INSERT", "x")));
        assert!(!matches(&json!({"tags": ["c"]}), &record("INSERT", "x")));
        assert!(matches(&json!({"tags": [{"prefix": "a"}]}), &record("INSERT", "x")));
        let listed = json!({"items": [{"kind": "a"}, {"kind": "b"}]});
        assert!(matches(&json!({"items": {"kind": ["b"]}}), &listed));
        assert!(!matches(&json!({"items": {"kind": ["c"]}}), &listed));
    }

    #[test]
    fn prefix_suffix_and_ignore_case() {
        let r = json!({"pk": "USER#01", "n": 5});
        assert!(matches(&json!({"pk": [{"prefix": "USER#"}]}), &r));
        assert!(!matches(&json!({"pk": [{"prefix": "SESSION#"}]}), &r));
        assert!(!matches(&json!({"n": [{"prefix": "5"}]}), &r));
        assert!(matches(&json!({"pk": [{"suffix": "#01"}]}), &r));
        assert!(!matches(&json!({"pk": [{"suffix": "#02"}]}), &r));
        assert!(matches(&json!({"pk": [{"equals-ignore-case": "user#01"}]}), &r));
        assert!(!matches(&json!({"pk": [{"equals-ignore-case": "user#02"}]}), &r));
    }

    #[test]
    fn exists_looks_at_leaves_only() {
        let r = record("INSERT", "Notification");
        assert!(matches(&json!({"eventName": [{"exists": true}]}), &r));
        assert!(!matches(&json!({"eventName": [{"exists": false}]}), &r));
        assert!(matches(&json!({"absent": [{"exists": false}]}), &r));
        assert!(!matches(&json!({"absent": [{"exists": true}]}), &r));
        assert!(matches(&json!({"dynamodb": {"OldImage": {"entity": [{"exists": false}]}}}), &r));
        assert!(matches(&json!({"dynamodb": {"NewImage": {"entity": {"S": [{"exists": true}]}}}}), &r));
        assert!(!matches(&json!({"dynamodb": {"NewImage": {"entity": {"S": [{"exists": false}]}}}}), &r));
        // An object is an intermediate node, not a leaf.
        assert!(!matches(&json!({"dynamodb": [{"exists": true}]}), &r));
        assert!(matches(&json!({"dynamodb": [{"exists": false}]}), &r));
        assert!(matches(&json!({"missing_value": [{"exists": true}]}), &r));
        assert!(!matches(&json!({"eventName": [{"exists": "yes"}]}), &r));
    }

    #[test]
    fn anything_but_excludes_values() {
        let r = record("INSERT", "Notification");
        assert!(matches(&json!({"eventName": [{"anything-but": ["REMOVE", "MODIFY"]}]}), &r));
        assert!(!matches(&json!({"eventName": [{"anything-but": ["INSERT"]}]}), &r));
        assert!(matches(&json!({"eventName": [{"anything-but": "REMOVE"}]}), &r));
        assert!(!matches(&json!({"eventName": [{"anything-but": "INSERT"}]}), &r));
        assert!(matches(&json!({"score": [{"anything-but": [1, 2]}]}), &r));
        assert!(!matches(&json!({"score": [{"anything-but": [4]}]}), &r));
        assert!(matches(&json!({"eventName": [{"anything-but": {"prefix": "MOD"}}]}), &r));
        assert!(!matches(&json!({"eventName": [{"anything-but": {"prefix": "INS"}}]}), &r));
        // An absent field is not "anything but" something: there is nothing to compare.
        assert!(!matches(&json!({"absent": [{"anything-but": ["x"]}]}), &r));
        assert!(!matches(&json!({"missing_value": [{"anything-but": ["x"]}]}), &r));
    }

    #[test]
    fn numeric_compares_json_numbers_only() {
        let r = record("INSERT", "Notification");
        assert!(matches(&json!({"score": [{"numeric": [">", 0, "<=", 5]}]}), &r));
        assert!(!matches(&json!({"score": [{"numeric": [">", 4, "<=", 5]}]}), &r));
        assert!(matches(&json!({"score": [{"numeric": ["=", 4]}]}), &r));
        assert!(!matches(&json!({"score": [{"numeric": ["<", 4]}]}), &r));
        assert!(matches(&json!({"score": [{"numeric": [">=", 4]}]}), &r));
        // DynamoDB numbers are strings in the record: numeric never matches them.
        assert!(!matches(&json!({"dynamodb": {"NewImage": {"count": {"N": [{"numeric": [">", 0]}]}}}}), &r));
        assert!(!matches(&json!({"score": [{"numeric": [">"]}]}), &r));
        assert!(!matches(&json!({"score": [{"numeric": ["~", 1]}]}), &r));
    }

    #[test]
    fn unknown_operators_and_bare_values_do_not_match() {
        let r = record("INSERT", "Notification");
        assert!(!matches(&json!({"eventName": [{"wildcard-ish": "I*"}]}), &r));
        assert!(!matches(&json!({"eventName": "INSERT"}), &r));
        assert!(!matches(&json!(["INSERT"]), &r));
    }

    #[test]
    fn matches_any_is_or_and_empty_means_all() {
        let r = record("MODIFY", "Session");
        assert!(matches_any(&[], &r));
        assert!(!matches_any(&[notification_pattern()], &r));
        assert!(matches_any(&[notification_pattern(), json!({"eventName": ["MODIFY"]})], &r));
    }

    fn stream_record() -> Record {
        let change = StreamRecord::builder()
            .approximate_creation_date_time(DateTime::from_secs(1_700_000_000))
            .keys("PK", AttributeValue::S("USER#1".into()))
            .keys("SK", AttributeValue::S("NOTIFICATION#1".into()))
            .new_image("PK", AttributeValue::S("USER#1".into()))
            .new_image("entity", AttributeValue::S("Notification".into()))
            .new_image("count", AttributeValue::N("3".into()))
            .new_image("read", AttributeValue::Bool(false))
            .new_image("gone", AttributeValue::Null(true))
            .new_image("tags", AttributeValue::Ss(vec!["a".into(), "b".into()]))
            .new_image("scores", AttributeValue::Ns(vec!["1".into()]))
            .new_image("raw", AttributeValue::B(aws_sdk_dynamodbstreams::primitives::Blob::new(b"hi".to_vec())))
            .new_image("list", AttributeValue::L(vec![AttributeValue::S("x".into()), AttributeValue::N("1".into())]))
            .new_image("map", AttributeValue::M(HashMap::from([("inner".to_owned(), AttributeValue::S("y".into()))])))
            .sequence_number("111")
            .size_bytes(26)
            .stream_view_type(StreamViewType::NewAndOldImages)
            .build();
        Record::builder()
            .event_id("e1")
            .event_name(OperationType::Insert)
            .event_version("1.1")
            .event_source("aws:dynamodb")
            .aws_region("ddblocal")
            .dynamodb(change)
            .build()
    }

    #[test]
    fn lambda_record_has_the_lambda_shape() {
        let arn = "arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2024-01-01T00:00:00.000";
        let json = lambda_record(&stream_record(), arn);
        assert_eq!(json["eventID"], "e1");
        assert_eq!(json["eventName"], "INSERT");
        assert_eq!(json["eventVersion"], "1.1");
        assert_eq!(json["eventSource"], "aws:dynamodb");
        assert_eq!(json["awsRegion"], "us-east-1");
        assert_eq!(json["eventSourceARN"], arn);
        let change = &json["dynamodb"];
        assert_eq!(change["ApproximateCreationDateTime"], 1_700_000_000);
        assert_eq!(change["SequenceNumber"], "111");
        assert_eq!(change["SizeBytes"], 26);
        assert_eq!(change["StreamViewType"], "NEW_AND_OLD_IMAGES");
        assert_eq!(change["Keys"], json!({"PK": {"S": "USER#1"}, "SK": {"S": "NOTIFICATION#1"}}));
        assert!(change.get("OldImage").is_none());
        assert!(json.get("userIdentity").is_none());
        let image = &change["NewImage"];
        assert_eq!(image["entity"], json!({"S": "Notification"}));
        assert_eq!(image["count"], json!({"N": "3"}));
        assert_eq!(image["read"], json!({"BOOL": false}));
        assert_eq!(image["gone"], json!({"NULL": true}));
        assert_eq!(image["tags"], json!({"SS": ["a", "b"]}));
        assert_eq!(image["scores"], json!({"NS": ["1"]}));
        assert_eq!(image["raw"], json!({"B": "aGk="}));
        assert_eq!(image["list"], json!({"L": [{"S": "x"}, {"N": "1"}]}));
        assert_eq!(image["map"], json!({"M": {"inner": {"S": "y"}}}));
        assert!(matches(&notification_pattern(), &json));
    }

    #[test]
    fn lambda_record_reads_as_an_aws_lambda_events_record() {
        let arn = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x";
        let event: Event =
            serde_json::from_value(json!({ "Records": [lambda_record(&stream_record(), arn)] })).unwrap();
        let record = &event.records[0];
        assert_eq!(record.event_id, "e1");
        assert_eq!(record.event_name, "INSERT");
        assert_eq!(record.event_source_arn.as_deref(), Some(arn));
        assert_eq!(record.change.sequence_number.as_deref(), Some("111"));
        assert_eq!(record.change.size_bytes, 26);
        assert_eq!(record.change.approximate_creation_date_time.timestamp(), 1_700_000_000);
        assert_eq!(record.change.new_image.get("entity"), Some(&Dynamo::S("Notification".into())));
        assert_eq!(record.change.new_image.get("count"), Some(&Dynamo::N("3".into())));
        assert_eq!(record.change.new_image.get("raw"), Some(&Dynamo::B(b"hi".to_vec())));
        assert_eq!(
            record.change.new_image.get("map"),
            Some(&Dynamo::M(HashMap::from([("inner".to_owned(), Dynamo::S("y".into()))])))
        );
        assert!(record.change.old_image.is_empty());
        assert_eq!(record.change.keys.get("SK"), Some(&Dynamo::S("NOTIFICATION#1".into())));
    }

    #[test]
    fn ttl_deletions_carry_the_service_identity() {
        let mut record = stream_record();
        record.event_name = Some(OperationType::Remove);
        record.user_identity =
            Some(Identity::builder().r#type("Service").principal_id("dynamodb.amazonaws.com").build());
        let json = lambda_record(&record, "arn");
        assert_eq!(json["userIdentity"], json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"}));
        assert_eq!(json["eventName"], "REMOVE");
    }

    fn subscription(batch_size: usize, max_retries: Option<u32>, report_failures: bool) -> StreamSubscription {
        StreamSubscription {
            name: "Notifications".into(),
            function: "notify".into(),
            batch_size,
            max_retries,
            report_failures,
            patterns: vec![json!({"dynamodb": {"NewImage": {"entity": {"S": ["Notification"]}}}})],
        }
    }

    fn numbered(count: usize) -> Vec<Value> {
        (0..count)
            .map(|i| {
                let entity = if i % 2 == 0 { "Notification" } else { "Session" };
                json!({"dynamodb": {"SequenceNumber": format!("{i}"), "NewImage": {"entity": {"S": entity}}}})
            })
            .collect()
    }

    type Calls = Arc<Mutex<Vec<Vec<String>>>>;

    /// Records each call's sequence numbers and answers with `respond(call index)`.
    fn recorder(
        calls: &Calls,
        respond: impl Fn(usize) -> Result<Value, String>,
    ) -> impl Fn(String, Value) -> std::future::Ready<Result<Value, String>> {
        let calls = calls.clone();
        move |function, event| {
            assert_eq!(function, "notify");
            let sequences = event["Records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["dynamodb"]["SequenceNumber"].as_str().unwrap().to_owned())
                .collect();
            let mut calls = calls.lock().unwrap();
            calls.push(sequences);
            std::future::ready(respond(calls.len() - 1))
        }
    }

    const NO_WAIT: RetryPolicy = RetryPolicy { default_max_retries: 3, delay: Duration::ZERO };

    #[tokio::test]
    async fn delivers_filtered_records_in_batches() {
        let calls = Calls::default();
        let invoke = recorder(&calls, |_| Ok(Value::Null));
        let delivered = deliver(&numbered(10), &[subscription(2, None, false)], &invoke, NO_WAIT).await;
        assert_eq!(delivered, 5);
        assert_eq!(*calls.lock().unwrap(), vec![vec!["0", "2"], vec!["4", "6"], vec!["8"]]);
    }

    #[tokio::test]
    async fn partial_failures_retry_from_the_first_failed_record() {
        let calls = Calls::default();
        let invoke = recorder(&calls, |call| {
            Ok(match call {
                0 => json!({"batchItemFailures": [{"itemIdentifier": "6"}, {"itemIdentifier": "4"}]}),
                _ => json!({"batchItemFailures": []}),
            })
        });
        deliver(&numbered(8), &[subscription(10, None, true)], &invoke, NO_WAIT).await;
        assert_eq!(*calls.lock().unwrap(), vec![vec!["0", "2", "4", "6"], vec!["4", "6"]]);
    }

    #[tokio::test]
    async fn failures_are_ignored_without_report_batch_item_failures() {
        let calls = Calls::default();
        let invoke = recorder(&calls, |_| Ok(json!({"batchItemFailures": [{"itemIdentifier": "2"}]})));
        deliver(&numbered(4), &[subscription(10, None, false)], &invoke, NO_WAIT).await;
        assert_eq!(calls.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn errors_retry_the_whole_batch_until_retries_run_out() {
        let calls = Calls::default();
        let invoke = recorder(&calls, |_| Err("boom".into()));
        let delivered = deliver(&numbered(4), &[subscription(10, Some(2), true)], &invoke, NO_WAIT).await;
        assert_eq!(delivered, 2);
        assert_eq!(*calls.lock().unwrap(), vec![vec!["0", "2"]; 3]);
        // Unset MaximumRetryAttempts falls back to the local default.
        let calls = Calls::default();
        let invoke = recorder(&calls, |_| Err("boom".into()));
        deliver(&numbered(1), &[subscription(10, None, true)], &invoke, NO_WAIT).await;
        assert_eq!(calls.lock().unwrap().len(), 1 + 3);
    }

    #[test]
    fn batch_item_failure_responses_follow_lambda_rules() {
        let batch = numbered(3);
        let batch: Vec<&Value> = batch.iter().collect();
        assert_eq!(first_failure(&Value::Null, &batch), None);
        assert_eq!(first_failure(&json!({}), &batch), None);
        assert_eq!(first_failure(&json!({"batchItemFailures": null}), &batch), None);
        assert_eq!(first_failure(&json!({"batchItemFailures": []}), &batch), None);
        assert_eq!(first_failure(&json!({"batchItemFailures": [{"itemIdentifier": "1"}]}), &batch), Some(1));
        assert_eq!(first_failure(&json!({"batchItemFailures": [{"itemIdentifier": ""}]}), &batch), Some(0));
        assert_eq!(first_failure(&json!({"batchItemFailures": [{"itemIdentifier": null}]}), &batch), Some(0));
        assert_eq!(first_failure(&json!({"batchItemFailures": [{"id": "2"}]}), &batch), Some(0));
        assert_eq!(first_failure(&json!({"batchItemFailures": [{"itemIdentifier": "99"}]}), &batch), Some(0));
        assert_eq!(first_failure(&json!({"batchItemFailures": "2"}), &batch), Some(0));
    }
}
