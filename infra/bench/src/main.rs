//! `make bench`: runs each release function binary under a stand-in for the Lambda
//! Runtime API and prints one JSON object per figure: `{"name", "value", "unit"}`.
//!
//! Figures: stripped binary size; init time (process start until the runtime first asks
//! for work); warm p50/p99 latency per operation, measured at the Runtime API (event
//! handed out -> response posted), so it is what Lambda would bill; peak RSS; the argon2
//! cost on its own; and GET /me's overhead beyond one DynamoDB GetItem.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path as UrlPath, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::{Mutex, mpsc, oneshot};

/// Invocations per warm measurement (after one discarded warm-up).
const WARM_RUNS: usize = 200;
/// Invocations that hash a password are slower; fewer keep the bench quick.
const HASHING_RUNS: usize = 40;
/// Cold starts per function.
const COLD_RUNS: usize = 15;

fn emit(name: &str, value: f64, unit: &str) {
    println!("{}", json!({"name": name, "value": (value * 1000.0).round() / 1000.0, "unit": unit}));
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report_latencies(name: &str, mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    let p50 = percentile(&samples, 0.50);
    emit(&format!("{name}.p50"), p50, "ms");
    emit(&format!("{name}.p99"), percentile(&samples, 0.99), "ms");
    p50
}

/// Where an invocation's response goes: when it arrived, and its body.
type Responder = oneshot::Sender<(Instant, String)>;

/// One pending invocation: the event, and where its response goes.
struct Invocation {
    event: String,
    respond: Responder,
}

#[derive(Clone)]
struct RuntimeApi {
    queue: Arc<Mutex<mpsc::Receiver<Invocation>>>,
    pending: Arc<Mutex<HashMap<String, Responder>>>,
    first_poll: Arc<Mutex<Option<Instant>>>,
}

async fn next(State(api): State<RuntimeApi>) -> (HeaderMap, String) {
    {
        let mut first = api.first_poll.lock().await;
        first.get_or_insert_with(Instant::now);
    }
    let invocation = match api.queue.lock().await.recv().await {
        Some(invocation) => invocation,
        // No more work: park until the process is killed.
        None => std::future::pending().await,
    };
    let id = ulid::Ulid::new().to_string();
    api.pending.lock().await.insert(id.clone(), invocation.respond);
    let mut headers = HeaderMap::new();
    headers.insert("lambda-runtime-aws-request-id", id.parse().unwrap());
    headers.insert("lambda-runtime-deadline-ms", (now_ms() + 10_000).to_string().parse().unwrap());
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:us-east-1:000000000000:function:bench".parse().unwrap(),
    );
    headers.insert("lambda-runtime-trace-id", "Root=1-00000000-000000000000000000000000".parse().unwrap());
    (headers, invocation.event)
}

async fn respond(State(api): State<RuntimeApi>, UrlPath(id): UrlPath<String>, body: String) -> &'static str {
    let at = Instant::now();
    if let Some(sender) = api.pending.lock().await.remove(&id) {
        let _ = sender.send((at, body));
    }
    "{}"
}

async fn init_error(body: String) -> &'static str {
    eprintln!("function init error: {body}");
    "{}"
}

fn now_ms() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()
}

/// A function process under the stand-in.
struct Running {
    child: tokio::process::Child,
    started: Instant,
    api: RuntimeApi,
    submit: mpsc::Sender<Invocation>,
}

impl Running {
    async fn start(binary: &Path, env: &[(String, String)]) -> Self {
        let (submit, queue) = mpsc::channel(1);
        let api =
            RuntimeApi { queue: Arc::new(Mutex::new(queue)), pending: Arc::default(), first_poll: Arc::default() };
        let router = axum::Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(respond))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(respond))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(api.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        let started = Instant::now();
        let child = tokio::process::Command::new(binary)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        Self { child, started, api, submit }
    }

    async fn init_time(&self) -> Duration {
        loop {
            if let Some(at) = *self.api.first_poll.lock().await {
                return at - self.started;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }

    /// Sends one event; returns the latency at the Runtime API and the response.
    async fn invoke(&self, event: String) -> (f64, Value) {
        let (respond, answer) = oneshot::channel();
        let sent = Instant::now();
        self.submit.send(Invocation { event, respond }).await.unwrap();
        let (at, body) = answer.await.unwrap();
        ((at - sent).as_secs_f64() * 1000.0, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    fn peak_rss_kib(&self) -> f64 {
        let pid = self.child.id().unwrap();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0.0)
    }
}

fn event(method: &str, path: &str, route: &str, token: Option<&str>, body: Option<Value>) -> String {
    let mut headers = axum::http::HeaderMap::new();
    if body.is_some() {
        headers.insert("content-type", "application/json".parse().unwrap());
    }
    if let Some(token) = token {
        headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let call = dev_gateway::event::HttpCall {
        method,
        path,
        query: "",
        headers: &headers,
        body: body.as_bytes(),
        source_ip: "127.0.0.1",
    };
    dev_gateway::event::http_event(&call, route, &[], &ulid::Ulid::new().to_string(), chrono::Utc::now()).to_string()
}

fn status_of(response: &Value) -> u64 {
    response["statusCode"].as_u64().unwrap_or(0)
}

fn body_of(response: &Value) -> Value {
    response["body"].as_str().and_then(|b| serde_json::from_str(b).ok()).unwrap_or(Value::Null)
}

/// The `cargo build` arguments for every function of the template, and this binary.
fn packages(template: &dev_gateway::Template) -> String {
    template.functions.iter().chain(std::iter::once(&"bench".to_owned())).map(|p| format!("-p {p} ")).collect()
}

#[tokio::main]
async fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    // `make bench` asks which packages to build: the template's functions, no list of its own.
    if std::env::args().nth(1).as_deref() == Some("--packages") {
        let template = dev_gateway::Template::load(&root.join("template.yaml")).unwrap();
        println!("{}", packages(&template).trim_end());
        return;
    }
    let endpoint = std::env::var("DYNAMODB_ENDPOINT").expect("run through `make bench`, which starts DynamoDB Local");
    let template = dev_gateway::Template::load(&root.join("template.yaml")).unwrap();
    let client = dev_gateway::local::dynamo_client(&endpoint);
    let table = format!("bench-{}", ulid::Ulid::new());
    dev_gateway::table::ensure_table(&client, &template, &table).await.unwrap();
    // Every binary gets every key; each reads only those its main.rs names.
    let (signing, public) = shared::auth::SigningKey::generate("bench").unwrap();
    let (signing, public) = (signing.to_json(), public.to_jwks());
    let env: Vec<(String, String)> = [
        ("TABLE_NAME", table.as_str()),
        ("DYNAMODB_ENDPOINT", endpoint.as_str()),
        ("ACCESS_TOKEN_SIGNING_KEY", signing.as_str()),
        ("ACCESS_TOKEN_PUBLIC_KEYS", public.as_str()),
        ("CURSOR_KEY", "bench-cursor-key-bench-cursor-key-bench"),
        // Login seals texted codes; it builds its SMS client at init as in AWS (no call).
        ("CODE_KEY", "bench-code-key-bench-code-key-bench-code"),
        ("PHONE_COUNTRIES", "US,GB"),
        ("SNS_ENDPOINT", "http://127.0.0.1:9"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_LAMBDA_FUNCTION_NAME", "bench"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("RUST_LOG", "warn"),
        // Uploads and profile build their S3 client at init as in AWS; presigning makes no call.
        ("UPLOADS_BUCKET", "bench-uploads"),
        ("S3_ENDPOINT", "http://127.0.0.1:9"),
        // Payouts and the webhook build their Stripe client at init as in AWS (no call).
        ("STRIPE_SECRET_KEY", "sk_test_bench"),
        ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("STRIPE_API_BASE", "http://127.0.0.1:9/"),
        ("WEB_APP_URL", "http://localhost:5173"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let release = root.join("target/release");

    // BENCH_ONLY=matching skips straight to the matching figures.
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if only == "chat" {
        chat_figures(&client, &template, &endpoint).await;
        return;
    }
    if only == "leaderboard" {
        leaderboard_figures(&client, &template, &endpoint).await;
        return;
    }
    let only_matching = only == "matching";
    // Every function of the template: what `make bench` built (see `--packages`).
    for function in &template.functions {
        if only_matching {
            break;
        }
        let binary = release.join(function);
        let size = std::fs::metadata(&binary)
            .unwrap_or_else(|_| panic!("{} missing: build with make bench", binary.display()))
            .len();
        emit(&format!("{function}.binary_size"), size as f64 / (1024.0 * 1024.0), "MiB");
        let mut inits = Vec::with_capacity(COLD_RUNS);
        for _ in 0..COLD_RUNS {
            let running = Running::start(&binary, &env).await;
            inits.push(running.init_time().await.as_secs_f64() * 1000.0);
        }
        report_latencies(&format!("{function}.init"), inits);
    }

    if !only_matching {
        function_figures(&release, &env, &client, &table).await;
        booking_figures(&client, &template, &endpoint).await;
        chat_figures(&client, &template, &endpoint).await;
    }
    let sizes: Vec<usize> = std::env::var("BENCH_MENTORS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000]);
    for mentors in sizes {
        matching_figures(&client, &template, &endpoint, mentors).await;
    }
}

/// The signing secret the bench's webhook deliveries are signed with.
const WEBHOOK_SECRET: &str = "whsec_bench";

/// Warm latency and memory of register, login, GET /me, POST /me/uploads, GET /me/payouts
/// and POST /webhooks/stripe, and argon2 on its own.
async fn function_figures(release: &Path, env: &[(String, String)], client: &aws_sdk_dynamodb::Client, table: &str) {
    // register: every call creates an account (argon2 hash + one transaction).
    let register = Running::start(&release.join("register"), env).await;
    register.init_time().await;
    let mut samples = Vec::new();
    let mut session = Value::Null;
    for run in 0..=HASHING_RUNS {
        let body = json!({"email": format!("bench{run}@example.com"), "password": "correct horse battery", "name": "Bench", "roles": "both"});
        let (ms, response) =
            register.invoke(event("POST", "/auth/register", "POST /auth/register", None, Some(body))).await;
        assert_eq!(status_of(&response), 201, "{response}");
        session = body_of(&response);
        if std::env::var_os("BENCH_TRACE_RSS").is_some() {
            eprintln!("register #{run}: {:.1} ms, peak RSS {:.1} MiB", ms, register.peak_rss_kib() / 1024.0);
        }
        if run > 0 {
            samples.push(ms);
        }
    }
    report_latencies("register.warm", samples);
    emit("register.peak_rss", register.peak_rss_kib() / 1024.0, "MiB");
    drop(register);

    // login: two counter updates and a GetItem, argon2 verify, GetItem, one transaction,
    // and the counters given back.
    let login = Running::start(&release.join("login"), env).await;
    login.init_time().await;
    let mut samples = Vec::new();
    for run in 0..=HASHING_RUNS {
        let body = json!({"email": "bench0@example.com", "password": "correct horse battery"});
        let (ms, response) = login.invoke(event("POST", "/auth/login", "POST /auth/login", None, Some(body))).await;
        assert_eq!(status_of(&response), 200, "{response}");
        if run > 0 {
            samples.push(ms);
        }
    }
    report_latencies("login.warm", samples);
    emit("login.peak_rss", login.peak_rss_kib() / 1024.0, "MiB");
    drop(login);

    // GET /me: JWT check + one GetItem.
    let token = session["access_token"].as_str().unwrap().to_owned();
    let profile = Running::start(&release.join("profile"), env).await;
    profile.init_time().await;
    let mut samples = Vec::new();
    for run in 0..=WARM_RUNS {
        let (ms, response) = profile.invoke(event("GET", "/me", "GET /me", Some(&token), None)).await;
        assert_eq!(status_of(&response), 200, "{response}");
        if run > 0 {
            samples.push(ms);
        }
    }
    let me_p50 = report_latencies("get_me.warm", samples);
    emit("profile.peak_rss", profile.peak_rss_kib() / 1024.0, "MiB");
    drop(profile);

    // POST /me/uploads: JWT check, GetItem, a presigned PUT (local SigV4), one PutItem.
    let uploads = Running::start(&release.join("uploads"), env).await;
    uploads.init_time().await;
    let mut samples = Vec::new();
    for run in 0..=WARM_RUNS {
        let body = json!({"purpose": "transcript", "content_type": "application/pdf", "size_bytes": 48213});
        let (ms, response) =
            uploads.invoke(event("POST", "/me/uploads", "POST /me/uploads", Some(&token), Some(body))).await;
        assert_eq!(status_of(&response), 201, "{response}");
        if run > 0 {
            samples.push(ms);
        }
    }
    report_latencies("start_upload.warm", samples);
    emit("uploads.peak_rss", uploads.peak_rss_kib() / 1024.0, "MiB");
    drop(uploads);

    // GET /me/payouts: JWT check, the standing and the payout account read together.
    let payouts = Running::start(&release.join("payments"), env).await;
    payouts.init_time().await;
    let mut samples = Vec::new();
    for run in 0..=WARM_RUNS {
        let (ms, response) = payouts.invoke(event("GET", "/me/payouts", "GET /me/payouts", Some(&token), None)).await;
        assert_eq!(status_of(&response), 200, "{response}");
        if run > 0 {
            samples.push(ms);
        }
    }
    report_latencies("my_payouts.warm", samples);
    emit("payments.peak_rss", payouts.peak_rss_kib() / 1024.0, "MiB");
    drop(payouts);

    // POST /webhooks/stripe: HMAC over the raw body, the event parsed, one conditional put.
    let webhook = Running::start(&release.join("stripe-webhook"), env).await;
    webhook.init_time().await;
    let mut samples = Vec::new();
    for run in 0..=WARM_RUNS {
        let body =
            json!({"id": format!("evt_bench{run}"), "object": "event", "created": chrono::Utc::now().timestamp(),
            "livemode": false, "pending_webhooks": 1, "type": "customer.created",
            "data": {"object": {"id": "cus_bench", "object": "customer"}}})
            .to_string();
        let signature = stripe_webhook::Webhook::generate_test_header(&body, WEBHOOK_SECRET, None);
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert("stripe-signature", signature.parse().unwrap());
        let call = dev_gateway::event::HttpCall {
            method: "POST",
            path: "/webhooks/stripe",
            query: "",
            headers: &headers,
            body: body.as_bytes(),
            source_ip: "127.0.0.1",
        };
        let request = dev_gateway::event::http_event(&call, "POST /webhooks/stripe", &[], "bench", chrono::Utc::now());
        let (ms, response) = webhook.invoke(request.to_string()).await;
        assert_eq!(status_of(&response), 200, "{response}");
        if run > 0 {
            samples.push(ms);
        }
    }
    report_latencies("stripe_webhook.warm", samples);
    emit("stripe-webhook.peak_rss", webhook.peak_rss_kib() / 1024.0, "MiB");
    drop(webhook);

    // The same GetItem straight from this process: what GET /me adds beyond it is overhead.
    let user_id = shared::domain::UserId::parse(session["user"]["id"].as_str().unwrap()).unwrap();
    let key = shared::adapters::dynamo::keys::user(&user_id).item();
    let mut samples = Vec::new();
    for _ in 0..=WARM_RUNS {
        let started = Instant::now();
        client.get_item().table_name(table).set_key(Some(key.clone())).consistent_read(true).send().await.unwrap();
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    samples.remove(0);
    let get_item_p50 = report_latencies("dynamodb_get_item", samples);
    emit("get_me.overhead_beyond_dynamodb.p50", me_p50 - get_item_p50, "ms");

    // argon2id on its own, in this (release) process.
    let hasher = shared::auth::PasswordHasher::new();
    let email = shared::domain::Email::parse("a@example.com").unwrap();
    let password = shared::domain::Password::parse("correct horse battery", &email).unwrap();
    let mut hashes = Vec::new();
    let mut verifies = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let stored = hasher.hash(&password).unwrap();
        hashes.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        hasher.verify("correct horse battery", Some(&stored)).unwrap();
        verifies.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    report_latencies("argon2id.hash", hashes);
    report_latencies("argon2id.verify", verifies);
}

/// Seeds `mentors` mentors into a fresh table, then measures GET /match and GET /mentors
/// through the handler (in process, genuine events), with DynamoDB reads per call.
async fn matching_figures(
    client: &aws_sdk_dynamodb::Client,
    template: &dev_gateway::Template,
    endpoint: &str,
    mentors: usize,
) {
    let table = format!("bench-match-{}", ulid::Ulid::new());
    dev_gateway::table::ensure_table(client, template, &table).await.unwrap();
    let config = seed::SeedConfig { seed: 42, mentors, learners: 200, credentials_for: 0, progress: true };
    let report = seed::seed(client, &table, &config).await.unwrap();
    let tag = format!("{}k", mentors / 1000);
    emit(&format!("seed.{tag}.items"), report.items as f64, "items");
    emit(&format!("seed.{tag}.duration"), report.seconds, "s");

    let app_config = dev_gateway::local::config(&table, endpoint).unwrap();
    let app = shared::startup::build(
        &app_config,
        shared::startup::Clients::new(client.clone()),
        std::sync::Arc::new(shared::ports::SystemClock),
    );
    // A learner with wanted skills, languages and availability, as seeded.
    let learner = (0..200)
        .map(|i| seed::demo_learner(42, i))
        .find(|l| !l.profile.learning.is_empty() && l.profile.timezone.is_some())
        .unwrap();
    let token = app.tokens.issue(&learner.id, learner.roles, chrono::Utc::now()).unwrap();
    // The seeder's vocabulary is in popularity order: the first skill is the largest
    // listing partition, the worst case for a search.
    let popular = shared::domain::SkillName::parse(seed::vocabulary::SKILLS[0].0).unwrap();

    let cases = [
        ("match", "GET /match", "/match", String::new()),
        ("search_skill", "GET /mentors", "/mentors", format!("skill={popular}&sort=relevance&limit=20")),
        (
            "search_filtered",
            "GET /mentors",
            "/mentors",
            format!("skill={popular}&language=en&min_rating=4&price_max=8000&sort=rating&limit=20"),
        ),
        ("search_all_by_price", "GET /mentors", "/mentors", "sort=price_asc&limit=20".to_owned()),
    ];
    for (name, route, path, query) in cases {
        let mut samples = Vec::with_capacity(WARM_RUNS);
        let (requests_before, items_before) = app.store.reads().totals();
        for run in 0..=WARM_RUNS {
            let mut headers = axum::http::HeaderMap::new();
            headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
            let call = dev_gateway::event::HttpCall {
                method: "GET",
                path,
                query: &query,
                headers: &headers,
                body: b"",
                source_ip: "127.0.0.1",
            };
            let event = dev_gateway::event::http_event(&call, route, &[], "bench", chrono::Utc::now()).to_string();
            let request = lambda_http::request::from_str(&event).unwrap();
            let started = Instant::now();
            let response = matching::handler(&app, request).await;
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            assert_eq!(response.status(), 200, "{name}");
            if run > 0 {
                samples.push(elapsed);
            }
        }
        let (requests_after, items_after) = app.store.reads().totals();
        let calls = (WARM_RUNS + 1) as f64;
        report_latencies(&format!("{name}.{tag}"), samples);
        emit(
            &format!("{name}.{tag}.dynamodb_requests_per_call"),
            (requests_after - requests_before) as f64 / calls,
            "requests",
        );
        emit(&format!("{name}.{tag}.items_read_per_call"), (items_after - items_before) as f64 / calls, "items");
    }
}

/// Concurrent clients in the booking benchmark.
const BOOKING_CLIENTS: usize = 20;
/// Request + accept cycles per client.
const BOOKING_CYCLES: usize = 15;

/// Request + accept latency under concurrent clients, through the `book` handler.
async fn booking_figures(client: &aws_sdk_dynamodb::Client, template: &dev_gateway::Template, endpoint: &str) {
    use shared::domain::{
        AvailabilityWindow, DisplayName, Email, Password, ProfileChanges, Roles, TimeOfDay, Timezone, Weekday,
        WeeklyAvailability,
    };
    use shared::ports::AccountStore as _;

    let table = format!("bench-book-{}", ulid::Ulid::new());
    dev_gateway::table::ensure_table(client, template, &table).await.unwrap();
    let config = dev_gateway::local::config(&table, endpoint).unwrap();
    let mut app = shared::startup::build(
        &config,
        shared::startup::Clients::new(client.clone()),
        std::sync::Arc::new(shared::ports::SystemClock),
    );
    // This measures booking under load, not refusals: each pair's BOOKING_CYCLES requests
    // are more than the request limits allow in an hour, so they are lifted here.
    for limit in [&mut app.limits.session_requests_per_pair, &mut app.limits.session_requests_per_learner] {
        limit.max = u32::MAX;
    }
    let app: &'static shared::App = Box::leak(Box::new(app));
    let all_week = WeeklyAvailability::new(
        Weekday::ALL
            .iter()
            .map(|d| {
                AvailabilityWindow::new(*d, TimeOfDay::parse("00:00").unwrap(), TimeOfDay::parse("24:00").unwrap())
                    .unwrap()
            })
            .collect(),
    )
    .unwrap();
    // One mentor and one learner per client, so clients compete for the table, not for time.
    let mut pairs = Vec::new();
    for i in 0..BOOKING_CLIENTS {
        let mut ids = Vec::new();
        for (role, roles) in [("mentor", "mentor"), ("learner", "learner")] {
            let email = Email::parse(&format!("{role}{i}@bench.example")).unwrap();
            let password = Password::parse("bench password long", &email).unwrap();
            let registration = shared::app::Registration {
                email,
                password,
                name: DisplayName::parse("Bench").unwrap(),
                roles: Roles::from_requested(roles).unwrap(),
            };
            let signed_in = app.register(registration).await.unwrap();
            ids.push(signed_in.user);
        }
        let mentor = ids.remove(0);
        let changes = ProfileChanges {
            timezone: Some(Timezone::parse("UTC").unwrap()),
            availability: Some(all_week.clone()),
            ..Default::default()
        };
        let bearer =
            shared::domain::Bearer { member: mentor.id.clone(), roles: mentor.roles, issued_at: chrono::Utc::now() };
        let profiled = app.update_profile(&bearer, changes).await.unwrap();
        let mut verified = profiled.clone();
        verified.verification = shared::domain::VerificationStatus::Verified;
        verified.version += 1;
        app.store.save_user(&verified, &profiled).await.unwrap();
        let learner = ids.remove(0);
        let now = chrono::Utc::now();
        pairs.push((
            mentor.id.to_string(),
            app.tokens.issue(&mentor.id, mentor.roles, now).unwrap(),
            app.tokens.issue(&learner.id, learner.roles, now).unwrap(),
        ));
    }
    let base = (chrono::Utc::now() + chrono::Duration::days(2)).date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
    let invoke = |method: &'static str, path: String, route: &'static str, token: String, body: Option<String>| async move {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
        headers.insert("content-type", "application/json".parse().unwrap());
        let params: Vec<(String, String)> = path
            .strip_prefix("/sessions/")
            .and_then(|rest| rest.split('/').next())
            .map(|id| vec![("id".to_owned(), id.to_owned())])
            .unwrap_or_default();
        let body = body.unwrap_or_default();
        let call = dev_gateway::event::HttpCall {
            method,
            path: &path,
            query: "",
            headers: &headers,
            body: body.as_bytes(),
            source_ip: "127.0.0.1",
        };
        let event = dev_gateway::event::http_event(&call, route, &params, "bench", chrono::Utc::now()).to_string();
        let started = Instant::now();
        let response = book::handler(app, lambda_http::request::from_str(&event).unwrap()).await;
        (started.elapsed().as_secs_f64() * 1000.0, response)
    };
    let started = Instant::now();
    let clients = pairs.into_iter().map(|(mentor_id, mentor_token, learner_token)| async move {
        let mut requests = Vec::new();
        let mut accepts = Vec::new();
        for cycle in 0..BOOKING_CYCLES {
            let start = base + chrono::Duration::hours(cycle as i64);
            let body =
                json!({"mentor_id": mentor_id, "start": start.to_rfc3339(), "duration_minutes": 60, "topic": "bench"});
            let (ms, response) =
                invoke("POST", "/sessions".into(), "POST /sessions", learner_token.clone(), Some(body.to_string()))
                    .await;
            assert_eq!(response.status(), 201);
            requests.push(ms);
            let id = serde_json::from_slice::<Value>(response.body()).unwrap()["id"].as_str().unwrap().to_owned();
            let (ms, response) = invoke(
                "POST",
                format!("/sessions/{id}/accept"),
                "POST /sessions/{id}/accept",
                mentor_token.clone(),
                None,
            )
            .await;
            assert_eq!(response.status(), 200);
            accepts.push(ms);
        }
        (requests, accepts)
    });
    let results = futures_util::future::join_all(clients).await;
    let elapsed = started.elapsed().as_secs_f64();
    let (requests, accepts): (Vec<Vec<f64>>, Vec<Vec<f64>>) = results.into_iter().unzip();
    let (requests, accepts): (Vec<f64>, Vec<f64>) = (requests.concat(), accepts.concat());
    let pairs: Vec<f64> = requests.iter().zip(&accepts).map(|(r, a)| r + a).collect();
    report_latencies("book.request.20_clients", requests);
    report_latencies("book.accept.20_clients", accepts);
    report_latencies("book.request_plus_accept.20_clients", pairs);
    emit("book.throughput.20_clients", (BOOKING_CLIENTS * BOOKING_CYCLES) as f64 / elapsed, "bookings/s");
}

/// Connected WebSocket clients in the chat figures: half learners, half mentors, in pairs.
const CHAT_CLIENTS: usize = 200;
/// Messages each learner sends its mentor, one at a time (all pairs at once).
const CHAT_MESSAGES: usize = 10;
/// Messages sent one at a time across the pairs, for the unloaded latency.
const CHAT_QUIET_MESSAGES: usize = 200;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Waits for the next text frame whose `"type"` is `kind`.
async fn frame_of(socket: &mut Socket, kind: &str) -> Value {
    use futures_util::StreamExt as _;
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .unwrap_or_else(|_| panic!("no {kind} frame within 10 s"))
            .unwrap()
            .unwrap();
        if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
            let frame: Value = serde_json::from_str(&text).unwrap();
            if frame["type"] == kind {
                return frame;
            }
        }
    }
}

/// Chat through the dev gateway's WebSocket API with [`CHAT_CLIENTS`] connected clients:
/// the time from a send leaving the sender's socket to the message arriving on the
/// recipient's, and messages per second with every pair sending at once.
async fn chat_figures(client: &aws_sdk_dynamodb::Client, template: &dev_gateway::Template, endpoint: &str) {
    use shared::domain::{DisplayName, Email, Password, Roles};

    let table = format!("bench-chat-{}", ulid::Ulid::new());
    dev_gateway::table::ensure_table(client, template, &table).await.unwrap();
    let config = dev_gateway::local::config(&table, endpoint).unwrap();
    let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_address = ws.local_addr().unwrap();
    let connections = dev_gateway::local::connections_api(&format!("http://{ws_address}"));
    let clients = shared::startup::Clients::new(client.clone()).with_push(connections);
    let app = shared::startup::build(&config, clients, Arc::new(shared::ports::SystemClock));
    let gateway = Arc::new(
        dev_gateway::Gateway::new(
            app,
            template.clone(),
            &dev_gateway::handlers::functions(),
            &dev_gateway::handlers::events(),
        )
        .unwrap(),
    );
    let routers = (dev_gateway::Gateway::http_router(&gateway), dev_gateway::Gateway::websocket_router(&gateway));
    tokio::spawn(async move { axum::serve(http, routers.0).await });
    tokio::spawn(async move { axum::serve(ws, routers.1).await });
    let setup = shared::startup::build(
        &config,
        shared::startup::Clients::new(client.clone()),
        Arc::new(shared::ports::SystemClock),
    );

    let mut pairs = Vec::new();
    for i in 0..CHAT_CLIENTS / 2 {
        let mut members = Vec::new();
        for role in ["mentor", "learner"] {
            let email = Email::parse(&format!("chat-{role}{i}@bench.example")).unwrap();
            let registration = shared::app::Registration {
                password: Password::parse("bench password long", &email).unwrap(),
                email,
                name: DisplayName::parse("Bench").unwrap(),
                roles: Roles::from_requested(role).unwrap(),
            };
            members.push(setup.register(registration).await.unwrap().user);
        }
        for item in
            shared::adapters::dynamo::DynamoStore::contact_items(&members[0].id, &members[1].id, chrono::Utc::now())
                .unwrap()
        {
            client.put_item().table_name(&table).set_item(Some(item)).send().await.unwrap();
        }
        let now = chrono::Utc::now();
        let token = |m: &shared::domain::User| setup.tokens.issue(&m.id, m.roles, now).unwrap();
        pairs.push((members[0].id.to_string(), token(&members[0]), token(&members[1])));
    }
    let url = format!("ws://{ws_address}/{}", gateway.stage());
    let mut connect_ms = Vec::new();
    let mut sockets = Vec::new();
    for (mentor_id, mentor_token, learner_token) in pairs {
        let mut open = Vec::new();
        for token in [mentor_token, learner_token] {
            let started = Instant::now();
            let (socket, _) = tokio_tungstenite::connect_async(format!("{url}?token={token}")).await.unwrap();
            connect_ms.push(started.elapsed().as_secs_f64() * 1000.0);
            open.push(socket);
        }
        let learner = open.pop().unwrap();
        let mentor = open.pop().unwrap();
        sockets.push((mentor_id, mentor, learner));
    }
    emit("chat.connected_clients", gateway.hub().len() as f64, "clients");
    report_latencies("chat.connect", connect_ms);

    // One message in flight at a time, each pair in turn, all 200 clients connected: the
    // latency a member sees.
    let mut quiet = Vec::with_capacity(CHAT_QUIET_MESSAGES);
    for n in 0..CHAT_QUIET_MESSAGES {
        let (mentor_id, mentor, learner) = &mut sockets[n % CHAT_CLIENTS.div_ceil(2)];
        quiet.push(exchange(mentor_id, mentor, learner, &format!("q{n}")).await);
    }
    report_latencies("chat.delivery.one_in_flight", quiet);

    // Every pair sending at once, each waiting for its message to arrive before the next:
    // throughput, and the latency at that load (queueing included).
    let started = Instant::now();
    let runs = sockets.iter_mut().enumerate().map(|(pair, (mentor_id, mentor, learner))| async move {
        let mut latencies = Vec::with_capacity(CHAT_MESSAGES);
        for n in 0..CHAT_MESSAGES {
            latencies.push(exchange(mentor_id, mentor, learner, &format!("p{pair}-m{n}")).await);
        }
        latencies
    });
    let latencies: Vec<f64> = futures_util::future::join_all(runs).await.into_iter().flatten().collect();
    let seconds = started.elapsed().as_secs_f64();
    let messages = latencies.len();
    report_latencies(&format!("chat.delivery.{}_pairs_at_once", CHAT_CLIENTS / 2), latencies);
    emit("chat.messages_per_second", messages as f64 / seconds, "msg/s");
}

/// The learner sends one message; the time until it arrives on the mentor's socket (ms).
async fn exchange(mentor_id: &str, mentor: &mut Socket, learner: &mut Socket, id: &str) -> f64 {
    use futures_util::SinkExt as _;
    let frame = json!({"action": "sendMessage", "to_user_id": mentor_id, "text": "How do lifetimes work?", "client_msg_id": id});
    let sent = Instant::now();
    learner.send(tokio_tungstenite::tungstenite::Message::Text(frame.to_string().into())).await.unwrap();
    let received = frame_of(mentor, "message").await;
    let ms = sent.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(received["message"]["client_msg_id"], id);
    frame_of(learner, "ack").await;
    ms
}

/// Members on the board in the leaderboard figures.
const BOARD_USERS: usize = 100_000;

/// Loads a finished week's mentor board with [`BOARD_USERS`] scored members, then measures
/// GET /leaderboards/weekly (top 100) through the handler for a member at the top (exact
/// rank) and one far down (estimated standing), and the job that closes the week.
async fn leaderboard_figures(client: &aws_sdk_dynamodb::Client, template: &dev_gateway::Template, endpoint: &str) {
    use shared::domain::gamification::{LeaderboardPeriod, PeriodKind};
    use shared::domain::{Party, UserId};

    let table = format!("bench-board-{}", ulid::Ulid::new());
    dev_gateway::table::ensure_table(client, template, &table).await.unwrap();
    let config = dev_gateway::local::config(&table, endpoint).unwrap();
    let app = shared::startup::build(
        &config,
        shared::startup::Clients::new(client.clone()),
        Arc::new(shared::ports::SystemClock),
    );
    let week = LeaderboardPeriod::week_of(chrono::Utc::now()).previous();
    // Scores fall off like real boards (a few high, a long tail) and tie often.
    let rows: Vec<(UserId, i64, chrono::DateTime<chrono::Utc>)> = (0..BOARD_USERS)
        .map(|i| {
            let score = (20_000.0 / ((i + 1) as f64).powf(0.6)).round() as i64;
            let reached = week.start() + chrono::Duration::seconds((i as i64 * 7_919) % 600_000);
            (UserId::new(ulid::Ulid::from_parts(1_700_000_000_000 + i as u64, i as u128)), score, reached)
        })
        .collect();
    // The two members who ask must exist: every bearer route checks the caller's standing.
    let mut rows = rows;
    for (at, name) in [(0, "board-top"), (BOARD_USERS * 3 / 4, "board-far")] {
        let email = shared::domain::Email::parse(&format!("{name}@bench.example")).unwrap();
        let registration = shared::app::Registration {
            password: shared::domain::Password::parse("bench password long", &email).unwrap(),
            email,
            name: shared::domain::DisplayName::parse("Bench").unwrap(),
            roles: shared::domain::Roles::from_requested("mentor").unwrap(),
        };
        rows[at].0 = app.register(registration).await.unwrap().user.id;
    }
    let started = Instant::now();
    // One call: the histogram shards are written whole, so they must count every row.
    app.store.load_board(week, Party::Mentor, &rows).await.unwrap();
    emit("leaderboard.100k.load", started.elapsed().as_secs_f64(), "s");

    let query = format!("period={week}&role=mentor&limit=100");
    for (case, who) in [("top", &rows[0].0), ("far_down", &rows[BOARD_USERS * 3 / 4].0)] {
        let token = app
            .tokens
            .issue(who, shared::domain::Roles::only(shared::domain::Role::Mentor), chrono::Utc::now())
            .unwrap();
        let mut samples = Vec::with_capacity(WARM_RUNS);
        let (requests_before, items_before) = app.store.reads().totals();
        let units_before = app.store.reads().read_units();
        for run in 0..=WARM_RUNS {
            let mut headers = axum::http::HeaderMap::new();
            headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
            let call = dev_gateway::event::HttpCall {
                method: "GET",
                path: "/leaderboards/weekly",
                query: &query,
                headers: &headers,
                body: b"",
                source_ip: "127.0.0.1",
            };
            let params = [("kind".to_owned(), "weekly".to_owned())];
            let event =
                dev_gateway::event::http_event(&call, "GET /leaderboards/{kind}", &params, "bench", chrono::Utc::now())
                    .to_string();
            let request = lambda_http::request::from_str(&event).unwrap();
            let started = Instant::now();
            let response = leaderboard::handler(&app, request).await;
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            assert_eq!(response.status(), 200);
            if run == 0 {
                let body: Value = serde_json::from_slice(response.body()).unwrap();
                assert_eq!(body["entries"].as_array().map(Vec::len), Some(100));
                eprintln!("leaderboard {case}: me = {}", body["me"]);
            } else {
                samples.push(elapsed);
            }
        }
        let (requests_after, items_after) = app.store.reads().totals();
        let calls = (WARM_RUNS + 1) as f64;
        report_latencies(&format!("leaderboard.top100.{case}.100k"), samples);
        emit(
            &format!("leaderboard.top100.{case}.dynamodb_requests_per_call"),
            (requests_after - requests_before) as f64 / calls,
            "requests",
        );
        emit(
            &format!("leaderboard.top100.{case}.items_read_per_call"),
            (items_after - items_before) as f64 / calls,
            "items",
        );
        emit(
            &format!("leaderboard.top100.{case}.read_units_per_call"),
            (app.store.reads().read_units() - units_before) / calls,
            "RCU",
        );
    }

    let units_before = app.store.reads().read_units();
    let started = Instant::now();
    let closed = app.close_period(PeriodKind::Weekly, Some(week)).await.unwrap();
    emit("leaderboard_job.100k.duration", started.elapsed().as_secs_f64() * 1000.0, "ms");
    emit("leaderboard_job.100k.read_units", app.store.reads().read_units() - units_before, "RCU");
    emit("leaderboard_job.100k.ranks_frozen", closed.boards.iter().map(|b| b.ranks).sum::<usize>() as f64, "ranks");
    let started = Instant::now();
    let again = app.close_period(PeriodKind::Weekly, Some(week)).await.unwrap();
    assert!(again.boards.iter().all(|b| !b.closed_now));
    emit("leaderboard_job.100k.rerun_duration", started.elapsed().as_secs_f64() * 1000.0, "ms");
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn builds_and_measures_every_template_function() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let template = dev_gateway::Template::load(&root.join("template.yaml")).unwrap();
        let arguments: Vec<String> = packages(&template).split_whitespace().map(str::to_owned).collect();
        let built: BTreeSet<&str> = arguments
            .chunks(2)
            .map(|pair| {
                assert_eq!(pair[0], "-p");
                pair[1].as_str()
            })
            .collect();
        for function in ["register", "book", "ws-connect", "leaderboard-job"] {
            assert!(built.contains(function), "{function} in {built:?}");
        }
        let expected: BTreeSet<&str> =
            template.functions.iter().map(String::as_str).chain(std::iter::once("bench")).collect();
        assert_eq!(built, expected);
    }
}
