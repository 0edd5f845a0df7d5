//! [`StatsStore`] over DynamoDB: counter items moved by `ADD`, each stream record counted
//! once through a marker item written in the same transaction; and the images of the
//! changes the counters follow (members, messages, verifications) read from stream records.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::keys::{self, EXPIRES_AT, PK, SK};
use super::points::built;
use super::{DynamoStore, Item, TransactFailure, n, s};
use crate::domain::payments::{MoneyFigure, MoneyMoves};
use crate::domain::stats::Counts;
use crate::domain::{AccountStatus, Membership, Roles, StatsScope, Tally};
use crate::ports::{Recorded, StatsStore, StoreError};

/// How long a counted record's marker is kept: the stream holds records for 24 hours, so
/// no redelivery or replay can come later than that.
const COUNTED_MARK_HOURS: i64 = 48;

impl DynamoStore {
    /// `ADD` of each `(name, by)` to the counter item of `scope`.
    fn counter_update(
        &self,
        scope: StatsScope,
        moves: &[(&'static str, i64)],
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::stats(scope).item()))
            .expression_attribute_values(":entity", s("StatsCounters"));
        let mut adds = Vec::with_capacity(moves.len());
        for (index, (name, by)) in moves.iter().enumerate() {
            adds.push(format!("#c{index} :c{index}"));
            update = update
                .expression_attribute_names(format!("#c{index}"), *name)
                .expression_attribute_values(format!(":c{index}"), n(by));
        }
        let update = update.update_expression(format!("SET entity = :entity ADD {}", adds.join(", ")));
        Ok(TransactWriteItem::builder().update(built(update.build())?).build())
    }
}

impl StatsStore for DynamoStore {
    async fn count(&self, change_id: &str, tally: &Tally, now: DateTime<Utc>) -> Result<Recorded, StoreError> {
        if tally.is_empty() {
            return Ok(Recorded::Stored);
        }
        let marker = keys::counted_change(change_id);
        let mut item: Item = marker.item();
        item.insert("entity".into(), s("CountedChange"));
        item.insert(EXPIRES_AT.into(), n((now + chrono::Duration::hours(COUNTED_MARK_HOURS)).timestamp()));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)");
        let mut items = vec![TransactWriteItem::builder().put(built(put.build())?).build()];
        if !tally.totals.is_empty() {
            let moves: Vec<_> = tally.totals.iter().map(|(total, by)| (total.name(), *by)).collect();
            items.push(self.counter_update(StatsScope::Totals, &moves)?);
        }
        let mut moves: Vec<(&str, i64)> = Vec::new();
        let mut when = None;
        if let Some((activity, at)) = tally.activity {
            moves.push((activity.name(), 1));
            when = Some(at);
        }
        if let Some(money) = &tally.money {
            moves.extend(money.figures.iter().map(|(figure, by)| (figure.name(), *by)));
            when = Some(money.at);
        }
        if let Some(at) = when {
            for period in [
                crate::domain::gamification::LeaderboardPeriod::week_of(at),
                crate::domain::gamification::LeaderboardPeriod::month_of(at),
            ] {
                items.push(self.counter_update(StatsScope::Period(period), &moves)?);
            }
        }
        match self.transact(items).await {
            Ok(()) => Ok(Recorded::Stored),
            // Only the marker has a condition: taken means counted before.
            Err(TransactFailure::ConditionFailed(_)) => Ok(Recorded::AlreadyCounted),
            Err(TransactFailure::Store(error)) => Err(error),
        }
    }

    async fn counts(&self, scopes: &[StatsScope]) -> Result<Vec<Counts>, StoreError> {
        let wanted: Vec<keys::Key> = scopes.iter().map(|scope| keys::stats(*scope)).collect();
        let mut found: HashMap<(String, String), Item> = HashMap::new();
        for item in self.get_many(&wanted).await? {
            let part = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
            found.insert((part(PK), part(SK)), item);
        }
        Ok(wanted
            .into_iter()
            .map(|key| {
                let item = found.remove(&(key.pk, key.sk)).unwrap_or_default();
                Counts::from_pairs(item.into_iter().filter_map(|(name, value)| {
                    let number = value.as_n().ok()?.parse::<i64>().ok()?;
                    Some((name, number))
                }))
            })
            .collect())
    }
}

/// Roles and status from a user item's image in a DynamoDB stream record.
pub fn membership_from_image(image: serde_dynamo::Item) -> Result<Membership, StoreError> {
    #[derive(Deserialize)]
    struct Image {
        roles: Roles,
        #[serde(default)]
        status: AccountStatus,
    }
    let image: Image = serde_dynamo::from_item(image).map_err(StoreError::corrupt)?;
    Ok(Membership { roles: image.roles, status: image.status })
}

/// When a chat message was stored, from its item's image in a DynamoDB stream record.
pub fn message_time_from_image(image: serde_dynamo::Item) -> Result<DateTime<Utc>, StoreError> {
    #[derive(Deserialize)]
    struct Image {
        sent_at: DateTime<Utc>,
    }
    serde_dynamo::from_item::<_, Image>(image).map(|image| image.sent_at).map_err(StoreError::corrupt)
}

/// What a new ledger entry's image adds to the payment counters, and when it was written.
/// Figures this version does not know are left out (a newer writer's), never guessed.
pub fn money_figures_from_image(image: serde_dynamo::Item) -> Result<MoneyMoves, StoreError> {
    #[derive(Deserialize)]
    struct Image {
        at: DateTime<Utc>,
        #[serde(default)]
        figures: std::collections::BTreeMap<String, i64>,
    }
    let image = serde_dynamo::from_item::<_, Image>(image).map_err(StoreError::corrupt)?;
    let figures =
        image.figures.iter().filter_map(|(name, by)| MoneyFigure::named(name).map(|figure| (figure, *by))).collect();
    Ok(MoneyMoves { figures, at: image.at })
}

/// Whether a verification request's image is waiting for an admin (`state = pending`);
/// an absent image (a new item's old image) is not.
pub fn verification_pending_in_image(image: serde_dynamo::Item) -> Result<bool, StoreError> {
    if image.is_empty() {
        return Ok(false);
    }
    #[derive(Deserialize)]
    struct Image {
        state: String,
    }
    serde_dynamo::from_item::<_, Image>(image).map(|image| image.state == "pending").map_err(StoreError::corrupt)
}
