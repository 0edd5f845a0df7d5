//! Payments: a mentor's payout onboarding, and what Stripe's webhooks tell the platform.

use chrono::{DateTime, Utc};

use super::sessions::write_error;
use super::{App, AppError, admitted};
use crate::domain::payments::{Cents, Happening, PaymentEvent, PaymentEventId, PayoutStatus, Payouts, Wallet};
use crate::domain::{Actor, Bearer, Booking, Move, Party, Role, SessionId, SessionState};
use crate::ports::{
    AccountChanges, AccountStore, EventRefusal, Handled, NewNotification, OnboardingLink, PaymentError, PaymentStore,
    SessionStore, SessionWriteError, StoreError, TransactionPage,
};

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

    /// The caller's wallet: what they spent, and what they earned by stage.
    pub async fn my_wallet(&self, caller: &Bearer) -> Result<Wallet, AppError> {
        let (admitted, wallet) = futures_util::join!(self.admit(caller), self.store.wallet(&caller.member));
        admitted?;
        Ok(wallet?)
    }

    /// A page of the caller's money history, newest first.
    pub async fn my_transactions(
        &self,
        caller: &Bearer,
        after: Option<&str>,
        limit: usize,
    ) -> Result<TransactionPage, AppError> {
        let (admitted, page) =
            futures_util::join!(self.admit(caller), self.store.transactions(&caller.member, after, limit));
        admitted?;
        Ok(page?)
    }

    /// Where the caller's payouts stand.
    pub async fn my_payouts(&self, caller: &Bearer) -> Result<PayoutStatus, AppError> {
        let (admitted, payouts) = futures_util::join!(self.admit(caller), self.store.payouts(&caller.member));
        admitted?;
        Ok(payouts?.map_or(PayoutStatus::NotStarted, |payouts| payouts.status()))
    }
}

impl<S: AccountStore + SessionStore + PaymentStore> App<S> {
    /// The learner pays for an accepted paid session: the session's one payment at the
    /// provider (started on the first call, the same on every later one) and the secret
    /// their client confirms it with. The session is confirmed when the provider says the
    /// money arrived, not here.
    pub async fn pay_for_session(&self, caller: &Bearer, id: &SessionId) -> Result<(Booking, String), AppError> {
        self.admit(caller).await?;
        let refused = |refused: crate::domain::MoveRefused| AppError::Refused {
            state: refused.state.as_str(),
            reason: refused.reason,
        };
        for _ in 0..SAVE_ATTEMPTS {
            // Admins see every session but pay for none: they are not its learner.
            let current = self.session_visible_to(&caller.member, caller.is_admin(), id).await?;
            let actor = current.party_of(&caller.member).map_or(Actor::Admin, Actor::Participant);
            let now = self.clock.now();
            // The refusals first, so nothing is started at the provider for a session that
            // cannot be paid.
            current.paying(actor, "", now).map_err(refused)?;
            let started = self.payments.start_payment(&current.id, current.charge).await?;
            let next = current.paying(actor, &started.id, now).map_err(refused)?;
            if next == current {
                return Ok((current, started.client_secret));
            }
            let nothing = AccountChanges::default();
            match self.store.save_session(&next, &current, &self.policy, &[], &nothing).await {
                Ok(()) => return Ok((next, started.client_secret)),
                Err(SessionWriteError::Stale) => continue,
                Err(error) => return Err(write_error(error)),
            }
        }
        Err(AppError::Contended)
    }

    /// The provider says `payment` (`amount`) arrived for `session`: the accepted session is
    /// confirmed, with the event's mark, in one transaction. Money for a session that no
    /// longer waits for it (expired, cancelled) goes back in full.
    async fn payment_arrived(
        &self,
        event: &PaymentEventId,
        now: DateTime<Utc>,
        payment: String,
        charge: Option<String>,
        amount: Cents,
        session: Option<String>,
    ) -> Result<Handled, AppError> {
        const KIND: &str = "payment_intent.succeeded";
        let Some(id) = session.as_deref().and_then(|raw| SessionId::parse(raw).ok()) else {
            // Not a session's payment: nothing of ours to confirm.
            return Ok(self.store.mark_handled(event, KIND, now).await?);
        };
        for _ in 0..SAVE_ATTEMPTS {
            let Some(current) = self.store.session(&id).await? else {
                return Ok(self.store.mark_handled(event, KIND, now).await?);
            };
            let moved = current.apply(
                Actor::System,
                Move::Paid { payment: payment.clone(), charge: charge.clone() },
                now,
                &self.policy,
            );
            let Ok((mut next, effect)) = moved else {
                let confirmed_by_it = current.state == SessionState::Confirmed
                    && current.payment.as_ref().is_some_and(|paid| paid.id == payment);
                if !confirmed_by_it {
                    self.payments.refund(&payment, amount, &format!("unheld-{payment}")).await?;
                }
                return Ok(self.store.mark_handled(event, KIND, now).await?);
            };
            if next.meeting_link.is_none() {
                next.meeting_link = Some(self.rooms.room_for(&next).map_err(AppError::Crypto)?);
            }
            let notify: Vec<NewNotification> = [Party::Learner, Party::Mentor]
                .into_iter()
                .filter_map(|party| {
                    let to = if party == Party::Learner { &next.learner } else { &next.mentor };
                    NewNotification::session_moved(&current, &next, to)
                })
                .collect();
            let accounts = self.account_changes(&current, &next, &effect).await?;
            // The charge's ledger entry is derived from the change and written with it.
            match self
                .store
                .save_session_on_event(event, KIND, now, &next, &current, &self.policy, &notify, &accounts)
                .await
            {
                Err(SessionWriteError::Stale) => continue,
                handled => return handled.map_err(write_error),
            }
        }
        Err(AppError::Contended)
    }

    /// The learner's bank opened (`closed` = `None`) or decided (`Some(won)`) `dispute` on
    /// `payment`: the session's money follows, with the event's mark, in one transaction,
    /// and the mentor is told. Opening one is counted (`DisputesOpened`), which alarms the
    /// people who run the platform: they answer the bank with the session's evidence.
    async fn dispute_changed(
        &self,
        event: &PaymentEventId,
        now: DateTime<Utc>,
        dispute: &str,
        payment: Option<&str>,
        closed: Option<bool>,
    ) -> Result<Handled, AppError> {
        let kind = if closed.is_some() { "charge.dispute.closed" } else { "charge.dispute.created" };
        let session = match payment {
            Some(payment) => self.store.session_of_payment(payment).await?,
            None => None,
        };
        // Not a session's payment: nothing of ours is disputed.
        let Some(id) = session else { return Ok(self.store.mark_handled(event, kind, now).await?) };
        for _ in 0..SAVE_ATTEMPTS {
            let Some(current) = self.store.session(&id).await? else {
                return Ok(self.store.mark_handled(event, kind, now).await?);
            };
            let next = match closed {
                None => current.dispute_opened(dispute.to_owned(), now),
                Some(won) => current.dispute_closed(dispute, won, now),
            };
            // Recorded already (another delivery of the same news): only remember it was heard.
            let Some(next) = next else { return Ok(self.store.mark_handled(event, kind, now).await?) };
            let notify = [NewNotification::dispute_changed(&next, closed, now)];
            let nothing = AccountChanges::default();
            match self
                .store
                .save_session_on_event(event, kind, now, &next, &current, &self.policy, &notify, &nothing)
                .await
            {
                Err(SessionWriteError::Stale) => continue,
                Ok(Handled::Applied) if closed.is_none() => {
                    crate::observability::metrics::count(now, crate::observability::metrics::DISPUTES_OPENED);
                    return Ok(Handled::Applied);
                }
                handled => return handled.map_err(write_error),
            }
        }
        Err(AppError::Contended)
    }

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
            Happening::PaymentSucceeded { payment, charge, amount, session } => {
                self.payment_arrived(&id, now, payment, charge, amount, session).await
            }
            Happening::DisputeOpened { dispute, payment } => {
                self.dispute_changed(&id, now, &dispute, payment.as_deref(), None).await
            }
            Happening::DisputeClosed { dispute, payment, won } => {
                self.dispute_changed(&id, now, &dispute, payment.as_deref(), Some(won)).await
            }
            // The learner may try again with the same payment while the session waits.
            other => Ok(self.store.mark_handled(&id, other.kind(), now).await?),
        }
    }
}
