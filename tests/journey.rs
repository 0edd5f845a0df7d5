//! End to end over real HTTP through the dev gateway: the journey a new member takes.

#![allow(clippy::unwrap_used)]

use peerlearn_tests::gateway;
use serde_json::{Value, json};

async fn send(request: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() };
    (status, headers, body)
}

#[tokio::test]
async fn register_login_edit_profile_and_view_it_as_another_member() {
    let base = gateway().await;
    let http = reqwest::Client::new();

    let (status, _, mentor) = send(http.post(format!("{base}/auth/register")).json(&json!({
        "email": "lucia@example.com", "password": "correct horse battery", "name": "Lucía", "roles": "mentor"
    })))
    .await;
    assert_eq!(status, 201, "{mentor}");
    let mentor_id = mentor["user"]["id"].as_str().unwrap().to_owned();

    let (status, _, login) = send(http.post(format!("{base}/auth/login")).json(&json!({
        "email": "lucia@example.com", "password": "correct horse battery"
    })))
    .await;
    assert_eq!(status, 200);
    let token = login["access_token"].as_str().unwrap().to_owned();

    let (status, _, patched) = send(http.patch(format!("{base}/me")).bearer_auth(&token).json(&json!({
        "headline": "Rust mentor", "skills": [{"name": "Rust", "level": 5}], "languages": ["es", "en"],
        "timezone": "America/Mexico_City", "availability": [{"day": "mon", "start": "17:00", "end": "20:00"}]
    })))
    .await;
    assert_eq!(status, 200, "{patched}");

    let (_, _, learner) = send(http.post(format!("{base}/auth/register")).json(&json!({
        "email": "sam@example.com", "password": "another good one", "name": "Sam", "roles": "learner"
    })))
    .await;
    let learner_token = learner["access_token"].as_str().unwrap();
    let (status, _, public) = send(http.get(format!("{base}/users/{mentor_id}")).bearer_auth(learner_token)).await;
    assert_eq!(status, 200);
    assert_eq!(public["profile"]["headline"], "Rust mentor");
    assert_eq!(public["profile"]["skills"], json!([{"name": "rust", "level": 5}]));
    assert!(public.get("email").is_none());

    let (status, _, refreshed) =
        send(http.post(format!("{base}/auth/refresh")).json(&json!({"refresh_token": login["refresh_token"]}))).await;
    assert_eq!(status, 200);
    let (status, _, _) =
        send(http.post(format!("{base}/auth/logout")).json(&json!({"refresh_token": refreshed["refresh_token"]})))
            .await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn the_gateway_speaks_problem_json_serves_openapi_and_applies_cors() {
    let base = gateway().await;
    let http = reqwest::Client::new();

    let (status, headers, body) = send(http.get(format!("{base}/no/such/route"))).await;
    assert_eq!(status, 404);
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(body["status"], 404);
    assert_eq!(body["type"], "urn:peerlearn:problem:not-found");
    // A known path with a method the template does not route is also unknown.
    assert_eq!(send(http.delete(format!("{base}/me"))).await.0, 404);

    let (status, _, doc) = send(http.get(format!("{base}/openapi.json"))).await;
    assert_eq!(status, 200);
    assert!(doc["paths"]["/auth/register"]["post"].is_object());

    let origin = "http://localhost:5173";
    let preflight = http
        .request(reqwest::Method::OPTIONS, format!("{base}/auth/login"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status().as_u16(), 204);
    assert_eq!(preflight.headers()["access-control-allow-origin"], origin);
    let (_, headers, _) = send(http.get(format!("{base}/me")).header("origin", "https://evil.example")).await;
    assert!(headers.get("access-control-allow-origin").is_none());
    let (status, headers, _) = send(http.get(format!("{base}/me")).header("origin", origin)).await;
    assert_eq!(status, 401);
    assert_eq!(headers["access-control-allow-origin"], origin);
}

#[tokio::test]
async fn the_local_clock_moves_every_function_and_fires_what_fell_due() {
    // Sunday 23:30 UTC: an hour later the weekly boards are due (Monday 00:05).
    let (_, base) = peerlearn_tests::gateway_with_clock(peerlearn_tests::clock_at("2026-11-29T23:30:00Z")).await;
    let client = reqwest::Client::new();
    let (status, _, body) = send(client.get(format!("{base}/_local/clock"))).await;
    assert_eq!(status, 200);
    assert_eq!(body["real_time"], false);
    assert!(body["now"].as_str().unwrap().starts_with("2026-11-29T23:3"), "{body}");

    let (status, _, session) = send(client.post(format!("{base}/auth/register")).json(&json!({
        "email": "clock@example.com", "password": "correct horse battery", "name": "Clock", "roles": "learner"
    })))
    .await;
    assert_eq!(status, 201);
    let token = session["access_token"].as_str().unwrap().to_owned();
    assert_eq!(send(client.get(format!("{base}/me")).bearer_auth(&token)).await.0, 200);

    let (status, _, moved) = send(client.post(format!("{base}/_local/clock")).json(&json!({"advance": "PT1H"}))).await;
    assert_eq!(status, 200, "{moved}");
    assert!(moved["now"].as_str().unwrap().starts_with("2026-11-30T00:3"), "{moved}");
    let fired: Vec<&str> = moved["fired"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(fired.contains(&"WeeklyBoards"), "{fired:?}");
    assert!(fired.contains(&"Every5Minutes"), "{fired:?}");
    assert!(!fired.contains(&"MonthlyBoards"), "{fired:?}");
    // The access token lives 15 minutes by the functions' clock.
    assert_eq!(send(client.get(format!("{base}/me")).bearer_auth(&token)).await.0, 401);

    let (status, _, again) = send(client.post(format!("{base}/_local/clock")).json(&json!({"advance": "PT1M"}))).await;
    assert_eq!(status, 200);
    assert_eq!(again["fired"], json!([]), "each schedule fires once for the hour it was due");

    let (status, _, bad) = send(client.post(format!("{base}/_local/clock")).json(&json!({"advance": "1 hour"}))).await;
    assert_eq!(status, 400);
    assert_eq!(bad["errors"][0]["field"], "body");
    let (status, _, set) =
        send(client.post(format!("{base}/_local/clock")).json(&json!({"set": "2028-02-29T23:59:00Z"}))).await;
    assert_eq!(status, 200);
    assert!(set["now"].as_str().unwrap().starts_with("2028-02-29T23:59"), "{set}");
    let (status, _, real) = send(client.delete(format!("{base}/_local/clock"))).await;
    assert_eq!((status, &real["real_time"]), (200, &json!(true)));
}
