//! `payments`: a member's money calls to Stripe. POST /me/payouts/onboarding (a mentor
//! opens, or continues, their payout account), GET /me/payouts (where it stands) and
//! POST /sessions/{id}/payment (the learner pays for an accepted session); and what the
//! member's money did: GET /me/wallet and GET /me/transactions.

use chrono::{DateTime, Utc};
use http::StatusCode;
use lambda_http::Request;
use serde::Serialize;
use shared::App;
use shared::domain::payments::{PayoutStatus, Transaction};
use shared::domain::{Booking, SessionId};
use shared::http::{ApiError, HttpResponse, PageRequest, authenticate, json, path_resource, route_key};
use utoipa::OpenApi;

/// Where a mentor's payouts stand.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PayoutsView {
    /// `not_started`, `onboarding`, `enabled` (prices above zero allowed) or `restricted`
    /// (Stripe needs more details; paid sessions wait).
    pub status: PayoutStatus,
}

/// Where to send the mentor to continue onboarding with Stripe.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OnboardingView {
    /// The payouts' status now.
    pub status: PayoutStatus,
    /// Stripe's onboarding page for the mentor: single use.
    pub url: String,
    /// When the link stops working; ask for a new one after.
    pub expires_at: DateTime<Utc>,
}

/// What the learner's client needs to take the payment (Stripe.js `confirmPayment`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionPaymentView {
    /// The session, still `accepted` until Stripe says the money arrived.
    pub session: Booking,
    /// Confirms the payment in the learner's client; never stored by the platform.
    pub client_secret: String,
    /// The amount, in the platform currency's smallest unit.
    pub amount_cents: u64,
    /// Pay by then, or the session expires and its time is freed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_by: Option<DateTime<Utc>>,
}

/// A member's money, in the platform currency's smallest unit (the double-entry ledger's
/// totals for their accounts).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WalletView {
    /// The platform currency (ISO 4217, lower case).
    pub currency: &'static str,
    /// Paid for sessions, net of refunds.
    pub spent_cents: i64,
    /// Earned, inside the 48-hour dispute window after the session.
    pub pending_cents: i64,
    /// Earned, past the window, waiting for the transfer.
    pub available_cents: i64,
    /// Transferred to the payout account.
    pub paid_out_cents: i64,
    /// Frozen by a dispute.
    pub held_cents: i64,
}

/// A page of the caller's money history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TransactionsView {
    /// The platform currency (ISO 4217, lower case).
    pub currency: &'static str,
    /// Newest first: what each money movement did to the caller's wallet, with its session.
    pub transactions: Vec<Transaction>,
    /// Pass as `cursor` for older ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(start_onboarding, my_payouts, pay_for_session, my_wallet, my_transactions))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "POST /me/payouts/onboarding" => start_onboarding(app, &request).await,
        "GET /me/payouts" => my_payouts(app, &request).await,
        "GET /me/transactions" => my_transactions(app, &request).await,
        "POST /sessions/{id}/payment" => pay_for_session(app, &request).await,
        "GET /me/wallet" => my_wallet(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// Opens the caller's payout account on first use and returns a fresh onboarding link.
#[utoipa::path(post, path = "/me/payouts/onboarding", tag = "payments", security(("bearer" = [])),
    responses(
        (status = 200, description = "A link to Stripe's onboarding", body = OnboardingView),
        (status = 403, description = "Not a mentor, or suspended"),
        (status = 503, description = "Stripe is not reachable; retry (`payments-unavailable`)"),
    ))]
async fn start_onboarding(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let (status, link) = app.start_payout_onboarding(caller.bearer()).await?;
    json(StatusCode::OK, &OnboardingView { status, url: link.url, expires_at: link.expires_at })
}

/// Where the caller's payouts stand.
#[utoipa::path(get, path = "/me/payouts", tag = "payments", security(("bearer" = [])),
    responses(
        (status = 200, description = "The payouts' status", body = PayoutsView),
        (status = 403, description = "Suspended"),
    ))]
async fn my_payouts(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let status = app.my_payouts(caller.bearer()).await?;
    json(StatusCode::OK, &PayoutsView { status })
}

/// The learner pays for an accepted session: its one payment, started on the first call.
#[utoipa::path(post, path = "/sessions/{id}/payment", tag = "payments", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Session id (ULID)")),
    responses(
        (status = 200, description = "The payment to confirm in the client", body = SessionPaymentView),
        (status = 403, description = "Suspended"),
        (status = 404, description = "No such session of the caller's"),
        (status = 409, description = "Not the learner, not accepted, or the time to pay has passed (`invalid-state`)"),
        (status = 503, description = "Stripe is not reachable; retry (`payments-unavailable`)"),
    ))]
async fn pay_for_session(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let id = path_resource(request, "id", SessionId::parse)?;
    let (session, client_secret) = app.pay_for_session(caller.bearer(), &id).await?;
    let view =
        SessionPaymentView { amount_cents: session.charge.get(), pay_by: session.pay_by, client_secret, session };
    json(StatusCode::OK, &view)
}

/// The caller's wallet.
#[utoipa::path(get, path = "/me/wallet", tag = "payments", security(("bearer" = [])),
    responses(
        (status = 200, description = "The wallet's totals", body = WalletView),
        (status = 403, description = "Suspended"),
    ))]
async fn my_wallet(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let wallet = app.my_wallet(caller.bearer()).await?;
    json(
        StatusCode::OK,
        &WalletView {
            currency: app.policy.currency.as_str(),
            spent_cents: wallet.spent,
            pending_cents: wallet.pending,
            available_cents: wallet.available,
            paid_out_cents: wallet.paid_out,
            held_cents: wallet.held,
        },
    )
}

/// The caller's money history, newest first: each payment, refund, release, transfer and
/// dispute step, with the session it was for.
#[utoipa::path(get, path = "/me/transactions", tag = "payments", security(("bearer" = [])),
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 50, description = "Page size, 1-50 (default 20)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's next_cursor"),
    ),
    responses(
        (status = 200, description = "A page of the history", body = TransactionsView),
        (status = 400, description = "Unknown parameter, a bad limit or cursor"),
        (status = 403, description = "Suspended"),
    ))]
async fn my_transactions(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let paging = PageRequest::parse(request, &app.cursors, format!("transactions:{}", caller.user_id()))?;
    let page = app.my_transactions(caller.bearer(), paging.after.as_deref(), paging.limit).await?;
    json(
        StatusCode::OK,
        &TransactionsView {
            currency: app.policy.currency.as_str(),
            next_cursor: paging.next_cursor(&app.cursors, page.next),
            transactions: page.transactions,
        },
    )
}
