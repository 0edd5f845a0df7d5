//! Every function crate the gateway can call, by crate (binary) name.

use std::future::Future;
use std::pin::Pin;

use lambda_http::Request;
use shared::app::App;
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

macro_rules! functions {
    ($($name:ident),* $(,)?) => {
        mod entry {
            use super::*;
            $(
                pub fn $name<'a>(app: &'a App, request: Request) -> Pin<Box<dyn Future<Output = HttpResponse> + Send + 'a>> {
                    Box::pin(::$name::handler(app, request))
                }
            )*
        }

        /// All HTTP functions linked into the gateway.
        pub fn functions() -> Vec<Function> {
            vec![$(Function {
                name: stringify!($name),
                handler: entry::$name,
                openapi: <::$name::Api as utoipa::OpenApi>::openapi,
            }),*]
        }
    };
}

functions!(register, login, profile, matching, book, review);

/// A scheduled function's handler: takes the EventBridge event, returns its JSON result.
pub type ScheduledHandler = for<'a> fn(
    &'a App,
    serde_json::Value,
) -> Pin<Box<dyn Future<Output = Result<serde_json::Value, String>> + Send + 'a>>;

/// A function invoked by a schedule.
#[derive(Clone, Copy)]
pub struct ScheduledFunction {
    /// Crate and binary name.
    pub name: &'static str,
    /// Its handler.
    pub handler: ScheduledHandler,
}

macro_rules! scheduled {
    ($($name:ident),* $(,)?) => {
        mod scheduled_entry {
            use super::*;
            $(
                pub fn $name<'a>(app: &'a App, event: serde_json::Value) -> Pin<Box<dyn Future<Output = Result<serde_json::Value, String>> + Send + 'a>> {
                    Box::pin(async move {
                        let event = serde_json::from_value(event).map_err(|e| format!("event: {e}"))?;
                        let result = ::$name::handler(app, event).await.map_err(|e| e.to_string())?;
                        serde_json::to_value(result).map_err(|e| e.to_string())
                    })
                }
            )*
        }

        /// All scheduled functions linked into the gateway.
        pub fn scheduled() -> Vec<ScheduledFunction> {
            vec![$(ScheduledFunction { name: stringify!($name), handler: scheduled_entry::$name }),*]
        }
    };
}

scheduled!(reminders);
