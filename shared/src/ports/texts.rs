//! Text messages (SMS) to members: one-time codes.

use super::BoxFuture;
use crate::domain::PhoneNumber;

/// Sends one text. As with mail, never inside a transaction: a text that failed is a code
/// the member asks for again.
pub trait TextMessages: Send + Sync {
    /// Texts `text` to `to`; the error is for the log.
    fn send<'a>(&'a self, to: &'a PhoneNumber, text: &'a str) -> BoxFuture<'a, Result<(), String>>;
}

/// Where a function texts no one: every send fails (and is logged by the caller).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTexts;

impl TextMessages for NoTexts {
    fn send<'a>(&'a self, _to: &'a PhoneNumber, _text: &'a str) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async { Err("this function texts no one (no PHONE_COUNTRIES)".to_owned()) })
    }
}
