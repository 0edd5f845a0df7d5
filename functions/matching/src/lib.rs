//! `matching`: GET /match (smart match for the signed-in learner) and GET /mentors
//! (search and filter).

use http::StatusCode;
use lambda_http::Request;
use serde::Serialize;
use shared::App;
use shared::app::MatchRequest;
use shared::domain::search::MAX_SEARCH_SKILLS;
use shared::domain::{
    Invalid, Language, Match, MentorCard, MentorQuery, PriceRange, SearchText, SkillName, SortOrder, TimeRange,
    WantedSkills,
};
use shared::http::{ApiError, Fields, HttpResponse, QueryParams, authenticate, json, route_key};
use utoipa::OpenApi;

/// `sort` on GET /mentors (documentation only; the handler parses it with `SortOrder`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum Sort {
    /// Best fit for the query first.
    Relevance,
    /// Highest rating first.
    Rating,
    /// Cheapest first.
    PriceAsc,
    /// Dearest first.
    PriceDesc,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(match_mentors, search_mentors), components(schemas(Sort)))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "GET /match" => match_mentors(app, &request).await,
        "GET /mentors" => search_mentors(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// Ranked mentors for the caller, each with factor scores and a reason.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatchResponse {
    /// Best first.
    pub matches: Vec<Match>,
    /// How many candidates were scored.
    pub considered: usize,
    /// Days ahead over which shared free time was counted.
    pub window_days: u32,
}

/// One page of search results.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchResponse {
    /// The mentors, in the requested order.
    pub mentors: Vec<MentorResult>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// True when more mentors may exist beyond the candidates read: narrow the filters.
    pub truncated: bool,
}

/// A mentor in search results.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MentorResult {
    /// The mentor's card.
    #[serde(flatten)]
    pub card: MentorCard,
    /// Average review rating, absent without reviews.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_rating: Option<f64>,
}

/// Mentors ranked for the signed-in learner.
#[utoipa::path(
    get,
    path = "/match",
    tag = "matching",
    security(("bearer" = [])),
    params(
        ("skills" = Option<String>, Query, description = "Wanted skills, comma-separated, each `name` or `name:level` (level 1-5, default 3); default: your profile's `learning`"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 50, description = "How many matches, 1-50 (default 10)"),
        ("window" = Option<u32>, Query, minimum = 1, maximum = 28, description = "Days ahead to count shared free time, 1-28 (default 14)"),
    ),
    responses(
        (status = 200, description = "Ranked mentors with factor scores and reasons", body = MatchResponse),
        (status = 400, description = "Invalid parameters, or no wanted skills"),
        (status = 403, description = "Account suspended"),
    )
)]
async fn match_mentors(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let params = QueryParams::new(request, &["skills", "limit", "window"])?;
    let mut fields = Fields::default();
    // Refused skills leave an empty list, never used: the fields are not clean.
    let wanted = params.first("skills").map(|raw| {
        fields.check_all("skills", WantedSkills::parse(raw)).map(WantedSkills::into_skills).unwrap_or_default()
    });
    let limit = params.limit(&mut fields, 10);
    let window_days =
        params.number(&mut fields, "window", (1, 28), "must be a whole number of days from 1 to 28").unwrap_or(14);
    if !fields.is_clean() {
        return Err(fields.into_error());
    }
    let outcome = app.match_mentors(caller.bearer(), MatchRequest { wanted, limit, window_days }).await?;
    json(StatusCode::OK, &MatchResponse { matches: outcome.matches, considered: outcome.considered, window_days })
}

/// Search and filter listed mentors.
#[utoipa::path(
    get,
    path = "/mentors",
    tag = "matching",
    security(("bearer" = [])),
    params(
        ("skill" = Option<Vec<String>>, Query, description = "Required skill; repeat for several (all must match), at most 5"),
        ("min_rating" = Option<f64>, Query, minimum = 1, maximum = 5, description = "Minimum average rating, 1-5"),
        ("language" = Option<String>, Query, pattern = "^\\s*[A-Za-z]{2,3}(-[A-Za-z]{2})?\\s*$", description = "Language tag, e.g. es or pt-BR"),
        ("price_min" = Option<u32>, Query, maximum = 100000, description = "Lowest hourly price, US cents"),
        ("price_max" = Option<u32>, Query, maximum = 100000, description = "Highest hourly price, US cents"),
        ("available_at" = Option<String>, Query, description = "RFC 3339 interval start/end (UTC), at most 8 h, that the mentor's weekly availability must cover"),
        ("q" = Option<String>, Query, description = "Words to find in name or headline"),
        ("sort" = Option<Sort>, Query, description = "relevance (default), rating, price_asc or price_desc"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 50, description = "Page size, 1-50 (default 20)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's next_cursor"),
    ),
    responses(
        (status = 200, description = "A page of mentors", body = SearchResponse),
        (status = 400, description = "Invalid filter, sort or cursor"),
    )
)]
async fn search_mentors(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let known =
        ["skill", "min_rating", "language", "price_min", "price_max", "available_at", "q", "sort", "limit", "cursor"];
    let params = QueryParams::new(request, &known)?;
    let mut fields = Fields::default();
    let skills: Vec<SkillName> =
        params.all("skill").iter().filter_map(|raw| fields.check("skill", SkillName::parse(raw))).collect();
    if skills.len() > MAX_SEARCH_SKILLS {
        fields.refuse("skill", &Invalid::new("at most 5 skills"));
    }
    let min_rating = params.number(&mut fields, "min_rating", (1.0, 5.0), "must be a number from 1 to 5");
    let language = params.first("language").and_then(|raw| fields.check("language", Language::parse(raw)));
    let price_min = params.first("price_min").and_then(|raw| fields.check("price_min", PriceRange::bound(raw)));
    let price_max = params.first("price_max").and_then(|raw| fields.check("price_max", PriceRange::bound(raw)));
    let available = params.first("available_at").and_then(|raw| fields.check("available_at", TimeRange::parse(raw)));
    let text = params.first("q").and_then(|raw| fields.check("q", SearchText::parse(raw)));
    let sort = params
        .first("sort")
        .map_or(Some(SortOrder::default()), |raw| fields.check("sort", SortOrder::parse(raw)))
        .unwrap_or_default();
    // Crossed bounds are the lowest's fault, reported after the other filters as before.
    let prices = fields.check("price_min", PriceRange::new(price_min, price_max)).unwrap_or_default();
    let query = MentorQuery {
        skills,
        min_rating,
        language,
        price_min: prices.min(),
        price_max: prices.max(),
        available: available.map(TimeRange::interval),
        text,
        sort,
    };
    let limit = params.limit(&mut fields, 20);
    let scope = query.fingerprint();
    // A signed cursor always holds the offset we wrote into it.
    let offset =
        params.cursor(&mut fields, &app.cursors, &scope).and_then(|position| position.parse().ok()).unwrap_or(0);
    if !fields.is_clean() {
        return Err(fields.into_error());
    }
    let page = app.search_mentors(caller.bearer(), &query, offset, limit).await?;
    let mentors = page
        .mentors
        .into_iter()
        .map(|card| MentorResult {
            average_rating: card.stats.average_rating().map(|a| (a * 100.0).round() / 100.0),
            card,
        })
        .collect();
    let next_cursor = page.next_offset.map(|next| app.cursors.sign(&scope, next));
    json(StatusCode::OK, &SearchResponse { mentors, next_cursor, truncated: page.truncated })
}
