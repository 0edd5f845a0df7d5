//! `points`: GET /me/points, GET /me/badges, GET /users/{id}/badges and POST /admin/points.

use http::StatusCode;
use lambda_http::Request;
use serde::{Deserialize, Serialize};
use shared::App;
use shared::domain::gamification::{
    BoardScore, DAILY_REPEATABLE_CAP, EarnedBadge, LedgerEntry, PeriodKind, PointsCorrection,
};
use shared::domain::{Party, ShortText, UserId};
use shared::http::{
    ApiError, HttpResponse, PageRequest, authenticate, authenticate_admin, json, parse_json, path_member, route_key,
};
use utoipa::OpenApi;

/// The caller's points.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PointsView {
    /// Points ever.
    pub all_time: i64,
    /// Scores on this week's and this month's boards (per role the caller earned in).
    pub boards: Vec<BoardScore>,
    /// The activity streak.
    pub streak: StreakView,
    /// Repeatable points earned on the caller's current day, and the daily cap.
    pub repeatable_today: i64,
    /// The most repeatable points a day can bring.
    pub daily_cap: i64,
    /// Ledger, newest first.
    pub ledger: Vec<LedgerEntry>,
    /// Pass as `cursor` for older entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A streak as members see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StreakView {
    /// Consecutive active days still running.
    pub current: u32,
    /// The longest streak ever.
    pub longest: u32,
    /// Streak freezes held (at most 2), each covering one missed day.
    pub freezes: u8,
}

/// A member's badges.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BadgeList {
    /// Each badge once, with when it was earned.
    pub badges: Vec<EarnedBadge>,
}

/// Body of POST /admin/points.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// The member whose points change.
    pub user_id: UserId,
    /// Points to add (negative to take back), non-zero, at most 10000 either way.
    pub points: PointsCorrection,
    /// The board the points count on: `mentor` or `learner`.
    pub role: Party,
    /// Why, for the member's ledger (1 to 120 characters).
    pub reason: ShortText,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(my_points, my_badges, member_badges, correct_points))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "GET /me/points" => my_points(app, &request).await,
        "GET /me/badges" => my_badges(app, &request).await,
        "GET /users/{id}/badges" => member_badges(app, &request).await,
        "POST /admin/points" => correct_points(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// The caller's totals, current board scores, streak and ledger.
#[utoipa::path(get, path = "/me/points", tag = "points", security(("bearer" = [])),
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 50, description = "Ledger page size, 1-50 (default 20)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's next_cursor"),
    ),
    responses(
        (status = 200, description = "Points and a page of the ledger", body = PointsView),
    ))]
async fn my_points(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let paging = PageRequest::parse(request, &app.cursors, format!("ledger:{}", caller.user_id()))?;
    let (account, ledger) = app.my_points(caller.bearer(), paging.after.as_deref(), paging.limit).await?;
    let now = app.clock.now();
    // Periods are the server's: only this week's and this month's boards are current.
    let boards = account
        .boards
        .iter()
        .filter(|b| PeriodKind::ALL.iter().any(|kind| kind.period_of(now) == b.period))
        .copied()
        .collect();
    let view = PointsView {
        all_time: account.all_time,
        boards,
        streak: StreakView {
            current: account.streak.current_on(now.date_naive()),
            longest: account.streak.longest,
            freezes: account.streak.freezes,
        },
        repeatable_today: if account.day == Some(now.date_naive()) { account.repeatable_today } else { 0 },
        daily_cap: DAILY_REPEATABLE_CAP,
        next_cursor: paging.next_cursor(&app.cursors, ledger.next),
        ledger: ledger.entries,
    };
    json(StatusCode::OK, &view)
}

/// The caller's badges.
#[utoipa::path(get, path = "/me/badges", tag = "points", security(("bearer" = [])),
    responses(
        (status = 200, description = "Badges, each once, with when earned", body = BadgeList),
    ))]
async fn my_badges(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    json(StatusCode::OK, &BadgeList { badges: app.badges_of(caller.bearer(), caller.user_id()).await? })
}

/// A member's badges (public to signed-in members).
#[utoipa::path(get, path = "/users/{id}/badges", tag = "points", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Member id")),
    responses(
        (status = 200, description = "Badges, each once, with when earned", body = BadgeList),
        (status = 400, description = "Not a member id"),
    ))]
async fn member_badges(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let member = path_member(request)?;
    json(StatusCode::OK, &BadgeList { badges: app.badges_of(caller.bearer(), &member).await? })
}

/// An admin's correction, written to the member's ledger with its reason.
#[utoipa::path(post, path = "/admin/points", tag = "points", security(("bearer" = [])),
    request_body = Correction,
    responses(
        (status = 201, description = "The ledger entry written", body = LedgerEntry),
        (status = 400, description = "Invalid member, points, role or reason"),
        (status = 403, description = "Not an admin"),
        (status = 404, description = "No such member"),
    ))]
async fn correct_points(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate_admin(request, &app.tokens, "Only admins correct points.")?;
    let body: Correction = parse_json(request)?;
    let entry = app.correct_points(caller.bearer(), &body.user_id, body.points, body.role, &body.reason).await?;
    json(StatusCode::CREATED, &entry)
}
