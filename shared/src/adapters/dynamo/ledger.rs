//! The ledger over DynamoDB: an entry item per movement (written once, by its natural key)
//! and the totals it moves (a member's wallet, the platform's fees), updated in the same
//! transaction as the state change that caused the movement.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keys::{self, Key};
use super::points::built;
use super::records::{from_item, to_item};
use super::{DynamoStore, n, s};
use crate::domain::payments::{LedgerEntry, Transaction, Wallet};
use crate::domain::{SessionId, UserId};
use crate::ports::StoreError;

/// A ledger entry (entity `LedgerEntry`): append-only.
#[derive(Debug, Serialize)]
struct EntryRecord<'a> {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: &'static str,
    key: &'a str,
    at: DateTime<Utc>,
    postings: Vec<PostingRecord>,
    /// What the entry adds to the payment counters, which the stream consumer keeps.
    /// Skipped when empty: DynamoDB Local's stream writes an empty map with no type.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    figures: BTreeMap<&'static str, i64>,
}

/// One line of an entry.
#[derive(Debug, Serialize)]
struct PostingRecord {
    account: String,
    amount: i64,
}

/// A line of a member's money history (entity `Transaction`).
#[derive(Debug, Serialize, Deserialize)]
struct TransactionRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    #[serde(flatten)]
    transaction: Transaction,
}

/// A member's wallet (entity `Wallet`).
#[derive(Debug, Deserialize)]
struct WalletRecord {
    #[serde(flatten)]
    wallet: Wallet,
}

impl DynamoStore {
    /// The writes of `entries`: each entry once (`attribute_not_exists`, so a second write
    /// of the same movement fails the whole transaction), and one update per total it
    /// moves (the amounts of several postings on one item added together, since a
    /// transaction touches an item once).
    pub(super) fn ledger_writes(
        &self,
        entries: &[LedgerEntry],
        session: &SessionId,
        at: DateTime<Utc>,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut items = Vec::new();
        let mut wallets: BTreeMap<&UserId, BTreeMap<&'static str, i64>> = BTreeMap::new();
        let mut fees = 0i64;
        for entry in entries {
            let Key { pk, sk } = keys::money_entry(&entry.key);
            let postings = entry
                .postings
                .iter()
                .map(|posting| PostingRecord { account: posting.account.name(), amount: posting.amount })
                .collect();
            let figures = entry.figures().into_iter().map(|(figure, by)| (figure.name(), by)).collect();
            let record = EntryRecord { pk, sk, entity: "LedgerEntry", key: &entry.key, at, postings, figures };
            items.push(self.put(to_item(&record)?, Some("attribute_not_exists(PK)"))?);
            // Each member's history line rides on the entry's condition: written once too.
            for (member, transaction) in entry.transactions(session, at) {
                let Key { pk, sk } = keys::transaction(&member, at, &entry.key);
                let line = TransactionRecord { pk, sk, entity: "Transaction".into(), transaction };
                items.push(self.put(to_item(&line)?, None)?);
            }
            for posting in &entry.postings {
                match posting.account.wallet_line() {
                    Some((member, line, sign)) => {
                        *wallets.entry(member).or_default().entry(line).or_default() += posting.amount * sign;
                    }
                    None => fees += posting.amount,
                }
            }
        }
        for (member, lines) in wallets {
            let mut update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(keys::wallet(member).item()))
                .expression_attribute_values(":entity", s("Wallet"))
                .expression_attribute_values(":one", n(1));
            let mut adds = vec!["version :one".to_owned()];
            for (index, (line, amount)) in lines.into_iter().enumerate() {
                adds.push(format!("#l{index} :a{index}"));
                update = update
                    .expression_attribute_names(format!("#l{index}"), line)
                    .expression_attribute_values(format!(":a{index}"), n(amount));
            }
            let update =
                built(update.update_expression(format!("SET entity = :entity ADD {}", adds.join(", "))).build())?;
            items.push(TransactWriteItem::builder().update(update).build());
        }
        if fees != 0 {
            let update = built(
                Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(keys::platform_fees().item()))
                    .update_expression("SET entity = :entity ADD balance :fees, version :one")
                    .expression_attribute_values(":entity", s("PlatformFees"))
                    .expression_attribute_values(":fees", n(fees))
                    .expression_attribute_values(":one", n(1))
                    .build(),
            )?;
            items.push(TransactWriteItem::builder().update(update).build());
        }
        Ok(items)
    }

    /// A page of `member`'s money history, newest first.
    pub(super) async fn transactions_of(
        &self,
        member: &UserId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Transaction>, Option<String>), StoreError> {
        let pk = keys::user(member).pk;
        let query = self.prefix_query(pk.clone(), keys::TRANSACTION_PREFIX).scan_index_forward(false);
        let (items, next) = self.query_page(query, &pk, after, limit).await?;
        let lines = items
            .into_iter()
            .map(|item| from_item::<TransactionRecord>(item).map(|record| record.transaction))
            .collect::<Result<_, _>>()?;
        Ok((lines, next))
    }

    /// `member`'s wallet, read strongly; all zero before any money moved.
    pub(super) async fn wallet_of(&self, member: &UserId) -> Result<Wallet, StoreError> {
        Ok(self
            .get_one(keys::wallet(member))
            .await?
            .map(from_item::<WalletRecord>)
            .transpose()?
            .map(|r| r.wallet)
            .unwrap_or_default())
    }
}
