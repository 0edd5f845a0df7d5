//! Telemetry: the request id clients get back (header and problem documents), one log line
//! per request, EMF metric lines for latency and business events, and X-Ray subsegments
//! for AWS calls. Log and metric lines are captured process-wide, so this binary holds the
//! flows that produce them in one test, and the X-Ray check (which logs no request) apart.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use chrono::DurationRound as _;
use peerlearn_tests::realtime::{WsClient, realtime};
use peerlearn_tests::{
    Call, CapturedLines, STARTS_AT, available_mentor, endpoint, instant, invoke_event, member, sample_event,
};
use serde_json::{Value, json};
use shared::observability::aws_calls::AwsCalls;
use shared::observability::scope::{Invocation, within};

/// Checks `line` is a valid EMF document: every metric the directive names has a numeric
/// value and every dimension key is a top-level string. Returns the metric names.
fn emf_metrics(line: &Value) -> Vec<String> {
    let aws = &line["_aws"];
    assert!(aws["Timestamp"].is_i64(), "no timestamp: {line}");
    let directives = aws["CloudWatchMetrics"].as_array().unwrap();
    assert!(!directives.is_empty(), "{line}");
    let mut names = Vec::new();
    for directive in directives {
        assert_eq!(directive["Namespace"], "Peerlearn");
        for set in directive["Dimensions"].as_array().unwrap() {
            for key in set.as_array().unwrap() {
                assert!(line[key.as_str().unwrap()].is_string(), "dimension {key} has no string value: {line}");
            }
        }
        for metric in directive["Metrics"].as_array().unwrap() {
            let name = metric["Name"].as_str().unwrap();
            assert!(line[name].is_number(), "metric {name} has no numeric value: {line}");
            assert!(["Count", "Milliseconds"].contains(&metric["Unit"].as_str().unwrap()), "{line}");
            names.push(name.to_owned());
        }
    }
    names
}

#[tokio::test]
async fn requests_carry_their_id_log_one_line_and_emit_metrics() {
    let logs = CapturedLines::default();
    let writer = logs.clone();
    // As `shared::observability::init` sets it up, one level lower to see the AWS calls.
    tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing_subscriber::filter::LevelFilter::DEBUG)
        .with_current_span(true)
        .with_span_list(false)
        .with_writer(move || writer.clone())
        .init();
    let metrics = CapturedLines::default();
    let sink = metrics.clone();
    assert!(shared::observability::metrics::capture(move |line| sink.push_line(line)));

    let rt = realtime().await;
    let app = rt.app;
    let http = reqwest::Client::new();

    // Over HTTP, the gateway's request id (`apigw-requestid`) comes back as `x-request-id`
    // and in problem documents.
    let refused = http.get(format!("{}/me", rt.http)).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let gateway_id = refused.headers()["apigw-requestid"].to_str().unwrap().to_owned();
    assert_eq!(refused.headers()["x-request-id"], gateway_id.as_str());
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["request_id"], gateway_id.as_str());
    let registered = http
        .post(format!("{}/auth/register", rt.http))
        .json(&json!({"email": "telemetry-bob@example.com", "password": "correct horse battery", "name": "Bob", "roles": "learner"}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 201);
    let register_id = registered.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(registered.headers()["apigw-requestid"], register_id.as_str());
    assert_ne!(register_id, gateway_id);

    // Through the handlers: the id the event carries; a 415 from the body rule has it too.
    let ana = member(app, "telemetry-ana@example.com", "learner").await;
    let mut untyped = Call::new("POST", "/sessions").token(&ana.token);
    untyped.body = Some("{}".into());
    let untyped = untyped.send(app).await;
    assert_eq!(untyped.status, 415);
    assert_eq!(untyped.headers["x-request-id"], "test-request");
    assert_eq!(untyped.body["request_id"], "test-request");

    // A session booked and accepted, and a chat message.
    let mentor = available_mentor(app, "telemetry-mentor@example.com", "UTC").await;
    let start = (app.clock.now() + chrono::Duration::hours(30)).duration_trunc(chrono::Duration::minutes(15)).unwrap();
    let request =
        json!({"mentor_id": mentor.id, "start": start.to_rfc3339(), "duration_minutes": 60, "topic": "Ownership"});
    let created = Call::new("POST", "/sessions").token(&ana.token).json(request).send(app).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.headers["x-request-id"], "test-request");
    let session = created.body["id"].as_str().unwrap();
    let accepted = Call::new("POST", &format!("/sessions/{session}/accept")).token(&mentor.token).send(app).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    let mut ws = WsClient::connect(&rt.ws, &ana.token).await.unwrap();
    ws.send(&json!({"action": "sendMessage", "to_user_id": mentor.id, "text": "hello", "client_msg_id": "t-1"})).await;
    ws.expect("ack").await;
    ws.close().await;
    // An event function's error line carries the invocation's request id (its span).
    let unreadable = sample_event("award-points/session-completed.json", |change| {
        change["NewImage"]["booking"]["M"]["slot"]["M"]["duration_minutes"] = json!({"S": "sixty"});
    });
    invoke_event(app, "award-points", unreadable).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // One `request` line per request: id, route template, status, latency, cold start, caller.
    let lines = logs.json();
    let requests: Vec<&Value> = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "request" && l["target"] == "shared::runtime")
        .map(|l| &l["fields"])
        .collect();
    for line in &requests {
        for field in ["request_id", "route", "status", "latency_ms", "cold_start", "aws_calls", "aws_ms"] {
            assert!(!line[field].is_null(), "{field} missing: {line}");
        }
    }
    let find = |route: &str, status: u16| {
        requests
            .iter()
            .find(|l| l["route"] == route && l["status"] == status)
            .unwrap_or_else(|| panic!("no {route} {status} line"))
    };
    let me = find("GET /me", 401);
    assert_eq!(me["request_id"], gateway_id.as_str());
    assert!(me["member"].is_null());
    assert_eq!(find("POST /sessions", 201)["member"], ana.id.as_str());
    // The body rule refuses before the handler checks the token: no caller known.
    assert!(find("POST /sessions", 415)["member"].is_null());
    let accept = find("POST /sessions/{id}/accept", 200);
    assert_eq!(accept["member"], mentor.id.as_str());
    assert!(accept["aws_calls"].as_u64().unwrap() > 0);
    assert!(requests.iter().all(|l| !l["route"].as_str().unwrap().contains(session)));
    let register = requests.iter().filter(|l| l["request_id"] == register_id.as_str()).count();
    assert_eq!(register, 1, "one line for the registration");
    // The first invocation of the process, and only it, is the cold start.
    let invocations =
        lines.iter().filter(|l| ["request", "invocation"].contains(&l["fields"]["message"].as_str().unwrap_or("")));
    assert_eq!(invocations.filter(|l| l["fields"]["cold_start"] == true).count(), 1);
    // The registration's AWS calls, timed, each naming the request.
    let calls: Vec<&Value> = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "aws call" && l["fields"]["request_id"] == register_id.as_str())
        .collect();
    assert!(!calls.is_empty(), "no AWS call logged inside the registration");
    assert!(calls.iter().all(|c| c["fields"]["service"] == "DynamoDB" && c["fields"]["ms"].is_u64()));
    assert!(calls.iter().any(|c| c["fields"]["operation"] == "TransactWriteItems"));
    // Event functions log one `invocation` line each, with their request id.
    let sent = lines
        .iter()
        .find(|l| l["fields"]["message"] == "invocation" && l["fields"]["function"] == "send-message")
        .expect("an invocation line for send-message");
    assert_eq!(sent["fields"]["ok"], true);
    assert!(sent["fields"]["request_id"].is_string());
    let skipped =
        lines.iter().find(|l| l["fields"]["message"] == "skipping a session change that cannot be read").unwrap();
    assert!(skipped["span"]["request_id"].is_string());
    let award = |l: &&Value| {
        l["fields"]["message"] == "invocation"
            && l["fields"]["function"] == "award-points"
            && l["fields"]["request_id"] == skipped["span"]["request_id"]
    };
    assert_eq!(lines.iter().filter(award).count(), 1, "the invocation that skipped names the same id");

    // EMF lines: all valid, stamped by the app's clock, counting what happened.
    let metrics = metrics.json();
    let starts = instant(STARTS_AT).timestamp_millis();
    let mut seen = Vec::new();
    for line in &metrics {
        let at = line["_aws"]["Timestamp"].as_i64().unwrap();
        assert!((starts..starts + 86_400_000).contains(&at), "not the app's clock: {line}");
        for name in emf_metrics(line) {
            seen.push((name, line["Function"].as_str().unwrap().to_owned(), line.clone()));
        }
    }
    let count = |name: &str, function: &str| seen.iter().filter(|(n, f, _)| n == name && f == function).count();
    assert_eq!(count("Registrations", "register"), 3, "bob, ana and the mentor: {seen:?}");
    assert_eq!(count("SessionsRequested", "book"), 1);
    assert_eq!(count("SessionsConfirmed", "book"), 1);
    assert_eq!(count("MessagesSent", "send-message"), 1);
    let latency = seen
        .iter()
        .find(|(n, f, line)| n == "Latency" && f == "register" && line["Route"] == "POST /auth/register")
        .expect("a latency line for registrations");
    assert_eq!(latency.2["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json!([["Function", "Route"]]));
    assert_eq!(latency.2["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"], "Milliseconds");
    assert!(seen.iter().any(|(n, _, line)| n == "Latency" && line["Route"] == "POST /sessions/{id}/accept"));
    // Names and numbers only: no email, no topic, no text, no ids.
    let text = metrics.iter().map(Value::to_string).collect::<String>();
    for value in ["example.com", "Ownership", "hello", &ana.id, &mentor.id, session] {
        assert!(!text.contains(value), "a metric line carries {value}");
    }
}

#[tokio::test]
async fn an_aws_call_in_a_traced_invocation_goes_to_the_daemon_as_a_subsegment() {
    let daemon = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    // A client with this interceptor alone (local.rs adds one without a daemon).
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "test"))
        .endpoint_url(endpoint())
        .interceptor(AwsCalls::to_daemon(daemon.local_addr().unwrap()))
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    let root = "1-5759e988-bd862e3fe1be46a994272793";
    let trace = format!("Root={root};Parent=53995c3f42cd8ad8;Sampled=1");
    let invocation = Invocation::new("xray-test".into(), "test", Some(trace.clone()));
    let (listed, state) = within(invocation, client.list_tables().limit(1).send()).await;
    listed.unwrap();
    assert_eq!(state.aws_calls, 1);

    let mut buffer = vec![0u8; 65_536];
    let received = tokio::time::timeout(Duration::from_secs(5), daemon.recv(&mut buffer)).await.unwrap().unwrap();
    let datagram = std::str::from_utf8(&buffer[..received]).unwrap();
    let (header, document) = datagram.split_once('\n').unwrap();
    assert_eq!(serde_json::from_str::<Value>(header).unwrap(), json!({"format": "json", "version": 1}));
    let document: Value = serde_json::from_str(document).unwrap();
    assert_eq!(document["name"], "DynamoDB");
    assert_eq!(document["namespace"], "aws");
    assert_eq!(document["type"], "subsegment");
    assert_eq!(document["aws"]["operation"], "ListTables");
    assert_eq!(document["trace_id"], root);
    assert_eq!(document["parent_id"], "53995c3f42cd8ad8");
    let id = document["id"].as_str().unwrap();
    assert!(id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    let (start, end) = (document["start_time"].as_f64().unwrap(), document["end_time"].as_f64().unwrap());
    assert!(start > 1.0e9 && start <= end, "{start} {end}");
    assert_eq!(document["http"]["response"]["status"], 200);
    assert!(document.get("error").is_none() && document.get("fault").is_none());

    // A refused call is an error subsegment; an untraced or unsampled call sends nothing.
    let invocation = Invocation::new("xray-test".into(), "test", Some(trace));
    let missing = within(invocation, client.describe_table().table_name("no-such-table").send()).await.0;
    assert!(missing.is_err());
    let received = tokio::time::timeout(Duration::from_secs(5), daemon.recv(&mut buffer)).await.unwrap().unwrap();
    let document: Value =
        serde_json::from_str(std::str::from_utf8(&buffer[..received]).unwrap().split_once('\n').unwrap().1).unwrap();
    assert_eq!(
        (document["aws"]["operation"].as_str(), document["error"].as_bool()),
        (Some("DescribeTable"), Some(true))
    );
    client.list_tables().limit(1).send().await.unwrap();
    let unsampled =
        Invocation::new("xray-test".into(), "test", Some(format!("Root={root};Parent=53995c3f42cd8ad8;Sampled=0")));
    within(unsampled, client.list_tables().limit(1).send()).await.0.unwrap();
    let nothing = tokio::time::timeout(Duration::from_millis(300), daemon.recv(&mut buffer)).await;
    assert!(nothing.is_err(), "a subsegment was sent for an untraced call");
}
