//! The Lambda bootstrap every HTTP function binary shares.

use std::future::Future;

use lambda_http::{Error, Request, service_fn};

use crate::app::App;
use crate::http::HttpResponse;

/// Builds the application once per cold start, then serves `handler` on the Lambda
/// runtime. The app is leaked on purpose: it lives as long as the process.
pub async fn serve<F, Fut>(handler: F) -> Result<(), Error>
where
    F: Fn(&'static App, Request) -> Fut + Sync,
    Fut: Future<Output = HttpResponse> + Send,
{
    crate::observability::init();
    let app: &'static App = Box::leak(Box::new(App::from_env().await?));
    let handler = &handler;
    lambda_http::run(service_fn(move |request: Request| async move { Ok::<_, Error>(handler(app, request).await) }))
        .await
}
