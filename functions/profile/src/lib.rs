//! `profile`: GET /me, PATCH /me and GET /users/{id}.

use http::StatusCode;
use lambda_http::Request;
use serde::Deserialize;
use shared::App;
use shared::api::{AccountView, PublicUserView};
use shared::domain::payments::LateCancelPolicy;
use shared::domain::{
    AcademicDetails, AvailabilityWindow, Bio, Change, DisplayName, Headline, Invalid, Language, Languages, Price,
    ProfileChanges, ShortText, Skill, SkillLevel, SkillName, Skills, StudyYear, TimeOfDay, Timezone, Weekday,
    WeeklyAvailability,
};
use shared::http::{
    ApiError, Fields, HttpResponse, authenticate, json, no_content, nullable, nullable_object, parse_json, path_member,
    route_key,
};
use utoipa::OpenApi;

/// Body of PATCH /me. Absent fields stay as they are; `null` clears the optional ones;
/// lists and `academic` replace the stored value as a whole.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    /// Display name, 1 to 80 characters, stored in NFC; no control, format or invisible
    /// characters (bidi controls, zero-width spaces), no check marks, and nothing that reads
    /// as the platform (peerlearn, admin, support, moderator, staff, official): else a 400
    /// naming `name`. Cannot be cleared.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = name_schema, required = false)]
    pub name: Option<Option<String>>,
    /// One line under the name, up to 120 characters; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$",
        required = false
    )]
    pub headline: Option<Option<String>>,
    /// Up to 2000 characters; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0009\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u0009\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$",
        required = false
    )]
    pub bio: Option<Option<String>>,
    /// Institution, programme and year of study; `null` clears all three.
    #[serde(default, deserialize_with = "nullable_object")]
    pub academic: Option<Option<AcademicPatch>>,
    /// Skills with a level from 1 to 5 (names are normalised: "  Rust " is "rust").
    #[serde(default, deserialize_with = "nullable")]
    pub skills: Option<Option<Vec<SkillInput>>>,
    /// Skills you want to learn, each with the level (1 to 5) you want to reach.
    #[serde(default, deserialize_with = "nullable")]
    pub learning: Option<Option<Vec<SkillInput>>>,
    /// A mentor's hourly price in US cents (0 = free, at most 100000); `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(maximum = 100000, required = false)]
    pub price_cents: Option<Option<u32>>,
    /// What you refund a learner who cancels a paid session with less than 24 hours'
    /// notice: 0, 50 or 100 percent (more notice always refunds everything).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = late_cancel_schema, required = false)]
    pub late_cancel_refund_percent: Option<Option<u8>>,
    /// Language tags such as "en" or "pt-BR".
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_items = 10, required = false)]
    pub languages: Option<Option<Vec<String>>>,
    /// IANA time zone such as "Europe/Madrid" (exactly as the tz database spells it); cannot be cleared.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(schema_with = timezone_schema, required = false)]
    pub timezone: Option<Option<String>>,
    /// Weekly windows in `timezone`, on 15-minute boundaries, non-overlapping.
    #[serde(default, deserialize_with = "nullable")]
    pub availability: Option<Option<Vec<WindowInput>>>,
}

/// Academic details as sent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcademicPatch {
    /// Institution name.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$",
        required = false
    )]
    pub institution: Option<String>,
    /// Programme of study.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$",
        required = false
    )]
    pub programme: Option<String>,
    /// Year of study, 1 to 10.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10, required = false)]
    pub year: Option<u8>,
}

/// One skill as sent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillInput {
    /// Skill name: up to 40 letters, digits, spaces and + # . - /, starting with a letter or
    /// digit (any script: no pattern, as JSON Schema and the fuzzer disagree on Unicode classes).
    pub name: String,
    /// Level from 1 (beginner) to 5 (expert).
    #[schema(minimum = 1, maximum = 5)]
    pub level: u8,
}

/// One availability window as sent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowInput {
    /// "mon" to "sun".
    #[schema(
        pattern = "^\\s*([Mm][Oo][Nn]|[Tt][Uu][Ee]|[Ww][Ee][Dd]|[Tt][Hh][Uu]|[Ff][Rr][Ii]|[Ss][Aa][Tt]|[Ss][Uu][Nn])\\s*$"
    )]
    pub day: String,
    /// "HH:MM", local time, on a quarter hour.
    #[schema(pattern = "^\\s*(([01][0-9]|2[0-3]):(00|15|30|45)|24:00)\\s*$")]
    pub start: String,
    /// "HH:MM", local time, on a quarter hour, after `start`; "24:00" ends at midnight.
    #[schema(pattern = "^\\s*(([01][0-9]|2[0-3]):(00|15|30|45)|24:00)\\s*$")]
    pub end: String,
}

/// `name`: a string (never `null`), one line of 1 to 80 characters.
fn name_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .min_length(Some(1))
        .max_length(Some(80))
        .pattern(Some("^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"))
        .build()
}

/// `timezone`: one of the tz database's names (never `null`).
fn late_cancel_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .enum_values(Some([0, 50, 100]))
        .build()
}

fn timezone_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(Timezone::names()))
        .build()
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(get_me, patch_me, get_user, block_member, unblock_member, link_google, unlink_google))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "GET /me" => get_me(app, &request).await,
        "PATCH /me" => patch_me(app, &request).await,
        "GET /users/{id}" => get_user(app, &request).await,
        "PUT /me/blocks/{id}" => block_member(app, &request).await,
        "DELETE /me/blocks/{id}" => unblock_member(app, &request).await,
        "POST /me/identities/google" => link_google(app, &request).await,
        "DELETE /me/identities/google" => unlink_google(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// The caller's own account and profile.
#[utoipa::path(
    get,
    path = "/me",
    tag = "profiles",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's account", body = AccountView),
        (status = 403, description = "Account suspended"),
    )
)]
async fn get_me(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let user = app.me(caller.bearer()).await.map_err(own_account)?;
    let avatar = app.avatar_url(&user.id).await?;
    json(StatusCode::OK, &AccountView::from(&user).with_avatar(avatar))
}

/// Edit the caller's own profile.
#[utoipa::path(
    patch,
    path = "/me",
    tag = "profiles",
    security(("bearer" = [])),
    request_body = ProfilePatch,
    responses(
        (status = 200, description = "The updated account", body = AccountView),
        (status = 403, description = "Account suspended"),
        (status = 409, description = "Changed concurrently (retry), or a price above zero before Stripe enabled the mentor's payouts (`payouts-not-enabled`: finish onboarding first)"),
    )
)]
async fn patch_me(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let patch: ProfilePatch = parse_json(request)?;
    let changes = parse_changes(patch)?;
    let user = app.update_profile(caller.bearer(), changes).await.map_err(own_account)?;
    let avatar = app.avatar_url(&user.id).await?;
    json(StatusCode::OK, &AccountView::from(&user).with_avatar(avatar))
}

/// Another member's public profile.
#[utoipa::path(
    get,
    path = "/users/{id}",
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "User id (ULID)")),
    responses(
        (status = 200, description = "The member's public profile", body = PublicUserView),
        (status = 400, description = "Malformed id"),
        (status = 404, description = "No such member, or either of you blocked the other"),
    )
)]
async fn get_user(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let id = path_member(request)?;
    let user = app.member(caller.bearer(), &id).await?;
    let avatar = app.avatar_url(&user.id).await?;
    json(StatusCode::OK, &PublicUserView::from(&user).with_avatar(avatar))
}

/// Body of POST /me/identities/google.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkGoogleRequest {
    /// The ID token of the Google account to link, from Google's Sign-In.
    #[schema(min_length = 1, max_length = 4096)]
    pub id_token: String,
}

/// Link a Google account: it then signs in to this account.
#[utoipa::path(
    post,
    path = "/me/identities/google",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = LinkGoogleRequest,
    responses(
        (status = 204, description = "Linked (also when it already was)"),
        (status = 401, description = "The ID token is forged, expired, for another app, or its email is not verified"),
        (status = 409, description = "The Google account signs in to another member, or another one is linked (`identity-conflict`)"),
        (status = 503, description = "Google's keys are not reachable; retry (`sign-in-unavailable`)"),
    )
)]
async fn link_google(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let body: LinkGoogleRequest = parse_json(request)?;
    app.link_google(caller.bearer(), &body.id_token).await?;
    Ok(no_content())
}

/// Unlink the Google account, unless it is the only way to sign in.
#[utoipa::path(
    delete,
    path = "/me/identities/google",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Unlinked (also when none was linked)"),
        (status = 409, description = "Google is the only way to sign in (`identity-conflict`)"),
    )
)]
async fn unlink_google(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    app.unlink_google(caller.bearer()).await?;
    Ok(no_content())
}

/// Block a member: they no longer appear in your matches or searches.
#[utoipa::path(
    put,
    path = "/me/blocks/{id}",
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "The member to block (ULID)")),
    responses(
        (status = 204, description = "Blocked (also when already blocked)"),
        (status = 400, description = "Malformed id, or yourself"),
        (status = 404, description = "No such member"),
    )
)]
async fn block_member(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let id = path_member(request)?;
    app.block_member(caller.bearer(), &id).await?;
    Ok(no_content())
}

/// Unblock a member.
#[utoipa::path(
    delete,
    path = "/me/blocks/{id}",
    tag = "profiles",
    security(("bearer" = [])),
    params(("id" = String, Path, pattern = "^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}$", description = "The member to unblock (ULID)")),
    responses(
        (status = 204, description = "Unblocked (also when not blocked)"),
        (status = 400, description = "Malformed id"),
    )
)]
async fn unblock_member(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let id = path_member(request)?;
    app.unblock_member(caller.bearer(), &id).await?;
    Ok(no_content())
}

/// A valid token whose account no longer exists is a credential problem, not a 404.
fn own_account(error: shared::app::AppError) -> ApiError {
    match error {
        shared::app::AppError::UserNotFound => {
            ApiError::Unauthenticated("The account for this token no longer exists.")
        }
        other => other.into(),
    }
}

const NOT_CLEARABLE: Invalid = Invalid::new("cannot be null");

fn parse_changes(patch: ProfilePatch) -> Result<ProfileChanges, ApiError> {
    let mut fields = Fields::default();
    let mut changes = ProfileChanges::default();
    match patch.name {
        None => {}
        Some(None) => fields.refuse("name", &NOT_CLEARABLE),
        Some(Some(raw)) => changes.name = fields.check("name", DisplayName::parse(&raw)),
    }
    changes.headline = change(&mut fields, "headline", patch.headline, |raw| Headline::parse(&raw));
    changes.bio = change(&mut fields, "bio", patch.bio, |raw| Bio::parse(&raw));
    changes.academic = patch.academic.map(|academic| parse_academic(&mut fields, academic));
    changes.skills = patch.skills.map(|skills| parse_skills(&mut fields, "skills", skills.unwrap_or_default()));
    changes.learning = patch.learning.map(|skills| parse_skills(&mut fields, "learning", skills.unwrap_or_default()));
    changes.price = match patch.price_cents {
        None => Change::Keep,
        Some(None) => Change::Clear,
        Some(Some(cents)) => fields.check("price_cents", Price::from_cents(cents)).map_or(Change::Keep, Change::Set),
    };
    match patch.late_cancel_refund_percent {
        None => {}
        Some(None) => fields.refuse("late_cancel_refund_percent", &NOT_CLEARABLE),
        Some(Some(percent)) => {
            changes.late_cancel = fields.check("late_cancel_refund_percent", LateCancelPolicy::from_percent(percent));
        }
    }
    changes.languages = patch.languages.map(|languages| parse_languages(&mut fields, languages.unwrap_or_default()));
    match patch.timezone {
        None => {}
        Some(None) => fields.refuse("timezone", &NOT_CLEARABLE),
        Some(Some(raw)) => changes.timezone = fields.check("timezone", Timezone::parse(&raw)),
    }
    changes.availability =
        patch.availability.map(|windows| parse_availability(&mut fields, windows.unwrap_or_default()));
    if fields.is_clean() { Ok(changes) } else { Err(fields.into_error()) }
}

fn change<T>(
    fields: &mut Fields,
    field: &str,
    value: Option<Option<String>>,
    parse: impl FnOnce(String) -> Result<T, Invalid>,
) -> Change<T> {
    match value {
        None => Change::Keep,
        Some(None) => Change::Clear,
        Some(Some(raw)) => fields.check(field, parse(raw)).map_or(Change::Keep, Change::Set),
    }
}

fn parse_academic(fields: &mut Fields, academic: Option<AcademicPatch>) -> AcademicDetails {
    let Some(academic) = academic else { return AcademicDetails::default() };
    let institution = academic.institution.and_then(|raw| fields.check("academic.institution", ShortText::parse(&raw)));
    let programme = academic.programme.and_then(|raw| fields.check("academic.programme", ShortText::parse(&raw)));
    let year = academic.year.and_then(|year| fields.check("academic.year", StudyYear::new(year)));
    AcademicDetails::new(institution, programme, year)
}

fn parse_skills(fields: &mut Fields, field: &str, inputs: Vec<SkillInput>) -> Skills {
    let mut skills = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.into_iter().enumerate() {
        let name = fields.check(format!("{field}[{index}].name"), SkillName::parse(&input.name));
        let level = fields.check(format!("{field}[{index}].level"), SkillLevel::new(input.level));
        if let (Some(name), Some(level)) = (name, level) {
            skills.push(Skill::new(name, level));
        }
    }
    fields.check(field, Skills::new(skills)).unwrap_or_default()
}

fn parse_languages(fields: &mut Fields, inputs: Vec<String>) -> Languages {
    let languages = inputs
        .iter()
        .enumerate()
        .filter_map(|(index, raw)| fields.check(format!("languages[{index}]"), Language::parse(raw)))
        .collect();
    fields.check("languages", Languages::new(languages)).unwrap_or_default()
}

fn parse_availability(fields: &mut Fields, inputs: Vec<WindowInput>) -> WeeklyAvailability {
    let mut windows = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.into_iter().enumerate() {
        let day = fields.check(format!("availability[{index}].day"), Weekday::parse(&input.day));
        let start = fields.check(format!("availability[{index}].start"), TimeOfDay::parse(&input.start));
        let end = fields.check(format!("availability[{index}].end"), TimeOfDay::parse(&input.end));
        if let (Some(day), Some(start), Some(end)) = (day, start, end) {
            windows.extend(fields.check(format!("availability[{index}]"), AvailabilityWindow::new(day, start, end)));
        }
    }
    fields.check("availability", WeeklyAvailability::new(windows)).unwrap_or_default()
}
