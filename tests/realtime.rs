//! Real time, end to end: real WebSocket clients on the dev gateway's WebSocket API,
//! chat between members who share a session, live notifications fed from the table's
//! stream, SNS fan-out into the moto server, stale-connection clean-up.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::DurationRound;
use peerlearn_tests::realtime::{Realtime, WsClient, published, realtime, realtime_with_clock, wait_published};
use peerlearn_tests::{
    Call, Member, STARTS_AT, available_mentor, clock_at, invoke_event, member, notification_count, sample_event,
};
use serde_json::{Value, json};
use shared::App;
use shared::domain::{Role, Roles, UserId};
use shared::ports::ConnectionStore;

/// A verified mentor available all week and a learner who requested a session with them.
async fn matched(app: &App, tag: &str) -> (Member, Member) {
    let mentor = available_mentor(app, &format!("mentor-{tag}@example.com"), "UTC").await;
    let learner = member(app, &format!("learner-{tag}@example.com"), "learner").await;
    let start = (app.clock.now() + chrono::Duration::hours(30)).duration_trunc(chrono::Duration::minutes(15)).unwrap();
    let body =
        json!({"mentor_id": mentor.id, "start": start.to_rfc3339(), "duration_minutes": 60, "topic": "Borrowing"});
    let created = Call::new("POST", "/sessions").token(&learner.token).json(body).send(app).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    (mentor, learner)
}

/// A path segment as the SDK sends it (connection ids hold `=`, `+` and `/`).
fn urlencode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn send(to: &str, text: &str, client_msg_id: &str) -> Value {
    json!({"action": "sendMessage", "to_user_id": to, "text": text, "client_msg_id": client_msg_id})
}

async fn connections(rt: &Realtime, user: &str) -> usize {
    let user = UserId::parse(user).unwrap();
    rt.app.store.connections_of(&[&user], rt.app.clock.now()).await.unwrap().len()
}

#[tokio::test]
async fn matched_members_chat_both_ways_and_every_device_hears() {
    let rt = realtime().await;
    let (mentor, learner) = matched(rt.app, "chat").await;
    let mut learner_phone = WsClient::connect(&rt.ws, &learner.token).await.unwrap();
    let mut learner_laptop = WsClient::connect(&rt.ws, &learner.token).await.unwrap();
    let mut mentor_ws = WsClient::connect(&rt.ws, &mentor.token).await.unwrap();
    assert_eq!(connections(&rt, &learner.id).await, 2);

    learner_phone.send(&send(&mentor.id, "Hi! Can we cover lifetimes?", "m-1")).await;
    let ack = learner_phone.expect("ack").await;
    assert_eq!(ack["client_msg_id"], "m-1");
    let conversation = ack["message"]["conversation_id"].as_str().unwrap().to_owned();
    let received = mentor_ws.expect("message").await;
    assert_eq!(received["message"]["text"], "Hi! Can we cover lifetimes?");
    assert_eq!(received["message"]["sender"], learner.id.as_str());
    // The sender's other device gets the echo; the sending one only the ack.
    let echo = learner_laptop.expect("message").await;
    assert_eq!(echo["message"]["id"], ack["message"]["id"]);

    mentor_ws
        .send(
            &json!({"action": "sendMessage", "conversation_id": conversation, "text": "Sure.", "client_msg_id": "r-1"}),
        )
        .await;
    mentor_ws.expect("ack").await;
    assert_eq!(learner_phone.expect("message").await["message"]["text"], "Sure.");
    assert_eq!(learner_laptop.expect("message").await["message"]["text"], "Sure.");

    // A retried send (same client id) stores nothing new and answers with the first message.
    learner_phone.send(&send(&mentor.id, "Hi! Can we cover lifetimes?", "m-1")).await;
    let again = learner_phone.expect("ack").await;
    assert_eq!(again["message"]["id"], ack["message"]["id"]);

    // History, newest first, for members only.
    let path = format!("/conversations/{conversation}/messages");
    let history = Call::new("GET", &path).token(&mentor.token).send(rt.app).await;
    assert_eq!(history.status, 200, "{:?}", history.body);
    let texts: Vec<&str> =
        history.body["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts, ["Sure.", "Hi! Can we cover lifetimes?"]);
    let page = Call::new("GET", &path).token(&mentor.token).query("limit=1").send(rt.app).await;
    assert_eq!(page.body["messages"].as_array().unwrap().len(), 1);
    let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
    let older =
        Call::new("GET", &path).token(&mentor.token).query(&format!("limit=1&cursor={cursor}")).send(rt.app).await;
    assert_eq!(older.body["messages"][0]["text"], "Hi! Can we cover lifetimes?");

    // Conversation lists: last message and unread counts per side.
    let mine = Call::new("GET", "/conversations").token(&mentor.token).send(rt.app).await;
    assert_eq!(mine.body["conversations"][0]["last_message"]["text"], "Sure.");
    assert_eq!(mine.body["conversations"][0]["unread"], 0);
    let theirs = Call::new("GET", "/conversations").token(&learner.token).send(rt.app).await;
    assert_eq!(theirs.body["conversations"][0]["unread"], 1);

    // Reading sends a receipt to the other member and clears the count.
    learner_laptop.send(&json!({"action": "markRead", "conversation_id": conversation})).await;
    let marked = learner_laptop.expect("read_marked").await;
    assert_eq!(marked["conversation"]["unread"], 0);
    let receipt = mentor_ws.expect("read").await;
    assert_eq!(receipt["user"], learner.id.as_str());
    let theirs = Call::new("GET", "/conversations").token(&learner.token).send(rt.app).await;
    assert_eq!(theirs.body["conversations"][0]["unread"], 0);

    // Typing reaches the other member, and nothing is stored for it.
    mentor_ws.send(&json!({"action": "typing", "conversation_id": conversation})).await;
    assert_eq!(learner_phone.expect("typing").await["user"], mentor.id.as_str());

    // Closing a socket runs $disconnect, which forgets the connection.
    learner_laptop.close().await;
    let mut left = usize::MAX;
    for _ in 0..50 {
        left = connections(&rt, &learner.id).await;
        if left == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(left, 1);
}

#[tokio::test]
async fn strangers_cannot_message_or_read_and_bad_frames_get_error_frames() {
    let rt = realtime().await;
    let (mentor, learner) = matched(rt.app, "strangers").await;
    let stranger = member(rt.app, "stranger@example.com", "learner").await;
    let mut ws = WsClient::connect(&rt.ws, &stranger.token).await.unwrap();

    ws.send(&send(&mentor.id, "hello?", "s-1")).await;
    let refused = ws.expect("error").await;
    assert_eq!(refused["problem"]["status"], 403);
    assert_eq!(refused["client_msg_id"], "s-1");
    assert_eq!(refused["problem"]["type"], "urn:peerlearn:problem:forbidden");

    let conversation = {
        let mut learner_ws = WsClient::connect(&rt.ws, &learner.token).await.unwrap();
        learner_ws.send(&send(&mentor.id, "private", "p-1")).await;
        learner_ws.expect("ack").await["message"]["conversation_id"].as_str().unwrap().to_owned()
    };
    let peek =
        Call::new("GET", &format!("/conversations/{conversation}/messages")).token(&stranger.token).send(rt.app).await;
    assert_eq!(peek.status, 404);
    ws.send(
        &json!({"action": "sendMessage", "conversation_id": conversation, "text": "let me in", "client_msg_id": "s-2"}),
    )
    .await;
    assert_eq!(ws.expect("error").await["problem"]["status"], 404);

    // Bad input names the field; unknown actions are answered, not ignored.
    ws.send(&send(&mentor.id, "   ", "s-3")).await;
    let empty = ws.expect("error").await;
    assert_eq!(empty["problem"]["status"], 400);
    assert_eq!(empty["problem"]["errors"][0]["field"], "text");
    assert_eq!(empty["problem"]["type"], "urn:peerlearn:problem:validation");
    ws.send(&send(&mentor.id, &"x".repeat(4001), "s-4")).await;
    assert_eq!(ws.expect("error").await["problem"]["errors"][0]["field"], "text");
    ws.send(&json!({"action": "dance"})).await;
    let unknown = ws.expect("error").await;
    assert_eq!(unknown["problem"]["errors"][0]["field"], "action");
    ws.send_text("not json").await;
    assert_eq!(ws.expect("error").await["problem"]["status"], 400);
    ws.send(&json!({"action": "sendMessage", "to_user_id": mentor.id, "text": "hi", "client_msg_id": "s-5", "colour": "red"})).await;
    assert_eq!(ws.expect("error").await["problem"]["errors"][0]["field"], "colour");

    // Nothing the stranger sent was stored.
    let mentor_list = Call::new("GET", "/conversations").token(&mentor.token).send(rt.app).await;
    assert_eq!(mentor_list.body["conversations"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_or_expired_tokens_cannot_connect() {
    let rt = realtime().await;
    let learner = member(rt.app, "late@example.com", "learner").await;
    assert_eq!(WsClient::connect(&rt.ws, "not-a-token").await.err(), Some(401));
    let user = UserId::parse(&learner.id).unwrap();
    let expired = rt
        .app
        .tokens
        .issue(&user, Roles::only(Role::Learner), rt.app.clock.now() - chrono::Duration::hours(1))
        .unwrap();
    assert_eq!(WsClient::connect(&rt.ws, &expired).await.err(), Some(401));
    assert_eq!(connections(&rt, &learner.id).await, 0);
    assert!(WsClient::connect(&rt.ws, &learner.token).await.is_ok());
}

#[tokio::test]
async fn a_connection_is_refused_frames_once_its_token_expires_and_a_fresh_token_reconnects() {
    let clock = clock_at(STARTS_AT);
    let rt = realtime_with_clock(clock.clone()).await;
    let (mentor, learner) = matched(rt.app, "expiry").await;
    let mut ws = WsClient::connect(&rt.ws, &learner.token).await.unwrap();
    ws.send(&send(&mentor.id, "before expiry", "e-1")).await;
    let conversation = ws.expect("ack").await["message"]["conversation_id"].as_str().unwrap().to_owned();

    // 15 minutes is the token's life; API Gateway would keep the socket for 2 hours.
    clock.advance(chrono::Duration::minutes(16));
    let frames = [
        ("sendMessage", send(&mentor.id, "after expiry", "e-2")),
        ("markRead", json!({"action": "markRead", "conversation_id": conversation})),
        ("typing", json!({"action": "typing", "conversation_id": conversation})),
    ];
    for (action, frame) in frames {
        ws.send(&frame).await;
        let refused = ws.expect("error").await;
        assert_eq!(refused["action"], action);
        assert_eq!(refused["problem"]["status"], 401, "{action}: {refused}");
        assert_eq!(refused["problem"]["type"], shared::http::TOKEN_EXPIRED_TYPE);
        assert_eq!(refused["problem"]["title"], "Access token expired");
    }
    // Nothing was stored after expiry, and nothing is pushed to the stale connection.
    let history = Call::new("GET", &format!("/conversations/{conversation}/messages"))
        .token(&mentor.renewed(rt.app).token)
        .send(rt.app)
        .await;
    assert_eq!(history.body["messages"].as_array().unwrap().len(), 1);
    assert_eq!(connections(&rt, &learner.id).await, 0);

    // A fresh token (what POST /auth/refresh gives) opens a connection that works.
    let mut fresh = WsClient::connect(&rt.ws, &learner.renewed(rt.app).token).await.unwrap();
    fresh.send(&send(&mentor.id, "reconnected", "e-3")).await;
    assert_eq!(fresh.expect("ack").await["message"]["text"], "reconnected");
}

#[tokio::test]
async fn offline_recipients_get_a_notification_and_sns_hears_of_it() {
    let rt = realtime().await;
    let (mentor, learner) = matched(rt.app, "offline").await;
    let mut learner_ws = WsClient::connect(&rt.ws, &learner.token).await.unwrap();
    learner_ws.send(&send(&mentor.id, "Are you there?", "o-1")).await;
    let ack = learner_ws.expect("ack").await;
    let conversation = ack["message"]["conversation_id"].as_str().unwrap().to_owned();

    let list = Call::new("GET", "/notifications").token(&mentor.token).send(rt.app).await;
    assert_eq!(list.status, 200);
    let kinds: Vec<&str> =
        list.body["notifications"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["message_received", "session_requested"]);
    assert_eq!(list.body["unread"], 2);
    assert_eq!(list.body["notifications"][0]["conversation"], conversation.as_str());
    assert!(list.body["notifications"][0]["text"].as_str().unwrap().contains("Are you there?"));
    let history =
        Call::new("GET", &format!("/conversations/{conversation}/messages")).token(&mentor.token).send(rt.app).await;
    assert_eq!(history.body["messages"][0]["text"], "Are you there?");

    // The stream delivered both notifications to SNS with their attributes; the mentor was
    // offline, so push is among the channels.
    let sent = wait_published(&rt.topic_arn, |sent| sent.len() >= 2).await;
    let chat = sent.iter().find(|(m, _)| m["kind"] == "message_received").expect("message notification published");
    assert_eq!(chat.1["user_id"]["Value"], mentor.id.as_str());
    assert_eq!(chat.1["kind"]["Value"], "message_received");
    assert_eq!(chat.1["channel"]["Type"], "String.Array");
    assert_eq!(chat.1["channel"]["Value"], r#"["push"]"#);
    let booking = sent.iter().find(|(m, _)| m["kind"] == "session_requested").expect("request published");
    assert_eq!(booking.1["channel"]["Value"], r#"["email","push"]"#);

    // Mark one read, then the rest.
    let id = list.body["notifications"][0]["id"].as_str().unwrap();
    let read = Call::new("POST", &format!("/notifications/{id}/read")).token(&mentor.token).send(rt.app).await;
    assert_eq!(read.status, 204);
    let other = Call::new("POST", &format!("/notifications/{id}/read")).token(&learner.token).send(rt.app).await;
    assert_eq!(other.status, 404);
    let list = Call::new("GET", "/notifications").token(&mentor.token).send(rt.app).await;
    assert_eq!(list.body["unread"], 1);
    assert_eq!(list.body["notifications"][0]["read"], true);
    let all = Call::new("POST", "/notifications/read-all").token(&mentor.token).send(rt.app).await;
    assert_eq!(all.body["marked"], 1);
    let list = Call::new("GET", "/notifications").token(&mentor.token).send(rt.app).await;
    assert_eq!(list.body["unread"], 0);
}

#[tokio::test]
async fn booking_notifications_arrive_live_through_the_stream() {
    let rt = realtime().await;
    let (mentor, learner) = matched(rt.app, "live").await;
    let mut mentor_ws = WsClient::connect(&rt.ws, &mentor.token).await.unwrap();
    let mut learner_ws = WsClient::connect(&rt.ws, &learner.token).await.unwrap();
    // The learner's request happened before the mentor connected; the next one is live.
    let sessions = Call::new("GET", "/sessions").token(&learner.token).send(rt.app).await;
    let id = sessions.body["sessions"][0]["id"].as_str().unwrap().to_owned();
    let accepted = Call::new("POST", &format!("/sessions/{id}/accept")).token(&mentor.token).send(rt.app).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    let live = learner_ws.expect("notification").await;
    assert_eq!(live["notification"]["kind"], "session_confirmed");
    assert_eq!(live["notification"]["session"], id.as_str());
    // Seen live, so SNS is told to email but not to push.
    let sent = wait_published(&rt.topic_arn, |s| s.iter().any(|(m, _)| m["kind"] == "session_confirmed")).await;
    let confirmed = sent.iter().find(|(m, _)| m["kind"] == "session_confirmed").unwrap();
    assert_eq!(confirmed.1["channel"]["Value"], r#"["email"]"#);
    assert_eq!(confirmed.1["user_id"]["Value"], learner.id.as_str());
    // The mentor may still hear of the earlier request (the stream is seconds behind at
    // most), but not of their own accept.
    while let Some(frame) = mentor_ws.next_within(Duration::from_millis(300)).await {
        assert_ne!(frame["notification"]["kind"], "session_confirmed");
    }

    // The stream delivers at least once: the same record again (a retried batch) is neither
    // pushed nor published a second time.
    let n = &live["notification"];
    let (user, note) = (n["user"].as_str().unwrap(), n["id"].as_str().unwrap());
    let (pk, sk) = (format!("USER#{user}"), format!("NOTIF#{note}"));
    let replay = sample_event("deliver/new-notification.json", |change| {
        change["Keys"] = json!({"PK": {"S": pk}, "SK": {"S": sk}});
        let image = &mut change["NewImage"];
        image["PK"] = json!({"S": pk});
        image["SK"] = json!({"S": sk});
        image["id"] = json!({"S": note});
        image["user"] = json!({"S": user});
        image["kind"] = json!({"S": n["kind"]});
        image["session"] = json!({"S": n["session"]});
        image["text"] = json!({"S": n["text"]});
        image["created_at"] = json!({"S": n["created_at"]});
    });
    let published_before = published(&rt.topic_arn).await.len();
    let result = invoke_event(rt.app, "deliver", replay).await.unwrap();
    assert_eq!(result["batchItemFailures"], json!([]), "{result}");
    assert!(learner_ws.next_within(Duration::from_millis(500)).await.is_none(), "pushed twice");
    assert_eq!(published(&rt.topic_arn).await.len(), published_before, "published twice");
}

#[tokio::test]
async fn a_vanished_connection_is_removed_on_the_next_push_and_the_send_succeeds() {
    let rt = realtime().await;
    let (mentor, learner) = matched(rt.app, "stale").await;
    let _gone = WsClient::connect(&rt.ws, &mentor.token).await.unwrap();
    let mut alive = WsClient::connect(&rt.ws, &mentor.token).await.unwrap();
    assert_eq!(connections(&rt, &mentor.id).await, 2);
    // One of the mentor's connections vanishes without $disconnect (as when a phone loses
    // its network): the gateway forgets it, the table still lists it.
    let ids = rt.gateway.hub().ids();
    let user = UserId::parse(&mentor.id).unwrap();
    let stored: Vec<String> = rt
        .app
        .store
        .connections_of(&[&user], rt.app.clock.now())
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id.to_string())
        .collect();
    let vanished = stored.iter().find(|id| ids.contains(id)).unwrap().clone();
    assert!(rt.gateway.hub().drop_silently(&vanished));
    // Which one is still open decides whether `alive` or `_gone` hears; find out by sending.
    let mut learner_ws = WsClient::connect(&rt.ws, &learner.token).await.unwrap();
    learner_ws.send(&send(&mentor.id, "ping", "v-1")).await;
    let ack = learner_ws.expect("ack").await;
    assert_eq!(ack["message"]["text"], "ping");
    assert_eq!(connections(&rt, &mentor.id).await, 1, "only the vanished connection is removed");
    let remaining = rt.app.store.connections_of(&[&user], rt.app.clock.now()).await.unwrap();
    assert_ne!(remaining[0].id.to_string(), vanished);
    let _ = alive.next_within(Duration::from_millis(200)).await;
    // With a live connection left, the message was delivered: no offline notification.
    let list = Call::new("GET", "/notifications").token(&mentor.token).send(rt.app).await;
    assert!(list.body["notifications"].as_array().unwrap().iter().all(|n| n["kind"] != "message_received"));
    assert!(published(&rt.topic_arn).await.iter().all(|(m, _)| m["kind"] != "message_received"));
}

#[tokio::test]
async fn the_connections_endpoint_answers_the_real_sdk_like_api_gateway() {
    use aws_sdk_apigatewaymanagement::primitives::Blob;
    let rt = realtime().await;
    let learner = member(rt.app, "managed@example.com", "learner").await;
    let mut ws = WsClient::connect(&rt.ws, &learner.token).await.unwrap();
    let id = rt.gateway.hub().ids().pop().unwrap();
    let endpoint = rt.ws.replace("ws://", "http://");
    let client_with = |secret: &str| {
        let config = aws_sdk_apigatewaymanagement::Config::builder()
            .behavior_version(aws_sdk_apigatewaymanagement::config::BehaviorVersion::latest())
            .region(aws_sdk_apigatewaymanagement::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_apigatewaymanagement::config::Credentials::new(
                "local", secret, None, None, "test",
            ))
            // With the stage in the URL, as in AWS.
            .endpoint_url(&endpoint)
            .build();
        aws_sdk_apigatewaymanagement::Client::from_conf(config)
    };
    let client = client_with("local");

    // As in AWS, only signed requests are answered: not an unsigned one, nor one signed
    // with another secret, and neither reaches the socket.
    let url = format!("{endpoint}/@connections/{}", urlencode(&id));
    let unsigned = reqwest::Client::new().post(&url).body(r#"{"type":"forged"}"#).send().await.unwrap();
    assert_eq!(unsigned.status(), 403);
    assert_eq!(unsigned.headers()["x-amzn-errortype"], "ForbiddenException");
    let forged = client_with("not-the-secret")
        .post_to_connection()
        .connection_id(&id)
        .data(Blob::new(r#"{"type":"forged"}"#))
        .send()
        .await
        .unwrap_err();
    assert_eq!(forged.raw_response().map(|r| r.status().as_u16()), Some(403), "{forged:?}");
    let forged_read = client_with("not-the-secret").get_connection().connection_id(&id).send().await.unwrap_err();
    assert_eq!(forged_read.raw_response().map(|r| r.status().as_u16()), Some(403));
    assert!(ws.next_within(Duration::from_millis(300)).await.is_none(), "nothing forged arrived");

    let info = client.get_connection().connection_id(&id).send().await.unwrap();
    assert!(info.connected_at().is_some());
    assert_eq!(info.identity().and_then(|i| i.source_ip()), Some("127.0.0.1"));
    client.post_to_connection().connection_id(&id).data(Blob::new(r#"{"type":"hello"}"#)).send().await.unwrap();
    assert_eq!(ws.expect("hello").await["type"], "hello");
    let too_big = Blob::new(vec![b'x'; 129 * 1024]);
    let error = client.post_to_connection().connection_id(&id).data(too_big).send().await.unwrap_err();
    assert!(error.as_service_error().is_some_and(|e| e.is_payload_too_large_exception()), "{error:?}");

    // DELETE closes the socket; API Gateway then calls $disconnect.
    client.delete_connection().connection_id(&id).send().await.unwrap();
    assert!(ws.next_within(Duration::from_secs(2)).await.is_none());
    let error = client.post_to_connection().connection_id(&id).data(Blob::new("late")).send().await.unwrap_err();
    assert!(error.as_service_error().is_some_and(|e| e.is_gone_exception()), "{error:?}");
    let mut left = usize::MAX;
    for _ in 0..50 {
        left = connections(&rt, &learner.id).await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(left, 0);
}

#[tokio::test]
async fn frames_over_api_gateways_limit_close_the_connection() {
    let rt = realtime().await;
    let learner = member(rt.app, "big@example.com", "learner").await;
    let mut ws = WsClient::connect(&rt.ws, &learner.token).await.unwrap();
    // Within one frame's 32 KB but over the chat limit: refused by the function, connection kept.
    ws.send_text(&format!(r#"{{"action":"sendMessage","text":"{}"}}"#, "x".repeat(20_000))).await;
    assert_eq!(ws.expect("error").await["problem"]["status"], 400);
    // Over API Gateway's 128 KB message limit: the gateway drops the connection.
    ws.send_text(&"x".repeat(130 * 1024)).await;
    assert!(ws.next_within(Duration::from_secs(2)).await.is_none());
}

#[tokio::test]
async fn messages_over_the_per_minute_limit_are_refused_until_the_next_minute() {
    use shared::ports::Clock as _;
    let clock = clock_at(STARTS_AT);
    let rt = realtime_with_clock(clock.clone() as Arc<_>).await;
    let (mentor, learner) = matched(rt.app, "chatty").await;
    let mut learner_ws = WsClient::connect(&rt.ws, &learner.token).await.unwrap();
    // A second into a fresh minute (by the test clock), so the burst stays in one window.
    let into = clock.now().timestamp().rem_euclid(60);
    clock.advance(chrono::Duration::seconds(60 - into + 1));

    // The mentor is offline: every message would also be a notification (a push).
    let mut first = Value::Null;
    for i in 0..30 {
        learner_ws.send(&send(&mentor.id, &format!("Message {i}"), &format!("c-{i}"))).await;
        let ack = learner_ws.expect("ack").await;
        if i == 0 {
            first = ack;
        }
    }
    let before = written_by_requests(rt.app).await;
    learner_ws.send(&send(&mentor.id, "One too many", "c-30")).await;
    let refused = learner_ws.expect("error").await;
    assert_eq!(refused["client_msg_id"], "c-30");
    assert_eq!(refused["problem"]["status"], 429);
    assert_eq!(refused["problem"]["type"], "urn:peerlearn:problem:rate-limited");
    assert_eq!(refused["problem"]["limit"], "messages_per_member");
    let retry_after = refused["retry_after"].as_i64().unwrap();
    assert!((1..=60).contains(&retry_after), "{refused}");
    assert_eq!(refused["problem"]["retry_after"], retry_after);
    assert_eq!(written_by_requests(rt.app).await, before, "a refused send writes nothing, not even its counter");
    assert_eq!(entities(rt.app, "Message").await, 30);
    assert_eq!(notification_count(rt.app, "message_received").await, 30);

    // A retry of a stored send is answered with the first message, limit or not.
    learner_ws.send(&send(&mentor.id, "Message 0", "c-0")).await;
    let replay = learner_ws.expect("ack").await;
    assert_eq!(replay["message"]["id"], first["message"]["id"]);

    clock.advance(chrono::Duration::seconds(retry_after));
    learner_ws.send(&send(&mentor.id, "One too many", "c-30")).await;
    let ack = learner_ws.expect("ack").await;
    assert_eq!(ack["message"]["text"], "One too many");
    assert_eq!(entities(rt.app, "Message").await, 31);
}

/// Items the requests wrote: all but the platform counters and their marks, which
/// award-points writes from the stream in the meantime.
async fn written_by_requests(app: &App) -> usize {
    let output = app.store.client().scan().table_name(app.store.table()).send().await.unwrap();
    let counted = |i: &&HashMap<String, AttributeValue>| {
        matches!(
            i.get("entity").and_then(|e| e.as_s().ok()).map(String::as_str),
            Some("StatsCounters" | "CountedChange")
        )
    };
    output.items().iter().filter(|i| !counted(i)).count()
}

async fn entities(app: &App, entity: &str) -> usize {
    let output = app.store.client().scan().table_name(app.store.table()).send().await.unwrap();
    output
        .items()
        .iter()
        .filter(|i| i.get("entity").and_then(|e| e.as_s().ok()).map(String::as_str) == Some(entity))
        .count()
}

#[tokio::test]
async fn a_block_stops_messages_typing_and_receipts_both_ways() {
    let rt = realtime().await;
    let (mentor, learner) = matched(rt.app, "block").await;
    let mut learner_ws = WsClient::connect(&rt.ws, &learner.token).await.unwrap();
    let mut mentor_ws = WsClient::connect(&rt.ws, &mentor.token).await.unwrap();
    learner_ws.send(&send(&mentor.id, "Before the block", "b-1")).await;
    let conversation = learner_ws.expect("ack").await["message"]["conversation_id"].as_str().unwrap().to_owned();
    mentor_ws.expect("message").await;

    let block = Call::new("PUT", &format!("/me/blocks/{}", learner.id)).token(&mentor.token).send(rt.app).await;
    assert_eq!(block.status, 204);

    // Messages and typing are refused both ways, with the same answer whoever blocked.
    for (ws, to, id) in [(&mut learner_ws, &mentor.id, "b-2"), (&mut mentor_ws, &learner.id, "b-3")] {
        ws.send(&send(to, "after the block", id)).await;
        let refused = ws.expect("error").await;
        assert_eq!(refused["problem"]["status"], 403, "{refused:?}");
        assert_eq!(refused["problem"]["detail"], "This member cannot be messaged.");
        ws.send(&json!({"action": "typing", "conversation_id": conversation})).await;
        let refused = ws.expect("error").await;
        assert_eq!(refused["problem"]["status"], 403, "{refused:?}");
        assert_eq!(refused["problem"]["detail"], "This member cannot be messaged.");
    }

    // The blocker may still clear their own unread count, but no receipt reaches the other.
    mentor_ws.send(&json!({"action": "markRead", "conversation_id": conversation})).await;
    assert_eq!(mentor_ws.expect("read_marked").await["conversation"]["unread"], 0);
    // Nothing of the chat reached either side: no message, typing or read frame.
    for ws in [&mut learner_ws, &mut mentor_ws] {
        while let Some(frame) = ws.next_within(Duration::from_millis(500)).await {
            assert!(!["message", "typing", "read"].contains(&frame["type"].as_str().unwrap()), "{frame:?}");
        }
    }

    let history =
        Call::new("GET", &format!("/conversations/{conversation}/messages")).token(&mentor.token).send(rt.app).await;
    assert_eq!(history.body["messages"].as_array().unwrap().len(), 1, "only the message from before the block");

    // Lifted, typing flows again.
    let lift = Call::new("DELETE", &format!("/me/blocks/{}", learner.id)).token(&mentor.token).send(rt.app).await;
    assert_eq!(lift.status, 204);
    mentor_ws.send(&json!({"action": "typing", "conversation_id": conversation})).await;
    assert_eq!(learner_ws.expect("typing").await["user"], mentor.id.as_str());
}
