//! Mail to members: the links that prove an address or reset a password.

use super::BoxFuture;
use crate::domain::Mail;

/// Sends one mail. The use cases never send a mail inside a transaction: a mail that
/// failed is a mail the member can ask for again, never a half-written change.
pub trait Mailer: Send + Sync {
    /// Sends `mail`; the error is for the log.
    fn send<'a>(&'a self, mail: &'a Mail) -> BoxFuture<'a, Result<(), String>>;
}

/// Where a function sends no mail: every send fails (and is logged by the caller).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMail;

impl Mailer for NoMail {
    fn send<'a>(&'a self, _mail: &'a Mail) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async { Err("this function sends no mail (no MAIL_SENDER)".to_owned()) })
    }
}
