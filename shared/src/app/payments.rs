//! Payments: a mentor's payout onboarding, and what Stripe's webhooks tell the platform.

use super::{App, AppError, admitted};
use crate::domain::payments::{Happening, PaymentEvent, PayoutStatus, Payouts};
use crate::domain::{Bearer, Role};
use crate::ports::{AccountStore, EventRefusal, Handled, OnboardingLink, PaymentError, PaymentStore, StoreError};

/// Optimistic writes retry this often before giving up (the provider retries the event).
const SAVE_ATTEMPTS: usize = 3;

impl From<PaymentError> for AppError {
    fn from(error: PaymentError) -> Self {
        AppError::Payments(error)
    }
}

impl From<EventRefusal> for AppError {
    fn from(refusal: EventRefusal) -> Self {
        AppError::EventRefused(refusal)
    }
}

impl<S: AccountStore + PaymentStore> App<S> {
    /// Starts, or continues, the caller's payout onboarding: opens their payout account on
    /// the first call and returns a fresh onboarding link on every call (links are single
    /// use and short-lived). Only mentors are paid.
    pub async fn start_payout_onboarding(&self, caller: &Bearer) -> Result<(PayoutStatus, OnboardingLink), AppError> {
        let (user, existing) = futures_util::join!(self.store.user(&caller.member), self.store.payouts(&caller.member));
        let user = admitted(user?, caller)?;
        if !user.roles.contains(Role::Mentor) {
            return Err(AppError::NotAllowed("Only mentors are paid."));
        }
        let payouts = match existing? {
            Some(payouts) => payouts,
            None => {
                // Idempotent per member at the provider, so two racing calls open one account.
                let account = self.payments.open_payout_account(&user.id, user.email.as_str()).await?;
                let opened = Payouts::opened(account);
                match self.store.open_payouts(&user.id, &opened).await {
                    Ok(()) => opened,
                    Err(StoreError::Conflict(_)) => self.store.payouts(&user.id).await?.ok_or(AppError::Contended)?,
                    Err(error) => return Err(error.into()),
                }
            }
        };
        let link = self.payments.onboarding_link(&payouts.account).await?;
        Ok((payouts.status(), link))
    }

    /// Where the caller's payouts stand.
    pub async fn my_payouts(&self, caller: &Bearer) -> Result<PayoutStatus, AppError> {
        let (admitted, payouts) = futures_util::join!(self.admit(caller), self.store.payouts(&caller.member));
        admitted?;
        Ok(payouts?.map_or(PayoutStatus::NotStarted, |payouts| payouts.status()))
    }
}

impl<S: PaymentStore> App<S> {
    /// Acts on one webhook delivery: `payload` exactly as received and its
    /// `Stripe-Signature`. A delivery that is not believed writes nothing; an event handled
    /// before (a retry or a replay) writes nothing either.
    pub async fn hear_payment_event(&self, payload: &str, signature: Option<&str>) -> Result<Handled, AppError> {
        let now = self.clock.now();
        let event = self.payments.verify_event(payload, signature, now)?;
        let PaymentEvent { id, created, happening } = event;
        match happening {
            Happening::PayoutAccountUpdated { account, charges_enabled, payouts_enabled } => {
                // The account is recorded right after Stripe opens it; an update that beats
                // that write is answered 503, and Stripe delivers it again.
                let member = self.store.payout_owner(&account).await?.ok_or(AppError::PaymentsNotReady)?;
                for _ in 0..SAVE_ATTEMPTS {
                    let previous = self.store.payouts(&member).await?.ok_or(AppError::PaymentsNotReady)?;
                    let Some(next) = previous.updated(charges_enabled, payouts_enabled, created) else {
                        // Older than what is recorded: only remember that it was heard.
                        return Ok(self.store.mark_handled(&id, "account.updated", now).await?);
                    };
                    match self.store.update_payouts(&id, &member, &next, &previous, now).await {
                        Err(StoreError::Conflict(_)) => continue,
                        handled => return Ok(handled?),
                    }
                }
                Err(AppError::Contended)
            }
            other => Ok(self.store.mark_handled(&id, other.kind(), now).await?),
        }
    }
}
