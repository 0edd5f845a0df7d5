//! `make load`: drives many members at once through real journeys (sign-in and refresh,
//! match and search, booking, answers, cancellations, reschedules, chat over the WebSocket
//! API with receipts, notifications, points and boards) against a dev gateway of its own,
//! metered (`PEERLEARN_METER=1`), in the DynamoDB Local, moto and Stripe stand-in that
//! `infra/stack.sh run` started. Prints JSON lines (routes, statuses, journeys, WebSocket
//! delivery, what each action costs in capacity units and billed milliseconds, invariants)
//! and a short summary, keeps them in `.local/load/latest.jsonl` for `make cost`, and exits
//! non-zero on any unexpected answer or broken invariant.
//!
//! Environment: `MEMBERS` (200), `SECONDS` (120), `LOAD_SEED` (7), `CATALOGUE` (mentors in the
//! table beyond the signed-in ones, 1,000), `GATEWAY` (the dev-gateway binary; default
//! target/load/dev-gateway, as `make load` builds it), `LOAD_REPORT` (where the lines are kept;
//! default .local/load/latest.jsonl). `load cost [REPORT]` prints the cost
//! table of a report instead (`make cost`).

mod cost;
mod members;
mod mix;
mod pricing;
mod stats;

use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::members::{Member, Side, World};
use crate::stats::{Recorder, round};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(reason) => {
            eprintln!("load: FAILED: {reason}");
            ExitCode::FAILURE
        }
    }
}

fn env_number(name: &str, default: u64) -> Result<u64, String> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => value.parse().map_err(|_| format!("{name} must be a number, not {value:?}")),
        _ => Ok(default),
    }
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// The dev gateway of this run, stopped when dropped.
struct Gateway {
    child: tokio::process::Child,
    base: String,
    ws: String,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

async fn start_gateway(root: &PathBuf, table: &str) -> Result<Gateway, String> {
    let binary = std::env::var("GATEWAY").map(PathBuf::from).unwrap_or_else(|_| root.join("target/load/dev-gateway"));
    let (port, ws_port) = (free_port()?, free_port()?);
    let moto = std::env::var("MOTO_ENDPOINT").unwrap_or_default();
    let log = std::fs::File::create(root.join(".local/load/gateway.log")).map_err(|e| e.to_string())?;
    let mut command = tokio::process::Command::new(&binary);
    command
        .current_dir(root)
        .env("PORT", port.to_string())
        .env("WS_PORT", ws_port.to_string())
        .env("TABLE_NAME", table)
        .env("TEMPLATE", root.join("template.yaml"))
        .env("PEERLEARN_METER", "1")
        .env("RUST_LOG", "warn")
        .env("SNS_ENDPOINT", &moto)
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .kill_on_drop(true);
    let child =
        command.spawn().map_err(|e| format!("cannot start {}: {e} (build it with make load)", binary.display()))?;
    let gateway =
        Gateway { child, base: format!("http://127.0.0.1:{port}"), ws: format!("ws://127.0.0.1:{ws_port}/dev") };
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if http.get(format!("{}/openapi.json", gateway.base)).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok(gateway);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err("the dev gateway did not answer within 30 s; see .local/load/gateway.log".into())
}

/// `load cost [REPORT]`: the cost table of a load report (default: the last run's).
fn cost_table(root: &std::path::Path) -> Result<bool, String> {
    let path = std::env::args().nth(2).map(PathBuf::from).unwrap_or_else(|| root.join(".local/load/latest.jsonl"));
    let lines = cost::read(&path)?;
    let template = dev_gateway::Template::load(&root.join("template.yaml")).map_err(|e| e.to_string())?;
    print!("{}", cost::report(&lines, &template.memory_mb)?);
    Ok(true)
}

async fn run() -> Result<bool, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    if std::env::args().nth(1).as_deref() == Some("cost") {
        return cost_table(&root);
    }
    let members = usize::try_from(env_number("MEMBERS", 200)?).map_err(|e| e.to_string())?.max(2);
    let seconds = env_number("SECONDS", 120)?.max(1);
    let seed = env_number("LOAD_SEED", 7)?;
    let endpoint =
        std::env::var("DYNAMODB_ENDPOINT").map_err(|_| "DYNAMODB_ENDPOINT is not set: run it through `make load`")?;
    std::fs::create_dir_all(root.join(".local/load")).map_err(|e| e.to_string())?;

    let mentors = members.div_ceil(mix::MENTOR_SHARE);
    let learners = members - mentors;
    let table = format!("load-{}", ulid::Ulid::new());
    let gateway = start_gateway(&root, &table).await?;
    eprintln!(
        "load: {members} members ({learners} learners, {mentors} mentors) for {seconds} s against {}",
        gateway.base
    );

    // Demo data through the same item builders as the API: the signed-in members and a
    // catalogue of mentors to search.
    let client = dev_gateway::local::dynamo_client(&endpoint);
    let config = seed::SeedConfig {
        seed,
        mentors: mentors
            + usize::try_from(env_number("CATALOGUE", mix::CATALOGUE_MENTORS as u64)?).map_err(|e| e.to_string())?,
        learners,
        credentials_for: mentors.max(learners),
        progress: false,
    };
    let seeded = Instant::now();
    seed::seed(&client, &table, &config).await.map_err(|e| format!("seeding: {e}"))?;
    eprintln!("load: seeded {} users in {:.1} s", config.mentors + config.learners, seeded.elapsed().as_secs_f64());
    // What the seeded members occupy: `make cost` prices storage per member from it.
    let described =
        client.describe_table().table_name(&table).send().await.map_err(|e| format!("DescribeTable: {e}"))?;
    let stored =
        described.table().map(|t| (t.table_size_bytes().unwrap_or(0), t.item_count().unwrap_or(0))).unwrap_or((0, 0));

    let recorder = Arc::new(Recorder::default());
    let mut world = World {
        http: reqwest::Client::builder().pool_max_idle_per_host(members).build().map_err(|e| e.to_string())?,
        base: gateway.base.clone(),
        ws: gateway.ws.clone(),
        recorder: Arc::clone(&recorder),
        members: Vec::new(),
        by_id: HashMap::new(),
        mentors: Vec::new(),
        skills: seed::vocabulary::SKILLS.iter().take(20).map(|(name, _)| *name).collect(),
    };
    // Sign everyone in (16 at a time: argon2 is the cost of a sign-in).
    let accounts: Vec<(usize, Side, String)> = (0..members)
        .map(|i| {
            if i < mentors {
                (i, Side::Mentor, seed::mentor_email(i))
            } else {
                (i, Side::Learner, seed::learner_email(i - mentors))
            }
        })
        .collect();
    let signed: Vec<Result<(Member, bool), String>> = {
        use futures_util::StreamExt;
        let world_ref = &world;
        futures_util::stream::iter(accounts.iter())
            .map(|(i, side, email)| members::sign_in(world_ref, *i, *side, email, seed::DEMO_PASSWORD))
            .buffered(16)
            .collect()
            .await
    };
    for member in signed {
        let (member, verified) = member?;
        let member = Arc::new(member);
        world.by_id.insert(member.id.clone(), member.index);
        // Only verified mentors can be booked (some demo mentors are not yet).
        if member.side == Side::Mentor && verified {
            world.mentors.push(member.id.clone());
        }
        world.members.push(member);
    }
    let world = Arc::new(world);
    for member in &world.members {
        members::connect(Arc::clone(&world), Arc::clone(member)).await?;
    }
    // What one booking costs, alone, before the crowd arrives.
    let probe = members::probe_booking(&world).await;
    // Sign-ins and connections are set-up: the figures are for the run.
    let _ = world.http.delete(format!("{}/_local/metrics", world.base)).send().await;

    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = world
        .members
        .iter()
        .map(|m| tokio::spawn(members::run(Arc::clone(&world), Arc::clone(m), seed, until)))
        .collect();
    let progress = tokio::spawn(progress(Arc::clone(&recorder), started, seconds));
    for task in tasks {
        let _ = task.await;
    }
    progress.abort();
    let elapsed = started.elapsed().as_secs_f64();
    eprintln!();

    // What the stream still owes (points, notifications) is part of the run.
    settle(&world).await;
    let metrics = world
        .http
        .get(format!("{}/_local/metrics", world.base))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json::<Value>()
        .await
        .map_err(|e| e.to_string())?;
    let invariants = check_invariants(&world).await;

    let mut lines = vec![
        json!({"kind": "run", "members": members, "learners": learners, "mentors": mentors, "seconds": round(elapsed), "seed": seed}),
        json!({"kind": "table", "users": config.mentors + config.learners, "mentors": config.mentors, "learners": config.learners, "bytes": stored.0, "items": stored.1}),
    ];
    lines.extend(probe);
    lines.extend(recorder.lines(elapsed));
    lines.extend(action_lines(&metrics));
    lines.extend(
        invariants
            .iter()
            .map(|(name, ok, detail)| json!({"kind": "invariant", "name": name, "ok": ok, "detail": detail})),
    );
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    print!("{text}");
    let report =
        std::env::var("LOAD_REPORT").map(PathBuf::from).unwrap_or_else(|_| root.join(".local/load/latest.jsonl"));
    let _ = std::fs::write(report, &text);
    let (requests, unexpected) = recorder.counts();
    let broken = invariants.iter().filter(|(_, ok, _)| !ok).count();
    summary(&lines, requests, unexpected, broken, elapsed);
    Ok(unexpected == 0 && broken == 0)
}

async fn progress(recorder: Arc<Recorder>, started: Instant, seconds: u64) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let done = started.elapsed().as_secs().min(seconds);
        let width = 30;
        let filled = (done as usize * width) / seconds as usize;
        let (requests, unexpected) = recorder.counts();
        // A bar on a terminal; a line every 10 s in a log.
        if std::io::stderr().is_terminal() {
            eprint!(
                "\r[{}{}] {done:>4}/{seconds} s  {requests} requests  {unexpected} unexpected ",
                "=".repeat(filled),
                " ".repeat(width - filled)
            );
            let _ = std::io::stderr().flush();
        } else if done.is_multiple_of(10) {
            eprintln!("load: {done:>4}/{seconds} s  {requests} requests  {unexpected} unexpected");
        }
    }
}

/// Waits until the stream consumers have caught up: no new stream invocation for 3 s.
async fn settle(world: &World) {
    let mut last = -1.0;
    let mut quiet = 0;
    for _ in 0..60 {
        let count = match world.http.get(format!("{}/_local/metrics", world.base)).send().await {
            Ok(response) => response.json::<Value>().await.ok().map_or(0.0, |m| {
                m["functions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|r| r["action"] == "stream")
                    .map(|r| r["invocations"].as_f64().unwrap_or(0.0))
                    .sum()
            }),
            Err(_) => 0.0,
        };
        quiet = if count == last { quiet + 1 } else { 0 };
        if quiet >= 3 {
            return;
        }
        last = count;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Per function and action: invocations and, per invocation, capacity units and billed ms.
fn action_lines(metrics: &Value) -> Vec<Value> {
    metrics["functions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let n = r["invocations"].as_f64().unwrap_or(0.0).max(1.0);
            json!({
                "kind": "action", "function": r["function"], "action": r["action"], "invocations": r["invocations"],
                "read_units_per_call": round(r["read_units"].as_f64().unwrap_or(0.0) / n),
                "write_units_per_call": round(r["write_units"].as_f64().unwrap_or(0.0) / n),
                "billed_ms_per_call": round(r["billed_ms"].as_f64().unwrap_or(0.0) / n),
                "dynamodb_calls_per_call": round(r["dynamodb_calls"].as_f64().unwrap_or(0.0) / n),
                "websocket_pushes_per_call": round(r["websocket_pushes"].as_f64().unwrap_or(0.0) / n),
                "sns_publishes_per_call": round(r["sns_publishes"].as_f64().unwrap_or(0.0) / n),
                "duration_ms_p99": r["duration_ms_p99"],
            })
        })
        .collect()
}

/// Every page of a cursor-paged list at `path` (which has a `?`), as `member`: the items
/// of `field` from all pages, and the first page whole (for fields beside the list).
async fn all_pages(world: &World, member: &Member, path: &str, field: &str) -> Result<(Vec<Value>, Value), String> {
    let mut out = Vec::new();
    let mut first = None;
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{}{path}&cursor={c}", world.base),
            None => format!("{}{path}", world.base),
        };
        let response = world.http.get(url).bearer_auth(member.access()).send().await.map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("GET {path} answered {}", response.status()));
        }
        let page: Value = response.json().await.map_err(|e| e.to_string())?;
        out.extend(page[field].as_array().cloned().unwrap_or_default());
        let next = page["next_cursor"].as_str().map(str::to_owned);
        first.get_or_insert(page);
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok((out, first.unwrap_or_default())),
        }
    }
}

/// The invariants, each with whether it held and what was seen.
async fn check_invariants(world: &World) -> Vec<(&'static str, bool, String)> {
    let mut out = Vec::new();

    // No mentor holds two overlapping sessions.
    let mut overlaps = Vec::new();
    let mut held_total = 0;
    for member in world.members.iter().filter(|m| m.side == Side::Mentor) {
        match all_pages(world, member, "/sessions?when=upcoming&limit=50", "sessions").await {
            Ok((sessions, _)) => {
                let mut held: Vec<(i64, i64)> = sessions
                    .iter()
                    .filter(|s| matches!(s["state"].as_str(), Some("accepted" | "confirmed")))
                    .filter_map(|s| {
                        let start =
                            chrono::DateTime::parse_from_rfc3339(s["slot"]["start"].as_str()?).ok()?.timestamp();
                        Some((start, start + s["slot"]["duration_minutes"].as_i64()? * 60))
                    })
                    .collect();
                held.sort_unstable();
                held_total += held.len();
                overlaps.extend(held.windows(2).filter(|w| w[1].0 < w[0].1).map(|w| format!("{}: {w:?}", member.id)));
            }
            Err(error) => overlaps.push(error),
        }
    }
    out.push(("no_double_booking", overlaps.is_empty(), format!("{held_total} held sessions; {overlaps:?}")));

    // Every acknowledged message is stored exactly once.
    let acked = world.recorder.acked_messages();
    let mut by_conversation: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
    for a in &acked {
        by_conversation.entry(a.conversation.clone()).or_default().push((a.sender, a.client_msg_id.clone()));
    }
    let mut wrong = Vec::new();
    for (conversation, sent) in &by_conversation {
        let reader = &world.members[sent[0].0];
        match all_pages(world, reader, &format!("/conversations/{conversation}/messages?limit=50"), "messages").await {
            Ok((messages, _)) => {
                for (_, id) in sent {
                    let n = messages.iter().filter(|m| m["client_msg_id"].as_str() == Some(id)).count();
                    if n != 1 {
                        wrong.push(format!("{conversation}/{id}: stored {n} times"));
                    }
                }
            }
            Err(error) => wrong.push(error),
        }
    }
    out.push(("messages_stored_once", wrong.is_empty(), format!("{} acknowledged; {wrong:?}", acked.len())));

    // Each member's points total is the sum of their ledger.
    let mut mismatched = Vec::new();
    for member in &world.members {
        match all_pages(world, member, "/me/points?limit=50", "ledger").await {
            Ok((ledger, first)) => {
                let total = first["all_time"].as_i64().unwrap_or(-1);
                let sum: i64 = ledger.iter().filter_map(|e| e["points"].as_i64()).sum();
                if sum != total {
                    mismatched.push(format!("{}: total {total}, ledger {sum}", member.id));
                }
            }
            Err(error) => mismatched.push(error),
        }
    }
    out.push(("points_ledger_equals_totals", mismatched.is_empty(), format!("{mismatched:?}")));

    // No member received the same notification twice.
    let duplicates = world.recorder.duplicate_notifications();
    let frames = world.recorder.notification_frames();
    out.push(("notifications_delivered_once", duplicates.is_empty(), format!("{frames} frames; {duplicates:?}")));
    out
}

fn summary(lines: &[Value], requests: u64, unexpected: u64, broken: usize, seconds: f64) {
    eprintln!(
        "load: {requests} requests in {seconds:.0} s ({:.0}/s), {unexpected} unexpected answers",
        requests as f64 / seconds
    );
    eprintln!("  {:<42} {:>7} {:>8} {:>8} {:>8}", "route", "count", "p50 ms", "p95 ms", "p99 ms");
    for l in lines.iter().filter(|l| l["kind"] == "route") {
        eprintln!(
            "  {:<42} {:>7} {:>8} {:>8} {:>8}",
            l["route"].as_str().unwrap_or_default(),
            l["count"],
            l["p50_ms"],
            l["p95_ms"],
            l["p99_ms"]
        );
    }
    for l in lines.iter().filter(|l| l["kind"] == "booking_probe") {
        eprintln!(
            "  booking probe: {} -> {}, {} RRU, {} WRU (mentor with {} skills)",
            l["step"].as_str().unwrap_or_default(),
            l["status"],
            l["read_units"],
            l["write_units"],
            l["mentor_skills"]
        );
    }
    for l in lines.iter().filter(|l| l["kind"] == "websocket") {
        eprintln!(
            "  chat delivery: {} messages, p50 {} ms, p99 {} ms",
            l["messages_delivered"], l["delivery_p50_ms"], l["delivery_p99_ms"]
        );
    }
    for l in lines.iter().filter(|l| l["kind"] == "status" && l["expected"] == false) {
        eprintln!(
            "  UNEXPECTED {} {} x{}: {}",
            l["status"],
            l["route"].as_str().unwrap_or_default(),
            l["count"],
            l["example"].as_str().unwrap_or_default()
        );
    }
    for l in lines.iter().filter(|l| l["kind"] == "invariant") {
        let mark = if l["ok"] == true { "ok" } else { "BROKEN" };
        eprintln!(
            "  invariant {:<32} {mark}  {}",
            l["name"].as_str().unwrap_or_default(),
            l["detail"].as_str().unwrap_or_default()
        );
    }
    if broken > 0 || unexpected > 0 {
        eprintln!("load: FAILED: {unexpected} unexpected answers, {broken} broken invariants");
    }
}
