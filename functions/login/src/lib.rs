//! `login`: POST /auth/login, POST /auth/refresh and POST /auth/logout.

use http::StatusCode;
use lambda_http::Request;
use serde::Deserialize;
use shared::App;
use shared::api::SignedInView;
use shared::app::RefreshToken;
use shared::domain::{Email, Invalid};
use shared::http::{ApiError, FieldError, HttpResponse, json, no_content, parse_json, route_key, source_address};
use utoipa::OpenApi;

/// Body of POST /auth/login.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Sign-in address.
    #[schema(
        max_length = 254,
        pattern = "^\\s*[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,32}(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,15}){0,2}@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}\\s*$"
    )]
    pub email: String,
    /// Password.
    #[schema(min_length = 1)]
    pub password: String,
}

/// Body of POST /auth/refresh and POST /auth/logout.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last sign-in or refresh.
    #[schema(pattern = "^[0-9A-Za-z]{26}\\.[0-9A-Za-z_-]{43}$")]
    pub refresh_token: String,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(login, refresh, logout))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "POST /auth/login" => login(app, &request).await,
        "POST /auth/refresh" => refresh(app, &request).await,
        "POST /auth/logout" => logout(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// Sign in with email and password.
#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "accounts",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = SignedInView),
        (status = 401, description = "Email or password is incorrect"),
        (status = 403, description = "Account suspended"),
        (status = 429, description = "Too many failed attempts for this address (5 per 15 minutes) or from this network (30 per 15 minutes); the problem names the `limit`, `Retry-After` says when to try again"),
    )
)]
async fn login(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let source = source_address(request)?;
    let body: LoginRequest = parse_json(request)?;
    let email = Email::parse(&body.email).map_err(|reason| ApiError::field("email", &reason))?;
    if body.password.is_empty() {
        return Err(ApiError::field("password", &Invalid::new("is required")));
    }
    let signed_in = app.login(email, body.password, source).await?;
    json(StatusCode::OK, &SignedInView::from(&signed_in))
}

/// Exchange a refresh token for a new token pair (the old one stops working).
#[utoipa::path(
    post,
    path = "/auth/refresh",
    tag = "accounts",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New token pair", body = SignedInView),
        (status = 400, description = "Malformed token"),
        (status = 401, description = "Token unknown, expired, reused or revoked"),
    )
)]
async fn refresh(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let token = presented_token(request)?;
    let signed_in = app.refresh(token).await?;
    json(StatusCode::OK, &SignedInView::from(&signed_in))
}

/// Sign out: the refresh token's whole sign-in stops working.
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "accounts",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Signed out (also when already signed out)"),
        (status = 400, description = "Malformed token"),
    )
)]
async fn logout(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let token = presented_token(request)?;
    app.logout(token).await?;
    Ok(no_content())
}

fn presented_token(request: &Request) -> Result<RefreshToken, ApiError> {
    let body: RefreshRequest = parse_json(request)?;
    RefreshToken::parse(&body.refresh_token).map_err(|_| {
        ApiError::Validation(vec![FieldError::message("refresh_token", "is not a refresh token issued by Peerlearn")])
    })
}
