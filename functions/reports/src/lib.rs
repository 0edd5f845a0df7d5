//! `reports`: POST /users/{id}/report, a member reporting another to the admins' queue.

use http::StatusCode;
use lambda_http::Request;
use serde::Deserialize;
use shared::App;
use shared::app::ReportFiling;
use shared::domain::{Report, ReportDetails, ReportReason, SessionId};
use shared::http::{ApiError, HttpResponse, authenticate, json, parse_json, path_member, route_key};
use utoipa::OpenApi;

/// Body of POST /users/{id}/report.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// The kind of abuse.
    pub reason: ReportReason,
    /// What happened (1 to 2000 characters).
    pub details: ReportDetails,
    /// The session it happened in, if any: one the caller and the member both took part in.
    #[serde(default)]
    pub session_id: Option<SessionId>,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(report_member))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "POST /users/{id}/report" => report_member(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// Reports a member to the admins; once per member reported and UTC day.
#[utoipa::path(post, path = "/users/{id}/report", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "The member reported")),
    request_body = ReportBody,
    responses(
        (status = 201, description = "The report, open in the admins' queue", body = Report),
        (status = 400, description = "Invalid fields, or the caller's own id"),
        (status = 403, description = "The caller is suspended"),
        (status = 404, description = "No such member, or a session they did not both take part in"),
        (status = 429, description = "This member was already reported by the caller today"),
    ))]
async fn report_member(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let reported = path_member(request)?;
    let body: ReportBody = parse_json(request)?;
    let filing = ReportFiling { reason: body.reason, details: body.details, session_id: body.session_id };
    let report = app.report_member(caller.bearer(), &reported, filing).await?;
    json(StatusCode::CREATED, &report)
}
