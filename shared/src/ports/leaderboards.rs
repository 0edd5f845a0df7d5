//! Leaderboards and their frozen snapshots.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::{NewNotification, StoreError};
use crate::domain::UserId;

/// One member's row on a board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardRow {
    /// The member.
    pub user: UserId,
    /// Their score on the board.
    pub score: crate::domain::gamification::BoardScore,
}

/// Leaderboards: the top of a board, a member's entry and the board's score histogram.
pub trait LeaderboardStore: Send + Sync {
    /// The best `limit` entries of a board, best first, by query on its order key.
    fn board_top(
        &self,
        period: crate::domain::gamification::LeaderboardPeriod,
        role: crate::domain::Party,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<BoardRow>, StoreError>> + Send;

    /// A member's entry on a board and the board's bucket counts, in one round trip.
    fn board_standing(
        &self,
        user: &UserId,
        period: crate::domain::gamification::LeaderboardPeriod,
        role: crate::domain::Party,
    ) -> impl Future<
        Output = Result<
            (Option<crate::domain::gamification::BoardScore>, std::collections::BTreeMap<u32, i64>),
            StoreError,
        >,
    > + Send;

    /// Display names of members (those that exist), in one round trip per 100.
    fn display_names(
        &self,
        users: &[UserId],
    ) -> impl Future<Output = Result<std::collections::HashMap<UserId, String>, StoreError>> + Send;
}

/// Finished boards: their frozen ranks and the mark that they were closed.
pub trait BoardArchive: Send + Sync {
    /// Stores `rows` as the board's ranks 1..N (idempotent: a rerun rewrites the same).
    fn freeze(
        &self,
        period: crate::domain::gamification::LeaderboardPeriod,
        role: crate::domain::Party,
        rows: &[BoardRow],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Marks the board closed and writes the winners' notifications, all or nothing;
    /// false (and nothing written) when it was closed before.
    fn close_board(
        &self,
        period: crate::domain::gamification::LeaderboardPeriod,
        role: crate::domain::Party,
        at: DateTime<Utc>,
        notify: &[NewNotification],
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// A frozen board, rank 1 first.
    fn snapshot(
        &self,
        period: crate::domain::gamification::LeaderboardPeriod,
        role: crate::domain::Party,
    ) -> impl Future<Output = Result<Vec<BoardRow>, StoreError>> + Send;
}
