//! Registration, sign-in, refresh rotation and sign-out against DynamoDB Local.

#![allow(clippy::unwrap_used)]

use peerlearn_tests::{Call, STARTS_AT, app, app_with_clock, clock_at, item_count, register};
use serde_json::{Value, json};

fn registration(email: &str) -> Value {
    json!({"email": email, "password": "correct horse battery", "name": "Ana Pérez", "roles": "both"})
}

#[tokio::test]
async fn register_creates_a_signed_in_account_with_normalised_email() {
    let app = app().await;
    let reply = Call::new("POST", "/auth/register").json(registration("  Ana@Example.COM ")).send(app).await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    let user = &reply.body["user"];
    assert_eq!(user["email"], "ana@example.com");
    assert_eq!(user["roles"], json!(["learner", "mentor"]));
    assert_eq!(reply.body["token_type"], "Bearer");
    assert!(reply.body["access_token"].as_str().unwrap().split('.').count() == 3);
    assert!(reply.body["refresh_token"].as_str().unwrap().len() > 60);
    assert_eq!(reply.headers["location"], format!("/users/{}", user["id"].as_str().unwrap()));
    // The hash never leaves the server.
    assert!(!reply.body.to_string().contains("argon2"));

    let again = Call::new("POST", "/auth/register").json(registration("ana@example.com")).send(app).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.error_fields(), ["email"]);
}

#[tokio::test]
async fn invalid_registrations_name_the_field_and_write_nothing() {
    let app = app().await;
    let cases = [
        (
            json!({"email": "not-an-email", "password": "correct horse battery", "name": "A", "roles": "learner"}),
            "email",
        ),
        (json!({"email": "a@example.com", "password": "short", "name": "A", "roles": "learner"}), "password"),
        (json!({"email": "a@example.com", "password": "A@Example.com", "name": "A", "roles": "learner"}), "password"),
        (json!({"email": "a@example.com", "password": "x".repeat(129), "name": "A", "roles": "learner"}), "password"),
        (
            json!({"email": "a@example.com", "password": "correct horse battery", "name": "A", "roles": "admin"}),
            "roles",
        ),
        (
            json!({"email": "a@example.com", "password": "correct horse battery", "name": "  ", "roles": "learner"}),
            "name",
        ),
        (
            json!({"email": "a@example.com", "password": "correct horse battery", "name": "A", "roles": "learner", "admin": true}),
            "admin",
        ),
        (json!({"email": "a@example.com", "name": "A", "roles": "learner"}), "password"),
        (json!({"email": 7, "password": "correct horse battery", "name": "A", "roles": "learner"}), "email"),
    ];
    for (body, field) in cases {
        let reply = Call::new("POST", "/auth/register").json(body.clone()).send(app).await;
        assert_eq!(reply.status, 400, "{body}");
        assert_eq!(reply.content_type(), "application/problem+json");
        assert!(reply.error_fields().contains(&field.to_owned()), "{body} -> {:?}", reply.body);
    }
    let mut not_json = Call::new("POST", "/auth/register");
    not_json.body = Some("{\"email\":".into());
    not_json.headers.push(("content-type", "application/json".into()));
    assert_eq!(not_json.send(app).await.error_fields(), ["body"]);
    assert_eq!(item_count(app).await, 0, "a failed request must leave the table as it was");
}

#[tokio::test]
async fn twenty_concurrent_registrations_of_one_email_give_one_account() {
    let app = app().await;
    let attempts =
        (0..20).map(|_| Call::new("POST", "/auth/register").json(registration("race@example.com")).send(app));
    let replies = futures::future::join_all(attempts).await;
    let created = replies.iter().filter(|r| r.status == 201).count();
    let conflicts = replies.iter().filter(|r| r.status == 409).count();
    assert_eq!((created, conflicts), (1, 19), "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    // One user, one email claim, one refresh family and grant: nothing from the losers.
    assert_eq!(item_count(app).await, 4);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_answer_the_same() {
    let app = app().await;
    register(app, "known@example.com", "learner").await;
    let wrong = Call::new("POST", "/auth/login")
        .json(json!({"email": "known@example.com", "password": "not the password"}))
        .send(app)
        .await;
    let unknown = Call::new("POST", "/auth/login")
        .json(json!({"email": "nobody@example.com", "password": "not the password"}))
        .send(app)
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.headers["www-authenticate"], "Bearer");

    let ok = Call::new("POST", "/auth/login")
        .json(json!({"email": "KNOWN@example.com", "password": "correct horse battery"}))
        .send(app)
        .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    assert_eq!(ok.body["user"]["email"], "known@example.com");
}

#[tokio::test]
async fn repeated_failures_are_throttled_per_address_until_the_window_ends() {
    let clock = clock_at(STARTS_AT);
    let app = app_with_clock(clock.clone()).await;
    register(app, "target@example.com", "learner").await;
    register(app, "bystander@example.com", "learner").await;
    let attempt = |email: &'static str, password: &'static str| {
        Call::new("POST", "/auth/login").json(json!({"email": email, "password": password})).send(app)
    };
    for _ in 0..5 {
        assert_eq!(attempt("target@example.com", "guess guess guess").await.status, 401);
    }
    let locked = attempt("target@example.com", "correct horse battery").await;
    assert_eq!(locked.status, 429, "even the right password waits: {:?}", locked.body);
    let retry_after: i64 = locked.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after));
    // Other addresses are unaffected; unknown addresses are throttled alike.
    assert_eq!(attempt("bystander@example.com", "correct horse battery").await.status, 200);
    for _ in 0..5 {
        attempt("ghost@example.com", "guess guess guess").await;
    }
    assert_eq!(attempt("ghost@example.com", "guess guess guess").await.status, 429);

    clock.advance(chrono::Duration::minutes(16));
    let after = attempt("target@example.com", "correct horse battery").await;
    assert_eq!(after.status, 200, "{:?}", after.body);
    // Success clears the count: five new failures are needed to lock again.
    assert_eq!(attempt("target@example.com", "guess guess guess").await.status, 401);
    assert_eq!(attempt("target@example.com", "correct horse battery").await.status, 200);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_family() {
    let app = app().await;
    let session = register(app, "rotate@example.com", "learner").await;
    let first = session["refresh_token"].as_str().unwrap().to_owned();

    let rotated = Call::new("POST", "/auth/refresh").json(json!({"refresh_token": first})).send(app).await;
    assert_eq!(rotated.status, 200, "{:?}", rotated.body);
    let second = rotated.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    let access = rotated.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(Call::new("GET", "/me").token(&access).send(app).await.status, 200);

    // The first token shown again: someone copied it. Both it and its successor die.
    let reused = Call::new("POST", "/auth/refresh").json(json!({"refresh_token": first})).send(app).await;
    assert_eq!(reused.status, 401);
    let successor = Call::new("POST", "/auth/refresh").json(json!({"refresh_token": second})).send(app).await;
    assert_eq!(successor.status, 401, "the family must be revoked");

    // Another sign-in (another family) is unaffected.
    let other = Call::new("POST", "/auth/login")
        .json(json!({"email": "rotate@example.com", "password": "correct horse battery"}))
        .send(app)
        .await;
    let other_token = other.body["refresh_token"].as_str().unwrap();
    assert_eq!(
        Call::new("POST", "/auth/refresh").json(json!({"refresh_token": other_token})).send(app).await.status,
        200
    );
}

#[tokio::test]
async fn concurrent_use_of_one_refresh_token_yields_at_most_one_pair() {
    let app = app().await;
    let session = register(app, "twice@example.com", "learner").await;
    let token = session["refresh_token"].as_str().unwrap().to_owned();
    let replies = futures::future::join_all(
        (0..5).map(|_| Call::new("POST", "/auth/refresh").json(json!({"refresh_token": token})).send(app)),
    )
    .await;
    let winners: Vec<_> = replies.iter().filter(|r| r.status == 200).collect();
    assert!(winners.len() <= 1, "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    assert!(replies.iter().all(|r| r.status == 200 || r.status == 401));
    // Whatever won, the race counts as reuse: the family is dead.
    for winner in winners {
        let next = winner.body["refresh_token"].as_str().unwrap();
        assert_eq!(Call::new("POST", "/auth/refresh").json(json!({"refresh_token": next})).send(app).await.status, 401);
    }
}

#[tokio::test]
async fn logout_ends_the_sign_in_and_is_idempotent() {
    let app = app().await;
    let session = register(app, "bye@example.com", "mentor").await;
    let token = session["refresh_token"].as_str().unwrap();
    let out = Call::new("POST", "/auth/logout").json(json!({"refresh_token": token})).send(app).await;
    assert_eq!(out.status, 204);
    assert_eq!(Call::new("POST", "/auth/logout").json(json!({"refresh_token": token})).send(app).await.status, 204);
    assert_eq!(Call::new("POST", "/auth/refresh").json(json!({"refresh_token": token})).send(app).await.status, 401);
}

#[tokio::test]
async fn malformed_refresh_tokens_are_400_and_unknown_ones_401() {
    let app = app().await;
    let bad = Call::new("POST", "/auth/refresh").json(json!({"refresh_token": "nope"})).send(app).await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.error_fields(), ["refresh_token"]);
    let unknown = format!("{}.{}", ulid::Ulid::new(), "a".repeat(43));
    let reply = Call::new("POST", "/auth/refresh").json(json!({"refresh_token": unknown})).send(app).await;
    assert_eq!(reply.status, 401);
}
