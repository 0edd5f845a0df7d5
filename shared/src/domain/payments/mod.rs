//! Money: what a paid session costs, how it splits between the platform and the mentor,
//! what a cancellation refunds, the double-entry ledger every movement is written to, and
//! the mentor's payout account. Pure arithmetic on whole cents; no Stripe types (the
//! adapter maps these to its calls).

pub mod cents;
pub mod currency;
pub mod event;
pub mod fee;
pub mod figures;
pub mod ledger;
pub mod payout_account;
pub mod refund;
pub mod settlement;
pub mod transaction;

pub use cents::Cents;
pub use currency::Currency;
pub use event::{Happening, PaymentEvent, PaymentEventId};
pub use fee::{FeePercent, Split, session_charge};
pub use figures::{MoneyFigure, MoneyMoves, PaymentFigures};
pub use ledger::{Balances, EarningStage, LedgerAccount, LedgerEntry, Movement, Posting, Unbalanced, Wallet};
pub use payout_account::{PayoutAccountId, PayoutStatus, Payouts};
pub use refund::{Cancellation, FULL_REFUND_NOTICE, LateCancelPolicy, refund_percent};
pub use settlement::{DisputeStatus, MoneyStep, SessionDispute, SessionRefund, money_moved};
pub use transaction::Transaction;
