//! The Lambda bootstrap every HTTP function binary shares.

use std::future::Future;

use lambda_http::{Error, Request, service_fn};

use crate::config::Keys;
use crate::http::HttpResponse;
use crate::startup::{self, App};

/// Builds the application once per cold start, holding only `keys`, then serves `handler`
/// on the Lambda runtime. The app is leaked on purpose: it lives as long as the process.
///
/// A Lambda process handles one request at a time, so a current-thread runtime is
/// enough and starts faster than a pool of workers. One blocking thread runs argon2:
/// its 19 MiB buffer is then reused from one malloc arena instead of one per thread.
pub fn serve<F, Fut>(keys: Keys, handler: F) -> Result<(), Error>
where
    F: Fn(&'static App, Request) -> Fut + Sync,
    Fut: Future<Output = HttpResponse> + Send,
{
    crate::observability::init();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().max_blocking_threads(1).build()?;
    runtime.block_on(async {
        let app: &'static App = Box::leak(Box::new(startup::from_env(keys).await?));
        let handler = &handler;
        lambda_http::run(service_fn(move |request: Request| async move {
            // The body rule holds for every route, including those that read no body.
            if let Err(refused) = crate::http::require_json_type(&request) {
                return Ok::<_, Error>(refused.into_response());
            }
            Ok(handler(app, request).await)
        }))
        .await
    })
}

/// As [`serve`], for functions fed by events rather than HTTP (schedules, streams).
pub fn serve_events<E, R, F, Fut>(keys: Keys, handler: F) -> Result<(), Error>
where
    E: serde::de::DeserializeOwned + Send + 'static,
    R: serde::Serialize + Send + 'static,
    F: Fn(&'static App, E) -> Fut + Sync,
    Fut: Future<Output = Result<R, Error>> + Send,
{
    crate::observability::init();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().max_blocking_threads(1).build()?;
    runtime.block_on(async {
        let app: &'static App = Box::leak(Box::new(startup::from_env(keys).await?));
        let handler = &handler;
        lambda_runtime::run(lambda_runtime::service_fn(move |event: lambda_runtime::LambdaEvent<E>| async move {
            handler(app, event.payload).await
        }))
        .await
    })
}
