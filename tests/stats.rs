//! Platform stats, end to end: members, sessions, messages and verification requests
//! committed through the API and the store, counted from the table's stream by
//! award-points exactly once (a replayed record counts nothing), and read by an admin as of
//! the app's clock, across a week's and a month's turn on purpose.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::DurationRound;
use peerlearn_tests::realtime::{FRAME_WAIT, realtime_with_clock};
use peerlearn_tests::{Call, Member, STARTS_AT, admin, available_mentor, clock_at, invoke_event, member, sample_event};
use serde_json::{Value, json};
use shared::App;
use shared::app::ChatTarget;
use shared::domain::{ClientMsgId, ConnectionId, MessageText, UserId};

/// GET /admin/stats as `admin`.
async fn stats(app: &App, admin: &Member) -> Value {
    let reply = Call::new("GET", "/admin/stats").token(&admin.token).send(app).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

/// The stats once `ready` holds of them (the stream is asynchronous); the last read if never.
async fn stats_when(app: &App, admin: &Member, ready: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + FRAME_WAIT;
    loop {
        let now = stats(app, admin).await;
        if ready(&now) || tokio::time::Instant::now() > deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A verification request's item as the verification capability stores it (`entity`,
/// `state`): what the stream counts by. tests/verification.rs makes real ones; here the
/// app has no uploads bucket to make the evidence with.
async fn put_verification(app: &App, id: &str, state: &str) {
    let item = [
        ("PK", format!("VERIFICATION#{id}")),
        ("SK", "REQUEST".to_owned()),
        ("entity", "Verification".to_owned()),
        ("state", state.to_owned()),
    ];
    let mut put = app.store.client().put_item().table_name(app.store.table());
    for (name, value) in item {
        put = put.item(name, AttributeValue::S(value));
    }
    put.send().await.unwrap();
}

/// `admin` suspends `member` through the admin route.
async fn suspend(app: &App, admin: &Member, member: &Member) {
    let path = format!("/admin/users/{}/suspend", member.id);
    let body = json!({"reason": "Spam in every conversation"});
    let suspended = Call::new("POST", &path).token(&admin.token).json(body).send(app).await;
    assert_eq!(suspended.status, 200, "{:?}", suspended.body);
}

/// One message from `from` to `to`, who share a session request.
async fn message(app: &App, from: &Member, to: &Member, n: u32) {
    app.send_message(
        &UserId::parse(&from.id).unwrap(),
        &ConnectionId::parse("stats-device").unwrap(),
        ChatTarget::User(UserId::parse(&to.id).unwrap()),
        MessageText::parse("Hello").unwrap(),
        ClientMsgId::parse(&format!("stats-{n}")).unwrap(),
    )
    .await
    .unwrap();
}

/// A session request from `learner` to `mentor` a day and a half ahead; its id.
async fn request(app: &App, learner: &Member, mentor: &Member) -> String {
    let start = (app.clock.now() + chrono::Duration::hours(36)).duration_trunc(chrono::Duration::minutes(15)).unwrap();
    let body = json!({"mentor_id": mentor.id, "start": start.to_rfc3339(), "duration_minutes": 60, "topic": "Traits"});
    let created = Call::new("POST", "/sessions").token(&learner.token).json(body).send(app).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    created.body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn stats_count_what_happened_once_through_the_stream() {
    let clock = clock_at(STARTS_AT);
    let rt = realtime_with_clock(clock.clone()).await;
    let app = rt.app;
    let boss = admin(app, "stats-admin@example.com").await;
    let mentor = available_mentor(app, "stats-mentor@example.com", "UTC").await;
    let learner = member(app, "stats-learner@example.com", "learner").await;
    let other = member(app, "stats-other@example.com", "both").await;

    // Two requests: one confirmed and completed, one cancelled; two messages.
    let kept = request(app, &learner, &mentor).await;
    let dropped = request(app, &other, &mentor).await;
    let accepted = Call::new("POST", &format!("/sessions/{kept}/accept")).token(&mentor.token).send(app).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    let cancel_path = format!("/sessions/{dropped}/cancel");
    let cancel = Call::new("POST", &cancel_path).token(&other.token).json(json!({"reason": "Found another time"}));
    assert_eq!(cancel.send(app).await.status, 200);
    message(app, &learner, &mentor, 1).await;
    message(app, &mentor, &learner, 2).await;
    // Two verification requests, one decided; a member suspended.
    put_verification(app, "v1", "pending").await;
    put_verification(app, "v2", "pending").await;
    put_verification(app, "v1", "approved").await;
    suspend(app, &boss, &other).await;
    // Later the same week (Thursday evening): the session took place.
    clock.advance(chrono::Duration::hours(38));
    let done =
        Call::new("POST", &format!("/sessions/{kept}/complete")).token(&mentor.renewed(app).token).send(app).await;
    assert_eq!(done.status, 200, "{:?}", done.body);

    let boss = boss.renewed(app);
    let nothing_paid = |period: &str| {
        json!({"period": period, "charged_cents": 0, "fees_cents": 0, "refunded_cents": 0, "paid_out_cents": 0,
            "disputes_opened": 0, "disputes_lost_cents": 0})
    };
    let period = |week: &str| json!({"period": week, "sessions": {"requested": 2, "confirmed": 1, "completed": 1, "cancelled": 1}, "messages": 2, "payments": nothing_paid(week)});
    let expected = json!({
        // The admin and the learner learn, "other" does both; one admin; "other" is suspended.
        "members": {"by_role": {"learner": 3, "mentor": 2, "admin": 1}, "by_status": {"active": 3, "suspended": 1}},
        "verifications_pending": 1,
        "week": period("2026-W24"),
        "month": period("2026-06"),
    });
    let strip = |mut value: Value| {
        value.as_object_mut().unwrap().remove("as_of");
        value
    };
    let counted = stats_when(app, &boss, |now| strip(now.clone()) == strip(expected.clone())).await;
    assert_eq!(strip(counted.clone()), strip(expected.clone()), "{counted:#}");
    assert!(counted["as_of"].is_string(), "{counted}");

    // Replaying the whole stream into award-points (a fresh reader from the trim horizon,
    // as after a redelivery) counts nothing twice.
    let delivered = rt.replay_stream("award-points").await;
    assert!(delivered >= 12, "the replay saw the members, sessions, messages and verifications ({delivered})");
    assert_eq!(strip(stats(app, &boss).await), strip(expected));
}

/// A stream batch of one new chat message stored at `sent_at`, as record `event_id`.
fn new_message(event_id: &str, sent_at: &str) -> Value {
    let mut event = sample_event("deliver/new-notification.json", |change| {
        let id = ulid::Ulid::new();
        change["Keys"] = json!({"PK": {"S": "CONV#A-B"}, "SK": {"S": format!("MSG#{id}")}});
        change["NewImage"] = json!({
            "PK": {"S": "CONV#A-B"}, "SK": {"S": format!("MSG#{id}")}, "entity": {"S": "Message"},
            "sent_at": {"S": sent_at},
        });
    });
    event["Records"][0]["eventID"] = json!(event_id);
    event
}

/// Delivers `event` to award-points and checks the batch succeeded.
async fn deliver_to_award_points(app: &App, event: Value) {
    let result = invoke_event(app, "award-points", event).await.unwrap();
    assert_eq!(result["batchItemFailures"], json!([]), "{result}");
}

#[tokio::test]
async fn a_redelivered_record_counts_once() {
    let app = peerlearn_tests::app().await;
    let boss = admin(app, "stats-replay@example.com").await;
    let sent = app.clock.now().to_rfc3339();
    for _ in 0..3 {
        deliver_to_award_points(app, new_message("record-1", &sent)).await;
    }
    assert_eq!(stats(app, &boss).await["week"]["messages"], 1, "the same record three times is one message");
    deliver_to_award_points(app, new_message("record-2", &sent)).await;
    assert_eq!(stats(app, &boss).await["week"]["messages"], 2, "another record is another message");
}

#[tokio::test]
async fn the_week_turns_at_monday_midnight_utc_and_the_month_at_the_first() {
    // Sunday 14 June 2026, late evening UTC: the week turns in minutes, the month does not.
    let clock = clock_at("2026-06-14T23:50:00Z");
    let app = peerlearn_tests::app_with_clock(clock.clone()).await;
    let boss = admin(app, "stats-calendar@example.com").await;
    deliver_to_award_points(app, new_message("sunday", "2026-06-14T23:59:59Z")).await;
    deliver_to_award_points(app, new_message("monday", "2026-06-15T00:00:00Z")).await;
    let sunday = stats(app, &boss).await;
    assert_eq!((&sunday["week"]["period"], &sunday["week"]["messages"]), (&json!("2026-W24"), &json!(1)));
    assert_eq!((&sunday["month"]["period"], &sunday["month"]["messages"]), (&json!("2026-06"), &json!(2)));
    clock.set(peerlearn_tests::instant("2026-06-15T00:00:00Z"));
    let boss = boss.renewed(app);
    let monday = stats(app, &boss).await;
    assert_eq!((&monday["week"]["period"], &monday["week"]["messages"]), (&json!("2026-W25"), &json!(1)));
    assert_eq!(monday["month"]["messages"], 2, "the same month");

    // Tuesday 30 June, late evening: the month turns at midnight inside week 27.
    clock.set(peerlearn_tests::instant("2026-06-30T23:50:00Z"));
    let boss = boss.renewed(app);
    deliver_to_award_points(app, new_message("june", "2026-06-30T23:59:59Z")).await;
    deliver_to_award_points(app, new_message("july", "2026-07-01T00:00:00Z")).await;
    let june = stats(app, &boss).await;
    assert_eq!((&june["week"]["period"], &june["week"]["messages"]), (&json!("2026-W27"), &json!(2)));
    assert_eq!((&june["month"]["period"], &june["month"]["messages"]), (&json!("2026-06"), &json!(3)));
    clock.set(peerlearn_tests::instant("2026-07-01T00:00:00Z"));
    let boss = boss.renewed(app);
    let july = stats(app, &boss).await;
    assert_eq!(july["week"]["messages"], 2, "the same week");
    assert_eq!((&july["month"]["period"], &july["month"]["messages"]), (&json!("2026-07"), &json!(1)));
}

#[tokio::test]
async fn only_admins_read_the_stats() {
    let app = peerlearn_tests::app().await;
    let someone = member(app, "stats-nobody@example.com", "both").await;
    let refused = Call::new("GET", "/admin/stats").token(&someone.token).send(app).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert_eq!(refused.content_type(), "application/problem+json");
    assert_eq!(Call::new("GET", "/admin/stats").send(app).await.status, 401);
    let boss = admin(app, "stats-boss@example.com").await;
    let typo = Call::new("GET", "/admin/stats").token(&boss.token).query("period=2026-W01").send(app).await;
    assert_eq!(typo.error_fields(), ["period"]);
}
