//! `dev-gateway`: serves the HTTP and WebSocket APIs locally against DynamoDB Local, feeds
//! the table's stream to its consumers and fires the schedules.
//!
//! Environment: `DYNAMODB_ENDPOINT` (required), `PORT` (HTTP API, default 3000), `WS_PORT`
//! (WebSocket API and its `@connections` endpoint, default PORT + 1), `SNS_ENDPOINT` (the
//! local SNS emulator; without it notifications are not fanned out), `TABLE_NAME` (default
//! `peerlearn-local`), `TEMPLATE` (default `template.yaml`), `ACCESS_TOKEN_SIGNING_KEY` and
//! `ACCESS_TOKEN_PUBLIC_KEYS`, `CURSOR_KEY` (default: made per run), `ALLOWED_ORIGINS` (comma-separated; default: the template's `AllowedOrigins`),
//! `WEB_CLIENT_URL` (where `make dev` serves the web client, for the banner), `PEERLEARN_METER`
//! (`1`: meter every invocation's DynamoDB capacity and billed time, at `GET /_local/metrics`).
//!
//! `dev-gateway openapi` prints the OpenAPI document and exits (the web client's typed API
//! client is generated from it; nothing needs to be running).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use dev_gateway::clock::LocalClock;
use dev_gateway::stream::{StreamPoller, local_streams_client};
use dev_gateway::{Gateway, Template, handlers, local, table};
use shared::startup::{self, Clients};

#[tokio::main]
async fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some("openapi") {
        return match dev_gateway::openapi::document(&handlers::functions()).to_pretty_json() {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("dev-gateway: cannot write the OpenAPI document: {error}");
                ExitCode::FAILURE
            }
        };
    }
    tracing_subscriber::fmt().with_target(false).compact().init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("dev-gateway: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn bind(port: u16, what: &str, hint: &str) -> Result<tokio::net::TcpListener, String> {
    // Loopback only: the gateway has no TLS, and holds every function's keys.
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    tokio::net::TcpListener::bind(address).await.map_err(|error| match error.kind() {
        std::io::ErrorKind::AddrInUse => {
            format!("port {port} ({what}) is in use; stop what holds it or pick another: {hint}")
        }
        _ => format!("cannot listen on {address}: {error}"),
    })
}

/// The client id the local Google stand-in issues ID tokens for.
const LOCAL_GOOGLE_CLIENT: &str = "peerlearn-local.apps.googleusercontent.com";

/// The uploads bucket in the emulator.
const UPLOADS_BUCKET: &str = "peerlearn-uploads";

async fn run() -> Result<(), String> {
    let env = |name: &str, default: &str| {
        std::env::var(name).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_owned())
    };
    let endpoint =
        std::env::var("DYNAMODB_ENDPOINT").map_err(|_| "DYNAMODB_ENDPOINT is not set (start it with `make dev`)")?;
    let port: u16 = env("PORT", "3000").parse().map_err(|_| "PORT must be a port number")?;
    let ws_port: u16 =
        env("WS_PORT", &port.saturating_add(1).to_string()).parse().map_err(|_| "WS_PORT must be a port number")?;
    let table_name = env("TABLE_NAME", "peerlearn-local");
    let template_path = PathBuf::from(env("TEMPLATE", "template.yaml"));

    let template = Template::load(&template_path).map_err(|e| e.to_string())?;
    let client = local::dynamo_client(&endpoint);
    let created = table::ensure_table(&client, &template, &table_name)
        .await
        .map_err(|e| format!("{e} (is DynamoDB Local up at {endpoint}?)"))?;
    let listener = bind(port, "HTTP API", "make dev PORT=3100").await?;
    let ws_listener = bind(ws_port, "WebSocket API", "make dev WS_PORT=3101").await?;
    let ws_address = ws_listener.local_addr().map_err(|e| e.to_string())?;

    let mut config = local::config(&table_name, &endpoint).map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    // Sign in with Google, offline: this gateway publishes a key of its own and signs ID
    // tokens with it (real RS256), unless GOOGLE_CLIENT_IDS points the app at real Google.
    let google_key = shared::auth::google_id_token::testing::TestGoogleKey::generate("local-google")
        .ok_or("cannot make the local Google signing key")?;
    if config.google_client_ids.is_empty() {
        config.google_client_ids = vec![LOCAL_GOOGLE_CLIENT.to_owned()];
        config.google_jwks_url = format!("http://{address}/_local/google/certs");
    }
    // Real time until someone moves it (POST /_local/clock).
    let clock = Arc::new(LocalClock::real());
    let mut clients = Clients::new(client.clone()).with_push(local::connections_api(&format!("http://{ws_address}")));
    let sns = std::env::var("SNS_ENDPOINT").ok().filter(|v| !v.is_empty());
    if let Some(sns) = &sns {
        let topic = local::notification_topic(sns, "peerlearn-notifications")
            .await
            .map_err(|e| format!("SNS emulator at {sns}: {e}"))?;
        // Texted codes (phone verification and sign-in) are recorded by the emulator too.
        clients = clients.with_fanout(topic).with_texts(local::texts(sns));
    }
    let s3 = std::env::var("S3_ENDPOINT").ok().filter(|v| !v.is_empty());
    if let Some(s3) = &s3 {
        clients =
            local::with_uploads(clients, s3, UPLOADS_BUCKET).await.map_err(|e| format!("S3 emulator at {s3}: {e}"))?;
    }
    // Mail (confirmation and reset links) goes to the emulator's SES, where it can be read.
    let ses = std::env::var("SES_ENDPOINT").ok().filter(|v| !v.is_empty());
    if let Some(ses) = &ses {
        let mailer = local::mailer(ses).await.map_err(|e| format!("SES emulator at {ses}: {e}"))?;
        clients = clients.with_mail(mailer);
    }
    // Payments go to the local Stripe stand-in that infra/stack.sh starts; without it the
    // payment routes answer 503, like a deployment whose Stripe is down.
    if let Some(stripe) = local::stripe(&config).map_err(|e| format!("Stripe stand-in: {e}"))? {
        clients = clients.with_payments(stripe);
    }
    let app = startup::build(&config, clients.with_google(&config), clock.clone());
    let mut gateway = Gateway::new(app, template, &handlers::functions(), &handlers::events())
        .map_err(|e| e.to_string())?
        .with_clock(clock)
        .with_google(google_key, LOCAL_GOOGLE_CLIENT);
    // PEERLEARN_METER=1: capacity units and billed ms per invocation at /_local/metrics.
    if std::env::var("PEERLEARN_METER").is_ok_and(|v| v == "1") {
        gateway = gateway.with_metering();
    }
    if let Ok(origins) = std::env::var("ALLOWED_ORIGINS") {
        gateway = gateway.with_allowed_origins(origins.split(',').map(|o| o.trim().to_owned()).collect());
    }
    println!("Peerlearn dev gateway");
    println!("  API        http://{address}");
    println!("  OpenAPI    http://{address}/openapi.json");
    if let Some(web) = std::env::var("WEB_CLIENT_URL").ok().filter(|v| !v.is_empty()) {
        println!(
            "  Web client {web}  (sign in with a demo login above, e.g. learner0@demo.peerlearn.dev; admins: admin@demo.peerlearn.dev)"
        );
    }
    println!("  WebSocket  ws://{ws_address}/{}?token=<access token>", gateway.stage());
    println!(
        "  DynamoDB   {endpoint}  table {table_name} ({})",
        if created { "created from template.yaml" } else { "existing" }
    );
    match &sns {
        Some(sns) => println!(
            "  SNS        {sns}  topic peerlearn-notifications; texted codes: curl -s {sns}/moto-api/data.json | python3 -c 'import json,sys; [print(m[\"phone_number\"], m[\"message\"]) for m in json.load(sys.stdin)[\"sns\"][\"SMS\"]]'"
        ),
        None => println!("  SNS        not configured (SNS_ENDPOINT unset): notifications stay in-app"),
    }
    match &s3 {
        Some(s3) => println!("  S3         {s3}  bucket {UPLOADS_BUCKET}"),
        None => println!("  S3         not configured (S3_ENDPOINT unset): uploads answer 500"),
    }
    match &ses {
        Some(ses) => println!(
            "  SES        {ses}  mail from no-reply@{}; read what was sent: curl -s {ses}/moto-api/data.json | python3 -c 'import json,sys; [print(m[\"destinations\"], m[\"subject\"], m[\"body\"], sep=\"\\n\") for m in json.load(sys.stdin)[\"ses\"][\"Message\"]]'",
            local::MAIL_DOMAIN
        ),
        None => println!("  SES        not configured (SES_ENDPOINT unset): confirmation and reset mails are not sent"),
    }
    for route in &gateway.template().routes {
        println!("  route      {:<40} -> {}", route.key(), route.function);
    }
    for route in &gateway.template().websocket_routes {
        println!("  websocket  {:<40} -> {}", route.key, route.function);
    }
    for stream in &gateway.template().streams {
        println!("  stream     {:<40} -> {}", stream.name, stream.function);
    }
    for schedule in &gateway.template().schedules {
        println!(
            "  schedule   {:<40} -> {} (POST /_local/schedules/{} fires it now)",
            schedule.expression, schedule.function, schedule.name
        );
    }
    println!(
        "  clock      GET/POST/DELETE http://{address}/_local/clock  ({{\"advance\":\"PT32H\"}} moves every function's time)"
    );
    println!("  IAM        every AWS call a function makes is checked against its template Policies (GET /_local/iam)");
    println!(
        "  Google     sign in with Google offline: TOKEN=$(curl -s -X POST http://{address}/_local/google/id-token -d '{{\"sub\":\"1001\",\"email\":\"you@example.com\",\"name\":\"You\"}}' | sed -E 's/.*\"id_token\":\"([^\"]+)\".*/\\1/')"
    );
    println!(
        "             then POST http://{address}/auth/google {{\"id_token\":\"$TOKEN\",\"roles\":\"learner\"}} (keys at /_local/google/certs)"
    );
    println!("Ctrl-C stops everything.");

    let gateway = Arc::new(gateway);
    Gateway::spawn_schedules(&gateway);
    Gateway::spawn_stream_poller(&gateway, StreamPoller::new(client, local_streams_client(&endpoint), &table_name));
    let http = Gateway::http_router(&gateway).into_make_service_with_connect_info::<SocketAddr>();
    let websocket = Gateway::websocket_router(&gateway).into_make_service_with_connect_info::<SocketAddr>();
    let shutdown = || async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let (http, websocket) = tokio::join!(
        axum::serve(listener, http).with_graceful_shutdown(shutdown()),
        axum::serve(ws_listener, websocket).with_graceful_shutdown(shutdown())
    );
    let iam = dev_gateway::iam::counts();
    println!("AWS calls checked against IAM: {} ({} denied)", iam.checked, iam.denied);
    http.and(websocket).map_err(|e| e.to_string())
}
