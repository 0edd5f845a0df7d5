//! How use-case failures look on the wire.

use super::{ApiError, FieldError, ProblemType};
use crate::app::AppError;
use crate::domain::{Invalid, Mismatch};
use crate::ports::{EventRefusal, PaymentError};

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::EmailTaken => ApiError::Conflict {
                kind: ProblemType::EmailTaken,
                detail: "An account with this email already exists.",
                field: Some("email"),
            },
            AppError::InvalidCredentials => ApiError::InvalidCredentials,
            AppError::Throttled { limit, retry_after } => ApiError::TooManyRequests { limit, retry_after },
            AppError::InvalidRefreshToken => ApiError::RefreshTokenInvalid,
            AppError::ConnectionClosed => {
                ApiError::Unauthenticated("This connection is not signed in any more; reconnect.")
            }
            AppError::TokenExpired => ApiError::TokenExpired,
            AppError::Suspended => ApiError::Suspended,
            AppError::TokenRevoked => ApiError::Unauthenticated("The access token was revoked; sign in again."),
            AppError::UserNotFound
            | AppError::SessionNotFound
            | AppError::ConversationNotFound
            | AppError::NotificationNotFound
            | AppError::VerificationNotFound
            | AppError::ReportNotFound => ApiError::NotFound,
            AppError::NotAllowed(reason) => ApiError::Forbidden(reason),
            AppError::Refused { state, reason } => ApiError::InvalidState { state, reason },
            AppError::TimeTaken => ApiError::Conflict {
                kind: ProblemType::TimeTaken,
                detail: "The mentor or the learner is already booked for part of that time.",
                field: Some("start"),
            },
            AppError::AlreadyReviewed => ApiError::Conflict {
                kind: ProblemType::AlreadyReviewed,
                detail: "You already reviewed this session.",
                field: None,
            },
            AppError::IdempotencyMismatch => ApiError::Conflict {
                kind: ProblemType::IdempotencyMismatch,
                detail: "This Idempotency-Key was used for a different request.",
                field: Some("Idempotency-Key"),
            },
            AppError::Rule { field, reason } => ApiError::Validation(vec![FieldError::new(field, &reason)]),
            AppError::Fields(fields) => ApiError::Validation(
                fields.iter().map(|(field, reason)| FieldError::new(field.as_str(), reason)).collect(),
            ),
            AppError::Contended => ApiError::Conflict {
                kind: ProblemType::Contended,
                detail: "The resource changed while saving; retry the request.",
                field: None,
            },
            AppError::Store(error) => ApiError::internal(error),
            AppError::Crypto(error) | AppError::Fanout(error) | AppError::Encoding(error) => ApiError::internal(error),
            AppError::UploadNotFound => ApiError::NotFound,
            AppError::UploadMissing => ApiError::Conflict {
                kind: ProblemType::UploadMissing,
                detail: "Nothing was uploaded with this upload's link yet; put the file, then complete again.",
                field: None,
            },
            AppError::UploadMismatch(mismatch) => ApiError::Conflict {
                kind: ProblemType::UploadMismatch,
                detail: match mismatch {
                    Mismatch::Size { .. } => "The uploaded file is not the declared size; it was deleted.",
                    Mismatch::ContentType => {
                        "The file was uploaded as another content type than declared; it was deleted."
                    }
                    Mismatch::Content { .. } => "The file's content is not of the declared type; it was deleted.",
                },
                field: Some(mismatch.field()),
            },
            AppError::Files(error) => ApiError::internal(error),
            AppError::PayoutsNotEnabled => ApiError::Conflict {
                kind: ProblemType::PayoutsNotEnabled,
                detail: "Finish payout onboarding before asking a price: Stripe has not enabled payouts yet.",
                field: Some("price_cents"),
            },
            AppError::Payments(error @ (PaymentError::Unavailable(_) | PaymentError::NotConfigured)) => {
                ApiError::PaymentsUnavailable(error.to_string())
            }
            AppError::Payments(error) => ApiError::internal(error),
            AppError::PaymentsNotReady => ApiError::PaymentsUnavailable(AppError::PaymentsNotReady.to_string()),
            AppError::EventRefused(EventRefusal::NotConfigured) => ApiError::internal(EventRefusal::NotConfigured),
            AppError::EventRefused(EventRefusal::Unreadable(_)) => {
                ApiError::field("body", &Invalid::new("is not an event this endpoint reads"))
            }
            AppError::GoogleToken(crate::auth::GoogleTokenError::KeysUnavailable(cause)) => {
                ApiError::SignInUnavailable(cause)
            }
            AppError::GoogleToken(error) => ApiError::Unauthenticated(match error {
                crate::auth::GoogleTokenError::Expired => "The Google ID token has expired; sign in with Google again.",
                crate::auth::GoogleTokenError::EmailNotVerified => "Google has not verified this account's email.",
                _ => "The Google ID token is not valid for this app.",
            }),
            AppError::GoogleNotLinked => ApiError::Conflict {
                kind: ProblemType::GoogleAccountNotLinked,
                detail: "An account with this email signs in with a password: sign in with it, then link Google from your account.",
                field: Some("id_token"),
            },
            AppError::IdentityConflict(detail) => {
                ApiError::Conflict { kind: ProblemType::IdentityConflict, detail, field: None }
            }
            AppError::EmailNotVerified(detail) => {
                ApiError::Conflict { kind: ProblemType::EmailNotVerified, detail, field: None }
            }
            AppError::LinkInvalid => ApiError::field(
                "token",
                &Invalid::new("is not a live link: it was used, has expired, or a newer one replaced it"),
            ),
            AppError::Delivery(cause) => ApiError::DeliveryUnavailable(cause),
            AppError::EventRefused(refusal) => ApiError::field(
                "Stripe-Signature",
                &Invalid::new(match refusal {
                    EventRefusal::Unsigned => "is missing",
                    EventRefusal::Stale => "is too old (more than 300 seconds)",
                    _ => "does not match the body",
                }),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Invalid;

    #[test]
    fn use_case_failures_keep_their_kind_on_the_wire() {
        let cases = [
            (AppError::EmailTaken, ProblemType::EmailTaken),
            (AppError::InvalidCredentials, ProblemType::InvalidCredentials),
            (AppError::InvalidRefreshToken, ProblemType::RefreshTokenInvalid),
            (AppError::ConnectionClosed, ProblemType::Unauthenticated),
            (AppError::TokenExpired, ProblemType::TokenExpired),
            (AppError::Suspended, ProblemType::Suspended),
            (AppError::TokenRevoked, ProblemType::Unauthenticated),
            (AppError::SessionNotFound, ProblemType::NotFound),
            (AppError::ReportNotFound, ProblemType::NotFound),
            (AppError::NotAllowed("no"), ProblemType::Forbidden),
            (AppError::Refused { state: "expired", reason: "too late" }, ProblemType::InvalidState),
            (AppError::TimeTaken, ProblemType::TimeTaken),
            (AppError::AlreadyReviewed, ProblemType::AlreadyReviewed),
            (AppError::IdempotencyMismatch, ProblemType::IdempotencyMismatch),
            (AppError::Rule { field: "start", reason: Invalid::new("is in the past") }, ProblemType::Validation),
            (AppError::Contended, ProblemType::Contended),
            (AppError::Encoding("x".into()), ProblemType::Internal),
            (AppError::UploadNotFound, ProblemType::NotFound),
            (AppError::UploadMissing, ProblemType::UploadMissing),
            (AppError::UploadMismatch(Mismatch::ContentType), ProblemType::UploadMismatch),
            (AppError::Files("down".into()), ProblemType::Internal),
        ];
        for (error, kind) in cases {
            assert_eq!(ApiError::from(error).problem_type(), kind);
        }
    }
}
