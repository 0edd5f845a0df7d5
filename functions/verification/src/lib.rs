//! `verification`: POST /me/verification (a mentor asks to be verified) and
//! GET /me/verification (where it stands and, after a rejection, why).

use http::StatusCode;
use lambda_http::Request;
use serde::{Deserialize, Serialize};
use shared::App;
use shared::api::VerificationView;
use shared::domain::{EvidenceUploads, VerificationStatement, VerificationStatus};
use shared::http::{ApiError, HttpResponse, authenticate, json, parse_json, route_key};
use utoipa::OpenApi;

/// Body of POST /me/verification.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationBody {
    /// 1 to 5 distinct ids of the caller's completed uploads: an identity document
    /// (`id_document`) and optionally transcripts and certificates.
    #[schema(
        value_type = Vec<String>,
        min_items = 1,
        max_items = 5,
        inline
    )]
    pub uploads: EvidenceUploads,
    /// A short statement for the admins, 1 to 1000 characters.
    #[schema(
        value_type = String,
        min_length = 1,
        max_length = 1000,
        pattern = "^[^\\u0000-\\u0009\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0009\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
    )]
    pub statement: VerificationStatement,
}

/// Where the caller's verification stands.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MyVerification {
    /// `unverified`, `pending`, `verified` or `rejected`.
    pub status: VerificationStatus,
    /// The newest request, with the reason when it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<VerificationView>,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(request_verification, my_verification))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "POST /me/verification" => request_verification(app, &request).await,
        "GET /me/verification" => my_verification(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// A mentor asks to be verified, naming their completed documents.
#[utoipa::path(post, path = "/me/verification", tag = "verification", security(("bearer" = [])),
    request_body = VerificationBody,
    responses(
        (status = 201, description = "The request, pending", body = VerificationView),
        (status = 400, description = "Invalid uploads or statement; an upload that is not a completed document of the caller's, or no identity document"),
        (status = 403, description = "Not a mentor, or suspended"),
        (status = 409, description = "A request is already pending, or the caller is verified"),
    ))]
async fn request_verification(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let body: VerificationBody = parse_json(request)?;
    let submitted = app.request_verification(caller.bearer(), body.uploads, body.statement).await?;
    json(StatusCode::CREATED, &VerificationView::from(&submitted))
}

/// The caller's verification status and newest request.
#[utoipa::path(get, path = "/me/verification", tag = "verification", security(("bearer" = [])),
    responses(
        (status = 200, description = "Status and the newest request", body = MyVerification),
    ))]
async fn my_verification(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let (status, latest) = app.my_verification(caller.bearer()).await?;
    json(StatusCode::OK, &MyVerification { status, request: latest.as_ref().map(VerificationView::from) })
}
