//! [`ReviewStore`] over DynamoDB.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use serde::{Deserialize, Serialize};

use super::keys::{self, Key};
use super::records::{from_item, to_item};
use super::{DynamoStore, TransactFailure};
use crate::domain::{Review, SessionId, User, UserId};
use crate::ports::{NewNotification, ReviewPage, ReviewStore, ReviewWriteError, StoreError};

/// A review item: the canonical one under the session, or its copy under the subject.
#[derive(Debug, Serialize, Deserialize)]
struct ReviewRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    review: Review,
}

impl DynamoStore {
    fn review_puts(&self, review: &Review, once: bool) -> Result<Vec<TransactWriteItem>, StoreError> {
        let built = |e: aws_sdk_dynamodb::error::BuildError| StoreError::Unavailable(e.to_string());
        let keys = [
            (keys::session_review(&review.session, review.author_side), "Review"),
            (keys::review_about(&review.subject, review.created_at, &review.session), "ReviewAbout"),
        ];
        let mut items = Vec::with_capacity(2);
        for (index, (Key { pk, sk }, entity)) in keys.into_iter().enumerate() {
            let item = to_item(&ReviewRecord { pk, sk, entity: entity.into(), review: review.clone() })?;
            let mut put = Put::builder().table_name(&self.table).set_item(Some(item));
            // The canonical item's key is per side: a second review by the same side fails here.
            if once && index == 0 {
                put = put.condition_expression("attribute_not_exists(PK)");
            }
            items.push(TransactWriteItem::builder().put(put.build().map_err(built)?).build());
        }
        Ok(items)
    }
}

impl ReviewStore for DynamoStore {
    async fn session_reviews(&self, session: &SessionId) -> Result<Vec<Review>, StoreError> {
        let query = self.prefix_query(keys::session(session).pk, keys::REVIEW_PREFIX).consistent_read(true);
        let items = self.query_items(query, None).await?;
        items.into_iter().map(|item| from_item::<ReviewRecord>(item).map(|r| r.review)).collect()
    }

    async fn post_review(
        &self,
        review: &Review,
        revealed: Option<&Review>,
        subject: Option<(&User, &User)>,
        notify: &[NewNotification],
    ) -> Result<(), ReviewWriteError> {
        let mut items = self.review_puts(review, true)?;
        if let Some(other) = revealed {
            items.extend(self.review_puts(other, false)?);
        }
        for note in notify {
            items.push(self.notification_put(note)?);
        }
        let subject_from = items.len();
        if let Some((next, previous)) = subject {
            items.extend(self.user_writes(next, previous)?);
        }
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactFailure::ConditionFailed(failed)) if failed.contains(&0) => {
                Err(ReviewWriteError::AlreadyReviewed)
            }
            Err(TransactFailure::ConditionFailed(failed)) if failed.iter().any(|i| *i >= subject_from) => {
                Err(ReviewWriteError::Stale)
            }
            Err(TransactFailure::ConditionFailed(_)) => Err(StoreError::Conflict("review").into()),
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
