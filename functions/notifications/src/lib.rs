//! `notifications`: GET /notifications, POST /notifications/{id}/read and
//! POST /notifications/read-all.

use http::StatusCode;
use lambda_http::Request;
use serde::Serialize;
use shared::App;
use shared::domain::{Notification, NotificationId};
use shared::http::{ApiError, HttpResponse, PageRequest, authenticate, json, no_content, path_resource, route_key};
use utoipa::OpenApi;

/// A page of notifications.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationList {
    /// Newest first.
    pub notifications: Vec<Notification>,
    /// How many of all the caller's notifications are unread.
    pub unread: u32,
    /// Pass as `cursor` for the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The answer to "mark all read".
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReadAll {
    /// How many were unread and are now read.
    pub marked: u32,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(list_notifications, read_notification, read_all))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "GET /notifications" => list_notifications(app, &request).await,
        "POST /notifications/{id}/read" => read_notification(app, &request).await,
        "POST /notifications/read-all" => read_all(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// The caller's notifications, newest first, with the unread count.
#[utoipa::path(get, path = "/notifications", tag = "notifications", security(("bearer" = [])),
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 50, description = "Page size, 1-50 (default 20)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's next_cursor"),
    ),
    responses(
        (status = 200, description = "A page of notifications", body = NotificationList),
    ))]
async fn list_notifications(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let paging = PageRequest::parse(request, &app.cursors, format!("notifications:{}", caller.user_id()))?;
    let (page, unread) = app.my_notifications(caller.bearer(), paging.after.as_deref(), paging.limit).await?;
    let next_cursor = paging.next_cursor(&app.cursors, page.next);
    json(StatusCode::OK, &NotificationList { notifications: page.notifications, unread, next_cursor })
}

/// Marks one notification read (again is fine).
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Notification id")),
    responses(
        (status = 204, description = "Read"),
        (status = 404, description = "No such notification of yours"),
    ))]
async fn read_notification(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let id = path_resource(request, "id", NotificationId::parse)?;
    app.read_notification(caller.bearer(), &id).await?;
    Ok(no_content())
}

/// Marks all of the caller's notifications read.
#[utoipa::path(post, path = "/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses(
        (status = 200, description = "How many were marked", body = ReadAll),
    ))]
async fn read_all(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let marked = app.read_all_notifications(caller.bearer()).await?;
    json(StatusCode::OK, &ReadAll { marked })
}
