//! The stable `type` URIs of problem documents: one per kind of error, so web and mobile
//! clients switch on the type rather than on English text.
//!
//! The list is mirrored, with what a client should do, in the OpenAPI `Problem` schema and
//! in docs/ARCHITECTURE.md ("Problem types"); tests keep both in step with [`ProblemType::ALL`].

use http::StatusCode;

/// What went wrong, as a client can act on it. Every [`super::ApiError`] has one
/// ([`super::ApiError::problem_type`]); WebSocket error frames carry the same documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemType {
    /// 400: fields are invalid; `errors` names each one.
    Validation,
    /// 401: no access token, or one that is invalid or expired.
    Unauthenticated,
    /// 401: sign-in with a wrong email or password.
    InvalidCredentials,
    /// 401: the refresh token is unknown, expired, reused or revoked.
    RefreshTokenInvalid,
    /// 401: the token a WebSocket connection opened with has expired.
    TokenExpired,
    /// 403: the caller may not do this.
    Forbidden,
    /// 403: the caller's account is suspended.
    Suspended,
    /// 404: no such resource, or not the caller's to see.
    NotFound,
    /// 409: the move is not allowed in the session's current state (`state`).
    InvalidState,
    /// 409: the mentor or the learner is already booked for part of that time.
    TimeTaken,
    /// 409: an account with this email exists.
    EmailTaken,
    /// 409: the caller already reviewed this session.
    AlreadyReviewed,
    /// 409: the Idempotency-Key was used for a different request.
    IdempotencyMismatch,
    /// 409: the resource changed while saving.
    Contended,
    /// 409: nothing was uploaded under the upload's link (yet).
    UploadMissing,
    /// 409: the uploaded file is not what was declared (`errors` names the field); deleted.
    UploadMismatch,
    /// 409: the mentor's payout account cannot take payments yet (finish onboarding).
    PayoutsNotEnabled,
    /// 413: the body is too large.
    PayloadTooLarge,
    /// 415: the body is not JSON.
    UnsupportedMediaType,
    /// 429: an abuse limit is used up (`limit`, `retry_after`).
    RateLimited,
    /// 500: our fault.
    Internal,
    /// 503: the payment provider is not reachable or not ready; retry later.
    PaymentsUnavailable,
    /// A Google sign-in for an address that has a password account not linked to Google.
    GoogleAccountNotLinked,
    /// A sign-in provider (Google's keys) is not reachable.
    SignInUnavailable,
    /// A Google account linked elsewhere, another one linked already, or the last way in.
    IdentityConflict,
    /// 403: the caller's email address is not verified yet (paid sessions, mentor verification).
    EmailNotVerified,
    /// 503: the mail or text service is not reachable; the link or code was not sent.
    DeliveryUnavailable,
}

impl ProblemType {
    /// Every kind, in the documented order.
    pub const ALL: [Self; 27] = [
        Self::Validation,
        Self::Unauthenticated,
        Self::InvalidCredentials,
        Self::RefreshTokenInvalid,
        Self::TokenExpired,
        Self::Forbidden,
        Self::Suspended,
        Self::NotFound,
        Self::InvalidState,
        Self::TimeTaken,
        Self::EmailTaken,
        Self::AlreadyReviewed,
        Self::IdempotencyMismatch,
        Self::Contended,
        Self::UploadMissing,
        Self::UploadMismatch,
        Self::PayoutsNotEnabled,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::RateLimited,
        Self::Internal,
        Self::PaymentsUnavailable,
        Self::GoogleAccountNotLinked,
        Self::SignInUnavailable,
        Self::IdentityConflict,
        Self::EmailNotVerified,
        Self::DeliveryUnavailable,
    ];

    /// The `type` URI, `urn:peerlearn:problem:<kind>`; never changes once published.
    pub const fn uri(self) -> &'static str {
        match self {
            Self::Validation => "urn:peerlearn:problem:validation",
            Self::Unauthenticated => "urn:peerlearn:problem:unauthenticated",
            Self::InvalidCredentials => "urn:peerlearn:problem:invalid-credentials",
            Self::RefreshTokenInvalid => "urn:peerlearn:problem:refresh-token-invalid",
            Self::TokenExpired => "urn:peerlearn:problem:token-expired",
            Self::Forbidden => "urn:peerlearn:problem:forbidden",
            Self::Suspended => "urn:peerlearn:problem:suspended",
            Self::NotFound => "urn:peerlearn:problem:not-found",
            Self::InvalidState => "urn:peerlearn:problem:invalid-state",
            Self::TimeTaken => "urn:peerlearn:problem:time-taken",
            Self::EmailTaken => "urn:peerlearn:problem:email-taken",
            Self::AlreadyReviewed => "urn:peerlearn:problem:already-reviewed",
            Self::IdempotencyMismatch => "urn:peerlearn:problem:idempotency-mismatch",
            Self::Contended => "urn:peerlearn:problem:contended",
            Self::UploadMissing => "urn:peerlearn:problem:upload-missing",
            Self::UploadMismatch => "urn:peerlearn:problem:upload-mismatch",
            Self::PayoutsNotEnabled => "urn:peerlearn:problem:payouts-not-enabled",
            Self::PayloadTooLarge => "urn:peerlearn:problem:payload-too-large",
            Self::UnsupportedMediaType => "urn:peerlearn:problem:unsupported-media-type",
            Self::RateLimited => "urn:peerlearn:problem:rate-limited",
            Self::Internal => "urn:peerlearn:problem:internal",
            Self::PaymentsUnavailable => "urn:peerlearn:problem:payments-unavailable",
            Self::GoogleAccountNotLinked => "urn:peerlearn:problem:google-account-not-linked",
            Self::SignInUnavailable => "urn:peerlearn:problem:sign-in-unavailable",
            Self::IdentityConflict => "urn:peerlearn:problem:identity-conflict",
            Self::EmailNotVerified => "urn:peerlearn:problem:email-not-verified",
            Self::DeliveryUnavailable => "urn:peerlearn:problem:delivery-unavailable",
        }
    }

    /// The HTTP status a document of this kind has.
    pub fn status(self) -> StatusCode {
        match self {
            Self::Validation => StatusCode::BAD_REQUEST,
            Self::Unauthenticated | Self::InvalidCredentials | Self::RefreshTokenInvalid | Self::TokenExpired => {
                StatusCode::UNAUTHORIZED
            }
            Self::Forbidden | Self::Suspended | Self::EmailNotVerified => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::InvalidState | Self::TimeTaken | Self::EmailTaken | Self::AlreadyReviewed => StatusCode::CONFLICT,
            Self::IdempotencyMismatch | Self::Contended => StatusCode::CONFLICT,
            Self::UploadMissing | Self::UploadMismatch | Self::PayoutsNotEnabled => StatusCode::CONFLICT,
            Self::GoogleAccountNotLinked | Self::IdentityConflict => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::PaymentsUnavailable | Self::SignInUnavailable | Self::DeliveryUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
    }

    /// The general kind of a status, for problems raised outside [`super::ApiError`] (the
    /// dev gateway's own 404 and 413); `None` for statuses with no kind of their own.
    pub fn for_status(status: StatusCode) -> Option<Self> {
        match status {
            StatusCode::BAD_REQUEST => Some(Self::Validation),
            StatusCode::UNAUTHORIZED => Some(Self::Unauthenticated),
            StatusCode::FORBIDDEN => Some(Self::Forbidden),
            StatusCode::NOT_FOUND => Some(Self::NotFound),
            StatusCode::PAYLOAD_TOO_LARGE => Some(Self::PayloadTooLarge),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Some(Self::UnsupportedMediaType),
            StatusCode::TOO_MANY_REQUESTS => Some(Self::RateLimited),
            StatusCode::INTERNAL_SERVER_ERROR => Some(Self::Internal),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn uris_are_distinct_and_in_the_peerlearn_scheme() {
        let mut seen = std::collections::HashSet::new();
        for kind in ProblemType::ALL {
            let name = kind.uri().strip_prefix("urn:peerlearn:problem:").unwrap();
            assert!(!name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{name}");
            assert!(seen.insert(kind.uri()), "{} twice", kind.uri());
        }
    }

    #[test]
    fn general_kinds_of_a_status_have_that_status() {
        for kind in ProblemType::ALL {
            if let Some(general) = ProblemType::for_status(kind.status()) {
                assert_eq!(general.status(), kind.status(), "{kind:?}");
            }
        }
        assert_eq!(ProblemType::for_status(StatusCode::BAD_GATEWAY), None);
        assert_eq!(ProblemType::for_status(StatusCode::CONFLICT), None);
    }

    #[test]
    fn the_architecture_document_lists_every_kind_with_its_status() {
        let doc = include_str!("../../../docs/ARCHITECTURE.md");
        for kind in ProblemType::ALL {
            let row = format!("| `{}` | {} |", kind.uri(), kind.status().as_u16());
            assert!(doc.contains(&row), "docs/ARCHITECTURE.md has no row starting {row}");
        }
    }

    #[test]
    fn the_problem_schema_lists_every_kind() {
        let schema = serde_json::to_value(<super::super::Problem as utoipa::PartialSchema>::schema()).unwrap();
        let described = schema["properties"]["type"]["description"].as_str().unwrap();
        for kind in ProblemType::ALL {
            assert!(described.contains(kind.uri()), "the Problem schema's `type` does not name {}", kind.uri());
        }
    }
}
