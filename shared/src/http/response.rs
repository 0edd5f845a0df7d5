//! Success responses and request routing facts.

use http::{HeaderValue, StatusCode, header};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt as _};
use serde::Serialize;

use super::{ApiError, HttpResponse};
use crate::domain::{Invalid, SourceAddress};

/// A JSON response. Every API answer is private to its caller, so none is cached.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<HttpResponse, ApiError> {
    let text = serde_json::to_string(value).map_err(ApiError::internal)?;
    let mut response = lambda_http::Response::new(Body::Text(text));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// A 204 with no body.
pub fn no_content() -> HttpResponse {
    let mut response = lambda_http::Response::new(Body::Empty);
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// The route that API Gateway matched ("POST /auth/login"), which is how a function that
/// serves several routes tells them apart; independent of stage prefixes in the path.
pub fn route_key(request: &Request) -> &str {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.route_key.as_deref().unwrap_or(""),
        _ => "",
    }
}

/// The network the request came from, as API Gateway saw it (`requestContext.http.sourceIp`,
/// the TCP peer, not a client-set header such as `X-Forwarded-For`). API Gateway always sets
/// it; an event without a usable one is refused naming the field rather than failing.
pub fn source_address(request: &Request) -> Result<SourceAddress, ApiError> {
    const FIELD: &str = "requestContext.http.sourceIp";
    let raw = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.as_deref(),
        _ => None,
    };
    let raw = raw.ok_or_else(|| ApiError::field(FIELD, &Invalid::new("is required")))?;
    SourceAddress::parse(raw).map_err(|reason| ApiError::field(FIELD, &reason))
}
