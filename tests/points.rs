//! Points, end to end: sessions and reviews committed through the API, points arriving
//! through the table's stream into award-points, exactly once even when the stream is
//! replayed.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use chrono::{DurationRound, Utc};
use dev_gateway::stream::{StreamPoller, local_streams_client};
use peerlearn_tests::realtime::realtime_with_clock;
use peerlearn_tests::{
    Call, Member, TestClock, as_function, endpoint, invoke_event, member, register, reviews, template, verify_mentor,
};
use serde_json::{Value, json};
use shared::app::App;

/// The caller's points once `all_time` reaches `expected` (the stream is asynchronous).
async fn points_reaching(app: &App, token: &str, expected: i64) -> Value {
    let mut last = Value::Null;
    for _ in 0..100 {
        last = Call::new("GET", "/me/points").token(token).send(app).await.body;
        if last["all_time"] == expected {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("points never reached {expected}: {last}");
}

#[tokio::test]
async fn sessions_and_reviews_earn_points_once_through_the_stream() {
    let clock = TestClock::new();
    let rt = realtime_with_clock(clock.clone() as Arc<_>).await;
    let app = rt.app;
    let mentor = member(app, "points-mentor@example.com", "mentor").await;
    let week: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"day": d, "start": "00:00", "end": "24:00"}))
        .collect();
    let profile = json!({"timezone": "UTC", "availability": week, "skills": [{"name": "rust", "level": 5}]});
    assert_eq!(Call::new("PATCH", "/me").token(&mentor.token).json(profile).send(app).await.status, 200);
    verify_mentor(app, &mentor.id, reviews(3, 4.5)).await;
    let learner = member(app, "points-learner@example.com", "learner").await;

    let start = (Utc::now() + chrono::Duration::hours(30)).duration_trunc(chrono::Duration::minutes(15)).unwrap();
    let body = json!({"mentor_id": mentor.id, "start": start.to_rfc3339(), "duration_minutes": 60, "topic": "Traits"});
    let created = Call::new("POST", "/sessions").token(&learner.token).json(body).send(app).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    // Answered within the hour: a fast response for the mentor.
    assert_eq!(Call::new("POST", &format!("/sessions/{id}/accept")).token(&mentor.token).send(app).await.status, 200);
    points_reaching(app, &mentor.token, 15).await;

    clock.advance(chrono::Duration::hours(32));
    let done = Call::new("POST", &format!("/sessions/{id}/complete")).token(&mentor.token).send(app).await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    for (token, rating) in [(&learner.token, 5), (&mentor.token, 4)] {
        let review = Call::new("POST", &format!("/sessions/{id}/review"))
            .token(token)
            .json(json!({"rating": rating}))
            .send(app)
            .await;
        assert_eq!(review.status, 201, "{:?}", review.body);
    }

    // Mentor: fast response 15, session 50, first session 100, review written 10, received 5.
    let mentor_points = points_reaching(app, &mentor.token, 180).await;
    // Learner: session 30, first session 100, review written 10, received 5.
    let learner_points = points_reaching(app, &learner.token, 145).await;
    let sources: Vec<&str> =
        mentor_points["ledger"].as_array().unwrap().iter().map(|e| e["source"]["kind"].as_str().unwrap()).collect();
    assert_eq!(sources.len(), 5, "{mentor_points}");
    for expected in
        ["fast_response", "session_completed_as_mentor", "first_session", "review_written", "review_received"]
    {
        assert!(sources.contains(&expected), "{expected} missing from {sources:?}");
    }
    // Points count on the boards of the role the member acted in: this week's and this
    // month's mentor boards for the mentor, the learner boards for the learner.
    let roles = |points: &Value| -> Vec<(String, i64)> {
        points["boards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| (b["role"].as_str().unwrap().to_owned(), b["score"].as_i64().unwrap()))
            .collect()
    };
    assert_eq!(roles(&mentor_points), [("mentor".to_owned(), 180), ("mentor".to_owned(), 180)]);
    assert_eq!(roles(&learner_points), [("learner".to_owned(), 145), ("learner".to_owned(), 145)]);
    // The mentor was active on two consecutive days (the answer, then the session).
    assert_eq!(mentor_points["streak"]["current"], 2);
    assert_eq!(learner_points["streak"]["current"], 1);

    // First Session, once each, public to other members.
    let badges = Call::new("GET", &format!("/users/{}/badges", learner.id)).token(&mentor.token).send(app).await;
    let held: Vec<&str> =
        badges.body["badges"].as_array().unwrap().iter().map(|b| b["badge"].as_str().unwrap()).collect();
    assert_eq!(held, ["first_session"]);
    let notes = Call::new("GET", "/notifications").token(&learner.token).send(app).await;
    let earned = notes.body["notifications"].as_array().unwrap().iter().filter(|n| n["kind"] == "badge_earned").count();
    let mut waited = 0;
    let mut earned = earned;
    while earned == 0 && waited < 50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
        let notes = Call::new("GET", "/notifications").token(&learner.token).send(app).await;
        earned = notes.body["notifications"].as_array().unwrap().iter().filter(|n| n["kind"] == "badge_earned").count();
    }
    assert_eq!(earned, 1);

    // Replaying the whole stream (a fresh reader from the trim horizon, as after a
    // redelivery) awards nothing twice.
    let mut replay =
        StreamPoller::new(app.store.client().clone(), local_streams_client(&endpoint()), app.store.table())
            .from_trim_horizon(true);
    let subscriptions: Vec<_> = template().streams.iter().filter(|s| s.function == "award-points").cloned().collect();
    let gateway = Arc::clone(&rt.gateway);
    let invoke = |function: String, event: Value| {
        let gateway = Arc::clone(&gateway);
        async move { gateway.invoke_event(&function, event).await }
    };
    let delivered = replay.poll_once(&subscriptions, &invoke).await.unwrap();
    assert!(delivered >= 4, "the replay saw the session moves and reviews ({delivered})");
    let again = Call::new("GET", "/me/points").token(&mentor.token).send(app).await.body;
    assert_eq!(again["all_time"], 180);
    assert_eq!(again["ledger"].as_array().unwrap().len(), 5);
    let again = Call::new("GET", "/me/points").token(&learner.token).send(app).await.body;
    assert_eq!(again["all_time"], 145);
}

#[tokio::test]
async fn points_endpoints_check_who_and_what() {
    let clock = TestClock::new();
    let rt = realtime_with_clock(clock as Arc<_>).await;
    let someone = member(rt.app, "nobody-points@example.com", "learner").await;
    let fresh = Call::new("GET", "/me/points").token(&someone.token).send(rt.app).await;
    assert_eq!(fresh.status, 200);
    assert_eq!(fresh.body["all_time"], 0);
    assert!(fresh.body["ledger"].as_array().unwrap().is_empty());
    assert_eq!(Call::new("GET", "/me/points").send(rt.app).await.status, 401);
    let bad = Call::new("GET", "/me/points").token(&someone.token).query("cursor=forged").send(rt.app).await;
    assert_eq!(bad.error_fields(), ["cursor"]);
    let not_an_id = Call::new("GET", "/users/nope/badges").token(&someone.token).send(rt.app).await;
    assert_eq!(not_an_id.error_fields(), ["id"]);
}

#[tokio::test]
async fn boards_order_by_score_then_by_who_got_there_first() {
    use shared::domain::gamification::PointsSource;
    use shared::domain::gamification::earnings::Earning;
    use shared::domain::{Party, UserId};

    let app = peerlearn_tests::app().await;
    let mut members = Vec::new();
    for n in 0..4 {
        members.push(member(app, &format!("board{n}@example.com"), "mentor").await);
    }
    let now = Utc::now();
    let earn = |who: &Member, source: PointsSource, key: &str, ms: i64| Earning {
        user: UserId::parse(&who.id).unwrap(),
        source,
        key: key.into(),
        role: Party::Mentor,
        at: now + chrono::Duration::milliseconds(ms),
    };
    let awards = [
        earn(&members[0], PointsSource::FastResponse, "a", 1),
        earn(&members[1], PointsSource::FastResponse, "b", 2),
        earn(&members[2], PointsSource::FastResponse, "c", 3),
        earn(&members[2], PointsSource::SessionCompletedAsMentor, "c2", 4),
        earn(&members[3], PointsSource::ReviewReceived, "d", 5),
    ];
    for award in &awards {
        as_function(app, "award-points", app.award(award)).await.unwrap();
    }
    // The same occurrence again counts nothing.
    assert_eq!(
        as_function(app, "award-points", app.award(&awards[0])).await.unwrap(),
        shared::ports::Recorded::AlreadyCounted
    );

    let board = Call::new("GET", "/leaderboards/weekly").token(&members[3].token).send(app).await;
    assert_eq!(board.status, 200, "{:?}", board.body);
    let order: Vec<(&str, i64)> = board.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["user"].as_str().unwrap(), e["score"].as_i64().unwrap()))
        .collect();
    // 165 (15 + 50 + the first-session 100), then the 15s in the order they were reached.
    assert_eq!(
        order,
        [
            (members[2].id.as_str(), 165),
            (members[0].id.as_str(), 15),
            (members[1].id.as_str(), 15),
            (members[3].id.as_str(), 5)
        ]
    );
    assert_eq!(board.body["entries"][0]["name"], "Test User");
    assert_eq!(board.body["me"], json!({"kind": "exact", "rank": 4, "score": 5}));

    // Beyond the entries read, the standing is estimated from the histogram, not read.
    let top_two = Call::new("GET", "/leaderboards/weekly").token(&members[3].token).query("limit=2").send(app).await;
    assert_eq!(top_two.body["entries"].as_array().unwrap().len(), 2);
    assert_eq!(top_two.body["me"]["kind"], "estimated");
    assert_eq!(top_two.body["me"]["estimate"]["rank"], 4);
    assert_eq!(top_two.body["me"]["estimate"]["of"], 4);
    assert_eq!(top_two.body["me"]["estimate"]["percentile"], 25.0);

    // Monthly board too; the learner board is empty for them.
    let month = Call::new("GET", "/leaderboards/monthly").token(&members[0].token).send(app).await;
    assert_eq!(month.body["me"], json!({"kind": "exact", "rank": 2, "score": 15}));
    let learners =
        Call::new("GET", "/leaderboards/weekly").token(&members[0].token).query("role=learner").send(app).await;
    assert_eq!(learners.body["me"]["kind"], "not_on_board");
    assert!(learners.body["entries"].as_array().unwrap().is_empty());

    // The period is the server's unless named; named ones are checked.
    let named = format!("period={}", board.body["period"].as_str().unwrap());
    let same = Call::new("GET", "/leaderboards/weekly").token(&members[0].token).query(&named).send(app).await;
    assert_eq!(same.body["entries"], board.body["entries"]);
    for (kind, query, field) in [
        ("weekly", "period=2026-11", "period"),
        ("weekly", "period=2999-W01", "period"),
        ("monthly", "period=2026-13", "period"),
        ("weekly", "role=admin", "role"),
        ("weekly", "limit=101", "limit"),
        ("weekly", "sort=score", "sort"),
    ] {
        let bad =
            Call::new("GET", &format!("/leaderboards/{kind}")).token(&members[0].token).query(query).send(app).await;
        assert_eq!((bad.status, bad.error_fields()), (400, vec![field.to_owned()]), "{kind}?{query}");
    }
    assert_eq!(Call::new("GET", "/leaderboards/daily").token(&members[0].token).send(app).await.status, 404);
    assert_eq!(Call::new("GET", "/leaderboards/weekly").send(app).await.status, 401);
}

#[tokio::test]
async fn closing_a_week_freezes_the_board_rewards_and_tells_the_winners_once() {
    use shared::domain::gamification::earnings::Earning;
    use shared::domain::gamification::{LeaderboardPeriod, PointsSource};
    use shared::domain::{Party, UserId};
    use shared::ports::{BoardArchive as _, Clock as _};

    let clock = TestClock::new();
    let (app, base) = peerlearn_tests::gateway_with_clock(clock.clone() as Arc<_>).await;
    let mut members = Vec::new();
    for n in 0..4 {
        members.push(member(app, &format!("week{n}@example.com"), "mentor").await);
    }
    let now = clock.now();
    for (n, who) in members.iter().enumerate() {
        // Member n earns n + 1 fast responses: the last ranks first.
        for k in 0..=n {
            let earning = Earning {
                user: UserId::parse(&who.id).unwrap(),
                source: PointsSource::FastResponse,
                key: format!("{n}-{k}"),
                role: Party::Mentor,
                at: now + chrono::Duration::milliseconds(k as i64),
            };
            as_function(app, "award-points", app.award(&earning)).await.unwrap();
        }
    }
    let week = LeaderboardPeriod::week_of(now);
    clock.advance(chrono::Duration::days(7));

    let job = |event: Value| invoke_event(app, "leaderboard-job", event);
    let first = job(json!({"kind": "weekly"})).await.unwrap();
    assert_eq!(first["period"], week.to_string());
    assert_eq!(first["boards"][0], json!({"role": "mentor", "ranks": 4, "badges_awarded": 3, "closed_now": true}));
    let again = job(json!({"kind": "weekly", "period": week.to_string()})).await.unwrap();
    assert_eq!(again["boards"][0], json!({"role": "mentor", "ranks": 4, "badges_awarded": 0, "closed_now": false}));

    let frozen = app.store.snapshot(week, Party::Mentor).await.unwrap();
    let order: Vec<String> = frozen.iter().map(|row| row.user.to_string()).collect();
    let expected: Vec<String> = members.iter().rev().map(|m| m.id.clone()).collect();
    assert_eq!(order, expected, "one snapshot, best first");
    for (rank, who) in members.iter().rev().enumerate() {
        let badges = Call::new("GET", "/me/badges").token(&who.token).send(app).await;
        let weekly =
            badges.body["badges"].as_array().unwrap().iter().filter(|b| b["badge"] == "mentor_of_the_week").count();
        assert_eq!(weekly, usize::from(rank < 3), "rank {}", rank + 1);
        let notes = Call::new("GET", "/notifications").token(&who.token).send(app).await;
        let told = notes.body["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "leaderboard_result")
            .count();
        assert_eq!(told, usize::from(rank < 3), "winners are told once");
    }
    // A period that has not finished cannot be closed.
    let early = job(json!({"kind": "weekly", "period": LeaderboardPeriod::week_of(clock.now()).to_string()})).await;
    assert!(early.is_err());

    // The gateway runs the cron schedule with its template Input, on demand too.
    let fired: Value = reqwest::Client::new()
        .post(format!("{base}/_local/schedules/WeeklyBoards"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(fired["period"], week.to_string());
    assert_eq!(fired["boards"][0]["closed_now"], false);
}

#[tokio::test]
async fn admins_correct_points_through_the_ledger_and_nobody_else_can() {
    use shared::domain::{Role, Roles, UserId};

    let app = peerlearn_tests::app().await;
    let member = member(app, "corrected@example.com", "mentor").await;
    let admin_account = register(app, "admin@example.com", "learner").await;
    let admin_id = UserId::parse(admin_account["user"]["id"].as_str().unwrap()).unwrap();
    let admin = app.tokens.issue(&admin_id, Roles::only(Role::Admin), app.clock.now()).unwrap();

    let body = json!({"user_id": member.id, "points": 40, "role": "mentor", "reason": "Session logged twice by mistake, refunded"});
    let refused = Call::new("POST", "/admin/points").token(&member.token).json(body.clone()).send(app).await;
    assert_eq!(refused.status, 403);
    let done = Call::new("POST", "/admin/points").token(&admin).json(body).send(app).await;
    assert_eq!(done.status, 201, "{:?}", done.body);
    assert_eq!(done.body["source"]["kind"], "admin_correction");
    let taken = json!({"user_id": member.id, "points": -15, "role": "mentor", "reason": "Review ring"});
    assert_eq!(Call::new("POST", "/admin/points").token(&admin).json(taken).send(app).await.status, 201);

    let points = Call::new("GET", "/me/points").token(&member.token).send(app).await.body;
    assert_eq!(points["all_time"], 25);
    let reasons: Vec<&str> =
        points["ledger"].as_array().unwrap().iter().map(|e| e["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons, ["Review ring", "Session logged twice by mistake, refunded"]);
    let board = Call::new("GET", "/leaderboards/weekly").token(&member.token).send(app).await;
    assert_eq!(board.body["me"], json!({"kind": "exact", "rank": 1, "score": 25}));

    for (body, field) in [
        (json!({"user_id": member.id, "points": 0, "role": "mentor", "reason": "x"}), "points"),
        (json!({"user_id": member.id, "points": 10001, "role": "mentor", "reason": "x"}), "points"),
        (json!({"user_id": member.id, "points": 5, "role": "admin", "reason": "x"}), "role"),
        (json!({"user_id": member.id, "points": 5, "role": "mentor", "reason": ""}), "reason"),
        (json!({"user_id": "nope", "points": 5, "role": "mentor", "reason": "x"}), "user_id"),
    ] {
        let bad = Call::new("POST", "/admin/points").token(&admin).json(body).send(app).await;
        assert_eq!((bad.status, bad.error_fields()), (400, vec![field.to_owned()]));
    }
    let ghost = json!({"user_id": "01JDQ3Z5W4K8N2P6R9T1V3X5Z7", "points": 5, "role": "mentor", "reason": "x"});
    assert_eq!(Call::new("POST", "/admin/points").token(&admin).json(ghost).send(app).await.status, 404);
    let after = Call::new("GET", "/me/points").token(&member.token).send(app).await.body;
    assert_eq!(after["all_time"], 25, "refused corrections wrote nothing");
}

#[tokio::test]
async fn streaks_count_local_days_and_reset_after_a_gap() {
    use shared::domain::gamification::PointsSource;
    use shared::domain::gamification::earnings::Earning;
    use shared::domain::{Party, UserId};
    use shared::ports::Clock as _;

    let clock = TestClock::new();
    let app = peerlearn_tests::app_with_clock(clock.clone() as Arc<_>).await;
    let learner = member(app, "streaky@example.com", "learner").await;
    // In Tokyo (UTC+9): 20:00 UTC is already the next local day.
    let profile = json!({"timezone": "Asia/Tokyo"});
    assert_eq!(Call::new("PATCH", "/me").token(&learner.token).json(profile).send(app).await.status, 200);
    let user = UserId::parse(&learner.id).unwrap();
    let day0 = clock.now().duration_trunc(chrono::Duration::days(1)).unwrap();
    let earn = |n: usize, at| Earning {
        user: user.clone(),
        source: PointsSource::ReviewWritten,
        key: format!("r{n}"),
        role: Party::Learner,
        at,
    };
    // 10:00 UTC and 20:00 UTC on one UTC day are two Tokyo days; then the next UTC day.
    let times =
        [day0 + chrono::Duration::hours(10), day0 + chrono::Duration::hours(20), day0 + chrono::Duration::hours(44)];
    for (n, at) in times.iter().enumerate() {
        as_function(app, "award-points", app.award(&earn(n, *at))).await.unwrap();
    }
    clock.advance(times[2] - clock.now());
    let points = Call::new("GET", "/me/points").token(&learner.token).send(app).await.body;
    assert_eq!(
        (points["streak"]["current"].as_u64(), points["streak"]["longest"].as_u64()),
        (Some(3), Some(3)),
        "{points}"
    );

    // Three quiet days and no freeze: the streak is over, the longest is kept.
    let later = times[2] + chrono::Duration::days(4);
    as_function(app, "award-points", app.award(&earn(9, later))).await.unwrap();
    clock.advance(later - clock.now());
    let points = Call::new("GET", "/me/points").token(&learner.token).send(app).await.body;
    assert_eq!(
        (points["streak"]["current"].as_u64(), points["streak"]["longest"].as_u64()),
        (Some(1), Some(3)),
        "{points}"
    );
}
