//! [`PointsStore`] over DynamoDB: the points account, its ledger (one item per occurrence,
//! written once by key) and the member's entries on the leaderboards, moved together.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};

use super::keys::{self, Key, PK, SK};
use super::records::{SessionRecord, from_item, to_item};
use super::{DynamoStore, Item, TransactFailure, n, s};
use std::collections::{BTreeMap, HashMap};

use crate::domain::gamification::{
    Applied, BoardMove, BoardScore, LeaderboardPeriod, LedgerEntry, PointsAccount, bucket, order_key,
};
use crate::domain::{AuditEntry, Booking, Party, Review, UserId};
use crate::ports::{
    BoardArchive, BoardRow, LeaderboardStore, LedgerPage, NewNotification, PointsStore, Recorded, StoreError,
};

/// The account item.
#[derive(Debug, Serialize, Deserialize)]
struct AccountRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    user: UserId,
    account: PointsAccount,
    /// Top-level copy for the write condition.
    version: u64,
}

/// One ledger line; GSI1 lists a member's ledger newest first.
#[derive(Debug, Serialize, Deserialize)]
struct LedgerRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "GSI1PK")]
    gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    gsi1sk: String,
    entity: String,
    user: UserId,
    entry: LedgerEntry,
}

/// A member's entry on one board; GSI1 orders the board best first.
#[derive(Debug, Serialize, Deserialize)]
struct BoardRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "GSI1PK")]
    gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    gsi1sk: String,
    entity: String,
    user: UserId,
    score: BoardScore,
}

pub(super) fn built<T, E: std::fmt::Display>(result: Result<T, E>) -> Result<T, StoreError> {
    result.map_err(|e| StoreError::Unavailable(e.to_string()))
}

/// The `entity` of an item's image in a DynamoDB stream record.
pub fn entity_of(image: &serde_dynamo::Item) -> Option<&str> {
    match image.get("entity") {
        Some(serde_dynamo::AttributeValue::S(entity)) => Some(entity),
        _ => None,
    }
}

/// `PK/SK` of a stream record's `Keys`, for logs of session and review records, whose
/// keys hold ids only (`SESSION#<id>/REVIEW#learner`). Not for credential items, whose
/// key is an email.
pub fn key_of(keys: &serde_dynamo::Item) -> String {
    let part = |name: &str| match keys.get(name) {
        Some(serde_dynamo::AttributeValue::S(value)) => value.as_str(),
        _ => "?",
    };
    format!("{}/{}", part("PK"), part("SK"))
}

/// A booking from a session item's image in a DynamoDB stream record.
pub fn booking_from_image(image: serde_dynamo::Item) -> Result<Booking, StoreError> {
    serde_dynamo::from_item::<_, SessionRecord>(image).map(|record| record.booking).map_err(StoreError::corrupt)
}

/// A review from its item's image in a DynamoDB stream record.
pub fn review_from_image(image: serde_dynamo::Item) -> Result<Review, StoreError> {
    #[derive(Deserialize)]
    struct Image {
        review: Review,
    }
    serde_dynamo::from_item::<_, Image>(image).map(|image| image.review).map_err(StoreError::corrupt)
}

impl DynamoStore {
    /// Moves the member between score buckets of the board's histogram (one shard of it,
    /// chosen by member, so concurrent awards rarely touch the same item); none when the
    /// bucket did not change.
    fn histogram_move(&self, user: &UserId, moved: &BoardMove) -> Result<Option<TransactWriteItem>, StoreError> {
        let to = bucket(moved.after.score);
        let from = moved.before.map(bucket);
        if from == Some(to) {
            return Ok(None);
        }
        let key = keys::board_histogram(moved.after.period, moved.after.role, user);
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key.item()))
            .expression_attribute_names("#to", format!("b{to}"))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":entity", s("BoardHistogram"));
        update = match from {
            Some(from) => update
                .update_expression("SET entity = :entity ADD #to :one, #from :less")
                .expression_attribute_names("#from", format!("b{from}"))
                .expression_attribute_values(":less", n(-1)),
            None => update.update_expression("SET entity = :entity ADD #to :one"),
        };
        Ok(Some(TransactWriteItem::builder().update(built(update.build())?).build()))
    }
}

impl PointsStore for DynamoStore {
    async fn points_account(&self, user: &UserId) -> Result<Option<PointsAccount>, StoreError> {
        let found = self.get_many(&[keys::points_account(user)]).await?;
        found.into_iter().next().map(|item| from_item::<AccountRecord>(item).map(|r| r.account)).transpose()
    }

    async fn record_points(
        &self,
        user: &UserId,
        account: &PointsAccount,
        previous_version: Option<u64>,
        applied: &Applied,
        notify: &[NewNotification],
        audit: Option<&AuditEntry>,
    ) -> Result<Recorded, StoreError> {
        let mut items = Vec::new();
        for entry in &applied.entries {
            let Key { pk, sk } = keys::ledger_entry(user, entry.source.as_str(), &entry.key);
            let record = LedgerRecord {
                pk,
                sk,
                gsi1pk: keys::ledger(user),
                gsi1sk: format!("{}#{}#{}", keys::time(entry.at), entry.source.as_str(), entry.key),
                entity: "PointsLedger".into(),
                user: user.clone(),
                entry: entry.clone(),
            };
            // The occurrence counts once, whatever replays the stream delivers.
            items.push(self.put(to_item(&record)?, Some("attribute_not_exists(PK)"))?);
        }
        let entries = items.len();
        let Key { pk, sk } = keys::points_account(user);
        let record = AccountRecord {
            pk,
            sk,
            entity: "PointsAccount".into(),
            user: user.clone(),
            account: account.clone(),
            version: account.version,
        };
        let condition = match previous_version {
            Some(_) => "version = :previous",
            None => "attribute_not_exists(PK)",
        };
        let mut put =
            Put::builder().table_name(&self.table).set_item(Some(to_item(&record)?)).condition_expression(condition);
        if let Some(previous) = previous_version {
            put = put.expression_attribute_values(":previous", n(previous));
        }
        items.push(TransactWriteItem::builder().put(built(put.build())?).build());
        for moved in &applied.boards {
            let score = &moved.after;
            let Key { pk, sk } = keys::board_entry(user, score.period, score.role);
            let record = BoardRecord {
                pk,
                sk,
                gsi1pk: keys::board(score.period, score.role),
                gsi1sk: order_key(score.score, score.reached_at, user),
                entity: "BoardEntry".into(),
                user: user.clone(),
                score: *score,
            };
            items.push(self.put(to_item(&record)?, None)?);
            if let Some(update) = self.histogram_move(user, moved)? {
                items.push(update);
            }
        }
        for note in notify {
            items.push(self.notification_put(note)?);
        }
        if let Some(entry) = audit {
            items.push(self.audit_put(entry)?);
        }
        match self.transact(items).await {
            Ok(()) => Ok(Recorded::Stored),
            // The occurrence's own ledger line is first: taken means counted before.
            Err(TransactFailure::ConditionFailed(failed)) if entries > 0 && failed.contains(&0) => {
                Ok(Recorded::AlreadyCounted)
            }
            Err(TransactFailure::ConditionFailed(failed)) if failed.iter().all(|i| *i >= entries) => {
                Ok(Recorded::Stale)
            }
            Err(TransactFailure::ConditionFailed(_)) => Err(StoreError::Conflict("points ledger")),
            Err(TransactFailure::Store(error)) => Err(error),
        }
    }

    async fn ledger(&self, user: &UserId, after: Option<&str>, limit: usize) -> Result<LedgerPage, StoreError> {
        let (items, next) = self.member_index_page(keys::user(user).pk, keys::ledger(user), after, limit).await?;
        let entries =
            items.into_iter().map(|item| from_item::<LedgerRecord>(item).map(|r| r.entry)).collect::<Result<_, _>>()?;
        Ok(LedgerPage { entries, next })
    }
}

impl LeaderboardStore for DynamoStore {
    async fn board_top(
        &self,
        period: LeaderboardPeriod,
        role: Party,
        limit: usize,
    ) -> Result<Vec<BoardRow>, StoreError> {
        let query = self.index_query(keys::board(period, role));
        let items = self.query_items(query, Some(limit)).await?;
        items
            .into_iter()
            .map(|item| from_item::<BoardRecord>(item).map(|r| BoardRow { user: r.user, score: r.score }))
            .collect()
    }

    async fn board_standing(
        &self,
        user: &UserId,
        period: LeaderboardPeriod,
        role: Party,
    ) -> Result<(Option<BoardScore>, BTreeMap<u32, i64>), StoreError> {
        let entry_key = keys::board_entry(user, period, role);
        let mut wanted = vec![entry_key.clone()];
        wanted.extend(keys::board_histograms(period, role));
        let mut entry = None;
        let mut counts: BTreeMap<u32, i64> = BTreeMap::new();
        for item in self.get_many(&wanted).await? {
            if item.get(SK).and_then(|v| v.as_s().ok()) == Some(&entry_key.sk)
                && item.get(PK).and_then(|v| v.as_s().ok()) == Some(&entry_key.pk)
            {
                entry = Some(from_item::<BoardRecord>(item)?.score);
                continue;
            }
            // A histogram shard: attributes `b<bucket>` hold member counts.
            for (name, value) in &item {
                let bucket = name.strip_prefix('b').and_then(|b| b.parse::<u32>().ok());
                let count = value.as_n().ok().and_then(|c| c.parse::<i64>().ok());
                if let (Some(bucket), Some(count)) = (bucket, count) {
                    *counts.entry(bucket).or_default() += count;
                }
            }
        }
        Ok((entry, counts))
    }

    async fn display_names(&self, users: &[UserId]) -> Result<HashMap<UserId, String>, StoreError> {
        let mut names = HashMap::with_capacity(users.len());
        // BatchGetItem takes 100 keys at a time.
        for chunk in users.chunks(100) {
            let wanted: Vec<Key> = chunk.iter().map(keys::user).collect();
            for item in self.get_many(&wanted).await? {
                let id = item.get("id").and_then(|v| v.as_s().ok()).and_then(|id| UserId::parse(id).ok());
                let name = item.get("name").and_then(|v| v.as_s().ok()).cloned();
                if let (Some(id), Some(name)) = (id, name) {
                    names.insert(id, name);
                }
            }
        }
        Ok(names)
    }
}

/// One rank of a frozen board.
#[derive(Debug, Serialize, Deserialize)]
struct SnapshotRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    rank: u64,
    user: UserId,
    score: BoardScore,
}

impl BoardArchive for DynamoStore {
    async fn freeze(&self, period: LeaderboardPeriod, role: Party, rows: &[BoardRow]) -> Result<(), StoreError> {
        let items = rows
            .iter()
            .zip(1u64..)
            .map(|(row, rank)| {
                let Key { pk, sk } = keys::snapshot_rank(period, role, rank);
                let record = SnapshotRecord {
                    pk,
                    sk,
                    entity: "BoardSnapshot".into(),
                    rank,
                    user: row.user.clone(),
                    score: row.score,
                };
                to_item(&record)
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Rewriting a rank with the same content is harmless, so a rerun may repeat this.
        self.write_all(items).await
    }

    async fn close_board(
        &self,
        period: LeaderboardPeriod,
        role: Party,
        at: chrono::DateTime<chrono::Utc>,
        notify: &[NewNotification],
    ) -> Result<bool, StoreError> {
        let Key { pk, sk } = keys::snapshot_marker(period, role);
        let mut marker = Item::from([(PK.to_owned(), s(pk)), (SK.to_owned(), s(sk))]);
        marker.insert("entity".into(), s("BoardClosed"));
        marker.insert("closed_at".into(), s(keys::time(at)));
        let mut items = vec![self.put(marker, Some("attribute_not_exists(PK)"))?];
        for note in notify {
            items.push(self.notification_put(note)?);
        }
        match self.transact(items).await {
            Ok(()) => Ok(true),
            Err(TransactFailure::ConditionFailed(_)) => Ok(false),
            Err(TransactFailure::Store(error)) => Err(error),
        }
    }

    async fn snapshot(&self, period: LeaderboardPeriod, role: Party) -> Result<Vec<BoardRow>, StoreError> {
        let query = self.prefix_query(keys::snapshot_rank(period, role, 0).pk, keys::SNAPSHOT_RANK_PREFIX);
        let items = self.query_items(query, None).await?;
        items
            .into_iter()
            .map(|item| from_item::<SnapshotRecord>(item).map(|r| BoardRow { user: r.user, score: r.score }))
            .collect()
    }
}

impl DynamoStore {
    /// Writes members' entries on a board with their scores, and the board's histogram to
    /// match (replacing it: pass every member in one call), with BatchWriteItem: for loading
    /// a board in bulk (benchmarks), not for awards.
    pub async fn load_board(
        &self,
        period: LeaderboardPeriod,
        role: Party,
        rows: &[(UserId, i64, chrono::DateTime<chrono::Utc>)],
    ) -> Result<(), StoreError> {
        let mut items = Vec::with_capacity(rows.len() + keys::HISTOGRAM_SHARDS as usize);
        let mut shards: HashMap<String, (Key, BTreeMap<u32, i64>)> = HashMap::new();
        for (user, score, reached_at) in rows {
            let Key { pk, sk } = keys::board_entry(user, period, role);
            let score = BoardScore { period, role, score: *score, reached_at: *reached_at };
            items.push(to_item(&BoardRecord {
                pk,
                sk,
                gsi1pk: keys::board(period, role),
                gsi1sk: order_key(score.score, score.reached_at, user),
                entity: "BoardEntry".into(),
                user: user.clone(),
                score,
            })?);
            let key = keys::board_histogram(period, role, user);
            let shard = shards.entry(key.sk.clone()).or_insert_with(|| (key, BTreeMap::new()));
            *shard.1.entry(bucket(score.score)).or_default() += 1;
        }
        for (_, (key, counts)) in shards {
            let mut item = key.item();
            item.insert("entity".into(), s("BoardHistogram"));
            for (bucket, count) in counts {
                item.insert(format!("b{bucket}"), n(count));
            }
            items.push(item);
        }
        self.write_all(items).await
    }
}
