//! `admin-stats`: GET /admin/stats and GET /admin/payments, the platform's figures read
//! from the counter items the table's stream keeps (never a scan).

use http::StatusCode;
use lambda_http::Request;
use shared::App;
use shared::app::PaymentStats;
use shared::domain::PlatformStats;
use shared::http::{ApiError, HttpResponse, QueryParams, authenticate_admin, json, route_key};
use utoipa::OpenApi;

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(platform_stats, payment_stats))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "GET /admin/stats" => platform_stats(app, &request).await,
        "GET /admin/payments" => payment_stats(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// Members by role and status, verifications pending, and this week's and this month's
/// sessions and messages (UTC ISO week and calendar month).
#[utoipa::path(get, path = "/admin/stats", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "The figures as of now", body = PlatformStats),
        (status = 403, description = "Not an admin"),
    ))]
async fn platform_stats(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(request, &app.tokens, "Only admins read the platform's stats.")?;
    QueryParams::new(request, &[])?;
    json(StatusCode::OK, &app.platform_stats(caller.bearer()).await?)
}

/// This week's and this month's payments (UTC ISO week and calendar month): charged,
/// fees, refunds, transfers to mentors and disputes, in cents of the platform currency.
#[utoipa::path(get, path = "/admin/payments", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "The figures as of now", body = PaymentStats),
        (status = 403, description = "Not an admin"),
    ))]
async fn payment_stats(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(request, &app.tokens, "Only admins read the platform's payments.")?;
    QueryParams::new(request, &[])?;
    json(StatusCode::OK, &app.payment_stats(caller.bearer()).await?)
}
