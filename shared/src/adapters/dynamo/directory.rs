//! [`MentorDirectory`] over DynamoDB: listings by query, never by scan.

use std::collections::HashSet;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::keys::{self, GSI1, GSI1PK, PK, SK};
use super::records::{BlockRecord, ListedCard, from_item, to_item};
use super::{DynamoStore, Item, s, unavailable};
use crate::domain::{MentorCard, UserId};
use crate::ports::{Listing, ListingOrder, MentorDirectory, StoreError};

impl DynamoStore {
    /// Reads up to `cap` cards from one partition, in order, page by page.
    async fn listed_in(
        &self,
        partition: String,
        order: ListingOrder,
        cap: usize,
    ) -> Result<Vec<MentorCard>, StoreError> {
        let mut cards = Vec::with_capacity(cap);
        let mut start: Option<Item> = None;
        let (index, key_attribute) = match order {
            ListingOrder::Rank => (None, PK),
            ListingOrder::PriceAsc | ListingOrder::PriceDesc => (Some(GSI1), GSI1PK),
        };
        while cards.len() < cap {
            let remaining = i32::try_from(cap - cards.len()).unwrap_or(i32::MAX);
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(index.map(str::to_owned))
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", key_attribute)
                .expression_attribute_values(":pk", s(partition.clone()))
                .projection_expression("card")
                .scan_index_forward(order != ListingOrder::PriceDesc)
                .limit(remaining)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(unavailable)?;
            self.count_read(output.items().len());
            for item in output.items.unwrap_or_default() {
                cards.push(from_item::<ListedCard>(item)?.card);
            }
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        Ok(cards)
    }
}

impl MentorDirectory for DynamoStore {
    async fn listed(&self, listing: &Listing, order: ListingOrder, cap: usize) -> Result<Vec<MentorCard>, StoreError> {
        match listing {
            Listing::Skill(skill) => self.listed_in(keys::skill_partition(skill), order, cap).await,
            Listing::AllMentors => {
                // Shards are filled by a hash of the id, so each shard's best are a fair
                // sample of the overall best: read an equal share of each, concurrently.
                let share = cap.div_ceil(keys::MENTOR_SHARDS as usize);
                let reads = keys::mentor_shards().map(|shard| self.listed_in(shard, order, share));
                let mut cards = Vec::with_capacity(cap);
                for shard in futures_util::future::join_all(reads).await {
                    cards.extend(shard?);
                }
                Ok(cards)
            }
        }
    }

    async fn blocked_by(&self, member: &UserId) -> Result<HashSet<UserId>, StoreError> {
        let mut blocked = HashSet::new();
        let mut start: Option<Item> = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#pk", PK)
                .expression_attribute_names("#sk", SK)
                .expression_attribute_values(":pk", s(keys::user(member).pk))
                .expression_attribute_values(":prefix", AttributeValue::S(keys::BLOCK_PREFIX.into()))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(unavailable)?;
            self.count_read(output.items().len());
            for item in output.items.unwrap_or_default() {
                blocked.insert(from_item::<BlockRecord>(item)?.blocked);
            }
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(blocked),
            }
        }
    }

    async fn block(&self, blocker: &UserId, blocked: &UserId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let key = keys::block(blocker, blocked);
        let record =
            BlockRecord { pk: key.pk, sk: key.sk, entity: "Block".into(), blocked: blocked.clone(), created_at: at };
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&record)?))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn unblock(&self, blocker: &UserId, blocked: &UserId) -> Result<(), StoreError> {
        let key = keys::block(blocker, blocked).item();
        self.client.delete_item().table_name(&self.table).set_key(Some(key)).send().await.map_err(unavailable)?;
        Ok(())
    }
}
