//! [`MentorDirectory`] over DynamoDB: listings by query, never by scan.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::keys::{self, GSI1, GSI1PK, PK};
use super::records::{BlockRecord, ListedCard, from_item, to_item};
use super::{DynamoStore, s, unavailable};
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
        let (index, key_attribute) = match order {
            ListingOrder::Rank => (None, PK),
            ListingOrder::PriceAsc | ListingOrder::PriceDesc => (Some(GSI1), GSI1PK),
        };
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(index.map(str::to_owned))
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", key_attribute)
            .expression_attribute_values(":pk", s(partition))
            .projection_expression("card")
            .scan_index_forward(order != ListingOrder::PriceDesc);
        let items = self.query_items(query, Some(cap)).await?;
        items.into_iter().map(|item| from_item::<ListedCard>(item)?.parse()).collect()
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

    async fn blocks_with(&self, member: &UserId) -> Result<HashSet<UserId>, StoreError> {
        let mine = self.prefix_query(keys::user(member).pk, keys::BLOCK_PREFIX);
        let against = self.index_query(keys::blocked_index(member));
        let (mine, against) =
            futures_util::future::join(self.query_items(mine, None), self.query_items(against, None)).await;
        let mut members = HashSet::new();
        for item in mine? {
            members.insert(from_item::<BlockRecord>(item)?.blocked);
        }
        for item in against? {
            let record = from_item::<BlockRecord>(item)?;
            let blocker = record.gsi1sk.as_deref().and_then(|id| UserId::parse(id).ok());
            members.insert(blocker.ok_or_else(|| StoreError::Corrupt(format!("block item {}", record.pk)))?);
        }
        Ok(members)
    }

    async fn block(&self, blocker: &UserId, blocked: &UserId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let key = keys::block(blocker, blocked);
        let record = BlockRecord {
            pk: key.pk,
            sk: key.sk,
            entity: "Block".into(),
            blocked: blocked.clone(),
            created_at: at,
            gsi1pk: Some(keys::blocked_index(blocked)),
            gsi1sk: Some(blocker.to_string()),
        };
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

    async fn blocked_between(&self, a: &UserId, b: &UserId) -> Result<bool, StoreError> {
        // Nobody blocks themselves, and BatchGetItem refuses the same key twice.
        if a == b {
            return Ok(false);
        }
        // Both directions in one consistent round trip: a block just made must hold at once.
        Ok(!self.get_many(&[keys::block(a, b), keys::block(b, a)]).await?.is_empty())
    }
}
