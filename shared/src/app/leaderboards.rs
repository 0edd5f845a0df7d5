//! Leaderboards: the top of a board with names, and where the caller stands.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{App, AppError};
use crate::domain::gamification::{
    Applied, Badge, Estimate, LeaderboardPeriod, PeriodKind, bucket, estimate, period_badge, to_award,
};
use crate::domain::{Bearer, Invalid, Party, UserId};
use crate::ports::{AccountStore, BoardArchive, LeaderboardStore, NewNotification, PointsStore, Recorded};

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

impl<S: LeaderboardStore + AccountStore> App<S> {
    /// The best `limit` of `kind`'s board for `role` in `period` (the current one when
    /// `None`), and `caller`'s standing on it.
    pub async fn leaderboard(
        &self,
        bearer: &Bearer,
        kind: PeriodKind,
        period: Option<&str>,
        role: Party,
        limit: usize,
    ) -> Result<Leaderboard, AppError> {
        let caller = &bearer.member;
        let period = LeaderboardPeriod::requested(kind, period, self.clock.now())
            .map_err(|reason| AppError::Rule { field: "period", reason })?;
        let limit = limit.clamp(1, MAX_BOARD);
        let (admitted, top, standing) = futures_util::join!(
            self.admit(bearer),
            self.store.board_top(period, role, limit),
            self.store.board_standing(caller, period, role)
        );
        admitted?;
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

/// How many ranks a finished board keeps.
pub const SNAPSHOT_SIZE: usize = 100;

/// What closing a finished period did, per board.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodClosed {
    /// The finished period.
    pub period: LeaderboardPeriod,
    /// One line per board (mentors', learners').
    pub boards: Vec<BoardClosed>,
}

/// What closing one board did.
#[derive(Debug, Clone, Serialize)]
pub struct BoardClosed {
    /// The board's role.
    pub role: Party,
    /// Ranks frozen.
    pub ranks: usize,
    /// Badges given now (none on a rerun).
    pub badges_awarded: usize,
    /// False when an earlier run had closed it already (nothing new was sent).
    pub closed_now: bool,
}

/// Members told of their place on a finished board.
const WINNERS: usize = 3;

impl<S: LeaderboardStore + BoardArchive + PointsStore + AccountStore> App<S> {
    /// Closes the finished period of `kind` (the one before now, or `period`): freezes each
    /// board's top [`SNAPSHOT_SIZE`], gives the period's badges and tells the winners.
    /// Rerunning it for the same period changes nothing.
    pub async fn close_period(
        &self,
        kind: PeriodKind,
        period: Option<LeaderboardPeriod>,
    ) -> Result<PeriodClosed, AppError> {
        let now = self.clock.now();
        let period = period.unwrap_or_else(|| kind.period_of(now).previous());
        if period.kind() != kind || period.end() > now {
            return Err(AppError::Rule {
                field: "period",
                reason: Invalid::new("must be a finished period of this kind"),
            });
        }
        let mut boards = Vec::new();
        for role in [Party::Mentor, Party::Learner] {
            let rows = self.store.board_top(period, role, SNAPSHOT_SIZE).await?;
            self.store.freeze(period, role, &rows).await?;
            let mut badges_awarded = 0;
            let mut notify = Vec::new();
            for (row, rank) in rows.iter().zip(1u32..).take(WINNERS) {
                if let Some(badge) = period_badge(rank, kind, role) {
                    badges_awarded += usize::from(self.grant_badge(&row.user, badge, period.end()).await?);
                }
                notify.push(NewNotification::leaderboard_result(&row.user, rank, kind, role, period, now));
            }
            let closed_now = self.store.close_board(period, role, now, &notify).await?;
            if closed_now {
                crate::observability::metrics::count(now, crate::observability::metrics::BOARDS_CLOSED);
            }
            boards.push(BoardClosed { role, ranks: rows.len(), badges_awarded, closed_now });
        }
        Ok(PeriodClosed { period, boards })
    }

    /// Gives `user` `badge` once (earned `at`), with a notification; false if already held.
    async fn grant_badge(&self, user: &UserId, badge: Badge, at: DateTime<Utc>) -> Result<bool, AppError> {
        for _ in 0..GRANT_ATTEMPTS {
            let previous = self.store.points_account(user).await?;
            let version = previous.as_ref().map(|account| account.version);
            let mut account = previous.unwrap_or_default();
            let badges = to_award(&account.badges, &[badge], at);
            if badges.is_empty() {
                return Ok(false);
            }
            account.badges.extend(badges.iter().copied());
            account.version += 1;
            let notify = [NewNotification::badge_earned(user, badge, at)];
            let applied = Applied { badges, ..Applied::default() };
            match self.store.record_points(user, &account, version, &applied, &notify, None).await? {
                Recorded::Stale => continue,
                _ => return Ok(true),
            }
        }
        Err(AppError::Contended)
    }
}

/// Concurrent changes to a winner's account retry this often.
const GRANT_ATTEMPTS: usize = 5;
