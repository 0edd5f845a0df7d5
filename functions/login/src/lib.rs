//! `login`: every way a member proves who they are. Sign-in (POST /auth/login, /auth/google,
//! /auth/refresh, /auth/logout), mailed links (POST /auth/verify-email, /auth/password/forgot,
//! /auth/password/reset, /me/email/verification), signed-in credential changes (PATCH
//! /me/password, /me/email) and phones (POST /me/phone, /me/phone/verify, /auth/otp/start,
//! /auth/otp/verify). One function, because these are the routes that hash passwords
//! and hold the token-signing key.

use http::StatusCode;
use lambda_http::Request;
use serde::Deserialize;
use shared::App;
use shared::api::SignedInView;
use shared::app::{GoogleSignIn, RefreshToken};
use shared::auth::{EmailToken, PhoneCode};
use shared::domain::{DisplayName, Email, Invalid, PhoneNumber, Roles};
use shared::http::{
    ApiError, FieldError, Fields, HttpResponse, authenticate, json, no_content, parse_json, roles_schema, route_key,
    source_address,
};
use utoipa::OpenApi;

/// Body of POST /auth/login.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Sign-in address.
    #[schema(
        max_length = 254,
        pattern = "^\\s*[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,32}(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,15}){0,2}@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}\\s*$"
    )]
    pub email: String,
    /// Password.
    #[schema(min_length = 1)]
    pub password: String,
}

/// Body of POST /auth/google.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoogleSignInRequest {
    /// The ID token Google's Sign-In gave the client (a JWT).
    #[schema(min_length = 1, max_length = 4096)]
    pub id_token: String,
    /// `learner`, `mentor` or `both`: required on a first sign-in (a new account).
    #[serde(default)]
    #[schema(schema_with = roles_schema, required = false)]
    pub roles: Option<String>,
    /// Display name for a new account; the Google account's name when absent.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 80,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$",
        required = false
    )]
    pub name: Option<String>,
}

/// Body of POST /auth/refresh and POST /auth/logout.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last sign-in or refresh.
    #[schema(pattern = "^[0-9A-Za-z]{26}\\.[0-9A-Za-z_-]{43}$")]
    pub refresh_token: String,
}

/// Body of POST /auth/verify-email.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailRequest {
    /// The `token` of the mailed link.
    #[schema(pattern = "^[0-9A-Za-z_-]{43}$")]
    pub token: String,
}

/// Body of POST /auth/password/forgot.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    /// The account's sign-in address.
    #[schema(
        max_length = 254,
        pattern = "^\\s*[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,32}(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,15}){0,2}@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}\\s*$"
    )]
    pub email: String,
}

/// Body of POST /auth/password/reset.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The `token` of the mailed reset link.
    #[schema(pattern = "^[0-9A-Za-z_-]{43}$")]
    pub token: String,
    /// The new password: 8 to 128 characters, not the email address.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
}

/// Body of PATCH /me/password.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The password now.
    #[schema(min_length = 1)]
    pub current_password: String,
    /// The new password: 8 to 128 characters, not the email address.
    #[schema(min_length = 8, max_length = 128)]
    pub new_password: String,
}

/// Body of PATCH /me/email.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEmailRequest {
    /// The new sign-in address; it takes effect when the link mailed to it is followed.
    #[schema(
        max_length = 254,
        pattern = "^\\s*[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,32}(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,15}){0,2}@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}\\s*$"
    )]
    pub email: String,
    /// The account's password.
    #[schema(min_length = 1)]
    pub password: String,
}

/// Body of POST /me/phone and POST /auth/otp/start.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneRequest {
    /// The number in international form (E.164: + and the country code), from a country
    /// the platform texts; spaces, dots, dashes and parentheses are ignored.
    #[schema(pattern = "^\\s*\\+[0-9 ().-]{7,30}\\s*$", example = "+14155552671")]
    pub phone: String,
}

/// Body of POST /me/phone/verify.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneCodeRequest {
    /// The 6 digits of the text.
    #[schema(pattern = "^\\s*[0-9]{6}\\s*$", example = "042917")]
    pub code: String,
}

/// Body of POST /auth/otp/verify.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneSignInRequest {
    /// The number the code was texted to.
    #[schema(pattern = "^\\s*\\+[0-9 ().-]{7,30}\\s*$", example = "+14155552671")]
    pub phone: String,
    /// The 6 digits of the text.
    #[schema(pattern = "^\\s*[0-9]{6}\\s*$", example = "042917")]
    pub code: String,
}

/// The member's verified phone.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PhoneStatusView {
    /// The verified number (E.164).
    #[schema(value_type = String, example = "+14155552671")]
    pub phone: PhoneNumber,
    /// Always true: the code proved it.
    pub phone_verified: bool,
}

/// The address a member signs in with, and whether it is confirmed.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EmailStatusView {
    /// The sign-in address.
    pub email: Email,
    /// Whether it was confirmed with a mailed link.
    pub email_verified: bool,
}

/// What an accepted request that mails something says.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MailAcceptedView {
    /// For the member.
    pub detail: &'static str,
}

/// The operations this function serves, for the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(
    login,
    google,
    refresh,
    logout,
    verify_email,
    resend_confirmation,
    forgot_password,
    reset_password,
    change_password,
    change_email,
    send_phone_code,
    verify_phone,
    start_phone_sign_in,
    finish_phone_sign_in
))]
pub struct Api;

/// Lambda entry point: routes by the matched API Gateway route.
pub async fn handler(app: &App, request: Request) -> HttpResponse {
    let result = match route_key(&request) {
        "POST /auth/login" => login(app, &request).await,
        "POST /auth/google" => google(app, &request).await,
        "POST /auth/refresh" => refresh(app, &request).await,
        "POST /auth/logout" => logout(app, &request).await,
        "POST /auth/verify-email" => verify_email(app, &request).await,
        "POST /me/email/verification" => resend_confirmation(app, &request).await,
        "POST /auth/password/forgot" => forgot_password(app, &request).await,
        "POST /auth/password/reset" => reset_password(app, &request).await,
        "PATCH /me/password" => change_password(app, &request).await,
        "PATCH /me/email" => change_email(app, &request).await,
        "POST /me/phone" => send_phone_code(app, &request).await,
        "POST /me/phone/verify" => verify_phone(app, &request).await,
        "POST /auth/otp/start" => start_phone_sign_in(app, &request).await,
        "POST /auth/otp/verify" => finish_phone_sign_in(app, &request).await,
        _ => Err(ApiError::NotFound),
    };
    result.unwrap_or_else(ApiError::into_response)
}

/// Sign in with email and password.
#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "accounts",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = SignedInView),
        (status = 401, description = "Email or password is incorrect"),
        (status = 403, description = "Account suspended"),
        (status = 429, description = "Too many failed attempts for this address (5 per 15 minutes) or from this network (30 per 15 minutes); the problem names the `limit`, `Retry-After` says when to try again"),
    )
)]
async fn login(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let source = source_address(request)?;
    let body: LoginRequest = parse_json(request)?;
    let email = Email::parse(&body.email).map_err(|reason| ApiError::field("email", &reason))?;
    if body.password.is_empty() {
        return Err(ApiError::field("password", &Invalid::new("is required")));
    }
    let signed_in = app.login(email, body.password, source).await?;
    json(StatusCode::OK, &SignedInView::from(&signed_in))
}

/// Sign in with Google: the ID token from Google's Sign-In. A Google account's first sign-in
/// creates an account (with the roles asked for); an address that already has a password
/// account is never merged on its own: 409 `google-account-not-linked`.
#[utoipa::path(
    post,
    path = "/auth/google",
    tag = "accounts",
    request_body = GoogleSignInRequest,
    responses(
        (status = 200, description = "Signed in to the Google account's account", body = SignedInView),
        (status = 201, description = "A new account, signed in", body = SignedInView),
        (status = 400, description = "A new account without roles, or a bad name"),
        (status = 401, description = "The ID token is forged, expired, for another app, or its email is not verified"),
        (status = 403, description = "Account suspended"),
        (status = 409, description = "The email has a password account: sign in with it and link Google (`google-account-not-linked`)"),
        (status = 503, description = "Google's keys are not reachable; retry (`sign-in-unavailable`)"),
    )
)]
async fn google(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let body: GoogleSignInRequest = parse_json(request)?;
    let mut fields = Fields::default();
    if body.id_token.is_empty() {
        fields.check::<()>("id_token", Err(Invalid::new("is required")));
    }
    let roles = body.roles.and_then(|raw| fields.check("roles", Roles::from_requested(&raw)));
    let name = body.name.and_then(|raw| fields.check("name", DisplayName::parse(&raw)));
    if !fields.is_clean() {
        return Err(fields.into_error());
    }
    let (signed_in, created) = app.sign_in_with_google(GoogleSignIn { id_token: body.id_token, roles, name }).await?;
    json(if created { StatusCode::CREATED } else { StatusCode::OK }, &SignedInView::from(&signed_in))
}

/// Exchange a refresh token for a new token pair (the old one stops working).
#[utoipa::path(
    post,
    path = "/auth/refresh",
    tag = "accounts",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New token pair", body = SignedInView),
        (status = 400, description = "Malformed token"),
        (status = 401, description = "Token unknown, expired, reused or revoked"),
    )
)]
async fn refresh(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let token = presented_token(request)?;
    let signed_in = app.refresh(token).await?;
    json(StatusCode::OK, &SignedInView::from(&signed_in))
}

/// Sign out: the refresh token's whole sign-in stops working.
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "accounts",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Signed out (also when already signed out)"),
        (status = 400, description = "Malformed token"),
    )
)]
async fn logout(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let token = presented_token(request)?;
    app.logout(token).await?;
    Ok(no_content())
}

/// Confirm an email address with the token of the mailed link: the address the member
/// registered with, or the new one they asked to move to (which then becomes the sign-in
/// address). Needs no sign-in: the link is the proof.
#[utoipa::path(
    post,
    path = "/auth/verify-email",
    tag = "accounts",
    request_body = VerifyEmailRequest,
    responses(
        (status = 200, description = "Confirmed; the account's address as it now is", body = EmailStatusView),
        (status = 400, description = "The link was used, has expired, or never existed (`errors` names `token`)"),
        (status = 403, description = "Account suspended"),
        (status = 409, description = "The new address has an account meanwhile (`email-taken`)"),
    )
)]
async fn verify_email(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let body: VerifyEmailRequest = parse_json(request)?;
    let token = email_token(&body.token)?;
    let member = app.confirm_email(&token).await?;
    json(StatusCode::OK, &EmailStatusView { email: member.email, email_verified: member.email_verified })
}

/// Mail the link that confirms the caller's address again (3 mails an hour).
#[utoipa::path(
    post,
    path = "/me/email/verification",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 202, description = "A new link is on its way", body = MailAcceptedView),
        (status = 204, description = "The address is confirmed already: nothing sent"),
        (status = 429, description = "Three mails went to the address in the last hour (`link_mails_per_address`)"),
        (status = 503, description = "The mail was not sent; retry (`delivery-unavailable`)"),
    )
)]
async fn resend_confirmation(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    if app.resend_confirmation(caller.bearer()).await? {
        json(StatusCode::ACCEPTED, &MailAcceptedView { detail: "A new confirmation link is on its way." })
    } else {
        Ok(no_content())
    }
}

/// Ask for a password-reset link. The answer is the same, in about the same time, whether
/// or not the address has an account; one that has gets a link valid 30 minutes.
#[utoipa::path(
    post,
    path = "/auth/password/forgot",
    tag = "accounts",
    request_body = ForgotPasswordRequest,
    responses(
        (status = 202, description = "If the address has an account, a reset link is on its way", body = MailAcceptedView),
        (status = 429, description = "Three links went to the address in the last hour, or 20 resets were asked from this network"),
    )
)]
async fn forgot_password(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let source = source_address(request)?;
    let body: ForgotPasswordRequest = parse_json(request)?;
    let email = Email::parse(&body.email).map_err(|reason| ApiError::field("email", &reason))?;
    app.forgot_password(email, source).await?;
    json(
        StatusCode::ACCEPTED,
        &MailAcceptedView { detail: "If this address has an account, a link to reset its password is on its way." },
    )
}

/// Set a new password with the token of a mailed reset link: every sign-in of the account
/// ends, and every other reset link stops working.
#[utoipa::path(
    post,
    path = "/auth/password/reset",
    tag = "accounts",
    request_body = ResetPasswordRequest,
    responses(
        (status = 204, description = "The password is set; sign in with it"),
        (status = 400, description = "The link was used, has expired or was replaced (`token`), or the password breaks the rules (`password`)"),
    )
)]
async fn reset_password(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let body: ResetPasswordRequest = parse_json(request)?;
    let token = email_token(&body.token)?;
    app.reset_password(&token, &body.password).await?;
    Ok(no_content())
}

/// Change the password, proving the current one: every sign-in ends (this one gets a fresh
/// token pair) and every reset link stops working.
#[utoipa::path(
    patch,
    path = "/me/password",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, description = "Changed; a new sign-in for this client", body = SignedInView),
        (status = 400, description = "The current password is wrong or the account has none (`current_password`), or the new one breaks the rules (`new_password`)"),
        (status = 429, description = "Too many wrong passwords, as at sign-in"),
    )
)]
async fn change_password(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let source = source_address(request)?;
    let body: ChangePasswordRequest = parse_json(request)?;
    let signed_in = app.change_password(caller.bearer(), body.current_password, &body.new_password, source).await?;
    json(StatusCode::OK, &SignedInView::from(&signed_in))
}

/// Move the account to another address, proving the password: the new address gets a link
/// that makes the change (valid 24 hours), the current one a note that it was asked for.
#[utoipa::path(
    patch,
    path = "/me/email",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = ChangeEmailRequest,
    responses(
        (status = 202, description = "A link is on its way to the new address", body = MailAcceptedView),
        (status = 400, description = "A bad or unchanged address (`email`), or a wrong password (`password`)"),
        (status = 429, description = "Too many wrong passwords, or three links to the address in the last hour"),
        (status = 503, description = "The mail was not sent; retry (`delivery-unavailable`)"),
    )
)]
async fn change_email(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let source = source_address(request)?;
    let body: ChangeEmailRequest = parse_json(request)?;
    let email = Email::parse(&body.email).map_err(|reason| ApiError::field("email", &reason))?;
    app.change_email(caller.bearer(), email, body.password, source).await?;
    json(StatusCode::ACCEPTED, &MailAcceptedView { detail: "A link to confirm the new address is on its way." })
}

/// Text a code to a number, to verify it as the caller's phone. The answer is the same
/// whoever holds the number; a number verified by another member moves to whoever proves
/// they hold it.
#[utoipa::path(
    post,
    path = "/me/phone",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = PhoneRequest,
    responses(
        (status = 202, description = "A 6-digit code is texted (valid 10 minutes, 5 guesses)", body = MailAcceptedView),
        (status = 400, description = "Not an international number, not from a country the platform texts, or your verified number already (`phone`)"),
        (status = 429, description = "A code less than a minute ago (`text_resend`), or the day's texts to you, to the number or for the platform are used up"),
        (status = 503, description = "The text was not sent; retry (`delivery-unavailable`)"),
    )
)]
async fn send_phone_code(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let body: PhoneRequest = parse_json(request)?;
    let phone = PhoneNumber::parse(&body.phone).map_err(|reason| ApiError::field("phone", &reason))?;
    app.send_phone_code(caller.bearer(), phone).await?;
    json(StatusCode::ACCEPTED, &MailAcceptedView { detail: "A code is on its way by text." })
}

/// Verify the phone with the texted code.
#[utoipa::path(
    post,
    path = "/me/phone/verify",
    tag = "accounts",
    security(("bearer" = [])),
    request_body = PhoneCodeRequest,
    responses(
        (status = 200, description = "The number is the caller's verified phone", body = PhoneStatusView),
        (status = 400, description = "Not the code, or none is live (expired, five wrong guesses, never sent): `code`"),
        (status = 409, description = "The account changed meanwhile; retry (`contended`)"),
    )
)]
async fn verify_phone(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(request, &app.tokens)?;
    let body: PhoneCodeRequest = parse_json(request)?;
    let code = PhoneCode::parse(&body.code).map_err(|reason| ApiError::field("code", &reason))?;
    let member = app.verify_phone(caller.bearer(), &code).await?;
    let phone = member.phone.ok_or_else(|| ApiError::internal("verified phone not stored"))?;
    json(StatusCode::OK, &PhoneStatusView { phone, phone_verified: true })
}

/// Ask for a sign-in code by text. The answer is the same, in about the same time, whether
/// or not a member's verified phone is that number; one that is gets the code.
#[utoipa::path(
    post,
    path = "/auth/otp/start",
    tag = "accounts",
    request_body = PhoneRequest,
    responses(
        (status = 202, description = "If the number is a member's verified phone, a code is on its way", body = MailAcceptedView),
        (status = 400, description = "Not an international number, or not from a country the platform texts (`phone`)"),
        (status = 429, description = "The day's codes to the number, or this network's sign-ins for the hour, are used up"),
    )
)]
async fn start_phone_sign_in(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let source = source_address(request)?;
    let body: PhoneRequest = parse_json(request)?;
    let phone = PhoneNumber::parse(&body.phone).map_err(|reason| ApiError::field("phone", &reason))?;
    app.start_phone_sign_in(phone, source).await?;
    json(
        StatusCode::ACCEPTED,
        &MailAcceptedView { detail: "If this number is verified on an account, a code is on its way by text." },
    )
}

/// Sign in with the texted code.
#[utoipa::path(
    post,
    path = "/auth/otp/verify",
    tag = "accounts",
    request_body = PhoneSignInRequest,
    responses(
        (status = 200, description = "Signed in", body = SignedInView),
        (status = 401, description = "Not the code, or no live code for the number (`invalid-credentials`, as for a wrong password)"),
        (status = 403, description = "Account suspended"),
        (status = 429, description = "Too many failed sign-ins from this network"),
    )
)]
async fn finish_phone_sign_in(app: &App, request: &Request) -> Result<HttpResponse, ApiError> {
    let source = source_address(request)?;
    let body: PhoneSignInRequest = parse_json(request)?;
    let mut fields = Fields::default();
    let phone = fields.check("phone", PhoneNumber::parse(&body.phone));
    let code = fields.check("code", PhoneCode::parse(&body.code));
    let (Some(phone), Some(code)) = (phone, code) else { return Err(fields.into_error()) };
    let signed_in = app.finish_phone_sign_in(phone, &code, source).await?;
    json(StatusCode::OK, &SignedInView::from(&signed_in))
}

fn email_token(raw: &str) -> Result<EmailToken, ApiError> {
    EmailToken::parse(raw)
        .map_err(|_| ApiError::field("token", &Invalid::new("is not a link token issued by Peerlearn")))
}

fn presented_token(request: &Request) -> Result<RefreshToken, ApiError> {
    let body: RefreshRequest = parse_json(request)?;
    RefreshToken::parse(&body.refresh_token).map_err(|_| {
        ApiError::Validation(vec![FieldError::message("refresh_token", "is not a refresh token issued by Peerlearn")])
    })
}
