//! Test support: a fresh table per test in the DynamoDB Local that `make test` starts,
//! handlers invoked with genuine API Gateway v2 events, and the dev gateway over HTTP.

#![allow(clippy::unwrap_used)]

pub mod realtime;
pub mod stripe;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use dev_gateway::event::{HttpCall, http_event};
use dev_gateway::iam::{self, Locals, Principal};
use dev_gateway::{Gateway, Template, handlers, local, table};
use http::HeaderMap;
use serde_json::Value;
use shared::App;
use shared::domain::{MentorStats, UserId, VerificationStatus};
use shared::ports::Clock;
use shared::startup::{self, Clients};

pub use dev_gateway::clock::LocalClock as TestClock;

/// The repository's template.yaml.
pub fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../template.yaml");
        Template::load(&path).unwrap()
    })
}

/// The DynamoDB Local endpoint started by `make test` (infra/stack.sh).
pub fn endpoint() -> String {
    std::env::var("DYNAMODB_ENDPOINT")
        .expect("DYNAMODB_ENDPOINT is not set: run the tests with `make test`, which starts DynamoDB Local")
}

/// Where a test's clock starts unless the test names its own instant: a Wednesday in
/// mid-June, mid-morning UTC, days away from any week, month or DST boundary, so that
/// moving it by a day or two lands in the same week and month. Tests never start from
/// the wall clock: the suite must pass on any date.
pub const STARTS_AT: &str = "2026-06-10T09:00:00Z";

/// An RFC 3339 instant.
pub fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{text}: {e}")).with_timezone(&Utc)
}

/// A clock that starts at `start` (RFC 3339), runs, and can be moved.
pub fn clock_at(start: &str) -> Arc<TestClock> {
    Arc::new(TestClock::starting_at(instant(start)))
}

/// A new, empty table created from template.yaml; its name.
pub async fn fresh_table() -> (aws_sdk_dynamodb::Client, String) {
    let client = local::dynamo_client(&endpoint());
    let name = format!("test-{}", ulid::Ulid::new());
    table::ensure_table(&client, template(), &name).await.unwrap();
    (client, name)
}

/// An application over a fresh table, living for the rest of the test process, on a
/// clock starting at [`STARTS_AT`].
pub async fn app() -> &'static App {
    app_with_clock(clock_at(STARTS_AT)).await
}

/// As [`app`], with the given clock.
pub async fn app_with_clock(clock: Arc<dyn Clock>) -> &'static App {
    let (client, name) = fresh_table().await;
    let config = local::config(&name, &endpoint()).unwrap();
    let clients = with_stripe(with_mail(with_bucket(Clients::new(client)).await).await, &config);
    Box::leak(Box::new(startup::build(&config, clients, clock)))
}

/// `clients` with Stripe at the local stand-in, when the stack runs one (`make test` does),
/// under the shared local key and webhook secret (tests/support/stripe.rs gives a test an
/// account of its own).
pub fn with_stripe(clients: Clients, config: &shared::config::Config) -> Clients {
    match local::stripe(config).unwrap() {
        Some(stripe) => clients.with_payments(stripe),
        None => clients,
    }
}

/// `clients` with a fresh uploads bucket in moto, when the stack runs one (`make test` does).
pub async fn with_bucket(clients: Clients) -> Clients {
    match std::env::var("MOTO_ENDPOINT").ok().filter(|v| !v.is_empty()) {
        Some(moto) => {
            let name = format!("test-{}", ulid::Ulid::new().to_string().to_lowercase());
            local::with_uploads(clients, &moto, &name).await.unwrap()
        }
        None => clients,
    }
}

/// `clients` with mail through moto's SES and texts through its SNS, when the stack runs
/// moto (`make test` does).
pub async fn with_mail(clients: Clients) -> Clients {
    match std::env::var("MOTO_ENDPOINT").ok().filter(|v| !v.is_empty()) {
        Some(moto) => clients.with_mail(local::mailer(&moto).await.unwrap()).with_texts(local::texts(&moto)),
        None => clients,
    }
}

/// The texts moto's SNS took for `phone` (E.164), oldest first.
pub async fn texts_to(phone: &str) -> Vec<String> {
    let moto = realtime::moto_endpoint();
    let data: Value = reqwest::get(format!("{moto}/moto-api/data.json")).await.unwrap().json().await.unwrap();
    let texts = data["sns"]["SMS"].as_array().cloned().unwrap_or_default();
    texts.iter().filter(|t| t["phone_number"] == phone).map(|t| t["message"].as_str().unwrap().to_owned()).collect()
}

/// The code of the newest text to `phone`.
pub async fn texted_code(phone: &str) -> String {
    let texts = texts_to(phone).await;
    let newest = texts.last().unwrap_or_else(|| panic!("no text to {phone}"));
    let code: String = newest.split(" is ").nth(1).unwrap().chars().take(6).collect();
    assert!(code.chars().all(|c| c.is_ascii_digit()), "{newest}");
    code
}

/// The mails moto's SES took for `address`, oldest first: (subject, body).
pub async fn mails_to(address: &str) -> Vec<(String, String)> {
    let moto = realtime::moto_endpoint();
    let data: Value = reqwest::get(format!("{moto}/moto-api/data.json")).await.unwrap().json().await.unwrap();
    let messages = data["ses"]["Message"].as_array().cloned().unwrap_or_default();
    messages
        .iter()
        .filter(|m| m["destinations"]["ToAddresses"].as_array().is_some_and(|to| to.iter().any(|a| a == address)))
        .map(|m| (m["subject"].as_str().unwrap().to_owned(), m["body"].as_str().unwrap().to_owned()))
        .collect()
}

/// The token of the newest link mailed to `address` whose subject is `subject`.
pub async fn mailed_token(address: &str, subject: &str) -> String {
    let mails = mails_to(address).await;
    let (_, body) = mails
        .iter()
        .rev()
        .find(|(s, _)| s == subject)
        .unwrap_or_else(|| panic!("no {subject:?} mail to {address}: {mails:?}"));
    let token = body.split("token=").nth(1).unwrap();
    token.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// Marks a member's address confirmed through the store, for tests about something else
/// (the mailed link itself is tested in tests/accounts.rs).
pub async fn confirm_email(app: &App, id: &str) {
    use shared::ports::AccountStore;
    let id = UserId::parse(id).unwrap();
    let previous = app.store.user(&id).await.unwrap().unwrap();
    let mut next = previous.clone();
    next.email_verified = true;
    next.version += 1;
    app.store.save_user(&next, &previous).await.unwrap();
}

/// As [`app_with_clock`], with `adjust` applied to the app before it is shared (e.g. a
/// session policy other than the default).
pub async fn app_adjusted(clock: Arc<dyn Clock>, adjust: impl FnOnce(&mut App)) -> &'static App {
    let (client, name) = fresh_table().await;
    let config = local::config(&name, &endpoint()).unwrap();
    let clients = with_stripe(with_mail(with_bucket(Clients::new(client)).await).await, &config);
    let mut app = startup::build(&config, clients, clock);
    adjust(&mut app);
    Box::leak(Box::new(app))
}

/// `function`'s IAM identity over what `app` talks to, from template.yaml.
pub fn principal(app: &App, function: &str) -> Arc<Principal> {
    Arc::new(Principal::resolve(template(), function, &Locals::of_app(app, template())).unwrap())
}

/// Runs `future` as `function` runs in AWS: the AWS calls it makes are checked against that
/// function's policy in template.yaml. Setup code outside it is not checked.
pub async fn as_function<F: std::future::Future>(app: &App, function: &str, future: F) -> F::Output {
    iam::as_function(principal(app, function), future).await
}

/// Invokes event-driven `function` (schedule, WebSocket, stream) with `event`, as that function.
pub async fn invoke_event(app: &App, function: &str, event: Value) -> Result<Value, String> {
    let handler = handlers::events().into_iter().find(|f| f.name == function).unwrap().handler;
    as_function(app, function, handler(app, event)).await
}

/// The sample stream event `path` (under events/) with `edit` applied to its first record's change.
pub fn sample_event(path: &str, edit: impl FnOnce(&mut Value)) -> Value {
    let text = std::fs::read_to_string(format!("{}/../events/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut event: Value = serde_json::from_str(&text).unwrap();
    edit(&mut event["Records"][0]["dynamodb"]);
    event
}

/// A handler's answer.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: http::HeaderMap,
    /// Body as JSON (`Null` when empty).
    pub body: Value,
}

impl Reply {
    /// The `field` of every error in a problem document, in order.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| errors.iter().map(|e| e["field"].as_str().unwrap_or("").to_owned()).collect())
            .unwrap_or_default()
    }

    /// The content type.
    pub fn content_type(&self) -> &str {
        self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

/// A request to send through a handler.
pub struct Call<'a> {
    /// Method.
    pub method: &'a str,
    /// Path (matched against template.yaml's routes).
    pub path: &'a str,
    /// Bearer token, if any.
    pub token: Option<&'a str>,
    /// Raw body.
    pub body: Option<String>,
    /// Extra headers.
    pub headers: Vec<(&'static str, String)>,
    /// Raw query string.
    pub query: String,
    /// The caller's address as API Gateway sees it (`requestContext.http.sourceIp`).
    pub source_ip: &'a str,
}

impl<'a> Call<'a> {
    /// A call with no body and no token.
    pub fn new(method: &'a str, path: &'a str) -> Self {
        Self {
            method,
            path,
            token: None,
            body: None,
            headers: Vec::new(),
            query: String::new(),
            source_ip: "127.0.0.1",
        }
    }

    /// As if sent from `ip`.
    pub fn from_ip(mut self, ip: &'a str) -> Self {
        self.source_ip = ip;
        self
    }

    /// With a raw query string (`a=1&b=2`).
    pub fn query(mut self, query: &str) -> Self {
        self.query = query.to_owned();
        self
    }

    /// With a JSON body (and its content type; set `body` alone for an untyped body).
    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(body.to_string());
        self.headers.push(("content-type", "application/json".into()));
        self
    }

    /// With a bearer token.
    pub fn token(mut self, token: &'a str) -> Self {
        self.token = Some(token);
        self
    }

    /// Sends it through the function that template.yaml routes it to, as that function
    /// (its AWS calls are checked against its policy).
    pub async fn send(self, app: &App) -> Reply {
        let (route, params) = template()
            .route(self.method, self.path)
            .unwrap_or_else(|| panic!("no route for {} {}", self.method, self.path));
        let function = handlers::functions().into_iter().find(|f| f.name == route.function).unwrap();
        let mut headers = HeaderMap::new();
        if let Some(token) = self.token {
            headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
        }
        for (name, value) in self.headers {
            headers.insert(name, value.parse().unwrap());
        }
        let body = self.body.unwrap_or_default();
        let call = HttpCall {
            method: self.method,
            path: self.path,
            query: &self.query,
            headers: &headers,
            body: body.as_bytes(),
            source_ip: self.source_ip,
        };
        let event = http_event(&call, &route.key(), &params, "test-request", app.clock.now());
        let request = lambda_http::request::from_str(&event.to_string()).unwrap();
        reply(as_function(app, &route.function, (function.handler)(app, request)).await)
    }
}

/// Reads a handler response.
pub fn reply(response: shared::http::HttpResponse) -> Reply {
    let (parts, body) = response.into_parts();
    let bytes: &[u8] = &body;
    // JSON bodies are parsed; anything else (a calendar file) is kept as text.
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
    };
    Reply { status: parts.status.as_u16(), headers: parts.headers, body }
}

/// Registers a user and returns the session body.
pub async fn register(app: &App, email: &str, roles: &str) -> Value {
    let reply = Call::new("POST", "/auth/register")
        .json(serde_json::json!({"email": email, "password": "correct horse battery", "name": "Test User", "roles": roles}))
        .send(app)
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body
}

/// A registered member: access token and id.
#[derive(Clone)]
pub struct Member {
    /// Access token.
    pub token: String,
    /// User id.
    pub id: String,
}

impl Member {
    /// The same member with a fresh access token, as a client refreshes it after the
    /// clock moved past the old one's 15 minutes.
    pub fn renewed(&self, app: &App) -> Member {
        Member { token: renew(app, &self.token), id: self.id.clone() }
    }
}

/// A fresh access token for the member and roles of `token` (which may have expired), as
/// of the app's clock: what a client gets from POST /auth/refresh.
pub fn renew(app: &App, token: &str) -> String {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap();
    let claims: shared::auth::AccessClaims = serde_json::from_slice(&bytes).unwrap();
    app.tokens.issue(&claims.sub, claims.roles, app.clock.now()).unwrap()
}

/// Registers a member (roles `learner`, `mentor` or `both`).
pub async fn member(app: &App, email: &str, roles: &str) -> Member {
    let body = register(app, email, roles).await;
    Member {
        token: body["access_token"].as_str().unwrap().to_owned(),
        id: body["user"]["id"].as_str().unwrap().to_owned(),
    }
}

/// Availability around the clock, every day of the week.
pub fn all_week() -> Value {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| serde_json::json!({"day": d, "start": "00:00", "end": "24:00"}))
        .collect()
}

/// A verified mentor (3 reviews averaging 4.5) who teaches rust at level 5 and is free all
/// week in `timezone`.
pub async fn available_mentor(app: &App, email: &str, timezone: &str) -> Member {
    let mentor = member(app, email, "mentor").await;
    let profile =
        serde_json::json!({"timezone": timezone, "availability": all_week(), "skills": [{"name": "rust", "level": 5}]});
    let saved = Call::new("PATCH", "/me").token(&mentor.token).json(profile).send(app).await;
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    verify_mentor(app, &mentor.id, reviews(3, 4.5)).await;
    mentor
}

/// How many notifications of `kind` the table holds. Tests only: a request never scans.
pub async fn notification_count(app: &App, kind: &str) -> usize {
    let output = app.store.client().scan().table_name(app.store.table()).send().await.unwrap();
    output
        .items()
        .iter()
        .filter(|i| i.get("entity").and_then(|e| e.as_s().ok()).map(String::as_str) == Some("Notification"))
        .filter(|i| i.get("kind").and_then(|k| k.as_s().ok()).map(String::as_str) == Some(kind))
        .count()
}

/// Counts the items in `app`'s table. Tests only: a request never scans.
pub async fn item_count(app: &App) -> usize {
    let output = app.store.client().scan().table_name(app.store.table()).send().await.unwrap();
    output.items().len()
}

/// Starts the dev gateway on a free port over a fresh table; returns its base URL.
pub async fn gateway() -> String {
    gateway_and_app().await.1
}

/// The dev gateway over a fresh table, and an app over the same table for setting up
/// state the API does not expose yet (verification). Each has its own signing key, so
/// use tokens from the gateway with the gateway.
pub async fn gateway_and_app() -> (&'static App, String) {
    gateway_with_clock(clock_at(STARTS_AT)).await
}

/// As [`gateway_and_app`], with both apps on `clock` (which `/_local/clock` moves).
pub async fn gateway_with_clock(clock: Arc<TestClock>) -> (&'static App, String) {
    gateway_with_template(template().clone(), clock).await
}

/// As [`gateway_with_clock`], serving `template` (e.g. with a permission taken away).
pub async fn gateway_with_template(template: Template, clock: Arc<TestClock>) -> (&'static App, String) {
    let (client, name) = fresh_table().await;
    let config = local::config(&name, &endpoint()).unwrap();
    let app = startup::build(&config, Clients::new(client.clone()), clock.clone());
    let gateway =
        Gateway::new(app, template, &handlers::functions(), &handlers::events()).unwrap().with_clock(clock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = gateway.router().into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let setup: &'static App = Box::leak(Box::new(startup::build(&config, Clients::new(client), clock)));
    (setup, format!("http://{address}"))
}

/// Marks a member as a verified mentor with the given track record, through the store
/// (admin verification arrives with its own capability).
pub async fn verify_mentor(app: &App, id: &str, stats: MentorStats) {
    use shared::ports::AccountStore;
    let id = UserId::parse(id).unwrap();
    let previous = app.store.user(&id).await.unwrap().unwrap();
    let mut next = previous.clone();
    next.verification = VerificationStatus::Verified;
    next.mentor = stats;
    next.version += 1;
    app.store.save_user(&next, &previous).await.unwrap();
}

/// Gives a mentor a payout account Stripe has enabled, through the store (onboarding itself
/// is tested in tests/payments.rs), so they may ask a price.
pub async fn enable_payouts(app: &App, id: &str) {
    use shared::domain::payments::{PayoutAccountId, Payouts};
    use shared::ports::PaymentStore;
    let id = UserId::parse(id).unwrap();
    let account = PayoutAccountId::parse(&format!("acct_{}", ulid::Ulid::new())).unwrap();
    let enabled = Payouts::opened(account).updated(true, true, app.clock.now()).unwrap();
    app.store.open_payouts(&id, &enabled).await.unwrap();
}

/// Track record with `count` reviews averaging `average`.
pub fn reviews(count: u32, average: f64) -> MentorStats {
    MentorStats { rating_sum: (average * f64::from(count)).round() as u32, rating_count: count, ..Default::default() }
}

/// A buffer that log and metric lines are written to, shared by clones: what the logging
/// and telemetry tests capture and then read.
#[derive(Clone, Default)]
pub struct CapturedLines(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLines {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLines {
    /// Appends `line` and a line break (a metric sink's line).
    pub fn push_line(&self, line: &str) {
        let mut buffer = self.0.lock().unwrap();
        buffer.extend_from_slice(line.as_bytes());
        buffer.push(b'\n');
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// Every line written so far, each parsed as JSON.
    pub fn json(&self) -> Vec<Value> {
        self.text().lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect()
    }
}

/// Registers a member (a learner) and makes them an admin through the store, as the
/// operator's bootstrap does; the token carries the admin role.
pub async fn admin(app: &App, email: &str) -> Member {
    use shared::domain::Role;
    use shared::ports::AccountStore;
    let member = member(app, email, "learner").await;
    let id = UserId::parse(&member.id).unwrap();
    let previous = app.store.user(&id).await.unwrap().unwrap();
    let mut next = previous.clone();
    next.roles = next.roles.with(Role::Admin);
    next.version += 1;
    app.store.save_user(&next, &previous).await.unwrap();
    let token = app.tokens.issue(&id, next.roles, app.clock.now()).unwrap();
    Member { token, id: member.id }
}
