//! Demo data for the local stack: deterministic, realistic mentors and learners written
//! with exactly the item shapes the API writes (`DynamoStore::user_items`).
//!
//! `make dev` seeds a small set once (a marker item remembers it); `make seed` loads as many
//! as asked, e.g. 100,000 mentors for search and matching at scale.

pub mod admins;
mod generate;
mod progress;
mod rng;
pub mod vocabulary;
mod write;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use futures::StreamExt;
use shared::adapters::dynamo::{DynamoStore, Item};
use shared::auth::PasswordHasher;
use shared::domain::{Email, Password, User};

pub use generate::{DEMO_DOMAIN, DEMO_PASSWORD, demo_learner, demo_mentor, learner_email, mentor_email};

/// What to seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedConfig {
    /// Makes the whole data set: same seed, same users, same ids.
    pub seed: u64,
    /// Mentors to write (indexes `0..mentors`).
    pub mentors: usize,
    /// Learners to write (indexes `0..learners`).
    pub learners: usize,
    /// The first this-many mentors and this-many learners get the demo password.
    pub credentials_for: usize,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

impl Default for SeedConfig {
    /// What `make dev` seeds: small enough to start in seconds.
    fn default() -> Self {
        Self { seed: 42, mentors: 200, learners: 50, credentials_for: 20, progress: false }
    }
}

/// What a seeding run wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedReport {
    /// Users written.
    pub users: usize,
    /// Items written (users, credentials, listings, the marker).
    pub items: usize,
    /// Wall-clock time of the run.
    pub seconds: f64,
    /// Requests re-sent because DynamoDB throttled, failed or left items unprocessed.
    pub retries: usize,
}

/// Why seeding stopped.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// A user could not be turned into items.
    #[error("building items: {0}")]
    Items(#[from] shared::ports::StoreError),
    /// The demo password could not be hashed.
    #[error("hashing the demo password: {0}")]
    Hash(String),
    /// DynamoDB refused, or kept failing after every retry.
    #[error("DynamoDB: {0}")]
    Dynamo(String),
    /// The table is not there.
    #[error("table {0} does not exist (create it first, e.g. with dev_gateway::table::ensure_table)")]
    NoTable(String),
}

/// What a marker item records: the largest counts seeded for one seed so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeedMarker {
    /// Mentors seeded.
    pub mentors: usize,
    /// Learners seeded.
    pub learners: usize,
    /// Mentors and learners given the demo password.
    pub credentials_for: usize,
}

impl SeedMarker {
    /// True when a run with `config` would add nothing: it is all there already.
    pub fn covers(&self, config: &SeedConfig) -> bool {
        self.mentors >= config.mentors
            && self.learners >= config.learners
            && self.credentials_for >= config.credentials_for.min(config.mentors.max(config.learners))
    }
}

/// The marker's key. `SEED#` is a prefix no other item uses (see
/// `shared::adapters::dynamo::keys`), so it can never collide with real data.
fn marker_key(seed: u64) -> Item {
    Item::from([
        ("PK".to_owned(), AttributeValue::S(format!("SEED#{seed}"))),
        ("SK".to_owned(), AttributeValue::S("SEED".to_owned())),
    ])
}

fn number(item: &Item, name: &str) -> usize {
    item.get(name).and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// The marker of `seed` in `table`, if that seed was ever seeded there.
pub async fn marker(client: &Client, table: &str, seed: u64) -> Result<Option<SeedMarker>, SeedError> {
    let output = client
        .get_item()
        .table_name(table)
        .set_key(Some(marker_key(seed)))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| write::describe(table, e))?;
    Ok(output.item().map(|item| SeedMarker {
        mentors: number(item, "mentors"),
        learners: number(item, "learners"),
        credentials_for: number(item, "credentials_for"),
    }))
}

async fn write_marker(client: &Client, table: &str, config: &SeedConfig) -> Result<(), SeedError> {
    // Items beyond this run's counts from an earlier, larger run are still in the table, so
    // the marker keeps the largest counts ever seeded.
    let before = marker(client, table, config.seed).await?.unwrap_or_default();
    let n = |v: usize| AttributeValue::N(v.to_string());
    let mut item = marker_key(config.seed);
    item.insert("entity".into(), AttributeValue::S("SeedMarker".into()));
    item.insert("seed".into(), AttributeValue::N(config.seed.to_string()));
    item.insert("mentors".into(), n(before.mentors.max(config.mentors)));
    item.insert("learners".into(), n(before.learners.max(config.learners)));
    item.insert("credentials_for".into(), n(before.credentials_for.max(config.credentials_for)));
    item.insert("seeded_at".into(), AttributeValue::S(chrono::Utc::now().to_rfc3339()));
    client.put_item().table_name(table).set_item(Some(item)).send().await.map_err(|e| write::describe(table, e))?;
    Ok(())
}

/// Hashes the demo password once for the whole run.
///
/// Every seeded account shares this hash, salt included. That is acceptable only because
/// these are public demo accounts with a published password; argon2 at ~35 ms per hash
/// would otherwise dominate seeding.
fn demo_hash() -> Result<String, SeedError> {
    let email = Email::parse(&mentor_email(0)).map_err(|e| SeedError::Hash(e.to_string()))?;
    let password = Password::parse(DEMO_PASSWORD, &email).map_err(|e| SeedError::Hash(e.to_string()))?;
    PasswordHasher::new().hash(&password).map_err(|e| SeedError::Hash(e.to_string()))
}

/// Every item of the run, user by user, in batches of at most 25, each with the number of
/// users whose last item it carries (for progress).
struct Batches<'a> {
    config: &'a SeedConfig,
    hash: Option<String>,
    next_user: usize,
    pending: Vec<Item>,
    finished_users: usize,
}

impl Batches<'_> {
    fn user(&self, n: usize) -> (User, bool) {
        let config = self.config;
        if n < config.mentors {
            (demo_mentor(config.seed, n), n < config.credentials_for)
        } else {
            let index = n - config.mentors;
            (demo_learner(config.seed, index), index < config.credentials_for)
        }
    }
}

impl Iterator for Batches<'_> {
    type Item = Result<(Vec<Item>, usize), SeedError>;

    fn next(&mut self) -> Option<Self::Item> {
        let total = self.config.mentors + self.config.learners;
        while self.pending.len() < write::BATCH_SIZE && self.next_user < total {
            let (user, with_password) = self.user(self.next_user);
            self.next_user += 1;
            let hash = if with_password { self.hash.as_deref() } else { None };
            match DynamoStore::user_items(&user, hash) {
                Ok(items) => self.pending.extend(items),
                Err(error) => return Some(Err(error.into())),
            }
            self.finished_users += 1;
        }
        if self.pending.is_empty() {
            return None;
        }
        let take = self.pending.len().min(write::BATCH_SIZE);
        let batch: Vec<Item> = self.pending.drain(..take).collect();
        // Users whose items all left in this batch count as done once it is written.
        let done = if self.pending.is_empty() { std::mem::take(&mut self.finished_users) } else { 0 };
        Some(Ok((batch, done)))
    }
}

/// Writes the demo set `config` describes into `table` (which must exist), then the marker.
///
/// Overwrites whatever a previous run of the same seed wrote: the items are identical except
/// the credentials' salt. Batches of 25 run several at a time; unprocessed items and
/// throttling are retried with backoff, and an item that still fails fails the run.
pub async fn seed(client: &Client, table: &str, config: &SeedConfig) -> Result<SeedReport, SeedError> {
    let started = Instant::now();
    let hash = if config.credentials_for > 0 { Some(demo_hash()?) } else { None };
    let users = config.mentors + config.learners;
    let retries = Arc::new(AtomicUsize::new(0));
    let mut progress = progress::Progress::new(config.progress, users);

    let batches = Batches { config, hash, next_user: 0, pending: Vec::new(), finished_users: 0 };
    let mut writes = futures::stream::iter(batches)
        .enumerate()
        .map(|(number, batch)| {
            let client = client.clone();
            let table = table.to_owned();
            let retries = Arc::clone(&retries);
            async move {
                let (items, done) = batch?;
                let count = items.len();
                // A task per batch so request encoding and response parsing use every core.
                tokio::spawn(async move { write::batch(&client, &table, items, number as u64, &retries).await })
                    .await
                    .map_err(|e| SeedError::Dynamo(format!("writer task failed: {e}")))??;
                Ok::<_, SeedError>((count, done))
            }
        })
        .buffer_unordered(
            std::env::var("SEED_IN_FLIGHT").ok().and_then(|v| v.parse().ok()).unwrap_or(write::IN_FLIGHT),
        );

    let (mut items, mut done_users) = (0, 0);
    while let Some(result) = writes.next().await {
        let (count, done) = match result {
            Ok(written) => written,
            Err(error) => {
                progress.abandon();
                return Err(error);
            }
        };
        items += count;
        done_users += done;
        progress.update(done_users, items);
    }
    write_marker(client, table, config).await?;
    progress.finish(done_users, items);
    Ok(SeedReport {
        users: done_users,
        items: items + 1,
        seconds: started.elapsed().as_secs_f64(),
        retries: retries.load(Ordering::Relaxed),
    })
}
