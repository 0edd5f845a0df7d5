//! `dev-gateway`: serves the HTTP API locally against DynamoDB Local.
//!
//! Environment: `DYNAMODB_ENDPOINT` (required), `PORT` (default 3000), `TABLE_NAME`
//! (default `peerlearn-local`), `TEMPLATE` (default `template.yaml`), `JWT_SECRET`
//! (default: random per run), `ALLOWED_ORIGINS` (comma-separated; default: the
//! template's `AllowedOrigins`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use dev_gateway::{Gateway, Template, handlers, local, table};
use shared::app::App;
use shared::ports::SystemClock;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_target(false).compact().init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("dev-gateway: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let env = |name: &str, default: &str| {
        std::env::var(name).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_owned())
    };
    let endpoint =
        std::env::var("DYNAMODB_ENDPOINT").map_err(|_| "DYNAMODB_ENDPOINT is not set (start it with `make dev`)")?;
    let port: u16 = env("PORT", "3000").parse().map_err(|_| "PORT must be a port number")?;
    let table_name = env("TABLE_NAME", "peerlearn-local");
    let template_path = PathBuf::from(env("TEMPLATE", "template.yaml"));

    let template = Template::load(&template_path).map_err(|e| e.to_string())?;
    let client = local::dynamo_client(&endpoint);
    let created = table::ensure_table(&client, &template, &table_name)
        .await
        .map_err(|e| format!("{e} (is DynamoDB Local up at {endpoint}?)"))?;
    let config = local::config(&table_name, &endpoint).map_err(|e| e.to_string())?;
    let app = App::new(&config, client, Arc::new(SystemClock));
    let mut gateway =
        Gateway::new(app, template, &handlers::functions(), &handlers::scheduled()).map_err(|e| e.to_string())?;
    if let Ok(origins) = std::env::var("ALLOWED_ORIGINS") {
        gateway = gateway.with_allowed_origins(origins.split(',').map(|o| o.trim().to_owned()).collect());
    }

    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = tokio::net::TcpListener::bind(address).await.map_err(|error| match error.kind() {
        std::io::ErrorKind::AddrInUse => {
            format!("port {port} is in use; stop what holds it or pick another: make dev PORT=3001")
        }
        _ => format!("cannot listen on {address}: {error}"),
    })?;

    println!("Peerlearn dev gateway");
    println!("  API        http://{address}");
    println!("  OpenAPI    http://{address}/openapi.json");
    println!(
        "  DynamoDB   {endpoint}  table {table_name} ({})",
        if created { "created from template.yaml" } else { "existing" }
    );
    for route in &gateway.template().routes {
        println!("  route      {:<40} -> {}", route.key(), route.function);
    }
    for schedule in &gateway.template().schedules {
        println!(
            "  schedule   {:<40} -> {} (POST /_local/schedules/{} fires it now)",
            schedule.expression, schedule.function, schedule.name
        );
    }
    println!("Ctrl-C stops everything.");

    let router = gateway.router_with_schedules().into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
