//! Payments through the API and real webhooks: a mentor's payout onboarding at the local
//! Stripe (the stand-in in front of localstripe), and the webhook endpoint's refusal of
//! anything unsigned, forged, stale or replayed.

#![allow(clippy::unwrap_used)]

use peerlearn_tests::stripe::{StripeAccount, eventually, payments_gateway};
use peerlearn_tests::{
    Call, Member, Reply, STARTS_AT, admin, as_function, available_mentor, clock_at, confirm_email, enable_payouts,
    instant, invoke_event, item_count, member, sample_event,
};
use serde_json::{Value, json};
use shared::App;
use shared::ports::Clock;
use stripe_webhook::Webhook;

async fn payouts_status(app: &App, mentor: &Member) -> String {
    let reply = Call::new("GET", "/me/payouts").token(&mentor.token).send(app).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body["status"].as_str().unwrap().to_owned()
}

async fn set_price(app: &App, mentor: &Member, cents: u32) -> Reply {
    Call::new("PATCH", "/me").token(&mentor.token).json(json!({"price_cents": cents})).send(app).await
}

/// Starts onboarding; the Stripe account id the stand-in opened (from its onboarding URL).
async fn onboard(app: &App, mentor: &Member) -> (String, String) {
    let reply = Call::new("POST", "/me/payouts/onboarding").token(&mentor.token).send(app).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let url = reply.body["url"].as_str().unwrap().to_owned();
    let account = url.split("/connect/onboard/").nth(1).unwrap().split('?').next().unwrap().to_owned();
    (account, url)
}

/// An `account.updated` event for `account`, created at `created` (unix seconds).
fn account_updated(id: &str, account: &str, enabled: bool, created: i64) -> String {
    json!({
        "id": id, "object": "event", "api_version": "2026-09-30.endive", "created": created,
        "livemode": false, "pending_webhooks": 1, "request": {"id": null, "idempotency_key": null},
        "type": "account.updated",
        "data": {"object": {"id": account, "object": "account", "charges_enabled": enabled, "payouts_enabled": enabled}}
    })
    .to_string()
}

/// Delivers `body` to POST /webhooks/stripe with `signature` (none: unsigned).
async fn deliver(app: &App, body: &str, signature: Option<String>) -> Reply {
    let mut call = Call::new("POST", "/webhooks/stripe");
    call.body = Some(body.to_owned());
    call.headers.push(("content-type", "application/json".into()));
    if let Some(signature) = signature {
        call.headers.push(("stripe-signature", signature));
    }
    call.send(app).await
}

fn signed(body: &str, account: &StripeAccount, at: i64) -> Option<String> {
    Some(Webhook::generate_test_header(body, &account.webhook_secret, Some(at)))
}

#[tokio::test]
async fn a_mentor_onboards_through_stripe_and_may_then_ask_a_price() {
    let clock = clock_at(STARTS_AT);
    let (app, stripe, _gateway) = payments_gateway(clock.clone()).await;
    let mentor = member(app, "paid-mentor@example.com", "mentor").await;
    let learner = member(app, "payer@example.com", "learner").await;

    assert_eq!(payouts_status(app, &mentor).await, "not_started");
    let refused = set_price(app, &mentor, 5000).await;
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    assert_eq!(refused.body["type"], "urn:peerlearn:problem:payouts-not-enabled");
    assert_eq!(refused.error_fields(), ["price_cents"]);
    // Free stays free without Stripe.
    assert_eq!(set_price(app, &mentor, 0).await.status, 200);

    let learner_onboarding = Call::new("POST", "/me/payouts/onboarding").token(&learner.token).send(app).await;
    assert_eq!(learner_onboarding.status, 403, "{:?}", learner_onboarding.body);

    let (account, url) = onboard(app, &mentor).await;
    assert!(account.starts_with("acct_"), "{url}");
    assert_eq!(payouts_status(app, &mentor).await, "onboarding");
    // Asking again continues with the same account and a fresh link.
    let (again, second_url) = onboard(app, &mentor).await;
    assert_eq!(again, account);
    assert_ne!(second_url, url);
    assert_eq!(set_price(app, &mentor, 5000).await.status, 409);

    // The mentor finishes Stripe's onboarding in their browser and is sent back to the app;
    // Stripe tells the platform through a signed account.updated.
    let finished = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let back = finished.get(&url).send().await.unwrap();
    assert_eq!(back.status().as_u16(), 302);
    assert_eq!(back.headers()["location"], "http://localhost:5173/payouts/done");
    eventually("payouts enabled", || async { payouts_status(app, &mentor).await == "enabled" }).await;
    let priced = set_price(app, &mentor, 5000).await;
    assert_eq!(priced.status, 200, "{:?}", priced.body);
    assert_eq!(priced.body["profile"]["price"], 5000, "{:?}", priced.body);

    // Stripe restricts the account later: no higher price until it is enabled again; a lower
    // one is always allowed.
    clock.advance(chrono::Duration::minutes(5));
    stripe.follow_clock(&clock).await;
    let (status, body) = stripe.post(&format!("/_standin/accounts/{account}/restrict"), &[]).await;
    assert_eq!(status, 200, "{body}");
    eventually("payouts restricted", || async { payouts_status(app, &mentor).await == "restricted" }).await;
    assert_eq!(set_price(app, &mentor, 6000).await.status, 409);
    assert_eq!(set_price(app, &mentor, 4000).await.status, 200);
}

#[tokio::test]
async fn unsigned_forged_stale_and_replayed_webhooks_write_nothing() {
    let clock = clock_at(STARTS_AT);
    let (app, stripe, _gateway) = payments_gateway(clock.clone()).await;
    let mentor = member(app, "hooked-mentor@example.com", "mentor").await;
    let (account, _) = onboard(app, &mentor).await;
    let now = clock.now().timestamp();
    let body = account_updated("evt_enable1", &account, true, now);
    let before = item_count(app).await;

    let cases: [(&str, Option<String>, &str); 5] = [
        ("unsigned", None, "is missing"),
        ("forged", Some(Webhook::generate_test_header(&body, "whsec_not_ours", Some(now))), "does not match the body"),
        ("garbage", Some("t=abc,v1=zz".into()), "does not match the body"),
        ("stale", signed(&body, &stripe, now - 301), "is too old (more than 300 seconds)"),
        ("from the future", signed(&body, &stripe, now + 301), "is too old (more than 300 seconds)"),
    ];
    for (case, signature, message) in cases {
        let reply = deliver(app, &body, signature).await;
        assert_eq!(reply.status, 400, "{case}: {:?}", reply.body);
        assert_eq!(reply.error_fields(), ["Stripe-Signature"], "{case}");
        assert_eq!(reply.body["errors"][0]["message"], message, "{case}");
    }
    // A body changed after signing.
    let tampered = body.replace("\"payouts_enabled\":true", "\"payouts_enabled\":false");
    assert_ne!(tampered, body);
    assert_eq!(deliver(app, &tampered, signed(&body, &stripe, now)).await.status, 400);
    assert_eq!(item_count(app).await, before, "a refused delivery wrote something");
    assert_eq!(payouts_status(app, &mentor).await, "onboarding");

    // The genuine delivery, then Stripe's retry of it and a replay with a fresh signature.
    let first = deliver(app, &body, signed(&body, &stripe, now)).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(first.body["duplicate"], false);
    assert_eq!(payouts_status(app, &mentor).await, "enabled");
    let after = item_count(app).await;
    for at in [now, now + 60] {
        let again = deliver(app, &body, signed(&body, &stripe, at)).await;
        assert_eq!((again.status, again.body["duplicate"].clone()), (200, Value::Bool(true)));
    }
    assert_eq!(item_count(app).await, after, "a replay wrote something");

    // An older update arriving late does not undo the newer one.
    let late = account_updated("evt_older1", &account, false, now - 120);
    assert_eq!(deliver(app, &late, signed(&late, &stripe, now)).await.status, 200);
    assert_eq!(payouts_status(app, &mentor).await, "enabled");

    // An account this deployment has not recorded: 503, so Stripe delivers it again later.
    let unknown = account_updated("evt_unknown1", "acct_NotOurs", true, now);
    let reply = deliver(app, &unknown, signed(&unknown, &stripe, now)).await;
    assert_eq!(reply.status, 503, "{:?}", reply.body);
    assert_eq!(reply.body["type"], "urn:peerlearn:problem:payments-unavailable");
    // An event the platform does not act on is acknowledged, once.
    let other = json!({"id": "evt_other1", "object": "event", "created": now, "livemode": false,
        "pending_webhooks": 1, "type": "customer.created",
        "data": {"object": {"id": "cus_1", "object": "customer"}}})
    .to_string();
    assert_eq!(deliver(app, &other, signed(&other, &stripe, now)).await.body["duplicate"], false);
    assert_eq!(deliver(app, &other, signed(&other, &stripe, now)).await.body["duplicate"], true);
}

#[tokio::test]
async fn concurrent_deliveries_of_one_event_apply_it_once() {
    let clock = clock_at(STARTS_AT);
    let (app, stripe, _gateway) = payments_gateway(clock.clone()).await;
    let mentor = member(app, "raced-mentor@example.com", "mentor").await;
    let (account, _) = onboard(app, &mentor).await;
    let now = clock.now().timestamp();
    let body = account_updated("evt_raced1", &account, true, now);
    let replies = futures::future::join_all((0..8).map(|_| deliver(app, &body, signed(&body, &stripe, now)))).await;
    let mut fresh = 0;
    for reply in &replies {
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        if reply.body["duplicate"] == false {
            fresh += 1;
        }
    }
    assert_eq!(fresh, 1, "{replies:?}");
    assert_eq!(payouts_status(app, &mentor).await, "enabled");
}

/// A verified mentor, free all week in UTC, whose payouts are enabled and who asks
/// `cents` an hour; and a learner.
async fn priced_mentor_and_learner(app: &App, name: &str, cents: u32) -> (Member, Member) {
    let mentor = available_mentor(app, &format!("{name}-mentor@example.com"), "UTC").await;
    enable_payouts(app, &mentor.id).await;
    assert_eq!(set_price(app, &mentor, cents).await.status, 200);
    let learner = member(app, &format!("{name}-learner@example.com"), "learner").await;
    confirm_email(app, &learner.id).await;
    (mentor, learner)
}

/// The learner asks for an hour two days after the tests' start; the session's id.
async fn request_hour(app: &App, learner: &Member, mentor: &Member) -> (String, Value) {
    let start = instant(STARTS_AT) + chrono::Duration::hours(49);
    let body =
        json!({"mentor_id": mentor.id, "start": start.to_rfc3339(), "duration_minutes": 60, "topic": "Paid hour"});
    let reply = Call::new("POST", "/sessions").token(&learner.token).json(body).send(app).await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    (reply.body["id"].as_str().unwrap().to_owned(), reply.body.clone())
}

async fn session_move(app: &App, who: &Member, id: &str, action: &str) -> Reply {
    Call::new("POST", &format!("/sessions/{id}/{action}")).token(&who.token).send(app).await
}

async fn session_state(app: &App, who: &Member, id: &str) -> Value {
    Call::new("GET", &format!("/sessions/{id}")).token(&who.token).send(app).await.body
}

/// Plays the learner's browser: Stripe.js confirms the payment with a card.
async fn confirm_with_card(stripe: &StripeAccount, payment: &str, card: &str) -> (u16, Value) {
    stripe.post(&format!("/v1/payment_intents/{payment}/confirm"), &[("payment_method", card)]).await
}

#[tokio::test]
async fn a_paid_session_is_confirmed_only_when_stripe_says_the_money_arrived() {
    let clock = clock_at(STARTS_AT);
    let (app, stripe, _gateway) = payments_gateway(clock.clone()).await;
    let (mentor, learner) = priced_mentor_and_learner(app, "paid", 6000).await;
    let (id, requested) = request_hour(app, &learner, &mentor).await;
    assert_eq!(requested["price_cents"], 6000);
    // Nothing to pay before the mentor accepts.
    assert_eq!(session_move(app, &learner, &id, "payment").await.status, 409);

    let accepted = session_move(app, &mentor, &id, "accept").await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    assert_eq!(accepted.body["state"], "accepted");
    // Thirty minutes to pay (the clock starts at 09:00 and runs for the seconds the test takes).
    assert!(accepted.body["pay_by"].as_str().unwrap().starts_with("2026-06-10T09:30:0"), "{:?}", accepted.body);
    assert!(accepted.body["meeting_link"].is_null(), "no meeting link before payment: {:?}", accepted.body);

    // Only the learner pays; asking twice gives the same payment.
    assert_eq!(session_move(app, &mentor, &id, "payment").await.status, 409);
    let first = session_move(app, &learner, &id, "payment").await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(first.body["amount_cents"], 6000);
    let again = session_move(app, &learner, &id, "payment").await;
    assert_eq!(again.body["client_secret"], first.body["client_secret"]);
    let payment = first.body["session"]["payment"]["id"].as_str().unwrap().to_owned();
    assert_eq!(again.body["session"]["payment"]["id"], payment.as_str());
    assert_eq!(session_state(app, &learner, &id).await["state"], "accepted");

    // A declined card changes nothing; the learner tries again with another card.
    let (status, _) = confirm_with_card(&stripe, &payment, "pm_card_chargeCustomerFail").await;
    assert_eq!(status, 402);
    let (status, body) = confirm_with_card(&stripe, &payment, "pm_card_visa").await;
    assert_eq!(status, 200, "{body}");
    eventually("confirmed by the webhook", || async {
        session_state(app, &learner, &id).await["state"] == "confirmed"
    })
    .await;
    let confirmed = session_state(app, &learner, &id).await;
    assert!(confirmed["meeting_link"].as_str().is_some_and(|link| link.starts_with("https://")), "{confirmed}");
    assert!(confirmed["payment"]["paid_at"].is_string(), "{confirmed}");
    // Paying again after that is refused: one payment per session.
    assert_eq!(session_move(app, &learner, &id, "payment").await.status, 409);
    assert_eq!(ledger_sum(app).await, 0);
}

#[tokio::test]
async fn an_unpaid_session_expires_frees_its_time_and_a_late_payment_goes_back() {
    let clock = clock_at(STARTS_AT);
    let (app, stripe, _gateway) = payments_gateway(clock.clone()).await;
    let (mentor, learner) = priced_mentor_and_learner(app, "late", 4500).await;
    let (id, _) = request_hour(app, &learner, &mentor).await;
    assert_eq!(session_move(app, &mentor, &id, "accept").await.status, 200);
    let started = session_move(app, &learner, &id, "payment").await;
    let payment = started.body["session"]["payment"]["id"].as_str().unwrap().to_owned();

    clock.advance(chrono::Duration::minutes(29));
    assert_eq!(as_function(app, "reminders", app.run_reminders()).await.unwrap().expired, 0);
    clock.advance(chrono::Duration::minutes(2));
    stripe.follow_clock(&clock).await;
    assert_eq!(as_function(app, "reminders", app.run_reminders()).await.unwrap().expired, 1);
    // Access tokens live 15 minutes: the clients have refreshed theirs by now.
    let (learner, mentor) = (learner.renewed(app), mentor.renewed(app));
    assert_eq!(session_state(app, &learner, &id).await["state"], "expired");
    assert_eq!(session_move(app, &learner, &id, "payment").await.status, 409);

    // The time is free again: another learner books it and the mentor accepts.
    let other = member(app, "late-other@example.com", "learner").await;
    // Not before the learner confirms their address: money needs one that answers.
    let start = instant(STARTS_AT) + chrono::Duration::hours(49);
    let body = json!({"mentor_id": mentor.id, "start": start.to_rfc3339(), "duration_minutes": 60, "topic": "Paid"});
    let unconfirmed = Call::new("POST", "/sessions").token(&other.token).json(body).send(app).await;
    assert_eq!(unconfirmed.status, 403, "{:?}", unconfirmed.body);
    assert_eq!(unconfirmed.body["type"], "urn:peerlearn:problem:email-not-verified");
    confirm_email(app, &other.id).await;
    let (second, _) = request_hour(app, &other, &mentor).await;
    assert_eq!(session_move(app, &mentor, &second, "accept").await.status, 200);

    // The first learner's browser pays after all: the money goes back in full.
    let (status, body) = confirm_with_card(&stripe, &payment, "pm_card_visa").await;
    assert_eq!(status, 200, "{body}");
    eventually("refunded", || async {
        let (_, events) = stripe.get("/_standin/events?type=charge.refunded").await;
        events["data"].as_array().is_some_and(|events| {
            events.iter().any(|e| {
                e["data"]["object"]["payment_intent"] == payment.as_str()
                    && e["data"]["object"]["amount_refunded"] == 4500
            })
        })
    })
    .await;
    assert_eq!(session_state(app, &learner, &id).await["state"], "expired");
    assert_eq!(wallet(app, &learner).await["spent_cents"], 0, "money for an expired session is never the platform's");
    assert_eq!(ledger_sum(app).await, 0);
}

#[tokio::test]
async fn a_declined_request_is_never_charged_and_free_sessions_confirm_at_once() {
    let clock = clock_at(STARTS_AT);
    let (app, _stripe, _gateway) = payments_gateway(clock.clone()).await;
    let (mentor, learner) = priced_mentor_and_learner(app, "declined", 3000).await;
    let (id, _) = request_hour(app, &learner, &mentor).await;
    assert_eq!(session_move(app, &mentor, &id, "reject").await.status, 200);
    let refused = session_move(app, &learner, &id, "payment").await;
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    assert_eq!(refused.body["type"], "urn:peerlearn:problem:invalid-state");

    assert_eq!(set_price(app, &mentor, 0).await.status, 200);
    let (free, requested) = request_hour(app, &learner, &mentor).await;
    assert_eq!(requested["price_cents"], 0);
    let accepted = session_move(app, &mentor, &free, "accept").await;
    assert_eq!(accepted.body["state"], "confirmed");
    assert_eq!(session_move(app, &learner, &free, "payment").await.status, 409);
}

async fn wallet(app: &App, who: &Member) -> Value {
    let reply = Call::new("GET", "/me/wallet").token(&who.token).send(app).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

/// The sum of every posting of every money entry in the table: zero, always. Tests only:
/// requests never scan.
async fn ledger_sum(app: &App) -> i64 {
    let output = app.store.client().scan().table_name(app.store.table()).send().await.unwrap();
    output
        .items()
        .iter()
        .filter(|item| item.get("entity").and_then(|e| e.as_s().ok()).map(String::as_str) == Some("LedgerEntry"))
        .flat_map(|item| item["postings"].as_l().unwrap().iter())
        .map(|posting| posting.as_m().unwrap()["amount"].as_n().unwrap().parse::<i64>().unwrap())
        .sum()
}

#[tokio::test]
async fn a_paid_session_is_written_to_the_ledger_once_and_the_wallets_show_it() {
    let clock = clock_at(STARTS_AT);
    let (app, stripe, _gateway) = payments_gateway(clock.clone()).await;
    let (mentor, learner) = priced_mentor_and_learner(app, "ledger", 6000).await;
    assert_eq!(wallet(app, &mentor).await["pending_cents"], 0);
    let (id, _) = request_hour(app, &learner, &mentor).await;
    assert_eq!(session_move(app, &mentor, &id, "accept").await.status, 200);
    let started = session_move(app, &learner, &id, "payment").await;
    let payment = started.body["session"]["payment"]["id"].as_str().unwrap().to_owned();
    let (status, body) = confirm_with_card(&stripe, &payment, "pm_card_visa").await;
    assert_eq!(status, 200, "{body}");
    eventually("confirmed", || async { session_state(app, &learner, &id).await["state"] == "confirmed" }).await;

    // 60.00 paid: 9.00 (15 %) to the platform, 51.00 pending for the mentor.
    let earned = wallet(app, &mentor).await;
    assert_eq!((earned["pending_cents"].as_i64(), earned["currency"].as_str()), (Some(5100), Some("usd")));
    assert_eq!(wallet(app, &learner).await["spent_cents"], 6000);
    assert_eq!(ledger_sum(app).await, 0);

    // Stripe delivers the event again: nothing is written twice.
    let (_, events) = stripe.get("/_standin/events?type=payment_intent.succeeded").await;
    let event = events["data"][0].to_string();
    let items = item_count(app).await;
    let now = clock.now().timestamp();
    let again = deliver(app, &event, signed(&event, &stripe, now)).await;
    assert_eq!((again.status, again.body["duplicate"].clone()), (200, Value::Bool(true)), "{:?}", again.body);
    assert_eq!(item_count(app).await, items);
    assert_eq!(wallet(app, &mentor).await["pending_cents"], 5100);
    assert_eq!(ledger_sum(app).await, 0);
}

async fn run_payouts(app: &App) -> shared::app::PayoutRun {
    as_function(app, "payouts-job", app.run_payouts()).await.unwrap()
}

/// A verified mentor free all week in UTC who went through Stripe's onboarding at the
/// stand-in (a real connected account), asks `cents` an hour and refunds `late_cancel`
/// percent of a late cancellation; a learner; the mentor's account id.
async fn onboarded_mentor_and_learner(app: &App, name: &str, cents: u32, late_cancel: u8) -> (Member, Member, String) {
    let mentor = available_mentor(app, &format!("{name}-mentor@example.com"), "UTC").await;
    let (account, url) = onboard(app, &mentor).await;
    finish_onboarding(&url).await;
    eventually("payouts enabled", || async { payouts_status(app, &mentor).await == "enabled" }).await;
    let body = json!({"price_cents": cents, "late_cancel_refund_percent": late_cancel});
    let priced = Call::new("PATCH", "/me").token(&mentor.token).json(body).send(app).await;
    assert_eq!(priced.status, 200, "{:?}", priced.body);
    assert_eq!(priced.body["profile"]["late_cancel_refund_percent"], late_cancel);
    let learner = member(app, &format!("{name}-learner@example.com"), "learner").await;
    confirm_email(app, &learner.id).await;
    (mentor, learner, account)
}

/// The mentor finishes Stripe's onboarding in their browser (the stand-in's page).
async fn finish_onboarding(url: &str) {
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    assert_eq!(browser.get(url).send().await.unwrap().status().as_u16(), 302);
}

/// The learner asks for an hour starting `hours` after the tests' start, the mentor
/// accepts, the learner pays by card and the webhook confirms it; the session and its
/// payment.
async fn paid_hour(
    app: &App,
    stripe: &StripeAccount,
    learner: &Member,
    mentor: &Member,
    hours: i64,
) -> (String, String) {
    let start = instant(STARTS_AT) + chrono::Duration::hours(hours);
    let body = json!({"mentor_id": mentor.id, "start": start.to_rfc3339(), "duration_minutes": 60, "topic": "Paid"});
    let reply = Call::new("POST", "/sessions").token(&learner.token).json(body).send(app).await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    let id = reply.body["id"].as_str().unwrap().to_owned();
    assert_eq!(session_move(app, mentor, &id, "accept").await.status, 200);
    let started = session_move(app, learner, &id, "payment").await;
    assert_eq!(started.status, 200, "{:?}", started.body);
    let payment = started.body["session"]["payment"]["id"].as_str().unwrap().to_owned();
    let (status, body) = confirm_with_card(stripe, &payment, "pm_card_visa").await;
    assert_eq!(status, 200, "{body}");
    eventually("confirmed", || async { session_state(app, learner, &id).await["state"] == "confirmed" }).await;
    (id, payment)
}

/// The stand-in's events of `kind` for this test's account.
async fn stripe_events(stripe: &StripeAccount, kind: &str) -> Vec<Value> {
    let (status, events) = stripe.get(&format!("/_standin/events?type={kind}")).await;
    assert_eq!(status, 200, "{events}");
    events["data"].as_array().unwrap().clone()
}

/// The amounts refunded of `payment`, as Stripe's charge.refunded events report them.
async fn refunded_of(stripe: &StripeAccount, payment: &str) -> Vec<i64> {
    stripe_events(stripe, "charge.refunded")
        .await
        .iter()
        .filter(|event| event["data"]["object"]["payment_intent"] == payment)
        .map(|event| event["data"]["object"]["amount_refunded"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_completed_session_pays_the_mentor_once_after_the_dispute_window() {
    let clock = clock_at(STARTS_AT);
    let (app, stripe, _gateway) = payments_gateway(clock.clone()).await;
    let (mentor, learner, account) = onboarded_mentor_and_learner(app, "payout", 6000, 0).await;
    let (id, _) = paid_hour(app, &stripe, &learner, &mentor, 49).await;

    // The session is held (it ends at 11:00 two days on) and the learner completes it.
    clock.advance(chrono::Duration::hours(51));
    stripe.follow_clock(&clock).await;
    let (learner, mentor) = (learner.renewed(app), mentor.renewed(app));
    let completed = session_move(app, &learner, &id, "complete").await;
    assert_eq!(completed.status, 200, "{:?}", completed.body);
    let release_at = completed.body["payment"]["release_at"].as_str().unwrap().to_owned();
    assert_eq!(completed.body["payment"]["earning"], "pending");
    assert_eq!(run_payouts(app).await, shared::app::PayoutRun::default(), "nothing before the window ends");

    // 48 hours on, the earning is released and transferred from the session's charge.
    clock.advance(chrono::Duration::hours(48) - chrono::Duration::minutes(1));
    assert_eq!(run_payouts(app).await.released, 0);
    clock.advance(chrono::Duration::minutes(2));
    stripe.follow_clock(&clock).await;
    let run = run_payouts(app).await;
    assert_eq!((run.released, run.transferred, run.failed), (1, 1, 0), "{run:?} (release at {release_at})");
    let transfers = stripe_events(&stripe, "transfer.created").await;
    assert_eq!(transfers.len(), 1);
    let transfer = &transfers[0]["data"]["object"];
    assert_eq!((transfer["amount"].as_i64(), transfer["destination"].as_str()), (Some(5100), Some(account.as_str())));
    assert!(transfer["source_transaction"].as_str().unwrap().starts_with("ch_"), "{transfer}");
    assert_eq!(transfer["transfer_group"], id.as_str());

    let (learner, mentor) = (learner.renewed(app), mentor.renewed(app));
    let earned = wallet(app, &mentor).await;
    assert_eq!(
        (earned["pending_cents"].as_i64(), earned["available_cents"].as_i64(), earned["paid_out_cents"].as_i64()),
        (Some(0), Some(0), Some(5100)),
        "{earned}"
    );
    let session = session_state(app, &learner, &id).await;
    assert_eq!(session["payment"]["earning"], "paid_out");
    assert_eq!(session["payment"]["transfer"], transfer["id"]);
    assert_eq!(ledger_sum(app).await, 0);

    // Rerun: nothing moves twice.
    let items = item_count(app).await;
    assert_eq!(run_payouts(app).await, shared::app::PayoutRun::default());
    assert_eq!(stripe_events(&stripe, "transfer.created").await.len(), 1);
    assert_eq!(item_count(app).await, items);
}

#[tokio::test]
async fn a_session_nobody_closed_is_completed_and_a_mentor_without_payouts_is_paid_once_enabled() {
    let clock = clock_at(STARTS_AT);
    let (app, stripe, _gateway) = payments_gateway(clock.clone()).await;
    let (mentor, learner, account) = onboarded_mentor_and_learner(app, "unclosed", 3000, 0).await;
    let (id, _) = paid_hour(app, &stripe, &learner, &mentor, 49).await;

    // Nobody completes or reports the session; 48 hours after its end the platform does.
    clock.advance(chrono::Duration::hours(49 + 1 + 48) - chrono::Duration::minutes(1));
    assert_eq!(run_payouts(app).await.completed, 0);
    clock.advance(chrono::Duration::minutes(1));
    stripe.follow_clock(&clock).await;
    assert_eq!(run_payouts(app).await.completed, 1);
    let (learner, mentor) = (learner.renewed(app), mentor.renewed(app));
    assert_eq!(session_state(app, &learner, &id).await["state"], "completed");

    // Stripe restricts the mentor's account meanwhile: the earning is released but kept.
    let (status, body) = stripe.post(&format!("/_standin/accounts/{account}/restrict"), &[]).await;
    assert_eq!(status, 200, "{body}");
    eventually("payouts restricted", || async { payouts_status(app, &mentor).await == "restricted" }).await;
    clock.advance(chrono::Duration::hours(48));
    stripe.follow_clock(&clock).await;
    let run = run_payouts(app).await;
    assert_eq!((run.released, run.transferred, run.deferred), (1, 0, 1), "{run:?}");
    let mentor = mentor.renewed(app);
    assert_eq!(wallet(app, &mentor).await["available_cents"], 2550);
    assert_eq!(run_payouts(app).await, shared::app::PayoutRun::default(), "put off for twelve hours");

    // The mentor updates their details at Stripe; the next try after that pays them.
    let (_, url) = onboard(app, &mentor).await;
    finish_onboarding(&url).await;
    eventually("payouts enabled", || async { payouts_status(app, &mentor).await == "enabled" }).await;
    clock.advance(shared::app::TRANSFER_RETRY);
    stripe.follow_clock(&clock).await;
    assert_eq!(run_payouts(app).await.transferred, 1);
    let mentor = mentor.renewed(app);
    let earned = wallet(app, &mentor).await;
    assert_eq!((earned["available_cents"].as_i64(), earned["paid_out_cents"].as_i64()), (Some(0), Some(2550)));
    assert_eq!(ledger_sum(app).await, 0);
}

#[tokio::test]
async fn refunds_follow_the_notice_rule_and_are_issued_once() {
    let clock = clock_at(STARTS_AT);
    let (app, stripe, _gateway) = payments_gateway(clock.clone()).await;
    let (mentor, learner, _) = onboarded_mentor_and_learner(app, "refunds", 6000, 50).await;

    // Cancelled two days ahead: everything back.
    let (early, early_payment) = paid_hour(app, &stripe, &learner, &mentor, 49).await;
    let cancelled = session_move(app, &learner, &early, "cancel").await;
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);
    assert_eq!(cancelled.body["payment"]["refund"]["amount_cents"], 6000);
    assert_eq!(cancelled.body["payment"]["refund"]["percent"], 100);
    assert_eq!(wallet(app, &learner).await["spent_cents"], 0, "the ledger records the refund with the cancellation");
    assert_eq!(wallet(app, &mentor).await["pending_cents"], 0);
    assert_eq!(run_payouts(app).await.refunded, 1);
    eventually("refunded at Stripe", || async { refunded_of(&stripe, &early_payment).await == [6000] }).await;
    assert_eq!(run_payouts(app).await.refunded, 0, "issued once");

    // Cancelled an hour ahead under the mentor's 50 % late-cancel policy: half back, and
    // the mentor keeps half their earning.
    let (late, late_payment) = paid_hour(app, &stripe, &learner, &mentor, 50).await;
    clock.advance(chrono::Duration::hours(49));
    stripe.follow_clock(&clock).await;
    let (learner, mentor) = (learner.renewed(app), mentor.renewed(app));
    let cancelled = session_move(app, &learner, &late, "cancel").await;
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);
    assert_eq!(cancelled.body["payment"]["refund"]["amount_cents"], 3000);
    assert_eq!(run_payouts(app).await.refunded, 1);
    eventually("half refunded at Stripe", || async { refunded_of(&stripe, &late_payment).await == [3000] }).await;
    assert_eq!(wallet(app, &learner).await["spent_cents"], 3000);
    assert_eq!(wallet(app, &mentor).await["pending_cents"], 2550);

    // The mentor does not turn up to a third session: everything back.
    let (absent, absent_payment) = paid_hour(app, &stripe, &learner, &mentor, 53).await;
    clock.advance(chrono::Duration::hours(4) + chrono::Duration::minutes(10));
    stripe.follow_clock(&clock).await;
    let (learner, mentor) = (learner.renewed(app), mentor.renewed(app));
    let reported = session_move(app, &learner, &absent, "no-show").await;
    assert_eq!(reported.status, 200, "{:?}", reported.body);
    assert_eq!(reported.body["payment"]["refund"]["amount_cents"], 6000);
    assert_eq!(run_payouts(app).await.refunded, 1);
    eventually("no-show refunded", || async { refunded_of(&stripe, &absent_payment).await == [6000] }).await;
    assert_eq!(wallet(app, &learner).await["spent_cents"], 3000);
    assert_eq!(wallet(app, &mentor).await["pending_cents"], 2550);
    assert_eq!(ledger_sum(app).await, 0);

    // The mentor calls a fourth session off an hour ahead: everything back, whatever their policy.
    let (called_off, called_off_payment) = paid_hour(app, &stripe, &learner, &mentor, 55).await;
    clock.advance(chrono::Duration::minutes(50));
    stripe.follow_clock(&clock).await;
    let (learner, mentor) = (learner.renewed(app), mentor.renewed(app));
    let cancelled = session_move(app, &mentor, &called_off, "cancel").await;
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);
    assert_eq!(cancelled.body["payment"]["refund"]["percent"], 100);
    assert_eq!(run_payouts(app).await.refunded, 1);
    eventually("mentor's cancellation refunded", || async {
        refunded_of(&stripe, &called_off_payment).await == [6000]
    })
    .await;
    assert_eq!(wallet(app, &learner).await["spent_cents"], 3000);

    // Each member's history, newest first, a page at a time: four payments, four refunds.
    let first = history(app, &learner, "limit=6").await;
    let lines = first["transactions"].as_array().unwrap();
    assert_eq!(lines.len(), 6);
    let line = |n: usize| (lines[n]["kind"].as_str().unwrap(), lines[n]["session"].as_str().unwrap());
    assert_eq!([line(0), line(1)], [("refunded", called_off.as_str()), ("charged", called_off.as_str())]);
    assert_eq!([line(2), line(3)], [("refunded", absent.as_str()), ("charged", absent.as_str())]);
    assert_eq!(lines[2]["changes"], json!({"spent_cents": -6000}));
    assert_eq!(lines[4]["changes"], json!({"spent_cents": -3000}));
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest = history(app, &learner, &format!("limit=6&cursor={cursor}")).await;
    let kinds: Vec<_> = rest["transactions"].as_array().unwrap().iter().map(|line| line["kind"].clone()).collect();
    assert_eq!(kinds, [json!("refunded"), json!("charged")]);
    assert!(rest["next_cursor"].is_null(), "{rest}");
    let mentor_lines = history(app, &mentor, "").await;
    let pending: i64 = mentor_lines["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["changes"]["pending_cents"].as_i64().unwrap())
        .sum();
    assert_eq!(pending, 2550, "the mentor's lines add up to their wallet");
    // A cursor is the caller's own.
    let theirs =
        Call::new("GET", "/me/transactions").query(&format!("cursor={cursor}")).token(&mentor.token).send(app).await;
    assert_eq!(theirs.status, 400, "{:?}", theirs.body);

    // The platform's figures, counted by the stream consumer from each ledger entry.
    let boss = admin(app, "refunds-admin@example.com").await;
    for (n, entry) in ledger_entry_images(app).await.into_iter().enumerate() {
        let event = sample_event("deliver/new-notification.json", |change| {
            change["Keys"] = json!({"PK": entry["PK"].clone(), "SK": entry["SK"].clone()});
            change["NewImage"] = entry.clone();
        });
        let mut event = event;
        event["Records"][0]["eventID"] = json!(format!("entry-{n}"));
        let result = invoke_event(app, "award-points", event).await.unwrap();
        assert_eq!(result["batchItemFailures"], json!([]), "{result}");
    }
    let figures = Call::new("GET", "/admin/payments").token(&boss.token).send(app).await;
    assert_eq!(figures.status, 200, "{:?}", figures.body);
    for period in ["week", "month"] {
        let mut got = figures.body[period].clone();
        got.as_object_mut().unwrap().remove("period");
        let expected = json!({"charged_cents": 24000, "fees_cents": 450, "refunded_cents": 21000, "paid_out_cents": 0,
            "disputes_opened": 0, "disputes_lost_cents": 0});
        assert_eq!(got, expected, "{period}");
    }
    assert_eq!(
        (figures.body["week"]["period"].as_str(), figures.body["currency"].as_str()),
        (Some("2026-W24"), Some("usd"))
    );
    assert_eq!(Call::new("GET", "/admin/payments").token(&learner.token).send(app).await.status, 403);
}

async fn history(app: &App, who: &Member, query: &str) -> Value {
    let reply = Call::new("GET", "/me/transactions").query(query).token(&who.token).send(app).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["currency"], "usd");
    reply.body
}

/// Every money ledger entry in the table, as a stream record's image (tests only: a scan).
async fn ledger_entry_images(app: &App) -> Vec<Value> {
    fn image(value: &aws_sdk_dynamodb::types::AttributeValue) -> Value {
        use aws_sdk_dynamodb::types::AttributeValue as A;
        match value {
            A::S(text) => json!({"S": text}),
            A::N(number) => json!({"N": number}),
            A::Bool(flag) => json!({"BOOL": flag}),
            A::L(list) => json!({"L": list.iter().map(image).collect::<Vec<_>>()}),
            A::M(map) => {
                json!({"M": map.iter().map(|(k, v)| (k.clone(), image(v))).collect::<serde_json::Map<_, _>>()})
            }
            other => panic!("not in a ledger entry: {other:?}"),
        }
    }
    let output = app.store.client().scan().table_name(app.store.table()).send().await.unwrap();
    output
        .items()
        .iter()
        .filter(|item| item.get("entity").and_then(|e| e.as_s().ok()).map(String::as_str) == Some("LedgerEntry"))
        .map(|item| Value::Object(item.iter().map(|(k, v)| (k.clone(), image(v))).collect()))
        .collect()
}

#[tokio::test]
async fn a_dispute_freezes_the_mentors_earning_until_the_bank_decides() {
    let clock = clock_at(STARTS_AT);
    let (app, stripe, _gateway) = payments_gateway(clock.clone()).await;
    let (mentor, learner, _) = onboarded_mentor_and_learner(app, "dispute", 6000, 0).await;
    let (kept, _) = paid_hour(app, &stripe, &learner, &mentor, 49).await;
    let (taken, _) = paid_hour(app, &stripe, &learner, &mentor, 51).await;
    let (late, _) = paid_hour(app, &stripe, &learner, &mentor, 52).await;
    clock.advance(chrono::Duration::hours(53));
    stripe.follow_clock(&clock).await;
    let (learner, mentor) = (learner.renewed(app), mentor.renewed(app));
    for id in [&kept, &taken, &late] {
        assert_eq!(session_move(app, &learner, id, "complete").await.status, 200);
    }
    assert_eq!(wallet(app, &mentor).await["pending_cents"], 15300);

    // The learner's bank disputes two charges: those earnings are frozen.
    let dispute = |id: String, learner: Member| {
        let stripe = &stripe;
        async move {
            let charge = session_state(app, &learner, &id).await["payment"]["charge"].as_str().unwrap().to_owned();
            let (status, body) = stripe.post(&format!("/_standin/charges/{charge}/dispute"), &[]).await;
            assert_eq!(status, 200, "{body}");
            body["id"].as_str().unwrap().to_owned()
        }
    };
    let kept_dispute = dispute(kept.clone(), learner.clone()).await;
    let taken_dispute = dispute(taken.clone(), learner.clone()).await;
    eventually("both disputed", || async {
        let held = wallet(app, &mentor).await;
        held["held_cents"] == 10200 && held["pending_cents"] == 5100
    })
    .await;
    assert_eq!(session_state(app, &learner, &kept).await["payment"]["dispute"]["status"], "open");

    // Past the window, only the undisputed earning is released and transferred.
    clock.advance(chrono::Duration::hours(49));
    stripe.follow_clock(&clock).await;
    let run = run_payouts(app).await;
    assert_eq!((run.released, run.transferred, run.failed), (1, 1, 0), "{run:?}");
    let (learner, mentor) = (learner.renewed(app), mentor.renewed(app));

    // Its charge is disputed after the transfer: nothing to freeze, it stays paid out.
    let late_dispute = dispute(late.clone(), learner.clone()).await;
    eventually("disputed after the transfer", || async {
        session_state(app, &learner, &late).await["payment"]["dispute"]["status"] == "open"
    })
    .await;
    assert_eq!(wallet(app, &mentor).await["paid_out_cents"], 5100);

    // Won: the earning goes on (released at once, the window having passed); lost: the
    // learner's bank has the money, the fee and the earning go; lost after the transfer:
    // the transfer is taken back from the mentor.
    for (id, status) in [(&kept_dispute, "won"), (&taken_dispute, "lost"), (&late_dispute, "lost")] {
        let (code, body) = stripe.post(&format!("/_standin/disputes/{id}/close"), &[("status", status)]).await;
        assert_eq!(code, 200, "{body}");
    }
    eventually("all decided", || async {
        let held = wallet(app, &mentor).await;
        held["held_cents"] == 0 && held["pending_cents"] == 5100 && held["paid_out_cents"] == 0
    })
    .await;
    assert_eq!(wallet(app, &learner).await["spent_cents"], 6000);
    assert_eq!(session_state(app, &learner, &taken).await["payment"]["earning"], "forfeited");
    let run = run_payouts(app).await;
    assert_eq!((run.released, run.transferred, run.reversed, run.failed), (1, 1, 1, 0), "{run:?}");
    assert_eq!(wallet(app, &mentor).await["paid_out_cents"], 5100);
    let reversals = stripe_events(&stripe, "transfer.reversed").await;
    assert_eq!(reversals.len(), 1);
    assert_eq!(reversals[0]["data"]["object"]["amount_reversed"], 5100, "{}", reversals[0]);
    assert!(session_state(app, &learner, &late).await["payment"]["reversal"].is_string());
    assert_eq!(run_payouts(app).await, shared::app::PayoutRun::default(), "reversed once");
    assert_eq!(ledger_sum(app).await, 0);

    // Stripe delivers the news again: nothing changes.
    let items = item_count(app).await;
    for kind in ["charge.dispute.created", "charge.dispute.closed"] {
        let event = stripe_events(&stripe, kind).await[0].to_string();
        let again = deliver(app, &event, signed(&event, &stripe, clock.now().timestamp())).await;
        assert_eq!(again.body["duplicate"], true, "{kind}: {:?}", again.body);
    }
    assert_eq!(item_count(app).await, items);
}

#[tokio::test]
async fn a_payment_racing_the_learners_cancellation_always_ends_refunded() {
    let clock = clock_at(STARTS_AT);
    let (app, stripe, _gateway) = payments_gateway(clock.clone()).await;
    let (mentor, learner, _) = onboarded_mentor_and_learner(app, "race", 6000, 0).await;
    for round in 0..3 {
        let start = instant(STARTS_AT) + chrono::Duration::hours(49 + round);
        let body =
            json!({"mentor_id": mentor.id, "start": start.to_rfc3339(), "duration_minutes": 60, "topic": "Race"});
        let reply = Call::new("POST", "/sessions").token(&learner.token).json(body).send(app).await;
        let id = reply.body["id"].as_str().unwrap().to_owned();
        assert_eq!(session_move(app, &mentor, &id, "accept").await.status, 200);
        let started = session_move(app, &learner, &id, "payment").await;
        let payment = started.body["session"]["payment"]["id"].as_str().unwrap().to_owned();
        // The learner's browser pays while the learner, in another tab, cancels.
        let (paid, cancelled) = tokio::join!(
            confirm_with_card(&stripe, &payment, "pm_card_visa"),
            session_move(app, &learner, &id, "cancel")
        );
        assert_eq!(paid.0, 200, "{}", paid.1);
        assert_eq!(cancelled.status, 200, "round {round}: {:?}", cancelled.body);
        // Whichever came first, the money goes back in full: at once when the session no
        // longer waited for it, or by the payouts job when it was confirmed first.
        eventually("refunded in full", || async {
            run_payouts(app).await;
            refunded_of(&stripe, &payment).await == [6000]
        })
        .await;
        assert_eq!(session_state(app, &learner, &id).await["state"], "cancelled");
    }
    assert_eq!(wallet(app, &learner).await["spent_cents"], 0);
    assert_eq!(wallet(app, &mentor).await["pending_cents"], 0);
    assert_eq!(ledger_sum(app).await, 0);
}
