//! Platform stats: counting each committed change once, and the figures admins read.

use super::{ADMINS_ONLY, App, AppError};
use crate::domain::payments::PaymentFigures;
use crate::domain::{Bearer, Committed, PlatformStats, StatsScope, Tally};

/// The platform's payments this week and this month: GET /admin/payments.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PaymentStats {
    /// The instant the current week and month are taken from.
    pub as_of: chrono::DateTime<chrono::Utc>,
    /// The platform currency the amounts are in (ISO 4217, lower case).
    pub currency: &'static str,
    /// This ISO week (Monday 00:00 UTC on).
    pub week: PaymentFigures,
    /// This calendar month (the 1st 00:00 UTC on).
    pub month: PaymentFigures,
}
use crate::ports::{AccountStore, Recorded, StatsStore};

/// What counting one committed change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// The counters moved.
    Moved,
    /// The record was counted before (a redelivery or replay): nothing moved.
    Replayed,
    /// The change moves no counter.
    Nothing,
}

impl<S: StatsStore + AccountStore> App<S> {
    /// Moves the platform's counters by what `change` counts (see `domain::stats`), once
    /// per stream record `change_id`: a redelivered record counts nothing.
    pub async fn count_change(&self, change_id: &str, change: &Committed) -> Result<Counted, AppError> {
        let tally = Tally::of(change);
        if tally.is_empty() {
            return Ok(Counted::Nothing);
        }
        match self.store.count(change_id, &tally, self.clock.now()).await? {
            Recorded::AlreadyCounted => Ok(Counted::Replayed),
            _ => Ok(Counted::Moved),
        }
    }

    /// The payment figures for this week and this month as of the app's clock, from the
    /// same counter items. Admins only.
    pub async fn payment_stats(&self, admin: &Bearer) -> Result<PaymentStats, AppError> {
        if !admin.is_admin() {
            return Err(AppError::NotAllowed(ADMINS_ONLY));
        }
        let now = self.clock.now();
        let [_, week, month] = PlatformStats::scopes(now);
        let scopes = [week, month];
        let (admitted, counts) = futures_util::join!(self.admit(admin), self.store.counts(&scopes));
        admitted?;
        match (counts?.as_slice(), week, month) {
            ([week_counts, month_counts], StatsScope::Period(week), StatsScope::Period(month)) => Ok(PaymentStats {
                as_of: now,
                currency: self.policy.currency.as_str(),
                week: PaymentFigures::read(week, week_counts),
                month: PaymentFigures::read(month, month_counts),
            }),
            _ => Err(AppError::Store(crate::ports::StoreError::Corrupt("payment counters missing".into()))),
        }
    }

    /// The figures for this week and this month as of the app's clock, read from the
    /// counter items by key. Admins only.
    pub async fn platform_stats(&self, admin: &Bearer) -> Result<PlatformStats, AppError> {
        if !admin.is_admin() {
            return Err(AppError::NotAllowed(ADMINS_ONLY));
        }
        let now = self.clock.now();
        let scopes = PlatformStats::scopes(now);
        let (admitted, counts) = futures_util::join!(self.admit(admin), self.store.counts(&scopes));
        admitted?;
        let counts = counts?;
        match counts.as_slice() {
            [totals, week, month] => Ok(PlatformStats::read(now, [totals, week, month])),
            _ => Err(AppError::Store(crate::ports::StoreError::Corrupt("stats counters missing".into()))),
        }
    }
}
