//! Registration, sign-in, refresh rotation and sign-out against DynamoDB Local.

#![allow(clippy::unwrap_used)]

use peerlearn_tests::{Call, STARTS_AT, TestClock, app, app_with_clock, clock_at, item_count, register};
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
    assert_eq!(again.body["type"], "urn:peerlearn:problem:email-taken");
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
        assert_eq!(reply.body["type"], "urn:peerlearn:problem:validation", "{body}");
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
    // One user, one email claim, one refresh family (and the member's copy) and grant, and
    // the winner's confirmation link with its mail counter: nothing from the losers.
    assert_eq!(item_count(app).await, 7);
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
    assert_eq!(wrong.body["type"], "urn:peerlearn:problem:invalid-credentials");
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
    // A new window, and successes do not count: only failed guesses do.
    assert_eq!(attempt("target@example.com", "guess guess guess").await.status, 401);
    assert_eq!(attempt("target@example.com", "correct horse battery").await.status, 200);
    assert_eq!(attempt("target@example.com", "correct horse battery").await.status, 200);
}

/// Moves `clock` to one minute into the next 15-minute window, so a test's burst of
/// sign-ins cannot straddle two windows (computed from the test clock, not the wall clock).
fn start_of_a_login_window(clock: &TestClock) {
    use shared::ports::Clock as _;
    let into = clock.now().timestamp().rem_euclid(15 * 60);
    clock.advance(chrono::Duration::seconds(15 * 60 - into + 60));
}

fn login(email: &str, password: &str) -> Call<'static> {
    Call::new("POST", "/auth/login").json(json!({"email": email, "password": password}))
}

async fn counters_used(app: &shared::App, limit: &str) -> i64 {
    let output = app.store.client().scan().table_name(app.store.table()).send().await.unwrap();
    output
        .items()
        .iter()
        .filter(|i| i["PK"].as_s().unwrap().starts_with(&format!("LIMIT#{limit}#")))
        .map(|i| i["used"].as_n().unwrap().parse::<i64>().unwrap())
        .sum()
}

#[tokio::test]
async fn fifty_concurrent_guesses_reach_the_password_check_at_most_five_times() {
    let clock = clock_at(STARTS_AT);
    let app = app_with_clock(clock.clone()).await;
    register(app, "victim@example.com", "learner").await;
    start_of_a_login_window(&clock);

    let guesses = (0..50).map(|i| login("victim@example.com", &format!("guess number {i}")).send(app));
    let replies = futures::future::join_all(guesses).await;
    let wrong = replies.iter().filter(|r| r.status == 401).count();
    let limited: Vec<_> = replies.iter().filter(|r| r.status == 429).collect();
    println!("50 concurrent guesses: {wrong} x 401, {} x 429", limited.len());
    assert!(wrong <= 5, "{wrong} guesses reached the password check");
    assert_eq!(wrong + limited.len(), 50, "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    for reply in &limited {
        assert_eq!(reply.content_type(), "application/problem+json");
        assert_eq!(reply.body["limit"], "login_per_address");
        assert_eq!(reply.body["type"], "urn:peerlearn:problem:rate-limited");
        let retry_after: u64 = reply.headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=900).contains(&retry_after));
        assert_eq!(reply.body["retry_after"], retry_after);
    }
    assert_eq!(counters_used(app, "login_per_address").await, 5);
    assert_eq!(counters_used(app, "login_per_source").await, 5, "refused guesses use no other quota");

    // Within the window even the right password waits.
    let right = login("victim@example.com", "correct horse battery").send(app).await;
    assert_eq!(right.status, 429, "{:?}", right.body);
    let retry_after: i64 = right.headers["retry-after"].to_str().unwrap().parse().unwrap();
    clock.advance(chrono::Duration::seconds(retry_after));
    let after = login("victim@example.com", "correct horse battery").send(app).await;
    assert_eq!(after.status, 200, "{:?}", after.body);
}

#[tokio::test]
async fn one_source_address_gets_thirty_guesses_across_all_accounts() {
    let clock = clock_at(STARTS_AT);
    let app = app_with_clock(clock.clone()).await;
    register(app, "owner@example.com", "learner").await;
    start_of_a_login_window(&clock);

    // 40 guesses at once from one address, five for each of eight addresses (unknown ones
    // count alike): the address limits allow all of them, the source limit only 30.
    let attacker = "198.51.100.23";
    let guesses = (0..40).map(|i| {
        login(&format!("user{}@example.com", i % 8), &format!("guess number {i}")).from_ip(attacker).send(app)
    });
    let replies = futures::future::join_all(guesses).await;
    let wrong = replies.iter().filter(|r| r.status == 401).count();
    let limited: Vec<_> = replies.iter().filter(|r| r.status == 429).collect();
    assert_eq!((wrong, limited.len()), (30, 10), "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    assert!(limited.iter().all(|r| r.body["limit"] == "login_per_source" && r.headers.contains_key("retry-after")));
    // A guess refused by the source limit gives its address use back.
    assert_eq!(counters_used(app, "login_per_address").await, 30);

    // From that address, even a right password waits; from elsewhere it works, and the
    // same network's other IPv6 hosts are one source (tested in the domain).
    let blocked = login("owner@example.com", "correct horse battery").from_ip(attacker).send(app).await;
    assert_eq!((blocked.status, &blocked.body["limit"]), (429, &json!("login_per_source")));
    let elsewhere = login("owner@example.com", "correct horse battery").from_ip("203.0.113.50").send(app).await;
    assert_eq!(elsewhere.status, 200, "{:?}", elsewhere.body);

    let retry_after: i64 = blocked.headers["retry-after"].to_str().unwrap().parse().unwrap();
    clock.advance(chrono::Duration::seconds(retry_after));
    let later = login("owner@example.com", "correct horse battery").from_ip(attacker).send(app).await;
    assert_eq!(later.status, 200, "{:?}", later.body);
}

#[tokio::test]
async fn a_sign_in_without_a_usable_source_address_is_a_400_naming_it() {
    let app = app().await;
    register(app, "nosource@example.com", "learner").await;
    let reply = login("nosource@example.com", "correct horse battery").from_ip("not an address").send(app).await;
    assert_eq!(reply.status, 400, "{:?}", reply.body);
    assert_eq!(reply.error_fields(), ["requestContext.http.sourceIp"]);
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
    assert_eq!(reused.body["type"], "urn:peerlearn:problem:refresh-token-invalid");
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
    assert_eq!(bad.body["type"], "urn:peerlearn:problem:validation");
    let unknown = format!("{}.{}", ulid::Ulid::new(), "a".repeat(43));
    let reply = Call::new("POST", "/auth/refresh").json(json!({"refresh_token": unknown})).send(app).await;
    assert_eq!(reply.status, 401);
}

/// The client id the tests' Google tokens are for.
const GOOGLE_CLIENT: &str = "peerlearn-test.apps.googleusercontent.com";

/// Serves `jwks` at /certs on loopback, as Google publishes its keys; its URL.
async fn serve_jwks(jwks: Value) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/certs", listener.local_addr().unwrap());
    let router = axum::Router::new().route(
        "/certs",
        axum::routing::get(move || {
            let jwks = jwks.clone();
            async move { ([("cache-control", "public, max-age=3600")], axum::Json(jwks)) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

/// An app whose Google sign-in accepts tokens for [`GOOGLE_CLIENT`] signed by the keys at
/// `jwks_url`.
async fn google_app(jwks_url: &str) -> &'static shared::App {
    let (client, name) = peerlearn_tests::fresh_table().await;
    let mut config = dev_gateway::local::config(&name, &peerlearn_tests::endpoint()).unwrap();
    config.google_client_ids = vec![GOOGLE_CLIENT.to_owned()];
    config.google_jwks_url = jwks_url.to_owned();
    let clients = shared::startup::Clients::new(client).with_google(&config);
    Box::leak(Box::new(shared::startup::build(&config, clients, clock_at(STARTS_AT))))
}

#[tokio::test]
async fn google_sign_in_creates_an_account_and_never_takes_over_a_password_account() {
    use shared::auth::google_id_token::testing::TestGoogleKey;
    let key = TestGoogleKey::generate("g1").unwrap();
    let app = google_app(&serve_jwks(TestGoogleKey::jwks(&[&key])).await).await;
    let now = app.clock.now().timestamp();
    let claims = |sub: &str, email: &str| {
        json!({"iss": "https://accounts.google.com", "aud": GOOGLE_CLIENT, "sub": sub, "email": email,
            "email_verified": true, "name": "Gabi Google", "iat": now - 10, "exp": now + 3590})
    };
    let sign_in = |token: String, extra: Value| {
        let mut body = json!({"id_token": token});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        Call::new("POST", "/auth/google").json(body)
    };
    let token = key.sign(&claims("g-100", "Gabi@Example.com")).unwrap();

    // A first sign-in must say which roles the new account has.
    let no_roles = sign_in(token.clone(), json!({})).send(app).await;
    assert_eq!((no_roles.status, no_roles.error_fields()), (400, vec!["roles".to_owned()]), "{:?}", no_roles.body);
    let items = item_count(app).await;
    assert_eq!(items, 0, "a refused first sign-in writes nothing");

    let created = sign_in(token.clone(), json!({"roles": "learner"})).send(app).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let user = created.body["user"].clone();
    assert_eq!((user["email"].as_str(), user["name"].as_str()), (Some("gabi@example.com"), Some("Gabi Google")));
    let me = Call::new("GET", "/me").token(created.body["access_token"].as_str().unwrap()).send(app).await;
    assert_eq!(me.body["id"], user["id"]);

    // Later sign-ins find the same account by Google's subject.
    let again = sign_in(key.sign(&claims("g-100", "gabi@example.com")).unwrap(), json!({})).send(app).await;
    assert_eq!((again.status, &again.body["user"]["id"]), (200, &user["id"]), "{:?}", again.body);
    // The account has no password: a password sign-in fails like an unknown address.
    let guessed = Call::new("POST", "/auth/login")
        .json(json!({"email": "gabi@example.com", "password": "anything at all"}))
        .send(app)
        .await;
    assert_eq!(guessed.status, 401);
    assert_eq!(guessed.body["type"], "urn:peerlearn:problem:invalid-credentials");
    // ... and the address stays taken for password registrations.
    let taken = Call::new("POST", "/auth/register").json(registration("gabi@example.com")).send(app).await;
    assert_eq!(taken.status, 409);

    // An address with a password account is not merged: sign in with the password and link.
    register(app, "pat@example.com", "learner").await;
    let items = item_count(app).await;
    let takeover = sign_in(key.sign(&claims("g-200", "pat@example.com")).unwrap(), json!({"roles": "both"}));
    let takeover = takeover.send(app).await;
    assert_eq!(takeover.status, 409, "{:?}", takeover.body);
    assert_eq!(takeover.body["type"], "urn:peerlearn:problem:google-account-not-linked");
    assert_eq!(takeover.error_fields(), ["id_token"]);
    assert_eq!(item_count(app).await, items, "nothing written");
}

#[tokio::test]
async fn google_tokens_that_are_forged_expired_foreign_or_unverified_are_refused() {
    use shared::auth::google_id_token::testing::TestGoogleKey;
    let key = TestGoogleKey::generate("g1").unwrap();
    let app = google_app(&serve_jwks(TestGoogleKey::jwks(&[&key])).await).await;
    let now = app.clock.now().timestamp();
    let claims = |change: &dyn Fn(&mut Value)| {
        let mut claims = json!({"iss": "accounts.google.com", "aud": GOOGLE_CLIENT, "sub": "g-300",
            "email": "lee@example.com", "email_verified": true, "name": "Lee", "iat": now - 10, "exp": now + 3590});
        change(&mut claims);
        claims
    };
    let impostor = TestGoogleKey::generate("g1").unwrap();
    let stranger = TestGoogleKey::generate("g9").unwrap();
    let refused = [
        ("forged", impostor.sign(&claims(&|_| {}))),
        ("unknown key", stranger.sign(&claims(&|_| {}))),
        ("another app", key.sign(&claims(&|c| c["aud"] = json!("someone-else.apps.googleusercontent.com")))),
        ("another issuer", key.sign(&claims(&|c| c["iss"] = json!("https://accounts.example.com")))),
        ("expired", key.sign(&claims(&|c| c["exp"] = json!(now - 60)))),
        ("unverified email", key.sign(&claims(&|c| c["email_verified"] = json!(false)))),
        ("not a token", Some("not.a.token".to_owned())),
    ];
    for (what, token) in refused {
        let reply = Call::new("POST", "/auth/google")
            .json(json!({"id_token": token.unwrap(), "roles": "learner"}))
            .send(app)
            .await;
        assert_eq!(reply.status, 401, "{what}: {:?}", reply.body);
    }
    assert_eq!(item_count(app).await, 0, "nothing written");
}

#[tokio::test]
async fn a_member_links_google_and_never_unlinks_the_last_way_in() {
    use shared::auth::google_id_token::testing::TestGoogleKey;
    let key = TestGoogleKey::generate("g1").unwrap();
    let app = google_app(&serve_jwks(TestGoogleKey::jwks(&[&key])).await).await;
    let now = app.clock.now().timestamp();
    let token = |sub: &str, email: &str| {
        key.sign(&json!({"iss": "https://accounts.google.com", "aud": GOOGLE_CLIENT, "sub": sub, "email": email,
            "email_verified": true, "name": "Pat", "iat": now - 10, "exp": now + 3590}))
            .unwrap()
    };
    let google_sign_in = |sub: &str, email: &str| {
        Call::new("POST", "/auth/google").json(json!({"id_token": token(sub, email), "roles": "learner"}))
    };
    let link = async |access: &str, sub: &str, email: &str| {
        let body = json!({"id_token": token(sub, email)});
        Call::new("POST", "/me/identities/google").token(access).json(body).send(app).await
    };

    // A password member links their Google account (any of its addresses) while signed in.
    let pat = register(app, "pat@example.com", "learner").await;
    let pat_token = pat["access_token"].as_str().unwrap().to_owned();
    assert_eq!(google_sign_in("g-200", "pat@example.com").send(app).await.status, 409, "not linked yet");
    assert_eq!(link(&pat_token, "g-200", "pat.work@example.com").await.status, 204);
    assert_eq!(link(&pat_token, "g-200", "pat.work@example.com").await.status, 204, "again: a no-op");
    let signed_in = google_sign_in("g-200", "pat.work@example.com").send(app).await;
    assert_eq!((signed_in.status, &signed_in.body["user"]["id"]), (200, &pat["user"]["id"]), "{:?}", signed_in.body);

    // One Google account per member, one member per Google account.
    let second = link(&pat_token, "g-201", "pat2@example.com").await;
    assert_eq!((second.status, second.body["type"].as_str()), (409, Some("urn:peerlearn:problem:identity-conflict")));
    let kim = register(app, "kim@example.com", "learner").await;
    let kim_token = kim["access_token"].as_str().unwrap().to_owned();
    let taken = link(&kim_token, "g-200", "pat.work@example.com").await;
    assert_eq!(taken.status, 409, "{:?}", taken.body);

    // Unlinked, the Google account signs in to nothing (and the address is Pat's).
    let unlinked = Call::new("DELETE", "/me/identities/google").token(&pat_token).send(app).await;
    assert_eq!(unlinked.status, 204, "{:?}", unlinked.body);
    assert_eq!(google_sign_in("g-200", "pat@example.com").send(app).await.status, 409);

    // An account made with Google has no password: Google is its only way in.
    let gabi = google_sign_in("g-300", "gabi@example.com").send(app).await;
    assert_eq!(gabi.status, 201);
    let items = item_count(app).await;
    let refused =
        Call::new("DELETE", "/me/identities/google").token(gabi.body["access_token"].as_str().unwrap()).send(app).await;
    assert_eq!((refused.status, refused.body["type"].as_str()), (409, Some("urn:peerlearn:problem:identity-conflict")));
    assert_eq!(item_count(app).await, items, "nothing written");
    assert_eq!(google_sign_in("g-300", "gabi@example.com").send(app).await.status, 200);
}

#[tokio::test]
async fn the_dev_gateway_stands_in_for_google_with_real_signatures() {
    use dev_gateway::{Gateway, handlers};
    use shared::auth::google_id_token::testing::TestGoogleKey;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (client, name) = peerlearn_tests::fresh_table().await;
    let mut config = dev_gateway::local::config(&name, &peerlearn_tests::endpoint()).unwrap();
    config.google_client_ids = vec![GOOGLE_CLIENT.to_owned()];
    config.google_jwks_url = format!("{url}/_local/google/certs");
    let clients = shared::startup::Clients::new(client).with_google(&config);
    let app = shared::startup::build(&config, clients, clock_at(STARTS_AT));
    let gateway = Gateway::new(app, peerlearn_tests::template().clone(), &handlers::functions(), &handlers::events())
        .unwrap()
        .with_google(TestGoogleKey::generate("local-google").unwrap(), GOOGLE_CLIENT);
    let router = gateway.router().into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let http = reqwest::Client::new();

    let certs = http.get(format!("{url}/_local/google/certs")).send().await.unwrap();
    assert_eq!(certs.headers()["cache-control"], "public, max-age=3600");
    let certs: Value = certs.json().await.unwrap();
    assert_eq!(certs["keys"][0]["kid"], "local-google");

    let minted: Value = http
        .post(format!("{url}/_local/google/id-token"))
        .json(&json!({"sub": "1001", "email": "you@example.com", "name": "You"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let signed_in = http
        .post(format!("{url}/auth/google"))
        .json(&json!({"id_token": minted["id_token"], "roles": "learner"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status().as_u16(), 201);
    let body: Value = signed_in.json().await.unwrap();
    assert_eq!((body["user"]["email"].as_str(), body["user"]["name"].as_str()), (Some("you@example.com"), Some("You")));
    let bad = http.post(format!("{url}/_local/google/id-token")).body("{}").send().await.unwrap();
    assert_eq!(bad.status().as_u16(), 400);
}

/// A registration that mails for real: an address no other test uses (moto is shared).
async fn registered(app: &shared::App, local: &str) -> (String, Value) {
    let email = format!("{local}-{}@example.com", ulid::Ulid::new()).to_lowercase();
    let reply = Call::new("POST", "/auth/register").json(registration(&email)).send(app).await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    (email, reply.body)
}

fn bearer(body: &Value) -> String {
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_new_member_confirms_their_address_with_the_mailed_link_once() {
    let app = app().await;
    let (email, body) = registered(app, "ana").await;
    assert_eq!(body["user"]["email_verified"], false);
    let token = peerlearn_tests::mailed_token(&email, "Confirm your email address").await;
    let (_, text) = peerlearn_tests::mails_to(&email).await.pop().unwrap();
    assert!(text.contains("http://localhost:5173/verify-email?token="), "{text}");

    let confirmed = Call::new("POST", "/auth/verify-email").json(json!({"token": token})).send(app).await;
    assert_eq!(confirmed.status, 200, "{:?}", confirmed.body);
    assert_eq!(confirmed.body, json!({"email": email, "email_verified": true}));
    let me = Call::new("GET", "/me").token(&bearer(&body)).send(app).await;
    assert_eq!(me.body["email_verified"], true);

    // Single use; and a token of the right shape that was never issued is the same 400.
    let again = Call::new("POST", "/auth/verify-email").json(json!({"token": token})).send(app).await;
    assert_eq!((again.status, again.error_fields()), (400, vec!["token".to_owned()]));
    let unknown = Call::new("POST", "/auth/verify-email").json(json!({"token": "A".repeat(43)})).send(app).await;
    assert_eq!((unknown.status, unknown.error_fields()), (400, vec!["token".to_owned()]));
    // Confirmed already: a resend sends nothing.
    let mails = peerlearn_tests::mails_to(&email).await.len();
    let resend = Call::new("POST", "/me/email/verification").token(&bearer(&body)).send(app).await;
    assert_eq!(resend.status, 204);
    assert_eq!(peerlearn_tests::mails_to(&email).await.len(), mails);
}

#[tokio::test]
async fn a_confirmation_link_expires_after_a_day_and_resends_are_limited() {
    let clock = clock_at(STARTS_AT);
    let app = app_with_clock(clock.clone()).await;
    let (email, body) = registered(app, "omar").await;
    let first = peerlearn_tests::mailed_token(&email, "Confirm your email address").await;
    clock.advance(chrono::Duration::hours(24));
    let late = Call::new("POST", "/auth/verify-email").json(json!({"token": first})).send(app).await;
    assert_eq!((late.status, late.error_fields()), (400, vec!["token".to_owned()]));

    // Three mails to an address an hour, then 429 naming the limit.
    start_of_an_hour(&clock);
    let token = bearer(&body);
    let token = peerlearn_tests::renew(app, &token);
    for _ in 0..3 {
        let resend = Call::new("POST", "/me/email/verification").token(&token).send(app).await;
        assert_eq!(resend.status, 202, "{:?}", resend.body);
    }
    let refused = Call::new("POST", "/me/email/verification").token(&token).send(app).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.body["limit"], "link_mails_per_address");
    let newest = peerlearn_tests::mailed_token(&email, "Confirm your email address").await;
    let confirmed = Call::new("POST", "/auth/verify-email").json(json!({"token": newest})).send(app).await;
    assert_eq!(confirmed.status, 200, "{:?}", confirmed.body);
}

fn start_of_an_hour(clock: &TestClock) {
    use shared::ports::Clock as _;
    let into = clock.now().timestamp().rem_euclid(3600);
    clock.advance(chrono::Duration::seconds(3600 - into + 60));
}

#[tokio::test]
async fn forgot_password_answers_the_same_for_unknown_addresses_and_mails_known_ones() {
    let app = app().await;
    let (email, _) = registered(app, "lena").await;
    let nobody = format!("nobody-{}@example.com", ulid::Ulid::new()).to_lowercase();
    let known = Call::new("POST", "/auth/password/forgot").json(json!({"email": email})).send(app).await;
    let unknown = Call::new("POST", "/auth/password/forgot").json(json!({"email": nobody})).send(app).await;
    assert_eq!((known.status, unknown.status), (202, 202));
    assert_eq!(known.body, unknown.body);
    assert!(peerlearn_tests::mails_to(&nobody).await.is_empty());
    let (subject, text) = peerlearn_tests::mails_to(&email).await.pop().unwrap();
    assert_eq!(subject, "Reset your password");
    assert!(text.contains("/reset-password?token="), "{text}");
}

#[tokio::test]
async fn a_reset_sets_the_password_ends_every_sign_in_and_voids_older_links() {
    let clock = clock_at(STARTS_AT);
    let app = app_with_clock(clock.clone()).await;
    let (email, body) = registered(app, "ivy").await;
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    let forgot = || Call::new("POST", "/auth/password/forgot").json(json!({"email": email.clone()}));
    assert_eq!(forgot().send(app).await.status, 202);
    let older = peerlearn_tests::mailed_token(&email, "Reset your password").await;
    clock.advance(chrono::Duration::seconds(1));
    assert_eq!(forgot().send(app).await.status, 202);
    let newer = peerlearn_tests::mailed_token(&email, "Reset your password").await;
    assert_ne!(older, newer);

    let reset = |token: &str, password: &str| {
        Call::new("POST", "/auth/password/reset").json(json!({"token": token, "password": password}))
    };
    // A password against the rules names the field and spends nothing.
    let weak = reset(&newer, "short").send(app).await;
    assert_eq!((weak.status, weak.error_fields()), (400, vec!["password".to_owned()]));
    assert_eq!(reset(&newer, "a whole new secret").send(app).await.status, 204);

    assert_eq!(login(&email, "correct horse battery").send(app).await.status, 401);
    assert_eq!(login(&email, "a whole new secret").send(app).await.status, 200);
    let refreshed = Call::new("POST", "/auth/refresh").json(json!({"refresh_token": refresh})).send(app).await;
    assert_eq!(refreshed.status, 401, "the sign-in from before the reset must be over");
    // The same link again, and the older one, are spent.
    for token in [&newer, &older] {
        let spent = reset(token, "yet another secret").send(app).await;
        assert_eq!((spent.status, spent.error_fields()), (400, vec!["token".to_owned()]));
    }
    // A reset link does not confirm an address, and lives half an hour (a new hour: the
    // registration and two resets used this one's three mails).
    start_of_an_hour(&clock);
    assert_eq!(forgot().send(app).await.status, 202);
    let late = peerlearn_tests::mailed_token(&email, "Reset your password").await;
    let confirm = Call::new("POST", "/auth/verify-email").json(json!({"token": late})).send(app).await;
    assert_eq!(confirm.status, 400);
    clock.advance(chrono::Duration::minutes(30));
    assert_eq!(reset(&late, "too late a secret").send(app).await.status, 400);
}

#[tokio::test]
async fn changing_the_password_proves_the_current_one_and_ends_other_sign_ins() {
    let app = app().await;
    let (email, body) = registered(app, "kai").await;
    let token = bearer(&body);
    let old_refresh = body["refresh_token"].as_str().unwrap().to_owned();
    let change = |current: &str, new: &str| {
        Call::new("PATCH", "/me/password").token(&token).json(json!({"current_password": current, "new_password": new}))
    };
    let wrong = change("not my password", "a whole new secret").send(app).await;
    assert_eq!((wrong.status, wrong.error_fields()), (400, vec!["current_password".to_owned()]));
    let weak = change("correct horse battery", &email).send(app).await;
    assert_eq!((weak.status, weak.error_fields()), (400, vec!["new_password".to_owned()]));
    let changed = change("correct horse battery", "a whole new secret").send(app).await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    let new_refresh = changed.body["refresh_token"].as_str().unwrap();
    let old = Call::new("POST", "/auth/refresh").json(json!({"refresh_token": old_refresh})).send(app).await;
    assert_eq!(old.status, 401);
    let fresh = Call::new("POST", "/auth/refresh").json(json!({"refresh_token": new_refresh})).send(app).await;
    assert_eq!(fresh.status, 200);
    assert_eq!(login(&email, "a whole new secret").send(app).await.status, 200);
}

#[tokio::test]
async fn an_address_change_takes_effect_when_the_new_address_confirms_it() {
    let app = app().await;
    let (email, body) = registered(app, "noa").await;
    let token = bearer(&body);
    let new = format!("noa-new-{}@example.com", ulid::Ulid::new()).to_lowercase();
    let change = |address: &str, password: &str| {
        Call::new("PATCH", "/me/email").token(&token).json(json!({"email": address, "password": password}))
    };
    let wrong = change(&new, "not my password").send(app).await;
    assert_eq!((wrong.status, wrong.error_fields()), (400, vec!["password".to_owned()]));
    let same = change(&email, "correct horse battery").send(app).await;
    assert_eq!((same.status, same.error_fields()), (400, vec!["email".to_owned()]));
    assert_eq!(change(&new, "correct horse battery").send(app).await.status, 202);
    let (subject, _) = peerlearn_tests::mails_to(&email).await.pop().unwrap();
    assert_eq!(subject, "Your sign-in address is changing");
    // Nothing changes until the new address answers.
    assert_eq!(login(&email, "correct horse battery").send(app).await.status, 200);

    let link = peerlearn_tests::mailed_token(&new, "Confirm your new email address").await;
    let confirmed = Call::new("POST", "/auth/verify-email").json(json!({"token": link})).send(app).await;
    assert_eq!(confirmed.status, 200, "{:?}", confirmed.body);
    assert_eq!(confirmed.body, json!({"email": new, "email_verified": true}));
    assert_eq!(login(&email, "correct horse battery").send(app).await.status, 401);
    assert_eq!(login(&new, "correct horse battery").send(app).await.status, 200);
    // The old address is free again, and the new one is taken.
    let (_, other) = registered(app, "zoe").await;
    let taken = Call::new("POST", "/auth/register").json(registration(&new)).send(app).await;
    assert_eq!(taken.status, 409);
    let reuse = Call::new("POST", "/auth/register").json(registration(&email)).send(app).await;
    assert_eq!(reuse.status, 201);

    // An address taken between the request and the confirmation: 409, nothing moves.
    let contested = format!("contested-{}@example.com", ulid::Ulid::new()).to_lowercase();
    let other_token = bearer(&other);
    let asked = Call::new("PATCH", "/me/email")
        .token(&other_token)
        .json(json!({"email": contested, "password": "correct horse battery"}))
        .send(app)
        .await;
    assert_eq!(asked.status, 202);
    let link = peerlearn_tests::mailed_token(&contested, "Confirm your new email address").await;
    assert_eq!(Call::new("POST", "/auth/register").json(registration(&contested)).send(app).await.status, 201);
    let before = item_count(app).await;
    let refused = Call::new("POST", "/auth/verify-email").json(json!({"token": link})).send(app).await;
    assert_eq!(refused.status, 409);
    assert_eq!(refused.body["type"], "urn:peerlearn:problem:email-taken");
    assert_eq!(item_count(app).await, before);
}

/// A US number no other test texts (moto is shared by the whole run).
fn fresh_phone() -> String {
    let random = ulid::Ulid::new().random() % 1_000_000;
    format!("+14152{random:06}")
}

async fn member_token(app: &shared::App, local: &str) -> (String, String) {
    let (_, body) = registered(app, local).await;
    (bearer(&body), body["user"]["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_member_verifies_a_phone_with_the_texted_code() {
    let clock = clock_at(STARTS_AT);
    let app = app_with_clock(clock.clone()).await;
    let (token, _) = member_token(app, "pia").await;
    let phone = fresh_phone();
    let send = |number: &str| Call::new("POST", "/me/phone").token(&token).json(json!({"phone": number}));
    for (bad, why) in
        [("4155552671", "no +"), ("+1 876 555 2671", "Jamaica: not texted"), ("+999 1234 5678", "no such country")]
    {
        let refused = send(bad).send(app).await;
        assert_eq!((refused.status, refused.error_fields()), (400, vec!["phone".to_owned()]), "{why}");
    }
    let pretty = format!("+1 (415) {}-{}", &phone[5..8], &phone[8..]);
    assert_eq!(send(&pretty).send(app).await.status, 202);
    let again = send(&phone).send(app).await;
    assert_eq!((again.status, again.body["limit"].clone()), (429, json!("text_resend")));
    let code = peerlearn_tests::texted_code(&phone).await;
    assert_eq!(peerlearn_tests::texts_to(&phone).await.len(), 1, "the refused resend sent nothing");

    let verify = |code: &str| Call::new("POST", "/me/phone/verify").token(&token).json(json!({"code": code}));
    let wrong_code = if code == "000000" { "000001" } else { "000000" };
    let wrong = verify(wrong_code).send(app).await;
    assert_eq!((wrong.status, wrong.error_fields()), (400, vec!["code".to_owned()]));
    let right = verify(&code).send(app).await;
    assert_eq!(right.status, 200, "{:?}", right.body);
    assert_eq!(right.body, json!({"phone": phone, "phone_verified": true}));
    let me = Call::new("GET", "/me").token(&token).send(app).await;
    assert_eq!(me.body["phone"], json!(phone));
    // Used: the same code again finds none.
    assert_eq!(verify(&code).send(app).await.status, 400);
    assert_eq!(send(&phone).send(app).await.error_fields(), ["phone"], "already the member's");
}

#[tokio::test]
async fn five_wrong_guesses_or_ten_minutes_end_a_code() {
    let clock = clock_at(STARTS_AT);
    let app = app_with_clock(clock.clone()).await;
    let (token, _) = member_token(app, "rio").await;
    let phone = fresh_phone();
    let send = || Call::new("POST", "/me/phone").token(&token).json(json!({"phone": phone.clone()}));
    let verify = |code: &str| Call::new("POST", "/me/phone/verify").token(&token).json(json!({"code": code}));
    assert_eq!(send().send(app).await.status, 202);
    let code = peerlearn_tests::texted_code(&phone).await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    // Each guess is taken before it is compared: concurrent ones cannot share one, so at
    // most five are ever compared.
    let burst = futures::future::join_all((0..8).map(|_| verify(wrong).send(app))).await;
    assert!(burst.iter().all(|g| g.status == 400), "{:?}", burst.iter().map(|g| g.status).collect::<Vec<_>>());
    for _ in 0..5 {
        assert_eq!(verify(wrong).send(app).await.status, 400);
    }
    let spent = verify(&code).send(app).await;
    assert_eq!(spent.status, 400, "the right code after five wrong ones: {:?}", spent.body);

    clock.advance(chrono::Duration::seconds(61));
    let token = peerlearn_tests::renew(app, &token);
    let send = || Call::new("POST", "/me/phone").token(&token).json(json!({"phone": phone.clone()}));
    assert_eq!(send().send(app).await.status, 202);
    let code = peerlearn_tests::texted_code(&phone).await;
    clock.advance(chrono::Duration::minutes(10));
    let token = peerlearn_tests::renew(app, &token);
    let late = Call::new("POST", "/me/phone/verify").token(&token).json(json!({"code": code})).send(app).await;
    assert_eq!(late.status, 400, "expired");
}

#[tokio::test]
async fn a_number_moves_to_whoever_proves_they_hold_it_and_signs_them_in() {
    let app = app().await;
    let phone = fresh_phone();
    let (first, first_id) = member_token(app, "old-holder").await;
    let (second, second_id) = member_token(app, "new-holder").await;
    for token in [&first, &second] {
        let sent = Call::new("POST", "/me/phone").token(token).json(json!({"phone": phone})).send(app).await;
        assert_eq!(sent.status, 202, "the same answer whoever holds the number: {:?}", sent.body);
        let code = peerlearn_tests::texted_code(&phone).await;
        let verified = Call::new("POST", "/me/phone/verify").token(token).json(json!({"code": code})).send(app).await;
        assert_eq!(verified.status, 200, "{:?}", verified.body);
    }
    let old = Call::new("GET", "/me").token(&first).send(app).await;
    assert!(old.body.get("phone").is_none(), "{:?}", old.body);

    // Sign in by phone: the holder gets the code; an unknown number gets the same answer.
    let nobody = fresh_phone();
    let start = |number: &str| Call::new("POST", "/auth/otp/start").json(json!({"phone": number}));
    let texts_before = peerlearn_tests::texts_to(&phone).await.len();
    let known = start(&phone).send(app).await;
    let unknown = start(&nobody).send(app).await;
    assert_eq!((known.status, unknown.status), (202, 202));
    assert_eq!(known.body, unknown.body);
    assert!(peerlearn_tests::texts_to(&nobody).await.is_empty());
    assert_eq!(peerlearn_tests::texts_to(&phone).await.len(), texts_before + 1);
    let code = peerlearn_tests::texted_code(&phone).await;
    let finish =
        |number: &str, code: &str| Call::new("POST", "/auth/otp/verify").json(json!({"phone": number, "code": code}));
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let refused = finish(&phone, wrong).send(app).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.body["type"], "urn:peerlearn:problem:invalid-credentials");
    assert_eq!(finish(&nobody, &code).send(app).await.status, 401);
    let signed_in = finish(&phone, &code).send(app).await;
    assert_eq!(signed_in.status, 200, "{:?}", signed_in.body);
    assert_eq!(signed_in.body["user"]["id"], json!(second_id));
    assert_ne!(second_id, first_id);
    assert_eq!(finish(&phone, &code).send(app).await.status, 401, "single use");
}

#[tokio::test]
async fn texts_stop_at_the_numbers_and_the_platforms_daily_caps() {
    let clock = clock_at(STARTS_AT);
    let app = peerlearn_tests::app_adjusted(clock.clone(), |app| {
        app.limits.texts_per_platform = shared::domain::Limits::platform_texts(7);
    })
    .await;
    let (first, _) = member_token(app, "cap").await;
    let (second, _) = member_token(app, "cap-too").await;
    let phone = fresh_phone();
    // Five codes to one number a UTC day, whoever asks, a minute apart; the sixth is refused.
    for round in 0..6 {
        let token = peerlearn_tests::renew(app, if round < 3 { &first } else { &second });
        let sent = Call::new("POST", "/me/phone").token(&token).json(json!({"phone": phone})).send(app).await;
        if round < 5 {
            assert_eq!(sent.status, 202, "round {round}: {:?}", sent.body);
        } else {
            assert_eq!((sent.status, sent.body["limit"].clone()), (429, json!("texts_per_number")));
        }
        clock.advance(chrono::Duration::seconds(61));
    }
    // The platform's fuse (7 here): two more to other members, then nobody gets a text.
    for round in 0..3 {
        let (other, _) = member_token(app, "fuse").await;
        let number = fresh_phone();
        let sent = Call::new("POST", "/me/phone").token(&other).json(json!({"phone": number})).send(app).await;
        if round < 2 {
            assert_eq!(sent.status, 202, "{:?}", sent.body);
        } else {
            assert_eq!((sent.status, sent.body["limit"].clone()), (429, json!("texts_per_platform")));
            assert!(peerlearn_tests::texts_to(&number).await.is_empty());
        }
    }
}
