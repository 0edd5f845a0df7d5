//! `uploads`: POST /me/uploads (a presigned link to put a document or an avatar),
//! POST /me/uploads/{id}/complete (check what arrived and keep it) and GET /me/uploads.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use http::StatusCode;
use lambda_http::Request;
use serde::{Deserialize, Serialize};
use shared::App;
use shared::domain::{FileKind, Upload, UploadId, UploadPurpose};
use shared::http::{ApiError, Fields, HttpResponse, authenticate, json, parse_json, path_resource, route_key};
use utoipa::OpenApi;

/// Body of POST /me/uploads: what the member is about to upload.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadRequest {
    /// What the file is for: `id_document`, `transcript` or `certificate` (evidence for
    /// verification, up to 10 MB) or `avatar` (an image, up to 2 MB).
    #[schema(value_type = String, pattern = "^(id_document|transcript|certificate|avatar)$")]
    pub purpose: String,
    /// `application/pdf`, `image/jpeg` or `image/png` (an avatar: an image). The upload
    /// must be sent with exactly this type.
    #[schema(value_type = String, pattern = "^(application/pdf|image/jpeg|image/png)$")]
    pub content_type: String,
    /// The file's exact size in bytes: 1 to 10485760 (an avatar at most 2097152). The
    /// upload must be exactly this long.
    #[schema(minimum = 1, maximum = 10485760)]
    pub size_bytes: u64,
}

/// A started upload: put the file with this method, URL and headers, then complete it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StartedUploadView {
    /// The upload, pending.
    pub upload: Upload,
    /// `PUT`.
    pub method: String,
    /// The presigned URL; works for 10 minutes.
    pub url: String,
    /// Headers to send exactly as given (the content type and length are signed).
    pub headers: BTreeMap<String, String>,
    /// When the URL stops working.
    pub expires_at: DateTime<Utc>,
}

/// The caller's uploads.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadList {
    /// Newest first, at most 100.
    pub uploads: Vec<Upload>,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(start_upload, complete_upload, list_uploads))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "POST /me/uploads" => start_upload(app, &request).await,
        "POST /me/uploads/{id}/complete" => complete_upload(app, &request).await,
        "GET /me/uploads" => list_uploads(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// Starts an upload: a presigned PUT URL under a key the server chooses, signed for the
/// declared content type and exact size, valid 10 minutes. Nothing is kept until the
/// upload is completed.
#[utoipa::path(post, path = "/me/uploads", tag = "uploads", security(("bearer" = [])),
    request_body = UploadRequest,
    responses(
        (status = 201, description = "Put the file with this URL, then complete the upload", body = StartedUploadView),
        (status = 400, description = "A field is invalid: purpose, content_type (an avatar is an image), size_bytes (documents 10 MB, avatars 2 MB)"),
        (status = 403, description = "The account is suspended"),
    ))]
async fn start_upload(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let body: UploadRequest = parse_json(request)?;
    let mut fields = Fields::default();
    let purpose = fields.check("purpose", UploadPurpose::parse(&body.purpose));
    let kind = fields.check("content_type", FileKind::from_content_type(&body.content_type));
    let (Some(purpose), Some(kind)) = (purpose, kind) else { return Err(fields.into_error()) };
    let started = app.start_upload(caller.bearer(), purpose, kind, body.size_bytes).await?;
    let view = StartedUploadView {
        upload: started.upload,
        method: started.link.method,
        url: started.link.url,
        headers: started.link.headers.into_iter().collect(),
        expires_at: started.link.expires_at,
    };
    json(StatusCode::CREATED, &view)
}

/// Completes an upload: the file put with its URL must be exactly what was declared
/// (size, content type, and content by its first bytes); it is then kept, and an avatar
/// becomes the caller's avatar. A file that is not is deleted with its upload. Completing
/// a completed upload answers it again.
#[utoipa::path(post, path = "/me/uploads/{id}/complete", tag = "uploads", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Upload id")),
    responses(
        (status = 200, description = "The upload, complete", body = Upload),
        (status = 403, description = "The account is suspended"),
        (status = 404, description = "No such upload of yours"),
        (status = 409, description = "Nothing uploaded yet (upload-missing), or the file is not what was declared and was deleted (upload-mismatch)"),
    ))]
async fn complete_upload(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let id = path_resource(request, "id", UploadId::parse)?;
    let upload = app.complete_upload(caller.bearer(), &id).await?;
    json(StatusCode::OK, &upload)
}

/// The caller's uploads, newest first.
#[utoipa::path(get, path = "/me/uploads", tag = "uploads", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's uploads", body = UploadList),
    ))]
async fn list_uploads(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let uploads = app.my_uploads(caller.bearer()).await?;
    json(StatusCode::OK, &UploadList { uploads })
}
