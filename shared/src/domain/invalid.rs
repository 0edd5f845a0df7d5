//! The one error a domain newtype gives when it refuses a value.

use std::borrow::Cow;

/// Why a value was refused, in words the user can act on ("must be 8 to 128 characters").
///
/// It carries no field name: the HTTP layer knows which field it parsed and pairs the two.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Invalid {
    reason: Cow<'static, str>,
}

impl Invalid {
    /// A refusal with a fixed reason.
    pub const fn new(reason: &'static str) -> Self {
        Self { reason: Cow::Borrowed(reason) }
    }

    /// A refusal whose reason is built at run time (e.g. names the offending item).
    pub fn because(reason: String) -> Self {
        Self { reason: Cow::Owned(reason) }
    }

    /// The reason, for an error response.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}
