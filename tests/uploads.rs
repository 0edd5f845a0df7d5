//! Uploads end to end against DynamoDB Local and moto: a presigned PUT sent with reqwest,
//! then the completion check. moto does not enforce the presigned URL's signed headers,
//! so wrong sizes, wrong types and renamed files do reach the bucket here, exactly the
//! case the completion check guards against; each is refused and deleted.

#![allow(clippy::unwrap_used)]

use peerlearn_tests::{Call, Member, Reply, STARTS_AT, app, instant, item_count, member};
use serde_json::{Value, json};
use shared::App;
use shared::domain::{UploadId, UploadState, UserId};

const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// A file of `size` bytes starting with `magic`.
fn file(magic: &[u8], size: usize) -> Vec<u8> {
    let mut bytes = magic.to_vec();
    bytes.resize(size, b'x');
    bytes
}

fn pdf(size: usize) -> Vec<u8> {
    file(b"%PDF-1.7\n", size)
}

fn png(size: usize) -> Vec<u8> {
    file(PNG, size)
}

async fn start(app: &App, who: &Member, purpose: &str, content_type: &str, size: usize) -> Reply {
    let body = json!({"purpose": purpose, "content_type": content_type, "size_bytes": size});
    Call::new("POST", "/me/uploads").token(&who.token).json(body).send(app).await
}

/// Puts `bytes` with the started upload's URL and headers, the content type replaced by
/// `content_type` when given (the length always follows the body, as any client sends it).
async fn put(started: &Reply, bytes: Vec<u8>, content_type: Option<&str>) -> u16 {
    let mut request = reqwest::Client::new().put(started.body["url"].as_str().unwrap());
    for (name, value) in started.body["headers"].as_object().unwrap() {
        match name.as_str() {
            "content-length" => {}
            "content-type" => request = request.header("content-type", content_type.unwrap_or(value.as_str().unwrap())),
            _ => request = request.header(name, value.as_str().unwrap()),
        }
    }
    request.body(bytes).send().await.unwrap().status().as_u16()
}

async fn complete(app: &App, who: &Member, id: &str) -> Reply {
    Call::new("POST", &format!("/me/uploads/{id}/complete")).token(&who.token).send(app).await
}

fn id_of(started: &Reply) -> String {
    started.body["upload"]["id"].as_str().unwrap().to_owned()
}

/// Whether the bucket holds `key` (asked directly, outside any function).
async fn stored(app: &App, key: &str) -> bool {
    let bucket = app.files.bucket().unwrap();
    let moto = std::env::var("MOTO_ENDPOINT").unwrap();
    let client = dev_gateway::local::s3_client(&moto);
    match client.head_object().bucket(bucket).key(key).send().await {
        Ok(_) => true,
        Err(error) if error.as_service_error().is_some_and(|e| e.is_not_found()) => false,
        Err(error) => panic!("{error:?}"),
    }
}

fn pending_key(who: &Member, id: &str) -> String {
    format!("pending/{}/{id}", who.id)
}

fn final_key(who: &Member, id: &str) -> String {
    format!("uploads/{}/{id}", who.id)
}

#[tokio::test]
async fn a_document_is_uploaded_checked_and_kept() {
    let app = app().await;
    let learner = member(app, "docs@example.com", "learner").await;
    let started = start(app, &learner, "transcript", "application/pdf", 4000).await;
    assert_eq!(started.status, 201, "{:?}", started.body);
    let id = id_of(&started);
    assert_eq!(started.body["method"], "PUT");
    assert_eq!(started.body["upload"]["state"], "pending");
    assert_eq!(started.body["upload"]["purpose"], "transcript");
    assert_eq!(started.body["upload"]["kind"], "application/pdf");
    // The server chose the key, and signed the type and the exact length into the URL,
    // at the app's clock, for 10 minutes.
    let url = started.body["url"].as_str().unwrap();
    assert!(url.contains(&format!("/pending/{}/{id}?", learner.id)), "{url}");
    let signed = url.split("X-Amz-SignedHeaders=").nth(1).unwrap().split('&').next().unwrap();
    assert!(signed.contains("content-length") && signed.contains("content-type"), "{signed}");
    assert!(url.contains("X-Amz-Expires=600"), "{url}");
    assert!(url.contains("X-Amz-Date=20260610T09"), "signed at the pinned clock: {url}");
    assert_eq!(started.body["headers"]["content-type"], "application/pdf");
    assert_eq!(started.body["headers"]["content-length"], "4000");
    let created = instant(started.body["upload"]["created_at"].as_str().unwrap());
    let expires = instant(started.body["expires_at"].as_str().unwrap());
    assert_eq!(expires - created, chrono::Duration::minutes(10));
    assert!(created >= instant(STARTS_AT) && created < instant(STARTS_AT) + chrono::Duration::minutes(1));

    assert_eq!(put(&started, pdf(4000), None).await, 200);
    let done = complete(app, &learner, &id).await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    assert_eq!(done.body["state"], "complete");
    assert_eq!(done.body["size_bytes"], 4000);
    assert!(done.body["completed_at"].is_string());
    assert!(stored(app, &final_key(&learner, &id)).await, "kept under uploads/");
    assert!(!stored(app, &pending_key(&learner, &id)).await, "the pending copy is gone");

    // Completing again answers the same upload and changes nothing (a retry after a lost answer).
    let items = item_count(app).await;
    let again = complete(app, &learner, &id).await;
    assert_eq!((again.status, &again.body), (200, &done.body));
    assert_eq!(item_count(app).await, items);

    let listed = Call::new("GET", "/me/uploads").token(&learner.token).send(app).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body["uploads"], json!([done.body]));
}

#[tokio::test]
async fn an_avatar_shows_on_both_profiles_as_a_short_lived_link() {
    let app = app().await;
    let member_a = member(app, "avatar@example.com", "learner").await;
    let other = member(app, "viewer@example.com", "learner").await;
    let me = Call::new("GET", "/me").token(&member_a.token).send(app).await;
    assert!(me.body.get("avatar_url").is_none(), "no avatar yet: {:?}", me.body);

    let bytes = png(1500);
    let started = start(app, &member_a, "avatar", "image/png", bytes.len()).await;
    assert_eq!(started.status, 201, "{:?}", started.body);
    let id = id_of(&started);
    assert_eq!(put(&started, bytes.clone(), None).await, 200);
    assert_eq!(complete(app, &member_a, &id).await.status, 200);

    let me = Call::new("GET", "/me").token(&member_a.token).send(app).await;
    let link = me.body["avatar_url"].as_str().unwrap().to_owned();
    assert!(link.contains(&format!("/uploads/{}/{id}?", member_a.id)) && link.contains("X-Amz-Expires=900"), "{link}");
    let fetched = reqwest::get(&link).await.unwrap();
    assert_eq!(fetched.status().as_u16(), 200);
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), bytes);
    let seen = Call::new("GET", &format!("/users/{}", member_a.id)).token(&other.token).send(app).await;
    assert_eq!(seen.status, 200);
    assert!(seen.body["avatar_url"].as_str().unwrap().contains(&format!("/uploads/{}/{id}?", member_a.id)));
    let theirs = Call::new("GET", &format!("/users/{}", other.id)).token(&member_a.token).send(app).await;
    assert!(theirs.body.get("avatar_url").is_none());
}

#[tokio::test]
async fn a_file_that_is_not_what_was_declared_is_refused_and_deleted() {
    let app = app().await;
    let learner = member(app, "liar@example.com", "learner").await;
    // (declared purpose, type and size; what is sent: bytes and content type; the field named)
    type Case = (&'static str, &'static str, usize, Vec<u8>, Option<&'static str>, &'static str);
    let cases: [Case; 4] = [
        ("certificate", "application/pdf", 3000, pdf(3500), None, "size_bytes"),
        ("certificate", "application/pdf", 3000, pdf(10), None, "size_bytes"),
        ("avatar", "image/png", 800, png(800), Some("image/jpeg"), "content_type"),
        // A PNG renamed .pdf: declared and sent as a PDF, but its bytes are a PNG's.
        ("id_document", "application/pdf", 900, png(900), None, "content_type"),
    ];
    for (purpose, content_type, size, bytes, sent_as, field) in cases {
        let items = item_count(app).await;
        let started = start(app, &learner, purpose, content_type, size).await;
        assert_eq!(started.status, 201, "{:?}", started.body);
        let id = id_of(&started);
        assert_eq!(put(&started, bytes, sent_as).await, 200, "moto takes it: the check must refuse it");
        assert!(stored(app, &pending_key(&learner, &id)).await);
        let refused = complete(app, &learner, &id).await;
        assert_eq!(refused.status, 409, "{purpose} {content_type}: {:?}", refused.body);
        assert_eq!(refused.body["type"], "urn:peerlearn:problem:upload-mismatch");
        assert_eq!(refused.error_fields(), vec![field], "{:?}", refused.body);
        assert_eq!(refused.content_type(), "application/problem+json");
        assert!(!stored(app, &pending_key(&learner, &id)).await, "the refused file is deleted");
        assert!(!stored(app, &final_key(&learner, &id)).await, "and never kept");
        assert_eq!(item_count(app).await, items, "its record is gone too");
        assert_eq!(complete(app, &learner, &id).await.status, 404);
    }
}

#[tokio::test]
async fn nothing_uploaded_and_someone_elses_upload_are_refused() {
    let app = app().await;
    let owner = member(app, "owner@example.com", "learner").await;
    let intruder = member(app, "intruder@example.com", "learner").await;
    let started = start(app, &owner, "transcript", "application/pdf", 100).await;
    let id = id_of(&started);

    let early = complete(app, &owner, &id).await;
    assert_eq!(early.status, 409, "{:?}", early.body);
    assert_eq!(early.body["type"], "urn:peerlearn:problem:upload-missing");

    assert_eq!(put(&started, pdf(100), None).await, 200);
    // Someone else's id is not found for the intruder, and their attempt changes nothing.
    let theirs = complete(app, &intruder, &id).await;
    assert_eq!(theirs.status, 404, "{:?}", theirs.body);
    assert_eq!(theirs.body["type"], "urn:peerlearn:problem:not-found");
    let listed = Call::new("GET", "/me/uploads").token(&intruder.token).send(app).await;
    assert_eq!(listed.body["uploads"], json!([]));
    assert!(stored(app, &pending_key(&owner, &id)).await);
    // The owner still completes it.
    assert_eq!(complete(app, &owner, &id).await.status, 200);
    assert_eq!(complete(app, &owner, "01JDQ7T3Z5S8W2X4Y6A8C0E2G4").await.status, 404);
    assert_eq!(complete(app, &owner, "not-an-id").await.status, 404);
}

#[tokio::test]
async fn a_bad_declaration_is_a_400_naming_the_field_and_writes_nothing() {
    let app = app().await;
    let learner = member(app, "declare@example.com", "learner").await;
    let items = item_count(app).await;
    let cases: [(Value, &[&str]); 7] = [
        (json!({"purpose": "selfie", "content_type": "image/gif", "size_bytes": 10}), &["purpose", "content_type"]),
        (json!({"purpose": "avatar", "content_type": "application/pdf", "size_bytes": 10}), &["content_type"]),
        (json!({"purpose": "avatar", "content_type": "image/png", "size_bytes": 2_097_153}), &["size_bytes"]),
        (
            json!({"purpose": "transcript", "content_type": "application/pdf", "size_bytes": 10_485_761}),
            &["size_bytes"],
        ),
        (json!({"purpose": "transcript", "content_type": "application/pdf", "size_bytes": 0}), &["size_bytes"]),
        (json!({"purpose": "transcript", "content_type": "application/pdf", "size_bytes": -5}), &["size_bytes"]),
        (
            json!({"purpose": "transcript", "content_type": "application/pdf", "size_bytes": 5, "key": "public/x"}),
            &["key"],
        ),
    ];
    for (body, fields) in cases {
        let reply = Call::new("POST", "/me/uploads").token(&learner.token).json(body.clone()).send(app).await;
        assert_eq!(reply.status, 400, "{body}: {:?}", reply.body);
        assert_eq!(reply.content_type(), "application/problem+json");
        assert_eq!(reply.error_fields(), fields.to_vec(), "{body}");
    }
    assert_eq!(item_count(app).await, items);
    let anonymous = Call::new("POST", "/me/uploads").json(json!({"purpose": "nope"})).send(app).await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test]
async fn completed_uploads_are_found_by_id_in_the_order_asked() {
    let app = app().await;
    let owner = member(app, "evidence@example.com", "mentor").await;
    let other = member(app, "someone@example.com", "mentor").await;
    let mut done = Vec::new();
    for size in [200, 300] {
        let started = start(app, &owner, "certificate", "application/pdf", size).await;
        assert_eq!(put(&started, pdf(size), None).await, 200);
        let id = id_of(&started);
        assert_eq!(complete(app, &owner, &id).await.status, 200);
        done.push(UploadId::parse(&id).unwrap());
    }
    let pending = UploadId::parse(&id_of(&start(app, &owner, "transcript", "application/pdf", 10).await)).unwrap();
    let started = start(app, &other, "transcript", "application/pdf", 10).await;
    assert_eq!(put(&started, pdf(10), None).await, 200);
    let others = UploadId::parse(&id_of(&started)).unwrap();
    assert_eq!(complete(app, &other, others.as_ulid().to_string().as_str()).await.status, 200);

    let owner_id = UserId::parse(&owner.id).unwrap();
    let asked = [done[1].clone(), pending, others, done[0].clone(), done[1].clone()];
    let found = app.completed_uploads(&owner_id, &asked).await.unwrap();
    let ids: Vec<_> = found.iter().map(|u| u.id.clone()).collect();
    assert_eq!(ids, vec![done[1].clone(), done[0].clone()], "complete, the owner's, in order, once each");
    assert!(found.iter().all(|u| u.state == UploadState::Complete && u.owner == owner_id));

    let link = app.download_link(&found[0], std::time::Duration::from_secs(120)).await.unwrap();
    assert!(link.contains("X-Amz-Expires=120"), "{link}");
    let fetched = reqwest::get(&link).await.unwrap();
    assert_eq!(fetched.bytes().await.unwrap().len(), 300);
}

#[tokio::test]
async fn concurrent_completions_keep_the_file_once_and_agree() {
    let app = app().await;
    let learner = member(app, "racer@example.com", "learner").await;
    let started = start(app, &learner, "certificate", "image/jpeg", 700).await;
    let id = id_of(&started);
    assert_eq!(put(&started, file(&[0xFF, 0xD8, 0xFF, 0xE0], 700), None).await, 200);
    let items = item_count(app).await;
    let answers = futures::future::join_all((0..4).map(|_| complete(app, &learner, &id))).await;
    for answer in &answers {
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        assert_eq!(answer.body["state"], "complete");
        assert_eq!(answer.body["id"], id.as_str());
        assert_eq!(answer.body, answers[0].body, "every racer answers what the winner recorded");
    }
    assert_eq!(item_count(app).await, items, "one record, completed in place");
    assert!(stored(app, &final_key(&learner, &id)).await);
    assert!(!stored(app, &pending_key(&learner, &id)).await);
}
