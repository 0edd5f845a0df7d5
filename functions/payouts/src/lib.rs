//! `payouts`: POST /me/payouts/onboarding (a mentor opens, or continues, their Stripe
//! payout account) and GET /me/payouts (where it stands).

use chrono::{DateTime, Utc};
use http::StatusCode;
use lambda_http::Request;
use serde::Serialize;
use shared::App;
use shared::domain::payments::PayoutStatus;
use shared::http::{ApiError, HttpResponse, authenticate, json, route_key};
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

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(start_onboarding, my_payouts))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "POST /me/payouts/onboarding" => start_onboarding(app, &request).await,
        "GET /me/payouts" => my_payouts(app, &request).await,
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
