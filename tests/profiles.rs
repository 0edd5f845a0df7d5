//! GET /me, PATCH /me and GET /users/{id} against DynamoDB Local.

#![allow(clippy::unwrap_used)]

use peerlearn_tests::{Call, app, register};
use serde_json::{Value, json};
use shared::domain::{AccountStatus, UserId};
use shared::ports::AccountStore;

fn token(session: &Value) -> String {
    session["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn me_requires_a_valid_token() {
    let app = app().await;
    let missing = Call::new("GET", "/me").send(app).await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.headers["www-authenticate"], "Bearer");
    assert_eq!(missing.content_type(), "application/problem+json");
    assert_eq!(missing.body["type"], "urn:peerlearn:problem:unauthenticated");
    assert_eq!(Call::new("GET", "/me").token("not.a.jwt").send(app).await.status, 401);

    let mut basic = Call::new("GET", "/me");
    basic.headers.push(("authorization", "Basic dXNlcjpwYXNz".into()));
    assert_eq!(basic.send(app).await.status, 401);

    let session = register(app, "me@example.com", "learner").await;
    let user_id = UserId::parse(session["user"]["id"].as_str().unwrap()).unwrap();
    let learner = shared::domain::Roles::from_requested("learner").unwrap();
    let ours = token(&session);
    let claims = app.tokens.verify(&ours).unwrap();
    for (forged, what) in forged_tokens(app, &user_id, &ours, &claims) {
        let reply = Call::new("GET", "/me").token(&forged).send(app).await;
        assert_eq!(reply.status, 401, "{what}: {:?}", reply.body);
    }

    // The scheme is case-insensitive (RFC 7235).
    for scheme in ["bearer", "BEARER", "BeArEr"] {
        let mut call = Call::new("GET", "/me");
        call.headers.push(("authorization", format!("{scheme} {ours}")));
        assert_eq!(call.send(app).await.status, 200, "{scheme}");
    }

    let expired = app.tokens.issue(&user_id, learner, app.clock.now() - chrono::Duration::hours(2)).unwrap();
    assert_eq!(Call::new("GET", "/me").token(&expired).send(app).await.status, 401);

    let me = Call::new("GET", "/me").token(&ours).send(app).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["email"], "me@example.com");
}

/// Tokens for the same member and claims that must all be refused: signed by another key
/// pair (under our key id, and under another), HS256 keyed with things an attacker may
/// know (the public key set, the key id), `alg: none`, and ours with the signature cut.
fn forged_tokens(
    app: &shared::App,
    user: &UserId,
    ours: &str,
    claims: &shared::auth::AccessClaims,
) -> Vec<(String, &'static str)> {
    use base64::Engine as _;
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    let kid = jsonwebtoken::decode_header(ours).unwrap().kid.unwrap();
    let other_pair = |kid: &str| {
        let (signing, public) = shared::auth::SigningKey::generate(kid).unwrap();
        let config = shared::config::JwtConfig {
            signing_key: Some(signing),
            public_keys: Some(public),
            issuer: "peerlearn".into(),
            audience: "peerlearn-api".into(),
            access_ttl: std::time::Duration::from_secs(900),
        };
        shared::auth::TokenIssuer::new(&config, app.clock.clone()).issue(user, claims.roles, app.clock.now()).unwrap()
    };
    let hs256 = |secret: &[u8]| {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(kid.clone());
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
    };
    let payload = ours.split('.').nth(1).unwrap();
    let none_header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!(r#"{{"alg":"none","typ":"JWT","kid":"{kid}"}}"#));
    let (signed, _) = ours.rsplit_once('.').unwrap();
    vec![
        (other_pair(&kid), "another key pair under our kid"),
        (other_pair("elsewhere"), "another key pair and kid"),
        (hs256(kid.as_bytes()), "HS256 keyed with the kid"),
        (hs256(b"peerlearn-api"), "HS256 keyed with the audience"),
        (format!("{none_header}.{payload}."), "alg none"),
        (format!("{signed}."), "no signature"),
    ]
}

#[tokio::test]
async fn patch_me_normalises_and_persists_the_profile() {
    let app = app().await;
    let session = register(app, "mentor@example.com", "mentor").await;
    let token = token(&session);
    let patch = json!({
        "name": "  Lucía   Gómez ",
        "headline": "Rust and distributed systems",
        "bio": "Ten years of backend work.\r\nHappy to help.",
        "academic": {"institution": "UNAM", "programme": "Computer Science", "year": 4},
        "skills": [{"name": "  RUST ", "level": 5}, {"name": "Distributed   Systems", "level": 4}],
        "languages": ["es", "EN", "pt-br"],
        "timezone": "America/Mexico_City",
        "availability": [
            {"day": "tue", "start": "18:00", "end": "21:00"},
            {"day": "mon", "start": "09:00", "end": "12:00"},
            {"day": "mon", "start": "12:00", "end": "13:30"}
        ]
    });
    let reply = Call::new("PATCH", "/me").token(&token).json(patch).send(app).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let profile = &reply.body["profile"];
    assert_eq!(reply.body["name"], "Lucía Gómez");
    assert_eq!(profile["skills"], json!([{"name": "distributed systems", "level": 4}, {"name": "rust", "level": 5}]));
    assert_eq!(profile["languages"], json!(["es", "en", "pt-BR"]));
    assert_eq!(profile["timezone"], "America/Mexico_City");
    assert_eq!(profile["bio"], "Ten years of backend work.\nHappy to help.");
    assert_eq!(profile["availability"][0], json!({"day": "mon", "start": "09:00", "end": "12:00"}));
    assert_eq!(profile["academic"]["year"], 4);

    let me = Call::new("GET", "/me").token(&token).send(app).await;
    assert_eq!(me.body["profile"], reply.body["profile"], "what PATCH returned is what is stored");

    // Absent fields stay; null clears an optional one.
    let cleared = Call::new("PATCH", "/me").token(&token).json(json!({"headline": null})).send(app).await;
    assert_eq!(cleared.status, 200);
    assert!(cleared.body["profile"].get("headline").is_none());
    assert_eq!(cleared.body["profile"]["bio"], reply.body["profile"]["bio"]);
}

#[tokio::test]
async fn invalid_profile_edits_name_each_field_and_change_nothing() {
    let app = app().await;
    let session = register(app, "edit@example.com", "learner").await;
    let token = token(&session);
    let before = Call::new("GET", "/me").token(&token).send(app).await.body;
    let patch = json!({
        "name": null,
        "timezone": "Mars/Olympus_Mons",
        "skills": [{"name": "rust", "level": 6}, {"name": "", "level": 3}],
        "languages": ["english"],
        "availability": [
            {"day": "mon", "start": "09:00", "end": "12:00"},
            {"day": "mon", "start": "11:00", "end": "13:00"},
            {"day": "fri", "start": "10:00", "end": "09:00"},
            {"day": "someday", "start": "10:07", "end": "25:00"}
        ]
    });
    let reply = Call::new("PATCH", "/me").token(&token).json(patch).send(app).await;
    assert_eq!(reply.status, 400, "{:?}", reply.body);
    let fields = reply.error_fields();
    for expected in [
        "name",
        "timezone",
        "skills[0].level",
        "skills[1].name",
        "languages[0]",
        "availability[2]",
        "availability[3].day",
        "availability[3].start",
        "availability[3].end",
        "availability",
    ] {
        assert!(fields.contains(&expected.to_owned()), "missing {expected} in {fields:?}");
    }
    let unknown = Call::new("PATCH", "/me").token(&token).json(json!({"hedline": "typo"})).send(app).await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.error_fields(), ["hedline"]);

    let after = Call::new("GET", "/me").token(&token).send(app).await.body;
    assert_eq!(before, after, "a failed request leaves the profile as it was");
}

#[tokio::test]
async fn availability_needs_a_timezone() {
    let app = app().await;
    let session = register(app, "tz@example.com", "learner").await;
    let reply = Call::new("PATCH", "/me")
        .token(&token(&session))
        .json(json!({"availability": [{"day": "wed", "start": "18:00", "end": "20:00"}]}))
        .send(app)
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.error_fields(), ["timezone"]);
}

#[tokio::test]
async fn bodies_are_limited_and_must_be_json() {
    let app = app().await;
    let session = register(app, "big@example.com", "learner").await;
    let token = token(&session);
    let huge = Call::new("PATCH", "/me").token(&token).json(json!({"bio": "x".repeat(20_000)})).send(app).await;
    assert_eq!(huge.status, 413);
    let mut form = Call::new("PATCH", "/me").token(&token);
    form.body = Some("name=x".into());
    form.headers.push(("content-type", "application/x-www-form-urlencoded".into()));
    assert_eq!(form.send(app).await.status, 415);
    // The docs promise 415 for a body that does not say it is JSON, even if it is.
    let mut untyped = Call::new("PATCH", "/me").token(&token);
    untyped.body = Some(json!({"name": "Untyped"}).to_string());
    let reply = untyped.send(app).await;
    assert_eq!((reply.status, reply.content_type()), (415, "application/problem+json"));
    assert_eq!(reply.body["type"], "urn:peerlearn:problem:unsupported-media-type");
    let mut untyped = Call::new("POST", "/auth/register");
    let registration =
        json!({"email": "untyped@example.com", "password": "correct horse battery", "name": "U", "roles": "learner"});
    untyped.body = Some(registration.to_string());
    assert_eq!(untyped.send(app).await.status, 415);
    let me = Call::new("GET", "/me").token(&token).send(app).await;
    assert_eq!(me.body["name"], "Test User", "refused bodies changed nothing");
    // Also where the endpoint reads no body.
    let mut stray = Call::new("POST", "/notifications/read-all").token(&token);
    stray.body = Some("{}".into());
    assert_eq!(stray.send(app).await.status, 415);
    // Parameters are fine.
    let mut charset = Call::new("PATCH", "/me").token(&token);
    charset.body = Some(json!({"name": "Typed"}).to_string());
    charset.headers.push(("content-type", "application/json; charset=utf-8".into()));
    assert_eq!(charset.send(app).await.status, 200);
}

#[tokio::test]
async fn public_view_hides_private_fields() {
    let app = app().await;
    let mentor = register(app, "public@example.com", "mentor").await;
    let learner = register(app, "viewer@example.com", "learner").await;
    let id = mentor["user"]["id"].as_str().unwrap();
    let path = format!("/users/{id}");

    assert_eq!(Call::new("GET", &path).send(app).await.status, 401);
    let reply = Call::new("GET", &path).token(&token(&learner)).send(app).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["id"], id);
    assert_eq!(reply.body["roles"], json!(["mentor"]));
    let text = reply.body.to_string();
    assert!(!text.contains("public@example.com") && !text.contains("email") && !text.contains("argon2"), "{text}");
    assert!(reply.body.get("status").is_none());

    let missing = format!("/users/{}", ulid::Ulid::new());
    assert_eq!(Call::new("GET", &missing).token(&token(&learner)).send(app).await.status, 404);
    let malformed = Call::new("GET", "/users/not-an-id").token(&token(&learner)).send(app).await;
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.error_fields(), ["id"]);
}

#[tokio::test]
async fn suspended_members_are_forbidden_and_hidden() {
    let app = app().await;
    let session = register(app, "suspended@example.com", "learner").await;
    let viewer = register(app, "other@example.com", "learner").await;
    let id = UserId::parse(session["user"]["id"].as_str().unwrap()).unwrap();
    let previous = app.store.user(&id).await.unwrap().unwrap();
    let mut user = previous.clone();
    user.status = AccountStatus::Suspended;
    user.version += 1;
    app.store.save_user(&user, &previous).await.unwrap();

    let me = Call::new("GET", "/me").token(&token(&session)).send(app).await;
    assert_eq!(me.status, 403, "authenticated but not allowed");
    assert_eq!(me.body["type"], "urn:peerlearn:problem:suspended");
    let patch =
        Call::new("PATCH", "/me").token(&token(&session)).json(json!({"headline": "still here"})).send(app).await;
    assert_eq!(patch.status, 403);
    let refresh =
        Call::new("POST", "/auth/refresh").json(json!({"refresh_token": session["refresh_token"]})).send(app).await;
    assert_eq!(refresh.status, 403);
    assert_eq!(refresh.body["type"], "urn:peerlearn:problem:suspended");
    let public = Call::new("GET", &format!("/users/{id}")).token(&token(&viewer)).send(app).await;
    assert_eq!(public.status, 404);
}

#[tokio::test]
async fn a_block_hides_profiles_both_ways() {
    let app = app().await;
    let mentor = register(app, "blocking-mentor@example.com", "mentor").await;
    let learner = register(app, "blocked-learner@example.com", "learner").await;
    let bystander = register(app, "bystander@example.com", "learner").await;
    let details = json!({"bio": "Ask me about borrowing", "academic": {"institution": "Uni", "year": 3}});
    assert_eq!(Call::new("PATCH", "/me").token(&token(&mentor)).json(details).send(app).await.status, 200);
    let mentor_path = format!("/users/{}", mentor["user"]["id"].as_str().unwrap());
    let learner_id = learner["user"]["id"].as_str().unwrap();
    let learner_path = format!("/users/{learner_id}");

    let blocked = Call::new("PUT", &format!("/me/blocks/{learner_id}")).token(&token(&mentor)).send(app).await;
    assert_eq!(blocked.status, 204);
    // The blocked member sees the blocker as a member who does not exist: no details leak.
    let hidden = Call::new("GET", &mentor_path).token(&token(&learner)).send(app).await;
    assert_eq!(hidden.status, 404);
    assert!(!hidden.body.to_string().contains("borrowing"), "{:?}", hidden.body);
    let missing = Call::new("GET", &format!("/users/{}", ulid::Ulid::new())).token(&token(&learner)).send(app).await;
    assert_eq!(hidden.body, missing.body, "indistinguishable from a missing member");
    // And the blocker no longer sees the blocked member either.
    assert_eq!(Call::new("GET", &learner_path).token(&token(&mentor)).send(app).await.status, 404);
    // Everyone else still does.
    let seen = Call::new("GET", &mentor_path).token(&token(&bystander)).send(app).await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.body["profile"]["bio"], "Ask me about borrowing");

    let lifted = Call::new("DELETE", &format!("/me/blocks/{learner_id}")).token(&token(&mentor)).send(app).await;
    assert_eq!(lifted.status, 204);
    assert_eq!(Call::new("GET", &mentor_path).token(&token(&learner)).send(app).await.status, 200);
}

#[tokio::test]
async fn names_that_hide_or_impersonate_are_refused_naming_the_field() {
    let app = app().await;
    let session = register(app, "names@example.com", "learner").await;
    for bad in ["Peerlearn Support ✔", "Ada\u{202E}nimda", "Ada\u{200B}Lovelace", "ADM1N", "\u{FEFF}Ada"] {
        let reply = Call::new("PATCH", "/me").token(&token(&session)).json(json!({"name": bad})).send(app).await;
        assert_eq!((reply.status, reply.error_fields()), (400, vec!["name".to_owned()]), "{bad:?}: {:?}", reply.body);
        assert_eq!(reply.content_type(), "application/problem+json");
    }
    let impostor = Call::new("POST", "/auth/register")
        .json(json!({"email": "impostor@example.com", "password": "correct horse battery", "name": "Peerlearn Staff", "roles": "learner"}))
        .send(app)
        .await;
    assert_eq!((impostor.status, impostor.error_fields()), (400, vec!["name".to_owned()]));
    // Names are stored composed (NFC), so "José" is one name however it was typed.
    let decomposed = "Jose\u{301}";
    let reply = Call::new("PATCH", "/me").token(&token(&session)).json(json!({"name": decomposed})).send(app).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["name"], "José");
}
