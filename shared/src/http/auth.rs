//! Who is calling: the bearer access token, checked.

use chrono::{DateTime, Utc};
use http::header;
use lambda_http::Request;

use super::ApiError;
use crate::auth::{AccessClaims, TokenIssuer};
use crate::domain::{Bearer, Role, UserId};

/// An authenticated caller, from a verified access token. Whether the token still speaks
/// for the member (not suspended, not revoked) is the use case's check, on [`Caller::bearer`].
#[derive(Debug, Clone)]
pub struct Caller {
    claims: AccessClaims,
    bearer: Bearer,
}

impl Caller {
    /// The caller's user id.
    pub fn user_id(&self) -> &UserId {
        &self.claims.sub
    }

    /// Who the token speaks for, and since when: what use cases admit.
    pub fn bearer(&self) -> &Bearer {
        &self.bearer
    }

    /// When the caller's access token expires.
    pub fn token_expires_at(&self) -> DateTime<Utc> {
        // An `exp` beyond chrono's range cannot be a token we issued: treat it as expired.
        DateTime::from_timestamp(self.claims.exp, 0).unwrap_or(DateTime::UNIX_EPOCH)
    }

    /// True when the caller holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.claims.has_role(role)
    }
}

/// Reads and verifies `Authorization: Bearer <token>`: 401 when absent or not valid.
pub fn authenticate(request: &Request, tokens: &TokenIssuer) -> Result<Caller, ApiError> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(ApiError::Unauthenticated("An access token is required."))?;
    let token =
        value.to_str().ok().and_then(bearer_token).ok_or(ApiError::Unauthenticated("Use the Bearer scheme."))?;
    authenticate_token(token, tokens)
}

/// As [`authenticate`], for admin routes: a caller whose token lacks the admin role gets
/// 403 with `refusal`, before the route reads its path, query or body, so a non-admin
/// learns nothing more whatever else is wrong. The use case admits the bearer as usual.
pub fn authenticate_admin(request: &Request, tokens: &TokenIssuer, refusal: &'static str) -> Result<Caller, ApiError> {
    let caller = authenticate(request, tokens)?;
    if !caller.has_role(Role::Admin) {
        return Err(ApiError::Forbidden(refusal));
    }
    Ok(caller)
}

/// The token of a `Bearer` credential. The scheme is case-insensitive (RFC 7235 section
/// 2.1), so `bearer` and `BEARER` are the same; spaces around the token are ignored.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Verifies a bare access token (WebSocket clients pass it as a query parameter, since
/// browsers cannot set headers on a WebSocket): 401 when not valid.
pub fn authenticate_token(token: &str, tokens: &TokenIssuer) -> Result<Caller, ApiError> {
    let claims =
        tokens.verify(token).map_err(|_| ApiError::Unauthenticated("The access token is invalid or expired."))?;
    // The caller's id goes on the request's log line: cheap here, where every route learns it.
    crate::observability::scope::record_member(claims.sub.to_string());
    // An `iat` beyond chrono's range cannot be a token we issued: the oldest instant, which
    // any revocation refuses.
    let issued_at = DateTime::from_timestamp(claims.iat, 0).unwrap_or(DateTime::UNIX_EPOCH);
    let bearer = Bearer { member: claims.sub.clone(), roles: claims.roles, issued_at };
    Ok(Caller { claims, bearer })
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_scheme_is_case_insensitive() {
        for value in ["Bearer abc", "bearer abc", "BEARER abc", "bEaReR abc", "Bearer   abc  "] {
            assert_eq!(bearer_token(value), Some("abc"), "{value}");
        }
    }

    #[test]
    fn other_schemes_and_empty_tokens_are_refused() {
        for value in ["Basic abc", "Bearerabc", "Bearer", "Bearer ", "Bearer    ", "", "abc"] {
            assert_eq!(bearer_token(value), None, "{value}");
        }
    }
}
