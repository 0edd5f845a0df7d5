//! One error type for the HTTP layer, rendered as RFC 9457 `application/problem+json`.

use http::{HeaderValue, StatusCode, header};
use lambda_http::Body;
use serde::Serialize;

use super::{HttpResponse, ProblemType};
use crate::domain::{Invalid, LimitKind};

/// One request field and what is wrong with it. `field` is a JSON pointer-ish dotted
/// path into the request body (`skills[2].level`), or a header/parameter name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Where in the request.
    pub field: String,
    /// What is wrong, in words a user can act on.
    pub message: String,
}

impl FieldError {
    /// A field error from a domain refusal.
    pub fn new(field: impl Into<String>, reason: &Invalid) -> Self {
        Self { field: field.into(), message: reason.reason().to_owned() }
    }

    /// A field error with a fixed message.
    pub fn message(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// Everything a request can fail with, each mapped to one status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed or a field is invalid.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 401: no credentials, or credentials that do not hold.
    #[error("unauthenticated: {0}")]
    Unauthenticated(&'static str),
    /// 401: sign-in with a wrong email or password (not saying which).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// 401: the refresh token is unknown, expired, reused or revoked; sign in again.
    #[error("invalid refresh token")]
    RefreshTokenInvalid,
    /// 401: the access token expired; get a new one and reconnect (WebSocket frames).
    #[error("access token expired")]
    TokenExpired,
    /// 403: the caller is known but may not do this.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// 403: the caller's account is suspended.
    #[error("account suspended")]
    Suspended,
    /// 404: no such thing, or the caller may not know it exists.
    #[error("not found")]
    NotFound,
    /// 409: the request conflicts with the current state.
    #[error("conflict: {detail}")]
    Conflict {
        /// Which conflict: one of the 409 [`ProblemType`]s.
        kind: ProblemType,
        /// What conflicts.
        detail: &'static str,
        /// The field that caused it, when one did.
        field: Option<&'static str>,
    },
    /// 409: the move is not allowed in the resource's current state, which is named.
    #[error("invalid state: {reason}")]
    InvalidState {
        /// The current state.
        state: &'static str,
        /// Why the move is refused.
        reason: &'static str,
    },
    /// 413: the body exceeds the limit.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 415: the body is not JSON.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 429: a rate limit is used up; try again after the given seconds.
    #[error("too many requests ({})", .limit.as_str())]
    TooManyRequests {
        /// Which limit.
        limit: LimitKind,
        /// Seconds until a new attempt may succeed.
        retry_after: u64,
    },
    /// 500: our fault. The detail is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
    /// 503: the payment provider is not reachable or not ready. The cause is logged.
    #[error("payments unavailable: {0}")]
    PaymentsUnavailable(String),
    /// 503: a sign-in provider is not reachable. The cause is logged.
    #[error("sign-in unavailable: {0}")]
    SignInUnavailable(String),
    /// 503: the mail or text service is not reachable. The cause is logged.
    #[error("delivery unavailable: {0}")]
    DeliveryUnavailable(String),
}

impl ApiError {
    /// A 400 for one field.
    pub fn field(field: impl Into<String>, reason: &Invalid) -> Self {
        Self::Validation(vec![FieldError::new(field, reason)])
    }

    /// A 500 from any displayable cause.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    /// The kind of problem, whose stable URI is the document's `type`.
    pub fn problem_type(&self) -> ProblemType {
        match self {
            Self::Validation(_) => ProblemType::Validation,
            Self::Unauthenticated(_) => ProblemType::Unauthenticated,
            Self::InvalidCredentials => ProblemType::InvalidCredentials,
            Self::RefreshTokenInvalid => ProblemType::RefreshTokenInvalid,
            Self::TokenExpired => ProblemType::TokenExpired,
            Self::Forbidden(_) => ProblemType::Forbidden,
            Self::Suspended => ProblemType::Suspended,
            Self::NotFound => ProblemType::NotFound,
            Self::Conflict { kind, .. } => *kind,
            Self::InvalidState { .. } => ProblemType::InvalidState,
            Self::PayloadTooLarge => ProblemType::PayloadTooLarge,
            Self::UnsupportedMediaType => ProblemType::UnsupportedMediaType,
            Self::TooManyRequests { .. } => ProblemType::RateLimited,
            Self::Internal(_) => ProblemType::Internal,
            Self::PaymentsUnavailable(_) => ProblemType::PaymentsUnavailable,
            Self::SignInUnavailable(_) => ProblemType::SignInUnavailable,
            Self::DeliveryUnavailable(_) => ProblemType::DeliveryUnavailable,
        }
    }

    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        self.problem_type().status()
    }

    /// Renders the problem document, with `Retry-After` on 429 and a Bearer challenge on 401.
    pub fn into_response(self) -> HttpResponse {
        let status = self.status();
        let (body, headers) = self.into_parts();
        problem_response(status, &body, &headers)
    }

    /// The problem document alone (WebSocket error frames carry it).
    pub fn into_problem(self) -> Problem {
        self.into_parts().0
    }

    fn into_parts(self) -> (Problem, Vec<(http::HeaderName, HeaderValue)>) {
        let kind = self.problem_type();
        let status = kind.status();
        let mut headers = Vec::new();
        let (detail, errors): (String, Vec<FieldError>) = match self {
            Self::Validation(errors) => ("The request has invalid fields.".into(), errors),
            Self::Unauthenticated(why) => {
                headers.push((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
                (why.into(), Vec::new())
            }
            Self::InvalidCredentials => {
                headers.push((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
                ("Email or password is incorrect.".into(), Vec::new())
            }
            Self::RefreshTokenInvalid => {
                headers.push((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
                ("The refresh token is invalid, expired or already used; sign in again.".into(), Vec::new())
            }
            Self::TokenExpired => {
                headers.push((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
                let body = Problem {
                    kind: kind.uri(),
                    title: "Access token expired",
                    status: status.as_u16(),
                    detail: "The access token this connection opened with has expired; get a new one \
                             (POST /auth/refresh) and reconnect."
                        .into(),
                    errors: Vec::new(),
                    state: None,
                    limit: None,
                    retry_after: None,
                    request_id: crate::observability::scope::request_id(),
                };
                return (body, headers);
            }
            Self::Forbidden(why) => (why.into(), Vec::new()),
            Self::Suspended => ("This account is suspended.".into(), Vec::new()),
            Self::NotFound => ("No such resource.".into(), Vec::new()),
            Self::Conflict { detail, field, .. } => {
                let errors = field.map(|f| vec![FieldError::message(f, detail)]).unwrap_or_default();
                (detail.into(), errors)
            }
            Self::InvalidState { state, reason } => {
                let body = Problem {
                    kind: kind.uri(),
                    title: "Conflict",
                    status: status.as_u16(),
                    detail: format!("{} (the session is {state}).", capitalised(reason)),
                    errors: Vec::new(),
                    state: Some(state),
                    limit: None,
                    retry_after: None,
                    request_id: crate::observability::scope::request_id(),
                };
                return (body, headers);
            }
            Self::PayloadTooLarge => (format!("The body exceeds {} bytes.", super::MAX_BODY_BYTES), Vec::new()),
            Self::UnsupportedMediaType => ("Send the body as application/json.".into(), Vec::new()),
            Self::TooManyRequests { limit, retry_after } => {
                headers.push((header::RETRY_AFTER, HeaderValue::from(retry_after)));
                let detail = format!("{} Try again in {retry_after} s.", limit_detail(limit));
                let mut body = problem_body(status, kind.uri(), detail, Vec::new());
                body.limit = Some(limit.as_str());
                body.retry_after = Some(retry_after);
                return (body, headers);
            }
            Self::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                ("Something went wrong on our side.".into(), Vec::new())
            }
            Self::PaymentsUnavailable(cause) => {
                tracing::warn!(%cause, "payment provider unavailable");
                headers.push((header::RETRY_AFTER, HeaderValue::from(30u64)));
                ("Payments are not available right now; try again shortly.".into(), Vec::new())
            }
            Self::SignInUnavailable(cause) => {
                tracing::warn!(%cause, "sign-in provider unavailable");
                headers.push((header::RETRY_AFTER, HeaderValue::from(30u64)));
                ("Signing in with this provider is not available right now; try again shortly.".into(), Vec::new())
            }
            Self::DeliveryUnavailable(cause) => {
                tracing::warn!(%cause, "mail or text service unavailable");
                headers.push((header::RETRY_AFTER, HeaderValue::from(60u64)));
                ("The mail or text could not be sent right now; try again in a minute.".into(), Vec::new())
            }
        };
        (problem_body(status, kind.uri(), detail, errors), headers)
    }
}

/// Which limit was reached, in words for the person who reached it.
fn limit_detail(limit: LimitKind) -> &'static str {
    match limit {
        LimitKind::LoginPerAddress => "Too many sign-in attempts for this address.",
        LimitKind::LoginPerSource => "Too many sign-in attempts from this network.",
        LimitKind::SessionRequestsPerPair => "Too many session requests to this mentor.",
        LimitKind::SessionRequestsPerLearner => "Too many session requests.",
        LimitKind::MessagesPerMember => "Too many messages in a short time.",
        LimitKind::ReportsPerPair => "You already reported this member today.",
        LimitKind::LinkMailsPerAddress => "Several mails went to this address in the last hour; check the inbox.",
        LimitKind::ResetsPerSource => "Too many password resets were asked for from this network.",
        LimitKind::TextsPerMember => "Several codes were texted to you today.",
        LimitKind::TextsPerNumber => "Several codes were texted to this number today.",
        LimitKind::TextsPerPlatform => "No more codes can be texted today.",
        LimitKind::TextResend => "A code was texted less than a minute ago.",
        LimitKind::PhoneSignInsPerSource => "Too many phone sign-ins were asked for from this network.",
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

impl From<ApiError> for HttpResponse {
    fn from(error: ApiError) -> Self {
        error.into_response()
    }
}

/// The problem type of [`ApiError::TokenExpired`]: stable, so clients can match it and
/// reconnect with a fresh token rather than show an error.
pub const TOKEN_EXPIRED_TYPE: &str = ProblemType::TokenExpired.uri();

/// The body of an `application/problem+json` response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A stable URI naming the problem kind: switch on it, never on `title` or `detail`.
    /// 400 `urn:peerlearn:problem:validation` (fix the fields in `errors`);
    /// 401 `urn:peerlearn:problem:unauthenticated` (refresh the access token, or sign in),
    /// `urn:peerlearn:problem:invalid-credentials` (wrong email or password),
    /// `urn:peerlearn:problem:refresh-token-invalid` (sign in again),
    /// `urn:peerlearn:problem:token-expired` (WebSocket: refresh, then reconnect);
    /// 403 `urn:peerlearn:problem:forbidden` (not allowed), `urn:peerlearn:problem:suspended`
    /// (the account is suspended); 404 `urn:peerlearn:problem:not-found`;
    /// 409 `urn:peerlearn:problem:invalid-state` (not in the session's current `state`),
    /// `urn:peerlearn:problem:time-taken` (pick another time),
    /// `urn:peerlearn:problem:email-taken` (sign in instead),
    /// `urn:peerlearn:problem:already-reviewed`,
    /// `urn:peerlearn:problem:idempotency-mismatch` (use a new Idempotency-Key),
    /// `urn:peerlearn:problem:contended` (retry),
    /// `urn:peerlearn:problem:upload-missing` (put the file with the upload's link first),
    /// `urn:peerlearn:problem:upload-mismatch` (the file was not what was declared and is
    /// deleted; start a new upload),
    /// `urn:peerlearn:problem:payouts-not-enabled` (finish payout onboarding first),
    /// `urn:peerlearn:problem:google-account-not-linked` (sign in with the password, then
    /// link Google), `urn:peerlearn:problem:identity-conflict` (the Google account is
    /// linked to another member, another one is linked already, or it is the only way in);
    /// 403 `urn:peerlearn:problem:email-not-verified` (confirm the address with the mailed
    /// link first);
    /// 413 `urn:peerlearn:problem:payload-too-large`;
    /// 415 `urn:peerlearn:problem:unsupported-media-type`;
    /// 429 `urn:peerlearn:problem:rate-limited` (wait `retry_after` seconds);
    /// 500 `urn:peerlearn:problem:internal` (retry later);
    /// 503 `urn:peerlearn:problem:payments-unavailable` (the payment provider is not
    /// reachable or not ready; retry later), `urn:peerlearn:problem:sign-in-unavailable`
    /// (Google's keys are not reachable; retry later), `urn:peerlearn:problem:delivery-unavailable`
    /// (the mail or text was not sent; retry later). `about:blank` only on statuses
    /// outside this list. New kinds may be added: treat an unknown one by its status.
    #[serde(rename = "type")]
    #[schema(examples("urn:peerlearn:problem:validation", "urn:peerlearn:problem:time-taken"))]
    pub kind: &'static str,
    /// Short, human-readable summary of the status.
    pub title: &'static str,
    /// HTTP status code.
    pub status: u16,
    /// What happened, for a person.
    pub detail: String,
    /// The fields at fault, when the request had bad fields.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For a refused move: the resource's current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<&'static str>,
    /// For a 429: the limit reached (`login_per_address`, `login_per_source`,
    /// `session_requests_per_pair`, `session_requests_per_learner`, `messages_per_member`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<&'static str>,
    /// For a 429: seconds until the limit's window ends (as the `Retry-After` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// The request's id, as in the `x-request-id` header: quote it when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Builds a problem response; used for errors raised outside [`ApiError`] too (the dev
/// gateway's 404 for unknown routes). The `type` is the status's general kind.
pub fn problem(
    status: StatusCode,
    detail: String,
    errors: Vec<FieldError>,
    extra_headers: &[(http::HeaderName, HeaderValue)],
) -> HttpResponse {
    let kind = ProblemType::for_status(status).map_or("about:blank", ProblemType::uri);
    problem_response(status, &problem_body(status, kind, detail, errors), extra_headers)
}

fn problem_body(status: StatusCode, kind: &'static str, detail: String, errors: Vec<FieldError>) -> Problem {
    Problem {
        kind,
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail,
        errors,
        state: None,
        limit: None,
        retry_after: None,
        request_id: crate::observability::scope::request_id(),
    }
}

fn problem_response(
    status: StatusCode,
    body: &Problem,
    extra_headers: &[(http::HeaderName, HeaderValue)],
) -> HttpResponse {
    let text = serde_json::to_string(body).unwrap_or_else(|_| String::from("{}"));
    let mut response = lambda_http::Response::new(Body::Text(text));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for (name, value) in extra_headers {
        headers.insert(name.clone(), value.clone());
    }
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn body(response: HttpResponse) -> serde_json::Value {
        let Body::Text(text) = response.body() else { panic!("not text") };
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn every_error_names_its_stable_type_and_status() {
        let cases = [
            (ApiError::field("email", &Invalid::new("is not an email")), "validation", 400),
            (ApiError::Unauthenticated("no"), "unauthenticated", 401),
            (ApiError::InvalidCredentials, "invalid-credentials", 401),
            (ApiError::RefreshTokenInvalid, "refresh-token-invalid", 401),
            (ApiError::TokenExpired, "token-expired", 401),
            (ApiError::Forbidden("no"), "forbidden", 403),
            (ApiError::Suspended, "suspended", 403),
            (ApiError::NotFound, "not-found", 404),
            (ApiError::Conflict { kind: ProblemType::TimeTaken, detail: "taken", field: None }, "time-taken", 409),
            (ApiError::InvalidState { state: "expired", reason: "too late" }, "invalid-state", 409),
            (ApiError::PayloadTooLarge, "payload-too-large", 413),
            (ApiError::UnsupportedMediaType, "unsupported-media-type", 415),
            (ApiError::TooManyRequests { limit: LimitKind::MessagesPerMember, retry_after: 3 }, "rate-limited", 429),
            (ApiError::internal("boom"), "internal", 500),
        ];
        for (error, kind, status) in cases {
            let response = error.into_response();
            assert_eq!(response.status().as_u16(), status, "{kind}");
            let body = body(response);
            assert_eq!(body["type"], format!("urn:peerlearn:problem:{kind}"));
            assert_eq!(body["status"], status);
        }
    }

    #[test]
    fn refusals_to_sign_in_keep_the_bearer_challenge() {
        for error in [ApiError::InvalidCredentials, ApiError::RefreshTokenInvalid, ApiError::Unauthenticated("x")] {
            assert_eq!(error.into_response().headers()[header::WWW_AUTHENTICATE], "Bearer");
        }
    }

    #[test]
    fn problems_raised_outside_api_error_take_the_general_kind_of_their_status() {
        let not_found = body(problem(StatusCode::NOT_FOUND, "No route.".into(), Vec::new(), &[]));
        assert_eq!(not_found["type"], "urn:peerlearn:problem:not-found");
        let gateway = body(problem(StatusCode::BAD_GATEWAY, "Function not linked.".into(), Vec::new(), &[]));
        assert_eq!(gateway["type"], "about:blank");
    }
}
