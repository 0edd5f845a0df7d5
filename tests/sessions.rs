//! Sessions: the booking life cycle, double-booking prevention, idempotency and who may
//! act, against DynamoDB Local.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, Duration, DurationRound, Utc};
use peerlearn_tests::{
    Call, STARTS_AT, TestClock, all_week, app, app_adjusted, app_with_clock, as_function, clock_at, instant,
    item_count, notification_count, register, renew, reviews, verify_mentor,
};
use serde_json::{Value, json};
use shared::App;

/// One run of the reminders job as the `reminders` function runs it: under its IAM policy.
async fn run_reminders(app: &App) -> shared::app::ReminderRun {
    as_function(app, "reminders", app.run_reminders()).await.unwrap()
}

/// A verified mentor available all week (UTC), and a learner; returns their tokens and ids.
struct Cast {
    mentor: String,
    mentor_id: String,
    learner: String,
}

async fn cast(app: &'static App, tag: &str) -> Cast {
    let mentor = register(app, &format!("mentor-{tag}@example.com"), "mentor").await;
    let mentor_token = mentor["access_token"].as_str().unwrap().to_owned();
    let profile = json!({"timezone": "UTC", "availability": all_week(), "skills": [{"name": "rust", "level": 5}]});
    assert_eq!(Call::new("PATCH", "/me").token(&mentor_token).json(profile).send(app).await.status, 200);
    let mentor_id = mentor["user"]["id"].as_str().unwrap().to_owned();
    verify_mentor(app, &mentor_id, reviews(10, 4.5)).await;
    let learner = register(app, &format!("learner-{tag}@example.com"), "learner").await;
    Cast { mentor: mentor_token, mentor_id, learner: learner["access_token"].as_str().unwrap().to_owned() }
}

impl Cast {
    /// The same cast with fresh access tokens, after the clock moved past the old ones.
    fn renewed(&self, app: &App) -> Cast {
        Cast { mentor: renew(app, &self.mentor), mentor_id: self.mentor_id.clone(), learner: renew(app, &self.learner) }
    }
}

/// A quarter-hour-aligned instant `hours` after the tests' clocks start.
fn at(hours: i64) -> DateTime<Utc> {
    (instant(STARTS_AT) + Duration::hours(hours)).duration_trunc(Duration::minutes(15)).unwrap()
}

fn request_body(mentor_id: &str, start: DateTime<Utc>, minutes: u16) -> Value {
    json!({"mentor_id": mentor_id, "start": start.to_rfc3339(), "duration_minutes": minutes, "topic": "Lifetimes, finally"})
}

/// Minutes of booked time held across every member's account (`booked`, the guard against
/// double booking): a confirmed hour holds 60 for the mentor and 60 for the learner.
async fn held_minutes(app: &App) -> u64 {
    let output = app.store.client().scan().table_name(app.store.table()).send().await.unwrap();
    output
        .items()
        .iter()
        .filter(|i| i.get("entity").and_then(|e| e.as_s().ok()).map(String::as_str) == Some("User"))
        .filter_map(|i| i.get("booked").and_then(|b| b.as_l().ok()))
        .flatten()
        .map(|slot| slot.as_m().unwrap()["duration_minutes"].as_n().unwrap().parse::<u64>().unwrap())
        .sum()
}

async fn session_count(app: &App) -> usize {
    let output = app.store.client().scan().table_name(app.store.table()).send().await.unwrap();
    output
        .items()
        .iter()
        .filter(|i| i.get("entity").and_then(|e| e.as_s().ok()).map(String::as_str) == Some("Session"))
        .count()
}

#[tokio::test]
async fn request_accept_and_cancel_with_idempotency_and_privacy() {
    let app = app().await;
    let c = cast(app, "life").await;
    let start = at(48);
    let body = request_body(&c.mentor_id, start, 60);
    let mut first = Call::new("POST", "/sessions").token(&c.learner).json(body.clone());
    first.headers.push(("idempotency-key", "k-1".into()));
    let created = first.send(app).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["state"], "requested");
    let id = created.body["id"].as_str().unwrap().to_owned();

    // A retry with the same key answers the same, and creates nothing.
    let mut retry = Call::new("POST", "/sessions").token(&c.learner).json(body.clone());
    retry.headers.push(("idempotency-key", "k-1".into()));
    let replay = retry.send(app).await;
    assert_eq!((replay.status, &replay.body), (201, &created.body));
    assert_eq!(session_count(app).await, 1);
    let mut reuse = Call::new("POST", "/sessions").token(&c.learner).json(request_body(&c.mentor_id, at(72), 60));
    reuse.headers.push(("idempotency-key", "k-1".into()));
    let mismatch = reuse.send(app).await;
    assert_eq!(mismatch.status, 409);
    assert_eq!(mismatch.error_fields(), ["Idempotency-Key"]);
    assert_eq!(mismatch.body["type"], "urn:peerlearn:problem:idempotency-mismatch");

    // Only the mentor accepts; an illegal move is a 409 naming the state.
    let path = |action: &str| format!("/sessions/{id}/{action}");
    let by_learner = Call::new("POST", &path("accept")).token(&c.learner).send(app).await;
    assert_eq!(by_learner.status, 409, "{:?}", by_learner.body);
    assert_eq!(by_learner.body["state"], "requested");
    assert_eq!(by_learner.body["type"], "urn:peerlearn:problem:invalid-state");
    let accepted = Call::new("POST", &path("accept")).token(&c.mentor).send(app).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    assert_eq!(accepted.body["state"], "confirmed");
    let link = accepted.body["meeting_link"].as_str().unwrap();
    assert!(link.starts_with("https://meet.jit.si/peerlearn-") && link.len() > 40, "{link}");
    assert_eq!(held_minutes(app).await, 2 * 60, "the hour is held for mentor and learner");
    let again = Call::new("POST", &path("accept")).token(&c.mentor).send(app).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["state"], "confirmed");
    assert_eq!(Call::new("POST", &path("complete")).token(&c.mentor).send(app).await.status, 409, "not ended yet");
    assert_eq!(Call::new("POST", &path("no-show")).token(&c.learner).send(app).await.status, 409, "not started yet");

    // Both see it, with the link; anyone else gets 404, not 403.
    let seen = Call::new("GET", &format!("/sessions/{id}")).token(&c.learner).send(app).await;
    assert_eq!(seen.body["meeting_link"], link);
    let stranger = register(app, "stranger@example.com", "learner").await;
    let stranger_token = stranger["access_token"].as_str().unwrap();
    assert_eq!(Call::new("GET", &format!("/sessions/{id}")).token(stranger_token).send(app).await.status, 404);
    assert_eq!(Call::new("POST", &path("cancel")).token(stranger_token).send(app).await.status, 404);
    assert_eq!(Call::new("GET", "/sessions/not-an-id").token(&c.learner).send(app).await.status, 404);
    let upcoming = Call::new("GET", "/sessions").token(&c.mentor).send(app).await;
    assert_eq!(upcoming.body["sessions"][0]["id"], id.as_str());
    let past = Call::new("GET", "/sessions").query("when=past").token(&c.mentor).send(app).await;
    assert!(past.body["sessions"].as_array().unwrap().is_empty());
    let only_cancelled = Call::new("GET", "/sessions").query("state=cancelled").token(&c.mentor).send(app).await;
    assert!(only_cancelled.body["sessions"].as_array().unwrap().is_empty());

    // The calendar file: UTC times, stable UID, the link.
    let ics = Call::new("GET", &path("calendar.ics")).token(&c.learner).send(app).await;
    assert!(ics.content_type().starts_with("text/calendar"));
    let body = ics.body.as_str().unwrap();
    assert!(body.contains(&format!("UID:{id}@peerlearn")), "{body}");
    assert!(body.contains(&format!("DTSTART:{}", start.format("%Y%m%dT%H%M%SZ"))), "{body}");

    // Cancelling two days ahead is on time and frees both calendars.
    let cancelled =
        Call::new("POST", &path("cancel")).token(&c.learner).json(json!({"reason": "Exam moved"})).send(app).await;
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);
    assert_eq!(cancelled.body["state"], "cancelled");
    assert_eq!(cancelled.body["cancellation"]["late"], false);
    assert_eq!(held_minutes(app).await, 0, "both calendars are free again");
    assert_eq!(
        Call::new("POST", &path("no-show")).token(&c.mentor).send(app).await.status,
        409,
        "a cancelled session never carries a no-show"
    );
}

#[tokio::test]
async fn fifty_competing_accepts_confirm_exactly_one_session() {
    let app = app().await;
    let c = cast(app, "race").await;
    let base = at(30);
    // 50 requests from 25 learners (two each, inside the per-pair request limit), all
    // overlapping the block at base + 60 min.
    let mut learners = vec![c.learner.clone()];
    for i in 1..25 {
        learners.push(
            register(app, &format!("racer{i}@example.com"), "learner").await["access_token"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut ids = Vec::new();
    for i in 0..50 {
        let start = base + Duration::minutes(15 * (i % 5));
        let reply = Call::new("POST", "/sessions")
            .token(&learners[i as usize % 25])
            .json(request_body(&c.mentor_id, start, 90))
            .send(app)
            .await;
        assert_eq!(reply.status, 201, "{:?}", reply.body);
        ids.push(reply.body["id"].as_str().unwrap().to_owned());
    }
    let paths: Vec<String> = ids.iter().map(|id| format!("/sessions/{id}/accept")).collect();
    let replies =
        futures::future::join_all(paths.iter().map(|p| Call::new("POST", p).token(&c.mentor).send(app))).await;
    let confirmed: Vec<_> = replies.iter().filter(|r| r.status == 200).collect();
    let refused = replies.iter().filter(|r| r.status == 409).count();
    assert_eq!((confirmed.len(), refused), (1, 49), "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    assert!(replies.iter().filter(|r| r.status == 409).all(|r| r.content_type() == "application/problem+json"));
    let conflicts = ["time-taken", "contended", "invalid-state"].map(|kind| format!("urn:peerlearn:problem:{kind}"));
    assert!(replies.iter().filter(|r| r.status == 409).all(|r| conflicts.iter().any(|kind| r.body["type"] == *kind)));
    assert_eq!(held_minutes(app).await, 2 * 90, "only the winner's 90 minutes are held, for both sides");
}

#[tokio::test]
async fn rescheduling_moves_the_held_time_and_needs_the_other_side() {
    let app = app().await;
    let c = cast(app, "move").await;
    let created =
        Call::new("POST", "/sessions").token(&c.learner).json(request_body(&c.mentor_id, at(50), 60)).send(app).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(Call::new("POST", &format!("/sessions/{id}/accept")).token(&c.mentor).send(app).await.status, 200);

    let new_start = at(74);
    let proposed = Call::new("POST", &format!("/sessions/{id}/reschedule"))
        .token(&c.learner)
        .json(json!({"start": new_start.to_rfc3339(), "duration_minutes": 30}))
        .send(app)
        .await;
    assert_eq!(proposed.status, 200, "{:?}", proposed.body);
    assert_eq!(proposed.body["proposal"]["by"], "learner");
    let own = Call::new("POST", &format!("/sessions/{id}/reschedule/accept")).token(&c.learner).send(app).await;
    assert_eq!(own.status, 409, "only the other side accepts a proposal");
    let moved = Call::new("POST", &format!("/sessions/{id}/reschedule/accept")).token(&c.mentor).send(app).await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    assert_eq!(moved.body["state"], "confirmed");
    assert_eq!(DateTime::parse_from_rfc3339(moved.body["slot"]["start"].as_str().unwrap()).unwrap(), new_start);
    assert_eq!(held_minutes(app).await, 2 * 30, "the new 30 minutes held by each, the old hour released");

    let bad = Call::new("POST", &format!("/sessions/{id}/reschedule"))
        .token(&c.mentor)
        .json(json!({"start": "2030-01-01T10:07:00Z", "duration_minutes": 50}))
        .send(app)
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.error_fields(), ["start", "duration_minutes"]);
}

#[tokio::test]
async fn requests_are_checked_against_the_mentor() {
    let app = app().await;
    let c = cast(app, "rules").await;
    let narrow = register(app, "narrow@example.com", "mentor").await;
    let narrow_token = narrow["access_token"].as_str().unwrap();
    let narrow_profile = json!({"timezone": "UTC", "availability": [{"day": "mon", "start": "09:00", "end": "10:00"}]});
    Call::new("PATCH", "/me").token(narrow_token).json(narrow_profile).send(app).await;
    let narrow_id = narrow["user"]["id"].as_str().unwrap();
    verify_mentor(app, narrow_id, reviews(0, 0.0)).await;
    let unverified = register(app, "unverified@example.com", "mentor").await;

    let cases = [
        (
            request_body(
                narrow_id,
                at(24 * 8).with_time(chrono::NaiveTime::from_hms_opt(13, 0, 0).unwrap()).unwrap(),
                60,
            ),
            "start",
        ),
        (request_body(unverified["user"]["id"].as_str().unwrap(), at(48), 60), "mentor_id"),
        (request_body(&c.mentor_id, at(-48), 60), "start"),
        (request_body(&c.mentor_id, at(48) + Duration::minutes(5), 60), "start"),
        (request_body(&c.mentor_id, at(48), 20), "duration_minutes"),
        (json!({"mentor_id": c.mentor_id, "start": at(48).to_rfc3339(), "duration_minutes": 60, "topic": ""}), "topic"),
    ];
    for (body, field) in cases {
        let reply = Call::new("POST", "/sessions").token(&c.learner).json(body.clone()).send(app).await;
        assert_eq!(reply.status, 400, "{body}: {:?}", reply.body);
        assert!(reply.error_fields().contains(&field.to_owned()), "{body}: {:?}", reply.body);
    }
    // A mentor cannot book themself.
    let own =
        Call::new("POST", "/sessions").token(&c.mentor).json(request_body(&c.mentor_id, at(48), 60)).send(app).await;
    assert_eq!(own.status, 400);
    assert_eq!(session_count(app).await, 0, "nothing written by refused requests");
    assert_eq!(Call::new("POST", "/sessions").json(request_body(&c.mentor_id, at(48), 60)).send(app).await.status, 401);
}

#[tokio::test]
async fn completion_and_no_shows_follow_the_clock() {
    let clock = clock_at(STARTS_AT);
    let app = app_with_clock(clock.clone() as Arc<_>).await;
    let c = cast(app, "clock").await;
    let mut ids = Vec::new();
    let second_start = at(9);
    for start in [at(6), second_start] {
        let created = Call::new("POST", "/sessions")
            .token(&c.learner)
            .json(request_body(&c.mentor_id, start, 60))
            .send(app)
            .await;
        let id = created.body["id"].as_str().unwrap().to_owned();
        assert_eq!(Call::new("POST", &format!("/sessions/{id}/accept")).token(&c.mentor).send(app).await.status, 200);
        ids.push(id);
    }
    // Cancelling six hours ahead is allowed, and recorded as late (notice is 12 h).
    let late = Call::new("POST", &format!("/sessions/{}/cancel", ids[0])).token(&c.mentor).send(app).await;
    assert_eq!(late.body["cancellation"]["late"], true);

    use shared::ports::Clock as _;
    clock.advance(second_start - clock.now() + Duration::minutes(5));
    let c = c.renewed(app);
    let early = Call::new("POST", &format!("/sessions/{}/no-show", ids[1])).token(&c.learner).send(app).await;
    assert_eq!(early.status, 409, "no-show only from 10 minutes after the start");
    clock.advance(Duration::minutes(30));
    let c = c.renewed(app);
    let no_show = Call::new("POST", &format!("/sessions/{}/no-show", ids[1])).token(&c.learner).send(app).await;
    assert_eq!(no_show.status, 200, "{:?}", no_show.body);
    assert_eq!((no_show.body["state"].as_str(), no_show.body["no_show"].as_str()), (Some("no_show"), Some("mentor")));
    let past = Call::new("GET", "/sessions").query("when=past").token(&c.learner).send(app).await;
    assert_eq!(past.body["sessions"].as_array().unwrap().len(), 2);
}

/// The session index lists a request as due at its expiry under the app's own policy:
/// it once used the default policy, so a shorter answer window never expired anything
/// until the default one had passed.
#[tokio::test]
async fn a_request_falls_due_by_the_apps_policy() {
    let clock = clock_at(STARTS_AT);
    let app = app_adjusted(clock.clone() as Arc<_>, |app| app.policy.request_ttl = Duration::hours(6)).await;
    let c = cast(app, "policy").await;
    let request =
        Call::new("POST", "/sessions").token(&c.learner).json(request_body(&c.mentor_id, at(100), 60)).send(app).await;
    assert_eq!(request.status, 201);
    let id = request.body["id"].as_str().unwrap().to_owned();

    clock.advance(Duration::hours(5));
    assert_eq!(run_reminders(app).await.expired, 0, "still inside the six hours");
    clock.advance(Duration::hours(2));
    let c = c.renewed(app);
    assert_eq!(run_reminders(app).await.expired, 1, "due by the app's six hours, not the default 48");
    let expired = Call::new("GET", &format!("/sessions/{id}")).token(&c.learner).send(app).await;
    assert_eq!(expired.body["state"], "expired");
}

#[tokio::test]
async fn reminders_go_out_once_and_unanswered_requests_expire() {
    use shared::ports::Clock as _;
    let clock = clock_at(STARTS_AT);
    let app = app_with_clock(clock.clone() as Arc<_>).await;
    let c = cast(app, "remind").await;
    let soon_start = at(20);
    let confirmed = Call::new("POST", "/sessions")
        .token(&c.learner)
        .json(request_body(&c.mentor_id, soon_start, 60))
        .send(app)
        .await;
    let confirmed_id = confirmed.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        Call::new("POST", &format!("/sessions/{confirmed_id}/accept")).token(&c.mentor).send(app).await.status,
        200
    );
    let ignored =
        Call::new("POST", "/sessions").token(&c.learner).json(request_body(&c.mentor_id, at(100), 60)).send(app).await;
    let ignored_id = ignored.body["id"].as_str().unwrap().to_owned();

    let first = run_reminders(app).await;
    assert_eq!((first.reminded_day, first.reminded_soon, first.expired), (1, 0, 0));
    assert_eq!(notification_count(app, "reminder_day").await, 2, "both sides");
    let rerun = run_reminders(app).await;
    assert_eq!((rerun.reminded_day, rerun.reminded_soon, rerun.expired), (0, 0, 0), "a rerun sends nothing twice");
    assert_eq!(notification_count(app, "reminder_day").await, 2);

    clock.advance(soon_start - clock.now() - Duration::minutes(10));
    let soon = run_reminders(app).await;
    assert_eq!(soon.reminded_soon, 1);
    assert_eq!(run_reminders(app).await.reminded_soon, 0);
    assert_eq!(notification_count(app, "reminder_soon").await, 2);

    // 48 hours without an answer: the request expires, once.
    clock.advance(Duration::hours(49));
    let c = c.renewed(app);
    assert_eq!(run_reminders(app).await.expired, 1);
    assert_eq!(run_reminders(app).await.expired, 0);
    let expired = Call::new("GET", &format!("/sessions/{ignored_id}")).token(&c.learner).send(app).await;
    assert_eq!(expired.body["state"], "expired");
    assert_eq!(
        Call::new("POST", &format!("/sessions/{ignored_id}/accept")).token(&c.mentor).send(app).await.status,
        409
    );
}

#[tokio::test]
async fn the_gateway_fires_schedules_on_demand() {
    let base = peerlearn_tests::gateway().await;
    let http = reqwest::Client::new();
    let response = http.post(format!("{base}/_local/schedules/Every5Minutes")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let run: Value = response.json().await.unwrap();
    assert_eq!(run, json!({"reminded_day": 0, "reminded_soon": 0, "expired": 0, "ratings_counted": 0}));
    let unknown = http.post(format!("{base}/_local/schedules/Nope")).send().await.unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
}

async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

#[tokio::test]
async fn journey_request_accept_remind_complete_review() {
    use shared::ports::Clock as _;
    let clock = clock_at(STARTS_AT);
    let (setup, base) = peerlearn_tests::gateway_with_clock(clock.clone() as Arc<_>).await;
    let http = reqwest::Client::new();
    let register = |email: &'static str, roles: &'static str| {
        http.post(format!("{base}/auth/register"))
            .json(&json!({"email": email, "password": "correct horse battery", "name": "Member", "roles": roles}))
    };
    let (_, mentor) = send(register("maria@example.com", "mentor")).await;
    let mentor_token = mentor["access_token"].as_str().unwrap().to_owned();
    let mentor_id = mentor["user"]["id"].as_str().unwrap().to_owned();
    let profile = json!({"timezone": "UTC", "availability": all_week(), "skills": [{"name": "rust", "level": 5}]});
    assert_eq!(send(http.patch(format!("{base}/me")).bearer_auth(&mentor_token).json(&profile)).await.0, 200);
    verify_mentor(setup, &mentor_id, reviews(3, 4.0)).await;
    let (_, learner) = send(register("leo@example.com", "learner")).await;
    let learner_token = learner["access_token"].as_str().unwrap().to_owned();

    let start = at(20);
    let (status, requested) = send(
        http.post(format!("{base}/sessions"))
            .bearer_auth(&learner_token)
            .header("idempotency-key", "journey-1")
            .json(&request_body(&mentor_id, start, 60)),
    )
    .await;
    assert_eq!(status, 201, "{requested}");
    let id = requested["id"].as_str().unwrap().to_owned();
    let (status, confirmed) = send(http.post(format!("{base}/sessions/{id}/accept")).bearer_auth(&mentor_token)).await;
    assert_eq!(status, 200, "{confirmed}");
    for token in [&learner_token, &mentor_token] {
        let (_, seen) = send(http.get(format!("{base}/sessions/{id}")).bearer_auth(token)).await;
        assert_eq!(seen["state"], "confirmed");
        assert_eq!(seen["meeting_link"], confirmed["meeting_link"]);
    }

    // The reminder job, fired twice, notifies once.
    let (_, first) = send(http.post(format!("{base}/_local/schedules/Every5Minutes"))).await;
    let (_, second) = send(http.post(format!("{base}/_local/schedules/Every5Minutes"))).await;
    assert_eq!((first["reminded_day"].as_u64(), second["reminded_day"].as_u64()), (Some(1), Some(0)));

    // After the session: complete, then both review.
    clock.advance(start - clock.now() + Duration::minutes(70));
    let (mentor_token, learner_token) = (renew(setup, &mentor_token), renew(setup, &learner_token));
    let (status, completed) =
        send(http.post(format!("{base}/sessions/{id}/complete")).bearer_auth(&mentor_token)).await;
    assert_eq!(status, 200, "{completed}");
    let (status, learner_review) = send(
        http.post(format!("{base}/sessions/{id}/review"))
            .bearer_auth(&learner_token)
            .json(&json!({"rating": 5, "text": "Finally understood lifetimes."})),
    )
    .await;
    assert_eq!(status, 201, "{learner_review}");
    let (status, _) =
        send(http.post(format!("{base}/sessions/{id}/review")).bearer_auth(&learner_token).json(&json!({"rating": 1})))
            .await;
    assert_eq!(status, 409, "once per side");
    // Double-blind: the learner's review is hidden until the mentor writes theirs.
    let (_, listed) = send(http.get(format!("{base}/mentors/{mentor_id}/reviews")).bearer_auth(&learner_token)).await;
    assert!(listed["reviews"].as_array().unwrap().is_empty(), "{listed}");
    let (_, public) = send(http.get(format!("{base}/users/{mentor_id}")).bearer_auth(&learner_token)).await;
    assert_eq!(
        (public["mentor_stats"]["rating_count"].as_u64(), public["mentor_stats"]["rating_sum"].as_u64()),
        (Some(3), Some(12)),
        "a blind rating leaves the aggregate untouched"
    );
    let (status, _) = send(
        http.post(format!("{base}/sessions/{id}/review"))
            .bearer_auth(&mentor_token)
            .json(&json!({"rating": 4, "text": "Well prepared."})),
    )
    .await;
    assert_eq!(status, 201);
    let (_, listed) = send(http.get(format!("{base}/mentors/{mentor_id}/reviews")).bearer_auth(&learner_token)).await;
    let reviews = listed["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 1, "{listed}");
    assert_eq!(
        (reviews[0]["rating"].as_u64(), reviews[0]["text"].as_str()),
        (Some(5), Some("Finally understood lifetimes."))
    );

    let (_, public) = send(http.get(format!("{base}/users/{mentor_id}")).bearer_auth(&learner_token)).await;
    assert_eq!(
        (public["mentor_stats"]["rating_count"].as_u64(), public["mentor_stats"]["rating_sum"].as_u64()),
        (Some(4), Some(17)),
        "revealed by the second review: counted once"
    );
    // The new rating reaches search: the card in the listing was rewritten in the same transaction.
    let (_, found) = send(http.get(format!("{base}/mentors?skill=rust")).bearer_auth(&learner_token)).await;
    assert_eq!(found["mentors"][0]["stats"]["rating_count"], 4, "{found}");

    // Each side heard that a review arrived, without its content.
    for token in [&mentor_token, &learner_token] {
        let (_, notes) = send(http.get(format!("{base}/notifications")).bearer_auth(token)).await;
        let received: Vec<&Value> =
            notes["notifications"].as_array().unwrap().iter().filter(|n| n["kind"] == "review_received").collect();
        assert_eq!(received.len(), 1, "{notes}");
        assert!(
            !received[0]["text"].as_str().unwrap().contains("Finally understood"),
            "no content while it may be blind"
        );
    }
}

#[tokio::test]
async fn reviews_need_a_completed_session_and_unlock_after_a_week() {
    use shared::ports::Clock as _;
    let clock = clock_at(STARTS_AT);
    let app = app_with_clock(clock.clone() as Arc<_>).await;
    let c = cast(app, "blind").await;
    let learner: &'static str = Box::leak(c.learner.clone().into_boxed_str());
    let start = at(24);
    let created =
        Call::new("POST", "/sessions").token(&c.learner).json(request_body(&c.mentor_id, start, 30)).send(app).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let review_path = format!("/sessions/{id}/review");
    let review = |token: &'static str, rating: u8| {
        Call::new("POST", &review_path).token(token).json(json!({"rating": rating, "text": "ok"}))
    };
    let early = review(learner, 5).send(app).await;
    assert_eq!((early.status, early.body["state"].as_str()), (409, Some("requested")));
    Call::new("POST", &format!("/sessions/{id}/accept")).token(&c.mentor).send(app).await;
    clock.advance(start - clock.now() + Duration::hours(1));
    let c = c.renewed(app);
    let learner: &'static str = Box::leak(c.learner.clone().into_boxed_str());
    Call::new("POST", &format!("/sessions/{id}/complete")).token(&c.learner).send(app).await;
    let invalid = review(learner, 6).send(app).await;
    assert_eq!((invalid.status, invalid.error_fields()), (400, vec!["rating".to_owned()]));
    let stranger = register(app, "nosy@example.com", "learner").await;
    let stranger: &'static str = Box::leak(stranger["access_token"].as_str().unwrap().to_owned().into_boxed_str());
    assert_eq!(review(stranger, 1).send(app).await.status, 404);
    assert_eq!(review(learner, 3).send(app).await.status, 201);

    let path = format!("/mentors/{}/reviews", c.mentor_id);
    assert!(Call::new("GET", &path).token(&c.learner).send(app).await.body["reviews"].as_array().unwrap().is_empty());
    clock.advance(Duration::days(7));
    let c = c.renewed(app);
    let later = Call::new("GET", &path).token(&c.learner).send(app).await;
    assert_eq!(later.body["reviews"].as_array().unwrap().len(), 1, "visible once the blind week is over");
}

#[tokio::test]
async fn answers_and_silence_shape_the_mentors_track_record() {
    use shared::ports::AccountStore;
    let clock = clock_at(STARTS_AT);
    let app = app_with_clock(clock.clone() as Arc<_>).await;
    let c = cast(app, "track").await;
    let mentor_id = shared::domain::UserId::parse(&c.mentor_id).unwrap();
    let stats = || async { app.store.user(&mentor_id).await.unwrap().unwrap().mentor };

    let answered =
        Call::new("POST", "/sessions").token(&c.learner).json(request_body(&c.mentor_id, at(30), 60)).send(app).await;
    let answered_id = answered.body["id"].as_str().unwrap().to_owned();
    let ignored =
        Call::new("POST", "/sessions").token(&c.learner).json(request_body(&c.mentor_id, at(120), 60)).send(app).await;
    let ignored_id = ignored.body["id"].as_str().unwrap().to_owned();
    clock.advance(Duration::minutes(5));
    assert_eq!(
        Call::new("POST", &format!("/sessions/{answered_id}/accept")).token(&c.mentor).send(app).await.status,
        200
    );
    let after_accept = stats().await;
    assert_eq!(after_accept.median_response_minutes, Some(8), "answered within 15 minutes");
    assert_eq!(after_accept.upcoming_sessions, 1);
    assert_eq!(after_accept.rating_count, 10, "reviews untouched");

    // The new track record reaches search in the same transaction.
    let found = Call::new("GET", "/mentors").query("skill=rust").token(&c.learner).send(app).await;
    assert_eq!(found.body["mentors"][0]["stats"]["upcoming_sessions"], 1, "{:?}", found.body);

    assert_eq!(
        Call::new("POST", &format!("/sessions/{answered_id}/cancel")).token(&c.learner).send(app).await.status,
        200
    );
    assert_eq!(stats().await.upcoming_sessions, 0);

    // Silence counts: the ignored request expires and weighs as 48 hours.
    clock.advance(Duration::hours(49));
    let c = c.renewed(app);
    assert_eq!(run_reminders(app).await.expired, 1);
    let after_expiry = stats().await;
    assert_eq!(after_expiry.response_histogram.iter().sum::<u32>(), 2);
    assert_eq!(*after_expiry.response_histogram.last().unwrap(), 1);
    let state = Call::new("GET", &format!("/sessions/{ignored_id}")).token(&c.learner).send(app).await;
    assert_eq!(state.body["state"], "expired");
}

#[tokio::test]
async fn booked_time_is_not_free_time() {
    let app = app().await;
    let c = cast(app, "busy").await;
    let profile = json!({"timezone": "UTC", "availability": all_week(), "learning": [{"name": "rust", "level": 3}]});
    assert_eq!(Call::new("PATCH", "/me").token(&c.learner).json(profile).send(app).await.status, 200);
    let overlap = || async {
        let reply = Call::new("GET", "/match").token(&c.learner).send(app).await;
        reply.body["matches"][0]["overlap_hours"].as_f64().unwrap()
    };
    let before = overlap().await;

    let start = at(30);
    let created =
        Call::new("POST", "/sessions").token(&c.learner).json(request_body(&c.mentor_id, start, 60)).send(app).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(Call::new("POST", &format!("/sessions/{id}/accept")).token(&c.mentor).send(app).await.status, 200);
    assert!((before - overlap().await - 1.0).abs() < 1e-9, "the booked hour is no longer shared free time");

    let range = |from: DateTime<Utc>| {
        format!("skill=rust&available_at={}/{}", from.to_rfc3339(), (from + Duration::hours(1)).to_rfc3339())
            .replace('+', "%2B")
    };
    let busy = Call::new("GET", "/mentors").query(&range(start)).token(&c.learner).send(app).await;
    assert!(busy.body["mentors"].as_array().unwrap().is_empty(), "{:?}", busy.body);
    let free = Call::new("GET", "/mentors").query(&range(start + Duration::hours(2))).token(&c.learner).send(app).await;
    assert_eq!(free.body["mentors"].as_array().unwrap().len(), 1);

    let clash = Call::new("POST", "/sessions")
        .token(&c.learner)
        .json(request_body(&c.mentor_id, start + Duration::minutes(30), 60))
        .send(app)
        .await;
    assert_eq!((clash.status, clash.error_fields()), (400, vec!["start".to_owned()]));

    // The learner's own booking leaves their free time too: against another mentor, free
    // all week, they now share one hour less.
    let other = register(app, "other-mentor-busy@example.com", "mentor").await;
    let other_token = other["access_token"].as_str().unwrap();
    let other_profile = json!({"timezone": "UTC", "availability": all_week(), "skills": [{"name": "go", "level": 5}]});
    Call::new("PATCH", "/me").token(other_token).json(other_profile).send(app).await;
    verify_mentor(app, other["user"]["id"].as_str().unwrap(), reviews(1, 4.0)).await;
    let learner = c.learner.as_str();
    let with_other = |skills: &'static str| async move {
        let reply = Call::new("GET", "/match").query(skills).token(learner).send(app).await;
        reply.body["matches"][0]["overlap_hours"].as_f64().unwrap()
    };
    assert!((before - with_other("skills=go").await - 1.0).abs() < 1e-9, "the learner's booked hour is not free");

    // Cancelling gives the hour back, on both sides.
    Call::new("POST", &format!("/sessions/{id}/cancel")).token(&c.mentor).send(app).await;
    assert!((overlap().await - before).abs() < 1e-9);
    assert!((with_other("skills=go").await - before).abs() < 1e-9);
}

#[tokio::test]
async fn a_learner_is_never_booked_twice_at_once_whichever_mentor_accepts() {
    let app = app().await;
    let c = cast(app, "twice").await;
    let other = register(app, "other-mentor-twice@example.com", "mentor").await;
    let other_token = other["access_token"].as_str().unwrap();
    let other_id = other["user"]["id"].as_str().unwrap();
    let profile = json!({"timezone": "UTC", "availability": all_week(), "skills": [{"name": "go", "level": 5}]});
    assert_eq!(Call::new("PATCH", "/me").token(other_token).json(profile).send(app).await.status, 200);
    verify_mentor(app, other_id, reviews(1, 4.0)).await;

    // Both asked before either answered, half an hour apart: both requests stand.
    let first =
        Call::new("POST", "/sessions").token(&c.learner).json(request_body(&c.mentor_id, at(30), 60)).send(app).await;
    let later = at(30) + Duration::minutes(30);
    let second =
        Call::new("POST", "/sessions").token(&c.learner).json(request_body(other_id, later, 60)).send(app).await;
    assert_eq!((first.status, second.status), (201, 201), "{:?} {:?}", first.body, second.body);
    let (first, second) =
        (first.body["id"].as_str().unwrap().to_owned(), second.body["id"].as_str().unwrap().to_owned());

    assert_eq!(Call::new("POST", &format!("/sessions/{first}/accept")).token(&c.mentor).send(app).await.status, 200);
    // The other mentor is free, but the learner is not: their account holds the hour.
    let clash = Call::new("POST", &format!("/sessions/{second}/accept")).token(other_token).send(app).await;
    assert_eq!(clash.status, 409, "{:?}", clash.body);
    assert_eq!(clash.body["type"], "urn:peerlearn:problem:time-taken");
    let still = Call::new("GET", &format!("/sessions/{second}")).token(other_token).send(app).await;
    assert_eq!(still.body["state"], "requested", "a refused accept changes nothing");
    assert_eq!(held_minutes(app).await, 2 * 60);

    // Once the first is cancelled, the learner's time is free and the second can be accepted.
    let cancel = format!("/sessions/{first}/cancel");
    let cancelled = Call::new("POST", &cancel).token(&c.learner).json(json!({"reason": "Clash"})).send(app).await;
    assert_eq!(cancelled.status, 200);
    let accepted = Call::new("POST", &format!("/sessions/{second}/accept")).token(other_token).send(app).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    assert_eq!(held_minutes(app).await, 2 * 60, "the second hour, for the learner and the other mentor");
}

/// A quarter-hour-aligned instant `hours` after the test clock's now.
fn after(clock: &TestClock, hours: i64) -> DateTime<Utc> {
    use shared::ports::Clock as _;
    (clock.now() + Duration::hours(hours)).duration_trunc(Duration::minutes(15)).unwrap()
}

fn problem_limit(reply: &peerlearn_tests::Reply) -> &str {
    reply.body["limit"].as_str().unwrap_or_default()
}

/// Moves `clock` to a minute into the next hour, so a burst of requests cannot straddle two
/// request windows (computed from the test clock, not the wall clock).
fn start_of_an_hour(clock: &TestClock) {
    use shared::ports::Clock as _;
    let into = clock.now().timestamp().rem_euclid(3600);
    clock.advance(Duration::seconds(3600 - into + 60));
}

#[tokio::test]
async fn twenty_requests_for_one_slot_notify_the_mentor_at_most_three_times() {
    let clock = clock_at(STARTS_AT);
    let app = app_with_clock(clock.clone() as Arc<_>).await;
    // Before the cast signs in: their tokens live 15 minutes by this clock.
    start_of_an_hour(&clock);
    let c = cast(app, "flood").await;
    let start = after(&clock, 48);
    let body = request_body(&c.mentor_id, start, 60);

    // The first request carries an Idempotency-Key, to be retried past the limit below.
    let mut keyed = Call::new("POST", "/sessions").token(&c.learner).json(body.clone());
    keyed.headers.push(("idempotency-key", "flood-1".into()));
    let first = keyed.send(app).await;
    assert_eq!(first.status, 201, "{:?}", first.body);

    let flood = (0..20).map(|_| Call::new("POST", "/sessions").token(&c.learner).json(body.clone()).send(app));
    let replies = futures::future::join_all(flood).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    let created = replies.iter().filter(|r| r.status == 201).count();
    let limited: Vec<_> = replies.iter().filter(|r| r.status == 429).collect();
    println!("20 concurrent requests after 1: {created} x 201, {} x 429", limited.len());
    assert!(created <= 2, "{statuses:?}");
    assert_eq!(created + limited.len(), 20, "{statuses:?}");
    for reply in &limited {
        assert_eq!(reply.content_type(), "application/problem+json");
        assert_eq!(problem_limit(reply), "session_requests_per_pair");
        assert_eq!(reply.body["type"], "urn:peerlearn:problem:rate-limited");
        let retry_after: u64 = reply.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=3600).contains(&retry_after), "{retry_after}");
    }
    assert_eq!(session_count(app).await, 1 + created);
    assert_eq!(notification_count(app, "session_requested").await, 1 + created, "one notification per session");

    // A refused request leaves the table exactly as it was.
    let before = peerlearn_tests::item_count(app).await;
    let refused = Call::new("POST", "/sessions").token(&c.learner).json(body.clone()).send(app).await;
    assert_eq!(refused.status, 429);
    assert_eq!(peerlearn_tests::item_count(app).await, before);

    // The retry of the first request replays its answer: a retry is never refused or counted.
    let mut retry = Call::new("POST", "/sessions").token(&c.learner).json(body.clone());
    retry.headers.push(("idempotency-key", "flood-1".into()));
    let replay = retry.send(app).await;
    assert_eq!((replay.status, &replay.body), (201, &first.body));

    // Another mentor is another pair; an hour later this one can be asked again.
    let other = cast(app, "flood-other").await;
    let elsewhere = Call::new("POST", "/sessions")
        .token(&c.learner)
        .json(request_body(&other.mentor_id, start, 60))
        .send(app)
        .await;
    assert_eq!(elsewhere.status, 201, "{:?}", elsewhere.body);
    let retry_after: i64 = refused.headers["retry-after"].to_str().unwrap().parse().unwrap();
    clock.advance(Duration::seconds(retry_after));
    let c = c.renewed(app);
    let later = Call::new("POST", "/sessions").token(&c.learner).json(body).send(app).await;
    assert_eq!(later.status, 201, "{:?}", later.body);
}

#[tokio::test]
async fn concurrent_retries_with_one_key_count_once_and_learners_have_an_overall_limit() {
    let clock = clock_at(STARTS_AT);
    let app = app_with_clock(clock.clone() as Arc<_>).await;
    // Before the cast signs in: their tokens live 15 minutes by this clock.
    start_of_an_hour(&clock);
    let c = cast(app, "quota").await;
    let body = request_body(&c.mentor_id, after(&clock, 50), 60);

    // Five copies of one request with one key, at once: one session, one use of the quota.
    let copies = (0..5).map(|_| {
        let mut call = Call::new("POST", "/sessions").token(&c.learner).json(body.clone());
        call.headers.push(("idempotency-key", "same".into()));
        call.send(app)
    });
    let replies = futures::future::join_all(copies).await;
    assert!(replies.iter().all(|r| r.status == 201), "{:?}", replies.iter().map(|r| &r.body).collect::<Vec<_>>());
    assert_eq!(session_count(app).await, 1);
    for _ in 0..2 {
        let more = Call::new("POST", "/sessions").token(&c.learner).json(body.clone()).send(app).await;
        assert_eq!(more.status, 201, "two more fit the per-pair limit of three: {:?}", more.body);
    }
    let fourth = Call::new("POST", "/sessions").token(&c.learner).json(body.clone()).send(app).await;
    assert_eq!((fourth.status, problem_limit(&fourth)), (429, "session_requests_per_pair"));

    // Ten requests an hour in all, whoever they are for: three more mentors, three each,
    // and the eleventh request is refused by the learner's overall limit.
    let mut mentors = Vec::new();
    for i in 0..3 {
        mentors.push(cast(app, &format!("quota-{i}")).await.mentor_id);
    }
    let mut statuses = Vec::new();
    for mentor in mentors.iter().flat_map(|m| [m, m, m]) {
        let reply = Call::new("POST", "/sessions")
            .token(&c.learner)
            .json(request_body(mentor, after(&clock, 50), 60))
            .send(app)
            .await;
        statuses.push((reply.status, problem_limit(&reply).to_owned()));
    }
    let created = statuses.iter().filter(|(status, _)| *status == 201).count();
    assert_eq!(created, 7, "{statuses:?}");
    assert!(
        statuses[7..].iter().all(|(status, limit)| *status == 429 && limit == "session_requests_per_learner"),
        "{statuses:?}"
    );
    assert_eq!(session_count(app).await, 10);
}

#[tokio::test]
async fn a_block_stops_session_requests_both_ways() {
    let app = app().await;
    let c = cast(app, "blocked").await;
    let learner = register(app, "learner-blocked-2@example.com", "learner").await;
    let learner_token = learner["access_token"].as_str().unwrap().to_owned();
    let learner_id = learner["user"]["id"].as_str().unwrap().to_owned();
    let body = request_body(&c.mentor_id, at(30), 60);

    // The mentor blocked this learner: the learner's request is refused before any write.
    let block = Call::new("PUT", &format!("/me/blocks/{learner_id}")).token(&c.mentor).send(app).await;
    assert_eq!(block.status, 204);
    let before = item_count(app).await;
    let refused = Call::new("POST", "/sessions").token(&learner_token).json(body.clone()).send(app).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert_eq!(refused.content_type(), "application/problem+json");
    assert_eq!(refused.body["type"], "urn:peerlearn:problem:forbidden");
    // The answer does not say who blocked whom.
    assert!(!refused.body.to_string().contains("blocked you"), "{:?}", refused.body);
    assert_eq!(item_count(app).await, before, "no session, contact or notification");

    // The other way round: a learner who blocked the mentor cannot ask them either.
    let block = Call::new("PUT", &format!("/me/blocks/{}", c.mentor_id)).token(&c.learner).send(app).await;
    assert_eq!(block.status, 204);
    let before = item_count(app).await;
    let refused = Call::new("POST", "/sessions").token(&c.learner).json(body.clone()).send(app).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert_eq!(item_count(app).await, before);
    assert_eq!(session_count(app).await, 0);

    // Lifting the block lets the request through.
    let unblock = Call::new("DELETE", &format!("/me/blocks/{learner_id}")).token(&c.mentor).send(app).await;
    assert_eq!(unblock.status, 204);
    let created = Call::new("POST", "/sessions").token(&learner_token).json(body).send(app).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
}

#[tokio::test]
async fn a_rating_moves_the_mentor_only_when_revealed_and_only_once() {
    use shared::ports::{AccountStore, Clock as _};
    let clock = clock_at(STARTS_AT);
    let app = app_with_clock(clock.clone() as Arc<_>).await;
    let c = cast(app, "reveal").await;
    let mentor_id = shared::domain::UserId::parse(&c.mentor_id).unwrap();
    let stats = || async {
        let stats = app.store.user(&mentor_id).await.unwrap().unwrap().mentor;
        (stats.rating_count, stats.rating_sum)
    };
    let listed = || async {
        // Signed in afresh on each look: the clock moves by days in between.
        let token = renew(app, &c.learner);
        let found = Call::new("GET", "/mentors").query("skill=rust").token(&token).send(app).await;
        found.body["mentors"][0]["stats"]["rating_count"].as_u64().unwrap()
    };
    // Two sessions, from the app's clock, then completed once both are over.
    let slot = |hours: i64| (clock.now() + Duration::hours(hours)).duration_trunc(Duration::minutes(15)).unwrap();
    let (first_start, second_start) = (slot(24), slot(48));
    let mut ids = Vec::new();
    for start in [first_start, second_start] {
        let created = Call::new("POST", "/sessions")
            .token(&c.learner)
            .json(request_body(&c.mentor_id, start, 60))
            .send(app)
            .await;
        assert_eq!(created.status, 201, "{:?}", created.body);
        let id = created.body["id"].as_str().unwrap().to_owned();
        assert_eq!(Call::new("POST", &format!("/sessions/{id}/accept")).token(&c.mentor).send(app).await.status, 200);
        ids.push(id);
    }
    clock.advance(second_start - clock.now() + Duration::minutes(70));
    let c = c.renewed(app);
    for id in &ids {
        let completed = Call::new("POST", &format!("/sessions/{id}/complete")).token(&c.mentor).send(app).await;
        assert_eq!(completed.status, 200, "{:?}", completed.body);
    }
    assert_eq!(stats().await, (10, 45), "the cast's track record");
    let review = |id: &str, token: &str, rating: u8| {
        let path = format!("/sessions/{id}/review");
        let token = token.to_owned();
        async move { Call::new("POST", &path).token(&token).json(json!({"rating": rating})).send(app).await.status }
    };

    // A single, blind review leaves the average and the rank alone.
    assert_eq!(review(&ids[0], &c.learner, 1).await, 201);
    assert_eq!(stats().await, (10, 45));
    assert_eq!(listed().await, 10);
    // The mentor's review reveals both and counts the rating, once.
    assert_eq!(review(&ids[0], &c.mentor, 5).await, 201);
    assert_eq!(stats().await, (11, 46));
    assert_eq!(listed().await, 11, "the listing moved in the same transaction");
    assert_eq!(run_reminders(app).await.ratings_counted, 0, "nothing left pending");
    assert_eq!(stats().await, (11, 46));

    // An unanswered review: blind for the week, then counted by the job, once.
    assert_eq!(review(&ids[1], &c.learner, 5).await, 201);
    assert_eq!(run_reminders(app).await.ratings_counted, 0, "still blind");
    assert_eq!(stats().await, (11, 46));
    clock.advance(Duration::days(7));
    let c = c.renewed(app);
    assert_eq!(run_reminders(app).await.ratings_counted, 1);
    assert_eq!(stats().await, (12, 51));
    assert_eq!(listed().await, 12);
    assert_eq!(run_reminders(app).await.ratings_counted, 0, "a rerun changes nothing");
    assert_eq!(stats().await, (12, 51));
    // The mentor's late review does not count the learner's rating again.
    assert_eq!(review(&ids[1], &c.mentor, 4).await, 201);
    assert_eq!(stats().await, (12, 51));
}
