//! The Lambda bootstrap every function binary shares, and the per-invocation wrapper
//! ([`handle`]) that the dev gateway runs too, so both log, time and label requests alike.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use http::HeaderValue;
use lambda_http::request::{LambdaRequest, RequestContext};
use lambda_http::{Body, Error, LambdaEvent, Request, RequestExt as _};
use tracing::Instrument as _;

use crate::config::Keys;
use crate::http::HttpResponse;
use crate::observability::metrics;
use crate::observability::scope::{self, Invocation, State};
use crate::startup::{self, App};

/// The response header carrying the request id, which problem documents repeat as
/// `request_id`: what a client quotes when reporting a failure.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Set once the process has served its first invocation: the first one is the cold start.
static WARM: AtomicBool = AtomicBool::new(false);

/// Builds the application once per cold start, holding only `keys`, then serves `handler`
/// on the Lambda runtime through [`handle`].
///
/// A Lambda process handles one request at a time, so a current-thread runtime is
/// enough and starts faster than a pool of workers. One blocking thread runs argon2:
/// its 19 MiB buffer is then reused from one malloc arena instead of one per thread.
pub fn serve<F, Fut>(keys: Keys, handler: F) -> Result<(), Error>
where
    F: Fn(&'static App, Request) -> Fut + Sync,
    Fut: Future<Output = HttpResponse> + Send,
{
    serve_built(keys, startup::from_env, handler)
}

/// As [`serve`], for the functions that call Stripe or hear from it: only these link the
/// Stripe client (the wiring is chosen at compile time, so the other binaries stay small).
pub fn serve_paying<F, Fut>(keys: Keys, handler: F) -> Result<(), Error>
where
    F: Fn(&'static App, Request) -> Fut + Sync,
    Fut: Future<Output = HttpResponse> + Send,
{
    serve_built(keys, startup::from_env_paying, handler)
}

/// As [`serve`], for the function that checks, moves and deletes uploaded files: only it
/// links the bucket's requests.
pub fn serve_with_files<F, Fut>(keys: Keys, handler: F) -> Result<(), Error>
where
    F: Fn(&'static App, Request) -> Fut + Sync,
    Fut: Future<Output = HttpResponse> + Send,
{
    serve_built(keys, startup::from_env_with_files, handler)
}

/// As [`serve`], for the functions that hand out links to files (signed here, no request).
pub fn serve_with_links<F, Fut>(keys: Keys, handler: F) -> Result<(), Error>
where
    F: Fn(&'static App, Request) -> Fut + Sync,
    Fut: Future<Output = HttpResponse> + Send,
{
    serve_built(keys, startup::from_env_with_links, handler)
}

/// As [`serve`], for the functions that reach members live (frames to open connections):
/// only these link the `@connections` client.
pub fn serve_pushing<F, Fut>(keys: Keys, handler: F) -> Result<(), Error>
where
    F: Fn(&'static App, Request) -> Fut + Sync,
    Fut: Future<Output = HttpResponse> + Send,
{
    serve_built(keys, startup::from_env_pushing, handler)
}

/// As [`serve`], for the functions that mail members (confirmation and reset links): only
/// these link the SES client.
pub fn serve_mailing<F, Fut>(keys: Keys, handler: F) -> Result<(), Error>
where
    F: Fn(&'static App, Request) -> Fut + Sync,
    Fut: Future<Output = HttpResponse> + Send,
{
    serve_built(keys, startup::from_env_mailing, handler)
}

fn serve_built<B, BFut, F, Fut>(keys: Keys, build: B, handler: F) -> Result<(), Error>
where
    B: FnOnce(Keys) -> BFut,
    BFut: Future<Output = Result<App, startup::StartupError>>,
    F: Fn(&'static App, Request) -> Fut + Sync,
    Fut: Future<Output = HttpResponse> + Send,
{
    let handler = &handler;
    start(keys, build, |app, function| {
        lambda_runtime::run(lambda_runtime::service_fn(move |event: LambdaEvent<ApiGatewayV2httpRequest>| async move {
            let LambdaEvent { payload, context } = event;
            let request = Request::from(LambdaRequest::ApiGatewayV2(payload)).with_lambda_context(context);
            // Boxed, as lambda_http's adapter boxes it: the handler's future nested inline in
            // the runtime's is deeper than rustc lays out by default.
            let response = Box::pin(handle(app, function, request, handler)).await;
            Ok::<_, Error>(http_api_response(response))
        }))
    })
}

/// `response` as the HTTP API (payload format 2.0) takes it: `Set-Cookie` headers in
/// `cookies`, the others as they are, a text body as it is (none as an empty one) and
/// bytes in base64.
///
/// lambda_http's own adapter does the same after reading every body again and decoding
/// it through encoding_rs by the charset its content type names: a copy of each body, and
/// the encoding tables in every binary (about 150 kB). Every body here is already UTF-8.
fn http_api_response(response: HttpResponse) -> ApiGatewayV2httpResponse {
    let (mut parts, body) = response.into_parts();
    let cookies = parts
        .headers
        .get_all(http::header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap_or_default().to_owned())
        .collect();
    parts.headers.remove(http::header::SET_COOKIE);
    let (is_base64_encoded, body) = match body {
        Body::Binary(bytes) => (true, Body::Binary(bytes)),
        Body::Text(text) => (false, Body::Text(text)),
        // As lambda_http sends it: an empty text.
        _ => (false, Body::Text(String::new())),
    };
    let mut out = ApiGatewayV2httpResponse::default();
    out.status_code = i64::from(parts.status.as_u16());
    out.headers = parts.headers;
    out.cookies = cookies;
    out.body = Some(body);
    out.is_base64_encoded = is_base64_encoded;
    out
}

/// As [`serve`], for functions fed by events rather than HTTP (schedules, streams,
/// WebSocket routes), each invocation through [`handle_event`] with the Lambda request id.
pub fn serve_events<E, R, F, Fut>(keys: Keys, handler: F) -> Result<(), Error>
where
    E: serde::de::DeserializeOwned + Send + 'static,
    R: serde::Serialize + Send + 'static,
    F: Fn(&'static App, E) -> Fut + Sync,
    Fut: Future<Output = Result<R, Error>> + Send,
{
    serve_events_built(keys, startup::from_env, handler)
}

/// As [`serve_events`], with the clients that reach members live (see [`serve_pushing`]):
/// the `@connections` endpoint and the notifications topic, where configured.
pub fn serve_pushing_events<E, R, F, Fut>(keys: Keys, handler: F) -> Result<(), Error>
where
    E: serde::de::DeserializeOwned + Send + 'static,
    R: serde::Serialize + Send + 'static,
    F: Fn(&'static App, E) -> Fut + Sync,
    Fut: Future<Output = Result<R, Error>> + Send,
{
    serve_events_built(keys, startup::from_env_pushing, handler)
}

/// As [`serve_events`], with the payment provider wired in (see [`serve_paying`]).
pub fn serve_paying_events<E, R, F, Fut>(keys: Keys, handler: F) -> Result<(), Error>
where
    E: serde::de::DeserializeOwned + Send + 'static,
    R: serde::Serialize + Send + 'static,
    F: Fn(&'static App, E) -> Fut + Sync,
    Fut: Future<Output = Result<R, Error>> + Send,
{
    serve_events_built(keys, startup::from_env_paying, handler)
}

fn serve_events_built<B, BFut, E, R, F, Fut>(keys: Keys, build: B, handler: F) -> Result<(), Error>
where
    B: FnOnce(Keys) -> BFut,
    BFut: Future<Output = Result<App, startup::StartupError>>,
    E: serde::de::DeserializeOwned + Send + 'static,
    R: serde::Serialize + Send + 'static,
    F: Fn(&'static App, E) -> Fut + Sync,
    Fut: Future<Output = Result<R, Error>> + Send,
{
    let handler = &handler;
    start(keys, build, |app, function| {
        lambda_runtime::run(lambda_runtime::service_fn(move |event: lambda_runtime::LambdaEvent<E>| async move {
            let lambda_runtime::LambdaEvent { payload, context } = event;
            handle_event(function, context.request_id, context.xray_trace_id, handler(app, payload)).await
        }))
    })
}

/// The cold start both bootstraps share: logging, the runtime, and the App built once
/// (leaked on purpose: it lives as long as the process); then `run` serves invocations of
/// the function until the runtime stops.
fn start<B, BFut, Fut>(keys: Keys, build: B, run: impl FnOnce(&'static App, &'static str) -> Fut) -> Result<(), Error>
where
    B: FnOnce(Keys) -> BFut,
    BFut: Future<Output = Result<App, startup::StartupError>>,
    Fut: Future<Output = Result<(), Error>>,
{
    crate::observability::init();
    let function = function_name();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().max_blocking_threads(1).build()?;
    runtime.block_on(async {
        let app: &'static App = Box::leak(Box::new(build(keys).await?));
        run(app, function).await
    })
}

/// Serves one HTTP request of `function` with `handler`, in Lambda and in the dev gateway:
/// applies the body rule, runs the handler inside the request's scope (request id, caller,
/// trace; every log line within carries the request id), sets [`REQUEST_ID_HEADER`], logs
/// one `request` line (request id, route template, status, latency, cold start, caller id,
/// AWS calls) and emits the route's latency metric.
pub async fn handle<'a, F, Fut>(app: &'a App, function: &'static str, request: Request, handler: F) -> HttpResponse
where
    F: FnOnce(&'a App, Request) -> Fut,
    Fut: Future<Output = HttpResponse>,
{
    let request_id = request_id(&request);
    let route = crate::http::route_key(&request).to_owned();
    let trace = request.lambda_context_ref().and_then(|context| context.xray_trace_id.clone());
    let work = async move {
        // The body rule holds for every route, including those that read no body.
        match crate::http::require_json_type(&request) {
            Ok(()) => handler(app, request).await,
            Err(refused) => refused.into_response(),
        }
    };
    let (mut response, done) = invoke(Invocation::new(request_id.clone(), function, trace), work).await;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    tracing::info!(
        request_id,
        route,
        status = response.status().as_u16(),
        latency_ms = done.latency_ms,
        cold_start = done.cold_start,
        member = done.state.member.as_deref(),
        aws_calls = done.state.aws_calls,
        aws_ms = done.state.aws_ms,
        "request"
    );
    metrics::latency(app.clock.now(), function, &route, done.latency_ms);
    response
}

/// Runs one event invocation of `function` (`work`, the handler's future) in its scope
/// (`request_id`, X-Ray `trace` header) and logs one `invocation` line: request id,
/// function, whether it succeeded, latency, cold start, AWS calls. Lambda and the dev
/// gateway both run event functions through here.
pub async fn handle_event<Fut, R, Er>(
    function: &'static str,
    request_id: String,
    trace: Option<String>,
    work: Fut,
) -> Result<R, Er>
where
    Fut: Future<Output = Result<R, Er>>,
{
    let (result, done) = invoke(Invocation::new(request_id.clone(), function, trace), work).await;
    tracing::info!(
        request_id,
        function,
        ok = result.is_ok(),
        latency_ms = done.latency_ms,
        cold_start = done.cold_start,
        aws_calls = done.state.aws_calls,
        aws_ms = done.state.aws_ms,
        "invocation"
    );
    result
}

/// How an invocation went, for its log line.
struct Done {
    latency_ms: u64,
    cold_start: bool,
    state: State,
}

/// Runs `work` as `invocation`, in a span carrying its request id, timed.
async fn invoke<Fut: Future>(invocation: Invocation, work: Fut) -> (Fut::Output, Done) {
    let cold_start = !WARM.swap(true, Ordering::Relaxed);
    let started = Instant::now();
    let span = tracing::info_span!("invocation", request_id = %invocation.request_id);
    // Boxed: handler futures are large, and unboxed each wrapper layer copies them on the
    // stack (debug builds overflowed a test thread's 2 MiB).
    let (output, state) = scope::within(invocation, Box::pin(work.instrument(span))).await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    (output, Done { latency_ms, cold_start, state })
}

/// The id API Gateway returns to the client (`apigw-requestid`), from the event; the
/// Lambda request id for an event without one.
fn request_id(request: &Request) -> String {
    let from_gateway = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.request_id.clone(),
        _ => None,
    };
    from_gateway.or_else(|| request.lambda_context_ref().map(|context| context.request_id.clone())).unwrap_or_default()
}

/// The function's name as Lambda knows it (a metric dimension), read once at cold start.
fn function_name() -> &'static str {
    let name = std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_else(|_| "local".to_owned());
    Box::leak(name.into_boxed_str())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
    use lambda_http::request::LambdaRequest;
    use lambda_http::{Adapter, Body, Context, LambdaEvent, Service as _, service_fn};

    use super::http_api_response;
    use crate::http::HttpResponse;

    /// What lambda_http's own adapter answers API Gateway for `response`.
    async fn theirs(response: fn() -> HttpResponse) -> serde_json::Value {
        let mut adapter =
            Adapter::from(service_fn(move |_request| async move { Ok::<_, lambda_http::Error>(response()) }));
        let event =
            LambdaEvent::new(LambdaRequest::ApiGatewayV2(ApiGatewayV2httpRequest::default()), Context::default());
        serde_json::to_value(adapter.call(event).await.unwrap()).unwrap()
    }

    fn response(status: u16, headers: &[(&str, &str)], body: Body) -> HttpResponse {
        let mut builder = http::Response::builder().status(status);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(body).unwrap()
    }

    #[tokio::test]
    async fn responses_reach_api_gateway_as_lambda_http_would_send_them() {
        let cases: [fn() -> HttpResponse; 5] = [
            || {
                response(
                    201,
                    &[("content-type", "application/json"), ("x-request-id", "r1"), ("cache-control", "no-store")],
                    Body::Text("{\"id\":\"é\"}".into()),
                )
            },
            || {
                response(
                    409,
                    &[
                        ("content-type", "application/problem+json"),
                        ("set-cookie", "a=1"),
                        ("set-cookie", "b=2; Secure"),
                    ],
                    Body::Text("{\"title\":\"taken\"}".into()),
                )
            },
            || response(204, &[("x-request-id", "r2")], Body::Empty),
            || {
                response(
                    200,
                    &[("content-type", "text/calendar; charset=utf-8")],
                    Body::Text("BEGIN:VCALENDAR\r\n".into()),
                )
            },
            || response(200, &[("content-type", "application/octet-stream")], Body::Binary(vec![0, 159, 146, 150])),
        ];
        for case in cases {
            let ours = serde_json::to_value(http_api_response(case())).unwrap();
            assert_eq!(ours, theirs(case).await);
        }
    }
}
