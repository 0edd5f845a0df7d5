//! Turning raw request fields into domain values while collecting every error, so one
//! response lists all that is wrong rather than the first thing.

use serde::{Deserialize, Deserializer};

use super::{ApiError, FieldError};
use crate::domain::Invalid;

/// Collects field errors while a request body is parsed into domain values.
#[derive(Debug, Default)]
pub struct Fields {
    errors: Vec<FieldError>,
}

impl Fields {
    /// Keeps the value, or records why `field` was refused.
    pub fn check<T>(&mut self, field: impl Into<String>, parsed: Result<T, Invalid>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(reason) => {
                self.errors.push(FieldError::new(field, &reason));
                None
            }
        }
    }

    /// Records a refusal that is not tied to a parse result.
    pub fn refuse(&mut self, field: impl Into<String>, reason: &Invalid) {
        self.errors.push(FieldError::new(field, reason));
    }

    /// True when nothing was refused so far.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// The 400 listing every refusal (or a generic one if, oddly, there is none).
    pub fn into_error(self) -> ApiError {
        if self.errors.is_empty() {
            return ApiError::Validation(vec![FieldError::message("body", "is invalid")]);
        }
        ApiError::Validation(self.errors)
    }
}

/// For `Option<Option<T>>` fields: absent stays `None`, `null` becomes `Some(None)`.
/// Use with `#[serde(default, deserialize_with = "nullable")]`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
