//! `book`: requesting sessions and every move in their life: accept, reject, cancel,
//! complete, no-show, reschedule; listing, reading and the calendar file.

use http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Request};
use serde::{Deserialize, Serialize};
use shared::App;
use shared::app::{Idempotency, Requested, SessionRequest, Timeframe};
use shared::domain::{
    Booking, CancelReason, IdempotencyKey, Invalid, Move, RequestMessage, SessionId, SessionLength, SessionState,
    ShortText, Slot, SlotStart, UserId,
};
use shared::http::{
    ApiError, Fields, HttpResponse, QueryParams, authenticate, json, parse_json, path_resource, route_key,
};
use utoipa::OpenApi;

/// Body of POST /sessions.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionRequestBody {
    /// The mentor to book.
    #[schema(pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$")]
    pub mentor_id: String,
    /// Start, RFC 3339, on a quarter hour, in the future and within the mentor's availability.
    #[schema(
        pattern = "^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):(00|15|30|45):00(\\.0{1,9})?(Z|[+-](0[0-9]|1[0-3]):(00|15|30|45))$"
    )]
    pub start: String,
    /// 30, 45, 60 or 90.
    #[schema(schema_with = duration_schema)]
    pub duration_minutes: u16,
    /// What to cover, one line of up to 120 characters.
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub topic: String,
    /// A note to the mentor, up to 2000 characters.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0009\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0009\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
    )]
    pub message: Option<String>,
}

/// Body of POST /sessions/{id}/reschedule.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleBody {
    /// New start, RFC 3339, on a quarter hour, in the future.
    #[schema(
        pattern = "^(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):(00|15|30|45):00(\\.0{1,9})?(Z|[+-](0[0-9]|1[0-3]):(00|15|30|45))$"
    )]
    pub start: String,
    /// 30, 45, 60 or 90.
    #[schema(schema_with = duration_schema)]
    pub duration_minutes: u16,
}

/// Body of POST /sessions/{id}/cancel (optional).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBody {
    /// Why, shown to the other party (up to 500 characters).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// The session lengths on offer, as an integer enum in the schema.
fn duration_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .enum_values(Some(SessionLength::ALL.map(SessionLength::minutes)))
        .build()
}

/// `when` on GET /sessions (documentation only; the handler reads the raw parameter).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum When {
    /// Soonest first.
    Upcoming,
    /// Latest first.
    Past,
}

/// A page of sessions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionList {
    /// The sessions.
    pub sessions: Vec<Booking>,
    /// Pass as `cursor` for the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(
        request_session,
        list_sessions,
        get_session,
        accept,
        reject,
        cancel,
        complete,
        no_show,
        reschedule,
        accept_reschedule,
        decline_reschedule,
        calendar
    ),
    components(schemas(When))
)]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "POST /sessions" => request_session(app, &request).await,
        "GET /sessions" => list_sessions(app, &request).await,
        "GET /sessions/{id}" => get_session(app, &request).await,
        "POST /sessions/{id}/accept" => accept(app, &request).await,
        "POST /sessions/{id}/reject" => reject(app, &request).await,
        "POST /sessions/{id}/cancel" => cancel(app, &request).await,
        "POST /sessions/{id}/complete" => complete(app, &request).await,
        "POST /sessions/{id}/no-show" => no_show(app, &request).await,
        "POST /sessions/{id}/reschedule" => reschedule(app, &request).await,
        "POST /sessions/{id}/reschedule/accept" => accept_reschedule(app, &request).await,
        "POST /sessions/{id}/reschedule/decline" => decline_reschedule(app, &request).await,
        "GET /sessions/{id}/calendar.ics" => calendar(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

fn slot(fields: &mut Fields, start: &str, minutes: u16) -> Option<Slot> {
    let start = fields.check("start", SlotStart::parse(start));
    let length = fields.check("duration_minutes", SessionLength::from_minutes(minutes));
    Some(Slot::new(start?, length?))
}

/// Ask a mentor for a session. Send an `Idempotency-Key` header to retry safely.
#[utoipa::path(
    post,
    path = "/sessions",
    tag = "sessions",
    security(("bearer" = [])),
    request_body = SessionRequestBody,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 100, pattern = "^[!-~]([ -~]{0,98}[!-~])?$", description = "Any unique string (1-100 characters); a retry with the same key returns the first answer")),
    responses(
        (status = 201, description = "Requested", body = Booking),
        (status = 400, description = "Invalid fields, outside the mentor's availability, or in the past"),
        (status = 403, description = "Account suspended, or either of you blocked the other (not saying who)"),
        (status = 409, description = "Idempotency-Key reused with another body, or the time is taken"),
        (status = 429, description = "Too many requests to this mentor (3 an hour) or in all (10 an hour); the problem names the `limit`. A retry with the same Idempotency-Key replays the first answer and never counts"),
    )
)]
async fn request_session(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let idempotency = match request.headers().get("idempotency-key") {
        None => None,
        Some(value) => {
            let key = IdempotencyKey::from_header(value.as_bytes())
                .map_err(|invalid| ApiError::field("Idempotency-Key", &invalid))?;
            // `Body` derefs to its bytes (empty for `Body::Empty`).
            Some(Idempotency { key, body: request.body().to_vec() })
        }
    };
    let body: SessionRequestBody = parse_json(request)?;
    let mut fields = Fields::default();
    let mentor = fields.check("mentor_id", UserId::parse(&body.mentor_id));
    let slot = slot(&mut fields, &body.start, body.duration_minutes);
    let topic = fields.check("topic", ShortText::parse(&body.topic));
    let message = match body.message {
        Some(raw) => fields.check("message", RequestMessage::parse(&raw)).map(Some),
        None => Some(None),
    };
    let (Some(mentor), Some(slot), Some(topic), Some(message)) = (mentor, slot, topic, message) else {
        return Err(fields.into_error());
    };
    let outcome =
        app.request_session(caller.bearer(), SessionRequest { mentor, slot, topic, message }, idempotency).await?;
    let (status, text, id) = match outcome {
        Requested::Created(booking) => {
            (StatusCode::CREATED, serde_json::to_string(&booking).map_err(ApiError::internal)?, booking.id.to_string())
        }
        Requested::Replayed(stored) => {
            let id = serde_json::from_str::<Booking>(&stored.body).map(|b| b.id.to_string()).unwrap_or_default();
            (StatusCode::from_u16(stored.status).unwrap_or(StatusCode::CREATED), stored.body, id)
        }
    };
    let mut response = lambda_http::Response::new(Body::Text(text));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(location) = HeaderValue::from_str(&format!("/sessions/{id}")) {
        headers.insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The caller's sessions, as learner or mentor.
#[utoipa::path(
    get,
    path = "/sessions",
    tag = "sessions",
    security(("bearer" = [])),
    params(
        ("when" = Option<When>, Query, description = "upcoming (default, soonest first) or past (latest first)"),
        ("state" = Option<SessionState>, Query, description = "Only sessions in this state"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 50, description = "Page size, 1-50 (default 20)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's next_cursor"),
    ),
    responses(
        (status = 200, description = "A page of sessions", body = SessionList),
    )
)]
async fn list_sessions(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let params = QueryParams::new(request, &["when", "state", "limit", "cursor"])?;
    let mut fields = Fields::default();
    let timeframe = match params.first("when") {
        None | Some("upcoming") => Some(Timeframe::Upcoming),
        Some("past") => Some(Timeframe::Past),
        Some(_) => fields.check("when", Err(Invalid::new("must be upcoming or past"))),
    };
    let state = params.first("state").and_then(|raw| {
        let parsed = serde_json::from_value::<SessionState>(serde_json::Value::String(raw.to_owned()));
        fields.check("state", parsed.map_err(|_| Invalid::new("is not a session state")))
    });
    let limit = params.limit(&mut fields, 20);
    let scope = format!("sessions:{}:{:?}", caller.user_id(), timeframe);
    let after = params.cursor(&mut fields, &app.cursors, &scope);
    let Some(timeframe) = timeframe.filter(|_| fields.is_clean()) else { return Err(fields.into_error()) };
    let page = app.my_sessions(caller.bearer(), timeframe, after.as_deref(), limit).await?;
    let sessions = page.sessions.into_iter().filter(|s| state.is_none_or(|wanted| s.state == wanted)).collect();
    let next_cursor = page.next.map(|position| app.cursors.sign_position(&scope, &position));
    json(StatusCode::OK, &SessionList { sessions, next_cursor })
}

fn session_id(request: &Request) -> Result<SessionId, ApiError> {
    path_resource(request, "id", SessionId::parse)
}

/// One session (participants and admins only; others get 404).
#[utoipa::path(get, path = "/sessions/{id}", tag = "sessions", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Session id")),
    responses(
        (status = 200, description = "The session", body = Booking),
        (status = 404, description = "No such session, or not yours"),
    ))]
async fn get_session(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let booking = app.visible_session(caller.bearer(), &session_id(request)?).await?;
    json(StatusCode::OK, &booking)
}

async fn make_move(app: &App, request: &Request, mv: Move) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let id = session_id(request)?;
    let booking = app.move_session(caller.bearer(), &id, mv).await?;
    json(StatusCode::OK, &booking)
}

/// Accept a request (mentor): the session is confirmed, time is locked for both, and a
/// meeting link is created.
#[utoipa::path(post, path = "/sessions/{id}/accept", tag = "sessions", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Session id")),
    responses(
        (status = 200, description = "Confirmed", body = Booking),
        (status = 404, description = "No such session, or not yours"),
        (status = 409, description = "Not allowed in the current state (named), or the time is taken"),
    ))]
async fn accept(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    make_move(app, request, Move::Accept).await
}

/// Decline a request (mentor).
#[utoipa::path(post, path = "/sessions/{id}/reject", tag = "sessions", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Session id")),
    responses(
        (status = 200, description = "Rejected", body = Booking),
        (status = 404, description = "No such session, or not yours"),
        (status = 409, description = "Not allowed in the current state"),
    ))]
async fn reject(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    make_move(app, request, Move::Reject).await
}

/// Cancel (either side, before the start). Later than the notice period is allowed and
/// recorded as late.
#[utoipa::path(post, path = "/sessions/{id}/cancel", tag = "sessions", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Session id")),
    request_body(content = CancelBody, description = "Optional reason"),
    responses(
        (status = 200, description = "Cancelled", body = Booking),
        (status = 404, description = "No such session, or not yours"),
        (status = 409, description = "Not allowed in the current state"),
    ))]
async fn cancel(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    // Who is asking comes first: an anonymous caller gets 401 whatever the body says.
    authenticate(request, &app.tokens)?;
    let body: CancelBody = if request.body().is_empty() { CancelBody::default() } else { parse_json(request)? };
    let reason = match body.reason {
        Some(raw) => CancelReason::parse(&raw).map_err(|reason| ApiError::field("reason", &reason))?,
        None => None,
    };
    let reason = reason.map(CancelReason::into_string);
    make_move(app, request, Move::Cancel { reason }).await
}

/// Mark as held (either side, after the end).
#[utoipa::path(post, path = "/sessions/{id}/complete", tag = "sessions", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Session id")),
    responses(
        (status = 200, description = "Completed", body = Booking),
        (status = 404, description = "No such session, or not yours"),
        (status = 409, description = "Not allowed in the current state, or not ended yet"),
    ))]
async fn complete(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    make_move(app, request, Move::Complete).await
}

/// Report that the other party did not show up (confirmed sessions, from 10 minutes after the start).
#[utoipa::path(post, path = "/sessions/{id}/no-show", tag = "sessions", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Session id")),
    responses(
        (status = 200, description = "Marked as a no-show of the other party", body = Booking),
        (status = 404, description = "No such session, or not yours"),
        (status = 409, description = "Not allowed in the current state, or too early"),
    ))]
async fn no_show(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    make_move(app, request, Move::ReportNoShow).await
}

/// Propose a new time (either side); the other side accepts or declines it.
#[utoipa::path(post, path = "/sessions/{id}/reschedule", tag = "sessions", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Session id")),
    request_body = RescheduleBody,
    responses(
        (status = 200, description = "Proposal recorded", body = Booking),
        (status = 400, description = "Invalid time"),
        (status = 404, description = "No such session, or not yours"),
        (status = 409, description = "Not allowed in the current state"),
    ))]
async fn reschedule(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    // Who is asking comes first: an anonymous caller gets 401 whatever the body says.
    authenticate(request, &app.tokens)?;
    let body: RescheduleBody = parse_json(request)?;
    let mut fields = Fields::default();
    let Some(slot) = slot(&mut fields, &body.start, body.duration_minutes) else { return Err(fields.into_error()) };
    make_move(app, request, Move::Propose(slot)).await
}

/// Accept the other side's proposed time: the session moves (time locks move with it).
#[utoipa::path(post, path = "/sessions/{id}/reschedule/accept", tag = "sessions", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Session id")),
    responses(
        (status = 200, description = "Moved", body = Booking),
        (status = 404, description = "No such session, or not yours"),
        (status = 409, description = "No proposal, your own proposal, or the time is taken"),
    ))]
async fn accept_reschedule(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    make_move(app, request, Move::AcceptProposal).await
}

/// Decline the other side's proposed time.
#[utoipa::path(post, path = "/sessions/{id}/reschedule/decline", tag = "sessions", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Session id")),
    responses(
        (status = 200, description = "Proposal dropped", body = Booking),
        (status = 404, description = "No such session, or not yours"),
        (status = 409, description = "No proposal to decline"),
    ))]
async fn decline_reschedule(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    make_move(app, request, Move::DeclineProposal).await
}

/// The session as an iCalendar event (UTC times, stable UID, meeting link).
#[utoipa::path(get, path = "/sessions/{id}/calendar.ics", tag = "sessions", security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "Session id")),
    responses(
        (status = 200, description = "text/calendar", content_type = "text/calendar", body = String),
        (status = 404, description = "No such session, or not yours"),
    ))]
async fn calendar(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let id = session_id(request)?;
    let ics = app.session_calendar(caller.bearer(), &id).await?;
    let mut response = lambda_http::Response::new(Body::Text(ics));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"peerlearn-{id}.ics\"")) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}
