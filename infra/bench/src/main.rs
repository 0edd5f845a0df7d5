//! `make bench`: runs each release function binary under a stand-in for the Lambda
//! Runtime API and prints one JSON object per figure: `{"name", "value", "unit"}`.
//!
//! Figures: stripped binary size; init time (process start until the runtime first asks
//! for work); warm p50/p99 latency per operation, measured at the Runtime API (event
//! handed out -> response posted), so it is what Lambda would bill; peak RSS; the argon2
//! cost on its own; and GET /me's overhead beyond one DynamoDB GetItem.
//!
//! The figures come in phases, run in this order, each on a table of its own:
//! `sizes` (binary size and init time of every function), `functions` (warm latency and
//! memory of the function binaries), `booking` (request + accept under 20 clients),
//! `chat` (200 WebSocket clients through the dev gateway), `matching` (match and search
//! over `BENCH_MENTORS` seeded mentors, default 10000,100000) and `leaderboard` (100,000
//! scored members). `BENCH_ONLY=<phase>[,<phase>...]` picks phases; without it the run
//! is `sizes`, `functions`, `booking` and `matching`. `chat`, `matching` and
//! `leaderboard` need a DynamoDB Local of their own (it slows down sharply on a table
//! written after another busy one), so `make bench` runs each in its own
//! `infra/stack.sh run`.
//!
//! A phase that cannot finish prints `bench: <phase> failed: <reason>` to stderr and the
//! run goes on with the next; at the end one line `bench: FAILED: <phase>: <reason>[; ...]`
//! and exit status 1 (0 when every phase finished). With `BENCH_FAILURES=<file>` each
//! failure is also appended to that file as one `<phase>: <reason>` line, so `make bench`
//! can sum up its several runs in one line.

use std::collections::HashMap;
use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::{Mutex, mpsc, oneshot};

/// Invocations per warm measurement (after one discarded warm-up).
const WARM_RUNS: usize = 200;
/// Invocations that hash a password are slower; fewer keep the bench quick.
const HASHING_RUNS: usize = 40;
/// Cold starts per function.
const COLD_RUNS: usize = 15;
/// How long a function binary may take from start to its first request for work.
const INIT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one invocation may take (the deadline handed to the function is 10 s).
const INVOKE_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a phase could not finish: one line, for `bench: <phase> failed: <reason>`.
type Outcome = Result<(), String>;

fn emit(name: &str, value: f64, unit: &str) {
    println!("{}", json!({"name": name, "value": (value * 1000.0).round() / 1000.0, "unit": unit}));
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
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

/// Milliseconds since `started`.
fn ms_since(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// Says what was being done when an error came.
trait Context<T> {
    fn context(self, what: impl Display) -> Result<T, String>;
}

impl<T, E: Display> Context<T> for Result<T, E> {
    fn context(self, what: impl Display) -> Result<T, String> {
        self.map_err(|error| format!("{what}: {error}"))
    }
}

/// An AWS SDK error with its causes (its own `Display` says only "service error").
fn sdk_error(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

/// A response or frame in an error message: on one line, and not too long.
fn one_line(text: impl Display) -> String {
    let text = text.to_string().replace(['\n', '\r'], " ");
    match text.char_indices().nth(500) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text,
    }
}

/// An authorization header value for `token`.
fn bearer(token: &str) -> Result<HeaderValue, String> {
    HeaderValue::try_from(format!("Bearer {token}")).context("the access token is not a valid header value")
}

/// Aborts the tasks (servers this process runs for a phase) when the phase ends.
struct AbortOnDrop(Vec<tokio::task::JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// Serves `router` on `listener` until aborted.
fn serve(listener: tokio::net::TcpListener, router: axum::Router) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            eprintln!("bench: server stopped: {error}");
        }
    })
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
    /// What the function posted to /runtime/init/error, if it did.
    init_error: Arc<Mutex<Option<String>>>,
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
    headers
        .insert("lambda-runtime-aws-request-id", HeaderValue::from_str(&id).expect("a ULID is a valid header value"));
    headers.insert("lambda-runtime-deadline-ms", HeaderValue::from(now_ms() + 10_000));
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        HeaderValue::from_static("arn:aws:lambda:us-east-1:000000000000:function:bench"),
    );
    headers.insert("lambda-runtime-trace-id", HeaderValue::from_static("Root=1-00000000-000000000000000000000000"));
    (headers, invocation.event)
}

async fn respond(State(api): State<RuntimeApi>, UrlPath(id): UrlPath<String>, body: String) -> &'static str {
    let at = Instant::now();
    if let Some(sender) = api.pending.lock().await.remove(&id) {
        let _ = sender.send((at, body));
    }
    "{}"
}

async fn init_error(State(api): State<RuntimeApi>, body: String) -> &'static str {
    eprintln!("function init error: {body}");
    *api.init_error.lock().await = Some(body);
    "{}"
}

fn now_ms() -> u64 {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX)
}

/// A function process under the stand-in (killed, and its stand-in stopped, when dropped).
struct Running {
    name: String,
    child: tokio::process::Child,
    started: Instant,
    api: RuntimeApi,
    submit: mpsc::Sender<Invocation>,
    _server: AbortOnDrop,
}

impl Running {
    async fn start(name: &str, binary: &Path, env: &[(String, String)]) -> Result<Self, String> {
        let (submit, queue) = mpsc::channel(1);
        let api = RuntimeApi {
            queue: Arc::new(Mutex::new(queue)),
            pending: Arc::default(),
            first_poll: Arc::default(),
            init_error: Arc::default(),
        };
        let router = axum::Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(respond))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(respond))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(api.clone());
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.context("binding the Runtime API stand-in")?;
        let address = listener.local_addr().context("the Runtime API stand-in's address")?;
        let server = AbortOnDrop(vec![serve(listener, router)]);
        let started = Instant::now();
        let child = tokio::process::Command::new(binary)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context(format_args!("starting {}", binary.display()))?;
        Ok(Self { name: name.to_owned(), child, started, api, submit, _server: server })
    }

    /// Process start until the runtime first asked for work.
    async fn init_time(&mut self) -> Result<Duration, String> {
        loop {
            if let Some(at) = *self.api.first_poll.lock().await {
                return Ok(at - self.started);
            }
            if let Some(body) = self.api.init_error.lock().await.take() {
                return Err(format!("{}: init failed: {}", self.name, one_line(body)));
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("{} exited during init ({status})", self.name));
            }
            if self.started.elapsed() > INIT_TIMEOUT {
                return Err(format!(
                    "{} did not ask for work within {} s of starting",
                    self.name,
                    INIT_TIMEOUT.as_secs()
                ));
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }

    /// Sends one event; returns the latency at the Runtime API and the response.
    async fn invoke(&mut self, event: String) -> Result<(f64, Value), String> {
        let (respond, answer) = oneshot::channel();
        let sent = Instant::now();
        let exchange = async {
            self.submit.send(Invocation { event, respond }).await.ok()?;
            answer.await.ok()
        };
        match tokio::time::timeout(INVOKE_TIMEOUT, exchange).await {
            Ok(Some((at, body))) => {
                Ok(((at - sent).as_secs_f64() * 1000.0, serde_json::from_str(&body).unwrap_or(Value::Null)))
            }
            Ok(None) => Err(format!("{}: the Runtime API stand-in stopped", self.name)),
            Err(_) => {
                let exited = match self.child.try_wait() {
                    Ok(Some(status)) => format!(" (the process exited: {status})"),
                    _ => String::new(),
                };
                Err(format!("{}: no response within {} s{exited}", self.name, INVOKE_TIMEOUT.as_secs()))
            }
        }
    }

    fn peak_rss_kib(&self) -> Result<f64, String> {
        let pid = self.child.id().ok_or_else(|| format!("{}: the process is gone, no peak RSS", self.name))?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .context(format_args!("{}: reading /proc/{pid}/status", self.name))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .ok_or_else(|| format!("{}: no VmHWM in /proc/{pid}/status", self.name))
    }

    /// Emits `<name>.peak_rss`.
    fn report_peak_rss(&self) -> Outcome {
        emit(&format!("{}.peak_rss", self.name), self.peak_rss_kib()? / 1024.0, "MiB");
        Ok(())
    }

    /// One warm-up call and `runs` measured ones, the event of call `run` made by
    /// `event(run)`; every response must have status `expected`. Returns the measured
    /// latencies and the last response.
    async fn warm(
        &mut self,
        runs: usize,
        expected: u64,
        mut event: impl FnMut(usize) -> Result<String, String>,
    ) -> Result<(Vec<f64>, Value), String> {
        let trace_rss = std::env::var_os("BENCH_TRACE_RSS").is_some();
        let mut samples = Vec::with_capacity(runs);
        let mut last = Value::Null;
        for run in 0..=runs {
            let (ms, response) = self.invoke(event(run)?).await?;
            let status = status_of(&response);
            if status != expected {
                return Err(format!(
                    "{}: call {run} answered {status}, expected {expected}: {}",
                    self.name,
                    one_line(&response)
                ));
            }
            if trace_rss {
                eprintln!("{} #{run}: {:.1} ms, peak RSS {:.1} MiB", self.name, ms, self.peak_rss_kib()? / 1024.0);
            }
            if run > 0 {
                samples.push(ms);
            }
            last = response;
        }
        Ok((samples, last))
    }
}

fn event(method: &str, path: &str, route: &str, token: Option<&str>, body: Option<Value>) -> Result<String, String> {
    let mut headers = HeaderMap::new();
    if body.is_some() {
        headers.insert("content-type", HeaderValue::from_static("application/json"));
    }
    if let Some(token) = token {
        headers.insert("authorization", bearer(token)?);
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
    Ok(dev_gateway::event::http_event(&call, route, &[], &ulid::Ulid::new().to_string(), chrono::Utc::now())
        .to_string())
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

/// The bench's phases, in the order a run takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Binary size and init time of every function.
    Sizes,
    /// Warm latency and memory of the function binaries; argon2 on its own.
    Functions,
    /// Request + accept under concurrent clients.
    Booking,
    /// 200 WebSocket clients through the dev gateway.
    Chat,
    /// Match and search over `BENCH_MENTORS` seeded mentors.
    Matching,
    /// Leaderboards with 100,000 scored members.
    Leaderboard,
}

impl Phase {
    const ALL: [Self; 6] = [Self::Sizes, Self::Functions, Self::Booking, Self::Chat, Self::Matching, Self::Leaderboard];
    /// Without `BENCH_ONLY`: every phase but those that need a DynamoDB Local of their own
    /// (matching is in, as before; `make bench` gives it an empty `BENCH_MENTORS`).
    const DEFAULT: [Self; 4] = [Self::Sizes, Self::Functions, Self::Booking, Self::Matching];

    fn name(self) -> &'static str {
        match self {
            Self::Sizes => "sizes",
            Self::Functions => "functions",
            Self::Booking => "booking",
            Self::Chat => "chat",
            Self::Matching => "matching",
            Self::Leaderboard => "leaderboard",
        }
    }

    /// The phases `BENCH_ONLY` names (comma-separated), in run order; the default set when
    /// it is unset or empty.
    fn selected(only: Option<&str>) -> Result<Vec<Self>, String> {
        let names: Vec<&str> =
            only.unwrap_or_default().split(',').map(str::trim).filter(|name| !name.is_empty()).collect();
        if names.is_empty() {
            return Ok(Self::DEFAULT.to_vec());
        }
        if let Some(unknown) = names.iter().find(|name| !Self::ALL.iter().any(|phase| phase.name() == **name)) {
            let known: Vec<&str> = Self::ALL.iter().map(|phase| phase.name()).collect();
            return Err(format!("BENCH_ONLY names no phase {unknown:?} (phases: {})", known.join(", ")));
        }
        Ok(Self::ALL.into_iter().filter(|phase| names.contains(&phase.name())).collect())
    }
}

/// What every phase works with.
struct Bench {
    template: dev_gateway::Template,
    release: PathBuf,
    endpoint: String,
    client: aws_sdk_dynamodb::Client,
    /// Whether `matching` was asked for by name (then an empty `BENCH_MENTORS` is an error).
    matching_named: bool,
}

impl Bench {
    /// A new table laid out as template.yaml's, named `<prefix>-<ulid>`.
    async fn fresh_table(&self, prefix: &str) -> Result<String, String> {
        // A plain call first, so an unreachable DynamoDB Local says so in one line.
        self.client
            .list_tables()
            .limit(1)
            .send()
            .await
            .map_err(|error| format!("DynamoDB Local at {} did not answer: {}", self.endpoint, sdk_error(&error)))?;
        let table = format!("{prefix}-{}", ulid::Ulid::new());
        dev_gateway::table::ensure_table(&self.client, &self.template, &table)
            .await
            .context(format_args!("creating table {table}"))?;
        Ok(table)
    }

    /// The configuration of an app on `table`, as the local stack makes it: with keys of its
    /// own unless the environment gives them, so apps that must accept each other's tokens
    /// share one.
    fn config(&self, table: &str) -> Result<shared::config::Config, String> {
        dev_gateway::local::config(table, &self.endpoint).context("the app's local configuration")
    }

    /// An app on `table`, built as the local stack builds it.
    fn app(&self, table: &str) -> Result<shared::App, String> {
        Ok(build_app(&self.config(table)?, shared::startup::Clients::new(self.client.clone())))
    }

    /// The environment of a function binary on `table`: every binary gets every key; each
    /// reads only those its main.rs names.
    fn function_env(&self, table: &str) -> Result<Vec<(String, String)>, String> {
        let (signing, public) = shared::auth::SigningKey::generate("bench").context("making a signing key")?;
        let (signing, public) = (signing.to_json(), public.to_jwks());
        Ok([
            ("TABLE_NAME", table),
            ("DYNAMODB_ENDPOINT", self.endpoint.as_str()),
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
            // Uploads builds its S3 client at init as in AWS; profile and admin-verifications
            // their link signer (presigning makes no call).
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
        .collect())
    }

    /// A function binary `make bench` built (see `--packages`).
    fn binary(&self, function: &str) -> Result<PathBuf, String> {
        let binary = self.release.join(function);
        if !binary.is_file() {
            return Err(format!("{} missing: build with make bench", binary.display()));
        }
        Ok(binary)
    }

    async fn run(&self, phase: Phase) -> Outcome {
        match phase {
            Phase::Sizes => sizes_and_init(self).await,
            Phase::Functions => function_figures(self).await,
            Phase::Booking => booking_figures(self).await,
            Phase::Chat => chat_figures(self).await,
            Phase::Matching => {
                for mentors in mentor_counts(std::env::var("BENCH_MENTORS").ok().as_deref(), self.matching_named)? {
                    matching_figures(self, mentors).await?;
                }
                Ok(())
            }
            Phase::Leaderboard => leaderboard_figures(self).await,
        }
    }
}

/// The mentor counts of `BENCH_MENTORS` (comma-separated; 10000,100000 when unset). Empty
/// skips matching, unless it was asked for by name.
fn mentor_counts(setting: Option<&str>, named: bool) -> Result<Vec<usize>, String> {
    let Some(setting) = setting else {
        return Ok(vec![10_000, 100_000]);
    };
    let counts = setting
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.parse().map_err(|_| format!("BENCH_MENTORS: {n:?} is not a number of mentors")))
        .collect::<Result<Vec<usize>, String>>()?;
    if counts.is_empty() && named {
        return Err("BENCH_MENTORS is set but names no mentor count".to_owned());
    }
    Ok(counts)
}

/// The phases' failures, as `bench: FAILED: ...` gives them.
fn summary(failures: &[(&str, String)]) -> String {
    failures.iter().map(|(phase, reason)| format!("{phase}: {}", one_line(reason))).collect::<Vec<_>>().join("; ")
}

/// Prints `bench: FAILED: ...`, appends the failures to `BENCH_FAILURES` when it is set,
/// and gives exit status 1.
fn failed(failures: &[(&str, String)]) -> ExitCode {
    eprintln!("bench: FAILED: {}", summary(failures));
    if let Some(path) = std::env::var_os("BENCH_FAILURES").filter(|p| !p.is_empty()) {
        use std::io::Write as _;
        let lines: String = failures.iter().map(|(phase, reason)| format!("{phase}: {}\n", one_line(reason))).collect();
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut file| file.write_all(lines.as_bytes()));
        if let Err(error) = written {
            eprintln!("bench: could not append to BENCH_FAILURES={}: {error}", PathBuf::from(path).display());
        }
    }
    ExitCode::FAILURE
}

#[tokio::main]
async fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let template = dev_gateway::Template::load(&root.join("template.yaml"));
    // `make bench` asks which packages to build: the template's functions, no list of its own.
    if std::env::args().nth(1).as_deref() == Some("--packages") {
        return match template {
            Ok(template) => {
                println!("{}", packages(&template).trim_end());
                ExitCode::SUCCESS
            }
            Err(error) => failed(&[("packages", format!("template.yaml: {error}"))]),
        };
    }
    let phases = match Phase::selected(std::env::var("BENCH_ONLY").ok().as_deref()) {
        Ok(phases) => phases,
        Err(reason) => return failed(&[("setup", reason)]),
    };
    let template = match template {
        Ok(template) => template,
        Err(error) => return failed(&[("setup", format!("template.yaml: {error}"))]),
    };
    let Some(endpoint) = std::env::var("DYNAMODB_ENDPOINT").ok().filter(|e| !e.is_empty()) else {
        let reason =
            "DYNAMODB_ENDPOINT is not set: run through `make bench` (infra/stack.sh run starts DynamoDB Local)";
        return failed(&[("setup", reason.to_owned())]);
    };
    let bench = Bench {
        client: dev_gateway::local::dynamo_client(&endpoint),
        template,
        release: root.join("target/release"),
        endpoint,
        matching_named: std::env::var("BENCH_ONLY").is_ok_and(|only| only.split(',').any(|p| p.trim() == "matching")),
    };

    let mut failures = Vec::new();
    for phase in phases {
        if let Err(reason) = bench.run(phase).await {
            eprintln!("bench: {} failed: {reason}", phase.name());
            failures.push((phase.name(), reason));
        }
    }
    if failures.is_empty() { ExitCode::SUCCESS } else { failed(&failures) }
}

/// The signing secret the bench's webhook deliveries are signed with.
const WEBHOOK_SECRET: &str = "whsec_bench";

/// Binary size and init time of every function of the template.
async fn sizes_and_init(bench: &Bench) -> Outcome {
    let table = bench.fresh_table("bench-init").await?;
    let env = bench.function_env(&table)?;
    // Every function of the template: what `make bench` built (see `--packages`).
    for function in &bench.template.functions {
        let binary = bench.binary(function)?;
        let size = std::fs::metadata(&binary).context(format_args!("{}", binary.display()))?.len();
        emit(&format!("{function}.binary_size"), size as f64 / (1024.0 * 1024.0), "MiB");
        let mut inits = Vec::with_capacity(COLD_RUNS);
        for _ in 0..COLD_RUNS {
            let mut running = Running::start(function, &binary, &env).await?;
            inits.push(running.init_time().await?.as_secs_f64() * 1000.0);
        }
        report_latencies(&format!("{function}.init"), inits);
    }
    Ok(())
}

/// Warm latency and memory of register, login, GET /me, POST /me/uploads, GET /me/payouts,
/// POST /webhooks/stripe, GET /me/verification and the admin reads (after the operator's
/// grant-admin), and argon2 on its own.
async fn function_figures(bench: &Bench) -> Outcome {
    let table = bench.fresh_table("bench").await?;
    let env = &bench.function_env(&table)?;
    let start = |function: &'static str| async move {
        let mut running = Running::start(function, &bench.binary(function)?, env).await?;
        running.init_time().await?;
        Ok::<_, String>(running)
    };

    // register: every call creates an account (argon2 hash + one transaction).
    let mut register = start("register").await?;
    let (samples, response) = register
        .warm(HASHING_RUNS, 201, |run| {
            let body = json!({"email": format!("bench{run}@example.com"), "password": "correct horse battery", "name": "Bench", "roles": "both"});
            event("POST", "/auth/register", "POST /auth/register", None, Some(body))
        })
        .await?;
    let session = body_of(&response);
    report_latencies("register.warm", samples);
    register.report_peak_rss()?;
    drop(register);

    // login: two counter updates and a GetItem, argon2 verify, GetItem, one transaction,
    // and the counters given back.
    let mut login = start("login").await?;
    let (samples, _) = login
        .warm(HASHING_RUNS, 200, |_| {
            let body = json!({"email": "bench0@example.com", "password": "correct horse battery"});
            event("POST", "/auth/login", "POST /auth/login", None, Some(body))
        })
        .await?;
    report_latencies("login.warm", samples);
    login.report_peak_rss()?;
    drop(login);

    // GET /me: JWT check + one GetItem.
    let token = session["access_token"]
        .as_str()
        .ok_or_else(|| format!("register answered no access_token: {}", one_line(&session)))?
        .to_owned();
    let mut profile = start("profile").await?;
    let (samples, _) = profile.warm(WARM_RUNS, 200, |_| event("GET", "/me", "GET /me", Some(&token), None)).await?;
    let me_p50 = report_latencies("get_me.warm", samples);
    profile.report_peak_rss()?;
    drop(profile);

    // POST /me/uploads: JWT check, GetItem, a presigned PUT (local SigV4), one PutItem.
    let mut uploads = start("uploads").await?;
    let (samples, _) = uploads
        .warm(WARM_RUNS, 201, |_| {
            let body = json!({"purpose": "transcript", "content_type": "application/pdf", "size_bytes": 48213});
            event("POST", "/me/uploads", "POST /me/uploads", Some(&token), Some(body))
        })
        .await?;
    report_latencies("start_upload.warm", samples);
    uploads.report_peak_rss()?;
    drop(uploads);

    // GET /me/payouts: JWT check, the standing and the payout account read together.
    let mut payouts = start("payments").await?;
    let (samples, _) =
        payouts.warm(WARM_RUNS, 200, |_| event("GET", "/me/payouts", "GET /me/payouts", Some(&token), None)).await?;
    report_latencies("my_payouts.warm", samples);
    payouts.report_peak_rss()?;
    drop(payouts);

    // POST /webhooks/stripe: HMAC over the raw body, the event parsed, one conditional put.
    let mut webhook = start("stripe-webhook").await?;
    let (samples, _) = webhook
        .warm(WARM_RUNS, 200, |run| {
            let body =
                json!({"id": format!("evt_bench{run}"), "object": "event", "created": chrono::Utc::now().timestamp(),
                "livemode": false, "pending_webhooks": 1, "type": "customer.created",
                "data": {"object": {"id": "cus_bench", "object": "customer"}}})
                .to_string();
            let signature = stripe_webhook::Webhook::generate_test_header(&body, WEBHOOK_SECRET, None);
            let mut headers = HeaderMap::new();
            headers.insert("content-type", HeaderValue::from_static("application/json"));
            headers.insert(
                "stripe-signature",
                HeaderValue::try_from(signature).context("the Stripe signature is not a valid header value")?,
            );
            let call = dev_gateway::event::HttpCall {
                method: "POST",
                path: "/webhooks/stripe",
                query: "",
                headers: &headers,
                body: body.as_bytes(),
                source_ip: "127.0.0.1",
            };
            Ok(dev_gateway::event::http_event(&call, "POST /webhooks/stripe", &[], "bench", chrono::Utc::now())
                .to_string())
        })
        .await?;
    report_latencies("stripe_webhook.warm", samples);
    webhook.report_peak_rss()?;
    drop(webhook);

    // GET /me/verification: JWT check, the standing and the newest request read together.
    let mut verification = start("verification").await?;
    let (samples, _) = verification
        .warm(WARM_RUNS, 200, |_| event("GET", "/me/verification", "GET /me/verification", Some(&token), None))
        .await?;
    report_latencies("my_verification.warm", samples);
    verification.report_peak_rss()?;
    drop(verification);

    // The operator's one-shot grant (the grant-admin function), then a sign-in carrying the role.
    let mut grant = start("grant-admin").await?;
    let (_, granted) = grant.invoke(json!({"email": "bench0@example.com"}).to_string()).await?;
    if !granted["roles"].as_array().is_some_and(|roles| roles.iter().any(|r| r == "admin")) {
        return Err(format!("grant-admin did not make bench0 an admin: {}", one_line(&granted)));
    }
    grant.report_peak_rss()?;
    drop(grant);
    let mut login = start("login").await?;
    let (_, signed_in) = login
        .warm(0, 200, |_| {
            let body = json!({"email": "bench0@example.com", "password": "correct horse battery"});
            event("POST", "/auth/login", "POST /auth/login", None, Some(body))
        })
        .await?;
    drop(login);
    let admin = body_of(&signed_in)["access_token"]
        .as_str()
        .ok_or_else(|| format!("login answered no access_token: {}", one_line(&signed_in)))?
        .to_owned();

    // The admin reads: the admin check from the token, then queries (no scan) and counters.
    for (function, figure, path) in [
        ("admin-stats", "admin_stats", "/admin/stats"),
        ("admin-users", "admin_users", "/admin/users"),
        ("admin-verifications", "admin_verifications", "/admin/verifications"),
        ("admin-reports", "admin_reports", "/admin/reports"),
        ("audit", "admin_audit", "/admin/audit"),
    ] {
        let route = format!("GET {path}");
        let mut running = start(function).await?;
        let (samples, _) = running.warm(WARM_RUNS, 200, |_| event("GET", path, &route, Some(&admin), None)).await?;
        report_latencies(&format!("{figure}.warm"), samples);
        running.report_peak_rss()?;
    }

    // The same GetItem straight from this process: what GET /me adds beyond it is overhead.
    let user_id = session["user"]["id"]
        .as_str()
        .ok_or_else(|| format!("register answered no user id: {}", one_line(&session)))?;
    let user_id = shared::domain::UserId::parse(user_id).context("register's user id")?;
    let key = shared::adapters::dynamo::keys::user(&user_id).item();
    let mut samples = Vec::new();
    for _ in 0..=WARM_RUNS {
        let started = Instant::now();
        let read = bench.client.get_item().table_name(&table).set_key(Some(key.clone())).consistent_read(true).send();
        read.await.map_err(|error| format!("GetItem on {table}: {}", sdk_error(&error)))?;
        samples.push(ms_since(started));
    }
    samples.remove(0);
    let get_item_p50 = report_latencies("dynamodb_get_item", samples);
    emit("get_me.overhead_beyond_dynamodb.p50", me_p50 - get_item_p50, "ms");

    // argon2id on its own, in this (release) process.
    let hasher = shared::auth::PasswordHasher::new();
    let email = shared::domain::Email::parse("a@example.com").expect("a constant, valid address");
    let password =
        shared::domain::Password::parse("correct horse battery", &email).expect("a constant, valid password");
    let mut hashes = Vec::new();
    let mut verifies = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let stored = hasher.hash(&password).context("argon2id hash")?;
        hashes.push(ms_since(started));
        let started = Instant::now();
        hasher.verify("correct horse battery", Some(&stored)).context("argon2id verify")?;
        verifies.push(ms_since(started));
    }
    report_latencies("argon2id.hash", hashes);
    report_latencies("argon2id.verify", verifies);
    Ok(())
}

/// An app with `config` and `clients`, on the system clock.
fn build_app(config: &shared::config::Config, clients: shared::startup::Clients) -> shared::App {
    shared::startup::build(config, clients, Arc::new(shared::ports::SystemClock))
}

/// Registers a member with `roles` ("mentor", "learner", "both") through `app`.
async fn register(app: &shared::App, email: &str, roles: &str) -> Result<shared::domain::User, String> {
    use shared::domain::{DisplayName, Email, Password, Roles};
    let email = Email::parse(email).context(format_args!("email {email}"))?;
    let registration = shared::app::Registration {
        password: Password::parse("bench password long", &email).context("the bench password")?,
        name: DisplayName::parse("Bench").expect("a constant, valid name"),
        roles: Roles::from_requested(roles).context(format_args!("roles {roles}"))?,
        email,
    };
    let email = registration.email.to_string();
    Ok(app.register(registration).await.context(format_args!("registering {email}"))?.user)
}

/// Seeds `mentors` mentors into a fresh table, then measures GET /match and GET /mentors
/// through the handler (in process, genuine events), with DynamoDB reads per call.
async fn matching_figures(bench: &Bench, mentors: usize) -> Outcome {
    let table = bench.fresh_table("bench-match").await?;
    let config = seed::SeedConfig { seed: 42, mentors, learners: 200, credentials_for: 0, progress: true };
    let report = seed::seed(&bench.client, &table, &config).await.context(format_args!("seeding {mentors} mentors"))?;
    let tag = format!("{}k", mentors / 1000);
    emit(&format!("seed.{tag}.items"), report.items as f64, "items");
    emit(&format!("seed.{tag}.duration"), report.seconds, "s");

    let app = bench.app(&table)?;
    // A learner with wanted skills, languages and availability, as seeded.
    let learner = (0..200)
        .map(|i| seed::demo_learner(42, i))
        .find(|l| !l.profile.learning.is_empty() && l.profile.timezone.is_some())
        .ok_or("no seeded learner wants a skill and has a timezone")?;
    let token = app.tokens.issue(&learner.id, learner.roles, chrono::Utc::now()).context("issuing a token")?;
    let authorization = bearer(&token)?;
    // The seeder's vocabulary is in popularity order: the first skill is the largest
    // listing partition, the worst case for a search.
    let popular =
        shared::domain::SkillName::parse(seed::vocabulary::SKILLS[0].0).context("the seeder's first skill")?;

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
            let mut headers = HeaderMap::new();
            headers.insert("authorization", authorization.clone());
            let call = dev_gateway::event::HttpCall {
                method: "GET",
                path,
                query: &query,
                headers: &headers,
                body: b"",
                source_ip: "127.0.0.1",
            };
            let event = dev_gateway::event::http_event(&call, route, &[], "bench", chrono::Utc::now()).to_string();
            let request = lambda_http::request::from_str(&event).context(format_args!("{name}: the event"))?;
            let started = Instant::now();
            let response = matching::handler(&app, request).await;
            let elapsed = ms_since(started);
            if response.status() != 200 {
                return Err(format!(
                    "{name}.{tag}: call {run} answered {}: {}",
                    response.status(),
                    one_line(String::from_utf8_lossy(response.body()))
                ));
            }
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
    Ok(())
}

/// Concurrent clients in the booking benchmark.
const BOOKING_CLIENTS: usize = 20;
/// Request + accept cycles per client.
const BOOKING_CYCLES: usize = 15;

/// Request + accept latency under concurrent clients, through the `book` handler.
async fn booking_figures(bench: &Bench) -> Outcome {
    use shared::domain::{AvailabilityWindow, ProfileChanges, TimeOfDay, Timezone, Weekday, WeeklyAvailability};
    use shared::ports::AccountStore as _;

    let table = bench.fresh_table("bench-book").await?;
    let mut app = bench.app(&table)?;
    // This measures booking under load, not refusals: each pair's BOOKING_CYCLES requests
    // are more than the request limits allow in an hour, so they are lifted here.
    for limit in [&mut app.limits.session_requests_per_pair, &mut app.limits.session_requests_per_learner] {
        limit.max = u32::MAX;
    }
    let app = &app;
    let all_week = WeeklyAvailability::new(
        Weekday::ALL
            .iter()
            .map(|d| {
                let (from, to) = (TimeOfDay::parse("00:00"), TimeOfDay::parse("24:00"));
                AvailabilityWindow::new(*d, from.expect("a constant time"), to.expect("a constant time"))
                    .expect("a whole day is a valid window")
            })
            .collect(),
    )
    .expect("one whole-day window per weekday is a valid week");
    // One mentor and one learner per client, so clients compete for the table, not for time.
    let mut pairs = Vec::new();
    for i in 0..BOOKING_CLIENTS {
        let mentor = register(app, &format!("mentor{i}@bench.example"), "mentor").await?;
        let learner = register(app, &format!("learner{i}@bench.example"), "learner").await?;
        let changes = ProfileChanges {
            timezone: Some(Timezone::parse("UTC").expect("UTC is a time zone")),
            availability: Some(all_week.clone()),
            ..Default::default()
        };
        let bearer =
            shared::domain::Bearer { member: mentor.id.clone(), roles: mentor.roles, issued_at: chrono::Utc::now() };
        let profiled = app.update_profile(&bearer, changes).await.context(format_args!("mentor {i}'s profile"))?;
        let mut verified = profiled.clone();
        verified.verification = shared::domain::VerificationStatus::Verified;
        verified.version += 1;
        app.store.save_user(&verified, &profiled).await.context(format_args!("verifying mentor {i}"))?;
        let now = chrono::Utc::now();
        pairs.push((
            mentor.id.to_string(),
            app.tokens.issue(&mentor.id, mentor.roles, now).context("issuing a token")?,
            app.tokens.issue(&learner.id, learner.roles, now).context("issuing a token")?,
        ));
    }
    let base = (chrono::Utc::now() + chrono::Duration::days(2))
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc();
    let invoke = |method: &'static str, path: String, route: &'static str, token: String, body: Option<String>| async move {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", bearer(&token)?);
        headers.insert("content-type", HeaderValue::from_static("application/json"));
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
        let request = lambda_http::request::from_str(&event).context(format_args!("{route}: the event"))?;
        let started = Instant::now();
        let response = book::handler(app, request).await;
        Ok::<_, String>((ms_since(started), response))
    };
    let refused = |client: usize, cycle: usize, what: &str, response: &lambda_http::Response<lambda_http::Body>| {
        format!(
            "client {client}, cycle {cycle}: {what} answered {}: {}",
            response.status(),
            one_line(String::from_utf8_lossy(response.body()))
        )
    };
    let started = Instant::now();
    let clients = pairs.into_iter().enumerate().map(|(client, (mentor_id, mentor_token, learner_token))| async move {
        let mut requests = Vec::new();
        let mut accepts = Vec::new();
        for cycle in 0..BOOKING_CYCLES {
            let start = base + chrono::Duration::hours(cycle as i64);
            let body =
                json!({"mentor_id": mentor_id, "start": start.to_rfc3339(), "duration_minutes": 60, "topic": "bench"});
            let (ms, response) =
                invoke("POST", "/sessions".into(), "POST /sessions", learner_token.clone(), Some(body.to_string()))
                    .await?;
            if response.status() != 201 {
                return Err(refused(client, cycle, "POST /sessions", &response));
            }
            requests.push(ms);
            let id = serde_json::from_slice::<Value>(response.body())
                .ok()
                .and_then(|session| session["id"].as_str().map(str::to_owned))
                .ok_or_else(|| refused(client, cycle, "POST /sessions (no session id)", &response))?;
            let (ms, response) = invoke(
                "POST",
                format!("/sessions/{id}/accept"),
                "POST /sessions/{id}/accept",
                mentor_token.clone(),
                None,
            )
            .await?;
            if response.status() != 200 {
                return Err(refused(client, cycle, "POST /sessions/{id}/accept", &response));
            }
            accepts.push(ms);
        }
        Ok((requests, accepts))
    });
    let results = futures_util::future::try_join_all(clients).await?;
    let elapsed = started.elapsed().as_secs_f64();
    let (requests, accepts): (Vec<Vec<f64>>, Vec<Vec<f64>>) = results.into_iter().unzip();
    let (requests, accepts): (Vec<f64>, Vec<f64>) = (requests.concat(), accepts.concat());
    let pairs: Vec<f64> = requests.iter().zip(&accepts).map(|(r, a)| r + a).collect();
    report_latencies("book.request.20_clients", requests);
    report_latencies("book.accept.20_clients", accepts);
    report_latencies("book.request_plus_accept.20_clients", pairs);
    emit("book.throughput.20_clients", (BOOKING_CLIENTS * BOOKING_CYCLES) as f64 / elapsed, "bookings/s");
    Ok(())
}

/// Connected WebSocket clients in the chat figures: half learners, half mentors, in pairs.
const CHAT_CLIENTS: usize = 200;
/// Messages each learner sends its mentor, one at a time (all pairs at once).
const CHAT_MESSAGES: usize = 10;
/// Messages sent one at a time across the pairs, for the unloaded latency.
const CHAT_QUIET_MESSAGES: usize = 200;
/// How long a sent message may take to reach its recipient, and its ack its sender.
const CHAT_FRAME_TIMEOUT: Duration = Duration::from_secs(10);

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next JSON text frame on `socket`; an error frame (the chat's `"type": "error"`, or
/// the gateway's own `{"message": ...}`) or a closed socket is an error.
async fn next_frame(socket: &mut Socket) -> Result<Value, String> {
    use futures_util::StreamExt as _;
    use tokio_tungstenite::tungstenite::Message;
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => {
                let frame: Value = serde_json::from_str(&text)
                    .map_err(|error| format!("a frame that is not JSON ({error}): {}", one_line(text.as_str())))?;
                if frame["type"] == "error" || (frame.get("type").is_none() && frame["message"].is_string()) {
                    return Err(error_frame(&frame));
                }
                return Ok(frame);
            }
            Some(Ok(Message::Close(close))) => {
                return Err(format!(
                    "the gateway closed the socket ({})",
                    close.map(|c| c.to_string()).unwrap_or_default()
                ));
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => return Err(format!("socket error: {error}")),
            None => return Err("the socket closed".to_owned()),
        }
    }
}

/// An error frame, briefly: the chat's problem (status, title, detail, request id) or the
/// gateway's own message.
fn error_frame(frame: &Value) -> String {
    let problem = &frame["problem"];
    if problem.is_object() {
        let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
        format!(
            "error frame: {} {}: {} (request {})",
            problem["status"],
            text(&problem["title"]),
            text(&problem["detail"]),
            text(&problem["request_id"])
        )
    } else {
        format!("error frame {}", one_line(frame))
    }
}

/// Chat through the dev gateway's WebSocket API with [`CHAT_CLIENTS`] connected clients:
/// the time from a send leaving the sender's socket to the message arriving on the
/// recipient's, and messages per second with every pair sending at once. The gateway
/// and the app run in this process; no function binary is needed.
async fn chat_figures(bench: &Bench) -> Outcome {
    let table = bench.fresh_table("bench-chat").await?;
    let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("binding the gateway's HTTP side")?;
    let ws = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("binding the gateway's WebSocket side")?;
    let ws_address = ws.local_addr().context("the gateway's WebSocket address")?;
    let connections = dev_gateway::local::connections_api(&format!("http://{ws_address}"));
    // The gateway's app and the one that sets up members share a configuration: the
    // tokens one issues, the other accepts.
    let config = bench.config(&table)?;
    let app = build_app(&config, shared::startup::Clients::new(bench.client.clone()).with_push(connections));
    let gateway = Arc::new(
        dev_gateway::Gateway::new(
            app,
            bench.template.clone(),
            &dev_gateway::handlers::functions(),
            &dev_gateway::handlers::events(),
        )
        .context("the dev gateway")?,
    );
    let routers = (dev_gateway::Gateway::http_router(&gateway), dev_gateway::Gateway::websocket_router(&gateway));
    let _servers = AbortOnDrop(vec![serve(http, routers.0), serve(ws, routers.1)]);
    let setup = build_app(&config, shared::startup::Clients::new(bench.client.clone()));

    let pair_count = CHAT_CLIENTS / 2;
    let mut pairs = Vec::new();
    for i in 0..pair_count {
        let mentor = register(&setup, &format!("chat-mentor{i}@bench.example"), "mentor").await?;
        let learner = register(&setup, &format!("chat-learner{i}@bench.example"), "learner").await?;
        let items = shared::adapters::dynamo::DynamoStore::contact_items(&mentor.id, &learner.id, chrono::Utc::now())
            .context(format_args!("pair {i}: contact items"))?;
        for item in items {
            let put = bench.client.put_item().table_name(&table).set_item(Some(item)).send();
            put.await.map_err(|error| format!("pair {i}: storing the contact: {}", sdk_error(&error)))?;
        }
        let now = chrono::Utc::now();
        let token =
            |m: &shared::domain::User| setup.tokens.issue(&m.id, m.roles, now).context(format_args!("pair {i}: token"));
        pairs.push((mentor.id.to_string(), token(&mentor)?, token(&learner)?));
    }
    let url = format!("ws://{ws_address}/{}", gateway.stage());
    let mut connect_ms = Vec::new();
    let mut sockets = Vec::new();
    for (i, (mentor_id, mentor_token, learner_token)) in pairs.into_iter().enumerate() {
        let mut open = Vec::new();
        for (role, token) in [("mentor", mentor_token), ("learner", learner_token)] {
            let started = Instant::now();
            let (socket, _) = tokio_tungstenite::connect_async(format!("{url}?token={token}"))
                .await
                .context(format_args!("pair {i}: connecting the {role}"))?;
            connect_ms.push(ms_since(started));
            open.push(socket);
        }
        let (Some(learner), Some(mentor)) = (open.pop(), open.pop()) else {
            return Err(format!("pair {i}: two sockets were opened, fewer are left"));
        };
        sockets.push((mentor_id, mentor, learner));
    }
    emit("chat.connected_clients", gateway.hub().len() as f64, "clients");
    report_latencies("chat.connect", connect_ms);

    // One message in flight at a time, each pair in turn, all 200 clients connected: the
    // latency a member sees.
    let mut quiet = Vec::with_capacity(CHAT_QUIET_MESSAGES);
    for n in 0..CHAT_QUIET_MESSAGES {
        let pair = n % pair_count;
        let (mentor_id, mentor, learner) = &mut sockets[pair];
        let ms = exchange(mentor_id, mentor, learner, &format!("q{n}"))
            .await
            .map_err(|reason| format!("{reason} (pair {} of {pair_count}, one in flight)", pair + 1))?;
        quiet.push(ms);
    }
    report_latencies("chat.delivery.one_in_flight", quiet);

    // Every pair sending at once, each waiting for its message to arrive before the next:
    // throughput, and the latency at that load (queueing included).
    let started = Instant::now();
    let runs = sockets.iter_mut().enumerate().map(|(pair, (mentor_id, mentor, learner))| async move {
        let mut latencies = Vec::with_capacity(CHAT_MESSAGES);
        for n in 0..CHAT_MESSAGES {
            let ms = exchange(mentor_id, mentor, learner, &format!("p{pair}-m{n}"))
                .await
                .map_err(|reason| format!("{reason} (pair {} of {pair_count}, all at once)", pair + 1))?;
            latencies.push(ms);
        }
        Ok::<_, String>(latencies)
    });
    let latencies: Vec<f64> = futures_util::future::try_join_all(runs).await?.into_iter().flatten().collect();
    let seconds = started.elapsed().as_secs_f64();
    let messages = latencies.len();
    report_latencies(&format!("chat.delivery.{pair_count}_pairs_at_once"), latencies);
    emit("chat.messages_per_second", messages as f64 / seconds, "msg/s");
    Ok(())
}

/// The learner sends one message; the time until it arrives on the mentor's socket (ms).
/// Waits for the learner's ack too, and fails on an error frame on either socket.
async fn exchange(mentor_id: &str, mentor: &mut Socket, learner: &mut Socket, id: &str) -> Result<f64, String> {
    use futures_util::SinkExt as _;
    let frame = json!({"action": "sendMessage", "to_user_id": mentor_id, "text": "How do lifetimes work?", "client_msg_id": id})
        .to_string();
    let sent = Instant::now();
    let deadline = tokio::time::Instant::from_std(sent + CHAT_FRAME_TIMEOUT);
    learner
        .send(tokio_tungstenite::tungstenite::Message::Text(frame.into()))
        .await
        .map_err(|error| format!("sending on the learner's socket: {error}"))?;
    let mut delivered = None;
    let mut acked = false;
    while delivered.is_none() || !acked {
        tokio::select! {
            frame = next_frame(mentor), if delivered.is_none() => {
                let at = ms_since(sent);
                let frame = frame.map_err(|reason| format!("mentor's socket: {reason}"))?;
                if frame["type"] == "message" {
                    if frame["message"]["client_msg_id"] != id {
                        return Err(format!("expected message {id}, the mentor got {}", one_line(&frame)));
                    }
                    delivered = Some(at);
                }
            }
            frame = next_frame(learner), if !acked => {
                let frame = frame.map_err(|reason| format!("learner's socket: {reason}"))?;
                acked = frame["type"] == "ack";
            }
            () = tokio::time::sleep_until(deadline) => {
                let missing = if delivered.is_none() { "message" } else { "ack" };
                return Err(format!("no {missing} frame within {} s", CHAT_FRAME_TIMEOUT.as_secs()));
            }
        }
    }
    delivered.ok_or_else(|| "no message frame".to_owned())
}

/// Members on the board in the leaderboard figures.
const BOARD_USERS: usize = 100_000;

/// Loads a finished week's mentor board with [`BOARD_USERS`] scored members, then measures
/// GET /leaderboards/weekly (top 100) through the handler for a member at the top (exact
/// rank) and one far down (estimated standing), and the job that closes the week.
async fn leaderboard_figures(bench: &Bench) -> Outcome {
    use shared::domain::gamification::{LeaderboardPeriod, PeriodKind};
    use shared::domain::{Party, UserId};

    let table = bench.fresh_table("bench-board").await?;
    let app = bench.app(&table)?;
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
        rows[at].0 = register(&app, &format!("{name}@bench.example"), "mentor").await?.id;
    }
    let started = Instant::now();
    // One call: the histogram shards are written whole, so they must count every row.
    app.store.load_board(week, Party::Mentor, &rows).await.context("loading the board")?;
    emit("leaderboard.100k.load", started.elapsed().as_secs_f64(), "s");

    let query = format!("period={week}&role=mentor&limit=100");
    for (case, who) in [("top", &rows[0].0), ("far_down", &rows[BOARD_USERS * 3 / 4].0)] {
        let token = app
            .tokens
            .issue(who, shared::domain::Roles::only(shared::domain::Role::Mentor), chrono::Utc::now())
            .context("issuing a token")?;
        let authorization = bearer(&token)?;
        let mut samples = Vec::with_capacity(WARM_RUNS);
        let (requests_before, items_before) = app.store.reads().totals();
        let units_before = app.store.reads().read_units();
        for run in 0..=WARM_RUNS {
            let mut headers = HeaderMap::new();
            headers.insert("authorization", authorization.clone());
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
            let request = lambda_http::request::from_str(&event).context(format_args!("{case}: the event"))?;
            let started = Instant::now();
            let response = leaderboard::handler(&app, request).await;
            let elapsed = ms_since(started);
            if response.status() != 200 {
                return Err(format!(
                    "{case}: call {run} answered {}: {}",
                    response.status(),
                    one_line(String::from_utf8_lossy(response.body()))
                ));
            }
            if run == 0 {
                let body: Value = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
                let entries = body["entries"].as_array().map(Vec::len);
                if entries != Some(100) {
                    return Err(format!("{case}: the top 100 has {entries:?} entries: {}", one_line(&body)));
                }
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
    let closed = app.close_period(PeriodKind::Weekly, Some(week)).await.context("closing the week")?;
    emit("leaderboard_job.100k.duration", ms_since(started), "ms");
    emit("leaderboard_job.100k.read_units", app.store.reads().read_units() - units_before, "RCU");
    emit("leaderboard_job.100k.ranks_frozen", closed.boards.iter().map(|b| b.ranks).sum::<usize>() as f64, "ranks");
    let started = Instant::now();
    let again = app.close_period(PeriodKind::Weekly, Some(week)).await.context("closing the week again")?;
    if let Some(board) = again.boards.iter().find(|b| b.closed_now) {
        return Err(format!("closing the week again closed a board again: {} ranks", board.ranks));
    }
    emit("leaderboard_job.100k.rerun_duration", ms_since(started), "ms");
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

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

    #[test]
    fn selects_phases_in_run_order() {
        assert_eq!(Phase::selected(None).unwrap(), Phase::DEFAULT);
        assert_eq!(Phase::selected(Some("")).unwrap(), Phase::DEFAULT);
        assert!(!Phase::DEFAULT.contains(&Phase::Chat), "chat needs a DynamoDB Local of its own");
        assert_eq!(Phase::selected(Some("chat")).unwrap(), [Phase::Chat]);
        assert_eq!(
            Phase::selected(Some("leaderboard, sizes,chat")).unwrap(),
            [Phase::Sizes, Phase::Chat, Phase::Leaderboard]
        );
        let unknown = Phase::selected(Some("chat,nope")).unwrap_err();
        assert!(unknown.contains("\"nope\""), "{unknown}");
    }

    #[test]
    fn reads_mentor_counts() {
        assert_eq!(mentor_counts(None, false).unwrap(), [10_000, 100_000]);
        assert_eq!(mentor_counts(Some(""), false).unwrap(), Vec::<usize>::new());
        assert!(mentor_counts(Some(""), true).is_err());
        assert_eq!(mentor_counts(Some("10000, 20000"), true).unwrap(), [10_000, 20_000]);
        assert!(mentor_counts(Some("10k"), false).unwrap_err().contains("\"10k\""));
    }

    #[test]
    fn sums_up_failures_on_one_line() {
        let failures = [("chat", "no message frame\nwithin 10 s".to_owned()), ("matching", "x".to_owned())];
        assert_eq!(summary(&failures), "chat: no message frame within 10 s; matching: x");
    }
}
