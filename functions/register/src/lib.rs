//! `register`: POST /auth/register creates an account and signs it in.

use http::{HeaderValue, StatusCode, header};
use lambda_http::Request;
use serde::Deserialize;
use shared::api::SessionView;
use shared::app::{App, Registration};
use shared::domain::{DisplayName, Email, Password, Roles};
use shared::http::{ApiError, Fields, HttpResponse, json, parse_json};
use utoipa::OpenApi;

/// Body of POST /auth/register.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Sign-in address; trimmed and lower-cased.
    pub email: String,
    /// 8 to 128 characters, not the email address.
    pub password: String,
    /// Display name, 1 to 80 characters, stored in NFC; no control, format or invisible
    /// characters (bidi controls, zero-width spaces), no check marks, and nothing that reads
    /// as the platform (peerlearn, admin, support, moderator, staff, official): else a 400
    /// naming `name`.
    pub name: String,
    /// `learner`, `mentor` or `both`.
    pub roles: String,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(register))]
pub struct Api;

/// Lambda entry point: every outcome, failure included, is an HTTP response.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    register(app, &request).await.unwrap_or_else(ApiError::into_response)
}

/// Create an account (learner, mentor or both) and sign it in.
#[utoipa::path(
    post,
    path = "/auth/register",
    tag = "accounts",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created and signed in", body = SessionView),
        (status = 400, description = "Invalid fields", body = shared::http::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email already registered", body = shared::http::Problem, content_type = "application/problem+json"),
    )
)]
async fn register(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let body: RegisterRequest = parse_json(request)?;
    let registration = parse(body)?;
    let signed_in = app.register(registration).await?;
    let mut response = json(StatusCode::CREATED, &SessionView::from(&signed_in))?;
    if let Ok(location) = HeaderValue::from_str(&format!("/users/{}", signed_in.user.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

fn parse(body: RegisterRequest) -> Result<Registration, ApiError> {
    let mut fields = Fields::default();
    let email = fields.check("email", Email::parse(&body.email));
    let name = fields.check("name", DisplayName::parse(&body.name));
    let roles = fields.check("roles", Roles::from_requested(&body.roles));
    // The password rule compares with the email, so it is only checked against a valid one.
    let password = email.as_ref().and_then(|email| fields.check("password", Password::parse(&body.password, email)));
    match (email, password, name, roles) {
        (Some(email), Some(password), Some(name), Some(roles)) => Ok(Registration { email, password, name, roles }),
        _ => Err(fields.into_error()),
    }
}
