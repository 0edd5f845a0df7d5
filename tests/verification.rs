//! Mentor verification end to end: a mentor uploads and asks, an admin approves or
//! rejects, a learner then finds, matches and books the mentor; every admin route is
//! refused to non-admins; a failed decision writes nothing.

use chrono::Duration;
use peerlearn_tests::*;
use serde_json::{Value, json};
use shared::App;

/// A small but genuine PDF (its magic bytes are what the upload check sniffs).
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// A mentor who teaches rust at level 5 and is free all week (UTC), not yet verified (their
/// address confirmed).
async fn mentor(app: &App, email: &str) -> Member {
    let mentor = member(app, email, "mentor").await;
    confirm_email(app, &mentor.id).await;
    let profile = json!({"timezone": "UTC", "availability": all_week(), "skills": [{"name": "rust", "level": 5}]});
    let saved = Call::new("PATCH", "/me").token(&mentor.token).json(profile).send(app).await;
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    mentor
}

/// An application over a fresh table and a fresh bucket in the S3 emulator, on `clock`.
async fn app_on(clock: std::sync::Arc<TestClock>) -> &'static App {
    use dev_gateway::local;
    use shared::startup::{self, Clients};
    let (client, name) = fresh_table().await;
    let config = local::config(&name, &endpoint()).unwrap();
    let s3 = std::env::var("MOTO_ENDPOINT").expect("MOTO_ENDPOINT is not set: run the tests with `make test`");
    let name = format!("uploads-{}", ulid::Ulid::new().to_string().to_lowercase());
    let clients = local::with_uploads(Clients::new(client), &s3, &name).await.unwrap();
    Box::leak(Box::new(startup::build(&config, clients, clock)))
}

/// As [`app_on`], on a clock starting at [`STARTS_AT`].
async fn files_app() -> &'static App {
    app_on(clock_at(STARTS_AT)).await
}

/// Uploads a PDF for `purpose` the way a client does: POST /me/uploads offers a
/// presigned PUT, the file goes to storage over HTTP, then POST /me/uploads/{id}/complete
/// has the server check what arrived. Its id.
async fn upload(app: &App, member: &Member, purpose: &str) -> String {
    let body = json!({"purpose": purpose, "content_type": "application/pdf", "size_bytes": PDF.len()});
    let started = Call::new("POST", "/me/uploads").token(&member.token).json(body).send(app).await;
    assert_eq!(started.status, 201, "{:?}", started.body);
    let mut put = reqwest::Client::new().put(started.body["url"].as_str().unwrap());
    for (name, value) in started.body["headers"].as_object().unwrap() {
        // reqwest sets the length from the body itself.
        if !name.eq_ignore_ascii_case("content-length") {
            put = put.header(name, value.as_str().unwrap());
        }
    }
    let response = put.body(PDF.to_vec()).send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let id = started.body["upload"]["id"].as_str().unwrap().to_owned();
    let completed = Call::new("POST", &format!("/me/uploads/{id}/complete")).token(&member.token).send(app).await;
    assert_eq!(completed.status, 200, "{:?}", completed.body);
    id
}

/// Asks for verification with `uploads`.
async fn ask(app: &App, mentor: &Member, uploads: &[&str]) -> Reply {
    let body = json!({"uploads": uploads, "statement": "Final-year CS student; I tutor Rust."});
    Call::new("POST", "/me/verification").token(&mentor.token).json(body).send(app).await
}

/// The ids of the mentors `learner` finds with GET /mentors?skill=rust.
async fn found(app: &App, learner: &Member) -> Vec<String> {
    let search = Call::new("GET", "/mentors").token(&learner.token).query("skill=rust").send(app).await;
    assert_eq!(search.status, 200, "{:?}", search.body);
    ids(&search.body["mentors"], "/id")
}

fn ids(list: &Value, pointer: &str) -> Vec<String> {
    list.as_array().unwrap().iter().map(|item| item.pointer(pointer).unwrap().as_str().unwrap().to_owned()).collect()
}

/// Every item of the table, sorted, for before/after comparisons. Tests only: a request
/// never scans.
async fn snapshot(app: &App) -> Vec<String> {
    let output = app.store.client().scan().table_name(app.store.table()).send().await.unwrap();
    let mut items: Vec<String> = output
        .items()
        .iter()
        .map(|item| {
            let mut pairs: Vec<String> = item.iter().map(|(k, v)| format!("{k}={}", canonical(v))).collect();
            pairs.sort();
            pairs.join(",")
        })
        .collect();
    items.sort();
    items
}

/// An attribute as text with its maps' keys in order (map order is arbitrary).
fn canonical(value: &aws_sdk_dynamodb::types::AttributeValue) -> String {
    use aws_sdk_dynamodb::types::AttributeValue;
    match value {
        AttributeValue::M(map) => {
            let mut pairs: Vec<String> = map.iter().map(|(k, v)| format!("{k}:{}", canonical(v))).collect();
            pairs.sort();
            format!("{{{}}}", pairs.join(","))
        }
        AttributeValue::L(list) => format!("[{}]", list.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => format!("{other:?}"),
    }
}

#[tokio::test]
async fn a_mentor_verified_by_an_admin_is_found_matched_and_booked() {
    let app = files_app().await;
    let admin = admin(app, "admin@example.com").await;
    let lucia = mentor(app, "lucia@example.com").await;
    let learner = member(app, "sam@example.com", "learner").await;
    assert!(found(app, &learner).await.is_empty(), "an unverified mentor is not listed");

    let id_document = upload(app, &lucia, "id_document").await;
    let transcript = upload(app, &lucia, "transcript").await;
    let asked = ask(app, &lucia, &[&id_document, &transcript]).await;
    assert_eq!(asked.status, 201, "{:?}", asked.body);
    assert_eq!(asked.body["state"], "pending");
    let request = asked.body["id"].as_str().unwrap().to_owned();
    let mine = Call::new("GET", "/me/verification").token(&lucia.token).send(app).await;
    assert_eq!(
        (mine.body["status"].as_str(), mine.body["request"]["id"].as_str()),
        (Some("pending"), Some(request.as_str()))
    );
    let again = ask(app, &lucia, &[&id_document]).await;
    assert_eq!((again.status, again.body["state"].as_str()), (409, Some("pending")), "one open request at a time");

    // The admin's queue, then the request with its documents.
    let queue = Call::new("GET", "/admin/verifications").token(&admin.token).query("state=pending").send(app).await;
    assert_eq!(queue.status, 200, "{:?}", queue.body);
    assert_eq!(ids(&queue.body["verifications"], "/id"), [request.as_str()]);
    let review = Call::new("GET", &format!("/admin/verifications/{request}")).token(&admin.token).send(app).await;
    assert_eq!(review.status, 200, "{:?}", review.body);
    assert_eq!(review.body["mentor"]["email"], "lucia@example.com");
    assert_eq!(ids(&review.body["documents"], "/id"), [id_document.clone(), transcript.clone()]);
    let expires = instant(review.body["documents"][0]["expires_at"].as_str().unwrap());
    assert!(expires - app.clock.now() <= Duration::minutes(5) && expires - app.clock.now() > Duration::minutes(4));
    let document = reqwest::get(review.body["documents"][0]["url"].as_str().unwrap()).await.unwrap();
    assert!(document.status().is_success(), "the presigned link reads the document");
    assert_eq!(document.bytes().await.unwrap().as_ref(), PDF);

    let approved =
        Call::new("POST", &format!("/admin/verifications/{request}/approve")).token(&admin.token).send(app).await;
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    assert_eq!(approved.body["state"], "approved");
    let mine = Call::new("GET", "/me/verification").token(&lucia.token).send(app).await;
    assert_eq!(mine.body["status"], "verified");
    assert_eq!(notification_count(app, "verification_approved").await, 1);
    let queue = Call::new("GET", "/admin/verifications").token(&admin.token).send(app).await;
    assert!(queue.body["verifications"].as_array().unwrap().is_empty(), "decided: out of the queue");
    let trail = Call::new("GET", "/admin/audit").token(&admin.token).send(app).await;
    assert_eq!(trail.status, 200, "{:?}", trail.body);
    let entry = &trail.body["entries"][0];
    assert_eq!(
        (&entry["action"], &entry["actor"], &entry["subject"], &entry["reference"]),
        (&json!("verification_approved"), &json!(admin.id), &json!(lucia.id), &json!(request))
    );

    // The learner now finds, matches and books her.
    assert_eq!(found(app, &learner).await, [lucia.id.as_str()]);
    let matched = Call::new("GET", "/match").token(&learner.token).query("skills=rust:3").send(app).await;
    assert_eq!(matched.status, 200, "{:?}", matched.body);
    assert_eq!(ids(&matched.body["matches"], "/mentor/id"), [lucia.id.as_str()]);
    let start = (instant(STARTS_AT) + Duration::days(2)).to_rfc3339();
    let booking = json!({"mentor_id": lucia.id, "start": start, "duration_minutes": 60, "topic": "Lifetimes"});
    let booked = Call::new("POST", "/sessions").token(&learner.token).json(booking).send(app).await;
    assert_eq!(booked.status, 201, "{:?}", booked.body);
}

#[tokio::test]
async fn a_rejected_mentor_reads_why_stays_unlisted_and_may_ask_again() {
    let app = files_app().await;
    let admin = admin(app, "admin@example.com").await;
    let omar = mentor(app, "omar@example.com").await;
    let learner = member(app, "sam@example.com", "learner").await;
    let id_document = upload(app, &omar, "id_document").await;
    let request = ask(app, &omar, &[&id_document]).await.body["id"].as_str().unwrap().to_owned();

    let reason = "The ID document is unreadable: please upload a sharper scan.";
    let rejected = Call::new("POST", &format!("/admin/verifications/{request}/reject"))
        .token(&admin.token)
        .json(json!({"reason": format!("  {reason}  ")}))
        .send(app)
        .await;
    assert_eq!(rejected.status, 200, "{:?}", rejected.body);
    assert_eq!((rejected.body["state"].as_str(), rejected.body["reason"].as_str()), (Some("rejected"), Some(reason)));
    let mine = Call::new("GET", "/me/verification").token(&omar.token).send(app).await;
    assert_eq!(
        (mine.body["status"].as_str(), mine.body["request"]["reason"].as_str()),
        (Some("rejected"), Some(reason))
    );
    assert_eq!(notification_count(app, "verification_rejected").await, 1);
    assert!(found(app, &learner).await.is_empty(), "rejection keeps him out");
    let trail = Call::new("GET", "/admin/audit").token(&admin.token).send(app).await;
    assert_eq!(trail.body["entries"][0]["action"], "verification_rejected");
    assert_eq!(trail.body["entries"][0]["reason"], reason);

    let again = ask(app, &omar, &[&id_document]).await;
    assert_eq!(again.status, 201, "asking again after a rejection: {:?}", again.body);
}

#[tokio::test]
async fn every_admin_route_refuses_non_admins_before_reading_the_request() {
    let app = files_app().await;
    let learner = member(app, "learner@example.com", "learner").await;
    let mentor = mentor(app, "mentor@example.com").await;
    let unknown = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    // Bodies, ids and queries are all wrong too: the admin check comes first.
    let calls: Vec<(&str, String, Option<Value>, &str)> = vec![
        ("GET", "/admin/verifications".into(), None, "state=approved&bogus=1"),
        ("GET", format!("/admin/verifications/{unknown}"), None, ""),
        ("GET", "/admin/verifications/not-an-id".into(), None, ""),
        ("POST", format!("/admin/verifications/{unknown}/approve"), None, ""),
        ("POST", format!("/admin/verifications/{unknown}/reject"), Some(json!({"reason": ""})), ""),
        ("POST", format!("/admin/verifications/{unknown}/reject"), Some(json!({"nope": 1})), ""),
        ("GET", "/admin/audit".into(), None, "cursor=forged"),
    ];
    for who in [&learner, &mentor] {
        for (method, path, body, query) in &calls {
            let mut call = Call::new(method, path).token(&who.token).query(query);
            if let Some(body) = body {
                call = call.json(body.clone());
            }
            let answer = call.send(app).await;
            assert_eq!(answer.status, 403, "{method} {path}: {:?}", answer.body);
            assert_eq!(answer.body["type"], "urn:peerlearn:problem:forbidden");
        }
    }
    for (method, path, _, _) in &calls {
        assert_eq!(Call::new(method, path).send(app).await.status, 401, "{method} {path} anonymously");
    }
}

#[tokio::test]
async fn a_failed_decision_leaves_the_table_as_it_was() {
    let app = files_app().await;
    let admin = admin(app, "admin@example.com").await;
    let lucia = mentor(app, "lucia@example.com").await;
    let id_document = upload(app, &lucia, "id_document").await;
    let request = ask(app, &lucia, &[&id_document]).await.body["id"].as_str().unwrap().to_owned();
    let approve = format!("/admin/verifications/{request}/approve");
    let reject = format!("/admin/verifications/{request}/reject");
    assert_eq!(Call::new("POST", &approve).token(&admin.token).send(app).await.status, 200);

    let before = snapshot(app).await;
    let again = Call::new("POST", &approve).token(&admin.token).send(app).await;
    assert_eq!((again.status, again.body["state"].as_str()), (409, Some("approved")), "{:?}", again.body);
    let late = Call::new("POST", &reject).token(&admin.token).json(json!({"reason": "Too late"})).send(app).await;
    assert_eq!(late.status, 409, "{:?}", late.body);
    assert_eq!(snapshot(app).await, before, "nothing written");

    // A transaction that fails on its last condition writes none of its items: the
    // mentor changed after the decision was made (a stale version), so the request,
    // the listings, the audit entry and the notification all stay out.
    use shared::domain::{AuditAction, AuditEntry, Decision, UserId, VerificationId};
    use shared::ports::{AccountStore, NewNotification, VerificationStore};
    let other = mentor(app, "omar@example.com").await;
    let other_document = upload(app, &other, "id_document").await;
    let pending = ask(app, &other, &[&other_document]).await.body["id"].as_str().unwrap().to_owned();
    let pending = app.store.verification(&VerificationId::parse(&pending).unwrap()).await.unwrap().unwrap();
    let previous = app.store.user(&UserId::parse(&other.id).unwrap()).await.unwrap().unwrap();
    let admin_id = UserId::parse(&admin.id).unwrap();
    let now = app.clock.now();
    let (decided, verified) = pending.decide(Decision::Approve, &admin_id, &previous, now).unwrap();
    let stale = shared::domain::User { version: previous.version + 7, ..previous.clone() };
    let audit = AuditEntry::new(&admin_id, AuditAction::VerificationApproved, &previous.id, now);
    let note = NewNotification::verification_approved(&previous.id, now);
    let before = snapshot(app).await;
    let failed = app.store.decide_verification(&decided, &verified, &stale, &audit, &note).await;
    assert!(matches!(failed, Err(shared::ports::StoreError::Conflict(_))), "{failed:?}");
    assert_eq!(snapshot(app).await, before, "all or nothing");
}

#[tokio::test]
async fn bad_input_is_a_400_naming_the_field() {
    let app = files_app().await;
    let admin = admin(app, "admin@example.com").await;
    let lucia = mentor(app, "lucia@example.com").await;
    let omar = mentor(app, "omar@example.com").await;
    let transcript = upload(app, &lucia, "transcript").await;
    let theirs = upload(app, &omar, "id_document").await;
    let unknown = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    let six: Vec<String> = (0..6).map(|n| format!("01ARZ3NDEKTSV4RRFFQ69G5FA{n}")).collect();
    let cases = [
        (json!({"uploads": [], "statement": "Hi"}), vec!["uploads"]),
        (json!({"uploads": six, "statement": "Hi"}), vec!["uploads"]),
        (json!({"uploads": [unknown, unknown], "statement": "Hi"}), vec!["uploads"]),
        (json!({"uploads": ["not-an-id"], "statement": "Hi"}), vec!["uploads[0]"]),
        (json!({"uploads": [unknown], "statement": "   "}), vec!["statement"]),
        (json!({"uploads": [unknown], "statement": "x".repeat(1001)}), vec!["statement"]),
        (json!({"uploads": [unknown], "statement": "Hi", "verified": true}), vec!["verified"]),
        // Checked against what is stored: none is a completed document of hers with an ID.
        (json!({"uploads": [transcript, theirs, unknown], "statement": "Hi"}), vec!["uploads[1]", "uploads[2]"]),
        (json!({"uploads": [transcript], "statement": "Hi"}), vec!["uploads"]),
    ];
    for (body, fields) in cases {
        let answer = Call::new("POST", "/me/verification").token(&lucia.token).json(body.clone()).send(app).await;
        assert_eq!(answer.status, 400, "{body}: {:?}", answer.body);
        assert_eq!(answer.content_type(), "application/problem+json");
        assert_eq!(answer.error_fields(), fields, "{body}");
    }
    let learner = member(app, "sam@example.com", "learner").await;
    let refused = ask(app, &learner, &[unknown]).await;
    assert_eq!(refused.status, 403, "only mentors: {:?}", refused.body);

    let reject = format!("/admin/verifications/{unknown}/reject");
    for (body, field) in [
        (json!({"reason": " "}), "reason"),
        (json!({"reason": "x".repeat(501)}), "reason"),
        (json!({}), "reason"),
        (json!({"reason": "ok", "also": 1}), "also"),
    ] {
        let answer = Call::new("POST", &reject).token(&admin.token).json(body.clone()).send(app).await;
        assert_eq!((answer.status, answer.error_fields()), (400, vec![field.to_owned()]), "{body}");
    }
    for (query, field) in [("state=approved", "state"), ("limit=0", "limit"), ("cursor=forged", "cursor"), ("x=1", "x")]
    {
        let answer = Call::new("GET", "/admin/verifications").token(&admin.token).query(query).send(app).await;
        assert_eq!((answer.status, answer.error_fields()), (400, vec![field.to_owned()]), "{query}");
    }
    let missing =
        Call::new("POST", &format!("/admin/verifications/{unknown}/approve")).token(&admin.token).send(app).await;
    assert_eq!(missing.status, 404);
    let malformed = Call::new("GET", "/admin/verifications/not-an-id").token(&admin.token).send(app).await;
    assert_eq!(malformed.status, 404);
}

#[tokio::test]
async fn concurrent_requests_open_exactly_one() {
    let app = files_app().await;
    let lucia = mentor(app, "lucia@example.com").await;
    let id_document = upload(app, &lucia, "id_document").await;
    let named = [id_document.as_str()];
    let answers = futures::future::join_all((0..8).map(|_| ask(app, &lucia, &named))).await;
    let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    statuses.sort();
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409], "{answers:?}");
}

#[tokio::test]
async fn the_queue_is_oldest_first_page_by_page() {
    let clock = clock_at(STARTS_AT);
    let app = app_on(clock.clone()).await;
    let admin = admin(app, "admin@example.com").await;
    let mut requests = Vec::new();
    for name in ["a", "b", "c"] {
        let mentor = mentor(app, &format!("{name}@example.com")).await;
        let document = upload(app, &mentor, "id_document").await;
        requests.push(ask(app, &mentor, &[&document]).await.body["id"].as_str().unwrap().to_owned());
        clock.advance(Duration::minutes(10));
    }
    let admin = admin.renewed(app);
    let first = Call::new("GET", "/admin/verifications").token(&admin.token).query("limit=2").send(app).await;
    assert_eq!(ids(&first.body["verifications"], "/id"), requests[..2]);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let rest = Call::new("GET", "/admin/verifications")
        .token(&admin.token)
        .query(&format!("limit=2&cursor={cursor}"))
        .send(app)
        .await;
    assert_eq!(ids(&rest.body["verifications"], "/id"), requests[2..]);
    assert!(rest.body.get("next_cursor").is_none());
}

#[tokio::test]
async fn a_verified_mentor_with_a_new_name_or_id_document_is_unlisted_until_verified_again() {
    let app = files_app().await;
    let admin = admin(app, "admin@example.com").await;
    let lucia = mentor(app, "lucia@example.com").await;
    let learner = member(app, "sam@example.com", "learner").await;
    let id_document = upload(app, &lucia, "id_document").await;
    let request = ask(app, &lucia, &[&id_document]).await.body["id"].as_str().unwrap().to_owned();
    Call::new("POST", &format!("/admin/verifications/{request}/approve")).token(&admin.token).send(app).await;
    assert_eq!(found(app, &learner).await, [lucia.id.as_str()]);

    let headline = json!({"headline": "Rust, gently"});
    assert_eq!(Call::new("PATCH", "/me").token(&lucia.token).json(headline).send(app).await.status, 200);
    assert_eq!(found(app, &learner).await, [lucia.id.as_str()], "other edits keep her verified");
    let renamed = Call::new("PATCH", "/me").token(&lucia.token).json(json!({"name": "Lucía Pérez"})).send(app).await;
    assert_eq!((renamed.status, renamed.body["verification"].as_str()), (200, Some("unverified")));
    assert!(found(app, &learner).await.is_empty(), "her listings went with the same save");
    let again = ask(app, &lucia, &[&id_document]).await;
    assert_eq!(again.status, 201, "the same document may be named again: {:?}", again.body);

    // Verified again, then a new identity document: unverified and unlisted until checked.
    let request = again.body["id"].as_str().unwrap().to_owned();
    Call::new("POST", &format!("/admin/verifications/{request}/approve")).token(&admin.token).send(app).await;
    assert_eq!(found(app, &learner).await, [lucia.id.as_str()]);
    upload(app, &lucia, "certificate").await;
    assert_eq!(found(app, &learner).await, [lucia.id.as_str()], "a certificate changes nothing");
    upload(app, &lucia, "id_document").await;
    let mine = Call::new("GET", "/me/verification").token(&lucia.token).send(app).await;
    assert_eq!(mine.body["status"], "unverified");
    assert!(found(app, &learner).await.is_empty(), "a new ID document takes her listings down");
}

#[tokio::test]
async fn a_mentor_whose_address_is_unconfirmed_cannot_ask_to_be_verified() {
    let app = files_app().await;
    let mentor = member(app, "unconfirmed@example.com", "mentor").await;
    let id_document = upload(app, &mentor, "id_document").await;
    let before = item_count(app).await;
    let refused = ask(app, &mentor, &[&id_document]).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert_eq!(refused.body["type"], "urn:peerlearn:problem:email-not-verified");
    assert_eq!(item_count(app).await, before);
    confirm_email(app, &mentor.id).await;
    assert_eq!(ask(app, &mentor, &[&id_document]).await.status, 201);
}
