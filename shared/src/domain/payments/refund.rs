//! Refunds by notice: one pure rule for what a called-off paid session gives back.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::domain::Invalid;

/// A learner who cancels at least this long before the start gets everything back.
pub const FULL_REFUND_NOTICE: Duration = Duration::hours(24);

/// What a mentor refunds when a learner cancels later than [`FULL_REFUND_NOTICE`]: set on
/// the mentor's profile, one of three values so learners can compare mentors at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum LateCancelPolicy {
    /// Nothing back: the mentor kept the time free.
    #[default]
    NoRefund,
    /// Half back.
    HalfRefund,
    /// Everything back, however late.
    FullRefund,
}

impl LateCancelPolicy {
    /// The percent refunded: 0, 50 or 100.
    pub fn percent(self) -> u8 {
        match self {
            Self::NoRefund => 0,
            Self::HalfRefund => 50,
            Self::FullRefund => 100,
        }
    }

    /// The policy refunding `percent`: only 0, 50 or 100.
    pub fn from_percent(percent: u8) -> Result<Self, Invalid> {
        match percent {
            0 => Ok(Self::NoRefund),
            50 => Ok(Self::HalfRefund),
            100 => Ok(Self::FullRefund),
            _ => Err(Invalid::new("must be 0, 50 or 100")),
        }
    }
}

impl TryFrom<u8> for LateCancelPolicy {
    type Error = Invalid;

    fn try_from(percent: u8) -> Result<Self, Invalid> {
        Self::from_percent(percent)
    }
}

impl From<LateCancelPolicy> for u8 {
    fn from(policy: LateCancelPolicy) -> u8 {
        policy.percent()
    }
}

/// How a paid, confirmed session ended without taking place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancellation {
    /// The learner cancelled `notice` before the start (negative: after it).
    ByLearner {
        /// Start minus the time of cancelling.
        notice: Duration,
    },
    /// The mentor cancelled, at any time.
    ByMentor,
    /// The mentor did not show up.
    MentorNoShow,
    /// The learner did not show up.
    LearnerNoShow,
}

/// The percent of the charge a `cancellation` refunds under the mentor's `policy`:
/// a learner's cancellation with at least [`FULL_REFUND_NOTICE`] gets 100, a later one the
/// mentor's late-cancel policy; a mentor's cancellation or no-show 100; a learner's no-show 0.
pub fn refund_percent(cancellation: Cancellation, policy: LateCancelPolicy) -> u8 {
    match cancellation {
        Cancellation::ByLearner { notice } if notice >= FULL_REFUND_NOTICE => 100,
        Cancellation::ByLearner { .. } => policy.percent(),
        Cancellation::ByMentor | Cancellation::MentorNoShow => 100,
        Cancellation::LearnerNoShow => 0,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_refund_table() {
        use Cancellation::*;
        use LateCancelPolicy::*;
        let hours = Duration::hours;
        let seconds = Duration::seconds;
        // (how it ended, the mentor's policy) -> percent back
        let table = [
            (ByLearner { notice: hours(72) }, NoRefund, 100),
            (ByLearner { notice: hours(24) }, NoRefund, 100),
            (ByLearner { notice: hours(24) - seconds(1) }, NoRefund, 0),
            (ByLearner { notice: hours(24) - seconds(1) }, HalfRefund, 50),
            (ByLearner { notice: hours(24) - seconds(1) }, FullRefund, 100),
            (ByLearner { notice: hours(1) }, HalfRefund, 50),
            (ByLearner { notice: Duration::zero() }, HalfRefund, 50),
            (ByLearner { notice: -hours(1) }, NoRefund, 0),
            (ByMentor, NoRefund, 100),
            (ByMentor, HalfRefund, 100),
            (MentorNoShow, NoRefund, 100),
            (LearnerNoShow, FullRefund, 0),
            (LearnerNoShow, NoRefund, 0),
        ];
        for (cancellation, policy, expected) in table {
            assert_eq!(refund_percent(cancellation, policy), expected, "{cancellation:?} under {policy:?}");
        }
    }

    #[test]
    fn a_policy_is_zero_fifty_or_a_hundred_percent() {
        for policy in [LateCancelPolicy::NoRefund, LateCancelPolicy::HalfRefund, LateCancelPolicy::FullRefund] {
            assert_eq!(LateCancelPolicy::from_percent(policy.percent()).unwrap(), policy);
            assert_eq!(serde_json::to_string(&policy).unwrap(), policy.percent().to_string());
        }
        assert_eq!(LateCancelPolicy::from_percent(25).unwrap_err().reason(), "must be 0, 50 or 100");
        assert!(serde_json::from_str::<LateCancelPolicy>("75").is_err());
    }

    proptest! {
        #[test]
        fn more_notice_never_refunds_less(earlier in -100_000i64..200_000, later in -100_000i64..200_000, percent in prop::sample::select(vec![0u8, 50, 100])) {
            let policy = LateCancelPolicy::from_percent(percent).unwrap();
            let (short, long) = (earlier.min(later), earlier.max(later));
            let refund = |minutes| refund_percent(Cancellation::ByLearner { notice: Duration::minutes(minutes) }, policy);
            prop_assert!(refund(long) >= refund(short));
        }
    }
}
