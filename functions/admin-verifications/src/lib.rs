//! `admin-verifications`, for admins only: GET /admin/verifications (the queue),
//! GET /admin/verifications/{id} (a request with links to its documents),
//! POST /admin/verifications/{id}/approve and POST /admin/verifications/{id}/reject.
//! Every route checks the admin before it reads anything else of the request.

use chrono::{DateTime, Utc};
use http::StatusCode;
use lambda_http::Request;
use serde::{Deserialize, Serialize};
use shared::App;
use shared::api::VerificationView;
use shared::domain::{
    Decision, DisplayName, Email, FileKind, Invalid, Reason, UploadId, UploadPurpose, UserId, VerificationId,
    VerificationStatus,
};
use shared::http::{
    ApiError, Caller, Fields, HttpResponse, QueryParams, authenticate_admin, json, parse_json, path_resource, route_key,
};
use utoipa::OpenApi;

/// A page of the queue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerificationQueue {
    /// Pending requests, oldest first.
    pub verifications: Vec<VerificationView>,
    /// Pass as `cursor` for the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A request as an admin reviews it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerificationReviewView {
    /// The request.
    pub request: VerificationView,
    /// The admin who decided, once decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<UserId>,
    /// The mentor as they are now: check the documents against this name.
    pub mentor: MentorSummary,
    /// The named documents that still exist, each with a link valid for 5 minutes.
    pub documents: Vec<DocumentLink>,
}

/// The mentor behind a request.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MentorSummary {
    /// Member id.
    pub id: UserId,
    /// Name, to compare with the identity document.
    pub name: DisplayName,
    /// Sign-in address.
    pub email: Email,
    /// Their verification status now.
    pub verification: VerificationStatus,
}

/// One document and a short-lived link to read it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentLink {
    /// The upload.
    #[schema(value_type = String)]
    pub id: UploadId,
    /// `id_document`, `transcript` or `certificate`.
    pub purpose: UploadPurpose,
    /// Its content type.
    #[schema(value_type = String, example = "application/pdf")]
    pub content_type: FileKind,
    /// Its size.
    pub size_bytes: u64,
    /// A presigned GET.
    pub url: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// Body of POST /admin/verifications/{id}/reject.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    /// Why, shown to the mentor and kept in the audit trail (1 to 500 characters).
    #[schema(
        value_type = String,
        min_length = 1,
        max_length = 500,
        pattern = "^[^\\u0000-\\u0009\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0009\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
    )]
    pub reason: Reason,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(queue, review, approve, reject))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "GET /admin/verifications" => queue(app, &request).await,
        "GET /admin/verifications/{id}" => review(app, &request).await,
        "POST /admin/verifications/{id}/approve" => approve(app, &request).await,
        "POST /admin/verifications/{id}/reject" => reject(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// The caller, if an admin: checked before the path, the query or the body is read.
fn admin(app: &App, request: &Request) -> Result<Caller, ApiError> {
    authenticate_admin(request, &app.tokens, "Only admins review verification requests.")
}

/// The request named by the path; a malformed id names nothing.
fn path_id(request: &Request) -> Result<VerificationId, ApiError> {
    path_resource(request, "id", VerificationId::parse)
}

/// Pending requests, oldest first.
#[utoipa::path(get, path = "/admin/verifications", tag = "admin", security(("bearer" = [])),
    params(
        ("state" = Option<String>, Query, pattern = "^pending$", description = "Only `pending` (the default): decided requests are in the audit trail"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 50, description = "Page size, 1-50 (default 20)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's next_cursor"),
    ),
    responses(
        (status = 200, description = "A page of the queue", body = VerificationQueue),
        (status = 400, description = "Unknown parameter, a state other than pending, a bad limit or cursor"),
        (status = 403, description = "Not an admin"),
    ))]
async fn queue(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = admin(app, request)?;
    let params = QueryParams::new(request, &["state", "limit", "cursor"])?;
    let mut fields = Fields::default();
    if params.first("state").is_some_and(|state| state != "pending") {
        fields.refuse("state", &Invalid::new("must be pending"));
    }
    let limit = params.limit(&mut fields, 20);
    let scope = "verifications:pending";
    let after = params.cursor(&mut fields, &app.cursors, scope);
    if !fields.is_clean() {
        return Err(fields.into_error());
    }
    let page = app.pending_verifications(caller.bearer(), after.as_deref(), limit).await?;
    let queue = VerificationQueue {
        verifications: page.requests.iter().map(VerificationView::from).collect(),
        next_cursor: page.next.map(|position| app.cursors.sign_position(scope, &position)),
    };
    json(StatusCode::OK, &queue)
}

/// A request, the mentor and links to the documents (valid 5 minutes).
#[utoipa::path(get, path = "/admin/verifications/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Request id")),
    responses(
        (status = 200, description = "The request with its documents", body = VerificationReviewView),
        (status = 403, description = "Not an admin"),
        (status = 404, description = "No such request"),
    ))]
async fn review(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = admin(app, request)?;
    let id = path_id(request)?;
    let review = app.verification_review(caller.bearer(), &id).await?;
    let expires_at = review.links_expire_at;
    let view = VerificationReviewView {
        request: VerificationView::from(&review.request),
        decided_by: review.request.decided_by.clone(),
        mentor: MentorSummary {
            id: review.mentor.id.clone(),
            name: review.mentor.name.clone(),
            email: review.mentor.email.clone(),
            verification: review.mentor.verification,
        },
        documents: review
            .documents
            .into_iter()
            .map(|(upload, url)| DocumentLink {
                id: upload.id,
                purpose: upload.purpose,
                content_type: upload.kind,
                size_bytes: upload.size_bytes,
                url,
                expires_at,
            })
            .collect(),
    };
    json(StatusCode::OK, &view)
}

/// Approves a pending request: the mentor is verified and listed at once.
#[utoipa::path(post, path = "/admin/verifications/{id}/approve", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Request id")),
    responses(
        (status = 200, description = "The approved request", body = VerificationView),
        (status = 403, description = "Not an admin"),
        (status = 404, description = "No such request"),
        (status = 409, description = "The request was decided already"),
    ))]
async fn approve(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = admin(app, request)?;
    let id = path_id(request)?;
    let decided = app.decide_verification(caller.bearer(), &id, Decision::Approve).await?;
    json(StatusCode::OK, &VerificationView::from(&decided))
}

/// Rejects a pending request with a reason the mentor reads.
#[utoipa::path(post, path = "/admin/verifications/{id}/reject", tag = "admin", security(("bearer" = [])),
    operation_id = "reject_verification",
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Request id")),
    request_body = RejectBody,
    responses(
        (status = 200, description = "The rejected request", body = VerificationView),
        (status = 400, description = "Invalid reason"),
        (status = 403, description = "Not an admin"),
        (status = 404, description = "No such request"),
        (status = 409, description = "The request was decided already"),
    ))]
async fn reject(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = admin(app, request)?;
    let id = path_id(request)?;
    let body: RejectBody = parse_json(request)?;
    let decided = app.decide_verification(caller.bearer(), &id, Decision::Reject(body.reason)).await?;
    json(StatusCode::OK, &VerificationView::from(&decided))
}
