//! The HTTP side of the gateway: route, build the event, call the handler, answer.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::Response;
use http::{HeaderValue, Method, StatusCode, header};
use shared::App;
use shared::auth::google_id_token::testing::TestGoogleKey;
use shared::http::problem;

use crate::clock::{LocalClock, parse_duration};
use crate::event::{HttpCall, http_event};
use crate::handlers::{EventFunction, EventHandler, Function, Handler};
use crate::iam::{self, Locals, Principal};
use crate::template::Template;

/// API Gateway's payload limit.
const MAX_PAYLOAD: usize = 10 * 1024 * 1024;
/// The functions' timeout in template.yaml (Globals.Function.Timeout).
const FUNCTION_TIMEOUT: Duration = Duration::from_secs(10);

/// The gateway and template disagree about which functions exist.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// Template functions with no handler linked, and handlers with no template entry.
    #[error("template and handlers disagree: no handler for {missing:?}; not in template.yaml: {unlisted:?}")]
    Mismatch {
        /// In the template, not linked.
        missing: Vec<String>,
        /// Linked, not in the template.
        unlisted: Vec<String>,
    },
    /// A function's policies cannot be checked locally.
    #[error(transparent)]
    Iam(#[from] crate::iam::IamError),
}

/// A running gateway's state.
pub struct Gateway {
    app: App,
    template: Template,
    handlers: HashMap<&'static str, Handler>,
    events: HashMap<&'static str, EventHandler>,
    openapi: String,
    allowed_origins: Vec<String>,
    hub: crate::connections::Hub,
    /// The movable clock behind `/_local/clock`, when the app runs on one.
    clock: Option<Arc<LocalClock>>,
    /// When each schedule was last due, by the app's clock.
    schedule_marks: Mutex<HashMap<String, chrono::DateTime<chrono::Utc>>>,
    /// Each function's identity for the local IAM check, by binary name.
    principals: HashMap<String, Arc<Principal>>,
    /// The local stand-in for Google's Sign-In: the key `/_local/google/certs` publishes and
    /// `/_local/google/id-token` signs with, and the client id tokens are for.
    google: Option<(Arc<TestGoogleKey>, String)>,
    /// What each invocation would be billed (on with `PEERLEARN_METER=1`; `/_local/metrics`).
    meter: crate::metering::Meter,
}

impl Gateway {
    /// Checks that every template function has a handler and the other way round, and
    /// resolves every function's policy against what `app` talks to.
    pub fn new(
        app: App,
        template: Template,
        functions: &[Function],
        events: &[EventFunction],
    ) -> Result<Self, GatewayError> {
        let linked: Vec<String> =
            functions.iter().map(|f| f.name).chain(events.iter().map(|f| f.name)).map(str::to_owned).collect();
        let missing: Vec<String> = template.functions.iter().filter(|f| !linked.contains(f)).cloned().collect();
        let unlisted: Vec<String> = linked.iter().filter(|f| !template.functions.contains(*f)).cloned().collect();
        if !missing.is_empty() || !unlisted.is_empty() {
            return Err(GatewayError::Mismatch { missing, unlisted });
        }
        let principals = Principal::all(&template, &Locals::of_app(&app, &template))?;
        let openapi = crate::openapi::document(functions).to_pretty_json().unwrap_or_else(|_| "{}".into());
        // Schedules are due from now on, by the app's clock.
        let started = app.clock.now();
        let schedule_marks = template.schedules.iter().map(|s| (s.name.clone(), started)).collect();
        Ok(Self {
            principals,
            app,
            allowed_origins: template.allowed_origins.clone(),
            template,
            handlers: functions.iter().map(|f| (f.name, f.handler)).collect(),
            events: events.iter().map(|f| (f.name, f.handler)).collect(),
            openapi,
            hub: crate::connections::Hub::default(),
            clock: None,
            schedule_marks: Mutex::new(schedule_marks),
            google: None,
            meter: crate::metering::Meter::new(false),
        })
    }

    /// Meters every invocation: capacity units and billed milliseconds, read at
    /// `/_local/metrics` (see [`crate::metering`]).
    pub fn with_metering(mut self) -> Self {
        self.meter = crate::metering::Meter::new(true);
        self
    }

    /// Publishes `key` at `/_local/google/certs` and signs ID tokens for `client_id` with it
    /// at `/_local/google/id-token`: Sign in with Google, offline, with real RS256 tokens.
    pub fn with_google(mut self, key: TestGoogleKey, client_id: &str) -> Self {
        self.google = Some((Arc::new(key), client_id.to_owned()));
        self
    }

    /// Serves `/_local/clock` over `clock`, which must be the clock the app runs on.
    pub fn with_clock(mut self, clock: Arc<LocalClock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Replaces the CORS origins read from the template (e.g. from `ALLOWED_ORIGINS`).
    pub fn with_allowed_origins(mut self, origins: Vec<String>) -> Self {
        self.allowed_origins = origins;
        self
    }

    /// The template the gateway serves.
    pub fn template(&self) -> &Template {
        &self.template
    }

    /// An axum router that sends every request through [`dispatch`] (HTTP API only).
    pub fn router(self) -> axum::Router {
        Self::http_router(&Arc::new(self))
    }

    /// The HTTP API's router.
    pub fn http_router(gateway: &Arc<Self>) -> axum::Router {
        axum::Router::new().fallback(dispatch).with_state(Arc::clone(gateway))
    }

    /// Fires every `rate(...)` schedule on its timer and every `cron(...)` schedule in
    /// the minutes it names, as EventBridge would, by the app's clock: moving the clock
    /// fires what fell due (each schedule once, however many times it was due).
    pub fn spawn_schedules(gateway: &Arc<Self>) {
        let gateway = Arc::clone(gateway);
        tokio::spawn(async move {
            // Checked thrice a minute; a schedule due in between fires at the next check.
            let mut ticks = tokio::time::interval(Duration::from_secs(20));
            loop {
                ticks.tick().await;
                gateway.run_due_schedules().await;
            }
        });
    }

    /// Fires every schedule that fell due since the last check; returns their names.
    pub async fn run_due_schedules(&self) -> Vec<String> {
        let now = self.app.clock.now();
        let due: Vec<String> = {
            let mut marks = self.schedule_marks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            self.template
                .schedules
                .iter()
                .filter(|schedule| {
                    let Some(mark) = marks.insert(schedule.name.clone(), now) else { return false };
                    match schedule.period() {
                        Some(period) => {
                            let since = (now - mark).to_std().unwrap_or_default();
                            // A rate keeps its own cadence: not yet due leaves its mark.
                            if since < period {
                                marks.insert(schedule.name.clone(), mark);
                                return false;
                            }
                            true
                        }
                        None => schedule.fires_between(mark, now),
                    }
                })
                .map(|schedule| schedule.name.clone())
                .collect()
        };
        for name in &due {
            match self.fire(name).await {
                Ok(result) => tracing::info!(schedule = %name, %result, "schedule fired"),
                Err(error) => tracing::error!(schedule = %name, %error, "schedule failed"),
            }
        }
        due
    }

    /// Feeds the table's stream into the functions subscribed to it, as the event source
    /// mappings would.
    pub fn spawn_stream_poller(gateway: &Arc<Self>, poller: crate::stream::StreamPoller) {
        let subscriptions = gateway.template.streams.clone();
        let gateway = Arc::clone(gateway);
        tokio::spawn(async move {
            let invoke = |function: String, event: serde_json::Value| {
                let gateway = Arc::clone(&gateway);
                async move { gateway.invoke_event(&function, event).await }
            };
            poller.run(subscriptions, invoke).await;
        });
    }

    /// The open WebSocket connections.
    pub fn hub(&self) -> &crate::connections::Hub {
        &self.hub
    }

    /// The stage the APIs are deployed as (template parameter `Stage`).
    pub fn stage(&self) -> &str {
        &self.template.stage
    }

    /// The function behind WebSocket route `key`, if the template declares the route.
    pub fn websocket_function(&self, key: &str) -> Option<String> {
        self.websocket_route(key).map(|(function, _)| function)
    }

    /// The function behind WebSocket route `key`, and whether the route answers the caller.
    pub fn websocket_route(&self, key: &str) -> Option<(String, bool)> {
        self.template.websocket_routes.iter().find(|r| r.key == key).map(|r| (r.function.clone(), r.replies))
    }

    /// Invokes event-driven `function` with `event`, under the functions' timeout and as
    /// that function for IAM.
    pub async fn invoke_event(&self, function: &str, event: serde_json::Value) -> Result<serde_json::Value, String> {
        let handler = self.events.get(function).ok_or_else(|| format!("function {function} not linked"))?;
        let principal = self.principal(function)?;
        let action = crate::metering::event_action(&event);
        let invocation = iam::as_function(principal, handler(&self.app, event));
        tokio::time::timeout(FUNCTION_TIMEOUT, self.meter.run(function, &action, invocation))
            .await
            .map_err(|_| format!("{function} timed out"))?
    }

    /// `function`'s identity for the local IAM check.
    pub fn principal(&self, function: &str) -> Result<Arc<Principal>, String> {
        self.principals.get(function).cloned().ok_or_else(|| format!("function {function} has no IAM principal"))
    }

    /// Invokes the function behind schedule `name` (the template event name or the
    /// function's name) with a genuine EventBridge scheduled event.
    pub async fn fire(&self, name: &str) -> Result<serde_json::Value, String> {
        let schedule = self
            .template
            .schedules
            .iter()
            .find(|s| s.name == name || s.function == name)
            .ok_or_else(|| format!("no schedule named {name}"))?;
        let function = schedule.function.clone();
        if let Some(input) = &schedule.input {
            // A schedule with Input hands the function that JSON instead of the event.
            return self.invoke_event(&function, input.clone()).await;
        }
        let event = serde_json::json!({
            "version": "0",
            "id": ulid::Ulid::new().to_string(),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "000000000000",
            "time": self.app.clock.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "region": "us-east-1",
            "resources": [format!("arn:aws:events:us-east-1:000000000000:rule/{}", schedule.name)],
            "detail": {}
        });
        self.invoke_event(&function, event).await
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|allowed| allowed == "*" || allowed == origin)
    }
}

async fn dispatch(State(gateway): State<Arc<Gateway>>, request: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    // Present when served with connect info (the binary); absent in router-only tests.
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().copied();
    let origin = parts.headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()).map(str::to_owned);
    let allowed_origin = origin.filter(|o| gateway.origin_allowed(o));
    let path = parts.uri.path().to_owned();

    let mut response = if parts.method == Method::OPTIONS
        && parts.headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        preflight(allowed_origin.is_some())
    } else if let Some(name) = path.strip_prefix("/_local/schedules/").filter(|_| parts.method == Method::POST) {
        match gateway.fire(name).await {
            Ok(result) => {
                let mut response = Response::new(Body::from(result.to_string()));
                response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
                response
            }
            Err(error) => to_axum(problem(StatusCode::NOT_FOUND, error, Vec::new(), &[])),
        }
    } else if parts.method == Method::GET && path == "/_local/iam" {
        // What the local IAM check saw in this process: counts and the latest denials.
        let counts = iam::counts();
        let denials: Vec<_> = iam::denials()
                .into_iter()
                .map(|d| serde_json::json!({"function": d.function, "action": d.action, "resource": d.resource, "message": d.message}))
                .collect();
        let body = serde_json::json!({"checked": counts.checked, "denied": counts.denied, "denials": denials});
        let mut response = Response::new(Body::from(body.to_string()));
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    } else if path == "/_local/metrics" && matches!(parts.method, Method::GET | Method::DELETE) {
        // What the metered invocations would be billed, by function and action.
        if parts.method == Method::DELETE {
            gateway.meter.reset();
        }
        let body = serde_json::json!({"metering": gateway.meter.enabled(), "functions": gateway.meter.rows()});
        let mut response = Response::new(Body::from(body.to_string()));
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    } else if path.starts_with("/_local/google/") {
        let bytes = axum::body::to_bytes(body, MAX_PAYLOAD).await.unwrap_or_default();
        local_google(&gateway, &parts.method, &path, &bytes)
    } else if path == "/_local/clock" {
        let bytes = axum::body::to_bytes(body, MAX_PAYLOAD).await.unwrap_or_default();
        local_clock(&gateway, &parts.method, &bytes).await
    } else if parts.method == Method::GET && path == "/openapi.json" {
        let mut response = Response::new(Body::from(gateway.openapi.clone()));
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    } else {
        match axum::body::to_bytes(body, MAX_PAYLOAD).await {
            Err(_) => {
                to_axum(problem(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large.".into(), Vec::new(), &[]))
            }
            Ok(bytes) => {
                let source_ip =
                    peer.map(|ConnectInfo(addr)| addr.ip().to_string()).unwrap_or_else(|| "127.0.0.1".into());
                let call = HttpCall {
                    method: parts.method.as_str(),
                    path: &path,
                    query: parts.uri.query().unwrap_or(""),
                    headers: &parts.headers,
                    body: &bytes,
                    source_ip: &source_ip,
                };
                invoke(&gateway, &call).await
            }
        }
    };
    if let Some(origin) = allowed_origin.and_then(|o| HeaderValue::from_str(&o).ok()) {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::VARY, HeaderValue::from_static("origin"));
    }
    // API Gateway's access log, locally; the function's own `request` line is the one per request.
    tracing::info!(method = %parts.method, %path, status = response.status().as_u16(), ms = started.elapsed().as_millis() as u64, "access");
    response
}

async fn invoke(gateway: &Gateway, call: &HttpCall<'_>) -> Response {
    let Some((route, params)) = gateway.template.route(call.method, call.path) else {
        return to_axum(problem(
            StatusCode::NOT_FOUND,
            format!("No route for {} {}.", call.method, call.path),
            Vec::new(),
            &[],
        ));
    };
    let Some(handler) = gateway.handlers.get(route.function.as_str()) else {
        return to_axum(problem(StatusCode::BAD_GATEWAY, "Function not linked.".into(), Vec::new(), &[]));
    };
    let request_id = ulid::Ulid::new().to_string();
    let event = http_event(call, &route.key(), &params, &request_id, gateway.app.clock.now());
    let request = match lambda_http::request::from_str(&event.to_string()) {
        Ok(request) => request,
        Err(error) => {
            tracing::error!(%error, "event rejected by lambda_http");
            return to_axum(problem(StatusCode::BAD_GATEWAY, "Event could not be built.".into(), Vec::new(), &[]));
        }
    };
    let principal = match gateway.principal(&route.function) {
        Ok(principal) => principal,
        Err(error) => return to_axum(problem(StatusCode::BAD_GATEWAY, error, Vec::new(), &[])),
    };
    let invocation = iam::as_function(principal, handler(&gateway.app, request));
    let action = route.key();
    let metered = gateway.meter.run(&route.function, &action, invocation);
    match tokio::time::timeout(FUNCTION_TIMEOUT, metered).await {
        Ok(response) => {
            let mut response = to_axum(response);
            if let Ok(id) = HeaderValue::from_str(&request_id) {
                response.headers_mut().insert("apigw-requestid", id);
            }
            response
        }
        Err(_) => to_axum(problem(StatusCode::GATEWAY_TIMEOUT, "The function timed out.".into(), Vec::new(), &[])),
    }
}

/// `/_local/google/certs` (GET): the JWKS the app's Google sign-in reads, as Google
/// publishes its keys. `/_local/google/id-token` (POST `{"sub", "email", "name"?}`): an ID
/// token for that Google account, signed as Google signs them, stamped with the app's clock.
fn local_google(gateway: &Gateway, method: &Method, path: &str, body: &[u8]) -> Response {
    let Some((key, client_id)) = &gateway.google else {
        return to_axum(problem(
            StatusCode::NOT_FOUND,
            "This gateway stands in for no Google.".into(),
            Vec::new(),
            &[],
        ));
    };
    let json = |value: serde_json::Value, cache: Option<&'static str>| {
        let mut response = Response::new(Body::from(value.to_string()));
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(cache) = cache {
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        }
        response
    };
    match (method, path) {
        (&Method::GET, "/_local/google/certs") => json(TestGoogleKey::jwks(&[key]), Some("public, max-age=3600")),
        (&Method::POST, "/_local/google/id-token") => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Account {
                sub: String,
                email: String,
                name: Option<String>,
            }
            let Ok(account) = serde_json::from_slice::<Account>(body) else {
                let errors = vec![shared::http::FieldError::message("body", r#"give {"sub": "...", "email": "..."}"#)];
                return to_axum(problem(
                    StatusCode::BAD_REQUEST,
                    "The request has invalid fields.".into(),
                    errors,
                    &[],
                ));
            };
            let now = gateway.app.clock.now().timestamp();
            let claims = serde_json::json!({
                "iss": "https://accounts.google.com", "aud": client_id, "azp": client_id, "sub": account.sub,
                "email": account.email, "email_verified": true, "name": account.name,
                "iat": now, "exp": now + 3600,
            });
            match key.sign(&claims) {
                Some(token) => json(serde_json::json!({"id_token": token}), None),
                None => to_axum(problem(StatusCode::INTERNAL_SERVER_ERROR, "Signing failed.".into(), Vec::new(), &[])),
            }
        }
        _ => to_axum(problem(StatusCode::NOT_FOUND, "No such local Google endpoint.".into(), Vec::new(), &[])),
    }
}

/// `/_local/clock`: GET reads it; POST `{"advance": "PT32H"}` or `{"set": "<RFC 3339>"}`
/// moves it and fires the schedules that fell due; DELETE returns to real time.
async fn local_clock(gateway: &Gateway, method: &Method, body: &[u8]) -> Response {
    let Some(clock) = &gateway.clock else {
        return to_axum(problem(StatusCode::NOT_FOUND, "This gateway runs on a fixed clock.".into(), Vec::new(), &[]));
    };
    let invalid = |message: &str| {
        let errors = vec![shared::http::FieldError::message("body", message)];
        to_axum(problem(StatusCode::BAD_REQUEST, "The request has invalid fields.".into(), errors, &[]))
    };
    let mut fired = Vec::new();
    match *method {
        Method::GET => {}
        Method::DELETE => clock.reset(),
        Method::POST => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Move {
                advance: Option<String>,
                set: Option<chrono::DateTime<chrono::Utc>>,
            }
            match serde_json::from_slice::<Move>(body) {
                Ok(Move { advance: Some(by), set: None }) => match parse_duration(&by) {
                    Some(by) => clock.advance(by),
                    None => return invalid("advance: an ISO 8601 duration of days and time, e.g. PT32H or P7D"),
                },
                Ok(Move { advance: None, set: Some(instant) }) => clock.set(instant),
                _ => return invalid(r#"give {"advance": "PT32H"} or {"set": "2026-03-04T09:00:00Z"}"#),
            }
            fired = gateway.run_due_schedules().await;
        }
        _ => return to_axum(problem(StatusCode::METHOD_NOT_ALLOWED, "GET, POST or DELETE.".into(), Vec::new(), &[])),
    }
    let reading = clock.reading();
    let body = serde_json::json!({"now": reading.now, "real_time": reading.real_time, "fired": fired});
    let mut response = Response::new(Body::from(body.to_string()));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// What API Gateway answers to a CORS preflight, with template.yaml's CorsConfiguration.
fn preflight(allowed: bool) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    if allowed {
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET,POST,PATCH,PUT,DELETE,OPTIONS"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization,content-type,idempotency-key"),
        );
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    }
    response
}

fn to_axum(response: shared::http::HttpResponse) -> Response {
    let (parts, body) = response.into_parts();
    let bytes: Vec<u8> = match body {
        lambda_http::Body::Empty => Vec::new(),
        lambda_http::Body::Text(text) => text.into_bytes(),
        lambda_http::Body::Binary(bytes) => bytes,
        _ => Vec::new(),
    };
    Response::from_parts(parts, Body::from(bytes))
}
