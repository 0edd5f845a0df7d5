//! `register`: POST /auth/register creates an account and signs it in.

use http::{HeaderValue, StatusCode, header};
use lambda_http::Request;
use serde::Deserialize;
use shared::App;
use shared::api::SignedInView;
use shared::app::Registration;
use shared::domain::{DisplayName, Email, Password, Roles};
use shared::http::{ApiError, Fields, HttpResponse, json, parse_json, roles_schema};
use utoipa::OpenApi;

/// Body of POST /auth/register.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Sign-in address; trimmed and lower-cased.
    #[schema(
        max_length = 254,
        pattern = "^\\s*[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,32}(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,15}){0,2}@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}\\s*$"
    )]
    pub email: String,
    /// 8 to 128 characters, not the email address.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
    /// Display name, 1 to 80 characters, stored in NFC; no control, format or invisible
    /// characters (bidi controls, zero-width spaces), no check marks, and nothing that reads
    /// as the platform (peerlearn, admin, support, moderator, staff, official): else a 400
    /// naming `name`.
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: String,
    /// `learner`, `mentor` or `both`.
    #[schema(schema_with = roles_schema)]
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
        (status = 201, description = "Account created and signed in", body = SignedInView),
        (status = 409, description = "Email already registered"),
    )
)]
async fn register(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let body: RegisterRequest = parse_json(request)?;
    let registration = parse(body)?;
    let signed_in = app.register(registration).await?;
    let mut response = json(StatusCode::CREATED, &SignedInView::from(&signed_in))?;
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
