//! Query-string parameters under the same rule as bodies: unknown names are a 400.

use lambda_http::{Request, RequestExt as _};

use super::{ApiError, Fields};
use crate::auth::CursorSigner;
use crate::domain::{Invalid, UserId};

/// Largest page any list returns.
pub const MAX_PAGE: usize = 50;

/// A request's query parameters, checked against the names a route knows.
pub struct QueryParams<'a> {
    request: &'a Request,
}

impl<'a> QueryParams<'a> {
    /// Refuses any parameter not in `known`, so a typo never silently widens a query.
    pub fn new(request: &'a Request, known: &[&str]) -> Result<Self, ApiError> {
        if let Some(map) = request.query_string_parameters_ref()
            && let Some(unknown) = map.iter().map(|(name, _)| name).find(|name| !known.contains(name))
        {
            return Err(ApiError::field(unknown.to_owned(), &Invalid::new("is not a known parameter")));
        }
        Ok(Self { request })
    }

    /// The first value of `name`.
    pub fn first(&self, name: &str) -> Option<&'a str> {
        self.request.query_string_parameters_ref().and_then(|q| q.first(name))
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<&'a str> {
        self.request.query_string_parameters_ref().and_then(|q| q.all(name)).unwrap_or_default()
    }

    /// The number in `name` if it is one within `range` (inclusive); otherwise `reason` is
    /// recorded in `fields`. `None` when absent.
    pub fn number<T: std::str::FromStr + PartialOrd>(
        &self,
        fields: &mut Fields,
        name: &str,
        range: (T, T),
        reason: &'static str,
    ) -> Option<T> {
        let raw = self.first(name)?;
        let parsed = raw.trim().parse::<T>().ok().filter(|v| *v >= range.0 && *v <= range.1);
        if parsed.is_none() {
            fields.refuse(name, &Invalid::new(reason));
        }
        parsed
    }

    /// `limit`, 1 to [`MAX_PAGE`], or `default`; a bad value is recorded in `fields`.
    pub fn limit(&self, fields: &mut Fields, default: usize) -> usize {
        self.limit_up_to(fields, default, MAX_PAGE)
    }

    /// `limit`, 1 to `max`, or `default`; a bad value is recorded in `fields`.
    pub fn limit_up_to(&self, fields: &mut Fields, default: usize, max: usize) -> usize {
        match self.first("limit").map(|raw| raw.trim().parse::<usize>()) {
            None => default,
            Some(Ok(n)) if (1..=max).contains(&n) => n,
            Some(_) => {
                fields.refuse("limit", &Invalid::because(format!("must be a whole number from 1 to {max}")));
                default
            }
        }
    }

    /// The position carried by `cursor`, checked against `scope`; a cursor from another
    /// list or a forged one is recorded in `fields`.
    pub fn cursor(&self, fields: &mut Fields, cursors: &CursorSigner, scope: &str) -> Option<String> {
        let raw = self.first("cursor")?;
        let verified = cursors.verify_position(scope, raw);
        fields.check("cursor", verified.map_err(|_| Invalid::new("is not a cursor from a previous page of this list")))
    }
}

/// The path parameter `name` (`id` in `/sessions/{id}`), empty when the route has none.
pub fn path_param<'a>(request: &'a Request, name: &str) -> &'a str {
    request.path_parameters_ref().and_then(|p| p.first(name)).unwrap_or_default()
}

/// The path parameter `name`, parsed; a malformed value cannot name anything the caller may
/// see, so it is a 404 (`/sessions/{id}`, `/leaderboards/{kind}`).
pub fn path_resource<T>(
    request: &Request,
    name: &str,
    parse: impl FnOnce(&str) -> Result<T, Invalid>,
) -> Result<T, ApiError> {
    parse(path_param(request, name)).map_err(|_| ApiError::NotFound)
}

/// The member id in the path (`/users/{id}`); a malformed one is a 400 naming `id`.
pub fn path_member(request: &Request) -> Result<UserId, ApiError> {
    UserId::parse(path_param(request, "id")).map_err(|reason| ApiError::field("id", &reason))
}

/// A page request of a list that takes only `limit` and `cursor`: parsed, with the cursor
/// checked against the list's `scope`, which also signs the next page's cursor.
pub struct PageRequest {
    /// Page size.
    pub limit: usize,
    /// Where the page starts (the position from the client's cursor), if not at the top.
    pub after: Option<String>,
    scope: String,
}

impl PageRequest {
    /// Reads `limit` (default 20) and `cursor`; any other parameter, a bad limit or a cursor
    /// of another list is a 400 naming it.
    pub fn parse(request: &Request, cursors: &CursorSigner, scope: String) -> Result<Self, ApiError> {
        let params = QueryParams::new(request, &["limit", "cursor"])?;
        let mut fields = Fields::default();
        let limit = params.limit(&mut fields, 20);
        let after = params.cursor(&mut fields, cursors, &scope);
        if !fields.is_clean() {
            return Err(fields.into_error());
        }
        Ok(Self { limit, after, scope })
    }

    /// The signed cursor for the page after this one, when the store says there is one.
    pub fn next_cursor(&self, cursors: &CursorSigner, next: Option<String>) -> Option<String> {
        next.map(|position| cursors.sign_position(&self.scope, &position))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::HashMap;

    use super::*;
    use crate::domain::SessionId;

    fn request(path: &[(&str, &str)], query: &[(&str, &str)]) -> Request {
        let map = |pairs: &[(&str, &str)]| {
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<HashMap<String, String>>()
        };
        Request::default().with_path_parameters(map(path)).with_query_string_parameters(map(query))
    }

    #[test]
    fn path_values_are_read_by_name() {
        let request = request(&[("id", "abc")], &[]);
        assert_eq!(path_param(&request, "id"), "abc");
        assert_eq!(path_param(&request, "kind"), "");
    }

    #[test]
    fn a_malformed_resource_id_is_not_found_and_a_malformed_member_id_names_the_field() {
        let bad = request(&[("id", "not-an-id")], &[]);
        assert!(matches!(path_resource(&bad, "id", SessionId::parse), Err(ApiError::NotFound)));
        let Err(ApiError::Validation(errors)) = path_member(&bad) else { panic!("a 400 expected") };
        assert_eq!(errors[0].field, "id");
        let good = request(&[("id", "01ARZ3NDEKTSV4RRFFQ69G5FAV")], &[]);
        assert_eq!(path_resource(&good, "id", SessionId::parse).unwrap().to_string(), "01ARZ3NDEKTSV4RRFFQ69G5FAV");
        assert_eq!(path_member(&good).unwrap().to_string(), "01ARZ3NDEKTSV4RRFFQ69G5FAV");
    }

    #[test]
    fn numbers_are_checked_against_their_range_and_refusals_name_the_parameter() {
        let request = request(&[], &[("window", " 7 "), ("min_rating", "6"), ("limit", "x")]);
        let params = QueryParams::new(&request, &["window", "min_rating", "limit"]).unwrap();
        let mut fields = Fields::default();
        assert_eq!(params.number(&mut fields, "window", (1, 28), "days"), Some(7));
        assert_eq!(params.number(&mut fields, "absent", (1, 28), "days"), None);
        assert!(fields.is_clean());
        assert_eq!(params.number(&mut fields, "min_rating", (1.0, 5.0), "1 to 5"), None);
        assert_eq!(params.number::<u8>(&mut fields, "limit", (1, 50), "1 to 50"), None);
        let ApiError::Validation(errors) = fields.into_error() else { panic!("a 400 expected") };
        let named: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.message.as_str())).collect();
        assert_eq!(named, [("min_rating", "1 to 5"), ("limit", "1 to 50")]);
    }
}
