//! Query-string parameters under the same rule as bodies: unknown names are a 400.

use lambda_http::{Request, RequestExt as _};

use super::{ApiError, Fields};
use crate::auth::CursorSigner;
use crate::domain::Invalid;

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
