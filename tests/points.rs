//! Points, end to end: sessions and reviews committed through the API, points arriving
//! through the table's stream into award-points, exactly once even when the stream is
//! replayed.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use chrono::DurationRound;
use peerlearn_tests::realtime::realtime_with_clock;
use peerlearn_tests::{
    Call, Member, STARTS_AT, as_function, available_mentor, clock_at, invoke_event, member, register,
};
use serde_json::{Value, json};
use shared::App;
use shared::ports::Clock as _;

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
    let clock = clock_at(STARTS_AT);
    let rt = realtime_with_clock(clock.clone() as Arc<_>).await;
    let app = rt.app;
    let mentor = available_mentor(app, "points-mentor@example.com", "UTC").await;
    let learner = member(app, "points-learner@example.com", "learner").await;

    let start = (clock.now() + chrono::Duration::hours(30)).duration_trunc(chrono::Duration::minutes(15)).unwrap();
    let body = json!({"mentor_id": mentor.id, "start": start.to_rfc3339(), "duration_minutes": 60, "topic": "Traits"});
    let created = Call::new("POST", "/sessions").token(&learner.token).json(body).send(app).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    // Answered within the hour: a fast response for the mentor.
    assert_eq!(Call::new("POST", &format!("/sessions/{id}/accept")).token(&mentor.token).send(app).await.status, 200);
    points_reaching(app, &mentor.token, 15).await;

    clock.advance(chrono::Duration::hours(32));
    let (mentor, learner) = (mentor.renewed(app), learner.renewed(app));
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
    let delivered = rt.replay_stream("award-points").await;
    assert!(delivered >= 4, "the replay saw the session moves and reviews ({delivered})");
    let again = Call::new("GET", "/me/points").token(&mentor.token).send(app).await.body;
    assert_eq!(again["all_time"], 180);
    assert_eq!(again["ledger"].as_array().unwrap().len(), 5);
    let again = Call::new("GET", "/me/points").token(&learner.token).send(app).await.body;
    assert_eq!(again["all_time"], 145);
}

#[tokio::test]
async fn points_endpoints_check_who_and_what() {
    let clock = clock_at(STARTS_AT);
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
    let now = app.clock.now();
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

    let clock = clock_at(STARTS_AT);
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
    let members: Vec<Member> = members.iter().map(|m| m.renewed(app)).collect();

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
    assert_eq!(refused.body["type"], "urn:peerlearn:problem:forbidden");
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
        (json!({"user_id": member.id, "points": -10001, "role": "mentor", "reason": "x"}), "points"),
        // i64::MIN has no absolute value: it once panicked (debug) or wrapped (release).
        (json!({"user_id": member.id, "points": i64::MIN, "role": "mentor", "reason": "x"}), "points"),
        (json!({"user_id": member.id, "points": i64::MAX, "role": "mentor", "reason": "x"}), "points"),
        (json!({"user_id": member.id, "points": 1.5, "role": "mentor", "reason": "x"}), "points"),
        (json!({"user_id": member.id, "points": 1e30, "role": "mentor", "reason": "x"}), "points"),
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

    let clock = clock_at(STARTS_AT);
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
    let learner = learner.renewed(app);
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
    let learner = learner.renewed(app);
    let points = Call::new("GET", "/me/points").token(&learner.token).send(app).await.body;
    assert_eq!(
        (points["streak"]["current"].as_u64(), points["streak"]["longest"].as_u64()),
        (Some(1), Some(3)),
        "{points}"
    );
}

/// What one run of the points scenario should show, hard-coded per starting instant.
struct Edge {
    /// When the mentor accepts (a fast response): the scenario's first moment.
    start: &'static str,
    /// The members' time zone (streaks count their local days).
    timezone: &'static str,
    /// The mentor's current boards 32 hours later: (period, score), this week's then this month's.
    mentor_boards: [(&'static str, i64); 2],
    /// Boards that hold only the 15 fast-response points, because the week or month turned.
    earlier_boards: &'static [(&'static str, &'static str)],
    /// The mentor's streak: 2 when the two active local days are consecutive, else 1.
    mentor_streak: u32,
}

/// Accept at `start` (15 points), complete and review 32 hours later (165 more for the
/// mentor, 145 for the learner): points land on the boards of the period they were earned
/// in, and streaks follow the members' local days, whatever the edge in between.
async fn points_across(edge: Edge) {
    let clock = clock_at(edge.start);
    let rt = realtime_with_clock(clock.clone() as Arc<_>).await;
    let app = rt.app;
    let mentor = available_mentor(app, "edge-mentor@example.com", edge.timezone).await;
    let learner = member(app, "edge-learner@example.com", "learner").await;
    let learner_profile = json!({"timezone": edge.timezone});
    assert_eq!(Call::new("PATCH", "/me").token(&learner.token).json(learner_profile).send(app).await.status, 200);

    let start = (clock.now() + chrono::Duration::hours(30)).duration_trunc(chrono::Duration::minutes(15)).unwrap();
    let body = json!({"mentor_id": mentor.id, "start": start.to_rfc3339(), "duration_minutes": 60, "topic": "Edges"});
    let created = Call::new("POST", "/sessions").token(&learner.token).json(body).send(app).await;
    assert_eq!(created.status, 201, "{} {:?}", edge.start, created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(Call::new("POST", &format!("/sessions/{id}/accept")).token(&mentor.token).send(app).await.status, 200);
    points_reaching(app, &mentor.token, 15).await;

    clock.advance(chrono::Duration::hours(32));
    let (mentor, learner) = (mentor.renewed(app), learner.renewed(app));
    let done = Call::new("POST", &format!("/sessions/{id}/complete")).token(&mentor.token).send(app).await;
    assert_eq!(done.status, 200, "{} {:?}", edge.start, done.body);
    for token in [&learner.token, &mentor.token] {
        let review = Call::new("POST", &format!("/sessions/{id}/review"))
            .token(token)
            .json(json!({"rating": 5}))
            .send(app)
            .await;
        assert_eq!(review.status, 201, "{} {:?}", edge.start, review.body);
    }
    let mentor_points = points_reaching(app, &mentor.token, 180).await;
    let learner_points = points_reaching(app, &learner.token, 145).await;

    let boards = |points: &Value| -> Vec<(String, String, i64)> {
        points["boards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["period"].as_str().unwrap().to_owned(),
                    b["role"].as_str().unwrap().to_owned(),
                    b["score"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let expected: Vec<(String, String, i64)> =
        edge.mentor_boards.iter().map(|(period, score)| ((*period).to_owned(), "mentor".to_owned(), *score)).collect();
    assert_eq!(boards(&mentor_points), expected, "mentor boards from {}", edge.start);
    let learner_expected: Vec<(String, String, i64)> =
        edge.mentor_boards.iter().map(|(period, _)| ((*period).to_owned(), "learner".to_owned(), 145)).collect();
    assert_eq!(boards(&learner_points), learner_expected, "learner boards from {}", edge.start);
    assert_eq!(mentor_points["streak"]["current"], edge.mentor_streak, "mentor streak from {}", edge.start);
    assert_eq!(learner_points["streak"]["current"], 1, "learner streak from {}", edge.start);

    // The fast response stayed on the board of the period it was earned in.
    for (kind, period) in edge.earlier_boards {
        let board = Call::new("GET", &format!("/leaderboards/{kind}"))
            .query(&format!("period={period}&role=mentor"))
            .token(&mentor.token)
            .send(app)
            .await;
        assert_eq!(board.status, 200, "{:?}", board.body);
        let entries = board.body["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 1, "{} {period}: {entries:?}", edge.start);
        assert_eq!((entries[0]["user"].as_str(), entries[0]["score"].as_i64()), (Some(mentor.id.as_str()), Some(15)));
    }
}

#[tokio::test]
async fn points_across_a_sunday_midnight_in_utc() {
    // Sunday 23:30 UTC; 32 h later it is Tuesday of the next week and the next month.
    points_across(Edge {
        start: "2026-11-29T23:30:00Z",
        timezone: "UTC",
        mentor_boards: [("2026-W49", 165), ("2026-12", 165)],
        earlier_boards: &[("weekly", "2026-W48"), ("monthly", "2026-11")],
        mentor_streak: 1,
    })
    .await;
}

#[tokio::test]
async fn points_across_the_last_night_of_a_month() {
    // 23:00 UTC on 30 November is 15:00 in Los Angeles: the second active day, 1 December
    // 23:00 there, is the next local day although two UTC dates later.
    points_across(Edge {
        start: "2026-11-30T23:00:00Z",
        timezone: "America/Los_Angeles",
        mentor_boards: [("2026-W49", 180), ("2026-12", 165)],
        earlier_boards: &[("monthly", "2026-11")],
        mentor_streak: 2,
    })
    .await;
}

#[tokio::test]
async fn points_across_a_leap_day() {
    points_across(Edge {
        start: "2028-02-29T12:00:00Z",
        timezone: "UTC",
        mentor_boards: [("2028-W09", 180), ("2028-03", 165)],
        earlier_boards: &[("monthly", "2028-02")],
        mentor_streak: 2,
    })
    .await;
}

#[tokio::test]
async fn points_across_the_spring_dst_night_in_madrid() {
    // 01:30 CET on the night clocks jump from 02:00 to 03:00; also a Sunday.
    points_across(Edge {
        start: "2027-03-28T00:30:00Z",
        timezone: "Europe/Madrid",
        mentor_boards: [("2027-W13", 165), ("2027-03", 180)],
        earlier_boards: &[("weekly", "2027-W12")],
        mentor_streak: 2,
    })
    .await;
}

#[tokio::test]
async fn points_across_the_autumn_dst_night_in_madrid() {
    // 02:30 CEST, half an hour before 03:00 becomes 02:00 again.
    points_across(Edge {
        start: "2026-10-25T00:30:00Z",
        timezone: "Europe/Madrid",
        mentor_boards: [("2026-W44", 165), ("2026-10", 180)],
        earlier_boards: &[("weekly", "2026-W43")],
        mentor_streak: 2,
    })
    .await;
}

#[tokio::test]
async fn points_across_the_spring_dst_night_in_new_york() {
    // 01:30 EST, half an hour before 02:00 becomes 03:00.
    points_across(Edge {
        start: "2027-03-14T06:30:00Z",
        timezone: "America/New_York",
        mentor_boards: [("2027-W11", 165), ("2027-03", 180)],
        earlier_boards: &[("weekly", "2027-W10")],
        mentor_streak: 2,
    })
    .await;
}

#[tokio::test]
async fn points_across_the_autumn_dst_night_in_new_york() {
    // The first of the two 01:30s (EDT) on the night 02:00 becomes 01:00 again.
    points_across(Edge {
        start: "2026-11-01T05:30:00Z",
        timezone: "America/New_York",
        mentor_boards: [("2026-W45", 165), ("2026-11", 180)],
        earlier_boards: &[("weekly", "2026-W44")],
        mentor_streak: 2,
    })
    .await;
}
