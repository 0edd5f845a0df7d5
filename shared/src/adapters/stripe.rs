//! The payment provider over Stripe's API (async-stripe): Connect accounts and onboarding
//! links, and the verification of signed webhooks. Locally the same client talks to the
//! stand-in in front of localstripe (infra/stripe), through `STRIPE_API_BASE`.

use chrono::{DateTime, TimeZone, Utc};
use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError};
use stripe_connect::account::{
    CreateAccount, CreateAccountCapabilities, CreateAccountCapabilitiesTransfers, CreateAccountType,
};
use stripe_connect::account_link::{CreateAccountLink, CreateAccountLinkType};
use stripe_connect::transfer::CreateTransfer;
use stripe_connect::transfer_reversal::CreateIdTransferReversal;
use stripe_core::payment_intent::CreatePaymentIntent;
use stripe_core::refund::CreateRefund;
use stripe_webhook::{EventObject, Webhook, WebhookError};

use crate::domain::payments::{Cents, Currency, Happening, PaymentEvent, PaymentEventId, PayoutAccountId};
use crate::domain::{SessionId, UserId};
use crate::ports::{BoxFuture, EventRefusal, OnboardingLink, PaymentError, PaymentProvider, StartedPayment};

/// Where onboarding sends the mentor back to, under the web app's origin.
const ONBOARDING_DONE: &str = "/payouts/done";
/// Where an expired or used onboarding link sends the mentor, to ask for a fresh one.
const ONBOARDING_AGAIN: &str = "/payouts/again";

/// The Stripe account the platform runs on.
pub struct StripeApi {
    client: Option<Client>,
    currency: stripe_types::Currency,
    webhook_secret: Option<String>,
    web_app: String,
}

impl std::fmt::Debug for StripeApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the keys.
        f.debug_struct("StripeApi").field("web_app", &self.web_app).finish_non_exhaustive()
    }
}

impl StripeApi {
    /// The API under `secret_key` (at `api_base` when set: the local stand-in), and webhooks
    /// signed with `webhook_secret`; either may be absent where a function does not need it.
    /// Building the client makes no connection.
    pub fn new(
        secret_key: Option<&str>,
        webhook_secret: Option<&str>,
        api_base: Option<&str>,
        web_app: &str,
    ) -> Result<Self, PaymentError> {
        let client = secret_key
            .map(|key| {
                let builder = ClientBuilder::new(key);
                match api_base {
                    Some(base) => builder.url(base),
                    None => builder,
                }
                .build()
                .map_err(|error| PaymentError::Unavailable(error.to_string()))
            })
            .transpose()?;
        Ok(Self {
            client,
            currency: stripe_types::Currency::USD,
            webhook_secret: webhook_secret.map(str::to_owned),
            web_app: web_app.trim_end_matches('/').to_owned(),
        })
    }

    /// The same account, charging and paying out in `currency` (USD unless told).
    pub fn in_currency(self, currency: Currency) -> Self {
        // Infallible: an unknown code would only become Stripe's `Unknown`, and `Currency`
        // holds supported codes only.
        let currency = currency.as_str().parse().unwrap_or(stripe_types::Currency::USD);
        Self { currency, ..self }
    }

    fn client(&self) -> Result<&Client, PaymentError> {
        self.client.as_ref().ok_or(PaymentError::NotConfigured)
    }
}

/// Stripe keeps an idempotency key's answer for 24 hours: within that, a retry gets the
/// first answer instead of a second object.
fn once(key: String) -> Result<RequestStrategy, PaymentError> {
    IdempotencyKey::new(key).map(RequestStrategy::Idempotent).map_err(|error| PaymentError::Refused(error.to_string()))
}

fn failure(error: StripeError) -> PaymentError {
    match error {
        StripeError::Stripe(api, status) if (400..500).contains(&status) && status != 429 => {
            PaymentError::Refused(api.message.clone().unwrap_or_else(|| format!("{} ({status})", api.type_.as_str())))
        }
        other => PaymentError::Unavailable(other.to_string()),
    }
}

/// The event types the platform acts on: one of these that cannot be read is refused (and
/// Stripe retries it, which the errors alarm shows); anything else is acknowledged.
const ACTED_ON: [&str; 5] = [
    "account.updated",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "charge.dispute.created",
    "charge.dispute.closed",
];

/// A genuine event whose object the SDK could not read (Stripe added fields or changed a
/// shape the platform does not use): acknowledged when the platform ignores its type, so
/// an API upgrade never makes Stripe retry, and then disable, the endpoint.
fn unread(payload: &str, reason: String) -> Result<PaymentEvent, EventRefusal> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        id: String,
        #[serde(rename = "type")]
        kind: String,
        created: i64,
    }
    let envelope: Envelope = serde_json::from_str(payload).map_err(|_| EventRefusal::Unreadable(reason.clone()))?;
    if ACTED_ON.contains(&envelope.kind.as_str()) {
        return Err(EventRefusal::Unreadable(reason));
    }
    let id = PaymentEventId::parse(&envelope.id)
        .map_err(|invalid| EventRefusal::Unreadable(format!("id {}", invalid.reason())))?;
    Ok(PaymentEvent { id, created: instant(envelope.created), happening: Happening::Other { kind: envelope.kind } })
}

/// An amount as Stripe's integer of the currency's smallest unit.
fn minor_units(amount: Cents) -> Result<i64, PaymentError> {
    i64::try_from(amount.get()).map_err(|_| PaymentError::Refused("amount too large".into()))
}

fn instant(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(seconds, 0).single().unwrap_or(DateTime::<Utc>::MIN_UTC)
}

impl PaymentProvider for StripeApi {
    fn open_payout_account<'a>(
        &'a self,
        member: &'a UserId,
        email: &'a str,
    ) -> BoxFuture<'a, Result<PayoutAccountId, PaymentError>> {
        Box::pin(async move {
            use stripe::StripeRequest;
            let client = self.client()?;
            // Separate charges and transfers: the platform takes the payment, the mentor's
            // account only receives transfers.
            let mut capabilities = CreateAccountCapabilities::new();
            capabilities.transfers = Some(CreateAccountCapabilitiesTransfers { requested: Some(true) });
            let account = CreateAccount::new()
                .type_(CreateAccountType::Express)
                .email(email)
                .capabilities(capabilities)
                .metadata(std::collections::HashMap::from([("member".to_owned(), member.to_string())]))
                .customize()
                .request_strategy(once(format!("payout-account-{member}"))?)
                .send(client)
                .await
                .map_err(failure)?;
            PayoutAccountId::parse(account.id.as_str())
                .map_err(|invalid| PaymentError::Unavailable(format!("account id: {}", invalid.reason())))
        })
    }

    fn onboarding_link<'a>(
        &'a self,
        account: &'a PayoutAccountId,
    ) -> BoxFuture<'a, Result<OnboardingLink, PaymentError>> {
        Box::pin(async move {
            let link = CreateAccountLink::new(account.as_str(), CreateAccountLinkType::AccountOnboarding)
                .refresh_url(format!("{}{ONBOARDING_AGAIN}", self.web_app))
                .return_url(format!("{}{ONBOARDING_DONE}", self.web_app))
                .send(self.client()?)
                .await
                .map_err(failure)?;
            Ok(OnboardingLink { url: link.url, expires_at: instant(link.expires_at) })
        })
    }

    fn start_payment<'a>(
        &'a self,
        session: &'a SessionId,
        amount: Cents,
    ) -> BoxFuture<'a, Result<StartedPayment, PaymentError>> {
        Box::pin(async move {
            use stripe::StripeRequest;
            let intent = CreatePaymentIntent::new(minor_units(amount)?, self.currency.clone())
                .metadata(std::collections::HashMap::from([("session".to_owned(), session.to_string())]))
                // Transfers to the mentor name the session, so Stripe's reports tie them together.
                .transfer_group(session.to_string())
                .customize()
                .request_strategy(once(format!("session-payment-{session}"))?)
                .send(self.client()?)
                .await
                .map_err(failure)?;
            let client_secret =
                intent.client_secret.ok_or_else(|| PaymentError::Unavailable("no client secret returned".into()))?;
            Ok(StartedPayment { id: intent.id.as_str().to_owned(), client_secret })
        })
    }

    fn refund<'a>(
        &'a self,
        payment: &'a str,
        amount: Cents,
        key: &'a str,
    ) -> BoxFuture<'a, Result<String, PaymentError>> {
        Box::pin(async move {
            use stripe::StripeRequest;
            let refund = CreateRefund::new()
                .payment_intent(payment)
                .amount(minor_units(amount)?)
                .customize()
                .request_strategy(once(key.to_owned())?)
                .send(self.client()?)
                .await
                .map_err(failure)?;
            Ok(refund.id.as_str().to_owned())
        })
    }

    fn transfer<'a>(
        &'a self,
        session: &'a SessionId,
        to: &'a PayoutAccountId,
        amount: Cents,
        charge: Option<&'a str>,
    ) -> BoxFuture<'a, Result<String, PaymentError>> {
        Box::pin(async move {
            use stripe::StripeRequest;
            let mut transfer = CreateTransfer::new(self.currency.clone(), to.as_str())
                .amount(minor_units(amount)?)
                .transfer_group(session.to_string())
                .metadata(std::collections::HashMap::from([("session".to_owned(), session.to_string())]));
            if let Some(charge) = charge {
                // From the session's charge: the transfer waits for the charge's funds
                // instead of failing on an empty platform balance.
                transfer = transfer.source_transaction(charge);
            }
            let transfer = transfer
                .customize()
                .request_strategy(once(format!("session-transfer-{session}"))?)
                .send(self.client()?)
                .await
                .map_err(failure)?;
            Ok(transfer.id.as_str().to_owned())
        })
    }

    fn reverse_transfer<'a>(
        &'a self,
        transfer: &'a str,
        amount: Cents,
        key: &'a str,
    ) -> BoxFuture<'a, Result<String, PaymentError>> {
        Box::pin(async move {
            use stripe::StripeRequest;
            let reversal = CreateIdTransferReversal::new(transfer)
                .amount(minor_units(amount)?)
                .customize()
                .request_strategy(once(key.to_owned())?)
                .send(self.client()?)
                .await
                .map_err(failure)?;
            Ok(reversal.id.as_str().to_owned())
        })
    }

    fn verify_event(
        &self,
        payload: &str,
        signature: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<PaymentEvent, EventRefusal> {
        let secret = self.webhook_secret.as_deref().ok_or(EventRefusal::NotConfigured)?;
        let signature = signature.ok_or(EventRefusal::Unsigned)?;
        // Stripe's tolerance is 300 s either way; checked against the function's clock.
        let event = match Webhook::construct_event_with_timestamp(payload, signature, secret, now.timestamp()) {
            Ok(event) => event,
            Err(WebhookError::BadSignature | WebhookError::BadHeader(_) | WebhookError::BadKey) => {
                return Err(EventRefusal::Forged);
            }
            Err(WebhookError::BadTimestamp(_)) => return Err(EventRefusal::Stale),
            // Only reached once signature and time held: the event is genuine, but this SDK
            // version cannot type its object.
            Err(WebhookError::BadParse(reason)) => return unread(payload, reason),
        };
        let id = PaymentEventId::parse(event.id.as_str())
            .map_err(|invalid| EventRefusal::Unreadable(format!("id {}", invalid.reason())))?;
        let happening = match event.data.object {
            EventObject::AccountUpdated(account) => Happening::PayoutAccountUpdated {
                account: PayoutAccountId::parse(account.id.as_str())
                    .map_err(|invalid| EventRefusal::Unreadable(format!("account {}", invalid.reason())))?,
                charges_enabled: account.charges_enabled.unwrap_or(false),
                payouts_enabled: account.payouts_enabled.unwrap_or(false),
            },
            EventObject::PaymentIntentSucceeded(intent) => Happening::PaymentSucceeded {
                payment: intent.id.as_str().to_owned(),
                charge: intent.latest_charge.as_ref().map(|charge| charge.id().as_str().to_owned()),
                amount: Cents::new(u64::try_from(intent.amount_received).unwrap_or(0)),
                session: intent.metadata.get("session").cloned(),
            },
            EventObject::PaymentIntentPaymentFailed(intent) => Happening::PaymentFailed {
                payment: intent.id.as_str().to_owned(),
                session: intent.metadata.get("session").cloned(),
            },
            EventObject::ChargeDisputeCreated(dispute) => Happening::DisputeOpened {
                dispute: dispute.id.as_str().to_owned(),
                payment: dispute.payment_intent.as_ref().map(|payment| payment.id().as_str().to_owned()),
            },
            EventObject::ChargeDisputeClosed(dispute) => Happening::DisputeClosed {
                dispute: dispute.id.as_str().to_owned(),
                payment: dispute.payment_intent.as_ref().map(|payment| payment.id().as_str().to_owned()),
                won: matches!(dispute.status, stripe_shared::DisputeStatus::Won),
            },
            _ => Happening::Other { kind: event.type_.as_str().to_owned() },
        };
        Ok(PaymentEvent { id, created: instant(event.created), happening })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_unit";

    fn api() -> StripeApi {
        StripeApi::new(None, Some(SECRET), None, "https://app.example").unwrap()
    }

    fn account_updated(created: i64) -> String {
        serde_json::json!({
            "id": "evt_1", "object": "event", "api_version": "2026-09-30.endive", "created": created,
            "livemode": false, "pending_webhooks": 1, "type": "account.updated",
            "data": {"object": {"id": "acct_9", "object": "account", "charges_enabled": true, "payouts_enabled": false}}
        })
        .to_string()
    }

    #[test]
    fn a_signed_event_is_read_in_the_platforms_words() {
        let now = instant(1_772_366_400);
        let body = account_updated(now.timestamp());
        let header = Webhook::generate_test_header(&body, SECRET, Some(now.timestamp()));
        let event = api().verify_event(&body, Some(&header), now).unwrap();
        assert_eq!(event.id.as_str(), "evt_1");
        assert_eq!(
            event.happening,
            Happening::PayoutAccountUpdated {
                account: PayoutAccountId::parse("acct_9").unwrap(),
                charges_enabled: true,
                payouts_enabled: false
            }
        );
    }

    #[test]
    fn forged_stale_and_unsigned_deliveries_are_refused() {
        let now = instant(1_772_366_400);
        let body = account_updated(now.timestamp());
        let api = api();
        assert_eq!(api.verify_event(&body, None, now), Err(EventRefusal::Unsigned));
        let wrong_secret = Webhook::generate_test_header(&body, "whsec_other", Some(now.timestamp()));
        assert_eq!(api.verify_event(&body, Some(&wrong_secret), now), Err(EventRefusal::Forged));
        let signed = Webhook::generate_test_header(&body, SECRET, Some(now.timestamp()));
        let tampered = body.replace("\"payouts_enabled\":false", "\"payouts_enabled\":true");
        assert_eq!(api.verify_event(&tampered, Some(&signed), now), Err(EventRefusal::Forged));
        assert_eq!(api.verify_event(&body, Some("garbage"), now), Err(EventRefusal::Forged));
        let old = Webhook::generate_test_header(&body, SECRET, Some(now.timestamp() - 301));
        assert_eq!(api.verify_event(&body, Some(&old), now), Err(EventRefusal::Stale));
        let edge = Webhook::generate_test_header(&body, SECRET, Some(now.timestamp() - 300));
        assert!(api.verify_event(&body, Some(&edge), now).is_ok());
    }

    #[test]
    fn a_genuine_event_the_sdk_cannot_type_is_acknowledged_unless_the_platform_acts_on_it() {
        let now = instant(1_772_366_400);
        let body = |kind: &str| {
            serde_json::json!({"id": "evt_2", "object": "event", "created": now.timestamp(), "livemode": false,
                "pending_webhooks": 1, "type": kind, "data": {"object": {"id": "x_1"}}})
            .to_string()
        };
        let ignored = body("customer.created");
        let header = Webhook::generate_test_header(&ignored, SECRET, Some(now.timestamp()));
        let event = api().verify_event(&ignored, Some(&header), now).unwrap();
        assert_eq!(event.happening, Happening::Other { kind: "customer.created".into() });
        let acted_on = body("payment_intent.succeeded");
        let header = Webhook::generate_test_header(&acted_on, SECRET, Some(now.timestamp()));
        assert!(matches!(api().verify_event(&acted_on, Some(&header), now), Err(EventRefusal::Unreadable(_))));
    }

    #[test]
    fn without_a_secret_nothing_is_believed() {
        let none = StripeApi::new(None, None, None, "https://app.example").unwrap();
        let now = instant(1_772_366_400);
        let body = account_updated(now.timestamp());
        let header = Webhook::generate_test_header(&body, SECRET, Some(now.timestamp()));
        assert_eq!(none.verify_event(&body, Some(&header), now), Err(EventRefusal::NotConfigured));
    }
}
