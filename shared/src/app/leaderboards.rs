//! Leaderboards: the top of a board with names, and where the caller stands.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{App, AppError};
use crate::domain::gamification::{Estimate, LeaderboardPeriod, PeriodKind, bucket, estimate};
use crate::domain::{Party, UserId};
use crate::ports::LeaderboardStore;

/// Most entries one board read returns.
pub const MAX_BOARD: usize = 100;

/// A board as members see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Leaderboard {
    /// The period, decided by the server when the request named none.
    pub period: LeaderboardPeriod,
    /// Whose board: mentors' or learners'.
    pub role: Party,
    /// The top of the board, best first.
    pub entries: Vec<RankedEntry>,
    /// Where the caller stands.
    pub me: Standing,
}

/// One row of a board.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankedEntry {
    /// 1-based; ties go to whoever reached the score first.
    pub rank: u64,
    /// The member.
    pub user: UserId,
    /// Their display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Points in the period on this board.
    pub score: i64,
    /// When they reached it.
    pub reached_at: DateTime<Utc>,
}

/// The caller's place on a board.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Standing {
    /// Among the entries read: the exact rank.
    Exact {
        /// 1-based rank.
        rank: u64,
        /// Points.
        score: i64,
    },
    /// Beyond them: estimated from the board's score histogram (see docs/ARCHITECTURE.md).
    Estimated {
        /// Points.
        score: i64,
        /// Estimated rank and percentile.
        estimate: Estimate,
    },
    /// No points on this board.
    NotOnBoard,
}

impl<S: LeaderboardStore> App<S> {
    /// The best `limit` of `kind`'s board for `role` in `period` (the current one when
    /// `None`), and `caller`'s standing on it.
    pub async fn leaderboard(
        &self,
        caller: &UserId,
        kind: PeriodKind,
        period: Option<&str>,
        role: Party,
        limit: usize,
    ) -> Result<Leaderboard, AppError> {
        let period = LeaderboardPeriod::requested(kind, period, self.clock.now())
            .map_err(|reason| AppError::Rule { field: "period", reason })?;
        let limit = limit.clamp(1, MAX_BOARD);
        let (top, standing) = futures_util::join!(
            self.store.board_top(period, role, limit),
            self.store.board_standing(caller, period, role)
        );
        let (top, (mine, counts)) = (top?, standing?);
        let users: Vec<UserId> = top.iter().map(|row| row.user.clone()).collect();
        let mut names = self.store.display_names(&users).await?;
        let entries: Vec<RankedEntry> = top
            .into_iter()
            .zip(1u64..)
            .map(|(row, rank)| RankedEntry {
                rank,
                name: names.remove(&row.user),
                user: row.user,
                score: row.score.score,
                reached_at: row.score.reached_at,
            })
            .collect();
        let me = match (entries.iter().find(|e| &e.user == caller), mine) {
            (Some(entry), _) => Standing::Exact { rank: entry.rank, score: entry.score },
            (None, Some(score)) => {
                let mut estimate = estimate(&counts, bucket(score.score));
                // Not among the entries read, so behind all of them whatever the buckets say.
                estimate.rank = estimate.rank.max(entries.len() as u64 + 1);
                Standing::Estimated { score: score.score, estimate }
            }
            (None, None) => Standing::NotOnBoard,
        };
        Ok(Leaderboard { period, role, entries, me })
    }
}
