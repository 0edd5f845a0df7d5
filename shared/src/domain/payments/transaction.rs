//! A member's money history: what each ledger entry did to their wallet, one line per
//! entry and member, newest first in GET /me/transactions.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{LedgerEntry, Movement};
use crate::domain::{SessionId, UserId};

/// One line of a member's money history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Transaction {
    /// What moved: `charged`, `refunded`, `released`, `transferred_out`, `dispute_opened`,
    /// `dispute_won` or `dispute_lost`.
    pub kind: String,
    /// The session it was for.
    pub session: SessionId,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// How each line of the member's wallet moved, in cents (`spent_cents`,
    /// `pending_cents`, `available_cents`, `paid_out_cents`, `held_cents`); a line that
    /// did not move is left out.
    pub changes: BTreeMap<String, i64>,
}

impl Movement {
    /// The movement's kind, as a member's history names it.
    pub const fn kind(&self) -> &'static str {
        match self {
            Movement::Charged { .. } => "charged",
            Movement::Released { .. } => "released",
            Movement::TransferredOut { .. } => "transferred_out",
            Movement::Refunded { .. } => "refunded",
            Movement::DisputeOpened { .. } => "dispute_opened",
            Movement::DisputeWon { .. } => "dispute_won",
            Movement::DisputeLost { .. } => "dispute_lost",
        }
    }
}

impl LedgerEntry {
    /// The history line of each member this entry moved money for (the platform's own
    /// account has none), for `session` at `at`. An entry that moved nothing of a member's
    /// (a zero amount) gives them no line.
    pub fn transactions(&self, session: &SessionId, at: DateTime<Utc>) -> Vec<(UserId, Transaction)> {
        let mut by_member: BTreeMap<&UserId, BTreeMap<String, i64>> = BTreeMap::new();
        for posting in &self.postings {
            if let Some((member, line, sign)) = posting.account.wallet_line() {
                *by_member.entry(member).or_default().entry(format!("{line}_cents")).or_default() +=
                    posting.amount * sign;
            }
        }
        by_member
            .into_iter()
            .filter_map(|(member, mut changes)| {
                changes.retain(|_, by| *by != 0);
                (!changes.is_empty()).then(|| {
                    let line =
                        Transaction { kind: self.movement.kind().to_owned(), session: session.clone(), at, changes };
                    (member.clone(), line)
                })
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use ulid::Ulid;

    use super::*;
    use crate::domain::payments::{Cents, EarningStage, FeePercent, Split};

    #[test]
    fn each_member_sees_what_moved_in_their_wallet() {
        let (learner, mentor, session) = (UserId::new(Ulid(1)), UserId::new(Ulid(2)), SessionId::new(Ulid(3)));
        let at = DateTime::UNIX_EPOCH;
        let split = Split::of(Cents::new(6000), FeePercent::DEFAULT);
        let charged = LedgerEntry::of(Movement::Charged {
            session: session.clone(),
            learner: learner.clone(),
            mentor: mentor.clone(),
            split,
        })
        .unwrap();
        let lines = charged.transactions(&session, at);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].0, learner);
        assert_eq!(lines[0].1.kind, "charged");
        assert_eq!(lines[0].1.changes, BTreeMap::from([("spent_cents".to_owned(), 6000)]));
        assert_eq!(lines[1].0, mentor);
        assert_eq!(lines[1].1.changes, BTreeMap::from([("pending_cents".to_owned(), 5100)]));

        let released = LedgerEntry::of(Movement::Released {
            session: session.clone(),
            mentor: mentor.clone(),
            earning: split.earning,
        })
        .unwrap();
        let lines = released.transactions(&session, at);
        assert_eq!(
            lines[0].1.changes,
            BTreeMap::from([("available_cents".to_owned(), 5100), ("pending_cents".to_owned(), -5100)])
        );

        let nothing_held = LedgerEntry::of(Movement::DisputeOpened {
            dispute: "dp_1".into(),
            mentor,
            earning: Cents::ZERO,
            from: EarningStage::PaidOut,
        })
        .unwrap();
        assert_eq!(nothing_held.transactions(&session, at), vec![]);
    }
}
