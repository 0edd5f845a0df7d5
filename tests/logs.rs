//! No log line carries message text, emails, tokens, passwords or phone numbers: every log
//! line of representative flows is captured (a tracing subscriber writing to a buffer, at
//! the deployed level and one below), with the EMF metric lines, and searched for the
//! values those flows handled.
//! One test in its own binary, so the global subscriber sees only these flows.

#![allow(clippy::unwrap_used)]

use chrono::DurationRound as _;
use dev_gateway::handlers;
use peerlearn_tests::realtime::{WsClient, realtime};
use peerlearn_tests::{Call, CapturedLines, available_mentor, sample_event as sample};
use serde_json::json;

const EMAIL: &str = "leak-check-ana@example.com";
const PASSWORD: &str = "correct horse battery";
const WRONG_PASSWORD: &str = "wrong horse battery staple";
const PHONE: &str = "+1 555 0100 4242";
const CHAT_TEXT: &str = "my private chat text, call +1 555 0100 4242";
const TOPIC: &str = "a private topic about my thesis";
const REQUEST_MESSAGE: &str = "a private note: my phone is +1 555 0100 4242";
const REASON: &str = "a private cancellation reason";
const LINK: &str = "https://meet.example.com/private-room-7f3a";
const NOTIFICATION_TEXT: &str = "a private notification text";

#[tokio::test]
async fn no_log_line_carries_personal_data_or_secrets() {
    let logs = CapturedLines::default();
    let writer = logs.clone();
    // Debug: one level below what the functions run at (RUST_LOG=info), so a line that
    // would leak when someone turns logging up is caught too.
    tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing_subscriber::filter::LevelFilter::DEBUG)
        .with_writer(move || writer.clone())
        .init();
    // Metric lines go to the same buffer, so the same checks cover them.
    let metrics = logs.clone();
    assert!(shared::observability::metrics::capture(move |line| metrics.push_line(line)));

    let rt = realtime().await;
    let app = rt.app;

    // Register and sign in with an email; a wrong password, a taken email, a malformed body.
    let ana = Call::new("POST", "/auth/register")
        .json(json!({"email": EMAIL, "password": PASSWORD, "name": "Ana", "roles": "learner"}))
        .send(app)
        .await;
    assert_eq!(ana.status, 201);
    let login = Call::new("POST", "/auth/login").json(json!({"email": EMAIL, "password": PASSWORD})).send(app).await;
    assert_eq!(login.status, 200);
    let (access, refresh) = (
        login.body["access_token"].as_str().unwrap().to_owned(),
        login.body["refresh_token"].as_str().unwrap().to_owned(),
    );
    let wrong =
        Call::new("POST", "/auth/login").json(json!({"email": EMAIL, "password": WRONG_PASSWORD})).send(app).await;
    assert_eq!(wrong.status, 401);
    let taken = Call::new("POST", "/auth/register")
        .json(json!({"email": EMAIL, "password": PASSWORD, "name": "Ana", "roles": "learner"}))
        .send(app)
        .await;
    assert_eq!(taken.status, 409);
    let mut broken = Call::new("POST", "/auth/login");
    broken.body = Some(format!(r#"{{"email": "{EMAIL}", "password": {PASSWORD}"#));
    broken.headers.push(("content-type", "application/json".into()));
    assert_eq!(broken.send(app).await.status, 400);
    let refreshed = Call::new("POST", "/auth/refresh").json(json!({"refresh_token": refresh})).send(app).await;
    assert_eq!(refreshed.status, 200);
    let reused = Call::new("POST", "/auth/refresh").json(json!({"refresh_token": refresh})).send(app).await;
    assert_eq!(reused.status, 401);
    let forged = Call::new("GET", "/me").token(&format!("{access}x")).send(app).await;
    assert_eq!(forged.status, 401);

    // A session request with a topic and a private message, accepted: notifications go
    // through the stream to `deliver` and SNS.
    let mentor = available_mentor(app, "leak-check-mentor@example.com", "UTC").await;
    let start = (app.clock.now() + chrono::Duration::hours(30)).duration_trunc(chrono::Duration::minutes(15)).unwrap();
    let request = json!({"mentor_id": mentor.id, "start": start.to_rfc3339(), "duration_minutes": 60, "topic": TOPIC, "message": REQUEST_MESSAGE});
    let created = Call::new("POST", "/sessions").token(&access).json(request).send(app).await;
    assert_eq!(created.status, 201, "{:?}", created.body);

    // Chat over the WebSocket, the access token in the query string as browsers send it.
    let mut ws = WsClient::connect(&rt.ws, &access).await.unwrap();
    let mut mentor_ws = WsClient::connect(&rt.ws, &mentor.token).await.unwrap();
    ws.send(&json!({"action": "sendMessage", "to_user_id": mentor.id, "text": CHAT_TEXT, "client_msg_id": "leak-1"}))
        .await;
    ws.expect("ack").await;
    assert_eq!(mentor_ws.expect("message").await["message"]["text"], CHAT_TEXT);
    // A frame that fails validation carries the text back, never into the logs.
    ws.send(&json!({"action": "sendMessage", "to_user_id": "nobody", "text": CHAT_TEXT, "client_msg_id": "leak-2"}))
        .await;
    ws.expect("error").await;
    ws.close().await;
    mentor_ws.close().await;

    // Malformed stream images: the handlers skip them and log why, without the content.
    let events = handlers::events();
    let run = |name: &str| events.iter().find(|f| f.name == name).unwrap().handler;
    let session = sample("award-points/session-completed.json", |change| {
        for image in ["NewImage", "OldImage"] {
            let booking = &mut change[image]["booking"]["M"];
            booking["topic"] = json!({"S": TOPIC});
            booking["message"] = json!({"S": REQUEST_MESSAGE});
            booking["meeting_link"] = json!({"S": LINK});
            booking["cancellation"] = json!({"M": {"reason": {"S": REASON}}});
            // Unreadable: a phone number where a duration belongs.
            booking["slot"]["M"]["duration_minutes"] = json!({"S": PHONE});
        }
    });
    run("award-points")(app, session).await.unwrap();
    let notification = sample("deliver/new-notification.json", |change| {
        change["NewImage"]["text"] = json!({"S": NOTIFICATION_TEXT});
        // Unreadable: a phone number where a flag belongs.
        change["NewImage"]["read"] = json!({"S": PHONE});
    });
    run("deliver")(app, notification).await.unwrap();
    // And an event that does not even parse as a stream event.
    let garbage = json!({"Records": [{"eventName": CHAT_TEXT, "dynamodb": {"NewImage": EMAIL}}]});
    assert!(run("award-points")(app, garbage).await.is_err());

    // Give the stream poller and `deliver` time to log what they did.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let text = logs.text();
    assert!(text.contains("skipping a session change that cannot be read"), "the flows logged:\n{text}");
    assert!(text.contains("skipping a notification that cannot be read"));
    assert!(text.contains("connected"));
    assert!(text.contains(r#""Registrations":1"#) && text.contains(r#""MessagesSent":1"#), "no metric lines:\n{text}");
    assert!(text.contains(r#""message":"request""#), "no request lines:\n{text}");
    let refresh_secret = refresh.split('.').nth(1).unwrap().to_owned();
    let forbidden = [
        ("email", EMAIL.to_owned()),
        ("email's local part", "leak-check-ana".to_owned()),
        ("password", PASSWORD.to_owned()),
        ("wrong password", WRONG_PASSWORD.to_owned()),
        ("access token", access.clone()),
        ("access token signature", access.rsplit('.').next().unwrap().to_owned()),
        ("refresh token secret", refresh_secret),
        ("phone number", PHONE.to_owned()),
        ("phone digits", "555 0100".to_owned()),
        ("chat text", CHAT_TEXT.to_owned()),
        ("topic", TOPIC.to_owned()),
        ("request message", REQUEST_MESSAGE.to_owned()),
        ("cancellation reason", REASON.to_owned()),
        ("meeting link", LINK.to_owned()),
        ("notification text", NOTIFICATION_TEXT.to_owned()),
    ];
    for (what, value) in forbidden {
        let line = text.lines().find(|line| line.contains(&value));
        assert!(line.is_none(), "a log line carries the {what}: {}", line.unwrap_or_default());
    }
}
