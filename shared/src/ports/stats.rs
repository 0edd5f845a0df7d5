//! The platform's counters, kept from the table's stream.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::{Recorded, StoreError};
use crate::domain::stats::Counts;
use crate::domain::{StatsScope, Tally};

/// Counter items: all-time totals, and activity per week and per month.
pub trait StatsStore: Send + Sync {
    /// Moves the counters by `tally`, once per `change_id` (the stream's id of the record):
    /// a redelivered record is `AlreadyCounted` and moves nothing.
    /// The marker is kept for two days from `now` (the stream keeps records for one).
    fn count(
        &self,
        change_id: &str,
        tally: &Tally,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Recorded, StoreError>> + Send;

    /// The counter items of `scopes`, in the same order (an item never written reads as zeros).
    fn counts(&self, scopes: &[StatsScope]) -> impl Future<Output = Result<Vec<Counts>, StoreError>> + Send;
}
