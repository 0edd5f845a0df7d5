//! Contract checks: the template, the OpenAPI document, the handlers and the sample events
//! agree with each other.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dev_gateway::{Gateway, GatewayError, handlers, openapi};
use peerlearn_tests::{app, as_function, confirm_email, invoke_event, register, reply, template};

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

/// Client generators (the web client's openapi-typescript among them) refuse a document
/// where two operations share an id, and utoipa derives ids from function names.
#[test]
fn every_operation_id_is_unique() {
    let json = serde_json::to_value(openapi::document(&handlers::functions())).unwrap();
    let mut seen = BTreeSet::new();
    for (path, item) in json["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(id) = operation.get("operationId").and_then(|id| id.as_str()) else { continue };
            assert!(seen.insert(id.to_owned()), "operationId {id} of {method} {path} is taken by another operation");
        }
    }
    assert!(seen.len() > 50, "{} operations", seen.len());
}

/// A `$ref` to a schema no function registered passes utoipa and Schemathesis but stops
/// client generators.
#[test]
fn every_schema_reference_resolves() {
    fn refs<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(target) = map.get("$ref").and_then(|r| r.as_str()) {
                    out.push(target);
                }
                map.values().for_each(|v| refs(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let json = serde_json::to_value(openapi::document(&handlers::functions())).unwrap();
    let mut found = Vec::new();
    refs(&json, &mut found);
    assert!(found.len() > 100, "{} references", found.len());
    let dangling: BTreeSet<&str> =
        found.into_iter().filter(|target| json.pointer(target.trim_start_matches('#')).is_none()).collect();
    assert!(dangling.is_empty(), "references to nothing: {dangling:?}");
}

#[tokio::test]
async fn the_gateway_refuses_to_start_when_template_and_handlers_disagree() {
    let (client, name) = peerlearn_tests::fresh_table().await;
    let config = dev_gateway::local::config(&name, &peerlearn_tests::endpoint()).unwrap();
    let make = || {
        shared::startup::build(
            &config,
            shared::startup::Clients::new(client.clone()),
            std::sync::Arc::new(shared::ports::SystemClock),
        )
    };
    // Functions picked from the template: one with routes, one scheduled.
    let routed = template().routes[0].function.clone();
    let scheduled = template().schedules[0].function.clone();
    let mut fewer = handlers::functions();
    fewer.retain(|f| f.name != routed);
    match Gateway::new(make(), template().clone(), &fewer, &handlers::events()) {
        Err(GatewayError::Mismatch { missing, unlisted }) => {
            assert_eq!(missing, std::slice::from_ref(&routed));
            assert!(unlisted.is_empty());
        }
        Ok(_) | Err(GatewayError::Iam(_)) => panic!("a template function without a handler must stop the gateway"),
    }
    let mut trimmed = template().clone();
    trimmed.functions.remove(&routed);
    match Gateway::new(make(), trimmed, &handlers::functions(), &handlers::events()) {
        Err(GatewayError::Mismatch { unlisted, .. }) => assert_eq!(unlisted, std::slice::from_ref(&routed)),
        Ok(_) | Err(GatewayError::Iam(_)) => panic!("a handler without a template entry must stop the gateway"),
    }
    // A policy the local IAM check cannot model stops it too, naming the function.
    let mut unmodelled = template().clone();
    let policies = unmodelled.policies.get_mut(&scheduled).unwrap();
    policies.push(serde_yaml::from_str("KinesisStreamReadPolicy: {StreamName: s}").unwrap());
    match Gateway::new(make(), unmodelled, &handlers::functions(), &handlers::events()) {
        Err(error @ GatewayError::Iam(_)) => {
            let message = error.to_string();
            assert!(message.contains(&scheduled) && message.contains("KinesisStreamReadPolicy"), "{message}");
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

/// What the samples of one function must produce, from `events/<function>/expected.yaml`:
/// by sample file name, an HTTP status, or JSON pointers and their values in an event result.
fn expectations(dir: &Path) -> serde_yaml::Mapping {
    let path = dir.join("expected.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}: write each sample's expected outcome there", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The value at a JSON pointer, continuing into strings that hold JSON (a WebSocket reply's
/// body is JSON in a string).
fn at_pointer(value: &serde_json::Value, pointer: &str) -> Option<serde_json::Value> {
    let mut current = value.clone();
    for token in pointer.split('/').skip(1) {
        if let Some(text) = current.as_str() {
            current = serde_json::from_str(text).ok()?;
        }
        current = current.pointer(&format!("/{token}"))?.clone();
    }
    Some(current)
}

/// Checks an HTTP sample's status against its expectation (a number).
fn check_status(file: &str, expected: Option<&serde_yaml::Value>, status: u16, body: &serde_json::Value) {
    let expected = expected
        .and_then(serde_yaml::Value::as_u64)
        .unwrap_or_else(|| panic!("events/{file} has no expected status in its expected.yaml"));
    assert_eq!(u64::from(status), expected, "{file}: {body:?}");
}

/// Checks an event sample's result: a JSON object with each expected pointer's value.
fn check_event_result(file: &str, expected: Option<&serde_yaml::Value>, result: &serde_json::Value) {
    let expected = expected
        .and_then(serde_yaml::Value::as_mapping)
        .unwrap_or_else(|| panic!("events/{file} has no expected result (pointers and values) in its expected.yaml"));
    assert!(result.is_object(), "{file}: {result}");
    for (pointer, value) in expected {
        let pointer = pointer.as_str().unwrap_or_else(|| panic!("{file}: {pointer:?} is not a JSON pointer"));
        let value: serde_json::Value = serde_json::to_value(value).unwrap();
        assert_eq!(at_pointer(result, pointer), Some(value), "{file} at {pointer}: {result}");
    }
}

#[tokio::test]
async fn every_sample_event_runs_through_its_function() {
    let app = app().await;
    let session = register(app, "sample@example.com", "both").await;
    // The samples show each function's own checks, past the confirmed-address rule.
    confirm_email(app, session["user"]["id"].as_str().unwrap()).await;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events");
    let mut files = sample_files(&root);
    // Signing out ends the shared sample session, so it runs after everything else.
    files.sort_by_key(|path| path.ends_with("logout.json"));
    let functions = handlers::functions();
    let mut covered = BTreeSet::new();
    let mut expected_files = BTreeSet::new();
    for path in files {
        let relative = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        let function_name = relative.split('/').next().unwrap().to_owned();
        let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
        let expected = expectations(path.parent().unwrap());
        let expected = expected.get(file_name.as_str());
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("{{access_token}}", session["access_token"].as_str().unwrap())
            .replace("{{refresh_token}}", session["refresh_token"].as_str().unwrap())
            .replace("{{user_id}}", session["user"]["id"].as_str().unwrap());
        if handlers::events().iter().any(|f| f.name == function_name) {
            let event: serde_json::Value = serde_json::from_str(&text).unwrap();
            let result = invoke_event(app, &function_name, event).await.unwrap_or_else(|e| panic!("{relative}: {e}"));
            check_event_result(&relative, expected, &result);
        } else {
            let request = lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{relative}: {e}"));
            let function = functions
                .iter()
                .find(|f| f.name == function_name)
                .unwrap_or_else(|| panic!("{relative}: no function {function_name}"));
            let answer = reply(as_function(app, function.name, (function.handler)(app, request)).await);
            check_status(&relative, expected, answer.status, &answer.body);
        }
        expected_files.insert(relative);
        covered.insert(function_name);
    }
    let all: BTreeSet<String> = template().functions.iter().cloned().collect();
    let without: Vec<&String> = all.difference(&covered).collect();
    assert_eq!(
        covered, all,
        "every function has at least one sample event; add events/<function>/*.json for {without:?}"
    );
    // And every expectation belongs to a sample that ran.
    for function in &all {
        for name in expectations(&root.join(function)).keys() {
            let file = format!("{function}/{}", name.as_str().unwrap_or("?"));
            assert!(expected_files.contains(&file), "events/{function}/expected.yaml names {file}, which is no sample");
        }
    }
}

/// How the object-level authorization walk treats a route.
enum Walk {
    /// Names a resource of the two other members: the third member must get 403 or 404.
    Private,
    /// Public by design (any signed-in member may read it): 200, without the others'
    /// private data (their emails, sessions, notifications, conversations).
    Public,
    /// Acts on or lists the caller's own things, whatever id it names: any answer but a
    /// 5xx, and never the others' private data.
    Own,
    /// For admins only: the third member, who is no admin, must get 403.
    Admin,
    /// Not walked, for the reason given.
    Listed(&'static str),
}

/// Every route of template.yaml, classified. A route missing here fails the walk, so a new
/// route is walked (or listed with a reason) by whoever adds it.
fn walk_of(route: &str) -> Walk {
    match route {
        "GET /sessions/{id}"
        | "GET /sessions/{id}/calendar.ics"
        | "POST /sessions/{id}/accept"
        | "POST /sessions/{id}/reject"
        | "POST /sessions/{id}/cancel"
        | "POST /sessions/{id}/complete"
        | "POST /sessions/{id}/no-show"
        | "POST /sessions/{id}/reschedule"
        | "POST /sessions/{id}/reschedule/accept"
        | "POST /sessions/{id}/reschedule/decline"
        | "POST /sessions/{id}/review"
        | "POST /sessions/{id}/payment"
        | "GET /conversations/{id}/messages"
        | "POST /notifications/{id}/read" => Walk::Private,
        "POST /admin/points"
        | "GET /admin/verifications"
        | "GET /admin/verifications/{id}"
        | "POST /admin/verifications/{id}/approve"
        | "POST /admin/verifications/{id}/reject"
        | "GET /admin/audit"
        | "GET /admin/stats"
        | "GET /admin/payments"
        | "GET /admin/reports"
        | "POST /admin/reports/{id}/resolve"
        | "POST /admin/users/{id}/suspend"
        | "POST /admin/users/{id}/restore"
        | "GET /admin/users" => Walk::Admin,
        // Names another member on purpose: any member may report any other (once a day).
        "POST /users/{id}/report" => Walk::Own,
        "GET /users/{id}" | "GET /users/{id}/badges" | "GET /mentors/{id}/reviews" => Walk::Public,
        "GET /me"
        | "PATCH /me"
        | "PUT /me/blocks/{id}"
        | "DELETE /me/blocks/{id}"
        | "GET /me/points"
        | "GET /me/badges"
        | "GET /match"
        | "GET /mentors"
        | "GET /sessions"
        | "POST /sessions"
        | "GET /conversations"
        | "GET /notifications"
        | "POST /notifications/read-all"
        | "GET /leaderboards/{kind}"
        | "POST /me/uploads"
        | "GET /me/uploads"
        | "POST /me/uploads/{id}/complete" => Walk::Own,
        "GET /me/verification" | "POST /me/verification" => Walk::Own,
        "GET /me/payouts" | "POST /me/payouts/onboarding" | "GET /me/wallet" | "GET /me/transactions" => Walk::Own,
        "POST /me/identities/google" | "DELETE /me/identities/google" => Walk::Own,
        "PATCH /me/password" | "PATCH /me/email" | "POST /me/email/verification" => Walk::Own,
        "POST /me/phone" | "POST /me/phone/verify" => Walk::Own,
        "POST /webhooks/stripe" => Walk::Listed(
            "no bearer identity: Stripe's signature is the authority (tests/payments.rs covers unsigned, forged, stale and replayed)",
        ),
        "POST /auth/register"
        | "POST /auth/login"
        | "POST /auth/google"
        | "POST /auth/refresh"
        | "POST /auth/logout" => Walk::Listed(
            "no bearer identity to cross: the credential in the body is the authority (tests/accounts.rs covers reuse and revocation)",
        ),
        "POST /auth/verify-email" | "POST /auth/password/forgot" | "POST /auth/password/reset" => Walk::Listed(
            "no bearer identity to cross: a mailed single-use link (or, to ask for one, the address) is the authority (tests/accounts.rs covers reuse, expiry and voiding)",
        ),
        "POST /auth/otp/start" | "POST /auth/otp/verify" => Walk::Listed(
            "no bearer identity to cross: a texted single-use code (or, to ask for one, the number) is the authority (tests/accounts.rs covers guesses, reuse and unknown numbers)",
        ),
        _ => panic!("{route} is neither walked nor listed in tests/contract.rs (walk_of): classify it"),
    }
}

/// The body the walk sends, valid enough to get past validation to the authorization.
fn walk_body(route: &str, mentor_id: &str, start: &str) -> Option<serde_json::Value> {
    use serde_json::json;
    match route {
        "POST /sessions/{id}/reschedule" => Some(json!({"start": start, "duration_minutes": 60})),
        "POST /sessions/{id}/review" => Some(json!({"rating": 5, "text": "Great"})),
        "POST /sessions/{id}/cancel" => Some(json!({"reason": "Not mine to cancel"})),
        "POST /sessions" => Some(
            json!({"mentor_id": mentor_id, "start": start, "duration_minutes": 60, "topic": "Someone else's slot"}),
        ),
        "PATCH /me" => Some(json!({"headline": "Third member"})),
        "POST /me/uploads" => Some(json!({"purpose": "avatar", "content_type": "image/png", "size_bytes": 100})),
        "POST /me/verification" => Some(json!({"uploads": [mentor_id], "statement": "Not my upload"})),
        "POST /admin/verifications/{id}/reject" => Some(json!({"reason": "Not an admin"})),
        "POST /admin/points" => {
            Some(json!({"user_id": mentor_id, "points": 100, "role": "mentor", "reason": "Not an admin"}))
        }
        "POST /users/{id}/report" => Some(json!({"reason": "spam", "details": "Walk report"})),
        "POST /admin/reports/{id}/resolve" => Some(json!({"action": "dismissed"})),
        "POST /admin/users/{id}/suspend" => Some(json!({"reason": "Not an admin"})),
        _ => None,
    }
}

#[tokio::test]
async fn a_third_member_reaches_nothing_of_two_others_on_any_route() {
    use peerlearn_tests::{Call, STARTS_AT, instant, member, reviews, verify_mentor};
    use serde_json::json;
    use shared::app::ChatTarget;
    use shared::domain::{ClientMsgId, ConnectionId, ConversationId, MessageText, UserId};

    let app = app().await;
    // Two members with a session, a conversation and notifications between them.
    let mentor = member(app, "idor-mentor@example.com", "mentor").await;
    let week: Vec<_> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"day": d, "start": "00:00", "end": "24:00"}))
        .collect();
    let profile = json!({"timezone": "UTC", "availability": week, "skills": [{"name": "rust", "level": 5}]});
    assert_eq!(Call::new("PATCH", "/me").token(&mentor.token).json(profile).send(app).await.status, 200);
    verify_mentor(app, &mentor.id, reviews(10, 4.5)).await;
    let learner = member(app, "idor-learner@example.com", "learner").await;
    let start = (instant(STARTS_AT) + chrono::Duration::days(2)).to_rfc3339();
    let later = (instant(STARTS_AT) + chrono::Duration::days(3)).to_rfc3339();
    let body = json!({"mentor_id": mentor.id, "start": start, "duration_minutes": 60, "topic": "Borrowing"});
    let requested = Call::new("POST", "/sessions").token(&learner.token).json(body).send(app).await;
    assert_eq!(requested.status, 201, "{:?}", requested.body);
    let session = requested.body["id"].as_str().unwrap().to_owned();
    let accepted = Call::new("POST", &format!("/sessions/{session}/accept")).token(&mentor.token).send(app).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    let (mentor_uid, learner_uid) = (UserId::parse(&mentor.id).unwrap(), UserId::parse(&learner.id).unwrap());
    app.send_message(
        &learner_uid,
        &ConnectionId::parse("idor-device").unwrap(),
        ChatTarget::User(mentor_uid.clone()),
        MessageText::parse("See you then").unwrap(),
        ClientMsgId::parse("idor-1").unwrap(),
    )
    .await
    .unwrap();
    let conversation = ConversationId::between(&mentor_uid, &learner_uid).unwrap().to_string();
    let inbox = Call::new("GET", "/notifications").token(&mentor.token).send(app).await;
    let notification = inbox.body["notifications"][0]["id"].as_str().unwrap().to_owned();
    let messages = format!("/conversations/{conversation}/messages");
    assert_eq!(Call::new("GET", &messages).token(&learner.token).send(app).await.status, 200);

    // The third member: signed in, not an admin, and no part of any of it.
    let third = member(app, "idor-third@example.com", "both").await;
    let secrets = [
        session.as_str(),
        conversation.as_str(),
        notification.as_str(),
        "idor-mentor@example.com",
        "idor-learner@example.com",
    ];
    let (mut walked, mut listed) = (Vec::new(), Vec::new());
    for route in &template().routes {
        let key = route.key();
        let walk = walk_of(&key);
        if let Walk::Listed(reason) = walk {
            listed.push(format!("{key}: {reason}"));
            continue;
        }
        // Each `{name}` gets the resource of the other two that the route is about.
        let id = if route.path.starts_with("/sessions/") {
            session.as_str()
        } else if route.path.starts_with("/conversations/") {
            conversation.as_str()
        } else if route.path.starts_with("/notifications/") {
            notification.as_str()
        } else if route.path.starts_with("/leaderboards/") {
            "weekly"
        } else {
            mentor.id.as_str()
        };
        let path = route.path.replace("{id}", id).replace("{kind}", id);
        let method = key.split(' ').next().unwrap();
        let mut call = Call::new(method, &path).token(&third.token);
        if let Some(body) = walk_body(&key, &mentor.id, &later) {
            call = call.json(body);
        }
        let answer = call.send(app).await;
        assert!(answer.status < 500, "{key} as a third member: {} {:?}", answer.status, answer.body);
        match walk {
            Walk::Private => {
                assert!([403, 404].contains(&answer.status), "{key}: {} {:?}", answer.status, answer.body)
            }
            Walk::Public => assert_eq!(answer.status, 200, "{key}: {:?}", answer.body),
            Walk::Admin => assert_eq!(answer.status, 403, "{key}: a non-admin gets {:?}", answer.body),
            Walk::Own | Walk::Listed(_) => {}
        }
        let text = answer.body.to_string();
        for secret in secrets {
            assert!(!text.contains(secret), "{key} as a third member shows {secret}: {text}");
        }
        walked.push(key);
    }
    // Nothing the walk did changed the others' session.
    let still = Call::new("GET", &format!("/sessions/{session}")).token(&learner.token).send(app).await;
    assert_eq!(still.body["state"], "confirmed", "{:?}", still.body);
    assert_eq!(walked.len() + listed.len(), template().routes.len());
    assert_eq!(listed.len(), 11, "{listed:#?}");
    println!("IDOR walk: {} routes walked, {} listed:\n{}", walked.len(), listed.len(), listed.join("\n"));
}
