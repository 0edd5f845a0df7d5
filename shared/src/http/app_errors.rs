//! How use-case failures look on the wire.

use super::{ApiError, FieldError};
use crate::app::AppError;

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::EmailTaken => {
                ApiError::Conflict { detail: "An account with this email already exists.", field: Some("email") }
            }
            AppError::InvalidCredentials => ApiError::Unauthenticated("Email or password is incorrect."),
            AppError::Throttled { limit, retry_after } => ApiError::TooManyRequests { limit, retry_after },
            AppError::InvalidRefreshToken => {
                ApiError::Unauthenticated("The refresh token is invalid, expired or already used; sign in again.")
            }
            AppError::ConnectionClosed => {
                ApiError::Unauthenticated("This connection is not signed in any more; reconnect.")
            }
            AppError::TokenExpired => ApiError::TokenExpired,
            AppError::Suspended => ApiError::Forbidden("This account is suspended."),
            AppError::UserNotFound
            | AppError::SessionNotFound
            | AppError::ConversationNotFound
            | AppError::NotificationNotFound => ApiError::NotFound,
            AppError::NotAllowed(reason) => ApiError::Forbidden(reason),
            AppError::Refused { state, reason } => ApiError::InvalidState { state, reason },
            AppError::TimeTaken => ApiError::Conflict {
                detail: "The mentor or the learner is already booked for part of that time.",
                field: Some("start"),
            },
            AppError::AlreadyReviewed => {
                ApiError::Conflict { detail: "You already reviewed this session.", field: None }
            }
            AppError::IdempotencyMismatch => ApiError::Conflict {
                detail: "This Idempotency-Key was used for a different request.",
                field: Some("Idempotency-Key"),
            },
            AppError::Rule { field, reason } => ApiError::Validation(vec![FieldError::new(field, &reason)]),
            AppError::Contended => {
                ApiError::Conflict { detail: "The resource changed while saving; retry the request.", field: None }
            }
            AppError::Store(error) => ApiError::internal(error),
            AppError::Crypto(error) | AppError::Fanout(error) | AppError::Encoding(error) => ApiError::internal(error),
        }
    }
}
