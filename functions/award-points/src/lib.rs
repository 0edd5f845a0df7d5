//! `award-points`: consumes the table's stream, filtered to session moves and new reviews,
//! and awards what each committed change earned (see
//! `shared::domain::gamification::earnings`). Each occurrence has its own ledger key, so
//! a redelivered or replayed batch awards nothing twice; a failure is reported as a
//! partial batch failure and Lambda resumes from that record.

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use shared::App;
use shared::adapters::dynamo::{booking_from_image, entity_of, key_of, review_from_image};
use shared::app::AppError;
use shared::domain::gamification::earnings::{Earning, from_review, from_session_move};
use shared::ports::{Recorded, SessionStore as _};

/// Lambda entry point for a batch of stream records.
pub async fn handler(app: &App, event: Event) -> Result<DynamoDbEventResponse, lambda_runtime::Error> {
    let mut response = DynamoDbEventResponse::default();
    let (mut awarded, mut replayed) = (0usize, 0usize);
    for record in event.records {
        let sequence = record.change.sequence_number.clone();
        let result = match earnings(app, record).await {
            Ok(earnings) => award_all(app, &earnings).await,
            Err(error) => Err(error),
        };
        match result {
            Ok((stored, again)) => {
                awarded += stored;
                replayed += again;
            }
            Err(error) => {
                tracing::warn!(%error, ?sequence, "awarding failed; the batch resumes here");
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = sequence;
                response.batch_item_failures.push(failure);
                break;
            }
        }
    }
    tracing::info!(awarded, replayed, failed = response.batch_item_failures.len(), "points awarded");
    Ok(response)
}

/// What one record earns. A record that cannot be read is logged and skipped, so one bad
/// item cannot stall the stream.
async fn earnings(app: &App, record: EventRecord) -> Result<Vec<Earning>, AppError> {
    let entity = entity_of(&record.change.new_image).map(str::to_owned);
    // Only the item's key and the stream position identify a record in the logs: images
    // hold topics, messages, cancellation reasons and meeting links.
    let key = key_of(&record.change.keys);
    let sequence = record.change.sequence_number.clone();
    let earned = match (record.event_name.as_str(), entity.as_deref()) {
        ("MODIFY", Some("Session")) => {
            match (booking_from_image(record.change.old_image), booking_from_image(record.change.new_image)) {
                (Ok(before), Ok(after)) => from_session_move(&before, &after),
                (before, after) => {
                    let (before, after) = (before.err().map(|e| e.to_string()), after.err().map(|e| e.to_string()));
                    tracing::error!(%key, ?sequence, ?before, ?after, "skipping a session change that cannot be read");
                    Vec::new()
                }
            }
        }
        ("INSERT", Some("Review")) => match review_from_image(record.change.new_image) {
            // Only reviews of sessions that really completed earn: read the session.
            Ok(review) => match app.store.session(&review.session).await? {
                Some(session) => from_review(&review, &session),
                None => Vec::new(),
            },
            Err(error) => {
                tracing::error!(%key, ?sequence, %error, "skipping a review that cannot be read");
                Vec::new()
            }
        },
        _ => Vec::new(),
    };
    Ok(earned)
}

async fn award_all(app: &App, earnings: &[Earning]) -> Result<(usize, usize), AppError> {
    let (mut stored, mut again) = (0, 0);
    for earning in earnings {
        match app.award(earning).await? {
            Recorded::Stored => stored += 1,
            _ => again += 1,
        }
    }
    Ok((stored, again))
}
