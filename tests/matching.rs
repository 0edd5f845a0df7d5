//! Smart match and mentor search, end to end through the dev gateway and handler-level
//! against DynamoDB Local.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use peerlearn_tests::{Call, app, enable_payouts, gateway_and_app, register, reviews, verify_mentor};
use serde_json::{Value, json};
use shared::domain::MentorStats;

async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
}

/// Registers a member over HTTP and fills in their profile; returns (id, access token).
async fn member(http: &reqwest::Client, base: &str, email: &str, roles: &str, profile: Value) -> (String, String) {
    let (status, session) = send(http.post(format!("{base}/auth/register")).json(&json!({
        "email": email, "password": "correct horse battery", "name": email.split('@').next().unwrap(), "roles": roles
    })))
    .await;
    assert_eq!(status, 201, "{session}");
    let token = session["access_token"].as_str().unwrap().to_owned();
    let (status, body) = send(http.patch(format!("{base}/me")).bearer_auth(&token).json(&profile)).await;
    assert_eq!(status, 200, "{body}");
    (session["user"]["id"].as_str().unwrap().to_owned(), token)
}

fn weekdays(start: &str, end: &str) -> Value {
    Value::Array(
        ["mon", "tue", "wed", "thu", "fri"].iter().map(|d| json!({"day": d, "start": start, "end": end})).collect(),
    )
}

#[tokio::test]
async fn a_madrid_learner_gets_the_overlapping_spanish_speaking_rust_mentor_first() {
    let (setup, base) = gateway_and_app().await;
    let http = reqwest::Client::new();
    let mentor = |languages: Value, tz: &str, availability: Value, level: u8| json!({"skills": [{"name": "Rust", "level": level}], "languages": languages, "timezone": tz, "availability": availability, "headline": "Rust mentor"});
    // Mexico City 10:00-14:00 is 16:00-20:00 UTC in November; Madrid 18:00-21:00 is 17:00-20:00 UTC.
    let (overlapping, _) = member(
        &http,
        &base,
        "lupe@example.com",
        "mentor",
        mentor(json!(["es"]), "America/Mexico_City", weekdays("10:00", "14:00"), 4),
    )
    .await;
    let (night_owl, _) = member(
        &http,
        &base,
        "nacho@example.com",
        "mentor",
        mentor(json!(["es"]), "America/Mexico_City", weekdays("20:00", "23:00"), 5),
    )
    .await;
    let (english_only, _) = member(
        &http,
        &base,
        "emma@example.com",
        "mentor",
        mentor(json!(["en"]), "Europe/London", weekdays("17:00", "20:00"), 5),
    )
    .await;
    let (unverified, _) = member(
        &http,
        &base,
        "uli@example.com",
        "mentor",
        mentor(json!(["es"]), "Europe/Madrid", weekdays("18:00", "21:00"), 5),
    )
    .await;
    let (blocked, blocked_token) = member(
        &http,
        &base,
        "bea@example.com",
        "mentor",
        mentor(json!(["es"]), "Europe/Madrid", weekdays("18:00", "21:00"), 5),
    )
    .await;
    verify_mentor(setup, &overlapping, reviews(37, 4.8)).await;
    verify_mentor(setup, &night_owl, reviews(120, 4.9)).await;
    verify_mentor(setup, &english_only, reviews(50, 4.9)).await;
    verify_mentor(setup, &blocked, reviews(50, 4.9)).await;

    let (learner, token) = member(
        &http,
        &base,
        "sofia@example.com",
        "learner",
        json!({
            "learning": [{"name": "rust", "level": 3}], "languages": ["es"], "timezone": "Europe/Madrid",
            "availability": weekdays("18:00", "21:00")
        }),
    )
    .await;
    let (status, _) = send(http.put(format!("{base}/me/blocks/{blocked}")).bearer_auth(&token)).await;
    assert_eq!(status, 204);

    let (status, body) = send(http.get(format!("{base}/match")).bearer_auth(&token)).await;
    assert_eq!(status, 200, "{body}");
    let matches = body["matches"].as_array().unwrap();
    let ids: Vec<&str> = matches.iter().map(|m| m["mentor"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [overlapping.as_str(), night_owl.as_str()], "{body:#}");
    let first = &matches[0];
    let reason = first["reason"].as_str().unwrap();
    assert!(reason.starts_with("rust 4/5 matches your wanted 3; "), "{reason}");
    assert!(reason.contains("h overlap in the next 14 days") && reason.ends_with("4.8 from 37 reviews"), "{reason}");
    assert!(first["overlap_hours"].as_f64().unwrap() >= 20.0, "3 h a weekday for two weeks");
    assert_eq!(matches[1]["overlap_hours"], 0.0);
    assert!(matches[1]["reason"].as_str().unwrap().contains("no overlap"));
    for factor in ["skill", "availability", "rating", "responsiveness", "load"] {
        assert!(first["factors"][factor].is_number(), "factor {factor}");
    }
    assert!(
        !ids.contains(&learner.as_str())
            && !ids.contains(&english_only.as_str())
            && !ids.contains(&unverified.as_str())
    );

    // Query parameters override the profile; the block can be lifted.
    send(http.delete(format!("{base}/me/blocks/{blocked}")).bearer_auth(&token)).await;
    let (status, body) = send(http.get(format!("{base}/match?skills=rust:5&limit=1")).bearer_auth(&token)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["matches"].as_array().unwrap().len(), 1);
    assert_eq!(body["matches"][0]["mentor"]["id"], blocked.as_str(), "now unblocked: level 5 and full overlap");

    // A block works both ways: once the mentor blocks the learner, the learner no longer
    // finds her, neither by match nor by search.
    let (status, _) = send(http.put(format!("{base}/me/blocks/{learner}")).bearer_auth(&blocked_token)).await;
    assert_eq!(status, 204);
    let (_, body) = send(http.get(format!("{base}/match?skills=rust:5")).bearer_auth(&token)).await;
    let ids: Vec<&str> =
        body["matches"].as_array().unwrap().iter().map(|m| m["mentor"]["id"].as_str().unwrap()).collect();
    assert!(!ids.is_empty() && !ids.contains(&blocked.as_str()), "{body:#}");
    let (status, body) = send(http.get(format!("{base}/mentors?skill=rust")).bearer_auth(&token)).await;
    assert_eq!(status, 200, "{body}");
    let ids: Vec<&str> = body["mentors"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert!(!ids.is_empty() && !ids.contains(&blocked.as_str()), "{body:#}");
    let (_, body) = send(http.get(format!("{base}/mentors")).bearer_auth(&token)).await;
    let ids: Vec<&str> = body["mentors"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert!(!ids.is_empty() && !ids.contains(&blocked.as_str()), "all mentors, too: {body:#}");
}

#[tokio::test]
async fn match_and_search_refuse_bad_parameters() {
    let app = app().await;
    let session = register(app, "picky@example.com", "learner").await;
    let token = session["access_token"].as_str().unwrap();
    let cases = [
        ("/match", "limit=0", "limit"),
        ("/match", "window=90", "window"),
        ("/match", "skills=rust:9", "skills"),
        ("/match", "skils=rust", "skils"),
        ("/mentors", "sort=stars", "sort"),
        ("/mentors", "min_rating=7", "min_rating"),
        ("/mentors", "available_at=tomorrow", "available_at"),
        ("/mentors", "available_at=2026-11-23T18:00:00Z/2026-11-23T17:00:00Z", "available_at"),
        ("/mentors", "price_min=500&price_max=100", "price_min"),
        ("/mentors", "cursor=forged.cursor", "cursor"),
        ("/mentors", "language=klingon-language", "language"),
    ];
    for (path, query, field) in cases {
        let reply = Call::new("GET", path).query(query).token(token).send(app).await;
        assert_eq!(reply.status, 400, "{path}?{query}: {:?}", reply.body);
        assert_eq!(reply.content_type(), "application/problem+json");
        assert_eq!(reply.body["type"], "urn:peerlearn:problem:validation");
        assert!(reply.error_fields().contains(&field.to_owned()), "{path}?{query}: {:?}", reply.body);
    }
    // Without wanted skills in the profile or the query there is nothing to match on.
    let reply = Call::new("GET", "/match").token(token).send(app).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.error_fields(), ["skills"]);
    assert_eq!(Call::new("GET", "/mentors").send(app).await.status, 401);
    assert_eq!(Call::new("GET", "/match").send(app).await.status, 401);
}

/// Registers a mentor through the handlers and verifies them; returns the id.
async fn mentor(app: &'static shared::App, email: &str, mut profile: Value, stats: MentorStats) -> String {
    let session = register(app, email, "mentor").await;
    profile["name"] = json!(email.split('@').next().unwrap());
    let token = session["access_token"].as_str().unwrap();
    enable_payouts(app, session["user"]["id"].as_str().unwrap()).await;
    let reply = Call::new("PATCH", "/me").token(token).json(profile).send(app).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let id = session["user"]["id"].as_str().unwrap().to_owned();
    verify_mentor(app, &id, stats).await;
    id
}

#[tokio::test]
async fn filters_combine() {
    let app = app().await;
    let profile = |skills: Value, languages: Value, price: u32, tz: &str| json!({"skills": skills, "languages": languages, "price_cents": price, "timezone": tz, "availability": weekdays("18:00", "21:00")});
    let fit = mentor(
        app,
        "fit@example.com",
        profile(
            json!([{"name": "rust", "level": 5}, {"name": "sql", "level": 3}]),
            json!(["es", "en"]),
            3000,
            "Europe/Madrid",
        ),
        reviews(20, 4.8),
    )
    .await;
    mentor(
        app,
        "pricey@example.com",
        profile(
            json!([{"name": "rust", "level": 5}, {"name": "sql", "level": 3}]),
            json!(["es"]),
            9000,
            "Europe/Madrid",
        ),
        reviews(20, 4.8),
    )
    .await;
    mentor(
        app,
        "english@example.com",
        profile(
            json!([{"name": "rust", "level": 5}, {"name": "sql", "level": 3}]),
            json!(["en"]),
            3000,
            "Europe/Madrid",
        ),
        reviews(20, 4.8),
    )
    .await;
    mentor(
        app,
        "lowrated@example.com",
        profile(
            json!([{"name": "rust", "level": 5}, {"name": "sql", "level": 3}]),
            json!(["es"]),
            3000,
            "Europe/Madrid",
        ),
        reviews(20, 3.9),
    )
    .await;
    mentor(
        app,
        "nosql@example.com",
        profile(json!([{"name": "rust", "level": 5}]), json!(["es"]), 3000, "Europe/Madrid"),
        reviews(20, 4.8),
    )
    .await;
    mentor(
        app,
        "tokyo@example.com",
        profile(json!([{"name": "rust", "level": 5}, {"name": "sql", "level": 3}]), json!(["es"]), 3000, "Asia/Tokyo"),
        reviews(20, 4.8),
    )
    .await;
    let learner = register(app, "finder@example.com", "learner").await;
    let token = learner["access_token"].as_str().unwrap();

    // Monday 2026-11-23 18:30-19:30 Madrid is 17:30-18:30 UTC.
    let query = "skill=rust&skill=sql&language=es&min_rating=4.5&price_max=5000&available_at=2026-11-23T17:30:00Z/2026-11-23T18:30:00Z";
    let reply = Call::new("GET", "/mentors").query(query).token(token).send(app).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let ids: Vec<&str> = reply.body["mentors"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [fit.as_str()]);
    assert_eq!(reply.body["mentors"][0]["average_rating"], 4.8);
    assert!(reply.body.get("next_cursor").is_none());

    // Each filter alone lets more through.
    let count = |query: &'static str| async move {
        Call::new("GET", "/mentors").query(query).token(token).send(app).await.body["mentors"].as_array().unwrap().len()
    };
    assert_eq!(count("skill=rust").await, 6);
    assert_eq!(count("skill=rust&skill=sql").await, 5);
    assert_eq!(count("skill=rust&language=es").await, 5);
    assert_eq!(count("skill=rust&min_rating=4.5").await, 5);
    assert_eq!(count("skill=rust&price_max=5000").await, 5);
    assert_eq!(count("q=fit").await, 1);

    let cheapest_first = Call::new("GET", "/mentors").query("skill=rust&sort=price_desc").token(token).send(app).await;
    let prices: Vec<u64> =
        cheapest_first.body["mentors"].as_array().unwrap().iter().map(|m| m["price"].as_u64().unwrap()).collect();
    assert_eq!(prices[0], 9000);
    assert!(prices.windows(2).all(|w| w[0] >= w[1]));
}

#[tokio::test]
async fn pagination_returns_every_mentor_exactly_once_and_cursors_are_bound() {
    let app = app().await;
    let mut expected = HashSet::new();
    for i in 0..23 {
        let profile = json!({"skills": [{"name": "go", "level": 1 + (i % 5)}], "price_cents": 100 * (i % 4)});
        expected.insert(
            mentor(app, &format!("gopher{i}@example.com"), profile, reviews(i, 4.0 + f64::from(i % 10) / 10.0)).await,
        );
    }
    let learner = register(app, "pager@example.com", "learner").await;
    let token = learner["access_token"].as_str().unwrap();
    for sort in ["relevance", "rating", "price_asc", "price_desc"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let query = match &cursor {
                Some(c) => format!("skill=go&sort={sort}&limit=5&cursor={c}"),
                None => format!("skill=go&sort={sort}&limit=5"),
            };
            let reply = Call::new("GET", "/mentors").query(&query).token(token).send(app).await;
            assert_eq!(reply.status, 200, "{:?}", reply.body);
            seen.extend(reply.body["mentors"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_owned()));
            match reply.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 23, "{sort}");
        assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), expected, "{sort}: every mentor exactly once");
    }
    // A cursor only works for the search that issued it.
    let first = Call::new("GET", "/mentors").query("skill=go&sort=rating&limit=5").token(token).send(app).await;
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let other = Call::new("GET", "/mentors")
        .query(&format!("skill=go&sort=price_asc&limit=5&cursor={cursor}"))
        .token(token)
        .send(app)
        .await;
    assert_eq!(other.status, 400);
    assert_eq!(other.error_fields(), ["cursor"]);
}

#[tokio::test]
async fn listings_follow_profile_changes() {
    let app = app().await;
    let id = mentor(
        app,
        "changer@example.com",
        json!({"skills": [{"name": "python", "level": 4}, {"name": "sql", "level": 2}]}),
        reviews(3, 5.0),
    )
    .await;
    let learner = register(app, "watcher@example.com", "learner").await;
    let token = learner["access_token"].as_str().unwrap();
    let found = |query: &'static str| async move {
        let reply = Call::new("GET", "/mentors").query(query).token(token).send(app).await;
        reply.body["mentors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(found("skill=sql").await, std::slice::from_ref(&id));

    // Dropping a skill removes that listing in the same transaction as the profile write.
    let session = Call::new("POST", "/auth/login")
        .json(json!({"email": "changer@example.com", "password": "correct horse battery"}))
        .send(app)
        .await;
    let mentor_token = session.body["access_token"].as_str().unwrap().to_owned();
    let reply = Call::new("PATCH", "/me")
        .token(&mentor_token)
        .json(json!({"skills": [{"name": "python", "level": 5}]}))
        .send(app)
        .await;
    assert_eq!(reply.status, 200);
    assert!(found("skill=sql").await.is_empty());
    assert_eq!(found("skill=python").await, std::slice::from_ref(&id));
    assert_eq!(found("q=changer").await, std::slice::from_ref(&id));

    // A suspended mentor is found nowhere.
    use shared::ports::AccountStore;
    let user_id = shared::domain::UserId::parse(&id).unwrap();
    let previous = app.store.user(&user_id).await.unwrap().unwrap();
    let mut suspended = previous.clone();
    suspended.status = shared::domain::AccountStatus::Suspended;
    suspended.version += 1;
    app.store.save_user(&suspended, &previous).await.unwrap();
    assert!(found("skill=python").await.is_empty());
    assert!(found("q=changer").await.is_empty());
}
