//! Credentials: password hashing, access tokens (JWT) and refresh tokens.

mod access_token;
mod cursor;
mod password_hash;
mod refresh_token;

pub use access_token::{AccessClaims, TokenError, TokenIssuer};
pub use cursor::{CursorError, CursorSigner};
pub use password_hash::{HashError, PasswordHasher};
pub use refresh_token::{RefreshToken, RefreshTokenError};
