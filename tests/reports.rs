//! Member reports: a member reports another once per UTC day, the report lands in the
//! admins' queue, and an admin resolves it once, with its audit entry.

#![allow(clippy::unwrap_used)]

use chrono::DurationRound as _;
use peerlearn_tests::{Call, Member, Reply, STARTS_AT, admin, available_mentor, clock_at, instant, item_count, member};
use serde_json::{Value, json};
use shared::App;
use shared::ports::AuditStore;

fn report_body(reason: &str) -> Value {
    json!({"reason": reason, "details": "Kept messaging me after I said no.\nTwice."})
}

async fn report(app: &App, by: &Member, about: &str, body: Value) -> Reply {
    Call::new("POST", &format!("/users/{about}/report")).token(&by.token).json(body).send(app).await
}

async fn queue(app: &App, admin: &Member, query: &str) -> Reply {
    let reply = Call::new("GET", "/admin/reports").token(&admin.token).query(query).send(app).await;
    assert!(reply.status == 200 || reply.status == 400, "{:?}", reply.body);
    reply
}

fn ids(reply: &Reply) -> Vec<String> {
    reply.body["reports"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_member_reports_another_once_a_day_and_an_admin_resolves_it_once() {
    let clock = clock_at(STARTS_AT);
    let app = peerlearn_tests::app_with_clock(clock.clone()).await;
    let reporter = member(app, "reporter@example.com", "learner").await;
    let reported = member(app, "reported@example.com", "mentor").await;
    let witness = member(app, "witness@example.com", "learner").await;
    let boss = admin(app, "reports-admin@example.com").await;

    let first = report(app, &reporter, &reported.id, report_body("harassment")).await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    assert_eq!(first.body["state"], "open");
    assert_eq!(
        (first.body["reporter"].as_str(), first.body["reported"].as_str()),
        (Some(&*reporter.id), Some(&*reported.id))
    );
    assert_eq!(first.body["details"], "Kept messaging me after I said no.\nTwice.");

    // Once per member reported and UTC day: 09:00 on the test's day, so 15 hours to wait.
    let items = item_count(app).await;
    let again = report(app, &reporter, &reported.id, report_body("spam")).await;
    assert_eq!(again.status, 429, "{:?}", again.body);
    assert_eq!(again.body["limit"], "reports_per_pair");
    let wait: u64 = again.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((53_000..=54_000).contains(&wait), "{wait}");
    assert_eq!(item_count(app).await, items, "a refused report writes nothing");
    // Someone else may report the same member, and the reporter someone else.
    assert_eq!(report(app, &witness, &reported.id, report_body("spam")).await.status, 201);
    assert_eq!(report(app, &reporter, &witness.id, report_body("other")).await.status, 201);
    // The next UTC day the reporter may report the member again.
    clock.set(instant("2026-06-11T00:00:01Z"));
    let boss = boss.renewed(app);
    let reporter = reporter.renewed(app);
    let next_day = report(app, &reporter, &reported.id, report_body("safety")).await;
    assert_eq!(next_day.status, 201, "{:?}", next_day.body);

    // The queue: open reports oldest first, a page at a time.
    let page = queue(app, &boss, "limit=3").await;
    let all_open = ids(&page);
    assert_eq!(all_open.len(), 3);
    assert_eq!(all_open[0], first.body["id"].as_str().unwrap());
    let cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
    let rest = queue(app, &boss, &format!("limit=3&cursor={cursor}")).await;
    assert_eq!(ids(&rest), [next_day.body["id"].as_str().unwrap()]);
    assert!(rest.body.get("next_cursor").is_none());
    let wrong_list = queue(app, &boss, &format!("state=resolved&cursor={cursor}")).await;
    assert_eq!(wrong_list.error_fields(), ["cursor"], "a cursor of the open queue is no position in the resolved one");

    // Resolved once, with the admin, the time and the note; a second resolve is a 409.
    let id = first.body["id"].as_str().unwrap();
    let resolve_path = format!("/admin/reports/{id}/resolve");
    let resolve = |body: Value| Call::new("POST", &resolve_path).token(&boss.token).json(body);
    let resolved = resolve(json!({"action": "warned", "note": "Told to keep it to sessions"})).send(app).await;
    assert_eq!(resolved.status, 200, "{:?}", resolved.body);
    assert_eq!(resolved.body["state"], "resolved");
    assert_eq!(resolved.body["resolution"]["outcome"], "warned");
    assert_eq!(resolved.body["resolution"]["by"], boss.id.as_str());
    assert_eq!(resolved.body["resolution"]["note"], "Told to keep it to sessions");
    let twice = resolve(json!({"action": "dismissed"})).send(app).await;
    assert_eq!(twice.status, 409, "{:?}", twice.body);
    assert_eq!(twice.body["type"], "urn:peerlearn:problem:invalid-state");
    assert_eq!(twice.body["state"], "resolved");
    let open = queue(app, &boss, "").await;
    assert_eq!(ids(&open).len(), 3);
    assert!(!ids(&open).contains(&id.to_owned()));
    assert_eq!(ids(&queue(app, &boss, "state=resolved").await), [id]);

    // The resolution is on the audit trail, by the admin, about the member reported.
    let trail = app.store.audit_trail(None, 10).await.unwrap();
    let entry = trail.entries.iter().find(|e| e.reference.as_deref() == Some(id)).unwrap();
    assert_eq!((entry.actor.to_string(), entry.subject.to_string()), (boss.id.clone(), reported.id.clone()));
    assert_eq!(serde_json::to_value(entry.action).unwrap(), "report_resolved");

    // Unknown and malformed report ids are not found; a bad action names the field.
    let unknown = "01JZZZZZZZZZZZZZZZZZZZZZZZ";
    let missing = Call::new("POST", &format!("/admin/reports/{unknown}/resolve"))
        .token(&boss.token)
        .json(json!({"action": "dismissed"}))
        .send(app)
        .await;
    assert_eq!(missing.status, 404);
    let malformed =
        Call::new("POST", "/admin/reports/nope/resolve").token(&boss.token).json(json!({"action": "dismissed"}));
    assert_eq!(malformed.send(app).await.status, 404);
    let other = &all_open[1];
    let bad = Call::new("POST", &format!("/admin/reports/{other}/resolve"))
        .token(&boss.token)
        .json(json!({"action": "banned", "note": ""}))
        .send(app)
        .await;
    assert_eq!(bad.error_fields(), ["action"], "{:?}", bad.body);
    assert_eq!(queue(app, &boss, "state=closed").await.error_fields(), ["state"]);
}

#[tokio::test]
async fn every_admin_report_route_refuses_members_before_reading_the_request() {
    let app = peerlearn_tests::app().await;
    let someone = member(app, "not-admin@example.com", "both").await;
    let resolve_path = "/admin/reports/01JZZZZZZZZZZZZZZZZZZZZZZZ/resolve";
    let calls = [
        Call::new("GET", "/admin/reports").token(&someone.token).query("state=nonsense"),
        Call::new("POST", resolve_path).token(&someone.token).json(json!({"bad": 1})),
        Call::new("GET", "/admin/stats").token(&someone.token).query("unknown=1"),
    ];
    for call in calls {
        let (method, path) = (call.method, call.path.to_owned());
        let reply = call.send(app).await;
        assert_eq!(reply.status, 403, "{method} {path}: {:?}", reply.body);
        assert_eq!(reply.body["type"], "urn:peerlearn:problem:forbidden");
    }
    assert_eq!(Call::new("GET", "/admin/reports").send(app).await.status, 401);
}

#[tokio::test]
async fn a_report_names_someone_else_who_exists_and_a_session_both_had() {
    let app = peerlearn_tests::app().await;
    let mentor = available_mentor(app, "reports-mentor@example.com", "UTC").await;
    let learner = member(app, "reports-learner@example.com", "learner").await;
    let stranger = member(app, "reports-stranger@example.com", "learner").await;
    let start = (app.clock.now() + chrono::Duration::days(2)).duration_trunc(chrono::Duration::minutes(15)).unwrap();
    let start = start.to_rfc3339();
    let body = json!({"mentor_id": mentor.id, "start": start, "duration_minutes": 60, "topic": "Traits"});
    let session = Call::new("POST", "/sessions").token(&learner.token).json(body).send(app).await;
    assert_eq!(session.status, 201, "{:?}", session.body);
    let session = session.body["id"].as_str().unwrap().to_owned();
    let items = item_count(app).await;

    let yourself = report(app, &learner, &learner.id, report_body("spam")).await;
    assert_eq!(yourself.error_fields(), ["id"], "{:?}", yourself.body);
    assert_eq!(report(app, &learner, "01JZZZZZZZZZZZZZZZZZZZZZZZ", report_body("spam")).await.status, 404);
    assert_eq!(report(app, &learner, "nope", report_body("spam")).await.error_fields(), ["id"]);
    let mut not_theirs = report_body("fraud");
    not_theirs["session_id"] = json!(session);
    assert_eq!(report(app, &stranger, &mentor.id, not_theirs.clone()).await.status, 404, "not the stranger's session");
    let bad = report(app, &learner, &mentor.id, json!({"reason": "rude", "details": " ", "extra": 1})).await;
    assert_eq!(bad.status, 400);
    let mut fields = bad.error_fields();
    fields.sort();
    assert!(!fields.is_empty(), "{:?}", bad.body);
    let long = report(app, &learner, &mentor.id, json!({"reason": "other", "details": "x".repeat(2001)})).await;
    assert_eq!(long.error_fields(), ["details"]);
    let no_reason = report(app, &learner, &mentor.id, json!({"details": "Something"})).await;
    assert_eq!(no_reason.status, 400);
    assert_eq!(item_count(app).await, items, "refused reports write nothing");
    let anonymous =
        Call::new("POST", &format!("/users/{}/report", mentor.id)).json(report_body("spam")).send(app).await;
    assert_eq!(anonymous.status, 401);

    let named = report(app, &learner, &mentor.id, not_theirs).await;
    assert_eq!(named.status, 201, "{:?}", named.body);
    assert_eq!(named.body["session_id"], session.as_str());
}

#[tokio::test]
async fn concurrent_reports_of_one_member_make_one_report() {
    let app = peerlearn_tests::app().await;
    let reporter = member(app, "eager@example.com", "learner").await;
    let reported = member(app, "target@example.com", "learner").await;
    let sends = (0..10).map(|_| report(app, &reporter, &reported.id, report_body("spam")));
    let statuses: Vec<u16> = futures::future::join_all(sends).await.into_iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 9, "{statuses:?}");
    let boss = admin(app, "eager-admin@example.com").await;
    assert_eq!(ids(&queue(app, &boss, "").await).len(), 1);
}
