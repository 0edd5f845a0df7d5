//! Mentor listings and blocks: what matching and search read.

use std::collections::HashSet;
use std::future::Future;

use chrono::{DateTime, Utc};

use super::StoreError;
use crate::domain::{MentorCard, SkillName, UserId};

/// Which listing to read candidates from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// Mentors with this skill.
    Skill(SkillName),
    /// Every listed mentor.
    AllMentors,
}

/// The order a listing is read in; the first `cap` in this order are the candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingOrder {
    /// Best Bayesian rating first.
    Rank,
    /// Cheapest first.
    PriceAsc,
    /// Most expensive first.
    PriceDesc,
}

/// Listed mentors and members' blocks: what matching and search read.
pub trait MentorDirectory: Send + Sync {
    /// Up to `cap` listed mentors in `listing`, in `order`.
    fn listed(
        &self,
        listing: &Listing,
        order: ListingOrder,
        cap: usize,
    ) -> impl Future<Output = Result<Vec<MentorCard>, StoreError>> + Send;

    /// The members on the other side of a block with `member`: those `member` blocked and
    /// those who blocked `member` (a block hides both ways).
    fn blocks_with(&self, member: &UserId) -> impl Future<Output = Result<HashSet<UserId>, StoreError>> + Send;

    /// Records that `blocker` blocked `blocked` (idempotent).
    fn block(
        &self,
        blocker: &UserId,
        blocked: &UserId,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Removes a block (idempotent).
    fn unblock(&self, blocker: &UserId, blocked: &UserId) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Whether either of `a` and `b` has blocked the other (a block works both ways).
    fn blocked_between(&self, a: &UserId, b: &UserId) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
