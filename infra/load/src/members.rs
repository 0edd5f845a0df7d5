//! The members: signed in over HTTP, connected over the WebSocket API, each running the
//! mix's journeys with the same calls a client makes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use shared::domain::{Interval, TimeSet, Timezone, WeeklyAvailability};
use tokio::sync::Mutex as AsyncMutex;
use tokio_tungstenite::tungstenite::Message;

use crate::mix::{self, Journey, Rng};
use crate::stats::{Acked, Recorder};

type Sink = futures_util::stream::SplitSink<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    Message,
>;

/// Learner or mentor: which mix a member follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Books and cancels.
    Learner,
    /// Answers and reschedules.
    Mentor,
}

/// One signed-in member.
#[derive(Debug)]
pub struct Member {
    /// Index among the members (reports name members by it).
    pub index: usize,
    /// Their side.
    pub side: Side,
    /// Their user id.
    pub id: String,
    tokens: Mutex<(String, String)>,
    socket: AsyncMutex<Option<Sink>>,
    /// People they share a session or request with (may chat).
    contacts: Mutex<Vec<String>>,
    requests_made: Mutex<u32>,
    last_chat: Mutex<Option<Instant>>,
    /// Members this one shares a stored conversation with (typing is allowed there).
    written: Mutex<Vec<String>>,
}

impl Member {
    /// The member's access token.
    pub fn access(&self) -> String {
        self.tokens.lock().map(|t| t.0.clone()).unwrap_or_default()
    }

    /// Notes that a message in `conversation` is stored, so typing there is allowed.
    fn wrote_in(&self, conversation: Option<&str>) {
        if let Some(conversation) = conversation
            && let Some(other) = conversation.split('-').find(|id| *id != self.id)
            && let Ok(mut written) = self.written.lock()
            && !written.iter().any(|w| w == other)
        {
            written.push(other.to_owned());
        }
    }

    fn add_contact(&self, id: &str) {
        if let Ok(mut contacts) = self.contacts.lock()
            && !contacts.iter().any(|c| c == id)
        {
            contacts.push(id.to_owned());
        }
    }
}

/// What every member shares: the API's address, the recorder and who is who.
#[derive(Debug)]
pub struct World {
    /// The HTTP client (one pool for all).
    pub http: reqwest::Client,
    /// The HTTP API's base URL.
    pub base: String,
    /// The WebSocket URL (without the token).
    pub ws: String,
    /// What the run saw.
    pub recorder: Arc<Recorder>,
    /// Every member, by index.
    pub members: Vec<Arc<Member>>,
    /// Member index by user id.
    pub by_id: HashMap<String, usize>,
    /// The signed-in mentors' ids (learners book these, so someone answers).
    pub mentors: Vec<String>,
    /// Skill names to ask for.
    pub skills: Vec<&'static str>,
}

/// An HTTP answer as the journeys use it.
pub struct Answer {
    /// The status.
    pub status: u16,
    /// The JSON body (Null when none).
    pub body: Value,
}

/// Whether a refusal is part of normal concurrent use: a lost race or a slot taken.
fn expected_refusal(route: &str, status: u16, body: &Value) -> bool {
    let fields: Vec<&str> =
        body["errors"].as_array().map(|e| e.iter().filter_map(|f| f["field"].as_str()).collect()).unwrap_or_default();
    match status {
        // Another member answered, cancelled or booked first.
        409 => true,
        // The slot was taken (or moved) between reading availability and asking.
        400 => matches!(route, "POST /sessions" | "POST /sessions/{id}/reschedule") && fields == ["start"],
        _ => false,
    }
}

impl World {
    /// One HTTP call as `member` (None: unauthenticated), timed and recorded under `route`.
    pub async fn call(
        &self,
        member: Option<&Member>,
        method: reqwest::Method,
        path: &str,
        route: &str,
        body: Option<Value>,
        idempotency_key: Option<&str>,
    ) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(member) = member {
            request = request.bearer_auth(member.access());
        }
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let started = Instant::now();
        let result = request.send().await;
        let (status, body) = match result {
            Ok(response) => {
                let status = response.status().as_u16();
                let bytes = response.bytes().await.unwrap_or_default();
                (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
            }
            // No answer at all: never expected.
            Err(_) => (599, Value::Null),
        };
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let expected = status < 300 || expected_refusal(route, status, &body);
        self.recorder.answer(route, ms, status, expected);
        if !expected {
            self.recorder.unexpected_body(route, status, &body);
        }
        Answer { status, body }
    }

    async fn get(&self, member: &Member, path: &str, route: &str) -> Answer {
        self.call(Some(member), reqwest::Method::GET, path, route, None, None).await
    }

    async fn post(&self, member: &Member, path: &str, route: &str, body: Value) -> Answer {
        self.call(Some(member), reqwest::Method::POST, path, route, Some(body), None).await
    }
}

/// Signs in the demo account `email`; the member, and whether they are a verified mentor.
pub async fn sign_in(
    world: &World,
    index: usize,
    side: Side,
    email: &str,
    password: &str,
) -> Result<(Member, bool), String> {
    let body = json!({"email": email, "password": password});
    let answer = world.call(None, reqwest::Method::POST, "/auth/login", "POST /auth/login", Some(body), None).await;
    if answer.status != 200 {
        return Err(format!("sign-in of {email} answered {}: {}", answer.status, answer.body));
    }
    let access = answer.body["access_token"].as_str().ok_or("no access_token")?.to_owned();
    let refresh = answer.body["refresh_token"].as_str().ok_or("no refresh_token")?.to_owned();
    let id = answer.body["user"]["id"].as_str().ok_or("no user id")?.to_owned();
    let verified = answer.body["user"]["verification"].as_str() == Some("verified");
    let member = Member {
        index,
        side,
        id,
        tokens: Mutex::new((access, refresh)),
        socket: AsyncMutex::new(None),
        contacts: Mutex::new(Vec::new()),
        requests_made: Mutex::new(0),
        last_chat: Mutex::new(None),
        written: Mutex::new(Vec::new()),
    };
    Ok((member, verified))
}

/// Opens `member`'s WebSocket and reads its frames until the run ends.
pub async fn connect(world: Arc<World>, member: Arc<Member>) -> Result<(), String> {
    let url = format!("{}?token={}", world.ws, member.access());
    let started = Instant::now();
    let (stream, _) = tokio_tungstenite::connect_async(url.as_str()).await.map_err(|e| format!("connect: {e}"))?;
    world.recorder.answer("WS $connect", started.elapsed().as_secs_f64() * 1000.0, 200, true);
    let (sink, mut frames) = stream.split();
    *member.socket.lock().await = Some(sink);
    tokio::spawn(async move {
        while let Some(Ok(frame)) = frames.next().await {
            let Message::Text(text) = frame else { continue };
            let Ok(frame) = serde_json::from_str::<Value>(text.as_str()) else { continue };
            read_frame(&world, &member, &frame).await;
        }
    });
    Ok(())
}

async fn read_frame(world: &World, member: &Member, frame: &Value) {
    let recorder = &world.recorder;
    match frame["type"].as_str() {
        Some("message") => {
            let message = &frame["message"];
            if message["sender"].as_str() != Some(member.id.as_str()) {
                recorder.delivered(message["client_msg_id"].as_str().unwrap_or_default());
                member.wrote_in(message["conversation_id"].as_str());
                // Read receipts, as an open conversation sends them.
                if let (Some(conversation), Some(id)) = (message["conversation_id"].as_str(), message["id"].as_str()) {
                    let read = json!({"action": "markRead", "conversation_id": conversation, "message_id": id});
                    send_frame(member, &read).await;
                }
            }
        }
        Some("ack") => {
            let client_msg_id = frame["client_msg_id"].as_str().unwrap_or_default();
            if let Some(ms) = recorder.since_sent(client_msg_id) {
                recorder.answer("WS sendMessage", ms, 200, true);
            }
            // The conversation exists now: typing in it is allowed.
            member.wrote_in(frame["message"]["conversation_id"].as_str());
            recorder.acked(Acked {
                sender: member.index,
                conversation: frame["message"]["conversation_id"].as_str().unwrap_or_default().to_owned(),
                client_msg_id: client_msg_id.to_owned(),
            });
        }
        Some("notification") => {
            recorder.notified(&member.id, frame["notification"]["id"].as_str().unwrap_or_default());
        }
        Some("error") => {
            let kind = frame["problem"]["type"].as_str().unwrap_or_default();
            let status = frame["problem"]["status"].as_u64().and_then(|s| u16::try_from(s).ok()).unwrap_or(0);
            let route = format!("WS {}", frame["action"].as_str().unwrap_or("frame"));
            let expected = kind.ends_with(":rate-limited");
            recorder.answer(&route, 0.0, status, expected);
            if !expected {
                recorder.unexpected_body(&route, status, frame);
            }
        }
        _ => {}
    }
}

async fn send_frame(member: &Member, frame: &Value) -> bool {
    let mut socket = member.socket.lock().await;
    match socket.as_mut() {
        Some(sink) => sink.send(Message::text(frame.to_string())).await.is_ok(),
        None => false,
    }
}

/// Runs `member` through the mix until `until`.
pub async fn run(world: Arc<World>, member: Arc<Member>, seed: u64, until: Instant) {
    let mut rng = Rng::new(seed ^ (member.index as u64).wrapping_mul(0x5851_F42D));
    let mix = match member.side {
        Side::Learner => mix::LEARNER_MIX,
        Side::Mentor => mix::MENTOR_MIX,
    };
    // Members start spread over the first think time, not all at once.
    tokio::time::sleep(Duration::from_millis(rng.between(0, mix::THINK_MS.1))).await;
    while Instant::now() < until {
        let journey = mix::pick(mix, rng.next());
        let started = Instant::now();
        if journey_once(&world, &member, journey, &mut rng).await {
            world.recorder.journey(journey.name(), started.elapsed().as_secs_f64() * 1000.0);
        }
        let pause = rng.between(mix::THINK_MS.0, mix::THINK_MS.1);
        tokio::time::sleep(Duration::from_millis(pause)).await;
    }
}

/// One journey; false when there was nothing to do (no contact to write to, no mentor, the
/// request allowance used up).
async fn journey_once(world: &World, m: &Member, journey: Journey, rng: &mut Rng) -> bool {
    let skill = world.skills[(rng.next() as usize) % world.skills.len().max(1)];
    match journey {
        Journey::Match => {
            world.get(m, &format!("/match?skills={skill}&limit=10"), "GET /match").await;
            true
        }
        Journey::Search => {
            let sort = ["relevance", "rating", "price_asc"][(rng.next() % 3) as usize];
            let first = world.get(m, &format!("/mentors?skill={skill}&sort={sort}&limit=20"), "GET /mentors").await;
            if let Some(cursor) = first.body["next_cursor"].as_str() {
                let path = format!("/mentors?skill={skill}&sort={sort}&limit=20&cursor={cursor}");
                world.get(m, &path, "GET /mentors").await;
            }
            true
        }
        Journey::MentorPage => {
            let Some(mentor) = pick(&world.mentors, rng) else { return false };
            world.get(m, &format!("/users/{mentor}"), "GET /users/{id}").await;
            world.get(m, &format!("/mentors/{mentor}/reviews?limit=10"), "GET /mentors/{id}/reviews").await;
            true
        }
        Journey::Book => book(world, m, rng).await,
        Journey::Cancel => {
            let list = world.get(m, "/sessions?when=upcoming&limit=20", "GET /sessions").await;
            let open = list.body["sessions"].as_array().into_iter().flatten().find(|s| {
                matches!(s["state"].as_str(), Some("requested" | "accepted" | "confirmed")) && rng.chance(1, 2)
            });
            let Some(id) = open.and_then(|s| s["id"].as_str()) else { return true };
            world.post(m, &format!("/sessions/{id}/cancel"), "POST /sessions/{id}/cancel", json!({})).await;
            true
        }
        Journey::Answer => {
            let list = world.get(m, "/sessions?state=requested&limit=10", "GET /sessions").await;
            let Some(request) = list.body["sessions"].as_array().and_then(|s| s.first().cloned()) else { return true };
            let (Some(id), Some(learner)) = (request["id"].as_str(), request["learner"].as_str()) else { return true };
            m.add_contact(learner);
            if let Some(&other) = world.by_id.get(learner) {
                world.members[other].add_contact(&m.id);
            }
            let (path, route) = if rng.chance(3, 4) {
                (format!("/sessions/{id}/accept"), "POST /sessions/{id}/accept")
            } else {
                (format!("/sessions/{id}/reject"), "POST /sessions/{id}/reject")
            };
            world.post(m, &path, route, json!({})).await;
            true
        }
        Journey::Reschedule => reschedule(world, m, rng).await,
        Journey::Chat => chat(world, m, rng).await,
        Journey::History => {
            let list = world.get(m, "/conversations?limit=20", "GET /conversations").await;
            if let Some(id) =
                list.body["conversations"].as_array().and_then(|c| c.first()).and_then(|c| c["id"].as_str())
            {
                world
                    .get(m, &format!("/conversations/{id}/messages?limit=30"), "GET /conversations/{id}/messages")
                    .await;
            }
            true
        }
        Journey::Notifications => {
            let list = world.get(m, "/notifications?limit=20", "GET /notifications").await;
            if list.body["unread"].as_u64().unwrap_or(0) > 0 {
                world.post(m, "/notifications/read-all", "POST /notifications/read-all", json!({})).await;
            }
            true
        }
        Journey::Points => {
            world.get(m, "/me/points?limit=20", "GET /me/points").await;
            world.get(m, "/me/badges", "GET /me/badges").await;
            true
        }
        Journey::Leaderboard => {
            world.get(m, "/leaderboards/weekly?role=mentor&limit=20", "GET /leaderboards/{kind}").await;
            world.get(m, "/leaderboards/monthly?role=learner&limit=20", "GET /leaderboards/{kind}").await;
            true
        }
        Journey::Refresh => {
            let refresh = m.tokens.lock().map(|t| t.1.clone()).unwrap_or_default();
            let body = json!({"refresh_token": refresh});
            let answer =
                world.call(None, reqwest::Method::POST, "/auth/refresh", "POST /auth/refresh", Some(body), None).await;
            if answer.status == 200
                && let (Some(access), Some(refresh)) =
                    (answer.body["access_token"].as_str(), answer.body["refresh_token"].as_str())
                && let Ok(mut tokens) = m.tokens.lock()
            {
                *tokens = (access.to_owned(), refresh.to_owned());
            }
            true
        }
    }
}

fn pick<'a>(from: &'a [String], rng: &mut Rng) -> Option<&'a String> {
    if from.is_empty() { None } else { from.get((rng.next() as usize) % from.len()) }
}

/// Quarter-hour starts from two to fourteen days ahead where an hour fits `profile`'s availability.
fn free_starts(profile: &Value, now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let Ok(availability) = serde_json::from_value::<WeeklyAvailability>(profile["availability"].clone()) else {
        return Vec::new();
    };
    let Some(zone) = profile["timezone"].as_str().and_then(|z| Timezone::parse(z).ok()) else { return Vec::new() };
    let from = now + chrono::Duration::days(2);
    let Ok(within) = Interval::new(from, from + chrono::Duration::days(12)) else { return Vec::new() };
    let mut starts = Vec::new();
    for interval in TimeSet::weekly(&availability, zone, &within).intervals() {
        let mut at = interval.start();
        let quarter = at.timestamp().rem_euclid(900);
        if quarter != 0 {
            at += chrono::Duration::seconds(900 - quarter);
        }
        while at + chrono::Duration::hours(1) <= interval.end() {
            starts.push(at);
            at += chrono::Duration::minutes(15);
        }
    }
    starts
}

async fn book(world: &World, m: &Member, rng: &mut Rng) -> bool {
    // The platform allows ten requests an hour per learner; stay under it.
    if m.requests_made.lock().map(|n| *n >= 8).unwrap_or(true) {
        return false;
    }
    let Some(mentor) = pick(&world.mentors, rng).cloned() else { return false };
    let user = world.get(m, &format!("/users/{mentor}"), "GET /users/{id}").await;
    let starts = free_starts(&user.body["profile"], Utc::now());
    let Some(start) = starts.get((rng.next() as usize) % starts.len().max(1)) else { return true };
    let body = json!({
        "mentor_id": mentor, "start": start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "duration_minutes": 60, "topic": "Load test session",
    });
    let key = ulid::Ulid::new().to_string();
    let answer =
        world.call(Some(m), reqwest::Method::POST, "/sessions", "POST /sessions", Some(body), Some(&key)).await;
    if let Ok(mut n) = m.requests_made.lock() {
        *n += 1;
    }
    if answer.status == 201 {
        m.add_contact(&mentor);
        if let Some(&other) = world.by_id.get(&mentor) {
            world.members[other].add_contact(&m.id);
        }
    }
    true
}

async fn reschedule(world: &World, m: &Member, rng: &mut Rng) -> bool {
    let list = world.get(m, "/sessions?when=upcoming&state=confirmed&limit=10", "GET /sessions").await;
    let Some(id) = list.body["sessions"].as_array().and_then(|s| s.first()).and_then(|s| s["id"].as_str()) else {
        return true;
    };
    let me = world.get(m, &format!("/users/{}", m.id), "GET /users/{id}").await;
    let starts = free_starts(&me.body["profile"], Utc::now());
    let Some(start) = starts.get((rng.next() as usize) % starts.len().max(1)) else { return true };
    let body = json!({"start": start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "duration_minutes": 60});
    world.post(m, &format!("/sessions/{id}/reschedule"), "POST /sessions/{id}/reschedule", body).await;
    true
}

async fn chat(world: &World, m: &Member, rng: &mut Rng) -> bool {
    // 30 messages a minute per member is the platform's limit; one every 3 s stays under it.
    let recent = m.last_chat.lock().map(|t| t.is_some_and(|t| t.elapsed() < Duration::from_secs(3))).unwrap_or(true);
    if recent {
        return false;
    }
    let contact = m.contacts.lock().ok().and_then(|c| pick(&c, rng).cloned());
    let Some(to) = contact else { return false };
    let client_msg_id = ulid::Ulid::new().to_string();
    let frame = json!({"action": "sendMessage", "to_user_id": to, "text": "How about we go over it again?", "client_msg_id": client_msg_id});
    world.recorder.sending(&client_msg_id);
    if let Ok(mut last) = m.last_chat.lock() {
        *last = Some(Instant::now());
    }
    // Typing is for a conversation that exists: one with a message the server stored.
    let existing = m.written.lock().map(|w| w.contains(&to)).unwrap_or(false);
    if existing && rng.chance(1, 3) {
        send_frame(m, &json!({"action": "typing", "conversation_id": conversation_of(&m.id, &to)})).await;
    }
    // The conversation counts as existing only once the server acks a message in it (see
    // `read_frame`): a sent frame may still be in flight, refused by the rate limit or lost
    // to a timeout, and typing there would rightly get 404.
    send_frame(m, &frame).await
}

/// The capacity one booking costs, measured alone before the run: a learner asks a verified
/// mentor for an hour, the mentor accepts, the learner cancels (on time), and each step's
/// read and write units are read off the meter (`book`'s rows for that route). One line
/// per step, `kind: booking_probe`; none when the catalogue has no learner or mentor.
pub async fn probe_booking(world: &World) -> Vec<Value> {
    let learner = world.members.iter().find(|m| m.side == Side::Learner);
    let mentor = world.mentors.first().and_then(|id| world.by_id.get(id)).map(|&i| &world.members[i]);
    let (Some(learner), Some(mentor)) = (learner, mentor) else { return Vec::new() };
    let profile = world.get(learner, &format!("/users/{}", mentor.id), "GET /users/{id}").await;
    let Some(start) = free_starts(&profile.body["profile"], Utc::now()).into_iter().next() else { return Vec::new() };
    let skills = profile.body["profile"]["skills"].as_array().map_or(0, Vec::len);
    let body = json!({
        "mentor_id": mentor.id, "start": start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "duration_minutes": 60, "topic": "Booking probe",
    });
    let mut lines = Vec::new();
    let before = book_units(world, "POST /sessions").await;
    let key = ulid::Ulid::new().to_string();
    let asked =
        world.call(Some(learner), reqwest::Method::POST, "/sessions", "POST /sessions", Some(body), Some(&key)).await;
    lines.push(probe_line("request", asked.status, skills, before, book_units(world, "POST /sessions").await));
    let Some(id) = asked.body["id"].as_str() else { return lines };
    for (step, by, route, body) in [
        ("accept", mentor, "POST /sessions/{id}/accept", json!({})),
        ("cancel", learner, "POST /sessions/{id}/cancel", json!({"reason": "Booking probe"})),
    ] {
        let before = book_units(world, route).await;
        let answer = world.post(by, &format!("/sessions/{id}/{step}"), route, body).await;
        lines.push(probe_line(step, answer.status, skills, before, book_units(world, route).await));
    }
    lines
}

fn probe_line(step: &str, status: u16, skills: usize, before: (f64, f64), after: (f64, f64)) -> Value {
    json!({
        "kind": "booking_probe", "step": step, "status": status, "mentor_skills": skills,
        "read_units": ((after.0 - before.0) * 100.0).round() / 100.0,
        "write_units": ((after.1 - before.1) * 100.0).round() / 100.0,
    })
}

/// The read and write units `book` has used for `route` so far, from the gateway's meter.
async fn book_units(world: &World, route: &str) -> (f64, f64) {
    let Ok(response) = world.http.get(format!("{}/_local/metrics", world.base)).send().await else { return (0.0, 0.0) };
    let metrics: Value = response.json().await.unwrap_or(Value::Null);
    metrics["functions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|row| row["function"] == "book" && row["action"] == route)
        .fold((0.0, 0.0), |(r, w), row| {
            (r + row["read_units"].as_f64().unwrap_or(0.0), w + row["write_units"].as_f64().unwrap_or(0.0))
        })
}

/// The conversation id of two members: both ids in order, joined by `-`.
pub fn conversation_of(a: &str, b: &str) -> String {
    if a < b { format!("{a}-{b}") } else { format!("{b}-{a}") }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_race_or_a_taken_slot_is_expected_and_nothing_else_is() {
        let start = json!({"errors": [{"field": "start", "message": "is outside the mentor's availability or already booked"}]});
        assert!(expected_refusal("POST /sessions", 400, &start));
        assert!(expected_refusal("POST /sessions/{id}/accept", 409, &Value::Null));
        assert!(!expected_refusal("POST /sessions", 400, &json!({"errors": [{"field": "topic", "message": "x"}]})));
        assert!(!expected_refusal("GET /me", 500, &Value::Null));
        assert!(!expected_refusal("GET /me", 401, &Value::Null));
    }

    #[test]
    fn free_starts_fall_on_quarter_hours_inside_the_window() {
        let profile =
            json!({"timezone": "Europe/Madrid", "availability": [{"day": "mon", "start": "18:00", "end": "20:00"}]});
        let now = DateTime::parse_from_rfc3339("2026-03-20T12:00:00Z").unwrap().with_timezone(&Utc);
        let starts = free_starts(&profile, now);
        // Monday 2026-03-23 (CET) and 2026-03-30 (CEST): 18:00-19:00 local, five starts each.
        assert_eq!(starts.len(), 10);
        assert_eq!(starts[0].to_rfc3339(), "2026-03-23T17:00:00+00:00");
        assert_eq!(starts[5].to_rfc3339(), "2026-03-30T16:00:00+00:00");
    }
}
