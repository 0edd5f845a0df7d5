//! `admin-reports`: GET /admin/reports (the queue) and POST /admin/reports/{id}/resolve.

use http::StatusCode;
use lambda_http::Request;
use serde::{Deserialize, Serialize};
use shared::App;
use shared::domain::{Report, ReportId, ReportOutcome, ReportState, ShortText};
use shared::http::{
    ApiError, Caller, Fields, HttpResponse, QueryParams, authenticate_admin, json, parse_json, path_resource, route_key,
};
use utoipa::OpenApi;

/// A page of the report queue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReportList {
    /// Open reports oldest first; resolved ones most recently resolved first.
    pub reports: Vec<Report>,
    /// Pass as `cursor` for the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Body of POST /admin/reports/{id}/resolve.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// The decision recorded (`suspended` records it; the suspension is its own admin action).
    pub action: ReportOutcome,
    /// A note for the record: one line of 1 to 120 characters.
    #[serde(default)]
    #[schema(
        value_type = Option<String>,
        min_length = 1,
        max_length = 120,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub note: Option<ShortText>,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(list_reports, resolve_report))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "GET /admin/reports" => list_reports(app, &request).await,
        "POST /admin/reports/{id}/resolve" => resolve_report(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// The caller, who must be an admin: checked before anything in the request is read.
fn admin(app: &App, request: &Request) -> Result<Caller, ApiError> {
    authenticate_admin(request, &app.tokens, "Only admins handle member reports.")
}

/// The report queue: open reports oldest first (the default), or resolved ones.
#[utoipa::path(get, path = "/admin/reports", tag = "admin", security(("bearer" = [])),
    params(
        ("state" = Option<ReportState>, Query, description = "open (default) or resolved"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 50, description = "Page size, 1-50 (default 20)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's next_cursor"),
    ),
    responses(
        (status = 200, description = "A page of reports", body = ReportList),
        (status = 403, description = "Not an admin"),
    ))]
async fn list_reports(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = admin(app, request)?;
    let params = QueryParams::new(request, &["state", "limit", "cursor"])?;
    let mut fields = Fields::default();
    let state = params.first("state").map_or(Ok(ReportState::Open), ReportState::parse);
    let state = fields.check("state", state).unwrap_or(ReportState::Open);
    let limit = params.limit(&mut fields, 20);
    // The cursor belongs to one queue: a cursor of the open queue is no position in the other.
    let scope = format!("reports:{}", state.as_str());
    let after = params.cursor(&mut fields, &app.cursors, &scope);
    if !fields.is_clean() {
        return Err(fields.into_error());
    }
    let page = app.report_queue(caller.bearer(), state, after.as_deref(), limit).await?;
    let next_cursor = page.next.map(|position| app.cursors.sign_position(&scope, &position));
    json(StatusCode::OK, &ReportList { reports: page.reports, next_cursor })
}

/// Records the decision on an open report, once.
#[utoipa::path(post, path = "/admin/reports/{id}/resolve", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Report id")),
    request_body = ResolveBody,
    responses(
        (status = 200, description = "The resolved report", body = Report),
        (status = 403, description = "Not an admin"),
        (status = 404, description = "No such report"),
        (status = 409, description = "The report is already resolved"),
    ))]
async fn resolve_report(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = admin(app, request)?;
    let id = path_resource(request, "id", ReportId::parse)?;
    let body: ResolveBody = parse_json(request)?;
    let resolved = app.resolve_report(caller.bearer(), &id, body.action, body.note).await?;
    json(StatusCode::OK, &resolved)
}
