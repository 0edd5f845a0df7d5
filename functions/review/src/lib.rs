//! `review`: POST /sessions/{id}/review and GET /mentors/{id}/reviews.

use http::StatusCode;
use lambda_http::Request;
use serde::{Deserialize, Serialize};
use shared::App;
use shared::domain::{Rating, Review, ReviewText, SessionId};
use shared::http::{
    ApiError, Fields, HttpResponse, PageRequest, authenticate, json, parse_json, path_member, path_resource, route_key,
};
use utoipa::OpenApi;

/// Body of POST /sessions/{id}/review.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// 1 to 5 stars.
    #[schema(minimum = 1, maximum = 5)]
    pub rating: u8,
    /// Up to 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000, pattern = "^([^\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f]|\\r\\n)*$")]
    pub text: String,
}

/// A page of reviews.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewList {
    /// Newest first; only reviews no longer blind.
    pub reviews: Vec<Review>,
    /// Pass as `cursor` for the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(review_session, mentor_reviews))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "POST /sessions/{id}/review" => review_session(app, &request).await,
        "GET /mentors/{id}/reviews" => mentor_reviews(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// Review a completed session: once per side, hidden from the other side until both have
/// reviewed or 7 days have passed.
#[utoipa::path(post, path = "/sessions/{id}/review", tag = "reviews", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Session id")),
    request_body = ReviewBody,
    responses(
        (status = 201, description = "Stored", body = Review),
        (status = 400, description = "Invalid rating or text"),
        (status = 404, description = "No such session, or not yours"),
        (status = 409, description = "Not completed, or already reviewed"),
    ))]
async fn review_session(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let session = path_resource(request, "id", SessionId::parse)?;
    let body: ReviewBody = parse_json(request)?;
    let mut fields = Fields::default();
    let rating = fields.check("rating", Rating::new(body.rating));
    let text = fields.check("text", ReviewText::parse(&body.text));
    let (Some(rating), Some(text)) = (rating, text) else { return Err(fields.into_error()) };
    let review = app.review_session(caller.bearer(), &session, rating, text).await?;
    json(StatusCode::CREATED, &review)
}

/// A mentor's reviews from learners, newest first (blind ones are not shown yet).
#[utoipa::path(get, path = "/mentors/{id}/reviews", tag = "reviews", security(("bearer" = [])),
    params(
        ("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Mentor id"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 50, description = "Page size, 1-50 (default 20)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's next_cursor"),
    ),
    responses(
        (status = 200, description = "A page of reviews", body = ReviewList),
        (status = 400, description = "Invalid id, limit or cursor"),
    ))]
async fn mentor_reviews(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let mentor = path_member(request)?;
    let paging = PageRequest::parse(request, &app.cursors, format!("reviews:{mentor}"))?;
    let page = app.mentor_reviews(caller.bearer(), &mentor, paging.after.as_deref(), paging.limit).await?;
    let next_cursor = paging.next_cursor(&app.cursors, page.next);
    json(StatusCode::OK, &ReviewList { reviews: page.reviews, next_cursor })
}
