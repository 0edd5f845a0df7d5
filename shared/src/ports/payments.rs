//! Money: the payment provider (Stripe) as the use cases need it, and what the table keeps
//! of it (payout accounts, the events already handled).

use std::future::Future;

use chrono::{DateTime, Utc};

use super::{AccountChanges, NewNotification, SessionWriteError};
use super::{BoxFuture, StoreError};
use crate::domain::payments::{Cents, PaymentEvent, PaymentEventId, PayoutAccountId, Payouts, Transaction, Wallet};
use crate::domain::{Booking, Policy, SessionId, UserId};

/// The payment provider failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// No provider is configured for this function.
    #[error("no payment provider configured")]
    NotConfigured,
    /// The provider refused the request (an error it explains).
    #[error("payment provider refused: {0}")]
    Refused(String),
    /// The provider could not be reached, or answered with something unreadable.
    #[error("payment provider unavailable: {0}")]
    Unavailable(String),
}

/// Why a webhook delivery is not believed. Nothing is written for any of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventRefusal {
    /// No signature header.
    #[error("the Stripe-Signature header is missing")]
    Unsigned,
    /// The signature does not match the body under the endpoint's secret.
    #[error("the signature does not match")]
    Forged,
    /// Signed too long ago (or too far ahead): a replay of an old delivery.
    #[error("the signature is older than the tolerance")]
    Stale,
    /// Signed, but not an event the platform can read.
    #[error("the event cannot be read: {0}")]
    Unreadable(String),
    /// This function holds no webhook secret.
    #[error("no webhook secret configured")]
    NotConfigured,
}

/// A link that takes a mentor through the provider's onboarding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnboardingLink {
    /// Where to send the mentor's browser.
    pub url: String,
    /// When the link stops working (a new one can be asked for).
    pub expires_at: DateTime<Utc>,
}

/// A payment the learner completes in their client (Stripe.js, mobile SDKs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartedPayment {
    /// The provider's payment id.
    pub id: String,
    /// What the client confirms the payment with; never stored.
    pub client_secret: String,
}

/// The provider, as the use cases need it. Boxed futures so the App holds it as a trait
/// object, like the other outside services.
pub trait PaymentProvider: Send + Sync {
    /// Opens a payout account for `member` (an Express connected account). Idempotent per
    /// member: a retry after a lost answer gets the same account, not a second one.
    fn open_payout_account<'a>(
        &'a self,
        member: &'a UserId,
        email: &'a str,
    ) -> BoxFuture<'a, Result<PayoutAccountId, PaymentError>>;

    /// A fresh onboarding link for `account`.
    fn onboarding_link<'a>(
        &'a self,
        account: &'a PayoutAccountId,
    ) -> BoxFuture<'a, Result<OnboardingLink, PaymentError>>;

    /// Starts the payment of `amount` for `session` (funds go to the platform; the
    /// mentor's share is transferred later). Idempotent per session: asking again returns
    /// the same payment, so a learner is never charged twice for one session.
    fn start_payment<'a>(
        &'a self,
        session: &'a SessionId,
        amount: Cents,
    ) -> BoxFuture<'a, Result<StartedPayment, PaymentError>>;

    /// Refunds `amount` of `payment`, once per `key` (a retry refunds nothing more); the
    /// provider's refund id.
    fn refund<'a>(
        &'a self,
        payment: &'a str,
        amount: Cents,
        key: &'a str,
    ) -> BoxFuture<'a, Result<String, PaymentError>>;

    /// Transfers `amount` of `session`'s payment to the payout account `to`, from `charge`
    /// (so the money moves once the charge's funds are available), once per session; the
    /// provider's transfer id.
    fn transfer<'a>(
        &'a self,
        session: &'a SessionId,
        to: &'a PayoutAccountId,
        amount: Cents,
        charge: Option<&'a str>,
    ) -> BoxFuture<'a, Result<String, PaymentError>>;

    /// Takes `amount` of `transfer` back from the mentor's account, once per `key`; the
    /// provider's reversal id.
    fn reverse_transfer<'a>(
        &'a self,
        transfer: &'a str,
        amount: Cents,
        key: &'a str,
    ) -> BoxFuture<'a, Result<String, PaymentError>>;

    /// Verifies a webhook delivery (`payload` exactly as received, its `Stripe-Signature`
    /// header) at `now`, and reads the event.
    fn verify_event(
        &self,
        payload: &str,
        signature: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<PaymentEvent, EventRefusal>;
}

/// Where a function has no provider: every call fails, so nothing pretends to pay.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPayments;

impl PaymentProvider for NoPayments {
    fn open_payout_account<'a>(
        &'a self,
        _: &'a UserId,
        _: &'a str,
    ) -> BoxFuture<'a, Result<PayoutAccountId, PaymentError>> {
        Box::pin(async { Err(PaymentError::NotConfigured) })
    }

    fn onboarding_link<'a>(&'a self, _: &'a PayoutAccountId) -> BoxFuture<'a, Result<OnboardingLink, PaymentError>> {
        Box::pin(async { Err(PaymentError::NotConfigured) })
    }

    fn start_payment<'a>(&'a self, _: &'a SessionId, _: Cents) -> BoxFuture<'a, Result<StartedPayment, PaymentError>> {
        Box::pin(async { Err(PaymentError::NotConfigured) })
    }

    fn refund<'a>(&'a self, _: &'a str, _: Cents, _: &'a str) -> BoxFuture<'a, Result<String, PaymentError>> {
        Box::pin(async { Err(PaymentError::NotConfigured) })
    }

    fn transfer<'a>(
        &'a self,
        _: &'a SessionId,
        _: &'a PayoutAccountId,
        _: Cents,
        _: Option<&'a str>,
    ) -> BoxFuture<'a, Result<String, PaymentError>> {
        Box::pin(async { Err(PaymentError::NotConfigured) })
    }

    fn reverse_transfer<'a>(&'a self, _: &'a str, _: Cents, _: &'a str) -> BoxFuture<'a, Result<String, PaymentError>> {
        Box::pin(async { Err(PaymentError::NotConfigured) })
    }

    fn verify_event(&self, _: &str, _: Option<&str>, _: DateTime<Utc>) -> Result<PaymentEvent, EventRefusal> {
        Err(EventRefusal::NotConfigured)
    }
}

/// A page of a member's money history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionPage {
    /// Newest first.
    pub transactions: Vec<Transaction>,
    /// Where the next page starts, when there is one.
    pub next: Option<String>,
}

/// What handling an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// Its effects were written, with the mark that it was handled, in one transaction.
    Applied,
    /// It was handled before (a retry or a replay): nothing was written.
    AlreadyHandled,
}

/// What the table keeps of payments.
pub trait PaymentStore: Send + Sync {
    /// `member`'s payout account, read strongly (a price change checks it).
    fn payouts(&self, member: &UserId) -> impl Future<Output = Result<Option<Payouts>, StoreError>> + Send;

    /// Records `member`'s new payout account and the account's owner. `Conflict("payouts")`
    /// when the member already has one.
    fn open_payouts(&self, member: &UserId, payouts: &Payouts) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Whose payout account `account` is.
    fn payout_owner(
        &self,
        account: &PayoutAccountId,
    ) -> impl Future<Output = Result<Option<UserId>, StoreError>> + Send;

    /// Marks `event` handled and, in the same transaction, replaces `member`'s payouts
    /// `previous` with `next` (`Conflict("version")` when they changed meanwhile).
    fn update_payouts(
        &self,
        event: &PaymentEventId,
        member: &UserId,
        next: &Payouts,
        previous: &Payouts,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<Handled, StoreError>> + Send;

    /// Marks `event` handled and, in the same transaction, saves the session change it
    /// caused, with the money it moved (as [`super::SessionStore::save_session`] does).
    #[allow(clippy::too_many_arguments)]
    fn save_session_on_event(
        &self,
        event: &PaymentEventId,
        kind: &str,
        at: DateTime<Utc>,
        next: &Booking,
        previous: &Booking,
        policy: &Policy,
        notify: &[NewNotification],
        accounts: &AccountChanges,
    ) -> impl Future<Output = Result<Handled, SessionWriteError>> + Send;

    /// The session the provider's `payment` paid for, once its money arrived.
    fn session_of_payment(&self, payment: &str) -> impl Future<Output = Result<Option<SessionId>, StoreError>> + Send;

    /// A page of `member`'s money history, newest first.
    fn transactions(
        &self,
        member: &UserId,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<TransactionPage, StoreError>> + Send;

    /// `member`'s wallet totals, read strongly.
    fn wallet(&self, member: &UserId) -> impl Future<Output = Result<Wallet, StoreError>> + Send;

    /// Marks `event` handled with nothing else to write (an event the platform ignores).
    fn mark_handled(
        &self,
        event: &PaymentEventId,
        kind: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<Handled, StoreError>> + Send;
}
