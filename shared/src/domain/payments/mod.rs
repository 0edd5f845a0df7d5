//! Money: what a paid session costs, how it splits between the platform and the mentor,
//! what a cancellation refunds, and the double-entry ledger every movement is written to.
//! Pure arithmetic on whole cents; no Stripe types (the adapter maps these to its calls).

pub mod cents;
pub mod fee;
pub mod ledger;
pub mod refund;

pub use cents::Cents;
pub use fee::{FeePercent, Split, session_charge};
pub use ledger::{Balances, EarningStage, LedgerAccount, LedgerEntry, Movement, Posting, Unbalanced};
pub use refund::{Cancellation, FULL_REFUND_NOTICE, LateCancelPolicy, refund_percent};
