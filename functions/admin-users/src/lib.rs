//! `admin-users`: POST /admin/users/{id}/suspend, POST /admin/users/{id}/restore and
//! GET /admin/users. Admins only: a non-admin gets 403 before anything else is read.

use http::StatusCode;
use lambda_http::Request;
use serde::{Deserialize, Serialize};
use shared::App;
use shared::api::AccountView;
use shared::app::Suspension;
use shared::domain::{AccountStatus, MemberSearch, MemberText, Reason, Role};
use shared::http::{
    ApiError, Caller, Fields, HttpResponse, QueryParams, authenticate_admin, json, parse_json, path_member, route_key,
};
use utoipa::OpenApi;

/// Body of POST /admin/users/{id}/suspend.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendBody {
    /// Why, for the audit trail (1 to 500 characters; never shown to the member).
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// What a suspension did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SuspensionView {
    /// The member, now suspended.
    pub member: AccountView,
    /// Sign-ins (refresh-token families of the last 30 days) ended; a rerun counts them again.
    pub families_revoked: usize,
    /// Open requests and upcoming sessions cancelled now, the other party told.
    pub sessions_cancelled: usize,
    /// WebSocket connections closed now.
    pub connections_closed: usize,
}

/// A page of members.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MemberList {
    /// In name order (case-insensitive), then id.
    pub members: Vec<AccountView>,
    /// Pass as `cursor` for the next page. A page may be short (a rare role is filtered
    /// from a bounded read) and still have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(suspend, restore, list_members))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "POST /admin/users/{id}/suspend" => suspend(app, &request).await,
        "POST /admin/users/{id}/restore" => restore(app, &request).await,
        "GET /admin/users" => list_members(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// The caller, when an admin: checked before the path, the query or the body is read.
fn admin(app: &App, request: &Request) -> Result<Caller, ApiError> {
    authenticate_admin(request, &app.tokens, "Only admins may do this.")
}

/// Suspends a member: their tokens stop working on their next request, their sign-ins end,
/// they leave search and match, their open requests and upcoming sessions are cancelled
/// (the other party is told) and their connections close. Repeating it redoes what is left.
#[utoipa::path(post, path = "/admin/users/{id}/suspend", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Member id")),
    request_body = SuspendBody,
    responses(
        (status = 200, description = "Suspended (or already): what was done now", body = SuspensionView),
        (status = 400, description = "Invalid member id or reason"),
        (status = 403, description = "Not an admin, the caller themself, or the last active admin"),
        (status = 404, description = "No such member"),
    ))]
async fn suspend(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = admin(app, request)?;
    let id = path_member(request)?;
    let body: SuspendBody = parse_json(request)?;
    let reason = Reason::parse(&body.reason).map_err(|reason| ApiError::field("reason", &reason))?;
    let Suspension { member, families_revoked, sessions_cancelled, connections_closed } =
        app.suspend_member(caller.bearer(), &id, &reason).await?;
    let view =
        SuspensionView { member: AccountView::from(&member), families_revoked, sessions_cancelled, connections_closed };
    json(StatusCode::OK, &view)
}

/// Restores a suspended member: they may sign in again and are listed again. Cancelled
/// sessions stay cancelled; tokens from before the suspension stay refused.
#[utoipa::path(post, path = "/admin/users/{id}/restore", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Member id")),
    responses(
        (status = 200, description = "Active (or already was)", body = AccountView),
        (status = 400, description = "Invalid member id"),
        (status = 403, description = "Not an admin"),
        (status = 404, description = "No such member"),
    ))]
async fn restore(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = admin(app, request)?;
    let id = path_member(request)?;
    let member = app.restore_member(caller.bearer(), &id).await?;
    json(StatusCode::OK, &AccountView::from(&member))
}

/// Members by name prefix or exact email, role and status, in name order.
#[utoipa::path(get, path = "/admin/users", tag = "admin", security(("bearer" = [])),
    params(
        ("q" = Option<String>, Query, min_length = 1, description = "An exact email address (contains @), or the start of a name (1-64 characters, any case)"),
        ("role" = Option<Role>, Query, description = "learner, mentor or admin"),
        ("status" = Option<AccountStatus>, Query, description = "active or suspended"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 50, description = "Page size, 1-50 (default 20)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's next_cursor"),
    ),
    responses(
        (status = 200, description = "A page of members", body = MemberList),
        (status = 400, description = "Invalid q, role, status, limit or cursor"),
        (status = 403, description = "Not an admin"),
    ))]
async fn list_members(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = admin(app, request)?;
    let params = QueryParams::new(request, &["q", "role", "status", "limit", "cursor"])?;
    let mut fields = Fields::default();
    let text = params.first("q").and_then(|raw| fields.check("q", MemberText::parse(raw)));
    let role = params.first("role").and_then(|raw| fields.check("role", MemberSearch::role(raw)));
    let status = params.first("status").and_then(|raw| fields.check("status", MemberSearch::status(raw)));
    let search = MemberSearch { text, role, status };
    let limit = params.limit(&mut fields, 20);
    let scope = search.fingerprint();
    let after = params.cursor(&mut fields, &app.cursors, &scope);
    if !fields.is_clean() {
        return Err(fields.into_error());
    }
    let page = app.members(caller.bearer(), &search, after.as_deref(), limit).await?;
    let next_cursor = page.next.map(|position| app.cursors.sign_position(&scope, &position));
    let members = page.members.iter().map(AccountView::from).collect();
    json(StatusCode::OK, &MemberList { members, next_cursor })
}
