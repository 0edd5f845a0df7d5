//! Contract checks: the template, the OpenAPI document, the handlers and the sample events
//! agree with each other.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dev_gateway::{Gateway, GatewayError, handlers, openapi};
use peerlearn_tests::{app, as_function, invoke_event, register, reply, template};

#[test]
fn template_routes_and_openapi_operations_are_the_same_set() {
    let doc = openapi::document(&handlers::functions());
    let documented: BTreeSet<String> = openapi::route_keys(&doc).into_iter().collect();
    let routed: BTreeSet<String> = template().routes.iter().map(|r| r.key()).collect();
    assert!(!routed.is_empty());
    assert_eq!(routed, documented, "template.yaml routes vs OpenAPI operations");
    let json = serde_json::to_value(&doc).unwrap();
    assert!(json["openapi"].as_str().unwrap().starts_with("3.1"));
}

#[tokio::test]
async fn the_gateway_refuses_to_start_when_template_and_handlers_disagree() {
    let (client, name) = peerlearn_tests::fresh_table().await;
    let config = dev_gateway::local::config(&name, &peerlearn_tests::endpoint()).unwrap();
    let make = || shared::app::App::new(&config, client.clone(), std::sync::Arc::new(shared::ports::SystemClock));
    let mut fewer = handlers::functions();
    fewer.retain(|f| f.name != "profile");
    match Gateway::new(make(), template().clone(), &fewer, &handlers::events()) {
        Err(GatewayError::Mismatch { missing, unlisted }) => {
            assert_eq!(missing, ["profile"]);
            assert!(unlisted.is_empty());
        }
        Ok(_) | Err(GatewayError::Iam(_)) => panic!("a template function without a handler must stop the gateway"),
    }
    let mut trimmed = template().clone();
    trimmed.functions.remove("login");
    match Gateway::new(make(), trimmed, &handlers::functions(), &handlers::events()) {
        Err(GatewayError::Mismatch { unlisted, .. }) => assert_eq!(unlisted, ["login"]),
        Ok(_) | Err(GatewayError::Iam(_)) => panic!("a handler without a template entry must stop the gateway"),
    }
    // A policy the local IAM check cannot model stops it too, naming the function.
    let mut unmodelled = template().clone();
    let policies = unmodelled.policies.get_mut("reminders").unwrap();
    policies.push(serde_yaml::from_str("KinesisStreamReadPolicy: {StreamName: s}").unwrap());
    match Gateway::new(make(), unmodelled, &handlers::functions(), &handlers::events()) {
        Err(error @ GatewayError::Iam(_)) => {
            let message = error.to_string();
            assert!(message.contains("reminders") && message.contains("KinesisStreamReadPolicy"), "{message}");
        }
        _ => panic!("an unmodelled policy must stop the gateway"),
    }
    assert!(Gateway::new(make(), template().clone(), &handlers::functions(), &handlers::events()).is_ok());
}

fn sample_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(sample_files(&path));
        } else if path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The status each sample must produce.
fn expected_status(file: &str) -> u16 {
    match file {
        "register/register.json" => 201,
        "login/login.json" | "login/refresh.json" => 200,
        "login/logout.json" => 204,
        "profile/get-me.json" | "profile/patch-me.json" | "profile/get-user.json" => 200,
        // Blocking a member who does not exist is a 404; unblocking is idempotent.
        "profile/block-member.json" => 404,
        "profile/unblock-member.json" => 204,
        "matching/match.json" | "matching/search-mentors.json" => 200,
        // The sample user is not a verified mentor, so booking them is refused; the
        // session samples name a session that does not exist.
        "book/request-session.json" => 400,
        "book/list-sessions.json" => 200,
        "review/review-session.json" => 404,
        "review/mentor-reviews.json" => 200,
        "book/get-session.json"
        | "book/accept-session.json"
        | "book/cancel-session.json"
        | "book/session-calendar.json" => 404,
        "points/my-points.json" | "points/member-badges.json" | "leaderboard/weekly.json" => 200,
        "notifications/list-notifications.json"
        | "notifications/read-all.json"
        | "conversations/list-conversations.json" => 200,
        // Neither names something of the sample user's.
        "notifications/read-notification.json" | "conversations/list-messages.json" => 404,
        other => panic!("events/{other} has no expected status in tests/contract.rs"),
    }
}

/// What each event sample must produce: a WebSocket status (and error status in the frame),
/// or a stream batch with no failures, or any object (schedules).
fn check_event_result(file: &str, result: &serde_json::Value) {
    let frame = || serde_json::from_str::<serde_json::Value>(result["body"].as_str().unwrap_or("{}")).unwrap();
    match file {
        "ws-connect/connect.json" | "ws-disconnect/disconnect.json" => assert_eq!(result["statusCode"], 200, "{file}"),
        "ws-connect/connect-without-token.json" => assert_eq!(result["statusCode"], 401, "{file}"),
        // Chat routes answer 200 with a frame; these are error frames: the sample's
        // connection is not known when it runs (401), and "dance" is no action (400).
        "send-message/send-message.json" => assert_eq!(frame()["problem"]["status"], 401, "{file}: {result}"),
        "send-message/unknown-action.json" => assert_eq!(frame()["problem"]["status"], 400, "{file}: {result}"),
        "deliver/new-notification.json" | "award-points/session-completed.json" => {
            assert_eq!(result["batchItemFailures"], serde_json::json!([]), "{file}: {result}")
        }
        "reminders/scheduled.json" => assert!(result.is_object(), "{file}: {result}"),
        // The schedule's Input: closes last week (empty boards in the sample's table).
        "leaderboard-job/weekly.json" => assert_eq!(result["boards"][0]["closed_now"], true, "{file}: {result}"),
        other => panic!("events/{other} has no expected result in tests/contract.rs"),
    }
}

#[tokio::test]
async fn every_sample_event_runs_through_its_function() {
    let app = app().await;
    let session = register(app, "sample@example.com", "both").await;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events");
    let mut files = sample_files(&root);
    // Signing out ends the shared sample session, so it runs after everything else.
    files.sort_by_key(|path| path.ends_with("logout.json"));
    let functions = handlers::functions();
    let mut covered = BTreeSet::new();
    for path in files {
        let relative = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        let function_name = relative.split('/').next().unwrap().to_owned();
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("{{access_token}}", session["access_token"].as_str().unwrap())
            .replace("{{refresh_token}}", session["refresh_token"].as_str().unwrap())
            .replace("{{user_id}}", session["user"]["id"].as_str().unwrap());
        if handlers::events().iter().any(|f| f.name == function_name) {
            let event: serde_json::Value = serde_json::from_str(&text).unwrap();
            let result = invoke_event(app, &function_name, event).await.unwrap_or_else(|e| panic!("{relative}: {e}"));
            check_event_result(&relative, &result);
            covered.insert(function_name);
            continue;
        }
        let request = lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{relative}: {e}"));
        let function = functions
            .iter()
            .find(|f| f.name == function_name)
            .unwrap_or_else(|| panic!("{relative}: no function {function_name}"));
        let answer = reply(as_function(app, function.name, (function.handler)(app, request)).await);
        assert_eq!(answer.status, expected_status(&relative), "{relative}: {:?}", answer.body);
        covered.insert(function_name);
    }
    let all: BTreeSet<String> = template().functions.iter().cloned().collect();
    assert_eq!(covered, all, "every function has at least one sample event");
}
