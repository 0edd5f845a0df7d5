//! The payment provider over Stripe's HTTP API: Connect accounts and onboarding links,
//! payments, refunds and transfers, and the verification of signed webhooks. Locally the
//! same client talks to the stand-in in front of localstripe (infra/stripe), through
//! `STRIPE_API_BASE`.
//!
//! A small client of our own rather than an SDK: the platform makes six kinds of request
//! and reads five kinds of event, and async-stripe's typed objects and event enum added
//! about 5 MB to every function that holds the port (docs/ARCHITECTURE.md, "Stripe").
//! Requests are form-encoded as Stripe's API reference gives them; answers and events are
//! read for the fields the platform uses only, so a field Stripe adds never breaks a read.

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use aws_smithy_http_client::Connector;
use aws_smithy_http_client::tls::TrustStore;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use chrono::{DateTime, TimeZone, Utc};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;

use super::https;
use crate::domain::payments::{Cents, Currency, Happening, PaymentEvent, PaymentEventId, PayoutAccountId};
use crate::domain::{SessionId, UserId};
use crate::percent::encode_into;
use crate::ports::{BoxFuture, EventRefusal, OnboardingLink, PaymentError, PaymentProvider, StartedPayment};

/// Where onboarding sends the mentor back to, under the web app's origin.
const ONBOARDING_DONE: &str = "/payouts/done";
/// Where an expired or used onboarding link sends the mentor, to ask for a fresh one.
const ONBOARDING_AGAIN: &str = "/payouts/again";
/// Stripe's API, unless configured otherwise.
const API_BASE: &str = "https://api.stripe.com/";
/// The API version every request names, so Stripe answers in the shapes read here whatever
/// the account's default version is.
const API_VERSION: &str = "2026-09-30.endive";
/// A call waits at most this long: less than the functions' 10 s, so a slow Stripe is
/// answered as unavailable rather than as a timed-out function.
const TIMEOUT: Duration = Duration::from_secs(8);
/// Stripe's objects are a few kB; an answer far larger is not one of them.
const MOST_BYTES: usize = 256 * 1024;
/// How far a webhook's signing time may be from the function's clock, either way, in
/// seconds: Stripe's own libraries' default.
const TOLERANCE_SECONDS: i64 = 300;

/// The Stripe account the platform runs on.
pub struct StripeApi {
    client: Option<Client>,
    currency: Currency,
    webhook_secret: Option<String>,
    web_app: String,
}

impl std::fmt::Debug for StripeApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the keys.
        f.debug_struct("StripeApi").field("web_app", &self.web_app).finish_non_exhaustive()
    }
}

/// The HTTP side: the secret key, where the API is, and the connector, built at the first
/// call (it reads the system's trust store: Stripe does not promise which CA signs its
/// certificates, so they are not pinned, and a function that never calls Stripe never
/// pays for the read).
struct Client {
    secret_key: String,
    base: String,
    connector: OnceLock<Connector>,
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
        let base = api_base.unwrap_or(API_BASE);
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(PaymentError::Unavailable(format!("API base {base:?} is not an http(s) URL")));
        }
        let client = secret_key.map(|key| Client {
            secret_key: key.to_owned(),
            base: format!("{}/", base.trim_end_matches('/')),
            connector: OnceLock::new(),
        });
        Ok(Self {
            client,
            currency: Currency::USD,
            webhook_secret: webhook_secret.map(str::to_owned),
            web_app: web_app.trim_end_matches('/').to_owned(),
        })
    }

    /// The same account, charging and paying out in `currency` (USD unless told).
    pub fn in_currency(self, currency: Currency) -> Self {
        Self { currency, ..self }
    }

    fn client(&self) -> Result<&Client, PaymentError> {
        self.client.as_ref().ok_or(PaymentError::NotConfigured)
    }
}

impl Client {
    fn connector(&self) -> Result<&Connector, PaymentError> {
        if let Some(connector) = self.connector.get() {
            return Ok(connector);
        }
        let connector = https::connector(TrustStore::default())
            .map_err(|error| PaymentError::Unavailable(format!("TLS: {error}")))?;
        Ok(self.connector.get_or_init(|| connector))
    }

    /// POSTs `form` to `path` (under `/v1/`), once per `idempotency_key` when given (Stripe
    /// keeps a key's answer for 24 hours: a retry gets the first answer, not a second
    /// object), and reads the answer as `T`.
    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        form: Form,
        idempotency_key: Option<&str>,
    ) -> Result<T, PaymentError> {
        let mut request = HttpRequest::new(SdkBody::from(form.0));
        request
            .set_uri(format!("{}v1/{path}", self.base))
            .map_err(|error| PaymentError::Unavailable(error.to_string()))?;
        request.set_method("POST").map_err(|error| PaymentError::Unavailable(error.to_string()))?;
        let headers = request.headers_mut();
        headers.insert("authorization", format!("Bearer {}", self.secret_key));
        headers.insert("content-type", "application/x-www-form-urlencoded");
        headers.insert("stripe-version", API_VERSION);
        headers.insert("user-agent", "Peerlearn");
        if let Some(key) = idempotency_key {
            headers.insert("idempotency-key", key.to_owned());
        }
        let reply = https::exchange(self.connector()?, request, TIMEOUT, MOST_BYTES, false)
            .await
            .map_err(|error| PaymentError::Unavailable(format!("POST /v1/{path}: {error}")))?;
        answer(path, reply.status, &reply.body)
    }
}

/// Stripe's answer to `POST /v1/{path}`: the object on 2xx; its error otherwise, refused
/// when the request was at fault (4xx other than 429), unavailable when Stripe was.
fn answer<T: DeserializeOwned>(path: &str, status: u16, body: &[u8]) -> Result<T, PaymentError> {
    if (200..300).contains(&status) {
        return serde_json::from_slice(body)
            .map_err(|error| PaymentError::Unavailable(format!("POST /v1/{path}: unreadable answer: {error}")));
    }
    #[derive(Deserialize)]
    struct Failure {
        error: ApiError,
    }
    #[derive(Deserialize)]
    struct ApiError {
        #[serde(rename = "type", default)]
        kind: String,
        #[serde(default)]
        message: Option<String>,
    }
    let error = serde_json::from_slice::<Failure>(body).ok().map(|failure| failure.error);
    let reason = match error {
        Some(ApiError { message: Some(message), .. }) => message,
        Some(ApiError { kind, .. }) => format!("{kind} ({status})"),
        None => format!("status {status}"),
    };
    if (400..500).contains(&status) && status != 429 {
        Err(PaymentError::Refused(reason))
    } else {
        Err(PaymentError::Unavailable(reason))
    }
}

/// A request body as `application/x-www-form-urlencoded`, nested parameters written the
/// way Stripe reads them (`metadata[session]=...`).
#[derive(Debug, Default)]
struct Form(String);

impl Form {
    fn with(mut self, name: &str, value: &str) -> Self {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        encode_into(&mut self.0, name);
        self.0.push('=');
        encode_into(&mut self.0, value);
        self
    }
}

/// An object Stripe names by its id.
#[derive(Deserialize)]
struct Created {
    id: String,
}

/// A field Stripe writes either as the id or, when expanded, as the object.
#[derive(Deserialize)]
#[serde(untagged)]
enum Expandable {
    Id(String),
    Object(Created),
}

impl Expandable {
    fn into_id(self) -> String {
        match self {
            Self::Id(id) | Self::Object(Created { id }) => id,
        }
    }
}

/// An amount as Stripe's integer of the currency's smallest unit.
fn minor_units(amount: Cents) -> Result<String, PaymentError> {
    i64::try_from(amount.get())
        .map(|units| units.to_string())
        .map_err(|_| PaymentError::Refused("amount too large".into()))
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
            // Separate charges and transfers: the platform takes the payment, the mentor's
            // account only receives transfers.
            let form = Form::default()
                .with("type", "express")
                .with("email", email)
                .with("capabilities[transfers][requested]", "true")
                .with("metadata[member]", &member.to_string());
            let account: Created =
                self.client()?.post("accounts", form, Some(&format!("payout-account-{member}"))).await?;
            PayoutAccountId::parse(&account.id)
                .map_err(|invalid| PaymentError::Unavailable(format!("account id: {}", invalid.reason())))
        })
    }

    fn onboarding_link<'a>(
        &'a self,
        account: &'a PayoutAccountId,
    ) -> BoxFuture<'a, Result<OnboardingLink, PaymentError>> {
        Box::pin(async move {
            #[derive(Deserialize)]
            struct AccountLink {
                url: String,
                expires_at: i64,
            }
            let form = Form::default()
                .with("account", account.as_str())
                .with("type", "account_onboarding")
                .with("refresh_url", &format!("{}{ONBOARDING_AGAIN}", self.web_app))
                .with("return_url", &format!("{}{ONBOARDING_DONE}", self.web_app));
            let link: AccountLink = self.client()?.post("account_links", form, None).await?;
            Ok(OnboardingLink { url: link.url, expires_at: instant(link.expires_at) })
        })
    }

    fn start_payment<'a>(
        &'a self,
        session: &'a SessionId,
        amount: Cents,
    ) -> BoxFuture<'a, Result<StartedPayment, PaymentError>> {
        Box::pin(async move {
            #[derive(Deserialize)]
            struct PaymentIntent {
                id: String,
                client_secret: Option<String>,
            }
            let session_id = session.to_string();
            let form = Form::default()
                .with("amount", &minor_units(amount)?)
                .with("currency", self.currency.as_str())
                .with("metadata[session]", &session_id)
                // Transfers to the mentor name the session, so Stripe's reports tie them together.
                .with("transfer_group", &session_id);
            let intent: PaymentIntent =
                self.client()?.post("payment_intents", form, Some(&format!("session-payment-{session}"))).await?;
            let client_secret =
                intent.client_secret.ok_or_else(|| PaymentError::Unavailable("no client secret returned".into()))?;
            Ok(StartedPayment { id: intent.id, client_secret })
        })
    }

    fn refund<'a>(
        &'a self,
        payment: &'a str,
        amount: Cents,
        key: &'a str,
    ) -> BoxFuture<'a, Result<String, PaymentError>> {
        Box::pin(async move {
            let form = Form::default().with("payment_intent", payment).with("amount", &minor_units(amount)?);
            let refund: Created = self.client()?.post("refunds", form, Some(key)).await?;
            Ok(refund.id)
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
            let session_id = session.to_string();
            let mut form = Form::default()
                .with("amount", &minor_units(amount)?)
                .with("currency", self.currency.as_str())
                .with("destination", to.as_str())
                .with("transfer_group", &session_id)
                .with("metadata[session]", &session_id);
            if let Some(charge) = charge {
                // From the session's charge: the transfer waits for the charge's funds
                // instead of failing on an empty platform balance.
                form = form.with("source_transaction", charge);
            }
            let transfer: Created =
                self.client()?.post("transfers", form, Some(&format!("session-transfer-{session}"))).await?;
            Ok(transfer.id)
        })
    }

    fn reverse_transfer<'a>(
        &'a self,
        transfer: &'a str,
        amount: Cents,
        key: &'a str,
    ) -> BoxFuture<'a, Result<String, PaymentError>> {
        Box::pin(async move {
            let mut path = String::from("transfers/");
            encode_into(&mut path, transfer);
            path.push_str("/reversals");
            let form = Form::default().with("amount", &minor_units(amount)?);
            let reversal: Created = self.client()?.post(&path, form, Some(key)).await?;
            Ok(reversal.id)
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
        let signed_at = verify_signature(payload, signature, secret)?;
        if (now.timestamp() - signed_at).abs() > TOLERANCE_SECONDS {
            return Err(EventRefusal::Stale);
        }
        read_event(payload)
    }
}

/// Checks a `Stripe-Signature` header (`t=<unix seconds>,v1=<hex>[,v1=...]`, other schemes
/// ignored) against HMAC-SHA256 of `"{t}.{payload}"` under `secret`, in constant time;
/// the signing time when one `v1` matches.
fn verify_signature(payload: &str, header: &str, secret: &str) -> Result<i64, EventRefusal> {
    let mut signed_at = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", seconds)) => signed_at = Some(seconds.parse::<i64>().map_err(|_| EventRefusal::Forged)?),
            Some(("v1", hex)) => candidates.push(hex),
            _ => {}
        }
    }
    let signed_at = signed_at.ok_or(EventRefusal::Forged)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| EventRefusal::Forged)?;
    mac.update(signed_at.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload.as_bytes());
    let matches = candidates
        .iter()
        .filter_map(|hex| crate::hex::decode(hex))
        .any(|bytes| mac.clone().verify_slice(&bytes).is_ok());
    if matches { Ok(signed_at) } else { Err(EventRefusal::Forged) }
}

/// The event types the platform acts on: one of these whose object cannot be read is
/// refused (and Stripe retries it, which the errors alarm shows); anything else is
/// acknowledged unread, so an API upgrade never makes Stripe retry, and then disable, the
/// endpoint.
fn read_event(payload: &str) -> Result<PaymentEvent, EventRefusal> {
    #[derive(Deserialize)]
    struct Envelope {
        id: String,
        #[serde(rename = "type")]
        kind: String,
        created: i64,
        data: Data,
    }
    #[derive(Deserialize)]
    struct Data {
        object: serde_json::Value,
    }
    let envelope: Envelope =
        serde_json::from_str(payload).map_err(|error| EventRefusal::Unreadable(format!("event: {error}")))?;
    let id = PaymentEventId::parse(&envelope.id)
        .map_err(|invalid| EventRefusal::Unreadable(format!("id {}", invalid.reason())))?;
    let object = envelope.data.object;
    let happening = match envelope.kind.as_str() {
        "account.updated" => {
            #[derive(Deserialize)]
            struct Account {
                id: String,
                charges_enabled: Option<bool>,
                payouts_enabled: Option<bool>,
            }
            let account: Account = object_of(&envelope.kind, object)?;
            Happening::PayoutAccountUpdated {
                account: PayoutAccountId::parse(&account.id)
                    .map_err(|invalid| EventRefusal::Unreadable(format!("account {}", invalid.reason())))?,
                charges_enabled: account.charges_enabled.unwrap_or(false),
                payouts_enabled: account.payouts_enabled.unwrap_or(false),
            }
        }
        "payment_intent.succeeded" => {
            #[derive(Deserialize)]
            struct PaymentIntent {
                id: String,
                latest_charge: Option<Expandable>,
                amount_received: i64,
                #[serde(default)]
                metadata: HashMap<String, String>,
            }
            let mut intent: PaymentIntent = object_of(&envelope.kind, object)?;
            Happening::PaymentSucceeded {
                payment: intent.id,
                charge: intent.latest_charge.map(Expandable::into_id),
                amount: Cents::new(u64::try_from(intent.amount_received).unwrap_or(0)),
                session: intent.metadata.remove("session"),
            }
        }
        "payment_intent.payment_failed" => {
            #[derive(Deserialize)]
            struct PaymentIntent {
                id: String,
                #[serde(default)]
                metadata: HashMap<String, String>,
            }
            let mut intent: PaymentIntent = object_of(&envelope.kind, object)?;
            Happening::PaymentFailed { payment: intent.id, session: intent.metadata.remove("session") }
        }
        "charge.dispute.created" | "charge.dispute.closed" => {
            #[derive(Deserialize)]
            struct Dispute {
                id: String,
                payment_intent: Option<Expandable>,
                status: String,
            }
            let dispute: Dispute = object_of(&envelope.kind, object)?;
            let payment = dispute.payment_intent.map(Expandable::into_id);
            if envelope.kind == "charge.dispute.created" {
                Happening::DisputeOpened { dispute: dispute.id, payment }
            } else {
                Happening::DisputeClosed { dispute: dispute.id, payment, won: dispute.status == "won" }
            }
        }
        _ => Happening::Other { kind: envelope.kind },
    };
    Ok(PaymentEvent { id, created: instant(envelope.created), happening })
}

fn object_of<T: DeserializeOwned>(kind: &str, object: serde_json::Value) -> Result<T, EventRefusal> {
    serde_json::from_value(object).map_err(|error| EventRefusal::Unreadable(format!("{kind} object: {error}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use stripe_webhook::Webhook;

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
    fn a_genuine_event_whose_object_cannot_be_read_is_acknowledged_unless_the_platform_acts_on_it() {
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

    fn signed(body: &str, now: DateTime<Utc>) -> Result<PaymentEvent, EventRefusal> {
        let header = Webhook::generate_test_header(body, SECRET, Some(now.timestamp()));
        api().verify_event(body, Some(&header), now)
    }

    #[test]
    fn payments_and_disputes_are_read_with_the_fields_the_platform_uses() {
        let now = instant(1_772_366_400);
        let event = |kind: &str, object: serde_json::Value| {
            serde_json::json!({"id": "evt_3", "object": "event", "created": now.timestamp(), "type": kind,
                "data": {"object": object}, "some_field_stripe_added": {"nested": [1, 2]}})
            .to_string()
        };
        let succeeded = event(
            "payment_intent.succeeded",
            serde_json::json!({"id": "pi_1", "object": "payment_intent", "amount_received": 4500,
                "latest_charge": "ch_1", "metadata": {"session": "S1", "other": "x"}, "status": "succeeded"}),
        );
        assert_eq!(
            signed(&succeeded, now).unwrap().happening,
            Happening::PaymentSucceeded {
                payment: "pi_1".into(),
                charge: Some("ch_1".into()),
                amount: Cents::new(4500),
                session: Some("S1".into())
            }
        );
        // An expanded charge is read for its id.
        let expanded = event(
            "payment_intent.succeeded",
            serde_json::json!({"id": "pi_2", "amount_received": 100, "latest_charge": {"id": "ch_2", "object": "charge"}}),
        );
        assert_eq!(
            signed(&expanded, now).unwrap().happening,
            Happening::PaymentSucceeded {
                payment: "pi_2".into(),
                charge: Some("ch_2".into()),
                amount: Cents::new(100),
                session: None
            }
        );
        let failed =
            event("payment_intent.payment_failed", serde_json::json!({"id": "pi_3", "metadata": {"session": "S3"}}));
        assert_eq!(
            signed(&failed, now).unwrap().happening,
            Happening::PaymentFailed { payment: "pi_3".into(), session: Some("S3".into()) }
        );
        let opened = event(
            "charge.dispute.created",
            serde_json::json!({"id": "dp_1", "payment_intent": "pi_1", "status": "needs_response"}),
        );
        assert_eq!(
            signed(&opened, now).unwrap().happening,
            Happening::DisputeOpened { dispute: "dp_1".into(), payment: Some("pi_1".into()) }
        );
        for (status, won) in [("won", true), ("lost", false), ("warning_closed", false)] {
            let closed = event(
                "charge.dispute.closed",
                serde_json::json!({"id": "dp_1", "payment_intent": null, "status": status}),
            );
            assert_eq!(
                signed(&closed, now).unwrap().happening,
                Happening::DisputeClosed { dispute: "dp_1".into(), payment: None, won }
            );
        }
    }

    #[test]
    fn a_signature_header_is_read_as_stripe_writes_it() {
        let now = instant(1_772_366_400);
        let body = account_updated(now.timestamp());
        let good = Webhook::generate_test_header(&body, SECRET, Some(now.timestamp()));
        let good_v1 = good.split_once(",v1=").unwrap().1;
        let t = now.timestamp();
        let api = api();
        // During a secret roll Stripe signs with both secrets: any one v1 may match, and
        // other schemes (v0) are ignored.
        let rolled = format!("t={t},v1={},v0=abcd,v1={good_v1}", "00".repeat(32));
        assert!(api.verify_event(&body, Some(&rolled), now).is_ok());
        for forged in [
            format!("v1={good_v1}"),
            format!("t=x{t},v1={good_v1}"),
            format!("t={t},v0={good_v1}"),
            format!("t={t},v1={}", &good_v1[1..]),
            format!("t={},v1={good_v1}", t + 1),
        ] {
            assert_eq!(api.verify_event(&body, Some(&forged), now), Err(EventRefusal::Forged), "{forged}");
        }
        // Signed in the future by more than the tolerance is as stale as the past.
        let ahead = Webhook::generate_test_header(&body, SECRET, Some(t + 301));
        assert_eq!(api.verify_event(&body, Some(&ahead), now), Err(EventRefusal::Stale));
    }

    #[test]
    fn a_request_body_is_encoded_as_stripe_reads_forms() {
        let form = Form::default().with("metadata[session]", "a b&c=ü~").with("amount", "4500");
        assert_eq!(form.0, "metadata%5Bsession%5D=a%20b%26c%3D%C3%BC~&amount=4500");
    }

    #[test]
    fn stripes_errors_say_whose_fault_they_are() {
        let card = br#"{"error": {"type": "card_error", "message": "Your card was declined."}}"#;
        assert_eq!(
            answer::<Created>("x", 402, card).err(),
            Some(PaymentError::Refused("Your card was declined.".into()))
        );
        let no_message = br#"{"error": {"type": "invalid_request_error"}}"#;
        assert_eq!(
            answer::<Created>("x", 400, no_message).err(),
            Some(PaymentError::Refused("invalid_request_error (400)".into()))
        );
        let limited = br#"{"error": {"type": "rate_limit_error", "message": "Too many requests"}}"#;
        assert!(matches!(answer::<Created>("x", 429, limited), Err(PaymentError::Unavailable(_))));
        assert_eq!(answer::<Created>("x", 502, b"<html>").err(), Some(PaymentError::Unavailable("status 502".into())));
        assert!(matches!(answer::<Created>("x", 200, b"{}"), Err(PaymentError::Unavailable(_))));
        assert_eq!(answer::<Created>("x", 200, br#"{"id": "re_1", "object": "refund"}"#).unwrap().id, "re_1");
    }

    #[test]
    fn a_base_that_is_not_http_is_refused_at_start() {
        assert!(StripeApi::new(Some("sk_test_1"), None, Some("ftp://example"), "https://app.example").is_err());
        assert!(StripeApi::new(Some("sk_test_1"), None, Some("http://127.0.0.1:1"), "https://app.example").is_ok());
    }

    #[tokio::test]
    async fn an_unreachable_stripe_is_unavailable_not_refused() {
        let api = StripeApi::new(Some("sk_test_1"), None, Some("http://127.0.0.1:9/"), "https://app.example").unwrap();
        let refund = api.refund("pi_1", Cents::new(100), "key-1").await;
        assert!(matches!(refund, Err(PaymentError::Unavailable(_))), "{refund:?}");
        let none = StripeApi::new(None, None, None, "https://app.example").unwrap();
        assert_eq!(none.refund("pi_1", Cents::new(100), "key-1").await, Err(PaymentError::NotConfigured));
    }
}
