//! Credentials: password hashing, access tokens (JWT, Ed25519), refresh tokens, and the
//! keys of tokens and cursors.

mod access_token;
mod cursor;
mod email_token;
pub mod google_id_token;
mod keys;
mod password_hash;
mod phone_code;
mod refresh_token;

pub use access_token::{AccessClaims, TokenError, TokenIssuer};
pub use cursor::{CursorError, CursorSigner};
pub use email_token::{EmailToken, EmailTokenError};
pub use google_id_token::{GoogleIdentity, GoogleKeyCache, GoogleTokenError};
pub use keys::{CursorKey, KeyError, PublicKeys, SigningKey};
pub use password_hash::{HashError, PasswordHasher};
pub use phone_code::{CodeKey, PhoneCode};
pub use refresh_token::{RefreshToken, RefreshTokenError};
