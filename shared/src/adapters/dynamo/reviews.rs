//! [`ReviewStore`] over DynamoDB.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keys::{self, Key};
use super::records::{from_item, to_item};
use super::{DynamoStore, TransactFailure, s};
use crate::domain::{Review, SessionId, User, UserId};
use crate::ports::{NewNotification, ReviewPage, ReviewStore, ReviewWriteError, StoreError, StoredReview};

/// A review item: the canonical one under the session, or its copy under the subject.
/// The canonical item of a learner's review is in GSI1 (`PENDING_RATINGS`) until its
/// rating is counted in the mentor's aggregates.
#[derive(Debug, Serialize, Deserialize)]
struct ReviewRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    review: Review,
    #[serde(rename = "GSI1PK", default, skip_serializing_if = "Option::is_none")]
    gsi1pk: Option<String>,
    #[serde(rename = "GSI1SK", default, skip_serializing_if = "Option::is_none")]
    gsi1sk: Option<String>,
}

/// How the canonical review item is written.
#[derive(Debug, Clone, Copy)]
enum Write {
    /// A new review: only if this side has none yet.
    New,
    /// The other side's review, re-stored: a pending rating is counted by this write, so
    /// it is written only while still pending (exactly once against the job and reruns).
    Reveal,
}

impl DynamoStore {
    fn review_puts(&self, stored: &StoredReview, write: Write) -> Result<Vec<TransactWriteItem>, StoreError> {
        let built = |e: aws_sdk_dynamodb::error::BuildError| StoreError::Unavailable(e.to_string());
        let review = &stored.review;
        // Only a new review enters the index; revealing or counting takes it out.
        let listed = matches!(write, Write::New) && stored.rating_pending;
        let canonical = keys::session_review(&review.session, review.author_side);
        let canonical = ReviewRecord {
            pk: canonical.pk,
            sk: canonical.sk,
            entity: "Review".into(),
            review: review.clone(),
            gsi1pk: listed.then(|| keys::PENDING_RATINGS.to_owned()),
            gsi1sk: listed.then(|| keys::pending_rating(review.reveal_at, &review.session)),
        };
        let mut put = Put::builder().table_name(&self.table).set_item(Some(to_item(&canonical)?));
        put = match write {
            // The canonical item's key is per side: a second review by the same side fails here.
            Write::New => put.condition_expression("attribute_not_exists(PK)"),
            Write::Reveal if stored.rating_pending => put
                .condition_expression("#gsi1pk = :pending")
                .expression_attribute_names("#gsi1pk", keys::GSI1PK)
                .expression_attribute_values(":pending", s(keys::PENDING_RATINGS)),
            Write::Reveal => put,
        };
        let Key { pk, sk } = keys::review_about(&review.subject, review.created_at, &review.session);
        let copy =
            ReviewRecord { pk, sk, entity: "ReviewAbout".into(), review: review.clone(), gsi1pk: None, gsi1sk: None };
        let copy = Put::builder().table_name(&self.table).set_item(Some(to_item(&copy)?));
        Ok(vec![
            TransactWriteItem::builder().put(put.build().map_err(built)?).build(),
            TransactWriteItem::builder().put(copy.build().map_err(built)?).build(),
        ])
    }
}

impl ReviewStore for DynamoStore {
    async fn session_reviews(&self, session: &SessionId) -> Result<Vec<StoredReview>, StoreError> {
        let query = self.prefix_query(keys::session(session).pk, keys::REVIEW_PREFIX).consistent_read(true);
        let items = self.query_items(query, None).await?;
        items
            .into_iter()
            .map(|item| {
                from_item::<ReviewRecord>(item).map(|r| StoredReview {
                    rating_pending: r.gsi1pk.as_deref() == Some(keys::PENDING_RATINGS),
                    review: r.review,
                })
            })
            .collect()
    }

    async fn post_review(
        &self,
        review: &StoredReview,
        revealed: Option<&StoredReview>,
        account: Option<(&User, &User)>,
        notify: &[NewNotification],
    ) -> Result<(), ReviewWriteError> {
        let mut items = self.review_puts(review, Write::New)?;
        if let Some(other) = revealed {
            items.extend(self.review_puts(other, Write::Reveal)?);
        }
        for note in notify {
            items.push(self.notification_put(note)?);
        }
        if let Some((next, previous)) = account {
            items.extend(self.user_writes(next, previous)?);
        }
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactFailure::ConditionFailed(failed)) if failed.contains(&0) => {
                Err(ReviewWriteError::AlreadyReviewed)
            }
            // The other review was counted meanwhile, or the account changed: read again.
            Err(TransactFailure::ConditionFailed(_)) => Err(ReviewWriteError::Stale),
            Err(TransactFailure::Store(error)) => Err(error.into()),
        }
    }

    async fn pending_ratings(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Review>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI1)
            .key_condition_expression("#pk = :pk AND #sk <= :until")
            .expression_attribute_names("#pk", keys::GSI1PK)
            .expression_attribute_names("#sk", keys::GSI1SK)
            .expression_attribute_values(":pk", s(keys::PENDING_RATINGS))
            .expression_attribute_values(":until", s(keys::pending_ratings_until(now)));
        let items = self.query_items(query, Some(limit)).await?;
        items.into_iter().map(|item| from_item::<ReviewRecord>(item).map(|r| r.review)).collect()
    }

    async fn count_rating(&self, review: &Review, account: (&User, &User)) -> Result<bool, ReviewWriteError> {
        let stored = StoredReview { review: review.clone(), rating_pending: true };
        let mut items = self.review_puts(&stored, Write::Reveal)?;
        items.extend(self.user_writes(account.0, account.1)?);
        match self.transact(items).await {
            Ok(()) => Ok(true),
            Err(TransactFailure::ConditionFailed(failed)) if failed.contains(&0) => Ok(false),
            Err(TransactFailure::ConditionFailed(_)) => Err(ReviewWriteError::Stale),
            Err(TransactFailure::Store(error)) => Err(error.into()),
        }
    }

    async fn reviews_about(
        &self,
        subject: &UserId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<ReviewPage, StoreError> {
        let pk = keys::user(subject).pk;
        let query = self.prefix_query(pk.clone(), keys::REVIEW_PREFIX).scan_index_forward(false);
        let (items, next) = self.query_page(query, &pk, after, limit).await?;
        let reviews = items
            .into_iter()
            .map(|item| from_item::<ReviewRecord>(item).map(|r| r.review))
            .collect::<Result<_, _>>()?;
        Ok(ReviewPage { reviews, next })
    }
}
