//! `stripe-webhook`: POST /webhooks/stripe. Stripe signs each delivery; the body is checked
//! byte for byte against `Stripe-Signature` before anything is read from it, and each event
//! is acted on once however often it arrives.

use http::StatusCode;
use lambda_http::Request;
use serde::Serialize;
use shared::App;
use shared::app::Handled;
use shared::domain::Invalid;
use shared::http::{ApiError, HttpResponse, json, route_key};
use utoipa::OpenApi;

/// The acknowledgement Stripe gets.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Received {
    /// The event was handled before (a retry or a replay); nothing changed.
    pub duplicate: bool,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(stripe_event))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "POST /webhooks/stripe" => stripe_event(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// One Stripe event. Not for clients: Stripe calls it, and only a delivery signed with
/// the endpoint's secret within the last 300 seconds is believed.
#[utoipa::path(post, path = "/webhooks/stripe", tag = "payments",
    params(("Stripe-Signature" = String, Header, description = "`t=<unix time>,v1=<HMAC-SHA256 of \"t.body\">`")),
    request_body(content = String, content_type = "application/json", description = "A Stripe event, exactly as Stripe sent it"),
    responses(
        (status = 200, description = "Handled, now or before", body = Received),
        (status = 400, description = "Unsigned, forged, stale or unreadable: nothing was written"),
        (status = 503, description = "The event names an account not recorded yet; Stripe delivers it again"),
    ))]
async fn stripe_event(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let signature = request.headers().get("stripe-signature").and_then(|value| value.to_str().ok());
    let payload = std::str::from_utf8(request.body().as_ref())
        .map_err(|_| ApiError::field("body", &Invalid::new("is not UTF-8 text")))?;
    let handled = app.hear_payment_event(payload, signature).await?;
    json(StatusCode::OK, &Received { duplicate: handled == Handled::AlreadyHandled })
}
