//! `login`: POST /auth/login, POST /auth/google, POST /auth/refresh and POST /auth/logout.

use http::StatusCode;
use lambda_http::Request;
use serde::Deserialize;
use shared::App;
use shared::api::SignedInView;
use shared::app::{GoogleSignIn, RefreshToken};
use shared::domain::{DisplayName, Email, Invalid, Roles};
use shared::http::{
    ApiError, FieldError, Fields, HttpResponse, json, no_content, parse_json, route_key, source_address,
};
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

/// Body of POST /auth/google.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoogleSignInRequest {
    /// The ID token Google's Sign-In gave the client (a JWT).
    #[schema(min_length = 1, max_length = 4096)]
    pub id_token: String,
    /// `learner`, `mentor` or `both`: required on a first sign-in (a new account).
    #[serde(default)]
    #[schema(schema_with = roles_schema, required = false)]
    pub roles: Option<String>,
    /// Display name for a new account; the Google account's name when absent.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$",
        required = false
    )]
    pub name: Option<String>,
}

/// The roles a member can start with, as an enum in the schema.
fn roles_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(["learner", "mentor", "both"]))
        .build()
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
#[openapi(paths(login, google, refresh, logout))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "POST /auth/login" => login(app, &request).await,
        "POST /auth/google" => google(app, &request).await,
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

/// Sign in with Google: the ID token from Google's Sign-In. A Google account's first sign-in
/// creates an account (with the roles asked for); an address that already has a password
/// account is never merged on its own: 409 `google-account-not-linked`.
#[utoipa::path(
    post,
    path = "/auth/google",
    tag = "accounts",
    request_body = GoogleSignInRequest,
    responses(
        (status = 200, description = "Signed in to the Google account's account", body = SignedInView),
        (status = 201, description = "A new account, signed in", body = SignedInView),
        (status = 400, description = "A new account without roles, or a bad name"),
        (status = 401, description = "The ID token is forged, expired, for another app, or its email is not verified"),
        (status = 403, description = "Account suspended"),
        (status = 409, description = "The email has a password account: sign in with it and link Google (`google-account-not-linked`)"),
        (status = 503, description = "Google's keys are not reachable; retry (`sign-in-unavailable`)"),
    )
)]
async fn google(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let body: GoogleSignInRequest = parse_json(request)?;
    let mut fields = Fields::default();
    if body.id_token.is_empty() {
        fields.check::<()>("id_token", Err(Invalid::new("is required")));
    }
    let roles = body.roles.and_then(|raw| fields.check("roles", Roles::from_requested(&raw)));
    let name = body.name.and_then(|raw| fields.check("name", DisplayName::parse(&raw)));
    if !fields.is_clean() {
        return Err(fields.into_error());
    }
    let (signed_in, created) = app.sign_in_with_google(GoogleSignIn { id_token: body.id_token, roles, name }).await?;
    json(if created { StatusCode::CREATED } else { StatusCode::OK }, &SignedInView::from(&signed_in))
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
