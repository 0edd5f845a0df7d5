//! Every function crate the gateway can call, by binary name. The lists are generated
//! from template.yaml by `build.rs` (HTTP functions: those with `HttpApi` events; event
//! functions: the rest), so a function is linked exactly when the template declares it.

use std::future::Future;
use std::pin::Pin;

use lambda_http::Request;
use shared::App;
use shared::http::HttpResponse;

/// A function's handler, boxed so all functions share one type.
pub type Handler = for<'a> fn(&'a App, Request) -> Pin<Box<dyn Future<Output = HttpResponse> + Send + 'a>>;

/// A function's part of the OpenAPI document.
pub type OpenApiPart = fn() -> utoipa::openapi::OpenApi;

/// A function the gateway knows.
#[derive(Clone, Copy)]
pub struct Function {
    /// Crate and binary name, as in template.yaml's `Metadata.BuildProperties.Binary`.
    pub name: &'static str,
    /// Its handler.
    pub handler: Handler,
    /// Its operations.
    pub openapi: OpenApiPart,
}

/// The HTTP functions: `crate as "binary"`, each served through one entry per request.
macro_rules! functions {
    ($($krate:ident as $name:literal),* $(,)?) => {
        mod entry {
            use super::*;
            $(
                pub fn $krate<'a>(app: &'a App, request: Request) -> Pin<Box<dyn Future<Output = HttpResponse> + Send + 'a>> {
                    // As `shared::runtime::serve` does in Lambda: body rule, request id, log line, latency.
                    Box::pin(shared::runtime::handle(app, $name, request, ::$krate::handler))
                }
            )*
        }

        /// All HTTP functions linked into the gateway.
        pub fn functions() -> Vec<Function> {
            vec![$(Function {
                name: $name,
                handler: entry::$krate,
                openapi: <::$krate::Api as utoipa::OpenApi>::openapi,
            }),*]
        }
    };
}

/// An event-driven function's handler (schedule, WebSocket route, stream batch): takes the
/// event as JSON, returns its JSON result, as the Lambda runtime would.
pub type EventHandler = for<'a> fn(
    &'a App,
    serde_json::Value,
) -> Pin<Box<dyn Future<Output = Result<serde_json::Value, String>> + Send + 'a>>;

/// A function invoked by events rather than HTTP routes.
#[derive(Clone, Copy)]
pub struct EventFunction {
    /// Binary name, as in template.yaml's `Metadata.BuildProperties.Binary`.
    pub name: &'static str,
    /// Its handler.
    pub handler: EventHandler,
}

/// The event-driven functions: `crate as "binary"`.
macro_rules! events {
    ($($krate:ident as $name:literal),* $(,)?) => {
        mod event_entry {
            use super::*;
            $(
                pub fn $krate<'a>(app: &'a App, event: serde_json::Value) -> Pin<Box<dyn Future<Output = Result<serde_json::Value, String>> + Send + 'a>> {
                    // As `shared::runtime::serve_events` does in Lambda; the event's request id
                    // when it has one (WebSocket routes), else a fresh one as Lambda's would be.
                    let request_id = event
                        .pointer("/requestContext/requestId")
                        .and_then(serde_json::Value::as_str)
                        .map_or_else(|| ulid::Ulid::new().to_string(), str::to_owned);
                    Box::pin(shared::runtime::handle_event($name, request_id, None, async move {
                        // serde quotes the offending value; the error is logged, so the value goes.
                        let event = serde_json::from_value(event)
                            .map_err(|e| format!("event: {}", shared::observability::without_values(&e.to_string())))?;
                        let result = ::$krate::handler(app, event).await.map_err(|e| e.to_string())?;
                        serde_json::to_value(result).map_err(|e| e.to_string())
                    }))
                }
            )*
        }

        /// All event-driven functions linked into the gateway.
        pub fn events() -> Vec<EventFunction> {
            vec![$(EventFunction { name: $name, handler: event_entry::$krate }),*]
        }
    };
}

// `functions!(...)` and `events!(...)` with template.yaml's functions (see build.rs).
include!(concat!(env!("OUT_DIR"), "/handlers.rs"));
