//! The admin audit trail: append-only entries written inside other transactions, read
//! newest first page by page.

use chrono::Duration;
use peerlearn_tests::*;
use serde_json::json;
use shared::adapters::dynamo::audit;
use shared::domain::{AuditAction, AuditEntry, Reason, UserId};
use shared::ports::AuditStore;

/// Appends `entries` in one transaction, as an admin action's adapter does.
async fn append(app: &shared::App, entries: &[AuditEntry]) -> Result<(), String> {
    let puts = entries.iter().map(|entry| audit::put(app.store.table(), entry).unwrap()).collect::<Vec<_>>();
    app.store
        .client()
        .transact_write_items()
        .set_transact_items(Some(puts))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}

#[tokio::test]
async fn entries_are_appended_once_and_read_newest_first_with_a_cursor() {
    let app = app().await;
    let (admin, subject) = (UserId::new(ulid::Ulid::new()), UserId::new(ulid::Ulid::new()));
    let start = app.clock.now();
    let entries: Vec<AuditEntry> = (0..5)
        .map(|minute| {
            AuditEntry::new(&admin, AuditAction::PointsCorrected, &subject, start + Duration::minutes(minute))
                .because(Reason::parse(&format!("correction {minute}")).unwrap())
        })
        .collect();
    append(app, &entries).await.unwrap();
    let before = item_count(app).await;
    assert!(append(app, &entries[..1]).await.is_err(), "an entry is never overwritten");
    assert_eq!(item_count(app).await, before);

    let first = app.store.audit_trail(None, 3).await.unwrap();
    let ids = |page: &shared::ports::AuditPage| page.entries.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&first), [4, 3, 2].map(|i| entries[i].id.clone()));
    assert_eq!(first.entries[0], entries[4], "read back as written");
    let second = app.store.audit_trail(first.next.as_deref(), 3).await.unwrap();
    assert_eq!(ids(&second), [1, 0].map(|i| entries[i].id.clone()));
    assert_eq!(second.next, None);
}

#[tokio::test]
async fn the_admin_helper_makes_an_admin_token() {
    let app = app().await;
    let admin = admin(app, "admin@example.com").await;
    let learner = member(app, "learner@example.com", "learner").await;
    let body = json!({"user_id": learner.id, "points": 5, "role": "learner", "reason": "Welcome"});
    let done = Call::new("POST", "/admin/points").token(&admin.token).json(body.clone()).send(app).await;
    assert_eq!(done.status, 201, "{:?}", done.body);
    let refused = Call::new("POST", "/admin/points").token(&learner.token).json(body).send(app).await;
    assert_eq!(refused.status, 403);
}
