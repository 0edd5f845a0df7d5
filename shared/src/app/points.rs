//! Points: awarding what committed changes earned (once each), and reading a member's
//! points and badges.

use super::{ADMINS_ONLY, App, AppError};
use crate::domain::gamification::earnings::{Earning, from_review, from_session_move};
use crate::domain::gamification::{EarnedBadge, Occurrence, PointsAccount, local_day};
use crate::domain::{AuditAction, AuditEntry, Bearer, Committed, Reason, UserId};
use crate::ports::{AccountStore, LedgerPage, NewNotification, PointsStore, Recorded, SessionStore};

/// Concurrent awards to one member retry this often before giving up (the stream redelivers).
const AWARD_ATTEMPTS: usize = 5;

/// What awarding one committed change did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Awarded {
    /// Awards stored now.
    pub stored: usize,
    /// Awards counted before (a redelivered or replayed record).
    pub replayed: usize,
}

impl<S: PointsStore + AccountStore + SessionStore> App<S> {
    /// Awards what `change` earned (see `domain::gamification::earnings`), each earning
    /// once. A review earns only when its session really completed, so that is read.
    pub async fn award_change(&self, change: &Committed) -> Result<Awarded, AppError> {
        let earnings = match change {
            Committed::SessionMoved { before, after } => from_session_move(before, after),
            Committed::ReviewWritten(review) => match self.store.session(&review.session).await? {
                Some(session) => from_review(review, &session),
                None => Vec::new(),
            },
            // Only sessions and reviews earn; the other changes feed other readers.
            _ => Vec::new(),
        };
        let mut awarded = Awarded::default();
        for earning in &earnings {
            match self.award(earning).await? {
                Recorded::Stored => awarded.stored += 1,
                _ => awarded.replayed += 1,
            }
        }
        Ok(awarded)
    }
}

impl<S: PointsStore + AccountStore> App<S> {
    /// Awards `earning` once: the ledger, the account (totals, boards, cap, streak, badges)
    /// and the badge notifications in one transaction. The day it counts for is the
    /// member's local day when it happened.
    pub async fn award(&self, earning: &Earning) -> Result<Recorded, AppError> {
        let member = self.store.user(&earning.user).await?;
        let local_day = match member.as_ref().and_then(|m| m.profile.timezone.as_ref()) {
            Some(zone) => local_day(earning.at, *zone),
            None => earning.at.date_naive(),
        };
        let occurrence = Occurrence {
            user: earning.user.clone(),
            source: earning.source,
            key: earning.key.clone(),
            role: earning.role,
            at: earning.at,
            local_day,
        };
        for _ in 0..AWARD_ATTEMPTS {
            let previous = self.store.points_account(&earning.user).await?;
            let version = previous.as_ref().map(|account| account.version);
            let mut account = previous.unwrap_or_default();
            let applied = account.apply(&occurrence);
            let notify: Vec<NewNotification> = applied
                .badges
                .iter()
                .map(|earned| NewNotification::badge_earned(&earning.user, earned.badge, earning.at))
                .collect();
            match self.store.record_points(&earning.user, &account, version, &applied, &notify, None).await? {
                Recorded::Stale => continue,
                done => {
                    if done == Recorded::Stored {
                        crate::observability::metrics::count(
                            self.clock.now(),
                            crate::observability::metrics::POINTS_AWARDED,
                        );
                    }
                    return Ok(done);
                }
            }
        }
        Err(AppError::Contended)
    }

    /// The caller's account (empty before their first points) and a page of their ledger.
    pub async fn my_points(
        &self,
        caller: &Bearer,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(PointsAccount, LedgerPage), AppError> {
        let user = &caller.member;
        let (admitted, account, ledger) = futures_util::join!(
            self.admit(caller),
            self.store.points_account(user),
            self.store.ledger(user, after, limit)
        );
        admitted?;
        Ok((account?.unwrap_or_default(), ledger?))
    }

    /// The badges a member holds, oldest first, as `viewer` reads them.
    pub async fn badges_of(&self, viewer: &Bearer, user: &UserId) -> Result<Vec<EarnedBadge>, AppError> {
        let (admitted, account) = futures_util::join!(self.admit(viewer), self.store.points_account(user));
        admitted?;
        Ok(account?.map(|account| account.badges).unwrap_or_default())
    }
}

impl<S: PointsStore + AccountStore> App<S> {
    /// An admin's correction of `points` (either sign) to `member`'s `role` boards, with a
    /// reason, written to the member's ledger like any award. Admins only.
    pub async fn correct_points(
        &self,
        admin: &Bearer,
        member: &UserId,
        points: crate::domain::gamification::PointsCorrection,
        role: crate::domain::Party,
        reason: &crate::domain::ShortText,
    ) -> Result<crate::domain::gamification::LedgerEntry, AppError> {
        if !admin.is_admin() {
            return Err(AppError::NotAllowed(ADMINS_ONLY));
        }
        let (admitted, user) = futures_util::join!(self.admit(admin), self.store.user(member));
        admitted?;
        user?.ok_or(AppError::UserNotFound)?;
        let now = self.clock.now();
        // Every correction is its own occurrence.
        let key = ulid::Ulid::from_datetime(now.into()).to_string();
        for _ in 0..AWARD_ATTEMPTS {
            let previous = self.store.points_account(member).await?;
            let version = previous.as_ref().map(|account| account.version);
            let mut account = previous.unwrap_or_default();
            let applied = account.correct(points.points(), role, now, key.clone(), reason.to_string());
            // The correction and its audit entry commit together or not at all.
            let audit = AuditEntry::new(&admin.member, AuditAction::PointsCorrected, member, now)
                .because(Reason::from(reason.clone()))
                .concerning(&key);
            match self.store.record_points(member, &account, version, &applied, &[], Some(&audit)).await? {
                Recorded::Stale => continue,
                _ => return applied.entries.into_iter().next().ok_or(AppError::Contended),
            }
        }
        Err(AppError::Contended)
    }
}
