//! [`ReviewStore`] over DynamoDB.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use serde::{Deserialize, Serialize};

use super::keys::{self, Key, PK, SK};
use super::records::{from_item, to_item};
use super::{DynamoStore, Item, TransactFailure, s, unavailable};
use crate::domain::{Review, SessionId, User, UserId};
use crate::ports::{ReviewPage, ReviewStore, ReviewWriteError, StoreError};

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
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(keys::session(session).pk))
            .expression_attribute_values(":prefix", s(keys::REVIEW_PREFIX))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        self.count_read(output.items().len());
        output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| from_item::<ReviewRecord>(item).map(|r| r.review))
            .collect()
    }

    async fn post_review(
        &self,
        review: &Review,
        revealed: Option<&Review>,
        subject: Option<(&User, &User)>,
    ) -> Result<(), ReviewWriteError> {
        let mut items = self.review_puts(review, true)?;
        if let Some(other) = revealed {
            items.extend(self.review_puts(other, false)?);
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
        let start = after.map(|sk| Item::from([(PK.to_owned(), s(pk.clone())), (SK.to_owned(), s(sk))]));
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":prefix", s(keys::REVIEW_PREFIX))
            .scan_index_forward(false)
            .limit(i32::try_from(limit).unwrap_or(50))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(unavailable)?;
        self.count_read(output.items().len());
        let next = output.last_evaluated_key.as_ref().and_then(|key| key.get(SK)).and_then(|v| v.as_s().ok()).cloned();
        let reviews = output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| from_item::<ReviewRecord>(item).map(|r| r.review))
            .collect::<Result<_, _>>()?;
        Ok(ReviewPage { reviews, next })
    }
}
