//! Operations rules template.yaml must keep, read from the template itself so a function
//! added later cannot ship without them (`cargo test -p dev-gateway --test template_ops`,
//! no local stack needed):
//!
//! - every function has a Lambda `Errors` and `Throttles` alarm, and every alarm reaches the
//!   alarm topic;
//! - every stream event source sends what fails to an encrypted queue, and every schedule
//!   (and any other asynchronous source) has a dead-letter queue, a retry policy and an
//!   on-failure destination; every such queue has a depth alarm; stream consumers have an
//!   iterator-age alarm;
//! - every function gets exactly the key and token variables its `main.rs` `Keys` names,
//!   and the endpoint variables only where its policy lets it use them.
//!
//! Each rule is a function returning what breaks it, so the tests below can also show that
//! a template breaking it is caught.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn repository_template() -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(root().join("template.yaml")).unwrap()).unwrap()
}

fn resources(doc: &Value) -> &Mapping {
    doc.get("Resources").and_then(Value::as_mapping).unwrap()
}

/// `(logical id, resource)` of every resource of type `kind`.
fn of_type<'a>(doc: &'a Value, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
    resources(doc)
        .iter()
        .filter(move |(_, r)| r.get("Type").and_then(Value::as_str) == Some(kind))
        .map(|(id, r)| (id.as_str().unwrap_or("?"), r))
}

/// The argument of a short-form intrinsic (`!Ref X`, `!GetAtt X.Y`) or its long form.
fn intrinsic<'a>(value: &'a Value, name: &str) -> Option<&'a str> {
    match value {
        Value::Tagged(tagged) if tagged.tag.to_string().trim_start_matches('!') == name => tagged.value.as_str(),
        Value::Mapping(map) if map.len() == 1 => {
            let long = if name == "Ref" { "Ref".to_owned() } else { format!("Fn::{name}") };
            match map.get(long.as_str())? {
                Value::String(text) => Some(text.as_str()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `X` of `!GetAtt X.<attribute>`.
fn get_att<'a>(value: &'a Value, attribute: &str) -> Option<&'a str> {
    intrinsic(value, "GetAtt")?.strip_suffix(&format!(".{attribute}"))
}

fn list(value: Option<&Value>) -> Vec<&Value> {
    match value {
        Some(Value::Sequence(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    }
}

fn property<'a>(resource: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(resource.get("Properties")?, |value, key| value.get(*key))
}

/// Whether `alarm` watches one metric `namespace`/`metric` with dimension `name` = `value`
/// (`value` compared as given by `matches`).
fn watches(alarm: &Value, namespace: &str, metric: &str, dimension: &str, matches: impl Fn(&Value) -> bool) -> bool {
    let field = |name: &str| property(alarm, &[name]).and_then(Value::as_str);
    field("Namespace") == Some(namespace)
        && field("MetricName") == Some(metric)
        && list(property(alarm, &["Dimensions"]))
            .iter()
            .any(|d| d.get("Name").and_then(Value::as_str) == Some(dimension) && d.get("Value").is_some_and(&matches))
}

/// What is wrong with how an alarm notifies: it must reach the alarm topic, on alarm and on
/// recovery, and treat missing data (no traffic) as fine.
fn notification_problems(id: &str, alarm: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for actions in ["AlarmActions", "OKActions"] {
        if !list(property(alarm, &[actions])).iter().any(|a| intrinsic(a, "Ref") == Some("AlarmTopic")) {
            problems.push(format!("{id}: {actions} does not include !Ref AlarmTopic"));
        }
    }
    if property(alarm, &["TreatMissingData"]).and_then(Value::as_str) != Some("notBreaching") {
        problems.push(format!("{id}: TreatMissingData is not notBreaching"));
    }
    problems
}

/// Functions without their `Errors` or `Throttles` alarm, and alarms that notify no one.
fn alarm_problems(doc: &Value) -> Vec<String> {
    let alarms: Vec<_> = of_type(doc, "AWS::CloudWatch::Alarm").collect();
    let mut problems: Vec<String> = alarms.iter().flat_map(|(id, alarm)| notification_problems(id, alarm)).collect();
    if !of_type(doc, "AWS::SNS::Topic").any(|(id, topic)| {
        id == "AlarmTopic" && property(topic, &["KmsMasterKeyId"]).is_some_and(|key| intrinsic(key, "Ref").is_some())
    }) {
        problems.push("no AlarmTopic encrypted with a key of this stack (CloudWatch cannot use aws/sns)".into());
    }
    for (function, _) in of_type(doc, "AWS::Serverless::Function") {
        for metric in ["Errors", "Throttles"] {
            let by_function = |v: &Value| intrinsic(v, "Ref") == Some(function);
            if !alarms.iter().any(|(_, alarm)| watches(alarm, "AWS/Lambda", metric, "FunctionName", by_function)) {
                problems.push(format!("{function} has no {metric} alarm"));
            }
        }
    }
    problems
}

/// Event source types Lambda invokes asynchronously: failures are handled by the function's
/// `EventInvokeConfig`, and the rule-based ones also deliver through a retry policy and
/// a dead-letter queue of their own.
const ASYNC_SOURCES: [&str; 9] = [
    "Schedule",
    "ScheduleV2",
    "EventBridgeRule",
    "CloudWatchEvent",
    "SNS",
    "S3",
    "CloudWatchLogs",
    "IoTRule",
    "Cognito",
];
const RULE_SOURCES: [&str; 4] = ["Schedule", "ScheduleV2", "EventBridgeRule", "CloudWatchEvent"];
/// Synchronous sources: the caller gets the failure.
const SYNC_SOURCES: [&str; 2] = ["HttpApi", "Api"];

/// Stream and asynchronous event sources without a failure destination, failure queues
/// that are unencrypted or unwatched, stream consumers without an iterator-age alarm.
fn failure_handling_problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let alarms: Vec<_> = of_type(doc, "AWS::CloudWatch::Alarm").map(|(_, a)| a).collect();
    let mut queues = BTreeSet::new();
    // A destination must be `!GetAtt <queue>.Arn` of an encrypted queue of this template.
    let mut queue = |owner: &str, what: &str, destination: Option<&Value>, problems: &mut Vec<String>| {
        let Some(id) = destination.and_then(|d| get_att(d, "Arn")) else {
            problems.push(format!("{owner}: no {what} (!GetAtt <queue>.Arn)"));
            return None;
        };
        let resource = resources(doc).get(id);
        if resource.and_then(|r| r.get("Type")).and_then(Value::as_str) != Some("AWS::SQS::Queue") {
            problems.push(format!("{owner}: {what} {id} is not a queue of this template"));
            return None;
        }
        let encrypted = resource.is_some_and(|r| {
            property(r, &["SqsManagedSseEnabled"]).and_then(Value::as_bool) == Some(true)
                || property(r, &["KmsMasterKeyId"]).is_some()
        });
        if !encrypted {
            problems.push(format!("{owner}: {what} {id} is not encrypted"));
        }
        queues.insert(id.to_owned());
        Some(id.to_owned())
    };
    for (function, resource) in of_type(doc, "AWS::Serverless::Function") {
        let events = property(resource, &["Events"]).and_then(Value::as_mapping);
        for (name, event) in events.into_iter().flatten() {
            let owner = format!("{function}.{}", name.as_str().unwrap_or("?"));
            let kind = event.get("Type").and_then(Value::as_str).unwrap_or("?");
            let field = |path: &[&str]| path.iter().try_fold(event.get("Properties")?, |v, k| v.get(*k));
            if matches!(kind, "DynamoDB" | "Kinesis") {
                queue(
                    &owner,
                    "DestinationConfig.OnFailure.Destination",
                    field(&["DestinationConfig", "OnFailure", "Destination"]),
                    &mut problems,
                );
                let retries = field(&["MaximumRetryAttempts"]).and_then(Value::as_i64);
                if retries.is_none_or(|n| n < 0) {
                    problems.push(format!(
                        "{owner}: MaximumRetryAttempts must be bounded (a poison batch would block its shard)"
                    ));
                }
                if field(&["BisectBatchOnFunctionError"]).and_then(Value::as_bool) != Some(true) {
                    problems.push(format!("{owner}: BisectBatchOnFunctionError is not true"));
                }
                let by_function = |v: &Value| intrinsic(v, "Ref") == Some(function);
                if !alarms.iter().any(|alarm| watches(alarm, "AWS/Lambda", "IteratorAge", "FunctionName", by_function))
                {
                    problems.push(format!("{owner}: {function} has no IteratorAge alarm"));
                }
            } else if ASYNC_SOURCES.contains(&kind) {
                if RULE_SOURCES.contains(&kind) {
                    if field(&["RetryPolicy"]).is_none() {
                        problems.push(format!("{owner}: no RetryPolicy"));
                    }
                    let dlq = queue(&owner, "DeadLetterConfig.Arn", field(&["DeadLetterConfig", "Arn"]), &mut problems);
                    // The rule writes with EventBridge's principal: the queue's policy must
                    // name the rule SAM generates (<function><event>).
                    let rule = format!("{function}{}", name.as_str().unwrap_or("?"));
                    let allowed = dlq.is_some_and(|dlq| {
                        of_type(doc, "AWS::SQS::QueuePolicy").any(|(_, policy)| {
                            list(property(policy, &["Queues"]))
                                .iter()
                                .any(|q| intrinsic(q, "Ref") == Some(dlq.as_str()))
                                && list(property(policy, &["PolicyDocument", "Statement"])).iter().any(|s| {
                                    let sources = s
                                        .get("Condition")
                                        .and_then(|c| c.get("ArnEquals"))
                                        .and_then(|c| c.get("aws:SourceArn"));
                                    list(sources).iter().any(|arn| get_att(arn, "Arn") == Some(rule.as_str()))
                                })
                        })
                    });
                    if !allowed {
                        problems
                            .push(format!("{owner}: no queue policy lets rule {rule} send to its dead-letter queue"));
                    }
                }
                let on_failure =
                    property(resource, &["EventInvokeConfig", "DestinationConfig", "OnFailure", "Destination"]);
                queue(&owner, "EventInvokeConfig on-failure destination", on_failure, &mut problems);
            } else if !SYNC_SOURCES.contains(&kind) {
                problems.push(format!("{owner}: event type {kind} has no failure-handling rule here; add one"));
            }
        }
    }
    for id in queues {
        let by_queue = |v: &Value| get_att(v, "QueueName") == Some(id.as_str());
        if !alarms
            .iter()
            .any(|alarm| watches(alarm, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", by_queue))
        {
            problems.push(format!("failure queue {id} has no depth alarm"));
        }
    }
    problems
}

/// Variables read only where a function's `Keys` (main.rs) say so.
fn key_variables(keys: &str) -> Option<BTreeSet<&'static str>> {
    const JWT: [&str; 2] = ["JWT_ISSUER", "JWT_AUDIENCE"];
    let (sign, check, page, stripe, webhooks) = match keys {
        "NONE" => (false, false, false, false, false),
        "SIGN" => (true, false, false, false, false),
        "CREDENTIALS" => (true, true, false, false, false),
        "CHECK" => (false, true, false, false, false),
        "CHECK_AND_PAGE" => (false, true, true, false, false),
        "CHECK_AND_PAY" => (false, true, false, true, false),
        "PAY" => (false, false, false, true, false),
        "CHECK_PAGE_AND_PAY" => (false, true, true, true, false),
        "STRIPE_WEBHOOKS" => (false, false, false, false, true),
        _ => return None,
    };
    let mut wanted = BTreeSet::new();
    if sign {
        wanted.insert("ACCESS_TOKEN_SIGNING_KEY");
    }
    if check {
        wanted.insert("ACCESS_TOKEN_PUBLIC_KEYS");
    }
    if sign || check {
        // The claims tokens are signed and checked with.
        wanted.extend(JWT);
    }
    if page {
        wanted.insert("CURSOR_KEY");
    }
    if stripe {
        // Stripe's onboarding sends mentors back to the web app.
        wanted.extend(["STRIPE_SECRET_KEY", "WEB_APP_URL"]);
    }
    if webhooks {
        wanted.insert("STRIPE_WEBHOOK_SECRET");
    }
    if keys == "CREDENTIALS" {
        // Texted codes are sealed with it.
        wanted.insert("CODE_KEY");
    }
    Some(wanted)
}

/// Every variable the key rule governs.
const KEYED: [&str; 9] = [
    "CODE_KEY",
    "ACCESS_TOKEN_SIGNING_KEY",
    "ACCESS_TOKEN_PUBLIC_KEYS",
    "JWT_ISSUER",
    "JWT_AUDIENCE",
    "CURSOR_KEY",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "WEB_APP_URL",
];

/// The `Keys::NAME` a function's main.rs serves with.
fn keys_of(main_rs: &str) -> Option<String> {
    let after = main_rs.split("Keys::").nth(1)?;
    Some(after.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect())
}

/// Whether any statement of the function's `Policies` allows `action`.
fn allows(resource: &Value, action: &str) -> bool {
    list(property(resource, &["Policies"])).iter().any(|policy| {
        list(policy.get("Statement"))
            .iter()
            .any(|s| list(s.get("Action")).iter().any(|a| a.as_str().is_some_and(|a| a.eq_ignore_ascii_case(action))))
    })
}

/// Whether `resource` is allowed sns:Publish on `*` (`to_phones`: texts) or on a named topic.
fn publishes(resource: &Value, to_phones: bool) -> bool {
    list(property(resource, &["Policies"])).iter().any(|policy| {
        list(policy.get("Statement")).iter().any(|statement| {
            let allow = statement.get("Effect").and_then(Value::as_str) != Some("Deny");
            let publish = list(statement.get("Action")).iter().any(|a| a.as_str() == Some("sns:Publish"));
            let everything = statement.get("Resource").and_then(Value::as_str) == Some("*");
            allow && publish && everything == to_phones
        })
    })
}

/// Functions holding a variable they do not read or lacking one they need; `main_rs` gives
/// a function's main.rs by its `CodeUri`.
fn variable_problems(doc: &Value, main_rs: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let mut problems = Vec::new();
    let global: BTreeMap<String, Value> = doc
        .get("Globals")
        .and_then(|g| g.get("Function"))
        .and_then(|f| f.get("Environment"))
        .and_then(|e| e.get("Variables"))
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str().unwrap_or("?").to_owned(), v.clone()))
        .collect();
    let mut claims: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (function, resource) in of_type(doc, "AWS::Serverless::Function") {
        let mut variables = global.clone();
        let own = property(resource, &["Environment", "Variables"]).and_then(Value::as_mapping);
        variables.extend(own.into_iter().flatten().map(|(k, v)| (k.as_str().unwrap_or("?").to_owned(), v.clone())));
        let code = property(resource, &["CodeUri"]).and_then(Value::as_str).unwrap_or("?");
        let Some(keys) = main_rs(code).as_deref().and_then(keys_of) else {
            problems.push(format!("{function}: no Keys::<name> in {code}/src/main.rs"));
            continue;
        };
        let Some(mut wanted) = key_variables(&keys) else {
            problems.push(format!("{function}: Keys::{keys} is not one this test knows; add it to key_variables"));
            continue;
        };
        if variables.contains_key("MAIL_SENDER") {
            // Mailed links point at the web app.
            wanted.insert("WEB_APP_URL");
        }
        let held: BTreeSet<&str> = KEYED.iter().copied().filter(|name| variables.contains_key(*name)).collect();
        for extra in held.difference(&wanted) {
            problems.push(format!("{function} (Keys::{keys}) gets {extra}, which it does not read"));
        }
        for missing in wanted.difference(&held) {
            problems.push(format!("{function} (Keys::{keys}) lacks {missing}"));
        }
        for claim in ["JWT_ISSUER", "JWT_AUDIENCE"] {
            if let Some(value) = variables.get(claim).and_then(Value::as_str) {
                claims.entry(claim).or_default().insert(value.to_owned());
            }
        }
        // Endpoints exactly where the policy lets the function use them.
        for (variable, action, allowed) in [
            (
                "CONNECTIONS_ENDPOINT",
                "execute-api:ManageConnections",
                allows(resource, "execute-api:ManageConnections"),
            ),
            // A topic is a named resource; texts to phone numbers are Publish on `*`.
            ("NOTIFICATIONS_TOPIC_ARN", "sns:Publish to a topic", publishes(resource, false)),
            ("PHONE_COUNTRIES", "sns:Publish to phone numbers", publishes(resource, true)),
            ("UPLOADS_BUCKET", "s3:GetObject", allows(resource, "s3:GetObject")),
            ("MAIL_SENDER", "ses:SendEmail", allows(resource, "ses:SendEmail")),
        ] {
            match (variables.contains_key(variable), allowed) {
                (true, false) => problems.push(format!("{function} gets {variable} but may not {action}")),
                (false, true) => problems.push(format!("{function} may {action} but lacks {variable}")),
                _ => {}
            }
        }
        if !variables.contains_key("TABLE_NAME") {
            problems.push(format!("{function} lacks TABLE_NAME"));
        }
    }
    for (claim, values) in claims {
        if values.len() > 1 {
            problems.push(format!("{claim} differs between functions ({values:?}): tokens would be refused"));
        }
    }
    problems
}

fn repository_main_rs(code: &str) -> Option<String> {
    std::fs::read_to_string(root().join(code).join("src/main.rs")).ok()
}

fn function_mut<'a>(doc: &'a mut Value, id: &str) -> &'a mut Value {
    doc.get_mut("Resources").and_then(|r| r.get_mut(id)).unwrap()
}

#[test]
fn every_function_has_its_errors_and_throttles_alarms() {
    let doc = repository_template();
    assert!(of_type(&doc, "AWS::Serverless::Function").count() >= 17, "functions are read from the template");
    assert_eq!(alarm_problems(&doc), Vec::<String>::new());
}

#[test]
fn a_function_without_alarms_is_caught() {
    let mut doc = repository_template();
    // A new function copied from an existing one, without alarms of its own.
    let copy = function_mut(&mut doc, "ProfileFunction").clone();
    doc.get_mut("Resources").and_then(Value::as_mapping_mut).unwrap().insert("NewFunction".into(), copy);
    let problems = alarm_problems(&doc);
    assert_eq!(problems, vec!["NewFunction has no Errors alarm", "NewFunction has no Throttles alarm"]);
    // An alarm that notifies no one.
    let mut doc = repository_template();
    let alarm = function_mut(&mut doc, "ProfileFunctionErrorsAlarm");
    alarm.get_mut("Properties").and_then(Value::as_mapping_mut).unwrap().remove("OKActions");
    assert_eq!(alarm_problems(&doc), vec!["ProfileFunctionErrorsAlarm: OKActions does not include !Ref AlarmTopic"]);
}

#[test]
fn every_stream_and_asynchronous_source_has_a_failure_destination() {
    let doc = repository_template();
    assert_eq!(failure_handling_problems(&doc), Vec::<String>::new());
}

#[test]
fn a_source_without_failure_handling_is_caught() {
    let text = std::fs::read_to_string(root().join("template.yaml")).unwrap();
    // A schedule without its dead-letter queue and retry policy.
    let without_dlq = text.replacen(
        "            RetryPolicy:\n              MaximumRetryAttempts: 10\n              MaximumEventAgeInSeconds: 300\n            DeadLetterConfig:\n              Arn: !GetAtt ScheduleFailures.Arn\n",
        "",
        1,
    );
    assert_ne!(without_dlq, text);
    let problems = failure_handling_problems(&serde_yaml::from_str(&without_dlq).unwrap());
    assert!(problems.iter().any(|p| p.starts_with("RemindersFunction.Every5Minutes: no RetryPolicy")), "{problems:?}");
    assert!(
        problems.iter().any(|p| p.starts_with("RemindersFunction.Every5Minutes: no DeadLetterConfig.Arn")),
        "{problems:?}"
    );

    let mut doc = repository_template();
    // A stream consumer without its destination, and an unencrypted failure queue.
    let deliver = function_mut(&mut doc, "DeliverFunction");
    let event =
        deliver.get_mut("Properties").and_then(|p| p.get_mut("Events")).and_then(|e| e.get_mut("NewNotifications"));
    event.and_then(|e| e.get_mut("Properties")).and_then(Value::as_mapping_mut).unwrap().remove("DestinationConfig");
    let queue = function_mut(&mut doc, "ScheduleFailures");
    queue.get_mut("Properties").and_then(Value::as_mapping_mut).unwrap().remove("SqsManagedSseEnabled");
    // A scheduled function without its on-failure destination.
    let job = function_mut(&mut doc, "LeaderboardJobFunction");
    job.get_mut("Properties").and_then(Value::as_mapping_mut).unwrap().remove("EventInvokeConfig");
    let problems = failure_handling_problems(&doc);
    for expected in [
        "DeliverFunction.NewNotifications: no DestinationConfig.OnFailure.Destination",
        "RemindersFunction.Every5Minutes: DeadLetterConfig.Arn ScheduleFailures is not encrypted",
        "LeaderboardJobFunction.WeeklyBoards: no EventInvokeConfig on-failure destination",
    ] {
        assert!(problems.iter().any(|p| p.starts_with(expected)), "{expected} not in {problems:?}");
    }

    // A queue nobody watches, and an event type nobody decided about.
    let mut doc = repository_template();
    let resources = doc.get_mut("Resources").and_then(Value::as_mapping_mut).unwrap();
    resources.retain(|id, _| id.as_str() != Some("StreamFailuresDepthAlarm"));
    let award = function_mut(&mut doc, "AwardPointsFunction");
    let events = award.get_mut("Properties").and_then(|p| p.get_mut("Events")).and_then(Value::as_mapping_mut).unwrap();
    events.insert("Queue".into(), serde_yaml::from_str("{Type: SQS, Properties: {}}").unwrap());
    let problems = failure_handling_problems(&doc);
    assert!(problems.contains(&"failure queue StreamFailures has no depth alarm".to_owned()), "{problems:?}");
    assert!(problems.iter().any(|p| p.starts_with("AwardPointsFunction.Queue: event type SQS")), "{problems:?}");
}

#[test]
fn stream_and_scheduled_functions_reserve_concurrency() {
    // Decided in docs/ARCHITECTURE.md (Runbook): event-driven functions hold reserved
    // concurrency, and the reservations stay small beside the 100 Lambda keeps unreserved.
    let doc = repository_template();
    let mut total = 0;
    for (function, resource) in of_type(&doc, "AWS::Serverless::Function") {
        let events = property(resource, &["Events"]).and_then(Value::as_mapping);
        let event_driven = events
            .into_iter()
            .flatten()
            .any(|(_, e)| e.get("Type").and_then(Value::as_str).is_some_and(|t| !SYNC_SOURCES.contains(&t)));
        let reserved = property(resource, &["ReservedConcurrentExecutions"]);
        // `!If [ReservesConcurrency, n, !Ref AWS::NoValue]`: the reservation is n.
        let amount = reserved.and_then(|r| match r {
            Value::Tagged(tagged) => tagged.value.as_sequence().and_then(|s| s.get(1)).and_then(Value::as_u64),
            other => other.as_u64(),
        });
        assert_eq!(event_driven, amount.is_some(), "{function}: reserved concurrency {reserved:?}");
        total += amount.unwrap_or(0);
    }
    assert!((1..=50).contains(&total), "{total} reserved in all");
}

#[test]
fn each_function_gets_exactly_the_variables_it_reads() {
    let doc = repository_template();
    assert_eq!(variable_problems(&doc, repository_main_rs), Vec::<String>::new());
}

#[test]
fn a_variable_where_it_is_not_read_or_missing_where_it_is_is_caught() {
    // Back in Globals, the token claims reach functions that check no token.
    let mut doc = repository_template();
    let globals = doc.get_mut("Globals").and_then(|g| g.get_mut("Function")).and_then(|f| f.get_mut("Environment"));
    let variables = globals.and_then(|e| e.get_mut("Variables")).and_then(Value::as_mapping_mut).unwrap();
    variables.insert("JWT_ISSUER".into(), "peerlearn".into());
    let problems = variable_problems(&doc, repository_main_rs);
    assert!(problems.contains(&"DeliverFunction (Keys::NONE) gets JWT_ISSUER, which it does not read".to_owned()));
    assert!(!problems.iter().any(|p| p.starts_with("ProfileFunction")), "{problems:?}");

    // A checker without the audience, a different issuer, an endpoint without its permission.
    let mut doc = repository_template();
    let profile = function_mut(&mut doc, "ProfileFunction");
    let own = profile.get_mut("Properties").and_then(|p| p.get_mut("Environment")).and_then(|e| e.get_mut("Variables"));
    let own = own.and_then(Value::as_mapping_mut).unwrap();
    own.remove("JWT_AUDIENCE");
    own.insert("JWT_ISSUER".into(), "someone-else".into());
    own.insert("NOTIFICATIONS_TOPIC_ARN".into(), "arn".into());
    let problems = variable_problems(&doc, repository_main_rs);
    for expected in [
        "ProfileFunction (Keys::CHECK) lacks JWT_AUDIENCE",
        "ProfileFunction gets NOTIFICATIONS_TOPIC_ARN but may not sns:Publish",
        "JWT_ISSUER differs between functions",
    ] {
        assert!(problems.iter().any(|p| p.starts_with(expected)), "{expected} not in {problems:?}");
    }

    // A function whose main.rs holds other keys than the template gives it.
    let doc = repository_template();
    let problems = variable_problems(&doc, |code| {
        let main = repository_main_rs(code)?;
        Some(if code == "functions/leaderboard" { main.replace("Keys::CHECK", "Keys::CHECK_AND_PAGE") } else { main })
    });
    assert_eq!(problems, vec!["LeaderboardFunction (Keys::CHECK_AND_PAGE) lacks CURSOR_KEY"]);
}
