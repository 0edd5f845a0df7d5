//! `leaderboard`: GET /leaderboards/{kind} (weekly or monthly), the top of a board read
//! through its index, and the caller's standing.

use http::StatusCode;
use lambda_http::Request;
use shared::App;
use shared::app::{Leaderboard, MAX_BOARD};
use shared::domain::Party;
use shared::domain::gamification::PeriodKind;
use shared::http::{ApiError, Fields, HttpResponse, QueryParams, authenticate, json, path_resource, route_key};
use utoipa::OpenApi;

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(leaderboard))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "GET /leaderboards/{kind}" => leaderboard(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// A weekly or monthly board: the top `limit` members, best first (ties: earlier to reach
/// the score first), with the caller's exact rank when among them, else an estimate.
#[utoipa::path(get, path = "/leaderboards/{kind}", tag = "points", security(("bearer" = [])),
    params(
        ("kind" = String, Path, pattern = "^(weekly|monthly)$", description = "weekly or monthly"),
        ("period" = Option<String>, Query, pattern = "^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(W(0[1-9]|[1-4][0-9]|5[0-3])|0[1-9]|1[0-2])$", description = "2026-W47 (weekly) or 2026-11 (monthly); the current one by default"),
        ("role" = Option<Party>, Query, description = "mentor (default) or learner"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "How many from the top, 1-100 (default 100)"),
    ),
    responses(
        (status = 200, description = "The board", body = Leaderboard),
        (status = 400, description = "Invalid period, role or limit"),
        (status = 404, description = "Not weekly or monthly"),
    ))]
async fn leaderboard(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let kind = path_resource(request, "kind", PeriodKind::parse)?;
    let params = QueryParams::new(request, &["period", "role", "limit"])?;
    let mut fields = Fields::default();
    let role = match params.first("role") {
        None => Some(Party::Mentor),
        Some(raw) => fields.check(
            "role",
            serde_json::from_value::<Party>(serde_json::Value::String(raw.to_owned()))
                .map_err(|_| shared::domain::Invalid::new("must be mentor or learner")),
        ),
    };
    let limit = params.limit_up_to(&mut fields, MAX_BOARD, MAX_BOARD);
    let Some(role) = role.filter(|_| fields.is_clean()) else { return Err(fields.into_error()) };
    let board = app.leaderboard(caller.bearer(), kind, params.first("period"), role, limit).await?;
    json(StatusCode::OK, &board)
}
