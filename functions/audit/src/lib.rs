//! `audit`, for admins only: GET /admin/audit, the trail of admin actions newest first.

use http::StatusCode;
use lambda_http::Request;
use serde::Serialize;
use shared::App;
use shared::domain::AuditEntry;
use shared::http::{ApiError, HttpResponse, PageRequest, authenticate_admin, json, route_key};
use utoipa::OpenApi;

/// A page of the audit trail.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditTrail {
    /// Newest first: who did what to whom, when and why.
    pub entries: Vec<AuditEntry>,
    /// Pass as `cursor` for older entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(audit_trail))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "GET /admin/audit" => audit_trail(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// The audit trail, newest first.
#[utoipa::path(get, path = "/admin/audit", tag = "admin", security(("bearer" = [])),
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 50, description = "Page size, 1-50 (default 20)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's next_cursor"),
    ),
    responses(
        (status = 200, description = "A page of the trail", body = AuditTrail),
        (status = 400, description = "Unknown parameter, a bad limit or cursor"),
        (status = 403, description = "Not an admin"),
    ))]
async fn audit_trail(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(request, &app.tokens, "Only admins read the audit trail.")?;
    let paging = PageRequest::parse(request, &app.cursors, "audit".into())?;
    let page = app.audit_trail(caller.bearer(), paging.after.as_deref(), paging.limit).await?;
    json(
        StatusCode::OK,
        &AuditTrail { next_cursor: paging.next_cursor(&app.cursors, page.next), entries: page.entries },
    )
}
